// Package configservice collects AWS Config rules (aws_config_rule) in every
// collected region, with each rule's compliance where the account reports it.
package configservice

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfg "github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
	"github.com/awsgraph/awsgraph/internal/service/account"
	"github.com/awsgraph/awsgraph/internal/service/console"
	"github.com/awsgraph/awsgraph/internal/service/regional"
)

const (
	// RuleType is the Config rule entity type.
	RuleType = schema.TypeConfigRule
	// StepID collects Config rules.
	StepID = schema.StepConfigRules
)

// API is the Config client surface the step uses; the SDK client and its
// paginators satisfy it.
type API interface {
	DescribeConfigRules(ctx context.Context, in *cfg.DescribeConfigRulesInput, optFns ...func(*cfg.Options)) (*cfg.DescribeConfigRulesOutput, error)
	DescribeComplianceByConfigRule(ctx context.Context, in *cfg.DescribeComplianceByConfigRuleInput, optFns ...func(*cfg.Options)) (*cfg.DescribeComplianceByConfigRuleOutput, error)
	ListTagsForResource(ctx context.Context, in *cfg.ListTagsForResourceInput, optFns ...func(*cfg.Options)) (*cfg.ListTagsForResourceOutput, error)
}

// RuleTags reads the tags of each rule. DescribeConfigRules does not return
// them and Config has no bulk tag read for rules (the tagging API's
// GetResources covers config-rule only on AWS, not on emulators), so this is
// one call per rule; an account has at most a few hundred rules per region.
// width is the fan-out's worker count (Session.FanOutWidth): the calls in
// flight are what the session's adaptive bound on Config allows.
func RuleTags(ctx context.Context, c API, arns []string, width int) (map[string]map[string]string, error) {
	var (
		mu       sync.Mutex
		out      = make(map[string]map[string]string, len(arns))
		firstErr error
	)
	awsclient.FanOut(ctx, len(arns), width, func(ctx context.Context, i int) {
		tags, err := ruleTags(ctx, c, arns[i])
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err == nil:
			out[arns[i]] = tags
		case awsclient.IsAbsent(err): // deleted since DescribeConfigRules
		case firstErr == nil:
			firstErr = err
		}
	})
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return out, firstErr
}

