package settings

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestFlagsOverEnvironment(t *testing.T) {
	e, err := FromEnv(env(map[string]string{
		EnvPostgresDSN: "postgres://u:envpass@h/db", EnvOutput: "/tmp/out", EnvQueueURL: "http://q/env",
		EnvConcurrency: "3", EnvJ1APIKey: "k", EnvJ1Account: "a",
	}))
	if err != nil {
		t.Fatal(err)
	}
	got := Settings{QueueURL: "http://q/flag", Concurrency: 7}.Over(e)
	if got.QueueURL != "http://q/flag" || got.Concurrency != 7 {
		t.Errorf("flags did not win: %+v", got)
	}
	if got.PostgresDSN != "postgres://u:envpass@h/db" || got.OutputDir != "/tmp/out" || !got.JupiterOne.Enabled() {
		t.Errorf("environment did not fill the unset fields")
	}
}

func TestBadConcurrencyNamesTheVariable(t *testing.T) {
	for _, v := range []string{"x", "0", "-2"} {
		_, err := FromEnv(env(map[string]string{EnvConcurrency: v}))
		if err == nil || !strings.Contains(err.Error(), EnvConcurrency) {
			t.Errorf("%s=%q: error %v, want one naming the variable", EnvConcurrency, v, err)
		}
	}
}

func TestSecretsNeverPrint(t *testing.T) {
	s := Settings{PostgresDSN: "postgres://u:hunter2@h/db", JupiterOne: JupiterOne{APIKey: "j1-secret-key", Account: "acct"}}
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("settings", "settings", s)
	for _, out := range []string{b.String(), fmt.Sprint(s), fmt.Sprintf("%+v", s), fmt.Sprintf("%#v", s)} {
		if strings.Contains(out, "hunter2") || strings.Contains(out, "j1-secret-key") {
			t.Errorf("secret printed: %s", out)
		}
		if !strings.Contains(out, "postgresql") {
			t.Errorf("store kind missing from %s", out)
		}
	}
}

func TestCheckWorker(t *testing.T) {
	if err := (Settings{}).CheckWorker(false); err != ErrNoQueue {
		t.Errorf("no queue: %v", err)
	}
	if err := (Settings{QueueURL: "q"}).CheckWorker(true); err == nil || !strings.Contains(err.Error(), "two stores") {
		t.Errorf("two stores: %v", err)
	}
	if err := (Settings{QueueURL: "q"}).CheckWorker(false); err != nil {
		t.Error(err)
	}
}

func TestJupiterOneMissing(t *testing.T) {
	if m := (JupiterOne{APIKey: "k"}).Missing(); len(m) != 1 || m[0] != EnvJ1Account {
		t.Errorf("missing %v", m)
	}
}

func TestQueueRegionFromURL(t *testing.T) {
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	if r := QueueRegion("https://sqs.eu-west-2.amazonaws.com/123456789012/q"); r != "eu-west-2" {
		t.Errorf("region %q", r)
	}
	if r := QueueRegion("http://127.0.0.1:5000/123456789012/q"); r != "" {
		t.Errorf("emulator URL gave region %q", r)
	}
	t.Setenv("AWS_REGION", "us-west-2")
	if r := QueueRegion("https://sqs.eu-west-2.amazonaws.com/123456789012/q"); r != "" {
		t.Errorf("AWS_REGION set, yet %q", r)
	}
}
