package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
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
	// Kind is KindNotImplemented for an operation the endpoint does not
	// implement (an emulator), else "". The data is as incomplete as for
	// any other failure; only the cause differs.
	Kind string `json:"kind,omitempty"`
}

// KindNotImplemented marks a warning whose cause is an endpoint that lacks
// the operation (Failure.NotImplemented).
const KindNotImplemented = "endpointNotImplemented"

// Failure describes why an error stopped some collection.
type Failure struct {
	Permission string // the `service:Action` that was refused, when known
	Region     string
	Reason     string // short human reason: "access denied", "throttled", ...
	// NotImplemented: the endpoint does not implement the operation (an
	// emulator); Reason says so.
	NotImplemented bool
}

// StepResult is the outcome of one step, as written to summary.json.
type StepResult struct {
	ID               string   `json:"id"`
	Name             string   `json:"name"`
	Status           string   `json:"status"`
	DeclaredTypes    []string `json:"declaredTypes"`
	EncounteredTypes []string `json:"encounteredTypes"`
	PartialTypes     []string `json:"partialTypes,omitempty"`
	// PartialRegions holds the partial types that are partial only in some
	// regions (a type partial everywhere is not in it).
	PartialRegions map[string][]string `json:"partialRegions,omitempty"`
	// Unknown are the property values this step could not read.
	Unknown   []Unknown      `json:"unknownProperties,omitempty"`
	DependsOn []string       `json:"dependsOn,omitempty"`
	Error     string         `json:"error,omitempty"`
	Metrics   map[string]int `json:"metrics,omitempty"`
	// Details are named lists of distinct values behind some metrics (the
	// action names a metric counts, ...), each sorted.
	Details    map[string][]string `json:"details,omitempty"`
	DurationMs int64               `json:"durationMs"`
}

// Result is the outcome of a run.
type Result struct {
	Steps []StepResult
	// PartialTypes are partial somewhere; PartialRegions those partial only
	// in the listed regions.
	PartialTypes   []string
	PartialRegions map[string][]string
	// Unknown are the property values no step could read; CarryOver puts
	// the previous run's values back before any sink writes.
	Unknown  []Unknown
	Warnings []Warning
	Job      *Job
}

// Options tune a run.
type Options struct {
	Concurrency int // steps running at once; default 4
	// StepTimeout bounds each step's run (0 = none): a step past it fails,
	// its types partial, and the run goes on.
	StepTimeout time.Duration
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
	partial     partialSet
	unknown     []Unknown
	metrics     map[string]int
	details     map[string][]string
	// incomplete is where a derived step's inputs are partial: it writes
	// nothing about entities of these regions (see keep).
	incomplete scope
	dropped    int
}

// AddEntity adds an entity to the job and records its type as encountered.
func (sc *StepContext) AddEntity(e graph.Entity) error {
	if !sc.keep(e.String("region")) {
		return nil
	}
	if err := sc.Job.addEntity(sc.Step.ID, e); err != nil {
		return err
	}
	sc.encounter(e.Type())
	return nil
}

// AddRelationship adds a relationship to the job and records its type.
func (sc *StepContext) AddRelationship(r graph.Relationship) error {
	if !sc.keepRelationship(r) {
		return nil
	}
	if err := sc.Job.addRelationship(sc.Step.ID, r); err != nil {
		return err
	}
	sc.encounter(r.Type())
	return nil
}