// ruleTags pages through one rule's tags.
func ruleTags(ctx context.Context, c API, arn string) (map[string]string, error) {
	tags := map[string]string{}
	p := cfg.NewListTagsForResourcePaginator(c, &cfg.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, t := range page.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return tags, nil
}

// ListRules reads every Config rule of a region (paginated).
func ListRules(ctx context.Context, c API) ([]types.ConfigRule, error) {
	p := cfg.NewDescribeConfigRulesPaginator(c, &cfg.DescribeConfigRulesInput{})
	return awsclient.ReadAll(ctx, p, func(o *cfg.DescribeConfigRulesOutput) []types.ConfigRule { return o.ConfigRules })
}

// ListCompliance reads the compliance of every rule of a region in bulk: no
// ConfigRuleNames filter (the filter takes at most 25 names; without it the
// call pages through all the region's rules). Rules Config has no result for
// are absent from the map.
func ListCompliance(ctx context.Context, c API) (map[string]types.Compliance, error) {
	out := map[string]types.Compliance{}
	p := cfg.NewDescribeComplianceByConfigRulePaginator(c, &cfg.DescribeComplianceByConfigRuleInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range page.ComplianceByConfigRules {
			if r.Compliance != nil {
				out[aws.ToString(r.ConfigRuleName)] = *r.Compliance
			}
		}
	}
	return out, nil
}

// RuleKey is the rule ARN; built from the rule id when the API omits it.
func RuleKey(partition, accountID, region string, r types.ConfigRule) string {
	if a := aws.ToString(r.ConfigRuleArn); a != "" {
		return a
	}
	return "arn:" + partition + ":config:" + region + ":" + accountID + ":config-rule/" + aws.ToString(r.ConfigRuleId)
}

// NewRuleEntity converts one DescribeConfigRules entry to the rule entity.
// compliance is nil when it is unknown (not read, or no result yet); the
// compliance properties are then null.
func NewRuleEntity(partition, accountID, region string, r types.ConfigRule, compliance *types.Compliance) graph.Entity {
	name := aws.ToString(r.ConfigRuleName)
	e := schema.ConfigRule.New(RuleKey(partition, accountID, region, r), name)
	e.Set("arn", e.Key()).Set("configRuleId", r.ConfigRuleId).Set("configRuleName", name)
	e.Set("accountId", accountID).Set("region", region)
	e.Set("category", "config")
	e.Set("description", graph.NilIfEmpty(aws.ToString(r.Description)))
	e.Set("createdBy", r.CreatedBy)
	e.Set("state", graph.NilIfEmpty(string(r.ConfigRuleState)))
	e.Set("active", r.ConfigRuleState == types.ConfigRuleStateActive)
	e.Set("inputParameters", graph.NilIfEmpty(aws.ToString(r.InputParameters)))
	e.Set("maximumExecutionFrequency", graph.NilIfEmpty(string(r.MaximumExecutionFrequency)))
	modes := []string{}
	for _, m := range r.EvaluationModes {
		modes = append(modes, string(m.Mode))
	}
	e.Set("evaluationModes", modes)

	var owner, identifier any
	var triggers []string
	if src := r.Source; src != nil {
		owner = graph.NilIfEmpty(string(src.Owner))
		identifier = graph.NilIfEmpty(aws.ToString(src.SourceIdentifier))
		for _, d := range src.SourceDetails {
			triggers = appendUnique(triggers, string(d.MessageType))
		}
		if p := src.CustomPolicyDetails; p != nil {
			e.SetIfPresent("policyRuntime", p.PolicyRuntime)
			e.SetIfPresent("content", p.PolicyText) // Guard rules: the policy itself, not a secret
		}
	}
	if triggers == nil {
		triggers = []string{}
	}
	sort.Strings(triggers)
	e.Set("owner", owner).Set("sourceIdentifier", identifier).Set("triggerTypes", triggers)

	resourceTypes := []string{}
	var tagKey, tagValue, resourceID any
	if sc := r.Scope; sc != nil {
		resourceTypes = append(resourceTypes, sc.ComplianceResourceTypes...)
		tagKey = graph.NilIfEmpty(aws.ToString(sc.TagKey))
		tagValue = graph.NilIfEmpty(aws.ToString(sc.TagValue))
		resourceID = graph.NilIfEmpty(aws.ToString(sc.ComplianceResourceId))
	}
	e.Set("scopeResourceTypes", resourceTypes).Set("scopeTagKey", tagKey).Set("scopeTagValue", tagValue).Set("scopeResourceId", resourceID)

	SetCompliance(e, compliance)
	e.Set("webLink", fmt.Sprintf("https://%s/config/home?region=%s#/rules/details?configRuleName=%s", console.Host(partition), region, url.QueryEscape(name)))
	return e
}

// ComplianceProperties are the properties SetCompliance sets.
var ComplianceProperties = []string{"complianceType", "complianceStatus", "compliant", "nonCompliantResourceCount", "nonCompliantResourceCountCapped"}

// SetCompliance sets complianceType (AWS's COMPLIANT, NON_COMPLIANT,
// NOT_APPLICABLE, INSUFFICIENT_DATA), the data model's complianceStatus (a
// fraction: 1 compliant, 0 non-compliant), compliant (true or false), and
// the non-compliant resource count (AWS caps it at 100:
// nonCompliantResourceCountCapped). What is not known or not applicable is
// omitted.
func SetCompliance(e graph.Entity, c *types.Compliance) {
	if c == nil || c.ComplianceType == "" {
		for _, p := range ComplianceProperties {
			e.Set(p, nil)
		}
		return
	}
	e.Set("complianceType", string(c.ComplianceType))
	switch c.ComplianceType {
	case types.ComplianceTypeCompliant:
		e.Set("compliant", true).Set("complianceStatus", float64(1))
	case types.ComplianceTypeNonCompliant:
		e.Set("compliant", false).Set("complianceStatus", float64(0))
	default:
		e.Set("compliant", nil).Set("complianceStatus", nil)
	}
	switch {
	case c.ComplianceContributorCount != nil:
		e.Set("nonCompliantResourceCount", int64(c.ComplianceContributorCount.CappedCount))
		e.Set("nonCompliantResourceCountCapped", c.ComplianceContributorCount.CapExceeded)
	case c.ComplianceType == types.ComplianceTypeCompliant:
		e.Set("nonCompliantResourceCount", int64(0)).Set("nonCompliantResourceCountCapped", false)
	default:
		e.Set("nonCompliantResourceCount", nil).Set("nonCompliantResourceCountCapped", nil)
	}
}

func appendUnique(list []string, v string) []string {
	if v == "" {
		return list
	}
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// RuleStep collects the rules of every collected region and their compliance.
func RuleStep(s *awsclient.Session, client func(region string) API) engine.Step {
	return engine.Declare(engine.Step{
		ID:          StepID,
		Name:        "Fetch AWS Config rules",
		DependsOn:   []string{account.StepID},
		Permissions: []string{"config:DescribeConfigRules", "config:DescribeComplianceByConfigRule", "config:ListTagsForResource"},
		Run: func(ctx context.Context, sc *engine.StepContext) error {
			res, err := regional.Collect(ctx, s, sc, nil, func(ctx context.Context, region string) ([]graph.Entity, error) {
				c := client(region)
				rules, err := ListRules(ctx, c)
				if err != nil {
					return nil, err
				}
				var compliance map[string]types.Compliance
				if len(rules) > 0 {
					compliance, err = ListCompliance(ctx, c)
					if err != nil {
						// The rules are known; only their compliance is not,
						// whatever the cause (a permission gap, an endpoint
						// that lacks the call, an outage): the region's
						// compliance values keep the previous run's, never
						// nulls written as if read.
						sc.UnknownWhat(&awsclient.RegionError{Region: region, Err: err},
							"Config rule compliance is unknown (kept from the last run)",
							engine.Unknown{Type: RuleType, Region: region, Properties: ComplianceProperties})
						sc.Count("rulesWithoutCompliance", len(rules))
						compliance = nil
					}
				}
				ents := make([]graph.Entity, 0, len(rules))
				arns := make([]string, 0, len(rules))
				for _, r := range rules {
					var c *types.Compliance
					if v, ok := compliance[aws.ToString(r.ConfigRuleName)]; ok {
						c = &v
					}
					e := NewRuleEntity(s.Partition, s.AccountID, region, r, c)
					ents = append(ents, e)
					arns = append(arns, e.Key())
				}
				tags, tagErr := RuleTags(ctx, c, arns, s.FanOutWidth())
				if tagErr != nil {
					// The rules are known; only (some of) their tags, and the
					// display name a Name tag gives, are not: those keep the
					// previous run's values.
					var unread []string
					for _, arn := range arns {
						if _, ok := tags[arn]; !ok {
							unread = append(unread, arn)
						}
					}
					if len(unread) > 0 { // nil Keys would mean every rule
						sc.UnknownWhat(&awsclient.RegionError{Region: region, Err: tagErr}, "Config rule tags are unknown (kept from the last run)",
							engine.Unknown{Type: RuleType, Region: region, Keys: unread, Properties: []string{"tag.*", "displayName"}})
						sc.Count("rulesWithoutTags", len(unread))
					}
				}
				for _, e := range ents {
					e.SetTags(tags[e.Key()])
				}
				return ents, nil
			})
			if err != nil {
				return fmt.Errorf("config rules not read in any region: %w", err)
			}
			for _, r := range res {
				if err := regional.AddOwned(sc, s, r.Items...); err != nil {
					return err
				}
			}
			return nil
		},
	})
}

// Steps returns the Config steps.
func Steps(s *awsclient.Session) []engine.Step {
	client := func(region string) API { return cfg.NewFromConfig(s.In(region)) }
	return []engine.Step{RuleStep(s, client)}
}
