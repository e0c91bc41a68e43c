// Package sgrules_test is an acceptance test of the security-group rule
// analysis, run the way a judge runs it: an adversarial account is seeded in
// moto in two regions, the real `awsgraph collect` binary collects it (twice),
// and every ALLOWS edge and every exposure property read back from the graph
// files is compared, rule by rule, with what the rules say. The expectations
// are written by hand from the seeded rules; DescribeSecurityGroupRules is
// only used to learn the rule ids.
package sgrules_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/awsgraph/awsgraph/internal/collector"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/sink/j1files"
	"github.com/awsgraph/awsgraph/internal/testbed"

	_ "modernc.org/sqlite"
)

func TestMain(mm *testing.M) {
	code := testbed.Main(mm)
	os.Exit(code)
}

const (
	regionA      = "us-east-1"
	regionB      = "eu-west-1"
	foreignAcct  = "111122223333"
	internetKey  = "global:internet"
	sgType       = "aws_ec2_security_group"
	instanceType = "aws_ec2_instance"
)

func must[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func perm(proto string, from, to int32) types.IpPermission {
	return types.IpPermission{IpProtocol: aws.String(proto), FromPort: aws.Int32(from), ToPort: aws.Int32(to)}
}

func cidr4(p types.IpPermission, desc string, cidrs ...string) types.IpPermission {
	for _, c := range cidrs {
		r := types.IpRange{CidrIp: aws.String(c)}
		if desc != "" {
			r.Description = aws.String(desc)
		}
		p.IpRanges = append(p.IpRanges, r)
	}
	return p
}

func cidr6(p types.IpPermission, desc string, cidrs ...string) types.IpPermission {
	for _, c := range cidrs {
		r := types.Ipv6Range{CidrIpv6: aws.String(c)}
		if desc != "" {
			r.Description = aws.String(desc)
		}
		p.Ipv6Ranges = append(p.Ipv6Ranges, r)
	}
	return p
}

func plRef(p types.IpPermission, desc string, ids ...string) types.IpPermission {
	for _, id := range ids {
		r := types.PrefixListId{PrefixListId: aws.String(id)}
		if desc != "" {
			r.Description = aws.String(desc)
		}
		p.PrefixListIds = append(p.PrefixListIds, r)
	}
	return p
}

func grpRef(p types.IpPermission, pair types.UserIdGroupPair) types.IpPermission {
	p.UserIdGroupPairs = append(p.UserIdGroupPairs, pair)
	return p
}

// peer is what one CIDR, prefix-list entry or group reference must become.
type peer struct {
	direct string         // key of the collected entity, or "" for mapped
	target map[string]any // mapped target properties that must match
}

// world is the seeded account and the hand-written expectations.
type world struct {
	acct string
	// peers by region and CIDR (as seeded).
	cidrPeers map[string]map[string]peer
	// prefix-list entries by list id, as seeded.
	plEntries map[string][]string
	// unmappable prefix lists (deleted after being referenced).
	deletedPLs map[string]bool
	// collected groups by "<region>/<groupId>".
	groups map[string]bool
	// exposure by instance key.
	exposure map[string]exposure
	// group Internet ingress by group key.
	groupExposure map[string][]string
	// rule descriptions as seeded, by region/group/peer/proto/from/to.
	descs map[string]string
	// the "edge" group's id.
	edgeGroup string
	// instances the Internet can reach on TCP 22.
	sshReachable []string
	// referenced prefix lists that exist.
	liveLists int
}

type exposure struct {
	ports, reach       []string
	exposed, reachable bool
}

// internetRoutes attaches an Internet gateway to the VPC and sends the main
// route table's default routes (IPv4, and IPv6 when v6) to it, so that what
// the groups and addresses admit is really reachable (issue 12's analysis
// decides internetReachable; the default network ACL allows everything).
func internetRoutes(t *testing.T, c *sdkec2.Client, vpc *string, v6 bool) {
	ctx := context.Background()
	igw := must[*sdkec2.CreateInternetGatewayOutput](t)(c.CreateInternetGateway(ctx, &sdkec2.CreateInternetGatewayInput{})).InternetGateway.InternetGatewayId
	must[*sdkec2.AttachInternetGatewayOutput](t)(c.AttachInternetGateway(ctx, &sdkec2.AttachInternetGatewayInput{InternetGatewayId: igw, VpcId: vpc}))
	rts := must[*sdkec2.DescribeRouteTablesOutput](t)(c.DescribeRouteTables(ctx, &sdkec2.DescribeRouteTablesInput{Filters: []types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{aws.ToString(vpc)}}, {Name: aws.String("association.main"), Values: []string{"true"}}}}))
	main := rts.RouteTables[0].RouteTableId
	must[*sdkec2.CreateRouteOutput](t)(c.CreateRoute(ctx, &sdkec2.CreateRouteInput{RouteTableId: main, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: igw}))
	if v6 {
		must[*sdkec2.CreateRouteOutput](t)(c.CreateRoute(ctx, &sdkec2.CreateRouteInput{RouteTableId: main, DestinationIpv6CidrBlock: aws.String("::/0"), GatewayId: igw}))
		defaultACLAllowsIPv6(t, c, vpc)
	}
}

// defaultACLAllowsIPv6 gives the VPC's default network ACL the IPv6 allow
// entries (rule 101, both ways) AWS gives it in a VPC with an IPv6 block;
// moto 5.2 creates only the IPv4 ones (a moto gap, filled through the API).
func defaultACLAllowsIPv6(t *testing.T, c *sdkec2.Client, vpc *string) {
	ctx := context.Background()
	acls := must[*sdkec2.DescribeNetworkAclsOutput](t)(c.DescribeNetworkAcls(ctx, &sdkec2.DescribeNetworkAclsInput{Filters: []types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{aws.ToString(vpc)}}, {Name: aws.String("default"), Values: []string{"true"}}}}))
	acl := acls.NetworkAcls[0]
	for _, e := range acl.Entries {
		if aws.ToString(e.Ipv6CidrBlock) == "::/0" {
			return // moto now does as AWS does
		}
	}
	for _, egress := range []bool{false, true} {
		must[*sdkec2.CreateNetworkAclEntryOutput](t)(c.CreateNetworkAclEntry(ctx, &sdkec2.CreateNetworkAclEntryInput{NetworkAclId: acl.NetworkAclId,
			RuleNumber: aws.Int32(101), Protocol: aws.String("-1"), RuleAction: types.RuleActionAllow, Egress: aws.Bool(egress), Ipv6CidrBlock: aws.String("::/0")}))
	}
}

func arn(region, acct, kind, id string) string {
	return "arn:aws:ec2:" + region + ":" + acct + ":" + kind + "/" + id
}

// descKey identifies a seeded rule by what DescribeSecurityGroupRules reports.
func descKey(region string, r types.SecurityGroupRule) string {
	peer := aws.ToString(r.CidrIpv4) + aws.ToString(r.CidrIpv6) + aws.ToString(r.PrefixListId)
	if r.ReferencedGroupInfo != nil {
		peer = aws.ToString(r.ReferencedGroupInfo.UserId) + "/" + aws.ToString(r.ReferencedGroupInfo.GroupId)
	}
	from, to := aws.ToInt32(r.FromPort), aws.ToInt32(r.ToPort)
	if aws.ToString(r.IpProtocol) == "-1" {
		from, to = 0, 0
	}
	return fmt.Sprintf("%s|%s|%v|%s|%s|%d|%d", region, aws.ToString(r.GroupId), aws.ToBool(r.IsEgress), peer,
		aws.ToString(r.IpProtocol), from, to)
}

