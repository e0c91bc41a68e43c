package awsclient_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/configservice"
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

// AssumeRole failures are told apart by STS's error code: throttling is a
// retryable API error with no trust-policy hint; invalid or expired base
// credentials point at the credentials awsgraph runs with; AccessDenied at
// the trust policy and external id.
func TestAssumeRoleErrorClassesAndHints_WireFake(t *testing.T) {
	srv := testbed.Server(t)
	const trustHint = "trust policy does not trust the calling principal"
	cases := []struct {
		code, msg string
		status    int
		auth      bool // *AuthError (exit 2) rather than *ConnectError
		hint      string
	}{
		{"Throttling", "Rate exceeded", 400, false, "AWS throttled sts:AssumeRole; retry later"},
		{"RequestLimitExceeded", "Rate exceeded", 503, false, "AWS throttled sts:AssumeRole; retry later"},
		{"InvalidClientTokenId", "The security token included in the request is invalid.", 403, true, "the credentials awsgraph itself runs with"},
		{"SignatureDoesNotMatch", "The request signature we calculated does not match", 403, true, "the credentials awsgraph itself runs with"},
		{"ExpiredToken", "The security token included in the request is expired", 400, true, "the credentials awsgraph itself runs with"},
		{"UnrecognizedClientException", "The security token included in the request is invalid.", 400, true, "the credentials awsgraph itself runs with"},
		{"AccessDenied", "User is not authorized to perform: sts:AssumeRole", 403, true, trustHint},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			fp := srv.NewFaultProxy(t)
			fp.Add(&testbed.Fault{Match: testbed.IsAction("sts", "AssumeRole", ""), Status: c.status, Body: testbed.AWSQueryError(c.code, c.msg)})
			opts := srv.Options(testbed.NewAccountID(t))
			opts.EndpointURL = fp.URL
			opts.MaxAttempts = 2
			opts.MaxBackoff = 10 * time.Millisecond
			_, err := awsclient.Connect(context.Background(), opts, "aws", "")
			var ae *awsclient.AuthError
			var ce *awsclient.ConnectError
			switch {
			case err == nil:
				t.Fatal("AssumeRole succeeded")
			case c.auth && !errors.As(err, &ae):
				t.Fatalf("want *AuthError, got %T %v", err, err)
			case !c.auth && (errors.As(err, &ae) || !errors.As(err, &ce)):
				t.Fatalf("want *ConnectError and no *AuthError, got %T %v", err, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, c.hint) || !strings.Contains(msg, "STS answered "+c.code) {
				t.Fatalf("message %q lacks %q", msg, c.hint)
			}
			if c.auth != strings.Contains(msg, "PROVIDER_AUTHENTICATION_ERROR") {
				t.Fatalf("message %q: PROVIDER_AUTHENTICATION_ERROR only for authentication failures", msg)
			}
			if c.hint != trustHint && strings.Contains(msg, "trust policy does not trust") {
				t.Fatalf("message %q blames the trust policy", msg)
			}
			if strings.Contains(msg, testbed.ExternalID) {
				t.Fatal("external id printed")
			}
		})
	}
}

// An endpoint nobody listens on is named in the error, which is not an
// authentication failure.
func TestUnreachableEndpointIsNamed(t *testing.T) {
	srv := testbed.Server(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	opts := srv.Options(testbed.NewAccountID(t))
	opts.EndpointURL = closed
	opts.MaxAttempts = 2
	opts.MaxBackoff = 10 * time.Millisecond
	_, err = awsclient.Connect(context.Background(), opts, "aws", "")
	var ce *awsclient.ConnectError
	var ae *awsclient.AuthError
	if !errors.As(err, &ce) || errors.As(err, &ae) {
		t.Fatalf("want *ConnectError, got %T %v", err, err)
	}
	if ce.Endpoint != closed || !strings.Contains(err.Error(), "the endpoint "+closed+" could not be reached") {
		t.Fatalf("endpoint not named: %v (endpoint %q)", err, ce.Endpoint)
	}
}

// An emulator that lacks an operation answers HTTP 500 with an HTML page:
// reported as an operation the endpoint does not implement, not as a parse
// error.
func TestEmulatorMissingOperationIsExplained_WireFake(t *testing.T) {
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	fp := srv.NewFaultProxy(t)
	fp.Add(&testbed.Fault{Match: func(r *http.Request, _ []byte) bool {
		return strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".DescribeComplianceByConfigRule")
	}, Status: 500, ContentType: "text/html", Body: "<!doctype html><html><title>500 Internal Server Error</title></html>"})
	opts := srv.Options(acct)
	opts.EndpointURL = fp.URL
	opts.MaxBackoff = 10 * time.Millisecond
	sess, err := awsclient.Connect(context.Background(), opts, "aws", "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = configservice.NewFromConfig(sess.In("us-east-1")).DescribeComplianceByConfigRule(context.Background(), &configservice.DescribeComplianceByConfigRuleInput{})
	if err == nil {
		t.Fatal("call succeeded")
	}
	if !awsclient.NotImplemented(err) {
		t.Fatalf("not recognised as a missing operation: %v", err)
	}
	perm, _, reason := awsclient.Describe(&awsclient.RegionError{Region: "us-east-1", Err: err})
	if perm != "config:DescribeComplianceByConfigRule" || reason != "the endpoint does not implement config:DescribeComplianceByConfigRule (emulator?) in us-east-1" {
		t.Fatalf("Describe = %q %q", perm, reason)
	}
	// A real AWS error with status 500 (a parsable body) stays a retryable error.
	fp.Clear()
	fp.Add(&testbed.Fault{Match: testbed.IsAction("ec2", "DescribeVpcs", ""), Status: 500, Body: testbed.EC2Error("InternalError", "An internal error has occurred")})
	_, err = ec2.NewFromConfig(sess.In("us-east-1")).DescribeVpcs(context.Background(), &ec2.DescribeVpcsInput{})
	if awsclient.NotImplemented(err) || awsclient.Classify(err) != awsclient.ClassRetryable {
		t.Fatalf("InternalError: not implemented %v, class %v", awsclient.NotImplemented(err), awsclient.Classify(err))
	}
}
