package org

import (
	"context"
	"fmt"
	"log/slog"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/instance"
)

// API is the part of the Organizations client discovery calls.
type API interface {
	DescribeOrganization(context.Context, *organizations.DescribeOrganizationInput, ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error)
	ListRoots(context.Context, *organizations.ListRootsInput, ...func(*organizations.Options)) (*organizations.ListRootsOutput, error)
	ListAccounts(context.Context, *organizations.ListAccountsInput, ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error)
	ListTagsForResource(context.Context, *organizations.ListTagsForResourceInput, ...func(*organizations.Options)) (*organizations.ListTagsForResourceOutput, error)
	ListParents(context.Context, *organizations.ListParentsInput, ...func(*organizations.Options)) (*organizations.ListParentsOutput, error)
	ListPoliciesForTarget(context.Context, *organizations.ListPoliciesForTargetInput, ...func(*organizations.Options)) (*organizations.ListPoliciesForTargetOutput, error)
	DescribePolicy(context.Context, *organizations.DescribePolicyInput, ...func(*organizations.Options)) (*organizations.DescribePolicyOutput, error)
	DescribeOrganizationalUnit(context.Context, *organizations.DescribeOrganizationalUnitInput, ...func(*organizations.Options)) (*organizations.DescribeOrganizationalUnitOutput, error)
}

// reader reads the organization once: parents, attachments and policies are
// cached, since accounts share their OUs and policies.
type reader struct {
	client    API
	log       *slog.Logger
	res       *Result
	units     map[string]Unit
	parents   map[string]string   // child id -> parent id
	attached  map[string][]string // target id -> SCP ids
	attachErr map[string]error
}

// maxDepth bounds the walk up the tree (AWS allows five OU levels).
const maxDepth = 8

func (r *reader) organization(ctx context.Context) error {
	out, err := r.client.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		return fmt.Errorf("organizations:DescribeOrganization failed: %s", reason(err))
	}
	o := out.Organization
	r.res.OrganizationID, r.res.OrganizationArn = aws.ToString(o.Id), aws.ToString(o.Arn)
	r.res.ManagementAccountID, r.res.FeatureSet = aws.ToString(o.MasterAccountId), string(o.FeatureSet)
	roots, err := r.client.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		return fmt.Errorf("organizations:ListRoots failed: %s", reason(err))
	}
	if len(roots.Roots) != 1 {
		return fmt.Errorf("organizations:ListRoots returned %d roots, want 1", len(roots.Roots))
	}
	root := roots.Roots[0]
	u := Unit{ID: aws.ToString(root.Id), Arn: aws.ToString(root.Arn), Name: aws.ToString(root.Name)}
	for _, pt := range root.PolicyTypes {
		if pt.Type == orgtypes.PolicyTypeServiceControlPolicy && pt.Status == orgtypes.PolicyTypeStatusEnabled {
			u.SCPsEnabled = true
		}
	}
	r.res.Root = u
	r.units = map[string]Unit{}
	return nil
}

// accounts lists every account, page by page (the SDK's paginator).
func (r *reader) accounts(ctx context.Context, pageSize int32) ([]orgtypes.Account, error) {
	in := &organizations.ListAccountsInput{}
	if pageSize > 0 {
		in.MaxResults = aws.Int32(pageSize)
	}
	var out []orgtypes.Account
	p := organizations.NewListAccountsPaginator(r.client, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("organizations:ListAccounts failed after %d accounts: %s", len(out), reason(err))
		}
		out = append(out, page.Accounts...)
	}
	return out, nil
}

func (r *reader) tags(ctx context.Context, id string) (map[string]string, error) {
	tags := map[string]string{}
	p := organizations.NewListTagsForResourcePaginator(r.client, &organizations.ListTagsForResourceInput{ResourceId: aws.String(id)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("organizations:ListTagsForResource failed: %s", reason(err))
		}
		for _, t := range page.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return tags, nil
}

// path returns the account's parents (root first) and its SCPs. What cannot
// be read makes the SCPs unknown, never empty.
func (r *reader) path(ctx context.Context, accountID string) ([]string, *instance.SCPs) {
	var chain []string // account's parent first
	child := accountID
	for range maxDepth {
		parent, err := r.parent(ctx, child)
		if err != nil {
			return nil, unknownSCPs(err)
		}
		chain = append(chain, parent)
		if parent == r.res.Root.ID {
			break
		}
		child = parent
	}
	if len(chain) == 0 || chain[len(chain)-1] != r.res.Root.ID {
		return nil, &instance.SCPs{Status: instance.SCPUnknown, Reason: "the walk up from the account did not reach the root"}
	}
	slices.Reverse(chain)
	if r.res.FeatureSet != string(orgtypes.OrganizationFeatureSetAll) || !r.res.Root.SCPsEnabled {
		return chain, &instance.SCPs{Status: instance.SCPNotGoverned, Reason: "the SCP policy type is not enabled in the organization's root"}
	}
	scps := &instance.SCPs{Status: instance.SCPApplied}
	for _, target := range append(slices.Clone(chain), accountID) {
		level, err := r.level(ctx, target)
		if err != nil {
			return chain, unknownSCPs(err)
		}
		scps.Levels = append(scps.Levels, level)
	}
	return chain, scps
}

func unknownSCPs(err error) *instance.SCPs {
	return &instance.SCPs{Status: instance.SCPUnknown, Reason: err.Error()}
}

// parent returns a child's parent, recording OUs as units.
func (r *reader) parent(ctx context.Context, child string) (string, error) {
	if p, ok := r.parents[child]; ok {
		return p, nil
	}
	out, err := r.client.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(child)})
	if err != nil {
		return "", fmt.Errorf("organizations:ListParents(%s) failed: %s", child, reason(err))
	}
	if len(out.Parents) != 1 {
		return "", fmt.Errorf("organizations:ListParents(%s) returned %d parents, want 1", child, len(out.Parents))
	}
	p := out.Parents[0]
	id := aws.ToString(p.Id)
	r.parents[child] = id
	if p.Type == orgtypes.ParentTypeOrganizationalUnit {
		r.unit(ctx, id)
	}
	if u, ok := r.units[child]; ok {
		u.Parent = id
		r.units[child] = u
	}
	return id, nil
}