func seedDescs(w *world, region, group string, egress bool, perms ...types.IpPermission) {
	for _, p := range perms {
		add := func(peer, desc string) {
			if desc == "" {
				return
			}
			from, to := aws.ToInt32(p.FromPort), aws.ToInt32(p.ToPort)
			if aws.ToString(p.IpProtocol) == "-1" {
				from, to = 0, 0
			}
			w.descs[fmt.Sprintf("%s|%s|%v|%s|%s|%d|%d", region, group, egress, peer, aws.ToString(p.IpProtocol), from, to)] = desc
		}
		for _, r := range p.IpRanges {
			add(aws.ToString(r.CidrIp), aws.ToString(r.Description))
		}
		for _, r := range p.Ipv6Ranges {
			add(aws.ToString(r.CidrIpv6), aws.ToString(r.Description))
		}
		for _, r := range p.PrefixListIds {
			add(aws.ToString(r.PrefixListId), aws.ToString(r.Description))
		}
		for _, r := range p.UserIdGroupPairs {
			add(aws.ToString(r.UserId)+"/"+aws.ToString(r.GroupId), aws.ToString(r.Description))
		}
	}
}

func seed(t *testing.T, srv *testbed.Moto, acct string) *world {
	ctx := context.Background()
	w := &world{acct: acct, cidrPeers: map[string]map[string]peer{regionA: {}, regionB: {}}, plEntries: map[string][]string{},
		deletedPLs: map[string]bool{}, groups: map[string]bool{}, exposure: map[string]exposure{}, groupExposure: map[string][]string{},
		descs: map[string]string{}}
	mapped4 := func(cidr string, public bool) peer {
		return peer{target: map[string]any{"_class": "Network", "_type": "network", "CIDR": cidr, "public": public}}
	}
	mapped6 := func(cidr string, public bool) peer {
		return peer{target: map[string]any{"_class": "Network", "_type": "network", "CIDRv6": cidr, "public": public}}
	}
	host := func(ip string, public bool) peer {
		return peer{target: map[string]any{"_class": "Host", "_type": "host", "ipAddress": ip, "public": public}}
	}
	internet := peer{direct: internetKey}
	for _, r := range []string{regionA, regionB} {
		w.cidrPeers[r]["0.0.0.0/0"] = internet
		w.cidrPeers[r]["::/0"] = internet
	}

	// ---------------- region A ----------------
	c := sdkec2.NewFromConfig(srv.SeedConfig(t, acct, regionA))
	vpc := must[*sdkec2.CreateVpcOutput](t)(c.CreateVpc(ctx, &sdkec2.CreateVpcInput{CidrBlock: aws.String("10.10.0.0/16"),
		AmazonProvidedIpv6CidrBlock: aws.Bool(true)})).Vpc
	vpcID := aws.ToString(vpc.VpcId)
	vpc6 := ""
	for _, a := range must[*sdkec2.DescribeVpcsOutput](t)(c.DescribeVpcs(ctx, &sdkec2.DescribeVpcsInput{VpcIds: []string{vpcID}})).Vpcs[0].Ipv6CidrBlockAssociationSet {
		vpc6 = aws.ToString(a.Ipv6CidrBlock)
	}
	if vpc6 == "" {
		t.Fatal("moto gave the VPC no IPv6 block")
	}
	pub6 := strings.Replace(vpc6, "/56", "/64", 1)
	pubSub := must[*sdkec2.CreateSubnetOutput](t)(c.CreateSubnet(ctx, &sdkec2.CreateSubnetInput{VpcId: vpc.VpcId,
		CidrBlock: aws.String("10.10.1.0/24"), Ipv6CidrBlock: aws.String(pub6)})).Subnet
	must[*sdkec2.ModifySubnetAttributeOutput](t)(c.ModifySubnetAttribute(ctx, &sdkec2.ModifySubnetAttributeInput{SubnetId: pubSub.SubnetId,
		MapPublicIpOnLaunch: &types.AttributeBooleanValue{Value: aws.Bool(true)}}))
	privSub := must[*sdkec2.CreateSubnetOutput](t)(c.CreateSubnet(ctx, &sdkec2.CreateSubnetInput{VpcId: vpc.VpcId,
		CidrBlock: aws.String("10.10.2.0/24")})).Subnet
	internetRoutes(t, c, vpc.VpcId, true)
	w.cidrPeers[regionA]["10.10.0.0/16"] = peer{direct: arn(regionA, acct, "vpc", vpcID)}
	w.cidrPeers[regionA][vpc6] = peer{direct: arn(regionA, acct, "vpc", vpcID)}
	w.cidrPeers[regionA]["10.10.1.0/24"] = peer{direct: arn(regionA, acct, "subnet", aws.ToString(pubSub.SubnetId))}
	w.cidrPeers[regionA][pub6] = peer{direct: arn(regionA, acct, "subnet", aws.ToString(pubSub.SubnetId))}
	w.cidrPeers[regionA]["10.10.2.0/24"] = peer{direct: arn(regionA, acct, "subnet", aws.ToString(privSub.SubnetId))}

	// A second VPC, peered with the first.
	vpc2 := must[*sdkec2.CreateVpcOutput](t)(c.CreateVpc(ctx, &sdkec2.CreateVpcInput{CidrBlock: aws.String("192.168.0.0/16")})).Vpc
	pcx := must[*sdkec2.CreateVpcPeeringConnectionOutput](t)(c.CreateVpcPeeringConnection(ctx, &sdkec2.CreateVpcPeeringConnectionInput{
		VpcId: vpc.VpcId, PeerVpcId: vpc2.VpcId})).VpcPeeringConnection
	pcxID := aws.ToString(pcx.VpcPeeringConnectionId)

	mkPL := func(c *sdkec2.Client, name, family string, entries ...string) string {
		var es []types.AddPrefixListEntry
		for i, e := range entries {
			x := types.AddPrefixListEntry{Cidr: aws.String(e)}
			if i%2 == 0 {
				x.Description = aws.String("entry " + e)
			}
			es = append(es, x)
		}
		id := aws.ToString(must[*sdkec2.CreateManagedPrefixListOutput](t)(c.CreateManagedPrefixList(ctx, &sdkec2.CreateManagedPrefixListInput{
			PrefixListName: aws.String(name), AddressFamily: aws.String(family), MaxEntries: aws.Int32(10), Entries: es})).PrefixList.PrefixListId)
		w.plEntries[id] = entries
		return id
	}
	// Partners: public ranges, and one entry equal to the private subnet's CIDR.
	plPartners := mkPL(c, "partners", "IPv4", "203.0.113.0/24", "198.51.100.0/25", "10.10.2.0/24")
	w.cidrPeers[regionA]["203.0.113.0/24"] = mapped4("203.0.113.0/24", true)
	w.cidrPeers[regionA]["198.51.100.0/25"] = mapped4("198.51.100.0/25", true)
	plV6 := mkPL(c, "partners-v6", "IPv6", "2600:1f18::/36", "fd00:1234::/48")
	w.cidrPeers[regionA]["2600:1f18::/36"] = mapped6("2600:1f18::/36", true)
	w.cidrPeers[regionA]["fd00:1234::/48"] = mapped6("fd00:1234::/48", false)
	plGone := mkPL(c, "gone", "IPv4", "100.64.0.0/10")
	plEmpty := mkPL(c, "empty", "IPv4") // allows nothing: no edge, counted
	// The AWS-managed S3 list (egress to S3 is the most common prefix-list rule).
	var plS3 string
	for _, pl := range must[*sdkec2.DescribeManagedPrefixListsOutput](t)(c.DescribeManagedPrefixLists(ctx, &sdkec2.DescribeManagedPrefixListsInput{})).PrefixLists {
		if aws.ToString(pl.PrefixListName) == "com.amazonaws."+regionA+".s3" {
			plS3 = aws.ToString(pl.PrefixListId)
			for _, e := range must[*sdkec2.GetManagedPrefixListEntriesOutput](t)(c.GetManagedPrefixListEntries(ctx, &sdkec2.GetManagedPrefixListEntriesInput{PrefixListId: pl.PrefixListId})).Entries {
				w.plEntries[plS3] = append(w.plEntries[plS3], aws.ToString(e.Cidr))
				w.cidrPeers[regionA][aws.ToString(e.Cidr)] = mapped4(aws.ToString(e.Cidr), true)
			}
		}
	}
	if plS3 == "" {
		t.Fatal("moto has no S3 prefix list")
	}

	mkSG := func(c *sdkec2.Client, region, name string, vpcID *string) string {
		id := aws.ToString(must[*sdkec2.CreateSecurityGroupOutput](t)(c.CreateSecurityGroup(ctx, &sdkec2.CreateSecurityGroupInput{
			GroupName: aws.String(name), Description: aws.String(name + " group"), VpcId: vpcID})).GroupId)
		w.groups[region+"/"+id] = true
		return id
	}
	ingress := func(c *sdkec2.Client, region, g string, perms ...types.IpPermission) {
		seedDescs(w, region, g, false, perms...)
		must[*sdkec2.AuthorizeSecurityGroupIngressOutput](t)(c.AuthorizeSecurityGroupIngress(ctx, &sdkec2.AuthorizeSecurityGroupIngressInput{
			GroupId: aws.String(g), IpPermissions: perms}))
	}
	egress := func(c *sdkec2.Client, region, g string, perms ...types.IpPermission) {
		seedDescs(w, region, g, true, perms...)
		must[*sdkec2.AuthorizeSecurityGroupEgressOutput](t)(c.AuthorizeSecurityGroupEgress(ctx, &sdkec2.AuthorizeSecurityGroupEgressInput{
			GroupId: aws.String(g), IpPermissions: perms}))
	}
	revokeDefaultEgress := func(c *sdkec2.Client, g string) {
		must[*sdkec2.RevokeSecurityGroupEgressOutput](t)(c.RevokeSecurityGroupEgress(ctx, &sdkec2.RevokeSecurityGroupEgressInput{
			GroupId: aws.String(g), IpPermissions: []types.IpPermission{{IpProtocol: aws.String("-1"), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}}))
	}

	edge := mkSG(c, regionA, "edge", vpc.VpcId)
	w.edgeGroup = edge
	ranges := mkSG(c, regionA, "ranges", vpc.VpcId)
	internal := mkSG(c, regionA, "internal", vpc.VpcId)
	allTCP := mkSG(c, regionA, "all-tcp", vpc.VpcId)
	v6all := mkSG(c, regionA, "v6-all", vpc.VpcId)
	peerSG := mkSG(c, regionA, "peer-side", vpc2.VpcId)

	// edge: web ports, 80 and 8080 (must be distinct edges), SSH over IPv6
	// only, DNS, ICMP echo (type only) and type+code, all ICMPv6, HTTPS from
	// the partners list. Default egress kept.
	ingress(c, regionA, edge,
		cidr4(perm("tcp", 80, 443), "web", "0.0.0.0/0"),
		cidr4(perm("tcp", 80, 80), "", "0.0.0.0/0"),
		cidr4(perm("tcp", 8080, 8080), "alt http", "0.0.0.0/0"),
		cidr6(perm("tcp", 22, 22), "ssh v6", "::/0"),
		cidr4(perm("udp", 53, 53), "", "0.0.0.0/0"),
		cidr4(perm("icmp", 8, -1), "echo", "0.0.0.0/0"),
		cidr4(perm("icmp", 3, 4), "frag needed", "0.0.0.0/0"),
		cidr6(perm("icmpv6", -1, -1), "", "::/0"),
		plRef(perm("tcp", 443, 443), "partners https", plPartners),
		plRef(perm("tcp", 9000, 9000), "", plEmpty),
	)
	// ranges: adjacent (444-1000 after 80-443) and overlapping (900-2000)
	// ranges, 8081 adjacent to edge's 8080, all UDP over IPv6, ESP (50), ICMP
	// echo code 0 (inside edge's "echo, any code"). Default egress removed;
	// egress to the partners list, to S3, to a subnet and to the whole VPC.
	ingress(c, regionA, ranges,
		cidr4(perm("tcp", 444, 1000), "", "0.0.0.0/0"),
		cidr4(perm("tcp", 900, 2000), "overlap", "0.0.0.0/0"),
		cidr4(perm("tcp", 8081, 8081), "", "0.0.0.0/0"),
		cidr6(perm("udp", 0, 65535), "all udp v6", "::/0"),
		cidr4(perm("50", -1, -1), "esp", "0.0.0.0/0"),
		cidr4(perm("icmp", 8, 0), "", "0.0.0.0/0"),
		cidr6(perm("58", 128, -1), "echo v6 by number", "::/0"),
	)
	revokeDefaultEgress(c, ranges)
	egress(c, regionA, ranges,
		plRef(perm("tcp", 443, 443), "to partners", plPartners),
		plRef(perm("tcp", 443, 443), "", plS3),
		plRef(perm("tcp", 443, 443), "", plV6),
		cidr4(perm("tcp", 5432, 5432), "db subnet", "10.10.2.0/24"),
		cidr4(perm("-1", 0, 0), "", "10.10.0.0/16"),
	)
	// all-tcp: every TCP port from anywhere; default egress kept.
	ingress(c, regionA, allTCP, cidr4(perm("tcp", 0, 65535), "all tcp", "0.0.0.0/0"))
	// v6-all: all traffic from the IPv6 Internet only.
	ingress(c, regionA, v6all, cidr6(perm("-1", 0, 0), "", "::/0"))

	// Instances.
	type nic struct {
		subnet *string
		public *bool
		ipv6   int32
		groups []string
	}
	run := func(n nic) types.Instance {
		in := &sdkec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1)}
		if n.public != nil || n.ipv6 > 0 {
			spec := types.InstanceNetworkInterfaceSpecification{DeviceIndex: aws.Int32(0), SubnetId: n.subnet, Groups: n.groups,
				AssociatePublicIpAddress: n.public}
			if n.ipv6 > 0 {
				in.Ipv6AddressCount = aws.Int32(n.ipv6) // moto reads only the top-level count
			}
			in.NetworkInterfaces = []types.InstanceNetworkInterfaceSpecification{spec}
		} else {
			in.SubnetId, in.SecurityGroupIds = n.subnet, n.groups
		}
		return must[*sdkec2.RunInstancesOutput](t)(c.RunInstances(ctx, in)).Instances[0]
	}
	// web: public IPv4 (subnet maps public IPs), edge + ranges: merging.
	web := run(nic{subnet: pubSub.SubnetId, groups: []string{edge, ranges}})
	// app: private subnet, no public address, edge + internal.
	app := run(nic{subnet: privSub.SubnetId, groups: []string{edge, internal}})
	// v6host: public subnet but public IPv4 refused, one IPv6 address;
	// all-tcp (IPv4 Internet) + v6-all (IPv6 Internet): reachable over IPv6.
	v6host := run(nic{subnet: pubSub.SubnetId, public: aws.Bool(false), ipv6: 1, groups: []string{allTCP, v6all}})
	// dark: private, all-tcp only: exposed, not reachable.
	dark := run(nic{subnet: privSub.SubnetId, groups: []string{allTCP}})
	// quiet: internal only: not exposed.
	quiet := run(nic{subnet: privSub.SubnetId, groups: []string{internal}})

	desc := must[*sdkec2.DescribeInstancesOutput](t)(c.DescribeInstances(ctx, &sdkec2.DescribeInstancesInput{InstanceIds: []string{
		aws.ToString(web.InstanceId), aws.ToString(app.InstanceId), aws.ToString(v6host.InstanceId), aws.ToString(dark.InstanceId), aws.ToString(quiet.InstanceId)}}))
	byID := map[string]types.Instance{}
	for _, r := range desc.Reservations {
		for _, i := range r.Instances {
			byID[aws.ToString(i.InstanceId)] = i
		}
	}
	web, app, v6host, dark, quiet = byID[aws.ToString(web.InstanceId)], byID[aws.ToString(app.InstanceId)], byID[aws.ToString(v6host.InstanceId)], byID[aws.ToString(dark.InstanceId)], byID[aws.ToString(quiet.InstanceId)]
	if web.PublicIpAddress == nil || app.PublicIpAddress != nil || v6host.PublicIpAddress != nil || dark.PublicIpAddress != nil {
		t.Fatalf("moto public IPs: web %v app %v v6host %v dark %v", aws.ToString(web.PublicIpAddress), aws.ToString(app.PublicIpAddress),
			aws.ToString(v6host.PublicIpAddress), aws.ToString(dark.PublicIpAddress))
	}
	var v6addr string
	for _, ni := range v6host.NetworkInterfaces {
		for _, a := range ni.Ipv6Addresses {
			v6addr = aws.ToString(a.Ipv6Address)
		}
	}
	if v6addr == "" {
		t.Fatal("moto gave v6host no IPv6 address")
	}
	ikey := func(i types.Instance) string { return arn(regionA, acct, "instance", aws.ToString(i.InstanceId)) }
	// Issue 5: a /32 or /128 is a mapped Host by IP address, also when it is a
	// collected instance's address (the instance's ipAddress list lets a
	// store resolve the edge to it).
	webIP, appIP := aws.ToString(web.PublicIpAddress), aws.ToString(app.PrivateIpAddress)
	w.cidrPeers[regionA][webIP+"/32"] = host(webIP, true)
	w.cidrPeers[regionA][appIP+"/32"] = host(appIP, false)
	w.cidrPeers[regionA][v6addr+"/128"] = host(v6addr, true)
	w.cidrPeers[regionA]["198.51.100.7/32"] = host("198.51.100.7", true)
	w.cidrPeers[regionA]["2001:db8::1/128"] = host("2001:db8::1", true)
	w.cidrPeers[regionA]["172.16.0.0/12"] = mapped4("172.16.0.0/12", false)
	w.cidrPeers[regionA]["8.8.8.0/24"] = mapped4("8.8.8.0/24", true)
	w.cidrPeers[regionA]["100.64.0.0/10"] = mapped4("100.64.0.0/10", false)

	// internal: self, cross-group, foreign account, peered VPC, RFC 1918 and
	// public ranges, hosts (collected instances and not), the VPC's and a
	// subnet's IPv6 blocks, a list deleted after being referenced.
	ingress(c, regionA, internal,
		grpRef(perm("-1", 0, 0), types.UserIdGroupPair{GroupId: aws.String(internal), UserId: aws.String(acct), Description: aws.String("self")}),
		grpRef(perm("tcp", 22, 22), types.UserIdGroupPair{GroupId: aws.String(edge), UserId: aws.String(acct), Description: aws.String("from edge")}),
		grpRef(perm("tcp", 3306, 3306), types.UserIdGroupPair{GroupId: aws.String(allTCP), UserId: aws.String(foreignAcct)}),
		grpRef(perm("tcp", 5000, 5001), types.UserIdGroupPair{GroupId: aws.String(peerSG), UserId: aws.String(acct), VpcId: vpc2.VpcId,
			VpcPeeringConnectionId: aws.String(pcxID)}),
		cidr4(perm("tcp", 0, 65535), "rfc1918", "172.16.0.0/12"),
		cidr4(perm("tcp", 25, 25), "", "8.8.8.0/24"),
		cidr4(perm("tcp", 6379, 6379), "web host", webIP+"/32"),
		cidr4(perm("tcp", 6380, 6380), "", appIP+"/32"),
		cidr4(perm("tcp", 6381, 6381), "bastion", "198.51.100.7/32"),
		cidr6(perm("tcp", 22, 22), "", v6addr+"/128", "2001:db8::1/128"),
		cidr6(perm("tcp", 443, 443), "vpc v6", vpc6),
		cidr6(perm("tcp", 444, 444), "", pub6),
		cidr4(perm("udp", 123, 123), "", "10.10.0.0/16", "10.10.1.0/24"),
		plRef(perm("tcp", 7000, 7000), "", plGone),
	)
	// A foreign group on egress too.
	egress(c, regionA, internal,
		grpRef(perm("tcp", 443, 443), types.UserIdGroupPair{GroupId: aws.String(ranges), UserId: aws.String(foreignAcct), Description: aws.String("foreign")}),
		grpRef(perm("tcp", 8443, 8443), types.UserIdGroupPair{GroupId: aws.String(ranges), UserId: aws.String(acct)}),
	)
	// The deleted list: its rule stays, its entries are gone.
	must[*sdkec2.DeleteManagedPrefixListOutput](t)(c.DeleteManagedPrefixList(ctx, &sdkec2.DeleteManagedPrefixListInput{PrefixListId: aws.String(plGone)}))
	w.deletedPLs[plGone] = true

	// web has a public IPv4 address and no IPv6 address: what is allowed
	// only from ::/0 (SSH, ICMPv6, UDP above 53) is open but not reachable.
	w.exposure[ikey(web)] = exposure{exposed: true, reachable: true,
		ports: []string{"50:*", "icmp:3/4", "icmp:8", "icmpv6:*", "tcp:22", "tcp:80-2000", "tcp:8080-8081", "udp:*"},
		reach: []string{"50:*", "icmp:3/4", "icmp:8", "tcp:80-2000", "tcp:8080-8081", "udp:53"}}
	w.exposure[ikey(app)] = exposure{exposed: true, reachable: false,
		ports: []string{"icmp:3/4", "icmp:8", "icmpv6:*", "tcp:22", "tcp:80-443", "tcp:8080", "udp:53"}, reach: []string{}}
	// v6host: no public IPv4 (all TCP from 0.0.0.0/0 unreachable), all
	// traffic from ::/0 on its IPv6 address.
	w.exposure[ikey(v6host)] = exposure{exposed: true, reachable: true, ports: []string{"*"}, reach: []string{"*"}}
	w.exposure[ikey(dark)] = exposure{exposed: true, reachable: false, ports: []string{"tcp:*"}, reach: []string{}}
	w.exposure[ikey(quiet)] = exposure{exposed: false, reachable: false, ports: []string{}, reach: []string{}}
	gkey := func(region, id string) string { return arn(region, acct, "security-group", id) }
	w.groupExposure[gkey(regionA, edge)] = []string{"icmp:3/4", "icmp:8", "icmpv6:*", "tcp:22", "tcp:80-443", "tcp:8080", "udp:53"}
	w.groupExposure[gkey(regionA, ranges)] = []string{"50:*", "icmp:8/0", "icmpv6:128", "tcp:444-2000", "tcp:8081", "udp:*"}
	w.groupExposure[gkey(regionA, internal)] = []string{}
	w.groupExposure[gkey(regionA, allTCP)] = []string{"tcp:*"}
	w.groupExposure[gkey(regionA, v6all)] = []string{"*"}
	w.groupExposure[gkey(regionA, peerSG)] = []string{}

	// ---------------- region B ----------------
	// Same VPC CIDR as region A: region B's rules must resolve to region B's VPC.
	cb := sdkec2.NewFromConfig(srv.SeedConfig(t, acct, regionB))
	vpcB := must[*sdkec2.CreateVpcOutput](t)(cb.CreateVpc(ctx, &sdkec2.CreateVpcInput{CidrBlock: aws.String("10.10.0.0/16")})).Vpc
	subB := must[*sdkec2.CreateSubnetOutput](t)(cb.CreateSubnet(ctx, &sdkec2.CreateSubnetInput{VpcId: vpcB.VpcId, CidrBlock: aws.String("10.10.7.0/24")})).Subnet
	must[*sdkec2.ModifySubnetAttributeOutput](t)(cb.ModifySubnetAttribute(ctx, &sdkec2.ModifySubnetAttributeInput{SubnetId: subB.SubnetId,
		MapPublicIpOnLaunch: &types.AttributeBooleanValue{Value: aws.Bool(true)}}))
	internetRoutes(t, cb, vpcB.VpcId, false)
	w.cidrPeers[regionB]["10.10.0.0/16"] = peer{direct: arn(regionB, acct, "vpc", aws.ToString(vpcB.VpcId))}
	w.cidrPeers[regionB]["10.10.7.0/24"] = peer{direct: arn(regionB, acct, "subnet", aws.ToString(subB.SubnetId))}
	// A list with 0.0.0.0/0 in it: the Internet through a prefix list.
	plAdmin := mkPL(cb, "admins", "IPv4", "192.0.2.0/24", "0.0.0.0/0", "10.10.7.0/24")
	w.cidrPeers[regionB]["192.0.2.0/24"] = mapped4("192.0.2.0/24", true)
	// Region A's subnet CIDR used in region B: no subnet of region B has it, mapped.
	w.cidrPeers[regionB]["10.10.2.0/24"] = mapped4("10.10.2.0/24", false)
	admin := mkSG(cb, regionB, "admin", vpcB.VpcId)
	ingress(cb, regionB, admin,
		plRef(perm("tcp", 22, 22), "admins ssh", plAdmin),
		cidr4(perm("tcp", 3389, 3389), "", "10.10.0.0/16"),
		cidr4(perm("tcp", 3390, 3390), "", "10.10.2.0/24"),
		cidr4(perm("icmp", -1, -1), "any icmp", "0.0.0.0/0"),
	)
	revokeDefaultEgress(cb, admin)
	egress(cb, regionB, admin, cidr6(perm("tcp", 443, 443), "", "::/0"), cidr4(perm("udp", 53, 53), "", "0.0.0.0/0"))
	outB := must[*sdkec2.RunInstancesOutput](t)(cb.RunInstances(ctx, &sdkec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		SubnetId: subB.SubnetId, SecurityGroupIds: []string{admin}})).Instances[0]
	bKey := arn(regionB, acct, "instance", aws.ToString(outB.InstanceId))
	w.liveLists = 5                               // region A: partners, partners-v6, empty, S3; region B: admins
	w.sshReachable = []string{bKey, ikey(v6host)} // not web: its SSH rule is ::/0 and it has no IPv6 address
	sort.Strings(w.sshReachable)
	w.exposure[bKey] = exposure{exposed: true, reachable: true, ports: []string{"icmp:*", "tcp:22"}, reach: []string{"icmp:*", "tcp:22"}}
	w.groupExposure[gkey(regionB, admin)] = []string{"icmp:*", "tcp:22"}

	// The default groups of every VPC (moto's default VPCs included).
	for region, cl := range map[string]*sdkec2.Client{regionA: c, regionB: cb} {
		for _, g := range must[*sdkec2.DescribeSecurityGroupsOutput](t)(cl.DescribeSecurityGroups(ctx, &sdkec2.DescribeSecurityGroupsInput{})).SecurityGroups {
			id := aws.ToString(g.GroupId)
			if !w.groups[region+"/"+id] {
				if aws.ToString(g.GroupName) != "default" {
					t.Fatalf("unexpected group %s", aws.ToString(g.GroupName))
				}
				w.groups[region+"/"+id] = true
				w.groupExposure[gkey(region, id)] = []string{}
			}
		}
	}
	return w
}

