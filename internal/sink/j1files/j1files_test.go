package j1files

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/sink"
)

// The SDK layout: graph/<step>/entities/*.json holding {"entities": [...]},
// at most ObjectsPerFile per file; relationships likewise; summary.json
// beside; a rerun replaces the folder whole.
func TestWriteLayout(t *testing.T) {
	dir := t.TempDir()
	var ents []graph.Entity
	for i := 0; i < ObjectsPerFile+3; i++ {
		ents = append(ents, graph.NewEntity(fmt.Sprintf("entity-key-%04d", i), "type_a", []string{"Configuration"}, "x"))
	}
	rel := graph.Direct(ents[0], "HAS", ents[1], nil)
	mapped := graph.Mapped("type_a_is_person", "IS", ents[0], graph.Forward, map[string]any{"_class": "Person", "email": "a@b.co"}, []string{"_class", "email"}, true, nil)
	os.MkdirAll(filepath.Join(dir, "graph", "stale-step", "entities"), 0o755)
	snap := &sink.Snapshot{
		Entities: ents, Relationships: []graph.Relationship{rel, mapped},
		EntityStep:       func(string) string { return "fetch-a" },
		RelationshipStep: func(string) string { return "build-a" },
		Summary:          map[string]any{"metadata": map[string]any{"partialDatasets": map[string]any{"types": []string{}}}},
	}
	if err := New(dir).Write(context.Background(), snap); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "graph", "fetch-a", "entities", "*.json"))
	if len(files) != 2 {
		t.Fatalf("%d entity files, want 2", len(files))
	}
	var first struct{ Entities []graph.Entity }
	data, _ := os.ReadFile(files[0])
	json.Unmarshal(data, &first)
	if len(first.Entities) != ObjectsPerFile {
		t.Fatalf("first file holds %d", len(first.Entities))
	}
	if _, err := os.Stat(filepath.Join(dir, "graph", "stale-step")); !os.IsNotExist(err) {
		t.Fatal("stale step folder left behind")
	}
	if _, err := os.Stat(filepath.Join(dir, "summary.json")); err != nil {
		t.Fatal(err)
	}
	gotE, gotR, err := ReadGraph(dir)
	if err != nil || len(gotE) != len(ents) || len(gotR) != 2 {
		t.Fatalf("read back %d entities %d relationships (%v)", len(gotE), len(gotR), err)
	}
	for _, r := range gotR {
		if r.Key() == mapped.Key() {
			m := r.Mapping()
			if m == nil || !m.SkipTargetCreation || m.TargetEntity["email"] != "a@b.co" || m.TargetFilterKeys[0][1] != "email" {
				t.Fatalf("mapping not round-tripped: %+v", m)
			}
		}
	}
}

// A folder that holds anything awsgraph did not write is refused, untouched.
func TestForeignDirectoryRefused(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("mine"), 0o644)
	os.MkdirAll(filepath.Join(dir, "graph", "x"), 0o755)
	err := New(dir).Write(context.Background(), &sink.Snapshot{})
	if err == nil || !strings.Contains(err.Error(), "holds files awsgraph did not write (keep.txt)") {
		t.Fatalf("got %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "keep.txt")); err != nil {
		t.Fatal("a foreign file was removed")
	}
	if _, err := os.Stat(filepath.Join(dir, "graph", "x")); err != nil {
		t.Fatal("a foreign directory's graph/ was emptied")
	}
}

// Until Commit, readers see the previous run whole; after, the new one whole,
// and no staging folder is left.
func TestStageThenCommitSwapsWhole(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	w := New(dir)
	one := &sink.Snapshot{Entities: []graph.Entity{graph.NewEntity("entity-key-0001", "type_a", []string{"Configuration"}, "x")},
		EntityStep: func(string) string { return "fetch-a" }, Summary: map[string]int{"run": 1}}
	if err := w.Write(context.Background(), one); err != nil {
		t.Fatal(err)
	}
	two := &sink.Snapshot{Entities: []graph.Entity{graph.NewEntity("entity-key-0002", "type_b", []string{"Configuration"}, "y")},
		EntityStep: func(string) string { return "fetch-b" }, Summary: map[string]int{"run": 2}}
	st, err := w.Stage(context.Background(), two)
	if err != nil {
		t.Fatal(err)
	}
	if ents, _, _ := ReadGraph(dir); len(ents) != 1 || ents[0].Key() != "entity-key-0001" {
		t.Fatalf("staging changed the visible run: %v", ents)
	}
	if err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	ents, _, _ := ReadGraph(dir)
	sum, _ := os.ReadFile(filepath.Join(dir, "summary.json"))
	if len(ents) != 1 || ents[0].Key() != "entity-key-0002" || !strings.Contains(string(sum), `"run": 2`) {
		t.Fatalf("after commit: %v %s", ents, sum)
	}
	left, _ := filepath.Glob(filepath.Join(parent, ".out.staging-*"))
	if len(left) != 0 {
		t.Fatalf("staging left behind: %v", left)
	}
}
