package apigateway

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
)

const fnARN = "arn:aws:lambda:us-east-1:123456789012:function:orders"

func lambdaURIFor(fn string) string {
	return "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + fn + "/invocations"
}

func TestParseIntegrationURI(t *testing.T) {
	tests := []struct {
		name      string
		uri       string
		vars      map[string]string
		isLambda  bool
		arn       string
		qualifier string
		err       error
	}{
		{"plain ARN", lambdaURIFor(fnARN), nil, true, fnARN, "", nil},
		{"alias qualifier", lambdaURIFor(fnARN + ":prod"), nil, true, fnARN, "prod", nil},
		{"version qualifier", lambdaURIFor(fnARN + ":3"), nil, true, fnARN, "3", nil},
		{"other partition", "arn:aws-cn:apigateway:cn-north-1:lambda:path/2015-03-31/functions/arn:aws-cn:lambda:cn-north-1:123456789012:function:f/invocations", nil, true, "arn:aws-cn:lambda:cn-north-1:123456789012:function:f", "", nil},
		{"stage variable function name", lambdaURIFor("arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}"), map[string]string{"fn": "orders"}, true, fnARN, "", nil},
		{"stage variable qualifier", lambdaURIFor(fnARN + ":${stageVariables.alias}"), map[string]string{"alias": "live"}, true, fnARN, "live", nil},
		{"stage variable whole ARN", lambdaURIFor("${stageVariables.fnArn}"), map[string]string{"fnArn": fnARN + ":7"}, true, fnARN, "7", nil},
		{"stage variable unset", lambdaURIFor("arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}"), map[string]string{"other": "x"}, true, "", "", ErrUnresolvedStageVariable},
		{"stage variable empty", lambdaURIFor("arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}"), map[string]string{"fn": ""}, true, "", "", ErrUnresolvedStageVariable},
		{"stage variable resolves to garbage", lambdaURIFor("${stageVariables.fnArn}"), map[string]string{"fnArn": "not-an-arn"}, true, "", "", ErrNotFunctionARN},
		{"malformed function part", lambdaURIFor("arn:aws:lambda:us-east-1:123456789012:layer:x"), nil, true, "", "", ErrNotFunctionARN},
		{"malformed empty qualifier", lambdaURIFor(fnARN + ":"), nil, true, "", "", ErrNotFunctionARN},
		{"HTTP integration", "https://example.com/orders", nil, false, "", "", nil},
		{"MOCK integration (no URI)", "", nil, false, "", "", nil},
		{"other AWS service", "arn:aws:apigateway:us-east-1:s3:path/bucket/key", nil, false, "", "", nil},
		{"SQS action", "arn:aws:apigateway:us-east-1:sqs:action/SendMessage", nil, false, "", "", nil},
		{"lambda without invocations suffix", "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + fnARN, nil, false, "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expr, ok := LambdaFunctionExpr(tt.uri)
			if ok != tt.isLambda {
				t.Fatalf("LambdaFunctionExpr ok = %v", ok)
			}
			if !ok {
				return
			}
			arn, q, err := ResolveFunction(expr, tt.vars)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if arn != tt.arn || q != tt.qualifier {
				t.Errorf("got %q %q, want %q %q", arn, q, tt.arn, tt.qualifier)
			}
		})
	}
}

func TestDecodePolicy(t *testing.T) {
	plain := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`
	tests := []struct{ name, in, want string }{
		{"plain JSON (emulators)", plain, plain},
		{"AWS escaped quotes and slashes", `{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"execute-api:Invoke\",\"Resource\":\"*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0\/8\"}}}]}`, plain},
		{"empty", "", ""},
		{"not JSON either way: kept", `{\"Version`, `{\"Version`},
	}
	for _, tt := range tests {
		if got := DecodePolicy(tt.in); got != tt.want {
			t.Errorf("%s: got %s", tt.name, got)
		}
	}
}

// absent in a check map: the property must be omitted (docs/contract.md §2:
// a property AWS gives no value for is not written as null).
type absentT struct{}

var absent any = absentT{}

