package postgres_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/history/historytest"
	"github.com/awsgraph/awsgraph/internal/sink"
	"github.com/awsgraph/awsgraph/internal/sink/postgres"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

// One moto server and one PostgreSQL server for the package; a database per test.
func TestMain(m *testing.M) { os.Exit(testbed.PostgresMain(m, testbed.Main)) }

func open(t testing.TB) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), testbed.StartPostgres(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func ent(key, typ string) graph.Entity {
	return graph.NewEntity(key, typ, []string{"Configuration"}, key)
}

func keys(t *testing.T, s *postgres.Store, table, typ string) map[string]bool {
	t.Helper()
	rows, err := s.Pool().Query(context.Background(), `SELECT key FROM `+table+` WHERE instance_id = 'inst-1' AND type = $1`, typ)
	if err != nil {
		t.Fatal(err)
	}
	ks, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, k := range ks {
		out[k] = true
	}
	return out
}

func TestRerunDeletesVanishedButKeepsPartialTypes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	a1, a2 := ent("type-a-key-1", "type_a"), ent("type-a-key-2", "type_a")
	b1, b2 := ent("type-b-key-1", "type_b"), ent("type-b-key-2", "type_b")
	r1 := graph.Direct(a1, "HAS", b1, nil)
	first := &sink.Snapshot{InstanceID: "inst-1", Entities: []graph.Entity{a1, a2, b1, b2}, Relationships: []graph.Relationship{r1},
		DeclaredTypes: []string{"type_a", "type_b", r1.Type()}}
	if err := s.Write(ctx, first); err != nil {
		t.Fatal(err)
	}
	// Second run: a2 vanished from AWS; type_b's step failed (nothing read), so type_b and the edge are partial.
	second := &sink.Snapshot{InstanceID: "inst-1", Entities: []graph.Entity{a1},
		DeclaredTypes: []string{"type_a", "type_b", r1.Type()}, PartialTypes: []string{"type_b", r1.Type()}}
	if err := s.Write(ctx, second); err != nil {
		t.Fatal(err)
	}
	if got := keys(t, s, "entities", "type_a"); !got["type-a-key-1"] || got["type-a-key-2"] {
		t.Errorf("type_a after rerun: %v (want only key-1)", got)
	}
	if got := keys(t, s, "entities", "type_b"); len(got) != 2 {
		t.Errorf("partial type_b lost data: %v", got)
	}
	if got := keys(t, s, "relationships", r1.Type()); len(got) != 1 {
		t.Errorf("partial relationship type lost data: %v", got)
	}
	// Third run, type_b fully read again and empty: now it is deleted.
	third := &sink.Snapshot{InstanceID: "inst-1", Entities: []graph.Entity{a1}, DeclaredTypes: []string{"type_a", "type_b", r1.Type()}}
	if err := s.Write(ctx, third); err != nil {
		t.Fatal(err)
	}
	if got := keys(t, s, "entities", "type_b"); len(got) != 0 {
		t.Errorf("type_b not deleted after a complete run: %v", got)
	}
	if got := keys(t, s, "relationships", r1.Type()); len(got) != 0 {
		t.Errorf("relationship type not deleted after a complete run: %v", got)
	}
	// Another instance's data is never touched, even for the same type and key.
	other := &sink.Snapshot{InstanceID: "inst-2", Entities: []graph.Entity{ent("type-a-key-9", "type_a"), a1}, DeclaredTypes: []string{"type_a"}}
	if err := s.Write(ctx, other); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(ctx, &sink.Snapshot{InstanceID: "inst-2", DeclaredTypes: []string{"type_a"}}); err != nil {
		t.Fatal(err)
	}
	if got := keys(t, s, "entities", "type_a"); len(got) != 1 || !got["type-a-key-1"] {
		t.Errorf("writing inst-2 changed inst-1 data: %v", got)
	}
	ents, _, err := s.Counts(ctx, "inst-2")
	if err != nil || len(ents) != 0 {
		t.Errorf("inst-2 after an empty complete run: %v %v", ents, err)
	}
	// The stored objects are the JSON of the entities, and the run is recorded.
	var name string
	var runs int
	if err := s.Pool().QueryRow(ctx, `SELECT json->>'name' FROM entities WHERE instance_id = 'inst-1' AND key = 'type-a-key-1'`).Scan(&name); err != nil || name != "type-a-key-1" {
		t.Errorf("stored json name %q err %v", name, err)
	}
	if err := s.Pool().QueryRow(ctx, `SELECT COUNT(*) FROM runs WHERE instance_id = 'inst-1'`).Scan(&runs); err != nil || runs != 3 {
		t.Errorf("%d runs recorded for inst-1, want 3 (err %v)", runs, err)
	}
}

