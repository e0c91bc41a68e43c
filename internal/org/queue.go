package org

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/awsgraph/awsgraph/internal/instance"
)

// SQSAPI is the one SQS call Enqueue makes.
type SQSAPI interface {
	SendMessageBatch(context.Context, *sqs.SendMessageBatchInput, ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
}

// SQS's limits on one SendMessageBatch: ten entries, and a payload of at
// most 256 KiB in all (the figure older queues still enforce).
const (
	maxBatchEntries = 10
	maxBatchBytes   = 256 * 1024
)

// EnqueueOptions tune Enqueue's retries of failed entries.
type EnqueueOptions struct {
	Attempts int           // per entry, including the first; default 5
	Backoff  time.Duration // before the second attempt, doubled after; default 200ms
}

// EnqueueError lists the events SQS did not accept after every attempt.
type EnqueueError struct {
	Sent   int
	Failed []string // "<account>: <code> <message>"
}

func (e *EnqueueError) Error() string {
	shown := e.Failed
	if len(shown) > 5 {
		shown = append(slices.Clone(shown[:5]), fmt.Sprintf("(+%d more)", len(e.Failed)-5))
	}
	return fmt.Sprintf("%d event(s) not enqueued (%d sent): %s", len(e.Failed), e.Sent, strings.Join(shown, "; "))
}

type pending struct {
	account string
	body    string
	tries   int
	lastErr string
}

// Enqueue sends one message per event to the queue with SendMessageBatch:
// at most ten per batch and 256 KiB per batch. An entry SQS reports as
// failed is sent again (backing off) unless the fault is the sender's
// (a malformed message, which no retry fixes); a batch call that fails as a
// whole counts as a failed attempt of each of its entries. What is still
// not sent after every attempt is an *EnqueueError. FIFO queues (.fifo) get
// the account as message group and a content hash as deduplication id.
func Enqueue(ctx context.Context, client SQSAPI, queueURL string, events []instance.Event, o EnqueueOptions) (int, error) {
	attempts := max(o.Attempts, 1)
	if o.Attempts == 0 {
		attempts = 5
	}
	backoff := o.Backoff
	if backoff == 0 {
		backoff = 200 * time.Millisecond
	}
	var queue []*pending
	for _, ev := range events {
		data, err := instance.EncodeEvent(ev)
		if err != nil {
			return 0, err
		}
		if len(data) > maxBatchBytes {
			return 0, fmt.Errorf("the event of account %s is %d bytes, over SQS's message limit of %d", ev.Config.AccountID, len(data), maxBatchBytes)
		}
		queue = append(queue, &pending{account: ev.Config.AccountID, body: string(data)})
	}
	fifo := strings.HasSuffix(queueURL, ".fifo")
	sent := 0
	var failed []string
	for round := 0; len(queue) > 0; round++ {
		if round > 0 {
			select {
			case <-time.After(backoff << (round - 1)):
			case <-ctx.Done():
				return sent, ctx.Err()
			}
		}
		var retry []*pending
		for _, batch := range batches(queue) {
			ok, again := sendBatch(ctx, client, queueURL, batch, fifo)
			sent += ok
			for _, p := range again {
				if p.tries >= attempts || p.tries < 0 {
					failed = append(failed, p.account+": "+p.lastErr)
				} else {
					retry = append(retry, p)
				}
			}
		}
		queue = retry
	}
	if len(failed) > 0 {
		sort.Strings(failed)
		return sent, &EnqueueError{Sent: sent, Failed: failed}
	}
	return sent, nil
}

// batches splits the queue by SQS's entry and size limits.
func batches(queue []*pending) [][]*pending {
	var out [][]*pending
	var cur []*pending
	size := 0
	for _, p := range queue {
		if len(cur) == maxBatchEntries || (len(cur) > 0 && size+len(p.body) > maxBatchBytes) {
			out, cur, size = append(out, cur), nil, 0
		}
		cur = append(cur, p)
		size += len(p.body)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// sendBatch sends one batch; it returns how many were accepted and the
// entries to try again (tries < 0: a sender fault, never retried).
func sendBatch(ctx context.Context, client SQSAPI, queueURL string, batch []*pending, fifo bool) (int, []*pending) {
	in := &sqs.SendMessageBatchInput{QueueUrl: aws.String(queueURL)}
	for i, p := range batch {
		e := sqstypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(p.body)}
		if fifo {
			sum := sha256.Sum256([]byte(p.body))
			e.MessageGroupId, e.MessageDeduplicationId = aws.String(p.account), aws.String(hex.EncodeToString(sum[:16]))
		}
		in.Entries = append(in.Entries, e)
		p.tries++
	}
	out, err := client.SendMessageBatch(ctx, in)
	if err != nil {
		// The SDK's retryer has already retried what is retryable
		// (throttling, 5xx, network): the call's failure is final.
		for _, p := range batch {
			p.lastErr, p.tries = "SendMessageBatch failed: "+reason(err), -1
		}
		return 0, batch
	}
	var again []*pending
	for _, f := range out.Failed {
		i, convErr := strconv.Atoi(aws.ToString(f.Id))
		if convErr != nil || i < 0 || i >= len(batch) || slices.Contains(again, batch[i]) {
			continue
		}
		p := batch[i]
		p.lastErr = aws.ToString(f.Code) + " " + aws.ToString(f.Message)
		if f.SenderFault {
			p.tries = -1
		}
		again = append(again, p)
	}
	// An entry neither successful nor failed is not known to be sent.
	accepted := map[string]bool{}
	for _, s := range out.Successful {
		accepted[aws.ToString(s.Id)] = true
	}
	for i, p := range batch {
		if !accepted[strconv.Itoa(i)] && !slices.Contains(again, p) {
			p.lastErr = "neither successful nor failed in the SendMessageBatch answer"
			again = append(again, p)
		}
	}
	return len(out.Successful), again
}
