package awsclient_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go/middleware"

	"github.com/awsgraph/awsgraph/internal/awsclient"
)

// fakeClock moves only when told to (or when the limiter sleeps on it).
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	slept []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.slept = append(c.slept, d)
	c.t = c.t.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

// simulate drives the limiter against a model server in rounds: each round
// sends as many requests as the bound allows, and the server answers them
// all after base, times held/knee once more than knee are in flight (it
// queues beyond its capacity). It returns the bound after the last round.
func simulate(t *testing.T, cfg awsclient.AdaptiveConfig, knee, rounds int) (last awsclient.AdaptiveStats) {
	t.Helper()
	clock := &fakeClock{t: time.Unix(1e9, 0)}
	cfg.Max, cfg.Now, cfg.Sleep = 64, clock.Now, clock.Sleep
	a := awsclient.NewAdaptive(cfg)
	ctx := context.Background()
	const key = "ec2@us-east-1"
	for range rounds {
		bound := max(a.Stats()[key].Limit, 1)
		permits := make([]*awsclient.Permit, 0, bound)
		for range bound {
			p, err := a.Acquire(ctx, key, "ec2:DescribeInstances")
			if err != nil {
				t.Fatal(err)
			}
			permits = append(permits, p)
		}
		latency := 10 * time.Millisecond
		if len(permits) > knee {
			latency = latency * time.Duration(len(permits)) / time.Duration(knee)
		}
		clock.Advance(latency)
		for _, p := range permits {
			p.Done(false, 0)
		}
	}
	return a.Stats()[key]
}

// (a) A server that slows once more than its capacity is in flight: the
// bound settles near that knee, between knee x Grow and knee x Shrink,
// instead of the maximum, whether it starts below it (it grows) or far
// above it (it shrinks for latency); with the textbook thresholds and with
// the defaults.
func TestAdaptiveSettlesNearTheKneeOfASlowingServer(t *testing.T) {
	const knee = 4
	for _, th := range []struct{ grow, shrink float64 }{{1.5, 2.5}, {0, 0}} {
		for _, initial := range []int{1, 64} {
			cfg := awsclient.AdaptiveConfig{Initial: initial, Grow: th.grow, Shrink: th.shrink}
			grow, shrink := th.grow, th.shrink
			if grow == 0 {
				grow, shrink = awsclient.DefaultAdaptive.Grow, awsclient.DefaultAdaptive.Shrink
			}
			st := simulate(t, cfg, knee, 400)
			lo, hi := knee, int(float64(knee)*shrink)
			if st.Limit < lo || st.Limit > hi {
				t.Fatalf("grow %v shrink %v from %d: bound %d after 400 rounds, want within [%d, %d] (knee %d): %+v",
					grow, shrink, initial, st.Limit, lo, hi, knee, st)
			}
			if initial > hi && st.Slowed == 0 {
				t.Fatalf("grow %v shrink %v from %d: the bound never shrank for latency: %+v", grow, shrink, initial, st)
			}
		}
	}
}

// The same model without a knee in reach: the bound grows to its maximum.
func TestAdaptiveGrowsWhileLatencyStaysAtTheMinimum(t *testing.T) {
	st := simulate(t, awsclient.AdaptiveConfig{Initial: 1}, 1000, 400)
	if st.Limit != 64 {
		t.Fatalf("bound %d, want the maximum 64: %+v", st.Limit, st)
	}
}

// lambdaClient is an SDK client whose every attempt goes through a.
func lambdaClient(url string, a *awsclient.Adaptive) *lambda.Client {
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("k", "s", ""),
		BaseEndpoint: aws.String(url),
		APIOptions:   []func(*middleware.Stack) error{a.Middleware()},
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 50
				o.MaxBackoff = 2 * time.Millisecond
				o.RateLimiter = ratelimit.None
			})
		},
	}
	return lambda.NewFromConfig(cfg)
}

