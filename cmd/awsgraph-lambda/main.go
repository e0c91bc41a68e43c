// Command awsgraph-lambda runs awsgraph as an AWS Lambda function
// (provided.al2023, the binary named bootstrap). One function takes three
// kinds of event:
//
//   - a direct invocation: the instance event `awsgraph collect --event`
//     reads; it answers the run summary, or fails the invocation;
//   - an SQS event batch (an event source mapping with
//     ReportBatchItemFailures), each record's body one instance event; it
//     answers batchItemFailures naming exactly the records that failed (an
//     invalid event, a refused AssumeRole, a failed run — a partial run is
//     not a failure), so SQS retries only those and, after the redrive
//     count, moves them to the dead-letter queue;
//   - {"action": "discoverOrganization", ...}: organization discovery,
//     whose instance events are sent to $AWSGRAPH_QUEUE_URL.
//
// Settings come from the environment, the same variables the worker reads
// (internal/settings): AWSGRAPH_POSTGRES_DSN or AWSGRAPH_DB, AWSGRAPH_OUTPUT
// (default /tmp/.j1-integration, Lambda's only writable disk),
// AWSGRAPH_ENDPOINT_URL, AWSGRAPH_QUEUE_URL, AWSGRAPH_CONCURRENCY (records of
// a batch run at once; default 1), JUPITERONE_API_KEY + JUPITERONE_ACCOUNT
// (upload each run; JUPITERONE_API_BASE_URL overrides the API's address).
// Event bodies and the DSN are never logged.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/awsgraph/awsgraph/internal/settings"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	s, err := settings.FromEnv(os.Getenv)
	if err != nil {
		log.Error("bad configuration", "error", err.Error())
		os.Exit(1)
	}
	if s.OutputDir == "" {
		s.OutputDir = "/tmp/.j1-integration"
	}
	fn, err := newFunction(s, log)
	if err != nil {
		log.Error("bad configuration", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(fn.invoke)
}
