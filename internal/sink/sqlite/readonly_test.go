package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsgraph/awsgraph/internal/graph"
)

func TestStoreQueryRunsOneStatementOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "g.db")
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Import(ctx, "import:x", []graph.Entity{graph.NewEntity("p1", "person", []string{"Person"}, "p")}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Query(ctx, "SELECT 1; COMMIT; DELETE FROM entities"); err == nil || !strings.Contains(err.Error(), "only one SQL statement") {
		t.Fatalf("multi-statement: %v", err)
	}
	rows, err := st.Query(ctx, "SELECT count(*) FROM entities;")
	if err != nil || rows[1][0] != "1" {
		t.Fatalf("entities after the attempt: %v %v", rows, err)
	}
}

func TestOpenReadOnlyCreatesNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := OpenReadOnly(ctx, filepath.Join(dir, "missing.db")); err == nil {
		t.Fatal("a missing store opened")
	}
	path := filepath.Join(dir, "g.db")
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	db, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "DELETE FROM entities"); err == nil {
		t.Fatal("a read-only store accepted a write")
	}
	if _, err := db.ExecContext(ctx, "ATTACH DATABASE ?1 AS x", filepath.Join(dir, "x.db")); err == nil {
		t.Error("ATTACH of a new file succeeded")
	}
	if _, err := db.ExecContext(ctx, "PRAGMA query_only = 0"); err == nil {
		t.Error("query_only switched off")
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM pragma_table_info('entities')").Scan(&n); err != nil || n == 0 {
		t.Errorf("reading a pragma: %d %v", n, err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "g.db") {
			t.Errorf("file created: %s", e.Name())
		}
	}
}
