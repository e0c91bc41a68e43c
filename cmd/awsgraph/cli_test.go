package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsgraph/awsgraph/internal/testbed"
)

func TestMain(m *testing.M) { os.Exit(testbed.PostgresMain(m, testbed.Main)) }

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Execute(args, &out, &errb)
	return code, out.String(), errb.String()
}

// isolateEnv keeps the developer's own AWS and .env settings out of a test.
func isolateEnv(t *testing.T) string {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, k := range []string{"ROLE_ARN", "EXTERNAL_ID", "REGIONS", "ACCOUNT_ID", "SESSION_NAME", "INTEGRATION_INSTANCE_ID",
		"AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_SESSION_TOKEN", "AWSGRAPH_POSTGRES_DSN"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "testkey")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testsecret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return dir
}

const goodRole = "arn:aws:iam::123456789012:role/awsgraph-reader"

// Every bad input is a CONFIG_VALIDATION_ERROR naming the field, exit 2, and
// no request reaches AWS (the endpoint counts requests).
func TestBadInputIsConfigValidationErrorWithoutAWSCalls(t *testing.T) {
	dir := isolateEnv(t)
	var hits atomic.Int32
	aws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1); w.WriteHeader(500) }))
	defer aws.Close()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	notJSON := write("notjson.json", `{"config": {"roleArn": `)
	noConfig := write("noconfig.json", `{"integrationInstanceId": "abc"}`)
	noRole := write("norole.json", `{"integrationInstanceId": "abc", "config": {"externalId": "abcdef"}}`)
	unknownField := write("unknown.json", `{"config": {"roleArn": "`+goodRole+`", "externalId": "abcdef", "region": "us-east-1"}}`)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"malformed role ARN", []string{"--role-arn", "arn:aws:iam::123:role/x", "--external-id", "abcdef"}, `CONFIG_VALIDATION_ERROR: roleArn: "arn:aws:iam::123:role/x" is not an IAM role ARN`},
		{"user ARN instead of role", []string{"--role-arn", "arn:aws:iam::123456789012:user/bob", "--external-id", "abcdef"}, "CONFIG_VALIDATION_ERROR: roleArn:"},
		{"unknown partition", []string{"--role-arn", "arn:aws-xx:iam::123456789012:role/r", "--external-id", "abcdef"}, "CONFIG_VALIDATION_ERROR: roleArn:"},
		{"missing role ARN", []string{"--external-id", "abcdef"}, "CONFIG_VALIDATION_ERROR: roleArn: is required"},
		{"missing external id", []string{"--role-arn", goodRole}, "CONFIG_VALIDATION_ERROR: externalId: is required"},
		{"external id too short", []string{"--role-arn", goodRole, "--external-id", "a"}, "CONFIG_VALIDATION_ERROR: externalId: must be 2 to 1224 characters long (got 1)"},
		{"external id too long", []string{"--role-arn", goodRole, "--external-id", strings.Repeat("x", 1225)}, "CONFIG_VALIDATION_ERROR: externalId: must be 2 to 1224 characters long (got 1225)"},
		{"external id bad character", []string{"--role-arn", goodRole, "--external-id", "abc def"}, `CONFIG_VALIDATION_ERROR: externalId: contains ' ' at position 3`},
		{"unknown region", []string{"--role-arn", goodRole, "--external-id", "abcdef", "--regions", "us-east-1,us-east-9"}, `CONFIG_VALIDATION_ERROR: regions: "us-east-9" is not a known region of partition aws: did you mean us-east-1?`},
		{"region of another partition", []string{"--role-arn", goodRole, "--external-id", "abcdef", "--regions", "cn-north-1"}, `CONFIG_VALIDATION_ERROR: regions: "cn-north-1" is not a known region of partition aws`},
		{"account id mismatch", []string{"--role-arn", goodRole, "--external-id", "abcdef", "--account-id", "999999999999"}, "CONFIG_VALIDATION_ERROR: accountId: 999999999999 does not match the account 123456789012 of roleArn"},
		{"event not JSON", []string{"--event", notJSON}, "CONFIG_VALIDATION_ERROR: event: is not valid JSON"},
		{"event without config", []string{"--event", noConfig}, "CONFIG_VALIDATION_ERROR: event.config: is missing"},
		{"event without roleArn", []string{"--event", noRole}, "CONFIG_VALIDATION_ERROR: roleArn: is required"},
		{"event with unknown field", []string{"--event", unknownField}, `CONFIG_VALIDATION_ERROR: event: json: unknown field "region"`},
		{"event file missing", []string{"--event", filepath.Join(dir, "nope.json")}, "CONFIG_VALIDATION_ERROR: event: cannot read"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"collect", "--endpoint-url", aws.URL, "--output", filepath.Join(dir, "out"), "--db", filepath.Join(dir, "g.db")}, c.args...)
			code, _, stderr := run(t, args...)
			if code != 2 {
				t.Errorf("exit %d, want 2 (stderr %q)", code, stderr)
			}
			if !strings.Contains(stderr, c.want) {
				t.Errorf("stderr %q does not contain %q", stderr, c.want)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("%d requests reached AWS during validation failures", n)
	}
}

