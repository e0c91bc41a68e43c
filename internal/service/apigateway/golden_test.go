package apigateway

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/awsgraph/awsgraph/internal/testbed/golden"
)

// TestConvertRestAPIsGolden: GetRestApis and GetResources(embed=methods)
// shapes to REST API entities and their TRIGGERS edges (a direct edge, one
// through stage variables, a mapped one to another account's function),
// against testdata/rest_apis.golden.json.
func TestConvertRestAPIsGolden(t *testing.T) {
	var in struct {
		Partition, AccountID, Region string
		FunctionsInGraph             []string
		APIs                         []struct {
			API        types.RestApi
			Resources  []types.Resource
			Stages     map[string]map[string]string
			StagesRead bool
		}
	}
	golden.Input(t, "rest_apis", &in)
	inGraph := map[string]bool{}
	for _, arn := range in.FunctionsInGraph {
		inGraph[arn] = true
	}
	var f golden.Fragment
	for _, a := range in.APIs {
		e := NewRestAPIEntity(in.Partition, in.AccountID, in.Region, a.API)
		f.Entities = append(f.Entities, e)
		triggers, _ := Triggers(APIIntegrations{APIKey: e.Key(), APIID: *a.API.Id, Region: in.Region,
			Methods: MethodIntegrations(a.Resources), Stages: a.Stages, StagesRead: a.StagesRead})
		for _, tr := range triggers {
			acct, region, _ := FunctionParts(tr.FunctionARN)
			owned := acct == in.AccountID && region == in.Region
			f.Relationships = append(f.Relationships, TriggerRelationship(e, tr, inGraph[tr.FunctionARN], owned))
		}
	}
	golden.Check(t, "rest_apis", f)
}
