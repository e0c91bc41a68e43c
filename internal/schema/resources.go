package schema

// S3, Lambda, API Gateway and Config entity types.
const (
	TypeBucket      = "aws_s3_bucket"
	TypeFunction    = "aws_lambda_function"
	TypeRestAPI     = "aws_apigateway_rest_api"
	TypeConfigRule  = "aws_config_rule"
	TypeInternet    = "internet"
	TypeNetworkPeer = "network" // a CIDR peer outside the collected VPCs (mapped)
	TypeHostPeer    = "host"    // a single-address peer (mapped)
)

// Bucket is an S3 bucket.
var Bucket = declare(Entity{
	Type: TypeBucket, SetBy: StepS3Buckets, Class: []string{"DataStore"}, AWS: true, Regional: true,
	Key: "`arn:<p>:s3:::<bucket>`", Doc: "An S3 bucket in its own region, with encryption, versioning, public access block, policy and ACL.",
	Properties: []Property{
		str("arn", "the bucket ARN"), str("bucketName", "the name"), num("createdOn", "ms since the epoch"),
		str("classification", "null: the content is unknown"),
		boolean("encrypted", "default encryption on"), str("encryptionAlgorithm", "AES256, aws:kms, ..."),
		str("encryptionKeyRef", "the KMS key"), boolean("bucketKeyEnabled", "S3 bucket key"),
		boolean("versioningEnabled", "versioning on"), str("versioningStatus", "Enabled or Suspended"),
		boolean("mfaDelete", "MFA delete on"),
		boolean("publicAccessBlockBlockPublicAcls", "bucket-level public access block"),
		boolean("publicAccessBlockBlockPublicPolicy", "bucket-level public access block"),
		boolean("publicAccessBlockIgnorePublicAcls", "bucket-level public access block"),
		boolean("publicAccessBlockRestrictPublicBuckets", "bucket-level public access block"),
		boolean("hasPolicy", "has a bucket policy"), str("policy", "the bucket policy, decoded JSON text, redacted"),
		boolean("public", "public by policy or ACL, after the access block"),
		boolean("publicByPolicy", "the policy grants the public"), boolean("publicByAcl", "the ACL grants the public"),
	},
})

// Function is a Lambda function.
var Function = declare(Entity{
	Type: TypeFunction, SetBy: StepLambdaFunctions, Class: []string{"Function", "Workload"}, AWS: true, Regional: true,
	Key: "unqualified function ARN", Doc: "A Lambda function (ListFunctions); environment variable names only, never values.",
	Properties: append([]Property{
		str("arn", "the function ARN"), str("functionName", "the name"), str("runtime", "the runtime"),
		str("handler", "the handler"), str("memorySize", "MB (a string in the Function schema)"),
		num("timeout", "seconds"), num("ephemeralStorageSize", "MB of /tmp"), strs("architectures", "x86_64, arm64"),
		str("packageType", "Zip or Image"), str("codeSize", "bytes (a string in the Function schema)"),
		str("codeSha256", "the package hash"), str("version", "the version"), str("role", "the execution role ARN"),
		str("kmsKeyArn", "the environment's KMS key"), strs("layers", "layer ARNs"), str("tracingMode", "X-Ray mode"),
		str("state", "AWS's state"), str("lastUpdateStatus", "AWS's last update status"),
		str("lastModified", "AWS's timestamp"), num("updatedOn", "ms since the epoch"), str("description", "AWS's description"),
		str("vpcId", "its VPC"), strs("subnetIds", "its subnets"), strs("securityGroupIds", "its groups"),
		strs("environmentVariableNames", "names only, never values"),
		str("stateReason", "why the function is in its state"), str("deadLetterTargetArn", "the dead-letter queue or topic"),
	}, reachabilityProperties...),
})

