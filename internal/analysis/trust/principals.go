package trust

import (
	"sort"
	"strings"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/policy"
)

// Graph is the part of the collected graph the analysis reads
// (*engine.Job satisfies it).
type Graph interface {
	EntitiesOfType(typ string) []graph.Entity
	RelationshipsOfType(typ string) []graph.Relationship
	Entity(key string) (graph.Entity, bool)
}

// assumeAction is what an IAM principal calls to assume a role.
const assumeAction = "sts:AssumeRole"

// principal is one collected IAM user or role as a requester of
// sts:AssumeRole: its identity policies, boundary and request context.
type principal struct {
	idx     int
	key     string // the ARN
	typ     string // UserType or RoleType
	account string
	docs    []*policy.Document
	// boundary is nil without a permissions boundary. boundaryUnknown: the
	// principal has a boundary whose document was not collected; it is
	// evaluated without it and its edges say so.
	boundary        []*policy.Document
	boundaryUnknown bool
	// unknownPolicies counts assigned policies whose document is unknown
	// (identity allows may be missing, so edges may be missing).
	unknownPolicies int
	ctx             policy.Context
	// plain: no identity or boundary document has a condition or a policy
	// variable, so the decision does not depend on the request context;
	// sig identifies the account and policy set (principals with equal
	// sig and plain get equal decisions from a plain trust policy).
	plain bool
	sig   string
	// scope: the role ARNs its identity policies could allow
	// sts:AssumeRole on (a superset; Evaluate decides).
	scope assumeScope
	// policyKeys: the keys of every policy entity in effect (own and, for
	// users, the groups'), sorted; groups: a user's group keys.
	policyKeys []string
	groups     []string
	entity     graph.Entity
}

// assumeScope is what an identity policy set could allow sts:AssumeRole on.
type assumeScope = policy.AllowScope

// docInfo is a parsed policy entity.
type docInfo struct {
	doc   *policy.Document // nil when unknown or unparsable
	scope assumeScope
	plain bool // no conditions, no policy variables
}

// isPlain reports whether d has no condition and no policy variable in
// Resource/NotResource, so its statements apply the same to every request
// context.
func isPlain(d *policy.Document) bool {
	for _, s := range d.Statements {
		if len(s.Conditions) > 0 {
			return false
		}
		for _, r := range s.Resource {
			if strings.Contains(r, "${") {
				return false
			}
		}
		for _, r := range s.NotResource {
			if strings.Contains(r, "${") {
				return false
			}
		}
	}
	return true
}

// parser parses policy entities once.
type parser struct {
	g        Graph
	docs     map[string]*docInfo
	counts   map[string]int
	warnings *[]string
}

// policyDoc returns the parsed document of a policy entity (managed or
// inline); doc is nil when the entity is absent, its document unknown or
// unparsable (counted and warned).
func (p *parser) policyDoc(key string) *docInfo {
	if d, ok := p.docs[key]; ok {
		return d
	}
	d := &docInfo{}
	p.docs[key] = d
	e, ok := p.g.Entity(key)
	if !ok {
		p.counts["policiesNotCollected"]++
		return d
	}
	text, _ := e["document"].(string)
	if text == "" {
		p.counts["policiesWithUnknownDocument"]++
		return d
	}
	doc, err := policy.ParseEncoded(text)
	if err != nil {
		p.counts["unparsablePolicyDocuments"]++
		*p.warnings = append(*p.warnings, "policy "+key+": document does not parse, ignored by the trust analysis: "+err.Error())
		return d
	}
	doc.Name = key
	d.doc = doc
	d.scope = policy.ScopeOf(assumeAction, doc)
	d.plain = isPlain(doc)
	return d
}

// accountOf returns the account field of an ARN.
func accountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 {
		return parts[4]
	}
	return ""
}

func partitionOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && parts[1] != "" {
		return parts[1]
	}
	return "aws"
}

// roleDecidable: a role's requests are made by its sessions, whose
// aws:userid is "ROLEID:session-name" (chosen by the caller), so it is
// unknown; the other principal keys are known from the graph.
func roleDecidable(k string) bool {
	return !strings.EqualFold(k, "aws:userid") && policy.DefaultDecidable(k)
}

// principalContext builds the request context AWS would set for a request
// by the entity: policy.PrincipalContext plus aws:userid (users) and
// aws:PrincipalTag/<key> from the entity's tags (graph.Entity.Tags).
func principalContext(e graph.Entity, typ string) policy.Context {
	vals := policy.PrincipalContext(e.Key())
	if typ == UserType {
		if id := e.String("userId"); id != "" {
			vals["aws:userid"] = []string{id}
		}
	}
	for k, s := range e.Tags() { // by AWS tag key (graph.TagProperty may rewrite the property name)
		vals["aws:PrincipalTag/"+k] = []string{s}
	}
	ctx := policy.Context{Values: vals}
	if typ == RoleType {
		ctx.Decidable = roleDecidable
	}
	return ctx
}

