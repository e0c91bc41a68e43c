package schema

// StepPrivesc is the privilege-escalation analysis.
const StepPrivesc = "analyze-iam-privilege-escalation"

// escalationProperties are derived on users and roles by the escalation
// analysis (docs/schema.md §4).
var escalationProperties = []Property{
	boolean("isAdmin", "effective permissions (policies, groups, boundary, SCPs) allow every IAM action on `*`").by(StepPrivesc),
	boolean("isAdminConditional", "only conditions decide isAdmin").by(StepPrivesc),
	str("isAdminConditionKeys", "the deciding condition keys, comma-separated").by(StepPrivesc),
	boolean("canBecomeAdmin", "reaches an administrator through CAN_ASSUME and escalation edges without being one").by(StepPrivesc),
	str("adminPath", "the shortest chain `principal —technique→ principal …`").by(StepPrivesc),
	num("adminPathLength", "edges on adminPath").by(StepPrivesc),
	boolean("adminPathConditional", "a step of adminPath is conditional").by(StepPrivesc),
	boolean("escalationInputsUnknown", "this run could not derive the answer; the other values are the previous run's").by(StepPrivesc),
}

var escalationEdgeProperties = props(
	one(str("technique", "the escalation technique (`iam:UpdateAssumeRolePolicy`, `iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction`, ...)"),
		str("category", "`become` (gains the target's permissions) or `grant` (can give the target any permission)"),
		str("resource", "the resource the decisive action is evaluated on")),
	list("actions", "the actions the technique needs"),
	one(boolean("conditional", "only conditions decide")),
	list("conditionKeys", "the deciding condition keys"),
)

func escalates(from, to, name string) *Relationship {
	return declareRel(Relationship{Type: name, Class: "MANAGES", From: from, To: to, Direct: true, SetBy: StepPrivesc,
		Doc:        "The source can take control of the target (its credentials, trust, policies or boundary, or code that runs as it); `_key` `<source ARN>|manages:<technique>|<target ARN>`.",
		Properties: escalationEdgeProperties})
}

// Escalation edges, principal → principal whose permissions it gains.
var (
	UserEscalatesToUser = escalates(TypeUser, TypeUser, "aws_iam_user_can_escalate_to_user")
	UserEscalatesToRole = escalates(TypeUser, TypeRole, "aws_iam_user_can_escalate_to_role")
	RoleEscalatesToUser = escalates(TypeRole, TypeUser, "aws_iam_role_can_escalate_to_user")
	RoleEscalatesToRole = escalates(TypeRole, TypeRole, "aws_iam_role_can_escalate_to_role")
)
