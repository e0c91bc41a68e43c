package collector

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/awsgraph/awsgraph/internal/instance"
)

// HandleEvent runs the integration instance an invocation event describes,
// writing graph files under outputDir (and the store at dbPath, when set).
// It is what a scheduler, a queue consumer or an AWS Lambda function calls.
func HandleEvent(ctx context.Context, raw json.RawMessage, outputDir, dbPath string, log *slog.Logger) (*Summary, error) {
	ev, err := instance.ParseEvent(raw)
	if err != nil {
		return nil, err
	}
	out, err := Run(ctx, Options{Config: ev.Config, OutputDir: outputDir, DBPath: dbPath, Logger: log})
	if out != nil {
		return out.Summary, err
	}
	return nil, err
}
