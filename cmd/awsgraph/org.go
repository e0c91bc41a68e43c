package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/spf13/cobra"

	"github.com/awsgraph/awsgraph/internal/collector"
	"github.com/awsgraph/awsgraph/internal/instance"
	"github.com/awsgraph/awsgraph/internal/org"
	"github.com/awsgraph/awsgraph/internal/sink/lockfile"
	"github.com/awsgraph/awsgraph/internal/sink/postgres"
)

type orgFlags struct {
	collectFlags
	memberRoleName, memberExternalID, exclude, queueURL string
	run                                                 bool
	concurrency                                         int
}

func newOrg(stdout, stderr io.Writer) *cobra.Command {
	f := &orgFlags{}
	cmd := &cobra.Command{
		Use:   "org",
		Short: "Discover an AWS Organization's member accounts and emit one integration instance event per account",
		Long: `Assume the role of the organization's management account (the same flags, environment and
validation as collect), list the accounts (organizations:ListAccounts, every page), read each
account's tags and the service control policies along its path (root, OUs, account), and
emit one instance event per ACTIVE account: role arn:<partition>:iam::<account>:role/<--member-role-name>,
the member external id (default: --external-id), --regions, and the SCPs, which the member's
trust analysis applies to its principals. The management account is a member like the
others. Accounts tagged j1-integration: SKIP and those in --exclude are skipped.

Output: JSON lines on stdout (default), SQS messages (--queue-url, SendMessageBatch; the
SDK's credentials and region, --endpoint-url serves SQS too), or collected here (--run, up
to --concurrency at once, into --db or --postgres-dsn). The events carry the member external
id in clear, as the member role's trust policy needs it: treat the JSON lines and the queue
as secrets. Logs never show it.

The organization itself (aws_organization, its root and OUs, aws_organizations_account,
the SCPs as aws_organizations_policy) is written to the store under the instance
aws-organization:<id> with --run, or when --db or a PostgreSQL DSN is given.

Exit codes: 0 every account decided and every event delivered; 1 an account could not be
decided (its tags unreadable: no event), an event not enqueued, or a --run collection that
failed; 2 configuration or authentication failure.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runOrg(cmd, f, stdout, stderr) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.roleArn, "role-arn", "", "ARN of the management account's role (arn:aws:iam::<account>:role/<name>)")
	fl.StringVar(&f.externalID, "external-id", "", "external id the management role requires (never logged)")
	fl.StringVar(&f.sessionName, "session-name", "", "role session name (default awsgraph)")
	fl.StringVar(&f.accountID, "account-id", "", "expected management account id")
	fl.StringVar(&f.envFile, "env-file", ".env", "dotenv file read for ROLE_ARN, EXTERNAL_ID, ... as collect reads it")
	fl.StringVar(&f.regions, "regions", "", "comma-separated regions every member collects (default: each member's enabled regions)")
	fl.StringVar(&f.endpoint, "endpoint-url", "", "send every AWS call (Organizations, STS, SQS) to this endpoint (an emulator such as moto)")
	fl.StringVar(&f.memberRoleName, "member-role-name", "", "the role name (optionally path/name) every member account carries (required)")
	fl.StringVar(&f.memberExternalID, "member-external-id", "", "external id of the member roles (default: --external-id; never logged)")
	fl.StringVar(&f.exclude, "exclude", "", "comma-separated account ids not to collect")
	fl.StringVar(&f.queueURL, "queue-url", "", "send the events to this SQS queue instead of printing them")
	fl.BoolVar(&f.run, "run", false, "collect the member accounts in this process instead of printing the events")
	fl.IntVar(&f.concurrency, "concurrency", 4, "with --run: accounts collected at once")
	fl.StringVar(&f.db, "db", "awsgraph.db", "SQLite graph store for the organization graph and, with --run, the members' (ignored with --postgres-dsn;\nwithout --run the store is written only when --db or a DSN is given)")
	fl.StringVar(&f.postgresDSN, "postgres-dsn", "", postgresDSNHelp)
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print only errors")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "log each account's decision")
	return cmd
}

func runOrg(cmd *cobra.Command, f *orgFlags, stdout, rawStderr io.Writer) error {
	stderr := &lockedWriter{w: rawStderr}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: logLevel(f.verbose, f.quiet)}))
	opts, err := orgOptions(cmd, f, stderr)
	if err != nil {
		return err
	}
	opts.Logger = log
	ctx, stop := signalContext(cmd.Context())
	defer stop()
	res, err := org.Discover(ctx, opts)
	if ie := interruption(ctx, err); ie != nil {
		return ie
	}
	var incomplete *org.IncompleteError
	if err != nil && !errors.As(err, &incomplete) {
		return classify(err)
	}
	for _, a := range res.Accounts {
		if a.Skipped != "" {
			log.Info("account skipped", "accountId", a.ID, "reason", a.Skipped)
		}
	}
	if !f.quiet {
		fmt.Fprintf(stderr, "awsgraph: organization %s: %d accounts, %d to collect\n", res.OrganizationID, len(res.Accounts), len(res.Events))
	}
	var st collector.Store
	if f.run || cmd.Flags().Changed("db") || postgresDSN(f.postgresDSN) != "" {
		var release func()
		if st, release, err = openSharedStore(ctx, f); err != nil {
			return &exitError{exitFailed, err}
		}
		defer release()
		if err := org.WriteGraph(ctx, st, res); err != nil {
			return &exitError{exitFailed, err}
		}
	}
	var deliver error
	switch {
	case f.queueURL != "":
		deliver = enqueue(ctx, f.endpoint, f.queueURL, res.Events, log)
	case f.run:
		deliver = runMembers(ctx, f, st, res.Events, stderr, log)
	default:
		deliver = printEvents(stdout, res.Events)
	}
	if ie := interruption(ctx, deliver); ie != nil {
		return ie
	}
	if err := errors.Join(deliver, orNil(incomplete)); err != nil {
		return &exitError{exitFailed, err}
	}
	return nil
}

func orNil(e *org.IncompleteError) error {
	if e == nil {
		return nil
	}
	return e
}

// classify gives a failed run its exit code: the status an error in the
// chain carries (configuration and authentication failures say 2), else 1.
// (Not ExitCode: exec.ExitError has one, and a child's status is not ours.)
func classify(err error) error {
	var coded interface{ ExitStatus() int }
	if errors.As(err, &coded) {
		return &exitError{coded.ExitStatus(), err}
	}
	return &exitError{exitFailed, err}
}

// orgOptions resolves the management role as collect resolves its role
// (flags, then the environment / .env) and the member settings.
func orgOptions(cmd *cobra.Command, f *orgFlags, stderr io.Writer) (org.Options, error) {
	cfg, warnings, err := resolveConfig(cmd, &f.collectFlags)
	for _, w := range warnings {
		fmt.Fprintln(stderr, "awsgraph: warning:", w)
	}
	if err != nil {
		return org.Options{}, &exitError{exitConfig, err}
	}
	if f.queueURL != "" && f.run {
		return org.Options{}, &exitError{exitConfig, errors.New("--queue-url and --run are exclusive: send the events to a queue, or collect them here")}
	}
	if f.concurrency < 1 {
		return org.Options{}, &exitError{exitConfig, fmt.Errorf("--concurrency must be at least 1 (got %d)", f.concurrency)}
	}
	opts := org.Options{
		Management: cfg, MemberRoleName: f.memberRoleName, MemberExternalID: instance.Secret(f.memberExternalID),
		Regions: cfg.Regions, EndpointURL: f.endpoint,
	}
	opts.Management.Regions = nil // the regions are the members'
	for _, id := range strings.Split(f.exclude, ",") {
		if id = strings.TrimSpace(id); id != "" {
			opts.Exclude = append(opts.Exclude, id)
		}
	}
	if testAWSOptions != nil {
		opts.AWS = *testAWSOptions
	}
	if err := opts.Validate(); err != nil {
		return opts, &exitError{exitConfig, err}
	}
	return opts, nil
}

// printEvents writes one event per line, external id included (the help
// says so): the lines are what a scheduler or a queue would carry.
func printEvents(w io.Writer, events []instance.Event) error {
	for _, ev := range events {
		data, err := instance.EncodeEvent(ev)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "%s\n", data); err != nil {
			return err
		}
	}
	return nil
}

// runMembers collects the events here, up to f.concurrency at once, into
// one store shared by the runs (each run's deletions are its instance's).
func runMembers(ctx context.Context, f *orgFlags, st collector.Store, events []instance.Event, stderr io.Writer, log *slog.Logger) error {
	var (
		mu     sync.Mutex
		failed []string
		wg     sync.WaitGroup
		sem    = make(chan struct{}, f.concurrency)
	)
	for _, ev := range events {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			opts := collector.Options{Config: ev.Config, EndpointURL: f.endpoint, Store: st, Logger: log.With("accountId", ev.Config.AccountID), Steps: testSteps}
			if testAWSOptions != nil {
				opts.AWS = *testAWSOptions
			}
			out, err := collector.Run(ctx, opts)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed = append(failed, fmt.Sprintf("%s: %v", ev.Config.AccountID, err))
				return
			}
			if !f.quiet {
				fmt.Fprintf(stderr, "awsgraph: collected %s: %d entities, %d relationships\n", out.Summary.AccountID, len(out.Result.Job.Entities()), len(out.Result.Job.Relationships()))
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return &collector.InterruptedError{Cause: context.Cause(ctx)}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d member collections failed: %s", len(failed), len(events), strings.Join(failed, "; "))
	}
	return nil
}

// openSharedStore opens the one store of an org --run: PostgreSQL by DSN,
// else the SQLite file, locked against other processes for the whole run.
func openSharedStore(ctx context.Context, f *orgFlags) (collector.Store, func(), error) {
	if dsn := postgresDSN(f.postgresDSN); dsn != "" {
		st, err := postgres.Open(ctx, dsn)
		if err != nil {
			return nil, nil, err
		}
		return st, func() { st.Close() }, nil
	}
	lock, err := lockfile.Acquire(f.db+".lock", "store", f.db)
	if err != nil {
		return nil, nil, err
	}
	st, err := collector.OpenSQLite(f.db)
	if err != nil {
		lock.Release()
		return nil, nil, err
	}
	return st, func() { st.Close(); lock.Release() }, nil
}

// enqueue sends the events to SQS with the SDK's own credentials and region
// (the queue is the collector's, not the organization's); --endpoint-url
// serves SQS too.
func enqueue(ctx context.Context, endpoint, queueURL string, events []instance.Event, log *slog.Logger) error {
	loadOpts := []func(*config.LoadOptions) error{config.WithRegion(queueRegion(queueURL))}
	if endpoint != "" {
		loadOpts = append(loadOpts, config.WithBaseEndpoint(endpoint))
	}
	if testAWSOptions != nil && testAWSOptions.BaseCredentials != nil {
		loadOpts = append(loadOpts, config.WithCredentialsProvider(testAWSOptions.BaseCredentials))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return fmt.Errorf("loading AWS SDK configuration for SQS: %w", err)
	}
	sent, err := org.Enqueue(ctx, sqs.NewFromConfig(cfg), queueURL, events, org.EnqueueOptions{})
	log.Info("events enqueued", "queueUrl", queueURL, "sent", sent)
	return err
}

// queueRegion is the region of an SQS queue URL
// (https://sqs.<region>.amazonaws.com/<account>/<name>, or the legacy
// https://<region>.queue.amazonaws.com/...), else AWS_REGION,
// else us-east-1 (an emulator's URL names none).
func queueRegion(queueURL string) string {
	if u, err := url.Parse(queueURL); err == nil {
		parts := strings.Split(u.Hostname(), ".")
		switch {
		case len(parts) >= 3 && parts[0] == "sqs":
			return parts[1]
		case len(parts) >= 3 && parts[1] == "queue": // the legacy <region>.queue.amazonaws.com
			return parts[0]
		}
	}
	return cmp.Or(os.Getenv("AWS_REGION"), os.Getenv("AWS_DEFAULT_REGION"), "us-east-1")
}