// unit records an OU; its name is for the graph only, so a failure to read
// it leaves the id as its name.
func (r *reader) unit(ctx context.Context, id string) {
	if _, ok := r.units[id]; ok {
		return
	}
	u := Unit{ID: id, Name: id}
	out, err := r.client.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(id)})
	if err == nil && out.OrganizationalUnit != nil {
		u.Arn, u.Name = aws.ToString(out.OrganizationalUnit.Arn), aws.ToString(out.OrganizationalUnit.Name)
	} else if err != nil {
		r.log.Warn("organizational unit not described", "id", id, "reason", reason(err))
	}
	r.units[id] = u
}

// level reads the SCPs attached to one target, with their documents.
func (r *reader) level(ctx context.Context, target string) (instance.SCPLevel, error) {
	ids, err := r.attachedTo(ctx, target)
	if err != nil {
		return instance.SCPLevel{}, err
	}
	level := instance.SCPLevel{Target: target, Policies: []instance.SCPPolicy{}}
	for _, id := range ids {
		p, err := r.policy(ctx, id)
		if err != nil {
			return instance.SCPLevel{}, err
		}
		level.Policies = append(level.Policies, p)
	}
	return level, nil
}

func (r *reader) attachedTo(ctx context.Context, target string) ([]string, error) {
	if err, ok := r.attachErr[target]; ok {
		return nil, err
	}
	if ids, ok := r.attached[target]; ok {
		return ids, nil
	}
	var ids []string
	p := organizations.NewListPoliciesForTargetPaginator(r.client, &organizations.ListPoliciesForTargetInput{
		TargetId: aws.String(target), Filter: orgtypes.PolicyTypeServiceControlPolicy})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			err = fmt.Errorf("organizations:ListPoliciesForTarget(%s) failed: %s", target, reason(err))
			r.attachErr[target] = err
			return nil, err
		}
		for _, s := range page.Policies {
			ids = append(ids, aws.ToString(s.Id))
		}
	}
	slices.Sort(ids)
	r.attached[target] = ids
	r.recordAttachment(target, ids)
	return ids, nil
}

func (r *reader) recordAttachment(target string, ids []string) {
	if target == r.res.Root.ID {
		r.res.Root.Policies = ids
	} else if u, ok := r.units[target]; ok {
		u.Policies = ids
		r.units[target] = u
	} else if accountIDRe.MatchString(target) {
		r.res.accountPolicies[target] = ids
	}
}

func (r *reader) policy(ctx context.Context, id string) (instance.SCPPolicy, error) {
	if p, ok := r.res.Policies[id]; ok {
		return p, nil
	}
	out, err := r.client.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(id)})
	if err != nil {
		return instance.SCPPolicy{}, fmt.Errorf("organizations:DescribePolicy(%s) failed: %s", id, reason(err))
	}
	if out.Policy == nil || aws.ToString(out.Policy.Content) == "" {
		return instance.SCPPolicy{}, fmt.Errorf("organizations:DescribePolicy(%s) returned no content", id)
	}
	p := instance.SCPPolicy{ID: id, Document: aws.ToString(out.Policy.Content)}
	if out.Policy.PolicySummary != nil {
		p.Name = aws.ToString(out.Policy.PolicySummary.Name)
		r.res.PolicyArns[id] = aws.ToString(out.Policy.PolicySummary.Arn)
	}
	r.res.Policies[id] = p
	return p, nil
}

// reason is the error's code and message, as awsclient describes it.
func reason(err error) string {
	_, _, why := awsclient.Describe(err)
	return why
}
