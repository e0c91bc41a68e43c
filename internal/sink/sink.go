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
