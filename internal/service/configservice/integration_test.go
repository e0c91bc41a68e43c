package configservice_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	cfg "github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/service/account"
	"github.com/awsgraph/awsgraph/internal/service/configservice"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

func TestMain(m *testing.M) { os.Exit(testbed.Main(m)) }

const east, west = "us-east-1", "us-west-2"

// describeError explains errors as the product does (permission, region).
func describeError(err error) engine.Failure {
	p, r, reason := awsclient.Describe(err)
	return engine.Failure{Permission: p, Region: r, Reason: reason, NotImplemented: awsclient.NotImplemented(err)}
}

func putRule(t *testing.T, c *cfg.Client, rule cfgtypes.ConfigRule) {
	t.Helper()
	if _, err := c.PutConfigRule(context.Background(), &cfg.PutConfigRuleInput{ConfigRule: &rule}); err != nil {
		t.Fatalf("PutConfigRule %s: %v", aws.ToString(rule.ConfigRuleName), err)
	}
}

func awsRule(name, identifier string, resourceTypes ...string) cfgtypes.ConfigRule {
	r := cfgtypes.ConfigRule{ConfigRuleName: aws.String(name), Source: &cfgtypes.Source{Owner: cfgtypes.OwnerAws, SourceIdentifier: aws.String(identifier)}}
	if len(resourceTypes) > 0 {
		r.Scope = &cfgtypes.Scope{ComplianceResourceTypes: resourceTypes}
	}
	return r
}

