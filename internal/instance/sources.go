package instance

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"

	"github.com/joho/godotenv"
)

// Event is the invocation event a scheduler or queue delivers (and the AWS
// Lambda handler receives).
type Event struct {
	IntegrationInstanceID string `json:"integrationInstanceId"`
	Config                Config `json:"config"`
}

// ParseEvent decodes an invocation event strictly: unknown fields and a
// missing config object are errors naming the problem.
func ParseEvent(data []byte) (*Event, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, &ValidationError{"event", "is not valid JSON: " + err.Error()}
	}
	if _, ok := raw["config"]; !ok {
		return nil, &ValidationError{"event.config", "is missing (want {\"integrationInstanceId\": ..., \"config\": {\"roleArn\": ..., \"externalId\": ...}})"}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var ev Event
	if err := dec.Decode(&ev); err != nil {
		return nil, &ValidationError{"event", err.Error()}
	}
	ev.Config.Regions = UniqueRegions(ev.Config.Regions)
	if ev.Config.IntegrationInstanceID == "" {
		ev.Config.IntegrationInstanceID = ev.IntegrationInstanceID
	}
	return &ev, nil
}

// ReadEventFile reads and parses an event file.
func ReadEventFile(path string) (*Event, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &ValidationError{"event", "cannot read " + path + ": " + err.Error()}
	}
	return ParseEvent(data)
}

// FromEnv reads the UPPER_SNAKE variables (ROLE_ARN, EXTERNAL_ID, REGIONS,
// SESSION_NAME, ACCOUNT_ID, INTEGRATION_INSTANCE_ID) from the process
// environment, falling back to the dotenv file envFile. The file never
// overrides the process environment and is not copied into it.
//
// When explicit is false envFile is only a default (./.env): it is read when
// it exists, and a file that cannot be read or parsed is ignored with a
// warning, returned in warnings, so that it cannot break a run whose
// settings all come from flags. When explicit is true (--env-file given) a
// missing or unparsable file is a *ValidationError naming it. Neither
// message quotes the file's contents: they may hold the external id.
func FromEnv(envFile string, explicit bool) (cfg Config, warnings []string, err error) {
	file := map[string]string{}
	if envFile != "" {
		m, ferr := readEnvFile(envFile)
		switch {
		case ferr == nil:
			file = m
		case explicit:
			return Config{}, nil, &ValidationError{"env-file", ferr.Error()}
		case !errors.Is(ferr, os.ErrNotExist):
			warnings = append(warnings, "ignoring the default env file: "+ferr.Error())
		}
	}
	get := func(k string) string {
		if v, ok := os.LookupEnv(k); ok {
			return v
		}
		return file[k]
	}
	cfg = Config{
		IntegrationInstanceID: get("INTEGRATION_INSTANCE_ID"),
		RoleArn:               get("ROLE_ARN"),
		ExternalID:            Secret(get("EXTERNAL_ID")),
		SessionName:           get("SESSION_NAME"),
		AccountID:             get("ACCOUNT_ID"),
		Regions:               SplitRegions(get("REGIONS")),
	}
	return cfg, warnings, nil
}

// envFileError is a dotenv file that cannot be used. It wraps the cause for
// errors.Is, but its text never includes the parser's message, which quotes
// the file's contents.
type envFileError struct {
	path, why string
	err       error
}

func (e *envFileError) Error() string { return e.path + ": " + e.why }
func (e *envFileError) Unwrap() error { return e.err }

func readEnvFile(path string) (map[string]string, error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, &envFileError{path, "does not exist", err}
	case err != nil:
		return nil, &envFileError{path, "cannot be read", err}
	case st.IsDir():
		return nil, &envFileError{path, "is a directory, not a dotenv file", nil}
	}
	m, err := godotenv.Read(path)
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			return nil, &envFileError{path, "cannot be read (permission denied)", err}
		}
		return nil, &envFileError{path, "is not a valid dotenv file (want KEY=VALUE lines; contents not shown, they may hold secrets)", err}
	}
	return m, nil
}

// SplitRegions parses "us-east-1, eu-west-1" (commas or spaces); a region
// named twice is kept once, in the order first given.
func SplitRegions(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, strings.TrimSpace(f))
	}
	return UniqueRegions(out)
}

// UniqueRegions returns regions without repeats, in the order first given
// (so us-east-1,us-east-1 is collected once).
func UniqueRegions(regions []string) []string {
	if regions == nil {
		return nil
	}
	out := make([]string, 0, len(regions))
	seen := map[string]bool{}
	for _, r := range regions {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// Merge returns base with every non-empty field of over applied on top.
func Merge(base, over Config) Config {
	if over.IntegrationInstanceID != "" {
		base.IntegrationInstanceID = over.IntegrationInstanceID
	}
	if over.RoleArn != "" {
		base.RoleArn = over.RoleArn
	}
	if over.ExternalID != "" {
		base.ExternalID = over.ExternalID
	}
	if len(over.Regions) > 0 {
		base.Regions = over.Regions
	}
	if over.SessionName != "" {
		base.SessionName = over.SessionName
	}
	if over.AccountID != "" {
		base.AccountID = over.AccountID
	}
	if over.ServiceControlPolicies != nil {
		base.ServiceControlPolicies = over.ServiceControlPolicies
	}
	return base
}
