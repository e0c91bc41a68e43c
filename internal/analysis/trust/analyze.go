package trust

import (
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/policy"
)

// Result is what the analysis derives from the graph.
type Result struct {
	// Entities: the service principal, identity provider and Everyone
	// entities the relationships need (the caller skips keys already in
	// the graph).
	Entities []graph.Entity
	// Relationships are the CAN_ASSUME edges (the effective answer).
	Relationships []graph.Relationship
	// Trusts are the TRUSTS edges, role → principal: what each trust
	// policy's Allow statements name, as written (trusts.go).
	Trusts []graph.Relationship
	// RoleProps are derived role properties (publiclyAssumable, ...).
	RoleProps map[string]map[string]any
	Counts    map[string]int
	Warnings  []string
}

// role is one collected role with its parsed trust policy.
type role struct {
	e       graph.Entity
	arn     string
	account string
	trust   *policy.Document
	// plainTrust: the trust policy has no condition, no NotPrincipal and
	// names no principal ARN, so all principals of one account with the
	// same plain policy set get the same decision (memoized per role).
	plainTrust bool
}

// isPlainTrust reports whether the decision of d for an IAM principal
// depends only on the principal's account and policies.
func isPlainTrust(d *policy.Document) bool {
	if !isPlain(d) {
		return false
	}
	for _, s := range d.Statements {
		if s.NotPrincipal != nil {
			return false
		}
		if s.Principal == nil || s.Principal.Wildcard {
			continue
		}
		for _, v := range s.Principal.AWS {
			if v != "*" && !isAccountPrincipal(v) {
				return false
			}
		}
	}
	return true
}

// isAccountPrincipal: a 12-digit account id or an account root ARN.
func isAccountPrincipal(v string) bool {
	if len(v) == 12 && strings.Trim(v, "0123456789") == "" {
		return true
	}
	return strings.HasPrefix(v, "arn:") && strings.HasSuffix(v, ":root")
}

// allowAll stands for the identity policies of a principal outside the
// collected accounts: we cannot see them, so the edge says "the trust
// policy lets this principal in; its own account must allow it too".
var allowAll = func() *policy.Document {
	d := policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	d.Name = "(identity policies of a principal outside the collected accounts)"
	return d
}()

// Analyze evaluates every collected role's trust policy against the
// principals it names (see the package documentation and README.md).
func Analyze(g Graph) *Result { return AnalyzeWith(g, Options{}) }

// AnalyzeWith is Analyze with the account's service control policies.
func AnalyzeWith(g Graph, opts Options) *Result {
	res := &Result{RoleProps: map[string]map[string]any{}, Counts: map[string]int{}}
	p := &parser{g: g, docs: map[string]*docInfo{}, counts: res.Counts, warnings: &res.Warnings}
	principals := loadPrincipals(g, p)
	byARN := make(map[string]*principal, len(principals))
	for _, pr := range principals {
		byARN[pr.key] = pr
	}
	shared := analyzer{g: g, principals: principals, byARN: byARN, accounts: indexAccounts(principals),
		collected: collectedAccounts(g, principals), scps: opts.SCPs}
	merge(res, analyzeRoles(shared, loadRoles(g, res)))
	if s := opts.SCPs; s != nil {
		if s.Unknown != "" {
			res.Warnings = append(res.Warnings, fmt.Sprintf("service control policies of account %s unknown (%s): CAN_ASSUME edges of its principals are evaluated without them and marked serviceControlPoliciesUnknown", s.Account, s.Unknown))
			res.Counts["serviceControlPoliciesUnknown"] = 1
		} else {
			res.Counts["serviceControlPolicyLevels"] = len(s.Levels)
		}
	}
	res.Counts["canAssumeRelationships"] = len(res.Relationships)
	res.Counts["trustsRelationships"] = len(res.Trusts)
	return res
}

// collectedAccounts is every account the graph holds principals or an
// account entity of: principals of other accounts are foreign (mapped).
func collectedAccounts(g Graph, principals []*principal) map[string]bool {
	collected := map[string]bool{}
	for _, a := range g.EntitiesOfType(AccountType) {
		if id := a.String("accountId"); id != "" {
			collected[id] = true
		}
	}
	for _, pr := range principals {
		collected[pr.account] = true
	}
	return collected
}

