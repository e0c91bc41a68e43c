// Package settings is the one reader of the service's configuration: where
// the graph goes (PostgreSQL, SQLite, graph files, JupiterOne) and which AWS
// endpoint serves the calls. The CLI, the queue worker and the Lambda
// function all read it here, from flags first, then the environment, so the
// three transports are configured the same way.
package settings

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strconv"
)

// The environment variables, one per setting.
const (
	EnvPostgresDSN  = "AWSGRAPH_POSTGRES_DSN"
	EnvDB           = "AWSGRAPH_DB"
	EnvOutput       = "AWSGRAPH_OUTPUT"
	EnvEndpointURL  = "AWSGRAPH_ENDPOINT_URL"
	EnvQueueURL     = "AWSGRAPH_QUEUE_URL"
	EnvConcurrency  = "AWSGRAPH_CONCURRENCY"
	EnvJ1APIKey     = "JUPITERONE_API_KEY"
	EnvJ1Account    = "JUPITERONE_ACCOUNT"
	EnvJ1APIBaseURL = "JUPITERONE_API_BASE_URL"
)

// Settings configure where a run's graph goes and how AWS is reached. Zero
// fields are unset.
type Settings struct {
	// PostgresDSN is a shared store; it may hold a password and is never
	// logged.
	PostgresDSN string
	// DBPath is a local SQLite store (ignored when PostgresDSN is set).
	DBPath string
	// OutputDir receives the JupiterOne graph files.
	OutputDir string
	// EndpointURL sends every AWS call, SQS included, to one endpoint (an
	// emulator).
	EndpointURL string
	// QueueURL is the SQS queue of instance events.
	QueueURL string
	// Concurrency bounds the instances one process runs at once.
	Concurrency int
	JupiterOne  JupiterOne
}

// JupiterOne are the credentials of an upload to JupiterOne's
// synchronization API; the API key is never logged.
type JupiterOne struct {
	APIKey, Account, BaseURL string
}

// Enabled reports whether both the key and the account are set: only then
// is a run uploaded.
func (j JupiterOne) Enabled() bool { return j.APIKey != "" && j.Account != "" }

// Missing names the unset credentials, for an error message.
func (j JupiterOne) Missing() []string {
	var m []string
	if j.APIKey == "" {
		m = append(m, EnvJ1APIKey)
	}
	if j.Account == "" {
		m = append(m, EnvJ1Account)
	}
	return m
}

// FromEnv reads every setting from the environment (getenv is os.Getenv
// outside tests). A malformed number is an error naming the variable.
func FromEnv(getenv func(string) string) (Settings, error) {
	s := Settings{
		PostgresDSN: getenv(EnvPostgresDSN),
		DBPath:      getenv(EnvDB),
		OutputDir:   getenv(EnvOutput),
		EndpointURL: getenv(EnvEndpointURL),
		QueueURL:    getenv(EnvQueueURL),
		JupiterOne: JupiterOne{
			APIKey: getenv(EnvJ1APIKey), Account: getenv(EnvJ1Account), BaseURL: getenv(EnvJ1APIBaseURL),
		},
	}
	if v := getenv(EnvConcurrency); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return s, fmt.Errorf("%s=%q: want a whole number of at least 1", EnvConcurrency, v)
		}
		s.Concurrency = n
	}
	return s, nil
}

// Over returns s with every field that flags sets replacing the
// environment's: flags win, the environment fills the rest.
func (flags Settings) Over(env Settings) Settings {
	out := env
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&out.PostgresDSN, flags.PostgresDSN)
	set(&out.DBPath, flags.DBPath)
	set(&out.OutputDir, flags.OutputDir)
	set(&out.EndpointURL, flags.EndpointURL)
	set(&out.QueueURL, flags.QueueURL)
	set(&out.JupiterOne.APIKey, flags.JupiterOne.APIKey)
	set(&out.JupiterOne.Account, flags.JupiterOne.Account)
	set(&out.JupiterOne.BaseURL, flags.JupiterOne.BaseURL)
	if flags.Concurrency != 0 {
		out.Concurrency = flags.Concurrency
	}
	return out
}

// ErrNoQueue is the error of a worker started without a queue.
var ErrNoQueue = errors.New("no queue: give --queue-url or set " + EnvQueueURL)

// CheckWorker validates the settings a queue worker needs: a queue, and at
// most one store named by flags (the caller passes whether --db and
// --postgres-dsn were both given).
func (s Settings) CheckWorker(bothStoreFlags bool) error {
	if s.QueueURL == "" {
		return ErrNoQueue
	}
	if bothStoreFlags {
		return errors.New("--postgres-dsn and --db name two stores; give one (a shared PostgreSQL for many workers, SQLite for one)")
	}
	if s.Concurrency < 0 {
		return fmt.Errorf("--concurrency %d: want at least 1", s.Concurrency)
	}
	return nil
}

// Store describes the configured store for logs, without the DSN.
func (s Settings) Store() string {
	switch {
	case s.PostgresDSN != "":
		return "postgresql"
	case s.DBPath != "":
		return "sqlite:" + s.DBPath
	}
	return "none"
}

// LogValue keeps secrets out of logs: the DSN and the API key are only
// said to be set.
func (s Settings) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("store", s.Store()),
		slog.String("output", s.OutputDir),
		slog.String("endpointUrl", s.EndpointURL),
		slog.String("queueUrl", s.QueueURL),
		slog.Int("concurrency", s.Concurrency),
		slog.Bool("jupiterOneUpload", s.JupiterOne.Enabled()),
	)
}

// String is LogValue's text, so that fmt never prints a secret either.
func (s Settings) String() string { return s.LogValue().String() }

// GoString is String, for %#v.
func (s Settings) GoString() string { return s.String() }

var sqsHost = regexp.MustCompile(`^https://sqs[.-]([a-z0-9-]+)\.amazonaws\.com`)

// QueueRegion is the region of an SQS queue URL when the environment names
// none (AWS_REGION, AWS_DEFAULT_REGION), else "" (the SDK's own resolution;
// also for another host, such as an emulator).
func QueueRegion(url string) string {
	if os.Getenv("AWS_REGION") != "" || os.Getenv("AWS_DEFAULT_REGION") != "" {
		return ""
	}
	if m := sqsHost.FindStringSubmatch(url); m != nil {
		return m[1]
	}
	return ""
}
