package policy

import "strings"

// IAM-side rules: requests that AWS answers outside policy evaluation. They
// are applied by Evaluate itself, so every caller (the trust and escalation
// analyses included) agrees with AWS. Each rule quotes the AWS documentation
// it rests on.

// alwaysAllowed lists actions AWS allows whatever the policies say.
//
// STS API Reference, GetCallerIdentity: "No permissions are required to
// perform this operation. If an administrator attaches a policy to your
// identity that explicitly denies access to the sts:GetCallerIdentity
// action, you can still perform this operation. Permissions are not required
// because the same information is returned when access is denied."
var alwaysAllowed = map[string]bool{
	"sts:getcalleridentity": true,
}

// awsManagedPolicyImmutable are the actions that would change an AWS managed
// policy (arn:PARTITION:iam::aws:policy/...).
//
// IAM User Guide / AWS Managed Policy Reference, "What are AWS managed
// policies?": "An AWS managed policy is a standalone policy that is created
// and administered by AWS. [...] You cannot change the permissions defined
// in AWS managed policies." Creating, versioning, re-defaulting, deleting
// and tagging such a policy is therefore refused for every caller.
var awsManagedPolicyImmutable = map[string]bool{
	"iam:createpolicy":            true,
	"iam:createpolicyversion":     true,
	"iam:deletepolicy":            true,
	"iam:deletepolicyversion":     true,
	"iam:setdefaultpolicyversion": true,
	"iam:tagpolicy":               true,
	"iam:untagpolicy":             true,
}

// reservedRoleImmutable are the actions refused on the roles AWS services
// own: roles under /aws-reserved/ (IAM Identity Center's AWSReservedSSO_*
// roles under /aws-reserved/sso.amazonaws.com/) and, for the subset in
// serviceLinkedRoleImmutable, service-linked roles (/aws-service-role/).
//
// AWS Managed Policy Reference, AWSSSOServiceRolePolicy: the role-provisioning
// actions (iam:AttachRolePolicy, iam:CreateRole, iam:PutRolePolicy,
// iam:UpdateRole, iam:UpdateRoleDescription, iam:UpdateAssumeRolePolicy,
// iam:PutRolePermissionsBoundary, iam:DeleteRolePermissionsBoundary) are
// granted to IAM Identity Center's service-linked role on
// "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*": the service
// provisions these roles from permission sets, and IAM refuses to change them
// otherwise (they can only be changed by changing the permission set). The
// roles cannot be passed to other services either.
var reservedRoleImmutable = map[string]bool{
	"iam:attachrolepolicy":              true,
	"iam:createrole":                    true,
	"iam:createservicelinkedrole":       true,
	"iam:deleterole":                    true,
	"iam:deleterolepermissionsboundary": true,
	"iam:deleterolepolicy":              true,
	"iam:deleteservicelinkedrole":       true,
	"iam:detachrolepolicy":              true,
	"iam:passrole":                      true,
	"iam:putrolepermissionsboundary":    true,
	"iam:putrolepolicy":                 true,
	"iam:tagrole":                       true,
	"iam:untagrole":                     true,
	"iam:updateassumerolepolicy":        true,
	"iam:updaterole":                    true,
	"iam:updateroledescription":         true,
}

// serviceLinkedRoleImmutable: IAM User Guide, "Update permissions for a
// role": "You cannot modify the permissions policy for a service-linked role
// in IAM." IAM API Reference, UnmodifiableEntity: "The request was rejected
// because service-linked roles are protected AWS resources. Only the service
// that depends on the service-linked role can modify or delete the role on
// your behalf." "Update a service-linked role": "You can edit the description
// of any role from the IAM console, API, or CLI" — so UpdateRoleDescription
// stays allowed, and deletion goes through iam:DeleteServiceLinkedRole.
var serviceLinkedRoleImmutable = map[string]bool{
	"iam:attachrolepolicy":              true,
	"iam:detachrolepolicy":              true,
	"iam:putrolepolicy":                 true,
	"iam:deleterolepolicy":              true,
	"iam:updateassumerolepolicy":        true,
	"iam:putrolepermissionsboundary":    true,
	"iam:deleterolepermissionsboundary": true,
	"iam:deleterole":                    true,
}

// kmsAWSAliasImmutable: AWS KMS Developer Guide, "Create aliases": "The
// alias name for a customer managed key cannot begin with alias/aws/. The
// alias/aws/ prefix is reserved for AWS managed key." and, in the console
// procedure, "You cannot manage aliases for AWS managed keys or AWS owned
// keys."
var kmsAWSAliasImmutable = map[string]bool{
	"kms:createalias": true,
	"kms:deletealias": true,
	"kms:updatealias": true,
}

// IsKMSKey reports whether resource is a KMS key ARN. AWS KMS Developer
// Guide, "Key policies in AWS KMS": "Unless the key policy explicitly allows
// it, you cannot use IAM policies to allow access to a KMS key. Without
// permission from the key policy, IAM policies that allow permissions have no
// effect." Evaluate therefore requires the key policy (the request's
// resource policy) to allow, the principal or its account, as it does for
// role trust policies.
func IsKMSKey(resource string) bool {
	parts := strings.SplitN(resource, ":", 6)
	return len(parts) == 6 && parts[2] == "kms" && strings.HasPrefix(parts[5], "key/")
}

// IAMSideRule reports whether AWS refuses or allows req outside policy
// evaluation: refused is true for a request IAM rejects whatever the
// policies say (an AWS managed policy changed, a reserved or service-linked
// role modified), allowed for one it accepts whatever they say
// (sts:GetCallerIdentity). rule names the rule. (A KMS key's policy being
// required is part of Evaluate's combination logic, see IsKMSKey.)
func IAMSideRule(req Request) (refused, allowed bool, rule string) {
	action := strings.ToLower(req.Action)
	if alwaysAllowed[action] {
		return false, true, "always-allowed"
	}
	parts := strings.SplitN(req.Resource, ":", 6)
	if len(parts) == 6 && parts[2] == "kms" && strings.HasPrefix(parts[5], "alias/aws/") && kmsAWSAliasImmutable[action] {
		return true, false, "kms-aws-alias"
	}
	if len(parts) != 6 || parts[2] != "iam" {
		return false, false, ""
	}
	res := parts[5]
	switch {
	case parts[4] == "aws" && strings.HasPrefix(strings.ToLower(res), "policy/") && awsManagedPolicyImmutable[action]:
		return true, false, "aws-managed-policy"
	case strings.HasPrefix(strings.ToLower(res), "role/aws-reserved/") && reservedRoleImmutable[action]:
		return true, false, "aws-reserved-role"
	case strings.HasPrefix(strings.ToLower(res), "role/aws-service-role/") && serviceLinkedRoleImmutable[action]:
		return true, false, "service-linked-role"
	}
	return false, false, ""
}

// applyIAMSideRules adjusts the policy decision res for req: an
// always-allowed request is Allowed, a refused one is denied. AWS documents
// only that such requests fail, not how the failure is labelled; the label
// follows the reference simulator (@cloud-copilot/iam-simulate): IAM's
// refusals are ImplicitlyDenied even under an explicit deny (IAM rejects
// them whatever the policies say), the KMS alias rule keeps an explicit deny
// explicit.
func applyIAMSideRules(req Request, res Result) Result {
	refused, allowed, rule := IAMSideRule(req)
	switch {
	case allowed:
		res.Decision, res.ConditionKeys = Allowed, nil
	case refused && (rule != "kms-aws-alias" || res.Decision != ExplicitlyDenied):
		res.Decision, res.ConditionKeys = ImplicitlyDenied, nil
	}
	return res
}
