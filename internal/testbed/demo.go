package testbed

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cstypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Demo secrets: values that must never appear in any output.
const (
	DemoUserDataSecret = "DEMO-USERDATA-SECRET-7f3a"
	DemoEnvSecret      = "DEMO-ENV-SECRET-91bc"
)

// DemoFacts records what SeedDemo created, for assertions.
type DemoFacts struct {
	Account      string
	Regions      []string
	WebInstance  string // public, SSH and HTTP(S) open to the world
	DBInstance   string // private
	EUInstance   string
	WebGroup     string
	SSHGroup     string
	DBGroup      string
	CustomVPC    string
	PublicSubnet string
	DataVolume   string // attached to DBInstance, encrypted
	FreeVolume   string // unattached
	Buckets      []string
	Function     string // ARN in the first region
	RestAPI      string
	LoadBalancer string // internet-facing ALB in the first region, forwarding to WebInstance
}

type demo struct {
	ctx      context.Context
	endpoint string
	f        *DemoFacts
	err      error
}

func (d *demo) cfg(region string) aws.Config {
	c, err := SeedConfigFor(d.endpoint, d.f.Account, region)
	if err != nil && d.err == nil {
		d.err = err
	}
	return c
}

func (d *demo) check(what string, err error) {
	if err != nil && d.err == nil {
		d.err = fmt.Errorf("seeding %s: %w", what, err)
	}
}

// SeedDemo fills a moto account with a small but realistic account across two
// regions: a custom VPC with a public and a private subnet, web and database
// instances with several security groups, attached and unattached volumes,
// buckets (encrypted, public, in both regions), IAM users, groups, roles with
// varied trust policies, a Lambda function behind a REST API, a Config rule.
func SeedDemo(ctx context.Context, endpoint, account string, regions [2]string) (*DemoFacts, error) {
	d := &demo{ctx: ctx, endpoint: endpoint, f: &DemoFacts{Account: account, Regions: regions[:]}}
	d.iam()
	d.network(regions[0])
	d.euRegion(regions[1])
	d.buckets(regions)
	d.lambdaAndAPI(regions[0], true)
	d.lambdaAndAPI(regions[1], false)
	d.config(regions[0])
	return d.f, d.err
}

func ec2Tags(rt ec2types.ResourceType, kv ...string) []ec2types.TagSpecification {
	var t []ec2types.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		t = append(t, ec2types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return []ec2types.TagSpecification{{ResourceType: rt, Tags: t}}
}

func (d *demo) network(region string) {
	if d.err != nil {
		return
	}
	c := ec2.NewFromConfig(d.cfg(region))
	vpc, pub, priv := d.subnets(c, region)
	if d.err != nil {
		return
	}
	d.groups(c, vpc)
	if d.err != nil {
		return
	}
	d.instances(c, region, pub, priv)
}

// subnets creates the demo VPC with a public subnet (public IPs on launch)
// and a private one.
func (d *demo) subnets(c *ec2.Client, region string) (vpc, pub, priv *string) {
	ctx := d.ctx
	v, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16"), TagSpecifications: ec2Tags(ec2types.ResourceTypeVpc, "Name", "demo-prod", "env", "prod")})
	d.check("vpc", err)
	if d.err != nil {
		return nil, nil, nil
	}
	d.f.CustomVPC = aws.ToString(v.Vpc.VpcId)
	ps, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: v.Vpc.VpcId, CidrBlock: aws.String("10.0.1.0/24"), AvailabilityZone: aws.String(region + "a"),
		TagSpecifications: ec2Tags(ec2types.ResourceTypeSubnet, "Name", "demo-public")})
	d.check("public subnet", err)
	qs, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: v.Vpc.VpcId, CidrBlock: aws.String("10.0.2.0/24"), AvailabilityZone: aws.String(region + "b"),
		TagSpecifications: ec2Tags(ec2types.ResourceTypeSubnet, "Name", "demo-private")})
	d.check("private subnet", err)
	if d.err != nil {
		return nil, nil, nil
	}
	d.f.PublicSubnet = aws.ToString(ps.Subnet.SubnetId)
	_, err = c.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: ps.Subnet.SubnetId, MapPublicIpOnLaunch: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}})
	d.check("subnet attribute", err)
	return v.Vpc.VpcId, ps.Subnet.SubnetId, qs.Subnet.SubnetId
}

