package instance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	good := Config{RoleArn: "arn:aws:iam::123456789012:role/path/to/reader", ExternalID: "ext-id_1+=,.@:/-"}
	cases := []struct {
		name   string
		mutate func(*Config)
		field  string
	}{
		{"valid with path", func(*Config) {}, ""},
		{"gov partition", func(c *Config) {
			c.RoleArn = "arn:aws-us-gov:iam::123456789012:role/r"
			c.Regions = []string{"us-gov-west-1"}
		}, ""},
		{"china partition", func(c *Config) { c.RoleArn = "arn:aws-cn:iam::123456789012:role/r"; c.Regions = []string{"cn-north-1"} }, ""},
		{"commercial region in gov partition", func(c *Config) {
			c.RoleArn = "arn:aws-us-gov:iam::123456789012:role/r"
			c.Regions = []string{"us-east-1"}
		}, "regions"},
		{"11-digit account", func(c *Config) { c.RoleArn = "arn:aws:iam::12345678901:role/r" }, "roleArn"},
		{"sts ARN", func(c *Config) { c.RoleArn = "arn:aws:sts::123456789012:assumed-role/r/s" }, "roleArn"},
		{"role name with space", func(c *Config) { c.RoleArn = "arn:aws:iam::123456789012:role/my role" }, "roleArn"},
		{"external id 2 chars", func(c *Config) { c.ExternalID = "ab" }, ""},
		{"external id 1224 chars", func(c *Config) { c.ExternalID = Secret(strings.Repeat("a", 1224)) }, ""},
		{"external id 1225 chars", func(c *Config) { c.ExternalID = Secret(strings.Repeat("a", 1225)) }, "externalId"},
		{"external id with #", func(c *Config) { c.ExternalID = "abc#" }, "externalId"},
		{"external id non-ASCII", func(c *Config) { c.ExternalID = "abcé" }, "externalId"},
		{"session name", func(c *Config) { c.SessionName = "bad name" }, "sessionName"},
		{"account id format", func(c *Config) { c.AccountID = "12345" }, "accountId"},
		{"account id matches", func(c *Config) { c.AccountID = "123456789012" }, ""},
		{"empty region entry", func(c *Config) { c.Regions = []string{"us-east-1", ""} }, "regions"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := good
			c.mutate(&cfg)
			err := cfg.Validate()
			var ve *ValidationError
			switch {
			case c.field == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case c.field != "" && (!errors.As(err, &ve) || ve.Field != c.field):
				t.Fatalf("want error on %s, got %v", c.field, err)
			}
		})
	}
}

// The external id never prints: fmt, JSON and slog all see REDACTED.
func TestSecretNeverPrints(t *testing.T) {
	c := Config{RoleArn: "arn:aws:iam::123456789012:role/r", ExternalID: "very-secret-id"}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("cfg", "config", c, "ext", c.ExternalID)
	data, _ := json.Marshal(c)
	all := fmt.Sprintf("%v %+v %#v %s", c, c, c, c.ExternalID) + string(data) + buf.String()
	if strings.Contains(all, "very-secret-id") {
		t.Fatalf("secret printed: %s", all)
	}
	if c.ExternalID.Reveal() != "very-secret-id" {
		t.Fatal("Reveal lost the value")
	}
}

func TestParseEventKeepsInstanceID(t *testing.T) {
	ev, err := ParseEvent([]byte(`{"integrationInstanceId":"i-1","config":{"roleArn":"arn:aws:iam::123456789012:role/r","externalId":"abc","regions":["us-east-1"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Config.InstanceID() != "i-1" || ev.Config.ExternalID.Reveal() != "abc" || len(ev.Config.Regions) != 1 {
		t.Fatalf("%+v", ev.Config)
	}
	if got := (Config{RoleArn: "arn:aws:iam::123456789012:role/r"}).InstanceID(); got != "arn:aws:iam::123456789012:role/r" {
		t.Fatalf("default instance id %q", got)
	}
}

func TestSplitRegions(t *testing.T) {
	if got := SplitRegions(" us-east-1, eu-west-1 ,,ap-south-1 "); fmt.Sprint(got) != "[us-east-1 eu-west-1 ap-south-1]" {
		t.Fatalf("%v", got)
	}
}
