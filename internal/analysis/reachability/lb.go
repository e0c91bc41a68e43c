package reachability

import (
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/awsgraph/awsgraph/internal/analysis/sgrules"
	"github.com/awsgraph/awsgraph/internal/graph"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
	lm "github.com/awsgraph/awsgraph/internal/service/elbv2/elbv2model"
)

// num reads a stored number (int32 in the job, float64 from JSON).
func num(v any) (int64, bool) {
	switch n := v.(type) {
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case int:
		return int64(n), true
	case float64:
		if n == math.Trunc(n) {
			return int64(n), true
		}
	}
	return 0, false
}

// listenerProtocols are the transport protocols of a listener protocol.
func listenerProtocols(p string) []string {
	switch strings.ToUpper(p) {
	case "UDP":
		return []string{"udp"}
	case "TCP_UDP":
		return []string{"tcp", "udp"}
	}
	return []string{"tcp"} // HTTP, HTTPS, TCP, TLS
}

func covers(p sgrules.Ports, proto string, port int64) bool {
	return p.Protocol == "*" || p.Protocol == proto && *p.FromPort <= port && port <= *p.ToPort
}

// loadBalancer follows the Internet through an internet-facing load
// balancer's open listeners to the targets of the groups they forward to.
func (a *analyzer) loadBalancer(lb graph.Entity) {
	if lb.String(lm.PropScheme) != "internet-facing" {
		return
	}
	region := lb.String(m.PropRegion)
	groups := lb.Strings(lm.PropSecurityGroupIDs)
	for _, l := range a.listeners[lb.Key()] {
		port, ok := num(l[lm.PropPort])
		if !ok {
			continue
		}
		for _, proto := range listenerProtocols(l.String(lm.PropProtocol)) {
			trace := &Verdict{}
			targets := a.listenerTargets(l)
			open := a.listenerOpen(trace, lb, region, groups, proto, port)
			if len(open) == 0 {
				for _, t := range targets {
					a.addHops(t.keys, trace.Hops)
				}
				continue
			}
			props := map[string]any{"listenerArn": l.Key(), "port": port, "protocol": l.String(lm.PropProtocol), "ipProtocol": proto}
			r := graph.DirectByKey(sgrules.InternetKey, sgrules.InternetType, "ALLOWS", lb.Key(), lb.Type(), props)
			r["_key"] = sgrules.InternetKey + "|allows|" + l.Key() + "|" + proto
			a.res.Listeners = append(a.res.Listeners, r)
			a.expose(path{lb: lb, listener: l.Key(), port: port, region: region, groups: groups, proto: proto, open: open}, trace, targets)
		}
	}
}

// listenerOpen checks the load balancer's side: its subnets with an
// Internet route whose ACL admits the port, and (when it has groups) a rule
// from the Internet on the port. It returns the subnets that pass (their
// nodes take the Internet's connections).
func (a *analyzer) listenerOpen(trace *Verdict, lb graph.Entity, region string, groups []string, proto string, port int64) []string {
	what := "via " + lb.Key() + " listener " + proto + ":" + itoa64(port)
	var open []string
	for _, v6 := range lbFamilies(lb) {
		hits := []ruleHit{{groupID: "(none)", ruleID: "(no security groups: an NLB without groups admits every client)", ports: portsOf(proto, port, port)}}
		if len(groups) > 0 {
			hits = nil
			for _, h := range a.internetRules(region, groups, v6) {
				if covers(h.ports, proto, port) {
					h.ports = portsOf(proto, port, port)
					hits = append(hits, h)
				}
			}
		}
		for _, s := range lb.Strings(lm.PropSubnetIDs) {
			if !slices.Contains(open, s) && len(a.subnetAdmits(trace, region, s, v6, hits, what)) > 0 {
				open = append(open, s)
			}
		}
	}
	if len(open) == 0 {
		trace.hop("%s: closed (no subnet of the load balancer admits it)", what)
	}
	return open
}

// lbFamilies are the address families a load balancer takes Internet
// clients on (IPv6 for true): ipv4, dualstack (both) or
// dualstack-without-public-ipv4 (IPv6 only).
func lbFamilies(lb graph.Entity) []bool {
	switch lb.String("ipAddressType") {
	case "dualstack":
		return []bool{false, true}
	case "dualstack-without-public-ipv4":
		return []bool{true}
	}
	return []bool{false}
}

