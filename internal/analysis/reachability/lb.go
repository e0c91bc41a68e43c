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
			if !a.listenerOpen(trace, lb, region, groups, proto, port) {
				for _, t := range targets {
					a.addHops(t.keys, trace.Hops)
				}
				continue
			}
			props := map[string]any{"listenerArn": l.Key(), "port": port, "protocol": l.String(lm.PropProtocol), "ipProtocol": proto}
			r := graph.DirectByKey(sgrules.InternetKey, sgrules.InternetType, "ALLOWS", lb.Key(), lb.Type(), props)
			r["_key"] = sgrules.InternetKey + "|allows|" + l.Key() + "|" + proto
			a.res.Listeners = append(a.res.Listeners, r)
			a.expose(lb, l.Key(), port, trace, region, groups, proto, targets)
		}
	}
}

// listenerOpen checks the load balancer's side: a subnet with an Internet
// route whose ACL admits the port, and (when it has groups) a rule from the
// Internet on the port.
func (a *analyzer) listenerOpen(trace *Verdict, lb graph.Entity, region string, groups []string, proto string, port int64) bool {
	what := "via " + lb.Key() + " listener " + proto + ":" + itoa64(port)
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
			if len(a.subnetAdmits(trace, region, s, v6, hits, what)) > 0 {
				return true
			}
		}
	}
	trace.hop("%s: closed (no subnet of the load balancer admits it)", what)
	return false
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
				out = append(out, a.instanceTarget(i, port, via, lbIsNLB))
			}
		case "ip":
			if tt, ok := a.ipTarget(region, tg.String(m.PropVPCID), t.ID, port, via); ok {
				// An NLB keeps the client's address for UDP IP targets by default.
				p := strings.ToUpper(tg.String(lm.PropProtocol))
				tt.clientIP = lbIsNLB && (p == "UDP" || p == "TCP_UDP")
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

// expose credits an open listener's targets that admit the load balancer:
// their groups (admitsLB) and, when the target is in a subnet other than
// the load balancer's, its subnet's network ACL (targetACL).
//
// A function is credited with the listener's port: the load balancer
// invokes it, so the Internet's port is the only one there is.
func (a *analyzer) expose(lb graph.Entity, listener string, listenerPort int64, trace *Verdict, region string, lbGroups []string, proto string, targets []target) {
	for _, t := range targets {
		a.addHops(t.keys, trace.Hops)
		step := &Verdict{}
		ok := t.function
		if t.state == "unused" || t.state == "draining" {
			step.hop("%s: target %s: the load balancer sends it no new connections", t.via, t.state)
			ok = false
		} else if t.function { // a Lambda function: the load balancer invokes it
			step.hop("%s: function invoked on listener %s", t.via, listener)
		} else if rule, admitted := a.admitsLB(region, t, lb, lbGroups, proto); !admitted {
			step.hop("%s: no security group of interface %s admits the load balancer on %s:%d", t.via, t.iface.id, proto, t.port)
		} else {
			step.hop("%s: %s:%d admitted by security group rule %s", t.via, proto, t.port, rule)
			ok = a.targetACL(step, region, t, lb, proto)
		}
		a.addHops(t.keys, step.Hops)
		if !ok {
			continue
		}
		port := t.port
		if t.function {
			port = listenerPort
		}
		for _, k := range t.keys {
			if v := a.res.Verdicts[k]; v != nil {
				v.Ports = append(v.Ports, portsOf(proto, port, port))
				v.Via = append(v.Via, lb.Key())
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

// targetACL checks the target subnet's network ACL on the way from the
// load balancer: inbound on the target port from the load balancer's
// subnets (the Internet when the client's address is preserved), outbound
// on the ephemeral range back. Traffic between two addresses of one subnet
// crosses no ACL.
func (a *analyzer) targetACL(v *Verdict, region string, t target, lb graph.Entity, proto string) bool {
	if slices.Contains(lb.Strings(lm.PropSubnetIDs), t.iface.subnet) && !t.clientIP {
		v.hop("%s: target in the load balancer's subnet %s: no network ACL crossed", t.via, t.iface.subnet)
		return true
	}
	acl, ok := a.acl(region, t.iface.subnet)
	if !ok {
		v.hop("%s: target subnet %s has no network ACL in the graph", t.via, t.iface.subnet)
		return false
	}
	if t.clientIP {
		kept := acl.Filter(false, []sgrules.Ports{portsOf(proto, t.port, t.port)})
		v.hop("%s: network ACL %s of target subnet %s, from the Internet (client address preserved): %s", t.via, acl.ID, t.iface.subnet,
			aclSays(acl, false, portsOf(proto, t.port, t.port), kept))
		return len(kept) > 0
	}
	for _, src := range a.lbSources(region, lb) {
		in, out := a.allowedFrom(acl, false, src, proto), a.allowedFrom(acl, true, src, proto)
		if in.covers(span{t.port, t.port}) && out.covers(Ephemeral) {
			v.hop("%s: network ACL %s of target subnet %s allows %s:%d in from %s and the ephemeral range back", t.via, acl.ID, t.iface.subnet, proto, t.port, src)
			return true
		}
		v.hop("%s: network ACL %s of target subnet %s: from %s inbound %s:%d %s, outbound ephemeral %s", t.via, acl.ID, t.iface.subnet, src, proto, t.port,
			map[bool]string{true: "allowed", false: "not allowed for every address of it (first entry matching: " + acl.DecideFrom(false, src, proto, t.port).String() + ")"}[in.covers(span{t.port, t.port})],
			map[bool]string{true: "allowed", false: "not fully allowed"}[out.covers(Ephemeral)])
	}
	return false
}
