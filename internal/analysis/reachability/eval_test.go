package reachability

import (
	"reflect"
	"testing"

	"github.com/awsgraph/awsgraph/internal/analysis/sgrules"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
)

func p32(v int32) *int32 { return &v }

func entry(n int32, egress bool, proto, action, cidr string, ports ...int32) m.ACLEntry {
	e := m.ACLEntry{RuleNumber: n, Egress: egress, Protocol: proto, Action: action}
	if len(cidr) > 0 && cidr[0] == ':' || len(cidr) > 2 && cidr[:3] == "200" {
		e.CidrIPv6 = cidr
	} else {
		e.CidrIPv4 = cidr
	}
	if len(ports) == 2 {
		e.FromPort, e.ToPort = p32(ports[0]), p32(ports[1])
	}
	return e
}

// defaultDeny is the final `*` entry AWS lists in every ACL, both ways.
var defaultDeny = []m.ACLEntry{entry(32767, false, "-1", "deny", "0.0.0.0/0"), entry(32767, true, "-1", "deny", "0.0.0.0/0"),
	entry(32767, false, "-1", "deny", "::/0"), entry(32767, true, "-1", "deny", "::/0")}

func acl(es ...m.ACLEntry) ACL { return NewACL("acl-1", append(es, defaultDeny...)) }

