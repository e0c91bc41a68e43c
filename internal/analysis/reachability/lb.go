package reachability

import (
	"math"
	"net/netip"
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
			if !a.listenerOpen(trace, lb, region, groups, proto, port) {
				a.traceTargets(l, trace)
				continue
			}
			props := map[string]any{"listenerArn": l.Key(), "port": port, "protocol": l.String(lm.PropProtocol), "ipProtocol": proto}
			r := graph.DirectByKey(sgrules.InternetKey, sgrules.InternetType, "ALLOWS", lb.Key(), lb.Type(), props)
			r["_key"] = sgrules.InternetKey + "|allows|" + l.Key() + "|" + proto
			a.res.Listeners = append(a.res.Listeners, r)
			a.forward(lb, l, trace, region, groups, proto)
		}
	}
}

// listenerOpen checks the load balancer's side: a subnet with an Internet
// route whose ACL admits the port, and (when it has groups) a rule from the
// Internet on the port.
func (a *analyzer) listenerOpen(trace *Verdict, lb graph.Entity, region string, groups []string, proto string, port int64) bool {
	what := "via " + lb.Key() + " listener " + proto + ":" + itoa64(port)
	hits := []ruleHit{{groupID: "(none)", ruleID: "(no security groups: an NLB without groups admits every client)", ports: sgrules.Ports{Protocol: "*"}}}
	if len(groups) > 0 {
		hits = nil
		for _, h := range a.internetRules(region, groups, false) {
			if covers(h.ports, proto, port) {
				h.ports = portsOf(proto, port, port)
				hits = append(hits, h)
			}
		}
	} else {
		hits[0].ports = portsOf(proto, port, port)
	}
	for _, s := range lb.Strings(lm.PropSubnetIDs) {
		if len(a.subnetAdmits(trace, region, s, false, hits, what)) > 0 {
			return true
		}
	}
	trace.hop("%s: closed (no subnet of the load balancer admits it)", what)
	return false
}

// traceTargets records a closed listener's explanation on its targets.
func (a *analyzer) traceTargets(l graph.Entity, trace *Verdict) {
	for _, tg := range l.Strings(lm.PropTargetGroupArns) {
		g, ok := a.targetGroups[tg]
		if !ok {
			continue
		}
		a.eachTarget(g, func(key string, _ graph.Entity, _ int64) {
			if v := a.res.Verdicts[key]; v != nil {
				v.Hops = append(v.Hops, trace.Hops...)
			}
		})
	}
}

// eachTarget calls f with every registered target that resolves to a
// collected instance or function, and the port traffic reaches it on.
func (a *analyzer) eachTarget(tg graph.Entity, f func(key string, e graph.Entity, port int64)) {
	region := tg.String(m.PropRegion)
	for _, raw := range tg.Strings(lm.PropTargets) {
		t, err := lm.DecodeTarget(raw)
		if err != nil {
			continue
		}
		port, _ := num(tg[lm.PropPort])
		if t.Port != nil {
			port = int64(*t.Port)
		}
		var e graph.Entity
		switch tg.String(lm.PropTargetType) {
		case "instance":
			e = a.instances[rk(region, t.ID)]
		case "ip":
			e = a.byPrivateIP[rk(region, tg.String(m.PropVPCID)+"/"+t.ID)]
		case "lambda":
			e = a.functions[t.ID]
		}
		if e != nil {
			f(e.Key(), e, port)
		}
	}
}

// forward exposes the targets of an open listener's groups that admit the
// load balancer.
func (a *analyzer) forward(lb, l graph.Entity, trace *Verdict, region string, lbGroups []string, proto string) {
	for _, tgArn := range l.Strings(lm.PropTargetGroupArns) {
		tg, ok := a.targetGroups[tgArn]
		if !ok {
			continue
		}
		a.eachTarget(tg, func(key string, e graph.Entity, port int64) {
			v := a.res.Verdicts[key]
			if v == nil {
				return
			}
			v.Hops = append(v.Hops, trace.Hops...)
			what := "via " + lb.Key() + " → target group " + tgArn
			if e.Type() != m.TypeInstance { // a Lambda function: the load balancer invokes it
				v.hop("%s: function invoked on listener %s", what, l.Key())
				v.Ports = append(v.Ports, portsOf(proto, port, port))
				v.Via = append(v.Via, lb.Key())
				return
			}
			if rule, ok := a.admitsLB(e, lb, lbGroups, proto, port); ok {
				v.hop("%s: %s:%d admitted by security group rule %s", what, proto, port, rule)
				v.Ports = append(v.Ports, portsOf(proto, port, port))
				v.Via = append(v.Via, lb.Key())
				return
			}
			v.hop("%s: no security group of the target admits the load balancer on %s:%d", what, proto, port)
		})
	}
}

// admitsLB reports whether the target's groups let the load balancer in on
// the port: a rule naming one of its groups, or a CIDR that covers its VPC
// or one of its subnets (an NLB without groups sends from its subnets'
// addresses, or preserves the client's, which a 0.0.0.0/0 rule covers).
func (a *analyzer) admitsLB(target, lb graph.Entity, lbGroups []string, proto string, port int64) (string, bool) {
	region := target.String(m.PropRegion)
	var sources []netip.Prefix
	sources = append(sources, a.vpcCIDRs[rk(region, lb.String(m.PropVPCID))]...)
	for _, s := range lb.Strings(lm.PropSubnetIDs) {
		if p, ok := sgrules.ParseCIDR(a.subnets[rk(region, s)].String(m.PropCIDR)); ok {
			sources = append(sources, p)
		}
	}
	found := ""
	a.groupRules(region, target.Strings("securityGroupIds"), func(gid string, r m.Rule, p netip.Prefix, hasCIDR bool) {
		if found != "" || !covers(sgrules.RulePorts(r), proto, port) {
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
		for _, s := range sources {
			if hasCIDR && p.Addr().Is4() == s.Addr().Is4() && p.Bits() <= s.Bits() && p.Contains(s.Addr()) {
				found = gid + "/" + sgrules.RuleID(r) + " (from " + p.String() + ")"
				return
			}
		}
	})
	return found, found != ""
}
