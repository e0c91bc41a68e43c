package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/history/historytest"
	"github.com/awsgraph/awsgraph/internal/sink"
)

func ent(key, typ string) graph.Entity {
	return graph.NewEntity(key, typ, []string{"Configuration"}, key)
}

func keys(t *testing.T, s *Store, table, typ string) map[string]bool {
	t.Helper()
	rows, err := s.DB().Query(`SELECT key FROM `+table+` WHERE instance_id = 'inst-1' AND type = ?`, typ)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var k string
		rows.Scan(&k)
		out[k] = true
	}
	return out
}

func TestRerunDeletesVanishedButKeepsPartialTypes(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
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
	// Another instance's data is never touched.
	other := &sink.Snapshot{InstanceID: "inst-2", Entities: []graph.Entity{ent("type-a-key-9", "type_a")}, DeclaredTypes: []string{"type_a"}}
	if err := s.Write(ctx, other); err != nil {
		t.Fatal(err)
	}
	if got := keys(t, s, "entities", "type_a"); !got["type-a-key-1"] {
		t.Error("writing inst-2 deleted inst-1 data")
	}
}

func TestMappedRelationshipsResolveAgainstImportedPersonsAndPlaceholders(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	user := graph.NewEntity("arn:aws:iam::111122223333:user/jane@example.com", "aws_iam_user", []string{"User"}, "jane@example.com")
	isPerson := graph.Mapped("aws_iam_user_is_person", "IS", user, graph.Forward,
		map[string]any{"_class": "Person", "email": "jane@example.com"}, []string{"_class", "email"}, true, nil)
	acctTarget := graph.Mapped("aws_iam_role_trusts_account", "TRUSTS", user, graph.Forward,
		map[string]any{"_type": "aws_account", "_class": "Account", "accountId": "999988887777"}, []string{"_type", "accountId"}, false, nil)
	snap := &sink.Snapshot{InstanceID: "inst-1", Entities: []graph.Entity{user}, Relationships: []graph.Relationship{isPerson, acctTarget},
		DeclaredTypes: []string{"aws_iam_user", "aws_iam_user_is_person", "aws_iam_role_trusts_account"}}
	if err := s.Write(ctx, snap); err != nil {
		t.Fatal(err)
	}
	var to *string
	s.DB().QueryRow(`SELECT to_key FROM relationships WHERE key = ?`, isPerson.Key()).Scan(&to)
	if to != nil {
		t.Fatalf("IS Person resolved to %q before any Person exists (skipTargetCreation)", *to)
	}
	var placeholder string
	s.DB().QueryRow(`SELECT to_key FROM relationships WHERE key = ?`, acctTarget.Key()).Scan(&placeholder)
	var src string
	if err := s.DB().QueryRow(`SELECT source FROM entities WHERE key = ?`, placeholder).Scan(&src); err != nil || src != SourceMapper {
		t.Fatalf("placeholder for foreign account not created: key %q source %q err %v", placeholder, src, err)
	}
	person := graph.NewEntity("person:jane", "employee", []string{"Person"}, "Jane")
	person["email"] = []any{"other@example.com", "jane@example.com"}
	if err := s.Import(ctx, "import:hr", []graph.Entity{person}); err != nil {
		t.Fatal(err)
	}
	s.DB().QueryRow(`SELECT to_key FROM relationships WHERE key = ?`, isPerson.Key()).Scan(&to)
	if to == nil || *to != "person:jane" {
		t.Fatalf("IS Person not resolved to imported Person: %v", to)
	}
	// The edge to the foreign account disappears: its placeholder is collected.
	snap.Relationships = []graph.Relationship{isPerson}
	if err := s.Write(ctx, snap); err != nil {
		t.Fatal(err)
	}
	var n int
	s.DB().QueryRow(`SELECT COUNT(*) FROM entities WHERE source = ?`, SourceMapper).Scan(&n)
	if n != 0 {
		t.Fatalf("%d orphan placeholders left", n)
	}
}

func TestQueryIsReadOnly(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e := ent("type-a-key-1", "type_a")
	e["port"] = 22
	if err := s.Write(ctx, &sink.Snapshot{InstanceID: "inst-1", Entities: []graph.Entity{e}, DeclaredTypes: []string{"type_a"}}); err != nil {
		t.Fatal(err)
	}
	rows, err := s.Query(ctx, `SELECT key, json_extract(json, '$.port') FROM entities`)
	if err != nil || len(rows) != 2 || rows[1][0] != "type-a-key-1" || rows[1][1] != "22" {
		t.Fatalf("rows %v err %v", rows, err)
	}
	if _, err := s.Query(ctx, `DELETE FROM entities`); err == nil {
		t.Fatal("DELETE accepted")
	}
	if n := len(keys(t, s, "entities", "type_a")); n != 1 {
		t.Fatalf("%d entities left", n)
	}
}

func TestHistoryRecordsEachRunsChanges(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	historytest.Run(t, s)
}

// A store written before history existed (runs without the history column)
// is migrated on open: its runs have no records, new runs do.
func TestOpenMigratesAStoreWithoutHistory(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE runs (run_id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL, finished_at INTEGER NOT NULL, summary TEXT);
		INSERT INTO runs (instance_id, finished_at) VALUES ('inst-old', 1)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(path)
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

// Mappings filter on properties read from the stored documents one by one
// (a name with a dot is one property, a list offers each element, a number
// matches its text).
func TestMappedRelationshipsResolveOnDottedListAndNumberProperties(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	target := graph.NewEntity("team:payments", "team", []string{"Team"}, "Payments")
	target["tag.Cost.Center"] = "cc-42"
	target["aliases"] = []any{"pay", "payments"}
	target["floor"] = 3
	if err := s.Import(ctx, "import:org", []graph.Entity{target}); err != nil {
		t.Fatal(err)
	}
	user := graph.NewEntity("arn:aws:iam::111122223333:user/jane", "aws_iam_user", []string{"User"}, "jane")
	byTag := graph.Mapped("aws_iam_user_has_team", "HAS", user, graph.Forward,
		map[string]any{"_type": "team", "tag.Cost.Center": "cc-42"}, []string{"_type", "tag.Cost.Center"}, true, nil)
	byAlias := graph.Mapped("aws_iam_user_uses_team", "USES", user, graph.Forward,
		map[string]any{"aliases": "pay", "floor": "3"}, []string{"aliases", "floor"}, true, nil)
	snap := &sink.Snapshot{InstanceID: "inst-1", Entities: []graph.Entity{user}, Relationships: []graph.Relationship{byTag, byAlias},
		DeclaredTypes: []string{"aws_iam_user", "aws_iam_user_has_team", "aws_iam_user_uses_team"}}
	if err := s.Write(ctx, snap); err != nil {
		t.Fatal(err)
	}
	for _, r := range []graph.Relationship{byTag, byAlias} {
		var to *string
		if err := s.DB().QueryRow(`SELECT to_key FROM relationships WHERE key = ?`, r.Key()).Scan(&to); err != nil {
			t.Fatal(err)
		}
		if to == nil || *to != "team:payments" {
			t.Errorf("%s resolved to %v, want team:payments", r.Type(), to)
		}
	}
}
