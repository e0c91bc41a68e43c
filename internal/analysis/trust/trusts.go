package trust

import (
	"sort"
	"strconv"
	"strings"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/policy"
	"github.com/awsgraph/awsgraph/internal/schema"
)

// TrustsClass is the JupiterOne data model's verb for what a role's trust
// policy allows as written: `aws_iam_role TRUSTS <principal>`, role →
// principal (docs/contract.md §4.1). CAN_ASSUME is the effective answer
// (trust and identity policies evaluated together); TRUSTS is the trust
// policy alone.
const TrustsClass = "TRUSTS"

// TRUSTS relationship types (graph.RelationshipType naming).
var (
	RoleTrustsUserType     = schema.RoleTrustsUser.Type
	RoleTrustsRoleType     = schema.RoleTrustsRole.Type
	RoleTrustsAccountType  = schema.RoleTrustsAccount.Type
	RoleTrustsServiceType  = schema.RoleTrustsService.Type
	RoleTrustsSAMLType     = schema.RoleTrustsSAML.Type
	RoleTrustsOIDCType     = schema.RoleTrustsOIDC.Type
	RoleTrustsEveryoneType = schema.RoleTrustsEveryone.Type
)

// trustActions are the STS actions that assume a role; a trust statement
// whose Action covers none of them (say, only sts:TagSession) trusts
// nobody to assume the role.
var trustActions = []string{"sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"}

// trustee is one principal a trust policy names, as an edge target.
type trustee struct {
	id      string // "account:<id>", "arn:<arn>", "service:<svc>", "federated:<provider>", "everyone"
	kind    string // AccountType, UserType, RoleType, ServicePrincipalType, the provider type, EveryoneType
	value   string // account id, ARN, service, provider
	account string // the account of an account, user or role trustee
	// principalArn: an STS session or federated-user ARN, trusted through
	// its account (the edge goes to the account and names the ARN).
	principalArn string
}

// trusteesOf lists what a Principal element names. Unique ids (AWS's
// stand-in for a deleted principal) and canonical users name nothing that
// can be an edge target; skipped counts them.
func trusteesOf(p *policy.Principal) (out []trustee, skipped int) {
	if p == nil {
		return nil, 0
	}
	if p.Wildcard {
		return []trustee{{id: "everyone", kind: EveryoneType, value: "*"}}, 0
	}
	for _, v := range p.AWS {
		switch {
		case v == "*":
			out = append(out, trustee{id: "everyone", kind: EveryoneType, value: "*"})
		case isAccountPrincipal(v):
			acct := v
			if strings.HasPrefix(v, "arn:") {
				acct = accountOf(v)
			}
			out = append(out, trustee{id: "account:" + acct, kind: AccountType, value: acct, account: acct})
		case strings.HasPrefix(v, "arn:"):
			parts := strings.SplitN(v, ":", 6)
			if len(parts) != 6 {
				skipped++
				continue
			}
			acct := parts[4]
			switch {
			case parts[2] == "iam" && strings.HasPrefix(parts[5], "user/"):
				out = append(out, trustee{id: "arn:" + v, kind: UserType, value: v, account: acct})
			case parts[2] == "iam" && strings.HasPrefix(parts[5], "role/"):
				out = append(out, trustee{id: "arn:" + v, kind: RoleType, value: v, account: acct})
			case acct != "":
				// assumed-role sessions, federated users: through the account.
				out = append(out, trustee{id: "account:" + acct + "|" + v, kind: AccountType, value: acct, account: acct, principalArn: v})
			default:
				skipped++
			}
		default:
			skipped++ // a unique id (AIDA..., AROA...): the principal was deleted
		}
	}
	for _, v := range p.Service {
		s := strings.ToLower(v)
		out = append(out, trustee{id: "service:" + s, kind: ServicePrincipalType, value: s})
	}
	for _, v := range p.Federated {
		out = append(out, trustee{id: "federated:" + v, kind: providerType(v), value: v})
	}
	skipped += len(p.CanonicalUser)
	return out, skipped
}

