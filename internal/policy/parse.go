package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
)

// Effect is the Effect element of a statement: exactly "Allow" or "Deny".
type Effect string

// The two valid effects.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Policy language versions. Policy variables are only substituted under
// Version2012 (AWS treats ${...} literally in older or missing versions).
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Document is a parsed IAM policy document.
type Document struct {
	// Name is not part of the JSON; callers may set it (policy name or ARN) so
	// that Result.MatchedStatements can say which policy a statement came from.
	Name       string
	Version    string
	ID         string
	Statements []*Statement
}

// Statement is one parsed statement. Exactly one of Action/NotAction is set
// (NotActionSet tells which); Resource/NotResource may both be absent (a
// trust or resource policy statement without Resource applies to the
// resource the policy is attached to).
type Statement struct {
	Index  int // 0-based position in the document
	Sid    string
	Effect Effect

	Principal    *Principal // nil when absent
	NotPrincipal *Principal // nil when absent

	Action    []string // as written
	NotAction []string
	// NotActionSet is true when the statement uses NotAction.
	NotActionSet bool

	Resource    []string
	NotResource []string
	// ResourceSet / NotResourceSet report which element is present.
	ResourceSet    bool
	NotResourceSet bool

	Conditions []Condition // in document order (operators and keys sorted)
}

// Principal is the Principal or NotPrincipal element.
type Principal struct {
	// Wildcard is true for "Principal": "*".
	Wildcard      bool
	AWS           []string // ARNs, account ids, or "*"
	Service       []string
	Federated     []string
	CanonicalUser []string
}

// Condition is one (operator, key, values) triple of a Condition block. A
// block with several operators or keys is the AND of its Conditions.
type Condition struct {
	Operator Operator
	Key      string   // as written; compared case-insensitively
	Values   []string // booleans and numbers are kept as their JSON text
}

// ParseError is returned by Parse for malformed documents.
type ParseError struct {
	Statement int    // 1-based statement number, 0 for document-level errors
	Msg       string // what is wrong
}

func (e *ParseError) Error() string {
	if e.Statement > 0 {
		return fmt.Sprintf("statement %d: %s", e.Statement, e.Msg)
	}
	return e.Msg
}

// DecodeDocument returns the policy JSON text contained in s. IAM's
// Get*Policy / GetAccountAuthorizationDetails APIs return documents
// URL-encoded per RFC 3986 (e.g. "%7B%22Version%22..."). If s (after
// trimming whitespace) already starts with '{' it is returned unchanged;
// otherwise it is percent-decoded with path semantics: "%20" becomes a
// space and a literal '+' stays '+' (query-string decoding would corrupt a
// '+' in, say, an ARN or condition value).
func DecodeDocument(s string) (string, error) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "{") {
		return s, nil
	}
	d, err := url.PathUnescape(t)
	if err != nil {
		return "", fmt.Errorf("policy document is neither JSON nor valid URL encoding: %w", err)
	}
	if !strings.HasPrefix(strings.TrimSpace(d), "{") {
		return "", errors.New("policy document does not start with '{' (after URL decoding)")
	}
	return d, nil
}

// ParseEncoded is DecodeDocument followed by Parse.
func ParseEncoded(s string) (*Document, error) {
	d, err := DecodeDocument(s)
	if err != nil {
		return nil, err
	}
	return Parse(d)
}

// MustParse is Parse that panics on error; for tests and literals.
func MustParse(text string) *Document {
	d, err := Parse(text)
	if err != nil {
		panic(err)
	}
	return d
}