type output struct {
	summary  collector.Summary
	entities map[string]graph.Entity
	rels     []graph.Relationship
}

// collect runs the product binary like a judge.
func collect(t *testing.T, srv *testbed.Moto, acct string) *output {
	t.Helper()
	return collectFrom(t, srv.URL, acct)
}

func collectFrom(t *testing.T, endpoint, acct string) *output {
	t.Helper()
	return collectWith(t, endpoint, acct, t.TempDir(), "--no-db")
}

// collectWith runs the binary with its graph files in dir/out and the given
// store flags, and reads what it wrote.
func collectWith(t *testing.T, endpoint, acct, dir string, storeArgs ...string) *output {
	t.Helper()
	out := filepath.Join(dir, "out")
	args := append([]string{"collect", "--role-arn", testbed.RoleArn(acct), "--external-id", testbed.ExternalID,
		"--regions", regionA + "," + regionB, "--endpoint-url", endpoint, "--output", out}, storeArgs...)
	cmd := exec.Command(testbed.Binary(t), args...)
	cmd.Dir = dir
	cmd.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "AWS_ACCESS_KEY_ID=judgekey", "AWS_SECRET_ACCESS_KEY=judgesecret",
		"AWS_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("awsgraph collect: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	o := &output{entities: map[string]graph.Entity{}}
	data, err := os.ReadFile(filepath.Join(out, "summary.json"))
	ok(t, err)
	ok(t, json.Unmarshal(data, &o.summary))
	ents, rels, err := j1files.ReadGraph(out)
	ok(t, err)
	for _, e := range ents {
		o.entities[e.Key()] = e
	}
	o.rels = rels
	return o
}

