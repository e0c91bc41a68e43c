// Package awsclient builds the AWS SDK configuration a collection runs with:
// base credentials from the SDK's own chain, AssumeRole with the external id
// and a refreshing credentials cache, an optional endpoint override (for an
// emulator such as moto), the retry policy and the API-call counter.
package awsclient

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"

	"github.com/awsgraph/awsgraph/internal/instance"
)

// Options configures Connect.
type Options struct {
	RoleArn     string
	ExternalID  string
	SessionName string
	// EndpointURL points every client at one endpoint (an emulator). Empty
	// means the SDK's own resolution, which also honours AWS_ENDPOINT_URL.
	EndpointURL string
	// Region is the region of the global calls (STS, IAM, S3 listing). Empty
	// means AWS_REGION, else the partition's default.
	Region string
	// MaxAttempts per call including the first; default 10 (3 against an
	// endpoint override).
	MaxAttempts int
	// MaxBackoff caps the delay between attempts; default 20s.
	MaxBackoff time.Duration
	// RefreshWindow is how long before expiry the role credentials are
	// renewed; default 5 minutes.
	RefreshWindow time.Duration
	// BaseCredentials overrides the SDK credential chain that calls STS.
	// Against an endpoint override with no credentials configured anywhere,
	// static placeholder keys are used (emulators accept any).
	BaseCredentials aws.CredentialsProvider
	// ExtraAPIOptions are appended to every client's middleware stack.
	ExtraAPIOptions []func(*middleware.Stack) error
	// Timeouts bound each HTTP attempt; zero fields take the defaults.
	Timeouts Timeouts
	// RateLimit paces this session's requests with buckets of its own (zero:
	// no pacing beyond the retry backoff).
	RateLimit RateLimit
	// Adaptive tunes the session's adaptive concurrency bound (zero fields:
	// DefaultAdaptive). Under an endpoint override every service counts as
	// one server unless Scope says otherwise.
	Adaptive AdaptiveConfig
}

// Timeouts bound every AWS call's attempts, so one stalled connection fails
// (and is retried) instead of stalling the run.
type Timeouts struct {
	Connect        time.Duration // TCP connect; default 10s
	TLSHandshake   time.Duration // default 10s
	ResponseHeader time.Duration // from request sent to first response byte; default 60s
	Request        time.Duration // one whole attempt, body included; default 5m
}

// DefaultTimeouts are the timeouts used where none are given.
var DefaultTimeouts = Timeouts{Connect: 10 * time.Second, TLSHandshake: 10 * time.Second,
	ResponseHeader: 60 * time.Second, Request: 5 * time.Minute}

func (t Timeouts) withDefaults() Timeouts {
	d := DefaultTimeouts
	return Timeouts{Connect: cmp.Or(t.Connect, d.Connect), TLSHandshake: cmp.Or(t.TLSHandshake, d.TLSHandshake),
		ResponseHeader: cmp.Or(t.ResponseHeader, d.ResponseHeader), Request: cmp.Or(t.Request, d.Request)}
}

// httpClient is the SDK's own buildable client with the timeouts set.
func (t Timeouts) httpClient() *awshttp.BuildableClient {
	t = t.withDefaults()
	return awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = t.Connect }).
		WithTransportOptions(func(tr *http.Transport) {
			tr.TLSHandshakeTimeout = t.TLSHandshake
			tr.ResponseHeaderTimeout = t.ResponseHeader
		}).
		WithTimeout(t.Request)
}

// Session is an authenticated view of one account.
type Session struct {
	Config    aws.Config // assumed-role credentials, base region
	AccountID string
	Partition string
	RoleArn   string
	Calls     *CallCounter
	// Limiter is the session's own rate limiter (nil: no pacing).
	Limiter *Limiter
	// Adaptive bounds the session's requests in flight per server; fan-outs
	// start Adaptive.Width() workers and let it decide (nil: a fixed width).
	Adaptive *Adaptive
	// PathStyle is true when an endpoint override is in force: S3 virtual-host
	// addressing does not work against an emulator on a loopback address.
	PathStyle bool
	// Regions are the regions this run collects.
	Regions []string
	// ServiceControlPolicies restricting the account's principals, as the
	// instance event carries them (organization discovery); nil: unknown to
	// this run, none evaluated.
	ServiceControlPolicies *instance.SCPs
}

