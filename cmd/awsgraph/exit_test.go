package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/collector"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

// denyAll answers every AWS call but STS with AccessDenied in the service's
// own protocol: a role that can read nothing.
func denyAll(fp *testbed.FaultProxy) {
	fault := func(match func(*http.Request) bool, status int, ct, body string) {
		fp.Add(&testbed.Fault{Match: func(r *http.Request, _ []byte) bool { return match(r) }, Status: status, ContentType: ct, Body: body})
	}
	svc := func(names ...string) func(*http.Request) bool {
		return func(r *http.Request) bool {
			for _, n := range names {
				if testbed.Service(r) == n {
					return true
				}
			}
			return false
		}
	}
	fault(svc("ec2"), 403, "", testbed.EC2Error("UnauthorizedOperation", "You are not authorized to perform this operation."))
	fault(svc("iam"), 403, "", testbed.AWSQueryError("AccessDenied", "not authorized"))
	fault(svc("s3"), 403, "", testbed.S3Error("AccessDenied", "Access Denied"))
	fault(svc("lambda", "apigateway", "config", "tagging"), 403, "application/json",
		`{"__type":"AccessDeniedException","message":"not authorized"}`)
}

// A role that can read nothing is a failed run (exit 1), saying so.
func TestRoleThatReadsNothingExits1(t *testing.T) {
	dir := isolateEnv(t)
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	fp := srv.NewFaultProxy(t)
	denyAll(fp)
	code, stdout, stderr := run(t, "collect", "--role-arn", testbed.RoleArn(acct), "--external-id", testbed.ExternalID,
		"--regions", "us-east-1", "--endpoint-url", fp.URL, "--output", filepath.Join(dir, "out"), "--no-db")
	if code != 1 || !strings.Contains(stderr, "no collection step succeeded") {
		t.Fatalf("exit %d, want 1 with 'no collection step succeeded'; stderr %s\nstdout %s", code, stderr, stdout)
	}
}

// A throttled AssumeRole is not an authentication failure: exit 1, with the
// throttling hint and no trust-policy hint.
func TestThrottledAssumeRoleExits1(t *testing.T) {
	dir := isolateEnv(t)
	srv := testbed.Server(t)
	fp := srv.NewFaultProxy(t)
	fp.Add(&testbed.Fault{Match: testbed.IsAction("sts", "AssumeRole", ""), Status: 400, Body: testbed.AWSQueryError("Throttling", "Rate exceeded")})
	code, _, stderr := run(t, "collect", "--role-arn", testbed.RoleArn(testbed.NewAccountID(t)), "--external-id", testbed.ExternalID,
		"--regions", "us-east-1", "--endpoint-url", fp.URL, "--output", filepath.Join(dir, "out"), "--no-db")
	if code != 1 || !strings.Contains(stderr, "AWS throttled sts:AssumeRole; retry later") || strings.Contains(stderr, "trust policy") ||
		strings.Contains(stderr, "PROVIDER_AUTHENTICATION_ERROR") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}

// fakeSteps is a small step list: one collection step, optionally partial.
func fakeSteps(run func(ctx context.Context, sc *engine.StepContext) error) func(*awsclient.Session) []engine.Step {
	return func(*awsclient.Session) []engine.Step {
		return []engine.Step{{
			ID: "fetch-fake-things", Name: "Fetch fake things", Permissions: []string{"fake:ListThings"},
			Entities: []engine.EntityDecl{{Type: "aws_fake_thing", Class: []string{"Resource"}}},
			Run:      run,
		}}
	}
}

