// Package faults is the fault-injection suite: with AWS unchanged, a run
// under any fault (a denied service or call, throttling, a disabled region,
// connection resets and drops, 5xx, a stalled call) must leave the store
// exactly as the previous clean run left it — no object deleted, changed or
// added. Faults are injected by a wire-level proxy in front of moto (moto
// cannot deny, throttle or stall on demand); the account itself is moto's.
package faults

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite"

	"github.com/awsgraph/awsgraph/internal/testbed"
)

func TestMain(m *testing.M) {
	code := testbed.PostgresMain(m, testbed.Main)
	os.Exit(code)
}

var regions = [2]string{"us-east-1", "eu-west-1"}

// run is one collect of the account through endpoint into store (a
// --db path or a --postgres-dsn), with its graph files in out.
type run struct {
	code           int
	stdout, stderr string
}

func collect(t *testing.T, endpoint, acct, out string, store []string, extra ...string) run {
	t.Helper()
	args := []string{"collect", "--role-arn", testbed.RoleArn(acct), "--external-id", testbed.ExternalID,
		"--regions", regions[0] + "," + regions[1], "--endpoint-url", endpoint, "--output", out}
	args = append(append(args, store...), extra...)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, testbed.Binary(t), args...)
	cmd.Dir = filepath.Dir(out)
	cmd.Env = []string{"HOME=" + filepath.Dir(out), "PATH=" + os.Getenv("PATH"), "AWS_ACCESS_KEY_ID=faultkey",
		"AWS_SECRET_ACCESS_KEY=faultsecret", "AWS_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := run{stdout: stdout.String(), stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("awsgraph collect: %v", err)
	}
	return r
}

// snapshot is a store's content: key → canonical row (type, class, ends and
// the object's JSON), without run ids and timestamps.
type snapshot map[string]string

func canonical(parts ...string) string { return strings.Join(parts, "\x1f") }

func sqliteSnapshot(t *testing.T, path string) snapshot {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path) // read-write: a killed run's WAL is recovered, as the next run would
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return readSnapshot(t, func(q string) (rowScanner, error) { return db.Query(q) })
}

func postgresSnapshot(t *testing.T, dsn string) snapshot {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	return readSnapshot(t, func(q string) (rowScanner, error) {
		rows, err := c.Query(ctx, strings.ReplaceAll(q, "json", "json::text"))
		return pgRows{rows}, err
	})
}

type rowScanner interface {
	Next() bool
	Scan(...any) error
	Close() error
	Err() error
}

type pgRows struct{ pgx.Rows }

func (r pgRows) Close() error { r.Rows.Close(); return nil }

const (
	entityQuery = `SELECT key, type, source, json FROM entities`
	relQuery    = `SELECT key, type, class, COALESCE(from_key, ''), COALESCE(to_key, ''), CAST(mapped AS TEXT), json FROM relationships`
)

