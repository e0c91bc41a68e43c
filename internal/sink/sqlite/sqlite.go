// Package sqlite is the local graph store: an embedded SQLite database
// (pure-Go driver). Each run updates the instance's graph in one
// transaction: objects are upserted, objects of a fully collected type that
// the run did not see are deleted, objects of a partial type are kept, and
// mapped relationships are resolved against every entity the store holds.
package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/history"
	"github.com/awsgraph/awsgraph/internal/query"
	"github.com/awsgraph/awsgraph/internal/sink"
	"github.com/awsgraph/awsgraph/internal/sink/mapping"
)

const schema = `
CREATE TABLE IF NOT EXISTS runs (
	run_id      INTEGER PRIMARY KEY AUTOINCREMENT,
	instance_id TEXT NOT NULL,
	finished_at INTEGER NOT NULL,
	summary     TEXT
);
CREATE TABLE IF NOT EXISTS entities (
	instance_id TEXT NOT NULL,
	key         TEXT NOT NULL,
	type        TEXT NOT NULL,
	source      TEXT NOT NULL DEFAULT 'integration-managed',
	json        TEXT NOT NULL,
	run_id      INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
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
	mapped      INTEGER NOT NULL DEFAULT 0,
	json        TEXT NOT NULL,
	run_id      INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	PRIMARY KEY (instance_id, key)
);
CREATE INDEX IF NOT EXISTS relationships_by_type ON relationships (instance_id, type);
CREATE INDEX IF NOT EXISTS relationships_from ON relationships (from_key);
CREATE INDEX IF NOT EXISTS relationships_to ON relationships (to_key);
`

// SourceMapper marks placeholder entities created for unresolved mapped
// relationships (JupiterOne's `system-mapper`).
const SourceMapper = mapping.SourceMapper

// Store is an open SQLite graph store.
type Store struct {
	db          *sql.DB
	historyRuns int // runs per instance whose change records are kept
}

// Open opens (creating if needed) the database at path.
func Open(path string) (*Store, error) {
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1) // one writer; SQLite serialises writes anyway
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}
	if err := migrate(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}
	return &Store{db: db, historyRuns: history.DefaultRuns}, nil
}

// DB exposes the database for queries.
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Write applies one run's snapshot.
func (s *Store) Write(ctx context.Context, snap *sink.Snapshot) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := time.Now().UnixMilli()
	summary, _ := json.Marshal(snap.Summary)
	res, err := tx.ExecContext(ctx, `INSERT INTO runs (instance_id, finished_at, summary) VALUES (?, ?, ?)`, snap.InstanceID, now, string(summary))
	if err != nil {
		return err
	}
	runID, _ := res.LastInsertId()
	if err := snapshotBefore(ctx, tx, snap.InstanceID); err != nil {
		return err
	}
	if err := upsertEntities(ctx, tx, snap.InstanceID, "integration-managed", snapEntities(snap), runID, now); err != nil {
		return err
	}
	relStmt, err := tx.PrepareContext(ctx, `INSERT INTO relationships (instance_id, key, type, class, from_key, to_key, mapped, json, run_id, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (instance_id, key) DO UPDATE SET type = excluded.type, class = excluded.class,
			from_key = excluded.from_key, to_key = excluded.to_key, mapped = excluded.mapped,
			json = excluded.json, run_id = excluded.run_id, updated_at = excluded.updated_at`)
	if err != nil {
		return err
	}
	defer relStmt.Close()
	err = snap.EachRelationship(func(r graph.Relationship, _ string) error {
		data, err := graph.AppendJSON(nil, r)
		if err != nil {
			return fmt.Errorf("encoding relationship %s: %w", r.Key(), err)
		}
		from, to := nullable(r.FromKey()), nullable(r.ToKey())
		mapped := 0
		if m := r.Mapping(); m != nil {
			mapped = 1
			if m.RelationshipDirection == graph.Reverse {
				to = m.SourceEntityKey
			} else {
				from = m.SourceEntityKey
			}
		}
		_, err = relStmt.ExecContext(ctx, snap.InstanceID, r.Key(), r.Type(), r.Class(), from, to, mapped, string(data), runID, now)
		return err
	})
	if err != nil {
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
	return tx.Commit()
}

