package policy

import (
	"sort"
	"strings"
)

// truth is a three-valued (Kleene) truth value. When unknown, keys lists the
// context keys whose unknown values made it so.
type truth struct {
	v    int8 // 0 false, 1 true, 2 unknown
	keys []string
}

var (
	tFalse = truth{v: 0}
	tTrue  = truth{v: 1}
)

func tBool(b bool) truth {
	if b {
		return tTrue
	}
	return tFalse
}

func tUnknown(keys ...string) truth { return truth{v: 2, keys: keys} }

func (t truth) isTrue() bool    { return t.v == 1 }
func (t truth) isFalse() bool   { return t.v == 0 }
func (t truth) isUnknown() bool { return t.v == 2 }

func mergeKeys(a, b []string) []string {
	if len(a) == 0 {
		return b
	}
	if len(b) == 0 {
		return a
	}
	out := make([]string, 0, len(a)+len(b))
	out = append(out, a...)
	out = append(out, b...)
	return out
}

func tAnd(a, b truth) truth {
	switch {
	case a.isFalse() || b.isFalse():
		return tFalse
	case a.isTrue():
		return b
	case b.isTrue():
		return a
	}
	return tUnknown(mergeKeys(a.keys, b.keys)...)
}

func tOr(a, b truth) truth {
	switch {
	case a.isTrue() || b.isTrue():
		return tTrue
	case a.isFalse():
		return b
	case b.isFalse():
		return a
	}
	return tUnknown(mergeKeys(a.keys, b.keys)...)
}

func tNot(a truth) truth {
	switch a.v {
	case 0:
		return tTrue
	case 1:
		return tFalse
	}
	return a
}

// sortedUnique returns the distinct keys, sorted.
func sortedUnique(keys []string) []string {
	if len(keys) == 0 {
		return nil
	}
	seen := make(map[string]bool, len(keys))
	var out []string
	for _, k := range keys {
		lk := strings.ToLower(k)
		if !seen[lk] {
			seen[lk] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
