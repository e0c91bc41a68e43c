// Package graph holds the JupiterOne-shaped graph objects (entities, direct and
// mapped relationships) and the naming rules for their keys and types.
//
// Entities and relationships are property maps because the JupiterOne data model
// is open-ended: each class adds its own properties and every AWS tag becomes a
// `tag.<Key>` property. The helpers below keep the reserved properties consistent.
package graph

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Entity is one node of the graph: `_key`, `_type`, `_class` plus properties.
type Entity map[string]any

// Relationship is one edge: either direct (`_fromEntityKey`, `_toEntityKey`) or
// mapped (`_mapping`, resolved by whoever holds the target).
type Relationship map[string]any

// Key returns the entity's `_key`.
func (e Entity) Key() string { return str(e["_key"]) }

// Type returns the entity's `_type`.
func (e Entity) Type() string { return str(e["_type"]) }

// String returns a string property, or "" when absent or not a string.
func (e Entity) String(prop string) string { return str(e[prop]) }

// Strings returns a list property ([]string, or []any read back from JSON)
// as strings; nil when absent or not a list.
func (e Entity) Strings(prop string) []string {
	switch x := e[prop].(type) {
	case []string:
		return x
	case []any:
		out := make([]string, 0, len(x))
		for _, v := range x {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// Classes returns `_class` as a list.
func (e Entity) Classes() []string {
	switch c := e["_class"].(type) {
	case string:
		return []string{c}
	case []string:
		return c
	case []any:
		out := make([]string, 0, len(c))
		for _, v := range c {
			out = append(out, str(v))
		}
		return out
	}
	return nil
}

// Key returns the relationship's `_key`.
func (r Relationship) Key() string { return str(r["_key"]) }

// Type returns the relationship's `_type`.
func (r Relationship) Type() string { return str(r["_type"]) }

// Class returns the relationship's `_class` verb.
func (r Relationship) Class() string { return str(r["_class"]) }

// FromKey returns `_fromEntityKey` ("" for mapped relationships).
func (r Relationship) FromKey() string { return str(r["_fromEntityKey"]) }

// ToKey returns `_toEntityKey` ("" for mapped relationships).
func (r Relationship) ToKey() string { return str(r["_toEntityKey"]) }

// Mapping returns the `_mapping` of a mapped relationship, or nil.
func (r Relationship) Mapping() *Mapping {
	switch m := r["_mapping"].(type) {
	case *Mapping:
		return m
	case map[string]any: // read back from JSON
		data, err := json.Marshal(m)
		if err != nil {
			return nil
		}
		var out Mapping
		if json.Unmarshal(data, &out) != nil {
			return nil
		}
		return &out
	}
	return nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// NewEntity builds an entity with the reserved properties every entity carries
// (docs/contract.md §2): `_key`, `_type`, `_class` (always a list, as the
// JupiterOne SDK writes it), `name`, `displayName`. A `Name` tag given later
// through SetTags overrides displayName.
func NewEntity(key, typ string, class []string, name string) Entity {
	return Entity{
		"_key":        key,
		"_type":       typ,
		"_class":      append([]string(nil), class...),
		"name":        name,
		"displayName": name,
	}
}

// Set stores a property (docs/contract.md §2). A value AWS did not give (nil,
// a nil pointer) is stored as null only when one of the entity's classes
// requires the property and allows null (RequiresNullable); otherwise the
// property is omitted, never written as null. Zero-length lists are kept.
func (e Entity) Set(prop string, v any) Entity {
	d := deref(v)
	if d == nil {
		if RequiresNullable(e.Classes(), prop) {
			e[prop] = nil
		} else {
			delete(e, prop)
		}
		return e
	}
	e[prop] = d
	return e
}

// SetIfPresent stores a property only when it has a value.
func (e Entity) SetIfPresent(prop string, v any) Entity {
	if d := deref(v); d != nil {
		e[prop] = d
	}
	return e
}

// SetTags copies AWS tags as `tag.<Key>` and lets a `Name` tag set displayName.
// A tag key the data model's property-name rule (`[A-Za-z0-9. -]` after the
// prefix) rejects is written under TagProperty's spelling of it.
func (e Entity) SetTags(tags map[string]string) Entity {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	// Valid keys first, so a rewritten key never takes a valid key's name.
	sort.Slice(keys, func(i, j int) bool {
		vi, vj := tagKeyValid(keys[i]), tagKeyValid(keys[j])
		if vi != vj {
			return vi
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		v := tags[k]
		p := TagProperty(k)
		for n := 2; ; n++ {
			if _, taken := e[p]; !taken {
				break
			}
			p = fmt.Sprintf("%s-%d", TagProperty(k), n)
		}
		e[p] = v
		if p != "tag."+k {
			e[PropTagKeys] = append(e.Strings(PropTagKeys), p+"="+k)
		}
		if k == "Name" && v != "" {
			e["displayName"] = v
		}
	}
	return e
}

// PropTagKeys lists, for each tag whose key TagProperty rewrote,
// "<property>=<AWS tag key>" (property names hold no "="), so the AWS key is
// never lost; Tags reads it back.
const PropTagKeys = "tagKeys"

// Tags returns the entity's AWS tags by their AWS keys (undoing TagProperty).
func (e Entity) Tags() map[string]string {
	orig := map[string]string{}
	for _, pk := range e.Strings(PropTagKeys) {
		if i := strings.IndexByte(pk, '='); i > 0 {
			orig[pk[:i]] = pk[i+1:]
		}
	}
	out := map[string]string{}
	for p, v := range e {
		s, ok := v.(string)
		if !ok || !strings.HasPrefix(p, "tag.") {
			continue
		}
		if k, ok := orig[p]; ok {
			out[k] = s
		} else {
			out[p[len("tag."):]] = s
		}
	}
	return out
}

// TagProperty is the property an AWS tag key is written as: `tag.<Key>`, with
// every character outside the data model's property-name set
// `[A-Za-z0-9. -]` rewritten: `_` becomes `-`, `:` and `/` become `.`, and
// any other character becomes `-` (so `aws:cloudformation:stack-name` is
// `tag.aws.cloudformation.stack-name`, `cost_center` is `tag.cost-center`).
// Should two keys of one resource meet on a name, the later gets `-2`, `-3`…
func TagProperty(key string) string {
	if tagKeyValid(key) {
		return "tag." + key
	}
	var b strings.Builder
	b.WriteString("tag.")
	for _, r := range key {
		switch {
		case tagKeyRune(r):
			b.WriteRune(r)
		case r == ':' || r == '/':
			b.WriteByte('.')
		default:
			b.WriteByte('-')
		}
	}
	return b.String()
}

func tagKeyRune(r rune) bool {
	return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == ' ' || r == '-'
}

func tagKeyValid(key string) bool {
	if key == "" {
		return false
	}
	for _, r := range key {
		if !tagKeyRune(r) {
			return false
		}
	}
	return true
}

func deref(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case *string:
		if x == nil {
			return nil
		}
		return *x
	case *int32:
		if x == nil {
			return nil
		}
		return int64(*x)
	case *int64:
		if x == nil {
			return nil
		}
		return *x
	case *bool:
		if x == nil {
			return nil
		}
		return *x
	case *float64:
		if x == nil {
			return nil
		}
		return *x
	case int32:
		return int64(x)
	case int:
		return int64(x)
	case []string:
		if x == nil {
			return []string{}
		}
		return x
	}
	return v
}

// RelationshipType names a relationship type the JupiterOne way:
// `<fromType>_<class>_<toType without the leading parts it shares with fromType>`.
// At least the last part of toType is kept, so a group ALLOWS group edge is
// `aws_ec2_security_group_allows_group` rather than ending in a bare underscore.
func RelationshipType(fromType, class, toType string) string {
	from := strings.Split(fromType, "_")
	to := strings.Split(toType, "_")
	i := 0
	for i < len(to)-1 && i < len(from) && from[i] == to[i] {
		i++
	}
	return fromType + "_" + strings.ToLower(class) + "_" + strings.Join(to[i:], "_")
}

// RelationshipKey is the default `_key` of a direct relationship.
func RelationshipKey(fromKey, class, toKey string) string {
	return fromKey + "|" + strings.ToLower(class) + "|" + toKey
}

// Direct builds a direct relationship between two entities. props may be nil.
func Direct(from Entity, class string, to Entity, props map[string]any) Relationship {
	return DirectByKey(from.Key(), from.Type(), class, to.Key(), to.Type(), props)
}

// DirectByKey builds a direct relationship from keys and types.
func DirectByKey(fromKey, fromType, class, toKey, toType string, props map[string]any) Relationship {
	r := Relationship{
		"_key":           RelationshipKey(fromKey, class, toKey),
		"_type":          RelationshipType(fromType, class, toType),
		"_class":         strings.ToUpper(class),
		"_fromEntityKey": fromKey,
		"_toEntityKey":   toKey,
		"displayName":    strings.ToUpper(class),
	}
	for k, v := range props {
		r[k] = deref(v)
	}
	return r
}

// Direction of a mapped relationship, seen from the source entity.
const (
	Forward = "FORWARD" // source → target
	Reverse = "REVERSE" // target → source
)

// Mapping is the JupiterOne `_mapping` of a mapped relationship: the target is
// found (or, unless SkipTargetCreation, created) by the store that holds it.
type Mapping struct {
	RelationshipDirection string         `json:"relationshipDirection"`
	SourceEntityKey       string         `json:"sourceEntityKey"`
	TargetFilterKeys      [][]string     `json:"targetFilterKeys"`
	TargetEntity          map[string]any `json:"targetEntity"`
	SkipTargetCreation    bool           `json:"skipTargetCreation"`
}

// Mapped builds a mapped relationship. relType is the relationship `_type`;
// the key is derived from the source, class and the target filter values so that
// it is stable across runs and unique per target.
func Mapped(relType, class string, source Entity, direction string, target map[string]any, filterKeys []string, skipTargetCreation bool, props map[string]any) Relationship {
	parts := make([]string, 0, len(filterKeys))
	keys := append([]string(nil), filterKeys...)
	sort.Strings(keys)
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%v", k, target[k]))
	}
	targetRef := strings.Join(parts, ",")
	if k, ok := target["_key"].(string); ok && slices.Contains(filterKeys, "_key") && k != "" {
		// A target named by its key has the key a direct edge to it would
		// have: whether the target was in the run must not change the key.
		targetRef = k
	}
	key := source.Key() + "|" + strings.ToLower(class) + "|" + targetRef
	if direction == Reverse {
		key = targetRef + "|" + strings.ToLower(class) + "|" + source.Key()
	}
	r := Relationship{
		"_key":        key,
		"_type":       relType,
		"_class":      strings.ToUpper(class),
		"displayName": strings.ToUpper(class),
		"_mapping": &Mapping{
			RelationshipDirection: direction,
			SourceEntityKey:       source.Key(),
			TargetFilterKeys:      [][]string{filterKeys},
			TargetEntity:          target,
			SkipTargetCreation:    skipTargetCreation,
		},
	}
	for k, v := range props {
		r[k] = deref(v)
	}
	return r
}
