package collection

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cstypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/awsgraph/awsgraph/internal/testbed"
)

// Secrets the scenario plants; none may appear in any output.
const (
	userDataSecret = "ACCEPT-USERDATA-5e1d9c"
	envSecret      = "ACCEPT-ENV-VALUE-a07f44"
	externalID     = "acceptance-ext-id:4b2c/9=+"
)

type iamTag = iamtypes.Tag

func apigwType(s string) apigwtypes.IntegrationType { return apigwtypes.IntegrationType(s) }

// The three regions of the scenario: none is the demo's.
var regions = []string{"us-west-2", "eu-central-1", "ap-southeast-2"}

// scenario records what was seeded that the API cannot tell back (which
// integration names which function, which users are e-mail users).
type scenario struct {
	acct string

	fnA, fnB, fnC string // function ARNs: A, C in regions[0]; B in regions[1]
	ghostFn       string // an integration names it, it does not exist
	api1, api2    string // REST API ids in regions[0]
	apiEU         string // REST API id in regions[1]

	// wantTriggers holds "<api id>|<unqualified function ARN>" pairs.
	wantTriggers map[string]bool
	// emailUsers maps user name → lower-cased address.
	emailUsers map[string]string
}

type seeder struct {
	t   *testing.T
	srv *testbed.Moto
	ctx context.Context
	sc  *scenario
}

func (s *seeder) cfg(region string) aws.Config { return s.srv.SeedConfig(s.t, s.sc.acct, region) }

func (s *seeder) must(what string, err error) {
	s.t.Helper()
	if err != nil {
		s.t.Fatalf("seeding %s: %v", what, err)
	}
}

func tagSpec(rt ec2types.ResourceType, kv ...string) []ec2types.TagSpecification {
	var t []ec2types.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		t = append(t, ec2types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return []ec2types.TagSpecification{{ResourceType: rt, Tags: t}}
}

func seed(t *testing.T, srv *testbed.Moto, acct string) *scenario {
	s := &seeder{t: t, srv: srv, ctx: context.Background(), sc: &scenario{acct: acct, wantTriggers: map[string]bool{}, emailUsers: map[string]string{}}}
	// IAM first (Lambda needs the role), then the regions in parallel.
	s.iam()
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); s.ec2Main(regions[0]) }()
	go func() { defer wg.Done(); s.ec2Second(regions[1]) }()
	go func() { defer wg.Done(); s.buckets(); s.config() }()
	wg.Wait()
	s.lambdaAndAPIs()
	return s.sc
}

