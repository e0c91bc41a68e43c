package privesc

import (
	"strings"
	"testing"

	"github.com/awsgraph/awsgraph/internal/analysis/trust"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/policy"
)

const acct = "111122223333"

// fx builds an IAM graph shaped like fetch-iam's output (plus Lambda
// functions and instance-role edges), then adds the trust analysis's
// output, as the engine would before this step runs.
type fx struct {
	t testing.TB
	j *engine.Job
}

func newFx(t testing.TB) *fx { return &fx{t: t, j: engine.NewJob()} }

func (f *fx) add(e graph.Entity) graph.Entity {
	if err := f.j.AddEntity(e); err != nil {
		f.t.Fatal(err)
	}
	return e
}

func (f *fx) rel(r graph.Relationship) {
	if err := f.j.AddRelationship(r); err != nil {
		f.t.Fatal(err)
	}
}

func arn(kind, name string) string { return "arn:aws:iam::" + acct + ":" + kind + "/" + name }

type opt func(graph.Entity)

func withBoundary(policyArn string) opt {
	return func(e graph.Entity) { e["permissionsBoundaryArn"] = policyArn }
}

func withTag(k, v string) opt {
	return func(e graph.Entity) { e.SetTags(map[string]string{k: v}) }
}

// withPassword sets the credential report's passwordEnabled.
func withPassword(has bool) opt {
	return func(e graph.Entity) { e.Set("passwordEnabled", has) }
}

// withKeys gives the user n access keys in the credential report.
func withKeys(n int) opt {
	return func(e graph.Entity) {
		for i := 1; i <= n; i++ {
			e.Set("accessKey"+string(rune('0'+i))+"LastRotatedOn", int64(1700000000000))
		}
	}
}

// unreported: the user's credential-report values were not read.
func unreported() opt {
	return func(e graph.Entity) { delete(e, "passwordEnabled") }
}

func withProfile() opt {
	return func(e graph.Entity) {
		e.Set("instanceProfileArns", []string{"arn:aws:iam::" + acct + ":instance-profile/" + e.String("name")})
	}
}

// user creates a user with inline policy documents.
func (f *fx) user(name string, docs []string, opts ...opt) graph.Entity {
	e := graph.NewEntity(arn("user", name), UserType, []string{"User"}, name)
	e.Set("accountId", acct).Set("userId", "AIDA"+strings.ToUpper(name)).Set("permissionsBoundaryArn", nil)
	// The User properties the data model requires, as iam.NewUserEntity sets them.
	e.Set("username", []string{name}).Set("shortLoginId", []string{name}).Set("email", nil).Set("firstName", nil).Set("lastName", nil)
	e.Set("passwordEnabled", false) // the credential report: no password, no access key
	for _, o := range opts {
		o(e)
	}
	f.add(e)
	f.inline(e, docs)
	return e
}

// role creates a role (path may contain slashes) with a trust policy.
func (f *fx) role(name, trustDoc string, docs []string, opts ...opt) graph.Entity {
	e := graph.NewEntity(arn("role", name), RoleType, []string{"AccessRole"}, name)
	e.Set("accountId", acct).Set("roleId", "AROA"+strings.ToUpper(name)).Set("permissionsBoundaryArn", nil)
	e.Set("assumeRolePolicyDocument", trustDoc)
	for _, o := range opts {
		o(e)
	}
	f.add(e)
	f.inline(e, docs)
	return e
}

func (f *fx) inline(owner graph.Entity, docs []string) {
	typ := map[string]string{UserType: trust.UserPolicyType, trust.GroupType: trust.GroupPolicyType, RoleType: trust.RolePolicyType}[owner.Type()]
	for i, d := range docs {
		p := graph.NewEntity(owner.Key()+"|inline-policy|p"+string(rune('0'+i)), typ, []string{"AccessPolicy"}, "p")
		p.Set("document", d)
		f.add(p)
		f.rel(graph.Direct(owner, "ASSIGNED", p, nil))
	}
}

