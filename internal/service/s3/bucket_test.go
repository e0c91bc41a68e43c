package s3

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/iamactions"
)

func TestNormalizeRegion(t *testing.T) {
	cases := []struct {
		partition, constraint, want string
	}{
		{"aws", "", "us-east-1"},
		{"aws", "null", "us-east-1"},
		{"aws", "EU", "eu-west-1"},
		{"aws", "eu-west-1", "eu-west-1"},
		{"aws", "ap-southeast-2", "ap-southeast-2"},
		{"aws", "us-west-2", "us-west-2"},
		{"aws-us-gov", "", "us-gov-west-1"},
		{"aws-cn", "", "cn-north-1"},
		{"aws-cn", "cn-northwest-1", "cn-northwest-1"},
	}
	for _, c := range cases {
		if got := NormalizeRegion(c.partition, c.constraint); got != c.want {
			t.Errorf("NormalizeRegion(%q, %q) = %q, want %q", c.partition, c.constraint, got, c.want)
		}
	}
}

var (
	yes = aws.Bool(true)
	no  = aws.Bool(false)
)

func grant(uri string) types.Grant {
	return types.Grant{Grantee: &types.Grantee{Type: types.TypeGroup, URI: aws.String(uri)}, Permission: types.PermissionRead}
}

var ownerGrant = types.Grant{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String("abc123")}, Permission: types.PermissionFullControl}

const (
	publicPolicy  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`
	privatePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`
)

func pabAll(v bool) PublicAccessBlock {
	return PublicAccessBlock{aws.Bool(v), aws.Bool(v), aws.Bool(v), aws.Bool(v)}
}

