// Package scale seeds a moto account at the sizes of the performance issue
// (issue 15): scale 1 is, in each of two regions, 1,000 instances, 400 extra
// volumes, 200 security groups, 20 VPCs, 100 Lambda functions, 20 REST APIs
// and 20 Config rules, plus 1,000 users, 1,000 roles, 300 customer managed
// policies and 200 buckets. Benchmarks only (tools/floorbench).
package scale

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"sync"

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

	"github.com/awsgraph/awsgraph/internal/testbed"
)

// Sizes is what one region (Regional) and the account (global) hold.
type Sizes struct {
	Instances, Volumes, Groups, VPCs, Functions, RestAPIs, Rules int // per region
	Users, Roles, Policies, Buckets                              int // account
}

// Of returns the sizes at scale n (1 is the x1).
func Of(n int) Sizes {
	return Sizes{Instances: 1000 * n, Volumes: 400 * n, Groups: 200 * n, VPCs: 20 * n, Functions: 100 * n,
		RestAPIs: 20 * n, Rules: 20 * n, Users: 1000 * n, Roles: 1000 * n, Policies: 300 * n, Buckets: 200 * n}
}

// Seed fills account in moto at endpoint. Seeding runs a few calls at once:
// it is setup, not what is measured.
func Seed(ctx context.Context, endpoint, account string, regions []string, sz Sizes) error {
	cfg, err := testbed.SeedConfigFor(endpoint, account, "us-east-1")
	if err != nil {
		return err
	}
	if err := seedIAM(ctx, cfg, account, sz); err != nil {
		return err
	}
	if err := seedBuckets(ctx, cfg, account, regions, sz.Buckets); err != nil {
		return err
	}
	for _, r := range regions {
		rc, err := testbed.SeedConfigFor(endpoint, account, r)
		if err != nil {
			return err
		}
		if err := seedEC2(ctx, rc, sz); err != nil {
			return fmt.Errorf("ec2 %s: %w", r, err)
		}
		if err := seedServerless(ctx, rc, account, r, sz); err != nil {
			return fmt.Errorf("lambda/apigateway/config %s: %w", r, err)
		}
	}
	return nil
}

