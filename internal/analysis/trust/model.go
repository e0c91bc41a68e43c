// Package trust derives "principal CAN_ASSUME role" relationships from the
// collected IAM graph: each role's trust policy (the resource policy of
// sts:AssumeRole*) together with the identity policies and permission
// boundaries of the collected principals, evaluated with AWS's documented
// logic by internal/policy. It reads the graph only and never calls AWS.
//
// See README.md for what is emitted, the evaluation rules and the limits.
package trust

import (
	"strings"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
)

// StepID is the trust analysis step.
const StepID = schema.StepTrust

// The IAM collection this analysis reads (internal/service/iam). They are
// repeated here so that the analysis does not link the AWS SDK; the
// end-to-end test checks they equal the iam package's constants.
const (
	IAMStepID         = schema.StepIAM
	AccountType       = schema.TypeAccount
	UserType          = schema.TypeUser
	GroupType         = schema.TypeGroup
	RoleType          = schema.TypeRole
	ManagedPolicyType = schema.TypeManagedPolicy
	UserPolicyType    = schema.TypeUserPolicy
	GroupPolicyType   = schema.TypeGroupPolicy
	RolePolicyType    = schema.TypeRolePolicy
)

// Relationship types of the IAM collection the analysis follows.
var (
	relGroupHasUser        = graph.RelationshipType(GroupType, "HAS", UserType)
	relUserManaged         = graph.RelationshipType(UserType, "ASSIGNED", ManagedPolicyType)
	relGroupManaged        = graph.RelationshipType(GroupType, "ASSIGNED", ManagedPolicyType)
	relRoleManaged         = graph.RelationshipType(RoleType, "ASSIGNED", ManagedPolicyType)
	relUserInline          = graph.RelationshipType(UserType, "ASSIGNED", UserPolicyType)
	relGroupInline         = graph.RelationshipType(GroupType, "ASSIGNED", GroupPolicyType)
	relRoleInline          = graph.RelationshipType(RoleType, "ASSIGNED", RolePolicyType)
	followedRelationshipTy = []string{relGroupHasUser, relUserManaged, relGroupManaged, relRoleManaged, relUserInline, relGroupInline, relRoleInline}
)

// Entity types the analysis creates.
const (
	// ServicePrincipalType is one AWS service principal met in a trust
	// policy (lambda.amazonaws.com, ...).
	ServicePrincipalType = schema.TypeServicePrincipal
	// SAMLProviderType and OIDCProviderType are the identity providers
	// trust policies name in Federated (JupiterOne's types). Web identity
	// providers named by host (accounts.google.com,
	// cognito-identity.amazonaws.com, graph.facebook.com, www.amazon.com)
	// are OIDCProviderType entities too.
	SAMLProviderType = schema.TypeSAMLProvider
	OIDCProviderType = schema.TypeOIDCProvider
	// EveryoneType / EveryoneKey: the global Everyone entity of the
	// JupiterOne data model, the source of CAN_ASSUME for roles whose trust
	// policy lets any AWS principal in.
	EveryoneType = schema.TypeEveryone
	EveryoneKey  = "global:everyone"
)

// Class is the relationship verb. The JupiterOne class list has no
// CAN_ASSUME (it has TRUSTS, role → principal); the product contract names
// the relationship CAN_ASSUME, principal → role, so that is what we emit.
const Class = "CAN_ASSUME"

// Relationship types.
var (
	UserCanAssumeType     = schema.UserCanAssumeRole.Type
	RoleCanAssumeType     = schema.RoleCanAssumeRole.Type
	ServiceCanAssumeType  = schema.ServiceCanAssumeRole.Type
	SAMLCanAssumeType     = schema.SAMLCanAssumeRole.Type
	OIDCCanAssumeType     = schema.OIDCCanAssumeRole.Type
	EveryoneCanAssumeType = schema.EveryoneCanAssumeRole.Type
	AccountCanAssumeType  = schema.AccountCanAssumeRole.Type
)

// ServicePrincipalKey is the `_key` of a service principal entity.
func ServicePrincipalKey(service string) string {
	return "service-principal:" + strings.ToLower(service)
}

// ServicePrincipalEntity is the Service entity of an AWS service principal.
func ServicePrincipalEntity(service string) graph.Entity {
	s := strings.ToLower(service)
	e := schema.ServicePrincipal.New(ServicePrincipalKey(s), s)
	e.Set("principal", s)
	e.Set("service", strings.SplitN(s, ".", 2)[0])
	e.Set("category", []string{"infrastructure"})
	e.Set("function", []string{"aws-service-principal"})
	return e
}

// ProviderKey is the `_key` of an identity provider entity: the provider ARN,
// or "web-identity-provider:<host>" for a provider named by host.
func ProviderKey(provider string) string {
	if strings.HasPrefix(provider, "arn:") {
		return provider
	}
	return "web-identity-provider:" + strings.ToLower(provider)
}

// providerType is the entity type of a federated provider.
func providerType(provider string) string {
	if strings.Contains(provider, ":saml-provider/") {
		return SAMLProviderType
	}
	return OIDCProviderType
}

// providerAction is the STS action identities of a provider call.
func providerAction(provider string) string {
	if strings.Contains(provider, ":saml-provider/") {
		return "sts:AssumeRoleWithSAML"
	}
	return "sts:AssumeRoleWithWebIdentity"
}

// ProviderEntity is the Service entity of a federated identity provider.
func ProviderEntity(provider string) graph.Entity {
	typ := providerType(provider)
	name := provider
	acct := ""
	if strings.HasPrefix(provider, "arn:") {
		if parts := strings.SplitN(provider, ":", 6); len(parts) == 6 {
			acct = parts[4]
			if i := strings.IndexByte(parts[5], '/'); i >= 0 {
				name = parts[5][i+1:]
			}
		}
	} else {
		name = strings.ToLower(provider)
	}
	e := schema.EntityType(typ).New(ProviderKey(provider), name)
	if acct != "" {
		e.Set("arn", provider)
		e.Set("accountId", acct)
	}
	e.Set("principal", provider)
	e.Set("category", []string{"security"})
	fn := []string{"IAM", "SSO"}
	if typ == OIDCProviderType {
		fn = []string{"IAM", "identity-federation"}
	}
	e.Set("function", fn)
	return e
}

// EveryoneEntity is the JupiterOne global Everyone entity.
func EveryoneEntity() graph.Entity {
	e := schema.Everyone.New(EveryoneKey, "Everyone")
	e.Set("displayName", "Everyone (Public Global)")
	e.Set("principal", "*")
	e.Set("public", true)
	return e
}
