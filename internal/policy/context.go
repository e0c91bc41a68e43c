package policy

import "strings"

// Context is the request context: the condition-key values of a request.
//
// A key present in Values has exactly those values (an empty slice means
// "present with no values"). A key absent from Values is known to be
// absent when Decidable(key) reports true, and is unknown otherwise; a
// condition that depends on an unknown key evaluates to unknown and the key
// is reported in Result.ConditionKeys. Keys are compared
// case-insensitively. A nil Decidable means DefaultDecidable.
type Context struct {
	Values    map[string][]string
	Decidable func(key string) bool
}

// defaultDecidable lists the (lower-cased) keys whose absence we can know
// from the collected account data: they describe the principal, which the
// caller knows completely (see PrincipalContext).
var defaultDecidable = map[string]bool{
	"aws:principalarn":              true,
	"aws:principalaccount":          true,
	"aws:principaltype":             true,
	"aws:username":                  true,
	"aws:userid":                    true,
	"aws:principalservicename":      true,
	"aws:principalservicenameslist": true,
	"aws:principalisawsservice":     true,
}

// DefaultDecidable reports whether the absence of key from Context.Values
// can be taken as "the request will not carry this key". It is true for
// principal-describing keys (aws:PrincipalArn, aws:PrincipalAccount,
// aws:PrincipalType, aws:PrincipalTag/*, aws:username, aws:userid,
// aws:PrincipalServiceName(sList), aws:PrincipalIsAWSService). Everything
// else (sts:ExternalId, aws:MultiFactorAuthPresent, aws:SourceIp,
// aws:SourceArn, aws:RequestTag/*, saml:*, aws:PrincipalOrgID, ...) is
// decided by the caller of AWS at request time and so is unknown when
// absent. aws:PrincipalOrgID and aws:PrincipalOrgPaths are unknown unless
// supplied because account data alone does not say which organization the
// principal's account belongs to.
func DefaultDecidable(key string) bool {
	k := strings.ToLower(key)
	return defaultDecidable[k] || strings.HasPrefix(k, "aws:principaltag/")
}

// AllDecidable treats every absent key as known-absent (the behaviour of a
// strict simulator that is given the complete request context).
func AllDecidable(string) bool { return true }

// keyState is the state of one context key during evaluation.
type keyState uint8

const (
	keyPresent keyState = iota
	keyAbsent
	keyUnknown
)

// evalCtx is a Context normalized for lookups.
type evalCtx struct {
	values    map[string][]string // lower-cased keys
	decidable func(string) bool
	quirks    oracleQuirks
}

func newEvalCtx(c Context) *evalCtx {
	e := &evalCtx{values: make(map[string][]string, len(c.Values)), decidable: c.Decidable}
	for k, v := range c.Values {
		lk := strings.ToLower(k)
		if old, ok := e.values[lk]; ok {
			v = append(append([]string(nil), old...), v...)
		}
		e.values[lk] = v
	}
	if e.decidable == nil {
		e.decidable = DefaultDecidable
	}
	return e
}

func (e *evalCtx) lookup(key string) ([]string, keyState) {
	if v, ok := e.values[strings.ToLower(key)]; ok {
		return v, keyPresent
	}
	if e.decidable(key) {
		return nil, keyAbsent
	}
	return nil, keyUnknown
}

// PrincipalContext derives the principal-describing context keys AWS sets
// for a request made by principal (an IAM ARN, a service principal such as
// "lambda.amazonaws.com", or a federated identity provider). Merge it into
// Context.Values (explicit values should win). aws:PrincipalArn is not
// derived for assumed-role sessions because the session ARN does not carry
// the role's path; supply it yourself (the role ARN) when you know it.
// aws:userid and aws:PrincipalTag/* need data we do not have here; supply
// them from the collected account.
func PrincipalContext(principal string) map[string][]string {
	p := parsePrincipalID(principal)
	m := map[string][]string{}
	switch p.kind {
	case pkService:
		m["aws:PrincipalServiceName"] = []string{principal}
		m["aws:PrincipalIsAWSService"] = []string{"true"}
		return m
	case pkFederatedProvider, pkOther:
		return m
	}
	m["aws:PrincipalIsAWSService"] = []string{"false"}
	m["aws:PrincipalAccount"] = []string{p.account}
	switch p.kind {
	case pkUser:
		m["aws:PrincipalArn"] = []string{principal}
		m["aws:PrincipalType"] = []string{"User"}
		m["aws:username"] = []string{p.name}
	case pkRole:
		m["aws:PrincipalArn"] = []string{principal}
		m["aws:PrincipalType"] = []string{"AssumedRole"}
	case pkSession:
		m["aws:PrincipalType"] = []string{"AssumedRole"}
	case pkFederatedUser:
		m["aws:PrincipalArn"] = []string{principal}
		m["aws:PrincipalType"] = []string{"FederatedUser"}
	case pkRoot:
		m["aws:PrincipalArn"] = []string{principal}
		m["aws:PrincipalType"] = []string{"Account"}
	}
	return m
}
