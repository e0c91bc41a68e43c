package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/sink/j1files"
	"github.com/awsgraph/awsgraph/internal/sink/jupiterone"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

const (
	j1TestKey     = "j1-test-key-secret"
	j1TestAccount = "j1-test-account"
)

// fakeJ1 is a small fake of JupiterOne's synchronization API (the
// jupiterone package's tests check the protocol in depth): it counts
// uploads per _key and records finalize and abort.
type fakeJ1 struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	requests []string
	keys     map[string]int // uploads per _key, entities and relationships
	uploads  int
	partial  []string // finalize's partial types; nil: not finalized
	aborts   int
	// fault may answer the n-th upload request (from 1) with a status.
	fault func(n int) int
	// createStatus, when set, answers job creation.
	createStatus int
}

func newFakeJ1(t *testing.T) *fakeJ1 {
	f := &fakeJ1{t: t, keys: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeJ1) serve(w http.ResponseWriter, r *http.Request) {
	data, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.Method+" "+r.URL.Path)
	if r.Header.Get("Authorization") != "Bearer "+j1TestKey || r.Header.Get("JupiterOne-Account") != j1TestAccount ||
		r.Header.Get("LifeOmic-Account") != j1TestAccount {
		f.t.Errorf("%s %s: headers %v", r.Method, r.URL.Path, r.Header)
		w.WriteHeader(401)
		return
	}
	job := func(status string) {
		fmt.Fprintf(w, `{"job":{"id":"job-1","status":%q,"numEntitiesUploaded":%d}}`, status, len(f.keys))
	}
	p := strings.TrimPrefix(r.URL.Path, "/persister/synchronization/jobs")
	switch {
	case p == "" && f.createStatus != 0:
		w.WriteHeader(f.createStatus)
		fmt.Fprint(w, `{"error":{"code":"UNAUTHORIZED"}}`)
	case p == "":
		job(jupiterone.StatusAwaitingUploads)
	case p == "/job-1/entities" || p == "/job-1/relationships":
		f.uploads++
		if f.fault != nil {
			if st := f.fault(f.uploads); st != 0 {
				w.WriteHeader(st)
				return
			}
		}
		var body map[string][]struct {
			Key string `json:"_key"`
		}
		if err := json.Unmarshal(data, &body); err != nil {
			f.t.Errorf("upload body: %v", err)
		}
		for _, objs := range body {
			if len(objs) > 250 {
				f.t.Errorf("batch of %d", len(objs))
			}
			for _, o := range objs {
				f.keys[o.Key]++
			}
		}
		fmt.Fprint(w, `{}`)
	case p == "/job-1/finalize":
		var body struct {
			PartialDatasets struct {
				Types []string `json:"types"`
			} `json:"partialDatasets"`
		}
		_ = json.Unmarshal(data, &body)
		f.partial = body.PartialDatasets.Types
		job("FINALIZE_PENDING")
	case p == "/job-1/abort":
		f.aborts++
		job(jupiterone.StatusAborted)
	case p == "/job-1" && r.Method == http.MethodGet:
		job(jupiterone.StatusFinished)
	default:
		f.t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
		w.WriteHeader(404)
	}
}

func (f *fakeJ1) count(suffix string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, r := range f.requests {
		if strings.HasSuffix(r, suffix) {
			n++
		}
	}
	return n
}

// j1Env sets the JupiterOne credentials and fast retries for one test.
func j1Env(t *testing.T) {
	t.Setenv(envJ1APIKey, j1TestKey)
	t.Setenv(envJ1Account, j1TestAccount)
	testSyncOptions = func(o *jupiterone.Options) {
		o.RetryBaseDelay, o.RetryMaxDelay, o.PollInterval = time.Millisecond, 5*time.Millisecond, time.Millisecond
	}
	t.Cleanup(func() { testSyncOptions = nil })
}

// noJ1Env unsets the JupiterOne credentials.
func noJ1Env(t *testing.T) {
	for _, k := range []string{envJ1APIKey, envJ1Account, envJ1BaseURL} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
}

