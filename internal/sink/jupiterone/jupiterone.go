// Package jupiterone uploads a run's graph files to JupiterOne's
// synchronization API the way the stock `j1-integration sync` does: open a
// job for the integration instance, upload every entity and then every
// relationship in batches of at most 250 objects (6 in flight), each object
// exactly as the graph file holds it, then finalize the job with the run's
// partial types and wait for JupiterOne to finish it.
//
// An upload that fails after its retries aborts the job: it is never
// finalized, since finalizing deletes, for the instance, whatever of a
// non-partial type the job did not receive.
package jupiterone

import (
	"bytes"
	"cmp"
	"context"
	cryptorand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults (Options leaves a field zero to get them).
const (
	DefaultBaseURL        = "https://api.us.jupiterone.io"
	DefaultBatchSize      = 250       // objects per upload, as the stock CLI
	DefaultMaxBatchBytes  = 5_000_000 // bytes per upload body, the SDK's DEFAULT_UPLOAD_BATCH_SIZE_IN_BYTES
	DefaultConcurrency    = 6         // uploads in flight, as the stock CLI
	DefaultMaxAttempts    = 5
	DefaultRetryBaseDelay = 500 * time.Millisecond
	DefaultRetryMaxDelay  = 30 * time.Second
	DefaultPollInterval   = 2 * time.Second
	DefaultWaitTimeout    = 10 * time.Minute
)

// Job statuses the API reports (those that end a job, and the one uploads need).
const (
	StatusAwaitingUploads = "AWAITING_UPLOADS"
	StatusFinished        = "FINISHED"
	StatusAborted         = "ABORTED"
	StatusErrorBadData    = "ERROR_BAD_DATA"
	StatusAbortedConfig   = "ABORTED_DUE_TO_INVALID_CONFIGURATION"
)

// Terminal reports whether a job in this status will not change again.
func Terminal(status string) bool {
	switch status {
	case StatusFinished, StatusAborted, StatusErrorBadData, StatusAbortedConfig:
		return true
	}
	return false
}

// codeNotAwaitingUploads in an error body means the job no longer takes
// uploads: retrying cannot help.
const codeNotAwaitingUploads = "JOB_NOT_AWAITING_UPLOADS"

// Options configure an upload. APIKey and Account are required.
type Options struct {
	BaseURL string // default DefaultBaseURL
	APIKey  string // JUPITERONE_API_KEY; sent as a bearer token, never logged
	Account string // JUPITERONE_ACCOUNT
	// IntegrationInstanceID owns the uploaded graph; default: summary.json's
	// integrationInstanceId.
	IntegrationInstanceID string

	HTTPClient     *http.Client // default: a client with a 2-minute timeout per request
	BatchSize      int
	MaxBatchBytes  int
	Concurrency    int
	MaxAttempts    int           // per request, the first included
	RetryBaseDelay time.Duration // backoff before the 2nd attempt; doubles, with jitter
	RetryMaxDelay  time.Duration
	PollInterval   time.Duration
	WaitTimeout    time.Duration // bound on waiting for the finalized job to end

	OnProgress func(Progress) // called from one goroutine at a time
	Logger     *slog.Logger
}

// Progress is the state of an upload.
type Progress struct {
	Phase                                 string // "entities", "relationships", "finalizing", "waiting"
	JobID, Status                         string
	EntitiesDone, EntitiesTotal           int
	RelationshipsDone, RelationshipsTotal int
}

// Result is a finished upload.
type Result struct {
	JobID                   string
	IntegrationInstanceID   string
	Status                  string // the job's last status
	Entities, Relationships int    // objects uploaded
	Batches                 int    // upload requests that succeeded
	PartialTypes            []string
	// Counters are the job's num* fields as JupiterOne last reported them
	// (numEntitiesUploaded, numEntitiesCreated, numEntitiesDeleted, ...).
	Counters map[string]int64
}

// ConfigError is a missing or bad setting; nothing was sent.
type ConfigError struct{ Reason string }

func (e *ConfigError) Error() string { return e.Reason }

// APIError is a request that failed: an HTTP status (Status > 0) or a
// connection error (Err), after Attempts attempts.
type APIError struct {
	Op       string // what the request was: "create job", "entities batch 3/4 (250 objects)", ...
	Status   int
	Code     string // the error code in the body, when there is one
	Body     string // the response body, cut short, the API key redacted
	Err      error
	Attempts int
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: ", e.Op)
	if e.Status > 0 {
		fmt.Fprintf(&b, "HTTP %d %s", e.Status, http.StatusText(e.Status))
		if e.Code != "" {
			fmt.Fprintf(&b, " (%s)", e.Code)
		}
		if e.Body != "" {
			fmt.Fprintf(&b, ": %s", e.Body)
		}
	} else {
		fmt.Fprintf(&b, "%v", e.Err)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	return b.String()
}

func (e *APIError) Unwrap() error { return e.Err }

// Auth reports whether JupiterOne refused the credentials.
func (e *APIError) Auth() bool { return e.Status == 401 || e.Status == 403 }

// UploadError is an upload that failed once the job was open: the job was
// aborted (or the abort failed too) and never finalized.
type UploadError struct {
	JobID    string
	Err      error // the failure, usually an *APIError naming the batch
	AbortErr error // nil when the abort succeeded
}

func (e *UploadError) Error() string {
	s := fmt.Sprintf("upload to job %s failed: %v; ", e.JobID, e.Err)
	if e.AbortErr != nil {
		return s + fmt.Sprintf("the job was not finalized, and aborting it failed too (%v): JupiterOne discards it unfinalized", e.AbortErr)
	}
	return s + "the job was aborted, not finalized: JupiterOne's graph is unchanged"
}

func (e *UploadError) Unwrap() error { return e.Err }

// JobError is a finalized job that did not end FINISHED, or did not end
// within the wait timeout.
type JobError struct {
	JobID, Status string
	TimedOut      time.Duration // > 0: still running after this long
}

func (e *JobError) Error() string {
	if e.TimedOut > 0 {
		return fmt.Sprintf("job %s finalized but still %s after %s; JupiterOne goes on with it (GET /persister/synchronization/jobs/%s)", e.JobID, e.Status, e.TimedOut, e.JobID)
	}
	return fmt.Sprintf("job %s ended %s, not %s", e.JobID, e.Status, StatusFinished)
}

// Upload reads the graph files in dir (see ReadGraph) and uploads them.
func Upload(ctx context.Context, dir string, opts Options) (*Result, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	g, err := ReadGraph(dir)
	if err != nil {
		return nil, err
	}
	return UploadGraph(ctx, g, opts)
}

func (o *Options) check() error {
	switch {
	case o.APIKey == "":
		return &ConfigError{"no JupiterOne API key (JUPITERONE_API_KEY)"}
	case o.Account == "":
		return &ConfigError{"no JupiterOne account id (JUPITERONE_ACCOUNT)"}
	}
	return nil
}

// UploadGraph uploads g: job, entities, relationships, finalize, wait.
func UploadGraph(ctx context.Context, g *Graph, opts Options) (*Result, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	c := newClient(opts)
	instanceID := cmp.Or(opts.IntegrationInstanceID, g.IntegrationInstanceID)
	if instanceID == "" {
		return nil, &ConfigError{"no integration instance id: summary.json has none; give --integration-instance-id"}
	}
	res := &Result{IntegrationInstanceID: instanceID, PartialTypes: g.PartialTypes}
	if res.PartialTypes == nil {
		res.PartialTypes = []string{}
	}
	job, err := c.createJob(ctx, instanceID, res)
	if err != nil {
		return res, err
	}
	u := &uploader{c: c, res: res, jobID: job, p: Progress{JobID: job, Status: res.Status,
		EntitiesTotal: len(g.Entities), RelationshipsTotal: len(g.Relationships)}}
	if err := u.upload(ctx, "entities", g.Entities, &u.p.EntitiesDone); err != nil {
		return res, c.aborted(ctx, job, err)
	}
	if err := u.upload(ctx, "relationships", g.Relationships, &u.p.RelationshipsDone); err != nil {
		return res, c.aborted(ctx, job, err)
	}
	res.Entities, res.Relationships = u.p.EntitiesDone, u.p.RelationshipsDone
	u.report(func(p *Progress) { p.Phase = "finalizing" })
	if err := c.finalize(ctx, job, res); err != nil {
		// Not finalized (or not known to be): abort, so that nothing is
		// deleted on a half-known state. An abort of a job already
		// finalizing is refused by the API, which is as safe.
		return res, c.aborted(ctx, job, err)
	}
	if err := c.waitForEnd(ctx, job, res, u.report); err != nil {
		return res, err
	}
	if res.Status != StatusFinished {
		return res, &JobError{JobID: job, Status: res.Status}
	}
	return res, nil
}

// aborted aborts the job after err and returns the error to report.
func (c *client) aborted(ctx context.Context, job string, err error) error {
	return &UploadError{JobID: job, Err: err, AbortErr: c.abort(ctx, job)}
}

// createJob opens the synchronization job and returns its id; a job not
// awaiting uploads is aborted.
func (c *client) createJob(ctx context.Context, instanceID string, res *Result) (string, error) {
	body, _ := json.Marshal(map[string]string{"source": "integration-managed", "integrationInstanceId": instanceID})
	data, err := c.call(ctx, http.MethodPost, "/persister/synchronization/jobs", body, "create job")
	if err != nil {
		return "", err
	}
	job, err := parseJob(data)
	if err != nil {
		return "", fmt.Errorf("create job: %w", err)
	}
	res.JobID, res.Status, res.Counters = job.id, job.status, job.counters
	c.log.Info("JupiterOne synchronization job created", "job", job.id, "status", job.status, "integrationInstanceId", instanceID)
	if job.status != StatusAwaitingUploads {
		err := fmt.Errorf("job %s was created in status %s, not %s", job.id, job.status, StatusAwaitingUploads)
		return "", c.aborted(ctx, job.id, err)
	}
	return job.id, nil
}

// finalize finalizes the job with the run's partial types.
func (c *client) finalize(ctx context.Context, job string, res *Result) error {
	body, _ := json.Marshal(map[string]any{"partialDatasets": map[string]any{"types": res.PartialTypes}})
	data, err := c.call(ctx, http.MethodPost, "/persister/synchronization/jobs/"+job+"/finalize", body, "finalize job "+job)
	if err != nil {
		return err
	}
	if j, err := parseJob(data); err == nil {
		res.Status, res.Counters = j.status, j.counters
	}
	c.log.Info("JupiterOne synchronization job finalized", "job", job, "entities", res.Entities, "relationships", res.Relationships,
		"partialTypes", len(res.PartialTypes))
	return nil
}

// waitForEnd polls the finalized job until it reaches a terminal status or
// the wait timeout.
func (c *client) waitForEnd(ctx context.Context, job string, res *Result, report func(func(*Progress))) error {
	start := time.Now()
	for {
		report(func(p *Progress) { p.Phase, p.Status = "waiting", res.Status })
		if Terminal(res.Status) {
			c.log.Info("JupiterOne synchronization job ended", "job", job, "status", res.Status)
			return nil
		}
		if time.Since(start) >= c.waitTimeout {
			return &JobError{JobID: job, Status: res.Status, TimedOut: c.waitTimeout}
		}
		if err := sleep(ctx, min(c.pollInterval, c.waitTimeout-time.Since(start))); err != nil {
			return fmt.Errorf("waiting for job %s (finalized, status %s): %w", job, res.Status, err)
		}
		data, err := c.call(ctx, http.MethodGet, "/persister/synchronization/jobs/"+job, nil, "status of job "+job)
		if err != nil {
			return fmt.Errorf("job %s was finalized, but its status could not be read: %w", job, err)
		}
		j, err := parseJob(data)
		if err != nil {
			return fmt.Errorf("status of job %s: %w", job, err)
		}
		res.Status, res.Counters = j.status, j.counters
	}
}

// uploader uploads one job's objects and reports progress.
type uploader struct {
	c     *client
	res   *Result
	jobID string
	mu    sync.Mutex
	p     Progress
}

func (u *uploader) report(f func(*Progress)) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if f != nil {
		f(&u.p)
	}
	if u.c.onProgress != nil {
		u.c.onProgress(u.p)
	}
}

func (u *uploader) upload(ctx context.Context, kind string, objs []json.RawMessage, done *int) error {
	u.report(func(p *Progress) { p.Phase = kind })
	bs := batches(objs, u.c.batchSize, u.c.maxBatchBytes)
	n, err := u.c.uploadAll(ctx, u.jobID, kind, bs, func(k int) { u.report(func(*Progress) { *done += k }) })
	u.mu.Lock()
	u.res.Batches += n
	u.mu.Unlock()
	return err
}

type client struct {
	base, key, account                       string
	http                                     *http.Client
	batchSize, maxBatchBytes, conc, attempts int
	baseDelay, maxDelay                      time.Duration
	pollInterval, waitTimeout                time.Duration
	onProgress                               func(Progress)
	log                                      *slog.Logger
}

func newClient(o Options) *client {
	or := func(v, d int) int {
		if v > 0 {
			return v
		}
		return d
	}
	ord := func(v, d time.Duration) time.Duration {
		if v > 0 {
			return v
		}
		return d
	}
	c := &client{
		base: strings.TrimRight(o.BaseURL, "/"), key: o.APIKey, account: o.Account, http: o.HTTPClient,
		batchSize: min(or(o.BatchSize, DefaultBatchSize), DefaultBatchSize), maxBatchBytes: or(o.MaxBatchBytes, DefaultMaxBatchBytes),
		conc: or(o.Concurrency, DefaultConcurrency), attempts: or(o.MaxAttempts, DefaultMaxAttempts),
		baseDelay: ord(o.RetryBaseDelay, DefaultRetryBaseDelay), maxDelay: ord(o.RetryMaxDelay, DefaultRetryMaxDelay),
		pollInterval: ord(o.PollInterval, DefaultPollInterval), waitTimeout: ord(o.WaitTimeout, DefaultWaitTimeout),
		onProgress: o.OnProgress, log: o.Logger,
	}
	if c.base == "" {
		c.base = DefaultBaseURL
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: 2 * time.Minute}
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c
}

// call sends one request, retrying 429, 5xx and connection errors with
// exponential backoff and jitter; other statuses, and a job that no longer
// awaits uploads, fail at once.
func (c *client) call(ctx context.Context, method, path string, body []byte, op string) ([]byte, error) {
	for attempt := 1; ; attempt++ {
		apiErr, retryAfter, data := c.once(ctx, method, path, body, op)
		if apiErr == nil {
			return data, nil
		}
		apiErr.Attempts = attempt
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %w", op, context.Cause(ctx))
		}
		retry := apiErr.Status == 0 || apiErr.Status == http.StatusTooManyRequests || apiErr.Status >= 500
		if apiErr.Code == codeNotAwaitingUploads || !retry || attempt >= c.attempts {
			return nil, apiErr
		}
		d := c.backoff(attempt, retryAfter)
		c.log.Debug("JupiterOne request retried", "op", op, "attempt", attempt, "status", apiErr.Status, "error", apiErr.Err, "delay", d)
		if err := sleep(ctx, d); err != nil {
			return nil, fmt.Errorf("%s: %w", op, context.Cause(ctx))
		}
	}
}

