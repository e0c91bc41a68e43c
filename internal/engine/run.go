package engine

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"github.com/awsgraph/awsgraph/internal/graph"
)

// Step statuses, as in the JupiterOne SDK's step results.
const (
	StatusSuccess           = "success"
	StatusFailure           = "failure"
	StatusPartial           = "partial_success"
	StatusDependencyFailure = "partial_success_due_to_dependency_failure"
)

// Warning is something the user must know about a run: a missing permission,
// a skipped region, data that could not be mapped.
type Warning struct {
	Step       string   `json:"step"`
	Permission string   `json:"permission,omitempty"`
	Region     string   `json:"region,omitempty"`
	Types      []string `json:"types,omitempty"`
	Message    string   `json:"message"`
}

// Failure describes why an error stopped some collection.
type Failure struct {
	Permission string // the `service:Action` that was refused, when known
	Region     string
	Reason     string // short human reason: "access denied", "throttled", ...
}

// StepResult is the outcome of one step, as written to summary.json.
type StepResult struct {
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	Status           string         `json:"status"`
	DeclaredTypes    []string       `json:"declaredTypes"`
	EncounteredTypes []string       `json:"encounteredTypes"`
	PartialTypes     []string       `json:"partialTypes,omitempty"`
	DependsOn        []string       `json:"dependsOn,omitempty"`
	Error            string         `json:"error,omitempty"`
	Metrics          map[string]int `json:"metrics,omitempty"`
	DurationMs       int64          `json:"durationMs"`
}

// Result is the outcome of a run.
type Result struct {
	Steps        []StepResult
	PartialTypes []string
	Warnings     []Warning
	Job          *Job
}

// Options tune a run.
type Options struct {
	Concurrency int // steps running at once; default 4
	Logger      *slog.Logger
	// DescribeError explains an error in the user's terms (which permission,
	// which region). The engine knows nothing of AWS; the caller does.
	DescribeError func(error) Failure
	// OnStepStart is called as each step starts running (progress display).
	OnStepStart func(Step)
	// OnStepDone is called as each step finishes (progress display).
	OnStepDone func(StepResult)
}

// StepContext is what a running step sees.
type StepContext struct {
	Job  *Job
	Step Step
	Log  *slog.Logger

	run         *runState
	mu          sync.Mutex
	encountered map[string]bool
	partial     map[string]bool
	metrics     map[string]int
}

// AddEntity adds an entity to the job and records its type as encountered.
func (sc *StepContext) AddEntity(e graph.Entity) error {
	if err := sc.Job.addEntity(sc.Step.ID, e); err != nil {
		return err
	}
	sc.encounter(e.Type())
	return nil
}

// AddRelationship adds a relationship to the job and records its type.
func (sc *StepContext) AddRelationship(r graph.Relationship) error {
	if err := sc.Job.addRelationship(sc.Step.ID, r); err != nil {
		return err
	}
	sc.encounter(r.Type())
	return nil
}

// AddRelationshipOnce adds r unless its key is already present.
func (sc *StepContext) AddRelationshipOnce(r graph.Relationship) error {
	added, err := sc.Job.addRelationshipOnce(sc.Step.ID, r)
	if added {
		sc.encounter(r.Type())
	}
	return err
}

func (sc *StepContext) encounter(t string) {
	sc.mu.Lock()
	sc.encountered[t] = true
	sc.mu.Unlock()
}

// Partial records that part of the step's data could not be read because of
// err: the given types (all the step's declared types when none are given) are
// partial, and a warning names the missing permission. The step goes on.
func (sc *StepContext) Partial(err error, types ...string) {
	if len(types) == 0 {
		types = sc.Step.DeclaredTypes()
	}
	sc.mu.Lock()
	for _, t := range types {
		sc.partial[t] = true
	}
	sc.mu.Unlock()
	sc.run.warn(sc.Step, err, types)
}

// Warn records a warning that does not make any type partial.
func (sc *StepContext) Warn(msg string) {
	sc.run.addWarning(Warning{Step: sc.Step.ID, Message: msg})
}

// Count adds n to a named step metric reported in the summary (for example
// rules that could not be mapped).
func (sc *StepContext) Count(metric string, n int) {
	sc.mu.Lock()
	sc.metrics[metric] += n
	sc.mu.Unlock()
}

type runState struct {
	opts     Options
	mu       sync.Mutex
	warnings []Warning
}

func (rs *runState) addWarning(w Warning) {
	rs.mu.Lock()
	rs.warnings = append(rs.warnings, w)
	rs.mu.Unlock()
}

func (rs *runState) warn(step Step, err error, types []string) {
	f := Failure{Reason: err.Error()}
	if rs.opts.DescribeError != nil {
		f = rs.opts.DescribeError(err)
	}
	msg := f.Reason
	if f.Permission != "" {
		msg = fmt.Sprintf("missing permission %s: %s", f.Permission, f.Reason)
	}
	rs.addWarning(Warning{Step: step.ID, Permission: f.Permission, Region: f.Region, Types: types, Message: msg})
}