// parallel runs fn(0..n-1) on a few workers and returns the first error.
func parallel(n, workers int, fn func(i int) error) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  = make(chan int)
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(i); err != nil {
					mu.Lock()
					first = cmpErr(first, err)
					mu.Unlock()
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

const trustDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// seedIAM creates principals one at a time: moto's IAM answers 500 now and
// then to concurrent writes.
func seedIAM(ctx context.Context, cfg aws.Config, account string, sz Sizes) error {
	c := iam.NewFromConfig(cfg)
	if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("scale-lambda-exec"), AssumeRolePolicyDocument: aws.String(trustDoc)}); err != nil {
		return err
	}
	err := parallel(sz.Users, 1, func(i int) error {
		_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("scale-user-%d", i))})
		return err
	})
	if err != nil {
		return err
	}
	err = parallel(sz.Roles, 1, func(i int) error {
		_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(fmt.Sprintf("scale-role-%d", i)), AssumeRolePolicyDocument: aws.String(trustDoc)})
		return err
	})
	if err != nil {
		return err
	}
	return parallel(sz.Policies, 1, func(i int) error {
		doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::scale-bucket-%d-%s/*"}]}`, i, account)
		_, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(fmt.Sprintf("scale-policy-%d", i)), PolicyDocument: aws.String(doc)})
		return err
	})
}

func seedBuckets(ctx context.Context, cfg aws.Config, account string, regions []string, n int) error {
	return parallel(n, 4, func(i int) error {
		region := regions[i%len(regions)]
		rc := cfg.Copy()
		rc.Region = region
		c := s3.NewFromConfig(rc, func(o *s3.Options) { o.UsePathStyle = true })
		in := &s3.CreateBucketInput{Bucket: aws.String(fmt.Sprintf("scale-bucket-%d-%s", i, account))}
		if region != "us-east-1" {
			in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
		}
		_, err := c.CreateBucket(ctx, in)
		return err
	})
}

func seedEC2(ctx context.Context, cfg aws.Config, sz Sizes) error {
	c := ec2.NewFromConfig(cfg)
	for i := range sz.VPCs {
		if _, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String(fmt.Sprintf("10.%d.0.0/16", i%250))}); err != nil {
			return err
		}
	}
	groups := make([]string, sz.Groups)
	err := parallel(sz.Groups, 4, func(g int) error {
		out, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(fmt.Sprintf("scale-%d", g)), Description: aws.String("scale")})
		if err != nil {
			return err
		}
		groups[g] = aws.ToString(out.GroupId)
		_, err = c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: out.GroupId, IpPermissions: []ec2types.IpPermission{
			{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(int32(1000 + g%60000)), ToPort: aws.Int32(int32(1000 + g%60000)), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}},
		}})
		return err
	})
	if err != nil || len(groups) == 0 {
		return err
	}
	err = parallel(sz.Instances/10, 4, func(i int) error {
		_, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), MinCount: aws.Int32(10), MaxCount: aws.Int32(10),
			SecurityGroupIds: []string{groups[i%len(groups)], groups[(i+1)%len(groups)]}})
		return err
	})
	if err != nil {
		return err
	}
	return parallel(sz.Volumes, 4, func(int) error {
		_, err := c.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String(cfg.Region + "a"), Size: aws.Int32(10)})
		return err
	})
}

func seedServerless(ctx context.Context, cfg aws.Config, account, region string, sz Sizes) error {
	lc := lambda.NewFromConfig(cfg)
	code := zipped()
	fnArns := make([]string, sz.Functions)
	err := parallel(sz.Functions, 4, func(i int) error {
		out, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(fmt.Sprintf("scale-fn-%d", i)),
			Runtime: lambdatypes.RuntimePython312, Handler: aws.String("index.handler"),
			Role: aws.String("arn:aws:iam::" + account + ":role/scale-lambda-exec"), Code: &lambdatypes.FunctionCode{ZipFile: code}})
		if err == nil {
			fnArns[i] = aws.ToString(out.FunctionArn)
		}
		return err
	})
	if err != nil {
		return err
	}
	ag := apigateway.NewFromConfig(cfg)
	err = parallel(sz.RestAPIs, 4, func(i int) error {
		api, err := ag.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String(fmt.Sprintf("scale-api-%d", i))})
		if err != nil {
			return err
		}
		res, err := ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("items")})
		if err != nil {
			return err
		}
		if _, err := ag.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")}); err != nil {
			return err
		}
		if len(fnArns) == 0 {
			return nil
		}
		uri := "arn:aws:apigateway:" + region + ":lambda:path/2015-03-31/functions/" + fnArns[i%len(fnArns)] + "/invocations"
		_, err = ag.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"),
			Type: "AWS_PROXY", IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(uri)})
		return err
	})
	if err != nil {
		return err
	}
	cc := configservice.NewFromConfig(cfg)
	return parallel(sz.Rules, 2, func(i int) error {
		_, err := cc.PutConfigRule(ctx, &configservice.PutConfigRuleInput{ConfigRule: &cstypes.ConfigRule{
			ConfigRuleName: aws.String(fmt.Sprintf("scale-rule-%d", i)),
			Source:         &cstypes.Source{Owner: cstypes.OwnerAws, SourceIdentifier: aws.String("S3_BUCKET_VERSIONING_ENABLED")},
			Scope:          &cstypes.Scope{ComplianceResourceTypes: []string{"AWS::S3::Bucket"}},
		}})
		return err
	})
}

func zipped() []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, _ := w.Create("index.py")
	_, _ = f.Write([]byte("def handler(event, context):\n    return {'statusCode': 200}\n"))
	_ = w.Close()
	return buf.Bytes()
}