// AddRelationshipOnce adds r unless its key is already present.
func (sc *StepContext) AddRelationshipOnce(r graph.Relationship) error {
	if !sc.keepRelationship(r) {
		return nil
	}
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
// partial — in err's region when it names one (DescribeError), else
// everywhere — and a warning names the missing permission. The step goes on.
func (sc *StepContext) Partial(err error, types ...string) {
	if len(types) == 0 {
		types = sc.Step.DeclaredTypes()
	}
	f := sc.run.describe(err)
	sc.mu.Lock()
	for _, t := range types {
		sc.partial.add(t, f.Region)
	}
	sc.mu.Unlock()
	sc.run.warnFailure(sc.Step, f, types)
}

// Unknown records property values the step could not read because of err
// (each u.Step is filled in): the sinks keep the previous run's values
// instead. One warning names err's permission; the types are not made
// partial, as their objects are all known.
func (sc *StepContext) Unknown(err error, us ...Unknown) {
	sc.UnknownWhat(err, "", us...)
}

// UnknownWhat is Unknown whose warning also says what is unknown (what, after
// the reason), as Degraded does.
func (sc *StepContext) UnknownWhat(err error, what string, us ...Unknown) {
	f := sc.run.describe(err)
	if what != "" {
		f.Reason += "; " + what
	}
	var types []string
	sc.mu.Lock()
	for _, u := range us {
		u.Step = sc.Step.ID
		if !recorded(sc.unknown, u) {
			sc.unknown = append(sc.unknown, u)
		}
		if !slices.Contains(types, u.Type) {
			types = append(types, u.Type)
		}
		if f.Region == "" && len(us) == 1 {
			f.Region = u.Region
		}
	}
	sc.mu.Unlock()
	sort.Strings(types)
	sc.run.warnFailure(sc.Step, f, types)
}

// KeepPrevious records unknown values whose cause another step has already
// reported (a derived step that inherits a missing field): the sinks keep
// the previous run's values, and no second warning is given.
func (sc *StepContext) KeepPrevious(us ...Unknown) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	for _, u := range us {
		u.Step = sc.Step.ID
		if !recorded(sc.unknown, u) {
			sc.unknown = append(sc.unknown, u)
		}
	}
}

// SetProperties sets derived properties on an entity another step added
// (see Job.SetProperties), unless the step's inputs are incomplete in the
// entity's region.
func (sc *StepContext) SetProperties(key string, props map[string]any) bool {
	e, ok := sc.Job.Entity(key)
	if !ok || !sc.keep(e.String("region")) {
		return false
	}
	return sc.Job.SetProperties(key, props)
}

// InputsIncomplete reports whether a dependency of this derived step left
// its inputs partial in some region (the step then writes nothing about
// that region's entities; global results that depend on regional data must
// not be derived either).
func (sc *StepContext) InputsIncomplete() bool { return len(sc.incomplete) > 0 }

// keep reports whether a derived object of this region may be written: not
// when the step's inputs are partial there.
func (sc *StepContext) keep(region string) bool {
	if len(sc.incomplete) == 0 || (region != "" && !sc.incomplete[region]) {
		return true
	}
	if region == "" && !sc.incomplete.all() {
		return true // global objects (the Internet, IAM) need every region only when partial everywhere
	}
	sc.mu.Lock()
	sc.dropped++
	sc.mu.Unlock()
	return false
}