// loadRoles parses each role's trust policy; roles without one, or with one
// that does not parse, are counted (and warned about) and left out.
func loadRoles(g Graph, res *Result) []*role {
	var roles []*role
	for _, e := range g.EntitiesOfType(RoleType) {
		r := &role{e: e, arn: e.Key(), account: e.String("accountId")}
		if r.account == "" {
			r.account = accountOf(r.arn)
		}
		text, _ := e["assumeRolePolicyDocument"].(string)
		if text == "" {
			res.Counts["rolesWithoutTrustPolicy"]++
			continue
		}
		doc, err := policy.ParseEncoded(text)
		if err != nil {
			res.Counts["unparsableTrustPolicies"]++
			res.Warnings = append(res.Warnings, fmt.Sprintf("role %s: trust policy does not parse, nobody is shown as able to assume it: %v", r.arn, err))
			continue
		}
		doc.Name = r.arn
		r.trust = doc
		r.plainTrust = isPlainTrust(doc)
		roles = append(roles, r)
	}
	return roles
}

// analyzeRoles analyses roles in parallel: they are independent, so
// contiguous chunks go to one analyzer each (a copy of shared with its own
// result and scratch state), to be merged in role order.
func analyzeRoles(shared analyzer, roles []*role) []*analyzer {
	workers := runtime.GOMAXPROCS(0)
	if len(roles) < 256 {
		workers = 1
	}
	parts := make([]*analyzer, workers)
	var wg sync.WaitGroup
	for w := range parts {
		a := shared
		a.res = &Result{RoleProps: map[string]map[string]any{}, Counts: map[string]int{}}
		a.mark, a.entities, a.relKeys = make([]int, len(shared.principals)), map[string]bool{}, map[string]bool{}
		parts[w] = &a
		lo, hi := w*len(roles)/workers, (w+1)*len(roles)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				a.role(roles[i], i+1)
			}
		}()
	}
	wg.Wait()
	return parts
}

// merge adds the parts' results to res in order, each object once, so the
// output is deterministic.
func merge(res *Result, parts []*analyzer) {
	seenEntity, seenRel := map[string]bool{}, map[string]bool{}
	for _, a := range parts {
		for _, e := range a.res.Entities {
			if !seenEntity[e.Key()] {
				seenEntity[e.Key()] = true
				res.Entities = append(res.Entities, e)
			}
		}
		for _, r := range a.res.Relationships {
			if !seenRel[r.Key()] {
				seenRel[r.Key()] = true
				res.Relationships = append(res.Relationships, r)
			}
		}
		for _, r := range a.res.Trusts {
			if !seenRel[r.Key()] {
				seenRel[r.Key()] = true
				res.Trusts = append(res.Trusts, r)
			}
		}
		for k, v := range a.res.RoleProps {
			res.RoleProps[k] = v
		}
		for k, n := range a.res.Counts {
			res.Counts[k] += n
		}
	}
}

type analyzer struct {
	g          Graph
	res        *Result
	principals []*principal
	byARN      map[string]*principal
	accounts   map[string]*accountIndex
	collected  map[string]bool
	mark       []int // per principal: the stamp of the last role it was a candidate of
	entities   map[string]bool
	relKeys    map[string]bool
	scps       *SCPSet
}

func (a *analyzer) addEntity(e graph.Entity) {
	if !a.entities[e.Key()] {
		a.entities[e.Key()] = true
		a.res.Entities = append(a.res.Entities, e)
	}
}

func (a *analyzer) addRel(r graph.Relationship) {
	if a.relKeys[r.Key()] {
		return
	}
	a.relKeys[r.Key()] = true
	a.res.Relationships = append(a.res.Relationships, r)
}

// trustCandidates is what one role's trust policy names, sorted into who
// is evaluated against it.
type trustCandidates struct {
	principals      []*principal // collected principals, evaluated below
	anyPrincipal    bool         // "*" (or NotPrincipal) trusts everyone
	services        map[string]bool
	providers       map[string]bool
	foreignARNs     map[string]bool
	foreignAccounts map[string]bool
}

// role derives the CAN_ASSUME relationships into one role. stamp is unique
// per role (candidate de-duplication).
func (a *analyzer) role(r *role, stamp int) {
	tc := a.candidatesOf(r, stamp)
	a.evaluatePrincipals(r, tc)
	a.serviceEdges(r, tc.services)
	a.providerEdges(r, tc.providers)
	for _, arn := range sortedSet(tc.foreignARNs) {
		a.foreignPrincipal(r, arn)
	}
	for _, acct := range sortedSet(tc.foreignAccounts) {
		a.foreignAccount(r, acct)
	}
	if tc.anyPrincipal {
		a.everyone(r)
	}
	a.trusts(r)
}

