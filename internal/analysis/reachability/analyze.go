package reachability

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/awsgraph/awsgraph/internal/analysis/sgrules"
	"github.com/awsgraph/awsgraph/internal/graph"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
	lm "github.com/awsgraph/awsgraph/internal/service/elbv2/elbv2model"
)

// Input is the part of the graph the analysis reads.
type Input struct {
	Instances, Functions                       []graph.Entity
	VPCs, Subnets, Groups, PrefixLists         []graph.Entity
	RouteTables, NetworkACLs, InternetGateways []graph.Entity
	LoadBalancers, Listeners, TargetGroups     []graph.Entity
	NetworkInterfaces, ElasticIPs              []graph.Entity
	ClassicELBs                                []graph.Entity
}

// Verdict is what the analysis concludes for one instance or function.
type Verdict struct {
	Ports []sgrules.Ports
	Via   []string // ViaDirect and/or load balancer ARNs
	Hops  []string // the explanation, hop by hop
	// Prefixes: "<prefix> <ports>" reachable only from a narrower prefix
	// routed to an Internet gateway (no default route); not Internet-reachable.
	Prefixes []string
}

// ViaDirect is internetReachableVia's value for the instance's own address.
const ViaDirect = "direct"

// Props are the derived properties: internetReachable,
// internetReachablePorts (merged, as sgrules.MergePorts) and
// internetReachableVia (a sorted list: "direct" first, then load balancer
// ARNs; empty when unreachable).
func (v *Verdict) Props() map[string]any {
	ports := sgrules.MergePorts(v.Ports)
	via := uniq(v.Via)
	sort.Slice(via, func(i, j int) bool { return via[i] == ViaDirect || via[j] != ViaDirect && via[i] < via[j] })
	sort.Strings(v.Prefixes)
	return map[string]any{"internetReachable": len(ports) > 0, "internetReachablePorts": ports, "internetReachableVia": via,
		"internetReachableFromPrefixes": uniq(v.Prefixes)}
}

func (v *Verdict) hop(format string, args ...any) {
	v.Hops = append(v.Hops, fmt.Sprintf(format, args...))
}

// Result is what the analysis derives.
type Result struct {
	Verdicts map[string]*Verdict // by instance / function key
	// Listeners are the Internet ALLOWS load balancer edges, one per open listener.
	Listeners []graph.Relationship
}

type analyzer struct {
	subnets      map[string]graph.Entity   // region/subnetId
	vpcCIDRs     map[string][]netip.Prefix // region/vpcId
	explicitRT   map[string]RouteTable     // region/subnetId
	mainRT       map[string]RouteTable     // region/vpcId
	aclBySubnet  map[string]ACL            // region/subnetId
	defaultACL   map[string]ACL            // region/vpcId
	attached     map[string][]string       // igw id → VPC ids
	groups       map[string]graph.Entity   // region/groupId
	prefixLists  map[string][]string       // region/prefixListId
	instances    map[string]graph.Entity   // region/instanceId
	byPrivateIP  map[string]graph.Entity   // region/vpcId/ip
	functions    map[string]graph.Entity   // key
	listeners    map[string][]graph.Entity // LB ARN
	targetGroups map[string]graph.Entity   // ARN
	ifaces       map[string][]iface        // region/instanceId → its interfaces, primary first
	ifaceByKey   map[string]iface          // interface key
	ifaceByIP    map[string]iface          // region/vpcId/private ip
	interfaces   map[string]graph.Entity   // interface key
	eipsByInst   map[string][]string       // region/instanceId → Elastic IPs named by instance only
	lbTypes      map[string]string         // load balancer ARN → its type
	sourceCache  map[string][]netip.Prefix // load balancer ARN → its subnets' CIDRs
	aclCache     map[string]spans          // see allowedFrom
	eipNames     map[string]string         // region/public IP → the Elastic IP's allocation id
	// internetCache: region/groupId/family → the group's rules from the Internet.
	internetCache map[string][]ruleHit
	res           *Result
}

func rk(region, id string) string { return region + "/" + id }

// Analyze derives each instance's, interface's and function's
// reachability.
func Analyze(in Input) *Result {
	a := newAnalyzer(in)
	for _, e := range in.NetworkInterfaces {
		v := &Verdict{}
		a.directIface(v, e.String(m.PropRegion), a.ifaceByKey[e.Key()])
		a.res.Verdicts[e.Key()] = v
	}
	for _, i := range in.Instances {
		a.res.Verdicts[i.Key()] = a.direct(i)
	}
	for _, f := range in.Functions {
		a.res.Verdicts[f.Key()] = &Verdict{}
	}
	for _, lb := range in.LoadBalancers {
		a.loadBalancer(lb)
	}
	for _, lb := range in.ClassicELBs {
		a.classicELB(lb)
	}
	for k, v := range a.res.Verdicts {
		if len(v.Ports) == 0 {
			a.res.Verdicts[k].hop("verdict: not reachable from the Internet")
		} else {
			a.res.Verdicts[k].hop("verdict: reachable on %s via %s", strings.Join(sgrules.MergePorts(v.Ports), ", "), strings.Join(v.Props()["internetReachableVia"].([]string), ", "))
		}
	}
	return a.res
}