// keepRelationship applies keep to the region of the relationship's source
// entity, or of its target when the source is global.
func (sc *StepContext) keepRelationship(r graph.Relationship) bool {
	if len(sc.incomplete) == 0 {
		return true
	}
	region := ""
	for _, k := range []string{r.FromKey(), r.ToKey()} {
		if e, ok := sc.Job.Entity(k); ok && region == "" {
			region = e.String("region")
		}
	}
	return sc.keep(region)
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

// Detail adds values (duplicates are dropped) to a named list reported in
// the summary with the step's metrics: what a count counts, when the user
// may want the names.
func (sc *StepContext) Detail(name string, values ...string) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.details == nil {
		sc.details = map[string][]string{}
	}
	for _, v := range values {
		if !slices.Contains(sc.details[name], v) {
			sc.details[name] = append(sc.details[name], v)
		}
	}
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

func (rs *runState) describe(err error) Failure {
	if rs.opts.DescribeError != nil {
		return rs.opts.DescribeError(err)
	}
	return Failure{Reason: err.Error()}
}

func (rs *runState) warn(step Step, err error, types []string) {
	rs.warnFailure(step, rs.describe(err), types)
}

func (rs *runState) warnFailure(step Step, f Failure, types []string) {
	msg := f.Reason
	kind := ""
	switch {
	case f.NotImplemented:
		kind = KindNotImplemented // the reason names the operation
	case f.Permission != "" && strings.Contains(f.Reason, "denied"):
		msg = fmt.Sprintf("missing permission %s: %s", f.Permission, f.Reason)
	case f.Permission != "":
		msg = fmt.Sprintf("%s failed: %s", f.Permission, f.Reason) // throttled, unavailable: not a permission
	}
	rs.addWarning(Warning{Step: step.ID, Permission: f.Permission, Region: f.Region, Types: types, Message: msg, Kind: kind})
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
// When ctx is cancelled, steps not yet started are not run (they fail with
// ctx's error) and running steps see the cancellation.
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
	partials := make([]partialSet, len(steps))
	unknowns := make([][]Unknown, len(steps))
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
			// A dependency's result is final once its done channel is closed.
			in := dependencyInput{partial: partialSet{}}
			for _, d := range s.DependsOn {
				r := results[index[d]]
				got := s.inputFrom(partials[index[d]], unknowns[index[d]])
				if len(got) > 0 || (r.Status != StatusSuccess && r.Status != StatusPartial) {
					in.failed = true
				}
				in.partial.merge(got)
			}
			sem <- struct{}{}
			if opts.OnStepStart != nil {
				opts.OnStepStart(s)
			}
			results[i], partials[i], unknowns[i] = runStep(ctx, job, s, rs, in)
			<-sem
			if opts.OnStepDone != nil {
				opts.OnStepDone(results[i])
			}
		}()
	}
	wg.Wait()

	all := partialSet{}
	res := &Result{Steps: results, Warnings: rs.warnings, Job: job}
	for i, r := range results {
		for _, t := range r.PartialTypes {
			if regions, ok := r.PartialRegions[t]; ok {
				for _, reg := range regions {
					all.add(t, reg)
				}
			} else {
				all.add(t, allRegions)
			}
		}
		res.Unknown = append(res.Unknown, unknowns[i]...)
	}
	res.PartialTypes = all.types()
	res.PartialRegions = all.regional()
	return res, nil
}

// dependencyInput is what a step's dependencies left incomplete.
type dependencyInput struct {
	failed  bool       // some dependency did not fully succeed
	partial partialSet // the types they left partial, and where
}

// derived reports whether a step reads only the graph (it calls no AWS API):
// its outputs are only as complete as its inputs.
func (s Step) derived() bool { return len(s.Permissions) == 0 }

