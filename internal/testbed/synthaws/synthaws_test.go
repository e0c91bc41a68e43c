package synthaws_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/collector"
	"github.com/awsgraph/awsgraph/internal/instance"
	"github.com/awsgraph/awsgraph/internal/testbed"
	"github.com/awsgraph/awsgraph/internal/testbed/synthaws"
)

func small() synthaws.Sizes {
	s := synthaws.ForObjects(2000)
	s.Instances, s.DetachedVolumes, s.VolumesPerInstance = 60, 3, 2
	s.VPCs, s.Groups = 2, 6
	s.Users, s.Roles, s.IAMGroups, s.Policies, s.Buckets = 40, 40, 4, 30, 11
	return s
}

func start(t *testing.T, s synthaws.Sizes) (*synthaws.Server, string) {
	t.Helper()
	srv := synthaws.New(s)
	url, ln, err := srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return srv, url
}

// TestSyntheticCollectMatchesGenerator collects a small synthetic account
// (wire-level fake: synthaws) through collector.Run into SQLite: no step may
// fail or go partial, and the counts are what the generator generated.
func TestSyntheticCollectMatchesGenerator(t *testing.T) {
	sizes := small()
	sizes.PageSize = 7 // many pages of every list
	srv, url := start(t, sizes)
	dir := t.TempDir()
	out, err := collector.Run(context.Background(), collector.Options{
		Config:    instance.Config{RoleArn: testbed.RoleArn(sizes.AccountID), ExternalID: testbed.ExternalID, Regions: sizes.Regions},
		OutputDir: filepath.Join(dir, "out"), DBPath: filepath.Join(dir, "g.db"),
		AWS: awsclient.Options{EndpointURL: url, Region: "us-east-1", BaseCredentials: credentials.NewStaticCredentialsProvider("k", "s", "")},
	})
	if err != nil {
		t.Fatal(err)
	}
	s := out.Summary
	for _, r := range s.IntegrationStepResults {
		if r.Status != "success" {
			t.Errorf("step %s: %s", r.ID, r.Status)
		}
	}
	if len(s.Metadata.PartialDatasets.Types) > 0 {
		t.Errorf("partial types: %v", s.Metadata.PartialDatasets.Types)
	}
	if u := srv.Unknown(); len(u) > 0 {
		t.Errorf("calls without an answer: %v", u)
	}
	truth := sizes.Truth()
	for typ, want := range map[string]int{
		"aws_ec2_instance": truth.Instances, "aws_ec2_volume": truth.Volumes, "aws_ec2_security_group": truth.SecurityGroups,
		"aws_ec2_vpc": truth.VPCs, "aws_ec2_subnet": truth.Subnets, "aws_iam_user": truth.Users, "aws_iam_role": truth.Roles,
		"aws_iam_group": truth.IAMGroups, "aws_ec2_internet_gateway": truth.InternetGateways, "aws_ec2_route_table": truth.RouteTables,
		"aws_ec2_network_acl": truth.NetworkACLs, "aws_s3_bucket": truth.Buckets,
	} {
		if got := s.EntityCounts[typ]; got != want {
			t.Errorf("%s: %d entities, generated %d", typ, got, want)
		}
	}
	for typ, want := range map[string]int{
		"aws_ec2_instance_uses_volume": truth.VolumeUses, "aws_ec2_security_group_protects_instance": truth.Protects,
		"aws_ec2_subnet_has_instance": truth.SubnetHas,
	} {
		if got := s.RelationshipCounts[typ]; got != want {
			t.Errorf("%s: %d relationships, generated %d", typ, got, want)
		}
	}
	if t.Failed() {
		t.Logf("entities %v\nrelationships %v", s.EntityCounts, s.RelationshipCounts)
	}
}

// TestSyntheticPagination: with a page size below the count, the SDK
// paginators read every item exactly once (wire-level fake: synthaws).
func TestSyntheticPagination(t *testing.T) {
	sizes := small()
	sizes.PageSize = 9
	_, url := start(t, sizes)
	ctx := context.Background()
	cfg := aws.Config{Region: "eu-west-1", BaseEndpoint: aws.String(url), Credentials: credentials.NewStaticCredentialsProvider("k", "s", "")}
	seen := map[string]int{}
	pages := 0
	p := ec2.NewDescribeInstancesPaginator(ec2.NewFromConfig(cfg), &ec2.DescribeInstancesInput{MaxResults: aws.Int32(1000)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range out.Reservations {
			for _, in := range r.Instances {
				seen[aws.ToString(in.InstanceId)]++
			}
		}
	}
	if len(seen) != sizes.Instances || pages != (sizes.Instances+8)/9 {
		t.Errorf("instances: %d distinct in %d pages, want %d in %d", len(seen), pages, sizes.Instances, (sizes.Instances+8)/9)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s read %d times", id, n)
		}
	}
	names := map[string]int{}
	gp := iam.NewGetAccountAuthorizationDetailsPaginator(iam.NewFromConfig(cfg), &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(1000)})
	for gp.HasMorePages() {
		out, err := gp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range out.UserDetailList {
			names["user/"+aws.ToString(u.UserName)]++
		}
		for _, g := range out.GroupDetailList {
			names["group/"+aws.ToString(g.GroupName)]++
		}
		for _, r := range out.RoleDetailList {
			names["role/"+aws.ToString(r.RoleName)]++
		}
		for _, p := range out.Policies {
			names["policy/"+aws.ToString(p.PolicyName)]++
		}
	}
	want := sizes.Users + sizes.IAMGroups + sizes.Roles + sizes.Policies
	if len(names) != want {
		t.Errorf("GAAD: %d distinct items, want %d", len(names), want)
	}
	for n, c := range names {
		if c != 1 {
			t.Errorf("GAAD %s read %d times", n, c)
		}
	}
}

// describe answers one EC2 query call from srv, as the wire sees it.
func describe(srv *synthaws.Server, action string) string {
	req := httptest.NewRequest("POST", "/", strings.NewReader("Action="+action+"&Version=2016-11-15&MaxResults=1000"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=k/20240101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec.Body.String()
}

// TestSyntheticDeterministic: the same seed gives the same bytes; another
// seed other attributes but the same items (wire-level fake: synthaws).
func TestSyntheticDeterministic(t *testing.T) {
	a, b := small(), small()
	other := small()
	other.Seed = 99
	for _, action := range []string{"DescribeInstances", "DescribeVolumes", "DescribeSecurityGroups"} {
		x, y, z := describe(synthaws.New(a), action), describe(synthaws.New(b), action), describe(synthaws.New(other), action)
		if x != y {
			t.Errorf("%s: two answers for one seed", action)
		}
		if x == z {
			t.Errorf("%s: the seed changes nothing", action)
		}
		if strings.Count(x, "<item>") != strings.Count(z, "<item>") {
			t.Errorf("%s: the seed changed the items: %d vs %d", action, strings.Count(x, "<item>"), strings.Count(z, "<item>"))
		}
	}
}
