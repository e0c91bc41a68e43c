package worker_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/jackc/pgx/v5"

	"github.com/awsgraph/awsgraph/internal/instance"
	"github.com/awsgraph/awsgraph/internal/sink/sqlite"
	"github.com/awsgraph/awsgraph/internal/testbed"
	"github.com/awsgraph/awsgraph/internal/worker"
)

func TestMain(m *testing.M) { os.Exit(testbed.PostgresMain(m, testbed.Main)) }

// queues is a work queue with a dead-letter queue in moto.
type queues struct {
	client      *sqs.Client
	url, dlqURL string
}

func newQueues(t *testing.T, endpoint string, maxReceives int) *queues {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"), config.WithBaseEndpoint(endpoint),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("collectorkey", "collectorsecret", "")))
	if err != nil {
		t.Fatal(err)
	}
	c := sqs.NewFromConfig(cfg)
	ctx := context.Background()
	name := "awsgraph-" + strings.ToLower(testbed.NewAccountID(t))
	dlq, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name + "-dlq")})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: dlq.QueueUrl, AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	redrive := fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":"%d"}`, attrs.Attributes["QueueArn"], maxReceives)
	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name),
		Attributes: map[string]string{"RedrivePolicy": redrive, "VisibilityTimeout": "60"}})
	if err != nil {
		t.Fatal(err)
	}
	return &queues{client: c, url: *q.QueueUrl, dlqURL: *dlq.QueueUrl}
}

// counts are a queue's visible, in-flight and delayed messages.
func (q *queues) counts(t *testing.T, url string) [3]int {
	t.Helper()
	out, err := q.client.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages,
			types.QueueAttributeNameApproximateNumberOfMessagesNotVisible, types.QueueAttributeNameApproximateNumberOfMessagesDelayed}})
	if err != nil {
		t.Fatal(err)
	}
	var c [3]int
	for i, k := range []string{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"} {
		c[i], _ = strconv.Atoi(out.Attributes[k])
	}
	return c
}

// seedAccounts makes n moto accounts, each with one IAM user named after
// it (so the store shows which account each graph came from), and returns
// their events.
func seedAccounts(t *testing.T, srv *testbed.Moto, n int) (accounts []string, events []instance.Event) {
	t.Helper()
	for range n {
		acct := testbed.NewAccountID(t)
		c := iam.NewFromConfig(srv.SeedConfig(t, acct, "us-east-1"))
		if _, err := c.CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String("probe-" + acct)}); err != nil {
			t.Fatal(err)
		}
		accounts = append(accounts, acct)
		events = append(events, event(acct))
	}
	return accounts, events
}

func event(acct string) instance.Event {
	return instance.Event{IntegrationInstanceID: "inst-" + acct, Config: instance.Config{
		RoleArn: testbed.RoleArn(acct), ExternalID: testbed.ExternalID, Regions: []string{"us-east-1"}}}
}

// startWorker runs `awsgraph worker` against the proxy; stderr is collected.
func startWorker(t *testing.T, endpoint string, args ...string) (*exec.Cmd, *testbed.SyncBuffer, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(testbed.Binary(t), append([]string{"worker", "--endpoint-url", endpoint, "--wait-time", "1s",
		"--retry-delay", "0s", "--visibility-timeout", "30s", "--rate-limit", "0"}, args...)...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=collectorkey", "AWS_SECRET_ACCESS_KEY=collectorsecret", "AWS_REGION=us-east-1")
	stderr, stdout := &testbed.SyncBuffer{}, &bytes.Buffer{}
	cmd.Stderr, cmd.Stdout = stderr, stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return cmd, stderr, stdout
}

// runsByInstance counts the store's runs per instance.
func runsByInstance(t *testing.T, dsn string) map[string]int {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), `SELECT instance_id, count(*) FROM runs GROUP BY instance_id`)
	if err != nil {
		if strings.Contains(err.Error(), "does not exist") {
			return map[string]int{}
		}
		t.Fatal(err)
	}
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		out[id] = n
	}
	return out
}

