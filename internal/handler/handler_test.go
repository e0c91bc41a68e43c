package handler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/collector"
	"github.com/awsgraph/awsgraph/internal/instance"
	"github.com/awsgraph/awsgraph/internal/settings"
)

// Malformed events fail before any AWS call, as Invalid, with the field
// named; nothing here reaches a network (there is no endpoint).
func TestInvalidEventsFailWithTheFieldNamed(t *testing.T) {
	h := &Handler{}
	for body, field := range map[string]string{
		`not json`:                      "event",
		`{"integrationInstanceId":"x"}`: "event.config",
		`{"config":{"roleArn":"arn:aws:iam::123:role/x","externalId":"ok-id"}}`: "roleArn",
		`{"config":{"roleArn":"arn:aws:iam::123456789012:role/x"}}`:             "externalId",
	} {
		res := h.Handle(context.Background(), []byte(body))
		if res.Status != Invalid || res.Done() || res.Err == nil || !strings.Contains(res.Err.Error(), field) {
			t.Errorf("%s: %+v, want Invalid naming %s", body, res, field)
		}
	}
}

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		err  error
		want Status
	}{
		{nil, Succeeded},
		{&instance.ValidationError{Field: "regions", Reason: "x"}, Invalid},
		{fmt.Errorf("wrapped: %w", &awsclient.AuthError{RoleArn: "r", Code: "AccessDenied", Err: errors.New("no")}), AuthFailed},
		{&awsclient.AccountMismatchError{Want: "1", Got: "2"}, AuthFailed},
		{&collector.InterruptedError{Cause: context.Canceled}, Interrupted},
		{errors.New("writing the store: disk full"), Failed},
	} {
		if got, _ := classify(c.err); got != c.want {
			t.Errorf("%v: %s, want %s", c.err, got, c.want)
		}
	}
	if (Result{Status: Partial}).Done() != true || (Result{Status: AuthFailed}).Done() {
		t.Error("Done: partial is done, a refused role is not")
	}
}

func TestUploadNeedsGraphFiles(t *testing.T) {
	h := &Handler{Settings: settings.Settings{JupiterOne: settings.JupiterOne{APIKey: "k", Account: "a"}}}
	if err := h.Check(); err == nil || !strings.Contains(err.Error(), settings.EnvOutput) {
		t.Errorf("Check: %v", err)
	}
}

func TestOutputNamesAreSafeAndDistinct(t *testing.T) {
	a, b := OutputName("arn:aws:iam::123456789012:role/a/b"), OutputName("arn:aws:iam::123456789012:role/a:b")
	if a == b || strings.ContainsAny(a+b, "/:") {
		t.Errorf("%q and %q", a, b)
	}
	if OutputName(strings.Repeat("x", 500)) == OutputName(strings.Repeat("x", 501)) {
		t.Error("long ids collide")
	}
}