// deleteUnseen deletes what the run did not see of the types it read
// completely, and of the regional types in the regions it read.
func deleteUnseen(ctx context.Context, tx *sql.Tx, snap *sink.Snapshot, runID int64) error {
	complete, regional := snap.Deletable()
	for _, t := range complete {
		if _, err := tx.ExecContext(ctx, `DELETE FROM relationships WHERE instance_id = ? AND type = ? AND run_id <> ?`, snap.InstanceID, t, runID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM entities WHERE instance_id = ? AND type = ? AND run_id <> ? AND source <> ?`, snap.InstanceID, t, runID, SourceMapper); err != nil {
			return err
		}
	}
	for t, regions := range regional {
		kept, _ := json.Marshal(regions)
		// A relationship's region is its source's, else its target's.
		if _, err := tx.ExecContext(ctx, `DELETE FROM relationships WHERE instance_id = ? AND type = ? AND run_id <> ?
			AND COALESCE(
				(SELECT json_extract(e.json, '$.region') FROM entities e WHERE e.instance_id = relationships.instance_id AND e.key = relationships.from_key),
				(SELECT json_extract(e.json, '$.region') FROM entities e WHERE e.instance_id = relationships.instance_id AND e.key = relationships.to_key))
			NOT IN (SELECT value FROM json_each(?))`, snap.InstanceID, t, runID, string(kept)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM entities WHERE instance_id = ? AND type = ? AND run_id <> ? AND source <> ?
			AND json_extract(json, '$.region') NOT IN (SELECT value FROM json_each(?))`, snap.InstanceID, t, runID, SourceMapper, string(kept)); err != nil {
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
	list, _ := json.Marshal(types)
	rows, err := s.db.QueryContext(ctx, `SELECT key, json FROM entities WHERE instance_id = ? AND type IN (SELECT value FROM json_each(?))
		UNION ALL SELECT key, json FROM relationships WHERE instance_id = ? AND type IN (SELECT value FROM json_each(?))`,
		instanceID, string(list), instanceID, string(list))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var key, data string
		if err := rows.Scan(&key, &data); err != nil {
			return nil, err
		}
		var e graph.Entity
		if err := json.Unmarshal([]byte(data), &e); err != nil {
			return nil, fmt.Errorf("stored entity %s: %w", key, err)
		}
		out[key] = e
	}
	return out, rows.Err()
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// entities iterates over a set of entities, stopping at fn's first error.
type entities func(fn func(graph.Entity) error) error

func snapEntities(snap *sink.Snapshot) entities {
	return func(fn func(graph.Entity) error) error {
		return snap.EachEntity(func(e graph.Entity, _ string) error { return fn(e) })
	}
}

func entityList(ents []graph.Entity) entities {
	return func(fn func(graph.Entity) error) error {
		for _, e := range ents {
			if err := fn(e); err != nil {
				return err
			}
		}
		return nil
	}
}

func upsertEntities(ctx context.Context, tx *sql.Tx, instanceID, source string, each entities, runID, now int64) error {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO entities (instance_id, key, type, source, json, run_id, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (instance_id, key) DO UPDATE SET type = excluded.type, source = excluded.source,
			json = excluded.json, run_id = excluded.run_id, updated_at = excluded.updated_at`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	return each(func(e graph.Entity) error {
		data, err := graph.AppendJSON(nil, e)
		if err != nil {
			return fmt.Errorf("encoding entity %s: %w", e.Key(), err)
		}
		_, err = stmt.ExecContext(ctx, instanceID, e.Key(), e.Type(), source, string(data), runID, now)
		return err
	})
}

// Import stores entities owned elsewhere (for example Persons from an HR
// export) under their own instance id, replacing what that import held, and
// resolves mapped relationships against them.
func (s *Store) Import(ctx context.Context, instanceID string, ents []graph.Entity) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := time.Now().UnixMilli()
	res, err := tx.ExecContext(ctx, `INSERT INTO runs (instance_id, finished_at, summary) VALUES (?, ?, '{"import":true}')`, instanceID, now)
	if err != nil {
		return err
	}
	runID, _ := res.LastInsertId()
	if err := snapshotBefore(ctx, tx, instanceID); err != nil {
		return err
	}
	if err := upsertEntities(ctx, tx, instanceID, "api", entityList(ents), runID, now); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM entities WHERE instance_id = ? AND run_id <> ?`, instanceID, runID); err != nil {
		return err
	}
	if err := resolveMappings(ctx, tx, runID, now); err != nil {
		return err
	}
	if err := recordHistory(ctx, tx, instanceID, runID, s.historyRuns); err != nil {
		return err
	}
	return tx.Commit()
}

type pendingMapping struct {
	instance, key string
	m             *graph.Mapping
}

// resolveMappings points every mapped relationship at the entity its target
// filter finds; where none exists it creates a placeholder unless the mapping
// says skipTargetCreation. Placeholders nothing points at any more are removed.
// The matching and placeholder rules are package mapping's.
func resolveMappings(ctx context.Context, tx *sql.Tx, runID, now int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT instance_id, key, json FROM relationships WHERE mapped = 1`)
	if err != nil {
		return err
	}
	var all []pendingMapping
	for rows.Next() {
		var inst, key, data string
		if err := rows.Scan(&inst, &key, &data); err != nil {
			rows.Close()
			return err
		}
		var r graph.Relationship
		if err := json.Unmarshal([]byte(data), &r); err != nil {
			rows.Close()
			return err
		}
		if m := r.Mapping(); m != nil {
			all = append(all, pendingMapping{inst, key, m})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(all) == 0 {
		_, err = tx.ExecContext(ctx, `DELETE FROM entities WHERE source = ?`, SourceMapper)
		return err
	}
	idx, err := buildTargetIndex(ctx, tx, all)
	if err != nil {
		return err
	}
	for _, p := range all {
		target := idx.Find(p.m)
		if target == "" && !p.m.SkipTargetCreation {
			target, err = createPlaceholder(ctx, tx, p.instance, p.m, runID, now)
			if err != nil {
				return err
			}
		}
		col := "to_key"
		if p.m.RelationshipDirection == graph.Reverse {
			col = "from_key"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE relationships SET `+col+` = ? WHERE instance_id = ? AND key = ?`, nullable(target), p.instance, p.key); err != nil {
			return err
		}
	}
	// A placeholder goes when nothing points at it, and when a real entity
	// of the same key now exists (another instance collected it): the
	// mappings found that one, and a store holding both would show two
	// entities for one key.
	_, err = tx.ExecContext(ctx, `DELETE FROM entities WHERE source = ? AND (key NOT IN
		(SELECT to_key FROM relationships WHERE to_key IS NOT NULL UNION SELECT from_key FROM relationships WHERE from_key IS NOT NULL)
		OR key IN (SELECT key FROM entities WHERE source <> ?))`, SourceMapper, SourceMapper)
	return err
}

