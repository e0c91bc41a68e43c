package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/collector"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/history"
	"github.com/awsgraph/awsgraph/internal/instance"
	"github.com/awsgraph/awsgraph/internal/settings"
	"github.com/awsgraph/awsgraph/internal/sink/jupiterone"
	"github.com/awsgraph/awsgraph/internal/sink/postgres"
	"github.com/awsgraph/awsgraph/internal/sink/sqlite"
)

// Exit codes (docs/contract.md §7). exitPartial is ours: a run that collected only part
// of the account, when --fail-on-partial asks to fail on that, is told apart
// from a run that failed.
const (
	exitOK        = 0
	exitFailed    = 1   // anything else, including a run in which no collection step succeeded
	exitConfig    = 2   // configuration or authentication failure
	exitPartial   = 3   // partial run with --fail-on-partial
	exitInterrupt = 128 // + the signal number: 130 for SIGINT, 143 for SIGTERM
)

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

// testAWSOptions lets tests inject base credentials and retry settings.
var testAWSOptions *awsclient.Options

// Execute runs the CLI and returns the exit code.
func Execute(args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		fmt.Fprintln(stderr, "awsgraph:", ee.err)
		return ee.code
	}
	fmt.Fprintln(stderr, "awsgraph:", err)
	return exitConfig // cobra's own errors are flag/usage errors
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "awsgraph",
		Short:         "Collect an AWS account into a security asset graph (JupiterOne data model)",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newCollect(stdout, stderr), newSync(stdout, stderr), newOrg(stdout, stderr), newImport(stdout), newSteps(stdout), newQuery(stdout), newVersion(stdout), newDiff(stdout), newView(stdout), newExplainReachability(stdout), newWorker(stdout, stderr))
	return root
}

type collectFlags struct {
	roleArn, externalID, regions, output, db, endpoint, event, envFile string
	postgresDSN                                                        string
	sessionName, accountID, instanceID                                 string
	quiet, verbose, failOnPartial, noDB, jsonOut                       bool
	sync                                                               bool
	apiBaseURL                                                         string
	stepTimeout                                                        time.Duration
	historyRuns                                                        int
	timeouts                                                           awsclient.Timeouts
}

