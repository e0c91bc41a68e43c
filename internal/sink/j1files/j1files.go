// Package j1files writes the JupiterOne integration SDK's on-disk layout:
// graph/<stepId>/entities/*.json ({"entities": [...]}),
// graph/<stepId>/relationships/*.json ({"relationships": [...]}) and
// summary.json, which `j1-integration sync` uploads as is.
package j1files

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/sink"
)

// ObjectsPerFile matches the SDK's default batch of graph objects per file.
const ObjectsPerFile = 500

// Writer writes graph files under Dir.
type Writer struct{ Dir string }

// New returns a writer for dir.
func New(dir string) *Writer { return &Writer{Dir: dir} }

// Close does nothing: files are complete when Write returns.
func (w *Writer) Close() error { return nil }

// Write replaces Dir/graph with the snapshot and writes Dir/summary.json.
// Only the graph folder is replaced; other files in Dir are left alone.
func (w *Writer) Write(ctx context.Context, s *sink.Snapshot) error {
	graphDir := filepath.Join(w.Dir, "graph")
	if err := os.RemoveAll(graphDir); err != nil {
		return fmt.Errorf("clearing %s: %w", graphDir, err)
	}
	entities := map[string][]graph.Entity{}
	for _, e := range s.Entities {
		step := stepName(s.EntityStep, e.Key())
		entities[step] = append(entities[step], e)
	}
	rels := map[string][]graph.Relationship{}
	for _, r := range s.Relationships {
		step := stepName(s.RelationshipStep, r.Key())
		rels[step] = append(rels[step], r)
	}
	for _, step := range sortedKeys(entities) {
		if err := writeChunks(filepath.Join(graphDir, step, "entities"), "entities", entities[step]); err != nil {
			return err
		}
	}
	for _, step := range sortedKeys(rels) {
		if err := writeChunks(filepath.Join(graphDir, step, "relationships"), "relationships", rels[step]); err != nil {
			return err
		}
	}
	if s.Summary != nil {
		if err := writeJSON(filepath.Join(w.Dir, "summary.json"), s.Summary); err != nil {
			return err
		}
	}
	return nil
}

func stepName(f func(string) string, key string) string {
	if f != nil {
		if s := f(key); s != "" {
			return s
		}
	}
	return "unattributed"
}

func writeChunks[T any](dir, field string, objs []T) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i := 0; i < len(objs); i += ObjectsPerFile {
		end := min(i+ObjectsPerFile, len(objs))
		name := filepath.Join(dir, fmt.Sprintf("%05d.json", i/ObjectsPerFile))
		if err := writeJSON(name, map[string]any{field: objs[i:end]}); err != nil {
			return err
		}
	}
	return nil
}

func writeJSON(path string, v any) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ReadGraph reads every entity and relationship under dir/graph (tests and
// the `awsgraph import` command use it).
func ReadGraph(dir string) ([]graph.Entity, []graph.Relationship, error) {
	var ents []graph.Entity
	var rels []graph.Relationship
	err := filepath.WalkDir(filepath.Join(dir, "graph"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".json" {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var f struct {
			Entities      []graph.Entity       `json:"entities"`
			Relationships []graph.Relationship `json:"relationships"`
		}
		if err := json.Unmarshal(data, &f); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		ents = append(ents, f.Entities...)
		rels = append(rels, f.Relationships...)
		return nil
	})
	return ents, rels, err
}
