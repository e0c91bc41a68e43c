package schema

// has declares account HAS <type>, written by the type's collection step.
func has(to, step string) *Relationship {
	return declareRel(Relationship{Class: "HAS", From: TypeAccount, To: to, Direct: true, SetBy: step,
		Doc: "The account holds the resource."})
}

// Collection relationships.
var (
	AccountHasVPC           = has(TypeVPC, StepVPCs)
	AccountHasSubnet        = has(TypeSubnet, StepSubnets)
	AccountHasSecurityGroup = has(TypeSecurityGroup, StepSecurityGroups)
	AccountHasPrefixList    = has(TypePrefixList, StepSecurityGroups)
	AccountHasInstance      = has(TypeInstance, StepInstances)
	AccountHasVolume        = has(TypeVolume, StepVolumes)
	AccountHasUser          = has(TypeUser, StepIAM)
	AccountHasGroup         = has(TypeGroup, StepIAM)
	AccountHasRole          = has(TypeRole, StepIAM)
	AccountHasManagedPolicy = has(TypeManagedPolicy, StepIAM)
	AccountHasUserPolicy    = has(TypeUserPolicy, StepIAM)
	AccountHasGroupPolicy   = has(TypeGroupPolicy, StepIAM)
	AccountHasRolePolicy    = has(TypeRolePolicy, StepIAM)
	AccountHasBucket        = has(TypeBucket, StepS3Buckets)
	AccountHasFunction      = has(TypeFunction, StepLambdaFunctions)
	AccountHasRestAPI       = has(TypeRestAPI, StepRestAPIs)
	AccountHasConfigRule    = has(TypeConfigRule, StepConfigRules)

	VPCContainsSubnet = declareRel(Relationship{Class: "CONTAINS", From: TypeVPC, To: TypeSubnet, Direct: true, SetBy: StepSubnets,
		Doc: "The subnet is part of the VPC."})
	VPCHasSecurityGroup = declareRel(Relationship{Class: "HAS", From: TypeVPC, To: TypeSecurityGroup, Direct: true, SetBy: StepSecurityGroups,
		Doc: "The group belongs to the VPC."})
	SubnetHasInstance = declareRel(Relationship{Class: "HAS", From: TypeSubnet, To: TypeInstance, Direct: true, SetBy: StepInstances,
		Doc: "The instance's primary interface is in the subnet."})
	GroupProtectsInstance = declareRel(Relationship{Class: "PROTECTS", From: TypeSecurityGroup, To: TypeInstance, Direct: true, SetBy: StepInstances,
		Doc: "The group is attached to one of the instance's interfaces."})
	InstanceUsesVolume = declareRel(Relationship{Class: "USES", From: TypeInstance, To: TypeVolume, Direct: true, SetBy: StepVolumes,
		Doc: "The volume is attached to the instance.",
		Properties: []Property{str("deviceName", "the device"), str("attachmentState", "attached, ..."),
			boolean("deleteOnTermination", "deleted with the instance")}})

	IAMGroupHasUser = declareRel(Relationship{Class: "HAS", From: TypeGroup, To: TypeUser, Direct: true, SetBy: StepIAM,
		Doc: "The user is a member of the group."})
	UserIsPerson = declareRel(Relationship{Type: "aws_iam_user_is_person", Class: "IS", From: TypeUser, To: TypePerson, Mapped: true, SetBy: StepIAM,
		Doc: "Mapped: filter `_class` + `email`, `skipTargetCreation: true`."})
)

// assigned declares <principal> ASSIGNED <policy>.
func assigned(from, to string) *Relationship {
	return declareRel(Relationship{Class: "ASSIGNED", From: from, To: to, Direct: true, SetBy: StepIAM,
		Doc: "The policy is attached to (or inline in) the principal."})
}

// Policy attachments.
var (
	UserAssignedManagedPolicy  = assigned(TypeUser, TypeManagedPolicy)
	GroupAssignedManagedPolicy = assigned(TypeGroup, TypeManagedPolicy)
	RoleAssignedManagedPolicy  = assigned(TypeRole, TypeManagedPolicy)
	UserAssignedPolicy         = assigned(TypeUser, TypeUserPolicy)
	GroupAssignedPolicy        = assigned(TypeGroup, TypeGroupPolicy)
	RoleAssignedPolicy         = assigned(TypeRole, TypeRolePolicy)
)

