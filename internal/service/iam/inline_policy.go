package iam

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
)

// InlinePolicyKey is the `_key` of an inline policy:
// `<principal ARN>|inline-policy|<policy name>`. It is unique and never equals
// an ARN: principal and policy names cannot contain '|' or '/', so the last
// "|inline-policy|" splits a key into exactly one (principal, name) pair, and
// an IAM ARN's last '/'-segment (a name) never contains '|'.
func InlinePolicyKey(principalArn, policyName string) string {
	return principalArn + "|inline-policy|" + policyName
}

// NewInlinePolicyEntity converts an inline policy of a user, group or role
// (typ is UserPolicyType, GroupPolicyType or RolePolicyType).
func NewInlinePolicyEntity(acct Account, typ string, principal graph.Entity, p types.PolicyDetail) graph.Entity {
	name := aws.ToString(p.PolicyName)
	e := schema.EntityType(typ).New(InlinePolicyKey(principal.Key(), name), name)
	e.Set("accountId", acct.ID)
	e.Set("policyName", name)
	e.Set("principalArn", principal.Key())
	e.Set("principalName", principal.String("name"))
	e.Set("inline", true)
	setDocument(e, "document", p.PolicyDocument)
	section := map[string]string{UserPolicyType: "users/", GroupPolicyType: "groups/", RolePolicyType: "roles/"}[typ]
	e.Set("webLink", acct.consoleBase()+section+principal.String("name"))
	return e
}
