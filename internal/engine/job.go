package engine

import (
	"fmt"
	"hash/maphash"
	"sort"
	"strings"
	"sync"

	"github.com/awsgraph/awsgraph/internal/graph"
)

// DuplicateKeyError reports a graph object whose `_key` was already added.
type DuplicateKeyError struct{ Key string }

func (e *DuplicateKeyError) Error() string {
	return fmt.Sprintf("DUPLICATE_KEY_DETECTED: %q was already added", e.Key)
}

// Job is the shared state of one run: the graph collected so far and small
// values steps pass to each other. It is safe for concurrent use. Objects are
// kept encoded (store.go); every read returns a new map.
type Job struct {
	mu        sync.RWMutex
	c         codec
	ents      []storedEntity
	index     map[string]uint32 // entity key -> ents index
	byType    map[string][]uint32
	rels      []storedRel // in insertion order
	relHash   map[uint64]uint32
	relClash  map[string]uint32 // keys whose hash another key has
	relByType map[string][]uint32
	seed      maphash.Seed
	data      map[string]any
}

// storedEntity is an encoded entity, its key (sharing the encoding's bytes)
// and, as a string-table id, the step that added it: the graph files are
// written per step as the JupiterOne layout wants.
type storedEntity struct {
	key, enc string
	patch    string // SetProperties' changes since enc (codec.encodePatch)
	step     uint32
}

type storedRel struct {
	enc  string
	step uint32
}

