package policy

import (
	"fmt"
	"reflect"
	"testing"
)

const alice = "arn:aws:iam::111122223333:user/alice"

// condDecision evaluates an identity policy that allows s3:GetObject on *
// under condition cond (a JSON object) for alice.
func condDecision(t *testing.T, cond string, ctx map[string][]string, decidable func(string) bool) Result {
	t.Helper()
	d, err := Parse(fmt.Sprintf(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":%s}}`, cond))
	if err != nil {
		t.Fatal(err)
	}
	return Evaluate(Input{IdentityPolicies: []*Document{d}}, Request{
		Principal: alice, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k",
		Context: Context{Values: ctx, Decidable: decidable},
	})
}

type kv = map[string][]string

func TestConditionOperators(t *testing.T) {
	cases := []struct {
		name string
		cond string
		ctx  kv
		want bool
	}{
		// String condition operators (IAM UG, Condition operators).
		{"StringEquals exact", `{"StringEquals":{"aws:PrincipalTag/job-category":"iamuser-admin"}}`, kv{"aws:PrincipalTag/job-category": {"iamuser-admin"}}, true},
		{"StringEquals is case sensitive", `{"StringEquals":{"aws:PrincipalTag/job-category":"iamuser-admin"}}`, kv{"aws:PrincipalTag/job-category": {"IAMUser-Admin"}}, false},
		{"condition keys are case insensitive", `{"StringEquals":{"AWS:PRINCIPALTAG/JOB-CATEGORY":"a"}}`, kv{"aws:PrincipalTag/job-category": {"a"}}, true},
		{"StringNotEquals", `{"StringNotEquals":{"aws:username":["bob","carol"]}}`, kv{"aws:username": {"alice"}}, true},
		{"IAM UG multiple values: negated operator is NOR", `{"StringNotEquals":{"aws:username":["bob","alice"]}}`, kv{"aws:username": {"alice"}}, false},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"aws:PrincipalTag/team":"DEV"}}`, kv{"aws:PrincipalTag/team": {"dev"}}, true},
		{"StringNotEqualsIgnoreCase", `{"StringNotEqualsIgnoreCase":{"aws:PrincipalTag/team":"DEV"}}`, kv{"aws:PrincipalTag/team": {"dev"}}, false},
		{"IAM UG StringLike with wildcard", `{"StringLike":{"s3:prefix":["home/${aws:username}/*"]}}`, kv{"s3:prefix": {"home/alice/docs/a.txt"}, "aws:username": {"alice"}}, true},
		{"StringLike ? wildcard", `{"StringLike":{"aws:PrincipalTag/team":"d?v"}}`, kv{"aws:PrincipalTag/team": {"dev"}}, true},
		{"StringLike is case sensitive", `{"StringLike":{"aws:PrincipalTag/team":"D*"}}`, kv{"aws:PrincipalTag/team": {"dev"}}, false},
		{"StringNotLike", `{"StringNotLike":{"aws:PrincipalTag/team":"d*"}}`, kv{"aws:PrincipalTag/team": {"ops"}}, true},
		{"StringEquals: * is literal", `{"StringEquals":{"aws:PrincipalTag/team":"*"}}`, kv{"aws:PrincipalTag/team": {"dev"}}, false},
		// Numeric.
		{"IAM UG NumericLessThanEquals s3:max-keys 10", `{"NumericLessThanEquals":{"s3:max-keys":"10"}}`, kv{"s3:max-keys": {"10"}}, true},
		{"NumericLessThan JSON number", `{"NumericLessThan":{"aws:MultiFactorAuthAge":3600}}`, kv{"aws:MultiFactorAuthAge": {"3600"}}, false},
		{"NumericEquals decimal", `{"NumericEquals":{"s3:max-keys":"10.0"}}`, kv{"s3:max-keys": {"10"}}, true},
		{"NumericNotEquals", `{"NumericNotEquals":{"s3:max-keys":"10"}}`, kv{"s3:max-keys": {"11"}}, true},
		{"NumericGreaterThan", `{"NumericGreaterThan":{"s3:max-keys":"10"}}`, kv{"s3:max-keys": {"11"}}, true},
		{"NumericGreaterThanEquals", `{"NumericGreaterThanEquals":{"s3:max-keys":"10"}}`, kv{"s3:max-keys": {"9"}}, false},
		{"Numeric non-number never matches", `{"NumericEquals":{"s3:max-keys":"10"}}`, kv{"s3:max-keys": {"ten"}}, false},
		// Date.
		{"IAM UG DateGreaterThan aws:TokenIssueTime", `{"DateGreaterThan":{"aws:TokenIssueTime":"2020-01-01T00:00:01Z"}}`, kv{"aws:TokenIssueTime": {"2020-06-01T00:00:00Z"}}, true},
		{"DateLessThan ISO date only", `{"DateLessThan":{"aws:CurrentTime":"2024-01-01"}}`, kv{"aws:CurrentTime": {"2023-12-31T23:59:59Z"}}, true},
		{"DateEquals epoch seconds vs ISO (aws:EpochTime)", `{"DateEquals":{"aws:EpochTime":"2024-01-01T00:00:00Z"}}`, kv{"aws:EpochTime": {"1704067200"}}, true},
		{"DateNotEquals", `{"DateNotEquals":{"aws:CurrentTime":"1704067200"}}`, kv{"aws:CurrentTime": {"2024-01-01T00:00:00Z"}}, false},
		{"DateLessThanEquals with zone offset", `{"DateLessThanEquals":{"aws:CurrentTime":"2024-01-01T02:00:00+02:00"}}`, kv{"aws:CurrentTime": {"2024-01-01T00:00:00Z"}}, true},
		{"DateGreaterThanEquals", `{"DateGreaterThanEquals":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}`, kv{"aws:CurrentTime": {"2023-01-01T00:00:00Z"}}, false},
		// Bool.
		{"IAM UG Bool aws:SecureTransport", `{"Bool":{"aws:SecureTransport":"true"}}`, kv{"aws:SecureTransport": {"true"}}, true},
		{"Bool JSON boolean", `{"Bool":{"aws:MultiFactorAuthPresent":false}}`, kv{"aws:MultiFactorAuthPresent": {"false"}}, true},
		{"Bool mismatch", `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`, kv{"aws:MultiFactorAuthPresent": {"false"}}, false},
		// Binary.
		{"IAM UG BinaryEquals base64", `{"BinaryEquals":{"key":"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}`, kv{"key": {"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}, true},
		{"BinaryEquals differs", `{"BinaryEquals":{"key":"QmluYXJ5"}}`, kv{"key": {"QmluYXJ6"}}, false},
		// IP address.
		{"IAM UG IpAddress 203.0.113.0/24", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, kv{"aws:SourceIp": {"203.0.113.9"}}, true},
		{"IAM UG IpAddress IPv6 range", `{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:DB8:1234:5678::/64"]}}`, kv{"aws:SourceIp": {"2001:db8:1234:5678::1"}}, true},
		{"IpAddress single address", `{"IpAddress":{"aws:SourceIp":"203.0.113.7"}}`, kv{"aws:SourceIp": {"203.0.113.7"}}, true},
		{"IpAddress 0.0.0.0/0 is every IPv4 address", `{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`, kv{"aws:SourceIp": {"198.51.100.1"}}, true},
		{"NotIpAddress", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, kv{"aws:SourceIp": {"10.1.1.1"}}, false},
		{"NotIpAddress IPv6 vs IPv4 range", `{"NotIpAddress":{"aws:SourceIp":"203.0.113.7"}}`, kv{"aws:SourceIp": {"2001:db8::1"}}, true},
		// ARN.
		{"IAM UG ArnEquals aws:SourceArn", `{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:123456789012:my-topic"}}`, kv{"aws:SourceArn": {"arn:aws:sns:us-east-1:123456789012:my-topic"}}, true},
		{"ArnLike wildcard", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/admin-*"}}`, kv{"aws:PrincipalArn": {"arn:aws:iam::111122223333:role/admin-x"}}, true},
		{"ArnNotEquals", `{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/a"}}`, kv{"aws:PrincipalArn": {"arn:aws:iam::111122223333:role/a"}}, false},
		{"ArnNotLike", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/a*"}}`, kv{"aws:PrincipalArn": {"arn:aws:iam::111122223333:user/a"}}, true},
		// Null.
		{"IAM UG Null true: key absent", `{"Null":{"aws:TokenIssueTime":"true"}}`, kv{}, true},
		{"Null true: key present", `{"Null":{"aws:TokenIssueTime":"true"}}`, kv{"aws:TokenIssueTime": {"2020-01-01T00:00:00Z"}}, false},
		{"Null false: key present", `{"Null":{"aws:TokenIssueTime":"false"}}`, kv{"aws:TokenIssueTime": {"x"}}, true},
		// Missing keys (IAM UG, Condition operators: "If the key that you
		// specify in a policy condition is not present in the request
		// context, the values do not match and the condition is false. If
		// the policy condition requires that the key is not matched, such
		// as StringNotLike or ArnNotLike, and the right key is not present,
		// the condition is true.").
		{"missing key: positive operator false", `{"StringEquals":{"aws:PrincipalTag/x":"a"}}`, kv{}, false},
		{"missing key: negated operator true", `{"StringNotLike":{"aws:PrincipalTag/x":"a*"}}`, kv{}, true},
		{"missing key: ArnNotLike true", `{"ArnNotLike":{"aws:SourceArn":"arn:aws:s3:::x"}}`, kv{}, true},
		{"IAM UG IfExists: missing key true", `{"StringEqualsIfExists":{"ec2:InstanceType":["t1.*","t2.*"]}}`, kv{}, true},
		{"IfExists: present key evaluated", `{"StringLikeIfExists":{"ec2:InstanceType":["t1.*","t2.*"]}}`, kv{"ec2:InstanceType": {"m5.large"}}, false},
		// Set operators (IAM UG, Single-valued vs. multivalued context keys).
		{"ForAllValues: every request value in the policy set", `{"ForAllValues:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}`, kv{"aws:TagKeys": {"environment"}}, true},
		{"ForAllValues: a value outside the set", `{"ForAllValues:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}`, kv{"aws:TagKeys": {"environment", "owner"}}, false},
		{"IAM UG ForAllValues: true when the key is missing", `{"ForAllValues:StringEquals":{"aws:TagKeys":["environment"]}}`, kv{}, true},
		{"ForAllValues: true for an empty set", `{"ForAllValues:StringEquals":{"aws:TagKeys":["environment"]}}`, kv{"aws:TagKeys": {}}, true},
		{"ForAnyValue: one match", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}`, kv{"aws:TagKeys": {"owner", "cost-center"}}, true},
		{"IAM UG ForAnyValue: false when the key is missing", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment"]}}`, kv{}, false},
		{"ForAnyValue negated: some value not in the set", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a"]}}`, kv{"aws:TagKeys": {"a", "b"}}, true},
		{"ForAllValues negated: no value in the set", `{"ForAllValues:StringNotLike":{"aws:TagKeys":["a*"]}}`, kv{"aws:TagKeys": {"b", "c"}}, true},
		{"ForAnyValue IfExists: missing key true", `{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":"a"}}`, kv{}, true},
		{"no set operator on a multivalued key: no match", `{"StringEquals":{"aws:TagKeys":"a"}}`, kv{"aws:TagKeys": {"a", "b"}}, false},
		// Blocks (IAM UG, Conditions with multiple context keys or values:
		// operators AND, keys AND, values OR).
		{"operators are ANDed", `{"StringEquals":{"aws:username":"alice"},"Bool":{"aws:SecureTransport":"true"}}`, kv{"aws:username": {"alice"}, "aws:SecureTransport": {"false"}}, false},
		{"keys are ANDed", `{"StringEquals":{"aws:username":"alice","aws:PrincipalTag/team":"dev"}}`, kv{"aws:username": {"alice"}, "aws:PrincipalTag/team": {"dev"}}, true},
		{"values are ORed", `{"StringEquals":{"aws:username":["bob","alice"]}}`, kv{"aws:username": {"alice"}}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := condDecision(t, c.cond, c.ctx, AllDecidable)
			want := ImplicitlyDenied
			if c.want {
				want = Allowed
			}
			if r.Decision != want {
				t.Fatalf("got %v (keys %v), want %v", r.Decision, r.ConditionKeys, want)
			}
		})
	}
}

func TestPolicyVariables(t *testing.T) {
	res := func(pattern string, version string, ctx kv, resource string) Decision {
		t.Helper()
		v := ""
		if version != "" {
			v = `"Version":"` + version + `",`
		}
		d := MustParse(fmt.Sprintf(`{%s"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":%q}}`, v, pattern))
		return Evaluate(Input{IdentityPolicies: []*Document{d}}, Request{
			Principal: alice, Action: "s3:GetObject", Resource: resource,
			Context: Context{Values: ctx, Decidable: AllDecidable},
		}).Decision
	}
	cases := []struct {
		name, pattern, version string
		ctx                    kv
		resource               string
		want                   Decision
	}{
		{"IAM UG Variables: ${aws:username} home directory", "arn:aws:s3:::mybucket/${aws:username}/*", Version2012, kv{"aws:username": {"alice"}}, "arn:aws:s3:::mybucket/alice/x", Allowed},
		{"IAM UG Variables: other user's directory", "arn:aws:s3:::mybucket/${aws:username}/*", Version2012, kv{"aws:username": {"alice"}}, "arn:aws:s3:::mybucket/bob/x", ImplicitlyDenied},
		{"IAM UG Variables: no Version means literal text", "arn:aws:s3:::mybucket/${aws:username}/*", "", kv{"aws:username": {"alice"}}, "arn:aws:s3:::mybucket/alice/x", ImplicitlyDenied},
		{"no Version: literal match", "arn:aws:s3:::mybucket/${aws:username}/*", "", kv{}, "arn:aws:s3:::mybucket/${aws:username}/x", Allowed},
		{"IAM UG Variables: tag variable", "arn:aws:s3:::bucket/${aws:PrincipalTag/department}", Version2012, kv{"aws:PrincipalTag/department": {"hr"}}, "arn:aws:s3:::bucket/hr", Allowed},
		{"IAM UG Variables: default value used when absent", "arn:aws:s3:::bucket/${aws:PrincipalTag/department, 'none'}", Version2012, kv{}, "arn:aws:s3:::bucket/none", Allowed},
		{"default ignored when present", "arn:aws:s3:::bucket/${aws:PrincipalTag/department, 'none'}", Version2012, kv{"aws:PrincipalTag/department": {"hr"}}, "arn:aws:s3:::bucket/none", ImplicitlyDenied},
		{"absent key without default matches nothing", "arn:aws:s3:::bucket/${aws:PrincipalTag/department}", Version2012, kv{}, "arn:aws:s3:::bucket/", ImplicitlyDenied},
		{"IAM UG Variables: ${*} is a literal asterisk", "arn:aws:s3:::bucket/${*}", Version2012, kv{}, "arn:aws:s3:::bucket/*", Allowed},
		{"${*} does not act as a wildcard", "arn:aws:s3:::bucket/${*}", Version2012, kv{}, "arn:aws:s3:::bucket/x", ImplicitlyDenied},
		{"IAM UG Variables: ${?} and ${$}", "arn:aws:s3:::bucket/a${?}${$}", Version2012, kv{}, "arn:aws:s3:::bucket/a?$", Allowed},
		{"substituted value is literal", "arn:aws:s3:::bucket/${aws:username}", Version2012, kv{"aws:username": {"a*"}}, "arn:aws:s3:::bucket/abc", ImplicitlyDenied},
		{"variable keys are case insensitive", "arn:aws:s3:::bucket/${AWS:UserName}", Version2012, kv{"aws:username": {"alice"}}, "arn:aws:s3:::bucket/alice", Allowed},
	}
	for _, c := range cases {
		if got := res(c.pattern, c.version, c.ctx, c.resource); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestThreeValuedConditions(t *testing.T) {
	// Default decidability: sts:ExternalId, aws:SourceIp, aws:MultiFactorAuthPresent
	// are unknown when absent; aws:PrincipalTag/* and aws:username are not.
	cases := []struct {
		name string
		cond string
		ctx  kv
		want Decision
		keys []string
	}{
		{"unknown key makes an allow conditional", `{"StringEquals":{"sts:ExternalId":"x"}}`, kv{}, ConditionallyAllowed, []string{"sts:ExternalId"}},
		{"supplied key decides", `{"StringEquals":{"sts:ExternalId":"x"}}`, kv{"sts:ExternalId": {"y"}}, ImplicitlyDenied, nil},
		{"principal tag absent is known absent", `{"StringEquals":{"aws:PrincipalTag/team":"dev"}}`, kv{}, ImplicitlyDenied, nil},
		{"known-false key short-circuits unknown ones", `{"StringEquals":{"aws:PrincipalTag/team":"dev"},"Bool":{"aws:MultiFactorAuthPresent":"true"}}`, kv{}, ImplicitlyDenied, nil},
		{"two unknown keys", `{"Bool":{"aws:MultiFactorAuthPresent":"true"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, kv{}, ConditionallyAllowed, []string{"aws:MultiFactorAuthPresent", "aws:SourceIp"}},
		{"unknown variable in a condition value", `{"StringEquals":{"aws:PrincipalTag/team":"${saml:sub}"}}`, kv{"aws:PrincipalTag/team": {"dev"}}, ConditionallyAllowed, []string{"saml:sub"}},
		{"Null on unknown key", `{"Null":{"aws:SourceVpc":"true"}}`, kv{}, ConditionallyAllowed, []string{"aws:SourceVpc"}},
	}
	for _, c := range cases {
		r := condDecision(t, c.cond, c.ctx, nil)
		if r.Decision != c.want || !reflect.DeepEqual(r.ConditionKeys, c.keys) {
			t.Errorf("%s: got %v %v, want %v %v", c.name, r.Decision, r.ConditionKeys, c.want, c.keys)
		}
	}
}
