package policy

import (
	"cmp"
	"strings"
)

// Decision is the outcome of Evaluate.
type Decision uint8

// Decisions. ConditionallyAllowed means the request is allowed for some but
// not all values of the unknown context keys listed in
// Result.ConditionKeys (an allow that needs them, or a deny that may block).
const (
	ImplicitlyDenied Decision = iota
	Allowed
	ExplicitlyDenied
	ConditionallyAllowed
)

func (d Decision) String() string {
	switch d {
	case Allowed:
		return "Allowed"
	case ExplicitlyDenied:
		return "ExplicitlyDenied"
	case ConditionallyAllowed:
		return "ConditionallyAllowed"
	}
	return "ImplicitlyDenied"
}

// Request is one authorization request.
type Request struct {
	// Principal is the caller: an IAM user, role, assumed-role session,
	// federated user or account-root ARN; a service principal such as
	// "lambda.amazonaws.com"; or a federated identity provider (a SAML/OIDC
	// provider ARN, or a web identity provider name such as
	// "accounts.google.com") for sts:AssumeRoleWith*.
	Principal string
	// PrincipalAccount defaults to the account field of Principal.
	PrincipalAccount string
	Action           string // e.g. "s3:GetObject"
	Resource         string // ARN, or "*" for actions without resource types
	// ResourceAccount defaults to the account field of Resource; when that
	// is empty too (S3 ARNs, "*") the resource is taken to be in the
	// principal's account.
	ResourceAccount string
	Context         Context
}

// Input is the set of policies that apply to a Request.
type Input struct {
	// IdentityPolicies: every identity-based policy of the principal
	// (inline, managed, and its groups' policies). Ignored for service
	// principals and federated identity providers.
	IdentityPolicies []*Document
	// ResourcePolicy is the resource-based policy of the resource; for
	// sts:AssumeRole* it is the role's trust policy. nil means none.
	ResourcePolicy *Document
	// PermissionBoundaries of the principal (normally zero or one; several
	// are OR-ed). nil or empty means no boundary.
	PermissionBoundaries []*Document
	// SCPs are the service control policies that apply to the principal's
	// account, one slice per level from the root to the account itself. nil
	// means the account is not governed by SCPs (no Organizations, or the
	// management account). A level with no policies denies everything.
	// They are applied to every principal given; pass nil for service
	// principals and service-linked roles, which SCPs do not restrict.
	SCPs [][]*Document

	// quirks emulates known deviations of the differential-test oracle;
	// only the package's tests set it, to classify disagreements.
	quirks oracleQuirks
}

// oracleQuirks are the documented deviations of @cloud-copilot/iam-simulate
// 0.1.173 from AWS's documentation (testdata/oracle-disagreements.md). The
// zero value (always used outside tests) follows AWS.
type oracleQuirks struct {
	epochMillis               bool // numeric Date values are milliseconds
	ipZeroPrefixNoMatch       bool // a /0 CIDR matches nothing
	notResourceShortArn       bool // a NotResource ARN with < 6 fields matches everything
	crossAccountResourceFirst bool // cross-account: no resource-policy allow => ImplicitlyDenied
	forAnyValueIfExistsFalse  bool // ForAnyValue:...IfExists on a missing key is false
	notResourceMissingVarStar bool // in NotResource an unresolvable variable becomes '*'
	scpImplicitFirst          bool // an SCP level without allow wins over later explicit denies
	ipBareV4VersusV6False     bool // a bare IPv4 policy value against an IPv6 address: condition false
	// an account in NotPrincipal exempts every principal of the account
	notPrincipalAccountCoversAll bool
	// a trust policy naming the user (or "*") is not limited by its boundary
	trustDirectIgnoresBoundary bool
}

// PolicyType says which kind of policy a statement came from.
type PolicyType string

// Policy types.
const (
	IdentityPolicy    PolicyType = "identity"
	ResourcePolicy    PolicyType = "resource"
	BoundaryPolicy    PolicyType = "boundary"
	ServiceControlPol PolicyType = "scp"
)

// StatementRef identifies a statement that applied (or may apply) to a
// request.
type StatementRef struct {
	Type   PolicyType
	Policy string // Document.Name
	Level  int    // SCP level (0 = root); 0 otherwise
	Index  int    // 0-based statement index
	Sid    string
	Effect Effect
	// Conditional: the statement applies only if its conditions on
	// unknown keys hold.
	Conditional bool
}

