// Package iam collects the account's IAM principals and policies from one bulk
// read (iam:GetAccountAuthorizationDetails, "GAAD") plus iam:ListRoles for the
// two role properties GAAD lacks, and enriches users from the credential
// report. The number of IAM calls does not grow with the number of users,
// roles, groups or policies (only with pagination).
//
// Everything the trust and policy analysis needs is on the graph: decoded
// trust and policy documents, permission-boundary ARNs, principal ids, tags,
// group memberships (group HAS user), attached managed policies and inline
// policies (ASSIGNED edges). Nothing is passed through job data.
package iam

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/policy"
	"github.com/awsgraph/awsgraph/internal/schema"
	"github.com/awsgraph/awsgraph/internal/service/account"
	"github.com/awsgraph/awsgraph/internal/service/console"
)

// Step ids.
const (
	StepID                 = schema.StepIAM
	CredentialReportStepID = schema.StepCredentialReport
)

// Entity types.
const (
	UserType          = schema.TypeUser
	GroupType         = schema.TypeGroup
	RoleType          = schema.TypeRole
	ManagedPolicyType = schema.TypeManagedPolicy
	UserPolicyType    = schema.TypeUserPolicy
	GroupPolicyType   = schema.TypeGroupPolicy
	RolePolicyType    = schema.TypeRolePolicy
)

// UserIsPersonType is the mapped "IAM user IS Person" relationship type.
var UserIsPersonType = schema.UserIsPerson.Type

// gaadPageSize is the MaxItems asked of GAAD and ListRoles (AWS's maximum).
const gaadPageSize = 1000

// AuthorizationDetailsReader is the GAAD call (the SDK client and its
// paginator satisfy it).
type AuthorizationDetailsReader interface {
	GetAccountAuthorizationDetails(ctx context.Context, in *iam.GetAccountAuthorizationDetailsInput, optFns ...func(*iam.Options)) (*iam.GetAccountAuthorizationDetailsOutput, error)
}

// RoleLister is the ListRoles call: GAAD's RoleDetail has no Description and
// no MaxSessionDuration, ListRoles (bulk, paginated) has both.
type RoleLister interface {
	ListRoles(ctx context.Context, in *iam.ListRolesInput, optFns ...func(*iam.Options)) (*iam.ListRolesOutput, error)
}

// Account identifies the account being converted (pure converters take it
// instead of a session).
type Account struct {
	Partition string
	ID        string
}

func (a Account) key() string { return account.Key(a.Partition, a.ID) }

// consoleBase is the IAM console URL of the partition.
func (a Account) consoleBase() string { return console.URL(a.Partition, "/iam/home#/") }

// Steps returns the IAM steps.
func Steps(s *awsclient.Session) []engine.Step {
	client := func() *iam.Client { return iam.NewFromConfig(s.Config) }
	acct := Account{Partition: s.Partition, ID: s.AccountID}
	return []engine.Step{
		engine.Declare(engine.Step{
			ID:          StepID,
			Name:        "Fetch IAM users, groups, roles and policies",
			DependsOn:   []string{account.StepID},
			Permissions: []string{"iam:GetAccountAuthorizationDetails", "iam:ListRoles"},
			Run: func(ctx context.Context, sc *engine.StepContext) error {
				c := client()
				return fetchIAM(ctx, sc, acct, c, c)
			},
		}),
		engine.Declare(engine.Step{
			ID:          CredentialReportStepID,
			Name:        "Fetch IAM credential report",
			DependsOn:   []string{account.StepID, StepID},
			Permissions: []string{"iam:GenerateCredentialReport", "iam:GetCredentialReport"},
			Run: func(ctx context.Context, sc *engine.StepContext) error {
				return fetchCredentialReport(ctx, sc, acct, client(), defaultReportWait)
			},
		}),
	}
}

// Details is the merged content of every GAAD page.
type Details struct {
	Users    []types.UserDetail
	Groups   []types.GroupDetail
	Roles    []types.RoleDetail
	Policies []types.ManagedPolicyDetail
	Pages    int
}

// ReadAuthorizationDetails reads every GAAD page (IsTruncated/Marker). On an
// error it returns what the earlier pages gave together with the error.
func ReadAuthorizationDetails(ctx context.Context, c AuthorizationDetailsReader) (*Details, error) {
	d := &Details{}
	p := iam.NewGetAccountAuthorizationDetailsPaginator(c, &iam.GetAccountAuthorizationDetailsInput{
		Filter: []types.EntityType{
			types.EntityTypeUser, types.EntityTypeRole, types.EntityTypeGroup,
			types.EntityTypeLocalManagedPolicy, types.EntityTypeAWSManagedPolicy,
		},
		MaxItems: aws.Int32(gaadPageSize),
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return d, err
		}
		d.Pages++
		d.Users = append(d.Users, out.UserDetailList...)
		d.Groups = append(d.Groups, out.GroupDetailList...)
		d.Roles = append(d.Roles, out.RoleDetailList...)
		d.Policies = append(d.Policies, out.Policies...)
	}
	return d, nil
}

