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
// (docs/contract.md §2): `_key`, `_type`, `_class`, `name`, `displayName`. A `Name` tag given
// later through SetTags overrides displayName.
func NewEntity(key, typ string, class []string, name string) Entity {
	var cls any = class
	if len(class) == 1 {
		cls = class[0]
	}
	return Entity{
		"_key":        key,
		"_type":       typ,
		"_class":      cls,
		"name":        name,
		"displayName": name,
	}
}

// Set stores a property; nil pointers and zero-length values are stored as nil
// so that class-required properties stay present (the data model wants null
// rather than absent where AWS has no value).
func (e Entity) Set(prop string, v any) Entity {
	e[prop] = deref(v)
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
func (e Entity) SetTags(tags map[string]string) Entity {
	for k, v := range tags {
		e["tag."+k] = v
		if k == "Name" && v != "" {
			e["displayName"] = v
		}
	}
	return e
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