// target is one registered target as the analysis follows it.
type target struct {
	keys     []string // the verdicts it credits: the instance and/or the interface, or the function
	iface    *iface   // the interface traffic arrives on; nil for a function
	function bool
	port     int64
	via      string // how it is registered, for the explanation
	clientIP bool   // the load balancer preserves the client's address (NLB instance targets)
	// state is DescribeTargetHealth's: an "unused" (zone not enabled,
	// instance stopped) or "draining" target is sent no new connections.
	state string
}

func (a *analyzer) addHops(keys []string, hops []string) {
	for _, k := range keys {
		if v := a.res.Verdicts[k]; v != nil {
			v.Hops = append(v.Hops, hops...)
		}
	}
}

// listenerTargets are the registered targets of every group the listener
// forwards to.
func (a *analyzer) listenerTargets(l graph.Entity) []target {
	var out []target
	for _, tgArn := range l.Strings(lm.PropTargetGroupArns) {
		if tg, ok := a.targetGroups[tgArn]; ok {
			out = append(out, a.groupTargets(tg, l.String(lm.PropLoadBalancerArn))...)
		}
	}
	return out
}

// groupTargets resolves a target group's registered targets to collected
// instances, interfaces and functions, with the port traffic reaches them
// on. An instance target receives on its primary interface; an IP target
// on the interface holding the address.
func (a *analyzer) groupTargets(tg graph.Entity, lbArn string) []target {
	region := tg.String(m.PropRegion)
	lbIsNLB := a.lbTypes[lbArn] == lm.TypeNLB
	var out []target
	for _, raw := range tg.Strings(lm.PropTargets) {
		t, err := lm.DecodeTarget(raw)
		if err != nil {
			continue
		}
		port, _ := num(tg[lm.PropPort])
		if t.Port != nil {
			port = int64(*t.Port)
		}
		via := "via " + lbArn + " → target group " + tg.Key()
		n := len(out)
		switch tg.String(lm.PropTargetType) {
		case "instance":
			if i, ok := a.instances[rk(region, t.ID)]; ok {
				out = append(out, a.instanceTarget(i, port, via, lbIsNLB && preservesClientIP(tg)))
			}
		case "ip":
			if tt, ok := a.ipTarget(region, tg.String(m.PropVPCID), t.ID, port, via); ok {
				tt.clientIP = lbIsNLB && preservesClientIP(tg)
				out = append(out, tt)
			}
		case "lambda":
			if f, ok := a.functions[t.ID]; ok {
				out = append(out, target{keys: []string{f.Key()}, function: true, port: port, via: via})
			}
		}
		if len(out) > n {
			out[n].state = t.State
		}
	}
	return out
}

// preservesClientIP is a Network Load Balancer group's
// preserve_client_ip.enabled, where the collection read it; else AWS's
// default: on for instance targets and for UDP / TCP_UDP IP targets, off for
// TCP and TLS IP targets (ELB User Guide, Client IP preservation).
func preservesClientIP(tg graph.Entity) bool {
	if v, ok := tg[lm.PropPreserveClientIP].(bool); ok {
		return v
	}
	if tg.String(lm.PropTargetType) == "instance" {
		return true
	}
	p := strings.ToUpper(tg.String(lm.PropProtocol))
	return p == "UDP" || p == "TCP_UDP"
}

func (a *analyzer) instanceTarget(i graph.Entity, port int64, via string, clientIP bool) target {
	fs := a.interfacesOf(i)
	f := fs[0]
	keys := []string{i.Key()}
	if f.key != "" {
		keys = append(keys, f.key)
	}
	return target{keys: keys, iface: &f, port: port, via: via, clientIP: clientIP}
}

func (a *analyzer) ipTarget(region, vpc, ip string, port int64, via string) (target, bool) {
	if f, ok := a.ifaceByIP[rk(region, vpc+"/"+ip)]; ok {
		keys := []string{f.key}
		if i, ok := a.instances[rk(region, f.instance)]; ok && f.instance != "" {
			keys = append(keys, i.Key())
		}
		return target{keys: keys, iface: &f, port: port, via: via}, true
	}
	i, ok := a.byPrivateIP[rk(region, vpc+"/"+ip)]
	if !ok {
		return target{}, false
	}
	f := a.interfacesOf(i)[0]
	return target{keys: []string{i.Key()}, iface: &f, port: port, via: via}, true
}

