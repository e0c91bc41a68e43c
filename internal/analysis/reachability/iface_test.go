package reachability

import (
	"reflect"
	"strings"
	"testing"

	"github.com/awsgraph/awsgraph/internal/graph"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
	lm "github.com/awsgraph/awsgraph/internal/service/elbv2/elbv2model"
)

func eni(id, instance string, device int, subnet string, public []string, private string, groups ...string) graph.Entity {
	props := map[string]any{m.PropNetworkInterfaceID: id, m.PropSubnetID: subnet, m.PropVPCID: "vpc-1", m.PropPublicIPs: public,
		m.PropPrivateIPs: []string{private}, m.PropSecurityGroupIDs: groups, m.PropIPv6Addresses: []string{}}
	if instance != "" {
		props[m.PropAttachedInstanceID] = instance
		props[m.PropDeviceIndex] = int32(device)
	}
	return ent(m.TypeNetworkInterface, "eni:"+id, props)
}

func wantReach(t *testing.T, res *Result, key string, ports, via []string) {
	t.Helper()
	v := res.Verdicts[key]
	if v == nil {
		t.Fatalf("%s: no verdict", key)
	}
	p := v.Props()
	if !reflect.DeepEqual(p["internetReachablePorts"], ports) || !reflect.DeepEqual(p["internetReachableVia"], via) || p["internetReachable"] != (len(ports) > 0) {
		t.Errorf("%s: %v, want %v via %v\n%s", key, p, ports, via, strings.Join(v.Hops, "\n"))
	}
}

// An instance whose primary interface is private (NAT subnet, no public
// address) and whose secondary interface sits in the public subnet with its
// own public address and group is reachable through the secondary only —
// and the instance's union of groups and addresses must not be judged
// against the primary's subnet.
func TestEverySecondaryInterfaceIsJudgedByItsOwnSubnetGroupsAndAddress(t *testing.T) {
	in := world()
	in.Groups = append(in.Groups, sg("sg-web", tcpRule("sgr-web", 443, "0.0.0.0/0")))
	multi := ent(m.TypeInstance, "i:multi", map[string]any{"instanceId": "multi", "subnetId": "subnet-main", m.PropVPCID: "vpc-1",
		m.PropPublicIP: "", m.PropPublicIPs: []string{"54.9.9.9"}, "securityGroupIds": []string{"sg-ssh", "sg-web"}, m.PropPrivateIPs: []string{"10.0.2.50", "10.0.1.50"}})
	in.Instances = append(in.Instances, multi)
	in.NetworkInterfaces = []graph.Entity{
		eni("eni-primary", "multi", 0, "subnet-main", nil, "10.0.2.50", "sg-ssh"),
		eni("eni-second", "multi", 1, "subnet-pub", []string{"54.9.9.9"}, "10.0.1.50", "sg-web"),
		// Standalone, public only by an Elastic IP that DescribeAddresses names.
		eni("eni-free", "", 0, "subnet-pub", nil, "10.0.1.60", "sg-ssh"),
		// The same, in the NAT-routed subnet: its Elastic IP lets nothing in.
		eni("eni-natted", "", 0, "subnet-main", nil, "10.0.2.60", "sg-ssh"),
	}
	in.ElasticIPs = []graph.Entity{
		ent(m.TypeElasticIP, "eip:1", map[string]any{m.PropPublicIP: "3.3.3.3", m.PropNetworkInterfaceID: "eni-free", "allocationId": "eipalloc-1"}),
		ent(m.TypeElasticIP, "eip:2", map[string]any{m.PropPublicIP: "3.3.3.4", m.PropNetworkInterfaceID: "eni-natted"}),
	}
	res := Analyze(in)
	wantReach(t, res, "i:multi", []string{"tcp:443"}, []string{"direct"})
	wantReach(t, res, "eni:eni-second", []string{"tcp:443"}, []string{"direct"})
	wantReach(t, res, "eni:eni-primary", []string{}, []string{})
	wantReach(t, res, "eni:eni-free", []string{"tcp:22"}, []string{"direct"})
	wantReach(t, res, "eni:eni-natted", []string{}, []string{})
	hops := strings.Join(res.Verdicts["i:multi"].Hops, "\n")
	for _, want := range []string{"interface eni-primary): no public IPv4 address", "interface eni-second) 54.9.9.9", "rtb-pub"} {
		if !strings.Contains(hops, want) {
			t.Errorf("explanation lacks %q:\n%s", want, hops)
		}
	}
	if h := strings.Join(res.Verdicts["eni:eni-free"].Hops, "\n"); !strings.Contains(h, "3.3.3.3 (Elastic IP eipalloc-1)") {
		t.Errorf("the Elastic IP is not named:\n%s", h)
	}
}

