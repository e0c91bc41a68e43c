package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	sqlite3 "modernc.org/sqlite"
)

// readOnlyMarker is in the DSN of every connection OpenReadOnly makes; the
// connection hook below gives those connections an authorizer.
const readOnlyMarker = "mode=ro&_pragma=query_only(1)"

// On a read-only connection SQLite's authorizer refuses ATTACH (which would
// create a file: an attached database is not opened read-only), DETACH,
// every write and every schema change, whatever reaches the connection.
func init() {
	sqlite3.RegisterConnectionHook(func(conn sqlite3.ExecQuerierContext, dsn string) error {
		if !strings.Contains(dsn, readOnlyMarker) {
			return nil
		}
		reg, ok := conn.(sqlite3.AuthorizerRegisterer)
		if !ok {
			return errors.New("the SQLite driver offers no authorizer; refusing to open the store for queries")
		}
		return reg.RegisterAuthorizer(readOnlyAuthorizer)
	})
}

func readOnlyAuthorizer(action sqlite3.AuthorizerActionCode, arg1, arg2, _, _ string) sqlite3.AuthorizerReturnCode {
	switch action {
	case sqlite3.AuthRead, sqlite3.AuthSelect, sqlite3.AuthFunction, sqlite3.AuthTransaction, sqlite3.AuthRecursive, sqlite3.AuthSavepoint:
		return sqlite3.AuthorizerOK
	case sqlite3.AuthPragma:
		// Pragmas read (table_info(x) has an argument too) and the file is
		// read-only anyway; query_only alone must not be switched off.
		if !strings.EqualFold(arg1, "query_only") || arg2 == "" || arg2 == "1" {
			return sqlite3.AuthorizerOK
		}
	}
	return sqlite3.AuthorizerDeny
}

// storeTables are the tables (and a column of each) that make a file an
// awsgraph store.
var storeTables = map[string]string{"entities": "json", "relationships": "from_key", "runs": "run_id"}

// OpenReadOnly opens an existing store for queries only: the file is opened
// read-only (URI mode=ro) with PRAGMA query_only, so no statement can change
// it, and nothing is created — a missing path is an error, and a file that
// is not an awsgraph store (another application's database, or not SQLite
// at all) is refused without being written to.
func OpenReadOnly(ctx context.Context, path string) (*sql.DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if err := checkSQLiteHeader(abs); err != nil {
		return nil, err
	}
	// The check reads the file as immutable: SQLite creates no -wal / -shm
	// beside a file that may belong to another application.
	probe, err := sql.Open("sqlite", fileURI(abs, readOnlyMarker+"&immutable=1"))
	if err != nil {
		return nil, err
	}
	err = checkStore(ctx, probe, path)
	probe.Close()
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", fileURI(abs, readOnlyMarker+"&_pragma=busy_timeout(10000)"))
	if err != nil {
		return nil, err
	}
	return db, nil
}

func fileURI(abs, query string) string {
	u := url.URL{Scheme: "file", Path: abs, RawQuery: query}
	return u.String()
}

// checkSQLiteHeader reads the first bytes: a file that is not SQLite is
// refused before SQLite opens it.
func checkSQLiteHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("store %s: %w", path, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return fmt.Errorf("store %s is a directory, not an awsgraph store", path)
	}
	head := make([]byte, 16)
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head, []byte("SQLite format 3\x00")) {
		return fmt.Errorf("%s is not an awsgraph store (not an SQLite database); nothing was changed", path)
	}
	return nil
}

func checkStore(ctx context.Context, db *sql.DB, path string) error {
	for table, col := range storeTables {
		var n int
		err := db.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2`, table, col).Scan(&n)
		if err != nil {
			return fmt.Errorf("reading store %s: %w", path, err)
		}
		if n == 0 {
			return errors.New(path + " is not an awsgraph store (no " + table + " table); nothing was changed")
		}
	}
	return nil
}