// groups creates the web (80, 443 over both families, 8080 from a partner
// range), open-SSH and database (5432 from the web group and the public
// subnet) groups.
func (d *demo) groups(c *ec2.Client, vpc *string) {
	ctx := d.ctx
	group := func(name, desc string) string {
		out, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String(desc), VpcId: vpc})
		d.check("group "+name, err)
		if err != nil {
			return ""
		}
		return aws.ToString(out.GroupId)
	}
	d.f.WebGroup = group("demo-web", "web tier")
	d.f.SSHGroup = group("demo-ssh-open", "ssh from anywhere")
	d.f.DBGroup = group("demo-db", "database tier")
	if d.err != nil {
		return
	}
	tcp := func(port int32) ec2types.IpPermission {
		return ec2types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(port), ToPort: aws.Int32(port)}
	}
	web80 := tcp(80)
	web80.IpRanges = []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0"), Description: aws.String("http from anywhere")}}
	web443 := tcp(443)
	web443.IpRanges = []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}
	web443.Ipv6Ranges = []ec2types.Ipv6Range{{CidrIpv6: aws.String("::/0")}}
	web8080 := tcp(8080)
	web8080.IpRanges = []ec2types.IpRange{{CidrIp: aws.String("203.0.113.0/24"), Description: aws.String("partner office")}}
	_, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(d.f.WebGroup), IpPermissions: []ec2types.IpPermission{web80, web443, web8080}})
	d.check("web rules", err)
	ssh := tcp(22)
	ssh.IpRanges = []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}
	_, err = c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(d.f.SSHGroup), IpPermissions: []ec2types.IpPermission{ssh}})
	d.check("ssh rules", err)
	pg := tcp(5432)
	pg.UserIdGroupPairs = []ec2types.UserIdGroupPair{{GroupId: aws.String(d.f.WebGroup), UserId: aws.String(d.f.Account)}}
	pgSubnet := tcp(5432)
	pgSubnet.IpRanges = []ec2types.IpRange{{CidrIp: aws.String("10.0.1.0/24"), Description: aws.String("public subnet")}}
	_, err = c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(d.f.DBGroup), IpPermissions: []ec2types.IpPermission{pg, pgSubnet}})
	d.check("db rules", err)
}

// instances launches the web instance (public subnet, user data holding a
// secret that must never be collected) and the database instance with its
// encrypted data volume, and leaves one volume unattached.
func (d *demo) instances(c *ec2.Client, region string, pub, priv *string) {
	ctx := d.ctx
	web, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), InstanceType: ec2types.InstanceTypeT3Micro, MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		SubnetId: pub, SecurityGroupIds: []string{d.f.WebGroup, d.f.SSHGroup}, UserData: aws.String(base64.StdEncoding.EncodeToString([]byte("#!/bin/sh\nexport DB_PASSWORD=" + DemoUserDataSecret + "\n"))),
		TagSpecifications: ec2Tags(ec2types.ResourceTypeInstance, "Name", "demo-web-1", "team", "web")})
	d.check("web instance", err)
	db, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), InstanceType: ec2types.InstanceTypeT3Small, MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		SubnetId: priv, SecurityGroupIds: []string{d.f.DBGroup},
		TagSpecifications: ec2Tags(ec2types.ResourceTypeInstance, "Name", "demo-db-1")})
	d.check("db instance", err)
	if d.err != nil {
		return
	}
	d.f.WebInstance = aws.ToString(web.Instances[0].InstanceId)
	d.f.DBInstance = aws.ToString(db.Instances[0].InstanceId)
	d.edge(region, d.f.CustomVPC, d.f.PublicSubnet, aws.ToString(priv), d.f.WebInstance)
	data, err := c.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String(region + "b"), Size: aws.Int32(100), VolumeType: ec2types.VolumeTypeGp3, Encrypted: aws.Bool(true),
		TagSpecifications: ec2Tags(ec2types.ResourceTypeVolume, "Name", "demo-db-data")})
	d.check("data volume", err)
	free, err := c.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String(region + "a"), Size: aws.Int32(8)})
	d.check("free volume", err)
	if d.err != nil {
		return
	}
	d.f.DataVolume, d.f.FreeVolume = aws.ToString(data.VolumeId), aws.ToString(free.VolumeId)
	_, err = c.AttachVolume(ctx, &ec2.AttachVolumeInput{VolumeId: data.VolumeId, InstanceId: aws.String(d.f.DBInstance), Device: aws.String("/dev/sdf")})
	d.check("attach", err)
}

