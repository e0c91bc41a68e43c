package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/awsgraph/awsgraph/internal/instance"
)

// EventBody is the message body of one instance event: the invocation event
// shape, with the external id itself (instance.Secret prints as REDACTED
// everywhere else; the queue is the one place it must travel).
func EventBody(ev instance.Event) ([]byte, error) {
	type config struct {
		RoleArn     string   `json:"roleArn"`
		ExternalID  string   `json:"externalId"`
		Regions     []string `json:"regions,omitempty"`
		SessionName string   `json:"sessionName,omitempty"`
		AccountID   string   `json:"accountId,omitempty"`
	}
	c := ev.Config
	return json.Marshal(struct {
		IntegrationInstanceID string `json:"integrationInstanceId,omitempty"`
		Config                config `json:"config"`
	}{cmpOr(ev.IntegrationInstanceID, c.IntegrationInstanceID), config{c.RoleArn, c.ExternalID.Reveal(), c.Regions, c.SessionName, c.AccountID}})
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Enqueue sends instance events to the queue, ten per SendMessageBatch (the
// API's limit). Any entry SQS refuses is an error naming it; the entries
// before it were sent.
func Enqueue(ctx context.Context, client SQS, queueURL string, events []instance.Event) error {
	for start := 0; start < len(events); start += 10 {
		batch := events[start:min(start+10, len(events))]
		entries := make([]types.SendMessageBatchRequestEntry, len(batch))
		for i, ev := range batch {
			body, err := EventBody(ev)
			if err != nil {
				return err
			}
			entries[i] = types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(start + i)), MessageBody: aws.String(string(body))}
		}
		out, err := client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(queueURL), Entries: entries})
		if err != nil {
			return fmt.Errorf("sending events %d-%d to %s: %w", start, start+len(batch)-1, queueURL, err)
		}
		if len(out.Failed) > 0 {
			var msgs []string
			for _, f := range out.Failed {
				i, _ := strconv.Atoi(aws.ToString(f.Id))
				msgs = append(msgs, fmt.Sprintf("%s (%s: %s)", events[i].Config.InstanceID(), aws.ToString(f.Code), aws.ToString(f.Message)))
			}
			return fmt.Errorf("the queue refused %d event(s): %s", len(out.Failed), strings.Join(msgs, "; "))
		}
	}
	return nil
}
