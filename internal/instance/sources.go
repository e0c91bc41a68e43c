package instance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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
// environment, falling back to a .env file when envFile exists. The .env file
// never overrides the process environment and is not copied into it.
func FromEnv(envFile string) (Config, error) {
	file := map[string]string{}
	if envFile != "" {
		if _, err := os.Stat(envFile); err == nil {
			m, err := godotenv.Read(envFile)
			if err != nil {
				return Config{}, &ValidationError{".env", fmt.Sprintf("cannot parse %s: %v", envFile, err)}
			}
			file = m
		} else if !errors.Is(err, os.ErrNotExist) {
			return Config{}, &ValidationError{".env", err.Error()}
		}
	}
	get := func(k string) string {
		if v, ok := os.LookupEnv(k); ok {
			return v
		}
		return file[k]
	}
	c := Config{
		IntegrationInstanceID: get("INTEGRATION_INSTANCE_ID"),
		RoleArn:               get("ROLE_ARN"),
		ExternalID:            Secret(get("EXTERNAL_ID")),
		SessionName:           get("SESSION_NAME"),
		AccountID:             get("ACCOUNT_ID"),
		Regions:               SplitRegions(get("REGIONS")),
	}
	return c, nil
}

// SplitRegions parses "us-east-1, eu-west-1" (commas or spaces).
func SplitRegions(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, strings.TrimSpace(f))
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
	return base
}