func TestConfigFromEnvFileAndEventPrecedence(t *testing.T) {
	dir := isolateEnv(t)
	// .env supplies a bad region; the event's region wins; the flag's role wins over both.
	os.WriteFile(filepath.Join(dir, ".env"), []byte("ROLE_ARN=arn:aws:iam::123456789012:role/from-env\nEXTERNAL_ID=from-env-id\nREGIONS=us-east-9\n"), 0o600)
	ev := filepath.Join(dir, "ev.json")
	os.WriteFile(ev, []byte(`{"integrationInstanceId":"inst-7","config":{"roleArn":"arn:aws:iam::123456789012:role/from-event","externalId":"from-event-id","regions":["eu-west-1"]}}`), 0o600)
	cmd := newCollect(&bytes.Buffer{}, &bytes.Buffer{})
	if err := cmd.ParseFlags([]string{"--event", ev, "--role-arn", "arn:aws:iam::123456789012:role/from-flag"}); err != nil {
		t.Fatal(err)
	}
	f := &collectFlags{}
	f.event, f.roleArn, f.envFile = ev, "arn:aws:iam::123456789012:role/from-flag", ".env"
	cfg, _, err := resolveConfig(cmd, f)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RoleArn != "arn:aws:iam::123456789012:role/from-flag" || cfg.ExternalID.Reveal() != "from-event-id" ||
		len(cfg.Regions) != 1 || cfg.Regions[0] != "eu-west-1" || cfg.InstanceID() != "inst-7" {
		t.Fatalf("precedence wrong: %+v", cfg)
	}
	// Without event and flags, .env alone is used (and its bad region is caught).
	code, _, stderr := run(t, "collect")
	if code != 2 || !strings.Contains(stderr, `regions: "us-east-9"`) {
		t.Fatalf("env file not used: exit %d %q", code, stderr)
	}
}

