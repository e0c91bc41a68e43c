package schema

// StepOrganization writes the organization graph (`awsgraph org`), under
// the store instance `aws-organization:<id>`; it is not one of a member
// account's collection steps.
const StepOrganization = "fetch-aws-organization"

// AWS Organizations entity types.
const (
	TypeOrganization        = "aws_organization"
	TypeOrganizationRoot    = "aws_organization_root"
	TypeOrganizationalUnit  = "aws_organizational_unit"
	TypeOrganizationAccount = "aws_organizations_account"
	TypeOrganizationPolicy  = "aws_organizations_policy"
)

// The organization graph.
var (
	Organization = declare(Entity{Type: TypeOrganization, SetBy: StepOrganization, Class: []string{"Organization"},
		Key: "organization ARN", Doc: "The AWS organization read with the management account's role (DescribeOrganization).",
		Properties: []Property{str("organizationId", "`o-...`"), str("featureSet", "ALL or CONSOLIDATED_BILLING"),
			str("managementAccountId", "the management account")}})
	OrganizationRoot = declare(Entity{Type: TypeOrganizationRoot, SetBy: StepOrganization, Class: []string{"Organization", "Group"},
		Key: "root ARN", Doc: "The organization's root (ListRoots).",
		Properties: []Property{str("id", "`r-...`"), boolean("serviceControlPoliciesEnabled", "SCPs are enabled on the root")}})
	OrganizationalUnit = declare(Entity{Type: TypeOrganizationalUnit, SetBy: StepOrganization, Class: []string{"Organization", "Group"},
		Key: "OU ARN", Doc: "An organizational unit on some account's path (ListParents).",
		Properties: []Property{str("id", "`ou-...`")}})
	OrganizationAccount = declare(Entity{Type: TypeOrganizationAccount, SetBy: StepOrganization, Class: []string{"Account"}, AWS: true,
		Key: "the account's Organizations ARN `arn:<p>:organizations::<management>:account/<org>/<id>`",
		Doc: "A member account as the organization lists it (ListAccounts, ListTagsForResource).",
		Properties: []Property{str("email", "the account's root email"), str("state", "ACTIVE, SUSPENDED, ..."),
			str("vendor", "`AWS`"), boolean("management", "the management account"),
			boolean("collected", "an instance event was emitted for it"), str("skippedReason", "why no event was emitted"),
			str("serviceControlPolicyStatus", "`applied`, `notGoverned` or `unknown`")}})
	OrganizationPolicy = declare(Entity{Type: TypeOrganizationPolicy, SetBy: StepOrganization, Class: []string{"AccessPolicy"},
		Key: "SCP ARN", Doc: "A service control policy attached along some account's path.",
		Properties: []Property{str("id", "`p-...`"), str("policyType", "`SERVICE_CONTROL_POLICY`"), str("document", "the policy text")}})
)

func orgRel(from, class, to, doc string) *Relationship {
	return declareRel(Relationship{Class: class, From: from, To: to, Direct: true, SetBy: StepOrganization, Doc: doc})
}

// The organization's tree, SCP attachments and member accounts.
var (
	OrganizationHasRoot          = orgRel(TypeOrganization, "HAS", TypeOrganizationRoot, "The organization's root.")
	RootHasUnit                  = orgRel(TypeOrganizationRoot, "HAS", TypeOrganizationalUnit, "A top-level OU.")
	UnitHasUnit                  = orgRel(TypeOrganizationalUnit, "HAS", TypeOrganizationalUnit, "A child OU.")
	RootHasAccount               = orgRel(TypeOrganizationRoot, "HAS", TypeOrganizationAccount, "An account directly under the root.")
	UnitHasAccount               = orgRel(TypeOrganizationalUnit, "HAS", TypeOrganizationAccount, "An account in the OU.")
	ManagementHasAccount         = orgRel(TypeOrganizationAccount, "HAS", TypeOrganizationAccount, "The management account HAS every other account (JupiterOne's master HAS sub).")
	RootAssignedPolicy           = orgRel(TypeOrganizationRoot, "ASSIGNED", TypeOrganizationPolicy, "An SCP attached to the root.")
	UnitAssignedPolicy           = orgRel(TypeOrganizationalUnit, "ASSIGNED", TypeOrganizationPolicy, "An SCP attached to the OU.")
	AccountAssignedPolicy        = orgRel(TypeOrganizationAccount, "ASSIGNED", TypeOrganizationPolicy, "An SCP attached to the account itself.")
	OrganizationAccountIsAccount = declareRel(Relationship{Class: "IS", From: TypeOrganizationAccount, To: TypeAccount, Mapped: true, SetBy: StepOrganization,
		Doc: "Mapped (`FORWARD`, filter `_type` + `accountId`, no placeholder): resolves when the member's own run is in the store."})
)
