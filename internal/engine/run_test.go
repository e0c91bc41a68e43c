package engine

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/awsgraph/awsgraph/internal/graph"
)

func entityStep(id, typ string, deps []string, fail error) Step {
	return Step{
		ID: id, DependsOn: deps, Permissions: []string{"svc:Get"},
		Entities: []EntityDecl{{Type: typ, Class: []string{"Configuration"}}},
		Run: func(ctx context.Context, sc *StepContext) error {
			if fail != nil {
				return fail
			}
			return sc.AddEntity(graph.NewEntity("key-of-"+id+"-0001", typ, []string{"Configuration"}, id))
		},
	}
}

func TestFailureIsolationAndPartialTypes(t *testing.T) {
	denied := errors.New("AccessDenied")
	steps := []Step{
		entityStep("a", "type_a", nil, nil),
		entityStep("b", "type_b", nil, denied),
		entityStep("c", "type_c", []string{"b"}, nil),
		entityStep("d", "type_d", []string{"a"}, nil),
	}
	res, err := Run(context.Background(), NewJob(), steps, Options{
		DescribeError: func(err error) Failure { return Failure{Permission: "svc:Get", Reason: err.Error()} },
	})
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, r := range res.Steps {
		status[r.ID] = r.Status
	}
	want := map[string]string{"a": StatusSuccess, "b": StatusFailure, "c": StatusDependencyFailure, "d": StatusSuccess}
	for id, s := range want {
		if status[id] != s {
			t.Errorf("step %s status %s, want %s", id, status[id], s)
		}
	}
	if got := res.PartialTypes; len(got) != 2 || got[0] != "type_b" || got[1] != "type_c" {
		t.Errorf("partial types %v, want [type_b type_c]", got)
	}
	if len(res.Warnings) != 1 || res.Warnings[0].Permission != "svc:Get" {
		t.Errorf("warnings %+v", res.Warnings)
	}
	if len(res.Job.EntitiesOfType("type_c")) != 1 {
		t.Error("dependant of failed step did not run")
	}
}

func TestPartialWithinStep(t *testing.T) {
	s := Step{ID: "p", Entities: []EntityDecl{{Type: "t1"}, {Type: "t2"}},
		Run: func(ctx context.Context, sc *StepContext) error {
			sc.Partial(errors.New("region disabled"), "t1")
			return nil
		}}
	res, _ := Run(context.Background(), NewJob(), []Step{s}, Options{})
	if res.Steps[0].Status != StatusPartial || len(res.PartialTypes) != 1 || res.PartialTypes[0] != "t1" {
		t.Fatalf("%+v", res)
	}
}

func TestDependencyOrderAndConcurrency(t *testing.T) {
	var order []string
	var running, maxRunning int32
	mk := func(id string, deps ...string) Step {
		return Step{ID: id, DependsOn: deps, Run: func(ctx context.Context, sc *StepContext) error {
			n := atomic.AddInt32(&running, 1)
			for {
				m := atomic.LoadInt32(&maxRunning)
				if n <= m || atomic.CompareAndSwapInt32(&maxRunning, m, n) {
					break
				}
			}
			sc.Job.SetData(id, true)
			for _, d := range deps {
				if _, ok := sc.Job.Data(d); !ok {
					t.Errorf("%s ran before %s", id, d)
				}
			}
			atomic.AddInt32(&running, -1)
			return nil
		}}
	}
	steps := []Step{mk("x", "y", "z"), mk("y", "z"), mk("z"), mk("w")}
	if _, err := Run(context.Background(), NewJob(), steps, Options{Concurrency: 2}); err != nil {
		t.Fatal(err)
	}
	if maxRunning > 2 {
		t.Errorf("concurrency bound broken: %d", maxRunning)
	}
	_ = order
}

func TestValidateRejectsCyclesAndUnknownDeps(t *testing.T) {
	noop := func(ctx context.Context, sc *StepContext) error { return nil }
	if err := Validate([]Step{{ID: "a", DependsOn: []string{"b"}, Run: noop}, {ID: "b", DependsOn: []string{"a"}, Run: noop}}); err == nil {
		t.Error("cycle accepted")
	}
	if err := Validate([]Step{{ID: "a", DependsOn: []string{"nope"}, Run: noop}}); err == nil {
		t.Error("unknown dependency accepted")
	}
}

func TestDuplicateKeysAndDanglingRelationships(t *testing.T) {
	j := NewJob()
	e := graph.NewEntity("entity-key-001", "type_a", []string{"Configuration"}, "a")
	if err := j.AddEntity(e); err != nil {
		t.Fatal(err)
	}
	var dup *DuplicateKeyError
	if err := j.AddEntity(e); !errors.As(err, &dup) {
		t.Fatalf("duplicate entity accepted: %v", err)
	}
	r := graph.DirectByKey("entity-key-001", "type_a", "HAS", "missing-key-01", "type_b", nil)
	if err := j.AddRelationship(r); err == nil {
		t.Fatal("dangling relationship accepted")
	}
}

// Readers holding an entity never see it change under them: SetProperties
// copies on write, so a concurrent reader and updater do not race.
func TestSetPropertiesCopiesOnWrite(t *testing.T) {
	j := NewJob()
	if err := j.AddEntity(graph.NewEntity("entity-key-001", "type_a", []string{"Configuration"}, "a")); err != nil {
		t.Fatal(err)
	}
	held := j.EntitiesOfType("type_a")[0]
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 1000; i++ {
			j.SetProperties("entity-key-001", map[string]any{"n": i})
		}
	}()
	for i := 0; i < 1000; i++ {
		_ = held["n"]
		_ = len(held)
	}
	<-done
	if _, changed := held["n"]; changed {
		t.Fatal("the held entity was modified in place")
	}
	if got, _ := j.Entity("entity-key-001"); got["n"] != int64(999) {
		t.Fatalf("update lost: %v", got["n"])
	}
}
