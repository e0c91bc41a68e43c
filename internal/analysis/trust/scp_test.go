package trust

import (
	"slices"
	"testing"

	"github.com/awsgraph/awsgraph/internal/instance"
)

const denyAssumeUnlessAdmin = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*",` +
	`"Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/admin-*"}}}]}`

const fullAccess = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// scpFixture: alice (user), admin-ops and a service-linked role may all
// assume target by their identity policies and its trust (the account).
func scpFixture(t *testing.T) *fixture {
	f := newFixture(t, acct)
	u := f.user("alice")
	f.inline(u, "assume", allowAssume("*"))
	admin := f.role("admin-ops", trustDoc(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`))
	f.inline(admin, "assume", allowAssume("*"))
	slr := f.roleAt("aws-service-role/ops.amazonaws.com", "AWSServiceRoleForOps", trustDoc(`{"Effect":"Allow","Principal":{"Service":"ops.amazonaws.com"},"Action":"sts:AssumeRole"}`))
	f.inline(slr, "assume", allowAssume("*"))
	f.role("target", trustDoc(`{"Effect":"Allow","Principal":{"AWS":"`+rootArn+`"},"Action":"sts:AssumeRole"}`))
	return f
}

func scps(levels ...[]string) *instance.SCPs {
	s := &instance.SCPs{Status: instance.SCPApplied}
	for i, docs := range levels {
		l := instance.SCPLevel{Target: []string{"r-root", "ou-prod", acct}[i], Policies: []instance.SCPPolicy{}}
		for j, d := range docs {
			l.Policies = append(l.Policies, instance.SCPPolicy{ID: "p-" + string(rune('a'+i)) + string(rune('0'+j)), Document: d})
		}
		s.Levels = append(s.Levels, l)
	}
	return s
}

func canAssumeTarget(res *Result) []string {
	var from []string
	for _, r := range res.Relationships {
		if r.ToKey() == "arn:aws:iam::"+acct+":role/target" {
			from = append(from, short(r.FromKey()))
		}
	}
	slices.Sort(from)
	return from
}

func TestSCPsDenyAssumeRoleToTheAccountsPrincipals(t *testing.T) {
	all := []string{"role/admin-ops", "role/aws-service-role/ops.amazonaws.com/AWSServiceRoleForOps", "user/alice"}
	cases := []struct {
		name string
		scps *instance.SCPs
		want []string
	}{
		{"no SCP information", nil, all},
		{"not governed", &instance.SCPs{Status: instance.SCPNotGoverned}, all},
		{"full access at every level", scps([]string{fullAccess}, []string{fullAccess}, []string{fullAccess}), all},
		// The deny spares admin-* (decided from aws:PrincipalArn) and the
		// service-linked role, which SCPs never restrict.
		{"deny on the OU", scps([]string{fullAccess}, []string{fullAccess, denyAssumeUnlessAdmin}, []string{fullAccess}),
			[]string{"role/admin-ops", "role/aws-service-role/ops.amazonaws.com/AWSServiceRoleForOps"}},
		// A level without any Allow denies everything but the exempt role.
		{"account level without allow", scps([]string{fullAccess}, []string{fullAccess}, nil),
			[]string{"role/aws-service-role/ops.amazonaws.com/AWSServiceRoleForOps"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := AnalyzeWith(scpFixture(t).j, Options{SCPs: NewSCPSet(acct, c.scps)})
			if got := canAssumeTarget(res); !slices.Equal(got, c.want) {
				t.Fatalf("CAN_ASSUME target from %v, want %v", got, c.want)
			}
			for _, r := range res.Relationships {
				if r["serviceControlPoliciesUnknown"] != nil {
					t.Fatalf("edge %s marked unknown with known SCPs", r.Key())
				}
			}
		})
	}
}

// Unknown is never safe: SCPs that could not be read (or parsed) are not
// "no SCP". Every edge of a governed principal is marked; the exempt
// service-linked role's is not.
func TestUnknownSCPsMarkEdgesAndWarn(t *testing.T) {
	for name, s := range map[string]*instance.SCPs{
		"unreadable":  {Status: instance.SCPUnknown, Reason: "organizations:ListPoliciesForTarget failed"},
		"unparseable": scps([]string{`{"Statement": 5}`}),
	} {
		t.Run(name, func(t *testing.T) {
			res := AnalyzeWith(scpFixture(t).j, Options{SCPs: NewSCPSet(acct, s)})
			if got := canAssumeTarget(res); len(got) != 3 {
				t.Fatalf("edges %v: unknown SCPs must not remove edges", got)
			}
			for _, r := range res.Relationships {
				marked := r["serviceControlPoliciesUnknown"] == true
				// Service principals' edges (the other roles' trusts) are
				// not SCP-governed either.
				exempt := serviceLinked(r.FromKey()) || r.Type() == "aws_iam_service_principal_can_assume_role"
				if marked == exempt {
					t.Fatalf("edge %s: marked %v", r.Key(), marked)
				}
			}
			if res.Counts["serviceControlPoliciesUnknown"] != 1 || len(res.Warnings) == 0 {
				t.Fatalf("counts %v warnings %v", res.Counts, res.Warnings)
			}
		})
	}
}