// Relationships the build steps derive between collected resources.
var (
	FunctionAssignedRole = declareRel(Relationship{Class: "ASSIGNED", From: TypeFunction, To: TypeRole, Direct: true, Mapped: true, SetBy: StepLambdaRoles,
		Doc: "The function's execution role; mapped (filter `_type` + `_key`) for a role outside the run, `skipTargetCreation` for roles of the collected account."})
	RestAPITriggersFunction = declareRel(Relationship{Class: "TRIGGERS", From: TypeRestAPI, To: TypeFunction, Direct: true, Mapped: true, SetBy: StepAPITriggers,
		Doc: "A method's Lambda integration invokes the function; mapped (filter `_type` + `_key`) for a function outside the run.",
		Properties: props(
			one(str("qualifier", "the alias or version invoked"), str("stage", "the stage variable's stage")),
			list("methods", "`<HTTP method> <resource path>` of each integrated method"),
			list("httpMethods", "the HTTP methods"), list("resourcePaths", "the resource paths"),
			list("integrationTypes", "AWS or AWS_PROXY"))})
	InstanceUsesRole = declareRel(Relationship{Class: "USES", From: TypeInstance, To: TypeRole, Direct: true, SetBy: StepInstanceRoles,
		Doc: "The instance profile's role.", Properties: []Property{str("instanceProfileArn", "the instance profile")}})
	GroupProtectsFunction = declareRel(Relationship{Class: "PROTECTS", From: TypeSecurityGroup, To: TypeFunction, Direct: true, SetBy: StepLambdaGroups,
		Doc: "The group is attached to the function's VPC interfaces."})
)

// ruleProperties are the properties of every security-group rule edge.
var ruleProperties = []Property{
	boolean("ingress", "an inbound rule"), boolean("egress", "an outbound rule"),
	boolean("inbound", "an inbound rule"), boolean("outbound", "an outbound rule"),
	str("ipProtocol", "AWS's protocol (`-1`, `tcp`, `udp`, `icmp`, `icmpv6`, a number)"),
	num("fromPort", "first port (ICMP: type)"), num("toPort", "last port (ICMP: code)"),
	str("portRange", "`tcp:22`, `udp:1000-2000`, `all`"), num("icmpType", "ICMP type"), num("icmpCode", "ICMP code"),
	str("ruleId", "the rule id (`sgr-...`)"), str("securityGroupId", "the group the rule belongs to"),
	str("description", "the rule's description"), str("ipRange", "the CIDR peer"), str("prefixListId", "the prefix-list peer"),
	str("referencedGroupId", "the group peer"), str("referencedAccountId", "the group peer's account"),
	str("vpcPeeringConnectionId", "the peering connection to the group peer"),
}

func allows(from, to string, direct, mapped bool) *Relationship {
	doc := "A security-group rule admits traffic between the two (one edge per rule and peer; direction is the traffic's)."
	if mapped {
		doc += " Mapped: filter `_class` + `CIDR`/`CIDRv6` (network), `ipAddress` (host)."
	}
	return declareRel(Relationship{Class: "ALLOWS", From: from, To: to, Direct: direct, Mapped: mapped, SetBy: StepSGRules,
		Doc: doc, Properties: ruleProperties})
}

// SecurityGroupRules are the rule edges, each direction.
var SecurityGroupRules = func() []*Relationship {
	sg := TypeSecurityGroup
	var out []*Relationship
	for _, t := range []string{TypeInternet, TypeVPC, TypeSubnet, TypeInstance} {
		out = append(out, allows(t, sg, true, false), allows(sg, t, true, false))
	}
	out = append(out, allows(sg, sg, true, true)) // mapped for groups of other accounts
	for _, t := range []string{TypeNetworkPeer, TypeHostPeer} {
		out = append(out, allows(t, sg, false, true), allows(sg, t, false, true))
	}
	return out
}()
