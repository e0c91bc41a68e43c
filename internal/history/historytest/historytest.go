// Package historytest is the change-history contract both stores must meet,
// run by each store's tests against its own database.
package historytest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/history"
	"github.com/awsgraph/awsgraph/internal/sink"
)

// Store is a graph store that records history.
type Store interface {
	Write(ctx context.Context, snap *sink.Snapshot) error
	Import(ctx context.Context, instanceID string, ents []graph.Entity) error
	SetHistoryRuns(n int)
	history.Reader
}

func snap(ents []graph.Entity, rels []graph.Relationship) *sink.Snapshot {
	types := map[string]bool{}
	var declared []string
	for _, e := range ents {
		if !types[e.Type()] {
			types[e.Type()] = true
			declared = append(declared, e.Type())
		}
	}
	for _, r := range rels {
		if !types[r.Type()] {
			types[r.Type()] = true
			declared = append(declared, r.Type())
		}
	}
	return &sink.Snapshot{InstanceID: "inst-h", Entities: ents, Relationships: rels,
		DeclaredTypes: append(declared, "h_bucket", "h_group", "h_account_has_h_bucket")}
}

func entity(key, typ string, props map[string]any) graph.Entity {
	e := graph.NewEntity(key, typ, []string{"Configuration"}, key)
	for k, v := range props {
		e.Set(k, v)
	}
	return e
}

// Run checks, on an empty store: the first run's objects are all added; a
// rerun with nothing changed records nothing; a removal, an addition and a
// property change are each reported with the changed property's old and new
// value; a diff over two runs composes them; the retention limit forgets the
// oldest runs' records and a diff over them is refused.
func Run(t *testing.T, s Store) {
	ctx := context.Background()
	s.SetHistoryRuns(3)
	acct := entity("h-account", "h_account", nil)
	b1 := entity("h-bucket-1", "h_bucket", map[string]any{"encrypted": true})
	b2 := entity("h-bucket-2", "h_bucket", nil)
	g := entity("h-group-1", "h_group", map[string]any{"tag.env": "prod"})
	has1, has2 := graph.Direct(acct, "HAS", b1, nil), graph.Direct(acct, "HAS", b2, nil)
	write := func(ents []graph.Entity, rels []graph.Relationship) {
		t.Helper()
		if err := s.Write(ctx, snap(ents, rels)); err != nil {
			t.Fatal(err)
		}
	}
	write([]graph.Entity{acct, b1, b2, g}, []graph.Relationship{has1, has2}) // run 1
	write([]graph.Entity{acct, b1, b2, g}, []graph.Relationship{has1, has2}) // run 2: nothing changed
	g2 := entity("h-group-1", "h_group", map[string]any{"tag.env": "staging", "ingressRules": 2})
	write([]graph.Entity{acct, b1, g2}, []graph.Relationship{has1}) // run 3: bucket 2 gone, group changed
	runs, err := s.Runs(ctx, "inst-h")
	if err != nil || len(runs) != 3 {
		t.Fatalf("runs: %v %v", runs, err)
	}
	d, err := history.Between(ctx, s, "", runs[0].ID, runs[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Empty() {
		t.Errorf("rerun with nothing changed: diff %s", dump(d))
	}
	d, err = history.Between(ctx, s, "", 0, 0) // default: the last two runs
	if err != nil {
		t.Fatal(err)
	}
	want := `{"instanceId":"inst-h","fromRun":R2,"toRun":R3,` +
		`"entities":{"h_bucket":{"added":[],"removed":[{"key":"h-bucket-2"}],"changed":[]},` +
		`"h_group":{"added":[],"removed":[],"changed":[{"key":"h-group-1","changes":[{"property":"ingressRules","new":2},{"property":"tag.env","old":"prod","new":"staging"}]}]}},` +
		`"relationships":{"` + has2.Type() + `":{"added":[],"removed":[{"key":"` + has2.Key() + `"}],"changed":[]}}}`
	want = strings.NewReplacer("R2", itoa(runs[1].ID), "R3", itoa(runs[2].ID)).Replace(want)
	if got := dump(d); got != want {
		t.Errorf("diff of the last two runs:\n got %s\nwant %s", got, want)
	}
	write([]graph.Entity{acct, b1, b2, g2}, []graph.Relationship{has1, has2}) // run 4: bucket 2 back
	runs, _ = s.Runs(ctx, "inst-h")
	d, err = history.Between(ctx, s, "inst-h", runs[1].ID, runs[3].ID) // across runs 3 and 4
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := d.Entities["h_bucket"]; ok || len(d.Entities) != 1 || len(d.Entities["h_group"].Changed) != 1 || len(d.Relationships) != 0 {
		t.Errorf("runs 2→4 (bucket removed and restored, group changed): %s", dump(d))
	}
	if runs[0].Recorded {
		t.Errorf("run 1 still has records beyond the limit of 3 runs: %+v", runs)
	}
	if !runs[1].Recorded || !runs[3].Recorded {
		t.Errorf("the last 3 runs must keep their records: %+v", runs)
	}
	if _, err := history.Between(ctx, s, "inst-h", runs[3].ID+100, runs[1].ID); err == nil || !strings.Contains(err.Error(), "is not a run of instance") {
		t.Error("a diff from a run that does not exist was accepted")
	}
	// Run 1's records are gone: a diff needing them must be refused, not empty.
	recs, _ := s.Records(ctx, "inst-h", 0, runs[0].ID)
	if len(recs) != 0 {
		t.Errorf("run 1 beyond retention still has %d records", len(recs))
	}
	write([]graph.Entity{acct, b1, b2, g2}, []graph.Relationship{has1, has2}) // run 5: run 2's records go
	runs, _ = s.Runs(ctx, "inst-h")
	if _, err := history.Between(ctx, s, "inst-h", runs[0].ID, runs[2].ID); err == nil || !strings.Contains(err.Error(), "run "+itoa(runs[1].ID)+" has no change records") {
		t.Errorf("a diff over a run beyond retention: %v, want refused", err)
	}
	if err := s.Import(ctx, "hr", []graph.Entity{entity("person-1", "h_person", nil)}); err != nil {
		t.Fatal(err)
	}
	if inst, _ := s.LatestInstance(ctx); inst != "hr" {
		t.Errorf("latest instance %q, want hr (the import)", inst)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func dump(d *history.Diff) string {
	b, _ := json.Marshal(d)
	return string(b)
}