// (b) A wire-level fake of Lambda's control plane that throttles
// (429 TooManyRequestsException) whenever more than 3 requests are in
// flight: the bound drops below where it started, and every call still
// succeeds (the SDK retries the throttled attempts).
func TestAdaptiveWireFakeThrottlingLowersTheBoundAndCallsSucceed(t *testing.T) {
	var inFlight, maxSeen, throttled atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := maxSeen.Load(); n > m && !maxSeen.CompareAndSwap(m, n); m = maxSeen.Load() {
		}
		time.Sleep(time.Millisecond) // let concurrent requests overlap
		w.Header().Set("Content-Type", "application/json")
		if n > 3 {
			throttled.Add(1)
			w.Header().Set("X-Amzn-Errortype", "TooManyRequestsException")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"message":"Rate exceeded","Type":"User","Reason":"CallerRateLimitExceeded"}`)
			return
		}
		_, _ = io.WriteString(w, `{"Functions":[]}`)
	}))
	defer srv.Close()
	a := awsclient.NewAdaptive(awsclient.AdaptiveConfig{Initial: 16, Max: 32})
	c := lambdaClient(srv.URL, a)
	var wg sync.WaitGroup
	var failed atomic.Int64
	const calls = 200
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := i; j < calls; j += 32 {
				if _, err := c.ListFunctions(context.Background(), &lambda.ListFunctionsInput{}); err != nil {
					failed.Add(1)
					t.Log(err)
				}
			}
		}()
	}
	wg.Wait()
	st := a.Stats()["lambda@us-east-1"]
	if failed.Load() != 0 {
		t.Fatalf("%d of %d calls failed", failed.Load(), calls)
	}
	if throttled.Load() == 0 || st.Throttled == 0 {
		t.Fatalf("the fake never throttled (server %d, limiter %d): the test proves nothing", throttled.Load(), st.Throttled)
	}
	if st.Limit >= 16 {
		t.Fatalf("bound %d after %d throttles, want below the initial 16: %+v", st.Limit, st.Throttled, st)
	}
	if int64(st.MaxInFlight) > 16 {
		t.Fatalf("max in flight %d above the initial bound 16", st.MaxInFlight)
	}
}

// (c) A wire-level fake answering 503 with Retry-After: 3 once: the next
// attempt waits the three seconds (on the fake clock) before it is sent,
// and so does a call started during the pause.
func TestAdaptiveWireFakeRetryAfterPausesTheServer(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		if requests.Add(1) == 1 {
			w.Header().Set("Retry-After", "3")
			w.Header().Set("X-Amzn-Errortype", "ServiceException")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, `{"message":"slow down"}`)
			return
		}
		_, _ = io.WriteString(w, `{"Functions":[]}`)
	}))
	defer srv.Close()
	clock := &fakeClock{t: time.Unix(1e9, 0)}
	a := awsclient.NewAdaptive(awsclient.AdaptiveConfig{Now: clock.Now, Sleep: clock.Sleep})
	c := lambdaClient(srv.URL, a)
	start := clock.Now()
	if _, err := c.ListFunctions(context.Background(), &lambda.ListFunctionsInput{}); err != nil {
		t.Fatal(err)
	}
	if got := clock.Now().Sub(start); got < 3*time.Second {
		t.Fatalf("the retry went %v after the Retry-After: 3 answer (fake clock), want at least 3s; slept %v", got, clock.slept)
	}
	st := a.Stats()["lambda@us-east-1"]
	if st.Pauses != 1 || requests.Load() != 2 {
		t.Fatalf("pauses %d, requests %d; want 1 pause and 2 requests", st.Pauses, requests.Load())
	}
	// A pause in force holds a new call too: the clock is set back inside it.
	clock.mu.Lock()
	clock.t, clock.slept = start.Add(time.Second), nil
	clock.mu.Unlock()
	if _, err := c.ListFunctions(context.Background(), &lambda.ListFunctionsInput{}); err != nil {
		t.Fatal(err)
	}
	if len(clock.slept) != 1 || clock.slept[0] != 2*time.Second {
		t.Fatalf("a call 1s into a 3s pause slept %v, want [2s]", clock.slept)
	}
}

// A cancelled caller waiting for a slot leaves the queue without taking one.
func TestAdaptiveCancelledWaiterGivesBackItsPlace(t *testing.T) {
	a := awsclient.NewAdaptive(awsclient.AdaptiveConfig{Initial: 1, Max: 1})
	p, err := a.Acquire(context.Background(), "s3@us-east-1", "s3:GetBucketAcl")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := a.Acquire(ctx, "s3@us-east-1", "s3:GetBucketAcl")
		done <- err
	}()
	cancel()
	if err := <-done; err == nil {
		t.Fatal("a cancelled wait returned a permit")
	}
	p.Done(false, 0)
	p2, err := a.Acquire(context.Background(), "s3@us-east-1", "s3:GetBucketAcl")
	if err != nil {
		t.Fatal(err)
	}
	p2.Done(false, 0)
	if st := a.Stats()["s3@us-east-1"]; st.MaxInFlight != 1 {
		t.Fatalf("max in flight %d with a bound of 1", st.MaxInFlight)
	}
}
