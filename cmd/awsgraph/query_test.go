package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/sink"
	"github.com/awsgraph/awsgraph/internal/sink/postgres"
	"github.com/awsgraph/awsgraph/internal/sink/sqlite"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

// smallSnapshot: an account that HAS two users, one of them MFA-less.
func smallSnapshot() *sink.Snapshot {
	acct := graph.NewEntity("acct-1", "aws_account", []string{"Account"}, "111")
	alice := graph.NewEntity("user-alice", "aws_iam_user", []string{"User"}, "alice").Set("isMfaEnabled", false).Set("email", []string{"a@x.com", "alice@x.com"})
	bob := graph.NewEntity("user-bob", "aws_iam_user", []string{"User"}, "bob").Set("isMfaEnabled", true)
	return &sink.Snapshot{InstanceID: "inst", Entities: []graph.Entity{acct, alice, bob},
		Relationships: []graph.Relationship{graph.Direct(acct, "HAS", alice, nil), graph.Direct(acct, "HAS", bob, nil)}}
}

func sqliteStore(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "graph.db")
	st, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Write(context.Background(), smallSnapshot()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	return path
}

// dirState is every file's bytes in a directory, except the -wal / -shm
// files SQLite keeps beside a WAL-mode store that it opens.
func dirState(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), "-wal") || strings.HasSuffix(e.Name(), "-shm") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

func sameState(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// Each attack a new user tried is refused (non-zero exit) and leaves the
// store byte-identical with no file created beside it.
func TestQueryReadOnlyAttacksLeaveSQLiteStoreByteIdentical(t *testing.T) {
	isolateEnv(t)
	path := sqliteStore(t)
	dir := filepath.Dir(path)
	evil := filepath.Join(dir, "evil.db")
	attacks := []string{
		"SELECT 1; COMMIT; DELETE FROM entities",
		"SELECT 1; ATTACH DATABASE '" + evil + "' AS e",
		"ATTACH DATABASE '" + evil + "' AS e",
		"DELETE FROM entities",
		"WITH x AS (SELECT 1) DELETE FROM entities",
		"WITH x AS (SELECT 1) INSERT INTO runs (instance_id, finished_at) SELECT 'x', 1 FROM x",
		"PRAGMA query_only = 0",
		"SELECT 1 /* ; */ ; DROP TABLE entities",
		"SELECT ';' -- comment\n; DROP TABLE entities",
		"VACUUM INTO '" + evil + "'",
		"select 1;delete from entities",
		"SELECT 1;\n\n  UPDATE entities SET json = '{}'",
		"FIND aws_iam_user; DELETE FROM entities",
	}
	before := dirState(t, dir)
	for _, a := range attacks {
		code, stdout, stderr := run(t, "query", "--db", path, a)
		if code == 0 {
			t.Errorf("%q: exit 0 (%s)", a, stdout)
		}
		if stderr == "" {
			t.Errorf("%q: no error message", a)
		}
		if after := dirState(t, dir); !sameState(before, after) {
			t.Fatalf("%q changed the directory or the store", a)
		}
		if _, err := os.Stat(evil); err == nil {
			t.Fatalf("%q created %s", a, evil)
		}
	}
	// Legitimate single statements still work, a trailing semicolon too.
	code, stdout, stderr := run(t, "query", "--db", path, "SELECT count(*) AS n, ';' AS s FROM entities;")
	if code != 0 || !strings.Contains(stdout, "3  ;") {
		t.Errorf("single statement: exit %d %q %s", code, stdout, stderr)
	}
	if !sameState(before, dirState(t, dir)) {
		t.Fatal("a read changed the store")
	}
}

// --db pointing at a file that is not an awsgraph store is refused without
// touching it (nor creating -wal / -shm beside it); a missing path is not created.
func TestQueryRefusesForeignAndMissingFilesUntouched(t *testing.T) {
	isolateEnv(t)
	dir := t.TempDir()
	foreign := filepath.Join(dir, "other-app.db")
	db, err := sql.Open("sqlite", "file:"+foreign+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('keep me')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("not a database at all, just some text here\n"), 0o644)
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o644)
	before, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	state := map[string]string{}
	for _, e := range before {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		state[e.Name()] = string(b)
	}
	for _, target := range []string{foreign, text, empty, dir} {
		for _, q := range []string{"SELECT count(*) FROM notes", "FIND *"} {
			code, _, stderr := run(t, "query", "--db", target, q)
			if code != exitConfig || !strings.Contains(stderr, "not an awsgraph store") && !strings.Contains(stderr, "directory") {
				t.Errorf("%s %q: exit %d %s", filepath.Base(target), q, code, stderr)
			}
		}
	}
	after, _ := os.ReadDir(dir)
	if len(after) != len(before) {
		t.Fatalf("files created: before %d, after %d", len(before), len(after))
	}
	for _, e := range after {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		if state[e.Name()] != string(b) {
			t.Errorf("%s changed", e.Name())
		}
	}
	missing := filepath.Join(dir, "nope.db")
	code, _, stderr := run(t, "query", "--db", missing, "FIND *")
	if code != exitConfig || !strings.Contains(stderr, "no such file") {
		t.Errorf("missing store: exit %d %s", code, stderr)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("the missing store was created")
	}
}

