package schema

// Step ids of the routing, load-balancer and reachability steps.
const (
	StepGateways     = "fetch-ec2-gateways"
	StepRouteTables  = "fetch-ec2-route-tables"
	StepNetworkACLs  = "fetch-ec2-network-acls"
	StepELBv2        = "fetch-elbv2-load-balancers"
	StepReachability = "analyze-internet-reachability"
)

// Routing and load-balancer entity types (JupiterOne's names).
const (
	TypeInternetGateway           = "aws_ec2_internet_gateway"
	TypeEgressOnlyInternetGateway = "aws_ec2_egress_only_internet_gateway"
	TypeNATGateway                = "aws_ec2_nat_gateway"
	TypeRouteTable                = "aws_ec2_route_table"
	TypeNetworkACL                = "aws_ec2_network_acl"
	TypeALB                       = "aws_alb"
	TypeNLB                       = "aws_nlb"
	TypeListener                  = "aws_lb_listener"
	TypeTargetGroup               = "aws_lb_target_group"
)

var gatewayProperties = []Property{
	str("gatewayId", "the gateway id"), strs("category", "`[\"network\"]`"), strs("function", "`[\"routing\"]`"),
	boolean("public", "an Internet gateway (the only kind that lets traffic in)"), str("ownerId", "the owning account"),
}

func gateway(typ, doc string, extra ...Property) *Entity {
	return declare(Entity{Type: typ, SetBy: StepGateways, Class: []string{"Gateway"}, AWS: true, Regional: true,
		Key: "gateway ARN", Doc: doc, Properties: append(append([]Property(nil), gatewayProperties...), extra...)})
}

// Gateways, route tables and network ACLs (DescribeInternetGateways,
// DescribeEgressOnlyInternetGateways, DescribeNatGateways,
// DescribeRouteTables, DescribeNetworkAcls).
var (
	InternetGateway = gateway(TypeInternetGateway, "An Internet gateway.",
		strs("attachedVpcIds", "the VPCs it is attached to"))
	EgressOnlyInternetGateway = gateway(TypeEgressOnlyInternetGateway, "An egress-only Internet gateway: IPv6 out, nothing in.",
		strs("attachedVpcIds", "the VPCs it is attached to"))
	NATGateway = gateway(TypeNATGateway, "A NAT gateway: outbound only, it lets nothing in.",
		str("vpcId", "its VPC"), str("subnetId", "its subnet"), str("state", "AWS's state"),
		str("connectivityType", "public or private"), strs("publicIpAddresses", "its Elastic IPs"), num("createdOn", "ms since the epoch"))
	RouteTable = declare(Entity{Type: TypeRouteTable, SetBy: StepRouteTables, Class: []string{"Configuration"}, AWS: true, Regional: true,
		Key: "route table ARN", Doc: "A route table with its routes and associations.",
		Properties: []Property{str("routeTableId", "the id"), str("vpcId", "its VPC"), boolean("main", "the VPC's main table"),
			strs("routes", "each route as a JSON string (destination, target, target kind, state)"),
			strs("associatedSubnetIds", "explicitly associated subnets"), str("ownerId", "the owning account")}})
	NetworkACL = declare(Entity{Type: TypeNetworkACL, SetBy: StepNetworkACLs, Class: []string{"Firewall"}, AWS: true, Regional: true,
		Key: "network ACL ARN", Doc: "A network ACL: stateless, entries evaluated by rule number.",
		Properties: []Property{str("networkAclId", "the id"), str("vpcId", "its VPC"), boolean("isDefault", "the VPC's default ACL"),
			strs("category", "`[\"network\"]`"), boolean("isStateful", "false"),
			strs("entries", "each entry as a JSON string (rule number, direction, protocol, action, CIDR, ports)"),
			num("entryCount", "how many entries"), strs("associatedSubnetIds", "associated subnets"), str("ownerId", "the owning account")}})
)

