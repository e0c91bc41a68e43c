// Command awsgraph-lambda runs awsgraph as an AWS Lambda function: the
// invocation event is the same JSON document `awsgraph collect --event`
// reads, and the function returns the run summary. Graph files go to
// $AWSGRAPH_OUTPUT (default /tmp/.j1-integration; Lambda's only writable
// disk). When JUPITERONE_API_KEY and JUPITERONE_ACCOUNT are both set, a
// run that succeeded is then uploaded to JupiterOne as `awsgraph sync`
// does (JUPITERONE_API_BASE_URL overrides the API's address); a failed
// upload fails the invocation.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/awsgraph/awsgraph/internal/collector"
	"github.com/awsgraph/awsgraph/internal/sink/jupiterone"
)

func main() {
	out := os.Getenv("AWSGRAPH_OUTPUT")
	if out == "" {
		out = "/tmp/.j1-integration"
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	key, account := os.Getenv("JUPITERONE_API_KEY"), os.Getenv("JUPITERONE_ACCOUNT")
	lambda.Start(func(ctx context.Context, ev json.RawMessage) (*collector.Summary, error) {
		sum, err := collector.HandleEvent(ctx, ev, out, "", log)
		if err != nil || key == "" || account == "" {
			return sum, err
		}
		res, err := jupiterone.Upload(ctx, out, jupiterone.Options{
			BaseURL: os.Getenv("JUPITERONE_API_BASE_URL"), APIKey: key, Account: account, Logger: log,
		})
		if err != nil {
			return sum, fmt.Errorf("collected, but the upload to JupiterOne failed: %w", err)
		}
		log.Info("uploaded to JupiterOne", "job", res.JobID, "status", res.Status, "entities", res.Entities,
			"relationships", res.Relationships, "counters", res.Counters)
		return sum, nil
	})
}
