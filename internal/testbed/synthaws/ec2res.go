package synthaws

import (
	"fmt"
	"time"
)

// base is every generated creation time: fixed, so runs are reproducible.
var base = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

func stamp(days int) string { return base.AddDate(0, 0, days).Format("2006-01-02T15:04:05.000Z") }

// rule is one generated security-group rule (k < RulesPerGroup: ingress).
type rule struct {
	egress   bool
	proto    string
	from, to int
	cidr     string
	refGroup int // -1: none
	desc     string
}

func (s *Server) rule(g, k int) rule {
	switch {
	case k == s.sizes.RulesPerGroup:
		return rule{egress: true, proto: "-1", from: -1, to: -1, cidr: "0.0.0.0/0", refGroup: -1, desc: "all out"}
	case k == 0:
		return rule{proto: "tcp", from: 22, to: 22, cidr: "10.0.0.0/8", refGroup: -1, desc: "ssh from corp"}
	case k == 1 && g%5 == 0:
		return rule{proto: "tcp", from: 443, to: 443, cidr: "0.0.0.0/0", refGroup: -1, desc: "https from anywhere"}
	case k == 1:
		return rule{proto: "tcp", from: 443, to: 443, cidr: fmt.Sprintf("10.%d.0.0/16", g%256), refGroup: -1, desc: "https internal"}
	case k == 2 && s.sizes.Groups > s.sizes.VPCs:
		return rule{proto: "tcp", from: 5432, to: 5432, refGroup: (g + s.sizes.VPCs) % s.sizes.Groups, desc: "db from app tier"}
	}
	return rule{proto: "tcp", from: 8000 + k, to: 8000 + k, cidr: fmt.Sprintf("172.16.%d.0/24", g%256), refGroup: -1, desc: fmt.Sprintf("app port %d", k)}
}

func (s *Server) permission(d *doc, ri int, r rule) {
	d.open("item").el("ipProtocol", r.proto)
	if r.proto != "-1" {
		d.num("fromPort", r.from).num("toPort", r.to)
	}
	d.open("groups")
	if r.refGroup >= 0 {
		d.open("item").el("groupId", id("sg", ri, r.refGroup)).el("userId", s.sizes.AccountID).el("description", r.desc).close("item")
	}
	d.close("groups").open("ipRanges")
	if r.cidr != "" {
		d.open("item").el("cidrIp", r.cidr).el("description", r.desc).close("item")
	}
	d.close("ipRanges").open("ipv6Ranges").close("ipv6Ranges").open("prefixListIds").close("prefixListIds").close("item")
}

func (s *Server) securityGroup(d *doc, ri int, region string, g int) {
	gid := id("sg", ri, g)
	vpc := g % s.sizes.VPCs
	d.open("item").el("ownerId", s.sizes.AccountID).el("groupId", gid).el("groupName", fmt.Sprintf("sg-%d", g)).
		el("groupDescription", "generated group").el("vpcId", id("vpc", ri, vpc)).
		el("securityGroupArn", s.sizes.arn("ec2", region, "security-group/"+gid))
	d.open("ipPermissions")
	for k := 0; k < s.sizes.RulesPerGroup; k++ {
		s.permission(d, ri, s.rule(g, k))
	}
	d.close("ipPermissions").open("ipPermissionsEgress")
	s.permission(d, ri, s.rule(g, s.sizes.RulesPerGroup))
	d.close("ipPermissionsEgress")
	s.tags(d, fmt.Sprintf("sg-%d", g))
	d.close("item")
}

func (s *Server) groupRule(d *doc, ri, g, k int) {
	r := s.rule(g, k)
	d.open("item").el("securityGroupRuleId", id("sgr", ri, g*(s.sizes.RulesPerGroup+1)+k)).el("groupId", id("sg", ri, g)).
		el("groupOwnerId", s.sizes.AccountID).flag("isEgress", r.egress).el("ipProtocol", r.proto).num("fromPort", r.from).num("toPort", r.to)
	if r.cidr != "" {
		d.el("cidrIpv4", r.cidr)
	}
	if r.refGroup >= 0 {
		d.open("referencedGroupInfo").el("groupId", id("sg", ri, r.refGroup)).el("userId", s.sizes.AccountID).close("referencedGroupInfo")
	}
	d.el("description", r.desc).open("tagSet").close("tagSet").close("item")
}

// instanceIP is the private address of instance i: in its subnet's /24.
func (s *Server) instanceIP(i int) string {
	sub := s.sizes.subnetOf(i)
	v := s.sizes.vpcOfSubnet(sub)
	host := i / (s.sizes.VPCs * s.sizes.SubnetsPerVPC)
	return fmt.Sprintf("10.%d.%d.%d", v%256, sub%s.sizes.SubnetsPerVPC, 4+host%250)
}

// instanceRole is the role whose instance profile instance i carries, or -1.
func (s *Server) instanceRole(i int) int {
	if i%3 != 0 || s.sizes.Roles < 4 {
		return -1
	}
	return (i / 3 * 4) % (s.sizes.Roles / 4 * 4)
}

