package trust

import (
	"context"

	"github.com/awsgraph/awsgraph/internal/engine"
)

// maxWarnings caps the per-policy warnings; counts are always complete.
const maxWarnings = 100

// Steps returns the trust analysis step. It reads the graph only.
func Steps() []engine.Step { return StepsWith(Options{}) }

// StepsWith is Steps with the account's service control policies.
func StepsWith(opts Options) []engine.Step {
	return []engine.Step{engine.Declare(engine.Step{
		ID:        StepID,
		Name:      "Analyze IAM role trust (TRUSTS, CAN_ASSUME)",
		DependsOn: []string{IAMStepID},
		Run:       func(ctx context.Context, sc *engine.StepContext) error { return run(ctx, sc, opts) },
	})}
}

func run(_ context.Context, sc *engine.StepContext, opts Options) error {
	j := sc.Job
	res := AnalyzeWith(j, opts)
	for _, e := range res.Entities {
		if j.HasKey(e.Key()) {
			continue // e.g. Everyone, added by another analysis
		}
		if err := sc.AddEntity(e); err != nil {
			return err
		}
	}
	for _, r := range res.Relationships {
		if err := sc.AddRelationship(r); err != nil {
			return err
		}
	}
	for _, r := range res.Trusts {
		if err := sc.AddRelationship(r); err != nil {
			return err
		}
	}
	for key, props := range res.RoleProps {
		sc.SetProperties(key, props)
	}
	for k, n := range res.Counts {
		sc.Count(k, n)
	}
	for i, w := range res.Warnings {
		if i == maxWarnings {
			sc.Warn("more trust-analysis warnings omitted (see the step's counts)")
			break
		}
		sc.Warn(w)
	}
	return nil
}