// AccountMismatchError reports an assumed account other than the configured accountId.
type AccountMismatchError struct{ Want, Got string }

func (e *AccountMismatchError) Error() string {
	return fmt.Sprintf("CONFIG_VALIDATION_ERROR: accountId: configured %s but role belongs to account %s", e.Want, e.Got)
}

// ExitStatus is the CLI's exit status for a configuration failure.
func (e *AccountMismatchError) ExitStatus() int { return 2 }

func shortCause(err error) string {
	if code := ErrorCode(err); code != "" {
		return "STS answered " + code
	}
	var opErr interface{ Unwrap() error }
	for errors.As(err, &opErr) {
		inner := opErr.Unwrap()
		if inner == nil {
			break
		}
		err = inner
	}
	return err.Error()
}

// DefaultRegion is the region used for global calls in a partition.
func DefaultRegion(partition string) string {
	switch partition {
	case "aws-us-gov":
		return "us-gov-west-1"
	case "aws-cn":
		return "cn-north-1"
	}
	return "us-east-1"
}

// Connect assumes the role and verifies the account it lands in.
func Connect(ctx context.Context, opts Options, partition, wantAccount string) (*Session, error) {
	calls := NewCallCounter()
	limiter := NewLimiter(opts.RateLimit)
	apiOptions := []func(*middleware.Stack) error{calls.Middleware()}
	if limiter != nil {
		apiOptions = append(apiOptions, limiter.Middleware())
	}
	override := opts.EndpointURL != "" || os.Getenv("AWS_ENDPOINT_URL") != ""
	adaptive := NewAdaptive(adaptiveConfig(opts.Adaptive, override))
	apiOptions = append(apiOptions, adaptive.Middleware())
	base, err := config.LoadDefaultConfig(ctx, loadOptions(&opts, override, append(apiOptions, opts.ExtraAPIOptions...))...)
	if err != nil {
		return nil, fmt.Errorf("loading AWS SDK configuration: %w", err)
	}
	if base.Region == "" {
		base.Region = DefaultRegion(partition)
	}
	assumed := assumedConfig(base, opts)
	if _, err := assumed.Credentials.Retrieve(ctx); err != nil {
		return nil, assumeRoleError(opts.RoleArn, cmp.Or(opts.EndpointURL, os.Getenv("AWS_ENDPOINT_URL")), err)
	}
	ident, err := sts.NewFromConfig(assumed).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, assumeRoleError(opts.RoleArn, cmp.Or(opts.EndpointURL, os.Getenv("AWS_ENDPOINT_URL")), err)
	}
	account := aws.ToString(ident.Account)
	if wantAccount != "" && wantAccount != account {
		return nil, &AccountMismatchError{Want: wantAccount, Got: account}
	}
	return &Session{
		Config:    assumed,
		AccountID: account,
		Partition: partition,
		RoleArn:   opts.RoleArn,
		Calls:     calls,
		Limiter:   limiter,
		Adaptive:  adaptive,
		PathStyle: opts.EndpointURL != "" || os.Getenv("AWS_ENDPOINT_URL") != "" || os.Getenv("AWS_ENDPOINT_URL_S3") != "",
	}, nil
}

// adaptiveConfig settles ScopeAuto: an emulator is one process behind one
// address for every service, so its queue, and its bound, are shared.
func adaptiveConfig(acfg AdaptiveConfig, override bool) AdaptiveConfig {
	if acfg.Scope == ScopeAuto {
		acfg.Scope = ScopeService
		if override {
			acfg.Scope = ScopeShared
		}
	}
	return acfg
}