func (s *seeder) ec2Main(region string) {
	c := ec2.NewFromConfig(s.cfg(region))
	ctx := s.ctx
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.42.0.0/16"),
		TagSpecifications: tagSpec(ec2types.ResourceTypeVpc, "Name", "acc-core", "cost_center", "CC-42", "a/b", "slash", "owner", "Jürgen ☃ 東京")})
	s.must("vpc", err)
	vpcID := vpc.Vpc.VpcId
	subA, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpcID, CidrBlock: aws.String("10.42.1.0/24"), AvailabilityZone: aws.String(region + "a"),
		TagSpecifications: tagSpec(ec2types.ResourceTypeSubnet, "Name", "acc-front", "tier:level", "1")})
	s.must("subnet a", err)
	subB, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpcID, CidrBlock: aws.String("10.42.2.0/24"), AvailabilityZone: aws.String(region + "b")})
	s.must("subnet b", err)
	_, err = c.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: subA.Subnet.SubnetId, MapPublicIpOnLaunch: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}})
	s.must("subnet attr", err)
	var groups []string
	for i := 0; i < 7; i++ {
		g, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(fmt.Sprintf("acc-sg-%d", i)), Description: aws.String("acceptance"), VpcId: vpcID,
			TagSpecifications: tagSpec(ec2types.ResourceTypeSecurityGroup, "idx", fmt.Sprint(i))})
		s.must("group", err)
		groups = append(groups, aws.ToString(g.GroupId))
	}
	rule := ec2types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}
	_, err = c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(groups[0]), IpPermissions: []ec2types.IpPermission{rule}})
	s.must("rule", err)
	ud := base64.StdEncoding.EncodeToString([]byte("#!/bin/bash\necho " + userDataSecret + "\n"))
	run := func(subnet *string, sgs []string, typ ec2types.InstanceType, kv ...string) string {
		out, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), InstanceType: typ, MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
			SubnetId: subnet, SecurityGroupIds: sgs, UserData: aws.String(ud), TagSpecifications: tagSpec(ec2types.ResourceTypeInstance, kv...)})
		s.must("instance", err)
		return aws.ToString(out.Instances[0].InstanceId)
	}
	// Multi-ENI front instance: primary ENI with groups 0,1; a second ENI with 2,3.
	front := run(subA.Subnet.SubnetId, []string{groups[0], groups[1]}, ec2types.InstanceTypeT3Micro, "Name", "acc-front-1", "cost_center", "CC-42", "a/b", "x/y", "ключ", "значение")
	eni, err := c.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: subA.Subnet.SubnetId, Groups: []string{groups[2], groups[3]}, Description: aws.String("second eni")})
	s.must("eni", err)
	_, err = c.AttachNetworkInterface(ctx, &ec2.AttachNetworkInterfaceInput{InstanceId: aws.String(front), NetworkInterfaceId: eni.NetworkInterface.NetworkInterfaceId, DeviceIndex: aws.Int32(1)})
	s.must("attach eni", err)
	// Private, stopped instance with two extra data volumes.
	back := run(subB.Subnet.SubnetId, []string{groups[4], groups[5], groups[6]}, ec2types.InstanceTypeT3Small, "Name", "acc-back-1")
	for i, vt := range []ec2types.VolumeType{ec2types.VolumeTypeGp3, ec2types.VolumeTypeIo1} {
		in := &ec2.CreateVolumeInput{AvailabilityZone: aws.String(region + "b"), Size: aws.Int32(int32(20 + i)), VolumeType: vt, Encrypted: aws.Bool(i == 0),
			TagSpecifications: tagSpec(ec2types.ResourceTypeVolume, "Name", fmt.Sprintf("acc-data-%d", i), "backup", "daily")}
		if vt == ec2types.VolumeTypeIo1 {
			in.Iops = aws.Int32(200)
		}
		v, err := c.CreateVolume(ctx, in)
		s.must("volume", err)
		_, err = c.AttachVolume(ctx, &ec2.AttachVolumeInput{VolumeId: v.VolumeId, InstanceId: aws.String(back), Device: aws.String(fmt.Sprintf("/dev/sd%c", 'f'+i))})
		s.must("attach volume", err)
	}
	_, err = c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{back}})
	s.must("stop", err)
	// Default-VPC instance (no subnet given), and a terminated one.
	run(nil, nil, ec2types.InstanceTypeT3Nano, "Name", "acc-default-vpc")
	gone := run(nil, nil, ec2types.InstanceTypeT3Nano, "Name", "acc-terminated")
	_, err = c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{gone}})
	s.must("terminate", err)
	// Unattached volumes, one in a third AZ.
	for _, az := range []string{"a", "c"} {
		_, err := c.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String(region + az), Size: aws.Int32(5)})
		s.must("free volume", err)
	}
}

func (s *seeder) ec2Second(region string) {
	c := ec2.NewFromConfig(s.cfg(region))
	ctx := s.ctx
	var groups []string
	for i := 0; i < 2; i++ {
		g, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(fmt.Sprintf("eu-sg-%d", i)), Description: aws.String("eu")})
		s.must("eu group", err)
		groups = append(groups, aws.ToString(g.GroupId))
	}
	out, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), InstanceType: ec2types.InstanceTypeT3Micro, MinCount: aws.Int32(2), MaxCount: aws.Int32(2),
		SecurityGroupIds: groups, TagSpecifications: tagSpec(ec2types.ResourceTypeInstance, "Name", "eu-batch", "Team", "data")})
	s.must("eu instances", err)
	inst := out.Instances[0]
	v, err := c.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: inst.Placement.AvailabilityZone, Size: aws.Int32(50)})
	s.must("eu volume", err)
	_, err = c.AttachVolume(ctx, &ec2.AttachVolumeInput{VolumeId: v.VolumeId, InstanceId: inst.InstanceId, Device: aws.String("/dev/sdh")})
	s.must("eu attach", err)
}

