package schema

// Account and IAM entity types.
const (
	TypeAccount       = "aws_account"
	TypeUser          = "aws_iam_user"
	TypeGroup         = "aws_iam_group"
	TypeRole          = "aws_iam_role"
	TypeManagedPolicy = "aws_iam_managed_policy"
	TypeUserPolicy    = "aws_iam_user_policy"
	TypeGroupPolicy   = "aws_iam_group_policy"
	TypeRolePolicy    = "aws_iam_role_policy"
	// TypePerson is JupiterOne's person entity, the target of a user's
	// mapped IS relationship; awsgraph never writes one.
	TypePerson = "Person"
)

// PolicyTypes are the four IAM policy types, managed first.
var PolicyTypes = []string{TypeManagedPolicy, TypeUserPolicy, TypeGroupPolicy, TypeRolePolicy}

// Account is the collected AWS account.
var Account = declare(Entity{
	Type: TypeAccount, SetBy: StepAccount, Class: []string{"Account"}, AWS: true,
	Key: "`arn:<partition>:iam::<account>:root`",
	Doc: "The collected account, the root of every HAS.",
	Properties: []Property{
		str("partition", "aws, aws-cn, aws-us-gov"),
		str("vendor", "`AWS`"),
		str("alias", "the account alias (Unknown when unreadable)"),
		str("accessURL", "the console sign-in URL"),
		boolean("mfaEnabled", "the root user has MFA (the data model's Account property)").by(StepCredentialReport),
		boolean("rootUserAccessKeyEnabled", "the root user has an active access key").by(StepCredentialReport),
		num("rootUserPasswordLastUsed", "ms since the epoch").by(StepCredentialReport),
	},
})

// policyLevels are the access levels the policy analysis derives on every policy.
var policyLevels = []Property{
	boolean("admin", "allows `*` on `*` (or `iam:*`-equivalent control)").by(StepPolicies),
	boolean("read", "allows a Read-level action").by(StepPolicies),
	boolean("list", "allows a List-level action").by(StepPolicies),
	boolean("write", "allows a Write-level action").by(StepPolicies),
	boolean("permissions", "allows a Permissions-management action").by(StepPolicies),
	boolean("tagging", "allows a Tagging action").by(StepPolicies),
}

var accessKeyProps = func() []Property {
	var out []Property
	for _, n := range []string{"1", "2"} {
		k := "accessKey" + n
		out = append(out,
			boolean(k+"Active", "access key "+n+" is active").by(StepCredentialReport),
			num(k+"LastRotatedOn", "ms since the epoch").by(StepCredentialReport),
			num(k+"LastUsedOn", "ms since the epoch").by(StepCredentialReport),
			str(k+"LastUsedRegion", "region of the last use").by(StepCredentialReport),
			str(k+"LastUsedService", "service of the last use").by(StepCredentialReport))
	}
	return out
}()

// User is an IAM user.
var User = declare(Entity{
	Type: TypeUser, SetBy: StepIAM, Class: []string{"User"}, AWS: true,
	Key: "user ARN",
	Doc: "An IAM user (GetAccountAuthorizationDetails); password and key metadata from the credential report.",
	Properties: props(one(
		str("arn", "the user ARN"),
		str("userId", "the unique id"),
		strs("username", "the user name"),
		strs("shortLoginId", "the name, without the domain when it is an address"),
		str("firstName", "null: IAM does not know"),
		str("lastName", "null: IAM does not know"),
		strs("email", "the name when it is an address, then an `Email` tag's address"),
		str("path", "the IAM path"),
		str("permissionsBoundaryArn", "the boundary policy"),
		num("createdOn", "ms since the epoch"),
		boolean("isMfaEnabled", "has an MFA device").by(StepCredentialReport),
		boolean("passwordEnabled", "has a console password").by(StepCredentialReport),
		num("passwordLastChanged", "ms since the epoch").by(StepCredentialReport),
		num("passwordLastUsed", "ms since the epoch").by(StepCredentialReport),
	), accessKeyProps, escalationProperties),
})

