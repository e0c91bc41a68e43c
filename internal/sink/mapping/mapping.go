// Package mapping is the store-independent rule for resolving mapped
// relationships (JupiterOne `_mapping`): which stored entity a mapping's
// target filter finds, and the placeholder entity created when none does.
// Every graph store uses it, so the rule lives in one place; the stores only
// feed it their entities and write back what it decides.
package mapping

import (
	"fmt"
	"iter"
	"sort"
	"strings"

	"github.com/awsgraph/awsgraph/internal/graph"
)

// SourceMapper is the `_source` (and the stores' source column) of
// placeholder entities created for unresolved mapped relationships
// (JupiterOne's `system-mapper`).
const SourceMapper = "system-mapper"

// Entity is one stored entity offered to an Index: its key, its decoded
// properties (at least those the mappings filter on) and whether it is a
// placeholder.
type Entity struct {
	Key         string
	Props       map[string]any
	Placeholder bool
}

// Index finds entities by the property combinations a set of mappings filters
// on. It is built in one pass over the stored entities, so resolving M
// mappings against N entities costs O(N + M), not O(N × M).
//
// Where several entities match, real entities win over placeholders, then the
// lowest key (byte order) wins, whatever order the entities were added in.
type Index struct {
	groups map[string][]string  // canonical group name -> sorted property names
	best   map[string]candidate // group + values -> best entity so far
}

type candidate struct {
	key         string
	placeholder bool
}

func (c candidate) beats(o candidate) bool {
	if c.placeholder != o.placeholder {
		return !c.placeholder
	}
	return c.key < o.key
}

func sortedGroup(keys []string) []string {
	k := append([]string(nil), keys...)
	sort.Strings(k)
	return k
}

func groupName(sorted []string) string { return strings.Join(sorted, "\x00") }

// NewIndex prepares an index for the target filters of ms; feed it the
// stored entities with Add.
func NewIndex(ms []*graph.Mapping) *Index {
	idx := &Index{groups: map[string][]string{}, best: map[string]candidate{}}
	for _, m := range ms {
		if m == nil {
			continue
		}
		for _, g := range m.TargetFilterKeys {
			if len(g) > 0 {
				k := sortedGroup(g)
				idx.groups[groupName(k)] = k
			}
		}
	}
	return idx
}

// Build is NewIndex followed by Add for every entity of the sequence.
func Build(ms []*graph.Mapping, entities iter.Seq[Entity]) *Index {
	idx := NewIndex(ms)
	for e := range entities {
		idx.Add(e.Key, e.Props, e.Placeholder)
	}
	return idx
}

// Properties lists (sorted) every property name the mappings filter on: a
// store may load only these properties of its entities.
func (idx *Index) Properties() []string {
	seen := map[string]bool{}
	var out []string
	for _, keys := range idx.groups {
		for _, k := range keys {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Add offers one stored entity.
func (idx *Index) Add(key string, props map[string]any, placeholder bool) {
	c := candidate{key, placeholder}
	for name, keys := range idx.groups {
		for _, combo := range valueCombos(props, keys) {
			id := name + "\x01" + combo
			if old, seen := idx.best[id]; !seen || c.beats(old) {
				idx.best[id] = c
			}
		}
	}
}

// valueCombos lists the value tuples an entity offers for keys; a property
// holding a list offers each element. A missing or null property offers none.
func valueCombos(e map[string]any, keys []string) []string {
	combos := []string{""}
	for i, k := range keys {
		v, ok := e[k]
		if !ok || v == nil {
			return nil
		}
		var vals []string
		switch list := v.(type) {
		case []any: // read back from JSON
			for _, x := range list {
				vals = append(vals, fmt.Sprint(x))
			}
		case []string: // built in this run (`_class`, User `email`)
			vals = append(vals, list...)
		default:
			vals = []string{fmt.Sprint(v)}
		}
		var next []string
		for _, c := range combos {
			for _, x := range vals {
				if i > 0 {
					next = append(next, c+"\x02"+x)
				} else {
					next = append(next, x)
				}
			}
		}
		combos = next
	}
	return combos
}

// Find returns the key of the entity m's target filter finds, or "". The
// AND-groups of targetFilterKeys are tried in order; the first group that
// finds an entity decides.
func (idx *Index) Find(m *graph.Mapping) string {
	for _, g := range m.TargetFilterKeys {
		if len(g) == 0 {
			continue
		}
		keys := sortedGroup(g)
		vals := make([]string, 0, len(keys))
		for _, k := range keys {
			v, ok := m.TargetEntity[k]
			if !ok || v == nil {
				vals = nil
				break
			}
			vals = append(vals, fmt.Sprint(v))
		}
		if vals == nil {
			continue
		}
		if c, ok := idx.best[groupName(keys)+"\x01"+strings.Join(vals, "\x02")]; ok {
			return c.key
		}
	}
	return ""
}

// PlaceholderKey is the key of the placeholder created for m: the target's
// own `_key` when it names one, else "mapped:<_type>:<k=v,...>" over the
// filter properties in targetFilterKeys order.
func PlaceholderKey(m *graph.Mapping) string {
	if k, ok := m.TargetEntity["_key"].(string); ok && k != "" {
		return k
	}
	var parts []string
	for _, group := range m.TargetFilterKeys {
		for _, k := range group {
			parts = append(parts, fmt.Sprintf("%s=%v", k, m.TargetEntity[k]))
		}
	}
	typ, _ := m.TargetEntity["_type"].(string)
	return "mapped:" + typ + ":" + strings.Join(parts, ",")
}

// Placeholder is the entity created for m when nothing matches and
// skipTargetCreation is false: the target entity's properties, its key,
// `_source` system-mapper, and a displayName (the key) when it has none.
// Its type is the target's `_type` ("" when the mapping names none).
func Placeholder(m *graph.Mapping) graph.Entity {
	key := PlaceholderKey(m)
	e := graph.Entity{}
	for k, v := range m.TargetEntity {
		e[k] = v
	}
	e["_key"] = key
	e["_source"] = SourceMapper
	if _, ok := e["displayName"]; !ok {
		e["displayName"] = key
	}
	return e
}
