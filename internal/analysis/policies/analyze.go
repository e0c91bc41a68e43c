// Package policies derives "policy ALLOWS / DENIES resource" relationships
// from the collected IAM policies (managed and inline): each statement's
// resources are matched against the collected entities (by ARN), "*" goes to
// the account entity, and every edge carries the actions, conditions and
// AWS access-level flags of the statements that name the resource. It reads
// the graph only and never calls AWS. See README.md.
package policies

import (
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/iamactions"
	"github.com/awsgraph/awsgraph/internal/policy"
	"github.com/awsgraph/awsgraph/internal/schema"
)

// StepID is the policy analysis step.
const StepID = schema.StepPolicies

// Names of the collection this analysis reads (internal/service/iam and
// internal/service/account), repeated so the analysis does not link the AWS
// SDK; the end-to-end test checks they match.
const (
	IAMStepID         = schema.StepIAM
	AccountStepID     = schema.StepAccount
	AccountType       = schema.TypeAccount
	UserType          = schema.TypeUser
	GroupType         = schema.TypeGroup
	RoleType          = schema.TypeRole
	ManagedPolicyType = schema.TypeManagedPolicy
	UserPolicyType    = schema.TypeUserPolicy
	GroupPolicyType   = schema.TypeGroupPolicy
	RolePolicyType    = schema.TypeRolePolicy
)

// PolicyTypes are the policy entity types analysed.
var PolicyTypes = []string{ManagedPolicyType, UserPolicyType, GroupPolicyType, RolePolicyType}

// IAMTargetTypes are IAM entity types that policies may name as resources
// (iam:PassRole on a role, iam:CreatePolicyVersion on a policy, ...).
var IAMTargetTypes = []string{UserType, GroupType, RoleType, ManagedPolicyType}

// Graph is the part of the collected graph the analysis reads
// (*engine.Job satisfies it).
type Graph interface {
	EntitiesOfType(typ string) []graph.Entity
}

// Result is what the analysis derives.
type Result struct {
	Relationships []graph.Relationship
	// PolicyProps are the derived properties of each policy entity.
	PolicyProps map[string]map[string]any
	// Unparsable are the keys of the policies whose document did not parse.
	Unparsable []string
	Counts     map[string]int
	Warnings   []string
	// UnknownActions are the distinct actions, sorted, that AWS's action
	// catalogue (internal/iamactions) lacks: in AWS-managed policies (AWS
	// adds actions to its own policies before the catalogue has them; not a
	// warning) and in customer-managed or inline policies (plausibly a
	// typo: one grouped warning names the policies).
	UnknownActions struct{ AWSManaged, Customer []string }
	// customerUnknown are the customer policies naming uncatalogued
	// actions, with those actions (merged into one warning by Analyze).
	customerUnknown []policyActions
}

// policyActions is one policy and actions it names.
type policyActions struct {
	key     string
	actions []string
}

// maxPoliciesNamed caps the policies the grouped unknown-action warning names.
const maxPoliciesNamed = 10

// AWSManaged reports whether a policy entity is an AWS-managed policy (the
// IAM step's awsManaged property, else its ARN arn:<partition>:iam::aws:policy/...).
func AWSManaged(p graph.Entity) bool {
	if v, ok := p["awsManaged"].(bool); ok {
		return v
	}
	parts := strings.SplitN(p.Key(), ":", 6)
	return p.Type() == ManagedPolicyType && len(parts) == 6 && parts[0] == "arn" && parts[2] == "iam" &&
		parts[4] == "aws" && strings.HasPrefix(parts[5], "policy/")
}

// resourceIndex finds collected entities by ARN pattern: the ARNs are kept
// sorted, so a pattern's literal prefix (up to its first wildcard) selects a
// contiguous range that MatchResource then confirms.
type resourceIndex struct {
	arns  []string
	types map[string]string
}

func newIndex(g Graph, types []string) *resourceIndex {
	ix := &resourceIndex{types: map[string]string{}}
	for _, t := range types {
		for _, e := range g.EntitiesOfType(t) {
			k := e.Key()
			if !strings.HasPrefix(k, "arn:") {
				continue
			}
			if _, dup := ix.types[k]; !dup {
				ix.types[k] = t
				ix.arns = append(ix.arns, k)
			}
		}
	}
	sort.Strings(ix.arns)
	return ix
}

