package awsclient_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

func TestMain(m *testing.M) { os.Exit(testbed.Main(m)) }

// moto cannot throttle: a wire-level fake answers the first attempts with
// RequestLimitExceeded, and the retryer must wait them out.
func TestThrottlingIsRetried_WireFakeBecauseMotoCannotThrottle(t *testing.T) {
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	fp := srv.NewFaultProxy(t)
	fp.Add(&testbed.Fault{Match: testbed.IsAction("ec2", "DescribeVpcs", ""), Times: 3, Status: 503,
		Body: testbed.EC2Error("RequestLimitExceeded", "Request limit exceeded.")})
	opts := srv.Options(acct)
	opts.EndpointURL = fp.URL
	opts.MaxAttempts = 5
	opts.MaxBackoff = 20 * time.Millisecond
	sess, err := awsclient.Connect(context.Background(), opts, "aws", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ec2.NewFromConfig(sess.In("us-east-1")).DescribeVpcs(context.Background(), &ec2.DescribeVpcsInput{}); err != nil {
		t.Fatalf("throttled call not retried to success: %v", err)
	}
	if got := sess.Calls.Snapshot()["ec2:DescribeVpcs"]; got != 4 {
		t.Fatalf("counted %d DescribeVpcs attempts, want 4 (3 throttled + 1)", got)
	}
	if got := fp.Hits()["ec2:DescribeVpcs"]; got != 4 {
		t.Fatalf("proxy saw %d DescribeVpcs requests, want 4", got)
	}
}

func TestThrottlingExhaustedIsClassifiedAndExplained_WireFake(t *testing.T) {
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	fp := srv.NewFaultProxy(t)
	fp.Add(&testbed.Fault{Match: testbed.IsAction("ec2", "DescribeVolumes", ""), Status: 503,
		Body: testbed.EC2Error("RequestLimitExceeded", "Request limit exceeded.")})
	opts := srv.Options(acct)
	opts.EndpointURL = fp.URL
	opts.MaxAttempts = 3
	opts.MaxBackoff = 10 * time.Millisecond
	sess, err := awsclient.Connect(context.Background(), opts, "aws", "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = ec2.NewFromConfig(sess.In("eu-west-1")).DescribeVolumes(context.Background(), &ec2.DescribeVolumesInput{})
	if err == nil {
		t.Fatal("always-throttled call succeeded")
	}
	if awsclient.Classify(err) != awsclient.ClassRetryable {
		t.Fatalf("class %v for %v", awsclient.Classify(err), err)
	}
	perm, region, reason := awsclient.Describe(&awsclient.RegionError{Region: "eu-west-1", Err: err})
	if perm != "ec2:DescribeVolumes" || region != "eu-west-1" || reason != "throttled or unavailable after all retries (RequestLimitExceeded) in eu-west-1" {
		t.Fatalf("Describe = %q %q %q", perm, region, reason)
	}
	if got := sess.Calls.Snapshot()["ec2:DescribeVolumes"]; got != 3 {
		t.Fatalf("%d attempts, want 3", got)
	}
}

func TestPermissionErrorsNameTheIAMAction_WireFake(t *testing.T) {
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	fp := srv.NewFaultProxy(t)
	fp.Add(&testbed.Fault{Match: testbed.IsAction("ec2", "DescribeInstances", ""), Status: 403,
		Body: testbed.EC2Error("UnauthorizedOperation", "You are not authorized to perform this operation.")})
	fp.Add(&testbed.Fault{Match: func(r *http.Request, b []byte) bool {
		return testbed.Service(r) == "s3" && r.Method == "GET" && r.URL.Path == "/"
	},
		Status: 403, Body: testbed.S3Error("AccessDenied", "Access Denied")})
	opts := srv.Options(acct)
	opts.EndpointURL = fp.URL
	sess, err := awsclient.Connect(context.Background(), opts, "aws", "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = ec2.NewFromConfig(sess.In("us-east-1")).DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{})
	if awsclient.Classify(err) != awsclient.ClassPermission || awsclient.Permission(err) != "ec2:DescribeInstances" {
		t.Fatalf("ec2: class %v permission %q (%v)", awsclient.Classify(err), awsclient.Permission(err), err)
	}
	_, err = s3.NewFromConfig(sess.Config, sess.S3Options).ListBuckets(context.Background(), &s3.ListBucketsInput{})
	if awsclient.Classify(err) != awsclient.ClassPermission || awsclient.Permission(err) != "s3:ListAllMyBuckets" {
		t.Fatalf("s3: class %v permission %q (%v)", awsclient.Classify(err), awsclient.Permission(err), err)
	}
	_, _, reason := awsclient.Describe(err)
	if !strings.HasPrefix(reason, "access denied (AccessDenied)") {
		t.Fatalf("reason %q", reason)
	}
}

func TestForEachRegionIsolatesFailures(t *testing.T) {
	errs := awsclient.ForEachRegion(context.Background(), []string{"a", "b", "c"}, func(ctx context.Context, r string) error {
		if r == "b" {
			return errors.New("boom")
		}
		return nil
	})
	var re *awsclient.RegionError
	if len(errs) != 1 || !errors.As(errs[0], &re) || re.Region != "b" {
		t.Fatalf("errs %v", errs)
	}
}

// Role credentials are cached, and renewed once they come within the refresh
// window of their expiry (here: a window longer than the one-hour session,
// so every use renews them).
func TestRoleCredentialsCachedAndRefreshed(t *testing.T) {
	srv := testbed.Server(t)
	ctx := context.Background()
	opts := srv.Options(testbed.NewAccountID(t))
	sess, err := awsclient.Connect(ctx, opts, "aws", "")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := sess.Config.Credentials.Retrieve(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := sess.Calls.Snapshot()["sts:AssumeRole"]; n != 1 {
		t.Fatalf("cached credentials: %d AssumeRole calls, want 1", n)
	}
	opts.RefreshWindow = 2 * time.Hour
	sess, err = awsclient.Connect(ctx, opts, "aws", "")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := sess.Config.Credentials.Retrieve(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := sess.Calls.Snapshot()["sts:AssumeRole"]; n != 4 {
		t.Fatalf("near-expiry credentials: %d AssumeRole calls, want 4 (connect, its identity check, 2 renewals)", n)
	}
}