func TestDeterminePublic(t *testing.T) {
	unknownPAB := PublicAccessBlock{}
	cases := []struct {
		name string
		in   PublicInputs
		want Exposure
	}{
		{"nothing configured", PublicInputs{PublicAccessBlock: pabAll(false), PolicyKnown: true, ACLKnown: true, Grants: []types.Grant{ownerGrant}},
			Exposure{no, no, no}},
		{"public-read ACL", PublicInputs{PublicAccessBlock: pabAll(false), PolicyKnown: true, ACLKnown: true, Grants: []types.Grant{ownerGrant, grant(AllUsersURI)}},
			Exposure{no, yes, yes}},
		{"authenticated-read ACL", PublicInputs{PublicAccessBlock: pabAll(false), PolicyKnown: true, ACLKnown: true, Grants: []types.Grant{grant(AuthenticatedUsersURI)}},
			Exposure{no, yes, yes}},
		{"log-delivery group is not public", PublicInputs{PublicAccessBlock: pabAll(false), PolicyKnown: true, ACLKnown: true, Grants: []types.Grant{grant("http://acs.amazonaws.com/groups/s3/LogDelivery")}},
			Exposure{no, no, no}},
		{"public policy, no PolicyStatus verdict: analysed", PublicInputs{PublicAccessBlock: pabAll(false), PolicyKnown: true, Policy: aws.String(publicPolicy), ACLKnown: true},
			Exposure{yes, no, yes}},
		{"private policy", PublicInputs{PublicAccessBlock: pabAll(false), PolicyKnown: true, Policy: aws.String(privatePolicy), ACLKnown: true},
			Exposure{no, no, no}},
		{"PolicyStatus wins over analysis (public)", PublicInputs{PublicAccessBlock: pabAll(false), PolicyKnown: true, Policy: aws.String(privatePolicy), PolicyStatusPublic: yes, ACLKnown: true},
			Exposure{yes, no, yes}},
		{"PolicyStatus wins over analysis (not public)", PublicInputs{PublicAccessBlock: pabAll(false), PolicyKnown: true, Policy: aws.String(publicPolicy), PolicyStatusPublic: no, ACLKnown: true},
			Exposure{no, no, no}},
		{"all four PAB flags: public policy and ACL neutralised", PublicInputs{PublicAccessBlock: pabAll(true), PolicyKnown: true, Policy: aws.String(publicPolicy), ACLKnown: true, Grants: []types.Grant{grant(AllUsersURI)}},
			Exposure{yes, yes, no}},
		{"BlockPublicPolicy alone leaves an existing public policy in force", PublicInputs{PublicAccessBlock: PublicAccessBlock{no, no, yes, no}, PolicyKnown: true, Policy: aws.String(publicPolicy), ACLKnown: true},
			Exposure{yes, no, yes}},
		{"RestrictPublicBuckets neutralises the policy", PublicInputs{PublicAccessBlock: PublicAccessBlock{no, no, no, yes}, PolicyKnown: true, Policy: aws.String(publicPolicy), ACLKnown: true},
			Exposure{yes, no, no}},
		{"BlockPublicAcls alone leaves an existing public ACL in force", PublicInputs{PublicAccessBlock: PublicAccessBlock{yes, no, no, no}, PolicyKnown: true, ACLKnown: true, Grants: []types.Grant{grant(AllUsersURI)}},
			Exposure{no, yes, yes}},
		{"IgnorePublicAcls neutralises the ACL", PublicInputs{PublicAccessBlock: PublicAccessBlock{no, yes, no, no}, PolicyKnown: true, ACLKnown: true, Grants: []types.Grant{grant(AllUsersURI)}},
			Exposure{no, yes, no}},
		{"IgnorePublicAcls does not hide a public policy", PublicInputs{PublicAccessBlock: PublicAccessBlock{yes, yes, no, no}, PolicyKnown: true, Policy: aws.String(publicPolicy), ACLKnown: true, Grants: []types.Grant{grant(AllUsersURI)}},
			Exposure{yes, yes, yes}},
		{"ACL refused, no policy: unknown", PublicInputs{PublicAccessBlock: pabAll(false), PolicyKnown: true},
			Exposure{no, nil, nil}},
		{"ACL refused but IgnorePublicAcls and no policy: not public", PublicInputs{PublicAccessBlock: PublicAccessBlock{no, yes, no, no}, PolicyKnown: true},
			Exposure{no, nil, no}},
		{"policy refused but public ACL: public", PublicInputs{PublicAccessBlock: pabAll(false), ACLKnown: true, Grants: []types.Grant{grant(AllUsersURI)}},
			Exposure{nil, yes, yes}},
		{"policy refused, PolicyStatus readable", PublicInputs{PublicAccessBlock: pabAll(false), PolicyStatusPublic: no, ACLKnown: true},
			Exposure{no, no, no}},
		{"PAB refused, public ACL: unknown (IgnorePublicAcls might be on)", PublicInputs{PublicAccessBlock: unknownPAB, PolicyKnown: true, ACLKnown: true, Grants: []types.Grant{grant(AllUsersURI)}},
			Exposure{no, yes, nil}},
		{"PAB refused, nothing public: not public", PublicInputs{PublicAccessBlock: unknownPAB, PolicyKnown: true, ACLKnown: true, Grants: []types.Grant{ownerGrant}},
			Exposure{no, no, no}},
		{"everything refused", PublicInputs{},
			Exposure{nil, nil, nil}},
		{"unparseable policy without verdict: unknown", PublicInputs{PublicAccessBlock: pabAll(false), PolicyKnown: true, Policy: aws.String("{not json"), ACLKnown: true},
			Exposure{nil, no, nil}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := DeterminePublic(c.in)
			if s(got.ByPolicy) != s(c.want.ByPolicy) || s(got.ByACL) != s(c.want.ByACL) || s(got.Public) != s(c.want.Public) {
				t.Errorf("got byPolicy=%s byAcl=%s public=%s, want byPolicy=%s byAcl=%s public=%s",
					s(got.ByPolicy), s(got.ByACL), s(got.Public), s(c.want.ByPolicy), s(c.want.ByACL), s(c.want.Public))
			}
		})
	}
}

func s(b *bool) string {
	if b == nil {
		return "null"
	}
	if *b {
		return "true"
	}
	return "false"
}

