package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/handler"
	"github.com/awsgraph/awsgraph/internal/settings"
	"github.com/awsgraph/awsgraph/internal/worker"
)

const orgAction = "discoverOrganization"

type function struct {
	settings settings.Settings
	log      *slog.Logger
	direct   *handler.Handler // one instance: graph files in the output directory itself
	batch    *handler.Handler // many: one subdirectory per instance
}

func newFunction(s settings.Settings, log *slog.Logger) (*function, error) {
	f := &function{settings: s, log: log,
		direct: &handler.Handler{Settings: s, Logger: log},
		batch:  &handler.Handler{Settings: s, Logger: log, PerInstanceOutput: true},
	}
	if err := f.direct.Check(); err != nil {
		return nil, err
	}
	return f, nil
}

// envelope is enough of an event to tell its kind.
type envelope struct {
	Records []struct {
		EventSource string `json:"eventSource"`
	} `json:"Records"`
	Action string `json:"action"`
}

func (f *function) invoke(ctx context.Context, raw json.RawMessage) (any, error) {
	var env envelope
	_ = json.Unmarshal(raw, &env) // a malformed direct event is reported by the handler
	switch {
	case len(env.Records) > 0 && env.Records[0].EventSource == "aws:sqs":
		var ev events.SQSEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, fmt.Errorf("SQS event: %w", err)
		}
		return f.sqsBatch(ctx, ev), nil
	case env.Action == orgAction:
		return f.organization(ctx, raw)
	}
	res := f.direct.Handle(ctx, raw)
	f.logResult("", res)
	if !res.Done() {
		return res.Summary, res.Err
	}
	return res.Summary, nil
}

// sqsBatch runs every record, up to the configured concurrency at once,
// and names the failed ones.
func (f *function) sqsBatch(ctx context.Context, ev events.SQSEvent) events.SQSEventResponse {
	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, max(f.settings.Concurrency, 1))
	for _, rec := range ev.Records {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			res := f.batch.Handle(ctx, []byte(rec.Body))
			f.logResult(rec.MessageId, res)
			if !res.Done() {
				mu.Lock()
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return resp
}

func (f *function) logResult(messageID string, res handler.Result) {
	attrs := []any{"instance", res.InstanceID, "status", string(res.Status)}
	if messageID != "" {
		attrs = append(attrs, "message", messageID)
	}
	if res.Err != nil {
		f.log.Warn("instance failed", append(attrs, "error", res.Err.Error())...)
		return
	}
	f.log.Info("instance finished", attrs...)
}

// orgResult is the answer to an organization discovery.
type orgResult struct {
	Enqueued int `json:"enqueued"`
}

func (f *function) organization(ctx context.Context, raw json.RawMessage) (*orgResult, error) {
	if f.settings.QueueURL == "" {
		return nil, errors.New("organization discovery sends its events to a queue: set " + settings.EnvQueueURL)
	}
	evs, discoverErr := discoverOrganization(ctx, raw, f.settings.EndpointURL)
	if discoverErr != nil && len(evs) == 0 {
		return nil, discoverErr
	}
	cfg, err := awsclient.ServiceConfig(ctx, f.settings.EndpointURL, "")
	if err != nil {
		return nil, err
	}
	if err := worker.Enqueue(ctx, sqs.NewFromConfig(cfg), f.settings.QueueURL, evs); err != nil {
		return nil, err
	}
	f.log.Info("organization discovered", "enqueued", len(evs))
	if discoverErr != nil { // some accounts could not be decided: the others are enqueued
		return nil, discoverErr
	}
	return &orgResult{Enqueued: len(evs)}, nil
}
