// Package sink defines where a collected graph goes. Sinks never decide what
// is in the graph; they only store it, honouring partial types.
package sink

import (
	"context"

	"github.com/awsgraph/awsgraph/internal/graph"
)

// Snapshot is one run's graph and what the store needs to update itself.
type Snapshot struct {
	InstanceID    string
	Entities      []graph.Entity
	Relationships []graph.Relationship
	// StepOf maps an object's key to the step that produced it ("e:"/"r:" prefix free).
	EntityStep       func(key string) string
	RelationshipStep func(key string) string
	// Source, when set, gives the objects (and their steps) instead of the
	// four fields above, one at a time: a run's graph is handed to the sinks
	// without all of its maps being alive at once. Sinks read the objects
	// through EachEntity and EachRelationship.
	Source Source
	// DeclaredTypes are the types the run's steps declare: a stored object of
	// such a type that the run did not produce was deleted in AWS...
	DeclaredTypes []string
	// ...unless its type is partial: then it is kept — everywhere, or only
	// in the regions PartialRegions lists for it.
	PartialTypes   []string
	PartialRegions map[string][]string
	// Summary is written beside the graph (summary.json) or with the run.
	Summary any
}

// Source is a graph that decodes its objects one at a time (engine.Job).
type Source interface {
	// EachEntity calls fn with every entity (grouped by type in sorted type
	// order) and the step that produced it, until fn returns false.
	EachEntity(fn func(e graph.Entity, step string) bool)
	// EachRelationship does the same for relationships, in insertion order.
	EachRelationship(fn func(r graph.Relationship, step string) bool)
}

// EachEntity calls fn with every entity of the snapshot and the step that
// produced it ("" when unknown), stopping at fn's first error.
func (s *Snapshot) EachEntity(fn func(e graph.Entity, step string) error) error {
	var err error
	if s.Source != nil {
		s.Source.EachEntity(func(e graph.Entity, step string) bool { err = fn(e, step); return err == nil })
		return err
	}
	for _, e := range s.Entities {
		if err := fn(e, stepOf(s.EntityStep, e.Key())); err != nil {
			return err
		}
	}
	return nil
}

// EachRelationship is EachEntity for the relationships.
func (s *Snapshot) EachRelationship(fn func(r graph.Relationship, step string) error) error {
	var err error
	if s.Source != nil {
		s.Source.EachRelationship(func(r graph.Relationship, step string) bool { err = fn(r, step); return err == nil })
		return err
	}
	for _, r := range s.Relationships {
		if err := fn(r, stepOf(s.RelationshipStep, r.Key())); err != nil {
			return err
		}
	}
	return nil
}

func stepOf(f func(string) string, key string) string {
	if f == nil {
		return ""
	}
	return f(key)
}

// Deletable splits the declared types by what a store may delete of the
// objects the run did not produce: complete types lose every such object;
// regional types (partial only in some regions) lose those of the other
// regions — an object whose region is unknown is kept. Partial types keep all.
func (s *Snapshot) Deletable() (complete []string, regional map[string][]string) {
	partial := map[string]bool{}
	for _, t := range s.PartialTypes {
		partial[t] = true
	}
	seen := map[string]bool{}
	regional = map[string][]string{}
	for _, t := range s.DeclaredTypes {
		if seen[t] {
			continue
		}
		seen[t] = true
		switch regions, ok := s.PartialRegions[t]; {
		case ok:
			regional[t] = regions
		case !partial[t]:
			complete = append(complete, t)
		}
	}
	return complete, regional
}

// Previous is a store that gives back the entities and relationships
// earlier runs stored (relationships as maps of the same shape), so values a
// run could not read are kept (engine.Job.CarryOver).
type Previous interface {
	PreviousEntities(ctx context.Context, instanceID string, types []string) (map[string]graph.Entity, error)
}

// Sink stores snapshots.
type Sink interface {
	Write(ctx context.Context, s *Snapshot) error
	Close() error
}
