package policy

import "testing"

func TestMatchAction(t *testing.T) {
	cases := []struct {
		name, pattern, action string
		want                  bool
	}{
		{"IAM UG Action: prefix and name are case insensitive", "iam:ListAccessKeys", "IAM:listaccesskeys", true},
		{"IAM UG Action: wildcard in action name", "s3:Get*", "s3:GetObject", true},
		{"IAM UG Action: * matches the empty run", "s3:GetObject*", "s3:GetObject", true},
		{"IAM UG Action: ? is one character", "iam:?assRole", "iam:PassRole", true},
		{"? is exactly one character", "iam:?PassRole", "iam:PassRole", false},
		{"IAM UG Action: all actions", "*", "ec2:RunInstances", true},
		{"service prefix must match", "s3:*", "s3express:CreateSession", false},
		{"partial action name", "ec2:*Instances", "ec2:DescribeInstances", true},
		{"no substring match", "s3:Get", "s3:GetObject", false},
	}
	for _, c := range cases {
		if got := MatchAction(c.pattern, c.action); got != c.want {
			t.Errorf("%s: MatchAction(%q, %q) = %v", c.name, c.pattern, c.action, got)
		}
	}
}

func TestMatchResource(t *testing.T) {
	const b = "arn:aws:s3:::amzn-s3-demo-bucket/*/test/*"
	cases := []struct {
		name, pattern, resource string
		want                    bool
	}{
		// IAM UG, IAM JSON policy elements: Resource, "Using wildcards in resource ARNs".
		{"IAM UG Resource: bucket/*/test/* matches 1///test///object.jpg", b, "arn:aws:s3:::amzn-s3-demo-bucket/1///test///object.jpg", true},
		{"IAM UG Resource: bucket/*/test/* matches //test/object.jpg", b, "arn:aws:s3:::amzn-s3-demo-bucket//test/object.jpg", true},
		{"IAM UG Resource: bucket/*/test/* matches 1/test/", b, "arn:aws:s3:::amzn-s3-demo-bucket/1/test/", true},
		{"IAM UG Resource: bucket/*/test/* not 1-test/object.jpg", b, "arn:aws:s3:::amzn-s3-demo-bucket/1-test/object.jpg", false},
		{"IAM UG Resource: bucket/*/test/* not test/object.jpg", b, "arn:aws:s3:::amzn-s3-demo-bucket/test/object.jpg", false},
		{"IAM UG Resource: bucket/*/test/* not 1/2/test.jpg", b, "arn:aws:s3:::amzn-s3-demo-bucket/1/2/test.jpg", false},
		{"IAM UG Resource: user path /accounting", "arn:aws:iam::123456789012:user/accounting/*", "arn:aws:iam::123456789012:user/accounting/bob", true},
		{"IAM UG Resource: IAM user name is case sensitive", "arn:aws:iam::123456789012:user/Bob", "arn:aws:iam::123456789012:user/bob", false},
		{"* in the resource part crosses '/' and ':'", "arn:aws:logs:us-east-1:123456789012:log-group:*", "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s", true},
		{"* inside the region field does not cross ':'", "arn:aws:sqs:us-*1:123456789012:q", "arn:aws:sqs:us-east-1:123456789012:q", true},
		{"IAM UG Resource: * ending a field expands beyond the colon", "arn:aws:s3:*", "arn:aws:s3:::bucket/key", true},
		{"* ending a field before ':' expands", "arn:aws:*:us-east-1:123456789012:*", "arn:aws:sqs:us-east-1:123456789012:q", true},
		{"* ending the service field may not change the service", "arn:aws:sqs:*", "arn:aws:iam::123456789012:role/r", false},
		{"* mid-field stays in its field", "arn:aws:s*3:::b", "arn:aws:sqs:us-east-1:1:b", false},
		{"? never matches ':' in the first fields", "arn:aws:s3:?::b", "arn:aws:s3:::b", false},
		{"? in the resource part", "arn:aws:s3:::bucket-?/*", "arn:aws:s3:::bucket-a/x", true},
		{"wildcard account field", "arn:aws:iam::*:role/target", "arn:aws:iam::222222222222:role/target", true},
		{"all resources", "*", "arn:aws:ec2:us-east-1:1:instance/i-1", true},
		{"non-ARN request resource", "arn:aws:s3:::*", "*", false},
	}
	for _, c := range cases {
		if got := MatchResource(c.pattern, c.resource); got != c.want {
			t.Errorf("%s: MatchResource(%q, %q) = %v", c.name, c.pattern, c.resource, got)
		}
	}
}

func TestMatchArn(t *testing.T) {
	cases := []struct {
		name, pattern, value string
		want                 bool
	}{
		{"IAM UG ARN operators: ArnLike per-field wildcard", "arn:aws:sns:REGION:123456789012:TOPIC-ID", "arn:aws:sns:REGION:123456789012:TOPIC-ID", true},
		{"IAM UG ARN operators: aws:SourceArn with wildcard account", "arn:aws:lambda:*:123456789012:function:*", "arn:aws:lambda:us-east-1:123456789012:function:fn", true},
		{"case sensitive", "arn:aws:iam::123456789012:user/Bob", "arn:aws:iam::123456789012:user/bob", false},
		{"value must be an ARN", "*", "not-an-arn", false},
		{"field wildcard does not cross fields", "arn:aws:s3:::bucket-*", "arn:aws:lambda:us-east-1:1:function:fn", false},
	}
	for _, c := range cases {
		if got := MatchArn(c.pattern, c.value); got != c.want {
			t.Errorf("%s: MatchArn(%q, %q) = %v", c.name, c.pattern, c.value, got)
		}
	}
}
