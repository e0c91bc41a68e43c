// Command awsgraph-lambda runs awsgraph as an AWS Lambda function: the
// invocation event is the same JSON document `awsgraph collect --event`
// reads, and the function returns the run summary. Graph files go to
// $AWSGRAPH_OUTPUT (default /tmp/.j1-integration; Lambda's only writable
// disk), ready for an upload step.
package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/awsgraph/awsgraph/internal/collector"
)

func main() {
	out := os.Getenv("AWSGRAPH_OUTPUT")
	if out == "" {
		out = "/tmp/.j1-integration"
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	lambda.Start(func(ctx context.Context, ev json.RawMessage) (*collector.Summary, error) {
		return collector.HandleEvent(ctx, ev, out, "", log)
	})
}