// match calls fn for every collected ARN the pattern matches.
func (ix *resourceIndex) match(pattern string, fn func(arn string)) {
	w := strings.IndexAny(pattern, "*?")
	if w < 0 {
		if _, ok := ix.types[pattern]; ok {
			fn(pattern)
		}
		return
	}
	prefix := pattern[:w]
	i := sort.SearchStrings(ix.arns, prefix)
	for ; i < len(ix.arns) && strings.HasPrefix(ix.arns[i], prefix); i++ {
		if policy.MatchResource(pattern, ix.arns[i]) {
			fn(ix.arns[i])
		}
	}
}

// s3ObjectBucket returns the bucket-ARN pattern of an S3 object ARN pattern
// (arn:aws:s3:::bucket/key → arn:aws:s3:::bucket); ok is false for other
// patterns. Object-level statements are attached to their bucket, since
// objects are not collected.
func s3ObjectBucket(pattern string) (string, bool) {
	parts := strings.SplitN(pattern, ":", 6)
	if len(parts) != 6 || parts[2] != "s3" || parts[3] != "" || parts[4] != "" {
		return "", false
	}
	i := strings.IndexByte(parts[5], '/')
	if i < 0 {
		return "", false
	}
	bucket := parts[5][:i]
	if bucket == "" {
		return "", false
	}
	return strings.Join(parts[:5], ":") + ":" + bucket, true
}

// edge aggregates the statements of one policy that name one target with
// one effect.
type edge struct {
	target, targetType string
	effect             policy.Effect
	actions            []string
	notActions         []string
	resources          []string
	notResources       []string
	conditions         []map[string]map[string][]string
	unconditional      bool
	levels             iamactions.LevelSet
	admin              bool
}

// addUnique appends the values not yet in the list (lists are short).
func addUnique(list *[]string, vals []string) {
	for _, v := range vals {
		if !contains(*list, v) {
			*list = append(*list, v)
		}
	}
}

// conditionBlock rebuilds a statement's Condition element.
func conditionBlock(cs []policy.Condition) map[string]map[string][]string {
	if len(cs) == 0 {
		return nil
	}
	m := map[string]map[string][]string{}
	for _, c := range cs {
		op := c.Operator.String()
		if m[op] == nil {
			m[op] = map[string][]string{}
		}
		m[op][c.Key] = append(m[op][c.Key], c.Values...)
	}
	return m
}

// Analyze derives the relationships of every policy of PolicyTypes against
// the entities of targetTypes (plus IAMTargetTypes) and the account.
func Analyze(g Graph, targetTypes []string) *Result {
	res := &Result{PolicyProps: map[string]map[string]any{}, Counts: map[string]int{}}
	var types []string
	for _, t := range append(append([]string(nil), targetTypes...), IAMTargetTypes...) {
		if t != AccountType { // "*" reaches the account; its root ARN is no resource
			types = append(types, t)
		}
	}
	ix := newIndex(g, types)
	accounts := g.EntitiesOfType(AccountType)
	accountByID := map[string]graph.Entity{}
	for _, a := range accounts {
		accountByID[a.String("accountId")] = a
	}
	var pols []graph.Entity
	for _, pt := range PolicyTypes {
		pols = append(pols, g.EntitiesOfType(pt)...)
	}
	// Policies are independent: contiguous chunks in parallel, merged in
	// order so the output is deterministic.
	workers := runtime.GOMAXPROCS(0)
	if len(pols) < 256 {
		workers = 1
	}
	parts := make([]*Result, workers)
	var wg sync.WaitGroup
	for w := range parts {
		part := &Result{PolicyProps: map[string]map[string]any{}, Counts: map[string]int{}}
		parts[w] = part
		lo, hi := w*len(pols)/workers, (w+1)*len(pols)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, p := range pols[lo:hi] {
				analyzePolicy(part, ix, accountByID, accounts, p)
			}
		}()
	}
	wg.Wait()
	for _, part := range parts {
		res.Relationships = append(res.Relationships, part.Relationships...)
		res.Warnings = append(res.Warnings, part.Warnings...)
		for k, v := range part.PolicyProps {
			res.PolicyProps[k] = v
		}
		res.Unparsable = append(res.Unparsable, part.Unparsable...)
		for k, n := range part.Counts {
			res.Counts[k] += n
		}
		res.UnknownActions.AWSManaged = append(res.UnknownActions.AWSManaged, part.UnknownActions.AWSManaged...)
		res.customerUnknown = append(res.customerUnknown, part.customerUnknown...)
	}
	res.UnknownActions.AWSManaged = distinct(res.UnknownActions.AWSManaged)
	if len(res.customerUnknown) > 0 {
		var names, all []string
		for _, pa := range res.customerUnknown {
			names = append(names, fmt.Sprintf("%s (%s)", pa.key, strings.Join(pa.actions, ", ")))
			all = append(all, pa.actions...)
		}
		res.UnknownActions.Customer = distinct(all)
		listed := names
		if len(listed) > maxPoliciesNamed {
			listed = append(listed[:maxPoliciesNamed:maxPoliciesNamed], fmt.Sprintf("+%d more policies", len(names)-maxPoliciesNamed))
		}
		res.Warnings = append(res.Warnings, fmt.Sprintf("%d customer-managed or inline policies name actions not in AWS's action catalogue (a typo? they grant nothing AWS knows of; no access level): %s",
			len(names), strings.Join(listed, "; ")))
	}
	if n := len(res.UnknownActions.AWSManaged); n > 0 {
		res.Counts["distinctUnknownActionsInAWSManagedPolicies"] = n
	}
	if n := len(res.UnknownActions.Customer); n > 0 {
		res.Counts["distinctUnknownActionsInCustomerPolicies"] = n
	}
	res.Counts["policyRelationships"] = len(res.Relationships)
	return res
}