// The ALB's packets cross the target subnet's network ACL (the target is in
// another subnet): a deny of the target port, or of the ephemeral range
// back, closes the path; the same ACL allowing it opens it.
func TestTargetSubnetACLOnTheLoadBalancerPath(t *testing.T) {
	deny := func(es ...m.ACLEntry) Input {
		in := world()
		in.NetworkACLs = append(in.NetworkACLs, ent(m.TypeNetworkACL, "acl:app", map[string]any{m.PropNetworkACLID: "acl-app", m.PropVPCID: "vpc-1",
			"isDefault": false, m.PropAssociatedSubnets: []string{"subnet-main"}, m.PropACLEntries: entries(es...)}))
		return in
	}
	cases := []struct {
		name  string
		in    Input
		ports []string
		says  string
	}{
		{"8080 denied in from the VPC", deny(entry(90, false, "6", "deny", "10.0.0.0/16", 8080, 8080), entry(100, false, "-1", "allow", "0.0.0.0/0"),
			entry(100, true, "-1", "allow", "0.0.0.0/0")), []string{}, "not allowed for every address of it (first entry matching: deny (rule 90))"},
		{"ephemeral denied out", deny(entry(100, false, "-1", "allow", "0.0.0.0/0"), entry(90, true, "6", "deny", "0.0.0.0/0", 1024, 65535),
			entry(100, true, "-1", "allow", "0.0.0.0/0")), []string{}, "outbound ephemeral not fully allowed"},
		{"a narrower allow does not cover the load balancer's subnet", deny(entry(100, false, "6", "allow", "10.0.1.0/25", 8080, 8080),
			entry(100, true, "-1", "allow", "0.0.0.0/0")), []string{}, "first entry matching: allow (rule 100)"},
		{"allowed from the load balancer's subnet", deny(entry(100, false, "6", "allow", "10.0.1.0/24", 8080, 8080),
			entry(100, true, "6", "allow", "10.0.0.0/16", 1024, 65535)), []string{"tcp:8080"}, "allows inbound tcp:8080 with 10.0.1.0/24"},
	}
	for _, c := range cases {
		res := Analyze(c.in)
		via := []string{}
		if len(c.ports) > 0 {
			via = []string{"arn:alb"}
		}
		t.Run(c.name, func(t *testing.T) {
			wantReach(t, res, "i:app", c.ports, via)
			if h := strings.Join(res.Verdicts["i:app"].Hops, "\n"); !strings.Contains(h, c.says) || !strings.Contains(h, "acl-app") {
				t.Errorf("explanation lacks %q:\n%s", c.says, h)
			}
		})
	}
}

// A route to the Internet gateway for 1.2.3.0/24 only (no default route):
// not reachable from the Internet, but recorded apart.
func TestPrefixOnlyInternetRouteIsKeptApart(t *testing.T) {
	in := world()
	in.RouteTables[0][m.PropRoutes] = routes(m.Route{DestinationCIDR: "1.2.3.0/24", Target: "igw-1", TargetKind: "gateway"})
	res := Analyze(in)
	wantReach(t, res, "i:pub", []string{}, []string{})
	p := res.Verdicts["i:pub"].Props()
	if !reflect.DeepEqual(p["internetReachableFromPrefixes"], []string{"1.2.3.0/24 tcp:22"}) {
		t.Errorf("prefixes %v", p["internetReachableFromPrefixes"])
	}
	if h := strings.Join(res.Verdicts["i:pub"].Hops, "\n"); !strings.Contains(h, "routes only 1.2.3.0/24 to Internet gateway igw-1") {
		t.Errorf("explanation:\n%s", h)
	}
	// The ALB in that subnet is closed too.
	wantReach(t, res, "i:app", []string{}, []string{})
}

