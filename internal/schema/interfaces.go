package schema

// Step ids of the network-interface, Elastic IP and Classic ELB steps.
const (
	StepNetworkInterfaces = "fetch-ec2-network-interfaces"
	StepElasticIPs        = "fetch-ec2-elastic-ips"
	StepClassicELB        = "fetch-elb-classic-load-balancers"
)

// Entity types, JupiterOne's names (its AWS integration's `aws_eni`,
// `aws_eip` and `aws_elb`).
const (
	TypeNetworkInterface = "aws_eni"
	TypeElasticIP        = "aws_eip"
	TypeClassicELB       = "aws_elb"
)

// NetworkInterface is an elastic network interface (DescribeNetworkInterfaces).
var NetworkInterface = declare(Entity{
	Type: TypeNetworkInterface, SetBy: StepNetworkInterfaces, Class: []string{"NetworkInterface"}, AWS: true, Regional: true,
	Key: "network interface ARN `arn:<p>:ec2:<region>:<owner>:network-interface/<id>`",
	Doc: "A network interface, attached to an instance or standalone (load balancers, NAT gateways, Lambda, ECS tasks own theirs).",
	Properties: append([]Property{
		str("networkInterfaceId", "the id"),
		str("interfaceType", "interface, network_load_balancer, nat_gateway, lambda, ..."),
		str("description", "AWS's description"),
		str("status", "available, in-use, ..."),
		str("subnetId", "its subnet"),
		str("vpcId", "its VPC"),
		str("availabilityZone", "its zone"),
		str("macAddress", "its MAC address"),
		str("ipAddress", "the primary private IPv4 address (the data model's NetworkInterface.ipAddress)"),
		str("privateIpAddress", "the primary private IPv4 address"),
		strs("privateIpAddresses", "every private IPv4 address"),
		str("publicIpAddress", "the public IPv4 address of the primary private address (auto-assigned or Elastic)"),
		strs("publicIpAddresses", "every public IPv4 address associated with one of its private addresses"),
		strs("ipv6Addresses", "its IPv6 addresses"),
		boolean("public", "it has a public IPv4 or an IPv6 address"),
		strs("securityGroupIds", "its groups (an interface's own: a secondary interface may differ from the primary)"),
		str("attachedInstanceId", "the instance it is attached to, if any"),
		num("deviceIndex", "its device index on the instance (0: the primary interface)"),
		str("attachmentStatus", "attached, detached, ..."),
		boolean("requesterManaged", "managed by an AWS service"),
		boolean("sourceDestCheck", "source/destination checking"),
		str("ownerId", "the owning account"),
	}, reachabilityProperties...),
})

// ElasticIP is an Elastic IP address (DescribeAddresses).
var ElasticIP = declare(Entity{
	Type: TypeElasticIP, SetBy: StepElasticIPs, Class: []string{"IpAddress"}, AWS: true, Regional: true,
	Key: "Elastic IP ARN `arn:<p>:ec2:<region>:<account>:elastic-ip/<allocation id>` (the public IP when there is no allocation id)",
	Doc: "An Elastic IP address; associated with an interface it makes that interface public.",
	Properties: []Property{
		str("ipAddress", "the public IPv4 address"),
		str("publicIpAddress", "the public IPv4 address"),
		str("privateIpAddress", "the private address it is associated with"),
		str("allocationId", "the allocation id"),
		str("associationId", "the association id (absent when unassociated)"),
		str("domain", "vpc or standard"),
		str("instanceId", "the instance it is associated with"),
		str("networkInterfaceId", "the interface it is associated with"),
		str("publicIpv4Pool", "the address pool"),
		str("networkBorderGroup", "the border group"),
		boolean("associated", "associated with an interface or instance"),
	},
})

// ClassicELB is a Classic load balancer (elasticloadbalancing 2012-06-01
// DescribeLoadBalancers, DescribeTags).
var ClassicELB = declare(Entity{
	Type: TypeClassicELB, SetBy: StepClassicELB, Class: []string{"Gateway"}, AWS: true, Regional: true,
	Key: "load balancer ARN `arn:<p>:elasticloadbalancing:<region>:<account>:loadbalancer/<name>`",
	Doc: "A Classic load balancer with its listeners and registered instances.",
	Properties: []Property{
		str("arn", "the load balancer ARN"), str("loadBalancerName", "the name"), str("loadBalancerType", "`classic`"),
		str("scheme", "internet-facing or internal"), boolean("public", "internet-facing"), boolean("internal", "internal"),
		strs("category", "`[\"network\"]`"), strs("function", "`[\"load-balancing\"]`"), str("vpcId", "its VPC"),
		strs("subnetIds", "its subnets"), strs("availabilityZones", "its zones"), strs("securityGroupIds", "its groups"),
		str("dnsName", "its DNS name"), num("createdOn", "ms since the epoch"),
		strs("listeners", "each listener as a JSON string (protocol, loadBalancerPort, instanceProtocol, instancePort)"),
		strs("instanceIds", "the registered instances"),
	},
})

// Relationships of the interface, Elastic IP and Classic ELB steps.
var (
	AccountHasNetworkInterface = has(TypeNetworkInterface, StepNetworkInterfaces)
	AccountHasElasticIP        = has(TypeElasticIP, StepElasticIPs)
	AccountHasClassicELB       = has(TypeClassicELB, StepClassicELB)

	InstanceUsesNetworkInterface = declareRel(Relationship{Class: "USES", From: TypeInstance, To: TypeNetworkInterface, Direct: true,
		SetBy: StepNetworkInterfaces, Doc: "The interface is attached to the instance.",
		Properties: []Property{num("deviceIndex", "0 for the primary interface")}})
	SubnetHasNetworkInterface = declareRel(Relationship{Class: "HAS", From: TypeSubnet, To: TypeNetworkInterface, Direct: true,
		SetBy: StepNetworkInterfaces, Doc: "The interface is in the subnet."})
	GroupProtectsNetworkInterface = declareRel(Relationship{Class: "PROTECTS", From: TypeSecurityGroup, To: TypeNetworkInterface, Direct: true,
		SetBy: StepNetworkInterfaces, Doc: "The group is attached to the interface."})
	NetworkInterfaceUsesElasticIP = declareRel(Relationship{Class: "USES", From: TypeNetworkInterface, To: TypeElasticIP, Direct: true,
		SetBy: StepElasticIPs, Doc: "The Elastic IP is associated with the interface."})
	InstanceUsesElasticIP = declareRel(Relationship{Class: "USES", From: TypeInstance, To: TypeElasticIP, Direct: true,
		SetBy: StepElasticIPs, Doc: "The Elastic IP is associated with (an interface of) the instance."})

	VPCHasClassicELB      = vpcHas(TypeClassicELB, StepClassicELB)
	GroupProtectsELB      = declareRel(Relationship{Class: "PROTECTS", From: TypeSecurityGroup, To: TypeClassicELB, Direct: true, SetBy: StepClassicELB, Doc: "The group is attached to the load balancer."})
	ClassicELBHasInstance = declareRel(Relationship{Class: "HAS", From: TypeClassicELB, To: TypeInstance, Direct: true, SetBy: StepClassicELB,
		Doc: "The instance is registered with the load balancer."})
	InternetAllowsClassicELB = internetAllows(TypeClassicELB)
)