// seedRules puts 26 AWS-owned rules in us-east-1 (more than moto's page of
// 25, so DescribeConfigRules pages) and in us-west-2 one AWS-owned and one
// custom Lambda rule (moto needs the function to exist).
func seedRules(t *testing.T, srv *testbed.Moto, acct string) (eastNames, westNames []string, customFn string) {
	t.Helper()
	ctx := context.Background()
	ec := cfg.NewFromConfig(srv.SeedConfig(t, acct, east))
	for i := range 26 {
		name := fmt.Sprintf("s3-versioning-%02d", i)
		putRule(t, ec, awsRule(name, "S3_BUCKET_VERSIONING_ENABLED", "AWS::S3::Bucket"))
		eastNames = append(eastNames, name)
	}

	role, err := iam.NewFromConfig(srv.SeedConfig(t, acct, east)).CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String("config-fn"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	f, _ := zw.Create("index.py")
	f.Write([]byte("def handler(e, c):\n    return 1\n"))
	zw.Close()
	fn, err := awslambda.NewFromConfig(srv.SeedConfig(t, acct, west)).CreateFunction(ctx, &awslambda.CreateFunctionInput{
		FunctionName: aws.String("config-check"), Role: role.Role.Arn, Runtime: lambdatypes.RuntimePython312,
		Handler: aws.String("index.handler"), Code: &lambdatypes.FunctionCode{ZipFile: buf.Bytes()},
	})
	if err != nil {
		t.Fatal(err)
	}
	customFn = aws.ToString(fn.FunctionArn)
	wc := cfg.NewFromConfig(srv.SeedConfig(t, acct, west))
	putRule(t, wc, awsRule("ebs-encrypted", "ENCRYPTED_VOLUMES", "AWS::EC2::Volume"))
	putRule(t, wc, cfgtypes.ConfigRule{
		ConfigRuleName: aws.String("custom-check"), Description: aws.String("our own check"),
		InputParameters: aws.String(`{"maxAge":"90"}`),
		Source: &cfgtypes.Source{Owner: cfgtypes.OwnerCustomLambda, SourceIdentifier: aws.String(customFn),
			SourceDetails: []cfgtypes.SourceDetail{{EventSource: cfgtypes.EventSourceAwsConfig, MessageType: cfgtypes.MessageTypeConfigurationItemChangeNotification}}},
		Scope: &cfgtypes.Scope{ComplianceResourceTypes: []string{"AWS::IAM::User"}},
	})
	westNames = []string{"custom-check", "ebs-encrypted"}
	return eastNames, westNames, customFn
}

// apiRules lists the rules as the Config API reports them, per region.
func apiRules(t *testing.T, srv *testbed.Moto, acct, region string) []string {
	t.Helper()
	var names []string
	p := cfg.NewDescribeConfigRulesPaginator(cfg.NewFromConfig(srv.SeedConfig(t, acct, region)), &cfg.DescribeConfigRulesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.ConfigRules {
			names = append(names, aws.ToString(r.ConfigRuleName))
		}
	}
	sort.Strings(names)
	return names
}

func run(t *testing.T, sess *awsclient.Session) *engine.Result {
	t.Helper()
	sess.Regions = []string{east, west}
	res, err := engine.Run(context.Background(), engine.NewJob(), append(account.Steps(sess), configservice.Steps(sess)...), engine.Options{DescribeError: describeError})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func rulesByName(res *engine.Result) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, e := range res.Job.EntitiesOfType(configservice.RuleType) {
		out[e.String("name")] = e
	}
	return out
}

// Against moto as it is: DescribeComplianceByConfigRule answers 500
// NotImplemented, so the rules come without compliance: the type is not
// partial (every rule is known), but each region's compliance values are
// unknown (the previous run's are kept) and one warning per region says the
// endpoint does not implement the call.
func TestConfigRules(t *testing.T) {
	t.Parallel()
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	eastNames, westNames, customFn := seedRules(t, srv, acct)
	sess := srv.Session(t, acct)
	before := sess.Calls.Snapshot()
	res := run(t, sess)
	after := sess.Calls.Snapshot()

	for _, s := range res.Steps {
		want := engine.StatusSuccess
		if s.ID == configservice.StepID {
			want = engine.StatusPartial // compliance unknown
		}
		if s.Status != want {
			t.Errorf("step %s: %s %s, want %s", s.ID, s.Status, s.Error, want)
		}
	}
	if len(res.PartialTypes) != 0 {
		t.Errorf("partial types %v", res.PartialTypes)
	}
	unknownIn := map[string]bool{}
	for _, u := range res.Unknown {
		if u.Type != configservice.RuleType || u.Keys != nil || !reflect.DeepEqual(u.Properties, configservice.ComplianceProperties) {
			t.Errorf("unknown %+v, want the compliance properties of a region", u)
		}
		unknownIn[u.Region] = true
	}
	if len(res.Unknown) != 2 || !unknownIn[east] || !unknownIn[west] {
		t.Errorf("unknown %+v, want compliance unknown in %s and %s", res.Unknown, east, west)
	}
	// Exactly the rules the API reports.
	if got := apiRules(t, srv, acct, east); !reflect.DeepEqual(got, eastNames) {
		t.Fatalf("seeded %v, API reports %v", eastNames, got)
	}
	if got := apiRules(t, srv, acct, west); !reflect.DeepEqual(got, westNames) {
		t.Fatalf("seeded %v, API reports %v", westNames, got)
	}
	rules := rulesByName(res)
	if len(rules) != len(eastNames)+len(westNames) {
		t.Fatalf("%d rules collected, API reports %d", len(rules), len(eastNames)+len(westNames))
	}
	for name, e := range rules {
		if !reflect.DeepEqual(graph.Entity(e).Classes(), []string{"ControlPolicy"}) || e["category"] != "config" || e["accountId"] != acct || !strings.HasPrefix(e["_key"].(string), "arn:aws:config:") {
			t.Errorf("%s: %v", name, e)
		}
		// Unknown compliance is omitted (docs/contract.md §2), never null.
		for _, p := range configservice.ComplianceProperties {
			if v, present := e[p]; present {
				t.Errorf("%s %s %v present: moto has no compliance", name, p, v)
			}
		}
	}
	if n := len(res.Job.RelationshipsOfType("aws_account_has_config_rule")); n != len(rules) {
		t.Errorf("account HAS rule: %d", n)
	}
	c := rules["custom-check"]
	for k, v := range map[string]any{
		"owner": "CUSTOM_LAMBDA", "sourceIdentifier": customFn, "region": west, "description": "our own check",
		"inputParameters": `{"maxAge":"90"}`, "scopeResourceTypes": []string{"AWS::IAM::User"},
		"triggerTypes": []string{"ConfigurationItemChangeNotification"}, "state": "ACTIVE",
	} {
		if !reflect.DeepEqual(c[k], v) {
			t.Errorf("custom-check %s = %#v, want %#v", k, c[k], v)
		}
	}
	if a := rules["ebs-encrypted"]; a["owner"] != "AWS" || a["sourceIdentifier"] != "ENCRYPTED_VOLUMES" {
		t.Errorf("ebs-encrypted %v", a)
	}
	warned := 0
	for _, w := range res.Warnings {
		if w.Step == configservice.StepID && w.Kind == engine.KindNotImplemented && w.Permission == "config:DescribeComplianceByConfigRule" &&
			w.Message == "the endpoint does not implement config:DescribeComplianceByConfigRule (emulator?) in "+w.Region+
				"; Config rule compliance is unknown (kept from the last run)" {
			warned++
		}
	}
	if warned != 2 {
		t.Errorf("want one compliance warning per region, got %+v", res.Warnings)
	}

	// DescribeConfigRules once per page per region (26 rules: two pages in
	// us-east-1, one in us-west-2); compliance once per region (moto's 500
	// is retried by the SDK: at most MaxAttempts=2 per region).
	if n := after["config:DescribeConfigRules"] - before["config:DescribeConfigRules"]; n != 3 {
		t.Errorf("DescribeConfigRules calls %d, want 3", n)
	}
	if n := after["config:DescribeComplianceByConfigRule"] - before["config:DescribeComplianceByConfigRule"]; n < 2 || n > 4 {
		t.Errorf("DescribeComplianceByConfigRule calls %d, want 1 per region (2 attempts at most)", n)
	}
}

// complianceFake answers DescribeComplianceByConfigRule — which moto does not
// implement — at the wire: an SDK middleware at the transport end of the
// stack hands the SDK's own awsJson1_1 deserializer the HTTP response AWS
// would send, instead of sending the request to moto. Every other request
// goes to moto. (A middleware rather than a custom http.Client: the SDK
// refuses a non-buildable client when AWS_CA_BUNDLE is set.)
type complianceFake struct {
	mu       sync.Mutex
	calls    map[string]int // per region
	denied   bool
	filtered bool // a request carried ConfigRuleNames
}

func (f *complianceFake) install(stack *middleware.Stack) error {
	return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("complianceFake",
		func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
			if awsmiddleware.GetServiceID(ctx) != "Config Service" || awsmiddleware.GetOperationName(ctx) != "DescribeComplianceByConfigRule" {
				return next.HandleDeserialize(ctx, in)
			}
			req, ok := in.Request.(*smithyhttp.Request)
			if !ok {
				return middleware.DeserializeOutput{}, middleware.Metadata{}, fmt.Errorf("unexpected request %T", in.Request)
			}
			if req.Header.Get("X-Amz-Target") != "StarlingDoveService.DescribeComplianceByConfigRule" {
				return middleware.DeserializeOutput{}, middleware.Metadata{}, fmt.Errorf("unexpected target %q", req.Header.Get("X-Amz-Target"))
			}
			hreq := req.Build(ctx)
			var body []byte
			if hreq.Body != nil {
				body, _ = io.ReadAll(hreq.Body)
			}
			resp := f.answer(awsmiddleware.GetRegion(ctx), body)
			resp.Request = hreq
			return middleware.DeserializeOutput{RawResponse: &smithyhttp.Response{Response: resp}}, middleware.Metadata{}, nil
		}), middleware.After)
}