// Parse parses an IAM policy document. It never panics; malformed input
// yields a *ParseError (or a JSON syntax error naming the byte offset).
func Parse(text string) (*Document, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return nil, jsonError(err, text)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &ParseError{Msg: fmt.Sprintf("invalid JSON at offset %d: trailing data after the document", dec.InputOffset())}
	}
	top, ok := raw.(map[string]any)
	if !ok {
		return nil, &ParseError{Msg: fmt.Sprintf("policy document must be a JSON object, got %s", jsonKind(raw))}
	}
	doc := &Document{}
	for _, k := range sortedKeys(top) {
		switch k {
		case "Version", "Id", "Statement":
		default:
			return nil, &ParseError{Msg: fmt.Sprintf("unknown top-level element %q", k)}
		}
	}
	if v, ok := top["Version"]; ok {
		s, ok := v.(string)
		if !ok || (s != Version2012 && s != Version2008) {
			return nil, &ParseError{Msg: fmt.Sprintf("Version %s must be %q or %q", jsonText(v), Version2012, Version2008)}
		}
		doc.Version = s
	}
	if v, ok := top["Id"]; ok {
		s, ok := v.(string)
		if !ok {
			return nil, &ParseError{Msg: "Id must be a string"}
		}
		doc.ID = s
	}
	st, ok := top["Statement"]
	if !ok {
		return nil, &ParseError{Msg: "missing Statement element"}
	}
	var list []any
	switch x := st.(type) {
	case map[string]any:
		list = []any{x}
	case []any:
		list = x
	default:
		return nil, &ParseError{Msg: fmt.Sprintf("Statement must be an object or an array, got %s", jsonKind(st))}
	}
	for i, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, &ParseError{Statement: i + 1, Msg: fmt.Sprintf("statement must be a JSON object, got %s", jsonKind(item))}
		}
		s, err := parseStatement(m)
		if err != nil {
			return nil, &ParseError{Statement: i + 1, Msg: err.Error()}
		}
		s.Index = i
		doc.Statements = append(doc.Statements, s)
	}
	return doc, nil
}

func jsonError(err error, text string) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// Offset counts the bytes read including the offending one; report
		// the 0-based position of that byte.
		off := se.Offset - 1
		if off < 0 {
			off = 0
		}
		return &ParseError{Msg: fmt.Sprintf("invalid JSON at offset %d: %s", off, se.Error())}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &ParseError{Msg: fmt.Sprintf("invalid JSON at offset %d: unexpected end of input", len(text))}
	}
	return &ParseError{Msg: "invalid JSON: " + err.Error()}
}

