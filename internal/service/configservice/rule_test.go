package configservice

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
)

// absent in a check: the property must be omitted (docs/contract.md §2: a
// property AWS gives no value for is not written as null).
type absentT struct{}

var absent any = absentT{}

func TestNewRuleEntity(t *testing.T) {
	const acct, region = "123456789012", "eu-west-1"
	tests := []struct {
		name       string
		rule       types.ConfigRule
		compliance *types.Compliance
		check      map[string]any
	}{
		{
			name: "AWS managed, scoped by type and tag",
			rule: types.ConfigRule{
				ConfigRuleName: aws.String("s3-versioning"), ConfigRuleArn: aws.String("arn:aws:config:eu-west-1:123456789012:config-rule/config-rule-abc"),
				ConfigRuleId: aws.String("config-rule-abc"), ConfigRuleState: types.ConfigRuleStateActive, Description: aws.String("versioning"),
				Source:          &types.Source{Owner: types.OwnerAws, SourceIdentifier: aws.String("S3_BUCKET_VERSIONING_ENABLED")},
				Scope:           &types.Scope{ComplianceResourceTypes: []string{"AWS::S3::Bucket"}, TagKey: aws.String("env"), TagValue: aws.String("prod")},
				InputParameters: aws.String(`{"isMfaDeleteEnabled":"true"}`), MaximumExecutionFrequency: types.MaximumExecutionFrequencyTwentyFourHours,
				CreatedBy: aws.String("securityhub.amazonaws.com"),
			},
			compliance: &types.Compliance{ComplianceType: types.ComplianceTypeNonCompliant, ComplianceContributorCount: &types.ComplianceContributorCount{CappedCount: 100, CapExceeded: true}},
			check: map[string]any{
				"_key": "arn:aws:config:eu-west-1:123456789012:config-rule/config-rule-abc", "_type": "aws_config_rule", "_class": []string{"ControlPolicy"},
				"name": "s3-versioning", "displayName": "s3-versioning", "configRuleId": "config-rule-abc", "accountId": acct, "region": region,
				"category": "config", "owner": "AWS", "sourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED", "state": "ACTIVE", "active": true,
				"scopeResourceTypes": []string{"AWS::S3::Bucket"}, "scopeTagKey": "env", "scopeTagValue": "prod", "scopeResourceId": absent,
				"inputParameters": `{"isMfaDeleteEnabled":"true"}`, "maximumExecutionFrequency": "TwentyFour_Hours",
				"description": "versioning", "createdBy": "securityhub.amazonaws.com",
				"complianceType": "NON_COMPLIANT", "complianceStatus": float64(0), "compliant": false, "nonCompliantResourceCount": int64(100), "nonCompliantResourceCountCapped": true,
				"webLink": "https://console.aws.amazon.com/config/home?region=eu-west-1#/rules/details?configRuleName=s3-versioning",
			},
		},
		{
			name: "custom Lambda, no ARN in the answer, compliance unknown",
			rule: types.ConfigRule{
				ConfigRuleName: aws.String("custom one"), ConfigRuleId: aws.String("config-rule-xyz"), ConfigRuleState: types.ConfigRuleStateEvaluating,
				Source: &types.Source{Owner: types.OwnerCustomLambda, SourceIdentifier: aws.String("arn:aws:lambda:eu-west-1:123456789012:function:check"),
					SourceDetails: []types.SourceDetail{
						{EventSource: types.EventSourceAwsConfig, MessageType: types.MessageTypeConfigurationItemChangeNotification},
						{EventSource: types.EventSourceAwsConfig, MessageType: types.MessageTypeScheduledNotification, MaximumExecutionFrequency: types.MaximumExecutionFrequencyOneHour},
						{EventSource: types.EventSourceAwsConfig, MessageType: types.MessageTypeConfigurationItemChangeNotification},
					}},
			},
			check: map[string]any{
				"_key": "arn:aws:config:eu-west-1:123456789012:config-rule/config-rule-xyz", "owner": "CUSTOM_LAMBDA", "active": false, "state": "EVALUATING",
				"triggerTypes": []string{"ConfigurationItemChangeNotification", "ScheduledNotification"}, "scopeResourceTypes": []string{},
				"complianceType": absent, "complianceStatus": absent, "compliant": absent, "nonCompliantResourceCount": absent, "inputParameters": absent, "description": absent,
				"webLink": "https://console.aws.amazon.com/config/home?region=eu-west-1#/rules/details?configRuleName=custom+one",
			},
		},
		{
			name: "custom policy (Guard)",
			rule: types.ConfigRule{
				ConfigRuleName: aws.String("guard"), ConfigRuleArn: aws.String("arn:aws:config:eu-west-1:123456789012:config-rule/config-rule-g"),
				Source: &types.Source{Owner: types.OwnerCustomPolicy, CustomPolicyDetails: &types.CustomPolicyDetails{PolicyRuntime: aws.String("guard-2.x.x"), PolicyText: aws.String("rule x { }")}},
			},
			compliance: &types.Compliance{ComplianceType: types.ComplianceTypeCompliant},
			check: map[string]any{
				"owner": "CUSTOM_POLICY", "sourceIdentifier": absent, "policyRuntime": "guard-2.x.x", "content": "rule x { }",
				"complianceType": "COMPLIANT", "complianceStatus": float64(1), "compliant": true, "nonCompliantResourceCount": int64(0),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewRuleEntity("aws", acct, region, tt.rule, tt.compliance)
			if err := schema.Validate(e); err != nil {
				t.Fatal(err)
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

func TestSetCompliance(t *testing.T) {
	// complianceType is AWS's value; complianceStatus the data model's number
	// (1 compliant, 0 non-compliant). absent: the property is omitted.
	tests := []struct {
		in                                    *types.Compliance
		typ, status, compliant, count, capped any
	}{
		{nil, absent, absent, absent, absent, absent},
		{&types.Compliance{ComplianceType: types.ComplianceTypeCompliant}, "COMPLIANT", float64(1), true, int64(0), false},
		{&types.Compliance{ComplianceType: types.ComplianceTypeNonCompliant, ComplianceContributorCount: &types.ComplianceContributorCount{CappedCount: 3}}, "NON_COMPLIANT", float64(0), false, int64(3), false},
		{&types.Compliance{ComplianceType: types.ComplianceTypeNonCompliant}, "NON_COMPLIANT", float64(0), false, absent, absent},
		{&types.Compliance{ComplianceType: types.ComplianceTypeNotApplicable}, "NOT_APPLICABLE", absent, absent, absent, absent},
		{&types.Compliance{ComplianceType: types.ComplianceTypeInsufficientData}, "INSUFFICIENT_DATA", absent, absent, absent, absent},
	}
	for _, tt := range tests {
		e := graph.NewEntity("k", RuleType, []string{"ControlPolicy"}, "r")
		// A value from an earlier run must not survive an unknown compliance.
		for _, p := range ComplianceProperties {
			e[p] = "stale"
		}
		SetCompliance(e, tt.in)
		var got []any
		for _, p := range []string{"complianceType", "complianceStatus", "compliant", "nonCompliantResourceCount", "nonCompliantResourceCountCapped"} {
			v, ok := e[p]
			if !ok {
				v = absent
			}
			got = append(got, v)
		}
		want := []any{tt.typ, tt.status, tt.compliant, tt.count, tt.capped}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%+v: got %v, want %v", tt.in, got, want)
		}
	}
}