// candidatesOf reads the trust policy's principals; stamp marks the
// principals already taken for this role.
func (a *analyzer) candidatesOf(r *role, stamp int) *trustCandidates {
	tc := &trustCandidates{services: map[string]bool{}, providers: map[string]bool{},
		foreignARNs: map[string]bool{}, foreignAccounts: map[string]bool{}}
	add := func(p *principal) {
		if a.mark[p.idx] != stamp {
			a.mark[p.idx] = stamp
			tc.principals = append(tc.principals, p)
		}
	}
	for _, c := range r.trust.PrincipalCandidates("") {
		switch c.Kind {
		case policy.CandidateAny, policy.CandidateAllExcept:
			tc.anyPrincipal = true
		case policy.CandidateARN:
			a.candidateARN(tc, c.Value, add)
		case policy.CandidateAccount:
			if !a.collected[c.Value] {
				tc.foreignAccounts[c.Value] = true
			} else if ix := a.accounts[c.Value]; ix != nil {
				ix.candidates(r.arn, add)
			}
		case policy.CandidateService:
			tc.services[strings.ToLower(c.Value)] = true
		case policy.CandidateFederated:
			tc.providers[c.Value] = true
		default:
			a.res.Counts["trustPrincipalsUnsupported"]++
		}
	}
	if tc.anyPrincipal {
		// A "*" trust limited to accounts by aws:PrincipalAccount lets in
		// the principals of those accounts: the ones not collected are
		// mapped like a trust naming the account (foreignAccount evaluates
		// the trust policy itself, conditions included).
		for _, acct := range principalAccountValues(r.trust) {
			if !a.collected[acct] {
				tc.foreignAccounts[acct] = true
			}
		}
		// docs/contract.md §4.1: a trust through "*" is a trust through the account, so
		// only principals whose identity policies may allow sts:AssumeRole on
		// this role are candidates (and are checked below).
		for _, ix := range a.accounts {
			ix.candidates(r.arn, add)
		}
	}
	sort.Slice(tc.principals, func(i, j int) bool { return tc.principals[i].key < tc.principals[j].key })
	return tc
}

// candidateARN sorts a principal named by ARN: collected, foreign, or one
// the graph cannot hold (counted).
func (a *analyzer) candidateARN(tc *trustCandidates, arn string, add func(*principal)) {
	if p, ok := a.byARN[arn]; ok {
		add(p)
		return
	}
	switch {
	case !strings.HasPrefix(arn, "arn:"):
		// AWS shows a principal's unique id (AIDA..., AROA...) in
		// place of its ARN once that principal is deleted.
		a.res.Counts["trustPrincipalsDeleted"]++
	case a.collected[accountOf(arn)]:
		// A principal of a collected account that is not in the
		// graph: an assumed-role or federated-user session, or a
		// principal deleted and recreated.
		a.res.Counts["trustPrincipalsNotCollected"]++
	default:
		tc.foreignARNs[arn] = true
	}
}

// evaluatePrincipals adds CAN_ASSUME for each collected candidate AWS allows.
func (a *analyzer) evaluatePrincipals(r *role, tc *trustCandidates) {
	// docs/contract.md §4.1 treats a "*" trust as a trust through the account: a collected
	// principal is evaluated against the trust policy with "*" read as its
	// own account's root, so its identity policies (within its boundary) must
	// allow the call too. (The policy library, following the IAM docs on
	// resource policies, would otherwise let "*" stand for a direct grant.)
	starTrusts := map[string]*policy.Document{}
	trustFor := func(account string) *policy.Document {
		if !tc.anyPrincipal {
			return r.trust
		}
		d, ok := starTrusts[account]
		if !ok {
			d = wildcardAsAccount(r.trust, partitionOf(r.arn), account)
			starTrusts[account] = d
		}
		return d
	}
	// Principals with the same policies (plain ones, signature p.sig) get the
	// same answer from a plain trust: evaluate once per signature.
	var memos map[string]pairMemo
	if r.plainTrust {
		memos = map[string]pairMemo{}
	}
	for _, p := range tc.principals {
		a.res.Counts["pairsConsidered"]++
		scps, exempt, scpUnknown := a.scpsFor(p)
		memoKey := p.account + "|" + p.sig
		if exempt {
			memoKey += "|scp-exempt"
		}
		m, hit := memos[memoKey]
		if !hit || !p.plain {
			a.res.Counts["pairsEvaluated"]++
			m = a.evaluatePair(r, p, trustFor(p.account), scps, scpUnknown)
			if memos != nil && p.plain {
				memos[memoKey] = m
			}
		}
		if m.ok {
			// DirectByKey copies props, so one map serves every edge.
			a.addRel(graph.DirectByKey(p.key, p.typ, Class, r.arn, RoleType, m.props))
		}
	}
}

