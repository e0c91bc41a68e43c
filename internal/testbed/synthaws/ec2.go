package synthaws

import (
	"fmt"
	"net/http"
	"net/url"
)

const ec2NS = "http://ec2.amazonaws.com/doc/2016-11-15/"

// ec2 answers the generated Describe calls page by page; those in ec2Empty
// answer one empty page. A region not generated has nothing.
func (s *Server) ec2(w http.ResponseWriter, form url.Values, region string) {
	action := form.Get("Action")
	ri := s.sizes.regionIndex(region)
	d := &doc{}
	d.openNS(action+"Response", ec2NS).el("requestId", "synthetic")
	var next string
	switch action {
	case "DescribeRegions":
		d.open("regionInfo")
		for _, r := range s.sizes.Regions {
			d.open("item").el("regionName", r).el("regionEndpoint", "ec2."+r+".amazonaws.com").el("optInStatus", "opt-in-not-required").close("item")
		}
		d.close("regionInfo")
	case "DescribeVpcs":
		next = s.ec2Page(d, form, "vpcSet", s.regionCount(ri, s.sizes.VPCs), func(i int) { s.vpc(d, ri, region, i) })
	case "DescribeSubnets":
		next = s.ec2Page(d, form, "subnetSet", s.regionCount(ri, s.sizes.VPCs*s.sizes.SubnetsPerVPC), func(i int) { s.subnet(d, ri, region, i) })
	case "DescribeSecurityGroups":
		next = s.ec2Page(d, form, "securityGroupInfo", s.regionCount(ri, s.sizes.Groups), func(i int) { s.securityGroup(d, ri, region, i) })
	case "DescribeSecurityGroupRules":
		per := s.sizes.RulesPerGroup + 1
		next = s.ec2Page(d, form, "securityGroupRuleSet", s.regionCount(ri, s.sizes.Groups*per), func(i int) { s.groupRule(d, ri, i/per, i%per) })
	case "DescribeInstances":
		next = s.ec2Page(d, form, "reservationSet", s.regionCount(ri, s.sizes.Instances), func(i int) { s.reservation(d, ri, region, i) })
	case "DescribeVolumes":
		n := s.sizes.Instances*s.sizes.VolumesPerInstance + s.sizes.DetachedVolumes
		next = s.ec2Page(d, form, "volumeSet", s.regionCount(ri, n), func(i int) { s.volume(d, ri, region, i) })
	case "DescribeInternetGateways":
		next = s.ec2Page(d, form, "internetGatewaySet", s.regionCount(ri, s.sizes.VPCs), func(i int) { s.internetGateway(d, ri, i) })
	case "DescribeRouteTables":
		next = s.ec2Page(d, form, "routeTableSet", s.regionCount(ri, 2*s.sizes.VPCs), func(i int) { s.routeTable(d, ri, i) })
	case "DescribeNetworkAcls":
		next = s.ec2Page(d, form, "networkAclSet", s.regionCount(ri, s.sizes.VPCs), func(i int) { s.networkACL(d, ri, i) })
	default:
		set, ok := ec2Empty[action]
		if !ok {
			s.unknownCall(w, "ec2", action)
			return
		}
		d.open(set).close(set)
	}
	if next != "" {
		d.el("nextToken", next)
	}
	d.close(action + "Response")
	writeXML(w, d)
}

