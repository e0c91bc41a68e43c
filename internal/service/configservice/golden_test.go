package configservice

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/awsgraph/awsgraph/internal/testbed/golden"
)

// TestConvertRulesGolden: DescribeConfigRules entries with and without a
// compliance result (unknown compliance stays null) to rule entities,
// against testdata/rules.golden.json.
func TestConvertRulesGolden(t *testing.T) {
	var in struct {
		Partition, AccountID, Region string
		Rules                        []struct {
			Rule       types.ConfigRule
			Compliance *types.Compliance
			Tags       map[string]string
		}
	}
	golden.Input(t, "rules", &in)
	var f golden.Fragment
	for _, r := range in.Rules {
		e := NewRuleEntity(in.Partition, in.AccountID, in.Region, r.Rule, r.Compliance)
		e.SetTags(r.Tags)
		f.Entities = append(f.Entities, e)
	}
	golden.Check(t, "rules", f)
}
