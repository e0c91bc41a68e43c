package reachability

import (
	"net/netip"
	"strings"

	"github.com/awsgraph/awsgraph/internal/analysis/sgrules"
	"github.com/awsgraph/awsgraph/internal/graph"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
)

// ruleHit is one security-group ingress rule that admits a peer.
type ruleHit struct {
	groupID, ruleID string
	ports           sgrules.Ports
}

// groupRules calls f for each ingress rule of the groups, with each CIDR
// it names (prefix lists expanded) or its referenced group.
func (a *analyzer) groupRules(region string, groupIDs []string, f func(groupID string, r m.Rule, cidr netip.Prefix, hasCIDR bool)) {
	for _, gid := range groupIDs {
		g, ok := a.groups[rk(region, gid)]
		if !ok {
			continue
		}
		for _, raw := range g.Strings(m.PropIngressRules) {
			r, err := m.DecodeRule(raw)
			if err != nil {
				continue
			}
			cidrs := []string{r.CidrIPv4, r.CidrIPv6}
			if r.PrefixListID != "" {
				cidrs = a.prefixLists[rk(region, r.PrefixListID)]
			}
			named := false
			for _, c := range cidrs {
				if p, ok := sgrules.ParseCIDR(c); ok && c != "" {
					named = true
					f(gid, r, p, true)
				}
			}
			if !named {
				f(gid, r, netip.Prefix{}, false)
			}
		}
	}
}

// internetRules are the ingress rules of the groups that admit the whole
// Internet of one family.
// Decoded once per group and family (groups are shared by many instances).
func (a *analyzer) internetRules(region string, groupIDs []string, v6 bool) []ruleHit {
	var out []ruleHit
	for _, gid := range groupIDs {
		k := rk(region, gid) + "/" + family(v6)
		hits, ok := a.internetCache[k]
		if !ok {
			a.groupRules(region, []string{gid}, func(gid string, r m.Rule, p netip.Prefix, ok bool) {
				if ok && p.Bits() == 0 && p.Addr().Is6() == v6 {
					hits = append(hits, ruleHit{groupID: gid, ruleID: sgrules.RuleID(r), ports: sgrules.RulePorts(r)})
				}
			})
			a.internetCache[k] = hits
		}
		out = append(out, hits...)
	}
	return out
}

// direct is the path to the instance's own addresses: through each of its
// interfaces (it is reachable directly when any of them is), each judged by
// its own subnet, groups and addresses.
func (a *analyzer) direct(i graph.Entity) *Verdict {
	v := &Verdict{}
	region := i.String(m.PropRegion)
	for _, f := range a.interfacesOf(i) {
		if iv, ok := a.res.Verdicts[f.key]; ok && f.key != "" {
			v.Hops = append(v.Hops, iv.Hops...)
			v.Ports = append(v.Ports, iv.Ports...)
			v.Via = append(v.Via, iv.Via...)
			v.Prefixes = append(v.Prefixes, iv.Prefixes...)
			continue
		}
		a.directIface(v, region, f)
	}
	return v
}

// directIface is the path to one interface's own addresses, per family.
func (a *analyzer) directIface(v *Verdict, region string, f iface) {
	for _, v6 := range []bool{false, true} {
		fam := family(v6)
		addrs := f.public4
		if v6 {
			addrs = f.ipv6
		}
		if len(addrs) == 0 {
			v.hop("%s direct (interface %s): no %s address", fam, f.id, map[bool]string{false: "public IPv4", true: "IPv6"}[v6])
			continue
		}
		what := "direct (interface " + f.id + ") " + a.addresses(region, addrs)
		ports := a.subnetAdmits(v, region, f.subnet, v6, a.internetRules(region, f.groups, v6), what)
		if len(ports) > 0 {
			v.Ports = append(v.Ports, ports...)
			v.Via = append(v.Via, ViaDirect)
		}
	}
}

