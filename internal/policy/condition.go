package policy

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/big"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// OpBase is a condition operator without set qualifier and IfExists suffix.
type OpBase uint8

// Condition operators (IAM User Guide, "IAM JSON policy elements: Condition
// operators").
const (
	OpStringEquals OpBase = iota + 1
	OpStringNotEquals
	OpStringEqualsIgnoreCase
	OpStringNotEqualsIgnoreCase
	OpStringLike
	OpStringNotLike
	OpNumericEquals
	OpNumericNotEquals
	OpNumericLessThan
	OpNumericLessThanEquals
	OpNumericGreaterThan
	OpNumericGreaterThanEquals
	OpDateEquals
	OpDateNotEquals
	OpDateLessThan
	OpDateLessThanEquals
	OpDateGreaterThan
	OpDateGreaterThanEquals
	OpBool
	OpBinaryEquals
	OpIpAddress
	OpNotIpAddress
	OpArnEquals
	OpArnLike
	OpArnNotEquals
	OpArnNotLike
	OpNull
)

var opNames = map[OpBase]string{
	OpStringEquals: "StringEquals", OpStringNotEquals: "StringNotEquals",
	OpStringEqualsIgnoreCase: "StringEqualsIgnoreCase", OpStringNotEqualsIgnoreCase: "StringNotEqualsIgnoreCase",
	OpStringLike: "StringLike", OpStringNotLike: "StringNotLike",
	OpNumericEquals: "NumericEquals", OpNumericNotEquals: "NumericNotEquals",
	OpNumericLessThan: "NumericLessThan", OpNumericLessThanEquals: "NumericLessThanEquals",
	OpNumericGreaterThan: "NumericGreaterThan", OpNumericGreaterThanEquals: "NumericGreaterThanEquals",
	OpDateEquals: "DateEquals", OpDateNotEquals: "DateNotEquals",
	OpDateLessThan: "DateLessThan", OpDateLessThanEquals: "DateLessThanEquals",
	OpDateGreaterThan: "DateGreaterThan", OpDateGreaterThanEquals: "DateGreaterThanEquals",
	OpBool: "Bool", OpBinaryEquals: "BinaryEquals",
	OpIpAddress: "IpAddress", OpNotIpAddress: "NotIpAddress",
	OpArnEquals: "ArnEquals", OpArnLike: "ArnLike", OpArnNotEquals: "ArnNotEquals", OpArnNotLike: "ArnNotLike",
	OpNull: "Null",
}

var opByLower = func() map[string]OpBase {
	m := map[string]OpBase{}
	for k, v := range opNames {
		m[strings.ToLower(v)] = k
	}
	return m
}()

func (b OpBase) String() string { return opNames[b] }

// negated reports whether the operator is a negative one (NotEquals,
// NotLike, NotIpAddress): it is true when no policy value matches.
func (b OpBase) negated() bool {
	switch b {
	case OpStringNotEquals, OpStringNotEqualsIgnoreCase, OpStringNotLike, OpNumericNotEquals,
		OpDateNotEquals, OpNotIpAddress, OpArnNotEquals, OpArnNotLike:
		return true
	}
	return false
}

// takesVariables reports whether policy variables are substituted in the
// operator's values (string and ARN operators).
func (b OpBase) takesVariables() bool {
	switch b {
	case OpStringEquals, OpStringNotEquals, OpStringEqualsIgnoreCase, OpStringNotEqualsIgnoreCase,
		OpStringLike, OpStringNotLike, OpArnEquals, OpArnLike, OpArnNotEquals, OpArnNotLike:
		return true
	}
	return false
}

// SetQualifier is the ForAnyValue:/ForAllValues: prefix.
type SetQualifier uint8

// Set qualifiers.
const (
	SetNone SetQualifier = iota
	ForAnyValue
	ForAllValues
)

// Operator is a parsed condition operator such as
// "ForAllValues:StringLikeIfExists".
type Operator struct {
	Name     string // canonical spelling
	Base     OpBase
	Set      SetQualifier
	IfExists bool
}

func (o Operator) String() string { return o.Name }

