package graph

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// List-valued facts on relationships (docs/contract.md §3).
//
// JupiterOne types a relationship property value as string, number, boolean
// or null (the SDK's RelationshipPropertyValue); an array is not allowed. A
// list-valued fact (the actions of a policy statement, the condition keys of
// a trust, the methods of an API) is therefore written as ONE string: the
// JSON text of the list, e.g. `["s3:GetObject","s3:PutObject"]`, under the
// fact's own (plural) name, plus `<singular>Count`, the number of elements
// (`actions` → `actionCount`). An empty list is `[]` with count 0; null means
// the list is unknown.
//
// JSON text rather than a joined string because no separator is safe for
// every list we carry: policy Resource patterns are ARNs whose resource part
// is free text (an S3 object key may hold `,`, `|`, spaces, even a newline),
// and resource-policy Sids are free text too. JSON is lossless, is what the
// policy `conditions` property already uses, is decoded by any consumer
// (SplitList here, json_each in SQLite/PostgreSQL), and keeps J1QL queries
// simple: `actions ~= 's3:GetObject'` (substring), `actions ~= '"s3:GetObject"'`
// (exact element: the quotes delimit it), `actionCount > 1`.

// JoinList encodes a list for a relationship property: its JSON text
// (`[]` for an empty or nil list). Order is kept.
func JoinList(values []string) string {
	if len(values) == 0 {
		return "[]"
	}
	b, err := json.Marshal(values)
	if err != nil { // cannot happen for []string
		panic(err)
	}
	return string(b)
}

// SplitList decodes a list-valued relationship property: the JSON text
// written by JoinList, or (read back from a store written before the
// encoding, or built in memory) a []string / []any of strings. ok is false
// when v is none of these (nil included).
func SplitList(v any) (values []string, ok bool) {
	switch x := v.(type) {
	case string:
		if err := json.Unmarshal([]byte(x), &values); err != nil {
			return nil, false
		}
		if values == nil {
			values = []string{}
		}
		return values, true
	case []string:
		return x, true
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, isStr := e.(string)
			if !isStr {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

// CountName is the name of the count property that goes with a list
// property: the name without its plural "s", plus "Count"
// (`actions` → `actionCount`, `statementIds` → `statementIdCount`).
func CountName(name string) string {
	return strings.TrimSuffix(name, "s") + "Count"
}

// SetList stores a list-valued fact on a relationship's properties: name =
// JoinList(values), CountName(name) = len(values) (an int64, as DirectByKey
// and Mapped store ints).
func SetList(props map[string]any, name string, values []string) {
	props[name] = JoinList(values)
	props[CountName(name)] = int64(len(values))
}

// RelationshipClasses are the relationship `_class` verbs of
// @jupiterone/data-model 0.64.2 (RelationshipClass, 49 verbs); the SDK's
// createDirectRelationship / createMappedRelationship refuse any other.
var RelationshipClasses = map[string]bool{}

// ExemptRelationshipClasses are verbs outside the data model that the
// product contract prescribes: CAN_ASSUME (docs/contract.md §4.1; the data
// model's own verb for trust is TRUSTS, which is emitted too).
var ExemptRelationshipClasses = map[string]bool{"CAN_ASSUME": true}

func init() {
	for _, c := range strings.Fields(`ALLOWS APPROVED ASSIGNED CONNECTS CONTAINS COMPLETED CREATED
		DEFINES DENIES DEPLOYED ENFORCES EVALUATES EXPLOITS EXTENDS GENERATED HAS HOSTS IDENTIFIED
		IMPLEMENTS IS KNOWS LIMITS LINKS LOGS MANAGES MITIGATES MONITORS NOTIFIES OPENED OVERRIDES
		OWNS PERFORMED PROTECTS PROVIDES PUBLISHED PUBLISHES RESTRICTS REVIEWED REPORTED RUNS SCANS
		SENDS SHARED TRIGGERS TRUSTS UPDATED USES INSTALLED VIOLATES`) {
		RelationshipClasses[c] = true
	}
}

// IsScalar reports whether v is a value JupiterOne accepts for a
// relationship property: string, number, boolean or null.
func IsScalar(v any) bool {
	switch v.(type) {
	case nil, string, bool,
		int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64,
		float32, float64, json.Number:
		return true
	}
	return false
}

// NonScalarProperties lists (sorted) the properties of r whose value is
// not a scalar, `_mapping` excepted (a mapped relationship's `_mapping` is
// an object by the SDK's design).
func NonScalarProperties(r Relationship) []string {
	var out []string
	for k, v := range r {
		if k == "_mapping" {
			continue
		}
		if !IsScalar(v) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// ValidateRelationship checks a relationship against the rules the
// JupiterOne SDK enforces on relationships: a `_class` from the data
// model's RelationshipClass (or an exempt verb) and scalar property values.
func ValidateRelationship(r Relationship) error {
	c := r.Class()
	if !RelationshipClasses[c] && !ExemptRelationshipClasses[c] {
		return fmt.Errorf("relationship %q: _class %q is not a JupiterOne relationship class", r.Key(), c)
	}
	if bad := NonScalarProperties(r); len(bad) > 0 {
		return fmt.Errorf("relationship %q (%s): properties %s are not string, number, boolean or null (lists are encoded with graph.JoinList)", r.Key(), r.Type(), strings.Join(bad, ", "))
	}
	return nil
}

// EncodeLists rewrites, in place, every list-of-strings property value of r
// (except `_mapping`) with JoinList, adding the count property when absent.
// It upgrades relationships read back from a store written before the
// encoding (carried over from the previous run).
func EncodeLists(r Relationship) {
	for k, v := range r {
		if k == "_mapping" || IsScalar(v) {
			continue
		}
		if vals, ok := SplitList(v); ok {
			r[k] = JoinList(vals)
			if _, has := r[CountName(k)]; !has {
				r[CountName(k)] = int64(len(vals))
			}
		}
	}
}