func (s *seeder) buckets() {
	acct := s.sc.acct
	mk := func(name, region string) *s3.Client {
		c := s3.NewFromConfig(s.cfg(region), func(o *s3.Options) { o.UsePathStyle = true })
		_, err := c.CreateBucket(s.ctx, &s3.CreateBucketInput{Bucket: aws.String(name),
			CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}})
		s.must("bucket "+name, err)
		return c
	}
	pub := "acc-public-" + acct
	c := mk(pub, regions[0])
	_, err := c.PutBucketPolicy(s.ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(pub), Policy: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + pub + `/*"}]}`)})
	s.must("bucket policy", err)
	_, err = c.PutBucketTagging(s.ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(pub), Tagging: &s3types.Tagging{TagSet: []s3types.Tag{
		{Key: aws.String("cost_center"), Value: aws.String("CC-42")}, {Key: aws.String("a/b"), Value: aws.String("ü")}}}})
	s.must("bucket tags", err)
	enc := "acc-encrypted-" + acct
	c = mk(enc, regions[1])
	_, err = c.PutBucketEncryption(s.ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(enc), ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
		Rules: []s3types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAes256}}}}})
	s.must("encryption", err)
	_, err = c.PutBucketPolicy(s.ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(enc), Policy: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::` + enc + `/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`)})
	s.must("deny policy", err)
	mk("acc-plain-"+acct, regions[2])
}

func (s *seeder) iam() {
	c := iam.NewFromConfig(s.cfg("us-east-1"))
	ctx, acct := s.ctx, s.sc.acct
	doc := func(st string) *string { return aws.String(`{"Version":"2012-10-17","Statement":[` + st + `]}`) }
	for _, g := range []struct{ name, path string }{{"platform", "/"}, {"auditors", "/sec/"}, {"nobody-here", "/"}} {
		_, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(g.name), Path: aws.String(g.path)})
		s.must("group", err)
	}
	users := []struct{ name, path, group string }{
		{"Jane.Doe@Example.COM", "/", "platform"},
		{"ops+oncall@corp.example.org", "/people/", "auditors"},
		{"svc-deploy", "/robots/", "platform"},
		{"tagged-only", "/", ""},
	}
	for _, u := range users {
		in := &iam.CreateUserInput{UserName: aws.String(u.name), Path: aws.String(u.path)}
		if u.name == "tagged-only" {
			in.Tags = []iamTag{{Key: aws.String("Email"), Value: aws.String("Tagged.Person@example.com")}, {Key: aws.String("cost_center"), Value: aws.String("CC-7")}}
		}
		_, err := c.CreateUser(ctx, in)
		s.must("user "+u.name, err)
		if u.group != "" {
			_, err = c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: aws.String(u.name), GroupName: aws.String(u.group)})
			s.must("membership", err)
		}
	}
	s.sc.emailUsers["Jane.Doe@Example.COM"] = "jane.doe@example.com"
	s.sc.emailUsers["ops+oncall@corp.example.org"] = "ops+oncall@corp.example.org"
	// Issue 3 item 6: also users whose Email tag holds an address.
	s.sc.emailUsers["tagged-only"] = "tagged.person@example.com"

	pol, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("acc-multi-version"), Path: aws.String("/acc/"), PolicyDocument: doc(
		`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}`)})
	s.must("policy", err)
	for i, st := range []string{`{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}`, `{"Effect":"Allow","Action":"lambda:List*","Resource":"*"}`} {
		_, err := c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: pol.Policy.Arn, PolicyDocument: doc(st), SetAsDefault: i == 1})
		s.must("policy version", err)
	}
	_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("acc-unattached"), PolicyDocument: doc(`{"Effect":"Deny","Action":"*","Resource":"*"}`)})
	s.must("unattached policy", err)
	_, err = c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("platform"), PolicyArn: pol.Policy.Arn})
	s.must("attach group", err)
	_, err = c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("auditors"), PolicyArn: aws.String("arn:aws:iam::aws:policy/SecurityAudit")})
	s.must("attach audit", err)
	_, err = c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("svc-deploy"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	s.must("attach user", err)

	roles := []struct{ name, path, trust string }{
		{"acc-lambda-exec", "/service-role/", `{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}`},
		{"acc-ops", "/", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}`},
		{"acc-partner", "/ext/partners/", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"p-1"}}}`},
	}
	for _, r := range roles {
		_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(r.name), Path: aws.String(r.path), AssumeRolePolicyDocument: doc(r.trust),
			Tags: []iamTag{{Key: aws.String("a/b"), Value: aws.String("role ✓")}}})
		s.must("role "+r.name, err)
	}
	_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("acc-ops"), PolicyArn: pol.Policy.Arn})
	s.must("attach role", err)
	// Inline policies on every principal type.
	_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("Jane.Doe@Example.COM"), PolicyName: aws.String("jane-assume"), PolicyDocument: doc(
		`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::` + acct + `:role/acc-ops"}`)})
	s.must("user inline", err)
	_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("svc-deploy"), PolicyName: aws.String("deploy"), PolicyDocument: doc(
		`{"Effect":"Allow","Action":["lambda:UpdateFunctionCode"],"Resource":"*"}`)})
	s.must("user inline 2", err)
	_, err = c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("auditors"), PolicyName: aws.String("audit-extra"), PolicyDocument: doc(
		`{"Effect":"Allow","Action":"config:Describe*","Resource":"*"}`)})
	s.must("group inline", err)
	for _, r := range []string{"acc-lambda-exec", "acc-ops"} {
		_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(r), PolicyName: aws.String("inline-" + r), PolicyDocument: doc(
			`{"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"*"}`)})
		s.must("role inline", err)
	}
}

