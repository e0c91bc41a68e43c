package reachability

import (
	"reflect"
	"strings"
	"testing"

	"github.com/awsgraph/awsgraph/internal/graph"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
	lm "github.com/awsgraph/awsgraph/internal/service/elbv2/elbv2model"
)

const reg = "us-east-1"

func ent(typ, key string, props map[string]any) graph.Entity {
	e := graph.NewEntity(key, typ, []string{"X"}, key)
	e.Set("region", reg).Set("accountId", "111122223333")
	for k, v := range props {
		e.Set(k, v)
	}
	return e
}

func sg(id string, rules ...m.Rule) graph.Entity {
	var raw []string
	for _, r := range rules {
		raw = append(raw, r.Encode())
	}
	return ent(m.TypeSecurityGroup, "sg:"+id, map[string]any{m.PropGroupID: id, m.PropVPCID: "vpc-1", m.PropIngressRules: raw})
}

func tcpRule(id string, port int32, cidr string) m.Rule {
	return m.Rule{RuleID: id, IPProtocol: "tcp", FromPort: &port, ToPort: &port, CidrIPv4: cidr}
}

func routes(rs ...m.Route) []string {
	var out []string
	for _, r := range rs {
		out = append(out, m.EncodeJSON(r))
	}
	return out
}

func entries(es ...m.ACLEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, m.EncodeJSON(e))
	}
	return out
}

// world: subnet-pub has an explicit table routing to igw-1; subnet-main has
// no association and falls back to the main table, which routes to nat-1;
// subnet-main2 falls back too, in a VPC whose main table routes to igw-2.
func world() Input {
	igwRoute := m.Route{DestinationCIDR: "0.0.0.0/0", Target: "igw-1", TargetKind: "gateway"}
	openACL := entries(entry(100, false, "-1", "allow", "0.0.0.0/0"), entry(100, true, "-1", "allow", "0.0.0.0/0"))
	in := Input{
		VPCs: []graph.Entity{ent(m.TypeVPC, "vpc:1", map[string]any{m.PropVPCID: "vpc-1", m.PropCIDR: "10.0.0.0/16"}),
			ent(m.TypeVPC, "vpc:2", map[string]any{m.PropVPCID: "vpc-2", m.PropCIDR: "10.1.0.0/16"})},
		Subnets: []graph.Entity{
			ent(m.TypeSubnet, "sn:pub", map[string]any{"subnetId": "subnet-pub", m.PropVPCID: "vpc-1", m.PropCIDR: "10.0.1.0/24"}),
			ent(m.TypeSubnet, "sn:main", map[string]any{"subnetId": "subnet-main", m.PropVPCID: "vpc-1", m.PropCIDR: "10.0.2.0/24"}),
			ent(m.TypeSubnet, "sn:main2", map[string]any{"subnetId": "subnet-main2", m.PropVPCID: "vpc-2", m.PropCIDR: "10.1.2.0/24"}),
		},
		RouteTables: []graph.Entity{
			ent(m.TypeRouteTable, "rt:pub", map[string]any{m.PropRouteTableID: "rtb-pub", m.PropVPCID: "vpc-1", m.PropMain: false,
				m.PropAssociatedSubnets: []string{"subnet-pub"}, m.PropRoutes: routes(igwRoute)}),
			ent(m.TypeRouteTable, "rt:main", map[string]any{m.PropRouteTableID: "rtb-main", m.PropVPCID: "vpc-1", m.PropMain: true,
				m.PropAssociatedSubnets: []string{}, m.PropRoutes: routes(m.Route{DestinationCIDR: "0.0.0.0/0", Target: "nat-1", TargetKind: "nat-gateway"})}),
			ent(m.TypeRouteTable, "rt:main2", map[string]any{m.PropRouteTableID: "rtb-main2", m.PropVPCID: "vpc-2", m.PropMain: true,
				m.PropAssociatedSubnets: []string{}, m.PropRoutes: routes(m.Route{DestinationCIDR: "0.0.0.0/0", Target: "igw-2", TargetKind: "gateway"})}),
		},
		NetworkACLs: []graph.Entity{
			ent(m.TypeNetworkACL, "acl:1", map[string]any{m.PropNetworkACLID: "acl-1", m.PropVPCID: "vpc-1", "isDefault": true, m.PropACLEntries: openACL}),
			ent(m.TypeNetworkACL, "acl:2", map[string]any{m.PropNetworkACLID: "acl-2", m.PropVPCID: "vpc-2", "isDefault": true, m.PropACLEntries: openACL}),
		},
		InternetGateways: []graph.Entity{
			ent(m.TypeInternetGateway, "igw:1", map[string]any{m.PropGatewayID: "igw-1", m.PropAttachedVPCIDs: []string{"vpc-1"}}),
			ent(m.TypeInternetGateway, "igw:2", map[string]any{m.PropGatewayID: "igw-2", m.PropAttachedVPCIDs: []string{"vpc-2"}}),
		},
		Groups: []graph.Entity{sg("sg-ssh", tcpRule("sgr-ssh", 22, "0.0.0.0/0")), sg("sg-lb", tcpRule("sgr-lb", 443, "0.0.0.0/0")),
			sg("sg-app", m.Rule{RuleID: "sgr-app", IPProtocol: "tcp", FromPort: p32(8080), ToPort: p32(8080), ReferencedGroup: &m.GroupRef{GroupID: "sg-lb"}})},
	}
	inst := func(id, subnet, vpc, public string, groups ...string) graph.Entity {
		return ent(m.TypeInstance, "i:"+id, map[string]any{"instanceId": id, "subnetId": subnet, m.PropVPCID: vpc, m.PropPublicIP: public,
			"securityGroupIds": groups, m.PropPrivateIPs: []string{"10.0.2.9"}})
	}
	in.Instances = []graph.Entity{inst("pub", "subnet-pub", "vpc-1", "54.0.0.1", "sg-ssh"), inst("main", "subnet-main", "vpc-1", "54.0.0.2", "sg-ssh"),
		inst("main2", "subnet-main2", "vpc-2", "54.0.0.3", "sg-ssh"), inst("app", "subnet-main", "vpc-1", "", "sg-app")}
	in.LoadBalancers = []graph.Entity{ent(lm.TypeALB, "arn:alb", map[string]any{lm.PropScheme: "internet-facing", m.PropVPCID: "vpc-1",
		lm.PropSubnetIDs: []string{"subnet-pub"}, lm.PropSecurityGroupIDs: []string{"sg-lb"}})}
	in.Listeners = []graph.Entity{ent(lm.TypeListener, "arn:listener", map[string]any{lm.PropLoadBalancerArn: "arn:alb", lm.PropPort: float64(443),
		lm.PropProtocol: "HTTPS", lm.PropTargetGroupArns: []string{"arn:tg"}})}
	in.TargetGroups = []graph.Entity{ent(lm.TypeTargetGroup, "arn:tg", map[string]any{lm.PropTargetType: "instance", lm.PropPort: int32(8080),
		m.PropVPCID: "vpc-1", lm.PropTargets: []string{lm.Target{ID: "app"}.Encode()}})}
	return in
}

