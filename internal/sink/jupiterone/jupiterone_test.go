package jupiterone

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

// Everything in the graph files reaches the job once, unchanged, in
// batches of at most 250, entities before relationships, at most 6 in
// flight; the job is finalized with the summary's partial types and waited
// for.
func TestUploadSendsEveryObjectOnceThenFinalizes(t *testing.T) {
	f := writeFixture(t, 700, 420)
	r := newRecorder(t)
	r.polls = 2
	r.delay = 2e6 // 2ms: uploads overlap
	var phases []string
	opts := testOptions(r)
	opts.OnProgress = func(p Progress) {
		if len(phases) == 0 || phases[len(phases)-1] != p.Phase {
			phases = append(phases, p.Phase)
		}
	}
	res, err := Upload(t.Context(), f.dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	j := r.jobs["job-1"]
	if j.instanceID != "instance-1" || j.source != "integration-managed" {
		t.Errorf("job for %q / %q", j.instanceID, j.source)
	}
	checkOnce(t, "entity", f.entities, j.entities)
	checkOnce(t, "relationship", f.relationships, j.relationships)
	for i, n := range j.batchSizes {
		if n > 250 || n == 0 {
			t.Errorf("batch %d holds %d objects", i, n)
		}
	}
	if i := slices.Index(j.batches, "relationships"); i < 0 || slices.Contains(j.batches[i:], "entities") || j.relsBeforeEntitiesDone {
		t.Errorf("relationships uploaded before every entity was: %v (overlap %v)", j.batches, j.relsBeforeEntitiesDone)
	}
	if len(j.batches) != 3+2 { // 700 = 250+250+200, 420 = 250+170
		t.Errorf("%d batches", len(j.batches))
	}
	if r.maxIn > DefaultConcurrency {
		t.Errorf("%d uploads in flight, want at most %d", r.maxIn, DefaultConcurrency)
	}
	if !j.finalized || !slices.Equal(j.partialTypes, f.partial) || j.aborted != 0 {
		t.Errorf("finalized %v with %v, aborted %d; want finalized with %v", j.finalized, j.partialTypes, j.aborted, f.partial)
	}
	if res.Status != StatusFinished || res.JobID != "job-1" || res.Entities != 700 || res.Relationships != 420 ||
		res.Counters["numEntitiesUploaded"] != 700 || res.Counters["numRelationshipsUploaded"] != 420 {
		t.Errorf("result %+v", res)
	}
	if r.count("GET", "/job-1") != 3 {
		t.Errorf("%d status polls, want 3 (2 pending, then finished)", r.count("GET", "/job-1"))
	}
	if want := []string{"entities", "relationships", "finalizing", "waiting"}; !slices.Equal(phases, want) {
		t.Errorf("progress phases %v, want %v", phases, want)
	}
}

// A 500 on every third upload and a dropped connection now and then are
// retried: the job still gets everything once and is finalized.
func TestTransientUploadFailuresAreRetried(t *testing.T) {
	f := writeFixture(t, 650, 300)
	r := newRecorder(t)
	r.fault = func(_ string, n, _ int) (int, string) {
		switch {
		case n%3 == 0:
			return 500, `{"error":{"code":"INTERNAL"}}`
		case n%7 == 0:
			return -1, ""
		case n == 4:
			return 429, "slow down"
		}
		return 0, ""
	}
	res, err := Upload(t.Context(), f.dir, testOptions(r))
	if err != nil {
		t.Fatal(err)
	}
	j := r.jobs["job-1"]
	checkOnce(t, "entity", f.entities, j.entities)
	checkOnce(t, "relationship", f.relationships, j.relationships)
	if !j.finalized || j.aborted != 0 || res.Status != StatusFinished {
		t.Errorf("finalized %v, aborted %d, status %s", j.finalized, j.aborted, res.Status)
	}
	if r.uploads <= len(j.batches) {
		t.Errorf("%d upload requests for %d batches: no fault was injected", r.uploads, len(j.batches))
	}
}

// A batch that keeps failing aborts the job, which is never finalized; the
// error names the batch and the status.
func TestPersistentUploadFailureAbortsAndNeverFinalizes(t *testing.T) {
	f := writeFixture(t, 620, 300)
	r := newRecorder(t)
	var relAttempts atomic.Int32
	r.fault = func(kind string, _, _ int) (int, string) {
		if kind == "relationships" {
			relAttempts.Add(1)
			return 503, "unavailable"
		}
		return 0, ""
	}
	_, err := Upload(t.Context(), f.dir, testOptions(r))
	var ue *UploadError
	var ae *APIError
	if !errors.As(err, &ue) || !errors.As(err, &ae) || ae.Status != 503 || ae.Attempts != DefaultMaxAttempts ||
		!strings.Contains(err.Error(), "relationships batch") || !strings.Contains(err.Error(), "HTTP 503") ||
		!strings.Contains(err.Error(), "aborted, not finalized") {
		t.Fatalf("error %v", err)
	}
	j := r.jobs["job-1"]
	if j.finalized || r.count("POST", "/finalize") != 0 || j.aborted != 1 {
		t.Errorf("finalized %v (%d requests), aborted %d", j.finalized, r.count("POST", "/finalize"), j.aborted)
	}
	// Two relationship batches may be in flight; each is tried 5 times at most.
	if n := relAttempts.Load(); n < DefaultMaxAttempts || n > 2*DefaultMaxAttempts {
		t.Errorf("%d relationship upload attempts", n)
	}
}

// 401 is not retried, and nothing more is sent.
func TestUnauthorizedIsNotRetried(t *testing.T) {
	f := writeFixture(t, 10, 5)
	r := newRecorder(t)
	r.createStatus = http.StatusUnauthorized
	_, err := Upload(t.Context(), f.dir, testOptions(r))
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 401 || !ae.Auth() || ae.Attempts != 1 {
		t.Fatalf("error %v", err)
	}
	if len(r.requests) != 1 {
		t.Errorf("requests %v, want the one job creation", r.requests)
	}
	if strings.Contains(err.Error(), testKey) {
		t.Errorf("the error shows the key: %v", err)
	}
}

// A 4xx upload failure is not retried; the job is aborted.
func TestBadRequestUploadIsNotRetriedAndAborts(t *testing.T) {
	f := writeFixture(t, 300, 0)
	r := newRecorder(t)
	var n atomic.Int32
	r.fault = func(_ string, _, _ int) (int, string) { n.Add(1); return 400, `{"code":"BAD_ENTITY"}` }
	r.polls = 0
	_, err := Upload(t.Context(), f.dir, testOptions(r))
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 400 || ae.Code != "BAD_ENTITY" || ae.Attempts != 1 {
		t.Fatalf("error %v", err)
	}
	if n.Load() > 2 || r.jobs["job-1"].aborted != 1 || r.count("POST", "/finalize") != 0 {
		t.Errorf("%d attempts, %d aborts, %d finalizes", n.Load(), r.jobs["job-1"].aborted, r.count("POST", "/finalize"))
	}
}

// JOB_NOT_AWAITING_UPLOADS is fatal even under a 5xx status.
func TestJobNotAwaitingUploadsIsFatal(t *testing.T) {
	f := writeFixture(t, 10, 0)
	r := newRecorder(t)
	var n atomic.Int32
	r.fault = func(_ string, _, _ int) (int, string) {
		n.Add(1)
		return 500, `{"error":{"code":"JOB_NOT_AWAITING_UPLOADS","message":"job is finalizing"}}`
	}
	_, err := Upload(t.Context(), f.dir, testOptions(r))
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != codeNotAwaitingUploads || ae.Attempts != 1 || n.Load() != 1 {
		t.Fatalf("error %v after %d attempts", err, n.Load())
	}
	if r.count("POST", "/finalize") != 0 {
		t.Error("finalized")
	}
}

// A batch refused as too large is split; its objects still go once each.
func TestTooLargeBatchIsSplit(t *testing.T) {
	f := writeFixture(t, 600, 0)
	r := newRecorder(t)
	r.fault = func(_ string, _, objs int) (int, string) {
		if objs > 100 {
			return 413, "too large"
		}
		return 0, ""
	}
	if _, err := Upload(t.Context(), f.dir, testOptions(r)); err != nil {
		t.Fatal(err)
	}
	j := r.jobs["job-1"]
	checkOnce(t, "entity", f.entities, j.entities)
	if !j.finalized {
		t.Error("not finalized")
	}
}

// A job that ends ERROR_BAD_DATA is an error naming the status.
func TestJobEndingBadDataIsAnError(t *testing.T) {
	f := writeFixture(t, 5, 5)
	r := newRecorder(t)
	r.endStatus = StatusErrorBadData
	res, err := Upload(t.Context(), f.dir, testOptions(r))
	var je *JobError
	if !errors.As(err, &je) || je.Status != StatusErrorBadData || res.Status != StatusErrorBadData {
		t.Fatalf("error %v, result %+v", err, res)
	}
}

// The wait is bounded: a job that stays pending is reported, not waited on forever.
func TestWaitIsBounded(t *testing.T) {
	f := writeFixture(t, 5, 5)
	r := newRecorder(t)
	r.polls = 1 << 30
	opts := testOptions(r)
	opts.WaitTimeout = 30e6 // 30ms
	_, err := Upload(t.Context(), f.dir, opts)
	var je *JobError
	if !errors.As(err, &je) || je.TimedOut == 0 || je.Status != "FINALIZE_PENDING" {
		t.Fatalf("error %v", err)
	}
}

// Without the key or the account, or without summary.json, nothing is sent.
func TestBadSetupSendsNothing(t *testing.T) {
	f := writeFixture(t, 5, 5)
	r := newRecorder(t)
	for _, c := range []struct {
		name string
		edit func(*Options)
		dir  string
		want string
	}{
		{"no key", func(o *Options) { o.APIKey = "" }, f.dir, "JUPITERONE_API_KEY"},
		{"no account", func(o *Options) { o.Account = "" }, f.dir, "JUPITERONE_ACCOUNT"},
		{"no summary", func(*Options) {}, t.TempDir(), "summary.json"},
	} {
		opts := testOptions(r)
		c.edit(&opts)
		_, err := Upload(t.Context(), c.dir, opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one naming %s", c.name, err, c.want)
		}
	}
	if len(r.requests) != 0 {
		t.Errorf("requests %v", r.requests)
	}
}

func TestBatches(t *testing.T) {
	objs := make([][]byte, 0, 10)
	for range 10 {
		objs = append(objs, []byte(`{"_key":"0123456789"}`)) // 21 bytes
	}
	raw := make([]json.RawMessage, len(objs))
	for i, o := range objs {
		raw[i] = o
	}
	if got := batches(raw, 4, 1<<20); len(got) != 3 || len(got[2]) != 2 {
		t.Errorf("by count: %d batches", len(got))
	}
	if got := batches(raw, 250, 50); len(got) != 5 {
		t.Errorf("by bytes: %d batches", len(got))
	}
}
