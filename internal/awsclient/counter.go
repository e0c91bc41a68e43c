package awsclient

import (
	"context"
	"sync"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// CallCounter counts AWS API requests per `service:Operation`, every attempt
// included (a retried call counts each time it reaches AWS), because that is
// what AWS rate limits and what an outside observer sees.
type CallCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

// NewCallCounter returns an empty counter.
func NewCallCounter() *CallCounter { return &CallCounter{counts: map[string]int{}} }

// Add counts one request.
func (c *CallCounter) Add(service, operation string) {
	c.mu.Lock()
	c.counts[service+":"+operation]++
	c.mu.Unlock()
}

// Snapshot returns a copy of the counts.
func (c *CallCounter) Snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.counts))
	for k, v := range c.counts {
		out[k] = v
	}
	return out
}

// Total returns the number of requests made.
func (c *CallCounter) Total() int {
	n := 0
	for _, v := range c.Snapshot() {
		n += v
	}
	return n
}

// Middleware returns the SDK stack option that counts requests. It sits at the
// end of the finalize step, after the retry loop, so it sees each attempt.
func (c *CallCounter) Middleware() func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("awsgraphCallCounter",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				c.Add(iamPrefix(awsmiddleware.GetServiceID(ctx)), awsmiddleware.GetOperationName(ctx))
				return next.HandleFinalize(ctx, in)
			}), middleware.After)
	}
}