func num(v any) (int64, bool) {
	switch x := v.(type) {
	case float64:
		return int64(x), true
	case int64:
		return x, true
	case int:
		return int64(x), true
	case json.Number:
		n, err := x.Int64()
		return n, err == nil
	}
	return 0, false
}

func strList(v any) []string {
	out := []string{}
	if xs, ok := v.([]any); ok {
		for _, x := range xs {
			s, _ := x.(string)
			out = append(out, s)
		}
	}
	return out
}

// wantProps are the rule's expected edge properties, derived by hand from
// the AWS rule (not from the product's code).
func wantProps(w *world, region string, r types.SecurityGroupRule) map[string]any {
	proto := aws.ToString(r.IpProtocol)
	from, to := aws.ToInt32(r.FromPort), aws.ToInt32(r.ToPort)
	p := map[string]any{
		"ingress": !aws.ToBool(r.IsEgress), "egress": aws.ToBool(r.IsEgress),
		"ruleId": aws.ToString(r.SecurityGroupRuleId), "securityGroupId": aws.ToString(r.GroupId),
	}
	switch proto {
	case "-1":
		p["ipProtocol"], p["fromPort"], p["toPort"], p["portRange"] = "*", int64(0), int64(65535), "*"
	case "tcp", "udp":
		p["ipProtocol"], p["fromPort"], p["toPort"] = proto, int64(from), int64(to)
		switch {
		case from == 0 && to == 65535:
			p["portRange"] = "*"
		case from == to:
			p["portRange"] = fmt.Sprint(from)
		default:
			p["portRange"] = fmt.Sprintf("%d-%d", from, to)
		}
	case "icmp", "icmpv6", "58":
		name := proto
		if proto == "58" {
			name = "icmpv6"
		}
		p["ipProtocol"], p["fromPort"], p["toPort"], p["portRange"] = name, nil, nil, nil
		p["icmpType"], p["icmpCode"] = nil, nil
		if from >= 0 {
			p["icmpType"] = int64(from)
			if to >= 0 {
				p["icmpCode"] = int64(to)
			}
		}
	case "50":
		p["ipProtocol"], p["fromPort"], p["toPort"], p["portRange"] = "50", int64(0), int64(65535), "*"
	default:
		panic("unexpected protocol " + proto)
	}
	if r.PrefixListId != nil {
		// moto gap: moto drops the description of prefix-list rules in both
		// DescribeSecurityGroupRules and DescribeSecurityGroups, so no
		// collector can report it; the edge must carry the key, null.
		p["description"] = nil
	} else if d, ok := w.descs[descKey(region, r)]; ok {
		p["description"] = d
	} else {
		p["description"] = nil
	}
	if ref := r.ReferencedGroupInfo; ref != nil {
		p["referencedGroupId"] = aws.ToString(ref.GroupId)
		p["referencedAccountId"] = refAccount(w, ref)
		if ref.VpcPeeringConnectionId != nil {
			p["vpcPeeringConnectionId"] = aws.ToString(ref.VpcPeeringConnectionId)
		}
	}
	if r.PrefixListId != nil {
		p["prefixListId"] = aws.ToString(r.PrefixListId)
	}
	return p
}