// ec2Empty are the EC2 lists this account has none of, by result element.
var ec2Empty = map[string]string{
	"DescribeEgressOnlyInternetGateways":  "egressOnlyInternetGatewaySet",
	"DescribeNatGateways":                 "natGatewaySet",
	"DescribeManagedPrefixLists":          "prefixListSet",
	"GetManagedPrefixListEntries":         "entrySet",
	"DescribeNetworkInterfaces":           "networkInterfaceSet",
	"DescribeVpcEndpoints":                "vpcEndpointSet",
	"DescribeVpcPeeringConnections":       "vpcPeeringConnectionSet",
	"DescribeTransitGatewayAttachments":   "transitGatewayAttachments",
	"DescribeAddresses":                   "addressesSet",
	"DescribeSnapshots":                   "snapshotSet",
	"DescribeImages":                      "imagesSet",
	"DescribeKeyPairs":                    "keySet",
	"DescribeLaunchTemplates":             "launchTemplates",
	"DescribeFlowLogs":                    "flowLogSet",
	"DescribeInstanceStatus":              "instanceStatusSet",
	"DescribeAvailabilityZones":           "availabilityZoneInfo",
	"DescribeDhcpOptions":                 "dhcpOptionsSet",
	"DescribeCustomerGateways":            "customerGatewaySet",
	"DescribeVpnGateways":                 "vpnGatewaySet",
	"DescribeVpnConnections":              "vpnConnectionSet",
	"DescribeTransitGateways":             "transitGatewaySet",
	"DescribeSecurityGroupReferences":     "securityGroupReferenceSet",
	"DescribeStaleSecurityGroups":         "staleSecurityGroupSet",
	"DescribeNetworkInterfacePermissions": "networkInterfacePermissions",
}

// regionCount is n in a generated region and 0 in any other.
func (s *Server) regionCount(ri, n int) int {
	if ri < 0 {
		return 0
	}
	return n
}

// ec2Page writes items [token, token+max) of n inside set and returns the
// next token ("" on the last page), as EC2's NextToken/MaxResults do.
func (s *Server) ec2Page(d *doc, form url.Values, set string, n int, item func(i int)) string {
	start, end, next := s.window(form.Get("NextToken"), form.Get("MaxResults"), n)
	d.open(set)
	for i := start; i < end; i++ {
		item(i)
	}
	d.close(set)
	return next
}

func (s *Server) tags(d *doc, name string) {
	d.open("tagSet").open("item").el("key", "Name").el("value", name).close("item").
		open("item").el("key", "env").el("value", envs[s.sizes.pick(3, len(name)+int(name[len(name)-1]), len(envs))]).close("item").close("tagSet")
}

var envs = []string{"prod", "staging", "dev"}

func (s *Server) vpc(d *doc, ri int, region string, i int) {
	cidr := fmt.Sprintf("10.%d.0.0/16", i%256)
	d.open("item").el("vpcId", id("vpc", ri, i)).el("ownerId", s.sizes.AccountID).el("state", "available").el("cidrBlock", cidr).
		open("cidrBlockAssociationSet").open("item").el("associationId", id("vpc-cidr-assoc", ri, i)).el("cidrBlock", cidr).
		open("cidrBlockState").el("state", "associated").close("cidrBlockState").close("item").close("cidrBlockAssociationSet").
		el("dhcpOptionsId", id("dopt", ri, 0)).el("instanceTenancy", "default").flag("isDefault", i == 0)
	s.tags(d, fmt.Sprintf("vpc-%d", i))
	d.close("item")
}

func (s *Server) subnetCIDR(sub int) string {
	v := s.sizes.vpcOfSubnet(sub)
	return fmt.Sprintf("10.%d.%d.0/24", v%256, sub%s.sizes.SubnetsPerVPC)
}

func (s *Server) subnet(d *doc, ri int, region string, i int) {
	sid := id("subnet", ri, i)
	az := region + string(rune('a'+i%3))
	d.open("item").el("subnetId", sid).el("subnetArn", s.sizes.arn("ec2", region, "subnet/"+sid)).el("state", "available").
		el("ownerId", s.sizes.AccountID).el("vpcId", id("vpc", ri, s.sizes.vpcOfSubnet(i))).el("cidrBlock", s.subnetCIDR(i)).
		num("availableIpAddressCount", 250).el("availabilityZone", az).el("availabilityZoneId", fmt.Sprintf("use1-az%d", i%3+1)).
		flag("defaultForAz", false).flag("mapPublicIpOnLaunch", i%s.sizes.SubnetsPerVPC == 0)
	s.tags(d, fmt.Sprintf("subnet-%d", i))
	d.close("item")
}