func (c *client) once(ctx context.Context, method, path string, body []byte, op string) (*APIError, time.Duration, []byte) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return &APIError{Op: op, Err: err}, 0, nil
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("JupiterOne-Account", c.account) // the 17.x SDK runtime
	req.Header.Set("LifeOmic-Account", c.account)   // the 8.x CLI and older servers
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "awsgraph")
	req.Header.Set("JupiterOne-Correlation-Id", correlationID())
	resp, err := c.http.Do(req)
	if err != nil {
		return &APIError{Op: op, Err: c.redactErr(err)}, 0, nil
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	c.log.Debug("JupiterOne request", "method", method, "path", path, "status", resp.StatusCode)
	if err != nil {
		return &APIError{Op: op, Err: fmt.Errorf("reading the response (HTTP %d): %w", resp.StatusCode, err)}, 0, nil
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil, 0, data
	}
	e := &APIError{Op: op, Status: resp.StatusCode, Code: errorCode(data), Body: c.redact(short(data))}
	var ra time.Duration
	if s, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && s > 0 {
		ra = time.Duration(s) * time.Second
	}
	return e, ra, nil
}

// backoff is base·2^(attempt-1), capped, with jitter (half fixed, half
// random), and at least what Retry-After asked, within the cap.
func (c *client) backoff(attempt int, retryAfter time.Duration) time.Duration {
	d := c.baseDelay << min(attempt-1, 20)
	if d <= 0 || d > c.maxDelay {
		d = c.maxDelay
	}
	d = d/2 + rand.N(d/2+1)
	return min(max(d, retryAfter), c.maxDelay)
}

