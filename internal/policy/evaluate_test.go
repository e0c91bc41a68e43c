package policy

import (
	"reflect"
	"testing"
)

const (
	acct1   = "111122223333"
	acct2   = "444455556666"
	carlos  = "arn:aws:iam::" + acct1 + ":user/carlossalazar"
	role1   = "arn:aws:iam::" + acct1 + ":role/examplerole"
	sess1   = "arn:aws:sts::" + acct1 + ":assumed-role/examplerole/examplerolesessionname"
	bob2    = "arn:aws:iam::" + acct2 + ":user/Bob"
	target1 = "arn:aws:iam::" + acct1 + ":role/target"
)

func docs(texts ...string) []*Document {
	var out []*Document
	for _, t := range texts {
		out = append(out, MustParse(t))
	}
	return out
}

func one(text string) *Document { return MustParse(text) }

func TestEvaluate(t *testing.T) {
	allowS3Get := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`
	allowEC2 := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"*"}}`
	allowAll := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`
	bucketFor := func(principal string) string {
		return `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":` + principal + `,"Action":"s3:GetObject","Resource":"arn:aws:s3:::amzn-s3-demo-bucket/*"}}`
	}
	trustFor := func(principal string) string {
		return `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":` + principal + `,"Action":"sts:AssumeRole"}}`
	}
	obj := "arn:aws:s3:::amzn-s3-demo-bucket/logs/x"
	get := func(p string, racct string) Request {
		return Request{Principal: p, Action: "s3:GetObject", Resource: obj, ResourceAccount: racct}
	}
	assume := func(p, role string) Request {
		return Request{Principal: p, Action: "sts:AssumeRole", Resource: role}
	}
	cases := []struct {
		name string
		in   Input
		req  Request
		want Decision
	}{
		{"IAM UG Evaluation logic: implicit deny by default", Input{}, get(carlos, acct1), ImplicitlyDenied},
		{"IAM UG Evaluation logic: identity-based allow", Input{IdentityPolicies: docs(allowS3Get)}, get(carlos, acct1), Allowed},
		{"IAM UG Evaluation logic: explicit deny overrides allow",
			Input{IdentityPolicies: docs(allowS3Get, `{"Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*"}}`)}, get(carlos, acct1), ExplicitlyDenied},
		{"IAM UG Evaluation logic: same account, resource policy alone allows (user ARN)",
			Input{ResourcePolicy: one(bucketFor(`{"AWS":"` + carlos + `"}`))}, get(carlos, acct1), Allowed},
		{"same account: resource policy naming only the account delegates to identity policies",
			Input{ResourcePolicy: one(bucketFor(`{"AWS":"` + acct1 + `"}`))}, get(carlos, acct1), ImplicitlyDenied},
		{"same account: account principal plus identity allow",
			Input{IdentityPolicies: docs(allowS3Get), ResourcePolicy: one(bucketFor(`{"AWS":"arn:aws:iam::` + acct1 + `:root"}`))}, get(carlos, acct1), Allowed},
		{"IAM UG Evaluation logic: resource policy for an IAM user ARN not limited by boundary",
			Input{PermissionBoundaries: docs(allowEC2), ResourcePolicy: one(bucketFor(`{"AWS":"` + carlos + `"}`))}, get(carlos, acct1), Allowed},
		{"IAM UG Evaluation logic: resource policy for a role ARN limited by the session's boundary",
			Input{PermissionBoundaries: docs(allowEC2), ResourcePolicy: one(bucketFor(`{"AWS":"` + role1 + `"}`))}, get(sess1, acct1), ImplicitlyDenied},
		{"role ARN in resource policy reaches its session (no boundary)",
			Input{ResourcePolicy: one(bucketFor(`{"AWS":"` + role1 + `"}`))}, get(sess1, acct1), Allowed},
		{"IAM UG Evaluation logic: resource policy for a role session ARN not limited by boundary",
			Input{PermissionBoundaries: docs(allowEC2), ResourcePolicy: one(bucketFor(`{"AWS":"` + sess1 + `"}`))}, get(sess1, acct1), Allowed},
		{"IAM UG Boundaries: identity policy limited by boundary",
			Input{IdentityPolicies: docs(`{"Statement":{"Effect":"Allow","Action":"iam:CreateUser","Resource":"*"}}`),
				PermissionBoundaries: docs(`{"Statement":{"Effect":"Allow","Action":["s3:*","cloudwatch:*","ec2:*"],"Resource":"*"}}`)},
			Request{Principal: carlos, Action: "iam:CreateUser", Resource: "arn:aws:iam::" + acct1 + ":user/new"}, ImplicitlyDenied},
		{"boundary and identity both allow", Input{IdentityPolicies: docs(allowS3Get), PermissionBoundaries: docs(allowAll)}, get(carlos, acct1), Allowed},
		{"explicit deny in boundary", Input{IdentityPolicies: docs(allowS3Get), PermissionBoundaries: docs(allowAll, `{"Statement":{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}}`)}, get(carlos, acct1), ExplicitlyDenied},
		{"IAM UG SCPs: SCP must allow", Input{IdentityPolicies: docs(allowS3Get), SCPs: [][]*Document{docs(allowEC2)}}, get(carlos, acct1), ImplicitlyDenied},
		{"SCPs: every level must allow", Input{IdentityPolicies: docs(allowS3Get), SCPs: [][]*Document{docs(allowAll), docs(allowEC2)}}, get(carlos, acct1), ImplicitlyDenied},
		{"SCPs: allowed at every level", Input{IdentityPolicies: docs(allowS3Get), SCPs: [][]*Document{docs(allowAll), docs(allowEC2, allowS3Get)}}, get(carlos, acct1), Allowed},
		{"SCPs: a level with no policies denies", Input{IdentityPolicies: docs(allowS3Get), SCPs: [][]*Document{docs(allowAll), nil}}, get(carlos, acct1), ImplicitlyDenied},
		{"SCPs limit resource-policy allows too", Input{ResourcePolicy: one(bucketFor(`{"AWS":"` + carlos + `"}`)), SCPs: [][]*Document{docs(allowEC2)}}, get(carlos, acct1), ImplicitlyDenied},
		{"SCP explicit deny", Input{IdentityPolicies: docs(allowS3Get), SCPs: [][]*Document{docs(allowAll, `{"Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*"}}`)}}, get(carlos, acct1), ExplicitlyDenied},
		{"IAM UG Cross-account: resource policy alone is not enough",
			Input{ResourcePolicy: one(bucketFor(`{"AWS":"` + bob2 + `"}`))}, get(bob2, acct1), ImplicitlyDenied},
		{"IAM UG Cross-account: identity policy alone is not enough",
			Input{IdentityPolicies: docs(allowS3Get)}, get(bob2, acct1), ImplicitlyDenied},
		{"IAM UG Cross-account: both allow",
			Input{IdentityPolicies: docs(allowS3Get), ResourcePolicy: one(bucketFor(`{"AWS":"` + acct2 + `"}`))}, get(bob2, acct1), Allowed},
		{"cross-account: boundary applies", Input{IdentityPolicies: docs(allowS3Get), PermissionBoundaries: docs(allowEC2), ResourcePolicy: one(bucketFor(`{"AWS":"` + bob2 + `"}`))}, get(bob2, acct1), ImplicitlyDenied},
		{"cross-account: wildcard principal still needs identity allow", Input{ResourcePolicy: one(bucketFor(`"*"`))}, get(bob2, acct1), ImplicitlyDenied},
		{"public bucket: \"*\" allows a same-account user without identity policy", Input{ResourcePolicy: one(bucketFor(`"*"`))}, get(carlos, acct1), Allowed},
		{"IAM UG Principal: no wildcards inside principal ARNs", Input{ResourcePolicy: one(bucketFor(`{"AWS":"arn:aws:iam::` + acct1 + `:user/*"}`))}, get(carlos, acct1), ImplicitlyDenied},
		{"resource policy statement without Principal grants nobody", Input{ResourcePolicy: one(`{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`)}, get(carlos, acct1), ImplicitlyDenied},
		{"IAM UG NotPrincipal: Deny to all except Bob and his account",
			Input{IdentityPolicies: docs(allowS3Get), ResourcePolicy: one(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"` + acct2 + `"},"Action":"s3:*","Resource":"*"},{"Effect":"Deny","NotPrincipal":{"AWS":["` + bob2 + `","arn:aws:iam::` + acct2 + `:root"]},"Action":"s3:*","Resource":["arn:aws:s3:::amzn-s3-demo-bucket","arn:aws:s3:::amzn-s3-demo-bucket/*"]}]}`)},
			get(bob2, acct1), Allowed},
		{"IAM UG NotPrincipal: someone else is denied",
			Input{IdentityPolicies: docs(allowS3Get), ResourcePolicy: one(`{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":["` + bob2 + `","arn:aws:iam::` + acct2 + `:root"]},"Action":"s3:*","Resource":"*"}}`)},
			get(carlos, acct1), ExplicitlyDenied},
		{"IAM UG NotPrincipal: the account ARN does not exempt the account's other users",
			Input{IdentityPolicies: docs(allowS3Get), ResourcePolicy: one(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"` + acct2 + `"},"Action":"s3:*","Resource":"*"},{"Effect":"Deny","NotPrincipal":{"AWS":["` + bob2 + `","arn:aws:iam::` + acct2 + `:root"]},"Action":"s3:*","Resource":"*"}]}`)},
			get("arn:aws:iam::"+acct2+":user/Alice", acct1), ExplicitlyDenied},
		{"NotPrincipal: a role ARN exempts the role's sessions",
			Input{IdentityPolicies: docs(allowS3Get), ResourcePolicy: one(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"` + acct1 + `"},"Action":"s3:*","Resource":"*"},{"Effect":"Deny","NotPrincipal":{"AWS":["` + role1 + `","arn:aws:iam::` + acct1 + `:root"]},"Action":"s3:*","Resource":"*"}]}`)},
			get(sess1, acct1), Allowed},
		{"NotPrincipal: the account root is exempted by its account",
			Input{IdentityPolicies: docs(allowS3Get), ResourcePolicy: one(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"` + acct1 + `"},"Action":"s3:*","Resource":"*"},{"Effect":"Deny","NotPrincipal":{"AWS":"` + acct1 + `"},"Action":"s3:*","Resource":"*"}]}`)},
			get("arn:aws:iam::"+acct1+":root", acct1), Allowed},
		{"IAM UG Boundaries: NotPrincipal Deny always denies a principal with a boundary",
			Input{IdentityPolicies: docs(allowS3Get), PermissionBoundaries: docs(allowAll), ResourcePolicy: one(`{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"` + carlos + `"},"Action":"s3:*","Resource":"*"}}`)},
			get(carlos, acct1), ExplicitlyDenied},
		{"IAM UG NotAction: allow everything except IAM",
			Input{IdentityPolicies: docs(`{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`)},
			Request{Principal: carlos, Action: "iam:CreateUser", Resource: "*"}, ImplicitlyDenied},
		{"NotAction allows other services", Input{IdentityPolicies: docs(`{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`)}, get(carlos, acct1), Allowed},
		{"IAM UG NotResource: deny everything except one bucket",
			Input{IdentityPolicies: docs(allowAll, `{"Statement":{"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::HRBucket/Payroll","arn:aws:s3:::HRBucket/Payroll/*"]}}`)},
			get(carlos, acct1), ExplicitlyDenied},
		{"NotResource exception is not denied",
			Input{IdentityPolicies: docs(allowAll, `{"Statement":{"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::HRBucket/Payroll","arn:aws:s3:::HRBucket/Payroll/*"]}}`)},
			Request{Principal: carlos, Action: "s3:GetObject", Resource: "arn:aws:s3:::HRBucket/Payroll/x"}, Allowed},
		// Trust policies (IAM UG, "Roles terms and concepts", "How IAM roles
		// differ from resource-based policies", and the evaluation-logic
		// exception for role trust policies).
		{"IAM UG Trust policy: same account, trust names the user: trust alone suffices",
			Input{ResourcePolicy: one(trustFor(`{"AWS":"` + carlos + `"}`))}, assume(carlos, target1), Allowed},
		{"same account, trust names the account: identity permission needed",
			Input{ResourcePolicy: one(trustFor(`{"AWS":"` + acct1 + `"}`))}, assume(carlos, target1), ImplicitlyDenied},
		{"IAM UG Update a role trust policy: a user named in the trust is limited by its boundary",
			Input{ResourcePolicy: one(trustFor(`{"AWS":"` + carlos + `"}`)), PermissionBoundaries: docs(allowS3Get)}, assume(carlos, target1), ImplicitlyDenied},
		{"a user named in the trust, boundary allowing sts:AssumeRole",
			Input{ResourcePolicy: one(trustFor(`{"AWS":"` + carlos + `"}`)), PermissionBoundaries: docs(`{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}}`)}, assume(carlos, target1), Allowed},
		{"same account, trust names the account, identity allows",
			Input{IdentityPolicies: docs(`{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"` + target1 + `"}}`), ResourcePolicy: one(trustFor(`{"AWS":"` + acct1 + `"}`))}, assume(carlos, target1), Allowed},
		{"IAM UG Evaluation logic: trust policies must allow the principal explicitly",
			Input{IdentityPolicies: docs(`{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}}`), ResourcePolicy: one(trustFor(`{"AWS":"` + bob2 + `"}`))}, assume(carlos, target1), ImplicitlyDenied},
		{"no trust policy: nobody can assume", Input{IdentityPolicies: docs(`{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}}`)}, assume(carlos, target1), ImplicitlyDenied},
		{"IAM UG Cross-account role: trust names the account and identity allows",
			Input{IdentityPolicies: docs(`{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"` + target1 + `"}}`), ResourcePolicy: one(trustFor(`{"AWS":"arn:aws:iam::` + acct2 + `:root"}`))}, assume(bob2, target1), Allowed},
		{"cross-account role: trust naming the user is not enough without identity allow",
			Input{ResourcePolicy: one(trustFor(`{"AWS":"` + bob2 + `"}`))}, assume(bob2, target1), ImplicitlyDenied},
		{"role session assuming a role trusted by role ARN",
			Input{ResourcePolicy: one(trustFor(`{"AWS":"` + role1 + `"}`))}, assume(sess1, target1), Allowed},
		{"role ARN with a path matches the session by role name",
			Input{ResourcePolicy: one(trustFor(`{"AWS":"arn:aws:iam::` + acct1 + `:role/ops/examplerole"}`))}, assume(sess1, target1), Allowed},
		{"IAM UG Service role: lambda.amazonaws.com trusted",
			Input{ResourcePolicy: one(trustFor(`{"Service":"lambda.amazonaws.com"}`))}, assume("lambda.amazonaws.com", target1), Allowed},
		{"service principal not trusted", Input{ResourcePolicy: one(trustFor(`{"Service":"ec2.amazonaws.com"}`))}, assume("lambda.amazonaws.com", target1), ImplicitlyDenied},
		{"service principal ignores identity policies", Input{IdentityPolicies: docs(allowAll)}, assume("lambda.amazonaws.com", target1), ImplicitlyDenied},
		{"IAM UG SAML federation trust",
			Input{ResourcePolicy: one(`{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::` + acct1 + `:saml-provider/ExampleOrgSSOProvider"},"Action":"sts:AssumeRoleWithSAML","Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}}`)},
			Request{Principal: "arn:aws:iam::" + acct1 + ":saml-provider/ExampleOrgSSOProvider", Action: "sts:AssumeRoleWithSAML", Resource: target1,
				Context: Context{Values: map[string][]string{"saml:aud": {"https://signin.aws.amazon.com/saml"}}}}, Allowed},
		{"IAM UG trust with sts:ExternalId, value supplied",
			Input{IdentityPolicies: docs(`{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}}`), ResourcePolicy: one(`{"Statement":{"Effect":"Allow","Principal":{"AWS":"` + acct2 + `"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"Unique ID Assigned by Example Corp"}}}}`)},
			Request{Principal: bob2, Action: "sts:AssumeRole", Resource: target1, Context: Context{Values: map[string][]string{"sts:ExternalId": {"Unique ID Assigned by Example Corp"}}}}, Allowed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Evaluate(c.in, c.req); got.Decision != c.want {
				t.Fatalf("got %v (keys %v, matched %+v), want %v", got.Decision, got.ConditionKeys, got.MatchedStatements, c.want)
			}
		})
	}
}

func TestEvaluateThreeValued(t *testing.T) {
	trustExt := one(`{"Statement":{"Effect":"Allow","Principal":{"AWS":"` + acct2 + `"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x"}}}}`)
	idAllow := docs(`{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}}`)
	r := Evaluate(Input{IdentityPolicies: idAllow, ResourcePolicy: trustExt}, Request{Principal: bob2, Action: "sts:AssumeRole", Resource: target1})
	if r.Decision != ConditionallyAllowed || !reflect.DeepEqual(r.ConditionKeys, []string{"sts:ExternalId"}) {
		t.Errorf("ExternalId unknown: %+v", r)
	}
	// A conditional deny turns an allow into "allowed unless ...".
	mfaDeny := `{"Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}}`
	r = Evaluate(Input{IdentityPolicies: docs(`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, mfaDeny)}, Request{Principal: carlos, Action: "s3:GetObject", Resource: "*"})
	if r.Decision != ConditionallyAllowed || !reflect.DeepEqual(r.ConditionKeys, []string{"aws:MultiFactorAuthPresent"}) {
		t.Errorf("conditional deny: %+v", r)
	}
	if len(r.MatchedStatements) != 2 || !r.MatchedStatements[1].Conditional || r.MatchedStatements[1].Effect != Deny {
		t.Errorf("matched statements: %+v", r.MatchedStatements)
	}
	// A conditional deny with no allow is still a denial.
	r = Evaluate(Input{IdentityPolicies: docs(mfaDeny)}, Request{Principal: carlos, Action: "s3:GetObject", Resource: "*"})
	if r.Decision != ImplicitlyDenied {
		t.Errorf("conditional deny alone: %+v", r)
	}
	// An unconditional deny wins over unknowns.
	r = Evaluate(Input{IdentityPolicies: docs(`{"Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}`)}, Request{Principal: carlos, Action: "s3:GetObject", Resource: "*"})
	if r.Decision != ExplicitlyDenied {
		t.Errorf("deny: %+v", r)
	}
	// Session principals: aws:PrincipalArn is unknown unless supplied.
	cond := one(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"` + acct1 + `"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::` + acct1 + `:role/ops/*"}}}}`)
	r = Evaluate(Input{IdentityPolicies: idAllow, ResourcePolicy: cond}, Request{Principal: sess1, Action: "sts:AssumeRole", Resource: target1})
	if r.Decision != ConditionallyAllowed || !reflect.DeepEqual(r.ConditionKeys, []string{"aws:PrincipalArn"}) {
		t.Errorf("session PrincipalArn: %+v", r)
	}
	r = Evaluate(Input{IdentityPolicies: idAllow, ResourcePolicy: cond}, Request{Principal: sess1, Action: "sts:AssumeRole", Resource: target1,
		Context: Context{Values: map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::" + acct1 + ":role/ops/examplerole"}}}})
	if r.Decision != Allowed {
		t.Errorf("session PrincipalArn supplied: %+v", r)
	}
}

func TestPrincipalContext(t *testing.T) {
	got := PrincipalContext(carlos)
	want := map[string][]string{
		"aws:PrincipalArn": {carlos}, "aws:PrincipalAccount": {acct1}, "aws:PrincipalType": {"User"},
		"aws:username": {"carlossalazar"}, "aws:PrincipalIsAWSService": {"false"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("user: %v", got)
	}
	if got := PrincipalContext(sess1); got["aws:PrincipalArn"] != nil || got["aws:PrincipalAccount"][0] != acct1 {
		t.Errorf("session: %v", got)
	}
	if got := PrincipalContext("lambda.amazonaws.com"); got["aws:PrincipalServiceName"][0] != "lambda.amazonaws.com" {
		t.Errorf("service: %v", got)
	}
}

func TestPrincipalCandidates(t *testing.T) {
	d := one(`{"Statement":[
	  {"Sid":"A","Effect":"Allow","Principal":{"AWS":["` + acct2 + `","arn:aws:iam::` + acct1 + `:root","` + role1 + `","*"],"Service":"ec2.amazonaws.com","Federated":"accounts.google.com"},"Action":"sts:AssumeRole"},
	  {"Sid":"B","Effect":"Allow","Principal":"*","Action":"sts:TagSession"},
	  {"Sid":"C","Effect":"Deny","Principal":"*","Action":"sts:AssumeRole"},
	  {"Sid":"D","Effect":"Allow","NotPrincipal":{"AWS":"` + bob2 + `"},"Action":"sts:*"}
	]}`)
	got := d.PrincipalCandidates("sts:AssumeRole")
	want := []PrincipalCandidate{
		{Statement: 0, Sid: "A", Kind: CandidateAccount, Value: acct2},
		{Statement: 0, Sid: "A", Kind: CandidateAccount, Value: acct1},
		{Statement: 0, Sid: "A", Kind: CandidateARN, Value: role1},
		{Statement: 0, Sid: "A", Kind: CandidateAny},
		{Statement: 0, Sid: "A", Kind: CandidateService, Value: "ec2.amazonaws.com"},
		{Statement: 0, Sid: "A", Kind: CandidateFederated, Value: "accounts.google.com"},
		{Statement: 3, Sid: "D", Kind: CandidateAllExcept, Except: []string{bob2}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if n := len(d.PrincipalCandidates("")); n != 8 {
		t.Errorf("all actions: %d candidates", n)
	}
}
