package reachability

import (
	"net/netip"
	"sort"
	"strings"

	"github.com/awsgraph/awsgraph/internal/graph"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
)

// RouteTable is a route table as the analysis reads it.
type RouteTable struct {
	ID     string
	VPCID  string
	Main   bool
	Routes []m.Route
}

// RouteTableOf reads a stored route table.
func RouteTableOf(e graph.Entity) RouteTable {
	rt := RouteTable{ID: e.String(m.PropRouteTableID), VPCID: e.String(m.PropVPCID), Main: e[m.PropMain] == true}
	for _, raw := range e.Strings(m.PropRoutes) {
		if r, err := m.DecodeRoute(raw); err == nil {
			rt.Routes = append(rt.Routes, r)
		}
	}
	return rt
}

// InternetRoute finds the table's default route to an Internet gateway
// attached to its VPC, for IPv4 (0.0.0.0/0) or IPv6 (::/0). A NAT gateway,
// an egress-only gateway or a blackhole route lets nothing in. attached maps
// an Internet gateway id to the VPCs it is attached to.
func (rt RouteTable) InternetRoute(v6 bool, attached map[string][]string) (m.Route, bool) {
	for _, r := range rt.Routes {
		dest := r.DestinationCIDR
		if v6 {
			dest = r.DestinationIPv6CIDR
		}
		if dest != "0.0.0.0/0" && dest != "::/0" || r.State == "blackhole" {
			continue
		}
		if r.TargetKind != "gateway" || !strings.HasPrefix(r.Target, "igw-") {
			continue
		}
		for _, v := range attached[r.Target] {
			if v == rt.VPCID {
				return r, true
			}
		}
	}
	// Narrower routes that together cover the whole family (0.0.0.0/1 and
	// 128.0.0.0/1) are a default route too.
	prefixes := rt.PrefixRoutes(v6, attached)
	if len(prefixes) > 1 && coverAll(prefixes, v6) {
		var dests []string
		for _, r := range prefixes {
			dests = append(dests, r.DestinationCIDR+r.DestinationIPv6CIDR)
		}
		return m.Route{DestinationCIDR: strings.Join(dests, "+"), Target: prefixes[0].Target, TargetKind: "gateway"}, true
	}
	return m.Route{}, false
}

// coverAll reports whether the routes' destinations together cover every
// address of the family.
func coverAll(routes []m.Route, v6 bool) bool {
	type rng struct{ lo, hi netip.Addr }
	var rs []rng
	for _, r := range routes {
		p, err := netip.ParsePrefix(r.DestinationCIDR + r.DestinationIPv6CIDR)
		if err != nil {
			continue
		}
		p = p.Masked()
		rs = append(rs, rng{p.Addr(), lastAddr(p)})
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].lo.Less(rs[j].lo) })
	next := netip.IPv4Unspecified()
	if v6 {
		next = netip.IPv6Unspecified()
	}
	for _, r := range rs {
		if next.Less(r.lo) {
			return false
		}
		if !r.hi.Less(next) {
			if !r.hi.Next().IsValid() {
				return true // reached the family's last address
			}
			next = r.hi.Next()
		}
	}
	return false
}

// lastAddr is the highest address of a prefix.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// PrefixRoutes are the table's active routes to an attached Internet
// gateway for a destination narrower than the family's default route.
func (rt RouteTable) PrefixRoutes(v6 bool, attached map[string][]string) []m.Route {
	var out []m.Route
	for _, r := range rt.Routes {
		dest := r.DestinationCIDR
		if v6 {
			dest = r.DestinationIPv6CIDR
		}
		if dest == "" || dest == "0.0.0.0/0" || dest == "::/0" || r.State == "blackhole" || r.TargetKind != "gateway" || !strings.HasPrefix(r.Target, "igw-") {
			continue
		}
		for _, v := range attached[r.Target] {
			if v == rt.VPCID {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// DefaultRoute describes where the table sends the family's default
// traffic, for explanations ("nat-gateway nat-1", "none").
func (rt RouteTable) DefaultRoute(v6 bool) string {
	for _, r := range rt.Routes {
		dest := r.DestinationCIDR
		if v6 {
			dest = r.DestinationIPv6CIDR
		}
		if dest == "0.0.0.0/0" || dest == "::/0" {
			s := r.TargetKind + " " + r.Target
			if r.State == "blackhole" {
				s += " (blackhole)"
			}
			return s
		}
	}
	return "none"
}
