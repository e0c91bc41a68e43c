package privesc

import (
	"sort"
	"strings"

	"github.com/awsgraph/awsgraph/internal/analysis/trust"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/policy"
)

// Options tune the analysis.
type Options struct {
	// SCPs are the service control policies per account id, root level
	// first (policy.Input.SCPs): those `awsgraph org` carries in the
	// instance event for the collected account.
	SCPs map[string][][]*policy.Document
	// RegionalInputsIncomplete: the Lambda functions or EC2 instances were
	// not all read, so the code-takeover techniques cannot be decided: the
	// principals that might use them are answered as unknown.
	RegionalInputsIncomplete bool
}

// node is one collected user or role.
type node struct {
	p   *trust.Principal
	in  input
	arn string
	// unknown: some of its policies or its boundary could not be read;
	// nothing is derived from its requests.
	unknown bool
	// takeoverUnknown: its policies are known, but it may take over code
	// in Lambda functions or instances that were not all read: its own
	// values (isAdmin) and its edges are derived; whether it can become an
	// administrator is unknown unless a path is found anyway.
	takeoverUnknown bool
	admin           outcome
	withAll         *outcome // adminWithAll, once
	// tagCtx, boundaryCtx: its request context as a target, once.
	tagCtx, boundaryCtx map[string][]string
	scopes              map[string]scope
	memo                map[[2]string]outcome // target-independent requests
}

// cached evaluates a request by n that does not depend on the target
// (a service action on the resource type's wildcard ARN), once.
func (n *node) cached(action, resource string) outcome {
	k := [2]string{action, resource}
	if o, ok := n.memo[k]; ok {
		return o
	}
	o := request(n.p, n.in, action, resource, nil, nil)
	n.memo[k] = o
	return o
}

func (n *node) scope(action string) scope {
	s, ok := n.scopes[action]
	if !ok {
		s = scopeOf(n.in.identity, action)
		n.scopes[action] = s
	}
	return s
}

// short is the readable name of a principal in a path: the resource part
// of its ARN (user/alice, role/path/admin).
func (n *node) short() string {
	if parts := strings.SplitN(n.arn, ":", 6); len(parts) == 6 {
		return parts[5]
	}
	return n.arn
}

// Edge is one escalation: From can gain To's permissions (category
// "become") or give To any permission (category "grant").
type Edge struct {
	From, To  *node
	Technique string
	Category  string
	Actions   []string
	Resource  string // what the technique acts on
	outcome
}

const (
	catBecome = "become"
	catGrant  = "grant"
	catAssume = "assume" // CAN_ASSUME, read from the trust analysis
)

// Result is what the analysis derives.
type Result struct {
	Edges []*Edge
	// Props are the derived properties per principal key; Unknown lists the
	// principals whose closure values (canBecomeAdmin, adminPath...) could
	// not be computed, AdminUnknown those of them whose isAdmin could not be
	// either (their policies were not all read): kept from the previous
	// run, sorted.
	Props        map[string]map[string]any
	Unknown      []string
	AdminUnknown []string
	// UnknownSources: principals with unreadable inputs, whose escalation
	// edges are not derived this run.
	UnknownSources []string
	Counts         map[string]int
	Warnings       []string
}

type analyzer struct {
	g       trust.Graph
	model   *trust.Model
	nodes   []*node
	byArn   map[string]*node
	users   []*node
	roles   []*node
	groups  map[string][]*node // group key -> member users
	edges   []*Edge
	seen    map[string]*Edge
	assumes map[*node][]*Edge // CAN_ASSUME out-edges
	// services: role -> service principals that CAN_ASSUME it.
	services map[*node]map[string]outcome
	counts   map[string]int
	matches  map[string][]*node // targets' cache
	// versionDocs: managed policy key -> its parsed non-default versions.
	versionDocs map[string][]*policy.Document
	// adminPolicies: partition -> the managed policies that alone make a
	// principal an administrator (attachable).
	adminPolicies map[string][]adminPolicy
}