func TestNewRestAPIEntity(t *testing.T) {
	created := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		api   types.RestApi
		check map[string]any
	}{
		{"regional with policy and tags", types.RestApi{
			Id: aws.String("abc123"), Name: aws.String("shop"), CreatedDate: &created, Description: aws.String("d"), Version: aws.String("v1"),
			ApiKeySource:          types.ApiKeySourceTypeHeader,
			EndpointConfiguration: &types.EndpointConfiguration{Types: []types.EndpointType{types.EndpointTypeRegional}},
			Policy:                aws.String(`{\"Version\":\"2012-10-17\"}`), Tags: map[string]string{"env": "prod"},
		}, map[string]any{
			"_key": "arn:aws:apigateway:us-east-1::/restapis/abc123", "name": "shop", "id": "abc123",
			"category": []string{"application"}, "function": []string{"api-gateway"}, "public": true,
			"endpointType": "REGIONAL", "apiKeySource": "HEADER", "createdOn": created.UnixMilli(), "description": "d",
			"version": "v1", "disableExecuteApiEndpoint": false, "policy": `{"Version":"2012-10-17"}`, "tag.env": "prod",
			"webLink": "https://console.aws.amazon.com/apigateway/home?region=us-east-1#/apis/abc123/resources",
		}},
		{"private", types.RestApi{
			Id: aws.String("p1"), Name: aws.String("internal"), DisableExecuteApiEndpoint: true,
			EndpointConfiguration: &types.EndpointConfiguration{Types: []types.EndpointType{types.EndpointTypePrivate}, VpcEndpointIds: []string{"vpce-1"}},
		}, map[string]any{"public": false, "endpointType": "PRIVATE", "vpcEndpointIds": []string{"vpce-1"}, "policy": absent, "description": absent, "version": absent, "createdOn": absent, "disableExecuteApiEndpoint": true}},
		{"no endpoint configuration is EDGE", types.RestApi{Id: aws.String("e1"), Name: aws.String("edge")},
			map[string]any{"public": true, "endpointType": "EDGE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewRestAPIEntity("aws", "123456789012", "us-east-1", tt.api)
			if err := schema.Validate(e); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(e.Classes(), []string{"Gateway", "Proxy"}) {
				t.Errorf("classes %v", e.Classes())
			}
			for k, want := range tt.check {
				got, present := e[k]
				if want == absent {
					if present {
						t.Errorf("%s = %#v, want it omitted (no value)", k, got)
					}
					continue
				}
				if !present || !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %#v (present %v), want %#v", k, got, present, want)
				}
			}
		})
	}
}

func TestTriggers(t *testing.T) {
	other := "arn:aws:lambda:us-east-1:123456789012:function:other"
	api := APIIntegrations{
		APIKey: "arn:aws:apigateway:us-east-1::/restapis/a1", APIID: "a1", Region: "us-east-1",
		Methods: []MethodIntegration{
			{"/orders", "GET", "AWS_PROXY", lambdaURIFor(fnARN)},
			{"/orders", "POST", "AWS_PROXY", lambdaURIFor(fnARN)},
			{"/orders/{id}", "GET", "AWS", lambdaURIFor(fnARN + ":prod")},
			{"/staged", "GET", "AWS_PROXY", lambdaURIFor("arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}")},
			{"/health", "GET", "MOCK", ""},
			{"/ext", "GET", "HTTP_PROXY", "https://example.com"},
			{"/bad", "GET", "AWS", lambdaURIFor("arn:aws:lambda:us-east-1:123456789012:nope")},
		},
		Stages: map[string]map[string]string{
			"prod": {"fn": "orders"},
			"dev":  {"fn": "other"},
			"test": {},
		},
		StagesRead: true,
	}
	triggers, unresolved := Triggers(api)
	want := []Trigger{
		{FunctionARN: fnARN, Methods: []string{"GET /orders", "POST /orders"}, HTTPMethods: []string{"GET", "POST"}, ResourcePaths: []string{"/orders"}, IntegrationTypes: []string{"AWS_PROXY"}},
		{FunctionARN: fnARN, Stage: "prod", Methods: []string{"GET /staged"}, HTTPMethods: []string{"GET"}, ResourcePaths: []string{"/staged"}, IntegrationTypes: []string{"AWS_PROXY"}},
		{FunctionARN: fnARN, Qualifier: "prod", Methods: []string{"GET /orders/{id}"}, HTTPMethods: []string{"GET"}, ResourcePaths: []string{"/orders/{id}"}, IntegrationTypes: []string{"AWS"}},
		{FunctionARN: other, Stage: "dev", Methods: []string{"GET /staged"}, HTTPMethods: []string{"GET"}, ResourcePaths: []string{"/staged"}, IntegrationTypes: []string{"AWS_PROXY"}},
	}
	if !reflect.DeepEqual(triggers, want) {
		t.Errorf("triggers\n got %+v\nwant %+v", triggers, want)
	}
	if len(unresolved) != 2 {
		t.Fatalf("unresolved %+v", unresolved)
	}
	byMethod := map[string]Unresolved{}
	for _, u := range unresolved {
		byMethod[u.Method] = u
	}
	if u := byMethod["GET /staged"]; u.Stage != "test" || !u.StageVariable {
		t.Errorf("staged unresolved %+v", u)
	}
	if u := byMethod["GET /bad"]; u.StageVariable {
		t.Errorf("bad %+v", u)
	}

	// Without stages, a stage-variable URI resolves nowhere.
	api.Stages, api.StagesRead = map[string]map[string]string{}, true
	_, unresolved = Triggers(api)
	n := 0
	for _, u := range unresolved {
		if u.StageVariable {
			n++
		}
	}
	if n != 1 {
		t.Errorf("no stages: %+v", unresolved)
	}
}