func (c *client) redact(s string) string {
	if c.key == "" {
		return s
	}
	return strings.ReplaceAll(s, c.key, "REDACTED")
}

func (c *client) redactErr(err error) error {
	if c.key != "" && strings.Contains(err.Error(), c.key) {
		return errors.New(c.redact(err.Error()))
	}
	return err
}

// abort aborts the job, even when ctx is done (an interrupted upload must
// still not leave a job that could be finalized).
func (c *client) abort(ctx context.Context, jobID string) error {
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	_, err := c.call(actx, http.MethodPost, "/persister/synchronization/jobs/"+jobID+"/abort", []byte("{}"), "abort job "+jobID)
	if err == nil {
		c.log.Warn("JupiterOne synchronization job aborted", "job", jobID)
	}
	return err
}

// batches cuts objs into runs of at most n objects and maxBytes of body.
func batches(objs []json.RawMessage, n, maxBytes int) [][]json.RawMessage {
	var out [][]json.RawMessage
	var cur []json.RawMessage
	size := 0
	for _, o := range objs {
		if len(cur) > 0 && (len(cur) == n || size+len(o)+1 > maxBytes) {
			out = append(out, cur)
			cur, size = nil, 0
		}
		cur = append(cur, o)
		size += len(o) + 1
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// body is {"<kind>":[o1,o2,...]} with each object's bytes as read.
func body(kind string, objs []json.RawMessage) []byte {
	var b bytes.Buffer
	b.WriteString(`{"` + kind + `":[`)
	for i, o := range objs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(o)
	}
	b.WriteString("]}")
	return b.Bytes()
}

// uploadAll uploads the batches, c.conc in flight; the first failure stops
// the others. It returns the number of requests that succeeded.
func (c *client) uploadAll(ctx context.Context, jobID, kind string, bs [][]json.RawMessage, done func(int)) (int, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, c.conc)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	ok := 0
	for i, b := range bs {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			label := fmt.Sprintf("%s batch %d/%d", kind, i+1, len(bs))
			n, err := c.uploadBatch(ctx, jobID, kind, label, b, done)
			mu.Lock()
			defer mu.Unlock()
			ok += n
			if err != nil && first == nil {
				first = err
				cancel(err)
			}
		}()
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = context.Cause(ctx)
	}
	return ok, first
}

