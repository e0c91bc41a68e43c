package synthaws

import "fmt"

// Each VPC has an attached Internet gateway, a main route table (local
// route only) and a public one (0.0.0.0/0 to the gateway) for its first
// subnet, and a default network ACL allowing everything on all its
// subnets: the reachability analysis then has public subnets to find.

func (s *Server) internetGateway(d *doc, ri, v int) {
	d.open("item").el("internetGatewayId", id("igw", ri, v)).el("ownerId", s.sizes.AccountID).
		open("attachmentSet").open("item").el("vpcId", id("vpc", ri, v)).el("state", "available").close("item").close("attachmentSet")
	s.tags(d, fmt.Sprintf("igw-%d", v))
	d.close("item")
}

func (s *Server) route(d *doc, dest, gateway, origin string) {
	d.open("item").el("destinationCidrBlock", dest).el("gatewayId", gateway).el("state", "active").el("origin", origin).close("item")
}

// routeTable t: VPC t/2; t%2 == 0 is the main table, 1 the public one.
func (s *Server) routeTable(d *doc, ri, t int) {
	v, public := t/2, t%2 == 1
	rt := id("rtb", ri, t)
	d.open("item").el("routeTableId", rt).el("vpcId", id("vpc", ri, v)).el("ownerId", s.sizes.AccountID).open("routeSet")
	s.route(d, fmt.Sprintf("10.%d.0.0/16", v%256), "local", "CreateRouteTable")
	if public {
		s.route(d, "0.0.0.0/0", id("igw", ri, v), "CreateRoute")
	}
	d.close("routeSet").open("associationSet").open("item").el("routeTableAssociationId", id("rtbassoc", ri, t)).el("routeTableId", rt)
	if public {
		d.el("subnetId", id("subnet", ri, v*s.sizes.SubnetsPerVPC)).flag("main", false)
	} else {
		d.flag("main", true)
	}
	d.open("associationState").el("state", "associated").close("associationState").close("item").close("associationSet").
		open("propagatingVgwSet").close("propagatingVgwSet")
	s.tags(d, fmt.Sprintf("rtb-%d", t))
	d.close("item")
}

func (s *Server) aclEntry(d *doc, n int, action string, egress bool) {
	d.open("item").num("ruleNumber", n).el("protocol", "-1").el("ruleAction", action).flag("egress", egress).
		el("cidrBlock", "0.0.0.0/0").close("item")
}

func (s *Server) networkACL(d *doc, ri, v int) {
	acl := id("acl", ri, v)
	d.open("item").el("networkAclId", acl).el("vpcId", id("vpc", ri, v)).flag("default", true).el("ownerId", s.sizes.AccountID).open("entrySet")
	for _, egress := range []bool{false, true} {
		s.aclEntry(d, 100, "allow", egress)
		s.aclEntry(d, 32767, "deny", egress)
	}
	d.close("entrySet").open("associationSet")
	for k := 0; k < s.sizes.SubnetsPerVPC; k++ {
		sub := v*s.sizes.SubnetsPerVPC + k
		d.open("item").el("networkAclAssociationId", id("aclassoc", ri, sub)).el("networkAclId", acl).el("subnetId", id("subnet", ri, sub)).close("item")
	}
	d.close("associationSet")
	s.tags(d, fmt.Sprintf("acl-%d", v))
	d.close("item")
}