// PostgreSQL: every query runs in a READ ONLY transaction; writes, also
// smuggled in a CTE or after a semicolon, are refused and change nothing; a
// database without the store's tables is refused and not given them.
func TestQueryReadOnlyOnPostgres(t *testing.T) {
	isolateEnv(t)
	ctx := context.Background()
	dsn := testbed.StartPostgres(t)
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Write(ctx, smallSnapshot()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	for _, a := range []string{
		"SELECT 1; DELETE FROM entities",
		"DELETE FROM entities",
		"WITH d AS (DELETE FROM entities RETURNING 1) SELECT count(*) FROM d",
		"SELECT 1; COMMIT; DELETE FROM entities",
		"SELECT $$;$$; DELETE FROM entities",
		"SELECT set_config('default_transaction_read_only', 'off', false); DELETE FROM entities",
	} {
		if code, _, _ := run(t, "query", "--postgres-dsn", dsn, a); code == 0 {
			t.Errorf("%q: exit 0", a)
		}
	}
	code, stdout, stderr := run(t, "query", "--postgres-dsn", dsn, "--format", "csv", "SELECT count(*) AS n FROM entities")
	if code != 0 || stdout != "n\n3\n" {
		t.Errorf("count after the attacks: exit %d %q %s", code, stdout, stderr)
	}
	empty := testbed.StartPostgres(t)
	code, _, stderr = run(t, "query", "--postgres-dsn", empty, "FIND *")
	if code == 0 || !strings.Contains(stderr, "no awsgraph store") {
		t.Errorf("empty database: exit %d %s", code, stderr)
	}
	pool, err := sql.Open("pgx", empty)
	if err == nil {
		defer pool.Close()
		var n int
		if err := pool.QueryRow(`SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("tables created in the empty database: %d %v", n, err)
		}
	}
}

// --format json: without RETURN the entity objects (with _key); with RETURN
// objects keyed by the expressions as written; csv and table alike.
func TestQueryJ1QLOutputFormats(t *testing.T) {
	isolateEnv(t)
	path := sqliteStore(t)
	code, stdout, stderr := run(t, "query", "--db", path, "--format", "json", "Find User WITH isMfaEnabled = false")
	var ents []map[string]any
	if code != 0 || json.Unmarshal([]byte(stdout), &ents) != nil || len(ents) != 1 || ents[0]["_key"] != "user-alice" ||
		ents[0]["name"] != "alice" || len(ents[0]["email"].([]any)) != 2 {
		t.Fatalf("entities: exit %d %s %s", code, stdout, stderr)
	}
	code, stdout, _ = run(t, "query", "--db", path, "--format", "json", "FIND aws_account AS a THAT HAS User AS u RETURN a.name, u.name, count(u)")
	var rows []map[string]any
	if code != 0 || json.Unmarshal([]byte(stdout), &rows) != nil {
		t.Fatalf("rows: exit %d %s", code, stdout)
	}
	if len(rows) != 2 || rows[0]["a.name"] != "111" || rows[0]["u.name"] != "alice" || rows[0]["count(u)"] != float64(1) || rows[1]["u.name"] != "bob" {
		t.Errorf("rows: %v", rows)
	}
	code, stdout, _ = run(t, "query", "--db", path, "--format", "json", "FIND User AS u RETURN COUNT(u)")
	if code != 0 || strings.Join(strings.Fields(stdout), "") != `[{"COUNT(u)":2}]` {
		t.Errorf("count: %s", stdout)
	}
	code, stdout, _ = run(t, "query", "--db", path, "--format", "csv", "FIND User AS u RETURN u.name, u.email ORDER BY u.name DESC")
	recs, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if code != 0 || err != nil || len(recs) != 3 || !slices.Equal(recs[0], []string{"u.name", "u.email"}) || recs[1][0] != "bob" || recs[2][1] != `["a@x.com","alice@x.com"]` {
		t.Errorf("csv: %q %v", stdout, err)
	}
	code, stdout, _ = run(t, "query", "--db", path, "FIND User")
	if code != 0 || !strings.HasPrefix(stdout, "_type") || !strings.Contains(stdout, "user-bob") {
		t.Errorf("table: %s", stdout)
	}
	code, stdout, _ = run(t, "query", "--db", path, "--format", "json", "FIND User WITH name = 'bob' THAT HAS Account RETURN TREE")
	var tree struct{ Vertices, Edges []map[string]any }
	if code != 0 || json.Unmarshal([]byte(stdout), &tree) != nil || len(tree.Vertices) != 2 || len(tree.Edges) != 1 || tree.Edges[0]["_toEntityKey"] != "user-bob" {
		t.Errorf("tree: %s", stdout)
	}
}

func TestQueryExplainExamplesAndErrors(t *testing.T) {
	isolateEnv(t)
	path := sqliteStore(t)
	code, stdout, _ := run(t, "query", "--explain", "FIND User THAT HAS >> Account")
	if code != 0 || !strings.Contains(stdout, "SELECT DISTINCT") || !strings.Contains(stdout, "-- arguments:") {
		t.Errorf("explain (no store needed): exit %d %s", code, stdout)
	}
	code, stdout, _ = run(t, "query", "--explain", "--postgres-dsn", "postgres://nowhere.invalid/x", "FIND User")
	if code != 0 || !strings.Contains(stdout, "$1::text") {
		t.Errorf("explain postgres: exit %d %s", code, stdout)
	}
	code, stdout, _ = run(t, "query", "--examples")
	if code != 0 || !strings.Contains(stdout, "Who can assume a role with administrator access?") || strings.Count(stdout, "awsgraph query \"FIND") < 8 {
		t.Errorf("examples: %s", stdout)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"FIND User WITH name = "}, "column 23"},
		{[]string{"FIND User THAT"}, "expected a relationship verb"},
		{[]string{"--format", "xml", "FIND User"}, "table, json or csv"},
		{[]string{"--explain", "SELECT 1"}, "--explain shows the SQL of a J1QL query"},
		{[]string{}, "needs one QUERY"},
	} {
		code, _, stderr := run(t, append([]string{"query", "--db", path}, c.args...)...)
		if code != exitConfig || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d %s", c.args, code, stderr)
		}
	}
	var buf bytes.Buffer
	if err := writeRows(&buf, "table", []string{"a", "b"}, [][]any{{"x\ty", nil}}); err != nil || buf.String() != "a    b\nx y  \n" {
		t.Errorf("table cell: %q", buf.String())
	}
}
