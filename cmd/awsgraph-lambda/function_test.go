package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/awsgraph/awsgraph/internal/settings"
)

// Events that fail validation never reach AWS: each invalid record of a
// batch is named in batchItemFailures, a direct one fails the invocation,
// and an organization event without discovery in the build says so.
func TestFunctionRoutesEventsWithoutAWS(t *testing.T) {
	f, err := newFunction(settings.Settings{Concurrency: 2, OutputDir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	batch, _ := json.Marshal(events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "a", EventSource: "aws:sqs", Body: `{}`},
		{MessageId: "b", EventSource: "aws:sqs", Body: `{"config":{"roleArn":"nope","externalId":"xx"}}`},
		{MessageId: "c", EventSource: "aws:sqs", Body: `not json`},
	}})
	out, err := f.invoke(context.Background(), batch)
	if err != nil {
		t.Fatal(err)
	}
	resp := out.(events.SQSEventResponse)
	ids := map[string]bool{}
	for _, x := range resp.BatchItemFailures {
		ids[x.ItemIdentifier] = true
	}
	if len(ids) != 3 || !ids["a"] || !ids["b"] || !ids["c"] {
		t.Errorf("batchItemFailures %+v, want a, b and c", resp.BatchItemFailures)
	}
	if _, err := f.invoke(context.Background(), json.RawMessage(`{"config":{"roleArn":"nope","externalId":"xx"}}`)); err == nil || !strings.Contains(err.Error(), "roleArn") {
		t.Errorf("direct invalid event: %v", err)
	}
	if _, err := f.invoke(context.Background(), json.RawMessage(`{"action":"discoverOrganization"}`)); err == nil || !strings.Contains(err.Error(), settings.EnvQueueURL) {
		t.Errorf("organization event without a queue: %v", err)
	}
	// With a queue, the discovery validates its event before any AWS call.
	f.settings.QueueURL = "http://127.0.0.1:1/000000000000/q"
	org := `{"action":"discoverOrganization","roleArn":"arn:aws:iam::111111111111:role/org","externalId":"ext-id-123456"}`
	if _, err := f.invoke(context.Background(), json.RawMessage(org)); err == nil || !strings.Contains(err.Error(), "member-role-name") {
		t.Errorf("organization event without a member role name: %v", err)
	}
}