func newCollect(stdout, stderr io.Writer) *cobra.Command {
	f := &collectFlags{}
	cmd := &cobra.Command{
		Use:   "collect",
		Short: "Run one integration instance end to end",
		Long: `Validate the instance configuration, assume the role with its external id, read the
account (EC2, IAM, S3, Lambda, API Gateway, Config), run the analyses, and write the
graph files and the local store. Settings come from flags, then --event, then the
environment / .env file (ROLE_ARN, EXTERNAL_ID, REGIONS, SESSION_NAME, ACCOUNT_ID,
INTEGRATION_INSTANCE_ID). The AWS SDK's own environment (AWS_PROFILE, AWS_REGION,
AWS_ENDPOINT_URL, ...) supplies the credentials that call STS.

Exit codes:
  0    success (partial steps are reported as warnings)
  1    failure: the run itself failed, no collection step succeeded (a role that can
       read nothing), or STS throttled or could not be reached
  2    configuration or authentication failure (CONFIG_VALIDATION_ERROR,
       PROVIDER_AUTHENTICATION_ERROR)
  3    partial run (some types incomplete) with --fail-on-partial
  130  interrupted by SIGINT, 143 interrupted by SIGTERM (nothing is written)

With --sync (see awsgraph sync --help): 2 also when JUPITERONE_API_KEY or
JUPITERONE_ACCOUNT is missing (checked before collecting) or JupiterOne refuses the key;
1 also when the upload fails (the JupiterOne job is aborted, never finalized) or the job
does not finish. A run that fails, or in which no collection step succeeded, is not
uploaded.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCollect(cmd, f, stdout, stderr)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.roleArn, "role-arn", "", "ARN of the read-only role to assume (arn:aws:iam::<account>:role/<name>)")
	fl.StringVar(&f.externalID, "external-id", "", "external id the role's trust policy requires (never logged or stored)")
	fl.StringVar(&f.regions, "regions", "", "comma-separated regions to collect (default: every region enabled in the account)")
	fl.StringVar(&f.output, "output", ".j1-integration", "directory for the JupiterOne graph files and summary.json")
	fl.StringVar(&f.db, "db", "awsgraph.db", "SQLite graph store to update (ignored with --postgres-dsn)")
	fl.StringVar(&f.postgresDSN, "postgres-dsn", "", postgresDSNHelp)
	fl.BoolVar(&f.noDB, "no-db", false, "do not update the graph store (SQLite or PostgreSQL)")
	fl.IntVar(&f.historyRuns, "history-runs", history.DefaultRuns, "how many runs of the instance keep their change records in the store, for awsgraph diff (at least 1)")
	fl.StringVar(&f.endpoint, "endpoint-url", "", "send every AWS call to this endpoint (an emulator such as moto); S3 then uses path-style addressing")
	fl.StringVar(&f.event, "event", "", `invocation event JSON file: {"integrationInstanceId": "...", "config": {"roleArn": "...", "externalId": "...", "regions": [...]}}`)
	fl.StringVar(&f.envFile, "env-file", ".env", "dotenv file read for ROLE_ARN, EXTERNAL_ID, REGIONS, ... when they are not in the environment\n(the default ./.env is optional and ignored with a warning when it does not parse; a file given here must exist and parse)")
	fl.StringVar(&f.sessionName, "session-name", "", "role session name (default awsgraph)")
	fl.StringVar(&f.accountID, "account-id", "", "expected account id; the run stops if the role belongs to another account")
	fl.StringVar(&f.instanceID, "instance-id", "", "integration instance id (default: the role ARN); the store keeps one graph per instance")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print only errors")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "log each step and AWS call count in detail")
	fl.BoolVar(&f.failOnPartial, "fail-on-partial", false, "exit 3 when any type is partial or any value could not be read (kept from the last run)")
	fl.BoolVar(&f.jsonOut, "json", false, "print the run summary as JSON instead of a table")
	fl.BoolVar(&f.sync, "sync", false, "after a run that wrote its graph files, upload them to JupiterOne as `awsgraph sync` does\n(needs "+envJ1APIKey+" and "+envJ1Account+"; checked before collecting)")
	fl.StringVar(&f.apiBaseURL, "api-base-url", defaultBaseURL(), "JupiterOne API base URL for --sync (default $"+envJ1BaseURL+", else the US region)")
	d := awsclient.DefaultTimeouts
	fl.DurationVar(&f.stepTimeout, "step-timeout", 0, "fail a step that runs longer than this (its types are partial; 0 = no limit)")
	fl.DurationVar(&f.timeouts.Connect, "connect-timeout", d.Connect, "TCP connect timeout for each AWS call attempt")
	fl.DurationVar(&f.timeouts.TLSHandshake, "tls-timeout", d.TLSHandshake, "TLS handshake timeout for each AWS call attempt")
	fl.DurationVar(&f.timeouts.ResponseHeader, "response-timeout", d.ResponseHeader, "time from request sent to the first response byte, per attempt (then retried)")
	fl.DurationVar(&f.timeouts.Request, "request-timeout", d.Request, "bound on one whole AWS call attempt, body included (then retried)")
	return cmd
}

// resolveConfig merges the sources, most specific first: flags, event,
// env/.env. The default ./.env is optional and only warns when it cannot be
// used; a file given with --env-file must exist and parse.
func resolveConfig(cmd *cobra.Command, f *collectFlags) (instance.Config, []string, error) {
	cfg, warnings, err := instance.FromEnv(f.envFile, cmd.Flags().Changed("env-file"))
	if err != nil {
		return cfg, nil, err
	}
	if f.event != "" {
		ev, err := instance.ReadEventFile(f.event)
		if err != nil {
			return cfg, warnings, err
		}
		cfg = instance.Merge(cfg, ev.Config)
	}
	flags := instance.Config{
		RoleArn: f.roleArn, ExternalID: instance.Secret(f.externalID), SessionName: f.sessionName,
		AccountID: f.accountID, IntegrationInstanceID: f.instanceID,
	}
	if cmd.Flags().Changed("regions") {
		flags.Regions = instance.SplitRegions(f.regions)
		if len(flags.Regions) == 0 {
			return cfg, warnings, &instance.ValidationError{Field: "regions", Reason: "--regions is empty"}
		}
	}
	cfg = instance.Merge(cfg, flags)
	cfg.Regions = instance.UniqueRegions(cfg.Regions)
	return cfg, warnings, nil
}

// lockedWriter serialises writes: the logger and the progress display write
// to stderr from the steps' goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// logLevel is the log level the --verbose and --quiet flags ask for.
func logLevel(verbose, quiet bool) slog.Level {
	switch {
	case verbose:
		return slog.LevelDebug
	case quiet:
		return slog.LevelError
	}
	return slog.LevelWarn
}

func runCollect(cmd *cobra.Command, f *collectFlags, stdout, rawStderr io.Writer) error {
	stderr := &lockedWriter{w: rawStderr}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: logLevel(f.verbose, f.quiet)}))
	cfg, warnings, err := resolveConfig(cmd, f)
	for _, w := range warnings {
		fmt.Fprintln(stderr, "awsgraph: warning:", w)
	}
	if err != nil {
		return &exitError{exitConfig, err}
	}
	if err := cfg.Validate(); err != nil {
		return &exitError{exitConfig, err}
	}
	if f.historyRuns < 1 {
		return &exitError{exitConfig, fmt.Errorf("--history-runs %d: the store must keep at least the last run's changes (1 or more)", f.historyRuns)}
	}
	var j1Key, j1Account string
	if f.sync {
		if f.output == "" {
			return &exitError{exitConfig, errors.New("--sync uploads the graph files: --output must name their directory")}
		}
		if j1Key, j1Account, err = j1Credentials(); err != nil {
			return err
		}
	}
	ctx, stop := signalContext(cmd.Context())
	defer stop()
	prog := newProgress(stderr, rawStderr, f.quiet)
	opts := collector.Options{
		Config: cfg, EndpointURL: f.endpoint, OutputDir: f.output, Logger: log,
		OnStepStart: prog.stepStart, OnStepDone: prog.stepDone,
		Steps: testSteps, StepTimeout: f.stepTimeout,
	}
	opts.AWS.Timeouts = f.timeouts
	stepsFn := opts.Steps
	if stepsFn == nil {
		stepsFn = collector.AllSteps
	}
	opts.OnConnected = func(s *awsclient.Session) { prog.connected(s, len(stepsFn(s))) }
	if !f.noDB {
		opts.DBPath = f.db
		opts.PostgresDSN = postgresDSN(f.postgresDSN)
		opts.HistoryRuns = f.historyRuns
	}
	if testAWSOptions != nil {
		opts.AWS = *testAWSOptions
	}
	out, err := collector.Run(ctx, opts)
	prog.finish()
	if ie := interruption(ctx, err); ie != nil {
		return ie
	}
	if err != nil {
		return classify(err)
	}
	return afterCollect(ctx, f, out, stepsFn(out.Session), j1Key, j1Account, stdout, rawStderr)
}

// afterCollect prints the run's summary, fails a run in which no collection
// step succeeded, uploads the graph with --sync and applies --fail-on-partial.
func afterCollect(ctx context.Context, f *collectFlags, out *collector.Outcome, steps []engine.Step, j1Key, j1Account string, stdout, rawStderr io.Writer) error {
	if f.jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(out.Summary)
	} else if !f.quiet {
		printSummary(stdout, out.Summary, f.verbose)
	}
	if err := noCollectionSucceeded(steps, out.Summary.IntegrationStepResults); err != nil {
		if f.sync {
			err = fmt.Errorf("%w; nothing was uploaded to JupiterOne", err)
		}
		return &exitError{exitFailed, err}
	}
	if f.sync {
		sf := &syncFlags{output: f.output, baseURL: f.apiBaseURL, waitTimeout: jupiterone.DefaultWaitTimeout, quiet: f.quiet, verbose: f.verbose}
		syncOut := stdout
		if f.jsonOut {
			syncOut = io.Discard // stdout holds the summary's JSON alone
		}
		if err := runSync(ctx, sf, j1Key, j1Account, syncOut, rawStderr); err != nil {
			return err
		}
	}
	if pd := out.Summary.Metadata.PartialDatasets; f.failOnPartial && (len(pd.Types) > 0 || len(pd.Properties) > 0) {
		return &exitError{exitPartial, fmt.Errorf("partial run (--fail-on-partial): %s", partialBrief(out.Summary))}
	}
	return nil
}

// testSteps overrides the step list (tests); nil means every step.
var testSteps func(*awsclient.Session) []engine.Step

// noCollectionSucceeded is collector.NoCollectionSucceeded (the worker and
// the Lambda function judge a run the same way).
func noCollectionSucceeded(steps []engine.Step, results []engine.StepResult) error {
	return collector.NoCollectionSucceeded(steps, results)
}

// interrupted is the cause of the collect context's cancellation when a
// signal stopped the run.
type interrupted struct{ sig syscall.Signal }

func (i *interrupted) Error() string { return "interrupted by " + signalName(i.sig) }

func signalName(s syscall.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return fmt.Sprintf("signal %d", int(s))
}

// signalContext is cancelled, with an *interrupted cause naming the signal,
// on SIGINT or SIGTERM. (signal.NotifyContext also cancels on both, but its
// cause is an unexported string type: the exit code needs the signal.) After
// the first signal the handler is removed, so a second one ends the process
// at once.
func signalContext(parent context.Context) (context.Context, context.CancelFunc) {
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		select {
		case s := <-ch:
			signal.Stop(ch)
			sig, _ := s.(syscall.Signal)
			cancel(&interrupted{sig})
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		cancel(context.Canceled)
	}
}

// interruption maps a run stopped by a signal to its exit code (128 + the
// signal: 130, 143) and message, or returns nil when no signal stopped it.
func interruption(ctx context.Context, runErr error) *exitError {
	var in *interrupted
	if !errors.As(context.Cause(ctx), &in) {
		return nil
	}
	var msg string
	switch {
	case runErr == nil:
		// The run finished (and wrote) before it noticed the signal.
		msg = in.Error() + " after the run had finished and written its output"
	case errors.As(runErr, new(*collector.InterruptedError)), errors.Is(runErr, context.Canceled):
		msg = in.Error() + ": nothing was written; the graph files and the store keep the previous run"
	default:
		msg = in.Error() + ": " + runErr.Error()
	}
	return &exitError{exitInterrupt + int(in.sig), errors.New(msg)}
}

// progress shows steps as they run: one status line redrawn in place on a
// terminal, one plain line per finished step otherwise.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	fd      int // the terminal's file descriptor, when tty
	tty     bool
	quiet   bool
	done    int
	total   int // steps in the run, once known
	running []string
	calls   *awsclient.CallCounter // set once the role is assumed
	start   time.Time
	stop    chan struct{}
	stopped chan struct{}
}

func newProgress(w, underlying io.Writer, quiet bool) *progress {
	p := &progress{w: w, quiet: quiet, start: time.Now(), stop: make(chan struct{}), stopped: make(chan struct{})}
	if f, ok := underlying.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty, p.fd = true, int(f.Fd())
	}
	if p.tty && !quiet {
		// On a terminal the status line refreshes twice a second, so a long
		// step (thousands of buckets) still shows time and API calls moving.
		go func() {
			defer close(p.stopped)
			t := time.NewTicker(500 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-p.stop:
					return
				case <-t.C:
					p.mu.Lock()
					p.render()
					p.mu.Unlock()
				}
			}
		}()
	} else {
		close(p.stopped)
	}
	return p
}

// connected is called once the role is assumed, with the number of steps
// the run will execute.
func (p *progress) connected(s *awsclient.Session, steps int) {
	p.mu.Lock()
	p.calls = s.Calls
	p.total = steps
	p.mu.Unlock()
}

// render redraws the terminal status line; p.mu is held. \r and
// clear-to-end-of-line leave nothing of a longer earlier line, and the line
// is cut to the terminal's width so it never wraps onto a second line.
func (p *progress) render() {
	calls := 0
	if p.calls != nil {
		calls = p.calls.Total()
	}
	width := 0
	if w, _, err := term.GetSize(p.fd); err == nil {
		width = w
	}
	fmt.Fprint(p.w, "\r\033[K"+formatProgress(width, time.Since(p.start), p.done, p.total, p.running, calls))
}

// formatProgress is the status line: elapsed time, finished/total steps, API
// calls and the steps running, at most width-1 columns (the last column
// would make some terminals wrap); width <= 0 means 80.
func formatProgress(width int, elapsed time.Duration, done, total int, running []string, calls int) string {
	if width <= 0 {
		width = 80
	}
	steps := fmt.Sprintf("%d steps", done)
	if total > 0 {
		steps = fmt.Sprintf("%d/%d steps", done, total)
	}
	line := fmt.Sprintf("[%s] %s, %d API calls", elapsed.Round(time.Second), steps, calls)
	if len(running) > 0 {
		line += ", running: " + strings.Join(running, ", ")
	}
	return truncate(line, width-1)
}

// truncate cuts s to at most n runes (one column each: step ids, names,
// numbers), ending in "..." when something was cut.
func truncate(s string, n int) string {
	if n < 0 {
		n = 0
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n <= 3 {
		return string(r[:n])
	}
	return string(r[:n-3]) + "..."
}

func (p *progress) stepStart(s engine.Step) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running = append(p.running, s.ID)
	if p.tty {
		p.render()
	}
}

func (p *progress) stepDone(r engine.StepResult) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if i := slices.Index(p.running, r.ID); i >= 0 {
		p.running = slices.Delete(p.running, i, i+1)
	}
	if p.tty {
		p.render()
		return
	}
	fmt.Fprintf(p.w, "step %-45s %-42s %6dms\n", r.ID, r.Status, r.DurationMs)
}

func (p *progress) finish() {
	close(p.stop)
	<-p.stopped
	if p.tty && !p.quiet {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

func printSummary(w io.Writer, s *collector.Summary, verbose bool) {
	fmt.Fprintf(w, "Collected account %s (%d regions) in %.1fs with %d AWS API calls.\n\n",
		s.AccountID, len(s.Regions), float64(s.DurationMs)/1000, s.APICalls.Total)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ENTITY TYPE\tCOUNT")
	for _, k := range sortedKeys(s.EntityCounts) {
		fmt.Fprintf(tw, "%s\t%d\n", k, s.EntityCounts[k])
	}
	fmt.Fprintln(tw, "\t")
	fmt.Fprintln(tw, "RELATIONSHIP TYPE\tCOUNT")
	for _, k := range sortedKeys(s.RelationshipCounts) {
		fmt.Fprintf(tw, "%s\t%d\n", k, s.RelationshipCounts[k])
	}
	tw.Flush()
	printPartial(w, s, verbose)
	var warnings, unsupported []engine.Warning
	for _, wn := range s.Warnings {
		if wn.Kind == engine.KindNotImplemented {
			unsupported = append(unsupported, wn)
		} else {
			warnings = append(warnings, wn)
		}
	}
	printUnsupported(w, unsupported, verbose)
	printWarnings(w, warnings, verbose)
	if verbose {
		printDetails(w, s.IntegrationStepResults)
	}
	failed := 0
	for _, r := range s.IntegrationStepResults {
		if r.Status != engine.StatusSuccess {
			failed++
		}
	}
	fmt.Fprintf(w, "\nSteps: %d, not fully successful: %d\n", len(s.IntegrationStepResults), failed)
	if verbose {
		fmt.Fprintln(w, "\nAPI CALLS")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, k := range sortedKeys(s.APICalls.ByOperation) {
			fmt.Fprintf(tw, "  %s\t%d\n", k, s.APICalls.ByOperation[k])
		}
		tw.Flush()
		if len(s.APICalls.Concurrency) > 0 {
			fmt.Fprintln(w, "\nCONCURRENCY (adaptive bound per server)")
			tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			for _, k := range sortedKeys(s.APICalls.Concurrency) {
				c := s.APICalls.Concurrency[k]
				fmt.Fprintf(tw, "  %s\tbound %d\tmax in flight %d\trequests %d\tthrottled %d\tslowed %d\tpauses %d\n",
					k, c.Limit, c.MaxInFlight, c.Requests, c.Throttled, c.Slowed, c.Pauses)
			}
			tw.Flush()
		}
	}
}

// service names the AWS service of a type (aws_iam_user: iam) or a step id
// (fetch-iam-credential-report, analyze-iam-trust: iam): the groups the
// summary counts partial types and warnings by.
func service(name string) string {
	if rest, ok := strings.CutPrefix(name, "aws_"); ok {
		svc, _, _ := strings.Cut(rest, "_")
		return svc
	}
	parts := strings.Split(name, "-")
	if len(parts) >= 2 {
		return parts[1]
	}
	return name
}

// partialPermissions maps each partial type to the permissions whose
// refusal made it partial (from the warnings).
func partialPermissions(s *collector.Summary) map[string][]string {
	set := map[string]map[string]bool{}
	for _, wn := range s.Warnings {
		if wn.Permission == "" {
			continue
		}
		for _, t := range wn.Types {
			if set[t] == nil {
				set[t] = map[string]bool{}
			}
			set[t][wn.Permission] = true
		}
	}
	out := map[string][]string{}
	for t, ps := range set {
		for p := range ps {
			out[t] = append(out[t], p)
		}
		sort.Strings(out[t])
	}
	return out
}

// groupBy groups names by service, groups and members sorted.
func groupBy(names []string) (groups []string, members map[string][]string) {
	members = map[string][]string{}
	for _, n := range names {
		g := service(n)
		if members[g] == nil {
			groups = append(groups, g)
		}
		members[g] = append(members[g], n)
	}
	sort.Strings(groups)
	return groups, members
}

// listSome joins at most n items, saying how many more there are.
func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(" (+%d more)", len(items)-n)
}

// printPartial lists the partial types: one line per service with counts and
// the permissions that were missing, or every type with --verbose.
func printPartial(w io.Writer, s *collector.Summary, verbose bool) {
	types := s.Metadata.PartialDatasets.Types
	if len(types) == 0 {
		return
	}
	perms := partialPermissions(s)
	why := func(ps []string, n int) string {
		if len(ps) == 0 {
			return "a step it depends on was incomplete"
		}
		return "missing or failed: " + listSome(ps, n)
	}
	fmt.Fprintf(w, "\nPARTIAL TYPES: %d (incomplete this run; the store keeps what it had)\n", len(types))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if verbose {
		for _, t := range types {
			fmt.Fprintf(tw, "  %s\t%s\n", t, why(perms[t], len(perms[t])))
		}
	} else {
		groups, members := groupBy(types)
		for _, g := range groups {
			seen := map[string]bool{}
			var ps []string
			for _, t := range members[g] {
				for _, p := range perms[t] {
					if !seen[p] {
						seen[p] = true
						ps = append(ps, p)
					}
				}
			}
			sort.Strings(ps)
			fmt.Fprintf(tw, "  %s\t%d types\t%s\n", g, len(members[g]), why(ps, 3))
		}
		fmt.Fprintln(tw, "  (--verbose lists every type)\t\t")
	}
	tw.Flush()
}

// printWarnings prints the warnings: one line per service with the count and
// the first message, or every warning with --verbose.
func printWarnings(w io.Writer, warnings []engine.Warning, verbose bool) {
	if len(warnings) == 0 {
		return
	}
	fmt.Fprintf(w, "\nWARNINGS: %d\n", len(warnings))
	if verbose {
		for _, wn := range warnings {
			fmt.Fprintf(w, "  [%s] %s\n", wn.Step, wn.Message)
		}
		return
	}
	byGroup := map[string][]engine.Warning{}
	var groups []string
	for _, wn := range warnings {
		g := service(wn.Step)
		if byGroup[g] == nil {
			groups = append(groups, g)
		}
		byGroup[g] = append(byGroup[g], wn)
	}
	sort.Strings(groups)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, g := range groups {
		ws := byGroup[g]
		first := truncate(ws[0].Message, 90)
		if len(ws) == 1 {
			fmt.Fprintf(tw, "  %s\t1 warning\t%s\n", g, first)
		} else {
			fmt.Fprintf(tw, "  %s\t%d warnings\te.g. %s\n", g, len(ws), first)
		}
	}
	fmt.Fprintln(tw, "  (--verbose lists every warning)\t\t")
	tw.Flush()
}

// printUnsupported prints the operations the endpoint does not implement
// (an emulator): the data they would have read is as incomplete as for any
// failure (summary.json lists them with the warnings), but the cause is the
// endpoint, not the account or the role.
func printUnsupported(w io.Writer, ws []engine.Warning, verbose bool) {
	if len(ws) == 0 {
		return
	}
	var ops []string
	for _, wn := range ws {
		if wn.Permission != "" && !slices.Contains(ops, wn.Permission) {
			ops = append(ops, wn.Permission)
		}
	}
	sort.Strings(ops)
	head := fmt.Sprintf("\nNOT SUPPORTED BY ENDPOINT: %d", len(ws))
	if len(ops) > 0 {
		head += " (" + listSome(ops, 3) + ")"
	}
	fmt.Fprintln(w, head)
	for i, wn := range ws {
		if !verbose && i == maxUnsupportedLines {
			fmt.Fprintf(w, "  (+%d more; --verbose lists every one)\n", len(ws)-i)
			break
		}
		fmt.Fprintf(w, "  [%s] %s\n", wn.Step, wn.Message)
	}
}

// maxUnsupportedLines caps the NOT SUPPORTED BY ENDPOINT lines without --verbose.
const maxUnsupportedLines = 5

// printDetails lists, with --verbose, each step's metrics that come with
// the names they count (StepResult.Details).
func printDetails(w io.Writer, steps []engine.StepResult) {
	printed := false
	for _, r := range steps {
		for _, k := range slices.Sorted(maps.Keys(r.Details)) {
			if !printed {
				fmt.Fprintln(w, "\nNOTES")
				printed = true
			}
			fmt.Fprintf(w, "  [%s] %s (%d): %s\n", r.ID, k, len(r.Details[k]), strings.Join(r.Details[k], ", "))
		}
	}
}

// partialBrief is the --fail-on-partial message: counts and service groups,
// not every type.
func partialBrief(s *collector.Summary) string {
	types := s.Metadata.PartialDatasets.Types
	groups, members := groupBy(types)
	parts := make([]string, len(groups))
	for i, g := range groups {
		parts[i] = fmt.Sprintf("%s %d", g, len(members[g]))
	}
	unknown := unknownBrief(s.Metadata.PartialDatasets.Properties)
	if len(types) == 0 {
		return unknown + "; the summary lists them"
	}
	brief := fmt.Sprintf("%d partial types (%s)", len(types), listSome(parts, 8))
	if unknown != "" {
		brief += ", " + unknown
	}
	return brief + "; the summary lists them, --verbose every type"
}

// unknownBrief names the properties a run could not read, by type.
func unknownBrief(us []engine.Unknown) string {
	if len(us) == 0 {
		return ""
	}
	var names []string
	for _, u := range us {
		n := u.Type + " (" + strings.Join(u.Properties, ", ") + ")"
		if len(u.Properties) == 0 {
			n = u.Type + " (whole objects)"
		}
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return fmt.Sprintf("values not read, kept from the last run: %s", listSome(names, 6))
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// envPostgresDSN names the environment variable that can hold the DSN (so
// that a password need not be on the command line).
const envPostgresDSN = settings.EnvPostgresDSN

const postgresDSNHelp = "use a graph store in PostgreSQL instead of SQLite: a libpq URL or key=value DSN " +
	"(postgres://user:password@host:5432/db?sslmode=require); default $" + envPostgresDSN + "; never logged"

// postgresDSN is the flag's value, else the environment's.
func postgresDSN(flag string) string {
	if flag != "" {
		return flag
	}
	return os.Getenv(envPostgresDSN)
}

// store is what import and query need of a graph store.
type store interface {
	Import(ctx context.Context, instanceID string, ents []graph.Entity) error
	Query(ctx context.Context, q string) ([][]string, error)
	Close() error
}

// openStore opens PostgreSQL when a DSN is given (flag or environment), else
// the SQLite file, which must exist unless create is set.
func openStore(ctx context.Context, dsnFlag, db string, create bool) (store, error) {
	if dsn := postgresDSN(dsnFlag); dsn != "" {
		st, err := postgres.Open(ctx, dsn)
		if err != nil {
			return nil, &exitError{exitFailed, err}
		}
		return st, nil
	}
	if !create {
		if _, err := os.Stat(db); err != nil {
			return nil, &exitError{exitConfig, fmt.Errorf("store %s: %w", db, err)}
		}
		// A reading command must not add our tables to another
		// application's file: check it read-only first, as query does.
		ro, err := sqlite.OpenReadOnly(ctx, db)
		if err != nil {
			return nil, &exitError{exitConfig, err}
		}
		ro.Close()
	}
	st, err := sqlite.Open(db)
	if err != nil {
		return nil, &exitError{exitFailed, err}
	}
	return st, nil
}

func newImport(stdout io.Writer) *cobra.Command {
	var db, dsn, file, source string
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import entities owned elsewhere (e.g. Persons) into the store and resolve mapped relationships to them",
		Long: `Reads a JSON file {"entities": [...]} (each with _key, _type, _class) and stores it under
the source name given, replacing what an earlier import of that source held. Mapped
relationships (IAM user IS Person, ...) are then resolved against it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			data, err := os.ReadFile(file)
			if err != nil {
				return &exitError{exitConfig, err}
			}
			var doc struct {
				Entities []graph.Entity `json:"entities"`
			}
			if err := json.Unmarshal(data, &doc); err != nil {
				return &exitError{exitConfig, fmt.Errorf("%s: %w", file, err)}
			}
			for i, e := range doc.Entities {
				if e.Key() == "" || e.Type() == "" || len(e.Classes()) == 0 {
					return &exitError{exitConfig, fmt.Errorf("%s: entity %d lacks _key, _type or _class", file, i)}
				}
			}
			st, err := openStore(cmd.Context(), dsn, db, true)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.Import(cmd.Context(), "import:"+source, doc.Entities); err != nil {
				return &exitError{exitFailed, err}
			}
			fmt.Fprintf(stdout, "imported %d entities as import:%s\n", len(doc.Entities), source)
			return nil
		},
	}
	cmd.Flags().StringVar(&db, "db", "awsgraph.db", "SQLite graph store (ignored with --postgres-dsn)")
	cmd.Flags().StringVar(&dsn, "postgres-dsn", "", postgresDSNHelp)
	cmd.Flags().StringVar(&file, "file", "", `JSON file {"entities": [...]}`)
	cmd.Flags().StringVar(&source, "source", "default", "name of this import (re-importing the same name replaces it)")
	_ = cmd.MarkFlagRequired("file")
	return cmd
}