// RestAPI is an API Gateway REST API.
var RestAPI = declare(Entity{
	Type: TypeRestAPI, SetBy: StepRestAPIs, Class: []string{"Gateway", "Proxy"}, AWS: true, Regional: true,
	Key: "`arn:<p>:apigateway:<region>::/restapis/<id>`", Doc: "A REST API (GetRestApis); `Proxy` as JupiterOne's AWS integration classes it.",
	Properties: []Property{
		str("arn", "the API ARN"), str("id", "the API id"), str("description", "AWS's description"), str("version", "the version"),
		str("endpointType", "the first endpoint type"), strs("endpointTypes", "EDGE, REGIONAL, PRIVATE"),
		strs("vpcEndpointIds", "for PRIVATE APIs"), str("apiKeySource", "HEADER or AUTHORIZER"),
		boolean("disableExecuteApiEndpoint", "the default endpoint is off"), str("apiStatus", "AWS's API status"),
		str("policy", "the resource policy, decoded JSON text, redacted"),
		boolean("public", "reachable from the Internet (not PRIVATE, endpoint on)"),
		strs("category", "the Gateway category"), strs("function", "the Gateway function"), num("createdOn", "ms since the epoch"),
	},
})

// ConfigRule is an AWS Config rule with its compliance.
var ConfigRule = declare(Entity{
	Type: TypeConfigRule, SetBy: StepConfigRules, Class: []string{"ControlPolicy"}, AWS: true, Regional: true,
	Key: "Config rule ARN", Doc: "A Config rule (DescribeConfigRules) with compliance (DescribeComplianceByConfigRule).",
	Properties: []Property{
		str("arn", "the rule ARN"), str("configRuleId", "the id"), str("configRuleName", "the name"),
		str("description", "AWS's description"), str("owner", "AWS, CUSTOM_LAMBDA, CUSTOM_POLICY"),
		str("sourceIdentifier", "managed rule id or function ARN"), str("createdBy", "the service that created it"),
		str("state", "ACTIVE, ..."), boolean("active", "ACTIVE"), str("inputParameters", "JSON text"),
		str("maximumExecutionFrequency", "periodic frequency"), strs("evaluationModes", "DETECTIVE, PROACTIVE"),
		strs("triggerTypes", "ConfigurationItemChangeNotification, ScheduledNotification, ..."),
		strs("scopeResourceTypes", "resource types in scope"), str("scopeResourceId", "resource id in scope"),
		str("policyRuntime", "Guard rules: the policy runtime"), str("content", "Guard rules: the policy text (not a secret)"),
		str("scopeTagKey", "tag key in scope"), str("scopeTagValue", "tag value in scope"), str("category", "the ControlPolicy category"),
		str("complianceType", "COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE, INSUFFICIENT_DATA"),
		num("complianceStatus", "the data model's fraction: 1 compliant, 0 non-compliant"),
		boolean("compliant", "COMPLIANT"), num("nonCompliantResourceCount", "non-compliant resources"),
		boolean("nonCompliantResourceCountCapped", "the count is AWS's capped value"),
	},
})

// Internet is the data model's global Internet.
var Internet = declare(Entity{
	Type: TypeInternet, SetBy: StepSGRules, AlsoSetBy: []string{StepReachability}, Class: []string{"Internet", "Network"},
	Key: "`global:internet`", Doc: "The Internet, source of ALLOWS for rules open to `0.0.0.0/0` or `::/0`.",
	Properties: []Property{
		str("CIDR", "`0.0.0.0/0`"), str("CIDRv6", "`::/0`"), boolean("public", "true"), boolean("internal", "false"),
	},
})

// The peers of security-group rules outside the collected graph.
var (
	NetworkPeer = declare(Entity{Type: TypeNetworkPeer, Class: []string{"Network"}, External: true,
		Key: "resolved by the store", Doc: "A CIDR peer; mapped by `_class` + `CIDR`/`CIDRv6`."})
	HostPeer = declare(Entity{Type: TypeHostPeer, Class: []string{"Host"}, External: true,
		Key: "resolved by the store", Doc: "A single-address peer; mapped by `_class` + `ipAddress`."})
)
