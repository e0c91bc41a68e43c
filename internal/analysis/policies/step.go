package policies

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/iamactions"
	"github.com/awsgraph/awsgraph/internal/schema"
)

// maxWarnings caps the per-policy warnings; counts are always complete.
const maxWarnings = 100

// policyPropNames are the properties the analysis sets on each policy:
// admin and one flag per access level.
var policyPropNames = func() []string {
	out := []string{"admin"}
	for _, l := range iamactions.AllLevels() {
		out = append(out, l.Flag())
	}
	return out
}()

// Relationships declares, for every policy type, ALLOWS and DENIES to each
// target type (the given ones, IAMTargetTypes and the account).
func Relationships(targetTypes []string) []engine.RelationshipDecl {
	targets := targetSet(targetTypes)
	var out []engine.RelationshipDecl
	for _, pt := range PolicyTypes {
		for _, class := range []string{"ALLOWS", "DENIES"} {
			for _, t := range targets {
				decl := schema.RelationshipType(schema.PolicyRelationshipType(pt, class, t))
				if decl == nil {
					panic("policies: no schema declaration for " + schema.PolicyRelationshipType(pt, class, t))
				}
				out = append(out, engine.Writes(decl)...)
			}
		}
	}
	return out
}

// targetSet is targetTypes + IAMTargetTypes + the account, sorted and
// without duplicates or policy types.
func targetSet(targetTypes []string) []string {
	seen := map[string]bool{}
	for _, pt := range PolicyTypes[1:] { // inline policies have no ARN
		seen[pt] = true
	}
	var out []string
	for _, t := range append(append(append([]string(nil), targetTypes...), IAMTargetTypes...), AccountType) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}

// Steps returns the policy analysis step. deps are the ids of the steps
// that collect the resources policies may name, targetTypes the entity
// types they produce (ForSteps derives both from the steps). The step also
// depends on the IAM and account steps.
func Steps(deps []string, targetTypes []string) []engine.Step {
	all := []string{AccountStepID, IAMStepID}
	for _, d := range deps {
		if d != AccountStepID && d != IAMStepID && d != StepID {
			all = append(all, d)
		}
	}
	targets := targetSet(targetTypes)
	// Resources and the account are matched by key only: their unknown
	// property values (Config rule compliance, tags, the account alias) do
	// not change what a policy names. The policies themselves (documents)
	// are read by value.
	var keyInputs []string
	for _, t := range targets {
		if !slices.Contains(PolicyTypes, t) {
			keyInputs = append(keyInputs, t)
		}
	}
	return []engine.Step{{
		KeyInputs:     keyInputs,
		ID:            StepID,
		Name:          "Analyze IAM policies (ALLOWS / DENIES resources)",
		Relationships: Relationships(targetTypes),
		Properties:    engine.Derives(StepID, schema.DerivedOn(StepID)...),
		DependsOn:     all,
		Run: func(_ context.Context, sc *engine.StepContext) error {
			return run(sc, targets)
		},
	}}
}

// ForSteps is Steps for the resource-collecting steps of a run: every step
// that declares entity types (other than analyses) becomes a dependency and
// its entity types become targets.
func ForSteps(steps []engine.Step) []engine.Step {
	var deps, types []string
	for _, s := range steps {
		if len(s.Entities) == 0 || s.ID == StepID {
			continue
		}
		deps = append(deps, s.ID)
		for _, e := range s.Entities {
			types = append(types, e.Type)
		}
	}
	return Steps(deps, types)
}

func run(sc *engine.StepContext, targets []string) error {
	j := sc.Job
	res := Analyze(j, targets)
	for _, r := range res.Relationships {
		if err := sc.AddRelationship(r); err != nil {
			return err
		}
	}
	for key, props := range res.PolicyProps {
		sc.SetProperties(key, props)
	}
	if len(res.Unparsable) > 0 {
		// What an unparsable document allows is unknown, not "nothing": its
		// edges and access levels stay as the last good run left them.
		err := fmt.Errorf("%d policy documents do not parse (%s, ...)", len(res.Unparsable), res.Unparsable[0])
		sc.Partial(err, sc.Step.DeclaredTypes()...)
		for _, t := range PolicyTypes {
			sc.Unknown(err, engine.Unknown{Type: t, Keys: res.Unparsable, Properties: policyPropNames})
		}
	}
	for k, n := range res.Counts {
		sc.Count(k, n)
	}
	if len(res.UnknownActions.AWSManaged) > 0 {
		sc.Detail("unknownActionsInAWSManagedPolicies", res.UnknownActions.AWSManaged...)
	}
	if len(res.UnknownActions.Customer) > 0 {
		sc.Detail("unknownActionsInCustomerPolicies", res.UnknownActions.Customer...)
	}
	for i, w := range res.Warnings {
		if i == maxWarnings {
			sc.Warn("more policy-analysis warnings omitted (see the step's counts)")
			break
		}
		sc.Warn(w)
	}
	return nil
}