func TestTriggerRelationship(t *testing.T) {
	api := schema.RestAPI.New("arn:aws:apigateway:us-east-1::/restapis/a1", "a")
	tests := []struct {
		name    string
		tr      Trigger
		inGraph bool
		owned   bool
		key     string
	}{
		{"direct", Trigger{FunctionARN: fnARN, Methods: []string{"GET /x"}}, true, true, api.Key() + "|triggers|" + fnARN},
		{"direct qualified and staged", Trigger{FunctionARN: fnARN, Qualifier: "prod", Stage: "live"}, true, true, api.Key() + "|triggers|" + fnARN + "|qualifier:prod|stage:live"},
		{"mapped, not invented", Trigger{FunctionARN: fnARN}, false, true, api.Key() + "|triggers|" + fnARN},
		{"mapped other account", Trigger{FunctionARN: "arn:aws:lambda:us-east-1:999999999999:function:x", Stage: "s"}, false, false, api.Key() + "|triggers|arn:aws:lambda:us-east-1:999999999999:function:x|stage:s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := TriggerRelationship(api, tt.tr, tt.inGraph, tt.owned)
			if r.Key() != tt.key {
				t.Errorf("key %s", r.Key())
			}
			if r.Type() != "aws_apigateway_rest_api_triggers_lambda_function" || r.Class() != "TRIGGERS" {
				t.Errorf("type %s class %s", r.Type(), r.Class())
			}
			if r["qualifier"] != graph.NilIfEmpty(tt.tr.Qualifier) || r["stage"] != graph.NilIfEmpty(tt.tr.Stage) {
				t.Errorf("props %v", r)
			}
			m := r.Mapping()
			if tt.inGraph {
				if m != nil || r.ToKey() != tt.tr.FunctionARN || r.FromKey() != api.Key() {
					t.Errorf("direct %v", r)
				}
				return
			}
			if m == nil || m.SkipTargetCreation != tt.owned || m.TargetEntity["_key"] != tt.tr.FunctionARN || m.TargetEntity["_type"] != FunctionType {
				t.Errorf("mapping %+v", m)
			}
		})
	}
}

func TestMethodIntegrations(t *testing.T) {
	res := []types.Resource{
		{Path: aws.String("/b"), ResourceMethods: map[string]types.Method{
			"GET":  {HttpMethod: aws.String("GET"), MethodIntegration: &types.Integration{Type: types.IntegrationTypeMock}},
			"POST": {HttpMethod: aws.String("POST")}, // no integration yet
		}},
		{Path: aws.String("/a"), ResourceMethods: map[string]types.Method{
			"ANY": {MethodIntegration: &types.Integration{Type: types.IntegrationTypeAwsProxy, Uri: aws.String(lambdaURIFor(fnARN))}},
		}},
		{Path: aws.String("/")},
	}
	got := MethodIntegrations(res)
	want := []MethodIntegration{{"/a", "ANY", "AWS_PROXY", lambdaURIFor(fnARN)}, {"/b", "GET", "MOCK", ""}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v", got)
	}
	if !NeedsStages([]MethodIntegration{{URI: lambdaURIFor("${stageVariables.f}")}}) || NeedsStages(want) {
		t.Error("NeedsStages")
	}
}

// A resource policy's sts:ExternalId value is a secret: never stored.
func TestRestAPIPolicyExternalIDRedacted(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"execute-api:Invoke","Resource":"*","Condition":{"StringEquals":{"sts:ExternalId":"api-secret-4471"}}}]}`
	e := NewRestAPIEntity("aws", "123456789012", "us-east-1", types.RestApi{Id: aws.String("abc"), Name: aws.String("n"), Policy: aws.String(doc)})
	p := e.String("policy")
	if strings.Contains(p, "api-secret-4471") || !strings.Contains(p, "sts:ExternalId") {
		t.Fatalf("policy %s", p)
	}
}
