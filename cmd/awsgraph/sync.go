package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"sort"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/awsgraph/awsgraph/internal/settings"
	"github.com/awsgraph/awsgraph/internal/sink/jupiterone"
)

// The environment that authenticates an upload to JupiterOne.
const (
	envJ1APIKey  = settings.EnvJ1APIKey
	envJ1Account = settings.EnvJ1Account
	envJ1BaseURL = settings.EnvJ1APIBaseURL // default of --api-base-url
)

// testSyncOptions lets tests shorten the retry and poll delays.
var testSyncOptions func(*jupiterone.Options)

// j1Credentials reads the API key and account from the environment; a
// missing one is a configuration error (exit 2), found before any request.
func j1Credentials() (key, account string, err error) {
	key, account = os.Getenv(envJ1APIKey), os.Getenv(envJ1Account)
	var missing []string
	if key == "" {
		missing = append(missing, envJ1APIKey)
	}
	if account == "" {
		missing = append(missing, envJ1Account)
	}
	if len(missing) > 0 {
		return "", "", &exitError{exitConfig, fmt.Errorf("uploading to JupiterOne needs %s in the environment (the API key and the JupiterOne account id); nothing was sent",
			joinAnd(missing))}
	}
	return key, account, nil
}

func joinAnd(s []string) string {
	if len(s) == 2 {
		return s[0] + " and " + s[1]
	}
	return s[0]
}

func defaultBaseURL() string {
	if u := os.Getenv(envJ1BaseURL); u != "" {
		return u
	}
	return jupiterone.DefaultBaseURL
}

type syncFlags struct {
	output, baseURL, instanceID string
	waitTimeout                 time.Duration
	quiet, verbose              bool
}

func newSync(stdout, stderr io.Writer) *cobra.Command {
	f := &syncFlags{}
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Upload a run's graph files to JupiterOne (synchronization API)",
		Long: `Uploads the graph files that collect wrote (--output) to JupiterOne the way the stock
j1-integration sync does: it opens a synchronization job for the integration instance,
uploads every entity, then every relationship, in batches of at most 250 (6 in flight),
each object exactly as the file holds it, finalizes the job with summary.json's partial
types (JupiterOne keeps what it had of those) and waits for the job to finish.

An upload that still fails after its retries (5 attempts; 429, 5xx and connection
errors are retried) aborts the job: it is never finalized, since finalizing deletes
whatever the job did not receive. JupiterOne's graph is then unchanged.

Environment: JUPITERONE_API_KEY (never logged) and JUPITERONE_ACCOUNT, both required;
JUPITERONE_API_BASE_URL is the default of --api-base-url.

Exit codes:
  0    the job finished (FINISHED)
  1    an upload failed (the job was aborted), or the job ended otherwise than FINISHED
       or did not end within --wait-timeout
  2    configuration: a missing environment variable, no graph files or summary.json in
       --output, no integration instance id, or JupiterOne refused the API key`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			key, account, err := j1Credentials()
			if err != nil {
				return err
			}
			ctx, stop := signalContext(cmd.Context())
			defer stop()
			return runSync(ctx, f, key, account, stdout, stderr)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.output, "output", ".j1-integration", "directory of the graph files and summary.json to upload (collect's --output)")
	fl.StringVar(&f.baseURL, "api-base-url", defaultBaseURL(), "JupiterOne API base URL (default $"+envJ1BaseURL+", else the US region)")
	fl.StringVar(&f.instanceID, "integration-instance-id", "", "JupiterOne integration instance that owns the graph (default: summary.json's integrationInstanceId)")
	fl.DurationVar(&f.waitTimeout, "wait-timeout", jupiterone.DefaultWaitTimeout, "how long to wait for the finalized job to finish")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print only errors")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "log each request and retry")
	return cmd
}

