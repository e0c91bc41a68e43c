// Package org discovers the accounts of an AWS Organization with a role in
// its management account and turns each active member into an integration
// instance event (docs/contract.md §1), carrying the service control
// policies along the account's path so the member's trust analysis can apply
// them. It also describes the organization itself as graph entities.
package org

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/instance"
)

// SkipTag is JupiterOne's convention: a member account tagged
// j1-integration: SKIP is not collected.
const (
	SkipTag      = "j1-integration"
	SkipTagValue = "SKIP"
)

// Options configure a discovery.
type Options struct {
	// Management is the management account's role (roleArn, externalId,
	// sessionName, accountId), validated as `collect` validates its own.
	Management instance.Config
	// MemberRoleName is the role every member account carries (a name,
	// optionally with its path: "path/Name").
	MemberRoleName string
	// MemberExternalID is the members' external id; empty means the
	// management role's.
	MemberExternalID instance.Secret
	// Regions given to every member (empty: each member's enabled regions).
	Regions []string
	// Exclude lists account ids not to collect.
	Exclude     []string
	EndpointURL string
	AWS         awsclient.Options
	// PageSize is ListAccounts' MaxResults (0: the service's default).
	PageSize int32
	Logger   *slog.Logger
}

// Account is one account of the organization, as discovery saw it.
type Account struct {
	ID, Name, Email, Arn, Status string
	Tags                         map[string]string
	// Path is the account's parents from the root down (r-..., ou-...).
	Path []string
	// Skipped says why no event was made for the account ("" = one was).
	Skipped string
	// SCPs are the service control policies restricting its principals.
	SCPs *instance.SCPs
}

// Result is a discovery: the organization, every account, and one instance
// event per account to collect.
type Result struct {
	OrganizationID, OrganizationArn, ManagementAccountID, FeatureSet string
	Partition                                                        string
	Root                                                             Unit
	Units                                                            []Unit // organizational units, by id
	Accounts                                                         []Account
	Policies                                                         map[string]instance.SCPPolicy // every SCP read, by id
	PolicyArns                                                       map[string]string             // by id
	Events                                                           []instance.Event

	accountPolicies map[string][]string // SCP ids attached to each account itself
}

// Unit is the root or an organizational unit.
type Unit struct {
	ID, Arn, Name, Parent string
	Policies              []string // SCP ids attached
	SCPsEnabled           bool     // root only: the SCP policy type is enabled
}

// memberRoleNameRe: an IAM role name, optionally after a path.
var memberRoleNameRe = regexp.MustCompile(`^(?:[\x21-\x2E\x30-\x7E]+/)*[\w+=,.@-]{1,64}$`)

var accountIDRe = regexp.MustCompile(`^\d{12}$`)

// Validate checks the options without calling AWS.
func (o *Options) Validate() error {
	if err := o.Management.Validate(); err != nil {
		return err
	}
	if o.MemberRoleName == "" {
		return &instance.ValidationError{Field: "member-role-name", Reason: "is required (the role name every member account carries)"}
	}
	if !memberRoleNameRe.MatchString(o.MemberRoleName) {
		return &instance.ValidationError{Field: "member-role-name", Reason: fmt.Sprintf("%q is not an IAM role name ([\\w+=,.@-], 1 to 64 characters, optionally after a path/)", o.MemberRoleName)}
	}
	for _, id := range o.Exclude {
		if !accountIDRe.MatchString(id) {
			return &instance.ValidationError{Field: "exclude", Reason: fmt.Sprintf("%q is not a 12-digit AWS account id", id)}
		}
	}
	// A member's configuration must pass as any instance's does: the
	// external id and the regions are checked here, before AWS is called.
	probe := o.member("000000000000", o.Management.Partition(), nil)
	if err := probe.Validate(); err != nil {
		if ve, ok := err.(*instance.ValidationError); ok && ve.Field == "externalId" {
			return &instance.ValidationError{Field: "member-external-id", Reason: ve.Reason}
		}
		return err
	}
	return nil
}

// member is the instance configuration of one member account.
func (o *Options) member(accountID, partition string, scps *instance.SCPs) instance.Config {
	ext := o.MemberExternalID
	if ext == "" {
		ext = o.Management.ExternalID
	}
	arn := "arn:" + partition + ":iam::" + accountID + ":role/" + o.MemberRoleName
	return instance.Config{
		IntegrationInstanceID: arn, RoleArn: arn, ExternalID: ext, Regions: o.Regions,
		AccountID: accountID, ServiceControlPolicies: scps,
	}
}

