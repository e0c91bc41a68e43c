package policy

import (
	"strings"
)

type principalKind uint8

const (
	pkOther             principalKind = iota
	pkUser                            // arn:aws:iam::A:user/path/name
	pkRole                            // arn:aws:iam::A:role/path/name
	pkSession                         // arn:aws:sts::A:assumed-role/name/session
	pkFederatedUser                   // arn:aws:sts::A:federated-user/name
	pkRoot                            // arn:aws:iam::A:root
	pkService                         // lambda.amazonaws.com
	pkFederatedProvider               // arn:aws:iam::A:saml-provider/X, oidc-provider/X, or an IdP name
)

// principalID is a parsed request principal.
type principalID struct {
	raw       string
	kind      principalKind
	partition string
	account   string
	name      string // user name, role name (no path), federated user name
	session   string
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parsePrincipalID classifies a request principal.
func parsePrincipalID(s string) principalID {
	p := principalID{raw: s}
	if !strings.HasPrefix(s, "arn:") {
		if isAccountID(s) {
			p.kind, p.account, p.partition = pkRoot, s, "aws"
			return p
		}
		// Web identity providers are named by host; everything else that
		// looks like a host under amazonaws.com is a service principal.
		switch s {
		case "cognito-identity.amazonaws.com", "www.amazon.com", "graph.facebook.com", "accounts.google.com":
			p.kind = pkFederatedProvider
		default:
			if strings.Contains(s, ".") && !strings.ContainsAny(s, ":/ ") {
				p.kind = pkService
			}
		}
		return p
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 {
		return p
	}
	p.partition, p.account = parts[1], parts[4]
	svc, res := parts[2], parts[5]
	switch {
	case svc == "iam" && res == "root":
		p.kind = pkRoot
	case svc == "iam" && strings.HasPrefix(res, "user/"):
		p.kind = pkUser
		p.name = res[strings.LastIndex(res, "/")+1:]
	case svc == "iam" && strings.HasPrefix(res, "role/"):
		p.kind = pkRole
		p.name = res[strings.LastIndex(res, "/")+1:]
	case svc == "iam" && (strings.HasPrefix(res, "saml-provider/") || strings.HasPrefix(res, "oidc-provider/")):
		p.kind = pkFederatedProvider
	case svc == "sts" && strings.HasPrefix(res, "assumed-role/"):
		f := strings.Split(res, "/")
		if len(f) == 3 {
			p.kind, p.name, p.session = pkSession, f[1], f[2]
		}
	case svc == "sts" && strings.HasPrefix(res, "federated-user/"):
		p.kind = pkFederatedUser
		p.name = strings.TrimPrefix(res, "federated-user/")
	}
	return p
}

func (p principalID) isIAM() bool {
	switch p.kind {
	case pkUser, pkRole, pkSession, pkFederatedUser, pkRoot:
		return true
	}
	return false
}

// grant says how a Principal element matched the request principal. The
// order matters: a larger value is a more direct grant.
type grant uint8

const (
	grantNone    grant = iota
	grantAccount       // matched through the principal's account (ARN ...:root or 12-digit id)
	grantRole          // matched a role ARN while the requester is that role or one of its sessions
	grantDirect        // matched the exact principal (user, session, federated user), a service/IdP, or "*"
)

// matchAWSValue matches one value of a Principal "AWS" list.
func matchAWSValue(v string, p principalID) grant {
	if v == "*" {
		return grantDirect
	}
	if !p.isIAM() {
		return grantNone
	}
	if isAccountID(v) {
		if v == p.account {
			return grantAccount
		}
		return grantNone
	}
	q := parsePrincipalID(v)
	if q.partition != p.partition || q.account != p.account {
		return grantNone
	}
	switch q.kind {
	case pkRoot:
		return grantAccount
	case pkUser, pkFederatedUser:
		if v == p.raw {
			return grantDirect
		}
	case pkRole:
		// Role names are unique in an account whatever their path; a
		// session ARN does not carry the path, so compare names.
		if p.kind == pkRole && v == p.raw {
			return grantRole
		}
		if p.kind == pkSession && q.name == p.name {
			return grantRole
		}
	case pkSession:
		if v == p.raw {
			return grantDirect
		}
	}
	return grantNone
}

// match returns the most direct way the Principal element matches p
// (grantNone when it does not). Principal ARNs never contain wildcards in
// AWS ("you cannot use a wildcard to match part of a principal name or
// ARN"), so an ARN with '*' is compared literally and matches nothing.
func (pr *Principal) match(p principalID) grant {
	if pr == nil {
		return grantNone
	}
	if pr.Wildcard {
		return grantDirect
	}
	best := grantNone
	for _, v := range pr.AWS {
		if g := matchAWSValue(v, p); g > best {
			best = g
		}
	}
	if p.kind == pkService {
		for _, v := range pr.Service {
			if strings.EqualFold(v, p.raw) {
				best = grantDirect
			}
		}
	}
	if p.kind == pkFederatedProvider {
		for _, v := range pr.Federated {
			if v == p.raw {
				best = grantDirect
			}
		}
	}
	if p.kind == pkOther {
		for _, v := range pr.CanonicalUser {
			if v == p.raw {
				best = grantDirect
			}
		}
	}
	return best
}

// exempts reports whether a NotPrincipal element leaves p out ("everyone
// except p"). The principal must be named itself: its own ARN (a user, a
// session, a federated user, the account root), or, for a role and its
// sessions, the role ARN. An account ARN or id does not exempt the account's
// other principals: IAM UG, NotPrincipal, on NotPrincipal [Bob, account
// 444455556666 root] in a Deny: "all principals except the user named Bob in
// AWS account 444455556666 are explicitly denied". (The page says AWS
// "might" also deny Bob when his account is not listed; we take the
// less-denying reading and exempt a principal named without its account.)
func (pr *Principal) exempts(p principalID) bool {
	switch g := pr.match(p); g {
	case grantDirect, grantRole:
		return true
	case grantAccount:
		return p.kind == pkRoot
	}
	return false
}

// CandidateKind classifies a PrincipalCandidate.
type CandidateKind string

// Candidate kinds.
const (
	// CandidateAny: the statement names "*" (or {"AWS": "*"}): any principal.
	CandidateAny CandidateKind = "any"
	// CandidateAllExcept: an Allow with NotPrincipal: every principal except
	// those listed in Except (treat like CandidateAny for indexing).
	CandidateAllExcept CandidateKind = "all-except"
	// CandidateAccount: any IAM principal of account Value (12 digits),
	// written as "ACCOUNT" or "arn:PARTITION:iam::ACCOUNT:root".
	CandidateAccount CandidateKind = "account"
	// CandidateARN: exactly the IAM principal Value (user, role and its
	// sessions, assumed-role session, federated user).
	CandidateARN CandidateKind = "arn"
	// CandidateService: the AWS service principal Value.
	CandidateService CandidateKind = "service"
	// CandidateFederated: identities of the provider Value (SAML/OIDC ARN or
	// web identity provider name).
	CandidateFederated CandidateKind = "federated"
	// CandidateCanonicalUser: the S3 canonical user Value.
	CandidateCanonicalUser CandidateKind = "canonical-user"
)

// PrincipalCandidate is one principal pattern named by an Allow statement.
type PrincipalCandidate struct {
	Statement int // 0-based statement index
	Sid       string
	Kind      CandidateKind
	Value     string   // ARN, account id, service or provider; "" for any/all-except
	Except    []string // for CandidateAllExcept: the NotPrincipal values
}

// PrincipalCandidates lists, for each Allow statement whose Action/NotAction
// covers action (every Allow statement when action is ""), the principal
// patterns it names. It is an index helper for resource and trust policies:
// a principal that matches no candidate can never be allowed by this
// document, so a caller can look up "who may assume this role" by ARN,
// account and service instead of testing every principal against every
// role. The list is a superset: conditions, Deny statements and the rest of
// the evaluation logic are NOT applied, so always confirm with Evaluate.
// Account ids and ":root" ARNs are both reported as CandidateAccount with
// the 12-digit id as Value. Statements without Principal or NotPrincipal
// (identity-policy style) name nobody and yield nothing.
func (d *Document) PrincipalCandidates(action string) []PrincipalCandidate {
	var out []PrincipalCandidate
	for _, s := range d.Statements {
		if s.Effect != Allow {
			continue
		}
		if action != "" && !s.matchesAction(action) {
			continue
		}
		add := func(k CandidateKind, v string) {
			out = append(out, PrincipalCandidate{Statement: s.Index, Sid: s.Sid, Kind: k, Value: v})
		}
		if s.NotPrincipal != nil {
			np := s.NotPrincipal
			var ex []string
			ex = append(ex, np.AWS...)
			ex = append(ex, np.Service...)
			ex = append(ex, np.Federated...)
			ex = append(ex, np.CanonicalUser...)
			out = append(out, PrincipalCandidate{Statement: s.Index, Sid: s.Sid, Kind: CandidateAllExcept, Except: ex})
			continue
		}
		p := s.Principal
		if p == nil {
			continue
		}
		if p.Wildcard {
			add(CandidateAny, "")
			continue
		}
		for _, v := range p.AWS {
			switch {
			case v == "*":
				add(CandidateAny, "")
			case isAccountID(v):
				add(CandidateAccount, v)
			default:
				if q := parsePrincipalID(v); q.kind == pkRoot {
					add(CandidateAccount, q.account)
				} else {
					add(CandidateARN, v)
				}
			}
		}
		for _, v := range p.Service {
			add(CandidateService, v)
		}
		for _, v := range p.Federated {
			add(CandidateFederated, v)
		}
		for _, v := range p.CanonicalUser {
			add(CandidateCanonicalUser, v)
		}
	}
	return out
}

func (s *Statement) matchesAction(action string) bool {
	list := s.Action
	if s.NotActionSet {
		list = s.NotAction
	}
	m := false
	for _, a := range list {
		if MatchAction(a, action) {
			m = true
			break
		}
	}
	if s.NotActionSet {
		return !m
	}
	return m
}