// distinct sorts the values and drops duplicates.
func distinct(vs []string) []string {
	sort.Strings(vs)
	return slices.Compact(vs)
}

func analyzePolicy(res *Result, ix *resourceIndex, accountByID map[string]graph.Entity, accounts []graph.Entity, p graph.Entity) {
	text, _ := p["document"].(string)
	if text == "" {
		res.Counts["policiesWithUnknownDocument"]++
		return
	}
	doc, err := policy.ParseEncoded(text)
	if err != nil {
		res.Counts["unparsablePolicyDocuments"]++
		res.Unparsable = append(res.Unparsable, p.Key())
		res.Warnings = append(res.Warnings, fmt.Sprintf("policy %s: document does not parse: %v", p.Key(), err))
		return
	}
	res.Counts["policiesAnalyzed"]++
	pa := &policyAnalysis{res: res, ix: ix, byTarget: map[string]*edge{}, seenUnknown: map[string]bool{}}
	// The account "*" resolves to: the policy's own account (customer
	// policies, inline policies) — AWS-managed policies apply in every
	// collected account that uses them, which is the one account here.
	pa.account, pa.hasAccount = accountByID[p.String("accountId")]
	if !pa.hasAccount && len(accounts) == 1 {
		pa.account, pa.hasAccount = accounts[0], true
	}
	for _, s := range doc.Statements {
		pa.statement(s)
	}
	pa.finish(p)
}

// policyAnalysis gathers one policy's edges, one per (effect, target).
type policyAnalysis struct {
	res         *Result
	ix          *resourceIndex
	account     graph.Entity
	hasAccount  bool
	edges       []*edge
	byTarget    map[string]*edge
	unknown     []string // actions the access-level table does not know
	seenUnknown map[string]bool
	allowLevels iamactions.LevelSet
	admin       bool
}

// grant is one statement as it applies to each target it names.
type grant struct {
	s     *policy.Statement
	acts  []string
	lv    iamactions.LevelSet
	admin bool
	cond  map[string]map[string][]string
}

func (pa *policyAnalysis) statement(s *policy.Statement) {
	if s.Principal != nil || s.NotPrincipal != nil {
		// A resource-policy statement stored as an identity policy
		// does not grant the holder anything.
		pa.res.Counts["statementsWithPrincipal"]++
		return
	}
	g := grant{s: s, acts: s.Action, cond: conditionBlock(s.Conditions)}
	if s.NotActionSet {
		g.acts = s.NotAction
	}
	lv, unmatched := iamactions.Levels(g.acts, s.NotActionSet)
	g.lv = lv
	for _, u := range unmatched {
		if !pa.seenUnknown[u] {
			pa.seenUnknown[u] = true
			pa.unknown = append(pa.unknown, u)
		}
	}
	starAction := !s.NotActionSet && contains(g.acts, "*")
	g.admin = starAction && s.ResourceSet && contains(s.Resource, "*")
	if s.Effect == policy.Allow {
		pa.allowLevels |= lv
		pa.admin = pa.admin || g.admin
	}
	switch {
	case s.NotResourceSet:
		// "Everything except ...": account-wide, with the exceptions on
		// the edge (no fan-out to every resource).
		pa.toAccount(g, "", true)
	case !s.ResourceSet:
		pa.res.Counts["statementsWithoutResource"]++
	default:
		for _, pat := range s.Resource {
			pa.resource(g, pat)
		}
	}
}

