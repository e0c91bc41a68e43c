package main

import (
	"bytes"
	"strings"
	"testing"
)

// Bad worker settings exit 2 with a message naming the problem, before any
// AWS call (no endpoint is reachable here).
func TestWorkerBadSettingsExit2(t *testing.T) {
	t.Setenv("AWSGRAPH_QUEUE_URL", "")
	t.Setenv("AWSGRAPH_CONCURRENCY", "")
	for _, c := range []struct {
		args []string
		env  string
		want string
	}{
		{[]string{"worker"}, "", "AWSGRAPH_QUEUE_URL"},
		{[]string{"worker", "--queue-url", "http://q", "--db", "a.db", "--postgres-dsn", "postgres:///x"}, "", "two stores"},
		{[]string{"worker", "--queue-url", "http://q", "--wait-time", "30s"}, "", "1s to 20s"},
		{[]string{"worker", "--queue-url", "http://q", "--concurrency", "0"}, "", "--concurrency 0"},
		{[]string{"worker", "--queue-url", "http://q", "--visibility-timeout", "1s"}, "", "--visibility-timeout"},
		{[]string{"worker", "--queue-url", "http://q"}, "x", "AWSGRAPH_CONCURRENCY"},
	} {
		if c.env != "" {
			t.Setenv("AWSGRAPH_CONCURRENCY", c.env)
		}
		var out, errb bytes.Buffer
		code := Execute(c.args, &out, &errb)
		t.Setenv("AWSGRAPH_CONCURRENCY", "")
		if code != exitConfig || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 naming %q", c.args, code, errb.String(), c.want)
		}
	}
}
