package trust

import (
	"reflect"
	"testing"

	"github.com/awsgraph/awsgraph/internal/graph"
)

const acct = "111122223333"

var (
	rootArn  = "arn:aws:iam::" + acct + ":root"
	aliceArn = "arn:aws:iam::" + acct + ":user/alice"
)

// trustDoc is a trust policy with the given statements.
func trustDoc(stmts ...string) string { return doc(stmts...) }

func allowPrincipal(principal string, extra ...string) string {
	s := `{"Effect":"Allow","Principal":` + principal + `,"Action":"sts:AssumeRole"`
	for _, e := range extra {
		s += "," + e
	}
	return s + "}"
}

// Each case builds a small account and lists every CAN_ASSUME edge the
// analysis must produce (see edges() for the notation), nothing more. The
// case names say which part of the IAM User Guide (or STS API reference)
// the case encodes.
func TestAnalyzeTrust(t *testing.T) {
	cases := []struct {
		name  string
		build func(f *fixture)
		want  []string
	}{
		{
			// STS API reference, AssumeRole: "To allow a user to assume a role
			// in the same account, you can ... [add] the user as a principal
			// directly in the role's trust policy. ... the user does not
			// need explicit permission to assume the role" (same account).
			name: "AssumeRole doc: same-account user named in trust, no identity policy",
			build: func(f *fixture) {
				f.user("alice")
				f.role("ops", trustDoc(allowPrincipal(`{"AWS":"`+aliceArn+`"}`)))
			},
			want: []string{"user/alice -> role/ops"},
		},
		{
			// IAM UG, Granting a user permissions to switch roles: trusting the
			// account delegates to the account's administrators, who must
			// grant sts:AssumeRole in an identity policy.
			name: "Switch roles doc: account-root trust without identity policy gives no edge",
			build: func(f *fixture) {
				f.user("alice")
				f.role("ops", trustDoc(allowPrincipal(`{"AWS":"`+rootArn+`"}`)))
			},
			want: nil,
		},
		{
			name: "Switch roles doc: account-root trust plus identity allow on the role ARN",
			build: func(f *fixture) {
				u := f.user("alice")
				f.user("bob") // no identity permission
				f.inline(u, "assume", allowAssume(f.arn("role", "ops")))
				f.role("ops", trustDoc(allowPrincipal(`{"AWS":"`+acct+`"}`)))
				f.role("other", trustDoc(allowPrincipal(`{"AWS":"`+acct+`"}`))) // alice's policy names only ops
			},
			want: []string{"user/alice -> role/ops (account)"},
		},
		{
			name: "Switch roles doc: permission inherited from a group's managed policy",
			build: func(f *fixture) {
				u := f.user("alice")
				g := f.group("admins", u)
				f.attach(g, f.managed("AssumeAll", allowAssume("arn:aws:iam::"+acct+":role/*")))
				f.role("ops", trustDoc(allowPrincipal(`{"AWS":"`+rootArn+`"}`)))
			},
			want: []string{"user/alice -> role/ops (account)"},
		},
		{
			// IAM UG, Policy evaluation logic: an explicit deny in any policy
			// overrides any allow.
			name: "Evaluation logic doc: explicit identity deny wins over account trust",
			build: func(f *fixture) {
				u := f.user("alice")
				f.inline(u, "assume", allowAssume("*"))
				f.inline(u, "deny", doc(`{"Effect":"Deny","Action":"sts:*","Resource":"*"}`))
				f.role("ops", trustDoc(allowPrincipal(`{"AWS":"`+rootArn+`"}`)))
			},
			want: nil,
		},
		{
			name: "Evaluation logic doc: explicit identity deny wins even when the trust names the user",
			build: func(f *fixture) {
				u := f.user("alice")
				f.inline(u, "deny", doc(`{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}`))
				f.role("ops", trustDoc(allowPrincipal(`{"AWS":"`+aliceArn+`"}`)))
			},
			want: nil,
		},
		{
			name: "Evaluation logic doc: a Deny in the trust policy wins",
			build: func(f *fixture) {
				u := f.user("alice")
				f.inline(u, "assume", allowAssume("*"))
				f.user("bob")
				f.role("ops", trustDoc(
					allowPrincipal(`{"AWS":["`+rootArn+`","`+f.arn("user", "bob")+`"]}`),
					`{"Effect":"Deny","Principal":{"AWS":"`+aliceArn+`"},"Action":"sts:AssumeRole"}`))
			},
			want: []string{"user/bob -> role/ops"},
		},
		{
			// IAM UG, Permissions boundaries: the effective permissions of an
			// identity are the intersection of identity policies and boundary.
			name: "Boundaries doc: boundary without sts:AssumeRole blocks an account-trust edge",
			build: func(f *fixture) {
				b := f.managed("S3Only", doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`))
				u := f.user("alice", boundary(b.Key()))
				f.inline(u, "assume", allowAssume("*"))
				f.role("ops", trustDoc(allowPrincipal(`{"AWS":"`+rootArn+`"}`)))
			},
			want: nil,
		},
		{
			// The Boundaries page lets an implicit deny in a boundary stand
			// aside for resource policies naming an IAM user, but role trust
			// policies are the documented exception (IAM UG, Update a role
			// trust policy: "If a user is listed as the principal in a
			// role's trust policy but cannot assume the role, check the
			// user's permissions boundary. If a permissions boundary is set
			// for the user, then it must allow the sts:AssumeRole action.").
			name: "Update a role trust policy doc: a trust naming the user is limited by its boundary",
			build: func(f *fixture) {
				b := f.managed("S3Only", doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`))
				f.user("alice", boundary(b.Key()))
				f.role("ops", trustDoc(allowPrincipal(`{"AWS":"`+aliceArn+`"}`)))
			},
			want: nil,
		},
		{
			name: "a trust naming the user, boundary allowing sts:AssumeRole",
			build: func(f *fixture) {
				b := f.managed("STS", doc(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}`))
				f.user("alice", boundary(b.Key()))
				f.role("ops", trustDoc(allowPrincipal(`{"AWS":"`+aliceArn+`"}`)))
			},
			want: []string{"user/alice -> role/ops"},
		},
		{
			// ... but an explicit deny in the boundary always wins.
			name: "Boundaries doc: explicit deny in the boundary blocks even a trust naming the user",
			build: func(f *fixture) {
				b := f.managed("NoSTS", doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`, `{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}`))
				f.user("alice", boundary(b.Key()))
				f.role("ops", trustDoc(allowPrincipal(`{"AWS":"`+aliceArn+`"}`)))
			},
			want: nil,
		},
		{
			// IAM UG, Permissions boundaries, "Resource-based policies": a
			// resource-based policy that grants permissions to an IAM role
			// ARN is limited by an implicit deny in the role's boundary.
			name: "Boundaries doc: a role named in a trust is limited by its boundary (role chaining)",
			build: func(f *fixture) {
				b := f.managed("S3Only", doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`))
				f.role("bounded", trustDoc(allowPrincipal(`{"Service":"ec2.amazonaws.com"}`)), boundary(b.Key()))
				f.role("free", trustDoc(allowPrincipal(`{"Service":"ec2.amazonaws.com"}`)))
				f.role("target", trustDoc(allowPrincipal(`{"AWS":["`+f.arn("role", "bounded")+`","`+f.arn("role", "free")+`"]}`)))
			},
			want: []string{
				"role/free -> role/target",
				"service-principal:ec2.amazonaws.com -> role/bounded",
				"service-principal:ec2.amazonaws.com -> role/free",
			},
		},
		{
			// IAM UG, Methods to assume a role / role chaining: a role
			// session with sts:AssumeRole permission assumes a role that
			// trusts its account.
			name: "Role chaining doc: role with identity permission assumes an account-trusting role",
			build: func(f *fixture) {
				jump := f.role("jump", trustDoc(allowPrincipal(`{"AWS":"`+aliceArn+`"}`)))
				f.inline(jump, "chain", allowAssume(f.arn("role", "prod")))
				f.user("alice")
				f.role("prod", trustDoc(allowPrincipal(`{"AWS":"`+rootArn+`"}`)))
			},
			want: []string{"role/jump -> role/prod (account)", "user/alice -> role/jump"},
		},
		{
			// IAM UG, How to use an external ID when granting access to
			// your AWS resources to a third party: the third party's account
			// is trusted with a StringEquals sts:ExternalId condition.
			name: "External ID doc: third-party account trust is a conditional mapped edge",
			build: func(f *fixture) {
				f.role("vendor", trustDoc(allowPrincipal(`{"AWS":"arn:aws:iam::999988887777:root"}`,
					`"Condition":{"StringEquals":{"sts:ExternalId":"12345"}}`)))
			},
			want: []string{"mapped:aws_account:999988887777 -> role/vendor ?sts:ExternalId (account)"},
		},
		{
			// IAM UG, Configuring MFA-protected API access: a trust policy
			// condition on aws:MultiFactorAuthPresent.
			name: "MFA-protected API access doc: MFA condition makes the edge conditional",
			build: func(f *fixture) {
				f.user("alice")
				f.role("admin", trustDoc(allowPrincipal(`{"AWS":"`+aliceArn+`"}`,
					`"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`)))
			},
			want: []string{"user/alice -> role/admin ?aws:MultiFactorAuthPresent"},
		},
		{
			// IAM UG, Controlling access for IAM principals (ABAC):
			// aws:PrincipalTag in a trust policy is decided from the tags.
			name: "ABAC doc: aws:PrincipalTag condition decided from the principal's tags",
			build: func(f *fixture) {
				ops := f.user("olga", tags("team", "ops"))
				dev := f.user("dave", tags("team", "dev"))
				f.inline(ops, "assume", allowAssume("*"))
				f.inline(dev, "assume", allowAssume("*"))
				f.role("ops", trustDoc(allowPrincipal(`{"AWS":"`+rootArn+`"}`,
					`"Condition":{"StringEquals":{"aws:PrincipalTag/team":"ops"}}`)))
			},
			want: []string{"user/olga -> role/ops (account)"},
		},
		{
			name: "Condition keys doc: aws:PrincipalArn and aws:username decided from the graph",
			build: func(f *fixture) {
				for _, n := range []string{"alice", "bob"} {
					u := f.user(n)
					f.inline(u, "assume", allowAssume("*"))
				}
				f.role("a", trustDoc(allowPrincipal(`{"AWS":"`+rootArn+`"}`,
					`"Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::`+acct+`:user/al*"}}`)))
				f.role("b", trustDoc(allowPrincipal(`{"AWS":"`+rootArn+`"}`,
					`"Condition":{"StringEquals":{"aws:username":"bob"}}`)))
			},
			want: []string{"user/alice -> role/a (account)", "user/bob -> role/b (account)"},
		},
		{
			// IAM UG, AWS JSON policy elements: NotPrincipal — "Deny" with
			// NotPrincipal denies everyone except the listed principals.
			name: "NotPrincipal doc: Deny with NotPrincipal leaves only the listed user",
			build: func(f *fixture) {
				for _, n := range []string{"alice", "bob"} {
					u := f.user(n)
					f.inline(u, "assume", allowAssume("*"))
				}
				f.role("ops", trustDoc(allowPrincipal(`{"AWS":"`+rootArn+`"}`),
					`{"Effect":"Deny","NotPrincipal":{"AWS":"`+aliceArn+`"},"Action":"sts:AssumeRole"}`))
			},
			want: []string{"user/alice -> role/ops (account)"},
		},
		{
			// IAM UG, Creating a role to delegate permissions to an AWS
			// service; confused-deputy prevention with aws:SourceAccount.
			name: "Service role doc: service principals, with and without a SourceAccount condition",
			build: func(f *fixture) {
				f.role("fn", trustDoc(allowPrincipal(`{"Service":["lambda.amazonaws.com","Edgelambda.amazonaws.com"]}`)))
				f.role("cfg", trustDoc(allowPrincipal(`{"Service":"config.amazonaws.com"}`,
					`"Condition":{"StringEquals":{"aws:SourceAccount":"`+acct+`"}}`)))
			},
			want: []string{
				"service-principal:config.amazonaws.com -> role/cfg ?aws:SourceAccount",
				"service-principal:edgelambda.amazonaws.com -> role/fn",
				"service-principal:lambda.amazonaws.com -> role/fn",
			},
		},
		{
			// IAM UG, Creating a role for SAML 2.0 federation; Creating a
			// role for OpenID Connect federation (GitHub example); Cognito.
			name: "Federation docs: SAML, OIDC and Cognito providers",
			build: func(f *fixture) {
				saml := "arn:aws:iam::" + acct + ":saml-provider/Okta"
				oidc := "arn:aws:iam::" + acct + ":oidc-provider/token.actions.githubusercontent.com"
				f.role("sso", trustDoc(`{"Effect":"Allow","Principal":{"Federated":"`+saml+`"},"Action":"sts:AssumeRoleWithSAML",`+
					`"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}`))
				f.role("gha", trustDoc(`{"Effect":"Allow","Principal":{"Federated":"`+oidc+`"},"Action":"sts:AssumeRoleWithWebIdentity",`+
					`"Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:org/*"}}}`))
				f.role("app", trustDoc(`{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}`))
				// Wrong action for the provider: nobody.
				f.role("bad", trustDoc(`{"Effect":"Allow","Principal":{"Federated":"`+saml+`"},"Action":"sts:AssumeRole"}`))
			},
			want: []string{
				"oidc-provider/token.actions.githubusercontent.com -> role/gha ?token.actions.githubusercontent.com:aud,token.actions.githubusercontent.com:sub",
				"saml-provider/Okta -> role/sso ?SAML:aud",
				"web-identity-provider:cognito-identity.amazonaws.com -> role/app",
			},
		},
		{
			// IAM UG, Providing access to an IAM user in another AWS account:
			// the trust names a role of the other account.
			name: "Cross-account doc: foreign role and user ARNs become mapped edges",
			build: func(f *fixture) {
				f.role("shared", trustDoc(allowPrincipal(`{"AWS":["arn:aws:iam::999988887777:role/ci","arn:aws:iam::999988887777:user/bot"]}`)))
			},
			want: []string{
				"mapped:arn:aws:iam::999988887777:role/ci -> role/shared",
				"mapped:arn:aws:iam::999988887777:user/bot -> role/shared",
			},
		},
		{
			// IAM UG, Principal element: "We strongly recommend that you do
			// not use a wildcard (*) in the Principal element of a role's
			// trust policy" — any principal may assume it. docs/contract.md §4.1 counts a
			// "*" trust as a trust through the account: collected principals
			// also need identity permission (alice has it, bob and the roles
			// do not), and Everyone records that the role is public.
			name: "Principal doc: wildcard principal makes the role public",
			build: func(f *fixture) {
				alice := f.user("alice")
				f.inline(alice, "assume", allowAssume("*"))
				f.user("bob")
				f.role("open", trustDoc(allowPrincipal(`{"AWS":"*"}`)))
				f.role("org", trustDoc(allowPrincipal(`"*"`, `"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}`)))
			},
			want: []string{
				"global:everyone -> role/open (account)",
				"global:everyone -> role/org ?aws:PrincipalOrgID (account)",
				"user/alice -> role/open (account)",
				"user/alice -> role/org ?aws:PrincipalOrgID (account)",
			},
		},
		{
			// A "*" trust limited by aws:PrincipalAccount: only principals of
			// the named accounts get in. The collected account's ones by
			// identity policy (alice), a named account that is not
			// collected is mapped, and nobody else, so no Everyone edge.
			name: "wildcard principal restricted by aws:PrincipalAccount is not public",
			build: func(f *fixture) {
				alice := f.user("alice")
				f.inline(alice, "assume", allowAssume("*"))
				f.role("own", trustDoc(allowPrincipal(`"*"`, `"Condition":{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}`)))
				f.role("vendor", trustDoc(allowPrincipal(`{"AWS":"*"}`, `"Condition":{"StringEquals":{"aws:PrincipalAccount":"999988887777"}}`)))
				f.role("notown", trustDoc(allowPrincipal(`"*"`, `"Condition":{"StringNotEquals":{"aws:PrincipalAccount":"111122223333"}}`)))
			},
			want: []string{
				"global:everyone -> role/notown (account)",
				"mapped:aws_account:999988887777 -> role/vendor (account)",
				"user/alice -> role/own (account)",
			},
		},
		{
			// IAM UG, NotPrincipal: NotPrincipal [Bob, Bob's account] in a
			// Deny denies "all principals except the user named Bob": the
			// account ARN does not exempt the account's other users.
			name: "NotPrincipal doc: Deny NotPrincipal [user, account] denies the account's other users",
			build: func(f *fixture) {
				for _, n := range []string{"alice", "bob"} {
					f.inline(f.user(n), "assume", allowAssume("*"))
				}
				f.role("ops", trustDoc(allowPrincipal(`{"AWS":"`+rootArn+`"}`),
					`{"Effect":"Deny","NotPrincipal":{"AWS":["`+aliceArn+`","`+rootArn+`"]},"Action":"sts:AssumeRole"}`))
			},
			want: []string{"user/alice -> role/ops (account)"},
		},
		{
			name: "Trust naming a user and its account: one edge, named directly",
			build: func(f *fixture) {
				u := f.user("alice")
				f.inline(u, "assume", allowAssume("*"))
				f.role("ops", trustDoc(`{"Sid":"ByAccount","Effect":"Allow","Principal":{"AWS":"`+rootArn+`"},"Action":"sts:AssumeRole"}`,
					`{"Sid":"ByName","Effect":"Allow","Principal":{"AWS":"`+aliceArn+`"},"Action":"sts:AssumeRole"}`))
			},
			want: []string{"user/alice -> role/ops"},
		},
		{
			name: "No trust policy, unparsable trust policy, deleted principal id",
			build: func(f *fixture) {
				f.user("alice")
				f.role("none", "")
				f.role("broken", `{"Statement":`)
				f.role("orphan", trustDoc(allowPrincipal(`{"AWS":"AIDAJQABLZS4A3QDU576Q"}`)))
			},
			want: nil,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, acct)
			c.build(f)
			res := Analyze(f.j)
			if got := edges(res); !reflect.DeepEqual(got, c.want) {
				t.Errorf("edges:\n got %q\nwant %q", got, c.want)
			}
			// Every edge, CAN_ASSUME and TRUSTS, must be addable to the
			// job: endpoints exist (after the analysis's own entities),
			// keys unique, properties scalar, classes valid.
			addAll(t, f, res)
			checkTrustsCoverCanAssume(t, res.Relationships, res.Trusts)
		})
	}
}