// Without JUPITERONE_API_KEY or JUPITERONE_ACCOUNT, sync and collect --sync
// exit 2 before any request, to JupiterOne or to AWS.
func TestSyncWithoutCredentialsExits2WithoutRequests(t *testing.T) {
	dir := isolateEnv(t)
	var awsHits atomic.Int32
	aws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { awsHits.Add(1); w.WriteHeader(500) }))
	defer aws.Close()
	j1 := newFakeJ1(t)
	for _, c := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"neither", nil, "JUPITERONE_API_KEY and JUPITERONE_ACCOUNT"},
		{"no key", map[string]string{envJ1Account: j1TestAccount}, "JUPITERONE_API_KEY in the environment"},
		{"no account", map[string]string{envJ1APIKey: j1TestKey}, "JUPITERONE_ACCOUNT in the environment"},
	} {
		noJ1Env(t)
		for k, v := range c.env {
			t.Setenv(k, v)
		}
		for _, args := range [][]string{
			{"sync", "--output", filepath.Join(dir, "out"), "--api-base-url", j1.srv.URL},
			{"collect", "--sync", "--api-base-url", j1.srv.URL, "--role-arn", goodRole, "--external-id", "abcdef",
				"--regions", "us-east-1", "--endpoint-url", aws.URL, "--output", filepath.Join(dir, "out"), "--no-db"},
		} {
			code, _, stderr := run(t, args...)
			if code != 2 || !strings.Contains(stderr, c.want) || strings.Contains(stderr, j1TestKey) {
				t.Errorf("%s: %s: exit %d, stderr %q; want 2 naming %s", c.name, args[0], code, stderr, c.want)
			}
		}
	}
	if n := len(j1.requests); n != 0 {
		t.Errorf("%d requests reached JupiterOne: %v", n, j1.requests)
	}
	if n := awsHits.Load(); n != 0 {
		t.Errorf("%d requests reached AWS", n)
	}
}

// manyThings is a collection step that writes n entities and marks its type
// partial.
func manyThings(n int) func(ctx context.Context, sc *engine.StepContext) error {
	return func(ctx context.Context, sc *engine.StepContext) error {
		for i := range n {
			e := graph.NewEntity(fmt.Sprintf("fake:thing:%04d", i), "aws_fake_thing", []string{"Resource"}, fmt.Sprintf("thing <%d> & é", i))
			e["ratio"] = 1.5
			if err := sc.AddEntity(e); err != nil {
				return err
			}
		}
		sc.Partial(errors.New("denied"), "aws_fake_thing")
		return nil
	}
}

// collect --sync collects, then uploads every object it wrote once and
// finalizes with the summary's partial types; then `awsgraph sync` uploads
// the same files again, through 500s on every third upload.
func TestCollectSyncThenSyncThroughFaults(t *testing.T) {
	dir := isolateEnv(t)
	noJ1Env(t)
	srv := testbed.Server(t)
	j1Env(t)
	testSteps = fakeSteps(manyThings(640))
	t.Cleanup(func() { testSteps = nil })
	out := filepath.Join(dir, "out")
	j1 := newFakeJ1(t)
	code, stdout, stderr := run(t, "collect", "--sync", "--api-base-url", j1.srv.URL, "--role-arn", testbed.RoleArn(testbed.NewAccountID(t)),
		"--external-id", testbed.ExternalID, "--regions", "us-east-1", "--endpoint-url", srv.URL, "--output", out, "--no-db")
	if code != 0 {
		t.Fatalf("collect --sync: exit %d\nstderr %s\nstdout %s", code, stderr, stdout)
	}
	ents, rels, err := j1files.ReadGraph(out)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, e := range ents {
		want[e.Key()] = true
	}
	for _, r := range rels {
		want[r.Key()] = true
	}
	check := func(what string) {
		t.Helper()
		if len(want) < 640 {
			t.Fatalf("%s: only %d objects in the files", what, len(want))
		}
		for k := range want {
			if j1.keys[k] != 1 {
				t.Errorf("%s: %q uploaded %d times", what, k, j1.keys[k])
			}
		}
		if len(j1.keys) != len(want) {
			t.Errorf("%s: %d keys uploaded, %d in the files", what, len(j1.keys), len(want))
		}
		if !slices.Equal(j1.partial, readSummary(t, out).Metadata.PartialDatasets.Types) || !slices.Contains(j1.partial, "aws_fake_thing") {
			t.Errorf("%s: finalized with %v", what, j1.partial)
		}
		if j1.aborts != 0 {
			t.Errorf("%s: %d aborts", what, j1.aborts)
		}
	}
	check("collect --sync")
	if !strings.Contains(stdout, "JupiterOne job job-1") || !strings.Contains(stdout, "FINISHED") {
		t.Errorf("collect --sync stdout lacks the job's end:\n%s", stdout)
	}
	if strings.Contains(stdout+stderr, j1TestKey) {
		t.Error("the API key was printed")
	}

	j1 = newFakeJ1(t)
	j1.fault = func(n int) int {
		if n%3 == 0 {
			return 500
		}
		return 0
	}
	code, stdout, stderr = run(t, "sync", "--output", out, "--api-base-url", j1.srv.URL)
	if code != 0 {
		t.Fatalf("sync through 500s: exit %d\nstderr %s\nstdout %s", code, stderr, stdout)
	}
	check("sync")
	if j1.uploads <= 3 {
		t.Errorf("%d upload requests: no fault injected", j1.uploads)
	}
}

