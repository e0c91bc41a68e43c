package schema

// Entity types of the trust analysis.
const (
	TypeServicePrincipal = "aws_iam_service_principal"
	TypeSAMLProvider     = "aws_iam_saml_provider"
	TypeOIDCProvider     = "aws_iam_oidc_provider"
	TypeEveryone         = "everyone"
)

var serviceProps = []Property{
	str("principal", "the principal as trust policies name it"),
	strs("category", "the Service category"), strs("function", "the Service function"),
}

// The principals trust policies name that are not IAM identities.
var (
	ServicePrincipal = declare(Entity{Type: TypeServicePrincipal, SetBy: StepTrust, Class: []string{"Service"},
		Key: "`service-principal:<service principal, lower-cased>`", Doc: "An AWS service principal met in a trust policy.",
		Properties: props(serviceProps, one(str("service", "the service (`lambda`)")))})
	SAMLProvider = declare(Entity{Type: TypeSAMLProvider, SetBy: StepTrust, Class: []string{"Service"},
		Key: "provider ARN", Doc: "A SAML provider named in a trust policy.",
		Properties: props(serviceProps, one(str("arn", "the provider ARN"), str("accountId", "its account")))})
	OIDCProvider = declare(Entity{Type: TypeOIDCProvider, SetBy: StepTrust, Class: []string{"Service"},
		Key:        "provider ARN, or `web-identity-provider:<host>` for providers named by host (Google, Cognito, ...)",
		Doc:        "An OIDC or web-identity provider named in a trust policy.",
		Properties: props(serviceProps, one(str("arn", "the provider ARN (ARN providers)"), str("accountId", "its account (ARN providers)")))})
	// Everyone's class: data model 0.64.2 has no Everyone schema, so the
	// EVERYONE constant's [UserGroup, Everyone] fails its validator;
	// UserGroup is the closest class that has one.
	Everyone = declare(Entity{Type: TypeEveryone, SetBy: StepTrust, Class: []string{"UserGroup"},
		Key: "`global:everyone`", Doc: "Every AWS principal: the source of CAN_ASSUME for publicly assumable roles. `displayName` `Everyone (Public Global)`.",
		Properties: []Property{str("principal", "`*`"), boolean("public", "true")}})
)