// Validate checks step ids are unique and every dependency exists, without cycles.
func Validate(steps []Step) error {
	byID := map[string]Step{}
	for _, s := range steps {
		if s.ID == "" || s.Run == nil {
			return fmt.Errorf("step %q: id and Run are required", s.ID)
		}
		if _, dup := byID[s.ID]; dup {
			return fmt.Errorf("step %q declared twice", s.ID)
		}
		byID[s.ID] = s
	}
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(id string, path []string) error
	visit = func(id string, path []string) error {
		switch state[id] {
		case 1:
			return fmt.Errorf("step dependency cycle: %v", append(path, id))
		case 2:
			return nil
		}
		state[id] = 1
		for _, d := range byID[id].DependsOn {
			if _, ok := byID[d]; !ok {
				return fmt.Errorf("step %q depends on unknown step %q", id, d)
			}
			if err := visit(d, append(path, id)); err != nil {
				return err
			}
		}
		state[id] = 2
		return nil
	}
	for _, s := range steps {
		if err := visit(s.ID, nil); err != nil {
			return err
		}
	}
	return nil
}

// Run executes the steps on job. It never fails because a step failed: step
// failures are recorded in the result. It fails only for an invalid step graph.
func Run(ctx context.Context, job *Job, steps []Step, opts Options) (*Result, error) {
	if err := Validate(steps); err != nil {
		return nil, err
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	rs := &runState{opts: opts}
	done := map[string]chan struct{}{}
	index := map[string]int{}
	for i, s := range steps {
		done[s.ID] = make(chan struct{})
		index[s.ID] = i
	}
	results := make([]StepResult, len(steps))
	sem := make(chan struct{}, opts.Concurrency)
	var wg sync.WaitGroup
	for i, s := range steps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[s.ID])
			for _, d := range s.DependsOn {
				<-done[d]
			}
			depFailed := false
			for _, d := range s.DependsOn {
				// A dependency's result is final once its done channel is closed.
				if results[index[d]].Status != StatusSuccess {
					depFailed = true
				}
			}
			sem <- struct{}{}
			if opts.OnStepStart != nil {
				opts.OnStepStart(s)
			}
			results[i] = runStep(ctx, job, s, rs, depFailed)
			<-sem
			if opts.OnStepDone != nil {
				opts.OnStepDone(results[i])
			}
		}()
	}
	wg.Wait()

	partial := map[string]bool{}
	for _, r := range results {
		for _, t := range r.PartialTypes {
			partial[t] = true
		}
	}
	res := &Result{Steps: results, Warnings: rs.warnings, Job: job}
	for t := range partial {
		res.PartialTypes = append(res.PartialTypes, t)
	}
	sort.Strings(res.PartialTypes)
	return res, nil
}

func runStep(ctx context.Context, job *Job, s Step, rs *runState, depFailed bool) (res StepResult) {
	start := time.Now()
	sc := &StepContext{
		Job: job, Step: s, run: rs,
		Log:         rs.opts.Logger.With("step", s.ID),
		encountered: map[string]bool{}, partial: map[string]bool{}, metrics: map[string]int{},
	}
	res = StepResult{ID: s.ID, Name: s.Name, DeclaredTypes: s.DeclaredTypes(), DependsOn: s.DependsOn}
	sc.Log.Debug("step started")
	err := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("step panicked: %v\n%s", p, debug.Stack())
			}
		}()
		return s.Run(ctx, sc)
	}()
	sc.mu.Lock()
	defer sc.mu.Unlock()
	switch {
	case err != nil:
		res.Status = StatusFailure
		res.Error = err.Error()
		for _, t := range res.DeclaredTypes {
			sc.partial[t] = true
		}
		rs.warn(s, err, res.DeclaredTypes)
		sc.Log.Warn("step failed", "error", err)
	case depFailed:
		res.Status = StatusDependencyFailure
		for _, t := range res.DeclaredTypes {
			sc.partial[t] = true
		}
	case len(sc.partial) > 0:
		res.Status = StatusPartial
	default:
		res.Status = StatusSuccess
	}
	declared := map[string]bool{}
	for _, t := range res.DeclaredTypes {
		declared[t] = true
	}
	for t := range sc.encountered {
		res.EncounteredTypes = append(res.EncounteredTypes, t)
		if !declared[t] {
			rs.addWarning(Warning{Step: s.ID, Types: []string{t}, Message: fmt.Sprintf("step produced undeclared type %s", t)})
		}
	}
	sort.Strings(res.EncounteredTypes)
	for t := range sc.partial {
		res.PartialTypes = append(res.PartialTypes, t)
	}
	sort.Strings(res.PartialTypes)
	if len(sc.metrics) > 0 {
		res.Metrics = sc.metrics
	}
	res.DurationMs = time.Since(start).Milliseconds()
	sc.Log.Debug("step finished", "status", res.Status, "ms", res.DurationMs)
	return res
}
