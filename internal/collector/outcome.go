package collector

import (
	"fmt"

	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/service/account"
)

// NoCollectionSucceeded returns an error when the run had collection steps
// (steps that call AWS: non-empty Permissions) and none of them succeeded,
// even partly: the role could read nothing, and a graph of analyses over
// nothing is not a successful run. The account step does not count: its
// entity comes from the assumed identity, so it succeeds for any role.
func NoCollectionSucceeded(steps []engine.Step, results []engine.StepResult) error {
	collection := map[string]bool{}
	for _, s := range steps {
		if len(s.Permissions) > 0 && s.ID != account.StepID {
			collection[s.ID] = true
		}
	}
	n := 0
	for _, r := range results {
		if !collection[r.ID] {
			continue
		}
		n++
		if r.Status == engine.StatusSuccess || r.Status == engine.StatusPartial {
			return nil
		}
	}
	if n == 0 {
		return nil
	}
	return fmt.Errorf("no collection step succeeded (%d of %d failed): the role could read nothing; check the role's permissions policies (awsgraph steps lists the permissions each step needs)", n, n)
}
