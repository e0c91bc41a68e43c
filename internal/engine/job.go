package engine

import (
	"fmt"
	"maps"
	"sort"
	"sync"

	"github.com/awsgraph/awsgraph/internal/graph"
)

// DuplicateKeyError reports a graph object whose `_key` was already added.
type DuplicateKeyError struct{ Key string }

func (e *DuplicateKeyError) Error() string {
	return fmt.Sprintf("DUPLICATE_KEY_DETECTED: %q was already added", e.Key)
}

// Job is the shared state of one run: the graph collected so far and small
// values steps pass to each other. It is safe for concurrent use.
type Job struct {
	mu        sync.RWMutex
	entities  map[string]graph.Entity
	byType    map[string][]string
	rels      map[string]graph.Relationship
	relOrder  []string
	relByType map[string][]string
	data      map[string]any
	// owner records which step added each entity and relationship, so the
	// graph files can be written per step as the JupiterOne layout wants.
	owner map[string]string
}

// NewJob returns an empty job state.
func NewJob() *Job {
	return &Job{
		entities:  map[string]graph.Entity{},
		byType:    map[string][]string{},
		rels:      map[string]graph.Relationship{},
		relByType: map[string][]string{},
		data:      map[string]any{},
		owner:     map[string]string{},
	}
}

// AddEntity adds an entity; a duplicate `_key` is an error and the entity is not added.
func (j *Job) AddEntity(e graph.Entity) error { return j.addEntity("", e) }

func (j *Job) addEntity(step string, e graph.Entity) error {
	if err := graph.Validate(e); err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	k := e.Key()
	if _, dup := j.entities[k]; dup {
		return &DuplicateKeyError{Key: k}
	}
	j.entities[k] = e
	j.byType[e.Type()] = append(j.byType[e.Type()], k)
	j.owner["e:"+k] = step
	return nil
}

// AddRelationship adds a relationship. A direct relationship must point at
// entities already in the job; a duplicate `_key`, a `_class` outside the
// data model or a non-scalar property value (graph.ValidateRelationship) is
// an error.
func (j *Job) AddRelationship(r graph.Relationship) error { return j.addRelationship("", r) }

func (j *Job) addRelationship(step string, r graph.Relationship) error {
	if err := graph.ValidateRelationship(r); err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	k := r.Key()
	if _, dup := j.rels[k]; dup {
		return &DuplicateKeyError{Key: k}
	}
	if r.Mapping() == nil {
		if _, ok := j.entities[r.FromKey()]; !ok {
			return fmt.Errorf("relationship %q: source entity %q not in graph", k, r.FromKey())
		}
		if _, ok := j.entities[r.ToKey()]; !ok {
			return fmt.Errorf("relationship %q: target entity %q not in graph", k, r.ToKey())
		}
	}
	j.rels[k] = r
	j.owner["r:"+k] = step
	j.relOrder = append(j.relOrder, k)
	j.relByType[r.Type()] = append(j.relByType[r.Type()], k)
	return nil
}

// AddRelationshipOnce adds r unless a relationship with its key exists, and
// reports whether it was added. Converters that may meet the same edge twice
// (an instance listed under two reservations, a rule seen from both groups) use it.
func (j *Job) AddRelationshipOnce(r graph.Relationship) (bool, error) {
	return j.addRelationshipOnce("", r)
}

func (j *Job) addRelationshipOnce(step string, r graph.Relationship) (bool, error) {
	err := j.addRelationship(step, r)
	if _, dup := err.(*DuplicateKeyError); dup {
		return false, nil
	}
	return err == nil, err
}

// Entity returns the entity with the given key.
func (j *Job) Entity(key string) (graph.Entity, bool) {
	j.mu.RLock()
	defer j.mu.RUnlock()
	e, ok := j.entities[key]
	return e, ok
}

// HasKey reports whether an entity with this key exists.
func (j *Job) HasKey(key string) bool {
	_, ok := j.Entity(key)
	return ok
}

// EntitiesOfType returns the entities of one type, in insertion order.
func (j *Job) EntitiesOfType(typ string) []graph.Entity {
	j.mu.RLock()
	defer j.mu.RUnlock()
	keys := j.byType[typ]
	out := make([]graph.Entity, 0, len(keys))
	for _, k := range keys {
		out = append(out, j.entities[k])
	}
	return out
}

// RelationshipsOfType returns the relationships of one type, in insertion order.
func (j *Job) RelationshipsOfType(typ string) []graph.Relationship {
	j.mu.RLock()
	defer j.mu.RUnlock()
	keys := j.relByType[typ]
	out := make([]graph.Relationship, 0, len(keys))
	for _, k := range keys {
		out = append(out, j.rels[k])
	}
	return out
}

// Entities returns every entity, grouped by type in sorted type order.
func (j *Job) Entities() []graph.Entity {
	j.mu.RLock()
	defer j.mu.RUnlock()
	types := make([]string, 0, len(j.byType))
	for t := range j.byType {
		types = append(types, t)
	}
	sort.Strings(types)
	out := make([]graph.Entity, 0, len(j.entities))
	for _, t := range types {
		for _, k := range j.byType[t] {
			out = append(out, j.entities[k])
		}
	}
	return out
}

// Relationships returns every relationship in insertion order.
func (j *Job) Relationships() []graph.Relationship {
	j.mu.RLock()
	defer j.mu.RUnlock()
	out := make([]graph.Relationship, 0, len(j.relOrder))
	for _, k := range j.relOrder {
		out = append(out, j.rels[k])
	}
	return out
}

// SetData stores a small value for later steps.
func (j *Job) SetData(key string, v any) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.data[key] = v
}

// Data returns a value stored with SetData.
func (j *Job) Data(key string) (any, bool) {
	j.mu.RLock()
	defer j.mu.RUnlock()
	v, ok := j.data[key]
	return v, ok
}

// SetProperties adds derived properties to an entity that an earlier step
// collected (the ports an instance exposes to the Internet, credential-report
// fields of a user, ...) and reports whether the entity exists. The entity is
// copied on write: steps running at the same time may hold and read the
// previous map, which is never modified after it was added.
func (j *Job) SetProperties(key string, props map[string]any) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	e, ok := j.entities[key]
	if ok {
		next := maps.Clone(e)
		for k, v := range props {
			next.Set(k, v)
		}
		j.entities[key] = next
	}
	return ok
}

// EntityOwner returns the id of the step that added the entity ("" if none).
func (j *Job) EntityOwner(key string) string {
	j.mu.RLock()
	defer j.mu.RUnlock()
	return j.owner["e:"+key]
}

// RelationshipOwner returns the id of the step that added the relationship.
func (j *Job) RelationshipOwner(key string) string {
	j.mu.RLock()
	defer j.mu.RUnlock()
	return j.owner["r:"+key]
}
