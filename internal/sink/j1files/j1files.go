// Package j1files writes the JupiterOne integration SDK's on-disk layout:
// graph/<stepId>/entities/*.json ({"entities": [...]}),
// graph/<stepId>/relationships/*.json ({"relationships": [...]}) and
// summary.json, which `j1-integration sync` uploads as is.
package j1files

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/sink"
)

// ObjectsPerFile matches the SDK's default batch of graph objects per file.
const ObjectsPerFile = 500

// Writer writes graph files under Dir. Dir is awsgraph's alone: it holds
// graph/, summary.json and a marker, and is replaced whole by each run.
type Writer struct{ Dir string }

// New returns a writer for dir.
func New(dir string) *Writer { return &Writer{Dir: dir} }

// Close does nothing: files are complete when Write returns.
func (w *Writer) Close() error { return nil }

// Write stages the snapshot and swaps it in at once.
func (w *Writer) Write(ctx context.Context, s *sink.Snapshot) error {
	st, err := w.Stage(ctx, s)
	if err != nil {
		return err
	}
	return st.Commit()
}

// Staged is a complete output directory written beside Dir, not yet in place.
type Staged struct {
	dir, staging string
}

// Stage writes the snapshot (graph/ and summary.json) to a temporary sibling
// of Dir. Nothing a reader of Dir sees changes until Commit.
func (w *Writer) Stage(ctx context.Context, s *sink.Snapshot) (*Staged, error) {
	if err := CheckOurs(w.Dir); err != nil {
		return nil, err
	}
	parent, base := filepath.Split(filepath.Clean(w.Dir))
	if parent == "" {
		parent = "."
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	// Staging folders left by a killed run are stale: the caller holds the
	// output's lock, so no live run owns them.
	stale, _ := filepath.Glob(filepath.Join(parent, "."+base+".staging-*"))
	for _, d := range stale {
		os.RemoveAll(d)
	}
	staging, err := os.MkdirTemp(parent, "."+base+".staging-")
	if err != nil {
		return nil, fmt.Errorf("staging the graph files: %w", err)
	}
	// MkdirTemp makes it private (0700); it becomes the output directory.
	if err := os.Chmod(staging, 0o755); err != nil {
		os.RemoveAll(staging)
		return nil, fmt.Errorf("staging the graph files: %w", err)
	}
	st := &Staged{dir: w.Dir, staging: staging}
	if err := writeTree(ctx, staging, s); err != nil {
		st.Discard()
		return nil, err
	}
	return st, nil
}

// Discard removes the staged files.
func (st *Staged) Discard() { os.RemoveAll(st.staging) }

// Commit puts the staged directory in Dir's place in one step: an atomic
// exchange of the two directories, so a crash leaves the old run or the new
// one, whole.
func (st *Staged) Commit() error {
	if err := swapDir(st.staging, st.dir); err != nil {
		st.Discard()
		return fmt.Errorf("replacing %s: %w", st.dir, err)
	}
	return os.RemoveAll(st.staging) // now the previous run's files
}

// Marker is the file that says a directory holds awsgraph output.
const Marker = ".awsgraph-output"

// ours are the only names an output directory may hold.
var ours = map[string]bool{"graph": true, "summary.json": true, Marker: true}

// CheckOurs refuses a directory that holds anything awsgraph did not write:
// it is replaced whole, and must never cost a user their files.
func CheckOurs(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("output directory %s: %w", dir, err)
	}
	var foreign []string
	for _, e := range entries {
		if !ours[e.Name()] {
			foreign = append(foreign, e.Name())
		}
	}
	if len(foreign) > 0 {
		if len(foreign) > 3 {
			foreign = append(foreign[:3], "...")
		}
		return fmt.Errorf("output directory %s holds files awsgraph did not write (%s); it would be replaced whole: choose a new or empty directory with --output", dir, strings.Join(foreign, ", "))
	}
	return nil
}

func writeTree(ctx context.Context, dir string, s *sink.Snapshot) error {
	graphDir := filepath.Join(dir, "graph")
	entities := newChunker[graph.Entity](graphDir, "entities")
	if err := s.EachEntity(func(e graph.Entity, step string) error { return entities.add(ctx, step, e) }); err != nil {
		return err
	}
	if err := entities.flush(); err != nil {
		return err
	}
	rels := newChunker[graph.Relationship](graphDir, "relationships")
	if err := s.EachRelationship(func(r graph.Relationship, step string) error { return rels.add(ctx, step, r) }); err != nil {
		return err
	}
	if err := rels.flush(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.MkdirAll(graphDir, 0o755); err != nil {
		return err
	}
	if s.Summary != nil {
		if err := writeJSON(filepath.Join(dir, "summary.json"), s.Summary); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, Marker), []byte("written by awsgraph; this directory is replaced whole by each run\n"), 0o644)
}

