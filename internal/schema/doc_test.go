package schema

import (
	"os"
	"path/filepath"
	"testing"
)

// TestGraphSchemaDocIsUpToDate fails when docs/graph-schema.md is not what
// the declarations render; UPDATE_GRAPH_SCHEMA=1 rewrites it.
func TestGraphSchemaDocIsUpToDate(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "graph-schema.md")
	want := Markdown()
	if os.Getenv("UPDATE_GRAPH_SCHEMA") == "1" {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("%s is out of date: run UPDATE_GRAPH_SCHEMA=1 go test ./internal/schema -run TestGraphSchemaDocIsUpToDate", path)
	}
}