var loadBalancerProperties = []Property{
	str("arn", "the load balancer ARN"), str("loadBalancerName", "the name"), str("loadBalancerType", "application or network"),
	str("scheme", "internet-facing or internal"), boolean("public", "internet-facing"), boolean("internal", "internal"),
	strs("category", "`[\"network\"]`"), strs("function", "`[\"load-balancing\"]`"), str("vpcId", "its VPC"),
	strs("subnetIds", "its subnets"), strs("availabilityZones", "its zones"), strs("securityGroupIds", "its groups (an NLB may have none)"),
	str("dnsName", "its DNS name"), str("ipAddressType", "ipv4 or dualstack"), str("state", "AWS's state"), num("createdOn", "ms since the epoch"),
}

func loadBalancer(typ, doc string) *Entity {
	return declare(Entity{Type: typ, SetBy: StepELBv2, Class: []string{"Gateway"}, AWS: true, Regional: true,
		Key: "load balancer ARN", Doc: doc, Properties: loadBalancerProperties})
}

// ELBv2 (DescribeLoadBalancers, DescribeListeners, DescribeRules,
// DescribeTargetGroups, DescribeTargetHealth).
var (
	ALB      = loadBalancer(TypeALB, "An application load balancer.")
	NLB      = loadBalancer(TypeNLB, "A network load balancer.")
	Listener = declare(Entity{Type: TypeListener, SetBy: StepELBv2, Class: []string{"ApplicationEndpoint"}, AWS: true, Regional: true,
		Key: "listener ARN", Doc: "A load balancer's listener.",
		Properties: []Property{str("arn", "the listener ARN"), str("loadBalancerArn", "its load balancer"), num("port", "the port"),
			str("address", "`<protocol>://<load balancer DNS name>:<port>`"), str("protocol", "HTTP, HTTPS, TCP, UDP, TLS, ..."),
			strs("targetGroupArns", "every group a default or rule action forwards to"), num("ruleCount", "its rules")}})
	TargetGroup = declare(Entity{Type: TypeTargetGroup, SetBy: StepELBv2, Class: []string{"Group"}, AWS: true, Regional: true,
		Key: "target group ARN", Doc: "A target group with its registered targets.",
		Properties: []Property{str("arn", "the target group ARN"), str("targetGroupName", "the name"),
			str("targetType", "instance, ip, lambda or alb"), num("port", "the targets' port"), str("protocol", "the targets' protocol"),
			str("vpcId", "its VPC"), strs("loadBalancerArns", "the load balancers forwarding to it"),
			strs("targets", "each registered target as a JSON string (id, port, zone, health state)"), strs("targetIds", "the targets' ids"),
			boolean("preserveClientIp", "a Network Load Balancer group's preserve_client_ip.enabled: its targets see the client's address (absent for other groups)")}})
)