// Result is the outcome of Evaluate.
type Result struct {
	Decision Decision
	// ConditionKeys: for ConditionallyAllowed, the unknown context keys
	// the outcome depends on (allow conditions and deny conditions that
	// may block), sorted and deduplicated, in the spelling of the policy.
	ConditionKeys []string
	// MatchedStatements lists the statements that applied or may apply.
	MatchedStatements []StatementRef
}

// trustActions are evaluated with the role's trust policy as the resource
// policy; a trust policy must always allow them explicitly.
var trustActions = map[string]bool{
	"sts:assumerole":                true,
	"sts:assumerolewithsaml":        true,
	"sts:assumerolewithwebidentity": true,
	"sts:tagsession":                true,
	"sts:setsourceidentity":         true,
	"sts:setcontext":                true,
}

// IsTrustAction reports whether action is one that a role's trust policy
// governs (sts:AssumeRole, sts:AssumeRoleWithSAML,
// sts:AssumeRoleWithWebIdentity, sts:TagSession, sts:SetSourceIdentity,
// sts:SetContext).
func IsTrustAction(action string) bool { return trustActions[strings.ToLower(action)] }

type evaluator struct {
	req      Request
	p        principalID
	ctx      *evalCtx
	matched  []StatementRef
	boundary bool
}

// statement evaluates whether s applies to the request. For resource
// policies it also returns how the principal was matched.
func (e *evaluator) statement(s *Statement, doc *Document, typ PolicyType) (truth, grant) {
	g := grantDirect
	if typ == ResourcePolicy {
		if g = e.principalGrant(s); g == grantNone {
			return tFalse, grantNone
		}
	}
	if !s.matchesAction(e.req.Action) {
		return tFalse, grantNone
	}
	vars := doc.Version == Version2012
	res := tTrue
	if s.ResourceSet || s.NotResourceSet {
		res = e.resourceMatch(s, vars)
	}
	if res.isFalse() {
		return tFalse, grantNone
	}
	cond := tTrue
	for _, c := range s.Conditions {
		cond = tAnd(cond, evalCondition(c, vars, e.ctx))
		if cond.isFalse() {
			return tFalse, grantNone
		}
	}
	return tAnd(res, cond), g
}

// principalGrant is how a resource-policy statement's Principal (or
// NotPrincipal) reaches the requester: directly, as its role, through its
// account, or not at all.
func (e *evaluator) principalGrant(s *Statement) grant {
	switch {
	case s.Principal != nil:
		return s.Principal.match(e.p)
	case s.NotPrincipal != nil:
		exempt := s.NotPrincipal.exempts(e.p) ||
			e.ctx.quirks.notPrincipalAccountCoversAll && s.NotPrincipal.match(e.p) != grantNone
		if !exempt {
			// "Everyone except ...": for a request by the role itself
			// this reaches it as the role, which the boundary limits.
			if e.p.kind == pkRole {
				return grantRole
			}
			return grantDirect
		}
		if s.Effect == Deny && e.boundary && e.p.isIAM() {
			// IAM UG, Permissions boundaries: "The NotPrincipal element
			// with a Deny effect will always deny any IAM principal that
			// has a permissions boundary policy attached, regardless of
			// the values specified in the NotPrincipal element."
			return grantDirect
		}
	}
	return grantNone
}

// resourceMatch is whether the statement's Resource (or NotResource) covers
// the request's resource, unknown where a policy variable is.
func (e *evaluator) resourceMatch(s *Statement, vars bool) truth {
	list := s.Resource
	if s.NotResourceSet {
		list = s.NotResource
	}
	m := tFalse
	for _, pat := range list {
		toks, st, keys := expand(pat, vars, e.ctx)
		switch st {
		case expOK:
			if matchTokens(arnify(toks, true), e.req.Resource, false) {
				m = tTrue
			}
			if s.NotResourceSet && e.ctx.quirks.notResourceShortArn && pat != "*" && strings.Count(pat, ":") < 5 {
				m = tTrue
			}
		case expUnknown:
			m = tOr(m, tUnknown(keys...))
		case expMissing:
			// An unresolvable variable matches nothing; under
			// NotResource the "does not match" test fails too.
			if s.NotResourceSet && e.ctx.quirks.notResourceMissingVarStar {
				if matchTokens(arnify(missingAsStar(pat), true), e.req.Resource, false) {
					m = tTrue
				}
				continue
			}
			if s.NotResourceSet {
				return tFalse
			}
		}
		if m.isTrue() {
			break
		}
	}
	if s.NotResourceSet {
		m = tNot(m)
	}
	return m
}