func newAnalyzer(in Input) *analyzer {
	a := &analyzer{subnets: map[string]graph.Entity{}, vpcCIDRs: map[string][]netip.Prefix{}, explicitRT: map[string]RouteTable{},
		mainRT: map[string]RouteTable{}, aclBySubnet: map[string]ACL{}, defaultACL: map[string]ACL{}, attached: map[string][]string{},
		groups: map[string]graph.Entity{}, prefixLists: map[string][]string{}, instances: map[string]graph.Entity{},
		byPrivateIP: map[string]graph.Entity{}, functions: map[string]graph.Entity{}, listeners: map[string][]graph.Entity{},
		targetGroups: map[string]graph.Entity{}, internetCache: map[string][]ruleHit{}, res: &Result{Verdicts: map[string]*Verdict{}},
		ifaces: map[string][]iface{}, ifaceByKey: map[string]iface{}, ifaceByIP: map[string]iface{}, interfaces: map[string]graph.Entity{}, lbTypes: map[string]string{}, sourceCache: map[string][]netip.Prefix{}, aclCache: map[string]spans{}, eipNames: map[string]string{}}
	for _, s := range in.Subnets {
		a.subnets[rk(s.String(m.PropRegion), s.String("subnetId"))] = s
	}
	for _, v := range in.VPCs {
		for _, c := range append(v.Strings(m.PropCIDRBlocks), v.String(m.PropCIDR)) {
			if p, ok := sgrules.ParseCIDR(c); ok {
				k := rk(v.String(m.PropRegion), v.String(m.PropVPCID))
				a.vpcCIDRs[k] = append(a.vpcCIDRs[k], p)
			}
		}
	}
	for _, e := range in.RouteTables {
		rt := RouteTableOf(e)
		if rt.Main {
			a.mainRT[rk(e.String(m.PropRegion), rt.VPCID)] = rt
		}
		for _, s := range e.Strings(m.PropAssociatedSubnets) {
			a.explicitRT[rk(e.String(m.PropRegion), s)] = rt
		}
	}
	for _, e := range in.NetworkACLs {
		acl := ACLOf(e)
		if e["isDefault"] == true {
			a.defaultACL[rk(e.String(m.PropRegion), e.String(m.PropVPCID))] = acl
		}
		for _, s := range e.Strings(m.PropAssociatedSubnets) {
			a.aclBySubnet[rk(e.String(m.PropRegion), s)] = acl
		}
	}
	for _, g := range in.InternetGateways {
		a.attached[g.String(m.PropGatewayID)] = g.Strings(m.PropAttachedVPCIDs)
	}
	a.indexWorkloads(in)
	return a
}

func (a *analyzer) indexWorkloads(in Input) {
	for _, g := range in.Groups {
		a.groups[rk(g.String(m.PropRegion), g.String(m.PropGroupID))] = g
	}
	for _, pl := range in.PrefixLists {
		a.prefixLists[rk(pl.String(m.PropRegion), pl.String(m.PropPrefixListID))] = pl.Strings(m.PropPrefixListEntries)
	}
	for _, i := range in.Instances {
		region := i.String(m.PropRegion)
		a.instances[rk(region, i.String("instanceId"))] = i
		for _, ip := range i.Strings(m.PropPrivateIPs) {
			a.byPrivateIP[rk(region, i.String(m.PropVPCID)+"/"+ip)] = i
		}
	}
	for _, f := range in.Functions {
		a.functions[f.Key()] = f
	}
	a.indexInterfaces(in)
	for _, l := range in.Listeners {
		a.listeners[l.String(lm.PropLoadBalancerArn)] = append(a.listeners[l.String(lm.PropLoadBalancerArn)], l)
	}
	for _, tg := range in.TargetGroups {
		a.targetGroups[tg.Key()] = tg
	}
	for _, lb := range in.LoadBalancers {
		a.lbTypes[lb.Key()] = lb.Type()
	}
}

// ACLOf reads a stored network ACL.
func ACLOf(e graph.Entity) ACL {
	var entries []m.ACLEntry
	for _, raw := range e.Strings(m.PropACLEntries) {
		if en, err := m.DecodeACLEntry(raw); err == nil {
			entries = append(entries, en)
		}
	}
	return NewACL(e.String(m.PropNetworkACLID), entries)
}

// routeTable is the subnet's effective table: its explicit association,
// else its VPC's main table.
func (a *analyzer) routeTable(region, subnetID string) (RouteTable, string, bool) {
	if rt, ok := a.explicitRT[rk(region, subnetID)]; ok {
		return rt, "explicitly associated", true
	}
	s, ok := a.subnets[rk(region, subnetID)]
	if !ok {
		return RouteTable{}, "", false
	}
	rt, ok := a.mainRT[rk(region, s.String(m.PropVPCID))]
	return rt, "the VPC's main table", ok
}

func (a *analyzer) acl(region, subnetID string) (ACL, bool) {
	if acl, ok := a.aclBySubnet[rk(region, subnetID)]; ok {
		return acl, true
	}
	s, ok := a.subnets[rk(region, subnetID)]
	if !ok {
		return ACL{}, false
	}
	acl, ok := a.defaultACL[rk(region, s.String(m.PropVPCID))]
	return acl, ok
}

func uniq(s []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func family(v6 bool) string {
	if v6 {
		return "IPv6"
	}
	return "IPv4"
}
