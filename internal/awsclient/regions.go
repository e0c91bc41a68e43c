package awsclient

import (
	"context"
	"slices"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// EnabledRegions lists the account's enabled regions in the session's
// partition (ec2:DescribeRegions without AllRegions; regions reported as
// "not-opted-in" are skipped, since emulators list them anyway).
func (s *Session) EnabledRegions(ctx context.Context, known []string) ([]string, error) {
	out, err := ec2.NewFromConfig(s.Config).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	if err != nil {
		return nil, err
	}
	var regions []string
	for _, r := range out.Regions {
		name := aws.ToString(r.RegionName)
		if aws.ToString(r.OptInStatus) == "not-opted-in" {
			continue
		}
		if len(known) > 0 && !slices.Contains(known, name) {
			continue // another partition's region
		}
		regions = append(regions, name)
	}
	sort.Strings(regions)
	return regions, nil
}

// ForEachRegion runs fn for every region at once and returns the errors by
// region (wrapped in RegionError). A failing region does not stop the
// others. Regions are not bounded here: each region is its own server on
// AWS (its own throttling), and the session's Adaptive bound, per service and
// region (one bound for all under an emulator), keeps what is in flight to
// what each server sustains.
func ForEachRegion(ctx context.Context, regions []string, fn func(ctx context.Context, region string) error) []error {
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	for _, r := range regions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(ctx, r); err != nil {
				mu.Lock()
				errs = append(errs, &RegionError{Region: r, Err: err})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return errs
}
