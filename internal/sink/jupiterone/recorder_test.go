package jupiterone

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Test credentials: the recorder checks the headers carry them.
const (
	testKey     = "test-api-key-0123456789"
	testAccount = "j1-account-42"
)

// recorder is a fake of JupiterOne's synchronization API: it records what
// each job receives and checks every request's headers.
type recorder struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	jobs     map[string]*recJob
	nextJob  int
	requests []string // "METHOD path", in arrival order
	uploads  int      // upload requests seen (faulted included)
	inFlight int
	maxIn    int

	// fault, when set, may answer an upload request instead of the
	// recorder: n counts upload requests from 1. It returns 0 to let the
	// request through, -1 to drop the connection.
	fault func(kind string, n int, objs int) (status int, body string)
	// createStatus, when non-zero, answers job creation with it.
	createStatus int
	// polls is how many GETs report FINALIZE_PENDING before endStatus.
	polls     int
	endStatus string
	delay     time.Duration // held per upload, so that uploads overlap
}

type recJob struct {
	instanceID, source string
	status             string
	entities           []json.RawMessage
	relationships      []json.RawMessage
	batches            []string // kind of each accepted batch, in order
	batchSizes         []int
	finalized          bool
	partialTypes       []string
	aborted            int
	gets               int
	// relsBeforeEntitiesDone is set when a relationship batch arrived while
	// an entity batch was still being answered.
	relsBeforeEntitiesDone bool
	entitiesInFlight       int
}

func newRecorder(t *testing.T) *recorder {
	r := &recorder{t: t, jobs: map[string]*recJob{}, endStatus: StatusFinished}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *recorder) fail(w http.ResponseWriter, status int, format string, args ...any) {
	r.t.Errorf(format, args...)
	http.Error(w, fmt.Sprintf(format, args...), status)
}

func (r *recorder) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.requests = append(r.requests, req.Method+" "+req.URL.Path)
	r.mu.Unlock()
	if got := req.Header.Get("Authorization"); got != "Bearer "+testKey {
		r.fail(w, 401, "Authorization %q", got)
		return
	}
	for _, h := range []string{"JupiterOne-Account", "LifeOmic-Account"} {
		if got := req.Header.Get(h); got != testAccount {
			r.fail(w, 401, "%s %q", h, got)
			return
		}
	}
	if req.Method == http.MethodPost {
		if got := req.Header.Get("Content-Type"); got != "application/json" {
			r.fail(w, 400, "Content-Type %q", got)
			return
		}
	}
	data, err := io.ReadAll(req.Body)
	if err != nil {
		// The client cancelled the request (another batch had failed).
		http.Error(w, err.Error(), 400)
		return
	}
	path, ok := strings.CutPrefix(req.URL.Path, "/persister/synchronization/jobs")
	if !ok {
		r.fail(w, 404, "unexpected path %s", req.URL.Path)
		return
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if path == "" && req.Method == http.MethodPost {
		r.create(w, data)
		return
	}
	r.mu.Lock()
	j := r.jobs[parts[0]]
	r.mu.Unlock()
	if j == nil {
		r.fail(w, 404, "no job %q", parts[0])
		return
	}
	switch {
	case len(parts) == 1 && req.Method == http.MethodGet:
		r.mu.Lock()
		j.gets++
		if j.finalized && j.status != StatusAborted && j.gets > r.polls {
			j.status = r.endStatus
		}
		r.mu.Unlock()
		r.writeJob(w, parts[0], j)
	case len(parts) == 2 && req.Method == http.MethodPost && (parts[1] == "entities" || parts[1] == "relationships"):
		r.upload(w, req, j, parts[1], data)
	case len(parts) == 2 && req.Method == http.MethodPost && parts[1] == "finalize":
		var body struct {
			PartialDatasets struct {
				Types []string `json:"types"`
			} `json:"partialDatasets"`
		}
		if err := json.Unmarshal(data, &body); err != nil || body.PartialDatasets.Types == nil {
			r.fail(w, 400, "finalize body %s: %v", data, err)
			return
		}
		r.mu.Lock()
		if j.status != StatusAwaitingUploads {
			r.mu.Unlock()
			r.fail(w, 400, "finalize of a job in %s", j.status)
			return
		}
		j.finalized, j.partialTypes, j.status = true, body.PartialDatasets.Types, "FINALIZE_PENDING"
		r.mu.Unlock()
		r.writeJob(w, parts[0], j)
	case len(parts) == 2 && req.Method == http.MethodPost && parts[1] == "abort":
		r.mu.Lock()
		j.aborted++
		j.status = StatusAborted
		r.mu.Unlock()
		r.writeJob(w, parts[0], j)
	default:
		r.fail(w, 404, "unexpected %s %s", req.Method, req.URL.Path)
	}
}

