package schema

// CanAssume is the trust analysis's verb. The data model has no CAN_ASSUME
// (it has TRUSTS, role → principal); the product contract names the
// effective answer CAN_ASSUME, principal → role.
const CanAssume = "CAN_ASSUME"

var canAssumeProperties = props(
	list("actions", "the sts:AssumeRole* actions allowed"),
	one(boolean("conditional", "only conditions decide")),
	list("conditionKeys", "the condition keys that decide it"),
	list("statementIds", "the trust statements that allow it"),
	one(str("sid", "the first allowing statement's Sid"),
		boolean("viaAccountTrust", "the trust names the account, and the principal's own policies allow the call"),
		boolean("permissionsBoundaryUnknown", "the principal's boundary could not be read"),
		num("identityPoliciesUnknown", "how many of the principal's policies could not be read"),
		boolean("serviceControlPoliciesUnknown", "the account's SCPs could not be read: evaluated without them"),
		str("principalArn", "the session or federated-user ARN a trust names")),
)

func canAssume(from string, direct, mapped bool, doc string) *Relationship {
	return declareRel(Relationship{Class: CanAssume, From: from, To: TypeRole, Direct: direct, Mapped: mapped, SetBy: StepTrust,
		Doc: "The principal may assume the role: trust policy and identity side both allow it. " + doc, Properties: canAssumeProperties})
}

// CAN_ASSUME, principal → role.
var (
	UserCanAssumeRole     = canAssume(TypeUser, true, true, "Mapped (`REVERSE`, filter `_key`) for a user of an account outside the run.")
	RoleCanAssumeRole     = canAssume(TypeRole, true, true, "Mapped (`REVERSE`, filter `_key`) for a role of an account outside the run.")
	ServiceCanAssumeRole  = canAssume(TypeServicePrincipal, true, false, "")
	SAMLCanAssumeRole     = canAssume(TypeSAMLProvider, true, false, "")
	OIDCCanAssumeRole     = canAssume(TypeOIDCProvider, true, false, "")
	EveryoneCanAssumeRole = canAssume(TypeEveryone, true, false, "")
	AccountCanAssumeRole  = canAssume(TypeAccount, false, true, "Mapped (`REVERSE`), filter `_type` + `accountId`: an account outside the run.")
)

var trustsProperties = props(
	one(str("effect", "`Allow`")),
	list("actions", "the actions the trust allows the principal"),
	one(boolean("conditional", "only conditions decide")),
	list("conditionKeys", "the condition keys that decide it"),
	list("statementIds", "the allowing statements"),
	list("denyStatementIds", "Deny statements that also name the principal"),
	one(boolean("viaNotPrincipal", "an Allow with NotPrincipal"),
		str("principalArn", "the STS session or federated-user ARN the trust names (key suffixed with it)")),
)

func trusts(to string, mapped bool, doc string) *Relationship {
	return declareRel(Relationship{Class: "TRUSTS", From: TypeRole, To: to, Direct: true, Mapped: mapped, SetBy: StepTrust,
		Doc: "The role's trust policy, as written, allows the principal in. " + doc, Properties: trustsProperties})
}

// TRUSTS, role → principal.
var (
	RoleTrustsUser     = trusts(TypeUser, true, "Mapped (`FORWARD`, filter `_key`) for a user outside the run.")
	RoleTrustsRole     = trusts(TypeRole, true, "Mapped (`FORWARD`, filter `_key`) for a role outside the run.")
	RoleTrustsAccount  = trusts(TypeAccount, true, "Mapped (`FORWARD`, filter `_type` + `accountId`) for an account outside the run.")
	RoleTrustsService  = trusts(TypeServicePrincipal, false, "")
	RoleTrustsSAML     = trusts(TypeSAMLProvider, false, "")
	RoleTrustsOIDC     = trusts(TypeOIDCProvider, false, "")
	RoleTrustsEveryone = trusts(TypeEveryone, false, "")
)
