// Package instanceroles relates each EC2 instance to the IAM role its
// instance profile carries (aws_ec2_instance USES aws_iam_role): whatever
// runs on the instance holds that role's permissions. It reads the collected
// graph only: the instance's `iamInstanceProfile` ARN and the roles'
// `instanceProfileArns`.
package instanceroles

import (
	"context"
	"fmt"

	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
	"github.com/awsgraph/awsgraph/internal/service/iam"
)

// StepID is the step that adds the instance → role edges.
const StepID = schema.StepInstanceRoles

// RelType is the relationship type.
var RelType = schema.InstanceUsesRole.Type

// Relationships returns one USES edge per instance whose instance profile
// belongs to a collected role, and the number of profiles no collected role
// carries (deleted profiles, or another account's).
func Relationships(instances, roles []graph.Entity) (rels []graph.Relationship, unresolved int) {
	roleOfProfile := map[string]graph.Entity{}
	for _, r := range roles {
		for _, p := range r.Strings("instanceProfileArns") {
			roleOfProfile[p] = r
		}
	}
	for _, in := range instances {
		profile := in.String("iamInstanceProfile")
		if profile == "" {
			continue
		}
		role, ok := roleOfProfile[profile]
		if !ok {
			unresolved++
			continue
		}
		rels = append(rels, graph.Direct(in, "USES", role, map[string]any{"instanceProfileArn": profile}))
	}
	return rels, unresolved
}

// Steps returns the step.
func Steps() []engine.Step {
	return []engine.Step{engine.Declare(engine.Step{
		ID:        StepID,
		Name:      "Build EC2 instance → IAM role relationships",
		DependsOn: []string{m.StepInstances, iam.StepID},
		Run: func(ctx context.Context, sc *engine.StepContext) error {
			rels, unresolved := Relationships(sc.Job.EntitiesOfType(m.TypeInstance), sc.Job.EntitiesOfType(iam.RoleType))
			for _, r := range rels {
				if err := sc.AddRelationship(r); err != nil {
					return err
				}
			}
			if unresolved > 0 {
				sc.Count("instanceProfilesWithoutCollectedRole", unresolved)
				sc.Warn(fmt.Sprintf("%d instances use an instance profile no collected role carries", unresolved))
			}
			return nil
		},
	})}
}
