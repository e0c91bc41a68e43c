// Package testbed runs the integration tests' AWS: a moto_server on a free
// loopback port, seeding clients that write into one moto account per test,
// and the collector's own session reading that account back through
// AssumeRole, exactly as the product does.
package testbed

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/awsgraph/awsgraph/internal/awsclient"
)

// Moto is a running moto_server.
type Moto struct {
	URL string
	cmd *exec.Cmd
}

var (
	server   *Moto
	startErr error
)

var runningOn = regexp.MustCompile(`Running on (http://127\.0\.0\.1:\d+)`)

// Start launches moto_server (MOTO_SERVER overrides the binary) on a free
// loopback port and waits until it answers.
func Start(extraEnv ...string) (*Moto, error) {
	bin := os.Getenv("MOTO_SERVER")
	if bin == "" {
		p, err := exec.LookPath("moto_server")
		if err != nil {
			return nil, fmt.Errorf("moto_server not found on PATH (install moto[server] 5.2): %w", err)
		}
		bin = p
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", "0")
	cmd.Env = append(append(os.Environ(), "MOTO_IAM_LOAD_MANAGED_POLICIES=true"), extraEnv...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout = nil
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting moto_server: %w", err)
	}
	urlCh := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			if m := runningOn.FindStringSubmatch(sc.Text()); m != nil && !sent {
				urlCh <- m[1]
				sent = true
			}
		}
	}()
	var url string
	select {
	case url = <-urlCh:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("moto_server did not report its port within 30s")
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Post(url+"/moto-api/reset", "text/plain", nil)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			return nil, fmt.Errorf("moto_server at %s not ready: %v", url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return &Moto{URL: url, cmd: cmd}, nil
}

// StartPrivate starts a server of the test's own (for settings that are
// process-global in moto, such as its IAM access control) and stops it when
// the test ends.
func StartPrivate(t testing.TB, extraEnv ...string) *Moto {
	t.Helper()
	Server(t) // same skip/fail rule as the shared server
	m, err := Start(extraEnv...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Stop)
	return m
}

// EnableAuth turns on moto's IAM access control: from now on only keys of
// IAM users created in moto are accepted, and AssumeRole checks the trust
// policy's principal and sts:ExternalId (StringEquals) condition.
func (m *Moto) EnableAuth(t testing.TB) {
	t.Helper()
	resp, err := http.Post(m.URL+"/moto-api/reset-auth", "text/plain", strings.NewReader("0"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("reset-auth: HTTP %d", resp.StatusCode)
	}
}

// Stop ends the server.
func (m *Moto) Stop() {
	if m != nil && m.cmd != nil && m.cmd.Process != nil {
		_ = m.cmd.Process.Kill()
		_ = m.cmd.Wait()
	}
}

// Main is a TestMain body: it starts one moto_server for the package, runs
// the tests and stops it.
func Main(m *testing.M) int {
	server, startErr = Start()
	code := m.Run()
	server.Stop()
	removeBinary()
	return code
}

// Server returns the package's moto server. Without one the test is skipped
// locally but fails under CI=true: CI must never pass by skipping.
func Server(t testing.TB) *Moto {
	t.Helper()
	if server == nil {
		if startErr == nil {
			startErr = fmt.Errorf("testbed.Main was not called from TestMain")
		}
		if os.Getenv("CI") == "true" {
			t.Fatalf("moto_server unavailable under CI: %v", startErr)
		}
		t.Skipf("moto_server unavailable: %v", startErr)
	}
	return server
}

// NewAccountID returns a random 12-digit account id, so each test owns a
// fresh, isolated moto account and tests can run in parallel.
func NewAccountID(t testing.TB) string {
	n, err := rand.Int(rand.Reader, big.NewInt(8_999_999_999))
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%012d", 100_000_000_000+n.Int64())
}

// RoleArn is the role the collector assumes in a test account.
func RoleArn(account string) string { return "arn:aws:iam::" + account + ":role/awsgraph-reader" }

// ExternalID is the external id tests use.
const ExternalID = "awsgraph-test-external-id"

// SeedConfig returns an SDK configuration that writes into the given moto
// account (x-moto-account-id) in the given region, with one attempt per call.
func (m *Moto) SeedConfig(t testing.TB, account, region string) aws.Config {
	t.Helper()
	cfg, err := SeedConfigFor(m.URL, account, region)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// SeedConfigFor is SeedConfig outside tests (the quick start's demo seeder).
func SeedConfigFor(endpoint, account, region string) (aws.Config, error) {
	return config.LoadDefaultConfig(context.Background(),
		config.WithRegion(region),
		config.WithBaseEndpoint(endpoint),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("seedkey", "seedsecret", "")),
		config.WithRetryMaxAttempts(1),
		config.WithAPIOptions([]func(*middleware.Stack) error{accountHeader(account)}),
	)
}

func accountHeader(account string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Build.Add(middleware.BuildMiddlewareFunc("motoAccount",
			func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
				if req, ok := in.Request.(*smithyhttp.Request); ok {
					req.Header.Set("x-moto-account-id", account)
				}
				return next.HandleBuild(ctx, in)
			}), middleware.After)
	}
}

// Options returns the collector's connection options for a test account:
// the product path (AssumeRole with the external id into that account).
func (m *Moto) Options(account string) awsclient.Options {
	return awsclient.Options{
		RoleArn:         RoleArn(account),
		ExternalID:      ExternalID,
		EndpointURL:     m.URL,
		Region:          "us-east-1",
		MaxAttempts:     2,
		MaxBackoff:      50 * time.Millisecond,
		BaseCredentials: credentials.NewStaticCredentialsProvider("collectorkey", "collectorsecret", ""),
	}
}

// Session connects the collector to a test account.
func (m *Moto) Session(t testing.TB, account string) *awsclient.Session {
	t.Helper()
	s, err := awsclient.Connect(context.Background(), m.Options(account), "aws", "")
	if err != nil {
		t.Fatal(err)
	}
	if s.AccountID != account {
		t.Fatalf("assumed account %s, want %s", s.AccountID, account)
	}
	return s
}

// CI reports whether the tests run under CI.
func CI() bool { return strings.EqualFold(os.Getenv("CI"), "true") }

// PID is the moto_server's process id (benchmarks read its CPU time).
func (m *Moto) PID() int {
	if m == nil || m.cmd == nil || m.cmd.Process == nil {
		return 0
	}
	return m.cmd.Process.Pid
}
