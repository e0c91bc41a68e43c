// Package apigateway collects API Gateway REST APIs (aws_apigateway_rest_api)
// in every collected region, and relates each API to the Lambda functions its
// method integrations invoke (TRIGGERS).
package apigateway

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	apigw "github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/policy"
	"github.com/awsgraph/awsgraph/internal/schema"
	"github.com/awsgraph/awsgraph/internal/service/account"
	"github.com/awsgraph/awsgraph/internal/service/console"
	"github.com/awsgraph/awsgraph/internal/service/regional"
)

const (
	// RestAPIType is the REST API entity type.
	RestAPIType = schema.TypeRestAPI
	// StepID collects REST APIs and their method integrations.
	StepID = schema.StepRestAPIs

	// integrationsData is the job data key under which the fetch step hands
	// the method integrations (and stage variables) to the TRIGGERS step.
	integrationsData = "apigateway.restApiIntegrations"
)

// API is the API Gateway client surface the step uses; the SDK client and its
// paginators satisfy it.
type API interface {
	GetRestApis(ctx context.Context, in *apigw.GetRestApisInput, optFns ...func(*apigw.Options)) (*apigw.GetRestApisOutput, error)
	GetResources(ctx context.Context, in *apigw.GetResourcesInput, optFns ...func(*apigw.Options)) (*apigw.GetResourcesOutput, error)
	GetStages(ctx context.Context, in *apigw.GetStagesInput, optFns ...func(*apigw.Options)) (*apigw.GetStagesOutput, error)
}

// RestAPIKey is the REST API ARN: arn:<partition>:apigateway:<region>::/restapis/<id>.
func RestAPIKey(partition, region, id string) string {
	return "arn:" + partition + ":apigateway:" + region + "::/restapis/" + id
}

// DecodePolicy returns a REST API resource policy as plain JSON text. AWS
// returns it JSON-escaped inside the JSON string (`{\"Version\":...,
// \"aws:SourceIp\":\"10.0.0.0\/8\"}`), while emulators return plain JSON.
// Text that is already JSON is kept; escaped text is unescaped once with JSON
// string rules (which also undo `\/` and `\uXXXX`); anything else is kept as
// given rather than guessed at.
func DecodePolicy(s string) string {
	t := strings.TrimSpace(s)
	if t == "" || json.Valid([]byte(t)) {
		return t
	}
	var out string
	if err := json.Unmarshal([]byte(`"`+t+`"`), &out); err == nil && json.Valid([]byte(out)) {
		return out
	}
	return t
}

// IsPublic reports whether an API has a public endpoint: every endpoint type
// but PRIVATE (an API without endpoint configuration is EDGE, the default).
func IsPublic(ec *types.EndpointConfiguration) bool {
	if ec == nil || len(ec.Types) == 0 {
		return true
	}
	for _, t := range ec.Types {
		if t != types.EndpointTypePrivate {
			return true
		}
	}
	return false
}

// NewRestAPIEntity converts one GetRestApis entry to the REST API entity.
func NewRestAPIEntity(partition, accountID, region string, api types.RestApi) graph.Entity {
	id := aws.ToString(api.Id)
	e := schema.RestAPI.New(RestAPIKey(partition, region, id), aws.ToString(api.Name))
	e.Set("id", id).Set("arn", e.Key())
	e.Set("accountId", accountID).Set("region", region)
	e.Set("category", []string{"application"})
	e.Set("function", []string{"api-gateway"})
	e.Set("public", IsPublic(api.EndpointConfiguration))
	var endpointType any
	endpointTypes := []string{}
	vpce := []string{}
	if ec := api.EndpointConfiguration; ec != nil {
		for _, t := range ec.Types {
			endpointTypes = append(endpointTypes, string(t))
		}
		vpce = append(vpce, ec.VpcEndpointIds...)
	}
	if len(endpointTypes) > 0 {
		endpointType = endpointTypes[0] // AWS allows exactly one type per API
	} else {
		endpointType = string(types.EndpointTypeEdge)
	}
	e.Set("endpointType", endpointType)
	e.Set("endpointTypes", endpointTypes)
	e.Set("vpcEndpointIds", vpce)
	e.Set("apiKeySource", graph.NilIfEmpty(string(api.ApiKeySource)))
	if api.CreatedDate != nil {
		e.Set("createdOn", api.CreatedDate.UnixMilli())
	} else {
		e.Set("createdOn", nil)
	}
	e.Set("description", graph.NilIfEmpty(aws.ToString(api.Description)))
	e.Set("version", api.Version)
	e.Set("disableExecuteApiEndpoint", api.DisableExecuteApiEndpoint)
	if p := aws.ToString(api.Policy); p != "" {
		e.Set("policy", policy.RedactSecrets(DecodePolicy(p))) // an sts:ExternalId value is a secret
	} else {
		e.Set("policy", nil)
	}
	e.SetIfPresent("apiStatus", graph.NilIfEmpty(string(api.ApiStatus)))
	e.Set("webLink", fmt.Sprintf("https://%s/apigateway/home?region=%s#/apis/%s/resources", console.Host(partition), region, id))
	e.SetTags(api.Tags)
	return e
}

