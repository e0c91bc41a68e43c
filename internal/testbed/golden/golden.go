// Package golden holds converter golden tests: API shapes read from
// testdata/<name>.input.json, the graph fragment a converter makes of them
// compared with testdata/<name>.golden.json. `go test ./internal/service/<svc> -update`
// rewrites the golden files from what the converter makes now (review the
// diff before committing it), as the Go standard library's golden tests do.
package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the converters' output")

// Fragment is what a converter makes: entities and relationships.
type Fragment struct {
	Entities      []graph.Entity       `json:"entities"`
	Relationships []graph.Relationship `json:"relationships,omitempty"`
}

// Input decodes testdata/<name>.input.json into v (SDK shapes decode by
// their Go field names).
func Input(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".input.json"))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields() // a misspelt field would silently test nothing
	if err := dec.Decode(v); err != nil {
		t.Fatalf("testdata/%s.input.json: %v", name, err)
	}
}

// Check validates every entity against the graph schema and compares the
// fragment with testdata/<name>.golden.json (or rewrites it with -update).
func Check(t testing.TB, name string, f Fragment) {
	t.Helper()
	for _, e := range f.Entities {
		if err := schema.Validate(e); err != nil {
			t.Errorf("%s: entity %s: %v", name, e.Key(), err)
		}
	}
	for _, r := range f.Relationships {
		if err := graph.ValidateRelationship(r); err != nil {
			t.Errorf("%s: relationship %s: %v", name, r.Key(), err)
		}
	}
	got, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: converter output differs from %s (run with -update and review the diff):\n%s", name, path, lineDiff(want, got))
	}
}

// lineDiff shows the first lines where want and got differ.
func lineDiff(want, got []byte) string {
	w, g := bytes.Split(want, []byte("\n")), bytes.Split(got, []byte("\n"))
	var out bytes.Buffer
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var wl, gl []byte
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if !bytes.Equal(wl, gl) {
			shown++
			out.WriteString("line " + strconv.Itoa(i+1) + ":\n  want: " + string(wl) + "\n  got:  " + string(gl) + "\n")
		}
	}
	return out.String()
}