func (d *demo) euRegion(region string) {
	if d.err != nil {
		return
	}
	c := ec2.NewFromConfig(d.cfg(region))
	out, err := c.RunInstances(d.ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), InstanceType: ec2types.InstanceTypeT3Micro, MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		TagSpecifications: ec2Tags(ec2types.ResourceTypeInstance, "Name", "demo-eu-batch")})
	d.check("eu instance", err)
	if err == nil {
		d.f.EUInstance = aws.ToString(out.Instances[0].InstanceId)
	}
}

func (d *demo) buckets(regions [2]string) {
	if d.err != nil {
		return
	}
	mk := func(name, region string) *s3.Client {
		c := s3.NewFromConfig(d.cfg(region), func(o *s3.Options) { o.UsePathStyle = true })
		in := &s3.CreateBucketInput{Bucket: aws.String(name)}
		if region != "us-east-1" {
			in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
		}
		_, err := c.CreateBucket(d.ctx, in)
		d.check("bucket "+name, err)
		d.f.Buckets = append(d.f.Buckets, name)
		return c
	}
	logs := "demo-logs-" + d.f.Account
	c := mk(logs, regions[0])
	_, err := c.PutBucketEncryption(d.ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(logs), ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
		Rules: []s3types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAes256}}}}})
	d.check("encryption", err)
	_, err = c.PutBucketVersioning(d.ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(logs), VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
	d.check("versioning", err)
	public := "demo-public-" + d.f.Account
	c = mk(public, regions[0])
	_, err = c.PutBucketAcl(d.ctx, &s3.PutBucketAclInput{Bucket: aws.String(public), ACL: s3types.BucketCannedACLPublicRead})
	d.check("acl", err)
	eu := "demo-eu-" + d.f.Account
	c = mk(eu, regions[1])
	_, err = c.PutBucketEncryption(d.ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(eu), ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
		Rules: []s3types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String("alias/demo")}}}}})
	d.check("kms encryption", err)
	_, err = c.PutBucketTagging(d.ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(eu), Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("owner"), Value: aws.String("data-team")}}}})
	d.check("bucket tags", err)
}

