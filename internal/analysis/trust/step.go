package trust

import (
	"context"

	"github.com/awsgraph/awsgraph/internal/engine"
)

// maxWarnings caps the per-policy warnings; counts are always complete.
const maxWarnings = 100

func canAssume(from, relType string, mapped bool) engine.RelationshipDecl {
	return engine.RelationshipDecl{Type: relType, Class: Class, SourceType: from, TargetType: RoleType, Mapped: mapped}
}

// Entities lists the entity types the analysis creates.
func Entities() []engine.EntityDecl {
	return []engine.EntityDecl{
		{Type: ServicePrincipalType, Class: []string{"Service"}},
		{Type: SAMLProviderType, Class: []string{"Service"}},
		{Type: OIDCProviderType, Class: []string{"Service"}},
		{Type: EveryoneType, Class: EveryoneClasses},
	}
}

// Relationships lists every relationship type the analysis produces:
// CAN_ASSUME, principal → role, and TRUSTS, role → principal. The user,
// role and account types are also used, mapped, for principals of accounts
// that were not collected.
func Relationships() []engine.RelationshipDecl {
	return []engine.RelationshipDecl{
		canAssume(UserType, UserCanAssumeType, false),
		canAssume(RoleType, RoleCanAssumeType, false),
		canAssume(ServicePrincipalType, ServiceCanAssumeType, false),
		canAssume(SAMLProviderType, SAMLCanAssumeType, false),
		canAssume(OIDCProviderType, OIDCCanAssumeType, false),
		canAssume(EveryoneType, EveryoneCanAssumeType, false),
		canAssume(AccountType, AccountCanAssumeType, true),
		trusts(UserType, RoleTrustsUserType, false),
		trusts(UserType, RoleTrustsUserType, true),
		trusts(RoleType, RoleTrustsRoleType, false),
		trusts(RoleType, RoleTrustsRoleType, true),
		trusts(AccountType, RoleTrustsAccountType, false),
		trusts(AccountType, RoleTrustsAccountType, true),
		trusts(ServicePrincipalType, RoleTrustsServiceType, false),
		trusts(SAMLProviderType, RoleTrustsSAMLType, false),
		trusts(OIDCProviderType, RoleTrustsOIDCType, false),
		trusts(EveryoneType, RoleTrustsEveryoneType, false),
	}
}

func trusts(to, relType string, mapped bool) engine.RelationshipDecl {
	return engine.RelationshipDecl{Type: relType, Class: TrustsClass, SourceType: RoleType, TargetType: to, Mapped: mapped}
}

// Steps returns the trust analysis step. It reads the graph only.
func Steps() []engine.Step { return StepsWith(Options{}) }

// StepsWith is Steps with the account's service control policies.
func StepsWith(opts Options) []engine.Step {
	return []engine.Step{{
		ID:            StepID,
		Name:          "Analyze IAM role trust (TRUSTS, CAN_ASSUME)",
		Entities:      Entities(),
		Relationships: Relationships(),
		Properties: []engine.PropertyDecl{{Type: RoleType,
			Properties: []string{"publiclyAssumable", "publiclyAssumableConditionKeys"}}},
		DependsOn: []string{IAMStepID},
		Run:       func(ctx context.Context, sc *engine.StepContext) error { return run(ctx, sc, opts) },
	}}
}

func run(_ context.Context, sc *engine.StepContext, opts Options) error {
	j := sc.Job
	res := AnalyzeWith(j, opts)
	for _, e := range res.Entities {
		if j.HasKey(e.Key()) {
			continue // e.g. Everyone, added by another analysis
		}
		if err := sc.AddEntity(e); err != nil {
			return err
		}
	}
	for _, r := range res.Relationships {
		if err := sc.AddRelationship(r); err != nil {
			return err
		}
	}
	for _, r := range res.Trusts {
		if err := sc.AddRelationship(r); err != nil {
			return err
		}
	}
	for key, props := range res.RoleProps {
		sc.SetProperties(key, props)
	}
	for k, n := range res.Counts {
		sc.Count(k, n)
	}
	for i, w := range res.Warnings {
		if i == maxWarnings {
			sc.Warn("more trust-analysis warnings omitted (see the step's counts)")
			break
		}
		sc.Warn(w)
	}
	return nil
}
