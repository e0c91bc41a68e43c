// Package postgres is the graph store on a PostgreSQL server, with the same
// tables and semantics as the embedded SQLite store: each run updates the
// instance's graph in one transaction (objects upserted, objects of a fully
// collected type the run did not see deleted, objects of a partial type
// kept), and mapped relationships are resolved against every entity the
// store holds, with package mapping's rule.
//
// Objects are stored as jsonb. Writes are bulk: rows are streamed with COPY
// into temporary tables and merged with one statement per table, so a run
// costs a handful of round trips whatever its size.
package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/history"
	"github.com/awsgraph/awsgraph/internal/query"
	"github.com/awsgraph/awsgraph/internal/sink"
	"github.com/awsgraph/awsgraph/internal/sink/mapping"
)

// SourceMapper marks placeholder entities created for unresolved mapped
// relationships (JupiterOne's `system-mapper`).
const SourceMapper = mapping.SourceMapper

// lockID serialises the store's writers (an advisory lock): a write
// re-resolves every mapped relationship of every instance, as SQLite's single
// writer does, so two writers must not interleave.
const lockID = 0x6177736772617068 // "awsgraph"

const schema = `
CREATE TABLE IF NOT EXISTS runs (
	run_id      BIGSERIAL PRIMARY KEY,
	instance_id TEXT NOT NULL,
	finished_at BIGINT NOT NULL,
	summary     JSONB
);
CREATE TABLE IF NOT EXISTS entities (
	instance_id TEXT NOT NULL,
	key         TEXT NOT NULL,
	type        TEXT NOT NULL,
	source      TEXT NOT NULL DEFAULT 'integration-managed',
	json        JSONB NOT NULL,
	run_id      BIGINT NOT NULL,
	updated_at  BIGINT NOT NULL,
	PRIMARY KEY (instance_id, key)
);
CREATE INDEX IF NOT EXISTS entities_by_type ON entities (instance_id, type);
CREATE INDEX IF NOT EXISTS entities_by_key ON entities (key);
CREATE TABLE IF NOT EXISTS relationships (
	instance_id TEXT NOT NULL,
	key         TEXT NOT NULL,
	type        TEXT NOT NULL,
	class       TEXT NOT NULL,
	from_key    TEXT,
	to_key      TEXT,
	mapped      SMALLINT NOT NULL DEFAULT 0,
	json        JSONB NOT NULL,
	run_id      BIGINT NOT NULL,
	updated_at  BIGINT NOT NULL,
	PRIMARY KEY (instance_id, key)
);
CREATE INDEX IF NOT EXISTS relationships_by_type ON relationships (instance_id, type);
CREATE INDEX IF NOT EXISTS relationships_from ON relationships (from_key);
CREATE INDEX IF NOT EXISTS relationships_to ON relationships (to_key);
CREATE INDEX IF NOT EXISTS relationships_mapped ON relationships (mapped) WHERE mapped = 1;
`

// Store is an open PostgreSQL graph store.
type Store struct {
	pool        *pgxpool.Pool
	historyRuns int // runs per instance whose change records are kept
}

// Open connects to the server the DSN names (a libpq URL or key=value
// string) and creates the tables if needed. Errors never contain the DSN's
// password.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx redacts the password in its parse errors; say nothing more of the DSN.
		return nil, fmt.Errorf("PostgreSQL DSN: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("opening the PostgreSQL store: %w", err)
	}
	s := &Store{pool: pool, historyRuns: history.DefaultRuns}
	if err := s.createSchema(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("opening the PostgreSQL store: %w", err)
	}
	return s, nil
}

func (s *Store) createSchema(ctx context.Context) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalog.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(lockID)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, schema); err != nil {
			return err
		}
		return migrate(ctx, tx)
	})
}

// Pool exposes the connection pool for queries.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close closes the connections.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

var _ sink.Sink = (*Store)(nil)

// begin starts a write transaction holding the store's writer lock.
func (s *Store) begin(ctx context.Context) (pgx.Tx, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(lockID)); err != nil {
		_ = tx.Rollback(ctx)
		return nil, err
	}
	return tx, nil
}

func newRun(ctx context.Context, tx pgx.Tx, instanceID string, now int64, summary []byte) (int64, error) {
	var runID int64
	err := tx.QueryRow(ctx, `INSERT INTO runs (instance_id, finished_at, summary) VALUES ($1, $2, $3) RETURNING run_id`,
		instanceID, now, json.RawMessage(summary)).Scan(&runID)
	return runID, err
}