// userOwner returns the instance holding each probe user.
func userOwner(t *testing.T, dsn string) map[string]string {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), `SELECT json->>'name', instance_id FROM entities WHERE type = 'aws_iam_user'`)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for rows.Next() {
		var name, inst string
		if err := rows.Scan(&name, &inst); err != nil {
			t.Fatal(err)
		}
		out[name] = inst
	}
	return out
}

// assumeRoleOf matches the AssumeRole request for one role: a wire-level
// fake of a member whose role refuses to be assumed (moto's auth is off).
func assumeRoleOf(roleArn string) func(*http.Request, []byte) bool {
	is := testbed.IsAction("sts", "AssumeRole", "")
	return func(r *http.Request, body []byte) bool {
		return is(r, body) && bytes.Contains(body, []byte(url.QueryEscape(roleArn)))
	}
}

// Ten accounts and one whose role refuses AssumeRole go through the worker
// into one PostgreSQL with --until-empty: each good instance is stored once
// and its message deleted once; the refused one is never deleted, is
// received the redrive count of times and ends in the dead-letter queue,
// taking nothing from the store.
func TestWorkerCollectsTenAccountsAndDeadLettersARefusedRole_AssumeRoleRefusalIsAWireFake(t *testing.T) {
	srv := testbed.Server(t)
	dsn := testbed.StartPostgres(t)
	fp := srv.NewFaultProxy(t)
	q := newQueues(t, srv.URL, 2)
	accounts, events := seedAccounts(t, srv, 10)
	bad := testbed.NewAccountID(t)
	refuse := testbed.ErrorFault("sts", assumeRoleOf(testbed.RoleArn(bad)), 403, "AccessDenied", "not authorized to perform sts:AssumeRole")
	fp.Add(refuse)
	if err := worker.Enqueue(context.Background(), q.client, q.url, append(events, event(bad))); err != nil {
		t.Fatal(err)
	}
	cmd, stderr, stdout := startWorker(t, fp.URL, "--queue-url", q.url, "--until-empty", "--concurrency", "4", "--postgres-dsn", dsn)
	if err := waitFor(cmd, 5*time.Minute); err != nil {
		t.Fatalf("worker: %v\nstdout: %s\nstderr: %s", err, stdout, stderr)
	}
	if got := fp.Hits()["sqs:DeleteMessage"]; got != len(accounts) {
		t.Errorf("%d DeleteMessage calls, want %d (one per collected instance)", got, len(accounts))
	}
	runs, owners := runsByInstance(t, dsn), userOwner(t, dsn)
	for _, a := range accounts {
		if runs["inst-"+a] != 1 {
			t.Errorf("instance of %s has %d runs in the store, want 1", a, runs["inst-"+a])
		}
		if owners["probe-"+a] != "inst-"+a {
			t.Errorf("user probe-%s is owned by %q, want inst-%s", a, owners["probe-"+a], a)
		}
	}
	if len(runs) != len(accounts) {
		t.Errorf("store holds runs of %d instances, want %d: %v", len(runs), len(accounts), runs)
	}
	if n := fp.Fired(refuse); n != 2 {
		t.Errorf("the refused role was tried %d times, want the redrive count 2", n)
	}
	if c := q.counts(t, q.url); c != [3]int{} {
		t.Errorf("work queue not empty: %v", c)
	}
	dl, err := q.client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(q.dlqURL), MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(dl.Messages) != 1 || !strings.Contains(*dl.Messages[0].Body, testbed.RoleArn(bad)) {
		t.Errorf("dead-letter queue holds %d messages, want the refused instance's alone", len(dl.Messages))
	}
	if strings.Contains(stderr.String(), testbed.ExternalID) || strings.Contains(stdout.String(), testbed.ExternalID) {
		t.Error("the external id was logged")
	}
}