// path is an open listener as its targets see it.
type path struct {
	lb       graph.Entity
	listener string
	port     int64 // the listener's
	region   string
	groups   []string // the load balancer's
	proto    string
	open     []string // the load balancer's subnets that take the Internet's connections
}

// expose credits an open listener's targets that admit the load balancer:
// their groups (admitsLB) and the network ACLs between the load balancer's
// open subnets and the target (targetACL).
//
// A function is credited with the listener's port: the load balancer
// invokes it, so the Internet's port is the only one there is.
func (a *analyzer) expose(p path, trace *Verdict, targets []target) {
	for _, t := range targets {
		a.addHops(t.keys, trace.Hops)
		step := &Verdict{}
		ok := t.function
		if t.state == "unused" || t.state == "draining" {
			step.hop("%s: target %s: the load balancer sends it no new connections", t.via, t.state)
			ok = false
		} else if t.function { // a Lambda function: the load balancer invokes it
			step.hop("%s: function invoked on listener %s", t.via, p.listener)
		} else if rule, admitted := a.admitsLB(p.region, t, p.lb, p.groups, p.proto); !admitted {
			step.hop("%s: no security group of interface %s admits the load balancer on %s:%d", t.via, t.iface.id, p.proto, t.port)
		} else {
			step.hop("%s: %s:%d admitted by security group rule %s", t.via, p.proto, t.port, rule)
			ok = a.targetACL(step, p, t)
		}
		a.addHops(t.keys, step.Hops)
		if !ok {
			continue
		}
		port := t.port
		if t.function {
			port = p.port
		}
		for _, k := range t.keys {
			if v := a.res.Verdicts[k]; v != nil {
				v.Ports = append(v.Ports, portsOf(p.proto, port, port))
				v.Via = append(v.Via, p.lb.Key())
			}
		}
	}
}

// lbSources are the addresses a load balancer sends from: its subnets.
// Read once per load balancer (it has many targets).
func (a *analyzer) lbSources(region string, lb graph.Entity) []netip.Prefix {
	if out, ok := a.sourceCache[lb.Key()]; ok {
		return out
	}
	var out []netip.Prefix
	for _, s := range lb.Strings(lm.PropSubnetIDs) {
		if p, ok := sgrules.ParseCIDR(a.subnets[rk(region, s)].String(m.PropCIDR)); ok {
			out = append(out, p)
		}
	}
	a.sourceCache[lb.Key()] = out
	return out
}

// allowedFrom is ACL.AllowedFrom, computed once per ACL, direction, source
// and protocol (the targets behind one load balancer share few subnets).
func (a *analyzer) allowedFrom(acl ACL, egress bool, src netip.Prefix, proto string) spans {
	k := acl.ID + "|" + strconv.FormatBool(egress) + "|" + src.String() + "|" + proto
	if s, ok := a.aclCache[k]; ok {
		return s
	}
	s := acl.AllowedFrom(egress, src, proto)
	a.aclCache[k] = s
	return s
}

// admitsLB reports whether the target interface's groups let the load
// balancer in on the port: a rule naming one of its groups, or a CIDR that
// covers its VPC or one of its subnets. When the load balancer preserves
// the client's address (an NLB's instance targets, and its UDP IP targets) the packets come from
// the Internet: only a rule from the whole Internet, or one naming the
// NLB's group, admits them.
func (a *analyzer) admitsLB(region string, t target, lb graph.Entity, lbGroups []string, proto string) (string, bool) {
	sources := append(append([]netip.Prefix(nil), a.vpcCIDRs[rk(region, lb.String(m.PropVPCID))]...), a.lbSources(region, lb)...)
	found := ""
	a.groupRules(region, t.iface.groups, func(gid string, r m.Rule, p netip.Prefix, hasCIDR bool) {
		if found != "" || !covers(sgrules.RulePorts(r), proto, t.port) {
			return
		}
		if r.ReferencedGroup != nil {
			for _, g := range lbGroups {
				if g == r.ReferencedGroup.GroupID {
					found = gid + "/" + sgrules.RuleID(r) + " (from the load balancer's group " + g + ")"
				}
			}
			return
		}
		if t.clientIP {
			if hasCIDR && p.Bits() == 0 && p.Addr().Is4() {
				found = gid + "/" + sgrules.RuleID(r) + " (from " + p.String() + ": the NLB preserves the client's address)"
			}
			return
		}
		for _, s := range sources {
			if hasCIDR && p.Addr().Is4() == s.Addr().Is4() && p.Bits() <= s.Bits() && p.Contains(s.Addr()) {
				found = gid + "/" + sgrules.RuleID(r) + " (from " + p.String() + ")"
				return
			}
		}
	})
	return found, found != ""
}