// Analyze derives administrators, escalation edges and the closure from g.
func Analyze(g trust.Graph, opts Options) *Result {
	a := &analyzer{g: g, model: trust.LoadModel(g), byArn: map[string]*node{}, groups: map[string][]*node{},
		seen: map[string]*Edge{}, matches: map[string][]*node{}, versionDocs: map[string][]*policy.Document{}, adminPolicies: map[string][]adminPolicy{}, assumes: map[*node][]*Edge{}, services: map[*node]map[string]outcome{}}
	a.counts = a.model.Counts
	for _, p := range a.model.Principals {
		n := &node{p: p, arn: p.Key, unknown: p.InputsUnknown(), scopes: map[string]scope{}, memo: map[[2]string]outcome{},
			in: input{identity: p.Identity, boundary: p.Boundary, scps: opts.SCPs[p.Account]}}
		a.nodes = append(a.nodes, n)
		a.byArn[n.arn] = n
		if p.Type == UserType {
			a.users = append(a.users, n)
			for _, gk := range p.Groups {
				a.groups[gk] = append(a.groups[gk], n)
			}
		} else {
			a.roles = append(a.roles, n)
		}
	}
	for _, list := range [][]*node{a.users, a.roles} {
		sort.Slice(list, func(i, j int) bool { return list[i].arn < list[j].arn })
	}
	for _, n := range a.nodes {
		if !n.unknown {
			n.admin = request(n.p, n.in, AdminProbeAction, "*", nil, nil)
		}
	}
	if opts.RegionalInputsIncomplete {
		for _, n := range a.nodes {
			if !n.unknown && !(n.admin.ok && !n.admin.cond) && a.mayTakeOver(n) {
				n.takeoverUnknown = true
				a.counts["principalsWithIncompleteTakeoverInputs"]++
			}
		}
	}
	a.readAssumes()
	for _, n := range a.nodes {
		if n.unknown || (n.admin.ok && !n.admin.cond) {
			continue // nothing known to derive, or nothing to gain
		}
		a.credentials(n)
		a.trustUpdate(n)
		a.passRole(n)
		a.takeover(n)
		a.policyGrants(n)
		a.groupGrants(n)
		a.policyVersions(n)
		a.boundaries(n)
	}
	sortEdges(a.edges) // deterministic output and tie-breaking between equal paths
	res := &Result{Edges: a.edges, Counts: a.counts, Warnings: a.model.Warnings}
	a.close(res)
	return res
}

// add records an edge, one per (from, technique, to): an unconditional
// one replaces a conditional one.
func (a *analyzer) add(e *Edge) {
	if !e.ok {
		return
	}
	k := e.From.arn + "|" + e.Technique + "|" + e.To.arn
	if old, ok := a.seen[k]; ok {
		if old.cond && !e.cond {
			*old = *e
		}
		return
	}
	a.seen[k] = e
	a.edges = append(a.edges, e)
}

// readAssumes reads the trust analysis's CAN_ASSUME edges between collected
// principals, and which service principals can assume each role.
func (a *analyzer) readAssumes() {
	for _, t := range []string{trust.UserCanAssumeType, trust.RoleCanAssumeType, trust.ServiceCanAssumeType} {
		for _, r := range a.g.RelationshipsOfType(t) {
			if r.Mapping() != nil {
				continue
			}
			to := a.byArn[r.ToKey()]
			if to == nil {
				continue
			}
			o := yes
			if c, _ := r["conditional"].(bool); c {
				keys, _ := graph.SplitList(r["conditionKeys"])
				o = outcome{ok: true, cond: true, keys: keys}
			}
			if t == trust.ServiceCanAssumeType {
				svc := strings.TrimPrefix(r.FromKey(), "service-principal:")
				if a.services[to] == nil {
					a.services[to] = map[string]outcome{}
				}
				a.services[to][svc] = o
				continue
			}
			from := a.byArn[r.FromKey()]
			if from == nil || from.unknown {
				continue // edges of a principal with unreadable policies are not known
			}
			a.assumes[from] = append(a.assumes[from], &Edge{From: from, To: to, Technique: "sts:AssumeRole",
				Category: catAssume, Actions: []string{"sts:AssumeRole"}, Resource: to.arn, outcome: o})
		}
	}
}