// ParseOperator parses a condition operator name. Operator names are
// matched case-insensitively and reported in canonical spelling. An
// unknown operator, or Null with IfExists, is an error naming it.
func ParseOperator(name string) (Operator, error) {
	op := Operator{}
	rest := name
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		switch strings.ToLower(rest[:i]) {
		case "foranyvalue":
			op.Set = ForAnyValue
		case "forallvalues":
			op.Set = ForAllValues
		default:
			return op, fmt.Errorf("unknown condition operator %q: set qualifier %q must be ForAnyValue or ForAllValues", name, rest[:i])
		}
		rest = rest[i+1:]
	}
	if len(rest) > len("IfExists") && strings.EqualFold(rest[len(rest)-len("IfExists"):], "IfExists") {
		op.IfExists = true
		rest = rest[:len(rest)-len("IfExists")]
	}
	b, ok := opByLower[strings.ToLower(rest)]
	if !ok {
		return op, fmt.Errorf("unknown condition operator %q", name)
	}
	op.Base = b
	if b == OpNull && op.IfExists {
		return op, fmt.Errorf("condition operator %q: Null cannot be combined with IfExists", name)
	}
	var sb strings.Builder
	switch op.Set {
	case ForAnyValue:
		sb.WriteString("ForAnyValue:")
	case ForAllValues:
		sb.WriteString("ForAllValues:")
	}
	sb.WriteString(b.String())
	if op.IfExists {
		sb.WriteString("IfExists")
	}
	op.Name = sb.String()
	return op, nil
}

// expandStatus is the outcome of policy-variable substitution.
type expandStatus uint8

const (
	expOK      expandStatus = iota
	expMissing              // a variable's key is absent and has no default: the value matches nothing
	expUnknown              // a variable's key is unknown
)

// expand compiles a pattern, substituting policy variables when vars is
// set. Text from the policy keeps '*' and '?' as wildcards; substituted
// values and the escapes ${*} ${?} ${$} are literal characters.
func expand(s string, vars bool, ctx *evalCtx) ([]tok, expandStatus, []string) {
	if !vars || !strings.Contains(s, "${") {
		return globTokens(s), expOK, nil
	}
	var out []tok
	lit := func(v string) {
		for _, r := range v {
			out = append(out, tok{kind: tokLit, r: r})
		}
	}
	status := expOK
	var unknown []string
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			out = append(out, globTokens(s)...)
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			out = append(out, globTokens(s)...)
			break
		}
		out = append(out, globTokens(s[:i])...)
		inner := s[i+2 : i+j]
		s = s[i+j+1:]
		switch inner {
		case "*", "?", "$":
			lit(inner)
			continue
		}
		key, def, hasDef := strings.TrimSpace(inner), "", false
		if c := strings.IndexByte(inner, ','); c >= 0 {
			d := strings.TrimSpace(inner[c+1:])
			if len(d) >= 2 && d[0] == '\'' && d[len(d)-1] == '\'' {
				key, def, hasDef = strings.TrimSpace(inner[:c]), d[1:len(d)-1], true
			}
		}
		vals, st := ctx.lookup(key)
		switch {
		case st == keyPresent && len(vals) == 1:
			lit(vals[0])
		case st == keyUnknown:
			// The real value, or (when absent) the default or no match:
			// we cannot tell.
			unknown = append(unknown, key)
			if status == expOK {
				status = expUnknown
			}
		case hasDef:
			lit(def)
		default:
			// Absent (or multivalued, which AWS does not support as a
			// variable): the value cannot match anything.
			status = expMissing
		}
	}
	if status == expMissing {
		return nil, expMissing, nil
	}
	return out, status, unknown
}

func tokString(toks []tok) string {
	var b strings.Builder
	for _, t := range toks {
		switch t.kind {
		case tokStar:
			b.WriteByte('*')
		case tokQ:
			b.WriteByte('?')
		default:
			b.WriteRune(t.r)
		}
	}
	return b.String()
}

// litString renders tokens for equality operators, where '*' and '?' are
// ordinary characters.
func litString(toks []tok) string { return tokString(toks) }

// policyValue is one compiled condition value.
type policyValue struct {
	toks []tok
	str  string
}

