package trust

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/awsgraph/awsgraph/internal/graph"
)

// trustEdges summarizes res.Trusts: "role -> target" (mapped targets as
// "mapped:<_key>" or "mapped:aws_account:<id>", "(no placeholder)" when
// skipTargetCreation), " ?k1,k2" when conditional, " keys:k" for condition
// keys of an unconditional edge, " deny:ids" for denyStatementIds, " [sids]".
func trustEdges(t *testing.T, res *Result) []string {
	t.Helper()
	var out []string
	for _, r := range res.Trusts {
		if r.Class() != TrustsClass || r["effect"] != "Allow" {
			t.Errorf("%s: class %s effect %v", r.Key(), r.Class(), r["effect"])
		}
		from, to := r.FromKey(), r.ToKey()
		if m := r.Mapping(); m != nil {
			from = m.SourceEntityKey
			if m.RelationshipDirection != graph.Forward {
				t.Errorf("%s: TRUSTS is role → principal (FORWARD), got %s", r.Key(), m.RelationshipDirection)
			}
			if m.TargetFilterKeys[0][0] == "_key" {
				to = "mapped:" + m.TargetEntity["_key"].(string)
			} else {
				to = fmt.Sprintf("mapped:%v:%v", m.TargetEntity["_type"], m.TargetEntity["accountId"])
			}
			if m.SkipTargetCreation {
				to += " (no placeholder)"
			}
		}
		s := short(from) + " -> " + short(to)
		keys := list(t, r, "conditionKeys")
		if r["conditional"] == true {
			s += " ?" + strings.Join(keys, ",")
		} else if len(keys) > 0 {
			s += " keys:" + strings.Join(keys, ",")
		}
		if d := list(t, r, "denyStatementIds"); len(d) > 0 {
			s += " deny:" + strings.Join(d, ",")
		}
		if p, ok := r["principalArn"].(string); ok {
			s += " principal:" + p
		}
		s += " [" + strings.Join(list(t, r, "statementIds"), ",") + "]"
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// list decodes a list property and checks its encoding and count
// (docs/contract.md §3).
func list(t *testing.T, r graph.Relationship, name string) []string {
	t.Helper()
	text, isText := r[name].(string)
	v, ok := graph.SplitList(text)
	if !isText || !ok {
		t.Errorf("%s: %s = %#v is not a JSON-text list", r.Key(), name, r[name])
	}
	if r[graph.CountName(name)] != int64(len(v)) {
		t.Errorf("%s: %s = %v for %d values", r.Key(), graph.CountName(name), r[graph.CountName(name)], len(v))
	}
	return v
}

// TRUSTS records each trust policy as written: every principal an Allow
// statement names, whatever the principal's own identity policies say.
func TestTrustsAsWritten(t *testing.T) {
	f := newFixture(t, acct)
	f.user("alice") // no identity policy: no CAN_ASSUME through the account, TRUSTS all the same
	f.user("bob")
	f.role("ci", "")
	saml := f.arn("saml-provider", "Okta")
	f.role("ops", trustDoc(
		`{"Sid":"Named","Effect":"Allow","Principal":{"AWS":["`+aliceArn+`","`+f.arn("role", "ci")+`"]},"Action":["sts:AssumeRole","sts:TagSession"]}`,
		`{"Sid":"Acct","Effect":"Allow","Principal":{"AWS":["`+rootArn+`","111122223333"]},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`,
		`{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::999988887777:root","arn:aws:iam::999988887777:user/ext","arn:aws:iam::111122223333:user/gone","AIDAJQABLZS4A3QDU576Q"]},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x"}}}`,
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::444455556666:assumed-role/r/s"},"Action":"sts:AssumeRole"}`,
		`{"Sid":"NoBob","Effect":"Deny","Principal":{"AWS":"`+f.arn("user", "bob")+`"},"Action":"sts:AssumeRole"}`,
		`{"Sid":"NoMfaless","Effect":"Deny","Principal":{"AWS":"`+rootArn+`"},"Action":"sts:AssumeRole","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}`,
		`{"Sid":"TagOnly","Effect":"Allow","Principal":{"AWS":"`+f.arn("user", "bob")+`"},"Action":"sts:TagSession"}`,
	))
	f.role("svc", trustDoc(allowPrincipal(`{"Service":["Lambda.amazonaws.com","ec2.amazonaws.com"]}`),
		`{"Effect":"Allow","Principal":{"Federated":"`+saml+`"},"Action":"sts:AssumeRoleWithSAML","Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}`))
	f.role("open", trustDoc(allowPrincipal(`"*"`, `"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}`), allowPrincipal(`{"AWS":"`+aliceArn+`"}`)))
	res := Analyze(f.j)
	want := []string{
		"role/open -> global:everyone ?aws:PrincipalOrgID [Statement[1]]",
		"role/open -> user/alice [Statement[2]]",
		"role/ops -> mapped:arn:aws:iam::999988887777:user/ext ?sts:ExternalId [Statement[3]]",
		"role/ops -> mapped:aws_account:444455556666 principal:arn:aws:sts::444455556666:assumed-role/r/s [Statement[4]]",
		"role/ops -> mapped:aws_account:999988887777 ?sts:ExternalId [Statement[3]]",
		"role/ops -> role/ci deny:NoMfaless [Named]",
		"role/ops -> root ?aws:MultiFactorAuthPresent deny:NoMfaless [Acct]",
		"role/ops -> user/alice deny:NoMfaless [Named]",
		// A user of the collected account that is not in the graph
		// (deleted and recreated, say) is never invented.
		"role/ops -> user/gone (no placeholder) ?sts:ExternalId deny:NoMfaless [Statement[3]]",
		"role/svc -> saml-provider/Okta ?SAML:aud [Statement[2]]",
		"role/svc -> service-principal:ec2.amazonaws.com [Statement[1]]",
		"role/svc -> service-principal:lambda.amazonaws.com [Statement[1]]",
	}
	if got := trustEdges(t, res); !reflect.DeepEqual(got, want) {
		t.Errorf("TRUSTS:\n got %q\nwant %q", got, want)
	}
	types := map[string]string{}
	for _, r := range res.Trusts {
		types[r.Key()] = r.Type()
		if r.Key() == f.arn("role", "svc")+"|trusts|"+saml {
			if a := list(t, r, "actions"); !reflect.DeepEqual(a, []string{"sts:AssumeRoleWithSAML"}) {
				t.Errorf("SAML trust actions %v", a)
			}
		}
	}
	for key, typ := range map[string]string{
		f.arn("role", "ops") + "|trusts|" + aliceArn:                              "aws_iam_role_trusts_user",
		f.arn("role", "ops") + "|trusts|" + f.arn("role", "ci"):                   "aws_iam_role_trusts_role",
		f.arn("role", "ops") + "|trusts|" + rootArn:                               "aws_iam_role_trusts_account",
		f.arn("role", "ops") + "|trusts|arn:aws:iam::999988887777:user/ext":       "aws_iam_role_trusts_user",
		f.arn("role", "svc") + "|trusts|service-principal:lambda.amazonaws.com":   "aws_iam_role_trusts_service_principal",
		f.arn("role", "svc") + "|trusts|" + saml:                                  "aws_iam_role_trusts_saml_provider",
		f.arn("role", "open") + "|trusts|" + EveryoneKey:                          "aws_iam_role_trusts_everyone",
		f.arn("role", "ops") + "|trusts|_type=aws_account,accountId=999988887777": "aws_iam_role_trusts_account",
	} {
		if types[key] != typ {
			t.Errorf("TRUSTS %s: type %q, want %q", key, types[key], typ)
		}
	}
	// Every TRUSTS edge can be added to the job (endpoints, keys, scalar
	// properties) and its type is declared by the step.
	declared := map[string]bool{}
	for _, d := range Steps()[0].Relationships {
		declared[fmt.Sprint(d.Type, d.Mapped)] = true
	}
	addAll(t, f, res)
	for _, r := range res.Trusts {
		if !declared[fmt.Sprint(r.Type(), r.Mapping() != nil)] {
			t.Errorf("TRUSTS type %s (mapped %v) not declared", r.Type(), r.Mapping() != nil)
		}
	}
	if res.Counts["trustsRelationships"] != len(want) || res.Counts["trustPrincipalsWithoutTarget"] != 1 {
		t.Errorf("counts %v", res.Counts)
	}
}

// A Deny statement gives no TRUSTS edge and removes none (TRUSTS is the
// Allow statements as written); it is listed on the edges it may apply to:
// those to a principal it names, to that principal's account, every edge
// for Principal "*", every edge but the exempted ones for NotPrincipal.
func TestTrustsDenyStatements(t *testing.T) {
	f := newFixture(t, acct)
	u := f.user("alice")
	f.inline(u, "assume", allowAssume("*"))
	f.role("ops", trustDoc(allowPrincipal(`{"AWS":"`+aliceArn+`"}`),
		allowPrincipal(`{"Service":"ec2.amazonaws.com"}`),
		`{"Sid":"All","Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`,
		`{"Sid":"ButAlice","Effect":"Deny","NotPrincipal":{"AWS":"`+aliceArn+`"},"Action":"sts:AssumeRole"}`,
		`{"Sid":"Alice","Effect":"Deny","Principal":{"AWS":"`+aliceArn+`"},"Action":"sts:AssumeRole"}`))
	res := Analyze(f.j)
	want := []string{
		"role/ops -> service-principal:ec2.amazonaws.com deny:All,ButAlice [Statement[2]]",
		"role/ops -> user/alice deny:All,Alice [Statement[1]]",
	}
	if got := trustEdges(t, res); !reflect.DeepEqual(got, want) {
		t.Errorf("TRUSTS:\n got %q\nwant %q", got, want)
	}
	if len(res.Relationships) != 0 {
		t.Errorf("the Deny wins for CAN_ASSUME: %v", edges(res))
	}
}

func addAll(t *testing.T, f *fixture, res *Result) {
	t.Helper()
	for _, e := range res.Entities {
		if !f.j.HasKey(e.Key()) {
			if err := f.j.AddEntity(e); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, r := range append(append([]graph.Relationship(nil), res.Relationships...), res.Trusts...) {
		if err := f.j.AddRelationship(r); err != nil {
			t.Fatal(err)
		}
	}
}

// checkTrustsCoverCanAssume: every CAN_ASSUME edge (principal → role) has
// a TRUSTS edge from its role to the same principal, to the principal's
// account, or to Everyone.
//
// Why this must hold: sts:AssumeRole (and its SAML / web-identity forms) is
// always checked against the role's trust policy, which is the resource
// policy of the call, and unlike other resource policies a trust policy is
// never optional — even in the role's own account an identity policy
// allowing sts:AssumeRole on the role grants nothing unless the trust
// policy's Allow names the principal, its account (root or id) or "*"
// (IAM UG, "How IAM roles differ from resource-based policies" and
// "Granting a user permissions to switch roles"). So the identity side
// alone can never produce a CAN_ASSUME: each one rests on an Allow
// statement of the trust, and TRUSTS lists every principal those
// statements name. (A named session or federated user is trusted through
// its account.)
func checkTrustsCoverCanAssume(t *testing.T, canAssume, trusts []graph.Relationship) {
	t.Helper()
	trusted := map[string]bool{} // role|target, role|account:<id>
	for _, r := range trusts {
		role, target := r.FromKey(), r.ToKey()
		if m := r.Mapping(); m != nil {
			role = m.SourceEntityKey
			target, _ = m.TargetEntity["_key"].(string)
		}
		trusted[role+"|"+target] = true
		if strings.HasSuffix(target, ":root") {
			trusted[role+"|account:"+accountOf(target)] = true
		}
	}
	for _, r := range canAssume {
		principal, role := r.FromKey(), r.ToKey()
		if m := r.Mapping(); m != nil {
			principal, _ = m.TargetEntity["_key"].(string)
			role = m.SourceEntityKey
		}
		if trusted[role+"|"+principal] || trusted[role+"|"+EveryoneKey] ||
			(strings.HasPrefix(principal, "arn:") && trusted[role+"|account:"+accountOf(principal)]) {
			continue
		}
		t.Errorf("CAN_ASSUME %s -> %s has no TRUSTS from the role to the principal, its account or Everyone", principal, role)
	}
}
