package iam

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
)

// IsAWSManaged reports whether a policy ARN names an AWS-managed policy
// (arn:<partition>:iam::aws:policy/...).
func IsAWSManaged(arn string) bool {
	parts := strings.SplitN(arn, ":", 6)
	return len(parts) == 6 && parts[4] == "aws"
}

// selectManagedPolicies returns the ARNs of the managed policies that become
// entities: every customer-managed policy, and every AWS-managed policy that
// is in use (attached, or used as a permissions boundary, by its counts or by
// an attachment GAAD lists). On AWS, GAAD's AWSManagedPolicy filter already
// returns only the policies in use; moto returns all ~1,485 of them.
func selectManagedPolicies(d *Details) map[string]bool {
	used := map[string]bool{}
	mark := func(aps []types.AttachedPolicy) {
		for _, ap := range aps {
			used[aws.ToString(ap.PolicyArn)] = true
		}
	}
	boundary := func(b *types.AttachedPermissionsBoundary) {
		if b != nil && b.PermissionsBoundaryArn != nil {
			used[*b.PermissionsBoundaryArn] = true
		}
	}
	for _, u := range d.Users {
		mark(u.AttachedManagedPolicies)
		boundary(u.PermissionsBoundary)
	}
	for _, g := range d.Groups {
		mark(g.AttachedManagedPolicies)
	}
	for _, r := range d.Roles {
		mark(r.AttachedManagedPolicies)
		boundary(r.PermissionsBoundary)
	}
	keep := map[string]bool{}
	for _, p := range d.Policies {
		arn := aws.ToString(p.Arn)
		if !IsAWSManaged(arn) || used[arn] || aws.ToInt32(p.AttachmentCount) > 0 || aws.ToInt32(p.PermissionsBoundaryUsageCount) > 0 {
			keep[arn] = true
		}
	}
	return keep
}

func countUnattachedAWS(d *Details, keep map[string]bool) int {
	n := 0
	for _, p := range d.Policies {
		if !keep[aws.ToString(p.Arn)] {
			n++
		}
	}
	return n
}

// policyNameFromArn is the last path segment of a policy ARN (moto's GAAD
// omits PolicyName).
func policyNameFromArn(arn string) string {
	if i := strings.LastIndex(arn, "/"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// NewManagedPolicyEntity converts a GAAD managed policy. document is the
// default version's document, decoded.
func NewManagedPolicyEntity(acct Account, p types.ManagedPolicyDetail) graph.Entity {
	arn := aws.ToString(p.Arn)
	name := aws.ToString(p.PolicyName)
	if name == "" {
		name = policyNameFromArn(arn)
	}
	e := schema.ManagedPolicy.New(arn, name)
	e.Set("accountId", acct.ID)
	e.Set("arn", arn)
	e.Set("policyName", name)
	e.Set("policyId", p.PolicyId)
	e.Set("path", p.Path)
	e.Set("description", emptyNil(aws.ToString(p.Description)))
	e.Set("defaultVersionId", p.DefaultVersionId)
	e.Set("attachmentCount", p.AttachmentCount)
	e.Set("permissionsBoundaryUsageCount", p.PermissionsBoundaryUsageCount)
	e.Set("isAttachable", p.IsAttachable)
	e.Set("awsManaged", IsAWSManaged(arn))
	e.Set("createdOn", ms(p.CreateDate))
	e.Set("updatedOn", ms(p.UpdateDate))
	e.Set("webLink", acct.consoleBase()+"policies/"+arn)
	var doc *string
	var otherIDs, otherDocs []string
	for _, v := range p.PolicyVersionList {
		if v.IsDefaultVersion || (p.DefaultVersionId != nil && aws.ToString(v.VersionId) == *p.DefaultVersionId) {
			doc = v.Document
			continue
		}
		if !IsAWSManaged(arn) && v.Document != nil {
			otherIDs = append(otherIDs, aws.ToString(v.VersionId))
			otherDocs = append(otherDocs, versionDocument(*v.Document))
		}
	}
	setDocument(e, "document", doc)
	// The other versions are not in force: they are kept apart from
	// "document" because iam:SetDefaultPolicyVersion can put any of them in
	// force (an escalation). AWS managed policies cannot be re-defaulted by
	// an account, so their many versions are not stored.
	if otherIDs != nil {
		e.Set("nonDefaultVersionIds", otherIDs)
		e.Set("nonDefaultVersionDocuments", otherDocs)
	}
	return e
}

// versionDocument is a non-default version's document as setDocument stores
// a default one: decoded and redacted, or the undecodable-secret marker.
func versionDocument(raw string) string {
	e := graph.Entity{}
	setDocument(e, "document", &raw)
	s, _ := e["document"].(string)
	return s
}

// NewManagedPolicyStub is the entity of an attached managed policy that GAAD
// did not describe: its identity is known, its document is not.
func NewManagedPolicyStub(acct Account, arn, name string) graph.Entity {
	if name == "" {
		name = policyNameFromArn(arn)
	}
	e := schema.ManagedPolicy.New(arn, name)
	e.Set("accountId", acct.ID)
	e.Set("arn", arn)
	e.Set("policyName", name)
	e.Set("awsManaged", IsAWSManaged(arn))
	e.Set("document", nil)
	e.Set("webLink", acct.consoleBase()+"policies/"+arn)
	return e
}

func emptyNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}