// Write applies one run's snapshot.
func (s *Store) Write(ctx context.Context, snap *sink.Snapshot) error {
	summary, err := json.Marshal(snap.Summary)
	if err != nil {
		return fmt.Errorf("encoding the run summary: %w", err)
	}
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	now := time.Now().UnixMilli()
	runID, err := newRun(ctx, tx, snap.InstanceID, now, summary)
	if err != nil {
		return err
	}
	if err := snapshotBefore(ctx, tx, snap.InstanceID); err != nil {
		return err
	}
	if err := upsertEntities(ctx, tx, snap.InstanceID, "integration-managed", func(fn func(graph.Entity) error) error {
		return snap.EachEntity(func(e graph.Entity, _ string) error { return fn(e) })
	}, runID, now); err != nil {
		return err
	}
	if err := upsertRelationships(ctx, tx, snap, runID, now); err != nil {
		return err
	}
	if err := deleteUnseen(ctx, tx, snap, runID); err != nil {
		return err
	}
	if err := resolveMappings(ctx, tx, runID, now); err != nil {
		return err
	}
	if err := recordHistory(ctx, tx, snap.InstanceID, runID, s.historyRuns); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// deleteUnseen deletes what the run did not see of the types it read
// completely, and of the regional types in the regions it read.
func deleteUnseen(ctx context.Context, tx pgx.Tx, snap *sink.Snapshot, runID int64) error {
	complete, regional := snap.Deletable()
	if len(complete) > 0 {
		if _, err := tx.Exec(ctx, `DELETE FROM relationships WHERE instance_id = $1 AND type = ANY($2) AND run_id <> $3`,
			snap.InstanceID, complete, runID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM entities WHERE instance_id = $1 AND type = ANY($2) AND run_id <> $3 AND source <> $4`,
			snap.InstanceID, complete, runID, SourceMapper); err != nil {
			return err
		}
	}
	for t, regions := range regional {
		// A relationship's region is its source's, else its target's.
		if _, err := tx.Exec(ctx, `DELETE FROM relationships r WHERE r.instance_id = $1 AND r.type = $2 AND r.run_id <> $3
			AND COALESCE(
				(SELECT e.json->>'region' FROM entities e WHERE e.instance_id = r.instance_id AND e.key = r.from_key),
				(SELECT e.json->>'region' FROM entities e WHERE e.instance_id = r.instance_id AND e.key = r.to_key))
			<> ALL($4)`, snap.InstanceID, t, runID, regions); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM entities WHERE instance_id = $1 AND type = $2 AND run_id <> $3 AND source <> $4
			AND json->>'region' <> ALL($5)`, snap.InstanceID, t, runID, SourceMapper, regions); err != nil {
			return err
		}
	}
	return nil
}

// PreviousEntities returns the stored entities and relationships of these
// types (sink.Previous).
func (s *Store) PreviousEntities(ctx context.Context, instanceID string, types []string) (map[string]graph.Entity, error) {
	out := map[string]graph.Entity{}
	if len(types) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT key, json FROM entities WHERE instance_id = $1 AND type = ANY($2)
		UNION ALL SELECT key, json FROM relationships WHERE instance_id = $1 AND type = ANY($2)`, instanceID, types)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var data []byte
		if err := rows.Scan(&key, &data); err != nil {
			return nil, err
		}
		var e graph.Entity
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, fmt.Errorf("stored entity %s: %w", key, err)
		}
		out[key] = e
	}
	return out, rows.Err()
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// stage creates a temporary table shaped like table (without constraints,
// plus an ord column) that disappears at commit, and COPYs rows into it.
func stage(ctx context.Context, tx pgx.Tx, table string, cols []string, rows [][]any) error {
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE stage_`+table+` (LIKE `+table+` INCLUDING DEFAULTS, ord INT NOT NULL) ON COMMIT DROP`); err != nil {
		return err
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"stage_" + table}, append(cols, "ord"), pgx.CopyFromRows(rows))
	return err
}

