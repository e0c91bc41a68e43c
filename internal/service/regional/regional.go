// Package regional holds what every regional collection step does the same
// way: read each region concurrently, keep the regions that answered, mark the
// step's types partial for the ones that did not, and add the resources with
// their "account HAS" edges in a stable order.
package regional

import (
	"context"
	"errors"
	"sync"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
	"github.com/awsgraph/awsgraph/internal/service/account"
)

// Result is what one region returned.
type Result[T any] struct {
	Region string
	Items  T
}

// Collect runs fetch in every region of the session, concurrently. A failing
// region marks partialTypes (all the step's declared types when none are
// given) partial, with a warning naming the refused permission and the
// region, and the other regions' results are kept, in the session's region
// order. Only when every region failed is an error returned, which fails the
// step.
func Collect[T any](ctx context.Context, s *awsclient.Session, sc *engine.StepContext, partialTypes []string,
	fetch func(ctx context.Context, region string) (T, error)) ([]Result[T], error) {
	results := make(map[string]T, len(s.Regions))
	var mu sync.Mutex
	errs := awsclient.ForEachRegion(ctx, s.Regions, func(ctx context.Context, region string) error {
		items, err := fetch(ctx, region)
		if err != nil {
			return err
		}
		mu.Lock()
		results[region] = items
		mu.Unlock()
		return nil
	})
	if len(errs) > 0 && len(errs) == len(s.Regions) {
		return nil, errors.Join(errs...)
	}
	for _, err := range errs {
		sc.Partial(err, partialTypes...)
	}
	out := make([]Result[T], 0, len(results))
	for _, r := range s.Regions {
		if items, ok := results[r]; ok {
			out = append(out, Result[T]{Region: r, Items: items})
		}
	}
	return out, nil
}

// AddOwned adds each entity and the "account HAS entity" edge.
func AddOwned(sc *engine.StepContext, s *awsclient.Session, ents ...graph.Entity) error {
	for _, e := range ents {
		if err := sc.AddEntity(e); err != nil {
			return err
		}
		if err := sc.AddRelationship(account.Has(s, e)); err != nil {
			return err
		}
	}
	return nil
}

// ProtectedBy adds "security group PROTECTS e" for each group id that was
// collected in region (groups maps "<region>/<group id>" to the group's
// key); each id that was not is counted under missMetric when one is given.
func ProtectedBy(sc *engine.StepContext, groups map[string]string, region string, e graph.Entity, groupIDs []string, missMetric string) error {
	for _, gid := range groupIDs {
		gk, ok := groups[region+"/"+gid]
		if !ok {
			if missMetric != "" {
				sc.Count(missMetric, 1)
			}
			continue
		}
		if err := sc.AddRelationship(graph.DirectByKey(gk, schema.TypeSecurityGroup, "PROTECTS", e.Key(), e.Type(), nil)); err != nil {
			return err
		}
	}
	return nil
}
