package awsclient

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Adaptive bounds the requests one session has in flight to each server, and
// moves the bound with what the server says, TCP Vegas style: while answers
// come about as fast as the fastest seen for their operation the bound
// grows; when they slow markedly (the server is queueing) or are throttled
// it shrinks; a Retry-After header pauses that server's calls. Real AWS
// throttles per account, region and API (token buckets; see
// docs/design.md §Rate limits), so a fixed fan-out is either too timid for a
// fast API or too eager for a slow one; a server that slows as concurrency
// rises (an emulator) is best used with a few requests in flight.
//
// Every Connect builds its own: one account's throttling never slows another
// account collected in the same process.
type Adaptive struct {
	cfg AdaptiveConfig
	mu  sync.Mutex
	m   map[string]*serverLimit
}

// AdaptiveConfig tunes Adaptive; zero fields take the defaults.
type AdaptiveConfig struct {
	// Initial is the bound before any answer (default 4).
	Initial int
	// Min and Max bound the bound (defaults 1 and 64; 64 stays below the
	// SDK's connection pool and EC2's 100-request Describe burst).
	Min, Max int
	// Grow is the latency ratio (this answer / the fastest answer of its
	// operation) under which the bound grows by one per window (default 3).
	Grow float64
	// Shrink is the ratio above which it shrinks by one per window (default
	// 6); above twice Shrink it drops by a fifth at once.
	//
	// The defaults are wider than Vegas's textbook 1.5 and 2.5 on purpose:
	// the latency the client sees includes its own CPU time (deserializing
	// a page of a thousand instances) and the scheduler's delays on a busy
	// machine, which do not grow with the server's queue. With 1.5/2.5 an
	// emulator sat idle a fifth of the run (tools/floorbench, scale 1: wall
	// 25 s against 20 s of server busy time); with 3/6 it stayed busy (wall
	// 20.9 s). Real AWS rarely slows that much: there throttling is the
	// signal that bounds the growth.
	Shrink float64
	// MaxPause caps a Retry-After pause (default 1 minute).
	MaxPause time.Duration
	// Scope is what one bound covers: ScopeAuto (Connect picks: ScopeShared
	// under an endpoint override, since an emulator answers every service
	// from one process, else ScopeService), ScopeShared (one bound for the
	// whole session) or ScopeService (one per service and region).
	Scope Scope

	// Now and Sleep are the clock (tests give a fake one).
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Scope is what one adaptive bound covers.
type Scope int

const (
	ScopeAuto Scope = iota
	ScopeService
	ScopeShared
)

// DefaultAdaptive is the configuration Connect uses.
var DefaultAdaptive = AdaptiveConfig{Initial: 4, Min: 1, Max: 64, Grow: 3, Shrink: 6, MaxPause: time.Minute}

func (c AdaptiveConfig) withDefaults() AdaptiveConfig {
	d := DefaultAdaptive
	pick := func(v, def int) int {
		if v > 0 {
			return v
		}
		return def
	}
	pickf := func(v, def float64) float64 {
		if v > 0 {
			return v
		}
		return def
	}
	c.Initial, c.Min, c.Max = pick(c.Initial, d.Initial), pick(c.Min, d.Min), pick(c.Max, d.Max)
	c.Max = max(c.Max, c.Min)
	c.Initial = min(max(c.Initial, c.Min), c.Max)
	c.Grow, c.Shrink = pickf(c.Grow, d.Grow), pickf(c.Shrink, d.Shrink)
	if c.MaxPause <= 0 {
		c.MaxPause = d.MaxPause
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Sleep == nil {
		c.Sleep = sleep
	}
	return c
}

// NewAdaptive returns a session's limiter.
func NewAdaptive(cfg AdaptiveConfig) *Adaptive {
	return &Adaptive{cfg: cfg.withDefaults(), m: map[string]*serverLimit{}}
}

// serverLimit is one server's bound and what it has seen.
type serverLimit struct {
	cfg      *AdaptiveConfig
	mu       sync.Mutex
	limit    float64
	inFlight int
	waiters  []chan struct{} // FIFO; a closed channel owns a slot
	fastest  map[string]time.Duration
	paused   time.Time // no new request before this
	lastDrop time.Time
	stats    AdaptiveStats
}

// AdaptiveStats is what one server's bound has done.
type AdaptiveStats struct {
	Limit       int `json:"limit"`       // the bound now
	MaxInFlight int `json:"maxInFlight"` // the most requests seen in flight at once
	Requests    int `json:"requests"`
	Throttled   int `json:"throttled"` // throttling answers (by error code, HTTP 429 or 503)
	Slowed      int `json:"slowed"`    // answers that made the bound shrink for latency
	Pauses      int `json:"pauses"`    // Retry-After headers honoured
}

// Stats returns every server's stats, by server key.
func (a *Adaptive) Stats() map[string]AdaptiveStats {
	out := map[string]AdaptiveStats{}
	if a == nil {
		return out
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, s := range a.m {
		s.mu.Lock()
		st := s.stats
		st.Limit = int(s.limit)
		s.mu.Unlock()
		out[k] = st
	}
	return out
}

// Width is how many workers a fan-out over one server should start: the
// most the bound can allow, since the bound, not the fan-out, decides.
func (a *Adaptive) Width() int {
	if a == nil {
		return 8
	}
	return a.cfg.Max
}

func (a *Adaptive) server(key string) *serverLimit {
	if a.cfg.Scope == ScopeShared {
		key = "endpoint"
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.m[key]
	if s == nil {
		s = &serverLimit{cfg: &a.cfg, limit: float64(a.cfg.Initial), fastest: map[string]time.Duration{}}
		a.m[key] = s
	}
	return s
}

// Permit is one request's slot; Done gives it back with the answer.
type Permit struct {
	s     *serverLimit
	op    string
	start time.Time
}

// Acquire waits for a slot on server key (e.g. "ec2@us-east-1") for
// operation op, out of any Retry-After pause first.
func (a *Adaptive) Acquire(ctx context.Context, key, op string) (*Permit, error) {
	s := a.server(key)
	for {
		if err := s.waitPause(ctx); err != nil {
			return nil, err
		}
		if err := s.take(ctx); err != nil {
			return nil, err
		}
		s.mu.Lock()
		paused := s.cfg.Now().Before(s.paused)
		s.mu.Unlock()
		if !paused {
			return &Permit{s: s, op: op, start: s.cfg.Now()}, nil
		}
		s.release() // a Retry-After came while this one queued
	}
}

func (s *serverLimit) waitPause(ctx context.Context) error {
	for {
		s.mu.Lock()
		d := s.paused.Sub(s.cfg.Now())
		s.mu.Unlock()
		if d <= 0 {
			return ctx.Err()
		}
		if err := s.cfg.Sleep(ctx, d); err != nil {
			return err
		}
	}
}

// take gets a slot, queueing FIFO behind earlier callers.
func (s *serverLimit) take(ctx context.Context) error {
	s.mu.Lock()
	if len(s.waiters) == 0 && s.inFlight < s.bound() {
		s.inFlight++
		s.stats.MaxInFlight = max(s.stats.MaxInFlight, s.inFlight)
		s.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	s.waiters = append(s.waiters, ch)
	s.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		for i, w := range s.waiters {
			if w == ch {
				s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
				s.mu.Unlock()
				return ctx.Err()
			}
		}
		s.mu.Unlock()
		s.release() // granted while cancelling: hand it on
		return ctx.Err()
	}
}

func (s *serverLimit) bound() int { return max(int(s.limit), 1) }

// release frees a slot and grants waiting callers what the bound allows.
func (s *serverLimit) release() {
	s.mu.Lock()
	s.inFlight--
	s.grantLocked()
	s.mu.Unlock()
}

func (s *serverLimit) grantLocked() {
	for len(s.waiters) > 0 && s.inFlight < s.bound() {
		ch := s.waiters[0]
		s.waiters = s.waiters[1:]
		s.inFlight++
		s.stats.MaxInFlight = max(s.stats.MaxInFlight, s.inFlight)
		close(ch)
	}
}

// Done returns the slot with the request's outcome: throttled (by AWS error
// code, HTTP 429 or 503), and the Retry-After the server sent (0: none).
func (p *Permit) Done(throttled bool, retryAfter time.Duration) {
	s := p.s
	now := s.cfg.Now()
	rtt := now.Sub(p.start)
	s.mu.Lock()
	s.stats.Requests++
	if retryAfter > 0 {
		if retryAfter > s.cfg.MaxPause {
			retryAfter = s.cfg.MaxPause
		}
		if until := now.Add(retryAfter); until.After(s.paused) {
			s.paused = until
			s.stats.Pauses++
		}
	}
	s.adjustLocked(p.op, rtt, throttled, now)
	s.inFlight--
	s.grantLocked()
	s.mu.Unlock()
}

// adjustLocked moves the bound. Decreases happen at most once per round trip
// (the answers already in flight were sent before the last decrease took
// effect); increases are one slot per window of answers, and only while the
// bound is in use (an idle bound proves nothing).
func (s *serverLimit) adjustLocked(op string, rtt time.Duration, throttled bool, now time.Time) {
	cfg := s.cfg
	canDrop := now.Sub(s.lastDrop) >= rtt
	if throttled {
		s.stats.Throttled++
		if canDrop {
			s.limit = max(s.limit/2, float64(cfg.Min))
			s.lastDrop = now
		}
		return
	}
	fast, seen := s.fastest[op]
	if !seen || rtt < fast {
		s.fastest[op], fast = rtt, rtt
	}
	if fast <= 0 {
		fast = time.Microsecond
	}
	ratio := float64(rtt) / float64(fast)
	switch {
	case ratio > 2*cfg.Shrink && canDrop:
		s.stats.Slowed++
		s.limit = max(s.limit*0.8, float64(cfg.Min))
		s.lastDrop = now
	case ratio > cfg.Shrink:
		s.stats.Slowed++
		s.limit = max(s.limit-1/s.limit, float64(cfg.Min))
	case ratio < cfg.Grow && float64(s.inFlight) >= s.limit/2:
		s.limit = min(s.limit+1/s.limit, float64(cfg.Max))
	}
}

// Middleware bounds every attempt (it sits after the retry loop, so a retry
// waits for a slot too, and the retry's backoff holds none).
func (a *Adaptive) Middleware() func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("awsgraphAdaptiveConcurrency",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				svc := iamPrefix(awsmiddleware.GetServiceID(ctx))
				p, err := a.Acquire(ctx, svc+"@"+awsmiddleware.GetRegion(ctx), svc+":"+awsmiddleware.GetOperationName(ctx))
				if err != nil {
					return middleware.FinalizeOutput{}, middleware.Metadata{}, err
				}
				out, md, err := next.HandleFinalize(ctx, in)
				resp := rawResponse(md, err)
				p.Done(isThrottle(err, resp), retryAfter(resp, a.cfg.Now()))
				return out, md, err
			}), middleware.After)
	}
}

// rawResponse is the HTTP answer of an attempt, from the error when it
// failed, else from the metadata the SDK records it in.
func rawResponse(md middleware.Metadata, err error) *http.Response {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.Response
	}
	if r, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response); ok && r != nil {
		return r.Response
	}
	return nil
}

// isThrottle reports a throttling answer: by AWS error code (as errors.go
// lists them), or HTTP 429 or 503 (the server is overloaded, whatever the
// body says).
func isThrottle(err error, resp *http.Response) bool {
	if err == nil {
		return false
	}
	if throttleCodes[ErrorCode(err)] {
		return true
	}
	return resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable)
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(resp *http.Response, now time.Time) time.Duration {
	if resp == nil {
		return 0
	}
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
