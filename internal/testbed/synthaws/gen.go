// Package synthaws is a synthetic AWS endpoint for benchmarks: a wire-level
// responder that answers every call the collector makes with pages generated
// on the fly from a seed and sizes (EC2 query/XML, IAM and STS query/XML,
// ELBv2 query/XML, S3 REST-XML, Lambda and API Gateway REST-JSON, Config and
// tagging JSON). moto cannot seed or serve a million objects in reasonable
// time; this can, because item i of any list is a pure function of (seed,
// region, i) and nothing is held in memory.
//
// EC2 (VPCs, subnets, security groups and rules, instances, volumes,
// gateways, route tables, ACLs), IAM (GAAD, ListRoles, credential report),
// STS and S3 buckets are generated; the services it does not generate
// (Lambda, API Gateway, Config, ELBv2, NAT gateways, prefix lists) answer
// valid empty lists, so no step is partial. It is for benchmarks and their truth tests only, never a model of
// AWS behaviour beyond the wire format and pagination.
package synthaws

import (
	"fmt"
	"net/url"
	"strings"
)

// Sizes says what the synthetic account holds. EC2 sizes are per region.
type Sizes struct {
	Seed          int64
	AccountID     string
	Regions       []string
	VPCs          int // per region
	SubnetsPerVPC int
	Groups        int // security groups per region (spread over the VPCs)
	RulesPerGroup int // ingress rules per group (each group also has one egress rule)
	Instances     int // per region
	// VolumesPerInstance: every instance has this many attached volumes.
	VolumesPerInstance int
	// DetachedVolumes per region are attached to nothing.
	DetachedVolumes int
	Users           int
	IAMGroups       int
	Roles           int
	Policies        int // customer-managed policies
	Buckets         int // S3 buckets, spread over the regions
	// PageSize caps every page below what the client asks for (0: the
	// client's MaxResults/MaxItems, else 1,000): tests use it to force many
	// pages.
	PageSize int
}

// ForObjects picks sizes for about n graph objects (entities plus
// relationships, analyses included) in two regions. The proportions are
// those of a large estate: mostly instances and volumes, with IAM large
// enough that the analyses run at their documented budgets from 1M up.
func ForObjects(n int) Sizes {
	s := Sizes{
		Seed: 1, AccountID: "210987654321", Regions: []string{"us-east-1", "eu-west-1"},
		SubnetsPerVPC: 4, RulesPerGroup: 6, VolumesPerInstance: 1,
	}
	// Calibrated on a generated run: one unit (60 instances with their
	// volumes and edges, 10 users, 10 roles, 4 policies, ...) gives about
	// 770 objects, analyses included.
	unit := max(n*10/7700, 1)
	s.Instances = 30 * unit  // per region
	s.DetachedVolumes = unit // per region
	s.VPCs = max(unit/20, 1)
	s.Groups = max(2*unit, 2*s.VPCs) // per region
	s.Users = 5 * unit
	s.Roles = 5 * unit
	s.IAMGroups = max(unit/2, 1)
	s.Policies = 2 * unit
	s.Buckets = max(unit/5, 2)
	return s
}

// Truth is what a collection of the account must find.
type Truth struct {
	Instances, Volumes, SecurityGroups, VPCs, Subnets int
	InternetGateways, RouteTables, NetworkACLs        int
	Users, Roles, IAMGroups, Policies, Buckets        int
	// VolumeUses is the "instance USES volume" relationships: attached volumes.
	VolumeUses int
	// Protects is the "security group PROTECTS instance" relationships.
	Protects int
	// SubnetHas is the "subnet HAS instance" relationships.
	SubnetHas int
}

// Truth counts what the generator generates.
func (s Sizes) Truth() Truth {
	r := len(s.Regions)
	t := Truth{
		Instances: r * s.Instances, Volumes: r * (s.Instances*s.VolumesPerInstance + s.DetachedVolumes),
		SecurityGroups: r * s.Groups, VPCs: r * s.VPCs, Subnets: r * s.VPCs * s.SubnetsPerVPC,
		InternetGateways: r * s.VPCs, RouteTables: 2 * r * s.VPCs, NetworkACLs: r * s.VPCs,
		Users: s.Users, Roles: s.Roles, IAMGroups: s.IAMGroups, Policies: s.Policies, Buckets: s.Buckets,
		VolumeUses: r * s.Instances * s.VolumesPerInstance, SubnetHas: r * s.Instances,
	}
	for i := 0; i < s.Instances; i++ {
		t.Protects += r * len(s.instanceGroups(i))
	}
	return t
}

func (s Sizes) regionIndex(region string) int {
	for i, r := range s.Regions {
		if r == region {
			return i
		}
	}
	return -1
}

// id makes an AWS-style resource id unique per region and index.
func id(prefix string, region, i int) string {
	return fmt.Sprintf("%s-%017x", prefix, uint64(region)<<44|uint64(i))
}

func (s Sizes) subnetOf(i int) int { return i % (s.VPCs * s.SubnetsPerVPC) }

func (s Sizes) vpcOfSubnet(sub int) int { return sub / s.SubnetsPerVPC }

// groupsPerVPC: group g belongs to VPC g % VPCs.
func (s Sizes) groupsPerVPC() int { return max(s.Groups/s.VPCs, 1) }

// instanceGroups are the group indexes of instance i (one or two, in its VPC).
func (s Sizes) instanceGroups(i int) []int {
	v := s.vpcOfSubnet(s.subnetOf(i))
	gpv := s.groupsPerVPC()
	a := v + s.VPCs*(i%gpv)
	b := v + s.VPCs*((i*31+7)%gpv)
	if a >= s.Groups {
		a = v
	}
	if b >= s.Groups || b == a {
		return []int{a}
	}
	return []int{a, b}
}

// pick is a deterministic pseudo-random choice in [0, n) for item i of a
// stream (SplitMix64 of seed, stream and index): no state, so any page can
// be generated alone. The seed varies attributes (types, sizes, tags), never
// counts or edges, so Truth holds for every seed.
func (s Sizes) pick(stream, i, n int) int {
	z := uint64(s.Seed)*0x9e3779b97f4a7c15 + uint64(stream)<<40 + uint64(i)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return int((z ^ (z >> 31)) % uint64(n))
}

func (s Sizes) arn(service, region, resource string) string {
	return "arn:aws:" + service + ":" + region + ":" + s.AccountID + ":" + resource
}

func userName(i int) string   { return fmt.Sprintf("user-%06d", i) }
func roleName(i int) string   { return fmt.Sprintf("role-%06d", i) }
func groupName(i int) string  { return fmt.Sprintf("group-%05d", i) }
func policyName(i int) string { return fmt.Sprintf("policy-%05d", i) }

// encode is how IAM returns policy documents: URL-encoded.
func encode(doc string) string { return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20") }
