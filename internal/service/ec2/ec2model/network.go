package ec2model

import (
	"encoding/json"

	"github.com/awsgraph/awsgraph/internal/schema"
)

// Routing and network-ACL types (issue 12): the gateways, route tables and
// network ACLs the reachability analysis reads.
const (
	TypeInternetGateway           = schema.TypeInternetGateway
	TypeEgressOnlyInternetGateway = schema.TypeEgressOnlyInternetGateway
	TypeNATGateway                = schema.TypeNATGateway
	TypeRouteTable                = schema.TypeRouteTable
	TypeNetworkACL                = schema.TypeNetworkACL
)

// Step ids of the routing steps.
const (
	StepGateways    = schema.StepGateways
	StepRouteTables = schema.StepRouteTables
	StepNetworkACLs = schema.StepNetworkACLs
)

// Relationship types of the routing steps.
var (
	RelVPCHasInternetGateway    = schema.VPCHasInternetGateway.Type
	RelVPCHasEgressOnlyGateway  = schema.VPCHasEgressOnlyGateway.Type
	RelVPCHasNATGateway         = schema.VPCHasNATGateway.Type
	RelVPCHasRouteTable         = schema.VPCHasRouteTable.Type
	RelSubnetUsesRouteTable     = schema.SubnetUsesRouteTable.Type
	RelVPCHasNetworkACL         = schema.VPCHasNetworkACL.Type
	RelNetworkACLProtectsSubnet = schema.NetworkACLProtectsSubnet.Type
)

// Properties of the routing entities the analysis reads.
const (
	PropGatewayID         = "gatewayId"           // internet / egress-only / NAT gateway
	PropAttachedVPCIDs    = "attachedVpcIds"      // internet / egress-only gateway: VPCs it is attached to (state available/attached)
	PropRouteTableID      = "routeTableId"        // route table
	PropMain              = "main"                // route table: the VPC's main table
	PropRoutes            = "routes"              // route table: []string of JSON Route
	PropAssociatedSubnets = "associatedSubnetIds" // route table / network ACL: explicitly associated subnets
	PropNetworkACLID      = "networkAclId"        // network ACL
	PropACLEntries        = "entries"             // network ACL: []string of JSON ACLEntry
)

// Route is one route of a route table as stored (JSON, one string per
// route). Exactly one destination is set; Target is the id of what the
// route sends to (igw-…, eigw-…, nat-…, local, pcx-…, …) and TargetKind
// names it: "gateway" (an Internet or virtual private gateway, or "local"),
// "egress-only-gateway", "nat-gateway", "instance", "network-interface",
// "transit-gateway", "vpc-peering", "carrier-gateway", "local-gateway",
// "core-network".
type Route struct {
	DestinationCIDR       string `json:"destinationCidrBlock,omitempty"`
	DestinationIPv6CIDR   string `json:"destinationIpv6CidrBlock,omitempty"`
	DestinationPrefixList string `json:"destinationPrefixListId,omitempty"`
	Target                string `json:"target"`
	TargetKind            string `json:"targetKind"`
	State                 string `json:"state,omitempty"` // active or blackhole
}

// ACLEntry is one network-ACL entry as stored (JSON, one string per entry).
// Protocol is AWS's value ("-1" or a protocol number, "6" for TCP);
// FromPort/ToPort are set for TCP and UDP only.
type ACLEntry struct {
	RuleNumber int32  `json:"ruleNumber"`
	Egress     bool   `json:"egress"`
	Protocol   string `json:"protocol"`
	Action     string `json:"ruleAction"` // allow or deny
	CidrIPv4   string `json:"cidrBlock,omitempty"`
	CidrIPv6   string `json:"ipv6CidrBlock,omitempty"`
	FromPort   *int32 `json:"fromPort,omitempty"`
	ToPort     *int32 `json:"toPort,omitempty"`
}

// EncodeJSON returns the JSON form of a stored route or entry.
func EncodeJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil { // cannot happen: plain strings and numbers
		panic(err)
	}
	return string(b)
}

// DecodeRoute parses one stored route.
func DecodeRoute(s string) (Route, error) {
	var r Route
	err := json.Unmarshal([]byte(s), &r)
	return r, err
}

// DecodeACLEntry parses one stored network-ACL entry.
func DecodeACLEntry(s string) (ACLEntry, error) {
	var e ACLEntry
	err := json.Unmarshal([]byte(s), &e)
	return e, err
}

// Network interfaces and Elastic IPs: the per-interface addresses, subnet
// and groups the reachability analysis evaluates one interface at a time.
const (
	TypeNetworkInterface  = schema.TypeNetworkInterface
	TypeElasticIP         = schema.TypeElasticIP
	StepNetworkInterfaces = schema.StepNetworkInterfaces
	StepElasticIPs        = schema.StepElasticIPs

	PropNetworkInterfaceID = "networkInterfaceId" // interface, Elastic IP
	PropAttachedInstanceID = "attachedInstanceId" // interface: its instance, if any
	PropDeviceIndex        = "deviceIndex"        // interface: 0 for an instance's primary interface
	PropSecurityGroupIDs   = "securityGroupIds"   // interface, instance
	PropSubnetID           = "subnetId"           // interface, instance
	PropPublicIPs          = "publicIpAddresses"  // interface, instance: every public IPv4 address
	PropInstanceID         = "instanceId"         // instance, Elastic IP
)