// MethodIntegration is one method's integration, as the TRIGGERS analysis needs it.
type MethodIntegration struct {
	ResourcePath string
	HTTPMethod   string
	Type         string
	URI          string
}

// APIIntegrations is what the fetch step hands to the TRIGGERS step for one API.
type APIIntegrations struct {
	APIKey  string
	APIID   string
	Region  string
	Methods []MethodIntegration
	// Stages maps stage name → stage variables. It is read (one GetStages
	// call) only for APIs whose Lambda integrations use stage variables.
	Stages     map[string]map[string]string
	StagesRead bool
}

// MethodIntegrations flattens GetResources(embed=methods) pages into the
// method integrations, sorted by path then method.
func MethodIntegrations(resources []types.Resource) []MethodIntegration {
	var out []MethodIntegration
	for _, r := range resources {
		for verb, m := range r.ResourceMethods {
			in := m.MethodIntegration
			if in == nil {
				continue
			}
			httpMethod := aws.ToString(m.HttpMethod)
			if httpMethod == "" {
				httpMethod = verb
			}
			out = append(out, MethodIntegration{
				ResourcePath: aws.ToString(r.Path),
				HTTPMethod:   httpMethod,
				Type:         string(in.Type),
				URI:          aws.ToString(in.Uri),
			})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ResourcePath != out[j].ResourcePath {
			return out[i].ResourcePath < out[j].ResourcePath
		}
		return out[i].HTTPMethod < out[j].HTTPMethod
	})
	return out
}

// NeedsStages reports whether any Lambda integration of the API names its
// function through a stage variable.
func NeedsStages(methods []MethodIntegration) bool {
	for _, m := range methods {
		if expr, ok := LambdaFunctionExpr(m.URI); ok && HasStageVariable(expr) {
			return true
		}
	}
	return false
}

// listRestAPIs reads every REST API of a region.
func listRestAPIs(ctx context.Context, c API) ([]types.RestApi, error) {
	p := apigw.NewGetRestApisPaginator(c, &apigw.GetRestApisInput{Limit: aws.Int32(500)})
	return awsclient.ReadAll(ctx, p, func(o *apigw.GetRestApisOutput) []types.RestApi { return o.Items })
}

