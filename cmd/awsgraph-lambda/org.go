package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/awsgraph/awsgraph/internal/instance"
	"github.com/awsgraph/awsgraph/internal/org"
)

// orgEvent is the organization-discovery event the schedule sends
// (deploy/cloudformation/awsgraph-collector.json): the management role and
// the members' role name, as `awsgraph org` takes them.
type orgEvent struct {
	RoleArn          string          `json:"roleArn"`
	ExternalID       instance.Secret `json:"externalId"`
	SessionName      string          `json:"sessionName"`
	AccountID        string          `json:"accountId"`
	MemberRoleName   string          `json:"memberRoleName"`
	MemberExternalID instance.Secret `json:"memberExternalId"`
	Regions          []string        `json:"regions"`
	Exclude          []string        `json:"exclude"`
}

// discoverOrganization runs internal/org's discovery for the event. When some
// accounts' tags could not be read, the events of the others are returned
// with the error, so they are still enqueued and the invocation still fails.
func discoverOrganization(ctx context.Context, raw json.RawMessage, endpointURL string) ([]instance.Event, error) {
	var ev orgEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, fmt.Errorf("organization discovery event: %w", err)
	}
	res, err := org.Discover(ctx, org.Options{
		Management:     instance.Config{RoleArn: ev.RoleArn, ExternalID: ev.ExternalID, SessionName: ev.SessionName, AccountID: ev.AccountID},
		MemberRoleName: ev.MemberRoleName, MemberExternalID: ev.MemberExternalID, Regions: ev.Regions, Exclude: ev.Exclude,
		EndpointURL: endpointURL,
	})
	var incomplete *org.IncompleteError
	if err != nil && !(errors.As(err, &incomplete) && res != nil) {
		return nil, err
	}
	return res.Events, err
}