func TestPolicyIsPublic(t *testing.T) {
	cases := []struct {
		name, policy string
		want         bool
	}{
		{"principal star", publicPolicy, true},
		{"AWS star", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"*"}]}`, true},
		{"AWS list with star", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root","*"]},"Action":"s3:*","Resource":"*"}]}`, true},
		{"single statement object", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}}`, true},
		{"NotPrincipal allow", `{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"*"}]}`, true},
		{"account principal", privatePolicy, false},
		{"service principal", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"*"}]}`, false},
		{"deny star", `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`, false},
		{"star limited by source VPC endpoint", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}}]}`, false},
		{"star limited by org id", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":["o-abc123"]}}}]}`, false},
		{"star limited by source IP", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}`, false},
		{"star with source IP 0.0.0.0/0", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}}]}`, true},
		{"star with only SecureTransport", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`, true},
		{"star with negated key", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}}]}`, true},
		{"star with wildcard value", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringLike":{"aws:PrincipalArn":"*"}}}]}`, true},
		{"star with IfExists", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1"}}}]}`, true},
		{"ForAnyValue limiting", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:PrincipalOrgPaths":["o-a/r-b/ou-c/"]}}}]}`, false},
		{"no statements", `{"Version":"2012-10-17"}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := PolicyIsPublic(c.policy)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("PolicyIsPublic = %v, want %v", got, c.want)
			}
		})
	}
	if _, err := PolicyIsPublic("{oops"); err == nil {
		t.Error("malformed policy: want an error")
	}
}

func TestPublicAccessBlockOf(t *testing.T) {
	if got := PublicAccessBlockOf(false, nil); !reflect.DeepEqual(got, PublicAccessBlock{}) {
		t.Errorf("unknown: %+v", got)
	}
	if got := PublicAccessBlockOf(true, nil); !reflect.DeepEqual(got, pabAll(false)) {
		t.Errorf("absent: %+v", got)
	}
	got := PublicAccessBlockOf(true, &types.PublicAccessBlockConfiguration{BlockPublicAcls: yes, RestrictPublicBuckets: yes})
	if want := (PublicAccessBlock{yes, no, no, yes}); !reflect.DeepEqual(got, want) {
		t.Errorf("partial config: %+v", got)
	}
}

func TestConsoleURL(t *testing.T) {
	cases := []struct{ partition, name, region, want string }{
		{"aws", "my-bucket", "eu-west-1", "https://s3.console.aws.amazon.com/s3/buckets/my-bucket?region=eu-west-1"},
		{"aws", "my-bucket", "", "https://s3.console.aws.amazon.com/s3/buckets/my-bucket"},
		{"aws-us-gov", "b1", "us-gov-west-1", "https://console.amazonaws-us-gov.com/s3/buckets/b1?region=us-gov-west-1"},
		{"aws-cn", "b1", "cn-north-1", "https://console.amazonaws.cn/s3/buckets/b1?region=cn-north-1"},
	}
	for _, c := range cases {
		if got := ConsoleURL(c.partition, c.name, c.region); got != c.want {
			t.Errorf("ConsoleURL(%q,%q,%q) = %q, want %q", c.partition, c.name, c.region, got, c.want)
		}
	}
}

func TestNewBucketEntity(t *testing.T) {
	created := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	full := &BucketDetails{
		Name: "data-lake", CreationDate: &created, Region: "eu-west-1",
		TagsKnown: true, Tags: map[string]string{"Name": "Data Lake", "Classification": "Confidential", "team": "sec"},
		EncryptionKnown: true, Encryption: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String("arn:aws:kms:eu-west-1:111122223333:key/k1")},
			BucketKeyEnabled:                   yes,
		}}},
		VersioningKnown: true, Versioning: &s3.GetBucketVersioningOutput{Status: types.BucketVersioningStatusEnabled, MFADelete: types.MFADeleteStatusEnabled},
		PublicAccessBlockKnown: true,
		PolicyKnown:            true, Policy: aws.String(publicPolicy),
		ACLKnown: true, Grants: []types.Grant{ownerGrant},
	}
	want := graph.Entity{
		"_key": "arn:aws:s3:::data-lake", "_type": "aws_s3_bucket", "_class": []string{"DataStore"},
		"name": "data-lake", "displayName": "Data Lake", "arn": "arn:aws:s3:::data-lake", "bucketName": "data-lake",
		"accountId": "111122223333", "region": "eu-west-1", "createdOn": created.UnixMilli(),
		"webLink":  "https://s3.console.aws.amazon.com/s3/buckets/data-lake?region=eu-west-1",
		"tag.Name": "Data Lake", "tag.Classification": "Confidential", "tag.team": "sec",
		"classification": "Confidential",
		"encrypted":      true, "encryptionAlgorithm": "aws:kms", "encryptionKeyRef": "arn:aws:kms:eu-west-1:111122223333:key/k1", "bucketKeyEnabled": true,
		"versioningEnabled": true, "versioningStatus": "Enabled", "mfaDelete": true,
		"publicAccessBlockBlockPublicAcls": false, "publicAccessBlockIgnorePublicAcls": false,
		"publicAccessBlockBlockPublicPolicy": false, "publicAccessBlockRestrictPublicBuckets": false,
		"hasPolicy": true, "policy": publicPolicy,
		"publicByPolicy": true, "publicByAcl": false, "public": true,
	}
	got := NewBucketEntity("aws", "111122223333", full)
	if !reflect.DeepEqual(map[string]any(got), map[string]any(want)) {
		t.Errorf("full bucket:\n got %v\nwant %v", got, want)
	}
	if err := graph.Validate(got); err != nil {
		t.Error(err)
	}

	// Nothing configured: definite false values, not nulls.
	bare := NewBucketEntity("aws", "111122223333", &BucketDetails{
		Name: "bare", Region: "us-east-1", TagsKnown: true, EncryptionKnown: true, VersioningKnown: true,
		Versioning: &s3.GetBucketVersioningOutput{}, PublicAccessBlockKnown: true, PolicyKnown: true, ACLKnown: true,
	})
	for prop, v := range map[string]any{
		"encrypted":         false,
		"versioningEnabled": false, "versioningStatus": "Disabled", "mfaDelete": false, "classification": nil,
		"hasPolicy": false, "public": false, "publicByPolicy": false, "publicByAcl": false,
		"publicAccessBlockIgnorePublicAcls": false, "displayName": "bare",
	} {
		if got, ok := bare[prop]; !ok || got != v {
			t.Errorf("bare bucket %s = %v (present %v), want %v", prop, got, ok, v)
		}
	}
	// No value: omitted, not null (docs/contract.md §2; classification is
	// null above because DataStore requires it).
	for _, prop := range []string{"encryptionAlgorithm", "encryptionKeyRef", "bucketKeyEnabled", "policy"} {
		if got, ok := bare[prop]; ok {
			t.Errorf("bare bucket %s = %v, want it omitted", prop, got)
		}
	}
	if _, ok := bare["createdOn"]; ok {
		t.Error("createdOn set without a creation date")
	}

	// Every detail call refused: the bucket is still there; what DataStore
	// requires (encrypted, classification) is null, the other configuration
	// properties are omitted (docs/contract.md §2), public unknown.
	unknown := NewBucketEntity("aws", "111122223333", &BucketDetails{Name: "denied"})
	if err := graph.Validate(unknown); err != nil {
		t.Error(err)
	}
	for _, prop := range []string{"encrypted", "classification"} {
		if v, ok := unknown[prop]; !ok || v != nil {
			t.Errorf("denied bucket %s = %v (present %v), want null", prop, v, ok)
		}
	}
	for _, prop := range []string{"region", "encryptionAlgorithm", "versioningEnabled", "versioningStatus", "mfaDelete",
		"publicAccessBlockBlockPublicAcls", "publicAccessBlockRestrictPublicBuckets", "hasPolicy", "policy",
		"publicByPolicy", "publicByAcl", "public"} {
		if v, ok := unknown[prop]; ok {
			t.Errorf("denied bucket %s = %v, want it omitted (unknown)", prop, v)
		}
	}
	if unknown["webLink"] != "https://s3.console.aws.amazon.com/s3/buckets/denied" {
		t.Errorf("webLink without region: %v", unknown["webLink"])
	}
}

func TestGrantsArePublic(t *testing.T) {
	cases := []struct {
		name   string
		grants []types.Grant
		want   bool
	}{
		{"none", nil, false},
		{"owner only", []types.Grant{ownerGrant}, false},
		{"AllUsers", []types.Grant{ownerGrant, grant(AllUsersURI)}, true},
		{"AuthenticatedUsers", []types.Grant{grant(AuthenticatedUsersURI)}, true},
		{"AllUsers over https", []types.Grant{grant("https://acs.amazonaws.com/groups/global/AllUsers")}, true},
		{"LogDelivery", []types.Grant{grant("http://acs.amazonaws.com/groups/s3/LogDelivery")}, false},
		{"nil grantee", []types.Grant{{Permission: types.PermissionRead}}, false},
	}
	for _, c := range cases {
		if got := GrantsArePublic(c.grants); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

// The declared permissions are real IAM actions, and cover every operation
// the step's client interface has.
func TestBucketStepPermissions(t *testing.T) {
	st := BucketStep(&awsclient.Session{Partition: "aws", AccountID: "111122223333"})
	for _, p := range st.Permissions {
		if c, ok := iamactions.Canonical(p); !ok || c != p {
			t.Errorf("permission %q is not an IAM action as spelled (canonical %q, %v)", p, c, ok)
		}
	}
	ifc := reflect.TypeOf((*BucketAPI)(nil)).Elem()
	if ifc.NumMethod() != len(st.Permissions) {
		t.Errorf("%d operations but %d permissions", ifc.NumMethod(), len(st.Permissions))
	}
	for _, forbidden := range []string{"GetObject", "ListObjects", "ListObjectsV2", "ListObjectVersions"} {
		if _, ok := ifc.MethodByName(forbidden); ok {
			t.Errorf("the client interface must not read objects (%s)", forbidden)
		}
	}
}

// stubAPI answers each detail call with a canned error (by operation) or a
// minimal success, and records the calls: it checks the call plan of
// FetchBucketDetails, which moto cannot vary per bucket.
type stubAPI struct {
	errs   map[string]error
	policy *string
	calls  []string
}

func apiErr(code string) error { return &smithy.GenericAPIError{Code: code} }

func (s *stubAPI) call(op string) error { s.calls = append(s.calls, op); return s.errs[op] }

func (s *stubAPI) ListBuckets(context.Context, *s3.ListBucketsInput, ...func(*s3.Options)) (*s3.ListBucketsOutput, error) {
	return &s3.ListBucketsOutput{}, s.call("ListBuckets")
}
func (s *stubAPI) GetBucketLocation(context.Context, *s3.GetBucketLocationInput, ...func(*s3.Options)) (*s3.GetBucketLocationOutput, error) {
	return &s3.GetBucketLocationOutput{LocationConstraint: "EU"}, s.call("GetBucketLocation")
}
func (s *stubAPI) GetBucketTagging(context.Context, *s3.GetBucketTaggingInput, ...func(*s3.Options)) (*s3.GetBucketTaggingOutput, error) {
	return &s3.GetBucketTaggingOutput{}, s.call("GetBucketTagging")
}
func (s *stubAPI) GetBucketEncryption(context.Context, *s3.GetBucketEncryptionInput, ...func(*s3.Options)) (*s3.GetBucketEncryptionOutput, error) {
	return &s3.GetBucketEncryptionOutput{}, s.call("GetBucketEncryption")
}
func (s *stubAPI) GetBucketVersioning(context.Context, *s3.GetBucketVersioningInput, ...func(*s3.Options)) (*s3.GetBucketVersioningOutput, error) {
	return &s3.GetBucketVersioningOutput{}, s.call("GetBucketVersioning")
}
func (s *stubAPI) GetPublicAccessBlock(context.Context, *s3.GetPublicAccessBlockInput, ...func(*s3.Options)) (*s3.GetPublicAccessBlockOutput, error) {
	return &s3.GetPublicAccessBlockOutput{}, s.call("GetPublicAccessBlock")
}
func (s *stubAPI) GetBucketPolicy(context.Context, *s3.GetBucketPolicyInput, ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error) {
	return &s3.GetBucketPolicyOutput{Policy: s.policy}, s.call("GetBucketPolicy")
}
func (s *stubAPI) GetBucketPolicyStatus(context.Context, *s3.GetBucketPolicyStatusInput, ...func(*s3.Options)) (*s3.GetBucketPolicyStatusOutput, error) {
	return &s3.GetBucketPolicyStatusOutput{PolicyStatus: &types.PolicyStatus{IsPublic: aws.Bool(true)}}, s.call("GetBucketPolicyStatus")
}
func (s *stubAPI) GetBucketAcl(context.Context, *s3.GetBucketAclInput, ...func(*s3.Options)) (*s3.GetBucketAclOutput, error) {
	return &s3.GetBucketAclOutput{}, s.call("GetBucketAcl")
}

func TestFetchBucketDetailsCallPlan(t *testing.T) {
	all := []string{"GetBucketTagging", "GetBucketEncryption", "GetBucketVersioning", "GetPublicAccessBlock", "GetBucketPolicy"}
	cases := []struct {
		name       string
		region     string // BucketRegion from ListBuckets
		policy     *string
		errs       map[string]error
		wantCalls  []string
		wantRegion string
		wantGone   bool
		wantErrs   int
		check      func(t *testing.T, d *BucketDetails)
	}{
		{name: "no BucketRegion: location first; no policy: no PolicyStatus",
			errs:      map[string]error{"GetBucketPolicy": apiErr("NoSuchBucketPolicy")},
			wantCalls: append(append([]string{"GetBucketLocation"}, all...), "GetBucketAcl"), wantRegion: "eu-west-1"},
		{name: "BucketRegion given: no GetBucketLocation", region: "ap-southeast-2",
			errs:      map[string]error{"GetBucketPolicy": apiErr("NoSuchBucketPolicy")},
			wantCalls: append(append([]string{}, all...), "GetBucketAcl"), wantRegion: "ap-southeast-2"},
		{name: "policy present: PolicyStatus asked", region: "us-east-1", policy: aws.String(privatePolicy),
			wantCalls: append(append([]string{}, all...), "GetBucketPolicyStatus", "GetBucketAcl"), wantRegion: "us-east-1",
			check: func(t *testing.T, d *BucketDetails) {
				if !d.PolicyKnown || d.PolicyStatusPublic == nil || !*d.PolicyStatusPublic {
					t.Errorf("policy status not kept: %+v", d)
				}
			}},
		{name: "policy refused: PolicyStatus still asked, rest goes on", region: "us-east-1",
			errs:      map[string]error{"GetBucketPolicy": apiErr("AccessDenied")},
			wantCalls: append(append([]string{}, all...), "GetBucketPolicyStatus", "GetBucketAcl"), wantRegion: "us-east-1", wantErrs: 1,
			check: func(t *testing.T, d *BucketDetails) {
				if d.PolicyKnown || !d.ACLKnown || !d.EncryptionKnown {
					t.Errorf("known flags wrong: %+v", d)
				}
			}},
		{name: "location refused: region unknown, details still read", errs: map[string]error{"GetBucketLocation": apiErr("AccessDenied"), "GetBucketPolicy": apiErr("NoSuchBucketPolicy")},
			wantCalls: append(append([]string{"GetBucketLocation"}, all...), "GetBucketAcl"), wantRegion: "", wantErrs: 1},
		{name: "absent configurations are values", region: "us-east-1",
			errs: map[string]error{"GetBucketTagging": apiErr("NoSuchTagSet"), "GetBucketEncryption": apiErr("ServerSideEncryptionConfigurationNotFoundError"),
				"GetPublicAccessBlock": apiErr("NoSuchPublicAccessBlockConfiguration"), "GetBucketPolicy": apiErr("NoSuchBucketPolicy")},
			wantCalls: append(append([]string{}, all...), "GetBucketAcl"), wantRegion: "us-east-1",
			check: func(t *testing.T, d *BucketDetails) {
				if !d.TagsKnown || !d.EncryptionKnown || d.Encryption != nil || !d.PublicAccessBlockKnown || !d.PolicyKnown || d.Policy != nil {
					t.Errorf("absent config not known-empty: %+v", d)
				}
			}},
		{name: "bucket deleted after listing: gone, no more calls", region: "us-east-1",
			errs:      map[string]error{"GetBucketEncryption": apiErr("NoSuchBucket")},
			wantCalls: []string{"GetBucketTagging", "GetBucketEncryption"}, wantRegion: "us-east-1", wantGone: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stub := &stubAPI{errs: c.errs, policy: c.policy}
			var regions []string
			var errs []error
			d := FetchBucketDetails(context.Background(), types.Bucket{Name: aws.String("b1"), BucketRegion: aws.String(c.region)}, "aws",
				func(region string) BucketAPI { regions = append(regions, region); return stub },
				func(err error) { errs = append(errs, err) })
			if !slices.Equal(stub.calls, c.wantCalls) {
				t.Errorf("calls %v, want %v", stub.calls, c.wantCalls)
			}
			if d.Region != c.wantRegion || d.Gone != c.wantGone || len(errs) != c.wantErrs {
				t.Errorf("region %q gone %v errs %v", d.Region, d.Gone, errs)
			}
			// The detail client is the bucket's region's.
			if last := regions[len(regions)-1]; last != c.wantRegion {
				t.Errorf("detail calls addressed to region %q, want %q", last, c.wantRegion)
			}
			if c.check != nil {
				c.check(t, d)
			}
		})
	}
}

func TestDetailErrorsAggregate(t *testing.T) {
	var d detailErrors
	denied := func(op string) error {
		return &smithy.OperationError{ServiceID: "S3", OperationName: op, Err: apiErr("AccessDenied")}
	}
	for range 5 {
		d.add(denied("GetBucketEncryption"))
	}
	d.add(denied("GetBucketAcl"))
	f := d.failures()
	if len(f) != 2 || f[0].key != "s3:GetBucketAcl/AccessDenied" || f[0].buckets != 1 ||
		f[1].key != "s3:GetEncryptionConfiguration/AccessDenied" || f[1].buckets != 5 {
		for _, x := range f {
			t.Logf("%s %d", x.key, x.buckets)
		}
		t.Error("want one failure per permission with bucket counts")
	}
}