// resource applies g to what one Resource pattern names: the account for
// "*", else every collected resource it matches.
func (pa *policyAnalysis) resource(g grant, pat string) {
	if pat == "*" {
		pa.toAccount(g, pat, false)
		return
	}
	if strings.Contains(pat, "${") {
		// The value depends on the request (e.g. ${aws:username}).
		pa.res.Counts["resourcePatternsWithPolicyVariables"]++
		return
	}
	n := 0
	pa.ix.match(pat, func(arn string) {
		n++
		pa.apply(g, arn, pa.ix.types[arn], pat, false)
	})
	if bucket, isObj := s3ObjectBucket(pat); isObj {
		pa.ix.match(bucket, func(arn string) {
			if pa.ix.types[arn] == s3BucketType {
				n++
				pa.apply(g, arn, s3BucketType, pat, false)
			}
		})
	}
	if n == 0 {
		pa.res.Counts["unmatchedResourcePatterns"]++
	}
}

func (pa *policyAnalysis) toAccount(g grant, pattern string, notRes bool) {
	if !pa.hasAccount {
		pa.res.Counts["accountWideStatementsWithoutAccount"]++
		return
	}
	pa.apply(g, pa.account.Key(), AccountType, pattern, notRes)
}

func (pa *policyAnalysis) apply(g grant, target, typ, pattern string, notRes bool) {
	k := string(g.s.Effect) + "\x00" + target
	e := pa.byTarget[k]
	if e == nil {
		e = &edge{target: target, targetType: typ, effect: g.s.Effect}
		pa.byTarget[k] = e
		pa.edges = append(pa.edges, e)
	}
	if g.s.NotActionSet {
		addUnique(&e.notActions, g.acts)
	} else {
		addUnique(&e.actions, g.acts)
	}
	if notRes {
		addUnique(&e.notResources, g.s.NotResource)
	} else {
		addUnique(&e.resources, []string{pattern})
	}
	e.levels |= g.lv
	e.admin = e.admin || g.admin
	if g.cond == nil {
		e.unconditional = true
	} else {
		e.conditions = append(e.conditions, g.cond)
	}
}

// finish records the policy's unknown actions, its properties and its edges.
func (pa *policyAnalysis) finish(p graph.Entity) {
	res := pa.res
	if len(pa.unknown) > 0 {
		// unknownActions counts (policy, action) pairs, as before the split.
		res.Counts["unknownActions"] += len(pa.unknown)
		if AWSManaged(p) {
			res.Counts["awsManagedPoliciesWithUnknownActions"]++
			res.UnknownActions.AWSManaged = append(res.UnknownActions.AWSManaged, pa.unknown...)
		} else {
			res.Counts["customerPoliciesWithUnknownActions"]++
			res.customerUnknown = append(res.customerUnknown, policyActions{key: p.Key(), actions: pa.unknown})
		}
	}
	props := map[string]any{"admin": pa.admin}
	for k, v := range pa.allowLevels.Flags() {
		props[k] = v
	}
	res.PolicyProps[p.Key()] = props
	for _, e := range pa.edges {
		res.Relationships = append(res.Relationships, e.relationship(p))
	}
}

// s3BucketType is the S3 bucket entity type (internal/service/s3).
const s3BucketType = schema.TypeBucket

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (e *edge) relationship(p graph.Entity) graph.Relationship {
	class := "ALLOWS"
	if e.effect == policy.Deny {
		class = "DENIES"
	}
	var conds any
	if len(e.conditions) > 0 {
		b, _ := json.Marshal(e.conditions)
		conds = string(b)
	}
	r := graph.DirectByKey(p.Key(), p.Type(), class, e.target, e.targetType, nil)
	r["effect"] = string(e.effect)
	// List-valued facts are JSON text plus a count (docs/contract.md §3).
	graph.SetList(r, "actions", e.actions)
	graph.SetList(r, "resources", e.resources)
	r["conditions"] = conds
	r["conditional"] = !e.unconditional
	r["admin"] = e.admin
	if len(e.notActions) > 0 {
		graph.SetList(r, "notActions", e.notActions)
	}
	if len(e.notResources) > 0 {
		graph.SetList(r, "notResources", e.notResources)
	}
	for _, l := range allLevels {
		r[l.Flag()] = e.levels.Has(l)
	}
	return r
}

var allLevels = iamactions.AllLevels()
