package org_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/awsgraph/awsgraph/internal/instance"
	"github.com/awsgraph/awsgraph/internal/org"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

func testEvents(n int) []instance.Event {
	var evs []instance.Event
	for i := range n {
		acct := fmt.Sprintf("%012d", 200000000000+i)
		arn := "arn:aws:iam::" + acct + ":role/member"
		evs = append(evs, instance.Event{IntegrationInstanceID: arn, Config: instance.Config{
			IntegrationInstanceID: arn, RoleArn: arn, ExternalID: instance.Secret("ext-" + acct), AccountID: acct}})
	}
	return evs
}

func newQueue(t *testing.T, m *testbed.Moto) (*sqs.Client, string) {
	t.Helper()
	c := sqs.NewFromConfig(queueConfig(t, m))
	out, err := c.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("events-" + testbed.NewAccountID(t))})
	if err != nil {
		t.Fatal(err)
	}
	return c, aws.ToString(out.QueueUrl)
}

// drain receives every message: the accounts of the events, each parsed as
// the worker parses it.
func drain(t *testing.T, c *sqs.Client, queueURL string) []string {
	t.Helper()
	var accounts []string
	for {
		out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 10, VisibilityTimeout: 60})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			break
		}
		for _, msg := range out.Messages {
			ev, err := instance.ParseEvent([]byte(aws.ToString(msg.Body)))
			if err != nil {
				t.Fatalf("message does not parse as an event: %v", err)
			}
			if ev.Config.ExternalID.Reveal() != "ext-"+ev.Config.AccountID {
				t.Fatalf("external id of %s lost on the way", ev.Config.AccountID)
			}
			accounts = append(accounts, ev.Config.AccountID)
		}
	}
	slices.Sort(accounts)
	return accounts
}

// queueConfig writes into the moto account of the package's queues.
func queueConfig(t *testing.T, m *testbed.Moto) aws.Config {
	return m.SeedConfig(t, "210987654321", "us-east-1")
}

func accountsOf(evs []instance.Event) []string {
	var ids []string
	for _, ev := range evs {
		ids = append(ids, ev.Config.AccountID)
	}
	return ids
}

func TestEnqueueSendsEveryEventInBatchesOfTen(t *testing.T) {
	m := testbed.Server(t)
	c, q := newQueue(t, m)
	evs := testEvents(23)
	sent, err := org.Enqueue(context.Background(), c, q, evs, org.EnqueueOptions{})
	if err != nil || sent != 23 {
		t.Fatalf("sent %d, err %v", sent, err)
	}
	if got := drain(t, c, q); !slices.Equal(got, accountsOf(evs)) {
		t.Fatalf("queue holds %v", got)
	}
}

// batchFake is a wire-level fake of SendMessageBatch partial failure (moto
// never fails an entry): for the first `times` batches holding the event of
// account failAccount it withholds that entry from moto and reports it Failed
// in the answer.
type batchFake struct {
	mu          sync.Mutex
	times       int
	failAccount string
	sender      bool
	entries     []int // entries per SendMessageBatch received
}

func (f *batchFake) handler(t *testing.T, motoURL string) http.Handler {
	target, _ := url.Parse(motoURL)
	rp := httputil.NewSingleHostReverseProxy(target)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".SendMessageBatch") {
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
			rp.ServeHTTP(w, r)
			return
		}
		var in map[string]any
		if err := json.Unmarshal(body, &in); err != nil {
			t.Errorf("batch body: %v", err)
		}
		entries, _ := in["Entries"].([]any)
		failID := ""
		kept := entries[:0:0]
		for _, e := range entries {
			if body, _ := e.(map[string]any)["MessageBody"].(string); strings.Contains(body, `"accountId":"`+f.failAccount+`"`) {
				failID, _ = e.(map[string]any)["Id"].(string)
			} else {
				kept = append(kept, e)
			}
		}
		f.mu.Lock()
		f.entries = append(f.entries, len(entries))
		inject := f.times > 0 && failID != ""
		if inject {
			f.times--
		}
		f.mu.Unlock()
		failed := []any{map[string]any{"Id": failID, "Code": "InternalError", "Message": "injected", "SenderFault": f.sender}}
		if inject && len(kept) == 0 {
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			json.NewEncoder(w).Encode(map[string]any{"Successful": []any{}, "Failed": failed})
			return
		}
		if inject {
			in["Entries"] = kept
			body, _ = json.Marshal(in)
		}
		req, _ := http.NewRequest(r.Method, motoURL+r.URL.Path, bytes.NewReader(body))
		req.Header = r.Header.Clone()
		req.ContentLength = int64(len(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("forwarding: %v", err)
			return
		}
		defer resp.Body.Close()
		answer, _ := io.ReadAll(resp.Body)
		if inject {
			var out map[string]any
			_ = json.Unmarshal(answer, &out)
			out["Failed"] = failed
			answer, _ = json.Marshal(out)
		}
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		w.Write(answer)
	})
}

func TestEnqueueWireFakeRetriesOnlyTheFailedEntry(t *testing.T) {
	m := testbed.Server(t)
	_, q := newQueue(t, m)
	fake := &batchFake{times: 2, failAccount: "200000000003"}
	srv := httptest.NewServer(fake.handler(t, m.URL))
	defer srv.Close()
	seed := queueConfig(t, m)
	c := sqs.NewFromConfig(seed, func(o *sqs.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	evs := testEvents(12)
	sent, err := org.Enqueue(context.Background(), c, q, evs, org.EnqueueOptions{Backoff: time.Millisecond})
	if err != nil || sent != 12 {
		t.Fatalf("sent %d, err %v", sent, err)
	}
	// 10 + 2, then entry 3 of the first batch alone, failed again, alone once more.
	if !slices.Equal(fake.entries, []int{10, 2, 1, 1}) {
		t.Fatalf("batches of %v entries, want [10 2 1 1]", fake.entries)
	}
	if got := drain(t, sqs.NewFromConfig(seed), q); !slices.Equal(got, accountsOf(evs)) {
		t.Fatalf("queue holds %v, want each of the 12 once", got)
	}
}

func TestEnqueueWireFakeSenderFaultIsNotRetriedAndFails(t *testing.T) {
	m := testbed.Server(t)
	_, q := newQueue(t, m)
	fake := &batchFake{times: 1, failAccount: "200000000001", sender: true}
	srv := httptest.NewServer(fake.handler(t, m.URL))
	defer srv.Close()
	seed := queueConfig(t, m)
	c := sqs.NewFromConfig(seed, func(o *sqs.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	evs := testEvents(3)
	sent, err := org.Enqueue(context.Background(), c, q, evs, org.EnqueueOptions{Backoff: time.Millisecond})
	var ee *org.EnqueueError
	if !errors.As(err, &ee) || sent != 2 || len(ee.Failed) != 1 || !strings.HasPrefix(ee.Failed[0], evs[1].Config.AccountID+": InternalError") {
		t.Fatalf("sent %d, err %v; want 2 sent and %s failed", sent, err, evs[1].Config.AccountID)
	}
	if strings.Contains(err.Error(), "ext-") {
		t.Fatal("the error shows an external id")
	}
	if !slices.Equal(fake.entries, []int{3}) {
		t.Fatalf("batches %v: a sender fault must not be retried", fake.entries)
	}
	if got := drain(t, sqs.NewFromConfig(seed), q); !slices.Equal(got, []string{evs[0].Config.AccountID, evs[2].Config.AccountID}) {
		t.Fatalf("queue holds %v", got)
	}
}