type pairMemo struct {
	props map[string]any
	ok    bool
}

// evaluatePair asks the evaluator whether p may assume r and builds the
// edge's properties.
func (a *analyzer) evaluatePair(r *role, p *principal, trust *policy.Document, scps [][]*policy.Document, scpUnknown bool) pairMemo {
	in := policy.Input{IdentityPolicies: p.docs, ResourcePolicy: trust, PermissionBoundaries: p.boundary, SCPs: scps}
	res := policy.Evaluate(in, policy.Request{Principal: p.key, Action: assumeAction, Resource: r.arn, Context: p.ctx})
	props, ok := edgeProps(res, r.trust, assumeAction)
	if !ok {
		return pairMemo{props, false}
	}
	props["viaAccountTrust"] = !namedDirectly(res, r.trust, p.key)
	if p.boundaryUnknown {
		props["permissionsBoundaryUnknown"] = true
	}
	if p.unknownPolicies > 0 {
		props["identityPoliciesUnknown"] = p.unknownPolicies
	}
	if scpUnknown {
		props["serviceControlPoliciesUnknown"] = true
	}
	return pairMemo{props, true}
}

// serviceEdges adds Service CAN_ASSUME role for each service principal the
// trust allows.
func (a *analyzer) serviceEdges(r *role, services map[string]bool) {
	for _, svc := range sortedSet(services) {
		res := policy.Evaluate(policy.Input{ResourcePolicy: r.trust}, policy.Request{
			Principal: svc, Action: assumeAction, Resource: r.arn,
			Context: policy.Context{Values: policy.PrincipalContext(svc)},
		})
		props, ok := edgeProps(res, r.trust, assumeAction)
		if !ok {
			continue
		}
		props["viaAccountTrust"] = false // named in Principal.Service
		e := ServicePrincipalEntity(svc)
		a.addEntity(e)
		a.addRel(graph.DirectByKey(e.Key(), ServicePrincipalType, Class, r.arn, RoleType, props))
	}
}

// providerEdges adds provider CAN_ASSUME role for each federated provider
// the trust allows (SAML or web identity, by the provider's action).
func (a *analyzer) providerEdges(r *role, providers map[string]bool) {
	for _, prov := range sortedSet(providers) {
		action := providerAction(prov)
		res := policy.Evaluate(policy.Input{ResourcePolicy: r.trust}, policy.Request{
			Principal: prov, Action: action, Resource: r.arn,
			Context: policy.Context{Values: policy.PrincipalContext(prov)},
		})
		props, ok := edgeProps(res, r.trust, action)
		if !ok {
			continue
		}
		props["viaAccountTrust"] = false // named in Principal.Federated
		e := ProviderEntity(prov)
		a.addEntity(e)
		a.addRel(graph.DirectByKey(e.Key(), e.Type(), Class, r.arn, RoleType, props))
	}
}

// foreignContext is the context of a principal outside the collected
// accounts: what its ARN tells (policy.PrincipalContext), nothing else (its
// tags, unique id and, for sessions, its role path are unknown).
func foreignContext(arn string) policy.Context {
	vals := policy.PrincipalContext(arn)
	return policy.Context{Values: vals, Decidable: func(k string) bool {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "aws:principaltag/") || lk == "aws:userid" {
			return false
		}
		if lk == "aws:principalarn" {
			_, ok := vals["aws:PrincipalArn"]
			return ok
		}
		return policy.DefaultDecidable(k)
	}}
}