// targets calls fn once for each principal of list (a.users or a.roles)
// that action's scope in n's policies may cover. Pattern matches are
// computed once per (list, pattern) for all principals: each pattern is
// matched only against the ARNs that start with its literal prefix.
func (a *analyzer) targets(n *node, action string, list []*node, fn func(t *node)) {
	sc := n.scope(action)
	if sc.Any {
		for _, t := range list {
			fn(t)
		}
		return
	}
	if len(sc.Patterns) == 0 {
		return
	}
	var seen map[*node]bool
	if len(sc.Patterns) > 1 {
		seen = map[*node]bool{}
	}
	for _, pat := range sc.Patterns {
		for _, t := range a.matching(list, pat) {
			if seen != nil {
				if seen[t] {
					continue
				}
				seen[t] = true
			}
			fn(t)
		}
	}
}

// matching returns the principals of list (sorted by ARN) whose ARN pat
// matches, cached.
func (a *analyzer) matching(list []*node, pat string) []*node {
	if len(list) == 0 {
		return nil
	}
	key := list[0].p.Type + "\x00" + pat
	if m, ok := a.matches[key]; ok {
		return m
	}
	prefix := pat
	if w := strings.IndexAny(pat, "*?"); w >= 0 {
		prefix = pat[:w]
	}
	i := sort.Search(len(list), func(i int) bool { return list[i].arn >= prefix })
	var out []*node
	for ; i < len(list) && strings.HasPrefix(list[i].arn, prefix); i++ {
		if policy.MatchResource(pat, list[i].arn) {
			out = append(out, list[i])
		}
	}
	a.matches[key] = out
	return out
}

// adminWith decides whether t would be an administrator with its inputs
// changed by an attacker: extra identity documents, or its boundary lifted
// (noBoundary).
func (a *analyzer) adminWith(t *node, extra []*policy.Document, noBoundary bool) outcome {
	if t.unknown {
		return outcome{}
	}
	in := t.in
	in.identity = append(append([]*policy.Document(nil), in.identity...), extra...)
	if noBoundary {
		in.boundary = nil
	}
	return request(t.p, in, AdminProbeAction, "*", nil, nil)
}

// adminWithAll is adminWith(t, allow-all), computed once per target.
func (a *analyzer) adminWithAll(t *node) outcome {
	if t.withAll == nil {
		o := a.adminWith(t, []*policy.Document{allowAll}, false)
		t.withAll = &o
	}
	return *t.withAll
}

// adminReplacing decides whether t would be an administrator with managed
// policy k's document in force replaced by v, wherever k applies to t: as
// an identity policy, as its boundary, or both.
func (a *analyzer) adminReplacing(t *node, k string, v *policy.Document) outcome {
	if t.unknown {
		return outcome{}
	}
	in := t.in
	in.identity = nil
	replaced := false
	for _, d := range t.in.identity {
		if d.Name == k {
			replaced = true
			continue
		}
		in.identity = append(in.identity, d)
	}
	if replaced {
		in.identity = append(in.identity, v)
	}
	if t.p.BoundaryArn == k {
		in.boundary = []*policy.Document{v}
	}
	return request(t.p, in, AdminProbeAction, "*", nil, nil)
}

// sortEdges orders edges by source, type of technique and target.
func sortEdges(es []*Edge) {
	sort.Slice(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.From.arn != b.From.arn {
			return a.From.arn < b.From.arn
		}
		if a.Technique != b.Technique {
			return a.Technique < b.Technique
		}
		return a.To.arn < b.To.arn
	})
}

// mayTakeOver reports whether n's policies could allow a code-takeover
// technique on some resource.
func (a *analyzer) mayTakeOver(n *node) bool {
	for _, action := range []string{"lambda:UpdateFunctionCode", "ssm:SendCommand", "ssm:StartSession"} {
		if !n.scope(action).Empty() {
			return true
		}
	}
	return false
}