func zipped() []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, _ := w.Create("index.py")
	f.Write([]byte("def handler(event, context):\n    return {'statusCode': 200}\n"))
	w.Close()
	return buf.Bytes()
}

func (s *seeder) lambdaAndAPIs() {
	ctx, acct := s.ctx, s.sc.acct
	role := "arn:aws:iam::" + acct + ":role/service-role/acc-lambda-exec"
	fn := func(region, name string, publish bool) string {
		lc := lambda.NewFromConfig(s.cfg(region))
		out, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(name), Runtime: lambdatypes.RuntimePython312, Handler: aws.String("index.handler"),
			Role: aws.String(role), Code: &lambdatypes.FunctionCode{ZipFile: zipped()}, Publish: publish,
			Environment: &lambdatypes.Environment{Variables: map[string]string{"DB_PASSWORD": envSecret}},
			Tags:        map[string]string{"cost_center": "CC-42", "a/b": "fn ✓"}})
		s.must("function "+name, err)
		return aws.ToString(out.FunctionArn)
	}
	s.sc.fnA = fn(regions[0], "acc-orders", true)
	s.sc.fnC = fn(regions[0], "acc-stage-target", false)
	s.sc.fnB = fn(regions[1], "acc-remote", false)
	fn(regions[0], "acc-not-integrated", false)
	lc := lambda.NewFromConfig(s.cfg(regions[0]))
	_, err := lc.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("acc-orders"), Name: aws.String("live"), FunctionVersion: aws.String("1")})
	s.must("alias", err)
	s.sc.ghostFn = "arn:aws:lambda:" + regions[0] + ":" + acct + ":function:acc-deleted"

	uri := func(region, fnArn string) string {
		return "arn:aws:apigateway:" + region + ":lambda:path/2015-03-31/functions/" + fnArn + "/invocations"
	}
	type method struct{ path, verb, typ, uri string }
	mkAPI := func(region, name string, methods []method) string {
		ag := apigateway.NewFromConfig(s.cfg(region))
		api, err := ag.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String(name), Tags: map[string]string{"cost_center": "CC-42"}})
		s.must("api", err)
		ids := map[string]*string{"/": api.RootResourceId}
		var resource func(path string) *string
		resource = func(path string) *string {
			if id, ok := ids[path]; ok {
				return id
			}
			i := len(path) - 1
			for path[i] != '/' {
				i--
			}
			parent := "/"
			if i > 0 {
				parent = path[:i]
			}
			r, err := ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: resource(parent), PathPart: aws.String(path[i+1:])})
			s.must("resource "+path, err)
			ids[path] = r.Id
			return r.Id
		}
		for _, m := range methods {
			rid := resource(m.path)
			_, err := ag.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: rid, HttpMethod: aws.String(m.verb), AuthorizationType: aws.String("NONE")})
			s.must("method", err)
			in := &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: rid, HttpMethod: aws.String(m.verb), Type: apigwType(m.typ)}
			if m.uri != "" {
				in.Uri = aws.String(m.uri)
				in.IntegrationHttpMethod = aws.String("POST")
			}
			_, err = ag.PutIntegration(ctx, in)
			s.must("integration "+m.verb+" "+m.path, err)
		}
		return aws.ToString(api.Id)
	}
	s.sc.api1 = mkAPI(regions[0], "acc-shop", []method{
		{"/orders", "GET", "AWS_PROXY", uri(regions[0], s.sc.fnA+":live")},
		{"/orders", "POST", "AWS", uri(regions[0], s.sc.fnA)},
		{"/orders/{id}", "GET", "HTTP", "https://backend.example.com/orders/{id}"},
		{"/orders/{id}", "DELETE", "MOCK", ""},
		{"/remote", "ANY", "AWS_PROXY", uri(regions[0], s.sc.fnB)},
		{"/staged", "GET", "AWS_PROXY", uri(regions[0], "arn:aws:lambda:"+regions[0]+":"+acct+":function:${stageVariables.fn}")},
		{"/ghost", "GET", "AWS_PROXY", uri(regions[0], s.sc.ghostFn)},
	})
	ag := apigateway.NewFromConfig(s.cfg(regions[0]))
	dep, err := ag.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: aws.String(s.sc.api1)})
	s.must("deployment", err)
	_, err = ag.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: aws.String(s.sc.api1), StageName: aws.String("prod"), DeploymentId: dep.Id,
		Variables: map[string]string{"fn": "acc-stage-target"}})
	s.must("stage", err)
	s.sc.api2 = mkAPI(regions[0], "acc-mock-only", []method{{"/health", "GET", "MOCK", ""}, {"/proxy", "GET", "HTTP_PROXY", "https://example.org/"}})
	s.sc.apiEU = mkAPI(regions[1], "acc-eu-jobs", []method{{"/jobs", "POST", "AWS", uri(regions[1], s.sc.fnB)}})
	for _, p := range []string{s.sc.api1 + "|" + s.sc.fnA, s.sc.api1 + "|" + s.sc.fnB, s.sc.api1 + "|" + s.sc.fnC, s.sc.apiEU + "|" + s.sc.fnB} {
		s.sc.wantTriggers[p] = true
	}
}

func (s *seeder) config() {
	rule := func(region, name, id string) {
		c := configservice.NewFromConfig(s.cfg(region))
		_, err := c.PutConfigRule(s.ctx, &configservice.PutConfigRuleInput{ConfigRule: &cstypes.ConfigRule{
			ConfigRuleName: aws.String(name),
			Source:         &cstypes.Source{Owner: cstypes.OwnerAws, SourceIdentifier: aws.String(id)},
		}, Tags: []cstypes.Tag{{Key: aws.String("cost_center"), Value: aws.String("CC-42")}}})
		s.must("config rule "+name, err)
	}
	rule(regions[0], "acc-encrypted-volumes", "ENCRYPTED_VOLUMES")
	rule(regions[0], "acc-s3-public-read", "S3_BUCKET_PUBLIC_READ_PROHIBITED")
	rule(regions[2], "acc-root-mfa", "ROOT_ACCOUNT_MFA_ENABLED")
}
