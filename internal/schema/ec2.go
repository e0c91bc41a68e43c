package schema

// EC2 entity types.
const (
	TypeVPC           = "aws_ec2_vpc"
	TypeSubnet        = "aws_ec2_subnet"
	TypeSecurityGroup = "aws_ec2_security_group"
	TypePrefixList    = "aws_ec2_managed_prefix_list"
	TypeInstance      = "aws_ec2_instance"
	TypeVolume        = "aws_ec2_volume"
)

var networkProps = []Property{
	boolean("public", "the data model's Network.public"),
	boolean("internal", "the data model's Network.internal"),
	str("state", "AWS's state"),
	str("ownerId", "the owning account"),
}

// VPC is an EC2 VPC.
var VPC = declare(Entity{
	Type: TypeVPC, SetBy: StepVPCs, Class: []string{"Network"}, AWS: true, Regional: true,
	Key: "VPC ARN `arn:<p>:ec2:<region>:<owner>:vpc/<id>`",
	Doc: "A VPC (DescribeVpcs).",
	Properties: props(one(
		str("vpcId", "the VPC id"),
		str("CIDR", "the primary IPv4 CIDR"),
		strs("cidrBlocks", "every associated IPv4 CIDR"),
		strs("ipv6CidrBlocks", "every associated IPv6 CIDR (no `CIDRv6`: the data model types it as an address)"),
		boolean("defaultVpc", "the region's default VPC"),
		str("dhcpOptionsId", "the DHCP option set"),
		str("instanceTenancy", "default or dedicated"),
	), networkProps),
})

// Subnet is an EC2 subnet.
var Subnet = declare(Entity{
	Type: TypeSubnet, SetBy: StepSubnets, Class: []string{"Network"}, AWS: true, Regional: true,
	Key: "subnet ARN",
	Doc: "A subnet (DescribeSubnets); `public` is `mapPublicIpOnLaunch`.",
	Properties: props(one(
		str("subnetId", "the subnet id"),
		str("vpcId", "its VPC"),
		str("CIDR", "its IPv4 CIDR"),
		strs("ipv6CidrBlocks", "its IPv6 CIDRs"),
		str("availabilityZone", "its zone"),
		num("availableIpAddressCount", "free IPv4 addresses"),
		boolean("defaultForAz", "the zone's default subnet"),
		boolean("mapPublicIpOnLaunch", "instances get a public IPv4 address"),
		boolean("assignIpv6AddressOnCreation", "interfaces get an IPv6 address"),
	), networkProps),
})

// SecurityGroup is an EC2 security group.
var SecurityGroup = declare(Entity{
	Type: TypeSecurityGroup, SetBy: StepSecurityGroups, Class: []string{"Firewall"}, AWS: true, Regional: true,
	Key: "security group ARN",
	Doc: "A security group with its rules (DescribeSecurityGroups, DescribeSecurityGroupRules).",
	Properties: []Property{
		str("groupId", "the group id"),
		str("groupName", "the group name"),
		str("vpcId", "its VPC"),
		str("description", "AWS's description"),
		strs("category", "`[\"network\"]`"),
		boolean("isStateful", "true: security groups are stateful"),
		strs("ingressRules", "each inbound rule as a JSON string (DescribeSecurityGroupRules shape)"),
		strs("egressRules", "each outbound rule as a JSON string"),
		str("ownerId", "the owning account"),
		boolean("allowsInternetIngress", "a rule admits traffic from the Internet").by(StepSGRules),
		strs("internetIngressPorts", "the merged port ranges (`tcp:22`, `udp:1000-2000`, `all`) open to the Internet").by(StepSGRules),
	},
})

// PrefixList is an EC2 managed prefix list.
var PrefixList = declare(Entity{
	Type: TypePrefixList, SetBy: StepSecurityGroups, Class: []string{"Configuration"}, AWS: true, Regional: true,
	Key: "prefix list ARN",
	Doc: "A managed prefix list named by a security-group rule (DescribeManagedPrefixLists, GetManagedPrefixListEntries).",
	Properties: []Property{
		str("prefixListId", "the prefix list id"),
		str("prefixListName", "its name"),
		strs("entries", "its CIDRs"),
		strs("entryDescriptions", "`<CIDR> <description>` per described entry"),
		str("addressFamily", "IPv4 or IPv6"),
		num("maxEntries", "the maximum size"),
		str("state", "AWS's state"),
		num("version", "the version"),
		str("ownerId", "the owner (an account, or AWS)"),
	},
})