// loadPrincipals builds every collected user and role with its identity
// policies (own inline and managed, and for users their groups' inline and
// managed) and boundary.
func loadPrincipals(g Graph, p *parser) []*principal {
	assigned, groupsOf := assignments(g)
	var out []*principal
	for _, typ := range []string{UserType, RoleType} {
		for _, e := range g.EntitiesOfType(typ) {
			out = append(out, loadPrincipal(e, typ, len(out), assigned, groupsOf, p))
		}
	}
	return out
}

// assignments reads the ASSIGNED and group HAS user edges: principal or
// group key -> policy keys, and user key -> group keys.
func assignments(g Graph) (assigned, groupsOf map[string][]string) {
	assigned = map[string][]string{}
	groupsOf = map[string][]string{}
	for _, t := range followedRelationshipTy {
		for _, r := range g.RelationshipsOfType(t) {
			if r.Mapping() != nil {
				continue
			}
			if t == relGroupHasUser {
				groupsOf[r.ToKey()] = append(groupsOf[r.ToKey()], r.FromKey())
			} else {
				assigned[r.FromKey()] = append(assigned[r.FromKey()], r.ToKey())
			}
		}
	}
	return assigned, groupsOf
}

// loadPrincipal builds one user or role (idx is its index in the list).
func loadPrincipal(e graph.Entity, typ string, idx int, assigned, groupsOf map[string][]string, p *parser) *principal {
	pr := &principal{idx: idx, key: e.Key(), typ: typ, account: e.String("accountId"), entity: e}
	if pr.account == "" {
		pr.account = accountOf(pr.key)
	}
	keys := append([]string(nil), assigned[pr.key]...)
	pr.groups = append([]string(nil), groupsOf[pr.key]...)
	for _, gk := range pr.groups {
		keys = append(keys, assigned[gk]...)
	}
	sort.Strings(keys)
	seen := map[string]bool{}
	pr.plain = true
	var sig strings.Builder
	sig.WriteString(pr.account)
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		pr.policyKeys = append(pr.policyKeys, k)
		sig.WriteString("\x00")
		sig.WriteString(k)
		d := p.policyDoc(k)
		if d.doc == nil {
			pr.unknownPolicies++
			continue
		}
		pr.docs = append(pr.docs, d.doc)
		pr.plain = pr.plain && d.plain
		pr.scope.Merge(d.scope)
	}
	if b := e.String("permissionsBoundaryArn"); b != "" {
		sig.WriteString("\x01")
		sig.WriteString(b)
		if d := p.policyDoc(b); d.doc != nil {
			pr.boundary = []*policy.Document{d.doc}
			pr.plain = pr.plain && d.plain
		} else {
			pr.boundaryUnknown = true
			p.counts["principalsWithUnknownBoundary"]++
		}
	}
	pr.sig = sig.String()
	pr.ctx = principalContext(e, typ)
	return pr
}

// accountIndex finds the principals of one account whose identity policies
// could allow sts:AssumeRole on a given role ARN.
type accountIndex struct {
	any       []*principal
	exact     map[string][]*principal // patterns without wildcards
	byPattern map[string][]*principal // patterns with wildcards
	patterns  []pattern               // the keys of byPattern, sorted
}

// pattern is a Resource pattern with its literal prefix (up to the first
// wildcard), which every matching ARN starts with.
type pattern struct {
	text, prefix string
}

func indexAccounts(ps []*principal) map[string]*accountIndex {
	out := map[string]*accountIndex{}
	for _, p := range ps {
		ix := out[p.account]
		if ix == nil {
			ix = &accountIndex{exact: map[string][]*principal{}, byPattern: map[string][]*principal{}}
			out[p.account] = ix
		}
		if p.scope.Any {
			ix.any = append(ix.any, p)
			continue
		}
		seen := map[string]bool{}
		for _, pat := range p.scope.Patterns {
			if seen[pat] {
				continue
			}
			seen[pat] = true
			w := strings.IndexAny(pat, "*?")
			if w < 0 {
				ix.exact[pat] = append(ix.exact[pat], p)
				continue
			}
			if _, ok := ix.byPattern[pat]; !ok {
				ix.patterns = append(ix.patterns, pattern{text: pat, prefix: pat[:w]})
			}
			ix.byPattern[pat] = append(ix.byPattern[pat], p)
		}
	}
	for _, ix := range out {
		sort.Slice(ix.patterns, func(i, j int) bool { return ix.patterns[i].text < ix.patterns[j].text })
	}
	return out
}

// candidates calls fn for each principal whose identity scope may cover
// roleArn (a principal may be reported more than once).
func (ix *accountIndex) candidates(roleArn string, fn func(*principal)) {
	for _, p := range ix.any {
		fn(p)
	}
	for _, p := range ix.exact[roleArn] {
		fn(p)
	}
	for _, pat := range ix.patterns {
		if strings.HasPrefix(roleArn, pat.prefix) && policy.MatchResource(pat.text, roleArn) {
			for _, p := range ix.byPattern[pat.text] {
				fn(p)
			}
		}
	}
}
