package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/awsgraph/awsgraph/internal/view"
)

func newView(stdout io.Writer) *cobra.Command {
	var db, dsn, instanceID, out string
	cmd := &cobra.Command{
		Use:   "view [SQL]",
		Short: "Write the graph (or part of it) as one self-contained HTML page",
		Long: `Writes an HTML page that draws the store's graph: nodes coloured by class, edges
labelled by verb, mapped relationships and their placeholder targets dashed; search
by name, click a node for its properties. The page embeds its graph library and
works offline (open it in any browser).

Without an argument it draws the whole store, or one instance with --instance. With
SQL (a read-only query whose first column is entity keys) it draws those entities
and the relationships among them:
  awsgraph view --out web.html "SELECT key FROM entities WHERE type LIKE 'aws_ec2_%'"`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sel := view.Selection{InstanceID: instanceID}
			if len(args) == 1 {
				sel.KeysSQL = strings.TrimSpace(args[0])
				if sel.KeysSQL == "" {
					return &exitError{exitConfig, errors.New("the query is empty; give SQL selecting entity keys, or no argument for the whole store")}
				}
				if first := strings.ToUpper(strings.Fields(sel.KeysSQL)[0]); first == "FIND" {
					return &exitError{exitConfig, errors.New("view takes SQL selecting entity keys (J1QL FIND queries are not supported by view)")}
				}
			}
			if out == "" {
				return &exitError{exitConfig, errors.New("--out must name the HTML file to write")}
			}
			st, err := openStore(cmd.Context(), dsn, db, false)
			if err != nil {
				return err
			}
			defer st.Close()
			g, err := view.Load(cmd.Context(), st, sel)
			if err != nil {
				return &exitError{exitFailed, err}
			}
			title := "whole store"
			if instanceID != "" {
				title = "instance " + instanceID
			}
			if sel.KeysSQL != "" {
				title = sel.KeysSQL
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
