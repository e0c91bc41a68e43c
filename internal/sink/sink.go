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
	// ...unless its type is partial: then it is kept.
	PartialTypes []string
	// Summary is written beside the graph (summary.json) or with the run.
	Summary any
}

// Sink stores snapshots.
type Sink interface {
	Write(ctx context.Context, s *Snapshot) error
	Close() error
}
