package collector

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/sink"
	"github.com/awsgraph/awsgraph/internal/sink/j1files"
	"github.com/awsgraph/awsgraph/internal/sink/lockfile"
	"github.com/awsgraph/awsgraph/internal/sink/postgres"
	"github.com/awsgraph/awsgraph/internal/sink/sqlite"
)

// Store is a graph store: written in one transaction, and the source of the
// previous run's values.
type Store interface {
	sink.Sink
	sink.Previous
}

type store = Store

// outputs are a run's destinations, opened and locked before any AWS call so
// that a store or directory that cannot be written fails the run at once.
type outputs struct {
	files *j1files.Writer // nil: no graph files
	store store           // nil: no store
	// shared: the store belongs to the caller (Options.Store), not closed here.
	shared bool
	locks  []*lockfile.Lock
}

func openOutputs(ctx context.Context, opts Options) (*outputs, error) {
	o := &outputs{}
	if opts.OutputDir != "" {
		if err := o.lock(siblingLock(opts.OutputDir), "output directory", opts.OutputDir); err != nil {
			return nil, err
		}
		if err := j1files.CheckOurs(opts.OutputDir); err != nil {
			o.Close()
			return nil, err
		}
		o.files = j1files.New(opts.OutputDir)
	}
	var err error
	switch {
	case opts.Store != nil:
		o.store, o.shared = opts.Store, true
	case opts.PostgresDSN != "":
		o.store, err = postgres.Open(ctx, opts.PostgresDSN)
	case opts.DBPath != "":
		if err = o.lock(opts.DBPath+".lock", "store", opts.DBPath); err == nil {
			o.store, err = openSQLite(opts.DBPath)
		}
	}
	if err != nil {
		o.Close()
		return nil, err
	}
	if h, ok := o.store.(interface{ SetHistoryRuns(int) }); ok && opts.HistoryRuns > 0 {
		h.SetHistoryRuns(opts.HistoryRuns)
	}
	return o, nil
}

// siblingLock is the lock file of an output directory: beside it, since the
// directory itself is replaced whole.
func siblingLock(dir string) string {
	parent, base := filepath.Split(filepath.Clean(dir))
	return filepath.Join(parent, "."+base+".lock")
}

func (o *outputs) lock(path, what, target string) error {
	l, err := lockfile.Acquire(path, what, target)
	if err != nil {
		return err
	}
	o.locks = append(o.locks, l)
	return nil
}

// OpenSQLite opens the SQLite store at path as a run does (org --run shares
// one between its runs); the caller holds its lock.
func OpenSQLite(path string) (*sqlite.Store, error) { return openSQLite(path) }

// openSQLite opens the store and proves it writable now, not after the
// collection: a directory, a read-only file or a missing parent fail here.
func openSQLite(path string) (*sqlite.Store, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("store %s is a directory; --db names the SQLite file to update", path)
	}
	st, err := sqlite.Open(path)
	if err != nil {
		return nil, fmt.Errorf("store %s cannot be opened: %w", path, err)
	}
	if err := st.CheckWritable(context.Background()); err != nil {
		st.Close()
		return nil, fmt.Errorf("store %s is not writable: %w", path, err)
	}
	return st, nil
}

// previous returns a lookup of the last good run's entities of these types:
// from the store, else from the graph files in place.
func (o *outputs) previous(ctx context.Context, instanceID string, types []string) (func(string) (graph.Entity, bool), error) {
	var src sink.Previous
	switch {
	case o.store != nil:
		src = o.store
	case o.files != nil:
		src = o.files
	default:
		return func(string) (graph.Entity, bool) { return nil, false }, nil
	}
	prev, err := src.PreviousEntities(ctx, instanceID, types)
	if err != nil {
		return nil, fmt.Errorf("reading the previous run's values: %w", err)
	}
	return func(k string) (graph.Entity, bool) { e, ok := prev[k]; return e, ok }, nil
}

// write puts the snapshot in every output as one step: the graph files are
// staged beside the output directory, the store commits its transaction, and
// only then are the staged files swapped in. A failure leaves every output as
// the previous run left it.
func (o *outputs) write(ctx context.Context, snap *sink.Snapshot) error {
	var staged *j1files.Staged
	if o.files != nil {
		var err error
		if staged, err = o.files.Stage(ctx, snap); err != nil {
			return fmt.Errorf("writing the graph files: %w", err)
		}
	}
	if o.store != nil {
		if err := o.store.Write(ctx, snap); err != nil {
			if staged != nil {
				staged.Discard()
			}
			return fmt.Errorf("writing the store: %w", err)
		}
	}
	if staged != nil {
		if err := staged.Commit(); err != nil {
			return fmt.Errorf("writing the graph files (the store holds this run): %w", err)
		}
	}
	return nil
}

// Close closes the store and releases the locks.
func (o *outputs) Close() error {
	var err error
	if o.store != nil && !o.shared {
		err = o.store.Close()
	}
	o.store = nil
	for _, l := range o.locks {
		err = errors.Join(err, l.Release())
	}
	o.locks = nil
	return err
}
