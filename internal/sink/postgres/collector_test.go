package postgres_test

import (
	"context"
	"encoding/json"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/awsgraph/awsgraph/internal/collector"
	"github.com/awsgraph/awsgraph/internal/instance"
	"github.com/awsgraph/awsgraph/internal/sink/postgres"
	"github.com/awsgraph/awsgraph/internal/sink/sqlite"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

type storedRel struct{ Type, From, To string }

// snapshotPG and snapshotSQLite read back what a store holds for an
// instance: entities key -> (type, source, decoded json), relationships key
// -> (type, from, to).
type stored struct {
	ents map[string][3]any
	rels map[string]storedRel
}

func decode(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func snapshotPG(t *testing.T, s *postgres.Store, inst string) stored {
	ctx := context.Background()
	out := stored{ents: map[string][3]any{}, rels: map[string]storedRel{}}
	rows, err := s.Pool().Query(ctx, `SELECT key, type, source, json FROM entities WHERE instance_id = $1`, inst)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k, typ, src string
		var data []byte
		if err := rows.Scan(&k, &typ, &src, &data); err != nil {
			t.Fatal(err)
		}
		out.ents[k] = [3]any{typ, src, decode(t, data)}
	}
	rows.Close()
	rows, err = s.Pool().Query(ctx, `SELECT key, type, coalesce(from_key, ''), coalesce(to_key, '') FROM relationships WHERE instance_id = $1`, inst)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		var r storedRel
		if err := rows.Scan(&k, &r.Type, &r.From, &r.To); err != nil {
			t.Fatal(err)
		}
		out.rels[k] = r
	}
	rows.Close()
	return out
}

func snapshotSQLite(t *testing.T, s *sqlite.Store, inst string) stored {
	out := stored{ents: map[string][3]any{}, rels: map[string]storedRel{}}
	rows, err := s.DB().Query(`SELECT key, type, source, json FROM entities WHERE instance_id = ?`, inst)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k, typ, src, data string
		if err := rows.Scan(&k, &typ, &src, &data); err != nil {
			t.Fatal(err)
		}
		out.ents[k] = [3]any{typ, src, decode(t, []byte(data))}
	}
	rows.Close()
	rows, err = s.DB().Query(`SELECT key, type, coalesce(from_key, ''), coalesce(to_key, '') FROM relationships WHERE instance_id = ?`, inst)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		var r storedRel
		if err := rows.Scan(&k, &r.Type, &r.From, &r.To); err != nil {
			t.Fatal(err)
		}
		out.rels[k] = r
	}
	rows.Close()
	return out
}

// The real collector, end to end against moto's demo account, writes the
// same graph to PostgreSQL as to SQLite: the same per-type counts (equal to
// the run's own counts), the same objects byte for byte once decoded, and
// mapped relationships resolved to the same targets. A second run leaves
// PostgreSQL unchanged.
func TestCollectorWritesSameGraphToPostgresAsToSQLite(t *testing.T) {
	t.Parallel()
	srv := testbed.Server(t)
	dsn := testbed.StartPostgres(t)
	acct := testbed.NewAccountID(t)
	ctx := context.Background()
	if _, err := testbed.SeedDemo(ctx, srv.URL, acct, [2]string{"us-east-1", "eu-west-1"}); err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(t.TempDir(), "graph.db")
	run := func(o collector.Options) *collector.Summary {
		t.Helper()
		o.Config = instance.Config{IntegrationInstanceID: "e2e", RoleArn: testbed.RoleArn(acct),
			ExternalID: instance.Secret(testbed.ExternalID), Regions: []string{"us-east-1", "eu-west-1"}}
		o.EndpointURL = srv.URL
		o.AWS = srv.Options(acct)
		out, err := collector.Run(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		return out.Summary
	}
	// PostgresDSN wins over DBPath: the SQLite file must stay untouched.
	pgSum := run(collector.Options{PostgresDSN: dsn, DBPath: dbPath})
	if matches, _ := filepath.Glob(dbPath + "*"); len(matches) != 0 {
		t.Fatalf("SQLite store written although a PostgreSQL DSN was given: %v", matches)
	}
	sqlSum := run(collector.Options{DBPath: dbPath})

	pg, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	lite, err := sqlite.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()

	pgEnts, pgRels, err := pg.Counts(ctx, "e2e")
	if err != nil {
		t.Fatal(err)
	}
	liteEnts, liteRels, err := lite.Counts(ctx, "e2e")
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(pgEnts, liteEnts) {
		t.Errorf("entity counts differ:\npostgres %v\nsqlite   %v", pgEnts, liteEnts)
	}
	if !maps.Equal(pgRels, liteRels) {
		t.Errorf("relationship counts differ:\npostgres %v\nsqlite   %v", pgRels, liteRels)
	}
	if pgEnts["aws_s3_bucket"] != 3 || pgEnts["aws_ec2_instance"] == 0 || len(pgRels) == 0 {
		t.Errorf("demo account not collected: %v %v", pgEnts, pgRels)
	}
	// What the run produced is what the store holds (plus placeholders).
	pgState := snapshotPG(t, pg, "e2e")
	placeholders := map[string]int{}
	nPlaceholders := 0
	for _, e := range pgState.ents {
		if e[1] == postgres.SourceMapper {
			placeholders[e[0].(string)]++
			nPlaceholders++
		}
	}
	for typ, n := range pgSum.EntityCounts {
		if pgEnts[typ] != n+placeholders[typ] {
			t.Errorf("%s: store holds %d, the run produced %d (+%d placeholders)", typ, pgEnts[typ], n, placeholders[typ])
		}
	}
	if !maps.Equal(pgRels, pgSum.RelationshipCounts) {
		t.Errorf("stored relationship counts %v, run produced %v", pgRels, pgSum.RelationshipCounts)
	}
	if !maps.Equal(pgSum.EntityCounts, sqlSum.EntityCounts) {
		t.Fatalf("the two runs collected different graphs: %v vs %v", pgSum.EntityCounts, sqlSum.EntityCounts)
	}
	liteState := snapshotSQLite(t, lite, "e2e")
	for k, e := range pgState.ents {
		if !reflect.DeepEqual(e, liteState.ents[k]) {
			t.Errorf("entity %s differs:\npostgres %v\nsqlite   %v", k, e, liteState.ents[k])
		}
	}
	for k, r := range pgState.rels {
		if r != liteState.rels[k] {
			t.Errorf("relationship %s differs: postgres %+v sqlite %+v", k, r, liteState.rels[k])
		}
	}
	var mapped int
	if err := pg.Pool().QueryRow(ctx, `SELECT COUNT(*) FROM relationships WHERE instance_id = 'e2e' AND mapped = 1`).Scan(&mapped); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d entities (%d placeholders), %d relationships (%d mapped) identical in both stores",
		len(pgState.ents), nPlaceholders, len(pgState.rels), mapped)
	if len(pgState.ents) != len(liteState.ents) || len(pgState.rels) != len(liteState.rels) {
		t.Errorf("object counts differ: postgres %d/%d sqlite %d/%d", len(pgState.ents), len(pgState.rels), len(liteState.ents), len(liteState.rels))
	}

	// Rerun into PostgreSQL: nothing changes.
	run(collector.Options{PostgresDSN: dsn})
	again := snapshotPG(t, pg, "e2e")
	if !slices.Equal(sortedKeys(again.ents), sortedKeys(pgState.ents)) || !maps.Equal(again.rels, pgState.rels) {
		t.Errorf("rerun changed the stored graph: %d/%d objects before, %d/%d after",
			len(pgState.ents), len(pgState.rels), len(again.ents), len(again.rels))
	}
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