func TestEdgeProperties(t *testing.T) {
	f := newFixture(t, acct)
	u := f.user("alice")
	f.inline(u, "assume", allowAssume("*"))
	f.role("ops", trustDoc(`{"Sid":"ByAccount","Effect":"Allow","Principal":{"AWS":"`+rootArn+`"},"Action":"sts:AssumeRole",`+
		`"Condition":{"StringEquals":{"sts:ExternalId":"x"}}}`,
		`{"Effect":"Allow","Principal":{"AWS":"`+rootArn+`"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`))
	res := Analyze(f.j)
	if len(res.Relationships) != 1 {
		t.Fatalf("want 1 edge, got %v", edges(res))
	}
	r := res.Relationships[0]
	want := graph.Relationship{
		"_key":              aliceArn + "|can_assume|" + f.arn("role", "ops"),
		"_type":             "aws_iam_user_can_assume_role",
		"_class":            "CAN_ASSUME",
		"_fromEntityKey":    aliceArn,
		"_toEntityKey":      f.arn("role", "ops"),
		"displayName":       "CAN_ASSUME",
		"actions":           `["sts:AssumeRole"]`,
		"actionCount":       int64(1),
		"conditional":       true,
		"conditionKeys":     `["aws:MultiFactorAuthPresent","sts:ExternalId"]`,
		"conditionKeyCount": int64(2),
		"statementIds":      `["ByAccount","Statement[2]"]`,
		"statementIdCount":  int64(2),
		"sid":               "ByAccount",
		"viaAccountTrust":   true,
	}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("edge\n got %#v\nwant %#v", r, want)
	}
}

