package reachability

import (
	"strconv"

	"github.com/awsgraph/awsgraph/internal/analysis/sgrules"
	"github.com/awsgraph/awsgraph/internal/graph"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
	lm "github.com/awsgraph/awsgraph/internal/service/elbv2/elbv2model"
)

// classicELB follows the Internet through an internet-facing Classic load
// balancer: each listener open on its port (the same subnet, route, ACL
// and group checks as an ALB's) forwards to every registered instance on
// the listener's instance port, which the instance's groups and subnet ACL
// must admit from the load balancer (it proxies: the packets come from its
// own addresses, or its group).
func (a *analyzer) classicELB(lb graph.Entity) {
	if lb.String(lm.PropScheme) != "internet-facing" {
		return
	}
	region := lb.String(m.PropRegion)
	groups := lb.Strings(lm.PropSecurityGroupIDs)
	for _, raw := range lb.Strings(lm.PropListeners) {
		l, err := lm.DecodeClassicListener(raw)
		if err != nil {
			continue
		}
		port := int64(l.LoadBalancerPort)
		listener := lb.Key() + " listener " + l.Protocol + ":" + strconv.Itoa(int(l.LoadBalancerPort))
		var targets []target
		for _, id := range lb.Strings(lm.PropInstanceIDs) {
			if i, ok := a.instances[rk(region, id)]; ok {
				t := a.instanceTarget(i, int64(l.InstancePort), "via "+listener+" → instance port "+strconv.Itoa(int(l.InstancePort)), false)
				targets = append(targets, t)
			}
		}
		trace := &Verdict{}
		open := a.listenerOpen(trace, lb, region, groups, "tcp", port)
		if len(open) == 0 {
			for _, t := range targets {
				a.addHops(t.keys, trace.Hops)
			}
			continue
		}
		props := map[string]any{"listenerArn": nil, "port": port, "protocol": l.Protocol, "ipProtocol": "tcp"}
		r := graph.DirectByKey(sgrules.InternetKey, sgrules.InternetType, "ALLOWS", lb.Key(), lb.Type(), props)
		r["_key"] = sgrules.InternetKey + "|allows|" + lb.Key() + "|listener:" + strconv.Itoa(int(l.LoadBalancerPort)) + "|tcp"
		a.res.Listeners = append(a.res.Listeners, r)
		a.expose(path{lb: lb, listener: listener, port: port, region: region, groups: groups, proto: "tcp", open: open}, trace, targets)
	}
}