// Instance is an EC2 instance.
var Instance = declare(Entity{
	Type: TypeInstance, SetBy: StepInstances, Class: []string{"Host"}, AWS: true, Regional: true,
	Key: "instance ARN `arn:<p>:ec2:<region>:<account>:instance/<id>`",
	Doc: "An instance (DescribeInstances). The Host class requires the inventory properties; those EC2 cannot tell are null.",
	Properties: append([]Property{
		str("instanceId", "the instance id"),
		str("instanceType", "the instance type"),
		str("imageId", "the AMI"),
		str("state", "pending, running, stopped, ..."),
		boolean("active", "running"),
		str("hostname", "a DNS label: the first label of the private DNS name (`ip-10-0-1-4`)"),
		strs("fqdn", "the private and public DNS names"),
		strs("ipv4Addresses", "private and public IPv4 addresses"),
		strs("macAddresses", "the interfaces' MAC addresses"),
		strs("deviceId", "`[instanceId]`"),
		str("category", "`server`"),
		str("make", "`Amazon Web Services`"),
		str("model", "the instance type"),
		str("osType", "the platform (`linux`, `windows`)"),
		str("osName", "the platform details"),
		str("osDetails", "the platform details"),
		str("serial", "null: EC2 has no serial number"),
		num("lastSeenOn", "null: not an agent-reported host"),
		str("osVersion", "null: EC2 does not tell"),
		str("architecture", "x86_64, arm64, ..."),
		str("platform", "AWS's platform (linux unless windows)"),
		str("platformDetails", "AWS's platform details"),
		str("tenancy", "default, dedicated, host"),
		str("availabilityZone", "its zone"),
		str("subnetId", "its subnet"),
		str("vpcId", "its VPC"),
		strs("securityGroupIds", "its groups"),
		strs("networkInterfaceIds", "its interfaces"),
		str("iamInstanceProfile", "its instance profile ARN"),
		str("keyName", "its key pair"),
		num("launchTime", "ms since the epoch"),
		num("createdOn", "the launch time, ms since the epoch"),
		str("monitoring", "detailed monitoring state"),
		str("rootDeviceType", "ebs or instance-store"),
		str("privateIpAddress", "the primary private IPv4 address"),
		strs("privateIpAddresses", "every private IPv4 address"),
		str("publicIpAddress", "the primary public IPv4 address"),
		strs("publicIpAddresses", "every public IPv4 address"),
		strs("ipv6Addresses", "every IPv6 address of its interfaces"),
		strs("ipAddress", "every address (mapped ALLOWS edges from host peers match it)"),
		str("privateDnsName", "the private DNS name"),
		str("publicDnsName", "the public DNS name"),
		strs("internetOpenPorts", "ports a group admits from the Internet, whatever the address").by(StepSGRules),
		boolean("internetExposed", "a group admits the Internet (the weaker fact)").by(StepSGRules),
	}, reachabilityProperties...),
})

// Volume is an EBS volume.
var Volume = declare(Entity{
	Type: TypeVolume, SetBy: StepVolumes, Class: []string{"DataStore", "Disk"}, AWS: true, Regional: true,
	Key: "volume ARN",
	Doc: "An EBS volume (DescribeVolumes).",
	Properties: []Property{
		str("volumeId", "the volume id"),
		str("volumeType", "gp3, io2, ..."),
		num("size", "GiB"),
		num("iops", "provisioned IOPS"),
		num("throughput", "MiB/s"),
		boolean("encrypted", "encrypted at rest"),
		str("kmsKeyId", "the KMS key"),
		str("encryptionKeyRef", "the KMS key (the data model's name)"),
		str("classification", "null: the content is unknown"),
		str("snapshotId", "the source snapshot"),
		str("state", "AWS's state"),
		str("availabilityZone", "its zone"),
		boolean("multiAttachEnabled", "multi-attach"),
		strs("attachments", "each attachment as a JSON string"),
		strs("attachedInstanceIds", "the instances it is attached to"),
		num("createdOn", "ms since the epoch"),
	},
})