// loadOptions are the SDK settings every client of the session shares:
// retryer, middleware, HTTP client, region, endpoint and base credentials
// (opts.BaseCredentials is set for an emulator when none are configured).
func loadOptions(opts *Options, override bool, apiOptions []func(*middleware.Stack) error) []func(*config.LoadOptions) error {
	maxAttempts, maxBackoff := opts.MaxAttempts, opts.MaxBackoff
	if override {
		// An emulator does not throttle, and answers operations it lacks
		// with HTTP 500: waiting out ten attempts there only slows the run.
		maxAttempts, maxBackoff = cmp.Or(maxAttempts, 3), cmp.Or(maxBackoff, time.Second)
	}
	maxAttempts, maxBackoff = cmp.Or(maxAttempts, 10), cmp.Or(maxBackoff, 20*time.Second)
	loadOpts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			// Standard mode: exponential backoff with full jitter, capped at
			// MaxBackoff. The client-side retry quota is off: a long collection
			// must wait out throttling, not fail fast once a local budget of
			// retries is spent (the quota is meant for latency-bound services).
			return retry.NewStandard(func(so *retry.StandardOptions) {
				so.MaxAttempts = maxAttempts
				so.MaxBackoff = maxBackoff
				so.RateLimiter = ratelimit.None
			})
		}),
		config.WithAPIOptions(apiOptions),
		config.WithHTTPClient(opts.Timeouts.httpClient()),
	}
	if opts.Region != "" {
		loadOpts = append(loadOpts, config.WithRegion(opts.Region))
	}
	if opts.EndpointURL != "" {
		loadOpts = append(loadOpts, config.WithBaseEndpoint(opts.EndpointURL))
	}
	if opts.BaseCredentials == nil && opts.EndpointURL != "" && !CredentialsConfigured() {
		// An emulator accepts any key; without one, the SDK would end its
		// credential chain at the EC2 metadata service and fail slowly.
		opts.BaseCredentials = credentials.NewStaticCredentialsProvider("awsgraph-emulator", "awsgraph-emulator", "")
	}
	if opts.BaseCredentials != nil {
		loadOpts = append(loadOpts, config.WithCredentialsProvider(opts.BaseCredentials))
	}
	return loadOpts
}

// assumedConfig is base with the role's credentials: AssumeRole with the
// external id, cached and refreshed before they expire, so runs longer than
// the session duration keep working.
func assumedConfig(base aws.Config, opts Options) aws.Config {
	sessionName := cmp.Or(opts.SessionName, "awsgraph")
	provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(base), opts.RoleArn, func(o *stscreds.AssumeRoleOptions) {
		o.ExternalID = aws.String(opts.ExternalID)
		o.RoleSessionName = sessionName
		o.Duration = time.Hour
	})
	assumed := base.Copy()
	window := opts.RefreshWindow
	if window <= 0 {
		window = 5 * time.Minute
	}
	assumed.Credentials = aws.NewCredentialsCache(provider, func(o *aws.CredentialsCacheOptions) {
		o.ExpiryWindow = window
		if opts.RefreshWindow <= 0 {
			o.ExpiryWindowJitterFrac = 0.5
		}
	})
	return assumed
}

// CredentialsConfigured reports whether the environment names any source of
// AWS credentials (keys, a profile, web identity, a container or shared
// credentials file).
func CredentialsConfigured() bool {
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"} {
		if os.Getenv(k) != "" {
			return true
		}
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return false
	}
	for _, f := range []string{".aws/credentials", ".aws/config"} {
		if _, err := os.Stat(home + "/" + f); err == nil {
			return true
		}
	}
	return false
}

// In returns the session's configuration for one region.
func (s *Session) In(region string) aws.Config {
	c := s.Config.Copy()
	c.Region = region
	return c
}

// S3Options applies path-style addressing when an endpoint override is set.
func (s *Session) S3Options(o *s3.Options) {
	if s.PathStyle {
		o.UsePathStyle = true
	}
}

// ServiceConfig is the SDK configuration of the service's own calls (SQS),
// made with the base credentials, not an instance's role: the endpoint
// override applies, and against an emulator with no credentials anywhere,
// placeholder keys are used as in Connect.
func ServiceConfig(ctx context.Context, endpointURL, region string) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	if endpointURL != "" {
		opts = append(opts, config.WithBaseEndpoint(endpointURL))
		if !CredentialsConfigured() {
			opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("awsgraph-emulator", "awsgraph-emulator", "")))
		}
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return cfg, fmt.Errorf("loading AWS SDK configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	return cfg, nil
}