// Group is an IAM group.
var Group = declare(Entity{
	Type: TypeGroup, SetBy: StepIAM, Class: []string{"UserGroup"}, AWS: true,
	Key: "group ARN", Doc: "An IAM group.",
	Properties: []Property{
		str("arn", "the group ARN"), str("groupId", "the unique id"), str("groupName", "the name"),
		str("path", "the IAM path"), num("createdOn", "ms since the epoch"),
	},
})

// Role is an IAM role.
var Role = declare(Entity{
	Type: TypeRole, SetBy: StepIAM, Class: []string{"AccessRole"}, AWS: true,
	Key: "role ARN", Doc: "An IAM role with its trust policy.",
	Properties: append([]Property{
		str("arn", "the role ARN"), str("roleId", "the unique id"), str("roleName", "the name"),
		str("path", "the IAM path"), str("description", "AWS's description (Unknown when ListRoles fails)"),
		str("assumeRolePolicyDocument", "the trust policy, decoded JSON text, `sts:ExternalId` values redacted"),
		str("permissionsBoundaryArn", "the boundary policy"),
		num("maxSessionDuration", "seconds (Unknown when ListRoles fails)"),
		strs("instanceProfileArns", "its instance profiles"),
		num("lastUsedOn", "ms since the epoch"), str("lastUsedRegion", "region of the last use"),
		num("createdOn", "ms since the epoch"),
		boolean("publiclyAssumable", "the trust policy lets any AWS principal in").by(StepTrust),
		strs("publiclyAssumableConditionKeys", "the condition keys that decide it").by(StepTrust),
	}, escalationProperties...),
})

// ManagedPolicy is a managed policy attached in the account.
var ManagedPolicy = declare(Entity{
	Type: TypeManagedPolicy, SetBy: StepIAM, Class: []string{"AccessPolicy"}, AWS: true,
	Key: "policy ARN (AWS-managed policies: `arn:aws:iam::aws:policy/...`)",
	Doc: "A customer- or AWS-managed policy with its default version.",
	Properties: props(one(
		str("arn", "the policy ARN"), str("policyId", "the unique id"), str("policyName", "the name"),
		str("path", "the IAM path"), str("description", "AWS's description"),
		boolean("awsManaged", "an AWS-managed policy"), str("defaultVersionId", "the default version"),
		str("document", "the default version, decoded JSON text, redacted"),
		strs("nonDefaultVersionIds", "a customer managed policy's versions that are not in force"),
		strs("nonDefaultVersionDocuments", "their documents, same order, decoded JSON text, redacted (iam:SetDefaultPolicyVersion can put one in force)"),
		num("attachmentCount", "principals it is attached to"),
		num("permissionsBoundaryUsageCount", "principals it bounds"),
		boolean("isAttachable", "can be attached"),
		num("createdOn", "ms since the epoch"), num("updatedOn", "ms since the epoch"),
	), policyLevels),
})

func inlinePolicy(typ, owner string) *Entity {
	return declare(Entity{
		Type: typ, SetBy: StepIAM, Class: []string{"AccessPolicy"}, AWS: true,
		Key: "`<" + owner + " ARN>|inline-policy|<policy name>`",
		Doc: "An inline policy of a " + owner + ".",
		Properties: props(one(
			str("policyName", "the name"), str("principalArn", "the "+owner+"'s ARN"),
			str("principalName", "the "+owner+"'s name"), boolean("inline", "true"),
			str("document", "the policy, decoded JSON text, redacted"),
		), policyLevels),
	})
}

// The inline policy types.
var (
	UserPolicy  = inlinePolicy(TypeUserPolicy, "user")
	GroupPolicy = inlinePolicy(TypeGroupPolicy, "group")
	RolePolicy  = inlinePolicy(TypeRolePolicy, "role")
)

// Person is JupiterOne's person (mapped target of a user's IS).
var Person = declare(Entity{
	Type: TypePerson, Class: []string{"Person"}, External: true,
	Key: "JupiterOne's", Doc: "Matched by `_class` and `email`; never created (`skipTargetCreation`).",
})