func readSnapshot(t *testing.T, query func(string) (rowScanner, error)) snapshot {
	t.Helper()
	s := snapshot{}
	for _, q := range []struct {
		sql  string
		cols int
		kind string
	}{{entityQuery, 4, "entity "}, {relQuery, 7, "relationship "}} {
		rows, err := query(q.sql)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals := make([]string, q.cols)
			ptrs := make([]any, q.cols)
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			vals[q.cols-1] = normJSON(t, vals[q.cols-1])
			s[q.kind+vals[0]] = canonical(vals[1:]...)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return s
}

// normJSON re-encodes a JSON object with sorted keys (PostgreSQL's JSONB
// reorders them).
func normJSON(t *testing.T, s string) string {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("stored JSON: %v: %s", err, s)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// diff describes how got differs from want, at most a few lines per kind.
func diff(want, got snapshot) string {
	var missing, added, changed []string
	for k, w := range want {
		g, ok := got[k]
		switch {
		case !ok:
			missing = append(missing, k)
		case g != w:
			changed = append(changed, k+"\n      was "+w+"\n      now "+g)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			added = append(added, k+" = "+got[k])
		}
	}
	if len(missing)+len(added)+len(changed) == 0 {
		return ""
	}
	var b strings.Builder
	for _, part := range []struct {
		what string
		keys []string
	}{{"deleted", missing}, {"added", added}, {"changed", changed}} {
		sort.Strings(part.keys)
		for i, k := range part.keys {
			if i == 6 {
				fmt.Fprintf(&b, "  ... %d more %s\n", len(part.keys)-i, part.what)
				break
			}
			fmt.Fprintf(&b, "  %s %s\n", part.what, k)
		}
	}
	return b.String()
}

// scenario is one fault: what the proxy does, and extra flags for the run.
type scenario struct {
	name   string
	faults []*testbed.Fault
	extra  []string
	// absorbed: the retryer absorbs the faults, so the run must end as the
	// clean run does (same exit status under --fail-on-partial).
	absorbed bool
}

func services(names ...string) func(*http.Request, []byte) bool {
	return func(r *http.Request, _ []byte) bool { return slices.Contains(names, testbed.Service(r)) }
}

func operation(op string) func(*http.Request, []byte) bool {
	return func(r *http.Request, body []byte) bool { return testbed.Operation(r, body) == op }
}

func inRegion(region string) func(*http.Request, []byte) bool {
	return func(r *http.Request, _ []byte) bool {
		return testbed.Region(r) == region && testbed.Service(r) != "sts" && testbed.Service(r) != "s3"
	}
}

// collectionServices are the services the collector reads (STS only assumes
// the role: its faults are configuration and authentication errors).
var collectionServices = []string{"ec2", "iam", "s3", "lambda", "apigateway", "config", "tagging", "elasticloadbalancing"}

func denied(svc string, match func(*http.Request, []byte) bool) *testbed.Fault {
	switch svc {
	case "ec2":
		return testbed.ErrorFault(svc, match, 403, "UnauthorizedOperation", "You are not authorized to perform this operation.")
	case "lambda", "apigateway", "config", "tagging":
		return testbed.ErrorFault(svc, match, 403, "AccessDeniedException", "not authorized (fault)")
	}
	return testbed.ErrorFault(svc, match, 403, "AccessDenied", "not authorized (fault)")
}

func throttled(svc string, match func(*http.Request, []byte) bool) *testbed.Fault {
	switch svc {
	case "ec2":
		return testbed.ErrorFault(svc, match, 503, "RequestLimitExceeded", "Request limit exceeded.")
	case "s3":
		return testbed.ErrorFault(svc, match, 503, "SlowDown", "Please reduce your request rate.")
	case "iam":
		return testbed.ErrorFault(svc, match, 400, "Throttling", "Rate exceeded")
	}
	return testbed.ErrorFault(svc, match, 400, "ThrottlingException", "Rate exceeded")
}

func serverError(svc string, match func(*http.Request, []byte) bool) *testbed.Fault {
	switch svc {
	case "ec2", "iam", "s3", "elasticloadbalancing":
		return testbed.ErrorFault(svc, match, 500, "InternalError", "We encountered an internal error. Please try again.")
	}
	return testbed.ErrorFault(svc, match, 503, "ServiceUnavailableException", "Service unavailable")
}

// disabledRegion answers every call signed for region as AWS answers a
// region the account has not enabled.
func disabledRegion(region string) []*testbed.Fault {
	match := inRegion(region)
	return []*testbed.Fault{
		testbed.ErrorFault("ec2", func(r *http.Request, b []byte) bool { return match(r, b) && testbed.Service(r) == "ec2" },
			401, "AuthFailure", "AWS was not able to validate the provided access credentials"),
		testbed.ErrorFault("lambda", match, 403, "UnrecognizedClientException", "The security token included in the request is invalid."),
	}
}

// serviceScenarios fault whole services, a region, and everything at once.
func serviceScenarios() []scenario {
	var out []scenario
	for _, svc := range collectionServices {
		m := services(svc)
		out = append(out,
			scenario{name: "denied/" + svc, faults: []*testbed.Fault{denied(svc, m)}},
			scenario{name: "5xx/" + svc, faults: []*testbed.Fault{serverError(svc, m)}},
			scenario{name: "reset/" + svc, faults: []*testbed.Fault{{Match: m, Reset: true}}},
		)
	}
	out = append(out,
		scenario{name: "throttled/tagging", faults: []*testbed.Fault{throttled("tagging", services("tagging"))}},
		scenario{name: "throttled/ec2", faults: []*testbed.Fault{throttled("ec2", services("ec2"))}},
		scenario{name: "drop/ec2", faults: []*testbed.Fault{{Match: services("ec2"), Drop: true}}},
		scenario{name: "drop/iam", faults: []*testbed.Fault{{Match: services("iam"), Drop: true}}},
		scenario{name: "disabled-region/" + regions[1], faults: disabledRegion(regions[1])},
		scenario{name: "denied-in-region/ec2/" + regions[1], faults: []*testbed.Fault{denied("ec2",
			func(r *http.Request, b []byte) bool { return inRegion(regions[1])(r, b) && testbed.Service(r) == "ec2" })}},
		scenario{name: "stalled/ec2:DescribeInstances", faults: []*testbed.Fault{{Match: operation("ec2:DescribeInstances"), Delay: time.Minute}},
			extra: []string{"--response-timeout", "1s"}},
		scenario{name: "stalled/iam", faults: []*testbed.Fault{{Match: services("iam"), Delay: time.Minute}},
			extra: []string{"--response-timeout", "1s"}},
		scenario{name: "step-timeout/s3", faults: []*testbed.Fault{{Match: services("s3"), Delay: 3 * time.Second}},
			extra: []string{"--step-timeout", "2s"}},
		scenario{name: "denied/everything", faults: func() []*testbed.Fault {
			var fs []*testbed.Fault
			for _, svc := range collectionServices {
				fs = append(fs, denied(svc, services(svc)))
			}
			return fs
		}()},
	)
	return out
}

// callScenarios deny each single operation the clean run made.
func callScenarios(hits map[string]int) []scenario {
	var out []scenario
	for op := range hits {
		svc := op[:strings.Index(op, ":")]
		if !slices.Contains(collectionServices, svc) {
			continue
		}
		out = append(out, scenario{name: "denied/" + op, faults: []*testbed.Fault{denied(svc, operation(op))}})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// transientScenarios fail each service's first calls only (fewer than the
// retryer's attempts against an emulator endpoint, 3): the retryer must
// absorb them and the run be complete, identical to the clean one.
func transientScenarios() []scenario {
	var out []scenario
	for _, svc := range collectionServices {
		m := services(svc)
		out = append(out,
			scenario{name: "transient/reset+5xx/" + svc, absorbed: true,
				faults: []*testbed.Fault{{Match: m, Reset: true, Times: 1}, withTimes(serverError(svc, m), 1)}},
			scenario{name: "transient/throttled/" + svc, absorbed: true, faults: []*testbed.Fault{withTimes(throttled(svc, m), 2)}},
		)
	}
	return out
}

func withTimes(f *testbed.Fault, n int) *testbed.Fault { f.Times = n; return f }

type store struct {
	args     func(dir string) []string
	snapshot func(t *testing.T, dir string) snapshot
	// empty removes everything the store holds.
	empty func(t *testing.T, dir string)
}

func sqliteStore() store {
	return store{
		args:     func(dir string) []string { return []string{"--db", filepath.Join(dir, "graph.db")} },
		snapshot: func(t *testing.T, dir string) snapshot { return sqliteSnapshot(t, filepath.Join(dir, "graph.db")) },
		empty: func(t *testing.T, dir string) {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				if err := os.Remove(filepath.Join(dir, "graph.db"+suffix)); err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
			}
		},
	}
}

func postgresStore(dsn string) store {
	return store{
		args:     func(string) []string { return []string{"--postgres-dsn", dsn} },
		snapshot: func(t *testing.T, _ string) snapshot { return postgresSnapshot(t, dsn) },
		empty: func(t *testing.T, _ string) {
			ctx := context.Background()
			c, err := pgx.Connect(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close(ctx)
			if _, err := c.Exec(ctx, `TRUNCATE entities, relationships, runs`); err != nil {
				t.Fatal(err)
			}
		},
	}
}

// checkInvariant collects the demo account cleanly twice (the second run
// must change nothing: the baseline is stable), then once under each
// scenario, and requires the store to equal the baseline after each. A
// scenario that changed the store is reported and the baseline rebuilt (an
// empty store and a clean run, as at the start: a clean run over a damaged
// store would carry the damage over), so the next scenario starts from the
// baseline again.
func checkInvariant(t *testing.T, st store, scenarios func(hits map[string]int) []scenario) {
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	if _, err := testbed.SeedDemo(context.Background(), srv.URL, acct, regions); err != nil {
		t.Fatal(err)
	}
	fp := srv.NewFaultProxy(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	// Clean runs use --fail-on-partial too: against moto they exit 3, as
	// moto lacks Config compliance (the values are unknown in every run).
	clean := func() run {
		t.Helper()
		fp.Clear()
		r := collect(t, fp.URL, acct, out, st.args(dir), "--fail-on-partial")
		if r.code != 0 && r.code != 3 {
			t.Fatalf("clean run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		return r
	}
	cleanCode := clean().code
	hits := fp.Hits()
	base := st.snapshot(t, dir)
	if len(base) < 100 {
		t.Fatalf("baseline store holds only %d objects", len(base))
	}
	clean()
	if d := diff(base, st.snapshot(t, dir)); d != "" {
		t.Fatalf("a second clean run changed the store (the baseline is not stable):\n%s", d)
	}
	only := os.Getenv("FAULTS_ONLY") // a substring of scenario names, to rerun a few
	for _, sc := range scenarios(hits) {
		if !strings.Contains(sc.name, only) {
			continue
		}
		fp.Clear()
		for _, f := range sc.faults {
			fp.Add(f)
		}
		r := collect(t, fp.URL, acct, out, st.args(dir), append([]string{"--fail-on-partial"}, sc.extra...)...)
		fp.Clear()
		fired := 0
		for _, f := range sc.faults {
			fired += fp.Fired(f)
		}
		if fired == 0 {
			t.Errorf("%s: no fault fired (the scenario tests nothing)", sc.name)
		}
		t.Logf("%-45s exit %d, %d faulted calls", sc.name, r.code, fired)
		if r.code != 0 && testing.Verbose() {
			t.Logf("    %s", lastLines(r.stderr, 3))
		}
		if r.code != 0 && r.code != 1 && r.code != 3 || sc.absorbed && r.code != cleanCode {
			t.Errorf("%s: exit %d (clean run: %d)\n%s", sc.name, r.code, cleanCode, r.stderr)
		}
		if d := diff(base, st.snapshot(t, dir)); d != "" {
			t.Errorf("%s (exit %d) changed the store:\n%s", sc.name, r.code, d)
			st.empty(t, dir)
			if err := os.RemoveAll(out); err != nil {
				t.Fatal(err)
			}
			clean()
			if d := diff(base, st.snapshot(t, dir)); d != "" {
				t.Fatalf("the baseline could not be rebuilt:\n%s", d)
			}
		}
	}
}

func allScenarios(hits map[string]int) []scenario {
	return slices.Concat(serviceScenarios(), callScenarios(hits), transientScenarios())
}

func TestFaultedRunLeavesSQLiteStoreAsCleanRunLeftIt_WireFaults(t *testing.T) {
	checkInvariant(t, sqliteStore(), allScenarios)
}

// PostgreSQL shares the engine's rules but not the SQL: the whole-service
// and region faults run against it too.
func TestFaultedRunLeavesPostgresStoreAsCleanRunLeftIt_WireFaults(t *testing.T) {
	checkInvariant(t, postgresStore(testbed.StartPostgres(t)), func(_ map[string]int) []scenario { return serviceScenarios() })
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n    ")
}