// evalCondition evaluates one (operator, key, values) triple.
func evalCondition(c Condition, vars bool, ctx *evalCtx) truth {
	op := c.Operator
	ctxVals, st := ctx.lookup(c.Key)
	pvs, unknownKeys, missing := compileValues(c, vars, ctx)
	if st == keyUnknown {
		return tUnknown(append(unknownKeys, c.Key)...)
	}
	if len(unknownKeys) > 0 {
		return tUnknown(unknownKeys...)
	}
	if op.Base == OpNull {
		return nullCondition(c.Values, st == keyAbsent)
	}
	neg := op.Base.negated()
	if st == keyAbsent {
		return absentKey(op, neg, ctx)
	}

	// matchOne: does the context value match any policy value under the
	// positive form of the operator? A value whose policy variable cannot
	// be resolved matches nothing, and for a negated operator it makes
	// the comparison fail (IAM UG, Variables: a key that is not present
	// means "any attempt to match it fails"), so matchOne reports true.
	matchOne := func(cv string) bool {
		if neg && missing {
			return true
		}
		for _, pv := range pvs {
			if positiveMatch(op.Base, pv, cv, ctx.quirks) {
				return true
			}
		}
		return false
	}
	if ctx.quirks.ipBareV4VersusV6False && (op.Base == OpIpAddress || op.Base == OpNotIpAddress) && v4AgainstV6(pvs, ctxVals) {
		return tFalse
	}
	switch op.Set {
	case ForAllValues:
		for _, cv := range ctxVals {
			if matchOne(cv) == neg {
				return tFalse
			}
		}
		return tTrue
	case ForAnyValue:
		for _, cv := range ctxVals {
			if matchOne(cv) != neg {
				return tTrue
			}
		}
		return tFalse
	}
	// Without a set qualifier the operator compares one context value;
	// AWS says multivalued keys "require a condition set operator" and
	// does not define the other case: like the reference simulator we
	// treat a key with zero or several values as not matching, for
	// negated operators too.
	if len(ctxVals) != 1 {
		return tFalse
	}
	return tBool(matchOne(ctxVals[0]) != neg)
}

// compileValues compiles the condition's policy values, substituting
// variables: those naming an unknown key are reported by key, those naming
// an absent one make missing true.
func compileValues(c Condition, vars bool, ctx *evalCtx) (pvs []policyValue, unknownKeys []string, missing bool) {
	for _, v := range c.Values {
		toks, es, keys := expand(v, vars && c.Operator.Base.takesVariables(), ctx)
		switch es {
		case expMissing:
			missing = true
			continue
		case expUnknown:
			unknownKeys = append(unknownKeys, keys...)
			continue
		}
		pvs = append(pvs, policyValue{toks: toks, str: litString(toks)})
	}
	return pvs, unknownKeys, missing
}

// nullCondition: Null with "true" asks for the key to be absent, any other
// value for it to be present.
func nullCondition(values []string, absent bool) truth {
	wantAbsent, wantPresent := false, false
	for _, v := range values {
		if strings.EqualFold(v, "true") {
			wantAbsent = true
		} else {
			wantPresent = true
		}
	}
	if absent {
		return tBool(wantAbsent)
	}
	return tBool(wantPresent)
}

// absentKey is an operator's answer when the request lacks the key.
func absentKey(op Operator, neg bool, ctx *evalCtx) truth {
	switch {
	case op.IfExists && op.Set == ForAnyValue && ctx.quirks.forAnyValueIfExistsFalse:
		return tFalse
	case op.IfExists:
		return tTrue
	case op.Set == ForAllValues:
		return tTrue
	case op.Set == ForAnyValue:
		return tFalse
	}
	return tBool(neg)
}

// v4AgainstV6 reports a bare IPv4 policy address compared with an IPv6
// context address (an oracle quirk, off by default).
func v4AgainstV6(pvs []policyValue, ctxVals []string) bool {
	for _, pv := range pvs {
		a, err := netip.ParseAddr(strings.TrimSpace(pv.str))
		for _, cv := range ctxVals {
			c, err2 := netip.ParseAddr(strings.TrimSpace(cv))
			if err == nil && err2 == nil && a.Is4() && c.Is6() {
				return true
			}
		}
	}
	return false
}