// Discover reads the organization with the management role and returns its
// accounts and the events of the active, not skipped, not excluded members
// (the management account is a member like the others). Errors:
// *instance.ValidationError before any AWS call, awsclient's errors when the
// role cannot be assumed, and others when the organization cannot be read.
// An account whose tags cannot be read gets no event and fails the
// discovery (*IncompleteError, with the other events in the Result): whether
// it is tagged SKIP is unknown.
func Discover(ctx context.Context, opts Options) (*Result, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	awsOpts := opts.AWS
	awsOpts.RoleArn = opts.Management.RoleArn
	awsOpts.ExternalID = opts.Management.ExternalID.Reveal()
	awsOpts.SessionName = opts.Management.SessionName
	if opts.EndpointURL != "" {
		awsOpts.EndpointURL = opts.EndpointURL
	}
	part := opts.Management.Partition()
	sess, err := awsclient.Connect(ctx, awsOpts, part, opts.Management.AccountID)
	if err != nil {
		return nil, err
	}
	r := &reader{client: organizations.NewFromConfig(sess.Config), log: log,
		parents: map[string]string{}, attached: map[string][]string{}, attachErr: map[string]error{},
		res: &Result{Partition: part, Policies: map[string]instance.SCPPolicy{}, PolicyArns: map[string]string{},
			accountPolicies: map[string][]string{}}}
	if err := r.organization(ctx); err != nil {
		return nil, err
	}
	if sess.AccountID != r.res.ManagementAccountID {
		log.Warn("the role is not in the management account; Organizations answers only the management account or a delegated administrator",
			"roleAccount", sess.AccountID, "managementAccount", r.res.ManagementAccountID)
	}
	accounts, err := r.accounts(ctx, opts.PageSize)
	if err != nil {
		return nil, err
	}
	var failed []string
	for _, a := range accounts {
		acct, err := r.account(ctx, a, &opts)
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", acct.ID, err))
			acct.Skipped = "tags could not be read"
		}
		r.res.Accounts = append(r.res.Accounts, acct)
		if acct.Skipped == "" {
			cfg := opts.member(acct.ID, part, acct.SCPs)
			r.res.Events = append(r.res.Events, instance.Event{IntegrationInstanceID: cfg.IntegrationInstanceID, Config: cfg})
		}
	}
	r.res.Units = r.unitList()
	if len(failed) > 0 {
		return r.res, &IncompleteError{Accounts: failed}
	}
	return r.res, nil
}

// IncompleteError: some accounts could not be decided; they have no event.
type IncompleteError struct{ Accounts []string }

func (e *IncompleteError) Error() string {
	return fmt.Sprintf("%d account(s) not emitted, whether to collect them is unknown: %s", len(e.Accounts), strings.Join(e.Accounts, "; "))
}

// account reads one account's tags and SCPs and decides whether to emit it.
func (r *reader) account(ctx context.Context, a orgtypes.Account, opts *Options) (Account, error) {
	acct := Account{ID: aws.ToString(a.Id), Name: aws.ToString(a.Name), Email: aws.ToString(a.Email),
		Arn: aws.ToString(a.Arn), Status: accountState(a)}
	tags, err := r.tags(ctx, acct.ID)
	if err != nil {
		return acct, err
	}
	acct.Tags = tags
	acct.Path, acct.SCPs = r.path(ctx, acct.ID)
	switch {
	case acct.Status != string(orgtypes.AccountStateActive):
		acct.Skipped = "state " + acct.Status
	case strings.EqualFold(tags[SkipTag], SkipTagValue):
		acct.Skipped = "tagged " + SkipTag + ": " + SkipTagValue
	case slices.Contains(opts.Exclude, acct.ID):
		acct.Skipped = "excluded"
	}
	if acct.ID == r.res.ManagementAccountID {
		// SCPs never restrict the management account's principals.
		acct.SCPs = &instance.SCPs{Status: instance.SCPNotGoverned, Reason: "the management account is not restricted by SCPs"}
	}
	return acct, nil
}

// accountState is the account's State, else its Status (the field AWS
// retired in September 2026, still all an older endpoint sends).
func accountState(a orgtypes.Account) string {
	if a.State != "" {
		return string(a.State)
	}
	return string(a.Status)
}

func (r *reader) unitList() []Unit {
	var out []Unit
	for _, u := range r.units {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