// buildTargetIndex offers every stored entity (any instance) to the index,
// reading only the properties the mappings filter on (SQLite's -> operator
// gives each as JSON text): decoding every entity's whole document was the
// store's largest cost on big accounts.
func buildTargetIndex(ctx context.Context, tx *sql.Tx, all []pendingMapping) (*mapping.Index, error) {
	ms := make([]*graph.Mapping, len(all))
	for i, p := range all {
		ms[i] = p.m
	}
	idx := mapping.NewIndex(ms)
	props := idx.Properties()
	if len(props) == 0 {
		return idx, nil
	}
	cols := make([]string, len(props))
	for i, p := range props {
		cols[i] = "json -> " + jsonPath(p)
	}
	rows, err := tx.QueryContext(ctx, `SELECT key, source = ?, `+strings.Join(cols, ", ")+` FROM entities`, SourceMapper)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	vals := make([]sql.NullString, len(props))
	dest := make([]any, 2+len(props))
	var key string
	var placeholder bool
	dest[0], dest[1] = &key, &placeholder
	for i := range vals {
		dest[2+i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		e := make(map[string]any, len(props))
		for i, v := range vals {
			if !v.Valid {
				continue // absent
			}
			var x any
			if err := json.Unmarshal([]byte(v.String), &x); err != nil {
				return nil, fmt.Errorf("entity %s property %s: %w", key, props[i], err)
			}
			e[props[i]] = x
		}
		idx.Add(key, e, placeholder)
	}
	return idx, rows.Err()
}

// jsonPath is the SQL literal of the JSON path to a top-level property,
// quoted so names with dots ("tag.Name") are one step.
func jsonPath(prop string) string {
	quoted := strings.ReplaceAll(strings.ReplaceAll(prop, `\`, `\\`), `"`, `\"`)
	return "'$.\"" + strings.ReplaceAll(quoted, "'", "''") + "\"'"
}

func createPlaceholder(ctx context.Context, tx *sql.Tx, instance string, m *graph.Mapping, runID, now int64) (string, error) {
	e := mapping.Placeholder(m)
	data, err := json.Marshal(e)
	if err != nil {
		return "", fmt.Errorf("encoding placeholder %s: %w", e.Key(), err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO entities (instance_id, key, type, source, json, run_id, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (instance_id, key) DO UPDATE SET json = excluded.json, run_id = excluded.run_id, updated_at = excluded.updated_at`,
		instance, e.Key(), e.Type(), SourceMapper, string(data), runID, now)
	return e.Key(), err
}

// Counts returns the number of entities and relationships per type for an instance.
func (s *Store) Counts(ctx context.Context, instanceID string) (entities, relationships map[string]int, err error) {
	entities, err = countBy(ctx, s.db, `SELECT type, COUNT(*) FROM entities WHERE instance_id = ? GROUP BY type`, instanceID)
	if err != nil {
		return nil, nil, err
	}
	relationships, err = countBy(ctx, s.db, `SELECT type, COUNT(*) FROM relationships WHERE instance_id = ? GROUP BY type`, instanceID)
	return entities, relationships, err
}

func countBy(ctx context.Context, db *sql.DB, q, arg string) (map[string]int, error) {
	rows, err := db.QueryContext(ctx, q, arg)
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

var _ sink.Sink = (*Store)(nil)

// Query runs one read-only statement (inside a transaction that is rolled
// back) and returns the header row followed by the rows, as text.
func (s *Store) Query(ctx context.Context, q string) ([][]string, error) {
	// Exactly one statement (query.OneStatement): SQLite would run every
	// statement of the text, a COMMIT included, escaping the read-only
	// transaction.
	return query.RunText(ctx, s.db, true, q)
}

// CheckWritable proves the database accepts writes (an empty write
// transaction), so a read-only file fails before a collection, not after.
func (s *Store) CheckWritable(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM runs WHERE run_id = -1`); err != nil {
		return err
	}
	return tx.Commit()
}
