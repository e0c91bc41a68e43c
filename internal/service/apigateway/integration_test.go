package apigateway_test

import (
	"archive/zip"
	"bytes"
	"context"
	"net/url"
	"os"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	apigw "github.com/aws/aws-sdk-go-v2/service/apigateway"
	apitypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
	"github.com/awsgraph/awsgraph/internal/service/account"
	"github.com/awsgraph/awsgraph/internal/service/apigateway"
	"github.com/awsgraph/awsgraph/internal/service/lambda"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

func TestMain(m *testing.M) { os.Exit(testbed.Main(m)) }

// The TRIGGERS step names the Lambda step and type without importing the
// Lambda package; they must stay in step.
func TestLambdaNamesMatch(t *testing.T) {
	if apigateway.LambdaStepID != lambda.StepID || apigateway.FunctionType != lambda.FunctionType {
		t.Fatalf("apigateway names %s/%s, lambda package %s/%s", apigateway.LambdaStepID, apigateway.FunctionType, lambda.StepID, lambda.FunctionType)
	}
}

// iamStandIn stands in for the IAM step (written by another engineer) so the
// Lambda steps' dependency is satisfied; this test does not look at roles.
func iamStandIn() engine.Step {
	return engine.Step{ID: lambda.IAMStepID, Run: func(context.Context, *engine.StepContext) error { return nil }}
}

func zipFile(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, _ := w.Create("index.py")
	f.Write([]byte("def handler(e, c):\n    return 1\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func invokeURI(region, fn string) string {
	return "arn:aws:apigateway:" + region + ":lambda:path/2015-03-31/functions/" + fn + "/invocations"
}

type seeder struct {
	t   *testing.T
	ctx context.Context
	c   *apigw.Client
}

func (s seeder) api(in *apigw.CreateRestApiInput) (id, root string) {
	s.t.Helper()
	out, err := s.c.CreateRestApi(s.ctx, in)
	if err != nil {
		s.t.Fatal(err)
	}
	res, err := s.c.GetResources(s.ctx, &apigw.GetResourcesInput{RestApiId: out.Id})
	if err != nil {
		s.t.Fatal(err)
	}
	return aws.ToString(out.Id), aws.ToString(res.Items[0].Id)
}

func (s seeder) resource(api, parent, part string) string {
	s.t.Helper()
	out, err := s.c.CreateResource(s.ctx, &apigw.CreateResourceInput{RestApiId: &api, ParentId: &parent, PathPart: &part})
	if err != nil {
		s.t.Fatal(err)
	}
	return aws.ToString(out.Id)
}

func (s seeder) method(api, res, verb string, typ apitypes.IntegrationType, uri string) {
	s.t.Helper()
	if _, err := s.c.PutMethod(s.ctx, &apigw.PutMethodInput{RestApiId: &api, ResourceId: &res, HttpMethod: &verb, AuthorizationType: aws.String("NONE")}); err != nil {
		s.t.Fatal(err)
	}
	in := &apigw.PutIntegrationInput{RestApiId: &api, ResourceId: &res, HttpMethod: &verb, Type: typ}
	if uri != "" {
		in.Uri = &uri
		in.IntegrationHttpMethod = aws.String("POST")
	}
	if _, err := s.c.PutIntegration(s.ctx, in); err != nil {
		s.t.Fatal(err)
	}
}

func (s seeder) stage(api, name string, vars map[string]string) {
	s.t.Helper()
	if _, err := s.c.CreateDeployment(s.ctx, &apigw.CreateDeploymentInput{RestApiId: &api, StageName: &name, Variables: vars}); err != nil {
		s.t.Fatal(err)
	}
}

func TestRestAPIsAndTriggers(t *testing.T) {
	t.Parallel()
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	ctx := context.Background()
	const east, west = "us-east-1", "us-west-2"

	role, err := iam.NewFromConfig(srv.SeedConfig(t, acct, east)).CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String("exec"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	lc := awslambda.NewFromConfig(srv.SeedConfig(t, acct, east))
	fn := func(name string) string {
		out, err := lc.CreateFunction(ctx, &awslambda.CreateFunctionInput{
			FunctionName: aws.String(name), Role: role.Role.Arn, Runtime: lambdatypes.RuntimePython312,
			Handler: aws.String("index.handler"), Code: &lambdatypes.FunctionCode{ZipFile: zipFile(t)},
		})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.FunctionArn)
	}
	orders, items, unused := fn("orders"), fn("items"), fn("unused")
	gone := "arn:aws:lambda:us-east-1:" + acct + ":function:deleted-fn" // same account, collected region, no such function
	foreign := "arn:aws:lambda:us-east-1:999999999999:function:partner" // another account

	s := seeder{t, ctx, apigw.NewFromConfig(srv.SeedConfig(t, acct, east))}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`
	shop, shopRoot := s.api(&apigw.CreateRestApiInput{Name: aws.String("shop"), Description: aws.String("the shop"), Policy: aws.String(policy),
		Tags:                  map[string]string{"env": "prod"},
		EndpointConfiguration: &apitypes.EndpointConfiguration{Types: []apitypes.EndpointType{apitypes.EndpointTypeRegional}}})
	o := s.resource(shop, shopRoot, "orders")
	s.method(shop, o, "GET", apitypes.IntegrationTypeAwsProxy, invokeURI(east, orders))
	s.method(shop, o, "POST", apitypes.IntegrationTypeAwsProxy, invokeURI(east, orders))
	oid := s.resource(shop, o, "{id}")
	s.method(shop, oid, "GET", apitypes.IntegrationTypeAws, invokeURI(east, orders+":prod"))
	s.method(shop, s.resource(shop, shopRoot, "health"), "GET", apitypes.IntegrationTypeMock, "")
	s.method(shop, s.resource(shop, shopRoot, "ext"), "GET", apitypes.IntegrationTypeHttpProxy, "https://example.com/ext")
	s.method(shop, s.resource(shop, shopRoot, "old"), "GET", apitypes.IntegrationTypeAwsProxy, invokeURI(east, gone))
	s.method(shop, s.resource(shop, shopRoot, "partner"), "GET", apitypes.IntegrationTypeAwsProxy, invokeURI(east, foreign))

	staged, stagedRoot := s.api(&apigw.CreateRestApiInput{Name: aws.String("staged")})
	st := s.resource(staged, stagedRoot, "items")
	s.method(staged, st, "GET", apitypes.IntegrationTypeAwsProxy, invokeURI(east, "arn:aws:lambda:us-east-1:"+acct+":function:${stageVariables.fn}"))
	s.stage(staged, "prod", map[string]string{"fn": "items"})
	s.stage(staged, "dev", map[string]string{"other": "x"}) // fn not set: unresolvable, never guessed

	empty, _ := s.api(&apigw.CreateRestApiInput{Name: aws.String("empty")})

	sw := seeder{t, ctx, apigw.NewFromConfig(srv.SeedConfig(t, acct, west))}
	private, _ := sw.api(&apigw.CreateRestApiInput{Name: aws.String("private"),
		EndpointConfiguration: &apitypes.EndpointConfiguration{Types: []apitypes.EndpointType{apitypes.EndpointTypePrivate}}})

	// The collector's session, plus a recorder of GetResources query strings:
	// moto returns method integrations with or without embed=methods, AWS
	// only with it, so check the request asks for them.
	var (
		qmu     sync.Mutex
		queries []string
	)
	opts := srv.Options(acct)
	opts.ExtraAPIOptions = append(opts.ExtraAPIOptions, func(stack *middleware.Stack) error {
		return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("recordQuery",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				if req, ok := in.Request.(*smithyhttp.Request); ok && awsmiddleware.GetServiceID(ctx) == "API Gateway" && awsmiddleware.GetOperationName(ctx) == "GetResources" {
					qmu.Lock()
					queries = append(queries, req.URL.RawQuery)
					qmu.Unlock()
				}
				return next.HandleFinalize(ctx, in)
			}), middleware.After)
	})
	sess, err := awsclient.Connect(ctx, opts, "aws", "")
	if err != nil {
		t.Fatal(err)
	}
	sess.Regions = []string{east, west}
	steps := append(account.Steps(sess), iamStandIn())
	steps = append(steps, lambda.Steps(sess)...)
	steps = append(steps, apigateway.Steps(sess)...)
	before := sess.Calls.Snapshot()
	res, err := engine.Run(ctx, engine.NewJob(), steps, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	metrics := map[string]int{}
	for _, st := range res.Steps {
		if st.Status != engine.StatusSuccess {
			t.Errorf("step %s: %s %s", st.ID, st.Status, st.Error)
		}
		if st.ID == apigateway.TriggersStepID {
			metrics = st.Metrics
		}
	}
	job := res.Job
	key := func(region, id string) string { return apigateway.RestAPIKey("aws", region, id) }

	// Exactly the APIs GET /restapis reports, per region.
	var want, got []string
	for region, c := range map[string]*apigw.Client{east: s.c, west: sw.c} {
		out, err := c.GetRestApis(ctx, &apigw.GetRestApisInput{})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range out.Items {
			want = append(want, key(region, aws.ToString(a.Id)))
		}
	}
	for _, e := range job.EntitiesOfType(apigateway.RestAPIType) {
		got = append(got, e.Key())
		if !reflect.DeepEqual(e.Classes(), []string{"Gateway", "Proxy"}) {
			t.Errorf("%s classes %v", e.Key(), e.Classes())
		}
		if err := schema.Validate(e); err != nil {
			t.Error(err)
		}
	}
	sort.Strings(want)
	sort.Strings(got)
	if len(want) != 4 || !reflect.DeepEqual(got, want) {
		t.Fatalf("APIs %v, API reports %v", got, want)
	}
	if n := len(job.RelationshipsOfType("aws_account_has_apigateway_rest_api")); n != 4 {
		t.Errorf("account HAS api: %d", n)
	}

	shopE, _ := job.Entity(key(east, shop))
	for k, v := range map[string]any{
		"name": "shop", "public": true, "endpointType": "REGIONAL", "policy": policy, "tag.env": "prod",
		"description": "the shop", "category": []string{"application"}, "function": []string{"api-gateway"}, "region": east, "accountId": acct,
	} {
		if !reflect.DeepEqual(shopE[k], v) {
			t.Errorf("shop %s = %#v, want %#v", k, shopE[k], v)
		}
	}
	if _, ok := shopE["createdOn"].(int64); !ok {
		t.Errorf("shop createdOn %#v", shopE["createdOn"])
	}
	if p, _ := job.Entity(key(west, private)); p["public"] != false || p["endpointType"] != "PRIVATE" {
		t.Errorf("private api %v", p)
	}

	// TRIGGERS exactly where an integration names a function.
	type edge struct{ from, to, qualifier, stage string }
	edges := map[edge]graph.Relationship{}
	for _, r := range job.RelationshipsOfType(apigateway.TriggersType) {
		e := edge{r.FromKey(), r.ToKey(), str(r["qualifier"]), str(r["stage"])}
		if m := r.Mapping(); m != nil {
			e.from, e.to = m.SourceEntityKey, "mapped:"+m.TargetEntity["_key"].(string)
		}
		if _, dup := edges[e]; dup {
			t.Errorf("duplicate edge %v", e)
		}
		edges[e] = r
	}
	wantEdges := map[edge][]string{
		{key(east, shop), orders, "", ""}:              {"GET /orders", "POST /orders"},
		{key(east, shop), orders, "prod", ""}:          {"GET /orders/{id}"},
		{key(east, shop), "mapped:" + gone, "", ""}:    {"GET /old"},
		{key(east, shop), "mapped:" + foreign, "", ""}: {"GET /partner"},
		{key(east, staged), items, "", "prod"}:         {"GET /items"},
	}
	if len(edges) != len(wantEdges) {
		t.Errorf("TRIGGERS edges %d, want %d: %v", len(edges), len(wantEdges), edges)
	}
	for e, methods := range wantEdges {
		r, ok := edges[e]
		if !ok {
			t.Errorf("missing TRIGGERS %+v", e)
			continue
		}
		if got, ok := graph.SplitList(r["methods"]); !ok || !reflect.DeepEqual(got, methods) || r["methodCount"] != int64(len(methods)) {
			t.Errorf("%+v methods %#v (count %v), want %v", e, r["methods"], r["methodCount"], methods)
		}
	}
	if m := edges[edge{key(east, shop), "mapped:" + gone, "", ""}].Mapping(); m == nil || !m.SkipTargetCreation {
		t.Errorf("a missing function of the collected account must not be invented: %+v", m)
	}
	if m := edges[edge{key(east, shop), "mapped:" + foreign, "", ""}].Mapping(); m == nil || m.SkipTargetCreation {
		t.Errorf("another account's function may be a placeholder: %+v", m)
	}
	for e := range edges {
		if e.to == unused || e.from == key(east, empty) || e.from == key(west, private) {
			t.Errorf("unexpected TRIGGERS %+v", e)
		}
	}
	if metrics["unresolvedStageVariableIntegrations"] != 1 {
		t.Errorf("metrics %v", metrics)
	}
	warned := false
	for _, w := range res.Warnings {
		if w.Step == apigateway.TriggersStepID && strings.Contains(w.Message, "GET /items in stage dev") {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no warning for the unresolved stage variable: %+v", res.Warnings)
	}

	// API calls: GetRestApis once per region, GetResources once per API,
	// GetStages only for the one API whose integrations use stage variables.
	after := sess.Calls.Snapshot()
	for op, n := range map[string]int{"apigateway:GetRestApis": 2, "apigateway:GetResources": 4, "apigateway:GetStages": 1} {
		if d := after[op] - before[op]; d != n {
			t.Errorf("%s calls %d, want %d", op, d, n)
		}
	}
	if len(queries) != 4 {
		t.Errorf("GetResources requests %v", queries)
	}
	for _, q := range queries {
		if v, _ := url.ParseQuery(q); !reflect.DeepEqual(v["embed"], []string{"methods"}) {
			t.Errorf("GetResources without embed=methods: %q", q)
		}
	}
	for k := range after {
		if strings.HasPrefix(k, "apigateway:") && !strings.Contains("apigateway:GetRestApis apigateway:GetResources apigateway:GetStages", k) {
			t.Errorf("unexpected call %s", k)
		}
	}
}

func str(v any) string { s, _ := v.(string); return s }
