// Package collector runs one integration instance end to end: validate the
// configuration, assume the role, pick the regions, run every step, and hand
// the graph to the sinks.
package collector

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/instance"
	"github.com/awsgraph/awsgraph/internal/sink"
)

// Options configure a collection.
type Options struct {
	Config      instance.Config
	EndpointURL string
	OutputDir   string // graph files; "" = none
	DBPath      string // SQLite store; "" = none
	// PostgresDSN, when set, stores the graph in PostgreSQL instead of the
	// SQLite store (DBPath is then ignored). It may hold a password: it is
	// never logged.
	PostgresDSN string
	// Store, when set, is a graph store the process shares between runs
	// (awsgraph org --run): used instead of DBPath and PostgresDSN, and left
	// open when the run ends. Its writes are scoped to the run's instance.
	Store Store
	// HistoryRuns is how many runs of the instance keep their change
	// records in the store (awsgraph diff); 0 = history.DefaultRuns.
	HistoryRuns int
	Logger      *slog.Logger
	// AWS holds connection overrides (tests: base credentials, retries).
	AWS awsclient.Options
	// OnStepStart and OnStepDone report progress; they may be called from
	// several goroutines.
	OnStepStart func(engine.Step)
	OnStepDone  func(engine.StepResult)
	// OnConnected is called once the role is assumed (progress shows its
	// API-call counter).
	OnConnected func(*awsclient.Session)
	// Steps overrides the step list (tests); nil means every step.
	Steps func(*awsclient.Session) []engine.Step
	// StepConcurrency bounds steps running at once; default 4.
	StepConcurrency int
	// StepTimeout bounds each step (0 = none): a step past it fails, its
	// types partial.
	StepTimeout time.Duration
}

// Summary is what a run reports: summary.json, the store's run record and
// the table the CLI prints.
type Summary struct {
	IntegrationInstanceID  string              `json:"integrationInstanceId"`
	AccountID              string              `json:"accountId"`
	Regions                []string            `json:"regions"`
	StartedOn              int64               `json:"startedOn"`
	EndedOn                int64               `json:"endedOn"`
	DurationMs             int64               `json:"durationMs"`
	IntegrationStepResults []engine.StepResult `json:"integrationStepResults"`
	Metadata               struct {
		PartialDatasets struct {
			Types []string `json:"types"`
			// Regions: types partial only in these regions (the others
			// were read whole).
			Regions map[string][]string `json:"regions,omitempty"`
			// Properties: values this run could not read; the previous
			// run's values were kept (stale) for the entities they name.
			Properties                  []engine.Unknown `json:"properties,omitempty"`
			EntitiesKeptFromPreviousRun int              `json:"entitiesWithValuesFromPreviousRun"`
		} `json:"partialDatasets"`
	} `json:"metadata"`
	EntityCounts       map[string]int   `json:"entityCounts"`
	RelationshipCounts map[string]int   `json:"relationshipCounts"`
	Warnings           []engine.Warning `json:"warnings"`
	APICalls           struct {
		Total       int            `json:"total"`
		ByOperation map[string]int `json:"byOperation"`
		// Concurrency is what the adaptive bound did per server
		// ("<service>@<region>", or "endpoint" for an emulator): where it
		// settled, the most requests in flight, throttling and pauses.
		Concurrency map[string]awsclient.AdaptiveStats `json:"concurrency,omitempty"`
	} `json:"apiCalls"`
}

// Outcome is a finished run.
type Outcome struct {
	Summary *Summary
	Result  *engine.Result
	Session *awsclient.Session
}