// foreignPrincipal maps a principal of an account that was not collected
// and that the trust policy names by ARN. Users and roles become mapped
// aws_iam_user / aws_iam_role targets (by `_key` = ARN); other principals
// (assumed-role sessions, federated users) their account, with the ARN on
// the edge.
func (a *analyzer) foreignPrincipal(r *role, arn string) {
	res := policy.Evaluate(policy.Input{IdentityPolicies: []*policy.Document{allowAll}, ResourcePolicy: r.trust},
		policy.Request{Principal: arn, Action: assumeAction, Resource: r.arn, Context: foreignContext(arn)})
	props, ok := edgeProps(res, r.trust, assumeAction)
	if !ok {
		return
	}
	props["viaAccountTrust"] = false
	props["principalArn"] = arn
	acct := accountOf(arn)
	parts := strings.SplitN(arn, ":", 6)
	kind := ""
	if len(parts) == 6 && parts[2] == "iam" {
		switch {
		case strings.HasPrefix(parts[5], "user/"):
			kind = UserType
		case strings.HasPrefix(parts[5], "role/"):
			kind = RoleType
		}
	}
	if kind == "" {
		a.addRel(mappedAccount(r, partitionOf(arn), acct, props))
		return
	}
	name := arn[strings.LastIndexByte(arn, '/')+1:]
	cls := "User"
	relType := UserCanAssumeType
	if kind == RoleType {
		cls, relType = "AccessRole", RoleCanAssumeType
	}
	target := map[string]any{"_type": kind, "_class": cls, "_key": arn, "arn": arn, "accountId": acct, "name": name, "displayName": name}
	a.res.Counts["foreignPrincipalRelationships"]++
	a.addRel(graph.Mapped(relType, Class, r.e, graph.Reverse, target, []string{"_key"}, false, props))
}

// foreignAccount maps "any principal of account acct" (trusted through the
// account root or id) when acct was not collected: the principals are not
// known, so the edge goes to the account, whose administrators decide who
// of them may call sts:AssumeRole.
func (a *analyzer) foreignAccount(r *role, acct string) {
	part := partitionOf(r.arn)
	root := "arn:" + part + ":iam::" + acct + ":root"
	ctx := policy.Context{
		Values: map[string][]string{"aws:PrincipalAccount": {acct}, "aws:PrincipalIsAWSService": {"false"}},
		Decidable: func(k string) bool {
			return strings.EqualFold(k, "aws:PrincipalAccount") || strings.EqualFold(k, "aws:PrincipalIsAWSService")
		},
	}
	res := policy.Evaluate(policy.Input{IdentityPolicies: []*policy.Document{allowAll}, ResourcePolicy: r.trust},
		policy.Request{Principal: root, Action: assumeAction, Resource: r.arn, Context: ctx})
	props, ok := edgeProps(res, r.trust, assumeAction)
	if !ok {
		return
	}
	props["viaAccountTrust"] = true
	a.addRel(mappedAccount(r, part, acct, props))
}

func mappedAccount(r *role, partition, acct string, props map[string]any) graph.Relationship {
	target := map[string]any{
		"_type": AccountType, "_class": "Account", "_key": "arn:" + partition + ":iam::" + acct + ":root",
		"accountId": acct, "name": acct, "displayName": acct,
	}
	return graph.Mapped(AccountCanAssumeType, Class, r.e, graph.Reverse, target, []string{"_type", "accountId"}, false, props)
}