func parseStatement(m map[string]any) (*Statement, error) {
	s := &Statement{}
	for _, k := range sortedKeys(m) {
		switch k {
		case "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition":
		default:
			return nil, fmt.Errorf("unknown element %q", k)
		}
	}
	if v, ok := m["Sid"]; ok {
		str, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("Sid must be a string, got %s", jsonKind(v))
		}
		s.Sid = str
	}
	ev, ok := m["Effect"]
	if !ok {
		return nil, errors.New("missing Effect")
	}
	es, _ := ev.(string)
	if es != string(Allow) && es != string(Deny) {
		return nil, fmt.Errorf("Effect %s must be \"Allow\" or \"Deny\"", jsonText(ev))
	}
	s.Effect = Effect(es)
	for _, parse := range []func(*Statement, map[string]any) error{parsePrincipals, parseActions, parseResources} {
		if err := parse(s, m); err != nil {
			return nil, err
		}
	}
	if c, ok := m["Condition"]; ok {
		var err error
		if s.Conditions, err = parseConditionBlock(c); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// parsePrincipals reads Principal or NotPrincipal (at most one).
func parsePrincipals(s *Statement, m map[string]any) error {
	_, hasP := m["Principal"]
	_, hasNP := m["NotPrincipal"]
	if hasP && hasNP {
		return errors.New("Principal and NotPrincipal both present")
	}
	var err error
	if hasP {
		s.Principal, err = parsePrincipal("Principal", m["Principal"])
	}
	if hasNP {
		s.NotPrincipal, err = parsePrincipal("NotPrincipal", m["NotPrincipal"])
	}
	return err
}

// parseActions reads Action or NotAction (exactly one), each "*" or
// service:action.
func parseActions(s *Statement, m map[string]any) error {
	a, hasA := m["Action"]
	na, hasNA := m["NotAction"]
	var err error
	switch {
	case hasA && hasNA:
		return errors.New("Action and NotAction both present")
	case !hasA && !hasNA:
		return errors.New("missing Action or NotAction")
	case hasA:
		if s.Action, err = stringList("Action", a); err != nil {
			return err
		}
	default:
		if s.NotAction, err = stringList("NotAction", na); err != nil {
			return err
		}
		s.NotActionSet = true
	}
	for _, act := range append(append([]string(nil), s.Action...), s.NotAction...) {
		if act != "*" && !strings.Contains(act, ":") {
			return fmt.Errorf("action %q must be \"*\" or of the form service:action", act)
		}
	}
	return nil
}

// parseResources reads Resource or NotResource (at most one).
func parseResources(s *Statement, m map[string]any) error {
	r, hasR := m["Resource"]
	nr, hasNR := m["NotResource"]
	var err error
	switch {
	case hasR && hasNR:
		return errors.New("Resource and NotResource both present")
	case hasR:
		s.Resource, err = stringList("Resource", r)
		s.ResourceSet = err == nil
	case hasNR:
		s.NotResource, err = stringList("NotResource", nr)
		s.NotResourceSet = err == nil
	}
	return err
}

func parsePrincipal(elem string, v any) (*Principal, error) {
	p := &Principal{}
	switch x := v.(type) {
	case string:
		if x != "*" {
			return nil, fmt.Errorf("%s string value must be \"*\", got %q (use {\"AWS\": ...})", elem, x)
		}
		p.Wildcard = true
		return p, nil
	case map[string]any:
		if len(x) == 0 {
			return nil, fmt.Errorf("%s must not be an empty object", elem)
		}
		for _, k := range sortedKeys(x) {
			vals, err := stringList(elem+"."+k, x[k])
			if err != nil {
				return nil, err
			}
			switch k {
			case "AWS":
				p.AWS = vals
			case "Service":
				p.Service = vals
			case "Federated":
				p.Federated = vals
			case "CanonicalUser":
				p.CanonicalUser = vals
			default:
				return nil, fmt.Errorf("%s has unknown principal type %q (want AWS, Service, Federated or CanonicalUser)", elem, k)
			}
		}
		return p, nil
	default:
		return nil, fmt.Errorf("%s must be \"*\" or an object, got %s", elem, jsonKind(v))
	}
}

// stringList accepts a string or a non-empty array of strings.
func stringList(elem string, v any) ([]string, error) {
	switch x := v.(type) {
	case string:
		return []string{x}, nil
	case []any:
		if len(x) == 0 {
			return nil, fmt.Errorf("%s must not be an empty array", elem)
		}
		out := make([]string, 0, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("%s[%d] must be a string, got %s", elem, i, jsonKind(e))
			}
			out = append(out, s)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("%s must be a string or an array of strings, got %s", elem, jsonKind(v))
	}
}

// conditionScalar renders a condition value: strings as is, booleans and
// numbers as their JSON text.
func conditionScalar(elem string, v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case bool:
		if x {
			return "true", nil
		}
		return "false", nil
	case json.Number:
		return x.String(), nil
	default:
		return "", fmt.Errorf("%s: condition value must be a string, boolean or number, got %s", elem, jsonKind(v))
	}
}

func parseConditionBlock(v any) ([]Condition, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("Condition must be an object, got %s", jsonKind(v))
	}
	var out []Condition
	for _, opName := range sortedKeys(m) {
		op, err := ParseOperator(opName)
		if err != nil {
			return nil, err
		}
		km, ok := m[opName].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("Condition %q must map condition keys to values, got %s", opName, jsonKind(m[opName]))
		}
		if len(km) == 0 {
			return nil, fmt.Errorf("Condition %q has no condition keys", opName)
		}
		for _, key := range sortedKeys(km) {
			if key == "" {
				return nil, fmt.Errorf("Condition %q has an empty condition key", opName)
			}
			elem := fmt.Sprintf("Condition %q key %q", opName, key)
			var vals []string
			switch x := km[key].(type) {
			case []any:
				if len(x) == 0 {
					return nil, fmt.Errorf("%s: empty value list", elem)
				}
				for _, e := range x {
					s, err := conditionScalar(elem, e)
					if err != nil {
						return nil, err
					}
					vals = append(vals, s)
				}
			default:
				s, err := conditionScalar(elem, x)
				if err != nil {
					return nil, err
				}
				vals = []string{s}
			}
			if op.Base == OpNull {
				for _, s := range vals {
					if !strings.EqualFold(s, "true") && !strings.EqualFold(s, "false") {
						return nil, fmt.Errorf("%s: Null takes \"true\" or \"false\", got %q", elem, s)
					}
				}
			}
			out = append(out, Condition{Operator: op, Key: key, Values: vals})
		}
	}
	return out, nil
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func jsonText(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSpace(b.String())
}
