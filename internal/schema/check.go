package schema

import (
	"errors"
	"fmt"
	"strings"

	"github.com/awsgraph/awsgraph/internal/graph"
)

// Check reports how an entity departs from its declaration: an undeclared
// type or class, an undeclared property, a value of the wrong JSON type, a
// required property missing, or a null where it is not allowed.
func Check(e graph.Entity) []error {
	decl := EntityType(e.Type())
	if decl == nil {
		return []error{fmt.Errorf("%s: entity type %q is not declared in internal/schema", e.Key(), e.Type())}
	}
	var errs []error
	if got := e.Classes(); strings.Join(got, ",") != strings.Join(decl.Class, ",") {
		errs = append(errs, fmt.Errorf("%s: _class %v, declared %v", e.Key(), got, decl.Class))
	}
	for name, v := range e {
		if strings.HasPrefix(name, "tag.") && decl.AWS {
			continue
		}
		p, ok := decl.Property(name)
		if !ok {
			errs = append(errs, fmt.Errorf("%s (%s): property %q is not declared", e.Key(), e.Type(), name))
			continue
		}
		if v == nil {
			if !p.Nullable {
				errs = append(errs, fmt.Errorf("%s (%s): %q is null; only class-required nullable properties may be", e.Key(), e.Type(), name))
			}
			continue
		}
		if !hasType(v, p.Type) {
			errs = append(errs, fmt.Errorf("%s (%s): %q = %#v is not %s", e.Key(), e.Type(), name, v, p.Type))
		}
	}
	for _, p := range decl.Properties {
		if _, ok := e[p.Name]; p.Required && !ok {
			errs = append(errs, fmt.Errorf("%s (%s): required property %q missing", e.Key(), e.Type(), p.Name))
		}
	}
	return errs
}

// CheckRelationship reports how a relationship departs from its declaration.
func CheckRelationship(r graph.Relationship) []error {
	decl := RelationshipType(r.Type())
	if decl == nil {
		return []error{fmt.Errorf("%s: relationship type %q is not declared in internal/schema", r.Key(), r.Type())}
	}
	var errs []error
	if r.Class() != decl.Class {
		errs = append(errs, fmt.Errorf("%s: _class %s, declared %s", r.Key(), r.Class(), decl.Class))
	}
	mapped := r.Mapping() != nil
	if (mapped && !decl.Mapped) || (!mapped && !decl.Direct) {
		errs = append(errs, fmt.Errorf("%s (%s): written mapped=%v, declared direct=%v mapped=%v", r.Key(), r.Type(), mapped, decl.Direct, decl.Mapped))
	}
	for name, v := range r {
		p, ok := decl.property(name)
		if !ok {
			errs = append(errs, fmt.Errorf("%s (%s): property %q is not declared", r.Key(), r.Type(), name))
			continue
		}
		if v != nil && p.Type != "object" && !hasType(v, p.Type) {
			errs = append(errs, fmt.Errorf("%s (%s): %q = %#v is not %s", r.Key(), r.Type(), name, v, p.Type))
		}
	}
	return errs
}

func (r *Relationship) property(name string) (Property, bool) {
	for _, ps := range [][]Property{relationshipReserved, r.Properties} {
		for _, p := range ps {
			if p.Name == name {
				return p, true
			}
		}
	}
	return Property{}, false
}

// hasType reports whether v, as a converter builds it or as JSON reads it
// back, is of JSON type t.
func hasType(v any, t JSONType) bool {
	switch t {
	case String:
		_, ok := v.(string)
		return ok
	case ListText:
		s, ok := v.(string)
		_, isList := graph.SplitList(s)
		return ok && isList
	case Number:
		switch v.(type) {
		case int, int32, int64, float64, float32, uint, uint32, uint64:
			return true
		}
		return false
	case Boolean:
		_, ok := v.(bool)
		return ok
	case StringList:
		switch x := v.(type) {
		case []string:
			return true
		case []any:
			for _, el := range x {
				if _, ok := el.(string); !ok {
					return false
				}
			}
			return true
		}
		return false
	}
	return false
}

// Validate is graph.Validate (the data model's rules) and Check (the
// declaration) in one: converter tests run it on every entity they build.
func Validate(e graph.Entity) error {
	if err := graph.Validate(e); err != nil {
		return err
	}
	return errors.Join(Check(e)...)
}
