package schema

// Step ids named by the declarations (SetBy): the steps that write a type or
// derive a property. The steps themselves take their ids from here.
const (
	StepAccount          = "fetch-account"
	StepVPCs             = "fetch-ec2-vpcs"
	StepSubnets          = "fetch-ec2-subnets"
	StepSecurityGroups   = "fetch-ec2-security-groups"
	StepInstances        = "fetch-ec2-instances"
	StepVolumes          = "fetch-ec2-volumes"
	StepIAM              = "fetch-iam"
	StepCredentialReport = "fetch-iam-credential-report"
	StepS3Buckets        = "fetch-s3-buckets"
	StepLambdaFunctions  = "fetch-lambda-functions"
	StepRestAPIs         = "fetch-apigateway-rest-apis"
	StepConfigRules      = "fetch-config-rules"
	StepSGRules          = "analyze-ec2-security-group-rules"
	StepTrust            = "analyze-iam-trust"
	StepPolicies         = "analyze-iam-policies"
	StepLambdaRoles      = "build-lambda-function-role-relationships"
	StepAPITriggers      = "build-apigateway-rest-api-lambda-triggers"
	StepInstanceRoles    = "build-ec2-instance-role-relationships"
	StepLambdaGroups     = "build-lambda-function-security-group-relationships"
)