// SIGTERM while instances run: the worker exits 143; every message it
// deleted is in the store, every other one is back in the queue, and a
// second worker collects the rest: nothing lost, nothing dead-lettered.
func TestWorkerSIGTERMLosesNothing(t *testing.T) {
	srv := testbed.Server(t)
	dsn := testbed.StartPostgres(t)
	fp := srv.NewFaultProxy(t)
	q := newQueues(t, srv.URL, 5)
	accounts, events := seedAccounts(t, srv, 6)
	if err := worker.Enqueue(context.Background(), q.client, q.url, events); err != nil {
		t.Fatal(err)
	}
	cmd, stderr, _ := startWorker(t, fp.URL, "--queue-url", q.url, "--concurrency", "2", "--postgres-dsn", dsn, "--shutdown-grace", "0s")
	deadline := time.Now().Add(2 * time.Minute)
	for fp.Hits()["ec2:DescribeVpcs"] == 0 { // collections are under way
		if time.Now().After(deadline) {
			t.Fatalf("no collection started\n%s", stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := waitFor(cmd, time.Minute)
	if code := cmd.ProcessState.ExitCode(); code != 143 {
		t.Fatalf("exit %d (%v), want 143\n%s", code, err, stderr)
	}
	deleted := fp.Hits()["sqs:DeleteMessage"]
	if runs := runsByInstance(t, dsn); len(runs) != deleted {
		t.Errorf("after SIGTERM: %d messages deleted but %d instances stored", deleted, len(runs))
	}
	if deleted == len(accounts) {
		t.Logf("every instance finished before SIGTERM took effect")
	}
	if c := q.counts(t, q.url); c[0] != len(accounts)-deleted || c[1] != 0 {
		t.Errorf("after SIGTERM the queue shows %v, want %d visible and none in flight (released at once)", c, len(accounts)-deleted)
	}
	cmd2, stderr2, _ := startWorker(t, fp.URL, "--queue-url", q.url, "--until-empty", "--concurrency", "2", "--postgres-dsn", dsn)
	if err := waitFor(cmd2, 5*time.Minute); err != nil {
		t.Fatalf("second worker: %v\n%s", err, stderr2)
	}
	runs := runsByInstance(t, dsn)
	for _, a := range accounts {
		if runs["inst-"+a] < 1 {
			t.Errorf("instance of %s was lost", a)
		}
	}
	if got := fp.Hits()["sqs:DeleteMessage"]; got != len(accounts) {
		t.Errorf("%d deletes in all, want %d", got, len(accounts))
	}
	if c := q.counts(t, q.dlqURL); c[0] != 0 {
		t.Errorf("%d messages dead-lettered", c[0])
	}
}

func waitFor(cmd *exec.Cmd, d time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		_ = cmd.Process.Kill()
		<-done
		return fmt.Errorf("did not finish within %v", d)
	}
}

// With SQLite and --concurrency 4, instances are written one at a time:
// none is refused by the store's lock, and every one is whole in the store.
func TestWorkerIntoSQLiteWithConcurrency(t *testing.T) {
	srv := testbed.Server(t)
	q := newQueues(t, srv.URL, 2)
	accounts, events := seedAccounts(t, srv, 4)
	if err := worker.Enqueue(context.Background(), q.client, q.url, events); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "store.db")
	cmd, stderr, stdout := startWorker(t, srv.URL, "--queue-url", q.url, "--until-empty", "--concurrency", "4", "--db", db)
	if err := waitFor(cmd, 5*time.Minute); err != nil {
		t.Fatalf("worker: %v\nstdout: %s\nstderr: %s", err, stdout, stderr)
	}
	if strings.Contains(stderr.String(), "in use by another") {
		t.Errorf("an instance was refused by the store's lock:\n%s", stderr)
	}
	st, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.Query(context.Background(), `SELECT instance_id, json_extract(json, '$.name') FROM entities WHERE type = 'aws_iam_user'`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rows[1:] {
		got[r[1]] = r[0]
	}
	for _, a := range accounts {
		if got["probe-"+a] != "inst-"+a {
			t.Errorf("account %s's user is owned by %q in the store", a, got["probe-"+a])
		}
	}
	if c := q.counts(t, q.url); c != [3]int{} {
		t.Errorf("queue not empty: %v", c)
	}
}
