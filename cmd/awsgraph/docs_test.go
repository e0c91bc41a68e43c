package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/collector"
	"github.com/awsgraph/awsgraph/internal/schema"
)

// repoRoot is the repository root, two levels above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found at %s: %v", root, err)
	}
	return root
}

// TestStepsDeclareSchemaTypes fails when a step declares a type, form or
// derived property that internal/schema does not declare the same way, or
// when a schema type names a step that does not exist: the steps and the
// schema (and so docs/graph-schema.md) cannot drift apart.
func TestStepsDeclareSchemaTypes(t *testing.T) {
	sess := &awsclient.Session{Partition: "aws", AccountID: "000000000000", Calls: awsclient.NewCallCounter()}
	// The organization graph is written by `awsgraph org`, not by a member run.
	steps := map[string]bool{schema.StepOrganization: true}
	for _, s := range collector.AllSteps(sess) {
		steps[s.ID] = true
		for _, e := range s.Entities {
			d := schema.EntityType(e.Type)
			if d == nil || (d.SetBy != s.ID && !slices.Contains(d.AlsoSetBy, s.ID)) || !slices.Equal(d.Class, e.Class) {
				t.Errorf("step %s declares entity %s %v; schema: %+v", s.ID, e.Type, e.Class, d)
			}
		}
		for _, r := range s.Relationships {
			d := schema.RelationshipType(r.Type)
			if d == nil || d.SetBy != s.ID || d.Class != r.Class || d.From != r.SourceType || d.To != r.TargetType || (r.Mapped && !d.Mapped) || (!r.Mapped && !d.Direct) {
				t.Errorf("step %s declares relationship %+v; schema: %+v", s.ID, r, d)
			}
		}
		for _, p := range s.Properties {
			d := schema.EntityType(p.Type)
			if d == nil {
				t.Errorf("step %s derives properties on %s, not a schema type", s.ID, p.Type)
				continue
			}
			for _, name := range p.Properties {
				if prop, ok := d.Property(name); !ok || prop.SetBy != s.ID {
					t.Errorf("step %s derives %s.%s, not declared as set by it in the schema", s.ID, p.Type, name)
				}
			}
		}
	}
	for _, e := range schema.Entities() {
		if !e.External && !steps[e.SetBy] {
			t.Errorf("schema entity %s names step %q, which does not exist", e.Type, e.SetBy)
		}
	}
	for _, r := range schema.Relationships() {
		if !steps[r.SetBy] {
			t.Errorf("schema relationship %s names step %q, which does not exist", r.Type, r.SetBy)
		}
	}
}

// skipDirs are not part of the repository's own text.
var skipDirs = map[string]bool{".git": true, "node_modules": true, "demo-output": true}

// forbidden are references to documents that live outside the repository
// (the parent folder's shared notes), spelled in parts so this file is not
// itself such a reference.
var forbidden = []string{filepath.Join("..", "shared"), "SPEC" + " §", "SPEC" + ".md"}

// TestNoReferenceOutsideRepository fails when a text file of the repository
// points at documents outside it, or when a relative link in README.md or
// docs/*.md names a file that does not exist.
func TestNoReferenceOutsideRepository(t *testing.T) {
	root := repoRoot(t)
	self, _ := filepath.Abs("docs_test.go")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if skipDirs[d.Name()] || (path != root && strings.HasPrefix(d.Name(), ".") && d.Name() != ".ci") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || path == self {
			return nil
		}
		info, err := d.Info()
		if err != nil || info.Size() > 4<<20 {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.IndexByte(data, 0) >= 0 {
			return nil // binary
		}
		rel, _ := filepath.Rel(root, path)
		for i, line := range strings.Split(string(data), "\n") {
			for _, f := range forbidden {
				if strings.Contains(line, f) {
					t.Errorf("%s:%d refers to %q, outside the repository; cite docs/ instead", rel, i+1, f)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	docs, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	for _, md := range append([]string{filepath.Join(root, "README.md")}, docs...) {
		checkLinks(t, root, md)
	}
}

var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// checkLinks checks that every relative link of a markdown file names an
// existing file or directory.
func checkLinks(t *testing.T, root, md string) {
	t.Helper()
	data, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(root, md)
	for _, m := range mdLink.FindAllStringSubmatch(string(data), -1) {
		target := m[1]
		if strings.Contains(target, "://") || strings.HasPrefix(target, "#") || strings.HasPrefix(target, "mailto:") {
			continue
		}
		target, _, _ = strings.Cut(target, "#")
		p := filepath.Join(filepath.Dir(md), filepath.FromSlash(target))
		if r, err := filepath.Rel(root, p); err != nil || strings.HasPrefix(r, "..") {
			t.Errorf("%s: link %s leaves the repository", rel, m[1])
			continue
		}
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s: link %s names no file", rel, m[1])
		}
	}
}