func (d *demo) iam() {
	if d.err != nil {
		return
	}
	c := iam.NewFromConfig(d.cfg("us-east-1"))
	ctx, acct := d.ctx, d.f.Account
	doc := func(s string) *string { return aws.String(`{"Version":"2012-10-17","Statement":[` + s + `]}`) }
	for _, g := range []string{"admins", "deployers"} {
		_, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(g)})
		d.check("group", err)
	}
	for _, u := range []struct{ name, group string }{{"alice@example.com", "admins"}, {"build-bot", "deployers"}, {"bob", "deployers"}} {
		_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u.name)})
		d.check("user", err)
		_, err = c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: aws.String(u.name), GroupName: aws.String(u.group)})
		d.check("membership", err)
	}
	_, err := c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("admins"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
	d.check("admin policy", err)
	deploy, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("demo-deploy"), PolicyDocument: doc(
		`{"Effect":"Allow","Action":["sts:AssumeRole"],"Resource":"arn:aws:iam::` + acct + `:role/demo-deployer"},{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::demo-logs-` + acct + `/*"}`)})
	d.check("deploy policy", err)
	if err == nil {
		_, err = c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("deployers"), PolicyArn: deploy.Policy.Arn})
		d.check("attach deploy", err)
	}
	_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("deny-deployer"), PolicyDocument: doc(
		`{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"arn:aws:iam::` + acct + `:role/demo-deployer"}`)})
	d.check("bob inline", err)
	roles := []struct{ name, trust string }{
		{"demo-lambda-exec", `{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}`},
		{"demo-admin", `{"Sid":"AliceOnly","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/alice@example.com"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`},
		{"demo-deployer", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}`},
		{"demo-vendor", `{"Effect":"Allow","Principal":{"AWS":"999999999999"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"vendor-id"}}}`},
		{"demo-ci", `{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::` + acct + `:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:example/app:*"}}}`},
	}
	for _, r := range roles {
		_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(r.name), AssumeRolePolicyDocument: doc(r.trust)})
		d.check("role "+r.name, err)
	}
	_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("demo-admin"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
	d.check("attach admin", err)
	_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("demo-vendor"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	d.check("attach readonly", err)
	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("demo-lambda-exec"), PolicyName: aws.String("logs"), PolicyDocument: doc(
		`{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}`)})
	d.check("lambda inline", err)
}

func zipped() []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, _ := w.Create("index.py")
	f.Write([]byte("def handler(event, context):\n    return {'statusCode': 200}\n"))
	w.Close()
	return buf.Bytes()
}

func (d *demo) lambdaAndAPI(region string, withAPI bool) {
	if d.err != nil {
		return
	}
	lc := lambda.NewFromConfig(d.cfg(region))
	name := "demo-api-handler"
	if !withAPI {
		name = "demo-eu-worker"
	}
	fn, err := lc.CreateFunction(d.ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(name), Runtime: lambdatypes.RuntimePython312, Handler: aws.String("index.handler"),
		Role: aws.String("arn:aws:iam::" + d.f.Account + ":role/demo-lambda-exec"), Code: &lambdatypes.FunctionCode{ZipFile: zipped()},
		Environment: &lambdatypes.Environment{Variables: map[string]string{"API_TOKEN": DemoEnvSecret, "STAGE": "prod"}}})
	d.check("function "+name, err)
	if err != nil || !withAPI {
		return
	}
	d.f.Function = aws.ToString(fn.FunctionArn)
	ag := apigateway.NewFromConfig(d.cfg(region))
	api, err := ag.CreateRestApi(d.ctx, &apigateway.CreateRestApiInput{Name: aws.String("demo-api")})
	d.check("rest api", err)
	if err != nil {
		return
	}
	d.f.RestAPI = aws.ToString(api.Id)
	res, err := ag.CreateResource(d.ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("items")})
	d.check("resource", err)
	if err != nil {
		return
	}
	_, err = ag.PutMethod(d.ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})
	d.check("method", err)
	uri := "arn:aws:apigateway:" + region + ":lambda:path/2015-03-31/functions/" + d.f.Function + "/invocations"
	_, err = ag.PutIntegration(d.ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"),
		Type: "AWS_PROXY", IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(uri)})
	d.check("integration", err)
}

func (d *demo) config(region string) {
	if d.err != nil {
		return
	}
	c := configservice.NewFromConfig(d.cfg(region))
	_, err := c.PutConfigRule(d.ctx, &configservice.PutConfigRuleInput{ConfigRule: &cstypes.ConfigRule{
		ConfigRuleName: aws.String("demo-s3-versioning"),
		Source:         &cstypes.Source{Owner: cstypes.OwnerAws, SourceIdentifier: aws.String("S3_BUCKET_VERSIONING_ENABLED")},
		Scope:          &cstypes.Scope{ComplianceResourceTypes: []string{"AWS::S3::Bucket"}},
	}})
	d.check("config rule", err)
}