// writeSmallGraph writes a graph directory by hand: n entities, a summary
// with an instance id and partial types.
func writeSmallGraph(t *testing.T, dir string, n int) {
	t.Helper()
	var objs []string
	for i := range n {
		objs = append(objs, fmt.Sprintf(`{"_key":"k%d","_type":"aws_fake_thing","_class":"Resource"}`, i))
	}
	p := filepath.Join(dir, "graph", "fetch-fake-things", "entities", "00000.json")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(`{"entities":[`+strings.Join(objs, ",")+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := `{"integrationInstanceId":"inst-1","metadata":{"partialDatasets":{"types":["aws_fake_thing"]}}}`
	if err := os.WriteFile(filepath.Join(dir, "summary.json"), []byte(sum), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Uploads that keep failing: exit 1 naming the batch and the status, the
// job aborted and never finalized.
func TestSyncUploadFailureAbortsAndExits1(t *testing.T) {
	dir := isolateEnv(t)
	j1Env(t)
	writeSmallGraph(t, dir, 600)
	j1 := newFakeJ1(t)
	j1.fault = func(n int) int {
		if n > 1 {
			return 503
		}
		return 0
	}
	code, _, stderr := run(t, "sync", "--output", dir, "--api-base-url", j1.srv.URL, "-q")
	if code != 1 || !strings.Contains(stderr, "entities batch") || !strings.Contains(stderr, "HTTP 503") ||
		!strings.Contains(stderr, "aborted, not finalized") {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	if j1.count("/finalize") != 0 || j1.aborts != 1 {
		t.Errorf("%d finalizes, %d aborts; want 0 and 1", j1.count("/finalize"), j1.aborts)
	}
}

// A refused key is a configuration error (exit 2), not retried.
func TestSyncUnauthorizedExits2NotRetried(t *testing.T) {
	dir := isolateEnv(t)
	j1Env(t)
	writeSmallGraph(t, dir, 3)
	j1 := newFakeJ1(t)
	j1.createStatus = 401
	code, _, stderr := run(t, "sync", "--output", dir, "--api-base-url", j1.srv.URL, "--integration-instance-id", "other")
	if code != 2 || !strings.Contains(stderr, "HTTP 401") {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	if len(j1.requests) != 1 {
		t.Errorf("requests %v, want the one job creation", j1.requests)
	}
}

// A directory without graph files is a configuration error, and nothing is sent.
func TestSyncWithoutGraphFilesExits2(t *testing.T) {
	dir := isolateEnv(t)
	j1Env(t)
	j1 := newFakeJ1(t)
	code, _, stderr := run(t, "sync", "--output", filepath.Join(dir, "nope"), "--api-base-url", j1.srv.URL)
	if code != 2 || !strings.Contains(stderr, "summary.json") || len(j1.requests) != 0 {
		t.Fatalf("exit %d, stderr %s, requests %v", code, stderr, j1.requests)
	}
}

func TestFormatSyncProgressFitsTheWidth(t *testing.T) {
	p := jupiterone.Progress{Phase: "entities", JobID: "job-1", EntitiesDone: 250, EntitiesTotal: 700, RelationshipsTotal: 420}
	if got := formatSyncProgress(0, 3*time.Second, p); got != "[3s] sync job-1: entities 250/700, relationships 0/420" {
		t.Errorf("%q", got)
	}
	if got := formatSyncProgress(20, time.Second, p); len(got) > 19 {
		t.Errorf("%q is wider than 19", got)
	}
}