func runStep(ctx context.Context, job *Job, s Step, rs *runState, in dependencyInput) (StepResult, partialSet, []Unknown) {
	start := time.Now()
	sc := &StepContext{
		Job: job, Step: s, run: rs,
		Log:         rs.opts.Logger.With("step", s.ID),
		encountered: map[string]bool{}, partial: partialSet{}, metrics: map[string]int{},
	}
	res := StepResult{ID: s.ID, Name: s.Name, DeclaredTypes: s.DeclaredTypes(), DependsOn: s.DependsOn}
	inputScope := in.partial.regions()
	if in.failed && len(inputScope) == 0 {
		inputScope = scope{allRegions: true} // a dependency failed without naming types
	}
	var err error
	switch {
	case ctx.Err() != nil:
		err = fmt.Errorf("not started: %w", ctx.Err())
	case s.derived() && inputScope.all():
		// Nothing it would derive could be trusted: it keeps the last good run's.
		sc.Log.Debug("step skipped: its inputs are partial")
	default:
		if s.derived() {
			sc.incomplete = inputScope
		}
		err = callStep(ctx, s, sc, rs.opts.StepTimeout)
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	switch {
	case err != nil:
		res.Status = StatusFailure
		res.Error = err.Error()
		for _, t := range res.DeclaredTypes {
			sc.partial.add(t, allRegions)
		}
		rs.warn(s, err, res.DeclaredTypes)
		sc.Log.Warn("step failed", "error", err)
	case in.failed:
		res.Status = StatusDependencyFailure
		for _, t := range res.DeclaredTypes {
			for r := range inputScope {
				sc.partial.add(t, r)
			}
		}
	case len(sc.partial) > 0 || len(sc.unknown) > 0:
		res.Status = StatusPartial
	default:
		res.Status = StatusSuccess
	}
	// A step that only recorded Unknowns has said itself what it could not
	// read; otherwise its declared properties are unknown where it failed.
	if res.Status != StatusSuccess && (res.Status != StatusPartial || len(sc.partial) > 0) {
		for _, u := range declaredUnknowns(s, sc.partial.regions()) {
			if !recorded(sc.unknown, u) {
				sc.unknown = append(sc.unknown, u)
			}
		}
	}
	sc.report(&res, rs)
	res.DurationMs = time.Since(start).Milliseconds()
	sc.Log.Debug("step finished", "status", res.Status, "ms", res.DurationMs)
	// Dependants see this step's unknown values as partial input too
	// (Step.inputFrom).
	return res, sc.partial, sc.unknown
}

// report copies what the step recorded into its result (types met, partial
// types and regions, unknowns, metrics, details), warning about any type it
// produced without declaring it. sc.mu is held.
func (sc *StepContext) report(res *StepResult, rs *runState) {
	declared := map[string]bool{}
	for _, t := range res.DeclaredTypes {
		declared[t] = true
	}
	for t := range sc.encountered {
		res.EncounteredTypes = append(res.EncounteredTypes, t)
		if !declared[t] {
			rs.addWarning(Warning{Step: sc.Step.ID, Types: []string{t}, Message: fmt.Sprintf("step produced undeclared type %s", t)})
		}
	}
	sort.Strings(res.EncounteredTypes)
	res.PartialTypes = sc.partial.types()
	res.PartialRegions = sc.partial.regional()
	res.Unknown = sc.unknown
	if sc.dropped > 0 {
		sc.metrics["notWrittenForPartialInput"] = sc.dropped
	}
	if len(sc.metrics) > 0 {
		res.Metrics = sc.metrics
	}
	for _, vs := range sc.details {
		sort.Strings(vs)
	}
	if len(sc.details) > 0 {
		res.Details = sc.details
	}
}

// callStep runs the step with its deadline, turning a panic into an error.
func callStep(ctx context.Context, s Step, sc *StepContext, timeout time.Duration) (err error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, timeout, fmt.Errorf("step %s ran past its %s deadline", s.ID, timeout))
		defer cancel()
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("step panicked: %v\n%s", p, debug.Stack())
		}
	}()
	err = s.Run(ctx, sc)
	if cause := context.Cause(ctx); ctx.Err() != nil && cause != ctx.Err() {
		switch {
		case err == nil:
			err = cause // the deadline passed and the step swallowed it
		case !errors.Is(err, cause):
			err = fmt.Errorf("%v: %w", cause, err) // say which deadline
		}
	}
	return err
}

// recorded reports whether us already holds u.
func recorded(us []Unknown, u Unknown) bool {
	for _, o := range us {
		if o.Type == u.Type && o.Region == u.Region && slices.Equal(o.Keys, u.Keys) && slices.Equal(o.Properties, u.Properties) {
			return true
		}
	}
	return false
}

// declaredUnknowns are the derived properties a step declares, unknown
// where the step could not compute them.
func declaredUnknowns(s Step, where scope) []Unknown {
	if len(where) == 0 {
		where = scope{allRegions: true}
	}
	var out []Unknown
	for _, d := range s.Properties {
		for _, r := range sortedSet(where) {
			if where.all() && r != allRegions {
				continue
			}
			out = append(out, Unknown{Step: s.ID, Type: d.Type, Region: r, Properties: d.Properties})
		}
	}
	return out
}
