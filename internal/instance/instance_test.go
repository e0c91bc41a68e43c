package instance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
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

// A region named twice is collected once, whichever source names it.
func TestRegionsAreDeduplicated(t *testing.T) {
	if got := SplitRegions("us-east-1,us-east-1, eu-west-1,us-east-1"); fmt.Sprint(got) != "[us-east-1 eu-west-1]" {
		t.Fatalf("SplitRegions: %v", got)
	}
	ev, err := ParseEvent([]byte(`{"config":{"roleArn":"arn:aws:iam::123456789012:role/r","externalId":"abc","regions":["eu-west-1","eu-west-1"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ev.Config.Regions) != "[eu-west-1]" {
		t.Fatalf("event regions: %v", ev.Config.Regions)
	}
}

// An unknown region gets the closest known one as a suggestion.
func TestUnknownRegionSuggestsClosest(t *testing.T) {
	base := Config{RoleArn: "arn:aws:iam::123456789012:role/r", ExternalID: "abcdef"}
	cases := map[string]string{
		"us-east-9":  `"us-east-9" is not a known region of partition aws: did you mean us-east-1?`,
		"us-est-1":   "did you mean us-east-1?",
		"eu-wset-1":  "did you mean eu-west-1?",
		"US-EAST-1":  "did you mean us-east-1?",
		"cn-north-1": "it is in partition aws-cn",
		"mars-1":     "(known: af-south-1,",
	}
	for region, want := range cases {
		c := base
		c.Regions = []string{region}
		err := c.Validate()
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != "regions" || !strings.Contains(ve.Reason, want) {
			t.Errorf("%s: got %v, want reason containing %q", region, err, want)
		}
	}
	if s := SuggestRegion("xx", "aws"); s != "" {
		t.Errorf("suggestion %q for a name close to nothing", s)
	}
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// The default .env is optional and a broken one only warns; an explicitly
// given file must exist and parse. No message quotes the file's contents.
func TestEnvFileDefaultAndExplicit(t *testing.T) {
	for _, k := range []string{"ROLE_ARN", "EXTERNAL_ID", "REGIONS", "ACCOUNT_ID", "SESSION_NAME", "INTEGRATION_INSTANCE_ID"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.env")
	broken := filepath.Join(dir, "broken.env")
	writeFile(t, broken, "EXTERNAL_ID=\"secret-in-broken-file\nROLE_ARN=x\n")
	good := filepath.Join(dir, "good.env")
	writeFile(t, good, "ROLE_ARN=arn:aws:iam::123456789012:role/r\nREGIONS=us-east-1,us-east-1\n")

	if _, w, err := FromEnv(missing, false); err != nil || len(w) != 0 {
		t.Fatalf("missing default: %v %v", w, err)
	}
	if _, w, err := FromEnv(broken, false); err != nil || len(w) != 1 || !strings.Contains(w[0], broken) {
		t.Fatalf("broken default: warnings %v, err %v", w, err)
	} else if strings.Contains(w[0], "secret-in-broken-file") {
		t.Fatalf("warning quotes the file: %s", w[0])
	}
	for _, p := range []string{missing, broken, dir} {
		_, _, err := FromEnv(p, true)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != "env-file" || !strings.Contains(err.Error(), p) {
			t.Errorf("explicit %s: %v", p, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret-in-broken-file") {
			t.Errorf("error quotes the file: %v", err)
		}
	}
	cfg, w, err := FromEnv(good, true)
	if err != nil || len(w) != 0 || cfg.RoleArn != "arn:aws:iam::123456789012:role/r" || fmt.Sprint(cfg.Regions) != "[us-east-1]" {
		t.Fatalf("good file: %+v %v %v", cfg, w, err)
	}
}