// policySet evaluates documents of one type, returning (allow, deny) and,
// for resource policies, the allow split by grant kind.
func (e *evaluator) policySet(docs []*Document, typ PolicyType, level int) (allow, deny truth, byGrant [grantDirect + 1]truth) {
	allow, deny = tFalse, tFalse
	for i := range byGrant {
		byGrant[i] = tFalse
	}
	for _, d := range docs {
		if d == nil {
			continue
		}
		for _, s := range d.Statements {
			t, g := e.statement(s, d, typ)
			if t.isFalse() {
				continue
			}
			e.matched = append(e.matched, StatementRef{
				Type: typ, Policy: d.Name, Level: level, Index: s.Index, Sid: s.Sid,
				Effect: s.Effect, Conditional: t.isUnknown(),
			})
			if s.Effect == Deny {
				deny = tOr(deny, t)
			} else {
				allow = tOr(allow, t)
				byGrant[g] = tOr(byGrant[g], t)
			}
		}
	}
	return allow, deny, byGrant
}

// Evaluate decides req against in following AWS's documented policy
// evaluation logic; see the package documentation for the rules and the
// deliberate choices.
func Evaluate(in Input, req Request) Result {
	e := newEvaluator(in, req)
	pAcct, rAcct := accountsOf(req, e.p)
	iam := e.p.isIAM()

	deny := tFalse
	idAllow, pbAllow := tFalse, tTrue
	if iam {
		var d truth
		idAllow, d, _ = e.policySet(in.IdentityPolicies, IdentityPolicy, 0)
		deny = tOr(deny, d)
		if e.boundary {
			pbAllow, d, _ = e.policySet(in.PermissionBoundaries, BoundaryPolicy, 0)
			deny = tOr(deny, d)
		}
	}
	scpOK, deny := e.scps(in, deny)
	rp := [grantDirect + 1]truth{tFalse, tFalse, tFalse, tFalse}
	rpDeny := tFalse
	if in.ResourcePolicy != nil {
		_, rpDeny, rp = e.policySet([]*Document{in.ResourcePolicy}, ResourcePolicy, 0)
		deny = tOr(deny, rpDeny)
	}
	rpAny := tOr(rp[grantDirect], tOr(rp[grantRole], rp[grantAccount]))

	var allowed truth
	switch {
	case !iam:
		// Service principals and identity providers have no identity
		// policies: the resource (trust) policy alone grants.
		allowed = rpAny
	case pAcct == rAcct:
		allowed = sameAccountAllowed(in, req, rp, idAllow, pbAllow)
	default:
		// Cross-account: the principal's account must allow (identity
		// policies within its boundary) and the resource policy must too.
		allowed = tAnd(rpAny, tAnd(idAllow, pbAllow))
	}
	allowed = tAnd(scpOK, allowed)

	if in.quirks.crossAccountResourceFirst && iam && pAcct != rAcct && rpAny.isFalse() && !rpDeny.isTrue() {
		deny = tFalse
	}
	res := decide(allowed, deny)
	res.MatchedStatements = e.matched
	return applyIAMSideRules(req, res)
}

// newEvaluator prepares the request's evaluation context.
func newEvaluator(in Input, req Request) *evaluator {
	e := &evaluator{req: req, p: parsePrincipalID(req.Principal)}
	e.boundary = len(in.PermissionBoundaries) > 0
	ctx := req.Context
	if e.p.kind == pkSession && ctx.Decidable == nil {
		// A session's aws:PrincipalArn is its role's ARN, path included,
		// which the session ARN does not tell us: with the default
		// decidability it is unknown unless supplied.
		ctx.Decidable = func(k string) bool {
			return !strings.EqualFold(k, "aws:PrincipalArn") && DefaultDecidable(k)
		}
	}
	e.ctx = newEvalCtx(ctx)
	e.ctx.quirks = in.quirks
	return e
}