func TestAnalyzeRouteTableFallbackAndLoadBalancer(t *testing.T) {
	res := Analyze(world())
	cases := []struct {
		key   string
		ports []string
		via   []string
		says  string
	}{
		{"i:pub", []string{"tcp:22"}, []string{"direct"}, "rtb-pub (explicitly associated)"},
		{"i:main", []string{}, []string{}, "rtb-main (the VPC's main table)"},
		{"i:main2", []string{"tcp:22"}, []string{"direct"}, "rtb-main2 (the VPC's main table)"},
		{"i:app", []string{"tcp:8080"}, []string{"arn:alb"}, "admitted by security group rule sg-app/sgr-app"},
	}
	for _, c := range cases {
		v := res.Verdicts[c.key]
		p := v.Props()
		if !reflect.DeepEqual(p["internetReachablePorts"], c.ports) || !reflect.DeepEqual(p["internetReachableVia"], c.via) ||
			p["internetReachable"] != (len(c.ports) > 0) {
			t.Errorf("%s: %v, want %v via %v", c.key, p, c.ports, c.via)
		}
		if !strings.Contains(strings.Join(v.Hops, "\n"), c.says) {
			t.Errorf("%s: explanation lacks %q:\n%s", c.key, c.says, strings.Join(v.Hops, "\n"))
		}
	}
	if len(res.Listeners) != 1 || res.Listeners[0].ToKey() != "arn:alb" || res.Listeners[0]["port"] != int64(443) {
		t.Errorf("listener edges %v", res.Listeners)
	}

	// The load balancer's group no longer admits 443: no edge, the target is closed.
	in := world()
	in.Groups[1] = sg("sg-lb", tcpRule("sgr-lb", 80, "0.0.0.0/0"))
	res = Analyze(in)
	if len(res.Listeners) != 0 || res.Verdicts["i:app"].Props()["internetReachable"] != false {
		t.Errorf("closed listener: edges %v, app %v", res.Listeners, res.Verdicts["i:app"].Props())
	}
	// An internal load balancer exposes nothing.
	in = world()
	in.LoadBalancers[0][lm.PropScheme] = "internal"
	if res := Analyze(in); len(res.Listeners) != 0 || res.Verdicts["i:app"].Props()["internetReachable"] != false {
		t.Errorf("internal load balancer: edges %v", res.Listeners)
	}
}