// A refused AssumeRole (wrong external id) is a PROVIDER_AUTHENTICATION_ERROR
// naming the role, exit 2. moto checks the trust policy's principal and its
// StringEquals sts:ExternalId condition once its access control is on, which
// is process-global: this test runs its own moto server.
func TestRefusedAssumeRoleIsAuthenticationError(t *testing.T) {
	dir := isolateEnv(t)
	srv := testbed.StartPrivate(t)
	const acct = "123456789012"
	cfg := srv.SeedConfig(t, acct, "us-east-1")
	ctx := context.Background()
	c := iam.NewFromConfig(cfg)
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("caller")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("caller"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	key, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("caller")})
	if err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/caller"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"the-right-external-id"}}}]}`
	if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("reader"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	srv.EnableAuth(t)
	t.Setenv("AWS_ACCESS_KEY_ID", aws.ToString(key.AccessKey.AccessKeyId))
	t.Setenv("AWS_SECRET_ACCESS_KEY", aws.ToString(key.AccessKey.SecretAccessKey))
	role := "arn:aws:iam::" + acct + ":role/reader"
	code, stdout, stderr := run(t, "collect", "--role-arn", role, "--external-id", "a-wrong-external-id",
		"--regions", "us-east-1", "--endpoint-url", srv.URL, "--output", filepath.Join(dir, "out"), "--db", filepath.Join(dir, "g.db"), "--verbose")
	if code != 2 {
		t.Fatalf("exit %d, want 2; stderr %s", code, stderr)
	}
	want := "PROVIDER_AUTHENTICATION_ERROR: could not assume role " + role + ": STS answered AccessDenied"
	if !strings.Contains(stderr, want) || !strings.Contains(stderr, "external id") {
		t.Fatalf("stderr %q lacks %q and the likely cause", stderr, want)
	}
	for _, secret := range []string{"a-wrong-external-id", aws.ToString(key.AccessKey.SecretAccessKey)} {
		if strings.Contains(stderr+stdout, secret) {
			t.Fatalf("secret %q printed", secret)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "summary.json")); err == nil {
		t.Fatal("graph written although authentication failed")
	}
	// The right external id is accepted by the same trust policy.
	code, _, stderr = run(t, "collect", "--role-arn", role, "--external-id", "the-right-external-id",
		"--regions", "us-east-1", "--endpoint-url", srv.URL, "--output", filepath.Join(dir, "out"), "--no-db", "-q")
	if code != 0 {
		t.Fatalf("right external id: exit %d: %s", code, stderr)
	}
}

// Against an emulator, no credentials need to be configured at all.
func TestEndpointOverrideWithoutConfiguredCredentials(t *testing.T) {
	dir := isolateEnv(t)
	srv := testbed.Server(t)
	t.Setenv("HOME", dir)
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	acct := testbed.NewAccountID(t)
	code, stdout, stderr := run(t, "collect", "--role-arn", testbed.RoleArn(acct), "--external-id", "abcdef",
		"--regions", "us-east-1", "--endpoint-url", srv.URL, "--output", filepath.Join(dir, "out"), "--no-db", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, `"accountId": "`+acct+`"`) {
		t.Fatalf("summary: %s", stdout)
	}
}

// A broken default ./.env only warns when every setting comes from flags;
// --regions naming a region twice collects it once.
func TestBrokenDefaultEnvFileWarnsAndDuplicateRegionsCollectOnce(t *testing.T) {
	dir := isolateEnv(t)
	srv := testbed.Server(t)
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte("EXTERNAL_ID=\"unterminated-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	acct := testbed.NewAccountID(t)
	code, stdout, stderr := run(t, "collect", "--role-arn", testbed.RoleArn(acct), "--external-id", "abcdef",
		"--regions", "us-east-1,us-east-1", "--endpoint-url", srv.URL, "--output", filepath.Join(dir, "out"), "--no-db", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "warning: ignoring the default env file: .env: is not a valid dotenv file") {
		t.Errorf("no warning about the broken .env: %s", stderr)
	}
	if strings.Contains(stdout+stderr, "unterminated-secret") {
		t.Errorf(".env contents printed")
	}
	var sum struct{ Regions []string }
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatal(err)
	}
	if len(sum.Regions) != 1 || sum.Regions[0] != "us-east-1" {
		t.Fatalf("regions %v, want [us-east-1]", sum.Regions)
	}
}

// An explicitly given --env-file that is missing or broken is a
// configuration error naming the file, before any AWS call.
func TestExplicitEnvFileMustExistAndParse(t *testing.T) {
	dir := isolateEnv(t)
	var hits atomic.Int32
	aws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1); w.WriteHeader(500) }))
	defer aws.Close()
	broken := filepath.Join(dir, "broken.env")
	if err := os.WriteFile(broken, []byte("not a dotenv line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(dir, "missing.env"), broken} {
		code, _, stderr := run(t, "collect", "--env-file", p, "--role-arn", goodRole, "--external-id", "abcdef",
			"--endpoint-url", aws.URL, "--no-db", "--output", filepath.Join(dir, "out"))
		if code != 2 || !strings.Contains(stderr, "CONFIG_VALIDATION_ERROR: env-file: "+p) {
			t.Errorf("%s: exit %d, stderr %q", p, code, stderr)
		}
	}
	if hits.Load() != 0 {
		t.Fatal("AWS called although the env file was bad")
	}
}