// A snapshot that names a key twice stores the last one (as row-by-row
// upserts would), instead of failing the bulk merge.
func TestDuplicateKeyInOneSnapshotLastWins(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	a, b := ent("k", "type_a"), ent("k", "type_a")
	b["name"] = "second"
	if err := s.Write(ctx, &sink.Snapshot{InstanceID: "inst-1", Entities: []graph.Entity{a, b}, DeclaredTypes: []string{"type_a"}}); err != nil {
		t.Fatal(err)
	}
	var name string
	if err := s.Pool().QueryRow(ctx, `SELECT json->>'name' FROM entities WHERE key = 'k'`).Scan(&name); err != nil || name != "second" {
		t.Fatalf("name %q err %v", name, err)
	}
}

func toKey(t *testing.T, s *postgres.Store, col, relKey string) *string {
	t.Helper()
	var v *string
	if err := s.Pool().QueryRow(context.Background(), `SELECT `+col+` FROM relationships WHERE key = $1`, relKey).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMappedRelationshipsResolveAgainstImportedPersonsAndPlaceholders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	user := graph.NewEntity("arn:aws:iam::111122223333:user/jane@example.com", "aws_iam_user", []string{"User"}, "jane@example.com")
	isPerson := graph.Mapped("aws_iam_user_is_person", "IS", user, graph.Forward,
		map[string]any{"_class": "Person", "email": "jane@example.com"}, []string{"_class", "email"}, true, nil)
	acctTarget := graph.Mapped("aws_iam_role_trusts_account", "TRUSTS", user, graph.Forward,
		map[string]any{"_type": "aws_account", "_class": "Account", "accountId": "999988887777"}, []string{"_type", "accountId"}, false, nil)
	// A reverse mapping: the target is the source of the edge.
	reverse := graph.Mapped("aws_account_has_iam_user", "HAS", user, graph.Reverse,
		map[string]any{"_type": "aws_account", "_class": "Account", "accountId": "999988887777"}, []string{"_type", "accountId"}, false, nil)
	snap := &sink.Snapshot{InstanceID: "inst-1", Entities: []graph.Entity{user}, Relationships: []graph.Relationship{isPerson, acctTarget, reverse},
		DeclaredTypes: []string{"aws_iam_user", "aws_iam_user_is_person", "aws_iam_role_trusts_account", "aws_account_has_iam_user"}}
	if err := s.Write(ctx, snap); err != nil {
		t.Fatal(err)
	}
	if to := toKey(t, s, "to_key", isPerson.Key()); to != nil {
		t.Fatalf("IS Person resolved to %q before any Person exists (skipTargetCreation)", *to)
	}
	if from := toKey(t, s, "from_key", isPerson.Key()); from == nil || *from != user.Key() {
		t.Fatalf("mapped relationship's from_key %v, want the source entity", from)
	}
	placeholder := toKey(t, s, "to_key", acctTarget.Key())
	if placeholder == nil || *placeholder != "mapped:aws_account:_type=aws_account,accountId=999988887777" {
		t.Fatalf("placeholder key %v", placeholder)
	}
	if from := toKey(t, s, "from_key", reverse.Key()); from == nil || *from != *placeholder {
		t.Fatalf("reverse mapping resolved from_key %v, want the placeholder %s", from, *placeholder)
	}
	var src, typ, srcProp string
	if err := s.Pool().QueryRow(ctx, `SELECT source, type, json->>'_source' FROM entities WHERE key = $1`, *placeholder).Scan(&src, &typ, &srcProp); err != nil ||
		src != postgres.SourceMapper || typ != "aws_account" || srcProp != postgres.SourceMapper {
		t.Fatalf("placeholder for foreign account: source %q type %q _source %q err %v", src, typ, srcProp, err)
	}
	// The real account arrives (another instance): it wins over the placeholder,
	// and the placeholder nothing points at any more is collected.
	foreign := graph.NewEntity("arn:aws:iam::999988887777:root", "aws_account", []string{"Account"}, "foreign")
	foreign["accountId"] = "999988887777"
	if err := s.Write(ctx, &sink.Snapshot{InstanceID: "inst-foreign", Entities: []graph.Entity{foreign}, DeclaredTypes: []string{"aws_account"}}); err != nil {
		t.Fatal(err)
	}
	if to := toKey(t, s, "to_key", acctTarget.Key()); to == nil || *to != foreign.Key() {
		t.Fatalf("TRUSTS not re-resolved to the real account: %v", to)
	}
	if from := toKey(t, s, "from_key", reverse.Key()); from == nil || *from != foreign.Key() {
		t.Fatalf("reverse HAS not re-resolved to the real account: %v", from)
	}
	var n int
	s.Pool().QueryRow(ctx, `SELECT COUNT(*) FROM entities WHERE source = $1`, postgres.SourceMapper).Scan(&n)
	if n != 0 {
		t.Fatalf("%d placeholders left once the real account exists", n)
	}
	if err := s.Write(ctx, &sink.Snapshot{InstanceID: "inst-foreign", DeclaredTypes: []string{"aws_account"}}); err != nil {
		t.Fatal(err)
	}
	if to := toKey(t, s, "to_key", acctTarget.Key()); to == nil || *to != *placeholder {
		t.Fatalf("account gone: TRUSTS should point at a placeholder again, got %v", to)
	}

	person := graph.NewEntity("person:jane", "employee", []string{"Person"}, "Jane")
	person["email"] = []any{"other@example.com", "jane@example.com"}
	if err := s.Import(ctx, "import:hr", []graph.Entity{person}); err != nil {
		t.Fatal(err)
	}
	if to := toKey(t, s, "to_key", isPerson.Key()); to == nil || *to != "person:jane" {
		t.Fatalf("IS Person not resolved to imported Person: %v", to)
	}
	var imported string
	s.Pool().QueryRow(ctx, `SELECT source FROM entities WHERE instance_id = 'import:hr' AND key = 'person:jane'`).Scan(&imported)
	if imported != "api" {
		t.Fatalf("imported entity source %q", imported)
	}
	// Re-importing replaces the import: Jane gone, the edge is unresolved again (no placeholder: skipTargetCreation).
	bob := graph.NewEntity("person:bob", "employee", []string{"Person"}, "Bob")
	bob["email"] = "bob@example.com"
	if err := s.Import(ctx, "import:hr", []graph.Entity{bob}); err != nil {
		t.Fatal(err)
	}
	if ents, _, _ := s.Counts(ctx, "import:hr"); ents["employee"] != 1 {
		t.Fatalf("re-import kept old entities: %v", ents)
	}
	if to := toKey(t, s, "to_key", isPerson.Key()); to != nil {
		t.Fatalf("IS Person still resolved to %q after the Person was removed", *to)
	}
	// The edges to the foreign account disappear: the placeholder is collected.
	snap.Relationships = []graph.Relationship{isPerson}
	if err := s.Write(ctx, snap); err != nil {
		t.Fatal(err)
	}
	s.Pool().QueryRow(ctx, `SELECT COUNT(*) FROM entities WHERE source = $1`, postgres.SourceMapper).Scan(&n)
	if n != 0 {
		t.Fatalf("%d orphan placeholders left", n)
	}
}

func TestQueryIsReadOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	e := ent("type-a-key-1", "type_a")
	e["port"] = 22
	e["note"] = nil
	if err := s.Write(ctx, &sink.Snapshot{InstanceID: "inst-1", Entities: []graph.Entity{e}, DeclaredTypes: []string{"type_a"}}); err != nil {
		t.Fatal(err)
	}
	rows, err := s.Query(ctx, `SELECT key, json->'port' AS port, json->>'note' AS note, (json->>'port')::int + 1 AS next FROM entities`)
	if err != nil || len(rows) != 2 || strings.Join(rows[0], ",") != "key,port,note,next" ||
		strings.Join(rows[1], ",") != "type-a-key-1,22,NULL,23" {
		t.Fatalf("rows %v err %v", rows, err)
	}
	for _, q := range []string{
		`DELETE FROM entities`,
		`WITH d AS (DELETE FROM entities RETURNING key) SELECT * FROM d`,
		`SELECT 1; DELETE FROM entities`,
		`select 1; commit; delete from entities`,
	} {
		if _, err := s.Query(ctx, q); err == nil {
			t.Errorf("%q accepted", q)
		}
	}
	if n := len(keys(t, s, "entities", "type_a")); n != 1 {
		t.Fatalf("%d entities left", n)
	}
}

