package lambdagroups

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	sdkiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	tagging "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"

	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/service/account"
	ec2svc "github.com/awsgraph/awsgraph/internal/service/ec2"
	"github.com/awsgraph/awsgraph/internal/service/lambda"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

func TestMain(m *testing.M) { os.Exit(testbed.Main(m)) }

func TestVPCFunctionIsProtectedByItsGroups(t *testing.T) {
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	ctx := context.Background()
	ic := sdkiam.NewFromConfig(srv.SeedConfig(t, acct, "us-east-1"))
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role, err := ic.CreateRole(ctx, &sdkiam.CreateRoleInput{RoleName: aws.String("exec"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	c := ec2.NewFromConfig(srv.SeedConfig(t, acct, "us-east-1"))
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.8.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	sn, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String("10.8.1.0/24")})
	if err != nil {
		t.Fatal(err)
	}
	sg, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("fn"), Description: aws.String("fn"), VpcId: vpc.Vpc.VpcId})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	f, _ := zw.Create("index.py")
	f.Write([]byte("def handler(e, c):\n    return 1\n"))
	zw.Close()
	lc := awslambda.NewFromConfig(srv.SeedConfig(t, acct, "us-east-1"))
	fn, err := lc.CreateFunction(ctx, &awslambda.CreateFunctionInput{FunctionName: aws.String("in-vpc"), Runtime: lambdatypes.RuntimePython312,
		Handler: aws.String("index.handler"), Role: role.Role.Arn, Code: &lambdatypes.FunctionCode{ZipFile: buf.Bytes()},
		VpcConfig: &lambdatypes.VpcConfig{SubnetIds: []string{aws.ToString(sn.Subnet.SubnetId)}, SecurityGroupIds: []string{aws.ToString(sg.GroupId)}}})
	if err != nil {
		t.Fatal(err)
	}
	sess := srv.Session(t, acct)
	sess.Regions = []string{"us-east-1"}
	steps := append(account.Steps(sess), ec2svc.Steps(sess)...)
	steps = append(steps, lambda.FunctionStep(sess,
		func(r string) lambda.FunctionsAPI { return awslambda.NewFromConfig(sess.In(r)) },
		func(r string) lambda.TagsAPI { return tagging.NewFromConfig(sess.In(r)) }))
	steps = append(steps, Steps()...)
	res, err := engine.Run(ctx, engine.NewJob(), steps, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rels := res.Job.RelationshipsOfType(RelType)
	wantFrom := "arn:aws:ec2:us-east-1:" + acct + ":security-group/" + aws.ToString(sg.GroupId)
	if len(rels) != 1 || rels[0].FromKey() != wantFrom || rels[0].ToKey() != aws.ToString(fn.FunctionArn) {
		t.Fatalf("PROTECTS edges %v (warnings %v)", rels, res.Warnings)
	}
}