// ListAllRoles reads every ListRoles page and indexes the roles by ARN.
func ListAllRoles(ctx context.Context, c RoleLister) (map[string]types.Role, error) {
	roles := map[string]types.Role{}
	p := iam.NewListRolesPaginator(c, &iam.ListRolesInput{MaxItems: aws.Int32(gaadPageSize)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return roles, err
		}
		for _, r := range out.Roles {
			roles[aws.ToString(r.Arn)] = r
		}
	}
	return roles, nil
}

func fetchIAM(ctx context.Context, sc *engine.StepContext, acct Account, gaad AuthorizationDetailsReader, lister RoleLister) error {
	var (
		wg       sync.WaitGroup
		roles    map[string]types.Role
		rolesErr error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		roles, rolesErr = ListAllRoles(ctx, lister)
	}()
	details, err := ReadAuthorizationDetails(ctx, gaad)
	wg.Wait()
	if err != nil {
		if details.Pages == 0 {
			return err
		}
		// Earlier pages are true data: keep them, but nothing of this step
		// may be deleted from the store on the strength of an incomplete read.
		sc.Partial(err)
	}
	if rolesErr != nil {
		// Roles are complete without ListRoles; only description and
		// maxSessionDuration are unknown: they keep the last run's.
		sc.Unknown(rolesErr, engine.Unknown{Type: RoleType, Properties: []string{"description", "maxSessionDuration"}})
	}
	sc.Count("gaadPages", details.Pages)

	g := Convert(acct, details, roles)
	for _, w := range g.Warnings {
		sc.Warn(w)
	}
	for k, n := range g.Counts {
		sc.Count(k, n)
	}
	for _, e := range g.Entities {
		if err := sc.AddEntity(e); err != nil {
			return err
		}
		if err := sc.AddRelationship(graph.DirectByKey(acct.key(), account.Type, "HAS", e.Key(), e.Type(), nil)); err != nil {
			return err
		}
	}
	for _, r := range g.Relationships {
		if err := sc.AddRelationshipOnce(r); err != nil {
			return err
		}
	}
	return nil
}

// Graph is what Convert produces from one GAAD read.
type Graph struct {
	Entities      []graph.Entity
	Relationships []graph.Relationship
	Warnings      []string
	Counts        map[string]int
}

// Convert turns the GAAD content (and the ListRoles extras, which may be nil)
// into entities and relationships. It is pure.
func Convert(acct Account, d *Details, roleExtras map[string]types.Role) *Graph {
	c := &converter{acct: acct, g: &Graph{Counts: map[string]int{}}, policyByArn: map[string]graph.Entity{}}
	c.managedPolicies(d)
	groupByName := map[string]graph.Entity{}
	for _, gd := range d.Groups {
		e := c.add(NewGroupEntity(acct, gd))
		groupByName[aws.ToString(gd.GroupName)] = e
		c.assign(e, gd.AttachedManagedPolicies, GroupPolicyType, gd.GroupPolicyList)
	}
	for _, ud := range d.Users {
		e := c.add(NewUserEntity(acct, ud))
		c.memberships(e, ud.GroupList, groupByName)
		c.assign(e, ud.AttachedManagedPolicies, UserPolicyType, ud.UserPolicyList)
		c.g.Relationships = append(c.g.Relationships, UserIsPerson(e, UserEmails(aws.ToString(ud.UserName), ud.Tags))...)
	}
	for _, rd := range d.Roles {
		var extra *types.Role
		if r, ok := roleExtras[aws.ToString(rd.Arn)]; ok {
			extra = &r
		}
		e := c.add(NewRoleEntity(acct, rd, extra))
		c.assign(e, rd.AttachedManagedPolicies, RolePolicyType, rd.RolePolicyList)
	}
	c.reportUndecodedDocuments()
	return c.g
}

// converter is Convert's state: the graph so far and the managed policies
// by ARN, so every attachment finds (or creates) its policy entity once.
type converter struct {
	acct        Account
	g           *Graph
	policyByArn map[string]graph.Entity
}

func (c *converter) add(e graph.Entity) graph.Entity {
	c.g.Entities = append(c.g.Entities, e)
	return e
}

func (c *converter) relate(from graph.Entity, class string, to graph.Entity) {
	c.g.Relationships = append(c.g.Relationships, graph.Direct(from, class, to, nil))
}