// An NLB keeps the client's address for instance targets: a target group
// admitting only the VPC CIDR drops the Internet's packets; one admitting
// 0.0.0.0/0 takes them. With preserve_client_ip.enabled read as false the
// targets see the NLB's address, and the VPC CIDR admits it; read as true it
// is the default's answer. A Classic ELB proxies: the VPC CIDR is enough.
func TestNLBInstanceTargetsSeeTheClientAndClassicELBProxies(t *testing.T) {
	for _, c := range []struct {
		cidr     string
		preserve any // the target group's preserveClientIp; nil: not read
		ports    []string
	}{{"10.0.0.0/16", nil, []string{}}, {"0.0.0.0/0", nil, []string{"tcp:9000"}},
		{"10.0.0.0/16", false, []string{"tcp:9000"}}, {"10.0.0.0/16", true, []string{}}} {
		in := world()
		in.Groups = append(in.Groups, sg("sg-nlbt", tcpRule("sgr-nlbt", 9000, c.cidr)))
		in.Instances = append(in.Instances, ent(m.TypeInstance, "i:nt", map[string]any{"instanceId": "nt", "subnetId": "subnet-main", m.PropVPCID: "vpc-1",
			"securityGroupIds": []string{"sg-nlbt"}, m.PropPrivateIPs: []string{"10.0.2.77"}}))
		in.LoadBalancers = append(in.LoadBalancers, ent(lm.TypeNLB, "arn:nlb", map[string]any{lm.PropScheme: "internet-facing", m.PropVPCID: "vpc-1",
			lm.PropSubnetIDs: []string{"subnet-pub"}}))
		in.Listeners = append(in.Listeners, ent(lm.TypeListener, "arn:nl", map[string]any{lm.PropLoadBalancerArn: "arn:nlb", lm.PropPort: float64(9000),
			lm.PropProtocol: "TCP", lm.PropTargetGroupArns: []string{"arn:ntg"}}))
		tg := ent(lm.TypeTargetGroup, "arn:ntg", map[string]any{lm.PropTargetType: "instance", lm.PropPort: int32(9000),
			m.PropVPCID: "vpc-1", lm.PropTargets: []string{lm.Target{ID: "nt"}.Encode()}})
		if c.preserve != nil {
			tg[lm.PropPreserveClientIP] = c.preserve
		}
		in.TargetGroups = append(in.TargetGroups, tg)
		via := []string{}
		if len(c.ports) > 0 {
			via = []string{"arn:nlb"}
		}
		wantReach(t, Analyze(in), "i:nt", c.ports, via)
	}

	in := world()
	in.Groups = append(in.Groups, sg("sg-clb", tcpRule("sgr-clb", 80, "0.0.0.0/0")), sg("sg-behind", tcpRule("sgr-b", 8081, "10.0.0.0/16")))
	in.Instances = append(in.Instances, ent(m.TypeInstance, "i:behind", map[string]any{"instanceId": "behind", "subnetId": "subnet-main", m.PropVPCID: "vpc-1",
		"securityGroupIds": []string{"sg-behind"}, m.PropPrivateIPs: []string{"10.0.2.88"}}))
	in.ClassicELBs = []graph.Entity{ent(lm.TypeClassicELB, "arn:clb", map[string]any{lm.PropScheme: "internet-facing", m.PropVPCID: "vpc-1",
		lm.PropSubnetIDs: []string{"subnet-pub"}, lm.PropSecurityGroupIDs: []string{"sg-clb"}, lm.PropInstanceIDs: []string{"behind"},
		lm.PropListeners: []string{lm.ClassicListener{Protocol: "HTTP", LoadBalancerPort: 80, InstancePort: 8081}.Encode(),
			lm.ClassicListener{Protocol: "TCP", LoadBalancerPort: 25, InstancePort: 25}.Encode()}})}
	res := Analyze(in)
	wantReach(t, res, "i:behind", []string{"tcp:8081"}, []string{"arn:clb"})
	if len(res.Listeners) != 2 { // the ALB's 443 and the Classic ELB's 80; not 25 (its group does not admit it)
		t.Errorf("listener edges: %v", res.Listeners)
	}
	if h := strings.Join(res.Verdicts["i:behind"].Hops, "\n"); !strings.Contains(h, "arn:clb listener HTTP:80 → instance port 8081") {
		t.Errorf("explanation:\n%s", h)
	}
}

