package awsclient

import (
	"context"
	"sync"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go/middleware"
	"golang.org/x/time/rate"
)

// RateLimit paces one instance's requests: a token bucket per
// `service:Operation`, since AWS throttles per account and API. Each
// Connect builds its own buckets, so instances collected in one process
// never share them: one account's throttling slows that account only.
type RateLimit struct {
	// PerSecond is each operation's steady rate; 0 turns pacing off.
	PerSecond float64
	// Burst is how many requests may go at once before pacing starts.
	Burst int
	// MinPerSecond is the floor a throttled operation's rate is lowered to
	// (default PerSecond/16).
	MinPerSecond float64
}

// DefaultRateLimit is what the queue worker and the Lambda function use:
// below EC2's and IAM's documented steady rates for Describe/List calls, so
// many instances in one process do not trip them.
var DefaultRateLimit = RateLimit{PerSecond: 20, Burst: 50}

// Limiter holds one instance's buckets.
type Limiter struct {
	cfg     RateLimit
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	lim *rate.Limiter
	// stats, under Limiter.mu
	taken, waited, throttled int
}

// BucketStats is what one bucket has done: requests it let through, how
// many of those had to wait for a token, how many answers were throttling
// errors, and its current rate.
type BucketStats struct {
	Taken, Waited, Throttled int
	PerSecond                float64
}

// NewLimiter returns an instance's limiter, or nil when pacing is off.
func NewLimiter(cfg RateLimit) *Limiter {
	if cfg.PerSecond <= 0 {
		return nil
	}
	if cfg.Burst < 1 {
		cfg.Burst = 1
	}
	if cfg.MinPerSecond <= 0 {
		cfg.MinPerSecond = cfg.PerSecond / 16
	}
	return &Limiter{cfg: cfg, buckets: map[string]*bucket{}}
}

func (l *Limiter) bucket(op string) *bucket {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[op]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(rate.Limit(l.cfg.PerSecond), l.cfg.Burst)}
		l.buckets[op] = b
	}
	return b
}

// wait takes a token for op, noting whether it had to wait.
func (l *Limiter) wait(ctx context.Context, op string) error {
	b := l.bucket(op)
	r := b.lim.Reserve()
	if !r.OK() {
		return b.lim.Wait(ctx)
	}
	delay := r.Delay()
	l.mu.Lock()
	b.taken++
	if delay > 0 {
		b.waited++
	}
	l.mu.Unlock()
	if delay == 0 {
		return nil
	}
	if err := sleep(ctx, delay); err != nil {
		r.Cancel()
		return err
	}
	return nil
}

// observe adapts op's rate to the answer: a throttling error halves it
// (down to the floor), a success raises it a tenth of the way back.
func (l *Limiter) observe(op string, err error) {
	b := l.bucket(op)
	throttled := err != nil && retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err).Bool()
	cur := float64(b.lim.Limit())
	switch {
	case throttled:
		b.lim.SetLimit(rate.Limit(max(cur/2, l.cfg.MinPerSecond)))
		l.mu.Lock()
		b.throttled++
		l.mu.Unlock()
	case err == nil && cur < l.cfg.PerSecond:
		b.lim.SetLimit(rate.Limit(min(cur+l.cfg.PerSecond/10, l.cfg.PerSecond)))
	}
}

// Stats returns every bucket's counts, by `service:Operation`.
func (l *Limiter) Stats() map[string]BucketStats {
	out := map[string]BucketStats{}
	if l == nil {
		return out
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for op, b := range l.buckets {
		out[op] = BucketStats{Taken: b.taken, Waited: b.waited, Throttled: b.throttled, PerSecond: float64(b.lim.Limit())}
	}
	return out
}

// Middleware paces every attempt (it sits after the retry loop, so retries
// of a throttled call take tokens too, from their own operation's bucket).
func (l *Limiter) Middleware() func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("awsgraphRateLimit",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				op := iamPrefix(awsmiddleware.GetServiceID(ctx)) + ":" + awsmiddleware.GetOperationName(ctx)
				if err := l.wait(ctx, op); err != nil {
					return middleware.FinalizeOutput{}, middleware.Metadata{}, err
				}
				out, md, err := next.HandleFinalize(ctx, in)
				l.observe(op, err)
				return out, md, err
			}), middleware.After)
	}
}

// sleep waits d or until ctx ends.
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