// subnetAdmits follows traffic from the Internet into a subnet: its
// effective route table must send the family's default route to an
// attached Internet gateway, then the security-group rules (hits) filtered
// by the subnet's network ACL (in on the port, out on the ephemeral range).
func (a *analyzer) subnetAdmits(v *Verdict, region, subnet string, v6 bool, hits []ruleHit, what string) []sgrules.Ports {
	fam := family(v6)
	rt, how, ok := a.routeTable(region, subnet)
	if !ok {
		v.hop("%s %s: subnet %s has no route table in the graph", fam, what, subnet)
		return nil
	}
	route, ok := rt.InternetRoute(v6, a.attached)
	if !ok {
		v.hop("%s %s: route table %s (%s) of subnet %s has no default route to an attached Internet gateway (default route: %s)",
			fam, what, rt.ID, how, subnet, rt.DefaultRoute(v6))
		a.partialRoutes(v, region, subnet, rt, v6, hits, what)
		return nil
	}
	v.hop("%s %s: route table %s (%s) of subnet %s routes %s%s to Internet gateway %s", fam, what, rt.ID, how, subnet,
		route.DestinationCIDR, route.DestinationIPv6CIDR, route.Target)
	if len(hits) == 0 {
		v.hop("%s %s: no security group rule admits the Internet (%s)", fam, what, map[bool]string{false: "0.0.0.0/0", true: "::/0"}[v6])
		return nil
	}
	acl, ok := a.acl(region, subnet)
	if !ok {
		v.hop("%s %s: subnet %s has no network ACL in the graph", fam, what, subnet)
		return nil
	}
	var out []sgrules.Ports
	for _, h := range hits {
		kept := acl.Filter(v6, []sgrules.Ports{h.ports})
		v.hop("%s %s: security group %s rule %s allows %s; network ACL %s: %s", fam, what, h.groupID, h.ruleID,
			strings.Join(sgrules.MergePorts([]sgrules.Ports{h.ports}), ","), acl.ID, aclSays(acl, v6, h.ports, kept))
		out = append(out, kept...)
	}
	return out
}

// aclSays explains what the ACL did to one rule's ports.
func aclSays(acl ACL, v6 bool, p sgrules.Ports, kept []sgrules.Ports) string {
	var b strings.Builder
	if p.Protocol == "tcp" || p.Protocol == "udp" {
		b.WriteString("inbound " + p.Protocol + ":" + itoa64(*p.FromPort) + " " + acl.Decide(false, v6, p.Protocol, *p.FromPort).String())
		b.WriteString(", outbound ephemeral 1024-65535 ")
		if acl.Allowed(true, v6, p.Protocol).covers(Ephemeral) {
			b.WriteString("allowed")
		} else {
			b.WriteString("not fully allowed (first port: " + acl.Decide(true, v6, p.Protocol, Ephemeral.from).String() + ")")
		}
	}
	if len(kept) == 0 {
		b.WriteString("; admits none of it")
	} else {
		b.WriteString("; admits " + strings.Join(sgrules.MergePorts(kept), ","))
	}
	return b.String()
}

// partialRoutes records what a table without a default Internet route
// still lets in: a route to an attached Internet gateway for a narrower
// prefix (1.2.3.0/24) carries the replies to those addresses, so clients
// there can connect. That is not "reachable from the Internet" (the
// verdict stays unreachable); it is kept apart, as "<prefix> <ports>" in
// Verdict.Prefixes, judged by the rules open to the whole Internet and the
// subnet's ACL (rules naming only that prefix are not counted).
func (a *analyzer) partialRoutes(v *Verdict, region, subnet string, rt RouteTable, v6 bool, hits []ruleHit, what string) {
	routes := rt.PrefixRoutes(v6, a.attached)
	if len(routes) == 0 {
		return
	}
	acl, ok := a.acl(region, subnet)
	for _, r := range routes {
		dest := r.DestinationCIDR + r.DestinationIPv6CIDR
		var ports []sgrules.Ports
		if ok {
			for _, h := range hits {
				ports = append(ports, acl.Filter(v6, []sgrules.Ports{h.ports})...)
			}
		}
		merged := sgrules.MergePorts(ports)
		v.hop("%s %s: route table %s routes only %s to Internet gateway %s: reachable from those addresses only on %s (not counted as reachable from the Internet)",
			family(v6), what, rt.ID, dest, r.Target, orNone(merged))
		for _, p := range merged {
			v.Prefixes = append(v.Prefixes, dest+" "+p)
		}
	}
}

func orNone(ps []string) string {
	if len(ps) == 0 {
		return "no port"
	}
	return strings.Join(ps, ",")
}
