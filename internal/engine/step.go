// Package engine runs integration steps as a dependency graph. A step declares
// the types it produces and the steps it depends on; the engine runs each step
// once all its dependencies have finished, several at a time, isolates failures
// per step and records which types are partial so no sink deletes data that a
// failed step did not read.
package engine

import (
	"context"
	"slices"

	"github.com/awsgraph/awsgraph/internal/schema"
)

// EntityDecl declares an entity type a step produces.
type EntityDecl struct {
	Type  string   `json:"_type"`
	Class []string `json:"_class"`
}

// RelationshipDecl declares a relationship type a step produces.
type RelationshipDecl struct {
	Type       string `json:"_type"`
	Class      string `json:"_class"`
	SourceType string `json:"sourceType"`
	TargetType string `json:"targetType"`
	Mapped     bool   `json:"mapped,omitempty"`
}

// PropertyDecl declares properties a step sets on entities another step
// produces (derived values such as an instance's Internet exposure). When the
// step cannot compute them from complete inputs they are Unknown: the
// previous run's values are kept.
type PropertyDecl struct {
	Type       string   `json:"_type"`
	Properties []string `json:"properties"`
}

// Step is one unit of collection or analysis. A step with no Permissions
// calls no AWS API: it derives from the graph, and where its inputs are
// partial it writes nothing (the stores keep the last good run's objects).
type Step struct {
	ID            string
	Name          string
	Entities      []EntityDecl
	Relationships []RelationshipDecl
	DependsOn     []string
	// Permissions lists the `service:Action` calls the step makes; it feeds the
	// documentation and the read-only role template.
	Permissions []string
	// Properties lists the derived properties the step sets on other steps' entities.
	Properties []PropertyDecl
	// KeyInputs are entity types a derived step reads only by key (that the
	// entity exists, its ARN), never by property value: a dependency's
	// unknown property values of these types (Unknown with Properties) do
	// not make its input incomplete. Partial types always do.
	KeyInputs []string
	// UnknownTolerated lists dependencies' property values (type and
	// properties) a derived step either does not read or reads as unknown
	// when absent (a step that cannot read a value leaves it unset): an
	// Unknown naming only these does not make its input incomplete, so the
	// step runs and answers "unknown" where it must, instead of being
	// skipped whole.
	UnknownTolerated []PropertyDecl
	Run              func(ctx context.Context, sc *StepContext) error
}

// tolerates reports whether every property u names is in
// s.UnknownTolerated for u's type.
func (s Step) tolerates(u Unknown) bool {
	if len(u.Properties) == 0 {
		return false
	}
	for _, p := range u.Properties {
		ok := false
		for _, d := range s.UnknownTolerated {
			if d.Type == u.Type && slices.Contains(d.Properties, p) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// inputFrom is what a dependency that produced partial and unknowns leaves
// incomplete for s: the partial types, and the unknowns' types except
// property-level unknowns of s's KeyInputs or that s tolerates, of any
// input of a collection step, and unknowns of identifiers only.
func (s Step) inputFrom(partial partialSet, unknowns []Unknown) partialSet {
	out := partialSet{}
	out.merge(partial)
	for _, u := range unknowns {
		// A collection step reads AWS, not its dependencies' property
		// values (it takes their keys): only their partial types matter.
		if len(u.Properties) > 0 && (u.OnlyIdentifiers || len(s.Permissions) > 0 || slices.Contains(s.KeyInputs, u.Type) || s.tolerates(u)) {
			continue
		}
		out.add(u.Type, u.Region)
	}
	return out
}

// DeclaredTypes returns every entity and relationship type the step
// declares, once each (a type may be declared both direct and mapped).
func (s Step) DeclaredTypes() []string {
	out := make([]string, 0, len(s.Entities)+len(s.Relationships))
	seen := map[string]bool{}
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, e := range s.Entities {
		add(e.Type)
	}
	for _, r := range s.Relationships {
		add(r.Type)
	}
	return out
}

// Produces declares the entity types a step writes, from their schema.
func Produces(types ...*schema.Entity) []EntityDecl {
	out := make([]EntityDecl, 0, len(types))
	for _, t := range types {
		out = append(out, EntityDecl{Type: t.Type, Class: t.Class})
	}
	return out
}

// Writes declares the relationship types a step writes, from their schema:
// one declaration per form (direct, mapped) the type is written in.
func Writes(types ...*schema.Relationship) []RelationshipDecl {
	out := make([]RelationshipDecl, 0, len(types))
	for _, t := range types {
		d := RelationshipDecl{Type: t.Type, Class: t.Class, SourceType: t.From, TargetType: t.To}
		if t.Direct {
			out = append(out, d)
		}
		if t.Mapped {
			d.Mapped = true
			out = append(out, d)
		}
	}
	return out
}

// Derives declares the properties step derives on other steps' entities,
// as the schema lists them (Property.SetBy).
func Derives(step string, types ...*schema.Entity) []PropertyDecl {
	var out []PropertyDecl
	for _, t := range types {
		if names := t.DerivedBy(step); len(names) > 0 {
			out = append(out, PropertyDecl{Type: t.Type, Properties: names})
		}
	}
	return out
}

// Declare fills a step's declarations from the schema: the entity and
// relationship types the schema says the step writes, and the properties it
// derives on others' entities. Steps declare nothing by hand.
func Declare(s Step) Step {
	s.Entities = Produces(schema.EntitiesSetBy(s.ID)...)
	s.Relationships = Writes(schema.SetBy(s.ID)...)
	s.Properties = Derives(s.ID, schema.DerivedOn(s.ID)...)
	return s
}