// positiveMatch applies the positive form of base to one policy value and
// one context value.
func positiveMatch(base OpBase, pv policyValue, cv string, q oracleQuirks) bool {
	switch base {
	case OpStringEquals, OpStringNotEquals:
		return pv.str == cv
	case OpStringEqualsIgnoreCase, OpStringNotEqualsIgnoreCase:
		return strings.EqualFold(pv.str, cv)
	case OpStringLike, OpStringNotLike:
		return matchTokens(pv.toks, cv, false)
	case OpArnEquals, OpArnLike, OpArnNotEquals, OpArnNotLike:
		toks := append([]tok(nil), pv.toks...)
		return matchArnTokens(arnify(toks, false), cv)
	case OpNumericEquals, OpNumericNotEquals, OpNumericLessThan, OpNumericLessThanEquals,
		OpNumericGreaterThan, OpNumericGreaterThanEquals:
		a, ok1 := parseNumber(cv)
		b, ok2 := parseNumber(pv.str)
		if !ok1 || !ok2 {
			return false
		}
		return compare(base, a.Cmp(b))
	case OpDateEquals, OpDateNotEquals, OpDateLessThan, OpDateLessThanEquals,
		OpDateGreaterThan, OpDateGreaterThanEquals:
		a, ok1 := parseDate(cv, q.epochMillis)
		b, ok2 := parseDate(pv.str, q.epochMillis)
		if !ok1 || !ok2 {
			return false
		}
		return compare(base, a.Compare(b))
	case OpBool:
		p, ok1 := parseBool(pv.str)
		c, ok2 := parseBool(cv)
		return ok1 && ok2 && p == c
	case OpBinaryEquals:
		p, err1 := base64.StdEncoding.DecodeString(pv.str)
		c, err2 := base64.StdEncoding.DecodeString(cv)
		if err1 != nil || err2 != nil {
			return pv.str == cv
		}
		return bytes.Equal(p, c)
	case OpIpAddress, OpNotIpAddress:
		if q.ipZeroPrefixNoMatch && strings.HasSuffix(strings.TrimSpace(pv.str), "/0") {
			return false
		}
		return ipMatch(pv.str, cv)
	}
	return false
}

// compare maps a three-way comparison of context value against policy
// value onto a numeric/date operator.
func compare(base OpBase, c int) bool {
	switch base {
	case OpNumericEquals, OpNumericNotEquals, OpDateEquals, OpDateNotEquals:
		return c == 0
	case OpNumericLessThan, OpDateLessThan:
		return c < 0
	case OpNumericLessThanEquals, OpDateLessThanEquals:
		return c <= 0
	case OpNumericGreaterThan, OpDateGreaterThan:
		return c > 0
	case OpNumericGreaterThanEquals, OpDateGreaterThanEquals:
		return c >= 0
	}
	return false
}

// parseNumber parses an integer or decimal number exactly.
func parseNumber(s string) (*big.Rat, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, "/eE") {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
	"20060102T150405Z",
}

// parseDate parses a Date condition value: ISO 8601 (date, date-time with
// optional fraction and zone; no zone means UTC) or POSIX epoch seconds
// (milliseconds with epochMillis).
func parseDate(s string, epochMillis bool) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if epochMillis {
			return time.UnixMilli(n).UTC(), true
		}
		return time.Unix(n, 0).UTC(), true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "eEnN") {
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// ipMatch reports whether context address cv lies in policy CIDR (or
// address) pv.
func ipMatch(pv, cv string) bool {
	addr, err := netip.ParseAddr(strings.TrimSpace(cv))
	if err != nil {
		// Context values sometimes carry a prefix length.
		p, err2 := netip.ParsePrefix(strings.TrimSpace(cv))
		if err2 != nil {
			return false
		}
		addr = p.Addr()
	}
	pv = strings.TrimSpace(pv)
	var pfx netip.Prefix
	if strings.Contains(pv, "/") {
		pfx, err = netip.ParsePrefix(pv)
		if err != nil {
			return false
		}
	} else {
		a, err := netip.ParseAddr(pv)
		if err != nil {
			return false
		}
		pfx = netip.PrefixFrom(a, a.BitLen())
	}
	pfx = pfx.Masked()
	if pfx.Addr().Is4() && addr.Is4In6() {
		addr = addr.Unmap()
	}
	return pfx.Contains(addr)
}
