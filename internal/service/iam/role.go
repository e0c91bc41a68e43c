package iam

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
)

// NewRoleEntity converts a GAAD role. extra is the same role from ListRoles
// (description, maxSessionDuration), or nil when ListRoles was not read; the
// two properties are then null.
func NewRoleEntity(acct Account, r types.RoleDetail, extra *types.Role) graph.Entity {
	arn := aws.ToString(r.Arn)
	name := aws.ToString(r.RoleName)
	e := schema.Role.New(arn, name)
	e.Set("accountId", acct.ID)
	e.Set("arn", arn)
	e.Set("roleName", name)
	e.Set("roleId", r.RoleId)
	e.Set("path", r.Path)
	e.Set("createdOn", ms(r.CreateDate))
	e.Set("webLink", acct.consoleBase()+"roles/"+name)
	var boundary *string
	if r.PermissionsBoundary != nil {
		boundary = r.PermissionsBoundary.PermissionsBoundaryArn
	}
	e.Set("permissionsBoundaryArn", boundary)
	setDocument(e, "assumeRolePolicyDocument", r.AssumeRolePolicyDocument)
	var lastUsed, lastRegion any
	if r.RoleLastUsed != nil {
		lastUsed = ms(r.RoleLastUsed.LastUsedDate)
		lastRegion = emptyNil(aws.ToString(r.RoleLastUsed.Region))
	}
	e.Set("lastUsedOn", lastUsed)
	e.Set("lastUsedRegion", lastRegion)
	profiles := make([]string, 0, len(r.InstanceProfileList))
	for _, ip := range r.InstanceProfileList {
		profiles = append(profiles, aws.ToString(ip.Arn))
	}
	e.Set("instanceProfileArns", profiles)
	if extra != nil {
		e.Set("description", emptyNil(aws.ToString(extra.Description)))
		e.Set("maxSessionDuration", extra.MaxSessionDuration)
	} else {
		e.Set("description", nil)
		e.Set("maxSessionDuration", nil)
	}
	setTags(e, r.Tags)
	return e
}
