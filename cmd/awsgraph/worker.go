package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/spf13/cobra"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/handler"
	"github.com/awsgraph/awsgraph/internal/settings"
	"github.com/awsgraph/awsgraph/internal/worker"
)

type workerFlags struct {
	settings                                settings.Settings
	untilEmpty, quiet, verbose              bool
	waitTime, visibility, retryDelay, grace time.Duration
	rateLimit                               float64
	rateBurst                               int
}

func newWorker(stdout, stderr io.Writer) *cobra.Command {
	f := &workerFlags{}
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Collect the integration instances whose events arrive on an SQS queue",
		Long: `Long-polls an SQS queue of integration-instance events (the --event JSON shape, one per
message) and collects up to --concurrency instances at once, each with its own AWS rate
limiter. A message stays hidden while its instance runs (its visibility is extended), is
deleted once the instance finished (success or partial) and otherwise returns to the queue
after --retry-delay, to be retried and, after the queue's redrive count, moved to its
dead-letter queue. Failures: an invalid event, a refused AssumeRole, a failed run (store,
regions, no step could read anything, JupiterOne upload). Message bodies are never logged.

Settings come from the flags, else the environment: ` + settings.EnvQueueURL + `, ` + settings.EnvConcurrency + `,
` + settings.EnvPostgresDSN + `, ` + settings.EnvDB + `, ` + settings.EnvOutput + `, ` + settings.EnvEndpointURL + `, and ` + settings.EnvJ1APIKey + ` +
` + settings.EnvJ1Account + ` (upload each run to JupiterOne; needs --output). With SQLite (--db) runs
are written one at a time; a shared PostgreSQL takes them concurrently.

SIGTERM or SIGINT: no new message is taken, running instances get --shutdown-grace to
finish, the rest are stopped (nothing written) and released at once; exit 143 (130).
Exit 0 when --until-empty found the queue empty; 2 for bad settings; 1 when the queue
cannot be read.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runWorker(cmd, f, stdout, stderr) },
	}
	fl := cmd.Flags()
	s := &f.settings
	fl.StringVar(&s.QueueURL, "queue-url", "", "SQS queue of instance events (default $"+settings.EnvQueueURL+")")
	fl.IntVar(&s.Concurrency, "concurrency", 0, "instances collected at once (default $"+settings.EnvConcurrency+", else 4)")
	fl.BoolVar(&f.untilEmpty, "until-empty", false, "exit once the queue holds no message (visible, in flight or delayed) and nothing runs")
	fl.StringVar(&s.PostgresDSN, "postgres-dsn", "", postgresDSNHelp)
	fl.StringVar(&s.DBPath, "db", "", "SQLite graph store (default $"+settings.EnvDB+"); one writer at a time")
	fl.StringVar(&s.OutputDir, "output", "", "directory under which each instance's graph files go, one subdirectory each (default $"+settings.EnvOutput+"; none)")
	fl.StringVar(&s.EndpointURL, "endpoint-url", "", "send every AWS call, SQS included, to this endpoint (an emulator); default $"+settings.EnvEndpointURL)
	fl.DurationVar(&f.waitTime, "wait-time", 10*time.Second, "SQS long-poll time (at most 20s); a shutdown waits for the poll under way")
	fl.DurationVar(&f.visibility, "visibility-timeout", 2*time.Minute, "how long a taken message stays hidden; extended every third of it while its instance runs")
	fl.DurationVar(&f.retryDelay, "retry-delay", 30*time.Second, "when a failed instance's message becomes visible again")
	fl.DurationVar(&f.grace, "shutdown-grace", 15*time.Second, "on SIGTERM, how long running instances may finish before they are stopped and released")
	fl.Float64Var(&f.rateLimit, "rate-limit", awsclient.DefaultRateLimit.PerSecond, "AWS requests per second per instance and operation (each instance its own buckets; 0 = off)")
	fl.IntVar(&f.rateBurst, "rate-burst", awsclient.DefaultRateLimit.Burst, "requests per instance and operation sent at once before --rate-limit paces them")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "log only errors")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "log each message")
	return cmd
}

func runWorker(cmd *cobra.Command, f *workerFlags, stdout, stderr io.Writer) error {
	env, err := settings.FromEnv(os.Getenv)
	if err != nil {
		return &exitError{exitConfig, err}
	}
	if f.settings.Concurrency < 0 || (cmd.Flags().Changed("concurrency") && f.settings.Concurrency == 0) {
		return &exitError{exitConfig, fmt.Errorf("--concurrency %d: want at least 1", f.settings.Concurrency)}
	}
	s := f.settings.Over(env)
	if s.Concurrency == 0 {
		s.Concurrency = 4
	}
	both := cmd.Flags().Changed("db") && cmd.Flags().Changed("postgres-dsn")
	if err := s.CheckWorker(both); err != nil {
		return &exitError{exitConfig, err}
	}
	if f.waitTime > 20*time.Second || f.waitTime < time.Second {
		return &exitError{exitConfig, fmt.Errorf("--wait-time %v: SQS long polls last 1s to 20s", f.waitTime)}
	}
	if f.visibility < 3*time.Second || f.visibility > 12*time.Hour {
		return &exitError{exitConfig, fmt.Errorf("--visibility-timeout %v: want 3s to 12h (SQS's maximum)", f.visibility)}
	}
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: stderr}, &slog.HandlerOptions{Level: workerLogLevel(f)}))
	h := &handler.Handler{Settings: s, Logger: log, PerInstanceOutput: true, Steps: testSteps}
	if testAWSOptions != nil {
		h.AWS = *testAWSOptions
	}
	h.AWS.RateLimit = awsclient.RateLimit{PerSecond: f.rateLimit, Burst: f.rateBurst}
	if f.rateLimit == 0 {
		h.AWS.RateLimit = awsclient.RateLimit{PerSecond: -1} // off, not the default
	}
	if err := h.Check(); err != nil {
		return &exitError{exitConfig, err}
	}
	ctx, stop := signalContext(cmd.Context())
	defer stop()
	awsCfg, err := awsclient.ServiceConfig(ctx, s.EndpointURL, settings.QueueRegion(s.QueueURL))
	if err != nil {
		return &exitError{exitFailed, err}
	}
	log.Info("worker starting", "settings", s)
	stats, err := worker.Run(ctx, sqs.NewFromConfig(awsCfg), worker.Options{
		QueueURL: s.QueueURL, Concurrency: s.Concurrency, UntilEmpty: f.untilEmpty,
		WaitTime: f.waitTime, Visibility: f.visibility, RetryDelay: f.retryDelay, ShutdownGrace: f.grace,
		Handle: h.Handle, Logger: log,
	})
	fmt.Fprintf(stdout, "received %d, deleted %d, returned to the queue %d %v\n", stats.Received, stats.Deleted, stats.Returned, stats.ByStatus)
	var in *interrupted
	if errors.As(context.Cause(ctx), &in) {
		return &exitError{exitInterrupt + int(in.sig), fmt.Errorf("%s: stopped taking messages; unfinished instances were released to the queue", in.Error())}
	}
	if err != nil {
		return &exitError{exitFailed, err}
	}
	return nil
}

func workerLogLevel(f *workerFlags) slog.Level {
	if f.verbose {
		return slog.LevelDebug
	}
	if f.quiet {
		return slog.LevelError
	}
	return slog.LevelInfo
}
