package instanceroles

import (
	"context"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	sdkiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/service/account"
	ec2svc "github.com/awsgraph/awsgraph/internal/service/ec2"
	"github.com/awsgraph/awsgraph/internal/service/iam"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

func TestMain(m *testing.M) { os.Exit(testbed.Main(m)) }

func TestRelationships(t *testing.T) {
	inst := func(id, profile string) graph.Entity {
		e := graph.NewEntity("arn:aws:ec2:us-east-1:111122223333:instance/"+id, "aws_ec2_instance", []string{"Host"}, id)
		e.Set("iamInstanceProfile", profile)
		return e
	}
	role := graph.NewEntity("arn:aws:iam::111122223333:role/web", "aws_iam_role", []string{"AccessRole"}, "web")
	role["instanceProfileArns"] = []any{"arn:aws:iam::111122223333:instance-profile/web"}
	rels, unresolved := Relationships([]graph.Entity{
		inst("i-1", "arn:aws:iam::111122223333:instance-profile/web"),
		inst("i-2", ""),
		inst("i-3", "arn:aws:iam::111122223333:instance-profile/deleted"),
	}, []graph.Entity{role})
	if len(rels) != 1 || rels[0].FromKey() != "arn:aws:ec2:us-east-1:111122223333:instance/i-1" || rels[0].ToKey() != role.Key() ||
		rels[0].Type() != RelType || unresolved != 1 {
		t.Fatalf("rels %v unresolved %d", rels, unresolved)
	}
}

// Against moto: an instance launched with an instance profile USES the
// profile's role; one without none.
func TestInstanceUsesProfileRole(t *testing.T) {
	t.Parallel()
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	ctx := context.Background()
	ic := sdkiam.NewFromConfig(srv.SeedConfig(t, acct, "us-east-1"))
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := ic.CreateRole(ctx, &sdkiam.CreateRoleInput{RoleName: aws.String("web"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	prof, err := ic.CreateInstanceProfile(ctx, &sdkiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web-profile")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ic.AddRoleToInstanceProfile(ctx, &sdkiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), RoleName: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	c := ec2.NewFromConfig(srv.SeedConfig(t, acct, "us-east-1"))
	with, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		IamInstanceProfile: &ec2types.IamInstanceProfileSpecification{Arn: prof.InstanceProfile.Arn}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	sess := srv.Session(t, acct)
	sess.Regions = []string{"us-east-1"}
	steps := append(account.Steps(sess), iam.Steps(sess)...)
	steps = append(steps, ec2svc.Steps(sess)...)
	steps = append(steps, Steps()...)
	res, err := engine.Run(ctx, engine.NewJob(), steps, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rels := res.Job.RelationshipsOfType(RelType)
	wantFrom := "arn:aws:ec2:us-east-1:" + acct + ":instance/" + aws.ToString(with.Instances[0].InstanceId)
	if len(rels) != 1 || rels[0].FromKey() != wantFrom || rels[0].ToKey() != "arn:aws:iam::"+acct+":role/web" {
		t.Fatalf("USES role edges: %v (partial %v, warnings %v)", rels, res.PartialTypes, res.Warnings)
	}
}