// A partial run with --fail-on-partial exits 3 (not 1), with a short message.
func TestFailOnPartialExits3(t *testing.T) {
	dir := isolateEnv(t)
	srv := testbed.Server(t)
	testSteps = fakeSteps(func(ctx context.Context, sc *engine.StepContext) error {
		sc.Partial(fmt.Errorf("denied"), "aws_fake_thing")
		return nil
	})
	t.Cleanup(func() { testSteps = nil })
	args := []string{"collect", "--role-arn", testbed.RoleArn(testbed.NewAccountID(t)), "--external-id", testbed.ExternalID,
		"--regions", "us-east-1", "--endpoint-url", srv.URL, "--output", filepath.Join(dir, "out"), "--no-db", "-q"}
	if code, _, stderr := run(t, args...); code != 0 {
		t.Fatalf("partial run without --fail-on-partial: exit %d: %s", code, stderr)
	}
	code, _, stderr := run(t, append(args, "--fail-on-partial")...)
	if code != 3 || !strings.Contains(stderr, "partial run (--fail-on-partial): 1 partial types (fake 1)") {
		t.Fatalf("exit %d, want 3: %s", code, stderr)
	}
	var out strings.Builder
	root := newRoot(&out, &out)
	root.SetArgs([]string{"collect", "--help"})
	root.SetOut(&out)
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "3    partial run (some types incomplete) with --fail-on-partial") {
		t.Fatalf("collect --help does not document exit 3:\n%s", out.String())
	}
}

// SIGINT and SIGTERM cancel the run; the exit code is 128 + the signal and
// the message names it. The step sends the signal to this process: without
// a handler for it the test binary itself would die.
func TestSignalsCancelTheRun(t *testing.T) {
	for _, c := range []struct {
		sig  syscall.Signal
		name string
		code int
	}{{syscall.SIGINT, "SIGINT", 130}, {syscall.SIGTERM, "SIGTERM", 143}} {
		t.Run(c.name, func(t *testing.T) {
			dir := isolateEnv(t)
			srv := testbed.Server(t)
			testSteps = fakeSteps(func(ctx context.Context, sc *engine.StepContext) error {
				if err := syscall.Kill(syscall.Getpid(), c.sig); err != nil {
					return err
				}
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(20 * time.Second):
					return fmt.Errorf("context not cancelled by %s", c.name)
				}
			})
			t.Cleanup(func() { testSteps = nil })
			code, _, stderr := run(t, "collect", "--role-arn", testbed.RoleArn(testbed.NewAccountID(t)), "--external-id", testbed.ExternalID,
				"--regions", "us-east-1", "--endpoint-url", srv.URL, "--output", filepath.Join(dir, "out"), "--no-db", "-q")
			if code != c.code || !strings.Contains(stderr, "awsgraph: interrupted by "+c.name) {
				t.Fatalf("exit %d, want %d: %s", code, c.code, stderr)
			}
		})
	}
}

// The interruption message when the collector stopped without writing.
func TestInterruptionMessage(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	if interruption(ctx, nil) != nil {
		t.Fatal("interruption without a signal")
	}
	cancel(&interrupted{syscall.SIGTERM})
	ee := interruption(ctx, fmt.Errorf("collect: %w", context.Canceled))
	if ee == nil || ee.code != 143 || ee.Error() != "interrupted by SIGTERM: nothing was written; the graph files and the store keep the previous run" {
		t.Fatalf("%+v", ee)
	}
	ctx, cancel = context.WithCancelCause(context.Background())
	cancel(&interrupted{syscall.SIGINT})
	if ee := interruption(ctx, fmt.Errorf("x: %w", context.Canceled)); ee == nil || ee.code != 130 || !strings.HasPrefix(ee.Error(), "interrupted by SIGINT: nothing was written") {
		t.Fatalf("%+v", ee)
	}
}

