package awsclient

import (
	"context"
	"sync"
)

// FanOut calls fn(ctx, i) for every i in [0, n) on at most width goroutines,
// and stops handing out work once ctx ends. The width is not the
// concurrency that reaches AWS: every call still waits in the session's
// Adaptive bound, which follows what each server answers. Give width as
// Session.FanOutWidth(); it only keeps idle goroutines few.
func FanOut(ctx context.Context, n, width int, fn func(ctx context.Context, i int)) {
	width = min(max(width, 1), n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range width {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(ctx, i)
			}
		}()
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
}

// FanOutWidth is how many workers a fan-out of this session starts: the
// most its Adaptive bound can allow (8 for a session built without one).
func (s *Session) FanOutWidth() int { return s.Adaptive.Width() }
