package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/awsgraph/awsgraph/internal/collector"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

func readSummary(t *testing.T, dir string) collector.Summary {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s collector.Summary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// A server that never answers one call (the fault proxy holds DescribeVpcs
// until the client gives up) costs that call's attempts, not the run:
// --response-timeout fails each attempt, the VPC types are partial with a
// warning, and the rest of the account is collected.
func TestResponseTimeoutFailsTheCallNotTheRun_FaultProxyHoldsOneCall(t *testing.T) {
	dir := isolateEnv(t)
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	fp := srv.NewFaultProxy(t)
	fp.Add(&testbed.Fault{Match: func(r *http.Request, body []byte) bool {
		return testbed.Operation(r, body) == "ec2:DescribeVpcs"
	}, Delay: time.Hour})
	out := filepath.Join(dir, "out")
	code, _, stderr := run(t, "collect", "--role-arn", testbed.RoleArn(acct), "--external-id", testbed.ExternalID,
		"--regions", "us-east-1", "--endpoint-url", fp.URL, "--output", out, "--no-db", "-q", "--response-timeout", "3s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	s := readSummary(t, out)
	if !slices.Contains(s.Metadata.PartialDatasets.Types, "aws_ec2_vpc") {
		t.Errorf("VPCs not partial: %v", s.Metadata.PartialDatasets.Types)
	}
	timedOut := false
	for _, w := range s.Warnings {
		timedOut = timedOut || strings.Contains(w.Message, "ec2:DescribeVpcs failed: throttled or unavailable after all retries")
	}
	if !timedOut {
		t.Errorf("no warning names the timeout: %+v", s.Warnings)
	}
	if n := fp.Hits()["ec2:DescribeVpcs"]; n < 2 {
		t.Errorf("DescribeVpcs tried %d times, want it retried", n)
	}
	if s.EntityCounts["aws_iam_role"]+s.EntityCounts["aws_account"] == 0 {
		t.Errorf("nothing else collected: %v", s.EntityCounts)
	}
}

// A connection reset once is retried: the run is complete.
func TestConnectionResetIsRetried_FaultProxyResets(t *testing.T) {
	dir := isolateEnv(t)
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	fp := srv.NewFaultProxy(t)
	fp.Add(&testbed.Fault{Match: func(r *http.Request, body []byte) bool {
		return testbed.Operation(r, body) == "ec2:DescribeSecurityGroups"
	}, Reset: true, Times: 1})
	out := filepath.Join(dir, "out")
	code, _, stderr := run(t, "collect", "--role-arn", testbed.RoleArn(acct), "--external-id", testbed.ExternalID,
		"--regions", "us-east-1", "--endpoint-url", fp.URL, "--output", out, "--no-db", "-q")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	s := readSummary(t, out)
	if len(s.Metadata.PartialDatasets.Types) != 0 {
		t.Errorf("partial after one retried reset: %v %+v", s.Metadata.PartialDatasets.Types, s.Warnings)
	}
	if n := fp.Hits()["ec2:DescribeSecurityGroups"]; n != 2 {
		t.Errorf("DescribeSecurityGroups %d calls, want 2 (the reset and its retry)", n)
	}
}

// --step-timeout fails a step that runs past it, naming the deadline; its
// types are partial and the run still ends.
func TestStepTimeout(t *testing.T) {
	dir := isolateEnv(t)
	srv := testbed.Server(t)
	testSteps = fakeSteps(func(ctx context.Context, sc *engine.StepContext) error {
		<-ctx.Done()
		return ctx.Err()
	})
	t.Cleanup(func() { testSteps = nil })
	out := filepath.Join(dir, "out")
	code, _, stderr := run(t, "collect", "--role-arn", testbed.RoleArn(testbed.NewAccountID(t)), "--external-id", testbed.ExternalID,
		"--regions", "us-east-1", "--endpoint-url", srv.URL, "--output", out, "--no-db", "-q", "--step-timeout", "200ms")
	if code != 1 || !strings.Contains(stderr, "no collection step succeeded") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	s := readSummary(t, out)
	r := s.IntegrationStepResults[0]
	if r.Status != engine.StatusFailure || !strings.Contains(r.Error, "ran past its 200ms deadline") ||
		!slices.Equal(s.Metadata.PartialDatasets.Types, []string{"aws_fake_thing"}) {
		t.Errorf("step %+v, partial %v", r, s.Metadata.PartialDatasets.Types)
	}
}
