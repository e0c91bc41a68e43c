package trust

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
)

// fixture builds an IAM graph shaped like the fetch-iam step's output.
type fixture struct {
	t    testing.TB
	acct string
	j    *engine.Job
}

func newFixture(t testing.TB, acct string) *fixture {
	f := &fixture{t: t, acct: acct, j: engine.NewJob()}
	a := graph.NewEntity("arn:aws:iam::"+acct+":root", AccountType, []string{"Account"}, acct)
	a.Set("accountId", acct).Set("vendor", "AWS")
	f.add(a)
	return f
}

func (f *fixture) add(e graph.Entity) graph.Entity {
	if err := f.j.AddEntity(e); err != nil {
		f.t.Fatal(err)
	}
	return e
}

func (f *fixture) rel(r graph.Relationship) {
	if err := f.j.AddRelationship(r); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) arn(kind, name string) string {
	return "arn:aws:iam::" + f.acct + ":" + kind + "/" + name
}

// opt customizes a principal entity.
type opt func(graph.Entity)

func tags(kv ...string) opt {
	return func(e graph.Entity) {
		t := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			t[kv[i]] = kv[i+1]
		}
		e.SetTags(t) // as the collector writes them (keys may be rewritten)
	}
}

func boundary(policyArn string) opt {
	return func(e graph.Entity) { e["permissionsBoundaryArn"] = policyArn }
}

func (f *fixture) user(name string, opts ...opt) graph.Entity {
	e := graph.NewEntity(f.arn("user", name), UserType, []string{"User"}, name)
	e.Set("accountId", f.acct).Set("userId", "AIDA"+strings.ToUpper(name)).Set("permissionsBoundaryArn", nil)
	// The User properties data model 0.64.2 requires, as iam.NewUserEntity sets them.
	e.Set("username", []string{name}).Set("shortLoginId", []string{name}).Set("email", nil).Set("firstName", nil).Set("lastName", nil)
	for _, o := range opts {
		o(e)
	}
	return f.add(e)
}

func (f *fixture) role(name, trust string, opts ...opt) graph.Entity {
	e := graph.NewEntity(f.arn("role", name), RoleType, []string{"AccessRole"}, name)
	e.Set("accountId", f.acct).Set("roleId", "AROA"+strings.ToUpper(name)).Set("permissionsBoundaryArn", nil)
	if trust != "" {
		e.Set("assumeRolePolicyDocument", trust)
	} else {
		e.Set("assumeRolePolicyDocument", nil)
	}
	for _, o := range opts {
		o(e)
	}
	return f.add(e)
}

func (f *fixture) group(name string, members ...graph.Entity) graph.Entity {
	g := f.add(graph.NewEntity(f.arn("group", name), GroupType, []string{"UserGroup"}, name))
	for _, u := range members {
		f.rel(graph.Direct(g, "HAS", u, nil))
	}
	return g
}

// inline gives a user, group or role an inline policy.
func (f *fixture) inline(owner graph.Entity, name, doc string) {
	typ := map[string]string{UserType: UserPolicyType, GroupType: GroupPolicyType, RoleType: RolePolicyType}[owner.Type()]
	p := graph.NewEntity(owner.Key()+"|inline-policy|"+name, typ, []string{"AccessPolicy"}, name)
	p.Set("document", doc)
	f.add(p)
	f.rel(graph.Direct(owner, "ASSIGNED", p, nil))
}

// managed creates a customer-managed policy.
func (f *fixture) managed(name, doc string) graph.Entity {
	p := graph.NewEntity("arn:aws:iam::"+f.acct+":policy/"+name, ManagedPolicyType, []string{"AccessPolicy"}, name)
	if doc == "" {
		p.Set("document", nil)
	} else {
		p.Set("document", doc)
	}
	return f.add(p)
}

func (f *fixture) attach(owner, pol graph.Entity) { f.rel(graph.Direct(owner, "ASSIGNED", pol, nil)) }

// edges summarizes the result: "from -> to" plus " ?k1,k2" when
// conditional and " (account)" when viaAccountTrust, sorted. Mapped edges
// show their target filter values as the source.
func edges(res *Result) []string {
	var out []string
	for _, r := range res.Relationships {
		from, to := r.FromKey(), r.ToKey()
		if m := r.Mapping(); m != nil {
			to = m.SourceEntityKey
			if k, ok := m.TargetEntity["_key"].(string); ok && m.TargetFilterKeys[0][0] == "_key" {
				from = "mapped:" + k
			} else {
				from = fmt.Sprintf("mapped:%v:%v", m.TargetEntity["_type"], m.TargetEntity["accountId"])
			}
		}
		s := short(from) + " -> " + short(to)
		if r["conditional"] == true {
			keys, _ := graph.SplitList(r["conditionKeys"])
			s += " ?" + strings.Join(keys, ",")
		}
		if r["viaAccountTrust"] == true {
			s += " (account)"
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// short drops the "arn:aws:iam::ACCT:" prefix of the fixture account.
func short(k string) string {
	if i := strings.Index(k, ":iam::111122223333:"); i >= 0 {
		return k[i+len(":iam::111122223333:"):]
	}
	return k
}

// Policy document helpers.

func doc(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func allowAssume(resource string) string {
	return doc(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"` + resource + `"}`)
}

type graphEntity = graph.Entity

// roleAt creates a role with a path (arn:...:role/<path>/<name>).
func (f *fixture) roleAt(path, name, trust string) graph.Entity {
	e := graph.NewEntity(f.arn("role", path+"/"+name), RoleType, []string{"AccessRole"}, name)
	e.Set("accountId", f.acct).Set("roleId", "AROA"+strings.ToUpper(name)).Set("permissionsBoundaryArn", nil)
	e.Set("assumeRolePolicyDocument", trust)
	return f.add(e)
}