func (r *recorder) create(w http.ResponseWriter, data []byte) {
	if r.createStatus != 0 {
		http.Error(w, `{"error":{"code":"UNAUTHORIZED","message":"bad key"}}`, r.createStatus)
		return
	}
	var body struct {
		Source                string `json:"source"`
		IntegrationInstanceID string `json:"integrationInstanceId"`
	}
	if err := json.Unmarshal(data, &body); err != nil || body.Source != "integration-managed" || body.IntegrationInstanceID == "" {
		r.fail(w, 400, "create body %s: %v", data, err)
		return
	}
	r.mu.Lock()
	r.nextJob++
	id := fmt.Sprintf("job-%d", r.nextJob)
	j := &recJob{instanceID: body.IntegrationInstanceID, source: body.Source, status: StatusAwaitingUploads}
	r.jobs[id] = j
	r.mu.Unlock()
	r.writeJob(w, id, j)
}

func (r *recorder) upload(w http.ResponseWriter, req *http.Request, j *recJob, kind string, data []byte) {
	var body map[string][]json.RawMessage
	if err := json.Unmarshal(data, &body); err != nil || len(body) != 1 || body[kind] == nil {
		r.fail(w, 400, "%s body: %v", kind, err)
		return
	}
	objs := body[kind]
	r.mu.Lock()
	r.uploads++
	n := r.uploads
	r.inFlight++
	r.maxIn = max(r.maxIn, r.inFlight)
	if kind == "entities" {
		j.entitiesInFlight++
	} else if j.entitiesInFlight > 0 {
		j.relsBeforeEntitiesDone = true
	}
	fault := r.fault
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.inFlight--
		if kind == "entities" {
			j.entitiesInFlight--
		}
		r.mu.Unlock()
	}()
	time.Sleep(r.delay)
	if fault != nil {
		switch status, msg := fault(kind, n, len(objs)); {
		case status == -1:
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		case status != 0:
			http.Error(w, msg, status)
			return
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if j.status != StatusAwaitingUploads {
		http.Error(w, `{"code":"JOB_NOT_AWAITING_UPLOADS"}`, 400)
		return
	}
	if kind == "entities" {
		j.entities = append(j.entities, objs...)
	} else {
		j.relationships = append(j.relationships, objs...)
	}
	j.batches = append(j.batches, kind)
	j.batchSizes = append(j.batchSizes, len(objs))
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, `{}`)
}

func (r *recorder) writeJob(w http.ResponseWriter, id string, j *recJob) {
	r.mu.Lock()
	doc := map[string]any{"job": map[string]any{
		"id": id, "status": j.status, "source": j.source, "integrationInstanceId": j.instanceID,
		"numEntitiesUploaded": len(j.entities), "numRelationshipsUploaded": len(j.relationships),
		"numEntitiesCreated": len(j.entities), "numEntitiesDeleted": 0,
	}}
	r.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(doc)
}

// count returns how many requests matched method and path suffix.
func (r *recorder) count(method, suffix string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, q := range r.requests {
		if strings.HasPrefix(q, method+" ") && strings.HasSuffix(q, suffix) {
			n++
		}
	}
	return n
}