// everyone relates the global Everyone entity to a role whose trust policy
// lets any AWS principal in ("*", {"AWS": "*"}, or an Allow with
// NotPrincipal), evaluated for an unknown principal of an unknown account:
// conditions on any principal key make the edge conditional.
func (a *analyzer) everyone(r *role) {
	part := partitionOf(r.arn)
	// "Anyone" is a principal of an account that is never collected nor
	// named anywhere (its aws:PrincipalAccount is known: a condition
	// restricting the principal's account to named accounts excludes it,
	// since those accounts are collected or mapped on their own); the trust
	// policy's "*" matches it, an account or ARN it names does not.
	const anyoneAccount = "000000000000"
	ctx := policy.Context{
		Values: map[string][]string{"aws:PrincipalIsAWSService": {"false"}, "aws:PrincipalAccount": {anyoneAccount}},
		Decidable: func(k string) bool {
			return strings.EqualFold(k, "aws:PrincipalIsAWSService") || strings.EqualFold(k, "aws:PrincipalAccount")
		},
	}
	anyone := "arn:" + part + ":iam::" + anyoneAccount + ":root"
	res := policy.Evaluate(policy.Input{IdentityPolicies: []*policy.Document{allowAll}, ResourcePolicy: r.trust},
		policy.Request{Principal: anyone, Action: assumeAction, Resource: r.arn, ResourceAccount: r.account, Context: ctx})
	props, ok := edgeProps(res, r.trust, assumeAction)
	if !ok {
		return
	}
	// Any principal of any account, with its own identity policies' allow
	// (docs/contract.md §4.1 counts "*" as a trust through the account).
	props["viaAccountTrust"] = true
	a.addEntity(EveryoneEntity())
	a.addRel(graph.DirectByKey(EveryoneKey, EveryoneType, Class, r.arn, RoleType, props))
	rp := map[string]any{"publiclyAssumable": true}
	if props["conditional"] == true {
		// An entity property may be a list (unlike a relationship's).
		rp["publiclyAssumableConditionKeys"], _ = graph.SplitList(props["conditionKeys"])
	}
	a.res.RoleProps[r.arn] = rp
	a.res.Counts["publiclyAssumableRoles"]++
}

// edgeProps turns an Evaluate result into edge properties; ok is false when
// the principal cannot assume the role.
func edgeProps(res policy.Result, trust *policy.Document, action string) (map[string]any, bool) {
	conditional := false
	switch res.Decision {
	case policy.Allowed:
	case policy.ConditionallyAllowed:
		conditional = true
	default:
		return nil, false
	}
	var ids []string
	var sid any
	for _, m := range res.MatchedStatements {
		if m.Type != policy.ResourcePolicy || m.Effect != policy.Allow {
			continue
		}
		id := m.Sid
		if id == "" {
			id = "Statement[" + strconv.Itoa(m.Index+1) + "]"
		} else if sid == nil {
			sid = m.Sid
		}
		ids = append(ids, id)
	}
	props := map[string]any{"conditional": conditional, "sid": sid}
	// List-valued facts are JSON text plus a count (docs/contract.md §3).
	graph.SetList(props, "actions", []string{action})
	graph.SetList(props, "conditionKeys", res.ConditionKeys)
	graph.SetList(props, "statementIds", ids)
	return props, true
}

// namedDirectly reports whether one of the trust statements that allowed
// the request names the principal's own ARN (rather than its account or
// "*").
func namedDirectly(res policy.Result, trust *policy.Document, arn string) bool {
	for _, m := range res.MatchedStatements {
		if m.Type != policy.ResourcePolicy || m.Effect != policy.Allow || m.Index >= len(trust.Statements) {
			continue
		}
		s := trust.Statements[m.Index]
		if s.Principal == nil {
			continue
		}
		for _, v := range s.Principal.AWS {
			if v == arn {
				return true
			}
		}
	}
	return false
}

// wildcardAsAccount copies a trust policy with every "*" AWS principal (and
// "Principal": "*") replaced by the account's root; statement order and
// indexes are kept, so statement ids still refer to the original document.
func wildcardAsAccount(d *policy.Document, partition, account string) *policy.Document {
	out := *d
	out.Statements = make([]*policy.Statement, len(d.Statements))
	root := "arn:" + partition + ":iam::" + account + ":root"
	for i, orig := range d.Statements {
		s := *orig
		if s.Principal != nil && (s.Principal.Wildcard || slices.Contains(s.Principal.AWS, "*")) {
			p := *s.Principal
			p.Wildcard = false
			aws := []string{root}
			for _, v := range s.Principal.AWS {
				if v != "*" {
					aws = append(aws, v)
				}
			}
			p.AWS = aws
			s.Principal = &p
		}
		out.Statements[i] = &s
	}
	return &out
}

// principalAccountValues lists the 12-digit account ids that the Allow
// statements of d compare aws:PrincipalAccount with (any operator; the
// evaluation decides).
func principalAccountValues(d *policy.Document) []string {
	var out []string
	for _, s := range d.Statements {
		if s.Effect != policy.Allow {
			continue
		}
		for _, c := range s.Conditions {
			if !strings.EqualFold(c.Key, "aws:PrincipalAccount") {
				continue
			}
			for _, v := range c.Values {
				if isAccountPrincipal(v) && !strings.HasPrefix(v, "arn:") {
					out = append(out, v)
				}
			}
		}
	}
	return out
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