func (f *fx) group(name string, docs []string, members ...graph.Entity) graph.Entity {
	g := f.add(graph.NewEntity(arn("group", name), GroupType, []string{"UserGroup"}, name))
	f.inline(g, docs)
	for _, u := range members {
		f.rel(graph.Direct(g, "HAS", u, nil))
	}
	return g
}

// managed creates a managed policy (key = ARN; "" document = unknown).
func (f *fx) managed(policyArn, doc string, owners ...graph.Entity) graph.Entity {
	p := graph.NewEntity(policyArn, trust.ManagedPolicyType, []string{"AccessPolicy"}, policyArn)
	if doc != "" {
		p.Set("document", doc)
	}
	f.add(p)
	for _, o := range owners {
		f.rel(graph.Direct(o, "ASSIGNED", p, nil))
	}
	return p
}

// versions gives managed policy p, already in the job, non-default
// versions (v1, v2, ... as fetch-iam stores them).
func (f *fx) versions(p graph.Entity, docs ...string) {
	var ids []string
	for i := range docs {
		ids = append(ids, "v"+string(rune('1'+i)))
	}
	f.j.SetProperties(p.Key(), map[string]any{"nonDefaultVersionIds": ids, "nonDefaultVersionDocuments": docs})
}

func (f *fx) function(name string, role graph.Entity) {
	fn := "arn:aws:lambda:us-east-1:" + acct + ":function:" + name
	e := graph.NewEntity(fn, FunctionType, []string{"Function"}, name)
	e.Set("arn", fn).Set("role", role.Key()).Set("region", "us-east-1")
	f.add(e)
}

func (f *fx) instance(id string, role graph.Entity) {
	ia := "arn:aws:ec2:us-east-1:" + acct + ":instance/" + id
	e := graph.NewEntity(ia, "aws_ec2_instance", []string{"Host"}, id)
	e.Set("arn", ia).Set("region", "us-east-1").Set("category", []string{"server"})
	for _, p := range []string{"hostname", "ipv4Addresses", "ipv6Addresses", "macAddresses", "publicIpAddresses", "privateIpAddresses",
		"fqdn", "serial", "deviceId", "lastSeenOn", "make", "model", "osName", "osType", "osDetails", "osVersion"} {
		e.Set(p, nil) // the Host properties the data model requires (nullable)
	}
	f.add(e)
	f.rel(graph.DirectByKey(ia, "aws_ec2_instance", "USES", role.Key(), RoleType, nil))
}

// analyze runs the trust analysis into the job, then this analysis.
func (f *fx) analyze(opts Options) *Result {
	tr := trust.Analyze(f.j)
	for _, e := range tr.Entities {
		if !f.j.HasKey(e.Key()) {
			f.add(e)
		}
	}
	for _, r := range tr.Relationships {
		f.rel(r)
	}
	return Analyze(f.j, opts)
}

// Policy helpers.

func doc(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func allow(action, resource string) string {
	return `{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}`
}

func allowIf(action, resource, cond string) string {
	return `{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `","Condition":` + cond + `}`
}

func deny(action, resource string) string {
	return `{"Effect":"Deny","Action":"` + action + `","Resource":"` + resource + `"}`
}

func trustAWS(principal string) string {
	return doc(`{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"sts:AssumeRole"}`)
}

func trustService(svc string) string {
	return doc(`{"Effect":"Allow","Principal":{"Service":"` + svc + `"},"Action":"sts:AssumeRole"}`)
}

var (
	adminDoc = doc(allow("*", "*"))
	nobody   = trustAWS("arn:aws:iam::999999999999:root")
)

func scps(docs ...string) Options {
	var level []*policy.Document
	for _, d := range docs {
		level = append(level, policy.MustParse(d))
	}
	return Options{SCPs: map[string][][]*policy.Document{acct: {level}}}
}