// trustGrant accumulates the Allow statements that name one trustee.
type trustGrant struct {
	t             trustee
	statementIDs  []string
	actions       map[string]bool
	conditionKeys map[string]string // lower-cased -> as first written
	unconditional bool
	notPrincipal  bool // via an Allow with NotPrincipal ("everyone except ...")
}

// statementID is the Sid, or "Statement[n]" (1-based) without one, as on
// CAN_ASSUME edges.
func statementID(s *policy.Statement) string {
	if s.Sid != "" {
		return s.Sid
	}
	return "Statement[" + strconv.Itoa(s.Index+1) + "]"
}

// assumeActionsOf lists the trustActions statement s covers.
func assumeActionsOf(s *policy.Statement) []string {
	var out []string
	for _, a := range trustActions {
		if s.CoversAction(a) {
			out = append(out, a)
		}
	}
	return out
}

// trusts derives the TRUSTS relationships of one role: role → every
// principal an Allow statement of its trust policy names, as written
// (conditions are listed, not evaluated; the principal's identity policies
// play no part). Deny statements give no edge; the ones that may apply to a
// trustee are listed on its edge (denyStatementIds).
func (a *analyzer) trusts(r *role) {
	grants := map[string]*trustGrant{}
	var order []string
	var denies []trustDeny
	for _, s := range r.trust.Statements {
		actions := assumeActionsOf(s)
		if len(actions) == 0 {
			continue
		}
		if s.Effect == policy.Deny {
			denies = append(denies, denyOf(s))
			continue
		}
		ts, skipped := trusteesOf(s.Principal)
		a.res.Counts["trustPrincipalsWithoutTarget"] += skipped
		notPrincipal := false
		if s.Principal == nil && s.NotPrincipal != nil {
			// Allow + NotPrincipal: anyone but the listed principals (AWS
			// no longer accepts it in new trust policies).
			ts = []trustee{{id: "everyone", kind: EveryoneType, value: "*"}}
			notPrincipal = true
		}
		for _, t := range ts {
			g := grants[t.id]
			if g == nil {
				g = &trustGrant{t: t, actions: map[string]bool{}, conditionKeys: map[string]string{}}
				grants[t.id] = g
				order = append(order, t.id)
			}
			g.add(s, actions, notPrincipal)
		}
	}
	sort.Strings(order)
	for _, id := range order {
		g := grants[id]
		var denyIDs []string
		for _, d := range denies {
			if d.appliesTo(g.t) {
				denyIDs = append(denyIDs, d.id)
			}
		}
		a.addTrust(r, g, denyIDs)
	}
}

// add records one Allow statement naming the grant's trustee.
func (g *trustGrant) add(s *policy.Statement, actions []string, notPrincipal bool) {
	id := statementID(s)
	if len(g.statementIDs) == 0 || g.statementIDs[len(g.statementIDs)-1] != id {
		g.statementIDs = append(g.statementIDs, id)
	}
	for _, act := range actions {
		g.actions[act] = true
	}
	if len(s.Conditions) == 0 {
		g.unconditional = true
	}
	for _, c := range s.Conditions {
		if _, ok := g.conditionKeys[strings.ToLower(c.Key)]; !ok {
			g.conditionKeys[strings.ToLower(c.Key)] = c.Key
		}
	}
	g.notPrincipal = g.notPrincipal || notPrincipal
}

// trustDeny is a Deny statement of a trust policy, as the trustees it names.
type trustDeny struct {
	id      string
	names   map[string]bool // trustee ids (and "account:<id>") the Principal names
	allBut  map[string]bool // NotPrincipal: trustee ids it exempts
	notPrin bool
	any     bool // Principal "*"
}

func denyOf(s *policy.Statement) trustDeny {
	d := trustDeny{id: statementID(s), names: map[string]bool{}, allBut: map[string]bool{}}
	if s.NotPrincipal != nil {
		d.notPrin = true
		ts, _ := trusteesOf(s.NotPrincipal)
		for _, t := range ts {
			d.allBut[t.id] = true
		}
	}
	ts, _ := trusteesOf(s.Principal)
	for _, t := range ts {
		if t.kind == EveryoneType {
			d.any = true
		}
		d.names[t.id] = true
	}
	return d
}