// fixture is a graph directory as collect writes it (several steps, files
// of at most 500 objects, indented), with values that a re-encoding would
// change: HTML characters, escapes, float and big-integer spellings.
type fixture struct {
	dir           string
	entities      map[string]json.RawMessage // by _key, the bytes in the files
	relationships map[string]json.RawMessage
	partial       []string
}

func writeFixture(t *testing.T, nEnt, nRel int) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{dir: dir, entities: map[string]json.RawMessage{}, relationships: map[string]json.RawMessage{},
		partial: []string{"aws_iam_user", "aws_s3_bucket"}}
	writeFile := func(path, field string, objs []string) {
		var b strings.Builder
		b.WriteString("{\n  \"" + field + "\": [\n    ")
		b.WriteString(strings.Join(objs, ",\n    "))
		b.WriteString("\n  ]\n}\n")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	steps := []string{"fetch-ec2-instances", "fetch-iam-users", "fetch-s3-buckets"}
	var ents [3][]string
	for i := range nEnt {
		key := fmt.Sprintf("arn:aws:thing:%05d", i)
		o := fmt.Sprintf(`{
      "_key": %q,
      "_type": "aws_thing",
      "_class": ["Resource"],
      "name": "a <b> & \u00e9 \"q\" %d",
      "ratio": 1.0,
      "big": 12345678901234567890,
      "exp": 1e3,
      "tags": {"k": null, "z": [true, false]}
    }`, key, i)
		f.entities[key] = json.RawMessage(o)
		ents[i%3] = append(ents[i%3], o)
	}
	for s, list := range ents {
		for c := 0; c*500 < len(list); c++ {
			writeFile(filepath.Join(dir, "graph", steps[s], "entities", fmt.Sprintf("%05d.json", c)), "entities", list[c*500:min(len(list), (c+1)*500)])
		}
	}
	var rels []string
	for i := range nRel {
		key := fmt.Sprintf("arn:aws:thing:%05d|has|arn:aws:thing:%05d", i%nEnt, i)
		o := fmt.Sprintf(`{"_key": %q, "_type": "aws_thing_has_thing", "_class": "HAS", "_fromEntityKey": "x", "_toEntityKey": "y", "weight": 0.50}`, key)
		f.relationships[key] = json.RawMessage(o)
		rels = append(rels, o)
	}
	for c := 0; c*500 < len(rels); c++ {
		writeFile(filepath.Join(dir, "graph", "analyze-things", "relationships", fmt.Sprintf("%05d.json", c)), "relationships", rels[c*500:min(len(rels), (c+1)*500)])
	}
	summary := map[string]any{"integrationInstanceId": "instance-1", "metadata": map[string]any{"partialDatasets": map[string]any{"types": f.partial}}}
	data, _ := json.MarshalIndent(summary, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, "summary.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// checkOnce checks that the job received each fixture object exactly once,
// byte for byte.
func checkOnce(t *testing.T, kind string, want map[string]json.RawMessage, got []json.RawMessage) {
	t.Helper()
	seen := map[string]int{}
	for _, raw := range got {
		var k struct {
			Key string `json:"_key"`
		}
		if err := json.Unmarshal(raw, &k); err != nil {
			t.Fatalf("%s: uploaded %s: %v", kind, raw, err)
		}
		seen[k.Key]++
		if w, ok := want[k.Key]; !ok {
			t.Errorf("%s: uploaded %q, not in the files", kind, k.Key)
		} else if string(w) != string(raw) {
			t.Errorf("%s %q changed:\nfile:     %s\nuploaded: %s", kind, k.Key, w, raw)
		}
	}
	for k := range want {
		if seen[k] != 1 {
			t.Errorf("%s %q uploaded %d times, want once", kind, k, seen[k])
		}
	}
}

func testOptions(r *recorder) Options {
	return Options{
		BaseURL: r.srv.URL, APIKey: testKey, Account: testAccount, HTTPClient: r.srv.Client(),
		RetryBaseDelay: time.Millisecond, RetryMaxDelay: 5 * time.Millisecond,
		PollInterval: time.Millisecond, WaitTimeout: 5 * time.Second,
	}
}
