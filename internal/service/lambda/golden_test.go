package lambda

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/awsgraph/awsgraph/internal/testbed/golden"
)

// TestConvertFunctionsGolden: ListFunctions entries (a VPC function with
// environment variables and a qualified container-image function in
// GovCloud) to function entities, against testdata/functions.golden.json.
func TestConvertFunctionsGolden(t *testing.T) {
	var in struct {
		Cases []struct {
			Partition, AccountID, Region string
			Tags                         map[string]string
			Function                     types.FunctionConfiguration
		}
	}
	golden.Input(t, "functions", &in)
	var f golden.Fragment
	for _, c := range in.Cases {
		f.Entities = append(f.Entities, NewFunctionEntity(c.Partition, c.AccountID, c.Region, c.Function, c.Tags))
	}
	golden.Check(t, "functions", f)
	out, _ := json.Marshal(f)
	if strings.Contains(string(out), "hunter2-secret-value") {
		t.Fatal("an environment variable's value reached the entity")
	}
}
