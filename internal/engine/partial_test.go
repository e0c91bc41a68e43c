package engine

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/awsgraph/awsgraph/internal/graph"
)

// regionErr stands for an AWS error in one region; describeRegion is the
// DescribeError the collector would give the engine.
type regionErr struct{ region string }

func (e regionErr) Error() string { return "denied in " + e.region }

func describeRegion(err error) Failure {
	var re regionErr
	if errors.As(err, &re) {
		return Failure{Region: re.region, Reason: err.Error()}
	}
	return Failure{Reason: err.Error()}
}

func host(key, region string) graph.Entity {
	return graph.NewEntity(key, "host", []string{"Configuration"}, key).Set("region", region)
}

// hosts collects one host per region and fails in the regions given.
func hosts(failIn ...string) Step {
	return Step{ID: "hosts", Permissions: []string{"svc:List"}, Entities: []EntityDecl{{Type: "host"}},
		Run: func(ctx context.Context, sc *StepContext) error {
			for _, r := range []string{"r1", "r2"} {
				if strings.Contains(strings.Join(failIn, ","), r) {
					sc.Partial(regionErr{r}, "host")
					continue
				}
				if err := sc.AddEntity(host("host-in-"+r, r)); err != nil {
					return err
				}
			}
			return nil
		}}
}

// exposure is a derived step: it marks every host exposed and relates it to a global entity.
func exposure() Step {
	return Step{ID: "exposure", DependsOn: []string{"hosts"},
		Entities:      []EntityDecl{{Type: "internet"}},
		Relationships: []RelationshipDecl{{Type: "internet_allows_host", Class: "ALLOWS"}},
		Properties:    []PropertyDecl{{Type: "host", Properties: []string{"exposed"}}},
		Run: func(ctx context.Context, sc *StepContext) error {
			if err := sc.AddEntity(graph.NewEntity("global:internet", "internet", []string{"Internet"}, "Internet")); err != nil {
				return err
			}
			for _, h := range sc.Job.EntitiesOfType("host") {
				sc.SetProperties(h.Key(), map[string]any{"exposed": true})
				if err := sc.AddRelationship(graph.DirectByKey("global:internet", "internet", "ALLOWS", h.Key(), "host", nil)); err != nil {
					return err
				}
			}
			return nil
		}}
}