func TestNoCollectionSucceeded(t *testing.T) {
	steps := []engine.Step{{ID: "fetch-a", Permissions: []string{"a:List"}}, {ID: "fetch-b", Permissions: []string{"b:List"}}, {ID: "analyze-c"}}
	res := func(a, b, c string) []engine.StepResult {
		return []engine.StepResult{{ID: "fetch-a", Status: a}, {ID: "fetch-b", Status: b}, {ID: "analyze-c", Status: c}}
	}
	if err := noCollectionSucceeded(steps, res(engine.StatusFailure, engine.StatusFailure, engine.StatusSuccess)); err == nil {
		t.Error("all collection steps failed (an analysis succeeding does not count)")
	}
	if err := noCollectionSucceeded(steps, res(engine.StatusFailure, engine.StatusPartial, engine.StatusSuccess)); err != nil {
		t.Errorf("a partial collection step is a success: %v", err)
	}
	if err := noCollectionSucceeded(steps, res(engine.StatusDependencyFailure, engine.StatusFailure, engine.StatusSuccess)); err == nil {
		t.Error("dependency failure is not success")
	}
}

func TestFormatProgressFitsTheWidth(t *testing.T) {
	running := []string{"fetch-iam", "fetch-s3-buckets", "fetch-ec2-security-groups", "analyze-iam-policies"}
	for _, w := range []int{40, 80, 200} {
		line := formatProgress(w, 83*time.Second, 7, 20, running, 1234)
		if len(line) > w-1 {
			t.Errorf("width %d: %d columns: %q", w, len(line), line)
		}
		if !strings.HasPrefix(line, "[1m23s] 7/20 steps, 1234 API calls") {
			t.Errorf("width %d: %q", w, line)
		}
		if strings.ContainsAny(line, "\r\n") {
			t.Errorf("width %d: control characters in %q", w, line)
		}
		switch w {
		case 40:
			if !strings.HasSuffix(line, "...") {
				t.Errorf("width 40 not marked as cut: %q", line)
			}
		case 200:
			if !strings.HasSuffix(line, "running: "+strings.Join(running, ", ")) {
				t.Errorf("width 200 does not show every running step: %q", line)
			}
		}
	}
	if l := formatProgress(0, 0, 0, 0, nil, 0); l != "[0s] 0 steps, 0 API calls" {
		t.Errorf("%q", l)
	}
	if l := formatProgress(0, 0, 1, 2, []string{strings.Repeat("x", 200)}, 0); len(l) != 79 {
		t.Errorf("default width 80: %d", len(l))
	}
}

// The progress line is redrawn in place: each draw starts with \r and
// clear-to-end-of-line, and running steps come and go.
func TestProgressRedrawsInPlace(t *testing.T) {
	var buf strings.Builder
	p := &progress{w: &buf, tty: true, fd: -1, start: time.Now(), stop: make(chan struct{}), stopped: make(chan struct{})}
	close(p.stopped)
	p.stepStart(engine.Step{ID: "fetch-a"})
	p.stepStart(engine.Step{ID: "fetch-b"})
	p.stepDone(engine.StepResult{ID: "fetch-a"})
	p.finish()
	draws := strings.Split(buf.String(), "\r\033[K")
	if draws[0] != "" || len(draws) != 5 {
		t.Fatalf("draws %q", draws)
	}
	if !strings.HasSuffix(draws[2], "running: fetch-a, fetch-b") || !strings.HasSuffix(draws[3], "1 steps, 0 API calls, running: fetch-b") || draws[4] != "" {
		t.Fatalf("draws %q", draws)
	}
}

func TestStepsOutput(t *testing.T) {
	code, stdout, stderr := run(t, "steps")
	if code != 0 {
		t.Fatal(stderr)
	}
	steps := collector.AllSteps(&awsclient.Session{Partition: "aws", AccountID: "000000000000", Calls: awsclient.NewCallCounter()})
	lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
	for _, l := range lines {
		if n := len([]rune(l)); n > 120 {
			t.Errorf("%d columns: %q", n, l)
		}
	}
	for _, s := range steps {
		if !strings.Contains(stdout, "\n"+s.ID+" ") {
			t.Errorf("step %s not listed", s.ID)
		}
	}
	code, stdout, stderr = run(t, "steps", "--json")
	if code != 0 {
		t.Fatal(stderr)
	}
	var decls []stepDecl
	if err := json.Unmarshal([]byte(stdout), &decls); err != nil {
		t.Fatal(err)
	}
	if len(decls) != len(steps) {
		t.Fatalf("%d declarations, %d steps", len(decls), len(steps))
	}
	for i, s := range steps {
		d := decls[i]
		if d.ID != s.ID || fmt.Sprint(d.Permissions) != fmt.Sprint(nonNil(s.Permissions)) ||
			len(d.Entities) != len(s.Entities) || len(d.Relationships) != len(s.Relationships) {
			t.Errorf("step %s: declaration %+v", s.ID, d)
		}
	}
	if !strings.Contains(stdout, `"permissions": [`) || !strings.Contains(stdout, `"ec2:DescribeInstances"`) {
		t.Error("permissions missing from --json")
	}
}