// Run collects one instance. Errors: *instance.ValidationError before any AWS
// call, *awsclient.AuthError / *awsclient.AccountMismatchError when the role
// cannot be assumed or is in the wrong account, and others for failures of the
// run itself (region discovery, sinks). Step failures are not errors: they are
// in the summary.
func Run(ctx context.Context, opts Options) (*Outcome, error) {
	start := time.Now()
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg := opts.Config
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	// Outputs are opened (and locked) before any AWS call: a store or a
	// directory that cannot be written fails now, not after the collection.
	outs, err := openOutputs(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer outs.Close()
	sess, err := connect(ctx, opts, log)
	if err != nil {
		return nil, err
	}
	stepsFn := opts.Steps
	if stepsFn == nil {
		stepsFn = AllSteps
	}
	job := engine.NewJob()
	res, err := engine.Run(ctx, job, stepsFn(sess), engine.Options{
		Concurrency: opts.StepConcurrency,
		StepTimeout: opts.StepTimeout,
		Logger:      log,
		OnStepStart: opts.OnStepStart,
		OnStepDone:  opts.OnStepDone,
		DescribeError: func(err error) engine.Failure {
			perm, region, reason := awsclient.Describe(err)
			return engine.Failure{Permission: perm, Region: region, Reason: reason, NotImplemented: awsclient.NotImplemented(err)}
		},
	})
	if err != nil {
		return nil, err
	}
	out := &Outcome{Result: res, Session: sess}
	if ctx.Err() != nil {
		// Interrupted: what the steps had read is incomplete in ways no
		// partial mark describes. Nothing is written; the outputs keep the
		// previous run.
		return out, &InterruptedError{Cause: context.Cause(ctx)}
	}
	return out, finish(ctx, cfg, outs, job, out, start)
}

// connect assumes the instance's role and settles the regions to collect:
// the configured ones, else every region the account has enabled.
func connect(ctx context.Context, opts Options, log *slog.Logger) (*awsclient.Session, error) {
	cfg := opts.Config
	awsOpts := opts.AWS
	awsOpts.RoleArn = cfg.RoleArn
	awsOpts.ExternalID = cfg.ExternalID.Reveal()
	awsOpts.SessionName = cfg.SessionName
	if opts.EndpointURL != "" {
		awsOpts.EndpointURL = opts.EndpointURL
	}
	log.Info("assuming role", "roleArn", cfg.RoleArn)
	sess, err := awsclient.Connect(ctx, awsOpts, cfg.Partition(), cfg.AccountID)
	if err != nil {
		return nil, err
	}
	log.Info("role assumed", "accountId", sess.AccountID)
	sess.ServiceControlPolicies = cfg.ServiceControlPolicies
	if opts.OnConnected != nil {
		opts.OnConnected(sess)
	}
	if len(cfg.Regions) > 0 {
		sess.Regions = cfg.Regions
	} else {
		regions, err := sess.EnabledRegions(ctx, instance.KnownRegions[cfg.Partition()])
		if err != nil {
			perm, _, reason := awsclient.Describe(err)
			return nil, fmt.Errorf("listing the account's enabled regions failed (%s %s): pass the regions to collect with --regions, or allow ec2:DescribeRegions", perm, reason)
		}
		sess.Regions = regions
	}
	log.Info("regions", "regions", sess.Regions)
	return sess, nil
}

// finish keeps from the previous run what this one could not read, builds
// the summary and writes the outputs.
func finish(ctx context.Context, cfg instance.Config, outs *outputs, job *engine.Job, out *Outcome, start time.Time) error {
	res := out.Result
	prev, err := outs.previous(ctx, cfg.InstanceID(), engine.UnknownTypes(res.Unknown))
	if err != nil {
		return err
	}
	kept := job.CarryOver(res.Unknown, prev)
	out.Summary = summarize(cfg, out.Session, res, start, time.Now())
	out.Summary.Metadata.PartialDatasets.Regions = res.PartialRegions
	out.Summary.Metadata.PartialDatasets.Properties = res.Unknown
	out.Summary.Metadata.PartialDatasets.EntitiesKeptFromPreviousRun = kept
	snap := &sink.Snapshot{
		InstanceID: cfg.InstanceID(),
		// The sinks decode one object at a time from the job.
		Source:         job,
		PartialTypes:   res.PartialTypes,
		PartialRegions: res.PartialRegions,
		Summary:        out.Summary,
	}
	for _, s := range res.Steps {
		snap.DeclaredTypes = append(snap.DeclaredTypes, s.DeclaredTypes...)
	}
	if err := outs.write(ctx, snap); err != nil {
		return err
	}
	return outs.Close()
}

// InterruptedError is a run stopped by its context (a signal): nothing was
// written.
type InterruptedError struct{ Cause error }

func (e *InterruptedError) Error() string {
	return fmt.Sprintf("interrupted (%v): nothing was written; the graph files and the store keep the previous run", e.Cause)
}

func (e *InterruptedError) Unwrap() error { return e.Cause }

func summarize(cfg instance.Config, sess *awsclient.Session, res *engine.Result, start, end time.Time) *Summary {
	s := &Summary{
		IntegrationInstanceID:  cfg.InstanceID(),
		AccountID:              sess.AccountID,
		Regions:                sess.Regions,
		StartedOn:              start.UnixMilli(),
		EndedOn:                end.UnixMilli(),
		DurationMs:             end.Sub(start).Milliseconds(),
		IntegrationStepResults: res.Steps,
		Warnings:               res.Warnings,
	}
	s.Metadata.PartialDatasets.Types = append([]string{}, res.PartialTypes...)
	s.EntityCounts, s.RelationshipCounts = res.Job.TypeCounts()
	s.APICalls.ByOperation = sess.Calls.Snapshot()
	s.APICalls.Total = sess.Calls.Total()
	if st := sess.Adaptive.Stats(); len(st) > 0 {
		s.APICalls.Concurrency = st
	}
	sort.Slice(s.Warnings, func(i, j int) bool {
		if s.Warnings[i].Step != s.Warnings[j].Step {
			return s.Warnings[i].Step < s.Warnings[j].Step
		}
		return s.Warnings[i].Message < s.Warnings[j].Message
	})
	return s
}