func run(t *testing.T, steps ...Step) *Result {
	t.Helper()
	res, err := Run(context.Background(), NewJob(), steps, Options{DescribeError: describeRegion})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestRegionalPartialStaysInItsRegion(t *testing.T) {
	res := run(t, hosts("r2"), exposure())
	if got := res.PartialRegions["host"]; len(got) != 1 || got[0] != "r2" {
		t.Fatalf("host partial regions %v, want [r2]", got)
	}
	// The derived step wrote for r1 only; its types are partial in r2 only.
	if got := res.PartialRegions["internet_allows_host"]; len(got) != 1 || got[0] != "r2" {
		t.Errorf("derived relationship partial regions %v, want [r2]", got)
	}
	if e, _ := res.Job.Entity("host-in-r1"); e["exposed"] != true {
		t.Errorf("r1 host not analysed: %v", e)
	}
	if n := len(res.Job.RelationshipsOfType("internet_allows_host")); n != 1 {
		t.Errorf("%d derived relationships, want 1 (r1)", n)
	}
	if len(res.Unknown) != 1 || res.Unknown[0].Region != "r2" || res.Unknown[0].Type != "host" {
		t.Errorf("unknown %+v, want host.exposed in r2", res.Unknown)
	}
}

func TestDerivedStepSkippedWhenInputsFailedEverywhere(t *testing.T) {
	failed := hosts()
	failed.Run = func(ctx context.Context, sc *StepContext) error { return errors.New("denied everywhere") }
	res := run(t, failed, exposure())
	st := res.Steps[1]
	if st.Status != StatusDependencyFailure || len(res.Job.EntitiesOfType("internet")) != 0 {
		t.Fatalf("derived step ran on partial inputs: %+v", st)
	}
	if len(res.PartialTypes) != 3 || len(res.PartialRegions) != 0 {
		t.Errorf("partial %v %v, want every type partial everywhere", res.PartialTypes, res.PartialRegions)
	}
	if len(res.Unknown) != 1 || res.Unknown[0].Region != "" {
		t.Errorf("unknown %+v, want host.exposed everywhere", res.Unknown)
	}
}

func TestStepFailureMakesDeclaredPropertiesUnknownEverywhere(t *testing.T) {
	bad := exposure()
	bad.Run = func(ctx context.Context, sc *StepContext) error { return errors.New("boom") }
	res := run(t, hosts(), bad)
	if len(res.Unknown) != 1 || res.Unknown[0].Region != "" {
		t.Fatalf("unknown %+v, want host.exposed everywhere", res.Unknown)
	}
}

func TestCarryOverKeepsPreviousValues(t *testing.T) {
	job := NewJob()
	cur := host("host-one-key", "r1").Set("tag.Env", "new-guess").Set("size", 2)
	if err := job.AddEntity(cur); err != nil {
		t.Fatal(err)
	}
	if err := job.AddEntity(host("host-two-key", "r2").Set("size", 3)); err != nil {
		t.Fatal(err)
	}
	prev := map[string]graph.Entity{
		"host-one-key": host("host-one-key", "r1").Set("tag.Owner", "ops").Set("size", 1).Set("exposed", true),
		"host-two-key": host("host-two-key", "r2").Set("size", 9),
	}
	n := job.CarryOver([]Unknown{
		{Type: "host", Region: "r1", Properties: []string{"tag.*", "exposed"}},
		{Type: "host", Keys: []string{"host-two-key"}}, // whole entity
	}, func(k string) (graph.Entity, bool) { e, ok := prev[k]; return e, ok })
	if n != 2 {
		t.Fatalf("changed %d, want 2", n)
	}
	h1, _ := job.Entity("host-one-key")
	if h1["tag.Env"] != nil || h1["tag.Owner"] != "ops" || h1["exposed"] != true || fmt.Sprint(h1["size"]) != "2" {
		t.Errorf("h1 %v: unknown values must be the previous run's, known ones this run's", h1)
	}
	if h2, _ := job.Entity("host-two-key"); fmt.Sprint(h2["size"]) != "9" {
		t.Errorf("h2 %v: whole entity unknown must be the previous version", h2)
	}
}

// Unknown tags carry the previous run's tagKeys with its rewritten tag
// properties, so the tags still read back by their AWS keys.
func TestCarryOverTagsKeepTheirAWSKeys(t *testing.T) {
	job := NewJob()
	if err := job.AddEntity(host("host-one-key", "r1").SetTags(map[string]string{"new:key": "guess"})); err != nil {
		t.Fatal(err)
	}
	prev := host("host-one-key", "r1").SetTags(map[string]string{"aws:cloudformation:stack-name": "web", "Env": "prod"})
	job.CarryOver([]Unknown{{Type: "host", Properties: []string{"tag.*"}}},
		func(k string) (graph.Entity, bool) { return prev, k == "host-one-key" })
	h, _ := job.Entity("host-one-key")
	if got, want := h.Tags(), map[string]string{"aws:cloudformation:stack-name": "web", "Env": "prod"}; !reflect.DeepEqual(got, want) {
		t.Errorf("tags %v, want %v (entity %v)", got, want, h)
	}
}

// A relationship's unknown property (a rule edge's id) keeps the previous
// run's value; the other edges of the type are this run's.
func TestCarryOverKeepsPreviousRelationshipValues(t *testing.T) {
	job := NewJob()
	edge := func(key string, props map[string]any) graph.Relationship {
		return graph.DirectByKey("host-one-key", "host", "ALLOWS", key, "host", props)
	}
	one := edge("host-two-key", map[string]any{"ruleId": nil, "port": 22})
	two := edge("host-three-key", map[string]any{"ruleId": nil, "port": 80})
	for _, k := range []string{"host-one-key", "host-two-key", "host-three-key"} {
		if err := job.AddEntity(host(k, "r1")); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []graph.Relationship{one, two} {
		if err := job.AddRelationship(r); err != nil {
			t.Fatal(err)
		}
	}
	prev := map[string]graph.Entity{
		one.Key(): graph.Entity(edge("host-two-key", map[string]any{"ruleId": "sgr-1", "port": 21})),
		two.Key(): graph.Entity(edge("host-three-key", map[string]any{"ruleId": "sgr-2", "port": 80})),
	}
	n := job.CarryOver([]Unknown{{Type: one.Type(), Keys: []string{one.Key()}, Properties: []string{"ruleId"}}},
		func(k string) (graph.Entity, bool) { e, ok := prev[k]; return e, ok })
	got := map[string]graph.Relationship{}
	for _, r := range job.RelationshipsOfType(one.Type()) {
		got[r.Key()] = r
	}
	if n != 1 || got[one.Key()]["ruleId"] != "sgr-1" || fmt.Sprint(got[one.Key()]["port"]) != "22" || got[two.Key()]["ruleId"] != nil {
		t.Fatalf("changed %d: %v", n, got)
	}
}

func TestCarryOverWithoutPreviousOmitsUnknown(t *testing.T) {
	job := NewJob()
	if err := job.AddEntity(host("host-one-key", "r1").Set("exposed", false)); err != nil {
		t.Fatal(err)
	}
	job.CarryOver([]Unknown{{Type: "host", Properties: []string{"exposed"}}}, func(string) (graph.Entity, bool) { return nil, false })
	if h, _ := job.Entity("host-one-key"); h["exposed"] != nil {
		t.Errorf("an unknown value was written: %v", h)
	}
}

func TestStepDeadline(t *testing.T) {
	slow := Step{ID: "slow", Permissions: []string{"svc:Get"}, Entities: []EntityDecl{{Type: "t"}},
		Run: func(ctx context.Context, sc *StepContext) error {
			<-ctx.Done()
			return ctx.Err()
		}}
	res, err := Run(context.Background(), NewJob(), []Step{slow}, Options{StepTimeout: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps[0].Status != StatusFailure || len(res.PartialTypes) != 1 {
		t.Fatalf("%+v", res.Steps[0])
	}
}

func TestCancelledRunStartsNoStep(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	s := Step{ID: "s", Permissions: []string{"svc:Get"}, Run: func(ctx context.Context, sc *StepContext) error { ran = true; return nil }}
	res, _ := Run(ctx, NewJob(), []Step{s}, Options{})
	if ran || res.Steps[0].Status != StatusFailure {
		t.Fatalf("ran=%v %+v", ran, res.Steps[0])
	}
}

// A derived step that tolerates some unknown properties (it reads them as
// unknown when absent) runs when only those are unknown, and is still
// skipped when an Unknown also names another property.
func TestUnknownToleratedPropertiesDoNotCascade(t *testing.T) {
	withUnknown := func(props ...string) Step {
		s := hosts()
		inner := s.Run
		s.Run = func(ctx context.Context, sc *StepContext) error {
			sc.Unknown(errors.New("denied"), Unknown{Type: "host", Properties: props})
			return inner(ctx, sc)
		}
		return s
	}
	tolerant := exposure()
	tolerant.UnknownTolerated = []PropertyDecl{{Type: "host", Properties: []string{"owner", "ownerSince"}}}
	res := run(t, withUnknown("owner"), tolerant)
	if st := res.Steps[1]; st.Status != StatusSuccess || len(res.PartialTypes) != 0 {
		t.Errorf("tolerated: derived step %+v, partial %v; want success", st, res.PartialTypes)
	}
	res = run(t, withUnknown("owner", "tag.*"), tolerant)
	if st := res.Steps[1]; st.Status != StatusDependencyFailure {
		t.Errorf("one property not tolerated: derived step %+v; want it skipped", st)
	}
}

// A property the collection could not read (Unknown) makes a derived step's
// input incomplete there, unless the step reads that type by key only
// (KeyInputs); partial types always do.
func TestUnknownPropertiesOfKeyInputsDoNotCascade(t *testing.T) {
	withUnknownTag := hosts()
	inner := withUnknownTag.Run
	withUnknownTag.Run = func(ctx context.Context, sc *StepContext) error {
		sc.UnknownWhat(regionErr{"r2"}, "tags unknown", Unknown{Type: "host", Region: "r2", Properties: []string{"tag.*"}})
		return inner(ctx, sc)
	}
	res := run(t, withUnknownTag, exposure())
	if st := res.Steps[1]; st.Status != StatusDependencyFailure || len(res.PartialRegions["internet_allows_host"]) != 1 {
		t.Errorf("without KeyInputs: derived step %+v, partial %v; want r2 incomplete", st, res.PartialRegions)
	}
	if len(res.Warnings) != 1 || res.Warnings[0].Message != "denied in r2; tags unknown" || res.Warnings[0].Region != "r2" {
		t.Errorf("warnings %+v", res.Warnings)
	}

	byKey := exposure()
	byKey.KeyInputs = []string{"host"}
	res = run(t, withUnknownTag, byKey)
	if st := res.Steps[1]; st.Status != StatusSuccess || len(res.PartialTypes) != 0 {
		t.Errorf("KeyInputs: derived step %+v, partial %v; want success", st, res.PartialTypes)
	}
	if n := len(res.Job.RelationshipsOfType("internet_allows_host")); n != 2 {
		t.Errorf("%d derived relationships, want 2", n)
	}
	if res.Steps[0].Status != StatusPartial || len(res.Unknown) != 1 {
		t.Errorf("the unknown itself is kept: %+v %+v", res.Steps[0], res.Unknown)
	}

	res = run(t, hosts("r2"), byKey)
	if st := res.Steps[1]; st.Status != StatusDependencyFailure {
		t.Errorf("KeyInputs with a partial type: derived step %+v, want dependency failure", st)
	}
}

// A collection step reads AWS, not its dependencies' property values: an
// unknown property of a dependency (the account alias) leaves it a success;
// a partial type of the dependency still does not.
func TestUnknownPropertiesDoNotCascadeToCollectionSteps(t *testing.T) {
	withUnknownTag := hosts()
	inner := withUnknownTag.Run
	withUnknownTag.Run = func(ctx context.Context, sc *StepContext) error {
		sc.Unknown(regionErr{"r2"}, Unknown{Type: "host", Properties: []string{"alias"}})
		return inner(ctx, sc)
	}
	disks := Step{ID: "disks", DependsOn: []string{"hosts"}, Permissions: []string{"svc:ListDisks"},
		Entities: []EntityDecl{{Type: "disk"}},
		Run: func(ctx context.Context, sc *StepContext) error {
			return sc.AddEntity(graph.NewEntity("disk-one-key", "disk", []string{"Resource"}, "disk"))
		}}
	res := run(t, withUnknownTag, disks)
	if st := res.Steps[1]; st.Status != StatusSuccess || len(res.PartialTypes) != 0 {
		t.Errorf("collection step after an unknown property: %+v, partial %v; want success", st, res.PartialTypes)
	}
	res = run(t, hosts("r2"), disks)
	if st := res.Steps[1]; st.Status != StatusDependencyFailure {
		t.Errorf("collection step after a partial type: %+v, want dependency failure", st)
	}
}
