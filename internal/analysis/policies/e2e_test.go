package policies

import (
	"context"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	sdkiam "github.com/aws/aws-sdk-go-v2/service/iam"
	sdks3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/service/account"
	"github.com/awsgraph/awsgraph/internal/service/ec2"
	"github.com/awsgraph/awsgraph/internal/service/iam"
	"github.com/awsgraph/awsgraph/internal/service/s3"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

func TestMain(m *testing.M) { os.Exit(testbed.Main(m)) }

func TestNamesMatchServicePackages(t *testing.T) {
	got := []string{IAMStepID, AccountStepID, AccountType, UserType, GroupType, RoleType, ManagedPolicyType, UserPolicyType, GroupPolicyType, RolePolicyType, s3BucketType}
	want := []string{iam.StepID, account.StepID, account.Type, iam.UserType, iam.GroupType, iam.RoleType, iam.ManagedPolicyType, iam.UserPolicyType, iam.GroupPolicyType, iam.RolePolicyType, s3.BucketType}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("names %v, service packages %v", got, want)
	}
}

// TestPoliciesEndToEnd seeds a bucket, an instance and IAM policies naming
// them in moto, collects account, IAM, S3 and EC2 with the product session
// and runs the analysis (dependencies and targets from ForSteps).
func TestPoliciesEndToEnd(t *testing.T) {
	t.Parallel()
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	ctx := context.Background()
	const region = "us-east-1"
	cfg := srv.SeedConfig(t, acct, region)
	testbed.Must(sdks3.NewFromConfig(cfg, func(o *sdks3.Options) { o.UsePathStyle = true }).CreateBucket(ctx, &sdks3.CreateBucketInput{Bucket: aws.String("pol-data")}))
	inst := testbed.Must(sdkec2.NewFromConfig(cfg).RunInstances(ctx, &sdkec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"),
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})).Instances[0]
	instArn := "arn:aws:ec2:" + region + ":" + acct + ":instance/" + aws.ToString(inst.InstanceId)
	bucketArn := "arn:aws:s3:::pol-data"
	acctKey := account.Key("aws", acct)

	c := sdkiam.NewFromConfig(cfg)
	pol := testbed.Must(c.CreatePolicy(ctx, &sdkiam.CreatePolicyInput{PolicyName: aws.String("data-rw"), PolicyDocument: aws.String(doc(
		`{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::pol-data/*"}`,
		`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::pol-data"}`,
		`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::not-collected/*"}`,
		`{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::pol-data"}`))})).Policy
	testbed.Must(c.CreateRole(ctx, &sdkiam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(doc(
		`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`))}))
	testbed.Must(c.AttachRolePolicy(ctx, &sdkiam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: pol.Arn}))
	testbed.Must(c.PutRolePolicy(ctx, &sdkiam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("ops"), PolicyDocument: aws.String(doc(
		`{"Effect":"Allow","Action":["ec2:StopInstances","ec2:StartInstances"],"Resource":"`+instArn+`","Condition":{"StringEquals":{"aws:ResourceTag/env":"dev"}}}`,
		`{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}`))}))
	testbed.Must(c.CreateUser(ctx, &sdkiam.CreateUserInput{UserName: aws.String("admin")}))
	testbed.Must(c.PutUserPolicy(ctx, &sdkiam.PutUserPolicyInput{UserName: aws.String("admin"), PolicyName: aws.String("all"),
		PolicyDocument: aws.String(doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`))}))

	sess := srv.Session(t, acct)
	sess.Regions = []string{region}
	var collect []engine.Step
	collect = append(collect, account.Steps(sess)...)
	collect = append(collect, iam.Steps(sess)...)
	collect = append(collect, s3.Steps(sess)...)
	collect = append(collect, ec2.Steps(sess)...)
	steps := append(collect, ForSteps(collect)...)
	res, err := engine.Run(ctx, engine.NewJob(), steps, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Steps {
		if s.ID == StepID {
			if s.Status != engine.StatusSuccess {
				t.Fatalf("policy step: %+v", s)
			}
			if s.Metrics["unmatchedResourcePatterns"] != 1 {
				t.Errorf("metrics %v: want 1 unmatched pattern (not-collected/*)", s.Metrics)
			}
		}
	}
	for _, w := range res.Warnings {
		if w.Step == StepID {
			t.Errorf("warning: %+v", w)
		}
	}
	roleInline := "arn:aws:iam::" + acct + ":role/app|inline-policy|ops"
	userInline := "arn:aws:iam::" + acct + ":user/admin|inline-policy|all"
	var got []string
	for _, r := range res.Job.Relationships() {
		if res.Job.RelationshipOwner(r.Key()) != StepID {
			continue
		}
		got = append(got, r.Type()+" "+r.FromKey()+" -> "+r.ToKey()+" "+summary(r))
	}
	sort.Strings(got)
	want := []string{
		"aws_iam_managed_policy_allows_s3_bucket " + aws.ToString(pol.Arn) + " -> " + bucketArn + " ALLOWS pol-data actions=[s3:GetObject s3:PutObject s3:ListBucket] read,list,write",
		"aws_iam_managed_policy_denies_s3_bucket " + aws.ToString(pol.Arn) + " -> " + bucketArn + " DENIES pol-data actions=[s3:DeleteBucket] write",
		"aws_iam_role_policy_allows_account " + roleInline + " -> " + acctKey + " ALLOWS account actions=[ec2:Describe*] list",
		"aws_iam_role_policy_allows_ec2_instance " + roleInline + " -> " + instArn + " ALLOWS " + aws.ToString(inst.InstanceId) +
			` actions=[ec2:StopInstances ec2:StartInstances] write,conditional [{"StringEquals":{"aws:ResourceTag/env":["dev"]}}]`,
		"aws_iam_user_policy_allows_account " + userInline + " -> " + acctKey + " ALLOWS account actions=[*] read,list,write,permissions,tagging,admin",
	}
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("edges:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	// Policy entities carry the summary flags.
	if e, _ := res.Job.Entity(userInline); e["admin"] != true || e["write"] != true {
		t.Errorf("admin inline policy flags: %v", e)
	}
	if e, _ := res.Job.Entity(aws.ToString(pol.Arn)); e["admin"] != false || e["read"] != true || e["permissions"] != false {
		t.Errorf("data-rw policy flags: %v", e)
	}
}