func TestACLDecideFirstMatchInRuleNumberOrder(t *testing.T) {
	// Listed out of order: rule 90 (deny 22) must win over rule 100 (allow all TCP).
	a := acl(entry(100, false, "6", "allow", "0.0.0.0/0", 0, 65535), entry(90, false, "6", "deny", "0.0.0.0/0", 22, 22),
		entry(100, true, "-1", "allow", "0.0.0.0/0"), entry(120, false, "17", "allow", "10.0.0.0/8", 53, 53),
		entry(110, false, "-1", "allow", "::/0"))
	cases := []struct {
		name   string
		egress bool
		v6     bool
		proto  string
		port   int64
		want   string
	}{
		{"22 denied by the earlier rule", false, false, "tcp", 22, "deny (rule 90)"},
		{"23 allowed by the range", false, false, "tcp", 23, "allow (rule 100)"},
		{"0-65535 covers 0", false, false, "tcp", 0, "allow (rule 100)"},
		{"udp has no entry: the final deny", false, false, "udp", 53, "deny (rule *)"},
		{"an entry for a narrower CIDR is not the Internet", false, false, "udp", 53, "deny (rule *)"},
		{"protocol -1 outbound matches tcp", true, false, "tcp", 40000, "allow (rule 100)"},
		{"protocol -1 matches icmp", true, false, "icmp", 0, "allow (rule 100)"},
		{"IPv6 entries apply to IPv6 only", false, true, "tcp", 22, "allow (rule 110)"},
		{"IPv4 entries do not apply to IPv6 egress", true, true, "tcp", 40000, "deny (rule *)"},
	}
	for _, c := range cases {
		if got := a.Decide(c.egress, c.v6, c.proto, c.port).String(); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestACLAllowedPortSets(t *testing.T) {
	a := acl(entry(90, false, "6", "deny", "0.0.0.0/0", 22, 22), entry(100, false, "6", "allow", "0.0.0.0/0", 0, 65535),
		entry(100, true, "6", "allow", "0.0.0.0/0", 1024, 65535), entry(100, true, "17", "allow", "0.0.0.0/0", 2000, 65535))
	if got := a.Allowed(false, false, "tcp"); !reflect.DeepEqual(got, spans{{0, 21}, {23, 65535}}) {
		t.Errorf("tcp inbound %v", got)
	}
	if !a.Allowed(true, false, "tcp").covers(Ephemeral) {
		t.Error("tcp ephemeral outbound should be allowed")
	}
	if a.Allowed(true, false, "udp").covers(Ephemeral) {
		t.Error("udp outbound 2000-65535 does not cover the ephemeral range")
	}
}

func TestACLFilterKeepsWhatGetsInAndBackOut(t *testing.T) {
	open := acl(entry(100, false, "-1", "allow", "0.0.0.0/0"), entry(100, true, "-1", "allow", "0.0.0.0/0"))
	deny22 := acl(entry(90, false, "6", "deny", "0.0.0.0/0", 22, 22), entry(100, false, "6", "allow", "0.0.0.0/0", 0, 65535),
		entry(100, true, "-1", "allow", "0.0.0.0/0"))
	noEgress := acl(entry(100, false, "-1", "allow", "0.0.0.0/0"))
	egress443 := acl(entry(100, false, "-1", "allow", "0.0.0.0/0"), entry(100, true, "6", "allow", "0.0.0.0/0", 443, 443))
	all := sgrules.Ports{Protocol: "*", FromPort: new(int64), ToPort: ptr(65535)}
	cases := []struct {
		name string
		acl  ACL
		in   []sgrules.Ports
		want []string
	}{
		{"open ACL keeps all traffic", open, []sgrules.Ports{all}, []string{"*"}},
		{"deny 22 before allow 0-65535", deny22, []sgrules.Ports{portsOf("tcp", 0, 65535)}, []string{"tcp:0-21", "tcp:23-65535"}},
		{"deny 22 closes a rule for 22 alone", deny22, []sgrules.Ports{portsOf("tcp", 22, 22)}, []string{}},
		{"all traffic through deny 22 becomes TCP minus 22 (no UDP/ICMP entry)", deny22, []sgrules.Ports{all}, []string{"tcp:0-21", "tcp:23-65535"}},
		{"no egress: replies cannot leave", noEgress, []sgrules.Ports{portsOf("tcp", 443, 443)}, []string{}},
		{"egress only to 443 is not the ephemeral range", egress443, []sgrules.Ports{portsOf("tcp", 443, 443)}, []string{}},
	}
	for _, c := range cases {
		if got := sgrules.MergePorts(c.acl.Filter(false, c.in)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func ptr(v int64) *int64 { return &v }

func TestInternetRoute(t *testing.T) {
	attached := map[string][]string{"igw-1": {"vpc-1"}, "igw-detached": {}}
	rt := func(routes ...m.Route) RouteTable { return RouteTable{ID: "rtb-1", VPCID: "vpc-1", Routes: routes} }
	local := m.Route{DestinationCIDR: "10.0.0.0/16", Target: "local", TargetKind: "gateway", State: "active"}
	cases := []struct {
		name   string
		rt     RouteTable
		v6, ok bool
	}{
		{"default route to an attached IGW", rt(local, m.Route{DestinationCIDR: "0.0.0.0/0", Target: "igw-1", TargetKind: "gateway"}), false, true},
		{"local only", rt(local), false, false},
		{"NAT gateway lets nothing in", rt(local, m.Route{DestinationCIDR: "0.0.0.0/0", Target: "nat-1", TargetKind: "nat-gateway"}), false, false},
		{"blackhole", rt(m.Route{DestinationCIDR: "0.0.0.0/0", Target: "igw-1", TargetKind: "gateway", State: "blackhole"}), false, false},
		{"IGW detached from the VPC", rt(m.Route{DestinationCIDR: "0.0.0.0/0", Target: "igw-detached", TargetKind: "gateway"}), false, false},
		{"a narrower route is not the default", rt(m.Route{DestinationCIDR: "203.0.113.0/24", Target: "igw-1", TargetKind: "gateway"}), false, false},
		{"IPv4 default does not route IPv6", rt(m.Route{DestinationCIDR: "0.0.0.0/0", Target: "igw-1", TargetKind: "gateway"}), true, false},
		{"::/0 to the IGW routes IPv6", rt(m.Route{DestinationIPv6CIDR: "::/0", Target: "igw-1", TargetKind: "gateway"}), true, true},
		{"::/0 to an egress-only gateway lets nothing in", rt(m.Route{DestinationIPv6CIDR: "::/0", Target: "eigw-1", TargetKind: "egress-only-gateway"}), true, false},
	}
	for _, c := range cases {
		if _, ok := c.rt.InternetRoute(c.v6, attached); ok != c.ok {
			t.Errorf("%s: %v, want %v", c.name, ok, c.ok)
		}
	}
}
