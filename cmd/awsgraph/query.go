package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/awsgraph/awsgraph/internal/query"
	"github.com/awsgraph/awsgraph/internal/query/j1ql"
	"github.com/awsgraph/awsgraph/internal/sink/postgres"
	"github.com/awsgraph/awsgraph/internal/sink/sqlite"
)

const queryLong = `QUERY is J1QL when it starts with FIND (any case), read-only SQL otherwise.

J1QL (JupiterOne's query language, the subset in the README):
  awsgraph query "FIND Internet THAT ALLOWS aws_ec2_security_group THAT PROTECTS aws_ec2_instance"
  awsgraph query --format json "FIND aws_iam_user WITH isMfaEnabled = false RETURN aws_iam_user.name"
  awsgraph query --examples      # the cookbook: questions security engineers ask
  awsgraph query --explain "..." # the SQL a J1QL query compiles to

SQL: exactly one SELECT / WITH statement over entities(instance_id, key, type,
source, json, ...) and relationships(instance_id, key, type, class, from_key,
to_key, mapped, json, ...); json holds the whole object (SQLite: json_extract;
PostgreSQL, where json is jsonb: json->>'prop').

The store is opened read-only: SQLite with mode=ro and PRAGMA query_only (a
file that is not an awsgraph store is refused untouched), PostgreSQL in READ
ONLY transactions.`

func newQuery(stdout io.Writer) *cobra.Command {
	var db, dsn, format string
	var explain, examples bool
	cmd := &cobra.Command{
		Use:   "query QUERY",
		Short: "Ask the graph store in J1QL (FIND ...) or read-only SQL; table, JSON or CSV",
		Long:  queryLong,
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if examples {
				fmt.Fprint(stdout, j1ql.CookbookText())
				return nil
			}
			if len(args) != 1 {
				return &exitError{exitConfig, errors.New("query needs one QUERY argument (J1QL starting with FIND, or SQL); --examples lists J1QL examples")}
			}
			if format != "table" && format != "json" && format != "csv" {
				return &exitError{exitConfig, fmt.Errorf("--format %q: table, json or csv", format)}
			}
			return runQuery(cmd.Context(), stdout, queryRequest{db: db, dsn: postgresDSN(dsn), text: args[0], format: format, explain: explain})
		},
	}
	cmd.Flags().StringVar(&db, "db", "awsgraph.db", "SQLite graph store (ignored with --postgres-dsn)")
	cmd.Flags().StringVar(&dsn, "postgres-dsn", "", postgresDSNHelp)
	cmd.Flags().StringVar(&format, "format", "table", "output: table, json or csv")
	cmd.Flags().BoolVar(&explain, "explain", false, "print the SQL a J1QL query compiles to instead of running it")
	cmd.Flags().BoolVar(&examples, "examples", false, "print the J1QL cookbook")
	return cmd
}

type queryRequest struct {
	db, dsn, text, format string
	explain               bool
}

func runQuery(ctx context.Context, stdout io.Writer, r queryRequest) error {
	dialect := j1ql.SQLite
	if r.dsn != "" {
		dialect = j1ql.Postgres
	}
	isJ1QL := j1ql.IsJ1QL(r.text)
	var compiled *j1ql.Compiled
	if isJ1QL {
		q, err := j1ql.Parse(r.text)
		if err != nil {
			return &exitError{exitConfig, err}
		}
		if compiled, err = j1ql.Compile(q, dialect); err != nil {
			return &exitError{exitConfig, err}
		}
		if r.explain {
			fmt.Fprint(stdout, compiled.Explain())
			return nil
		}
	} else if r.explain {
		return &exitError{exitConfig, errors.New("--explain shows the SQL of a J1QL query (one starting with FIND)")}
	}
	db, err := openReadOnly(ctx, r.dsn, r.db)
	if err != nil {
		return err
	}
	defer db.Close()
	if !isJ1QL {
		rows, err := query.RunSQL(ctx, db, dialect == j1ql.Postgres, r.text)
		if err != nil {
			return &exitError{exitFailed, sqlError(err)}
		}
		return writeRows(stdout, r.format, rows.Columns, rows.Values)
	}
	res, err := j1ql.Run(ctx, db, compiled, j1ql.Options{})
	if err != nil {
		return &exitError{exitFailed, sqlError(err)}
	}
	return writeJ1QL(stdout, r.format, res)
}

// sqlError words PostgreSQL's read-only refusal for people.
func sqlError(err error) error {
	if strings.Contains(err.Error(), "read-only transaction") || strings.Contains(err.Error(), "SQLITE_READONLY") || strings.Contains(err.Error(), "readonly database") {
		return fmt.Errorf("the query tried to write (%v); the store is updated by collect and import", err)
	}
	return err
}

// openReadOnly opens the store for queries only; a missing SQLite file is a
// configuration error and is never created.
func openReadOnly(ctx context.Context, dsn, path string) (*sql.DB, error) {
	if dsn != "" {
		db, err := postgres.OpenReadOnly(ctx, dsn)
		if err != nil {
			return nil, &exitError{exitFailed, err}
		}
		return db, nil
	}
	if _, err := os.Stat(path); err != nil {
		return nil, &exitError{exitConfig, fmt.Errorf("store %s: %w", path, err)}
	}
	db, err := sqlite.OpenReadOnly(ctx, path)
	if err != nil {
		return nil, &exitError{exitConfig, err}
	}
	return db, nil
}

func writeJ1QL(w io.Writer, format string, res *j1ql.Result) error {
	if format == "json" {
		out, err := res.JSON()
		if err != nil {
			return err
		}
		_, err = w.Write(out)
		return err
	}
	switch {
	case res.Tree:
		var rows [][]any
		for _, e := range res.Graph.Entities {
			rows = append(rows, []any{"entity", e.Properties["_type"], e.Key, e.Properties["displayName"]})
		}
		for _, r := range res.Graph.Relationships {
			rows = append(rows, []any{"relationship", r.Properties["_type"], r.Properties["_fromEntityKey"], r.Properties["_class"], r.Properties["_toEntityKey"]})
		}
		return writeRows(w, format, []string{"KIND", "_type", "_key / from", "displayName / verb", "to"}, rows)
	case res.Columns == nil:
		var rows [][]any
		for _, e := range res.Entities {
			rows = append(rows, []any{e["_type"], e["_key"], e["displayName"]})
		}
		return writeRows(w, format, []string{"_type", "_key", "displayName"}, rows)
	}
	return writeRows(w, format, res.Columns, res.Rows)
}

// cell renders a value for table and CSV: text as is, lists and objects as
// JSON, absent as empty.
func cell(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case map[string]any, []any:
		b, _ := json.Marshal(v)
		return string(b)
	}
	return fmt.Sprint(v)
}

func writeRows(w io.Writer, format string, cols []string, rows [][]any) error {
	switch format {
	case "json":
		list := make([]map[string]any, 0, len(rows))
		for _, r := range rows {
			obj := map[string]any{}
			for i, c := range cols {
				obj[c] = r[i]
			}
			list = append(list, obj)
		}
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write(cols)
		for _, r := range rows {
			rec := make([]string, len(r))
			for i, v := range r {
				rec[i] = cell(v)
			}
			_ = cw.Write(rec)
		}
		cw.Flush()
		return cw.Error()
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(cols, "\t"))
	for _, r := range rows {
		rec := make([]string, len(r))
		for i, v := range r {
			rec[i] = strings.NewReplacer("\t", " ", "\n", " ").Replace(cell(v))
		}
		fmt.Fprintln(tw, strings.Join(rec, "\t"))
	}
	return tw.Flush()
}
