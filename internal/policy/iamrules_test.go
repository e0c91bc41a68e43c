package policy

import "testing"

// TestIAMSideRules: requests AWS refuses or allows outside policy
// evaluation, each against an allow-everything identity policy (or an
// explicit deny), written from the AWS passages quoted in iamrules.go.
func TestIAMSideRules(t *testing.T) {
	allowAll := docs(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`)
	denyAll := docs(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*"}]}`)
	none := []*Document(nil)
	sso := "arn:aws:iam::" + acct1 + ":role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0123456789abcdef"
	slr := "arn:aws:iam::" + acct1 + ":role/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk"
	admin := "arn:aws:iam::aws:policy/AdministratorAccess"
	custom := "arn:aws:iam::" + acct1 + ":policy/Custom"
	cases := []struct {
		name     string
		id       []*Document
		action   string
		resource string
		want     Decision
	}{
		{"GetCallerIdentity without any policy", none, "sts:GetCallerIdentity", "*", Allowed},
		{"GetCallerIdentity under an explicit deny", denyAll, "sts:GetCallerIdentity", "*", Allowed},
		{"AWS managed policy: CreatePolicyVersion refused", allowAll, "iam:CreatePolicyVersion", admin, ImplicitlyDenied},
		{"AWS managed policy: SetDefaultPolicyVersion refused", allowAll, "iam:SetDefaultPolicyVersion", admin, ImplicitlyDenied},
		{"AWS managed policy: DeletePolicy refused", allowAll, "iam:DeletePolicy", admin, ImplicitlyDenied},
		{"AWS managed policy: TagPolicy refused", allowAll, "iam:TagPolicy", admin, ImplicitlyDenied},
		{"AWS managed policy: GetPolicyVersion allowed (same-account logic)", allowAll, "iam:GetPolicyVersion", admin, Allowed},
		{"AWS managed policy: attaching it is allowed", allowAll, "iam:AttachUserPolicy", "arn:aws:iam::" + acct1 + ":user/u", Allowed},
		{"customer managed policy: CreatePolicyVersion allowed", allowAll, "iam:CreatePolicyVersion", custom, Allowed},
		{"IAM refusal is labelled implicit even under an explicit deny", denyAll, "iam:CreatePolicyVersion", admin, ImplicitlyDenied},
		{"KMS AWS alias under an explicit deny stays explicit", denyAll, "kms:DeleteAlias", "arn:aws:kms:us-east-1:" + acct1 + ":alias/aws/s3", ExplicitlyDenied},
		{"reserved SSO role: UpdateAssumeRolePolicy refused", allowAll, "iam:UpdateAssumeRolePolicy", sso, ImplicitlyDenied},
		{"reserved SSO role: PutRolePolicy refused", allowAll, "iam:PutRolePolicy", sso, ImplicitlyDenied},
		{"reserved SSO role: AttachRolePolicy refused", allowAll, "iam:AttachRolePolicy", sso, ImplicitlyDenied},
		{"reserved SSO role: DeleteRolePermissionsBoundary refused", allowAll, "iam:DeleteRolePermissionsBoundary", sso, ImplicitlyDenied},
		{"reserved SSO role: PassRole refused", allowAll, "iam:PassRole", sso, ImplicitlyDenied},
		{"reserved SSO role: DeleteRole refused", allowAll, "iam:DeleteRole", sso, ImplicitlyDenied},
		{"reserved SSO role: GetRole allowed", allowAll, "iam:GetRole", sso, Allowed},
		{"reserved SSO role: ListRoleTags allowed", allowAll, "iam:ListRoleTags", sso, Allowed},
		{"service-linked role: PutRolePolicy refused", allowAll, "iam:PutRolePolicy", slr, ImplicitlyDenied},
		{"service-linked role: UpdateAssumeRolePolicy refused", allowAll, "iam:UpdateAssumeRolePolicy", slr, ImplicitlyDenied},
		{"service-linked role: DeleteRole refused", allowAll, "iam:DeleteRole", slr, ImplicitlyDenied},
		{"service-linked role: UpdateRoleDescription allowed", allowAll, "iam:UpdateRoleDescription", slr, Allowed},
		{"service-linked role: DeleteServiceLinkedRole allowed", allowAll, "iam:DeleteServiceLinkedRole", slr, Allowed},
		{"ordinary role: UpdateAssumeRolePolicy allowed", allowAll, "iam:UpdateAssumeRolePolicy", target1, Allowed},
		{"KMS AWS alias: DeleteAlias refused", allowAll, "kms:DeleteAlias", "arn:aws:kms:us-east-1:" + acct1 + ":alias/aws/s3", ImplicitlyDenied},
		{"KMS customer alias: DeleteAlias allowed", allowAll, "kms:DeleteAlias", "arn:aws:kms:us-east-1:" + acct1 + ":alias/app", Allowed},
		{"KMS key without key policy: identity allow has no effect", allowAll, "kms:Decrypt", "arn:aws:kms:us-east-1:" + acct1 + ":key/1234", ImplicitlyDenied},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Evaluate(Input{IdentityPolicies: c.id}, Request{Principal: carlos, Action: c.action, Resource: c.resource})
			if got.Decision != c.want {
				t.Fatalf("%s on %s: %s, want %s", c.action, c.resource, got.Decision, c.want)
			}
		})
	}
}

// TestKMSKeyPolicyEnablesIAM: a key policy that names the account delegates
// to IAM policies (AWS KMS, "Allows access to the AWS account and enables
// IAM policies"); one that names the principal suffices alone.
func TestKMSKeyPolicyEnablesIAM(t *testing.T) {
	key := "arn:aws:kms:us-east-1:" + acct1 + ":key/1234"
	keyPolicy := func(principal string) *Document {
		return one(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"kms:*","Resource":"*"}}`)
	}
	allowDecrypt := docs(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}}`)
	req := Request{Principal: carlos, Action: "kms:Decrypt", Resource: key}
	for _, c := range []struct {
		name string
		in   Input
		want Decision
	}{
		{"account key policy + identity allow", Input{IdentityPolicies: allowDecrypt, ResourcePolicy: keyPolicy("arn:aws:iam::" + acct1 + ":root")}, Allowed},
		{"account key policy, no identity allow", Input{ResourcePolicy: keyPolicy("arn:aws:iam::" + acct1 + ":root")}, ImplicitlyDenied},
		{"key policy names the user", Input{ResourcePolicy: keyPolicy(carlos)}, Allowed},
		{"key policy names someone else", Input{IdentityPolicies: allowDecrypt, ResourcePolicy: keyPolicy(bob2)}, ImplicitlyDenied},
	} {
		if got := Evaluate(c.in, req).Decision; got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}