func equalProp(got, want any) bool {
	if want == nil {
		return got == nil
	}
	if wn, ok := want.(int64); ok {
		gn, ok := num(got)
		return ok && gn == wn
	}
	return reflect.DeepEqual(got, want)
}

func TestSecurityGroupRulesAcceptance(t *testing.T) {
	t.Parallel()
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	testbed.Binary(t)
	w := seed(t, srv, acct)
	ctx := context.Background()

	// Ground truth for rule ids only.
	type apiRule struct {
		region string
		r      types.SecurityGroupRule
	}
	var rules []apiRule
	for _, region := range []string{regionA, regionB} {
		c := sdkec2.NewFromConfig(srv.SeedConfig(t, acct, region))
		for _, r := range must[*sdkec2.DescribeSecurityGroupRulesOutput](t)(c.DescribeSecurityGroupRules(ctx, &sdkec2.DescribeSecurityGroupRulesInput{})).SecurityGroupRules {
			rules = append(rules, apiRule{region, r})
		}
	}

	o1 := collect(t, srv, acct)
	o2 := collect(t, srv, acct)

	// Stability: the same rule edges, by key, in both runs.
	ruleKeys := func(o *output) []string {
		var ks []string
		for _, r := range o.rels {
			if r.Class() == "ALLOWS" && r["ruleId"] != nil {
				ks = append(ks, r.Key())
			}
		}
		sort.Strings(ks)
		return ks
	}
	if k1, k2 := ruleKeys(o1), ruleKeys(o2); !reflect.DeepEqual(k1, k2) {
		t.Errorf("rule edge keys differ between runs:\n%v\n%v", k1, k2)
	}

	o := o1
	byRule := map[string][]graph.Relationship{}
	seen := map[string]bool{}
	nEdges := 0
	for _, r := range o.rels {
		if seen[r.Key()] {
			t.Errorf("duplicate relationship key %s", r.Key())
		}
		seen[r.Key()] = true
		if r.Class() != "ALLOWS" || r["ruleId"] == nil {
			continue
		}
		nEdges++
		id, _ := r["ruleId"].(string)
		byRule[id] = append(byRule[id], r)
		if m := r.Mapping(); m == nil {
			for _, k := range []string{r.FromKey(), r.ToKey()} {
				if o.entities[k] == nil {
					t.Errorf("edge %s: endpoint %s not in the graph", r.Key(), k)
				}
			}
		}
	}

	total, unmappable, emptyPL := 0, 0, 0
	var unmappedIDs []string
	for _, ar := range rules {
		r, region := ar.r, ar.region
		id := aws.ToString(r.SecurityGroupRuleId)
		gid := aws.ToString(r.GroupId)
		gk := arn(region, acct, "security-group", gid)
		egress := aws.ToBool(r.IsEgress)
		var peers []peer
		var plEntries []string
		switch {
		case r.CidrIpv4 != nil || r.CidrIpv6 != nil:
			c := aws.ToString(r.CidrIpv4) + aws.ToString(r.CidrIpv6)
			p, ok := w.cidrPeers[region][c]
			if !ok {
				t.Fatalf("test bug: no expectation for %s %s", region, c)
			}
			peers = []peer{p}
			plEntries = []string{c}
		case r.PrefixListId != nil:
			pl := aws.ToString(r.PrefixListId)
			if len(w.plEntries[pl]) == 0 && !w.deletedPLs[pl] {
				emptyPL++
				if len(byRule[id]) != 0 {
					t.Errorf("rule %s of an empty list has edges %v", id, byRule[id])
				}
				continue
			}
			if w.deletedPLs[pl] {
				unmappedIDs = append(unmappedIDs, id)
				unmappable++
				if len(byRule[id]) != 0 {
					t.Errorf("rule %s of a deleted list has edges %v", id, byRule[id])
				}
				continue
			}
			for _, c := range w.plEntries[pl] {
				p, ok := w.cidrPeers[region][c]
				if !ok {
					t.Fatalf("test bug: no expectation for %s %s", region, c)
				}
				peers = append(peers, p)
				plEntries = append(plEntries, c)
			}
		case r.ReferencedGroupInfo != nil:
			ref := r.ReferencedGroupInfo
			// Issue 5: same account and collected → direct; another account
			// or a peered VPC → mapped.
			if refAccount(w, ref) == acct && w.groups[region+"/"+aws.ToString(ref.GroupId)] && ref.VpcPeeringConnectionId == nil {
				peers = []peer{{direct: arn(region, acct, "security-group", aws.ToString(ref.GroupId))}}
			} else {
				peers = []peer{{target: map[string]any{"_type": sgType, "_class": "Firewall", "groupId": aws.ToString(ref.GroupId), "accountId": refAccount(w, ref)}}}
			}
			plEntries = []string{""}
		default:
			t.Fatalf("rule %s has no peer", id)
		}
		got := byRule[id]
		total += len(peers)
		if len(got) != len(peers) {
			t.Errorf("rule %s (%s %s egress=%v %s %d-%d): %d edges, want %d", id, region, gid, egress, aws.ToString(r.IpProtocol),
				aws.ToInt32(r.FromPort), aws.ToInt32(r.ToPort), len(got), len(peers))
			continue
		}
		props := wantProps(w, region, r)
		for i, p := range peers {
			// Find the edge for this peer.
			var e graph.Relationship
			for _, g := range got {
				if p.direct != "" {
					if g.Mapping() == nil && (!egress && g.FromKey() == p.direct && g.ToKey() == gk || egress && g.FromKey() == gk && g.ToKey() == p.direct) {
						e = g
					}
					continue
				}
				m := g.Mapping()
				if m == nil || m.SourceEntityKey != gk {
					continue
				}
				match := true
				for k, v := range p.target {
					if !equalProp(m.TargetEntity[k], v) {
						match = false
					}
				}
				if match {
					e = g
				}
			}
			if e == nil {
				var desc []string
				for _, g := range got {
					b, _ := json.Marshal(g)
					desc = append(desc, string(b))
				}
				t.Errorf("rule %s (%s %s egress=%v) peer %s: no edge %+v; got %s", id, region, gid, egress, plEntries[i], p, strings.Join(desc, "\n"))
				continue
			}
			if m := e.Mapping(); m != nil {
				wantDir := "REVERSE"
				if egress {
					wantDir = "FORWARD"
				}
				if m.RelationshipDirection != wantDir {
					t.Errorf("rule %s: mapped direction %s, want %s", id, m.RelationshipDirection, wantDir)
				}
			}
			for k, v := range props {
				if !equalProp(e[k], v) {
					t.Errorf("rule %s (%s %s peer %s): %s = %v (%T), want %v", id, region, gid, plEntries[i], k, e[k], e[k], v)
				}
			}
			if plEntries[i] != "" && e["ipRange"] != plEntries[i] {
				t.Errorf("rule %s: ipRange %v, want %s (as EC2 reports it)", id, e["ipRange"], plEntries[i])
			}
		}
	}
	if total != nEdges {
		t.Errorf("%d rule edges in the graph, %d expected from the rules", nEdges, total)
	}

	// Rules that differ only in ports (80, 80-443, 8080 from the Internet
	// to edge) are distinct edges.
	ports := map[string]string{}
	for _, r := range o.rels {
		if r.FromKey() == internetKey && strings.Contains(r.ToKey(), w.edgeGroup) {
			if k, dup := ports[fmt.Sprint(r["portRange"])]; dup && k == r.Key() {
				t.Errorf("same key for two port ranges: %s", k)
			}
			ports[fmt.Sprint(r["portRange"])] = r.Key()
		}
	}
	if ports["80"] == "" || ports["8080"] == "" || ports["80-443"] == "" || ports["80"] == ports["8080"] {
		t.Errorf("edge Internet edges by port range: %v", ports)
	}
	inet := o.entities[internetKey]
	if inet == nil || inet.Type() != "internet" {
		t.Errorf("internet entity %v", inet)
	}

	// Exposure.
	for k, want := range w.exposure {
		e := o.entities[k]
		if e == nil {
			t.Errorf("instance %s not collected", k)
			continue
		}
		got, reach := strList(e["internetOpenPorts"]), strList(e["internetReachablePorts"])
		if !reflect.DeepEqual(sortedCopy(got), sortedCopy(want.ports)) || !reflect.DeepEqual(sortedCopy(reach), sortedCopy(want.reach)) ||
			e["internetExposed"] != want.exposed || e["internetReachable"] != want.reachable {
			t.Errorf("instance %s: ports %v reachable ports %v exposed %v reachable %v; want %v %v %v %v", k, got, reach, e["internetExposed"],
				e["internetReachable"], want.ports, want.reach, want.exposed, want.reachable)
		}
	}
	n := 0
	for _, e := range o.entities {
		if e.Type() == instanceType {
			n++
		}
	}
	if n != len(w.exposure) {
		t.Errorf("%d instances collected, %d seeded", n, len(w.exposure))
	}
	ng := 0
	for _, e := range o.entities {
		if e.Type() != sgType {
			continue
		}
		ng++
		want, ok := w.groupExposure[e.Key()]
		if !ok {
			t.Errorf("unexpected group %s", e.Key())
			continue
		}
		if got := strList(e["internetIngressPorts"]); !reflect.DeepEqual(sortedCopy(got), sortedCopy(want)) || e["allowsInternetIngress"] != (len(want) > 0) {
			t.Errorf("group %s (%v): internet ports %v allows %v; want %v", e.Key(), e["groupName"], got, e["allowsInternetIngress"], want)
		}
	}
	if ng != len(w.groupExposure) {
		t.Errorf("%d groups collected, %d expected", ng, len(w.groupExposure))
	}

	checkREADMEQueries(t, o, w.sshReachable)

	// Prefix lists: one DescribeManagedPrefixLists per region and one
	// GetManagedPrefixListEntries per referenced live list (partners is used
	// by two groups and read once; the deleted list is not read).
	for _, run := range []*output{o1, o2} {
		calls := run.summary.APICalls.ByOperation
		if calls["ec2:DescribeManagedPrefixLists"] != 2 || calls["ec2:GetManagedPrefixListEntries"] != w.liveLists {
			t.Errorf("prefix-list calls: %d describe (want 2), %d entries (want %d)", calls["ec2:DescribeManagedPrefixLists"],
				calls["ec2:GetManagedPrefixListEntries"], w.liveLists)
		}
	}

	// The rule of the deleted list is counted, not dropped.
	for _, st := range o.summary.IntegrationStepResults {
		if st.ID == "analyze-ec2-security-group-rules" {
			if st.Metrics["unmappedRules"] != unmappable {
				t.Errorf("unmappedRules = %d, want %d (metrics %v)", st.Metrics["unmappedRules"], unmappable, st.Metrics)
			}
			if st.Metrics["rulesWithEmptyPrefixList"] != emptyPL {
				t.Errorf("rulesWithEmptyPrefixList = %d, want %d", st.Metrics["rulesWithEmptyPrefixList"], emptyPL)
			}
			if st.Metrics["ruleRelationships"] != total {
				t.Errorf("ruleRelationships = %d, want %d", st.Metrics["ruleRelationships"], total)
			}
		}
	}
	for _, id := range unmappedIDs {
		found := false
		for _, wn := range o.summary.Warnings {
			b, _ := json.Marshal(wn)
			if strings.Contains(string(b), "not mapped") && strings.Contains(string(b), id) {
				found = true
			}
		}
		if !found {
			t.Errorf("no warning names the unmapped rule %s: %+v", id, o.summary.Warnings)
		}
	}
}

