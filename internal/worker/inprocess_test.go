package worker_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/awsgraph/awsgraph/internal/handler"
	"github.com/awsgraph/awsgraph/internal/instance"
	"github.com/awsgraph/awsgraph/internal/testbed"
	"github.com/awsgraph/awsgraph/internal/worker"
)

// countingSQS counts visibility changes on the way to moto.
type countingSQS struct {
	worker.SQS
	extends atomic.Int32
}

func (c *countingSQS) ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, o ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error) {
	if in.VisibilityTimeout > 0 {
		c.extends.Add(1)
	}
	return c.SQS.ChangeMessageVisibility(ctx, in, o...)
}

// Instances that run longer than the visibility timeout are never handed
// out twice (the worker extends it), at most --concurrency run at once, and
// each message is handled and deleted once.
func TestWorkerExtendsVisibilityAndBoundsConcurrency(t *testing.T) {
	srv := testbed.Server(t)
	q := newQueues(t, srv.URL, 5)
	var events []instance.Event
	for range 5 {
		events = append(events, event(testbed.NewAccountID(t)))
	}
	if err := worker.Enqueue(context.Background(), q.client, q.url, events); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var running, peak atomic.Int32
	handle := func(ctx context.Context, body []byte) handler.Result {
		n := running.Add(1)
		defer running.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		mu.Lock()
		seen[string(body)]++
		mu.Unlock()
		time.Sleep(4500 * time.Millisecond) // past the 3s visibility
		return handler.Result{Status: handler.Succeeded}
	}
	client := &countingSQS{SQS: q.client}
	stats, err := worker.Run(context.Background(), client, worker.Options{QueueURL: q.url, Concurrency: 2, UntilEmpty: true,
		WaitTime: time.Second, Visibility: 3 * time.Second, Handle: handle})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Deleted != 5 || stats.Received != 5 || len(seen) != 5 {
		t.Errorf("stats %+v, %d distinct bodies; want 5 received, 5 deleted", stats, len(seen))
	}
	for b, n := range seen {
		if n != 1 {
			t.Errorf("a message was handled %d times: %.60s", n, b)
		}
	}
	if p := peak.Load(); p != 2 {
		t.Errorf("peak concurrency %d, want 2", p)
	}
	if client.extends.Load() < 5 {
		t.Errorf("%d visibility extensions, want at least one per message", client.extends.Load())
	}
}
