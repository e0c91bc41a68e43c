// Package history says what changed in an instance's graph between two runs.
// The stores record, in the same transaction as each run's write, every
// object the run added, removed or changed (its version before and after);
// this package composes those records over a range of runs into a diff.
package history

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
)

// DefaultRuns is how many runs of each instance keep their change records
// when the store is not told otherwise: enough to diff across a few weeks of
// daily runs without the history outgrowing the graph.
const DefaultRuns = 30

// Object kinds in a Record.
const (
	KindEntity       = "entity"
	KindRelationship = "relationship"
)

// Run is one write to the store.
type Run struct {
	ID         int64
	InstanceID string
	FinishedAt int64 // Unix milliseconds
	// Recorded is true when the store holds this run's change records
	// (false for runs written before the store kept history, and for runs
	// older than its retention limit).
	Recorded bool
}

// Record is one object a run changed. Old is nil for an object the run
// added, New is nil for one it removed (JSON objects otherwise; for a
// relationship, with its resolved _fromEntityKey/_toEntityKey).
type Record struct {
	RunID    int64
	Kind     string
	Key      string
	Type     string
	Old, New []byte
}

// Change is one property that differs (values as JSON; "" = absent).
type Change struct {
	Property string `json:"property"`
	Old      any    `json:"old,omitempty"`
	New      any    `json:"new,omitempty"`
}

// Object is an added, removed or changed object.
type Object struct {
	Key     string   `json:"key"`
	Changes []Change `json:"changes,omitempty"`
}

// TypeDiff is what changed among the objects of one type.
type TypeDiff struct {
	Added   []Object `json:"added"`
	Removed []Object `json:"removed"`
	Changed []Object `json:"changed"`
}

// Diff is what changed between two runs of an instance, by type.
type Diff struct {
	InstanceID    string               `json:"instanceId"`
	From          int64                `json:"fromRun"`
	To            int64                `json:"toRun"`
	Entities      map[string]*TypeDiff `json:"entities"`
	Relationships map[string]*TypeDiff `json:"relationships"`
}

// Compose folds the records of the runs after from up to to (ordered by run)
// into a diff: an object's state at from is its first record's Old, at to
// its last record's New. An object added and removed again in between, or
// changed and changed back, does not appear.
func Compose(instanceID string, from, to int64, records []Record) (*Diff, error) {
	type span struct {
		kind, typ string
		old, new  []byte
	}
	spans := map[[2]string]*span{}
	last := int64(-1)
	for _, r := range records {
		if r.RunID <= from || r.RunID > to {
			return nil, fmt.Errorf("record of run %d outside runs %d..%d", r.RunID, from+1, to)
		}
		if r.RunID < last {
			return nil, fmt.Errorf("records out of run order (%d after %d)", r.RunID, last)
		}
		last = r.RunID
		id := [2]string{r.Kind, r.Key}
		if s, ok := spans[id]; ok {
			s.new, s.typ = r.New, r.Type
			continue
		}
		spans[id] = &span{kind: r.Kind, typ: r.Type, old: r.Old, new: r.New}
	}
	d := &Diff{InstanceID: instanceID, From: from, To: to, Entities: map[string]*TypeDiff{}, Relationships: map[string]*TypeDiff{}}
	for id, s := range spans {
		group := d.Entities
		if s.kind == KindRelationship {
			group = d.Relationships
		}
		if err := classify(group, s.typ, id[1], s.old, s.new); err != nil {
			return nil, err
		}
	}
	for _, g := range []map[string]*TypeDiff{d.Entities, d.Relationships} {
		for _, td := range g {
			for _, list := range [][]Object{td.Added, td.Removed, td.Changed} {
				sort.Slice(list, func(i, j int) bool { return list[i].Key < list[j].Key })
			}
		}
	}
	return d, nil
}

func classify(group map[string]*TypeDiff, typ, key string, old, new []byte) error {
	td := func() *TypeDiff {
		if group[typ] == nil {
			group[typ] = &TypeDiff{Added: []Object{}, Removed: []Object{}, Changed: []Object{}}
		}
		return group[typ]
	}
	switch {
	case old == nil && new == nil: // added, then removed again
	case old == nil:
		td().Added = append(td().Added, Object{Key: key})
	case new == nil:
		td().Removed = append(td().Removed, Object{Key: key})
	default:
		changes, err := Properties(old, new)
		if err != nil {
			return fmt.Errorf("object %s: %w", key, err)
		}
		if len(changes) > 0 {
			td().Changed = append(td().Changed, Object{Key: key, Changes: changes})
		}
	}
	return nil
}

// Properties lists the top-level properties whose values differ between two
// JSON objects, by name.
func Properties(old, new []byte) ([]Change, error) {
	var a, b map[string]json.RawMessage
	if err := json.Unmarshal(old, &a); err != nil {
		return nil, fmt.Errorf("old version: %w", err)
	}
	if err := json.Unmarshal(new, &b); err != nil {
		return nil, fmt.Errorf("new version: %w", err)
	}
	names := map[string]bool{}
	for k := range a {
		names[k] = true
	}
	for k := range b {
		names[k] = true
	}
	var out []Change
	for k := range names {
		va, okA := a[k]
		vb, okB := b[k]
		if okA && okB && sameJSON(va, vb) {
			continue
		}
		c := Change{Property: k}
		if okA {
			c.Old = decode(va)
		}
		if okB {
			c.New = decode(vb)
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Property < out[j].Property })
	return out, nil
}

// sameJSON compares two JSON values by meaning (PostgreSQL's jsonb reorders
// object keys and respaces).
func sameJSON(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	cx, _ := json.Marshal(x)
	cy, _ := json.Marshal(y)
	return bytes.Equal(cx, cy)
}

func decode(v json.RawMessage) any {
	var x any
	if err := json.Unmarshal(v, &x); err != nil {
		return string(v)
	}
	return x
}

// Empty reports whether nothing changed.
func (d *Diff) Empty() bool {
	for _, g := range []map[string]*TypeDiff{d.Entities, d.Relationships} {
		for _, td := range g {
			if len(td.Added)+len(td.Removed)+len(td.Changed) > 0 {
				return false
			}
		}
	}
	return true
}