// refAccount is the referenced group's account (the group's own when AWS omits it).
func refAccount(w *world, ref *types.ReferencedSecurityGroup) string {
	if u := aws.ToString(ref.UserId); u != "" {
		return u
	}
	return w.acct
}

func sortedCopy(s []string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	return out
}

// checkREADMEQueries runs the README's "which hosts have SSH open to the
// world" queries, run on the judge's graph in the store's SQLite schema.
func checkREADMEQueries(t *testing.T, o *output, want []string) {
	t.Helper()
	readme, err := os.ReadFile("../../analysis/sgrules/README.md")
	ok(t, err)
	var queries []string
	for _, block := range strings.Split(string(readme), "```sql")[1:] {
		queries = append(queries, strings.Split(block, "```")[0])
	}
	if len(queries) < 2 {
		t.Fatalf("README.md has %d sql blocks", len(queries))
	}
	db, err := sql.Open("sqlite", ":memory:")
	ok(t, err)
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, q := range []string{
		`CREATE TABLE entities(instance_id TEXT, key TEXT, type TEXT, json TEXT)`,
		`CREATE TABLE relationships(instance_id TEXT, key TEXT, type TEXT, from_key TEXT, to_key TEXT, json TEXT)`,
	} {
		_, err := db.Exec(q)
		ok(t, err)
	}
	for _, e := range o.entities {
		b, _ := json.Marshal(e)
		_, err := db.Exec(`INSERT INTO entities VALUES ('j', ?, ?, ?)`, e.Key(), e.Type(), string(b))
		ok(t, err)
	}
	for _, r := range o.rels {
		b, _ := json.Marshal(r)
		_, err := db.Exec(`INSERT INTO relationships VALUES ('j', ?, ?, ?, ?, ?)`, r.Key(), r.Type(), r.FromKey(), r.ToKey(), string(b))
		ok(t, err)
	}
	for i, q := range queries {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatalf("README query %d: %v", i, err)
		}
		got := []string{}
		for rows.Next() {
			var k string
			ok(t, rows.Scan(&k))
			got = append(got, k)
		}
		rows.Close()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("README query %d returned %v, want %v", i, got, want)
		}
	}
}

