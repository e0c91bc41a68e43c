package schema

import (
	"slices"

	"github.com/awsgraph/awsgraph/internal/graph"
)

var policyEdgeProperties = props(
	one(str("effect", "Allow or Deny")),
	list("actions", "the statement's actions"), list("notActions", "the statement's NotAction"),
	list("resources", "the statement's resources"), list("notResources", "the statement's NotResource"),
	one(str("conditions", "the statement's Condition, JSON text"), boolean("conditional", "has a Condition")),
	policyLevels,
)

// PolicyTargetTypes are the types a policy statement may name as resources:
// every AWS resource type a member run collects except inline policies (no
// ARN), and
// the account (the target of `Resource: "*"`).
func PolicyTargetTypes() []string {
	var out []string
	for _, e := range Entities() {
		if e.AWS && e.SetBy != StepOrganization && !slices.Contains(PolicyTypes[1:], e.Type) {
			out = append(out, e.Type)
		}
	}
	return out
}

// PolicyRelationshipType is `<policy type>_{allows,denies}_<target>`.
func PolicyRelationshipType(policyType, class, target string) string {
	return graph.RelationshipType(policyType, class, target)
}

// init declares the policy edges once every entity type is declared.
func init() {
	for _, pt := range PolicyTypes {
		for _, class := range []string{"ALLOWS", "DENIES"} {
			for _, t := range PolicyTargetTypes() {
				declareRel(Relationship{Class: class, From: pt, To: t, Direct: true, SetBy: StepPolicies,
					Doc: "One statement's effect on the resource.", Properties: policyEdgeProperties})
			}
		}
	}
}