func (d trustDeny) appliesTo(t trustee) bool {
	if d.notPrin && !d.allBut[t.id] {
		return true
	}
	return d.any || d.names[t.id] || (t.account != "" && d.names["account:"+t.account])
}

func (a *analyzer) addTrust(r *role, g *trustGrant, denyIDs []string) {
	var actions, keys []string
	for _, act := range trustActions {
		if g.actions[act] {
			actions = append(actions, act)
		}
	}
	for _, k := range g.conditionKeys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	props := map[string]any{
		"effect":      "Allow",
		"conditional": !g.unconditional,
	}
	// List-valued facts are JSON text plus a count (docs/contract.md §3).
	graph.SetList(props, "actions", actions)
	graph.SetList(props, "conditionKeys", keys)
	graph.SetList(props, "statementIds", g.statementIDs)
	graph.SetList(props, "denyStatementIds", denyIDs)
	if g.notPrincipal {
		props["viaNotPrincipal"] = true
	}
	if g.t.principalArn != "" {
		props["principalArn"] = g.t.principalArn
	}
	a.res.Counts["trustsRelationships"]++
	t := g.t
	switch t.kind {
	case EveryoneType:
		a.addEntity(EveryoneEntity())
		a.addTrustRel(graph.DirectByKey(r.arn, RoleType, TrustsClass, EveryoneKey, EveryoneType, props))
	case ServicePrincipalType:
		e := ServicePrincipalEntity(t.value)
		a.addEntity(e)
		a.addTrustRel(graph.DirectByKey(r.arn, RoleType, TrustsClass, e.Key(), e.Type(), props))
	case SAMLProviderType, OIDCProviderType:
		e := ProviderEntity(t.value)
		a.addEntity(e)
		a.addTrustRel(graph.DirectByKey(r.arn, RoleType, TrustsClass, e.Key(), e.Type(), props))
	case AccountType:
		key := "arn:" + partitionOf(r.arn) + ":iam::" + t.account + ":root"
		if e, ok := a.g.Entity(key); ok && e.Type() == AccountType {
			rel := graph.DirectByKey(r.arn, RoleType, TrustsClass, key, AccountType, props)
			if t.principalArn != "" {
				rel["_key"] = rel.Key() + "|" + t.principalArn
			}
			a.addTrustRel(rel)
			return
		}
		target := map[string]any{
			"_type": AccountType, "_class": "Account", "_key": key,
			"accountId": t.account, "name": t.account, "displayName": t.account,
		}
		a.res.Counts["trustsMappedRelationships"]++
		rel := graph.Mapped(RoleTrustsAccountType, TrustsClass, r.e, graph.Forward, target, []string{"_type", "accountId"}, false, props)
		if t.principalArn != "" {
			rel["_key"] = rel.Key() + "|" + t.principalArn
		}
		a.addTrustRel(rel)
	case UserType, RoleType:
		if e, ok := a.g.Entity(t.value); ok && e.Type() == t.kind {
			a.addTrustRel(graph.DirectByKey(r.arn, RoleType, TrustsClass, t.value, t.kind, props))
			return
		}
		name := t.value[strings.LastIndexByte(t.value, '/')+1:]
		cls, relType := "User", RoleTrustsUserType
		if t.kind == RoleType {
			cls, relType = "AccessRole", RoleTrustsRoleType
		}
		target := map[string]any{"_type": t.kind, "_class": cls, "_key": t.value, "arn": t.value, "accountId": t.account, "name": name, "displayName": name}
		// A principal of a collected account that is not in the graph
		// (deleted, or a session) is never invented; another account's
		// may be a placeholder.
		skip := a.collected[t.account]
		a.res.Counts["trustsMappedRelationships"]++
		a.addTrustRel(graph.Mapped(relType, TrustsClass, r.e, graph.Forward, target, []string{"_key"}, skip, props))
	}
}

func (a *analyzer) addTrustRel(r graph.Relationship) {
	if a.relKeys[r.Key()] {
		return
	}
	a.relKeys[r.Key()] = true
	a.res.Trusts = append(a.res.Trusts, r)
}