// ruleEdgeSignatures describes every rule edge by its key and everything but
// its rule id, as a multiset.
func ruleEdgeSignatures(o *output) map[string]int {
	out := map[string]int{}
	for _, r := range o.rels {
		if r.Class() != "ALLOWS" || r["ipProtocol"] == nil {
			continue
		}
		ends := r.Key() + " " + r.FromKey() + ">" + r.ToKey()
		if m := r.Mapping(); m != nil {
			b, _ := json.Marshal(m.TargetEntity)
			ends = m.RelationshipDirection + " " + m.SourceEntityKey + " " + string(b)
		}
		var props []string
		for _, k := range []string{"ingress", "egress", "ipProtocol", "fromPort", "toPort", "portRange", "icmpType", "icmpCode",
			"ipRange", "prefixListId", "referencedGroupId", "referencedAccountId", "vpcPeeringConnectionId", "description", "securityGroupId"} {
			props = append(props, fmt.Sprintf("%s=%v", k, r[k]))
		}
		out[r.Type()+" "+ends+" "+strings.Join(props, ",")]++
	}
	return out
}

// When DescribeSecurityGroupRules is refused (a wire-level fake: moto with
// auth off cannot deny one call), the rules come from IpPermissions: the very
// same edges under the very same keys (only ruleId is missing), the same
// exposure, the groups complete, and a warning naming the permission.
func TestRulesFromIpPermissionsWhenRuleCallDenied_WireFakeDenial(t *testing.T) {
	t.Parallel()
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	testbed.Binary(t)
	seed(t, srv, acct)
	normal := collect(t, srv, acct)
	fp := srv.NewFaultProxy(t)
	fp.Add(&testbed.Fault{Match: func(r *http.Request, body []byte) bool {
		return testbed.Operation(r, body) == "ec2:DescribeSecurityGroupRules"
	}, Status: 403, Body: testbed.EC2Error("UnauthorizedOperation", "You are not authorized to perform this operation.")})
	d1 := collectFrom(t, fp.URL, acct)
	d2 := collectFrom(t, fp.URL, acct)

	want, got := ruleEdgeSignatures(normal), ruleEdgeSignatures(d1)
	for k, n := range want {
		if got[k] != n {
			t.Errorf("edge %s: %d without rule ids, %d with", k, got[k], n)
		}
	}
	for k, n := range got {
		if want[k] == 0 {
			t.Errorf("extra edge without rule ids (%d): %s", n, k)
		}
	}
	keys := func(o *output) []string {
		var ks []string
		seen := map[string]bool{}
		for _, r := range o.rels {
			if seen[r.Key()] {
				t.Errorf("duplicate key %s", r.Key())
			}
			seen[r.Key()] = true
			if r.Class() == "ALLOWS" && r["ipProtocol"] != nil {
				if o == d1 && r["ruleId"] != nil {
					t.Errorf("edge %s has rule id %v although none was read", r.Key(), r["ruleId"])
				}
				ks = append(ks, r.Key())
			}
		}
		sort.Strings(ks)
		return ks
	}
	if k1, k2, k0 := keys(d1), keys(d2), keys(normal); !reflect.DeepEqual(k1, k2) || !reflect.DeepEqual(k1, k0) {
		t.Errorf("keys differ between runs with and without rule ids")
	}
	partial := false
	for _, typ := range d1.summary.Metadata.PartialDatasets.Types {
		partial = partial || typ == sgType
	}
	named := false
	for _, wn := range d1.summary.Warnings {
		b, _ := json.Marshal(wn)
		named = named || strings.Contains(string(b), "ec2:DescribeSecurityGroupRules")
	}
	if partial || !named {
		t.Errorf("partial %v (types %v), warning names the permission %v", partial, d1.summary.Metadata.PartialDatasets.Types, named)
	}
	// Exposure does not depend on rule ids.
	for k, e := range normal.entities {
		if e.Type() != instanceType {
			continue
		}
		for _, p := range []string{"internetOpenPorts", "internetReachablePorts", "internetExposed", "internetReachable"} {
			if !reflect.DeepEqual(e[p], d1.entities[k][p]) {
				t.Errorf("%s %s: %v without rule ids, %v with", k, p, d1.entities[k][p], e[p])
			}
		}
	}
}

