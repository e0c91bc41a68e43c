// Package worker consumes integration-instance events from an SQS queue:
// it long-polls, runs up to N instances at once, keeps each message
// invisible while its collection runs, deletes a message only once its
// instance finished (success or partial), and hands a failed one back to
// the queue, whose redrive policy moves it to the dead-letter queue after
// its receive count. On shutdown it stops receiving, lets what it holds
// finish for a grace period and releases the rest (visibility 0), so no
// event is lost.
package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/awsgraph/awsgraph/internal/handler"
)

// SQS is the part of the SQS client the worker uses.
type SQS interface {
	ReceiveMessage(context.Context, *sqs.ReceiveMessageInput, ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessage(context.Context, *sqs.DeleteMessageInput, ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error)
	ChangeMessageVisibility(context.Context, *sqs.ChangeMessageVisibilityInput, ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
	GetQueueAttributes(context.Context, *sqs.GetQueueAttributesInput, ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
	SendMessageBatch(context.Context, *sqs.SendMessageBatchInput, ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
}

// Options configure Run.
type Options struct {
	QueueURL    string
	Concurrency int // instances at once; default 1
	// UntilEmpty ends the worker once the queue holds no message at all
	// (visible, in flight or delayed) and nothing runs here.
	UntilEmpty bool
	// WaitTime is the long poll (at most 20s; default 10s). A shutdown
	// waits for the poll under way, then releases what it returned.
	WaitTime time.Duration
	// Visibility is how long a received message stays hidden; it is
	// extended by this much every third of it while the instance runs.
	// Default 2 minutes.
	Visibility time.Duration
	// RetryDelay is the visibility a failed message is given: when it is
	// tried again (0: at once).
	RetryDelay time.Duration
	// ShutdownGrace is how long running instances may go on after a
	// shutdown before they are stopped and their messages released.
	ShutdownGrace time.Duration
	// Handle runs one message body.
	Handle func(ctx context.Context, body []byte) handler.Result
	Logger *slog.Logger
}

// Stats count what a worker did.
type Stats struct {
	Received, Deleted, Returned int
	ByStatus                    map[handler.Status]int
}

type worker struct {
	opts   Options
	client SQS
	log    *slog.Logger

	mu    sync.Mutex
	stats Stats
}

func (o Options) withDefaults() Options {
	if o.Concurrency < 1 {
		o.Concurrency = 1
	}
	if o.WaitTime <= 0 {
		o.WaitTime = 10 * time.Second
	}
	o.WaitTime = min(o.WaitTime, 20*time.Second)
	if o.Visibility <= 0 {
		o.Visibility = 2 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Run consumes the queue until ctx ends (a shutdown: the error is ctx's
// cause) or, with UntilEmpty, the queue is empty (nil).
func Run(ctx context.Context, client SQS, opts Options) (Stats, error) {
	opts = opts.withDefaults()
	if opts.QueueURL == "" || opts.Handle == nil {
		return Stats{}, errors.New("worker: a queue URL and a handler are required")
	}
	w := &worker{opts: opts, client: client, log: opts.Logger, stats: Stats{ByStatus: map[handler.Status]int{}}}
	// Instances run under a context of their own: a shutdown stops them
	// only after the grace period.
	jobCtx, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer stopJobs()
	var running sync.WaitGroup
	err := w.receiveLoop(ctx, jobCtx, &running)
	if ctx.Err() != nil {
		w.log.Info("shutting down: no new messages; waiting for running instances", "grace", opts.ShutdownGrace)
		done := make(chan struct{})
		go func() { running.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(opts.ShutdownGrace):
			stopJobs() // their messages are released as they return
		}
	}
	running.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	if err == nil && ctx.Err() != nil {
		err = context.Cause(ctx)
	}
	return w.stats, err
}

// receiveLoop takes messages while there are free slots.
func (w *worker) receiveLoop(ctx, jobCtx context.Context, running *sync.WaitGroup) error {
	slots := make(chan struct{}, w.opts.Concurrency)
	failures, received := 0, false
	for ctx.Err() == nil {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		free := 1
		for free < min(w.opts.Concurrency, 10) && tryAcquire(slots) {
			free++
		}
		msgs, err := w.receive(free)
		for range free - len(msgs) {
			<-slots
		}
		if err != nil {
			failures++
			if !received && failures == 1 {
				// The first poll failing is a configuration error (no such
				// queue, no permission): say so rather than retry forever.
				return fmt.Errorf("receiving from %s: %w", w.opts.QueueURL, err)
			}
			w.log.Warn("receiving failed; retrying", "error", err.Error(), "attempt", failures)
			_ = sleep(ctx, min(time.Duration(failures)*time.Second, 30*time.Second))
			continue
		}
		failures, received = 0, true
		if ctx.Err() != nil {
			// Shutting down: what this poll returned goes straight back.
			for _, m := range msgs {
				w.release(m, 0, "shutdown")
				<-slots
			}
			return nil
		}
		if len(msgs) == 0 && w.opts.UntilEmpty && len(slots) == 0 {
			empty, err := w.queueEmpty()
			if err != nil {
				return err
			}
			if empty {
				w.log.Info("queue is empty; stopping (--until-empty)")
				return nil
			}
		}
		for _, m := range msgs {
			w.add(func(s *Stats) { s.Received++ })
			running.Add(1)
			go func() {
				defer running.Done()
				defer func() { <-slots }()
				w.process(jobCtx, m)
			}()
		}
	}
	return nil
}

func tryAcquire(slots chan struct{}) bool {
	select {
	case slots <- struct{}{}:
		return true
	default:
		return false
	}
}

// receive long-polls for up to n messages. The poll is not cut short by a
// shutdown: SQS would still have hidden the messages it picked, and they
// would reappear only after their visibility timeout.
func (w *worker) receive(n int) ([]types.Message, error) {
	ctx, cancel := context.WithTimeout(context.Background(), w.opts.WaitTime+30*time.Second)
	defer cancel()
	out, err := w.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:                    aws.String(w.opts.QueueURL),
		MaxNumberOfMessages:         int32(n),
		WaitTimeSeconds:             int32(w.opts.WaitTime / time.Second),
		VisibilityTimeout:           int32(w.opts.Visibility / time.Second),
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount},
	})
	if err != nil {
		return nil, err
	}
	return out.Messages, nil
}

// queueEmpty asks the queue whether any message is left anywhere.
func (w *worker) queueEmpty() (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := w.client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(w.opts.QueueURL),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages,
			types.QueueAttributeNameApproximateNumberOfMessagesNotVisible, types.QueueAttributeNameApproximateNumberOfMessagesDelayed},
	})
	if err != nil {
		return false, fmt.Errorf("reading the queue's message counts: %w", err)
	}
	for _, v := range out.Attributes {
		if n, _ := strconv.Atoi(v); n > 0 {
			return false, nil
		}
	}
	return true, nil
}

func (w *worker) add(f func(*Stats)) {
	w.mu.Lock()
	f(&w.stats)
	w.mu.Unlock()
}

// process runs one message and settles it: deleted when its instance
// finished, released for a retry otherwise. The body is never logged: it
// holds the external id.
func (w *worker) process(ctx context.Context, m types.Message) {
	id := aws.ToString(m.MessageId)
	hbCtx, stopHeartbeat := context.WithCancel(ctx)
	heartbeatDone := make(chan struct{})
	go func() { defer close(heartbeatDone); w.heartbeat(hbCtx, m) }()
	res := w.opts.Handle(ctx, []byte(aws.ToString(m.Body)))
	stopHeartbeat()
	<-heartbeatDone
	w.add(func(s *Stats) { s.ByStatus[res.Status]++ })
	log := w.log.With("message", id, "instance", res.InstanceID, "status", string(res.Status),
		"receiveCount", m.Attributes[string(types.MessageSystemAttributeNameApproximateReceiveCount)])
	if res.Done() {
		if err := w.settle(func(c context.Context) error {
			_, err := w.client.DeleteMessage(c, &sqs.DeleteMessageInput{QueueUrl: aws.String(w.opts.QueueURL), ReceiptHandle: m.ReceiptHandle})
			return err
		}); err != nil {
			// The instance is stored; the message comes back after its
			// visibility timeout and the instance is collected again.
			log.Warn("instance finished but its message could not be deleted", "error", err.Error())
			return
		}
		w.add(func(s *Stats) { s.Deleted++ })
		log.Info("instance finished; message deleted")
		return
	}
	delay := w.opts.RetryDelay
	if res.Status == handler.Interrupted {
		delay = 0 // another worker may take it now
	}
	log.Warn("instance failed; message returned to the queue", "error", errString(res.Err))
	w.release(m, delay, string(res.Status))
}

// release makes a message visible again after delay.
func (w *worker) release(m types.Message, delay time.Duration, why string) {
	err := w.settle(func(c context.Context) error {
		_, err := w.client.ChangeMessageVisibility(c, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(w.opts.QueueURL),
			ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: int32(delay / time.Second)})
		return err
	})
	if err != nil {
		// It reappears anyway, after its visibility timeout.
		w.log.Warn("releasing a message failed; it returns after its visibility timeout", "message", aws.ToString(m.MessageId), "error", err.Error())
	}
	w.add(func(s *Stats) { s.Returned++ })
	w.log.Debug("message released", "message", aws.ToString(m.MessageId), "why", why)
}

// settle runs a delete or a release even during shutdown.
func (w *worker) settle(f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return f(ctx)
}

// heartbeat keeps the message hidden while its instance runs.
func (w *worker) heartbeat(ctx context.Context, m types.Message) {
	every := w.opts.Visibility / 3
	for sleep(ctx, every) == nil {
		_, err := w.client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(w.opts.QueueURL),
			ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: int32(w.opts.Visibility / time.Second)})
		if err != nil && ctx.Err() == nil {
			w.log.Warn("extending a message's visibility failed", "message", aws.ToString(m.MessageId), "error", err.Error())
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