// listResources reads an API's resources with their methods embedded, so
// method integrations come in bulk (no per-method GetIntegration).
func listResources(ctx context.Context, c API, apiID string) ([]types.Resource, error) {
	var out []types.Resource
	p := apigw.NewGetResourcesPaginator(c, &apigw.GetResourcesInput{
		RestApiId: aws.String(apiID),
		Embed:     []string{"methods"},
		Limit:     aws.Int32(500),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
	}
	return out, nil
}

// stageVariables reads an API's stages (one unpaginated call) as name → variables.
func stageVariables(ctx context.Context, c API, apiID string) (map[string]map[string]string, error) {
	out, err := c.GetStages(ctx, &apigw.GetStagesInput{RestApiId: aws.String(apiID)})
	if err != nil {
		return nil, err
	}
	stages := make(map[string]map[string]string, len(out.Item))
	for _, s := range out.Item {
		vars := s.Variables
		if vars == nil {
			vars = map[string]string{}
		}
		stages[aws.ToString(s.StageName)] = vars
	}
	return stages, nil
}

type regionResult struct {
	entities     []graph.Entity
	integrations []APIIntegrations
}

// readIntegrations reads one API's method integrations and, where its Lambda
// integrations use stage variables, its stages. nil: the API was deleted
// since GetRestApis, or its integrations could not be read (the TRIGGERS
// type is then partial).
func readIntegrations(ctx context.Context, sc *engine.StepContext, c API, region, key, id string) *APIIntegrations {
	ai := &APIIntegrations{APIKey: key, APIID: id, Region: region}
	resources, err := listResources(ctx, c, id)
	if err != nil {
		if !awsclient.IsAbsent(err) {
			// The API is known; its integrations are not, so its TRIGGERS
			// edges are incomplete.
			sc.Partial(&awsclient.RegionError{Region: region, Err: err}, TriggersType)
		}
		return nil
	}
	ai.Methods = MethodIntegrations(resources)
	if NeedsStages(ai.Methods) {
		stages, err := stageVariables(ctx, c, id)
		switch {
		case err == nil:
			ai.Stages, ai.StagesRead = stages, true
		case awsclient.IsAbsent(err):
			ai.Stages, ai.StagesRead = map[string]map[string]string{}, true
		default:
			sc.Partial(&awsclient.RegionError{Region: region, Err: err}, TriggersType)
		}
	}
	return ai
}

// RestAPIStep collects REST APIs, their method integrations and, where
// needed, their stage variables.
func RestAPIStep(s *awsclient.Session, client func(region string) API) engine.Step {
	return engine.Declare(engine.Step{
		ID:          StepID,
		Name:        "Fetch API Gateway REST APIs",
		DependsOn:   []string{account.StepID},
		Permissions: []string{"apigateway:GET"},
		Run: func(ctx context.Context, sc *engine.StepContext) error {
			// A region that fails leaves its APIs unknown, and so their TRIGGERS edges.
			partial := []string{RestAPIType, schema.AccountHasRestAPI.Type, TriggersType}
			results, err := regional.Collect(ctx, s, sc, partial, func(ctx context.Context, region string) (regionResult, error) {
				c := client(region)
				apis, err := listRestAPIs(ctx, c)
				if err != nil {
					return regionResult{}, err
				}
				var res regionResult
				for _, api := range apis {
					res.entities = append(res.entities, NewRestAPIEntity(s.Partition, s.AccountID, region, api))
				}
				// Each API's reads (GetResources with methods embedded, then
				// GetStages when needed) are independent of the others': they
				// go at once, as many in flight as the session's adaptive
				// bound on API Gateway allows.
				integrations := make([]*APIIntegrations, len(apis))
				awsclient.FanOut(ctx, len(apis), s.FanOutWidth(), func(ctx context.Context, i int) {
					integrations[i] = readIntegrations(ctx, sc, c, region, res.entities[i].Key(), aws.ToString(apis[i].Id))
				})
				if err := ctx.Err(); err != nil {
					return regionResult{}, err
				}
				for _, ai := range integrations {
					if ai != nil {
						res.integrations = append(res.integrations, *ai)
					}
				}
				return res, nil
			})
			if err != nil {
				return fmt.Errorf("API Gateway REST APIs not read in any region: %w", err)
			}
			var all []APIIntegrations
			for _, r := range results {
				if err := regional.AddOwned(sc, s, r.Items.entities...); err != nil {
					return err
				}
				all = append(all, r.Items.integrations...)
			}
			sc.Job.SetData(integrationsData, all)
			return nil
		},
	})
}

// Steps returns the API Gateway steps: REST APIs, then API TRIGGERS function.
func Steps(s *awsclient.Session) []engine.Step {
	client := func(region string) API { return apigw.NewFromConfig(s.In(region)) }
	return []engine.Step{RestAPIStep(s, client), TriggersStep(s)}
}