func (f *complianceFake) answer(region string, body []byte) *http.Response {
	var in struct {
		ConfigRuleNames []string
		NextToken       string
	}
	json.Unmarshal(body, &in)
	f.mu.Lock()
	f.calls[region]++
	if len(in.ConfigRuleNames) > 0 {
		f.filtered = true
	}
	f.mu.Unlock()
	respond := func(status int, v any) *http.Response {
		b, _ := json.Marshal(v)
		return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/x-amz-json-1.1"}},
			Body: io.NopCloser(bytes.NewReader(b)), ContentLength: int64(len(b))}
	}
	if f.denied {
		return respond(400, map[string]string{"__type": "AccessDeniedException", "message": "not authorized to perform: config:DescribeComplianceByConfigRule"})
	}
	type count struct {
		CappedCount int
		CapExceeded bool
	}
	type compliance struct {
		ComplianceType             string
		ComplianceContributorCount *count `json:",omitempty"`
	}
	type item struct {
		ConfigRuleName string
		Compliance     compliance
	}
	if region == west {
		return respond(200, map[string]any{"ComplianceByConfigRules": []item{
			{"custom-check", compliance{"NON_COMPLIANT", &count{CappedCount: 100, CapExceeded: true}}},
			// ebs-encrypted: no result yet, so absent from the answer.
		}})
	}
	// us-east-1 in two pages.
	if in.NextToken == "" {
		return respond(200, map[string]any{"NextToken": "page-2", "ComplianceByConfigRules": []item{
			{"s3-versioning-00", compliance{"COMPLIANT", nil}},
			{"s3-versioning-01", compliance{"NON_COMPLIANT", &count{CappedCount: 3}}},
		}})
	}
	if in.NextToken != "page-2" {
		return respond(400, map[string]string{"__type": "InvalidNextTokenException", "message": "bad token " + in.NextToken})
	}
	return respond(200, map[string]any{"ComplianceByConfigRules": []item{
		{"s3-versioning-02", compliance{"NOT_APPLICABLE", nil}},
		{"s3-versioning-03", compliance{"INSUFFICIENT_DATA", nil}},
	}})
}