// 196 partial types and many warnings print as a short block grouped by
// service; --verbose prints them all.
func TestSummaryGroupsPartialTypesAndWarnings(t *testing.T) {
	s := &collector.Summary{AccountID: "123456789012", EntityCounts: map[string]int{}, RelationshipCounts: map[string]int{}}
	svcs := []string{"ec2", "iam", "s3", "lambda", "apigateway", "config", "kms"}
	for i := 0; i < 196; i++ {
		svc := svcs[i%len(svcs)]
		typ := fmt.Sprintf("aws_%s_type_%03d", svc, i)
		s.Metadata.PartialDatasets.Types = append(s.Metadata.PartialDatasets.Types, typ)
		s.Warnings = append(s.Warnings, engine.Warning{Step: "fetch-" + svc + "-things", Permission: fmt.Sprintf("%s:Get%03d", svc, i),
			Types: []string{typ}, Message: fmt.Sprintf("%s:Get%03d access denied (AccessDenied) in us-east-1; a long explanation follows %s", svc, i, strings.Repeat("x", 200))})
	}
	var short, long strings.Builder
	printSummary(&short, s, false)
	printSummary(&long, s, true)
	block := func(out, header string) []string {
		var got []string
		in := false
		for _, l := range strings.Split(out, "\n") {
			switch {
			case strings.HasPrefix(l, header):
				in = true
			case in && l == "":
				return got
			}
			if in {
				got = append(got, l)
			}
		}
		return got
	}
	partial, warnings := block(short.String(), "PARTIAL TYPES"), block(short.String(), "WARNINGS")
	if len(partial) > 10 || len(warnings) > 10 || len(partial)+len(warnings) > 20 {
		t.Errorf("%d partial lines, %d warning lines:\n%s", len(partial), len(warnings), short.String())
	}
	for _, l := range append(partial, warnings...) {
		if len(l) > 200 {
			t.Errorf("line of %d chars: %q", len(l), l)
		}
	}
	if !strings.Contains(short.String(), "PARTIAL TYPES: 196") || !strings.Contains(short.String(), "WARNINGS: 196") ||
		!regexp.MustCompile(`\n  iam +28 types +missing or failed: iam:Get001, iam:Get008, iam:Get015 \(\+25 more\)\n`).MatchString(short.String()) {
		t.Errorf("groups not counted:\n%s", short.String())
	}
	if n := len(block(long.String(), "PARTIAL TYPES")); n != 197 {
		t.Errorf("--verbose: %d partial lines, want 197", n)
	}
	if n := len(block(long.String(), "WARNINGS")); n != 197 {
		t.Errorf("--verbose: %d warning lines, want 197", n)
	}
	brief := partialBrief(s)
	if len(brief) > 200 || !strings.HasPrefix(brief, "196 partial types (apigateway 28, config 28, ec2 28, iam 28, kms 28, lambda 28, s3 28)") {
		t.Errorf("--fail-on-partial message %q", brief)
	}
}