// chunker writes each step's objects, in the order given, as files of
// ObjectsPerFile (graph/<step>/<field>/00000.json, ...), holding at most one
// unwritten file's worth per step.
type chunker[T ~map[string]any] struct {
	graphDir, field string
	pending         map[string][]T
	written         map[string]int // files written per step
}

func newChunker[T ~map[string]any](graphDir, field string) *chunker[T] {
	return &chunker[T]{graphDir: graphDir, field: field, pending: map[string][]T{}, written: map[string]int{}}
}

func (c *chunker[T]) add(ctx context.Context, step string, obj T) error {
	if step == "" {
		step = "unattributed"
	}
	c.pending[step] = append(c.pending[step], obj)
	if len(c.pending[step]) < ObjectsPerFile {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return c.write(step)
}

func (c *chunker[T]) write(step string) error {
	dir := filepath.Join(c.graphDir, step, c.field)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	name := filepath.Join(dir, fmt.Sprintf("%05d.json", c.written[step]))
	if err := writeObjects(name, c.field, c.pending[step]); err != nil {
		return err
	}
	c.written[step]++
	c.pending[step] = c.pending[step][:0]
	return nil
}

// flush writes every step's last, partly filled file.
func (c *chunker[T]) flush() error {
	for _, step := range sortedKeys(c.pending) {
		if len(c.pending[step]) > 0 {
			if err := c.write(step); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeObjects writes {"<field>": objs} as writeJSON would, each object
// encoded by graph.AppendJSON (the bytes json.MarshalIndent gives: it is
// Marshal followed by Indent).
func writeObjects[T ~map[string]any](path, field string, objs []T) error {
	compact := append([]byte(`{"`+field+`":[`), make([]byte, 0, 1024*len(objs))...)
	for i, o := range objs {
		if i > 0 {
			compact = append(compact, ',')
		}
		var err error
		if compact, err = graph.AppendJSON(compact, o); err != nil {
			return fmt.Errorf("encoding %s: %w", path, err)
		}
	}
	compact = append(compact, "]}"...)
	var data bytes.Buffer
	data.Grow(2 * len(compact))
	if err := json.Indent(&data, compact, "", "  "); err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	return writeFile(path, data.Bytes())
}

func writeJSON(path string, v any) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	return writeFile(path, data)
}

func writeFile(path string, data []byte) error {
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

// EachFile calls fn with the objects of every graph file under dir/graph
// ({"entities": [...]} or {"relationships": [...]}), decoded as T, in path
// order. A missing graph directory is an error.
func EachFile[T any](dir string, fn func(path string, entities, relationships []T) error) error {
	root := filepath.Join(dir, "graph")
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		if err == nil {
			err = errors.New("not a directory")
		}
		return fmt.Errorf("graph files %s: %w", root, err)
	}
	return filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".json" {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var f struct {
			Entities      []T `json:"entities"`
			Relationships []T `json:"relationships"`
		}
		if err := json.Unmarshal(data, &f); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return fn(path, f.Entities, f.Relationships)
	})
}

// ReadGraph reads every entity and relationship under dir/graph (tests and
// the `awsgraph import` command use it).
func ReadGraph(dir string) ([]graph.Entity, []graph.Relationship, error) {
	var ents []graph.Entity
	var rels []graph.Relationship
	err := EachFile(dir, func(_ string, es, rs []map[string]any) error {
		for _, e := range es {
			ents = append(ents, e)
		}
		for _, r := range rs {
			rels = append(rels, r)
		}
		return nil
	})
	return ents, rels, err
}

// PreviousEntities returns the entities and relationships of these types in the graph files
// now in Dir (sink.Previous), for runs that keep no store.
func (w *Writer) PreviousEntities(_ context.Context, _ string, types []string) (map[string]graph.Entity, error) {
	out := map[string]graph.Entity{}
	if _, err := os.Stat(filepath.Join(w.Dir, "graph")); errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	ents, rels, err := ReadGraph(w.Dir)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, t := range types {
		want[t] = true
	}
	for _, e := range ents {
		if want[e.Type()] {
			out[e.Key()] = e
		}
	}
	for _, r := range rels {
		if want[r.Type()] {
			out[r.Key()] = graph.Entity(r)
		}
	}
	return out, nil
}