// accountsOf is the principal's and the resource's account (given, or read
// from their ARNs).
func accountsOf(req Request, p principalID) (pAcct, rAcct string) {
	pAcct = cmp.Or(req.PrincipalAccount, p.account)
	rAcct = req.ResourceAccount
	if rAcct == "" {
		if parts := strings.SplitN(req.Resource, ":", 6); len(parts) == 6 {
			rAcct = parts[4]
		}
		if rAcct == "" || rAcct == "aws" {
			// AWS managed policies (arn:aws:iam::aws:policy/...) are
			// global: every account reads and attaches them as its own.
			rAcct = pAcct
		}
	}
	return pAcct, rAcct
}

// scps evaluates the SCP levels: every level must allow; their explicit
// denies join deny.
func (e *evaluator) scps(in Input, deny truth) (scpOK, _ truth) {
	scpOK = tTrue
	scpImplicit := false
	for lvl, docs := range in.SCPs {
		a, d, _ := e.policySet(docs, ServiceControlPol, lvl)
		if in.quirks.scpImplicitFirst && !scpImplicit && !d.isTrue() && a.isFalse() && !deny.isTrue() {
			scpImplicit = true
		}
		if !scpImplicit {
			deny = tOr(deny, d)
		}
		scpOK = tAnd(scpOK, a)
	}
	return scpOK, deny
}

// sameAccountAllowed combines resource-policy grants with the identity path
// when principal and resource share an account.
func sameAccountAllowed(in Input, req Request, rp [grantDirect + 1]truth, idAllow, pbAllow truth) truth {
	rpAny := tOr(rp[grantDirect], tOr(rp[grantRole], rp[grantAccount]))
	identityPath := tAnd(idAllow, pbAllow)
	// Same account: a resource-policy allow naming the user or session
	// itself (or "*") is not limited by implicit denies in identity
	// policies or boundaries; one naming the role is limited by the
	// boundary; one naming only the account delegates to identity
	// policies.
	rpSufficient := tOr(rp[grantDirect], tAnd(rp[grantRole], pbAllow))
	if IsTrustAction(req.Action) && !in.quirks.trustDirectIgnoresBoundary {
		// Role trust policies are the exception: a user named in the
		// trust policy is still limited by its boundary (IAM UG,
		// Update a role trust policy: "If a user is listed as the
		// principal in a role's trust policy but cannot assume the
		// role, check the user's permissions boundary. If a
		// permissions boundary is set for the user, then it must allow
		// the sts:AssumeRole action.").
		rpSufficient = tAnd(tOr(rp[grantDirect], rp[grantRole]), pbAllow)
	}
	allowed := tOr(rpSufficient, identityPath)
	if IsTrustAction(req.Action) || IsKMSKey(req.Resource) {
		// Role trust policies and KMS key policies must explicitly
		// allow the principal (or its account).
		allowed = tAnd(rpAny, allowed)
	}
	return allowed
}

// decide turns the three-valued allow and deny into the decision.
func decide(allowed, deny truth) Result {
	var res Result
	final := tAnd(allowed, tNot(deny))
	switch {
	case deny.isTrue():
		res.Decision = ExplicitlyDenied
	case final.isTrue():
		res.Decision = Allowed
	case final.isFalse():
		res.Decision = ImplicitlyDenied
	default:
		res.Decision = ConditionallyAllowed
		res.ConditionKeys = sortedUnique(final.keys)
	}
	return res
}

// missingAsStar is used only by the notResourceMissingVarStar test quirk:
// it compiles pat with every ${...} variable replaced by a '*' wildcard.
func missingAsStar(pat string) []tok {
	var out []tok
	for {
		i := strings.Index(pat, "${")
		j := -1
		if i >= 0 {
			j = strings.IndexByte(pat[i:], '}')
		}
		if i < 0 || j < 0 {
			return append(out, globTokens(pat)...)
		}
		out = append(out, globTokens(pat[:i])...)
		out = append(out, tok{kind: tokStar, colon: true})
		pat = pat[i+j+1:]
	}
}
