package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/awsgraph/awsgraph/internal/sink/j1files"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

// filesSnapshot is the content of a graph directory: every object as
// canonical JSON, and whether summary.json's counts describe exactly these
// objects (a directory mixing two runs would not).
func filesSnapshot(t *testing.T, out string) (snapshot, bool) {
	t.Helper()
	ents, rels, err := j1files.ReadGraph(out)
	if err != nil {
		t.Fatalf("graph files unreadable: %v", err)
	}
	s := snapshot{}
	for _, e := range ents {
		b, _ := json.Marshal(e)
		s["entity "+e.Key()] = string(b)
	}
	for _, r := range rels {
		b, _ := json.Marshal(r)
		s["relationship "+r.Key()] = string(b)
	}
	data, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatalf("summary.json: %v", err)
	}
	var sum struct {
		EntityCounts       map[string]int `json:"entityCounts"`
		RelationshipCounts map[string]int `json:"relationshipCounts"`
	}
	if err := json.Unmarshal(data, &sum); err != nil {
		t.Fatalf("summary.json: %v", err)
	}
	n := 0
	for _, c := range sum.EntityCounts {
		n += c
	}
	for _, c := range sum.RelationshipCounts {
		n += c
	}
	return s, n == len(ents)+len(rels)
}

// copyTree copies a directory (or file) from src to dst, replacing dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.RemoveAll(dst); err != nil {
		t.Fatal(err)
	}
	err := filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if fi.IsDir() {
			return os.MkdirAll(target, fi.Mode().Perm())
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		o, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, fi.Mode().Perm())
		if err != nil {
			return err
		}
		if _, err := io.Copy(o, in); err != nil {
			o.Close()
			return err
		}
		return o.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
}

// changeAccount moves the account from state A to state B: an object added
// (a bucket), one deleted (a user), one changed (a VPC's tag).
func changeAccount(t *testing.T, srv *testbed.Moto, acct, doomedUser string) {
	ctx := context.Background()
	cfg := srv.SeedConfig(t, acct, regions[0])
	if _, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(ctx,
		&s3.CreateBucketInput{Bucket: aws.String("crash-added-" + acct)}); err != nil {
		t.Fatal(err)
	}
	if _, err := iam.NewFromConfig(cfg).DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String(doomedUser)}); err != nil {
		t.Fatal(err)
	}
	e := ec2.NewFromConfig(cfg)
	vpcs, err := e.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil || len(vpcs.Vpcs) == 0 {
		t.Fatalf("vpcs: %v", err)
	}
	if _, err := e.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{aws.ToString(vpcs.Vpcs[0].VpcId)},
		Tags: []ec2types.Tag{{Key: aws.String("CrashTest"), Value: aws.String("state-b")}}}); err != nil {
		t.Fatal(err)
	}
}

// startCollect starts a collect and returns it running.
func startCollect(t *testing.T, endpoint, acct, out string, store []string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	args := append([]string{"collect", "--role-arn", testbed.RoleArn(acct), "--external-id", testbed.ExternalID,
		"--regions", regions[0] + "," + regions[1], "--endpoint-url", endpoint, "--output", out}, store...)
	cmd := exec.Command(testbed.Binary(t), args...)
	cmd.Dir = filepath.Dir(out)
	cmd.Env = []string{"HOME=" + filepath.Dir(out), "PATH=" + os.Getenv("PATH"), "AWS_ACCESS_KEY_ID=crashkey",
		"AWS_SECRET_ACCESS_KEY=crashsecret", "AWS_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true"}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &stderr
}

// stagingExists reports whether a run has begun writing out's graph files.
func stagingExists(out string) bool {
	m, _ := filepath.Glob(filepath.Join(filepath.Dir(out), "."+filepath.Base(out)+".staging-*"))
	return len(m) > 0
}

