package awsclient_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

// Two instances in one process: A's DescribeVpcs is throttled by a
// wire-level fake (moto cannot throttle), B's goes straight through. A's
// bucket slows down; B's keeps its rate, never waits and makes exactly its
// own calls — asserted by counts, not by time.
func TestThrottledInstanceNeverSlowsAnother_WireFakeBecauseMotoCannotThrottle(t *testing.T) {
	srv := testbed.Server(t)
	acctA, acctB := testbed.NewAccountID(t), testbed.NewAccountID(t)
	proxyA, proxyB := srv.NewFaultProxy(t), srv.NewFaultProxy(t)
	throttle := &testbed.Fault{Match: testbed.IsAction("ec2", "DescribeVpcs", ""), Times: 6, Status: 503,
		Body: testbed.EC2Error("RequestLimitExceeded", "Request limit exceeded.")}
	proxyA.Add(throttle)
	limit := awsclient.RateLimit{PerSecond: 1000, Burst: 10}
	connect := func(acct, url string) *awsclient.Session {
		opts := srv.Options(acct)
		opts.EndpointURL, opts.MaxAttempts, opts.MaxBackoff, opts.RateLimit = url, 10, 5*time.Millisecond, limit
		s, err := awsclient.Connect(context.Background(), opts, "aws", "")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b := connect(acctA, proxyA.URL), connect(acctB, proxyB.URL)
	if a.Limiter == b.Limiter {
		t.Fatal("two sessions share one limiter")
	}
	var wg sync.WaitGroup
	for _, s := range []*awsclient.Session{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := ec2.NewFromConfig(s.In("us-east-1"))
			for range 5 {
				if _, err := c.DescribeVpcs(context.Background(), &ec2.DescribeVpcsInput{}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	sa, sb := a.Limiter.Stats()["ec2:DescribeVpcs"], b.Limiter.Stats()["ec2:DescribeVpcs"]
	if proxyA.Fired(throttle) != 6 || sa.Throttled != 6 || sa.Taken != 11 {
		t.Errorf("A: fault fired %d, bucket %+v; want 6 throttled of 11 attempts", proxyA.Fired(throttle), sa)
	}
	if sa.PerSecond >= limit.PerSecond {
		t.Errorf("A's rate %v was not lowered by throttling", sa.PerSecond)
	}
	if sb.Throttled != 0 || sb.Waited != 0 || sb.Taken != 5 || sb.PerSecond != limit.PerSecond {
		t.Errorf("B was affected by A's throttling: %+v", sb)
	}
	if got := proxyB.Hits()["ec2:DescribeVpcs"]; got != 5 {
		t.Errorf("B made %d DescribeVpcs requests, want 5", got)
	}
}

// The bucket paces: ten calls at once with a burst of three; seven wait.
func TestRateLimitPacesBeyondTheBurst(t *testing.T) {
	srv := testbed.Server(t)
	opts := srv.Options(testbed.NewAccountID(t))
	opts.RateLimit = awsclient.RateLimit{PerSecond: 5, Burst: 3}
	s, err := awsclient.Connect(context.Background(), opts, "aws", "")
	if err != nil {
		t.Fatal(err)
	}
	c := ec2.NewFromConfig(s.In("us-east-1"))
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.DescribeVpcs(context.Background(), &ec2.DescribeVpcsInput{}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	st := s.Limiter.Stats()["ec2:DescribeVpcs"]
	if st.Taken != 10 || st.Waited != 7 {
		t.Errorf("bucket %+v: want 10 taken, 7 waited", st)
	}
	if st2 := s.Limiter.Stats()["sts:GetCallerIdentity"]; st2.Taken != 1 {
		t.Errorf("GetCallerIdentity has its own bucket: %+v", st2)
	}
}

func TestZeroRateLimitIsOff(t *testing.T) {
	if awsclient.NewLimiter(awsclient.RateLimit{}) != nil {
		t.Fatal("a zero rate limit built a limiter")
	}
}