// Relationships of the routing and load-balancer steps.
var (
	AccountHasInternetGateway   = has(TypeInternetGateway, StepGateways)
	AccountHasEgressOnlyGateway = has(TypeEgressOnlyInternetGateway, StepGateways)
	AccountHasNATGateway        = has(TypeNATGateway, StepGateways)
	AccountHasRouteTable        = has(TypeRouteTable, StepRouteTables)
	AccountHasNetworkACL        = has(TypeNetworkACL, StepNetworkACLs)
	VPCHasInternetGateway       = vpcHas(TypeInternetGateway, StepGateways)
	VPCHasEgressOnlyGateway     = vpcHas(TypeEgressOnlyInternetGateway, StepGateways)
	VPCHasNATGateway            = vpcHas(TypeNATGateway, StepGateways)
	VPCHasRouteTable            = vpcHas(TypeRouteTable, StepRouteTables)
	VPCHasNetworkACL            = vpcHas(TypeNetworkACL, StepNetworkACLs)
	SubnetUsesRouteTable        = declareRel(Relationship{Class: "USES", From: TypeSubnet, To: TypeRouteTable, Direct: true, SetBy: StepRouteTables,
		Doc: "The subnet's explicit route-table association (others use the VPC's main table)."})
	NetworkACLProtectsSubnet = declareRel(Relationship{Class: "PROTECTS", From: TypeNetworkACL, To: TypeSubnet, Direct: true, SetBy: StepNetworkACLs,
		Doc: "The ACL is associated with the subnet."})

	AccountHasALB         = has(TypeALB, StepELBv2)
	AccountHasNLB         = has(TypeNLB, StepELBv2)
	AccountHasListener    = has(TypeListener, StepELBv2)
	AccountHasTargetGroup = has(TypeTargetGroup, StepELBv2)
	VPCHasALB             = vpcHas(TypeALB, StepELBv2)
	VPCHasNLB             = vpcHas(TypeNLB, StepELBv2)
	GroupProtectsALB      = declareRel(Relationship{Class: "PROTECTS", From: TypeSecurityGroup, To: TypeALB, Direct: true, SetBy: StepELBv2, Doc: "The group is attached to the load balancer."})
	GroupProtectsNLB      = declareRel(Relationship{Class: "PROTECTS", From: TypeSecurityGroup, To: TypeNLB, Direct: true, SetBy: StepELBv2, Doc: "The group is attached to the load balancer."})
	ALBHasListener        = declareRel(Relationship{Class: "HAS", From: TypeALB, To: TypeListener, Direct: true, SetBy: StepELBv2, Doc: "The load balancer's listener."})
	NLBHasListener        = declareRel(Relationship{Class: "HAS", From: TypeNLB, To: TypeListener, Direct: true, SetBy: StepELBv2, Doc: "The load balancer's listener."})
	ListenerConnectsGroup = declareRel(Relationship{Class: "CONNECTS", From: TypeListener, To: TypeTargetGroup, Direct: true, SetBy: StepELBv2,
		Doc: "A default or rule action of the listener forwards to the group."})
	TargetGroupHasInstance = targetHas(TypeInstance, false)
	TargetGroupHasFunction = targetHas(TypeFunction, false)
	TargetGroupHasHost     = targetHas(TypeHostPeer, true)

	InternetAllowsALB = internetAllows(TypeALB)
	InternetAllowsNLB = internetAllows(TypeNLB)
)

func vpcHas(to, step string) *Relationship {
	return declareRel(Relationship{Class: "HAS", From: TypeVPC, To: to, Direct: true, SetBy: step, Doc: "The resource is in the VPC."})
}

func targetHas(to string, mapped bool) *Relationship {
	doc := "A registered target of the group."
	if mapped {
		doc += " IP targets: mapped, filter `_class` + `ipAddress`."
	}
	return declareRel(Relationship{Class: "HAS", From: TypeTargetGroup, To: to, Direct: !mapped, Mapped: mapped, SetBy: StepELBv2, Doc: doc,
		Properties: []Property{num("port", "the target's port (the group's when unset)"), str("healthState", "DescribeTargetHealth's state")}})
}

func internetAllows(to string) *Relationship {
	return declareRel(Relationship{Class: "ALLOWS", From: TypeInternet, To: to, Direct: true, SetBy: StepReachability,
		Doc: "An open listener of an internet-facing load balancer in subnets routed to an Internet gateway: one edge per listener and protocol.",
		Properties: []Property{str("listenerArn", "the listener"), num("port", "its port"), str("protocol", "its protocol"),
			str("ipProtocol", "tcp or udp")}})
}

// reachabilityProperties are derived on instances and functions.
var reachabilityProperties = []Property{
	boolean("internetReachable", "reachable from the Internet on some port (routes, NACLs, groups, load balancers)").by(StepReachability),
	strs("internetReachablePorts", "the merged port ranges reachable from the Internet").by(StepReachability),
	strs("internetReachableVia", "`direct`, then the ARNs of the load balancers that expose it; `[]` when unreachable").by(StepReachability),
	strs("internetReachableFromPrefixes", "`<prefix> <ports>` open only to a narrower prefix routed to an Internet gateway when there is no default route (not counted in internetReachable)").by(StepReachability),
}
