package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/awsgraph/awsgraph/internal/history"
)

// historySchema is the change log: per run, every object it added (old_json
// NULL), removed (new_json NULL) or changed. It is written in the run's own
// transaction, so a crash leaves the graph and its history of the same run.
const historySchema = `
CREATE TABLE IF NOT EXISTS history (
	run_id      BIGINT NOT NULL,
	instance_id TEXT NOT NULL,
	kind        TEXT NOT NULL,
	key         TEXT NOT NULL,
	type        TEXT NOT NULL,
	old_json    JSONB,
	new_json    JSONB,
	PRIMARY KEY (run_id, kind, key)
);
CREATE INDEX IF NOT EXISTS history_by_instance ON history (instance_id, run_id);
`

// migrate brings a store written by an earlier version up to date: the
// history table, and runs.history (1 when the run's change records are
// kept). The ALTER runs only when the column is missing, since even a no-op
// ALTER TABLE locks the table against readers.
func migrate(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, historySchema); err != nil {
		return err
	}
	var present bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = 'runs' AND column_name = 'history')`).Scan(&present); err != nil {
		return err
	}
	if present {
		return nil
	}
	if _, err := tx.Exec(ctx, `ALTER TABLE runs ADD COLUMN history SMALLINT NOT NULL DEFAULT 0`); err != nil {
		return fmt.Errorf("adding runs.history: %w", err)
	}
	return nil
}

// SetHistoryRuns sets how many runs of each instance keep their change
// records (history.DefaultRuns unless set; at least 1).
func (s *Store) SetHistoryRuns(n int) { s.historyRuns = max(n, 1) }

// stateQuery is an instance's objects as history stores them: relationships
// carry their resolved endpoints (a mapped one's are not in its json; a
// direct one's are, and the columns equal them).
const stateQuery = `
SELECT 'entity'::text AS kind, key, type, json FROM entities WHERE instance_id = $1
UNION ALL
SELECT 'relationship', key, type,
	CASE WHEN mapped = 1 THEN json || jsonb_build_object('_fromEntityKey', from_key, '_toEntityKey', to_key) ELSE json END
FROM relationships WHERE instance_id = $1`

// snapshotBefore keeps the instance's objects as they were before this
// transaction's write (a temporary table dropped at commit).
func snapshotBefore(ctx context.Context, tx pgx.Tx, instanceID string) error {
	_, err := tx.Exec(ctx, `CREATE TEMP TABLE history_before ON COMMIT DROP AS `+stateQuery, instanceID)
	return err
}

// recordHistory compares the instance's objects with snapshotBefore's, logs
// the differences under runID, and forgets the change records of the runs
// beyond the retention limit.
func recordHistory(ctx context.Context, tx pgx.Tx, instanceID string, runID int64, keep int) error {
	steps := []struct {
		what    string
		changes bool // compares the states: skipped for the first run
		sql     string
		args    []any
	}{
		{"after", true, `CREATE TEMP TABLE history_after ON COMMIT DROP AS ` + stateQuery, []any{instanceID}},
		{"changed and removed objects", true, `INSERT INTO history (run_id, instance_id, kind, key, type, old_json, new_json)
			SELECT $1, $2, b.kind, b.key, COALESCE(a.type, b.type), b.json, a.json
			FROM history_before b LEFT JOIN history_after a ON a.kind = b.kind AND a.key = b.key
			WHERE a.key IS NULL OR a.json <> b.json`, []any{runID, instanceID}},
		{"added objects", true, `INSERT INTO history (run_id, instance_id, kind, key, type, old_json, new_json)
			SELECT $1, $2, a.kind, a.key, a.type, NULL, a.json
			FROM history_after a WHERE NOT EXISTS
				(SELECT 1 FROM history_before b WHERE b.kind = a.kind AND b.key = a.key)`, []any{runID, instanceID}},
		{"run", false, `UPDATE runs SET history = 1 WHERE run_id = $1`, []any{runID}},
		{"retention", false, `UPDATE runs SET history = 0 WHERE instance_id = $1 AND history = 1 AND run_id NOT IN
			(SELECT run_id FROM runs WHERE instance_id = $1 AND history = 1 ORDER BY run_id DESC LIMIT $2)`, []any{instanceID, keep}},
		{"retention", false, `DELETE FROM history WHERE instance_id = $1 AND run_id IN
			(SELECT run_id FROM runs WHERE instance_id = $1 AND history = 0)`, []any{instanceID}},
		{"cleanup", false, `DROP TABLE IF EXISTS history_before, history_after`, nil},
	}
	// An instance's first run records nothing: every diff starts at a run,
	// so none reaches back past the first, and its records would copy the
	// whole graph.
	var earlier bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM runs WHERE instance_id = $1 AND run_id < $2)`, instanceID, runID).Scan(&earlier); err != nil {
		return fmt.Errorf("recording history: %w", err)
	}
	for _, st := range steps {
		if st.changes && !earlier {
			continue
		}
		if _, err := tx.Exec(ctx, st.sql, st.args...); err != nil {
			return fmt.Errorf("recording history (%s): %w", st.what, err)
		}
	}
	return nil
}

// Runs lists the instance's runs, oldest first (history.Reader).
func (s *Store) Runs(ctx context.Context, instanceID string) ([]history.Run, error) {
	rows, err := s.pool.Query(ctx, `SELECT run_id, instance_id, finished_at, history = 1 FROM runs WHERE instance_id = $1 ORDER BY run_id`, instanceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []history.Run
	for rows.Next() {
		var r history.Run
		if err := rows.Scan(&r.ID, &r.InstanceID, &r.FinishedAt, &r.Recorded); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// LatestInstance is the instance of the most recent run (history.Reader).
func (s *Store) LatestInstance(ctx context.Context) (string, error) {
	var inst string
	err := s.pool.QueryRow(ctx, `SELECT instance_id FROM runs ORDER BY run_id DESC LIMIT 1`).Scan(&inst)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return inst, err
}

// Records returns the change records of the instance's runs after from up
// to to, in run order (history.Reader).
func (s *Store) Records(ctx context.Context, instanceID string, from, to int64) ([]history.Record, error) {
	rows, err := s.pool.Query(ctx, `SELECT run_id, kind, key, type, old_json::text, new_json::text FROM history
		WHERE instance_id = $1 AND run_id > $2 AND run_id <= $3 ORDER BY run_id, kind, key`, instanceID, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []history.Record
	for rows.Next() {
		var r history.Record
		var old, new *string
		if err := rows.Scan(&r.RunID, &r.Kind, &r.Key, &r.Type, &old, &new); err != nil {
			return nil, err
		}
		if old != nil {
			r.Old = []byte(*old)
		}
		if new != nil {
			r.New = []byte(*new)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

var _ history.Reader = (*Store)(nil)