func TestVersion(t *testing.T) {
	code, stdout, _ := run(t, "version")
	if code != 0 || !strings.HasPrefix(stdout, "awsgraph ") || !strings.Contains(stdout, "go:       go1.") {
		t.Fatalf("version: %q", stdout)
	}
	info := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/awsgraph/awsgraph", Version: "v1.4.0"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.time", Value: "2026-01-02T03:04:05Z"}, {Key: "vcs.modified", Value: "true"}}}
	got := versionText("", info)
	for _, want := range []string{"awsgraph v1.4.0\n", "revision: 0123abcd (modified)\n", "time:     2026-01-02T03:04:05Z\n", "module:   github.com/awsgraph/awsgraph v1.4.0\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
	if got := versionText("v2.0.0-rc1", info); !strings.HasPrefix(got, "awsgraph v2.0.0-rc1\n") {
		t.Errorf("ldflags override: %q", got)
	}
	version = "v9.9.9"
	t.Cleanup(func() { version = "" })
	if _, stdout, _ := run(t, "version"); !strings.HasPrefix(stdout, "awsgraph v9.9.9\n") {
		t.Errorf("main.version not used: %q", stdout)
	}
}

// An operation the endpoint does not implement (an emulator) is listed under
// its own heading, not as a WARNING; a step's details show with --verbose.
func TestSummaryListsUnsupportedOperationsApart(t *testing.T) {
	s := &collector.Summary{AccountID: "123456789012", EntityCounts: map[string]int{}, RelationshipCounts: map[string]int{}}
	s.Warnings = []engine.Warning{{Step: "fetch-config-rules", Permission: "config:DescribeComplianceByConfigRule", Region: "us-east-1",
		Types: []string{"aws_config_rule"}, Kind: engine.KindNotImplemented,
		Message: "the endpoint does not implement config:DescribeComplianceByConfigRule (emulator?) in us-east-1; Config rule compliance is unknown (kept from the last run)"}}
	s.IntegrationStepResults = []engine.StepResult{
		{ID: "fetch-config-rules", Status: engine.StatusPartial},
		{ID: "analyze-iam-policies", Status: engine.StatusSuccess, Metrics: map[string]int{"distinctUnknownActionsInAWSManagedPolicies": 2},
			Details: map[string][]string{"unknownActionsInAWSManagedPolicies": {"deepcomposer:GetModel", "iot1click:ListDevices"}}},
	}
	var short, long strings.Builder
	printSummary(&short, s, false)
	printSummary(&long, s, true)
	for _, out := range []string{short.String(), long.String()} {
		if strings.Contains(out, "WARNINGS") {
			t.Errorf("an unsupported operation printed as a warning:\n%s", out)
		}
		if !strings.Contains(out, "\nNOT SUPPORTED BY ENDPOINT: 1 (config:DescribeComplianceByConfigRule)\n"+
			"  [fetch-config-rules] the endpoint does not implement config:DescribeComplianceByConfigRule (emulator?) in us-east-1; Config rule compliance is unknown (kept from the last run)\n") {
			t.Errorf("no NOT SUPPORTED BY ENDPOINT block:\n%s", out)
		}
		if !strings.Contains(out, "Steps: 2, not fully successful: 1") {
			t.Errorf("the partial step is not counted:\n%s", out)
		}
	}
	if strings.Contains(short.String(), "deepcomposer") {
		t.Errorf("details without --verbose:\n%s", short.String())
	}
	if !strings.Contains(long.String(), "\nNOTES\n  [analyze-iam-policies] unknownActionsInAWSManagedPolicies (2): deepcomposer:GetModel, iot1click:ListDevices\n") {
		t.Errorf("--verbose does not list the details:\n%s", long.String())
	}
	// Another warning still prints under WARNINGS.
	s.Warnings = append(s.Warnings, engine.Warning{Step: "fetch-s3-buckets", Message: "something else"})
	short.Reset()
	printSummary(&short, s, false)
	if !strings.Contains(short.String(), "WARNINGS: 1\n") || !strings.Contains(short.String(), "NOT SUPPORTED BY ENDPOINT: 1") {
		t.Errorf("warnings and unsupported not counted apart:\n%s", short.String())
	}
}