// stepDecl is a step's full declaration, as `awsgraph steps --json` prints it.
type stepDecl struct {
	ID            string                    `json:"id"`
	Name          string                    `json:"name"`
	DependsOn     []string                  `json:"dependsOn"`
	Entities      []engine.EntityDecl       `json:"entities"`
	Relationships []engine.RelationshipDecl `json:"relationships"`
	Permissions   []string                  `json:"permissions"`
}

// maxStepsLine bounds the width of `awsgraph steps` lines.
const maxStepsLine = 120

func newSteps(stdout io.Writer) *cobra.Command {
	var jsonOut bool
	cmd := &cobra.Command{
		Use:   "steps",
		Short: "List the steps, the types they produce and the AWS permissions they need",
		Long: `One line per step: its id, how many entity and relationship types it declares, the
steps it depends on, and what it does. --json prints every declaration in full: entity
and relationship types, dependencies and the AWS permissions each step uses.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sess := &awsclient.Session{Partition: "aws", AccountID: "000000000000", Calls: awsclient.NewCallCounter()}
			steps := collector.AllSteps(sess)
			if jsonOut {
				decls := make([]stepDecl, len(steps))
				for i, s := range steps {
					decls[i] = stepDecl{ID: s.ID, Name: s.Name, DependsOn: nonNil(s.DependsOn), Entities: nonNil(s.Entities),
						Relationships: nonNil(s.Relationships), Permissions: nonNil(s.Permissions)}
				}
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(decls)
			}
			writeSteps(stdout, steps)
			return nil
		},
	}
	cmd.Flags().BoolVar(&jsonOut, "json", false, "print the full declarations (types, relationships, permissions) as JSON")
	return cmd
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// writeSteps prints one line per step, none longer than maxStepsLine:
// id, types declared, dependencies (shortened: +N more), name.
func writeSteps(w io.Writer, steps []engine.Step) {
	idW := len("STEP")
	for _, s := range steps {
		idW = max(idW, len(s.ID))
	}
	const typesW, depsW = 5, 32
	row := func(id, types, deps, name string) string {
		line := fmt.Sprintf("%-*s  %*s  %-*s  %s", idW, id, typesW, types, depsW, deps, name)
		return truncate(strings.TrimRight(line, " "), maxStepsLine)
	}
	fmt.Fprintln(w, row("STEP", "TYPES", "DEPENDS ON", "WHAT IT DOES"))
	for _, s := range steps {
		fmt.Fprintln(w, row(s.ID, fmt.Sprint(len(s.DeclaredTypes())), shortList(s.DependsOn, depsW), s.Name))
	}
	fmt.Fprintln(w, "\n`awsgraph steps --json` lists each step's types, relationships and permissions.")
}

// shortList joins items into at most n columns, ending "+K" for the K items
// that did not fit.
func shortList(items []string, n int) string {
	out := ""
	for i, it := range items {
		next := it
		if out != "" {
			next = out + "," + it
		}
		more := fmt.Sprintf(" +%d", len(items)-i-1)
		if i == len(items)-1 {
			more = ""
		}
		if len(next)+len(more) > n {
			if out == "" {
				return truncate(it, n)
			}
			return out + fmt.Sprintf(" +%d", len(items)-i)
		}
		out = next
	}
	return out
}

// version is the release version; set with
// go build -ldflags "-X main.version=v1.2.3". Empty means the module version
// from the build information.
var version string

func newVersion(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, the VCS revision and the Go version awsgraph was built with",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			info, _ := debug.ReadBuildInfo()
			fmt.Fprint(stdout, versionText(version, info))
			return nil
		},
	}
}

// versionText renders the version: the -ldflags override, else the main
// module's version ("(devel)" for a build from a work tree), then the VCS
// revision, its time and whether the tree was modified.
func versionText(override string, info *debug.BuildInfo) string {
	v := override
	var b strings.Builder
	if info == nil {
		fmt.Fprintf(&b, "awsgraph %s\n", cmp.Or(v, "unknown"))
		return b.String()
	}
	if v == "" {
		v = cmp.Or(info.Main.Version, "(devel)")
	}
	fmt.Fprintf(&b, "awsgraph %s\n", v)
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		if settings["vcs.modified"] == "true" {
			rev += " (modified)"
		}
		fmt.Fprintf(&b, "revision: %s\n", rev)
	} else {
		fmt.Fprintln(&b, "revision: unknown (built without VCS information)")
	}
	if t := settings["vcs.time"]; t != "" {
		fmt.Fprintf(&b, "time:     %s\n", t)
	}
	fmt.Fprintf(&b, "module:   %s %s\n", cmp.Or(info.Main.Path, "github.com/awsgraph/awsgraph"), cmp.Or(info.Main.Version, "(devel)"))
	fmt.Fprintf(&b, "go:       %s\n", info.GoVersion)
	return b.String()
}