// TestKill9LeavesOldOrNewRunWhole: a collect is killed (SIGKILL) at random
// points, half of them while it writes (once its staging directory
// appears); the graph directory and the SQLite store must each be exactly
// the previous run's or the new run's, never a mix, and the next run must
// work.
func TestKill9LeavesOldOrNewRunWhole(t *testing.T) {
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	if _, err := testbed.SeedDemo(context.Background(), srv.URL, acct, regions); err != nil {
		t.Fatal(err)
	}
	doomed := "crash-doomed"
	if _, err := iam.NewFromConfig(srv.SeedConfig(t, acct, regions[0])).CreateUser(context.Background(),
		&iam.CreateUserInput{UserName: aws.String(doomed)}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out, db := filepath.Join(dir, "out"), filepath.Join(dir, "graph.db")
	st := sqliteStore()
	if r := collect(t, srv.URL, acct, out, st.args(dir)); r.code != 0 {
		t.Fatalf("run A: exit %d: %s", r.code, r.stderr)
	}
	saved := t.TempDir()
	copyTree(t, out, filepath.Join(saved, "out"))
	copyTree(t, db, filepath.Join(saved, "graph.db"))
	storeA, filesA := st.snapshot(t, dir), mustWhole(t, out)

	changeAccount(t, srv, acct, doomed)
	if r := collect(t, srv.URL, acct, out, st.args(dir)); r.code != 0 {
		t.Fatalf("run B: exit %d: %s", r.code, r.stderr)
	}
	storeB, filesB := st.snapshot(t, dir), mustWhole(t, out)
	if diff(storeA, storeB) == "" {
		t.Fatal("states A and B are the same: the test could not tell them apart")
	}

	rng := rand.New(rand.NewPCG(20261203, 9))
	const kills = 14
	seen := map[string]int{}
	for i := range kills {
		copyTree(t, filepath.Join(saved, "out"), out)
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(db + suffix)
		}
		copyTree(t, filepath.Join(saved, "graph.db"), db)

		cmd, stderr := startCollect(t, srv.URL, acct, out, st.args(dir))
		if i%2 == 0 {
			time.Sleep(time.Duration(rng.IntN(2500)) * time.Millisecond)
		} else {
			deadline := time.Now().Add(30 * time.Second)
			for !stagingExists(out) && time.Now().Before(deadline) {
				time.Sleep(200 * time.Microsecond)
			}
			time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
		}
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		finished := err == nil

		storeNow := st.snapshot(t, dir)
		filesNow, whole := filesSnapshot(t, out)
		storeState := which(storeNow, storeA, storeB)
		filesState := which(filesNow, filesA, filesB)
		if storeState == "" {
			t.Errorf("kill %d: the store is neither run A nor run B:\nvs A:\n%s", i, diff(storeA, storeNow))
		}
		if filesState == "" || !whole {
			t.Errorf("kill %d: the graph directory is neither run A nor run B whole (summary matches: %v):\nvs A:\n%s", i, whole, diff(filesA, filesNow))
		}
		// The store commits before the files are swapped in: new files with
		// an old store would mean the order broke.
		if filesState == "B" && storeState == "A" {
			t.Errorf("kill %d: graph files are the new run but the store the old one", i)
		}
		seen["store "+storeState+", files "+filesState]++
		if !finished && strings.Contains(stderr.String(), "panic") {
			t.Errorf("kill %d: %s", i, stderr)
		}
	}
	t.Logf("outcomes of %d kills: %v", kills, seen)
	// After a kill, the next run works (no stale lock, staging or journal in its way).
	if r := collect(t, srv.URL, acct, out, st.args(dir)); r.code != 0 {
		t.Fatalf("run after the kills: exit %d: %s", r.code, r.stderr)
	}
	if d := diff(storeB, st.snapshot(t, dir)); d != "" {
		t.Fatalf("run after the kills is not state B:\n%s", d)
	}
}

func mustWhole(t *testing.T, out string) snapshot {
	t.Helper()
	s, whole := filesSnapshot(t, out)
	if !whole {
		t.Fatalf("%s: summary counts do not match the graph files of a clean run", out)
	}
	return s
}

func which(now, a, b snapshot) string {
	switch {
	case diff(a, now) == "":
		return "A"
	case diff(b, now) == "":
		return "B"
	}
	return ""
}

// TestConcurrentCollectsOnOneOutput: two collects started together on the
// same --output and --db: one runs, the other is refused with a message
// naming the output in use, and what is left is one whole run.
func TestConcurrentCollectsOnOneOutput(t *testing.T) {
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	if _, err := testbed.SeedDemo(context.Background(), srv.URL, acct, regions); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	st := sqliteStore()
	type result struct {
		code   int
		stderr string
	}
	results := make([]result, 2)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd, stderr := startCollect(t, srv.URL, acct, out, st.args(dir))
			err := cmd.Wait()
			results[i] = result{code: cmd.ProcessState.ExitCode(), stderr: stderr.String()}
			_ = err
		}()
	}
	wg.Wait()
	codes := []int{results[0].code, results[1].code}
	sort.Ints(codes)
	if codes[0] != 0 {
		t.Fatalf("no run succeeded: %+v", results)
	}
	if codes[1] != 0 {
		refused := results[0].stderr + results[1].stderr
		if !strings.Contains(refused, "is in use by another awsgraph run") {
			t.Errorf("the second run failed without saying the output is in use: %+v", results)
		}
	}
	// Both may succeed if one finished before the other locked; either
	// way the outputs are one whole run.
	mustWhole(t, out)
	if len(st.snapshot(t, dir)) < 100 {
		t.Error("store incomplete")
	}
}