// uploadBatch posts one batch; a batch the API finds too large (413) is
// split in two, so that objects still go unchanged, each once.
func (c *client) uploadBatch(ctx context.Context, jobID, kind, label string, objs []json.RawMessage, done func(int)) (int, error) {
	op := fmt.Sprintf("%s (%d objects)", label, len(objs))
	_, err := c.call(ctx, http.MethodPost, "/persister/synchronization/jobs/"+jobID+"/"+kind, body(kind, objs), op)
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == http.StatusRequestEntityTooLarge && len(objs) > 1 {
		h := len(objs) / 2
		n1, err := c.uploadBatch(ctx, jobID, kind, label+"a", objs[:h], done)
		if err != nil {
			return n1, err
		}
		n2, err := c.uploadBatch(ctx, jobID, kind, label+"b", objs[h:], done)
		return n1 + n2, err
	}
	if err != nil {
		return 0, err
	}
	done(len(objs))
	return 1, nil
}

type job struct {
	id, status string
	counters   map[string]int64
}

// parseJob reads {"job": {"id", "status", "num...": n, ...}}.
func parseJob(data []byte) (job, error) {
	var doc struct {
		Job map[string]json.RawMessage `json:"job"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return job{}, fmt.Errorf("unexpected response %q: %w", short(data), err)
	}
	var j job
	_ = json.Unmarshal(doc.Job["id"], &j.id)
	_ = json.Unmarshal(doc.Job["status"], &j.status)
	if j.id == "" {
		return job{}, fmt.Errorf("unexpected response (no job id): %q", short(data))
	}
	j.counters = map[string]int64{}
	for k, v := range doc.Job {
		var n int64
		if strings.HasPrefix(k, "num") && json.Unmarshal(v, &n) == nil {
			j.counters[k] = n
		}
	}
	return j, nil
}

// errorCode finds the error code of an error body: {"code"}, {"error":
// {"code"}}, {"errors":[{"code"}]}, or the not-awaiting-uploads code anywhere.
func errorCode(data []byte) string {
	var doc struct {
		Code  string `json:"code"`
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
		Errors []struct {
			Code string `json:"code"`
		} `json:"errors"`
	}
	_ = json.Unmarshal(data, &doc)
	codes := []string{doc.Code, doc.Error.Code}
	for _, e := range doc.Errors {
		codes = append(codes, e.Code)
	}
	if bytes.Contains(data, []byte(codeNotAwaitingUploads)) {
		return codeNotAwaitingUploads
	}
	if i := slices.IndexFunc(codes, func(s string) bool { return s != "" }); i >= 0 {
		return codes[i]
	}
	return ""
}

func short(data []byte) string {
	s := strings.TrimSpace(string(data))
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

func correlationID() string {
	var b [16]byte
	_, _ = cryptorand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
