package history

import (
	"context"
	"errors"
	"fmt"
)

// Reader is what a store offers for diffs.
type Reader interface {
	// Runs lists the instance's runs, oldest first.
	Runs(ctx context.Context, instanceID string) ([]Run, error)
	// LatestInstance is the instance of the store's most recent run ("" when
	// the store holds no run).
	LatestInstance(ctx context.Context) (string, error)
	// Records returns the instance's change records of the runs after from up
	// to to, in run order.
	Records(ctx context.Context, instanceID string, from, to int64) ([]Record, error)
}

// ErrNoRuns is returned when the store holds no run to compare.
var ErrNoRuns = errors.New("the store holds no run yet (run awsgraph collect first)")

// Between is the diff of an instance's graph from run from to run to; an
// empty instance means the most recent run's, and 0 for from or to means
// the default: the last run, and the run before to.
func Between(ctx context.Context, r Reader, instanceID string, from, to int64) (*Diff, error) {
	if instanceID == "" {
		inst, err := r.LatestInstance(ctx)
		if err != nil {
			return nil, err
		}
		if inst == "" {
			return nil, ErrNoRuns
		}
		instanceID = inst
	}
	runs, err := r.Runs(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	from, to, err = Range(instanceID, runs, from, to)
	if err != nil {
		return nil, err
	}
	records, err := r.Records(ctx, instanceID, from, to)
	if err != nil {
		return nil, err
	}
	return Compose(instanceID, from, to, records)
}

// Range resolves the requested runs against the instance's runs (oldest
// first) and checks that every run after from up to to has its change
// records: a diff over a gap would silently miss changes.
func Range(instanceID string, runs []Run, from, to int64) (int64, int64, error) {
	if len(runs) == 0 {
		return 0, 0, fmt.Errorf("instance %q has no run in the store", instanceID)
	}
	index := map[int64]int{}
	for i, r := range runs {
		index[r.ID] = i
	}
	ti := len(runs) - 1
	if to != 0 {
		i, ok := index[to]
		if !ok {
			return 0, 0, fmt.Errorf("--to %d is not a run of instance %q (its runs: %s)", to, instanceID, runList(runs))
		}
		ti = i
	}
	fi := ti - 1
	if from != 0 {
		i, ok := index[from]
		if !ok {
			return 0, 0, fmt.Errorf("--from %d is not a run of instance %q (its runs: %s)", from, instanceID, runList(runs))
		}
		fi = i
	}
	if fi < 0 {
		return 0, 0, fmt.Errorf("instance %q has only one run (%d) up to --to; a diff needs two", instanceID, runs[ti].ID)
	}
	if fi >= ti {
		return 0, 0, fmt.Errorf("--from %d must be an earlier run than --to %d", runs[fi].ID, runs[ti].ID)
	}
	for _, r := range runs[fi+1 : ti+1] {
		if !r.Recorded {
			return 0, 0, fmt.Errorf("run %d has no change records (it was written before the store kept history, or is older than the runs history retains); runs with history: %s", r.ID, recordedList(runs))
		}
	}
	return runs[fi].ID, runs[ti].ID, nil
}

func runList(runs []Run) string {
	if len(runs) > 12 {
		return fmt.Sprintf("%d..%d", runs[0].ID, runs[len(runs)-1].ID)
	}
	s := ""
	for i, r := range runs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprint(r.ID)
	}
	return s
}

func recordedList(runs []Run) string {
	var rec []Run
	for _, r := range runs {
		if r.Recorded {
			rec = append(rec, r)
		}
	}
	if len(rec) == 0 {
		return "none"
	}
	return runList(rec)
}
