package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/awsgraph/awsgraph/internal/query"
	"github.com/awsgraph/awsgraph/internal/query/j1ql"
	"github.com/awsgraph/awsgraph/internal/view"
)

func newView(stdout io.Writer) *cobra.Command {
	var db, dsn, instanceID, out string
	cmd := &cobra.Command{
		Use:   "view [QUERY]",
		Short: "Write the graph (or part of it) as one self-contained HTML page",
		Long: `Writes an HTML page that draws the store's graph: nodes coloured by class, edges
labelled by verb, mapped relationships and their placeholder targets dashed; search
by name, click a node for its properties. The page embeds its graph library and
works offline (open it in any browser).

Without an argument it draws the whole store, or one instance with --instance. With
a J1QL query it draws what the query finds (RETURN TREE: the matched entities and
the relationships of the matched paths); with SQL (a read-only query whose first
column is entity keys) those entities and the relationships among them:
  awsgraph view --out ssh.html "FIND Internet THAT ALLOWS aws_ec2_security_group THAT PROTECTS aws_ec2_instance"
  awsgraph view --out web.html "SELECT key FROM entities WHERE type LIKE 'aws_ec2_%'"`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sel := view.Selection{InstanceID: instanceID}
			if len(args) == 1 {
				sel.KeysSQL = strings.TrimSpace(args[0])
				if sel.KeysSQL == "" {
					return &exitError{exitConfig, errors.New("the query is empty; give J1QL, SQL selecting entity keys, or no argument for the whole store")}
				}
			}
			if out == "" {
				return &exitError{exitConfig, errors.New("--out must name the HTML file to write")}
			}
			sqlDB, err := openReadOnly(cmd.Context(), dsn, db)
			if err != nil {
				return err
			}
			defer sqlDB.Close()
			if j1ql.IsJ1QL(sel.KeysSQL) {
				if err := selectByJ1QL(cmd.Context(), sqlDB, dsn != "", &sel); err != nil {
					return err
				}
			}
			g, err := view.Load(cmd.Context(), textQuerier{sqlDB, dsn != ""}, sel)
			if err != nil {
				return &exitError{exitFailed, err}
			}
			title := "whole store"
			if instanceID != "" {
				title = "instance " + instanceID
			}
			if len(args) == 1 {
				title = strings.TrimSpace(args[0])
			}
			if err := writePage(out, g, title); err != nil {
				return &exitError{exitFailed, err}
			}
			fmt.Fprintf(stdout, "wrote %s: %d entities, %d relationships\n", out, len(g.Entities), len(g.Relationships))
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&out, "out", "o", "graph.html", "HTML file to write (replaced whole)")
	fl.StringVar(&instanceID, "instance", "", "draw only this integration instance (and the entities its relationships point at)")
	fl.StringVar(&db, "db", "awsgraph.db", "SQLite graph store (ignored with --postgres-dsn)")
	fl.StringVar(&dsn, "postgres-dsn", "", postgresDSNHelp)
	return cmd
}

// writePage writes the page beside out and renames it into place, so a
// failed write never leaves half a page.
func writePage(out string, g *view.Subgraph, title string) error {
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := view.Render(tmp, g, title); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), out)
}

// selectByJ1QL answers a J1QL query and selects its subgraph: the matched
// entities and the relationships of the matched paths.
func selectByJ1QL(ctx context.Context, db *sql.DB, postgres bool, sel *view.Selection) error {
	dialect := j1ql.SQLite
	if postgres {
		dialect = j1ql.Postgres
	}
	res, err := j1ql.Ask(ctx, db, dialect, sel.KeysSQL, j1ql.Options{Graph: true})
	if err != nil {
		var qe *j1ql.Error
		if errors.As(err, &qe) {
			return &exitError{exitConfig, err}
		}
		return &exitError{exitFailed, sqlError(err)}
	}
	if res.Graph == nil {
		return &exitError{exitConfig, errors.New("view draws entities: use a J1QL query without RETURN, or with RETURN TREE")}
	}
	sel.KeysSQL = ""
	sel.Keys = []string{}
	sel.RelationshipKeys = []string{}
	for _, e := range res.Graph.Entities {
		sel.Keys = append(sel.Keys, e.Key)
	}
	for _, r := range res.Graph.Relationships {
		sel.RelationshipKeys = append(sel.RelationshipKeys, r.Key)
	}
	return nil
}

// textQuerier is view.Querier over a read-only store connection.
type textQuerier struct {
	db         *sql.DB
	readOnlyTx bool
}

func (q textQuerier) Query(ctx context.Context, text string) ([][]string, error) {
	return query.RunText(ctx, q.db, q.readOnlyTx, text)
}