// 0.0.0.0/1 and 128.0.0.0/1 to the Internet gateway are the default route
// split in two: reachable. /1 alone is not.
func TestSplitDefaultRouteCountsAsDefault(t *testing.T) {
	for _, c := range []struct {
		dests []string
		ports []string
	}{{[]string{"128.0.0.0/1", "0.0.0.0/1"}, []string{"tcp:22"}}, {[]string{"0.0.0.0/1", "128.0.0.0/2"}, []string{}}} {
		in := world()
		var rs []m.Route
		for _, d := range c.dests {
			rs = append(rs, m.Route{DestinationCIDR: d, Target: "igw-1", TargetKind: "gateway"})
		}
		in.RouteTables[0][m.PropRoutes] = routes(rs...)
		via := []string{}
		if len(c.ports) > 0 {
			via = []string{"direct"}
		}
		wantReach(t, Analyze(in), "i:pub", c.ports, via)
	}
}

// A dual-stack ALB whose group admits 443 only from ::/0 is open over IPv6
// (its subnet routes ::/0 to the Internet gateway); an IPv4-only one is not.
func TestDualStackLoadBalancerOpenOverIPv6(t *testing.T) {
	for _, c := range []struct {
		addrType string
		ports    []string
	}{{"dualstack", []string{"tcp:8080"}}, {"ipv4", []string{}}} {
		in := world()
		in.Groups[1] = sg("sg-lb", m.Rule{RuleID: "sgr-lb6", IPProtocol: "tcp", FromPort: p32(443), ToPort: p32(443), CidrIPv6: "::/0"})
		in.RouteTables[0][m.PropRoutes] = routes(m.Route{DestinationCIDR: "0.0.0.0/0", Target: "igw-1", TargetKind: "gateway"},
			m.Route{DestinationIPv6CIDR: "::/0", Target: "igw-1", TargetKind: "gateway"})
		in.NetworkACLs[0][m.PropACLEntries] = entries(entry(100, false, "-1", "allow", "0.0.0.0/0"), entry(100, true, "-1", "allow", "0.0.0.0/0"),
			entry(101, false, "-1", "allow", "::/0"), entry(101, true, "-1", "allow", "::/0"))
		in.LoadBalancers[0]["ipAddressType"] = c.addrType
		via := []string{}
		if len(c.ports) > 0 {
			via = []string{"arn:alb"}
		}
		wantReach(t, Analyze(in), "i:app", c.ports, via)
	}
}

// A target DescribeTargetHealth reports unused (its zone is not enabled, it
// is stopped) or draining gets no new connection.
func TestUnusedAndDrainingTargetsGetNothing(t *testing.T) {
	for state, ports := range map[string][]string{"healthy": {"tcp:8080"}, "unhealthy": {"tcp:8080"}, "unused": {}, "draining": {}} {
		in := world()
		in.TargetGroups[0][lm.PropTargets] = []string{lm.Target{ID: "app", State: state}.Encode()}
		via := []string{}
		if len(ports) > 0 {
			via = []string{"arn:alb"}
		}
		wantReach(t, Analyze(in), "i:app", ports, via)
	}
}

// The load balancer's own subnet ACL lets the Internet's connections in
// and their replies out, but denies the load balancer's connection out to
// the VPC on 8080: closed. Without that deny, 8080 is in the allowed range.
func TestLoadBalancerSubnetACLMustLetItReachTheTarget(t *testing.T) {
	for _, c := range []struct {
		out   []m.ACLEntry
		ports []string
	}{
		{[]m.ACLEntry{entry(90, true, "6", "deny", "10.0.0.0/16", 8080, 8080), entry(100, true, "6", "allow", "0.0.0.0/0", 1024, 65535)}, []string{}},
		{[]m.ACLEntry{entry(100, true, "6", "allow", "0.0.0.0/0", 1024, 65535)}, []string{"tcp:8080"}},
	} {
		in := world()
		es := append([]m.ACLEntry{entry(100, false, "-1", "allow", "0.0.0.0/0")}, c.out...)
		in.NetworkACLs = append(in.NetworkACLs, ent(m.TypeNetworkACL, "acl:pub", map[string]any{m.PropNetworkACLID: "acl-pub", m.PropVPCID: "vpc-1",
			"isDefault": false, m.PropAssociatedSubnets: []string{"subnet-pub"}, m.PropACLEntries: entries(es...)}))
		via := []string{}
		if len(c.ports) > 0 {
			via = []string{"arn:alb"}
		}
		res := Analyze(in)
		wantReach(t, res, "i:app", c.ports, via)
		if h := strings.Join(res.Verdicts["i:app"].Hops, "\n"); !strings.Contains(h, "network ACL acl-pub of load balancer subnet subnet-pub") {
			t.Errorf("explanation:\n%s", h)
		}
	}
}
