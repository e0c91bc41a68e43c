package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/awsgraph/awsgraph/internal/history"
)

// historyStore is what diff needs of a graph store.
type historyStore interface {
	history.Reader
	Close() error
}

func newDiff(stdout io.Writer) *cobra.Command {
	var db, dsn, instanceID, format string
	var from, to int64
	cmd := &cobra.Command{
		Use:   "diff",
		Short: "Show what changed in an instance's graph between two runs",
		Long: `Lists the entities and relationships that were added, removed or changed (with each
changed property's old and new value), grouped by type, between two runs of one
instance. The default is the last two runs of the instance of the store's most recent
run. Run ids are the run_id column of the runs table:
  awsgraph query "SELECT run_id, instance_id, finished_at FROM runs"
The store keeps each run's changes for the last --history-runs runs of an instance
(awsgraph collect --history-runs, default 30); a diff over older runs is refused.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" {
				return &exitError{exitConfig, fmt.Errorf("--format %q: use table or json", format)}
			}
			if from < 0 || to < 0 {
				return &exitError{exitConfig, errors.New("--from and --to are run ids (positive; 0 = default)")}
			}
			st, err := openStore(cmd.Context(), dsn, db, false)
			if err != nil {
				return err
			}
			defer st.Close()
			hs, ok := st.(historyStore)
			if !ok {
				return &exitError{exitFailed, errors.New("this store keeps no history")}
			}
			d, err := history.Between(cmd.Context(), hs, instanceID, from, to)
			if err != nil {
				return &exitError{exitFailed, err}
			}
			if format == "json" {
				return d.WriteJSON(stdout)
			}
			return d.WriteTable(stdout)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&db, "db", "awsgraph.db", "SQLite graph store (ignored with --postgres-dsn)")
	fl.StringVar(&dsn, "postgres-dsn", "", postgresDSNHelp)
	fl.StringVar(&instanceID, "instance", "", "integration instance id (default: the instance of the most recent run)")
	fl.Int64Var(&from, "from", 0, "run id to compare from (default: the run before --to)")
	fl.Int64Var(&to, "to", 0, "run id to compare to (default: the instance's last run)")
	fl.StringVar(&format, "format", "table", "output format: table or json")
	return cmd
}
