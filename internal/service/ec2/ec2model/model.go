// Package ec2model is the contract between the EC2 collection steps and the
// analyses that read their output from the graph: the entity and relationship
// type names, the step ids, the property names the analyses rely on, and the
// JSON shape of one security-group rule. It has no AWS SDK dependency, so an
// analysis can import it without importing AWS.
package ec2model

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/awsgraph/awsgraph/internal/schema"
)

// Entity types.
const (
	TypeInstance      = schema.TypeInstance
	TypeVolume        = schema.TypeVolume
	TypeSecurityGroup = schema.TypeSecurityGroup
	TypeVPC           = schema.TypeVPC
	TypeSubnet        = schema.TypeSubnet
	TypePrefixList    = schema.TypePrefixList
)

// Step ids.
const (
	StepVPCs           = schema.StepVPCs
	StepSubnets        = schema.StepSubnets
	StepSecurityGroups = schema.StepSecurityGroups
	StepInstances      = schema.StepInstances
	StepVolumes        = schema.StepVolumes
)

// Relationship types between EC2 entities.
var (
	RelInstanceUsesVolume    = schema.InstanceUsesVolume.Type
	RelGroupProtectsInstance = schema.GroupProtectsInstance.Type
	RelVPCContainsSubnet     = schema.VPCContainsSubnet.Type
	RelSubnetHasInstance     = schema.SubnetHasInstance.Type
	RelVPCHasSecurityGroup   = schema.VPCHasSecurityGroup.Type
)

// Property names other packages read.
const (
	PropCIDR = "CIDR" // Network: primary IPv4 CIDR (or null)
	// PropCIDRv6 is the data model's Network IPv6 CIDR. Data model 0.64.2
	// types it `format: ipv6` (an address, which a CIDR block is not), so VPCs
	// and subnets do not write it: their IPv6 CIDRs are in PropIPv6CIDRBlocks.
	PropCIDRv6            = "CIDRv6"
	PropCIDRBlocks        = "cidrBlocks"       // VPC: every associated IPv4 CIDR
	PropIPv6CIDRBlocks    = "ipv6CidrBlocks"   // VPC/subnet: every associated IPv6 CIDR
	PropVPCID             = "vpcId"            // subnet, security group, instance
	PropGroupID           = "groupId"          // security group
	PropAccountID         = "accountId"        // every entity
	PropRegion            = "region"           // regional entities
	PropIngressRules      = "ingressRules"     // security group: []string of JSON Rule
	PropEgressRules       = "egressRules"      // security group: []string of JSON Rule
	PropPrivateIP         = "privateIpAddress" // instance
	PropPublicIP          = "publicIpAddress"  // instance
	PropIPv6Addresses     = "ipv6Addresses"    // instance: every IPv6 address of its interfaces
	PropPrivateIPs        = "privateIpAddresses"
	PropPrefixListID      = "prefixListId" // prefix list
	PropPrefixListEntries = "entries"      // prefix list: []string of CIDRs
)

// Rule is one security-group rule as stored (JSON-encoded, one string per
// rule) in a group's ingressRules / egressRules. It follows the shape of EC2's
// DescribeSecurityGroupRules: exactly one peer (cidrIpv4, cidrIpv6,
// prefixListId or referencedGroup) per rule. IPProtocol is AWS's value
// ("-1", "tcp", "udp", "icmp", "icmpv6" or a protocol number); FromPort and
// ToPort are AWS's values (-1 or null when not applicable; for ICMP they are
// the ICMP type and code).
type Rule struct {
	RuleID          string    `json:"ruleId,omitempty"`
	IPProtocol      string    `json:"ipProtocol"`
	FromPort        *int32    `json:"fromPort"`
	ToPort          *int32    `json:"toPort"`
	CidrIPv4        string    `json:"cidrIpv4,omitempty"`
	CidrIPv6        string    `json:"cidrIpv6,omitempty"`
	PrefixListID    string    `json:"prefixListId,omitempty"`
	ReferencedGroup *GroupRef `json:"referencedGroup,omitempty"`
	Description     string    `json:"description,omitempty"`
}

// GroupRef is a rule's peer security group.
type GroupRef struct {
	GroupID                string `json:"groupId"`
	UserID                 string `json:"userId,omitempty"`
	VpcID                  string `json:"vpcId,omitempty"`
	VpcPeeringConnectionID string `json:"vpcPeeringConnectionId,omitempty"`
	PeeringStatus          string `json:"peeringStatus,omitempty"`
}

// Signature identifies a rule by its content: protocol, ports and peer. EC2
// refuses two rules with one signature in a group's direction, so it
// identifies the rule whether or not its id could be read.
func (r Rule) Signature() string {
	proto := strings.ToLower(r.IPProtocol)
	port := func(p *int32) string {
		if p == nil || proto == "-1" {
			return "-1"
		}
		return strconv.Itoa(int(*p))
	}
	peer := r.CidrIPv4 + "|" + r.CidrIPv6 + "|" + r.PrefixListID + "|"
	if r.ReferencedGroup != nil {
		peer += r.ReferencedGroup.GroupID
	}
	return proto + "|" + port(r.FromPort) + "|" + port(r.ToPort) + "|" + peer
}

// Encode returns the JSON form stored on the group.
func (r Rule) Encode() string {
	b, err := json.Marshal(r)
	if err != nil { // cannot happen: plain strings and numbers
		panic(err)
	}
	return string(b)
}

// DecodeRule parses one stored rule.
func DecodeRule(s string) (Rule, error) {
	var r Rule
	err := json.Unmarshal([]byte(s), &r)
	return r, err
}
