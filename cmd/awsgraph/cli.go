package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/collector"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/instance"
	"github.com/awsgraph/awsgraph/internal/sink/postgres"
	"github.com/awsgraph/awsgraph/internal/sink/sqlite"
)

// Exit codes (SPEC §6).
const (
	exitOK     = 0
	exitFailed = 1
	exitConfig = 2 // configuration or authentication failure
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
	root.AddCommand(newCollect(stdout, stderr), newImport(stdout), newSteps(stdout), newQuery(stdout))
	return root
}

type collectFlags struct {
	roleArn, externalID, regions, output, db, endpoint, event, envFile string
	postgresDSN                                                        string
	sessionName, accountID, instanceID                                 string
	quiet, verbose, failOnPartial, noDB, jsonOut                       bool
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

Exit codes: 0 success (partial steps are warnings), 2 configuration or authentication
failure, 1 anything else (and partial runs with --fail-on-partial).`,
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
	fl.StringVar(&f.endpoint, "endpoint-url", "", "send every AWS call to this endpoint (an emulator such as moto); S3 then uses path-style addressing")
	fl.StringVar(&f.event, "event", "", `invocation event JSON file: {"integrationInstanceId": "...", "config": {"roleArn": "...", "externalId": "...", "regions": [...]}}`)
	fl.StringVar(&f.envFile, "env-file", ".env", "dotenv file read for ROLE_ARN, EXTERNAL_ID, REGIONS, ... when they are not in the environment\n(the default ./.env is optional and ignored with a warning when it does not parse; a file given here must exist and parse)")
	fl.StringVar(&f.sessionName, "session-name", "", "role session name (default awsgraph)")
	fl.StringVar(&f.accountID, "account-id", "", "expected account id; the run stops if the role belongs to another account")
	fl.StringVar(&f.instanceID, "instance-id", "", "integration instance id (default: the role ARN); the store keeps one graph per instance")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print only errors")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "log each step and AWS call count in detail")
	fl.BoolVar(&f.failOnPartial, "fail-on-partial", false, "exit 1 when any step failed or was partial")
	fl.BoolVar(&f.jsonOut, "json", false, "print the run summary as JSON instead of a table")
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

func runCollect(cmd *cobra.Command, f *collectFlags, stdout, rawStderr io.Writer) error {
	stderr := &lockedWriter{w: rawStderr}
	level := slog.LevelWarn
	switch {
	case f.verbose:
		level = slog.LevelDebug
	case f.quiet:
		level = slog.LevelError
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	prog := newProgress(stderr, rawStderr, f.quiet)
	opts := collector.Options{
		Config: cfg, EndpointURL: f.endpoint, OutputDir: f.output, Logger: log,
		OnStepDone: prog.stepDone, OnConnected: prog.connected,
	}
	if !f.noDB {
		opts.DBPath = f.db
		opts.PostgresDSN = postgresDSN(f.postgresDSN)
	}
	if testAWSOptions != nil {
		opts.AWS = *testAWSOptions
	}
	out, err := collector.Run(ctx, opts)
	prog.finish()
	if err != nil {
		var ve *instance.ValidationError
		var ae *awsclient.AuthError
		var me *awsclient.AccountMismatchError
		if errors.As(err, &ve) || errors.As(err, &ae) || errors.As(err, &me) {
			return &exitError{exitConfig, err}
		}
		return &exitError{exitFailed, err}
	}
	if f.jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(out.Summary)
	} else if !f.quiet {
		printSummary(stdout, out.Summary, f.verbose)
	}
	if f.failOnPartial && len(out.Summary.Metadata.PartialDatasets.Types) > 0 {
		return &exitError{exitFailed, fmt.Errorf("partial run (--fail-on-partial): %s", strings.Join(out.Summary.Metadata.PartialDatasets.Types, ", "))}
	}
	return nil
}

// progress shows steps as they finish: one updating line on a terminal,
// plain lines otherwise.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	quiet bool
	n     int
	last  string
	calls *awsclient.CallCounter // set once the role is assumed
	start time.Time
	stop  chan struct{}
	done  chan struct{}
}

func newProgress(w, underlying io.Writer, quiet bool) *progress {
	tty := false
	if f, ok := underlying.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	p := &progress{w: w, tty: tty, quiet: quiet, start: time.Now(), stop: make(chan struct{}), done: make(chan struct{})}
	if tty && !quiet {
		// On a terminal one status line refreshes twice a second, so a long
		// step (thousands of buckets) still shows time and API calls moving.
		go func() {
			defer close(p.done)
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
		close(p.done)
	}
	return p
}

// connected is called once the role is assumed.
func (p *progress) connected(s *awsclient.Session) {
	p.mu.Lock()
	p.calls = s.Calls
	p.mu.Unlock()
}

// render draws the terminal status line; p.mu is held.
func (p *progress) render() {
	calls := 0
	if p.calls != nil {
		calls = p.calls.Total()
	}
	line := fmt.Sprintf("[%s] %d steps done, %d AWS API calls", time.Since(p.start).Round(time.Second), p.n, calls)
	if p.last != "" {
		line += ", last: " + p.last
	}
	fmt.Fprintf(p.w, "\r\033[K%s", line)
}

func (p *progress) stepDone(r engine.StepResult) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	p.last = r.ID + " (" + r.Status + ")"
	if p.tty {
		p.render()
		return
	}
	fmt.Fprintf(p.w, "step %-45s %-42s %6dms\n", r.ID, r.Status, r.DurationMs)
}

func (p *progress) finish() {
	close(p.stop)
	<-p.done
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
	if types := s.Metadata.PartialDatasets.Types; len(types) > 0 {
		// Name, per partial type, the permissions whose refusal made it partial.
		perms := map[string]map[string]bool{}
		for _, wn := range s.Warnings {
			if wn.Permission == "" {
				continue
			}
			for _, t := range wn.Types {
				if perms[t] == nil {
					perms[t] = map[string]bool{}
				}
				perms[t][wn.Permission] = true
			}
		}
		fmt.Fprintln(w, "\nPARTIAL TYPES (incomplete this run; the store keeps what it had)")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, t := range types {
			var ps []string
			for p := range perms[t] {
				ps = append(ps, p)
			}
			sort.Strings(ps)
			why := "a step it depends on was incomplete"
			if len(ps) > 0 {
				why = "missing or failed: " + strings.Join(ps, ", ")
			}
			fmt.Fprintf(tw, "  %s\t%s\n", t, why)
		}
		tw.Flush()
	}
	if len(s.Warnings) > 0 {
		fmt.Fprintln(w, "\nWARNINGS")
		for _, wn := range s.Warnings {
			fmt.Fprintf(w, "  [%s] %s\n", wn.Step, wn.Message)
		}
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
	}
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// envPostgresDSN names the environment variable that can hold the DSN (so
// that a password need not be on the command line).
const envPostgresDSN = "AWSGRAPH_POSTGRES_DSN"

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

func newSteps(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "steps",
		Short: "List the steps, the types they produce and the AWS permissions they need",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sess := &awsclient.Session{Partition: "aws", AccountID: "000000000000", Calls: awsclient.NewCallCounter()}
			tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "STEP\tDEPENDS ON\tTYPES\tPERMISSIONS")
			for _, s := range collector.AllSteps(sess) {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.ID, strings.Join(s.DependsOn, ","), strings.Join(s.DeclaredTypes(), ","), strings.Join(s.Permissions, ","))
			}
			return tw.Flush()
		},
	}
}

func newQuery(stdout io.Writer) *cobra.Command {
	var db, dsn string
	cmd := &cobra.Command{
		Use:   "query SQL",
		Short: "Run a read-only SQL query against the local graph store and print tab-separated rows",
		Long: `Tables: entities(instance_id, key, type, source, json, ...) and
relationships(instance_id, key, type, class, from_key, to_key, mapped, json, ...);
json holds the whole object, so use json_extract / json_each on it. Example:
  awsgraph query "SELECT key FROM entities WHERE type='aws_ec2_instance' AND json_extract(json,'$.internetReachable')"
With --postgres-dsn the same tables are queried in PostgreSQL, where json is jsonb
(mapped is 0/1 as in SQLite):
  awsgraph query --postgres-dsn "$DSN" "SELECT key FROM entities WHERE type='aws_ec2_instance' AND (json->>'internetReachable')::boolean"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := openStore(cmd.Context(), dsn, db, false)
			if err != nil {
				return err
			}
			defer st.Close()
			rows, err := st.Query(cmd.Context(), args[0])
			if err != nil {
				return &exitError{exitFailed, err}
			}
			for _, r := range rows {
				fmt.Fprintln(stdout, strings.Join(r, "\t"))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&db, "db", "awsgraph.db", "SQLite graph store (ignored with --postgres-dsn)")
	cmd.Flags().StringVar(&dsn, "postgres-dsn", "", postgresDSNHelp)
	return cmd
}
