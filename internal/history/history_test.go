package history

import (
	"bytes"
	"strings"
	"testing"
)

func runs(recorded ...bool) []Run {
	var out []Run
	for i, r := range recorded {
		out = append(out, Run{ID: int64(10 + i), InstanceID: "i", Recorded: r})
	}
	return out
}

func TestRangeDefaultsAndRefusals(t *testing.T) {
	for _, tc := range []struct {
		name             string
		runs             []Run
		from, to         int64
		wantFrom, wantTo int64
		err              string
	}{
		{"default: last two", runs(false, true, true), 0, 0, 11, 12, ""},
		{"to given", runs(false, true, true), 0, 11, 10, 11, ""},
		{"from given", runs(false, true, true), 10, 0, 10, 12, ""},
		{"no runs", nil, 0, 0, 0, 0, `instance "i" has no run in the store`},
		{"one run", runs(false), 0, 0, 0, 0, "has only one run (10)"},
		{"unknown to", runs(false, true), 0, 99, 0, 0, "--to 99 is not a run of instance \"i\" (its runs: 10, 11)"},
		{"unknown from", runs(false, true), 5, 0, 0, 0, "--from 5 is not a run"},
		{"from after to", runs(false, true, true), 12, 11, 0, 0, "--from 12 must be an earlier run than --to 11"},
		{"gap in records", runs(false, false, true), 10, 12, 0, 0, "run 11 has no change records"},
		{"gap not needed", runs(false, false, true), 11, 12, 11, 12, ""},
	} {
		f, to, err := Range("i", tc.runs, tc.from, tc.to)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || f != tc.wantFrom || to != tc.wantTo {
			t.Errorf("%s: %d..%d %v, want %d..%d", tc.name, f, to, err, tc.wantFrom, tc.wantTo)
		}
	}
}

func TestComposeFoldsRunsPerObject(t *testing.T) {
	recs := []Record{
		{RunID: 2, Kind: KindEntity, Key: "a", Type: "t", Old: nil, New: []byte(`{"x":1}`)},               // added
		{RunID: 3, Kind: KindEntity, Key: "a", Type: "t", Old: []byte(`{"x":1}`), New: []byte(`{"x":2}`)}, // then changed: still added
		{RunID: 2, Kind: KindEntity, Key: "b", Type: "t", Old: []byte(`{"y":[1,2]}`), New: []byte(`{"y":[2,1]}`)},
		{RunID: 3, Kind: KindEntity, Key: "c", Type: "t", Old: []byte(`{"z":1}`), New: []byte(`{"z":2}`)},
		{RunID: 3, Kind: KindEntity, Key: "c2", Type: "t", Old: []byte(`{"z":1}`), New: []byte(`{ "z" : 1 }`)}, // same meaning
		{RunID: 3, Kind: KindRelationship, Key: "r", Type: "rt", Old: []byte(`{}`), New: nil},
	}
	// Records come in run order.
	ordered := []Record{recs[0], recs[2], recs[1], recs[3], recs[4], recs[5]}
	d, err := Compose("i", 1, 3, ordered)
	if err != nil {
		t.Fatal(err)
	}
	td := d.Entities["t"]
	if len(td.Added) != 1 || td.Added[0].Key != "a" || len(td.Changed) != 2 || td.Changed[0].Key != "b" || td.Changed[1].Key != "c" {
		t.Errorf("entities: %+v", td)
	}
	if rt := d.Relationships["rt"]; rt == nil || len(rt.Removed) != 1 {
		t.Errorf("relationships: %+v", d.Relationships)
	}
	if _, err := Compose("i", 1, 3, recs); err == nil {
		t.Error("records out of run order accepted")
	}
	if _, err := Compose("i", 2, 3, recs); err == nil {
		t.Error("a record outside the range accepted")
	}
	var b bytes.Buffer
	if err := d.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"entities: 1 added, 0 removed, 2 changed", "  + a", "y: reordered", "z: 1 → 2", "  - r"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

func TestChangeShowsListElements(t *testing.T) {
	for _, tc := range []struct {
		old, new any
		want     string
	}{
		{[]any{"a", "b"}, []any{"b", "c"}, `added "c"; removed "a"`},
		{[]any{"a"}, []any{"a", "a"}, `added "a"`},
		{nil, "x", `(absent) → "x"`},
		{"x", nil, `"x" → (absent)`},
		{strings.Repeat("v", 300), "w", `"` + strings.Repeat("v", 156) + `... → "w"`},
	} {
		if got := change(tc.old, tc.new); got != tc.want {
			t.Errorf("change(%v, %v) = %q, want %q", tc.old, tc.new, got, tc.want)
		}
	}
}