// managedPolicies adds the selected managed policies GAAD described.
func (c *converter) managedPolicies(d *Details) {
	selected := selectManagedPolicies(d)
	for _, p := range d.Policies {
		arn := aws.ToString(p.Arn)
		if _, dup := c.policyByArn[arn]; dup || !selected[arn] {
			continue
		}
		c.policyByArn[arn] = c.add(NewManagedPolicyEntity(c.acct, p))
	}
	c.g.Counts["awsManagedPoliciesNotAttached"] = countUnattachedAWS(d, selected)
}

// policyEntity returns the managed policy entity for an attachment,
// creating a minimal one when GAAD did not describe the policy (so the
// ASSIGNED edge is never dropped).
func (c *converter) policyEntity(ap types.AttachedPolicy) graph.Entity {
	arn := aws.ToString(ap.PolicyArn)
	if e, ok := c.policyByArn[arn]; ok {
		return e
	}
	e := c.add(NewManagedPolicyStub(c.acct, arn, aws.ToString(ap.PolicyName)))
	c.policyByArn[arn] = e
	c.g.Counts["managedPoliciesWithoutDetails"]++
	c.g.Warnings = append(c.g.Warnings, fmt.Sprintf("managed policy %s is attached but was not described by GetAccountAuthorizationDetails; its document is unknown", arn))
	return e
}

// assign adds principal ASSIGNED each attached managed policy and each of
// its inline policies (entities of inlineType).
func (c *converter) assign(principal graph.Entity, attached []types.AttachedPolicy, inlineType string, inline []types.PolicyDetail) {
	for _, ap := range attached {
		c.relate(principal, "ASSIGNED", c.policyEntity(ap))
	}
	for _, pd := range inline {
		c.relate(principal, "ASSIGNED", c.add(NewInlinePolicyEntity(c.acct, inlineType, principal, pd)))
	}
}

// memberships adds group HAS user for each of the user's described groups.
func (c *converter) memberships(user graph.Entity, groups []string, groupByName map[string]graph.Entity) {
	for _, name := range groups {
		ge, ok := groupByName[name]
		if !ok {
			c.g.Counts["membershipsOfUndescribedGroups"]++
			c.g.Warnings = append(c.g.Warnings, fmt.Sprintf("user %s is a member of group %q, which GetAccountAuthorizationDetails did not describe", user.Key(), name))
			continue
		}
		c.relate(ge, "HAS", user)
	}
}

// reportUndecodedDocuments turns the converters' marks on documents that
// could not be decoded into counts and warnings.
func (c *converter) reportUndecodedDocuments() {
	for _, e := range c.g.Entities {
		if n, ok := e["_undecodedDocument"]; ok {
			delete(e, "_undecodedDocument")
			c.g.Counts["undecodablePolicyDocuments"]++
			c.g.Warnings = append(c.g.Warnings, fmt.Sprintf("%s: policy document %v is neither JSON nor valid URL encoding; stored as received", e.Key(), n))
		}
	}
}

// DecodeDocument returns an IAM policy document as JSON text. IAM returns
// documents URL-encoded (RFC 3986) in some responses and as plain JSON in
// others (and moto differs from AWS on which), so text that already starts
// with '{' is returned as is; anything else is percent-decoded without
// turning '+' into a space. ok is false when the text is not valid encoding,
// in which case it is returned unchanged.
func DecodeDocument(s string) (doc string, ok bool) {
	t := strings.TrimSpace(s)
	if t == "" || strings.HasPrefix(t, "{") {
		return t, true
	}
	d, err := url.PathUnescape(t)
	if err != nil {
		return s, false
	}
	return strings.TrimSpace(d), true
}

// setDocument stores a decoded document property; nil stays nil.
func setDocument(e graph.Entity, prop string, raw *string) {
	if raw == nil {
		e.Set(prop, nil)
		return
	}
	doc, ok := DecodeDocument(*raw)
	// The external id is a secret, even inside a trust policy.
	if ok {
		doc = policy.RedactSecrets(doc)
	} else if strings.Contains(strings.ToLower(doc), "externalid") {
		doc = policy.UnparsableSecretDocument // undecodable: not stored at all
	}
	e.Set(prop, doc)
	if !ok {
		e["_undecodedDocument"] = prop
	}
}

func ms(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// setTags stores IAM tags as tag.<Key>, keys verbatim (the analysis matches
// aws:PrincipalTag/<key> conditions against them).
func setTags(e graph.Entity, tags []types.Tag) {
	m := map[string]string{}
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	e.SetTags(m)
}

// tagValue returns the value of the tag whose key equals key case-insensitively.
func tagValue(tags []types.Tag, key string) (string, bool) {
	for _, t := range tags {
		if strings.EqualFold(aws.ToString(t.Key), key) {
			return aws.ToString(t.Value), true
		}
	}
	return "", false
}