// targetACL checks the network ACLs between a load-balancer node and the
// target: the target subnet's (in on the target port from every address of
// the node's subnet, out on the ephemeral range back) and the node's own
// subnet's (out to the target on the port, in on the ephemeral range back).
// Traffic between two addresses of one subnet crosses no ACL. When the
// client's address is preserved, the target subnet's ACL is judged for the
// Internet.
func (a *analyzer) targetACL(v *Verdict, p path, t target) bool {
	acl, ok := a.acl(p.region, t.iface.subnet)
	if t.clientIP {
		if !ok {
			v.hop("%s: target subnet %s has no network ACL in the graph", t.via, t.iface.subnet)
			return false
		}
		kept := acl.Filter(false, []sgrules.Ports{portsOf(p.proto, t.port, t.port)})
		v.hop("%s: network ACL %s of target subnet %s, from the Internet (client address preserved): %s", t.via, acl.ID, t.iface.subnet,
			aclSays(acl, false, portsOf(p.proto, t.port, t.port), kept))
		return len(kept) > 0
	}
	for _, sid := range p.open {
		if sid == t.iface.subnet {
			v.hop("%s: target in the load balancer's subnet %s: no network ACL crossed", t.via, sid)
			return true
		}
	}
	if !ok {
		v.hop("%s: target subnet %s has no network ACL in the graph", t.via, t.iface.subnet)
		return false
	}
	dst := a.targetPrefix(p.region, t)
	for _, sid := range p.open {
		src, okSrc := sgrules.ParseCIDR(a.subnets[rk(p.region, sid)].String(m.PropCIDR))
		lbACL, okLB := a.acl(p.region, sid)
		if !okSrc || !okLB {
			v.hop("%s: load balancer subnet %s: no CIDR or network ACL in the graph", t.via, sid)
			continue
		}
		if a.aclPasses(v, t.via, "target subnet "+t.iface.subnet, acl, false, src, p.proto, t.port) &&
			a.aclPasses(v, t.via, "load balancer subnet "+sid, lbACL, true, dst, p.proto, t.port) {
			return true
		}
	}
	return false
}

// targetPrefix is the target's address as a /32 (its subnet when unknown).
func (a *analyzer) targetPrefix(region string, t target) netip.Prefix {
	for _, ip := range t.iface.private {
		if addr, err := netip.ParseAddr(ip); err == nil {
			return netip.PrefixFrom(addr, addr.BitLen())
		}
	}
	p, _ := sgrules.ParseCIDR(a.subnets[rk(region, t.iface.subnet)].String(m.PropCIDR))
	return p
}

// aclPasses checks one ACL on the load-balancer-to-target leg: egress false
// is the receiving side (in on the port from peer, out on the ephemeral
// range to it), egress true the sending side (out on the port to peer, in
// on the ephemeral range from it).
func (a *analyzer) aclPasses(v *Verdict, via, where string, acl ACL, egress bool, peer netip.Prefix, proto string, port int64) bool {
	onPort, back := a.allowedFrom(acl, egress, peer, proto), a.allowedFrom(acl, !egress, peer, proto)
	dir, backDir := "inbound", "outbound"
	if egress {
		dir, backDir = "outbound", "inbound"
	}
	if onPort.covers(span{port, port}) && back.covers(Ephemeral) {
		v.hop("%s: network ACL %s of %s allows %s %s:%d with %s and the ephemeral range back", via, acl.ID, where, dir, proto, port, peer)
		return true
	}
	v.hop("%s: network ACL %s of %s, with %s: %s %s:%d %s, %s ephemeral %s", via, acl.ID, where, peer, dir, proto, port,
		map[bool]string{true: "allowed", false: "not allowed for every address of it (first entry matching: " + acl.DecideFrom(egress, peer, proto, port).String() + ")"}[onPort.covers(span{port, port})],
		backDir, map[bool]string{true: "allowed", false: "not fully allowed"}[back.covers(Ephemeral)])
	return false
}
