package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/collector"
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

// TestSchemaDocumentsEveryDeclaredType fails when a type or derived property
// a step declares is missing from docs/schema.md, so the schema cannot drift
// from the code.
func TestSchemaDocumentsEveryDeclaredType(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", "schema.md"))
	if err != nil {
		t.Fatal(err)
	}
	schema := string(doc)
	has := func(name string) bool { return strings.Contains(schema, "`"+name+"`") }
	sess := &awsclient.Session{Partition: "aws", AccountID: "000000000000", Calls: awsclient.NewCallCounter()}
	for _, s := range collector.AllSteps(sess) {
		if !has(s.ID) {
			t.Errorf("docs/schema.md does not name step %s", s.ID)
		}
		for _, e := range s.Entities {
			if !has(e.Type) {
				t.Errorf("docs/schema.md lacks entity type %s (step %s)", e.Type, s.ID)
			}
			for _, c := range e.Class {
				if !has(c) {
					t.Errorf("docs/schema.md lacks class %s of %s (step %s)", c, e.Type, s.ID)
				}
			}
		}
		for _, r := range s.Relationships {
			if !has(r.Type) {
				t.Errorf("docs/schema.md lacks relationship type %s (%s %s → %s, step %s)", r.Type, r.SourceType, r.Class, r.TargetType, s.ID)
			}
		}
		for _, p := range s.Properties {
			for _, name := range p.Properties {
				if !has(name) {
					t.Errorf("docs/schema.md lacks property %s that step %s sets on %s", name, s.ID, p.Type)
				}
			}
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