// NewJob returns an empty job state.
func NewJob() *Job {
	return &Job{
		index:     map[string]uint32{},
		byType:    map[string][]uint32{},
		relHash:   map[uint64]uint32{},
		relClash:  map[string]uint32{},
		relByType: map[string][]uint32{},
		seed:      maphash.MakeSeed(),
		data:      map[string]any{},
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
	if _, dup := j.index[k]; dup {
		return &DuplicateKeyError{Key: k}
	}
	i := uint32(len(j.ents))
	enc := j.c.encode(e, false, nil)
	key := j.c.firstString(enc, nil)
	j.ents = append(j.ents, storedEntity{key: key, enc: enc, step: j.c.intern(step)})
	j.index[key] = i
	typ := j.c.strs[j.c.intern(e.Type())]
	j.byType[typ] = append(j.byType[typ], i)
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
	if _, dup := j.relIndex(k); dup {
		return &DuplicateKeyError{Key: k}
	}
	if r.Mapping() == nil {
		if _, ok := j.index[r.FromKey()]; !ok {
			return fmt.Errorf("relationship %q: source entity %q not in graph", k, r.FromKey())
		}
		if _, ok := j.index[r.ToKey()]; !ok {
			return fmt.Errorf("relationship %q: target entity %q not in graph", k, r.ToKey())
		}
	}
	i := uint32(len(j.rels))
	j.rels = append(j.rels, storedRel{enc: j.c.encode(r, true, j.entityIndex), step: j.c.intern(step)})
	h := maphash.String(j.seed, k)
	if _, clash := j.relHash[h]; clash {
		j.relClash[strings.Clone(k)] = i
	} else {
		j.relHash[h] = i
	}
	typ := j.c.strs[j.c.intern(r.Type())]
	j.relByType[typ] = append(j.relByType[typ], i)
	return nil
}

// relIndex finds a relationship by key: by the key's hash, checked against
// the stored key, or among the few keys whose hash was taken.
func (j *Job) relIndex(k string) (uint32, bool) {
	if i, ok := j.relClash[k]; ok {
		return i, true
	}
	i, ok := j.relHash[maphash.String(j.seed, k)]
	if ok && j.c.firstString(j.rels[i].enc, j.entityKey) == k {
		return i, true
	}
	return 0, false
}

func (j *Job) entityIndex(k string) (uint32, bool) {
	i, ok := j.index[k]
	return i, ok
}

func (j *Job) entityKey(i uint32) string { return j.ents[i].key }

func (j *Job) entity(i uint32) graph.Entity {
	return j.c.decode(j.ents[i].enc, j.ents[i].patch, j.entityKey)
}

func (j *Job) relationship(i uint32) graph.Relationship {
	return j.c.decode(j.rels[i].enc, "", j.entityKey)
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
	i, ok := j.index[key]
	if !ok {
		return nil, false
	}
	return j.entity(i), true
}

// HasKey reports whether an entity with this key exists.
func (j *Job) HasKey(key string) bool {
	j.mu.RLock()
	defer j.mu.RUnlock()
	_, ok := j.index[key]
	return ok
}

// EntitiesOfType returns the entities of one type, in insertion order.
func (j *Job) EntitiesOfType(typ string) []graph.Entity {
	j.mu.RLock()
	defer j.mu.RUnlock()
	idx := j.byType[typ]
	out := make([]graph.Entity, 0, len(idx))
	for _, i := range idx {
		out = append(out, j.entity(i))
	}
	return out
}

// RelationshipsOfType returns the relationships of one type, in insertion order.
func (j *Job) RelationshipsOfType(typ string) []graph.Relationship {
	j.mu.RLock()
	defer j.mu.RUnlock()
	idx := j.relByType[typ]
	out := make([]graph.Relationship, 0, len(idx))
	for _, i := range idx {
		out = append(out, j.relationship(i))
	}
	return out
}

// Entities returns every entity, grouped by type in sorted type order.
func (j *Job) Entities() []graph.Entity {
	out := make([]graph.Entity, 0, j.NumEntities())
	j.EachEntity(func(e graph.Entity, _ string) bool { out = append(out, e); return true })
	return out
}

// Relationships returns every relationship in insertion order.
func (j *Job) Relationships() []graph.Relationship {
	out := make([]graph.Relationship, 0, j.NumRelationships())
	j.EachRelationship(func(r graph.Relationship, _ string) bool { out = append(out, r); return true })
	return out
}

// NumEntities is the number of entities.
func (j *Job) NumEntities() int {
	j.mu.RLock()
	defer j.mu.RUnlock()
	return len(j.ents)
}

// NumRelationships is the number of relationships.
func (j *Job) NumRelationships() int {
	j.mu.RLock()
	defer j.mu.RUnlock()
	return len(j.rels)
}

// EachEntity calls fn with every entity, in Entities' order, and the id of
// the step that added it, until fn returns false. Each entity is decoded
// only for fn, so a sink can write a large graph without holding all of its
// maps at once. fn runs without the job's lock held; entities added
// meanwhile are not visited.
func (j *Job) EachEntity(fn func(e graph.Entity, step string) bool) {
	j.mu.RLock()
	types := make([]string, 0, len(j.byType))
	for t := range j.byType {
		types = append(types, t)
	}
	sort.Strings(types)
	order := make([][]uint32, len(types))
	for n, t := range types {
		order[n] = j.byType[t] // append-only: this length is a snapshot
	}
	j.mu.RUnlock()
	for _, idx := range order {
		for _, i := range idx {
			j.mu.RLock()
			e, step := j.entity(i), j.c.strs[j.ents[i].step]
			j.mu.RUnlock()
			if !fn(e, step) {
				return
			}
		}
	}
}

// EachRelationship calls fn with every relationship in insertion order and
// the id of the step that added it, until fn returns false (see EachEntity).
func (j *Job) EachRelationship(fn func(r graph.Relationship, step string) bool) {
	n := j.NumRelationships()
	for i := range uint32(n) {
		j.mu.RLock()
		r, step := j.relationship(i), j.c.strs[j.rels[i].step]
		j.mu.RUnlock()
		if !fn(r, step) {
			return
		}
	}
}

// TypeCounts returns the number of entities and relationships of each type.
func (j *Job) TypeCounts() (entities, relationships map[string]int) {
	j.mu.RLock()
	defer j.mu.RUnlock()
	entities, relationships = map[string]int{}, map[string]int{}
	for t, idx := range j.byType {
		entities[t] = len(idx)
	}
	for t, idx := range j.relByType {
		relationships[t] = len(idx)
	}
	return entities, relationships
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
// fields of a user, ...) and reports whether the entity exists. Steps running
// at the same time may hold and read the previous version: reads return
// copies, never the stored object.
func (j *Job) SetProperties(key string, props map[string]any) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	i, ok := j.index[key]
	if !ok {
		return false
	}
	next := j.entity(i)
	patch := map[string]any{}
	if old := j.ents[i].patch; old != "" {
		// The patch keeps every property changed so far.
		r := &reader{s: old}
		r.uvarint()
		for r.i < len(r.s) {
			p := j.c.strs[r.uvarint()]
			j.c.value(r, j.entityKey)
			patch[p] = nil
		}
	}
	for k, v := range props {
		next.Set(k, v)
		patch[k] = nil
	}
	for k := range patch {
		if v, set := next[k]; set {
			patch[k] = v
		} else {
			patch[k] = deleted{}
		}
	}
	j.ents[i].patch = j.c.encodePatch(patch)
	return true
}

// EntityOwner returns the id of the step that added the entity ("" if none).
func (j *Job) EntityOwner(key string) string {
	j.mu.RLock()
	defer j.mu.RUnlock()
	if i, ok := j.index[key]; ok {
		return j.c.strs[j.ents[i].step]
	}
	return ""
}

// RelationshipOwner returns the id of the step that added the relationship.
func (j *Job) RelationshipOwner(key string) string {
	j.mu.RLock()
	defer j.mu.RUnlock()
	if i, ok := j.relIndex(key); ok {
		return j.c.strs[j.rels[i].step]
	}
	return ""
}