// runSync uploads f.output; errors carry their exit code.
func runSync(ctx context.Context, f *syncFlags, key, account string, stdout, rawStderr io.Writer) error {
	stderr := &lockedWriter{w: rawStderr}
	level := logLevel(f.verbose, f.quiet)
	g, err := jupiterone.ReadGraph(f.output)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return &exitError{exitConfig, err}
		}
		return &exitError{exitFailed, err}
	}
	prog := newSyncProgress(stderr, rawStderr, f.quiet)
	opts := jupiterone.Options{
		BaseURL: f.baseURL, APIKey: key, Account: account, IntegrationInstanceID: f.instanceID,
		WaitTimeout: f.waitTimeout, OnProgress: prog.update,
		Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
	}
	if testSyncOptions != nil {
		testSyncOptions(&opts)
	}
	res, err := jupiterone.UploadGraph(ctx, g, opts)
	prog.finish()
	if res != nil && !f.quiet {
		printSync(stdout, res)
	}
	if err == nil {
		return nil
	}
	var in *interrupted
	if errors.As(context.Cause(ctx), &in) {
		return &exitError{exitInterrupt + int(in.sig), fmt.Errorf("%s: %w", in.Error(), err)}
	}
	var ce *jupiterone.ConfigError
	var ae *jupiterone.APIError
	var ue *jupiterone.UploadError
	if errors.As(err, &ce) || (errors.As(err, &ae) && ae.Auth() && !errors.As(err, &ue)) {
		return &exitError{exitConfig, err}
	}
	return &exitError{exitFailed, err}
}

func printSync(w io.Writer, r *jupiterone.Result) {
	if r.JobID == "" {
		return
	}
	fmt.Fprintf(w, "JupiterOne job %s (integration instance %s): %s\n", r.JobID, r.IntegrationInstanceID, r.Status)
	fmt.Fprintf(w, "Uploaded %d entities and %d relationships in %d batches; %d partial types kept as they were.\n",
		r.Entities, r.Relationships, r.Batches, len(r.PartialTypes))
	if len(r.Counters) == 0 {
		return
	}
	keys := make([]string, 0, len(r.Counters))
	for k := range r.Counters {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, k := range keys {
		fmt.Fprintf(tw, "  %s\t%d\n", k, r.Counters[k])
	}
	tw.Flush()
}

// syncProgress shows the upload: one status line redrawn in place on a
// terminal (like collect's), one plain line per phase otherwise.
type syncProgress struct {
	mu    sync.Mutex
	w     io.Writer
	fd    int
	tty   bool
	quiet bool
	phase string
	start time.Time
	drawn bool
}

func newSyncProgress(w, underlying io.Writer, quiet bool) *syncProgress {
	p := &syncProgress{w: w, quiet: quiet, start: time.Now()}
	if f, ok := underlying.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty, p.fd = true, int(f.Fd())
	}
	return p
}

func (p *syncProgress) update(s jupiterone.Progress) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		width := 0
		if w, _, err := term.GetSize(p.fd); err == nil {
			width = w
		}
		fmt.Fprint(p.w, "\r\033[K"+formatSyncProgress(width, time.Since(p.start), s))
		p.drawn = true
		return
	}
	if s.Phase == p.phase {
		return
	}
	p.phase = s.Phase
	switch s.Phase {
	case "entities":
		fmt.Fprintf(p.w, "sync: job %s: uploading %d entities\n", s.JobID, s.EntitiesTotal)
	case "relationships":
		fmt.Fprintf(p.w, "sync: job %s: uploading %d relationships\n", s.JobID, s.RelationshipsTotal)
	case "finalizing":
		fmt.Fprintf(p.w, "sync: job %s: finalizing\n", s.JobID)
	case "waiting":
		fmt.Fprintf(p.w, "sync: job %s: waiting for JupiterOne to finish it\n", s.JobID)
	}
}

// formatSyncProgress is the terminal status line, at most width-1 columns.
func formatSyncProgress(width int, elapsed time.Duration, s jupiterone.Progress) string {
	if width <= 0 {
		width = 80
	}
	line := fmt.Sprintf("[%s] sync %s: entities %d/%d, relationships %d/%d", elapsed.Round(time.Second), s.JobID,
		s.EntitiesDone, s.EntitiesTotal, s.RelationshipsDone, s.RelationshipsTotal)
	switch s.Phase {
	case "finalizing":
		line += ", finalizing"
	case "waiting":
		line += ", job " + s.Status
	}
	return truncate(line, width-1)
}

func (p *syncProgress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