// The DSN carries a password: no error may repeat it.
func TestOpenErrorsNeverShowThePassword(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, dsn := range []string{
		"postgres://awsgraph:S3cretPassw0rd@127.0.0.1:1/graph?sslmode=disable&connect_timeout=2",
		"host=127.0.0.1 port=1 user=awsgraph password=S3cretPassw0rd dbname=graph sslmode=disable connect_timeout=2",
		"postgres://awsgraph:S3cretPassw0rd@127.0.0.1:notaport/graph",
	} {
		_, err := postgres.Open(ctx, dsn)
		if err == nil {
			t.Fatalf("opened %s", dsn)
		}
		if strings.Contains(err.Error(), "S3cretPassw0rd") {
			t.Errorf("error shows the password: %v", err)
		}
	}
}

// Several stores (several collectors) opening and writing one database at
// once: the schema is created once and the writers serialise.
func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := testbed.StartPostgres(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := postgres.Open(ctx, dsn)
			if err != nil {
				errs <- err
				return
			}
			defer s.Close()
			inst := "inst-" + string(rune('a'+i))
			u := ent("user-"+inst, "aws_iam_user")
			m := graph.Mapped("aws_iam_role_trusts_account", "TRUSTS", u, graph.Forward,
				map[string]any{"_type": "aws_account", "accountId": "999988887777"}, []string{"_type", "accountId"}, false, nil)
			for range 3 {
				if err := s.Write(ctx, &sink.Snapshot{InstanceID: inst, Entities: []graph.Entity{u}, Relationships: []graph.Relationship{m},
					DeclaredTypes: []string{"aws_iam_user", m.Type()}}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	s := open2(t, dsn)
	var users, placeholders int
	s.Pool().QueryRow(ctx, `SELECT COUNT(*) FILTER (WHERE type = 'aws_iam_user'), COUNT(*) FILTER (WHERE source = $1) FROM entities`, postgres.SourceMapper).Scan(&users, &placeholders)
	// The first writer's placeholder is found by the others' mappings: one in all.
	if users != 4 || placeholders != 1 {
		t.Fatalf("users %d placeholders %d, want 4 and 1", users, placeholders)
	}
}

func open2(t *testing.T, dsn string) *postgres.Store {
	s, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestHistoryRecordsEachRunsChanges(t *testing.T) {
	historytest.Run(t, open(t))
}

// A store written before history existed (runs without the history column)
// is migrated on open: its runs have no records, new runs do.
func TestOpenMigratesAStoreWithoutHistory(t *testing.T) {
	ctx := context.Background()
	dsn := testbed.StartPostgres(t)
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, `CREATE TABLE runs (run_id BIGSERIAL PRIMARY KEY, instance_id TEXT NOT NULL, finished_at BIGINT NOT NULL, summary JSONB);
		INSERT INTO runs (instance_id, finished_at) VALUES ('inst-old', 1)`); err != nil {
		t.Fatal(err)
	}
	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Write(ctx, &sink.Snapshot{InstanceID: "inst-old", Entities: []graph.Entity{ent("k1", "t1")}, DeclaredTypes: []string{"t1"}}); err != nil {
		t.Fatal(err)
	}
	runs, err := s.Runs(ctx, "inst-old")
	if err != nil || len(runs) != 2 || runs[0].Recorded || !runs[1].Recorded {
		t.Fatalf("runs after migration: %+v %v (want the old one unrecorded, the new one recorded)", runs, err)
	}
}