func (s *Server) reservation(d *doc, ri int, region string, i int) {
	iid := id("i", ri, i)
	sub := s.sizes.subnetOf(i)
	vpc := id("vpc", ri, s.sizes.vpcOfSubnet(sub))
	ip := s.instanceIP(i)
	dns := fmt.Sprintf("ip-%s.ec2.internal", dashed(ip))
	state, code := "running", 16
	if i%10 == 9 {
		state, code = "stopped", 80
	}
	d.open("item").el("reservationId", id("r", ri, i)).el("ownerId", s.sizes.AccountID).open("groupSet").close("groupSet").
		open("instancesSet").open("item").el("instanceId", iid).el("imageId", fmt.Sprintf("ami-%08x", i%17)).
		open("instanceState").num("code", code).el("name", state).close("instanceState").
		el("privateDnsName", dns).el("dnsName", "").el("keyName", fmt.Sprintf("key-%d", i%5)).num("amiLaunchIndex", 0).
		el("instanceType", types[s.sizes.pick(1, i, len(types))]).el("launchTime", stamp(i%700)).
		open("placement").el("availabilityZone", region+string(rune('a'+sub%3))).el("tenancy", "default").close("placement").
		open("monitoring").el("state", "disabled").close("monitoring").el("subnetId", id("subnet", ri, sub)).el("vpcId", vpc).
		el("privateIpAddress", ip)
	public := ""
	if i%10 == 0 {
		public = fmt.Sprintf("54.%d.%d.%d", 10+ri, (i>>8)%256, i%256)
		d.el("ipAddress", public)
	}
	d.open("groupSet")
	for _, g := range s.sizes.instanceGroups(i) {
		d.open("item").el("groupId", id("sg", ri, g)).el("groupName", fmt.Sprintf("sg-%d", g)).close("item")
	}
	d.close("groupSet").el("architecture", "x86_64").el("rootDeviceType", "ebs").el("rootDeviceName", "/dev/xvda")
	if r := s.instanceRole(i); r >= 0 {
		d.open("iamInstanceProfile").el("arn", "arn:aws:iam::"+s.sizes.AccountID+":instance-profile/profile-"+roleName(r)).
			el("id", id("AIPA", 0, r)).close("iamInstanceProfile")
	}
	s.instanceENI(d, ri, i, sub, vpc, ip, public)
	s.tags(d, fmt.Sprintf("host-%d", i))
	d.el("platformDetails", "Linux/UNIX").close("item").close("instancesSet").close("item")
}

func (s *Server) instanceENI(d *doc, ri, i, sub int, vpc, ip, public string) {
	d.open("networkInterfaceSet").open("item").el("networkInterfaceId", id("eni", ri, i)).el("subnetId", id("subnet", ri, sub)).
		el("vpcId", vpc).el("ownerId", s.sizes.AccountID).el("status", "in-use").
		el("macAddress", fmt.Sprintf("0e:%02x:%02x:%02x:%02x:01", ri, (i>>16)&255, (i>>8)&255, i&255)).el("privateIpAddress", ip).
		open("groupSet")
	for _, g := range s.sizes.instanceGroups(i) {
		d.open("item").el("groupId", id("sg", ri, g)).el("groupName", fmt.Sprintf("sg-%d", g)).close("item")
	}
	d.close("groupSet").open("privateIpAddressesSet").open("item").el("privateIpAddress", ip).flag("primary", true)
	if public != "" {
		d.open("association").el("publicIp", public).el("ipOwnerId", "amazon").close("association")
	}
	d.close("item").close("privateIpAddressesSet").close("item").close("networkInterfaceSet")
}

var types = []string{"t3.micro", "t3.large", "m5.xlarge", "c6i.2xlarge", "r6g.large"}

func dashed(ip string) string {
	b := []byte(ip)
	for i, c := range b {
		if c == '.' {
			b[i] = '-'
		}
	}
	return string(b)
}

func (s *Server) volume(d *doc, ri int, region string, j int) {
	vid := id("vol", ri, j)
	attached := j < s.sizes.Instances*s.sizes.VolumesPerInstance
	status := "available"
	if attached {
		status = "in-use"
	}
	inst := j / max(s.sizes.VolumesPerInstance, 1)
	d.open("item").el("volumeId", vid).num("size", 8<<s.sizes.pick(2, j, 5)).el("snapshotId", "").
		el("availabilityZone", region+string(rune('a'+s.sizes.subnetOf(inst)%3))).el("status", status).el("createTime", stamp(j%700)).
		open("attachmentSet")
	if attached {
		d.open("item").el("volumeId", vid).el("instanceId", id("i", ri, inst)).el("device", fmt.Sprintf("/dev/xvd%c", 'a'+j%s.sizes.VolumesPerInstance)).
			el("status", "attached").el("attachTime", stamp(inst%700)).flag("deleteOnTermination", j%s.sizes.VolumesPerInstance == 0).close("item")
	}
	d.close("attachmentSet").el("volumeType", "gp3").num("iops", 3000).num("throughput", 125).flag("encrypted", j%4 != 0)
	if j%4 != 0 {
		d.el("kmsKeyId", s.sizes.arn("kms", region, "key/"+fmt.Sprintf("%08x-0000-4000-8000-000000000000", j%7)))
	}
	d.flag("multiAttachEnabled", false)
	s.tags(d, fmt.Sprintf("disk-%d", j))
	d.close("item")
}
