package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsgraph/awsgraph/internal/instance"
	"github.com/awsgraph/awsgraph/internal/sink/sqlite"
	"github.com/awsgraph/awsgraph/internal/testbed"
	"github.com/awsgraph/awsgraph/internal/worker"
)

// rieVersion is the Lambda Runtime Interface Emulator the test builds from
// the Go module proxy.
const rieVersion = "v0.0.0-20261030222936-bef5c4ba774d"

func TestMain(m *testing.M) { os.Exit(testbed.Main(m)) }

// buildRIE builds the emulator and the function (as Lambda runs it: a
// static binary named bootstrap) into dir.
func buildRIE(t *testing.T, dir string) (rie, bootstrap string) {
	t.Helper()
	install := exec.Command("go", "install", "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@"+rieVersion)
	install.Dir = dir // outside this module: its go.mod stays as it is
	install.Env = append(os.Environ(), "GOBIN="+dir)
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("building the runtime interface emulator: %v\n%s", err, out)
	}
	_, self, _, _ := runtime.Caller(0)
	bootstrap = filepath.Join(dir, "bootstrap")
	// The host's own build settings (scripts/build-lambda.sh makes the
	// static arm64 one): the emulator runs it here, and the build cache of
	// the other tests is reused.
	build := exec.Command("go", "build", "-o", bootstrap, ".")
	build.Dir = filepath.Dir(self)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the function: %v\n%s", err, out)
	}
	return filepath.Join(dir, "aws-lambda-rie"), bootstrap
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// invokeClient bounds an invocation: a collection of a small moto account
// takes seconds.
var invokeClient = &http.Client{Timeout: 4 * time.Minute}

// invoke posts an event to the emulator's invocation endpoint, retrying
// while the emulator starts.
func invoke(t *testing.T, addr string, event any) []byte {
	t.Helper()
	body, _ := json.Marshal(event)
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := invokeClient.Post("http://"+addr+"/2015-03-31/functions/function/invocations", "application/json", bytes.NewReader(body))
		if err == nil {
			defer resp.Body.Close()
			out, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 {
				t.Fatalf("invocation: HTTP %d %s", resp.StatusCode, out)
			}
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("emulator not answering: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func seededAccount(t *testing.T, srv *testbed.Moto) string {
	t.Helper()
	acct := testbed.NewAccountID(t)
	c := iam.NewFromConfig(srv.SeedConfig(t, acct, "us-east-1"))
	if _, err := c.CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String("probe-" + acct)}); err != nil {
		t.Fatal(err)
	}
	return acct
}

func eventBody(t *testing.T, acct string) string {
	t.Helper()
	b, err := worker.EventBody(instance.Event{IntegrationInstanceID: "inst-" + acct, Config: instance.Config{
		RoleArn: testbed.RoleArn(acct), ExternalID: testbed.ExternalID, Regions: []string{"us-east-1"}}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The function binary under the Lambda Runtime Interface Emulator, invoked
// over HTTP with a direct event and with an SQS batch of three events, one
// invalid: that one alone is in batchItemFailures, the other two are in the
// store.
func TestLambdaUnderRuntimeInterfaceEmulator(t *testing.T) {
	srv := testbed.Server(t)
	dir := t.TempDir()
	rie, bootstrap := buildRIE(t, dir)
	db := filepath.Join(dir, "store.db")
	addr := freeAddr(t)
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", addr, "--runtime-api-address", freeAddr(t), bootstrap)
	cmd.Env = append(os.Environ(), "AWSGRAPH_ENDPOINT_URL="+srv.URL, "AWSGRAPH_DB="+db, "AWSGRAPH_OUTPUT="+filepath.Join(dir, "out"),
		"AWS_ACCESS_KEY_ID=collectorkey", "AWS_SECRET_ACCESS_KEY=collectorsecret", "AWS_REGION=us-east-1")
	var logs testbed.SyncBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	direct := seededAccount(t, srv)
	var sum struct {
		IntegrationInstanceID string `json:"integrationInstanceId"`
		AccountID             string `json:"accountId"`
	}
	out := invoke(t, addr, json.RawMessage(eventBody(t, direct)))
	if err := json.Unmarshal(out, &sum); err != nil || sum.AccountID != direct || sum.IntegrationInstanceID != "inst-"+direct {
		t.Fatalf("direct invocation answered %s (%v)\n%s", out, err, logs.String())
	}

	a, b := seededAccount(t, srv), seededAccount(t, srv)
	batch := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m-a", EventSource: "aws:sqs", Body: eventBody(t, a)},
		{MessageId: "m-bad", EventSource: "aws:sqs", Body: `{"integrationInstanceId":"bad","config":{"roleArn":"arn:aws:iam::123:role/x","externalId":"e"}}`},
		{MessageId: "m-b", EventSource: "aws:sqs", Body: eventBody(t, b)},
	}}
	out = invoke(t, addr, batch)
	var resp events.SQSEventResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("batch answered %s: %v", out, err)
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "m-bad" {
		t.Fatalf("batchItemFailures %+v, want only m-bad\n%s", resp.BatchItemFailures, logs.String())
	}

	st, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.Query(context.Background(), `SELECT instance_id, count(*) FROM runs GROUP BY instance_id ORDER BY instance_id`)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(rows)
	for _, acct := range []string{direct, a, b} {
		if !strings.Contains(got, "inst-"+acct) {
			t.Errorf("instance of %s not in the store: %s", acct, got)
		}
	}
	if strings.Contains(got, "bad") || len(rows) != 4 { // header row + three instances
		t.Errorf("store runs %s, want the three valid instances alone", got)
	}
	users, err := st.Query(context.Background(), `SELECT instance_id FROM entities WHERE type = 'aws_iam_user' AND json_extract(json, '$.name') = 'probe-`+a+`'`)
	if err != nil || len(users) != 2 || users[1][0] != "inst-"+a {
		t.Errorf("account %s's user in the store: %v (%v)", a, users, err)
	}
	if strings.Contains(logs.String(), testbed.ExternalID) {
		t.Error("the external id was logged")
	}
}
