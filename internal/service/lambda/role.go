package lambda

import (
	"context"
	"strings"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
)

const (
	// IAMStepID is the id of the IAM step that adds aws_iam_role entities
	// (keyed by role ARN). It is declared here rather than imported so that
	// this package stays independent of the IAM package; the whole-collection
	// wiring must register a step with this id.
	IAMStepID = schema.StepIAM
	// RoleType is the IAM role entity type produced by the IAM step.
	RoleType = schema.TypeRole
	// RoleStepID relates each function to its execution role.
	RoleStepID = schema.StepLambdaRoles
)

// RoleRelationshipType is `aws_lambda_function_assigned_iam_role`.
var RoleRelationshipType = schema.FunctionAssignedRole.Type

// RoleARNParts splits an IAM role ARN (arn:<p>:iam::<account>:role/<path/>name)
// into its account and role name; ok is false for anything else.
func RoleARNParts(arn string) (accountID, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || parts[4] == "" || !strings.HasPrefix(parts[5], "role/") {
		return "", "", false
	}
	res := strings.TrimPrefix(parts[5], "role/")
	name = res[strings.LastIndex(res, "/")+1:]
	if name == "" {
		return "", "", false
	}
	return parts[4], name, true
}

// RoleRelationship builds "function ASSIGNED its execution role". When the
// role entity is in the graph the edge is direct. Otherwise it is a mapped
// relationship to an aws_iam_role target found by `_type` and `_key` (the
// role ARN): a role of another account may be created as a placeholder, but a
// role of the collected account that the IAM step did not produce (deleted
// role, or IAM not collected) is never invented (skipTargetCreation).
// ok is false when the function names no usable role ARN.
func RoleRelationship(fn graph.Entity, roleArn string, roleInGraph bool, collectedAccountID string) (graph.Relationship, bool) {
	roleAccount, roleName, ok := RoleARNParts(roleArn)
	if !ok {
		return nil, false
	}
	if roleInGraph {
		return graph.DirectByKey(fn.Key(), fn.Type(), "ASSIGNED", roleArn, RoleType, nil), true
	}
	target := map[string]any{
		"_type":       RoleType,
		"_key":        roleArn,
		"_class":      "AccessRole",
		"arn":         roleArn,
		"name":        roleName,
		"displayName": roleName,
		"accountId":   roleAccount,
	}
	return graph.Mapped(RoleRelationshipType, "ASSIGNED", fn, graph.Forward, target, []string{"_type", "_key"}, roleAccount == collectedAccountID, nil), true
}

// RoleStep relates every collected function to its execution role. It runs
// after the IAM step so that roles of the collected account are direct edges.
func RoleStep(s *awsclient.Session) engine.Step {
	return engine.Declare(engine.Step{
		ID:        RoleStepID,
		Name:      "Build Lambda function execution role relationships",
		DependsOn: []string{StepID, IAMStepID},
		Run: func(ctx context.Context, sc *engine.StepContext) error {
			for _, fn := range sc.Job.EntitiesOfType(FunctionType) {
				roleArn := fn.String("role")
				if roleArn == "" {
					continue
				}
				inGraph := false
				if e, ok := sc.Job.Entity(roleArn); ok && e.Type() == RoleType {
					inGraph = true
				}
				rel, ok := RoleRelationship(fn, roleArn, inGraph, s.AccountID)
				if !ok {
					sc.Count("unparsableExecutionRoles", 1)
					sc.Warn("Lambda function " + fn.Key() + " names an execution role that is not an IAM role ARN: " + roleArn)
					continue
				}
				if !inGraph {
					sc.Count("executionRolesMapped", 1)
				}
				if err := sc.AddRelationship(rel); err != nil {
					return err
				}
			}
			return nil
		},
	})
}
