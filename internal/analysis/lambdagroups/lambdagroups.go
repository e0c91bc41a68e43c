// Package lambdagroups relates the security groups of a VPC-attached Lambda
// function to it (aws_ec2_security_group PROTECTS aws_lambda_function), as
// EC2 does for instances, so a group's rules reach the functions it guards.
// It reads the collected graph only.
package lambdagroups

import (
	"context"
	"fmt"

	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
	"github.com/awsgraph/awsgraph/internal/service/lambda"
)

// StepID is the step that adds the edges.
const StepID = schema.StepLambdaGroups

// RelType is the relationship type.
var RelType = schema.GroupProtectsFunction.Type

// Relationships returns group PROTECTS function for every group id a
// function lists that was collected in the function's region, and the number
// of group ids that were not.
func Relationships(functions, groups []graph.Entity) (rels []graph.Relationship, missing int) {
	byRegionID := map[string]graph.Entity{}
	for _, g := range groups {
		byRegionID[g.String(m.PropRegion)+"/"+g.String(m.PropGroupID)] = g
	}
	for _, fn := range functions {
		seen := map[string]bool{}
		for _, id := range fn.Strings("securityGroupIds") {
			if seen[id] {
				continue
			}
			seen[id] = true
			g, ok := byRegionID[fn.String("region")+"/"+id]
			if !ok {
				missing++
				continue
			}
			rels = append(rels, graph.Direct(g, "PROTECTS", fn, nil))
		}
	}
	return rels, missing
}

// Steps returns the step.
func Steps() []engine.Step {
	return []engine.Step{engine.Declare(engine.Step{
		ID:        StepID,
		Name:      "Build security group → Lambda function relationships",
		DependsOn: []string{m.StepSecurityGroups, lambda.StepID},
		Run: func(ctx context.Context, sc *engine.StepContext) error {
			rels, missing := Relationships(sc.Job.EntitiesOfType(lambda.FunctionType), sc.Job.EntitiesOfType(m.TypeSecurityGroup))
			for _, r := range rels {
				if err := sc.AddRelationship(r); err != nil {
					return err
				}
			}
			if missing > 0 {
				sc.Count("functionGroupsNotCollected", missing)
				sc.Warn(fmt.Sprintf("%d security group references of Lambda functions name groups that were not collected", missing))
			}
			return nil
		},
	})}
}
