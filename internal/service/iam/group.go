package iam

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
)

// NewGroupEntity converts a GAAD group.
func NewGroupEntity(acct Account, g types.GroupDetail) graph.Entity {
	arn := aws.ToString(g.Arn)
	name := aws.ToString(g.GroupName)
	e := schema.Group.New(arn, name)
	e.Set("accountId", acct.ID)
	e.Set("arn", arn)
	e.Set("groupName", name)
	e.Set("groupId", g.GroupId)
	e.Set("path", g.Path)
	e.Set("createdOn", ms(g.CreateDate))
	e.Set("webLink", acct.consoleBase()+"groups/"+name)
	return e
}
