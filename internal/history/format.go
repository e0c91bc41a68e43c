package history

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// WriteTable prints the diff for people: a count line per kind, then each
// type's added (+), removed (-) and changed (~) objects, a changed object's
// properties as old → new (JSON values; "(absent)" where missing).
func (d *Diff) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "instance %s: run %d → run %d\n", d.InstanceID, d.From, d.To)
	if d.Empty() {
		_, err := fmt.Fprintln(w, "no changes")
		return err
	}
	for _, g := range []struct {
		name  string
		types map[string]*TypeDiff
	}{{"entities", d.Entities}, {"relationships", d.Relationships}} {
		a, r, c := counts(g.types)
		fmt.Fprintf(w, "%s: %d added, %d removed, %d changed\n", g.name, a, r, c)
	}
	for _, g := range []struct {
		name  string
		types map[string]*TypeDiff
	}{{"entity", d.Entities}, {"relationship", d.Relationships}} {
		for _, t := range sortedTypes(g.types) {
			td := g.types[t]
			fmt.Fprintf(w, "\n%s %s\n", g.name, t)
			for _, o := range td.Added {
				fmt.Fprintf(w, "  + %s\n", o.Key)
			}
			for _, o := range td.Removed {
				fmt.Fprintf(w, "  - %s\n", o.Key)
			}
			for _, o := range td.Changed {
				fmt.Fprintf(w, "  ~ %s\n", o.Key)
				for _, c := range o.Changes {
					fmt.Fprintf(w, "      %s: %s\n", c.Property, change(c.Old, c.New))
				}
			}
		}
	}
	return nil
}

// WriteJSON prints the diff as one indented JSON object.
func (d *Diff) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}

func counts(types map[string]*TypeDiff) (added, removed, changed int) {
	for _, td := range types {
		added, removed, changed = added+len(td.Added), removed+len(td.Removed), changed+len(td.Changed)
	}
	return
}

func sortedTypes(m map[string]*TypeDiff) []string {
	out := make([]string, 0, len(m))
	for t := range m {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// change renders old → new; for two lists, the elements added and removed.
func change(old, new any) string {
	a, okA := old.([]any)
	b, okB := new.([]any)
	if !okA || !okB {
		return show(old) + " → " + show(new)
	}
	count := func(l []any) map[string]int {
		m := map[string]int{}
		for _, v := range l {
			m[show(v)]++
		}
		return m
	}
	ca, cb := count(a), count(b)
	var added, removed []string
	for _, v := range b {
		if s := show(v); ca[s] > 0 {
			ca[s]--
		} else {
			added = append(added, s)
		}
	}
	for _, v := range a {
		if s := show(v); cb[s] > 0 {
			cb[s]--
		} else {
			removed = append(removed, s)
		}
	}
	out := ""
	if len(added) > 0 {
		out = "added " + strings.Join(added, ", ")
	}
	if len(removed) > 0 {
		if out != "" {
			out += "; "
		}
		out += "removed " + strings.Join(removed, ", ")
	}
	if out == "" {
		out = "reordered"
	}
	return out
}

// show renders a property value on one line, long values shortened.
func show(v any) string {
	if v == nil {
		return "(absent)"
	}
	b, _ := json.Marshal(v)
	s := string(b)
	if r := []rune(s); len(r) > 160 {
		s = string(r[:157]) + "..."
	}
	return s
}
