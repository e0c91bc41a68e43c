package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// OpenReadOnly connects for queries only: every transaction of the session
// is READ ONLY (default_transaction_read_only), and the tables are not
// created — a database without the store's tables is refused. Errors never
// contain the DSN's password.
func OpenReadOnly(ctx context.Context, dsn string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL DSN: %w", err)
	}
	cfg.RuntimeParams["default_transaction_read_only"] = "on"
	db := stdlib.OpenDB(*cfg)
	for _, table := range []string{"entities", "relationships", "runs"} {
		var ok bool
		if err := db.QueryRowContext(ctx, `SELECT to_regclass($1) IS NOT NULL`, table).Scan(&ok); err != nil {
			db.Close()
			return nil, fmt.Errorf("opening the PostgreSQL store: %w", err)
		}
		if !ok {
			db.Close()
			return nil, fmt.Errorf("the PostgreSQL database holds no awsgraph store (no %s table)", table)
		}
	}
	return db, nil
}
