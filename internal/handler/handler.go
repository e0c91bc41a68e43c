// Package handler is the one function every transport calls: it takes one
// integration-instance event and runs it end to end — validate, assume the
// role, collect, write the configured sinks (PostgreSQL or SQLite, graph
// files, an upload to JupiterOne) — and says how it ended. The Lambda
// function (direct and SQS events), the queue worker and the CLI differ only
// in how the event arrives and what they do with the outcome.
package handler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"regexp"
	"sync"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/collector"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/instance"
	"github.com/awsgraph/awsgraph/internal/settings"
	"github.com/awsgraph/awsgraph/internal/sink/jupiterone"
)

// Status is how one instance's run ended.
type Status string

// The statuses. Succeeded and Partial are done: a queue deletes their
// message. The others are failures: the message goes back to the queue, is
// retried, and after the queue's redrive count lands in its dead-letter
// queue, where an operator sees it. An invalid event is a failure too, not
// dropped: it can never succeed, and the dead-letter queue is where a bad
// producer is noticed.
const (
	Succeeded   Status = "succeeded"   // every step read what it needed
	Partial     Status = "partial"     // written, with some types partial (not a failure)
	Invalid     Status = "invalid"     // the event or its configuration is malformed; nothing was called
	AuthFailed  Status = "authFailed"  // AssumeRole was refused, or the role is in another account
	Failed      Status = "failed"      // the run failed (store, regions, no step read anything, upload)
	Interrupted Status = "interrupted" // stopped by shutdown before writing; nothing was written
)

// Result is one run's outcome.
type Result struct {
	InstanceID string
	Status     Status
	Summary    *collector.Summary // nil when nothing was collected
	Err        error
}

// Done reports whether the instance finished (success or partial): the
// only outcomes after which a queue message may be deleted.
func (r Result) Done() bool { return r.Status == Succeeded || r.Status == Partial }

// Handler runs instance events with one configuration.
type Handler struct {
	Settings settings.Settings
	Logger   *slog.Logger
	// AWS overrides connection options (tests: base credentials, retries).
	// Its RateLimit is the per-instance pacing; zero means
	// awsclient.DefaultRateLimit, a negative PerSecond none.
	AWS awsclient.Options
	// PerInstanceOutput writes each instance's graph files to its own
	// directory under Settings.OutputDir, for a process that runs many.
	PerInstanceOutput bool
	// Steps overrides the step list (tests).
	Steps func(*awsclient.Session) []engine.Step

	// sqlite serialises runs on a SQLite store: its file lock admits one
	// writer, and a second run in this process would be refused, not wait.
	sqlite sync.Mutex
}

// Check validates the configuration before any event is taken.
func (h *Handler) Check() error {
	if h.Settings.JupiterOne.Enabled() && h.Settings.OutputDir == "" {
		return errors.New("uploading to JupiterOne sends the graph files: set --output or " + settings.EnvOutput)
	}
	return nil
}

// Handle runs one raw event.
func (h *Handler) Handle(ctx context.Context, raw []byte) Result {
	ev, err := instance.ParseEvent(raw)
	if err != nil {
		return Result{Status: Invalid, Err: err}
	}
	return h.Run(ctx, ev.Config)
}

// Run runs one instance's configuration.
func (h *Handler) Run(ctx context.Context, cfg instance.Config) Result {
	res := Result{InstanceID: cfg.InstanceID()}
	if err := cfg.Validate(); err != nil {
		res.Status, res.Err = Invalid, err
		return res
	}
	log := h.logger().With("instance", res.InstanceID)
	opts := h.options(cfg, log)
	if opts.PostgresDSN == "" && opts.DBPath != "" {
		h.sqlite.Lock()
		defer h.sqlite.Unlock()
	}
	out, err := collector.Run(ctx, opts)
	if out != nil {
		res.Summary = out.Summary
	}
	res.Status, res.Err = classify(err)
	if err != nil {
		return res
	}
	stepsFn := opts.Steps
	if stepsFn == nil {
		stepsFn = collector.AllSteps
	}
	if err := collector.NoCollectionSucceeded(stepsFn(out.Session), out.Summary.IntegrationStepResults); err != nil {
		res.Status, res.Err = Failed, err
		return res
	}
	if pd := out.Summary.Metadata.PartialDatasets; len(pd.Types) > 0 || len(pd.Properties) > 0 {
		res.Status = Partial
	}
	if err := h.upload(ctx, opts.OutputDir, log); err != nil {
		res.Status, res.Err = Failed, err
	}
	return res
}

func (h *Handler) logger() *slog.Logger {
	if h.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Logger
}

func (h *Handler) options(cfg instance.Config, log *slog.Logger) collector.Options {
	s := h.Settings
	opts := collector.Options{
		Config: cfg, EndpointURL: s.EndpointURL, OutputDir: s.OutputDir,
		DBPath: s.DBPath, PostgresDSN: s.PostgresDSN, Logger: log, AWS: h.AWS, Steps: h.Steps,
	}
	if opts.AWS.RateLimit == (awsclient.RateLimit{}) {
		opts.AWS.RateLimit = awsclient.DefaultRateLimit
	}
	if h.PerInstanceOutput && s.OutputDir != "" {
		opts.OutputDir = filepath.Join(s.OutputDir, OutputName(cfg.InstanceID()))
	}
	return opts
}

// upload sends the graph files to JupiterOne when its credentials are set.
func (h *Handler) upload(ctx context.Context, dir string, log *slog.Logger) error {
	j1 := h.Settings.JupiterOne
	if !j1.Enabled() || dir == "" {
		return nil
	}
	res, err := jupiterone.Upload(ctx, dir, jupiterone.Options{BaseURL: j1.BaseURL, APIKey: j1.APIKey, Account: j1.Account, Logger: log})
	if err != nil {
		return fmt.Errorf("collected, but the upload to JupiterOne failed: %w", err)
	}
	log.Info("uploaded to JupiterOne", "job", res.JobID, "status", res.Status, "entities", res.Entities, "relationships", res.Relationships)
	return nil
}

// classify maps collector.Run's error to a status.
func classify(err error) (Status, error) {
	var ve *instance.ValidationError
	var ae *awsclient.AuthError
	var me *awsclient.AccountMismatchError
	var ie *collector.InterruptedError
	switch {
	case err == nil:
		return Succeeded, nil
	case errors.As(err, &ve):
		return Invalid, err
	case errors.As(err, &ae), errors.As(err, &me):
		return AuthFailed, err
	case errors.As(err, &ie), errors.Is(err, context.Canceled):
		return Interrupted, err
	}
	return Failed, err
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// OutputName is an instance's graph-file directory name: readable, and made
// unique by a hash of the id, since two ids may sanitise alike.
func OutputName(instanceID string) string {
	sum := sha256.Sum256([]byte(instanceID))
	name := unsafeName.ReplaceAllString(instanceID, "_")
	if len(name) > 80 {
		name = name[:80]
	}
	return name + "-" + hex.EncodeToString(sum[:4])
}
