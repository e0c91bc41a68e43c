// Package privesc answers "who can become an administrator, and how": it
// marks effective administrators (isAdmin), derives one escalation
// relationship per (principal, technique, target) from the IAM evaluator
// (internal/policy) on the specific target resource, and closes them with
// the trust analysis's CAN_ASSUME edges into canBecomeAdmin / adminPath /
// adminPathLength. It reads the graph only and never calls AWS.
//
// See README.md for the techniques, the rules and the limits.
package privesc

import (
	"github.com/awsgraph/awsgraph/internal/analysis/instanceroles"
	"github.com/awsgraph/awsgraph/internal/analysis/trust"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/schema"
	"github.com/awsgraph/awsgraph/internal/service/lambda"
)

// StepID is the escalation analysis step.
const StepID = schema.StepPrivesc

// Class is the relationship verb: MANAGES, principal → target. The source
// can take control of the target: of its credentials, its trust policy, its
// permission policies or boundary, or the code that runs as it. MANAGES is
// the data model's verb for one entity controlling another; TRUSTS,
// ASSIGNED and ALLOWS describe grants as they are written (not derived
// control), and EXPLOITS is for vulnerabilities. The _type says what the
// edge means: <source>_can_escalate_to_<target>.
const Class = "MANAGES"

// Entity types read.
const (
	UserType     = trust.UserType
	RoleType     = trust.RoleType
	GroupType    = trust.GroupType
	FunctionType = lambda.FunctionType
)

// Relationship types: source and target are IAM users or roles.
const (
	UserToUserType = "aws_iam_user_can_escalate_to_user" // schema.UserEscalatesToUser
	UserToRoleType = "aws_iam_user_can_escalate_to_role" // schema.UserEscalatesToRole
	RoleToUserType = "aws_iam_role_can_escalate_to_user" // schema.RoleEscalatesToUser
	RoleToRoleType = "aws_iam_role_can_escalate_to_role" // schema.RoleEscalatesToRole
)

// instanceUsesRoleType is the instance → role relationship of the
// instance-role step (SSM takeover).
var instanceUsesRoleType = instanceroles.RelType

// relType is the escalation type between two principal types.
func relType(from, to string) string {
	switch {
	case from == UserType && to == UserType:
		return UserToUserType
	case from == UserType:
		return UserToRoleType
	case to == UserType:
		return RoleToUserType
	}
	return RoleToRoleType
}

// EdgeProperties are the escalation relationship's properties.
var EdgeProperties = []string{"technique", "category", "actions", "actionCount", "conditional", "conditionKeys", "conditionKeyCount", "resource"}

// PrincipalProperties are the derived properties set on users and roles.
// escalationInputsUnknown is this run's marker (never carried over): the
// other values of that principal are the previous run's.
var PrincipalProperties = append([]string{"isAdmin", "isAdminConditional", "isAdminConditionKeys"}, ClosureProperties...)

// ClosureProperties are those that depend on what a principal can reach
// (other principals' policies, functions, instances), not only on its own
// policies.
var ClosureProperties = []string{"canBecomeAdmin", "adminPath", "adminPathLength", "adminPathConditional"}

// Relationships declares the relationship types the step produces.
func Relationships() []engine.RelationshipDecl { return engine.Writes(schema.SetBy(StepID)...) }