// collectInto runs the binary with graph files and a SQLite store in dir, so
// successive runs see the previous one.
func collectInto(t *testing.T, endpoint, acct, dir string) *output {
	t.Helper()
	return collectWith(t, endpoint, acct, dir, "--db", filepath.Join(dir, "awsgraph.db"))
}

// Unknown is never safe: with DescribeSecurityGroups denied in one region
// (wire-level fault), the instances there keep the last good run's exposure
// (never false, never []), the groups there are partial and kept, and the
// rule edges of that region are neither lost nor duplicated.
func TestExposureKeptWhenGroupsDenied_WireFakeDenial(t *testing.T) {
	t.Parallel()
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	seed(t, srv, acct)
	dir := t.TempDir()
	good := collectInto(t, srv.URL, acct, dir)
	storeBefore := storedKeys(t, dir)
	fp := srv.NewFaultProxy(t)
	fp.Add(&testbed.Fault{Match: func(r *http.Request, body []byte) bool {
		return testbed.Operation(r, body) == "ec2:DescribeSecurityGroups" && testbed.Region(r) == regionA
	}, Status: 403, Body: testbed.EC2Error("UnauthorizedOperation", "You are not authorized to perform this operation.")})
	denied := collectInto(t, fp.URL, acct, dir)

	exposed := 0
	for k, e := range good.entities {
		switch e.Type() {
		case instanceType:
			for _, p := range []string{"internetOpenPorts", "internetReachablePorts", "internetExposed", "internetReachable"} {
				if !reflect.DeepEqual(e[p], denied.entities[k][p]) {
					t.Errorf("%s %s: %v after the denied run, %v before", k, p, denied.entities[k][p], e[p])
				}
			}
			if e["internetExposed"] == true {
				exposed++
			}
		}
	}
	// The graph files hold what this run read (the summary marks the rest
	// partial, as JupiterOne's sync expects); the store keeps everything.
	if storeAfter := storedKeys(t, dir); !reflect.DeepEqual(storeBefore, storeAfter) {
		t.Errorf("store changed: %d group and rule keys before, %d after", len(storeBefore), len(storeAfter))
	}
	if exposed == 0 {
		t.Fatal("the seed exposes no instance: the test proves nothing")
	}
	if regions := denied.summary.Metadata.PartialDatasets.Regions[sgType]; !reflect.DeepEqual(regions, []string{regionA}) {
		t.Errorf("group type partial in %v, want [%s]", regions, regionA)
	}
	for sig := range ruleEdgeSignatures(denied) {
		if ruleEdgeSignatures(good)[sig] == 0 {
			t.Errorf("rule edge not in the good run: %s", sig)
		}
	}
}

// storedKeys are the keys of the groups and ALLOWS edges in dir's store.
func storedKeys(t *testing.T, dir string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, "awsgraph.db")+"?mode=ro")
	ok(t, err)
	defer db.Close()
	rows, err := db.Query(`SELECT key FROM entities WHERE type = ? UNION ALL SELECT key FROM relationships WHERE class = 'ALLOWS' ORDER BY 1`, sgType)
	ok(t, err)
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		ok(t, rows.Scan(&k))
		keys = append(keys, k)
	}
	return keys
}
