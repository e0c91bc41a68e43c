// Package schema declares every entity and relationship type awsgraph writes:
// its `_type`, `_class`, how its `_key` is formed, its properties (name, JSON
// type, whether its class requires it and allows null, which step sets it)
// and, for relationships, the verb and the end types. It is the one place
// those names live: the steps declare what they produce from it, converters
// build entities through it, tests check every emitted object against it
// (Check, CheckRelationship) and docs/graph-schema.md is generated from it.
//
// The data model's own rules (which properties a class requires, the
// relationship verbs) are in package graph; this package declares our types
// on top of them.
package schema

import (
	"fmt"
	"slices"
	"sort"

	"github.com/awsgraph/awsgraph/internal/graph"
)

// JSONType is the JSON type of a property's value.
type JSONType string

// The JSON types properties take.
const (
	String     JSONType = "string"
	Number     JSONType = "number"
	Boolean    JSONType = "boolean"
	StringList JSONType = "string[]"
	// ListText is a relationship's list-valued fact: the JSON text of the
	// list (graph.JoinList), always beside its `<singular>Count` number.
	ListText JSONType = "list (JSON text)"
)

// Property declares one property of a type.
type Property struct {
	Name string
	Type JSONType
	// Required: the type's class requires it, so it is always present
	// (null only when Nullable). Set from the data model's class rules.
	Required bool
	// Nullable: written as null when AWS gives no value (a class-required
	// property); any other valueless property is omitted. Relationship
	// properties may always be null.
	Nullable bool
	// SetBy names the analysis step that derives the property on entities
	// another step collected; empty when the collecting step sets it.
	SetBy string
	Doc   string
}

// Entity declares an entity type.
type Entity struct {
	Type  string
	Class []string
	// AWS: an AWS resource with accountId, webLink and tags (§ common
	// properties); Regional: it carries region too.
	AWS, Regional bool
	// External: only ever the target of a mapped relationship; awsgraph
	// never writes an entity of this type (JupiterOne or another
	// integration holds it).
	External bool
	// SetBy names the step that writes entities of the type; AlsoSetBy
	// other steps that may write the same entity (the Internet).
	SetBy      string
	AlsoSetBy  []string
	Key        string // how `_key` is formed
	Doc        string
	Properties []Property
}

// Relationship declares a relationship type.
type Relationship struct {
	Type, Class, From, To string
	// Direct and Mapped: the forms the type is written in (both may hold).
	Direct, Mapped bool
	// SetBy names the step that writes it.
	SetBy      string
	Doc        string
	Properties []Property
}

var (
	entities      = map[string]*Entity{}
	relationships = map[string]*Relationship{}
)

// declare registers an entity type, filling Required/Nullable from the data
// model's class rules. It panics on a second declaration of a type: the
// declarations are package-level values, so any test catches that.
func declare(e Entity) *Entity {
	if _, dup := entities[e.Type]; dup {
		panic("schema: entity type declared twice: " + e.Type)
	}
	for i, p := range e.Properties {
		for _, c := range e.Class {
			if nullable, ok := graph.ClassRequires(c, p.Name); ok {
				e.Properties[i].Required, e.Properties[i].Nullable = true, nullable
			}
		}
	}
	out := &e
	entities[e.Type] = out
	return out
}

// declareRel registers a relationship type named the JupiterOne way from its
// ends and verb.
func declareRel(r Relationship) *Relationship {
	if r.Type == "" {
		r.Type = graph.RelationshipType(r.From, r.Class, r.To)
	}
	if prev, dup := relationships[r.Type]; dup {
		panic(fmt.Sprintf("schema: relationship type declared twice: %s (%s, %s)", r.Type, prev.SetBy, r.SetBy))
	}
	out := &r
	relationships[r.Type] = out
	return out
}

// EntityType returns the declaration of an entity type, or nil.
func EntityType(t string) *Entity { return entities[t] }

// RelationshipType returns the declaration of a relationship type, or nil.
func RelationshipType(t string) *Relationship { return relationships[t] }

// Entities returns every declared entity type, sorted by `_type`.
func Entities() []*Entity {
	out := make([]*Entity, 0, len(entities))
	for _, e := range entities {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Type < out[j].Type })
	return out
}

// Relationships returns every declared relationship type, sorted by `_type`.
func Relationships() []*Relationship {
	out := make([]*Relationship, 0, len(relationships))
	for _, r := range relationships {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Type < out[j].Type })
	return out
}

// New builds an entity of this type with the reserved properties.
func (e *Entity) New(key, name string) graph.Entity {
	return graph.NewEntity(key, e.Type, e.Class, name)
}

// Property returns the declared property, common ones included, or false.
func (e *Entity) Property(name string) (Property, bool) {
	for _, p := range e.Properties {
		if p.Name == name {
			return p, true
		}
	}
	for _, p := range commonProperties(e) {
		if p.Name == name {
			return p, true
		}
	}
	return Property{}, false
}

// DerivedBy returns the names of the properties the step derives on e.
func (e *Entity) DerivedBy(step string) []string {
	var out []string
	for _, p := range e.Properties {
		if p.SetBy == step {
			out = append(out, p.Name)
		}
	}
	return out
}

// EntitiesSetBy lists the entity types the step writes, sorted.
func EntitiesSetBy(step string) []*Entity {
	var out []*Entity
	for _, e := range Entities() {
		if e.SetBy == step || slices.Contains(e.AlsoSetBy, step) {
			out = append(out, e)
		}
	}
	return out
}

// DerivedOn lists the entity types on which the step derives properties.
func DerivedOn(step string) []*Entity {
	var out []*Entity
	for _, e := range Entities() {
		if len(e.DerivedBy(step)) > 0 {
			out = append(out, e)
		}
	}
	return out
}

// SetBy lists the relationship types the step writes, sorted.
func SetBy(step string) []*Relationship {
	var out []*Relationship
	for _, r := range Relationships() {
		if r.SetBy == step {
			out = append(out, r)
		}
	}
	return out
}

// DerivingSteps lists every step that derives properties on e, sorted.
func (e *Entity) DerivingSteps() []string {
	var out []string
	for _, p := range e.Properties {
		if p.SetBy != "" && !slices.Contains(out, p.SetBy) {
			out = append(out, p.SetBy)
		}
	}
	sort.Strings(out)
	return out
}
