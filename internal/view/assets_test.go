package view

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The embedded library must be exactly the npm package that
// tools/viewlib/package-lock.json pins (tools/viewlib/update.sh copies it;
// .ci/run installs it with npm ci before the tests).
func TestEmbeddedLibraryEqualsNPM(t *testing.T) {
	dir := filepath.Join("..", "..", "tools", "viewlib")
	var lock struct {
		Packages map[string]struct{ Version, License string } `json:"packages"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &lock); err != nil {
		t.Fatal(err)
	}
	pinned := lock.Packages["node_modules/cytoscape"]
	if pinned.Version == "" || pinned.License != "MIT" {
		t.Fatalf("package-lock.json pins cytoscape %q, licence %q (want a version, MIT)", pinned.Version, pinned.License)
	}
	pkg := filepath.Join(dir, "node_modules", "cytoscape")
	manifest, err := os.ReadFile(filepath.Join(pkg, "package.json"))
	if err != nil {
		if strings.EqualFold(os.Getenv("CI"), "true") {
			t.Fatalf("tools/viewlib is not installed under CI (npm ci in tools/viewlib): %v", err)
		}
		t.Skipf("tools/viewlib not installed (cd tools/viewlib && npm ci): %v", err)
	}
	var installed struct{ Version string }
	if err := json.Unmarshal(manifest, &installed); err != nil || installed.Version != pinned.Version {
		t.Fatalf("installed cytoscape %q, lockfile pins %q (run npm ci in tools/viewlib): %v", installed.Version, pinned.Version, err)
	}
	for _, f := range []struct{ npm, embedded string }{
		{"dist/cytoscape.min.js", library},
		{"LICENSE", libraryLicense},
	} {
		want, err := os.ReadFile(filepath.Join(pkg, f.npm))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(want, []byte(f.embedded)) {
			t.Errorf("embedded %s differs from cytoscape %s's (run tools/viewlib/update.sh)", f.npm, pinned.Version)
		}
	}
}

// The page is self-contained: no script, stylesheet or image is fetched.
func TestPageLoadsNothingFromElsewhere(t *testing.T) {
	var b bytes.Buffer
	if err := Render(&b, &Subgraph{Entities: []Node{}, Relationships: []Edge{}}, `<t>"`); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []string{"<script src", "<link", "<img", "@import", "<t>\""} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	if !strings.Contains(page, "Copyright (c) 2016") || !strings.Contains(page, "&lt;t&gt;&#34;") {
		t.Error("page lacks the library's licence or the escaped title")
	}
}

func BenchmarkForceLayout2000(b *testing.B) {
	g := synthetic(2000)
	for b.Loop() {
		forceLayout(g)
	}
}
