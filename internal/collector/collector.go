// Package collector runs one integration instance end to end: validate the
// configuration, assume the role, pick the regions, run every step, and hand
// the graph to the sinks.
package collector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/instance"
	"github.com/awsgraph/awsgraph/internal/sink"
	"github.com/awsgraph/awsgraph/internal/sink/j1files"
	"github.com/awsgraph/awsgraph/internal/sink/postgres"
	"github.com/awsgraph/awsgraph/internal/sink/sqlite"
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
		} `json:"partialDatasets"`
	} `json:"metadata"`
	EntityCounts       map[string]int   `json:"entityCounts"`
	RelationshipCounts map[string]int   `json:"relationshipCounts"`
	Warnings           []engine.Warning `json:"warnings"`
	APICalls           struct {
		Total       int            `json:"total"`
		ByOperation map[string]int `json:"byOperation"`
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
	var pg *postgres.Store
	if opts.PostgresDSN != "" {
		// Connect before any AWS call: an unreachable store fails fast.
		var err error
		if pg, err = postgres.Open(ctx, opts.PostgresDSN); err != nil {
			return nil, err
		}
		defer pg.Close() // idempotent; the sink loop closes it after writing
	}
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

	stepsFn := opts.Steps
	if stepsFn == nil {
		stepsFn = AllSteps
	}
	job := engine.NewJob()
	res, err := engine.Run(ctx, job, stepsFn(sess), engine.Options{
		Concurrency: opts.StepConcurrency,
		Logger:      log,
		OnStepStart: opts.OnStepStart,
		OnStepDone:  opts.OnStepDone,
		DescribeError: func(err error) engine.Failure {
			perm, region, reason := awsclient.Describe(err)
			return engine.Failure{Permission: perm, Region: region, Reason: reason}
		},
	})
	if err != nil {
		return nil, err
	}
	end := time.Now()
	sum := summarize(cfg, sess, res, start, end)
	snap := &sink.Snapshot{
		InstanceID:       cfg.InstanceID(),
		Entities:         job.Entities(),
		Relationships:    job.Relationships(),
		EntityStep:       job.EntityOwner,
		RelationshipStep: job.RelationshipOwner,
		PartialTypes:     res.PartialTypes,
		Summary:          sum,
	}
	for _, s := range res.Steps {
		snap.DeclaredTypes = append(snap.DeclaredTypes, s.DeclaredTypes...)
	}
	var sinks []sink.Sink
	if opts.OutputDir != "" {
		sinks = append(sinks, j1files.New(opts.OutputDir))
	}
	switch {
	case pg != nil:
		sinks = append(sinks, pg)
	case opts.DBPath != "":
		st, err := sqlite.Open(opts.DBPath)
		if err != nil {
			return nil, err
		}
		sinks = append(sinks, st)
	}
	var sinkErr error
	for _, s := range sinks {
		if err := s.Write(ctx, snap); err != nil {
			sinkErr = errors.Join(sinkErr, err)
		}
		if err := s.Close(); err != nil {
			sinkErr = errors.Join(sinkErr, err)
		}
	}
	out := &Outcome{Summary: sum, Result: res, Session: sess}
	if sinkErr != nil {
		return out, fmt.Errorf("writing the graph: %w", sinkErr)
	}
	return out, nil
}

func summarize(cfg instance.Config, sess *awsclient.Session, res *engine.Result, start, end time.Time) *Summary {
	s := &Summary{
		IntegrationInstanceID:  cfg.InstanceID(),
		AccountID:              sess.AccountID,
		Regions:                sess.Regions,
		StartedOn:              start.UnixMilli(),
		EndedOn:                end.UnixMilli(),
		DurationMs:             end.Sub(start).Milliseconds(),
		IntegrationStepResults: res.Steps,
		EntityCounts:           map[string]int{},
		RelationshipCounts:     map[string]int{},
		Warnings:               res.Warnings,
	}
	s.Metadata.PartialDatasets.Types = append([]string{}, res.PartialTypes...)
	for _, e := range res.Job.Entities() {
		s.EntityCounts[e.Type()]++
	}
	for _, r := range res.Job.Relationships() {
		s.RelationshipCounts[r.Type()]++
	}
	s.APICalls.ByOperation = sess.Calls.Snapshot()
	s.APICalls.Total = sess.Calls.Total()
	sort.Slice(s.Warnings, func(i, j int) bool {
		if s.Warnings[i].Step != s.Warnings[j].Step {
			return s.Warnings[i].Step < s.Warnings[j].Step
		}
		return s.Warnings[i].Message < s.Warnings[j].Message
	})
	return s
}