func fakeSession(t *testing.T, srv *testbed.Moto, acct string, fake *complianceFake) *awsclient.Session {
	t.Helper()
	opts := srv.Options(acct)
	opts.ExtraAPIOptions = append(opts.ExtraAPIOptions, fake.install)
	sess, err := awsclient.Connect(context.Background(), opts, "aws", "")
	if err != nil {
		t.Fatal(err)
	}
	return sess
}

func TestConfigCompliance_WireFakeBecauseMotoLacksCompliance(t *testing.T) {
	t.Parallel()
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	eastNames, westNames, _ := seedRules(t, srv, acct)
	fake := &complianceFake{calls: map[string]int{}}
	sess := fakeSession(t, srv, acct, fake)
	res := run(t, sess)
	for _, s := range res.Steps {
		if s.Status != engine.StatusSuccess {
			t.Errorf("step %s: %s %s", s.ID, s.Status, s.Error)
		}
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings %+v", res.Warnings)
	}
	rules := rulesByName(res)
	if len(rules) != len(eastNames)+len(westNames) {
		t.Fatalf("%d rules", len(rules))
	}
	// complianceType is AWS's value, complianceStatus the data model's
	// number; "absent" means omitted (no value), which null never stands for.
	type comp struct{ typ, status, compliant, count, capped any }
	const absent = "absent"
	want := map[string]comp{
		"s3-versioning-00": {"COMPLIANT", float64(1), true, int64(0), false},
		"s3-versioning-01": {"NON_COMPLIANT", float64(0), false, int64(3), false},
		"s3-versioning-02": {"NOT_APPLICABLE", absent, absent, absent, absent},
		"s3-versioning-03": {"INSUFFICIENT_DATA", absent, absent, absent, absent},
		"s3-versioning-04": {absent, absent, absent, absent, absent}, // not in the answer
		"custom-check":     {"NON_COMPLIANT", float64(0), false, int64(100), true},
		"ebs-encrypted":    {absent, absent, absent, absent, absent},
	}
	for name, w := range want {
		e := rules[name]
		val := func(p string) any {
			if v, ok := e[p]; ok {
				return v
			}
			return absent
		}
		got := comp{val("complianceType"), val("complianceStatus"), val("compliant"), val("nonCompliantResourceCount"), val("nonCompliantResourceCountCapped")}
		if got != w {
			t.Errorf("%s compliance %+v, want %+v", name, got, w)
		}
	}
	// One bulk call per region, following pages; never filtered per rule.
	if fake.calls[east] != 2 || fake.calls[west] != 1 || fake.filtered {
		t.Errorf("compliance calls %v, filtered %v", fake.calls, fake.filtered)
	}
}

func TestConfigCompliance_AccessDenied_WireFakeBecauseMotoLacksCompliance(t *testing.T) {
	t.Parallel()
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	eastNames, westNames, _ := seedRules(t, srv, acct)
	fake := &complianceFake{calls: map[string]int{}, denied: true}
	res := run(t, fakeSession(t, srv, acct, fake))
	// The rules are all there, without compliance ...
	rules := rulesByName(res)
	if len(rules) != len(eastNames)+len(westNames) {
		t.Fatalf("%d rules: a compliance error must not drop rules", len(rules))
	}
	for name, e := range rules {
		if e["complianceStatus"] != nil {
			t.Errorf("%s complianceStatus %v", name, e["complianceStatus"])
		}
	}
	// ... their compliance is unknown in both regions (kept from the last
	// run; the rules themselves are all known, so the type is not partial),
	// and the warning names the permission.
	if len(res.PartialTypes) != 0 {
		t.Errorf("partial types %v", res.PartialTypes)
	}
	unknownRegions := 0
	for _, u := range res.Unknown {
		if u.Type == configservice.RuleType && reflect.DeepEqual(u.Properties, configservice.ComplianceProperties) {
			unknownRegions++
		}
	}
	if unknownRegions != 2 {
		t.Errorf("unknown %+v", res.Unknown)
	}
	named := 0
	for _, w := range res.Warnings {
		if w.Permission == "config:DescribeComplianceByConfigRule" {
			named++
		}
	}
	if named != 2 {
		t.Errorf("warnings %+v", res.Warnings)
	}
}