// mergeStaged upserts the staged rows into table; where a key was staged
// twice the last one wins, as with row-by-row upserts.
func mergeStaged(ctx context.Context, tx pgx.Tx, table string, cols []string) error {
	list := strings.Join(cols, ", ")
	var set []string
	for _, c := range cols {
		if c != "instance_id" && c != "key" {
			set = append(set, c+" = excluded."+c)
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO `+table+` (`+list+`)
		SELECT DISTINCT ON (instance_id, key) `+list+` FROM stage_`+table+` ORDER BY instance_id, key, ord DESC
		ON CONFLICT (instance_id, key) DO UPDATE SET `+strings.Join(set, ", "))
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `DROP TABLE stage_`+table)
	return err
}

var entityCols = []string{"instance_id", "key", "type", "source", "json", "run_id", "updated_at"}

// upsertEntities stores the entities each gives (it stops at fn's first
// error); the rows hold their JSON, not the entity maps.
func upsertEntities(ctx context.Context, tx pgx.Tx, instanceID, source string, each func(fn func(graph.Entity) error) error, runID, now int64) error {
	var rows [][]any
	err := each(func(e graph.Entity) error {
		data, err := graph.AppendJSON(nil, e)
		if err != nil {
			return fmt.Errorf("encoding entity %s: %w", e.Key(), err)
		}
		rows = append(rows, []any{instanceID, e.Key(), e.Type(), source, json.RawMessage(data), runID, now, int32(len(rows))})
		return nil
	})
	if err != nil || len(rows) == 0 {
		return err
	}
	if err := stage(ctx, tx, "entities", entityCols, rows); err != nil {
		return fmt.Errorf("storing entities: %w", err)
	}
	if err := mergeStaged(ctx, tx, "entities", entityCols); err != nil {
		return fmt.Errorf("storing entities: %w", err)
	}
	return nil
}

var relationshipCols = []string{"instance_id", "key", "type", "class", "from_key", "to_key", "mapped", "json", "run_id", "updated_at"}

func upsertRelationships(ctx context.Context, tx pgx.Tx, snap *sink.Snapshot, runID, now int64) error {
	instanceID := snap.InstanceID
	var rows [][]any
	err := snap.EachRelationship(func(r graph.Relationship, _ string) error {
		data, err := graph.AppendJSON(nil, r)
		if err != nil {
			return fmt.Errorf("encoding relationship %s: %w", r.Key(), err)
		}
		from, to := nullable(r.FromKey()), nullable(r.ToKey())
		mapped := int16(0)
		if m := r.Mapping(); m != nil {
			mapped = 1
			if m.RelationshipDirection == graph.Reverse {
				to = nullable(m.SourceEntityKey)
			} else {
				from = nullable(m.SourceEntityKey)
			}
		}
		rows = append(rows, []any{instanceID, r.Key(), r.Type(), r.Class(), from, to, mapped, json.RawMessage(data), runID, now, int32(len(rows))})
		return nil
	})
	if err != nil || len(rows) == 0 {
		return err
	}
	if err := stage(ctx, tx, "relationships", relationshipCols, rows); err != nil {
		return fmt.Errorf("storing relationships: %w", err)
	}
	if err := mergeStaged(ctx, tx, "relationships", relationshipCols); err != nil {
		return fmt.Errorf("storing relationships: %w", err)
	}
	return nil
}

// Import stores entities owned elsewhere (for example Persons from an HR
// export) under their own instance id, replacing what that import held, and
// resolves mapped relationships against them.
func (s *Store) Import(ctx context.Context, instanceID string, ents []graph.Entity) error {
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	now := time.Now().UnixMilli()
	runID, err := newRun(ctx, tx, instanceID, now, []byte(`{"import":true}`))
	if err != nil {
		return err
	}
	if err := snapshotBefore(ctx, tx, instanceID); err != nil {
		return err
	}
	if err := upsertEntities(ctx, tx, instanceID, "api", func(fn func(graph.Entity) error) error {
		for _, e := range ents {
			if err := fn(e); err != nil {
				return err
			}
		}
		return nil
	}, runID, now); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM entities WHERE instance_id = $1 AND run_id <> $2`, instanceID, runID); err != nil {
		return err
	}
	if err := resolveMappings(ctx, tx, runID, now); err != nil {
		return err
	}
	if err := recordHistory(ctx, tx, instanceID, runID, s.historyRuns); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

type pendingMapping struct {
	instance, key string
	m             *graph.Mapping
}

// resolveMappings points every mapped relationship at the entity its target
// filter finds; where none exists it creates a placeholder unless the mapping
// says skipTargetCreation. Placeholders nothing points at any more are
// removed. The matching and placeholder rules are package mapping's; this
// only moves rows, in bulk.
func resolveMappings(ctx context.Context, tx pgx.Tx, runID, now int64) error {
	all, err := pendingMappings(ctx, tx)
	if err != nil {
		return err
	}
	if len(all) == 0 {
		_, err = tx.Exec(ctx, `DELETE FROM entities WHERE source = $1`, SourceMapper)
		return err
	}
	idx, err := buildTargetIndex(ctx, tx, all)
	if err != nil {
		return err
	}
	var r resolution
	for _, p := range all {
		if err := r.resolve(idx, p); err != nil {
			return err
		}
	}
	if err := r.storePlaceholders(ctx, tx, runID, now); err != nil {
		return err
	}
	if err := r.setTargets(ctx, tx); err != nil {
		return err
	}
	// A placeholder goes when nothing points at it, and when a real entity
	// of the same key now exists (another instance collected it): the
	// mappings found that one, and a store holding both would show two
	// entities for one key.
	_, err = tx.Exec(ctx, `DELETE FROM entities e WHERE e.source = $1
		AND ((NOT EXISTS (SELECT 1 FROM relationships r WHERE r.to_key = e.key)
			AND NOT EXISTS (SELECT 1 FROM relationships r WHERE r.from_key = e.key))
		OR EXISTS (SELECT 1 FROM entities o WHERE o.key = e.key AND o.source <> $1))`, SourceMapper)
	return err
}

// pendingMappings reads every stored mapped relationship's mapping.
func pendingMappings(ctx context.Context, tx pgx.Tx) ([]pendingMapping, error) {
	rows, err := tx.Query(ctx, `SELECT instance_id, key, json->'_mapping' FROM relationships WHERE mapped = 1`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all []pendingMapping
	for rows.Next() {
		var inst, key string
		var data []byte
		if err := rows.Scan(&inst, &key, &data); err != nil {
			return nil, err
		}
		var m graph.Mapping
		if len(data) > 0 && string(data) != "null" {
			if err := json.Unmarshal(data, &m); err != nil {
				return nil, fmt.Errorf("decoding the mapping of relationship %s: %w", key, err)
			}
			all = append(all, pendingMapping{inst, key, &m})
		}
	}
	return all, rows.Err()
}

type placeholderRow struct {
	instance, key, typ string
	data               json.RawMessage
}

// resolution gathers, for one pass, the placeholders to store and each
// mapped relationship's target, by direction, for two bulk statements.
type resolution struct {
	placeholders         []placeholderRow
	seen                 map[[2]string]int
	fwdInst, fwdKey      []string
	revInst, revKey      []string
	fwdTarget, revTarget []*string
}

func (r *resolution) resolve(idx *mapping.Index, p pendingMapping) error {
	target := idx.Find(p.m)
	if target == "" && !p.m.SkipTargetCreation {
		e := mapping.Placeholder(p.m)
		data, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("encoding placeholder %s: %w", e.Key(), err)
		}
		row := placeholderRow{p.instance, e.Key(), e.Type(), data}
		if r.seen == nil {
			r.seen = map[[2]string]int{}
		}
		if i, dup := r.seen[[2]string{p.instance, e.Key()}]; dup {
			r.placeholders[i] = row // the last one written wins, as row by row
		} else {
			r.seen[[2]string{p.instance, e.Key()}] = len(r.placeholders)
			r.placeholders = append(r.placeholders, row)
		}
		target = e.Key()
	}
	if p.m.RelationshipDirection == graph.Reverse {
		r.revInst, r.revKey, r.revTarget = append(r.revInst, p.instance), append(r.revKey, p.key), append(r.revTarget, nullable(target))
	} else {
		r.fwdInst, r.fwdKey, r.fwdTarget = append(r.fwdInst, p.instance), append(r.fwdKey, p.key), append(r.fwdTarget, nullable(target))
	}
	return nil
}

func (r *resolution) storePlaceholders(ctx context.Context, tx pgx.Tx, runID, now int64) error {
	if len(r.placeholders) == 0 {
		return nil
	}
	var inst, keys, types []string
	var data []json.RawMessage
	for _, p := range r.placeholders {
		inst, keys, types, data = append(inst, p.instance), append(keys, p.key), append(types, p.typ), append(data, p.data)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO entities (instance_id, key, type, source, json, run_id, updated_at)
		SELECT i, k, t, $5, j, $6, $7 FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[]) AS u(i, k, t, j)
		ON CONFLICT (instance_id, key) DO UPDATE SET json = excluded.json, run_id = excluded.run_id, updated_at = excluded.updated_at`,
		inst, keys, types, data, SourceMapper, runID, now); err != nil {
		return fmt.Errorf("storing placeholders: %w", err)
	}
	return nil
}

func (r *resolution) setTargets(ctx context.Context, tx pgx.Tx) error {
	for _, u := range []struct {
		col        string
		inst, keys []string
		targets    []*string
	}{{"to_key", r.fwdInst, r.fwdKey, r.fwdTarget}, {"from_key", r.revInst, r.revKey, r.revTarget}} {
		if len(u.inst) == 0 {
			continue
		}
		if _, err := tx.Exec(ctx, `UPDATE relationships r SET `+u.col+` = u.target
			FROM unnest($1::text[], $2::text[], $3::text[]) AS u(instance_id, key, target)
			WHERE r.instance_id = u.instance_id AND r.key = u.key AND r.`+u.col+` IS DISTINCT FROM u.target`,
			u.inst, u.keys, u.targets); err != nil {
			return fmt.Errorf("resolving mapped relationships: %w", err)
		}
	}
	return nil
}

// buildTargetIndex offers every stored entity (any instance) to the index,
// loading only the properties the mappings filter on.
func buildTargetIndex(ctx context.Context, tx pgx.Tx, all []pendingMapping) (*mapping.Index, error) {
	ms := make([]*graph.Mapping, len(all))
	for i, p := range all {
		ms[i] = p.m
	}
	idx := mapping.NewIndex(ms)
	props := idx.Properties()
	if len(props) == 0 {
		return idx, nil
	}
	rows, err := tx.Query(ctx, `SELECT key, source = $1,
		(SELECT jsonb_object_agg(p, e.json->p) FROM unnest($2::text[]) AS p WHERE e.json ? p)
		FROM entities e WHERE e.json ?| $2::text[]`, SourceMapper, props)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var placeholder bool
		var data []byte
		if err := rows.Scan(&key, &placeholder, &data); err != nil {
			return nil, err
		}
		var e map[string]any
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, err
		}
		idx.Add(key, e, placeholder)
	}
	return idx, rows.Err()
}

// Counts returns the number of entities and relationships per type for an instance.
func (s *Store) Counts(ctx context.Context, instanceID string) (entities, relationships map[string]int, err error) {
	entities, err = s.countBy(ctx, `SELECT type, COUNT(*) FROM entities WHERE instance_id = $1 GROUP BY type`, instanceID)
	if err != nil {
		return nil, nil, err
	}
	relationships, err = s.countBy(ctx, `SELECT type, COUNT(*) FROM relationships WHERE instance_id = $1 GROUP BY type`, instanceID)
	return entities, relationships, err
}

func (s *Store) countBy(ctx context.Context, q, arg string) (map[string]int, error) {
	rows, err := s.pool.Query(ctx, q, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var t string
		var n int
		if err := rows.Scan(&t, &n); err != nil {
			return nil, err
		}
		out[t] = n
	}
	return out, rows.Err()
}

// Query runs one read-only statement (inside a READ ONLY transaction that is
// rolled back; one statement only, as the extended protocol enforces) and
// returns the header row followed by the rows, as PostgreSQL's text output.
// NULL prints as NULL. The transaction's READ ONLY mode is the guard; point
// an untrusted user at a role with SELECT privileges only.
func (s *Store) Query(ctx context.Context, q string) ([][]string, error) {
	// Exactly one statement: SQLite would run every statement of the text,
	// a COMMIT included, escaping the read-only transaction.
	q, err := query.OneStatement(q)
	if err != nil {
		return nil, err
	}
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	rows, err := tx.Query(ctx, q, pgx.QueryResultFormats{pgx.TextFormatCode})
	if err != nil {
		return nil, readOnlyError(err)
	}
	defer rows.Close()
	fields := rows.FieldDescriptions()
	header := make([]string, len(fields))
	for i, f := range fields {
		header[i] = f.Name
	}
	out := [][]string{header}
	for rows.Next() {
		raw := rows.RawValues()
		row := make([]string, len(raw))
		for i, v := range raw {
			if v == nil {
				row[i] = "NULL"
			} else {
				row[i] = string(v)
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, readOnlyError(err)
	}
	return out, nil
}

func readOnlyError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "25006" { // read_only_sql_transaction
		return fmt.Errorf("the query tried to write (%s); the store is updated by collect and import", pe.Message)
	}
	return err
}
