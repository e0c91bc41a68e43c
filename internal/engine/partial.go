package engine

import (
	"slices"
	"sort"
	"strings"

	"github.com/awsgraph/awsgraph/internal/graph"
)

// The partial rule, defined once: data a run could not read is never written
// as if it were known. A type is partial everywhere or in some regions (the
// stores then keep its objects there); a property whose value depends on data
// the run could not read is Unknown (the previous run's value is carried
// over, see CarryOver). Derived steps whose inputs are partial write nothing
// where their inputs are incomplete.

// allRegions marks a type partial in every region.
const allRegions = ""

// scope is where a type is partial: allRegions, or a set of regions.
type scope map[string]bool

func (s scope) all() bool { return s[allRegions] }

// partialSet maps a type to where it is partial.
type partialSet map[string]scope

func (p partialSet) add(typ, region string) {
	if p[typ] == nil {
		p[typ] = scope{}
	}
	p[typ][region] = true
}

func (p partialSet) merge(o partialSet) {
	for t, s := range o {
		for r := range s {
			p.add(t, r)
		}
	}
}

// types returns every partial type, sorted.
func (p partialSet) types() []string {
	out := make([]string, 0, len(p))
	for t := range p {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// regional returns the types that are partial only in some regions, with
// those regions sorted; a type partial everywhere is not in it.
func (p partialSet) regional() map[string][]string {
	var out map[string][]string
	for t, s := range p {
		if s.all() {
			continue
		}
		if out == nil {
			out = map[string][]string{}
		}
		out[t] = sortedSet(s)
	}
	return out
}

// regions is the union of the scopes of every type: allRegions when any is
// partial everywhere.
func (p partialSet) regions() scope {
	u := scope{}
	for _, s := range p {
		for r := range s {
			u[r] = true
		}
	}
	if u.all() {
		return scope{allRegions: true}
	}
	return u
}

func sortedSet(s scope) []string {
	out := make([]string, 0, len(s))
	for r := range s {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// Unknown names property values a run could not read. The sinks never write
// them from this run: CarryOver puts back the previous run's values.
type Unknown struct {
	Step string `json:"step"`
	Type string `json:"type"`
	// Region limits it to entities of that region ("" = every region).
	Region string `json:"region,omitempty"`
	// Keys limits it to these entities (nil = every entity of Type).
	Keys []string `json:"keys,omitempty"`
	// Properties are property names; one ending in "*" names a prefix
	// ("tag.*"). None means the whole entity: the previous version is kept.
	Properties []string `json:"properties,omitempty"`
	// OnlyIdentifiers: only identifiers inside the values are unknown (a
	// rule list read without its rule ids); the content derived steps read
	// is complete, so their inputs are not made incomplete by it.
	OnlyIdentifiers bool `json:"onlyIdentifiers,omitempty"`
}

func (u Unknown) matches(e graph.Entity) bool {
	if e.Type() != u.Type || (u.Region != "" && e.String("region") != u.Region) {
		return false
	}
	if u.Keys == nil {
		return true
	}
	for _, k := range u.Keys {
		if k == e.Key() {
			return true
		}
	}
	return false
}

func (u Unknown) names(prop string) bool {
	for _, p := range u.Properties {
		if p == prop || (strings.HasSuffix(p, "*") && strings.HasPrefix(prop, strings.TrimSuffix(p, "*"))) {
			return true
		}
		// The tags' AWS keys (graph.PropTagKeys) go with the tag properties:
		// carrying rewritten tag.* properties without them would lose the keys.
		if p == "tag.*" && prop == graph.PropTagKeys {
			return true
		}
	}
	return false
}

// UnknownTypes returns the entity types the unknowns touch, sorted.
func UnknownTypes(us []Unknown) []string {
	seen := map[string]bool{}
	for _, u := range us {
		seen[u.Type] = true
	}
	return sortedSet(seen)
}

// matchesRelationship is matches for a relationship: by type and keys (a
// relationship has no region of its own).
func (u Unknown) matchesRelationship(r graph.Relationship) bool {
	return r.Type() == u.Type && u.Region == "" && (u.Keys == nil || slices.Contains(u.Keys, r.Key()))
}

// CarryOver replaces, in the job, every unknown value by the previous run's
// (prev finds the previous version of an entity or relationship by key).
// Where there is no previous object the unknown properties are left out:
// never guessed. It returns how many objects it changed.
func (j *Job) CarryOver(us []Unknown, prev func(key string) (graph.Entity, bool)) int {
	if len(us) == 0 {
		return 0
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	changed := 0
	for _, typ := range UnknownTypes(us) {
		for _, i := range j.byType[typ] {
			e := j.entity(i)
			if next, ok := carry(e, hits(us, func(u Unknown) bool { return u.matches(e) }), prev); ok {
				j.ents[i].enc, j.ents[i].patch = j.c.encode(next, false, nil), ""
				changed++
			}
		}
		for _, i := range j.relByType[typ] {
			r := j.relationship(i)
			if next, ok := carry(graph.Entity(r), hits(us, func(u Unknown) bool { return u.matchesRelationship(r) }), prev); ok {
				// A previous run written before list values were encoded
				// (docs/contract.md §3) may hold lists: encode them.
				graph.EncodeLists(graph.Relationship(next))
				j.rels[i].enc = j.c.encode(next, true, j.entityIndex)
				changed++
			}
		}
	}
	return changed
}

// hits returns the unknowns that apply to one object.
func hits(us []Unknown, applies func(Unknown) bool) []Unknown {
	var hit []Unknown
	for _, u := range us {
		if applies(u) {
			hit = append(hit, u)
		}
	}
	return hit
}

func carry(e graph.Entity, hit []Unknown, prev func(string) (graph.Entity, bool)) (graph.Entity, bool) {
	if len(hit) == 0 {
		return nil, false
	}
	old, hasOld := prev(e.Key())
	for _, u := range hit {
		if len(u.Properties) == 0 {
			if hasOld {
				return old, true
			}
			return e, false // nothing to keep: this run's reading is all there is
		}
	}
	next := graph.Entity{}
	for p, v := range e {
		if !anyNames(hit, p) {
			next[p] = v
		}
	}
	if hasOld {
		for p, v := range old {
			if anyNames(hit, p) {
				next[p] = v
			}
		}
	}
	return next, true
}

func anyNames(us []Unknown, prop string) bool {
	if strings.HasPrefix(prop, "_") {
		return false // identity properties are always this run's
	}
	for _, u := range us {
		if u.names(prop) {
			return true
		}
	}
	return false
}