func TestServiceAndEveryoneEntitiesAndRoleFlag(t *testing.T) {
	f := newFixture(t, acct)
	f.role("open", trustDoc(allowPrincipal(`{"AWS":"*"}`), allowPrincipal(`{"Service":"lambda.amazonaws.com"}`)))
	res := Analyze(f.j)
	byKey := map[string]graph.Entity{}
	for _, e := range res.Entities {
		if err := graph.Validate(e); err != nil {
			t.Error(err)
		}
		byKey[e.Key()] = e
	}
	svc := byKey["service-principal:lambda.amazonaws.com"]
	if svc == nil || svc.Type() != ServicePrincipalType || !reflect.DeepEqual(svc.Classes(), []string{"Service"}) || svc["name"] != "lambda.amazonaws.com" {
		t.Errorf("service entity: %v", svc)
	}
	ev := byKey[EveryoneKey]
	if ev == nil || ev["public"] != true || ev["displayName"] != "Everyone (Public Global)" || !reflect.DeepEqual(ev.Classes(), []string{"UserGroup"}) {
		t.Errorf("everyone entity: %v", ev)
	}
	if got := res.RoleProps[f.arn("role", "open")]; got["publiclyAssumable"] != true {
		t.Errorf("role props: %v", got)
	}
}

// docs/contract.md §4.1: the edge property viaAccountTrust is on every CAN_ASSUME edge: false
// for principals a trust names (services and identity providers are named
// in Principal.Service / Principal.Federated), true for Everyone ("*" is a
// trust through the account).
func TestViaAccountTrustOnEveryEdge(t *testing.T) {
	f := newFixture(t, acct)
	f.role("svc", trustDoc(allowPrincipal(`{"Service":"lambda.amazonaws.com"}`)))
	f.role("fed", trustDoc(`{"Effect":"Allow","Principal":{"Federated":"`+f.arn("saml-provider", "Okta")+`"},"Action":"sts:AssumeRoleWithSAML"}`))
	f.role("open", trustDoc(allowPrincipal(`"*"`)))
	res := Analyze(f.j)
	want := map[string]bool{
		ServicePrincipalKey("lambda.amazonaws.com"): false,
		f.arn("saml-provider", "Okta"):              false,
		EveryoneKey:                                 true,
	}
	if len(res.Relationships) != len(want) {
		t.Fatalf("edges %v", edges(res))
	}
	for _, r := range res.Relationships {
		v, ok := r["viaAccountTrust"].(bool)
		if w, known := want[r.FromKey()]; !known || !ok || v != w {
			t.Errorf("%s -> %s: viaAccountTrust %v (%v)", r.FromKey(), r.ToKey(), r["viaAccountTrust"], ok)
		}
	}
}
