package sgrules

import (
	"reflect"
	"testing"

	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
)

func p32(v int32) *int32 { return &v }

func TestRulePorts(t *testing.T) {
	cases := []struct {
		name       string
		rule       m.Rule
		proto      string
		from, to   any
		rng        any
		icmpT, icC any
	}{
		{"all traffic -1", m.Rule{IPProtocol: "-1", FromPort: p32(-1), ToPort: p32(-1)}, "*", int64(0), int64(65535), "*", nil, nil},
		{"all traffic, ports null (DescribeSecurityGroupRules)", m.Rule{IPProtocol: "-1"}, "*", int64(0), int64(65535), "*", nil, nil},
		{"ssh", m.Rule{IPProtocol: "tcp", FromPort: p32(22), ToPort: p32(22)}, "tcp", int64(22), int64(22), "22", nil, nil},
		{"range by number", m.Rule{IPProtocol: "6", FromPort: p32(80), ToPort: p32(443)}, "tcp", int64(80), int64(443), "80-443", nil, nil},
		{"udp every port", m.Rule{IPProtocol: "udp", FromPort: p32(0), ToPort: p32(65535)}, "udp", int64(0), int64(65535), "*", nil, nil},
		{"icmp echo any code", m.Rule{IPProtocol: "icmp", FromPort: p32(8), ToPort: p32(-1)}, "icmp", nil, nil, nil, int64(8), nil},
		{"icmp type and code", m.Rule{IPProtocol: "1", FromPort: p32(3), ToPort: p32(4)}, "icmp", nil, nil, nil, int64(3), int64(4)},
		{"icmp all", m.Rule{IPProtocol: "icmp", FromPort: p32(-1), ToPort: p32(-1)}, "icmp", nil, nil, nil, nil, nil},
		{"icmpv6 by number", m.Rule{IPProtocol: "58", FromPort: p32(128), ToPort: p32(0)}, "icmpv6", nil, nil, nil, int64(128), int64(0)},
		{"esp: ports do not apply", m.Rule{IPProtocol: "50", FromPort: p32(-1), ToPort: p32(-1)}, "50", int64(0), int64(65535), "*", nil, nil},
	}
	deref := func(v any) any {
		switch x := v.(type) {
		case *int64:
			if x == nil {
				return nil
			}
			return *x
		case *string:
			if x == nil {
				return nil
			}
			return *x
		}
		return v
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := RulePorts(c.rule)
			got := []any{p.Protocol, deref(p.FromPort), deref(p.ToPort), deref(p.PortRange), deref(p.ICMPType), deref(p.ICMPCode)}
			want := []any{c.proto, c.from, c.to, c.rng, c.icmpT, c.icC}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %v want %v", got, want)
			}
		})
	}
}

func TestMergePorts(t *testing.T) {
	tcp := func(f, t int32) Ports { return RulePorts(m.Rule{IPProtocol: "tcp", FromPort: p32(f), ToPort: p32(t)}) }
	udp := func(f, t int32) Ports { return RulePorts(m.Rule{IPProtocol: "udp", FromPort: p32(f), ToPort: p32(t)}) }
	icmp := func(ty, code int32) Ports {
		return RulePorts(m.Rule{IPProtocol: "icmp", FromPort: p32(ty), ToPort: p32(code)})
	}
	cases := []struct {
		name string
		in   []Ports
		want []string
	}{
		{"none", nil, []string{}},
		{"one port", []Ports{tcp(22, 22)}, []string{"tcp:22"}},
		{"overlapping and adjacent merge", []Ports{tcp(80, 443), tcp(22, 22), tcp(400, 500), tcp(20, 21), tcp(501, 501)}, []string{"tcp:20-22", "tcp:80-501"}},
		{"duplicate", []Ports{tcp(22, 22), tcp(22, 22)}, []string{"tcp:22"}},
		{"80 and 8080 stay apart", []Ports{tcp(8080, 8080), tcp(80, 80)}, []string{"tcp:80", "tcp:8080"}},
		{"union to every port", []Ports{tcp(0, 1000), tcp(1001, 65535)}, []string{"tcp:*"}},
		{"tcp and udp", []Ports{udp(53, 53), tcp(53, 53)}, []string{"tcp:53", "udp:53"}},
		{"all traffic wins", []Ports{tcp(22, 22), RulePorts(m.Rule{IPProtocol: "-1"})}, []string{"*"}},
		{"icmp types and codes", []Ports{icmp(3, 4), icmp(8, -1), icmp(8, 0), icmp(0, 0)}, []string{"icmp:0/0", "icmp:3/4", "icmp:8"}},
		{"icmp all", []Ports{icmp(8, -1), icmp(-1, -1)}, []string{"icmp:*"}},
		{"other protocols", []Ports{RulePorts(m.Rule{IPProtocol: "50"}), RulePorts(m.Rule{IPProtocol: "47"}), tcp(443, 443)}, []string{"tcp:443", "47:*", "50:*"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := MergePorts(c.in); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %v want %v", got, c.want)
			}
		})
	}
}

func TestIsPublicAndParse(t *testing.T) {
	cases := []struct {
		cidr, canon string
		public      bool
	}{
		{"0.0.0.0/0", "0.0.0.0/0", true},
		{"203.0.113.0/24", "203.0.113.0/24", true},
		{"10.1.2.3/16", "10.1.0.0/16", false},
		{"172.20.0.0/16", "172.20.0.0/16", false},
		{"172.32.0.0/16", "172.32.0.0/16", true},
		{"192.168.1.0/24", "192.168.1.0/24", false},
		{"100.64.0.0/10", "100.64.0.0/10", false},
		{"169.254.169.254/32", "169.254.169.254/32", false},
		{"8.0.0.0/7", "8.0.0.0/7", true},
		{"0.0.0.0/1", "0.0.0.0/1", true}, // contains private space but reaches beyond it
		{"::/0", "::/0", true},
		{"2600:1f18::/56", "2600:1f18::/56", true},
		{"fd00:1::/64", "fd00:1::/64", false},
		{"fe80::1/128", "fe80::1/128", false},
		{"54.1.2.3", "54.1.2.3/32", true},
	}
	for _, c := range cases {
		p, ok := ParseCIDR(c.cidr)
		if !ok || p.String() != c.canon || IsPublic(p) != c.public {
			t.Errorf("%s: ok=%v canon=%s public=%v, want %s %v", c.cidr, ok, p, IsPublic(p), c.canon, c.public)
		}
	}
	if _, ok := ParseCIDR("10.0.0.0/33"); ok {
		t.Error("invalid CIDR accepted")
	}
}
