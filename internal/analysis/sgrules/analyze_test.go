package sgrules

import (
	"reflect"
	"strings"
	"testing"

	"github.com/awsgraph/awsgraph/internal/graph"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
)

const acct = "123456789012"

func sgEntity(id, vpc string, ingress, egress []m.Rule) graph.Entity {
	e := graph.NewEntity("arn:aws:ec2:us-east-1:"+acct+":security-group/"+id, m.TypeSecurityGroup, []string{"Firewall"}, id)
	enc := func(rs []m.Rule) []string {
		out := []string{}
		for _, r := range rs {
			out = append(out, r.Encode())
		}
		return out
	}
	e.Set("groupId", id).Set("vpcId", vpc).Set("accountId", acct).Set("region", "us-east-1").
		Set("category", []string{"network"}).Set("ingressRules", enc(ingress)).Set("egressRules", enc(egress))
	return e
}

func netEntity(typ, id, vpc, cidr, cidr6 string) graph.Entity {
	kind := "vpc"
	if typ == m.TypeSubnet {
		kind = "subnet"
	}
	e := graph.NewEntity("arn:aws:ec2:us-east-1:"+acct+":"+kind+"/"+id, typ, []string{"Network"}, id)
	e.Set("vpcId", vpc).Set("CIDR", cidr).Set("CIDRv6", nilIf(cidr6)).Set("public", false).Set("internal", true).
		Set("accountId", acct).Set("region", "us-east-1")
	if cidr6 != "" {
		e.Set("ipv6CidrBlocks", []string{cidr6})
	}
	if typ == m.TypeVPC {
		e.Set("cidrBlocks", []string{cidr})
	}
	return e
}

func nilIf(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func instEntity(id, vpc, private, public string, ipv6 ...string) graph.Entity {
	e := graph.NewEntity("arn:aws:ec2:us-east-1:"+acct+":instance/"+id, m.TypeInstance, []string{"Host"}, id)
	e.Set("vpcId", vpc).Set("privateIpAddress", nilIf(private)).Set("publicIpAddress", nilIf(public)).
		Set("ipv6Addresses", ipv6).Set("hostname", nil).Set("accountId", acct).Set("region", "us-east-1")
	return e
}

func plEntity(id string, entries ...string) graph.Entity {
	e := graph.NewEntity("arn:aws:ec2:us-east-1:"+acct+":prefix-list/"+id, m.TypePrefixList, []string{"Configuration"}, id)
	e.Set("prefixListId", id).Set("entries", entries).Set("region", "us-east-1").Set("accountId", acct)
	return e
}

func tcp(id string, port int32, peer func(*m.Rule)) m.Rule {
	r := m.Rule{RuleID: id, IPProtocol: "tcp", FromPort: p32(port), ToPort: p32(port)}
	peer(&r)
	return r
}
func cidr(c string) func(*m.Rule)  { return func(r *m.Rule) { r.CidrIPv4 = c } }
func cidr6(c string) func(*m.Rule) { return func(r *m.Rule) { r.CidrIPv6 = c } }
func pl(id string) func(*m.Rule)   { return func(r *m.Rule) { r.PrefixListID = id } }
func grp(id, user string) func(*m.Rule) {
	return func(r *m.Rule) { r.ReferencedGroup = &m.GroupRef{GroupID: id, UserID: user} }
}

// edge is the expected shape of one rule relationship.
type edge struct {
	from, to string // keys; for mapped edges the target is described by mapTo
	typ      string
	mapTo    map[string]any
	filter   []string
	dir      string
	props    map[string]any
}

func TestAnalyzeRules(t *testing.T) {
	vpc := netEntity(m.TypeVPC, "vpc-1", "vpc-1", "10.0.0.0/16", "2600:1f18:1::/56")
	subnet := netEntity(m.TypeSubnet, "subnet-1", "vpc-1", "10.0.1.0/24", "2600:1f18:1:1::/64")
	otherVPC := netEntity(m.TypeVPC, "vpc-2", "vpc-2", "10.50.0.0/16", "")
	host := instEntity("i-1", "vpc-1", "10.0.1.10", "54.1.2.3")
	peer := sgEntity("sg-peer", "vpc-1", nil, nil)
	sgKey := func(id string) string { return "arn:aws:ec2:us-east-1:" + acct + ":security-group/" + id }
	base := []graph.Entity{vpc, otherVPC}
	cases := []struct {
		name     string
		ingress  []m.Rule
		egress   []m.Rule
		lists    []graph.Entity
		want     []edge
		unmapped []string // reasons contain
	}{
		{name: "ipv4 internet ssh",
			ingress: []m.Rule{tcp("sgr-1", 22, cidr("0.0.0.0/0"))},
			want: []edge{{from: InternetKey, to: sgKey("sg-1"), typ: "internet_allows_aws_ec2_security_group",
				props: map[string]any{"ingress": true, "egress": false, "ipProtocol": "tcp", "fromPort": int64(22), "toPort": int64(22),
					"portRange": "22", "ruleId": "sgr-1", "securityGroupId": "sg-1", "ipRange": "0.0.0.0/0"}}}},
		{name: "ipv4 and ipv6 internet rules are two edges",
			ingress: []m.Rule{tcp("sgr-1", 443, cidr("0.0.0.0/0")), tcp("sgr-2", 443, cidr6("::/0"))},
			want: []edge{{from: InternetKey, to: sgKey("sg-1"), props: map[string]any{"ruleId": "sgr-1", "ipRange": "0.0.0.0/0"}},
				{from: InternetKey, to: sgKey("sg-1"), props: map[string]any{"ruleId": "sgr-2", "ipRange": "::/0"}}}},
		{name: "all traffic -1 and the default egress rule",
			ingress: []m.Rule{{RuleID: "sgr-1", IPProtocol: "-1", CidrIPv4: "10.0.0.0/16"}},
			egress:  []m.Rule{{RuleID: "sgr-2", IPProtocol: "-1", FromPort: p32(-1), ToPort: p32(-1), CidrIPv4: "0.0.0.0/0"}},
			want: []edge{
				{from: vpc.Key(), to: sgKey("sg-1"), typ: "aws_ec2_vpc_allows_security_group",
					props: map[string]any{"ipProtocol": "*", "fromPort": int64(0), "toPort": int64(65535), "portRange": "*"}},
				{from: sgKey("sg-1"), to: InternetKey, typ: "aws_ec2_security_group_allows_internet",
					props: map[string]any{"ingress": false, "egress": true, "ipProtocol": "*", "portRange": "*", "ruleId": "sgr-2"}}}},
		{name: "icmp echo",
			ingress: []m.Rule{{RuleID: "sgr-1", IPProtocol: "icmp", FromPort: p32(8), ToPort: p32(-1), CidrIPv4: "0.0.0.0/0"}},
			want: []edge{{from: InternetKey, to: sgKey("sg-1"),
				props: map[string]any{"ipProtocol": "icmp", "icmpType": int64(8), "icmpCode": nil, "fromPort": nil, "toPort": nil, "portRange": nil}}}},
		{name: "cidr equal to a subnet's (v4 and v6) and to another vpc's",
			ingress: []m.Rule{tcp("sgr-1", 5432, cidr("10.0.1.0/24")), tcp("sgr-2", 5432, cidr6("2600:1f18:1:1::/64")), tcp("sgr-3", 5432, cidr("10.50.0.0/16"))},
			want: []edge{{from: subnet.Key(), to: sgKey("sg-1"), typ: "aws_ec2_subnet_allows_security_group"},
				{from: subnet.Key(), to: sgKey("sg-1"), props: map[string]any{"ipRange": "2600:1f18:1:1::/64"}},
				{from: otherVPC.Key(), to: sgKey("sg-1")}}},
		{name: "a /32 is a mapped host by address, a collected instance's too (issue 5; stores resolve it by ipAddress)",
			ingress: []m.Rule{tcp("sgr-1", 22, cidr("10.0.1.10/32")), tcp("sgr-2", 22, cidr("198.51.100.7/32"))},
			want: []edge{{to: sgKey("sg-1"), typ: "host_allows_aws_ec2_security_group", dir: graph.Reverse, filter: []string{"_class", "ipAddress"},
				mapTo: map[string]any{"_class": "Host", "ipAddress": "10.0.1.10", "public": false}},
				{to: sgKey("sg-1"), typ: "host_allows_aws_ec2_security_group", dir: graph.Reverse, filter: []string{"_class", "ipAddress"},
					mapTo: map[string]any{"_class": "Host", "ipAddress": "198.51.100.7", "public": true}}}},
		{name: "other CIDRs map to networks, public or not",
			ingress: []m.Rule{tcp("sgr-1", 443, cidr("203.0.113.0/24")), tcp("sgr-2", 443, cidr("192.168.0.0/16")), tcp("sgr-3", 443, cidr6("2001:db8::/32"))},
			want: []edge{
				{to: sgKey("sg-1"), typ: "network_allows_aws_ec2_security_group", dir: graph.Reverse, filter: []string{"_class", "CIDR"},
					mapTo: map[string]any{"_class": "Network", "_type": "network", "CIDR": "203.0.113.0/24", "public": true, "internal": false}},
				{to: sgKey("sg-1"), dir: graph.Reverse, mapTo: map[string]any{"CIDR": "192.168.0.0/16", "public": false, "internal": true}},
				{to: sgKey("sg-1"), dir: graph.Reverse, filter: []string{"_class", "CIDRv6"}, mapTo: map[string]any{"CIDRv6": "2001:db8::/32", "CIDR": nil}}}},
		{name: "egress to a network is forward",
			egress: []m.Rule{tcp("sgr-1", 443, cidr("203.0.113.0/24"))},
			want: []edge{{from: sgKey("sg-1"), typ: "aws_ec2_security_group_allows_network", dir: graph.Forward,
				mapTo: map[string]any{"CIDR": "203.0.113.0/24"}, props: map[string]any{"egress": true}}}},
		{name: "self and cross reference in the account are direct",
			ingress: []m.Rule{{RuleID: "sgr-1", IPProtocol: "-1", ReferencedGroup: &m.GroupRef{GroupID: "sg-1", UserID: acct}},
				tcp("sgr-2", 5432, grp("sg-peer", ""))},
			egress: []m.Rule{tcp("sgr-3", 5432, grp("sg-peer", acct))},
			want: []edge{{from: sgKey("sg-1"), to: sgKey("sg-1"), typ: "aws_ec2_security_group_allows_group", props: map[string]any{"referencedGroupId": "sg-1"}},
				{from: peer.Key(), to: sgKey("sg-1"), typ: "aws_ec2_security_group_allows_group"},
				{from: sgKey("sg-1"), to: peer.Key(), props: map[string]any{"egress": true}}}},
		{name: "cross-account group is mapped",
			ingress: []m.Rule{tcp("sgr-1", 443, func(r *m.Rule) {
				r.ReferencedGroup = &m.GroupRef{GroupID: "sg-far", UserID: "999999999999", VpcPeeringConnectionID: "pcx-1"}
			})},
			want: []edge{{to: sgKey("sg-1"), typ: "aws_ec2_security_group_allows_group", dir: graph.Reverse, filter: []string{"_type", "groupId", "accountId"},
				mapTo: map[string]any{"_type": m.TypeSecurityGroup, "groupId": "sg-far", "accountId": "999999999999"},
				props: map[string]any{"vpcPeeringConnectionId": "pcx-1", "referencedAccountId": "999999999999"}}}},
		{name: "a collected group reached through a peering connection is mapped (issue 5)",
			ingress: []m.Rule{tcp("sgr-1", 443, func(r *m.Rule) {
				r.ReferencedGroup = &m.GroupRef{GroupID: "sg-peer", UserID: acct, VpcPeeringConnectionID: "pcx-2"}
			})},
			want: []edge{{to: sgKey("sg-1"), typ: "aws_ec2_security_group_allows_group", dir: graph.Reverse, filter: []string{"_type", "groupId", "accountId"},
				mapTo: map[string]any{"_type": m.TypeSecurityGroup, "groupId": "sg-peer", "accountId": acct},
				props: map[string]any{"vpcPeeringConnectionId": "pcx-2"}}}},
		{name: "prefix list resolves to its entries",
			lists:   []graph.Entity{plEntity("pl-1", "203.0.113.0/24", "0.0.0.0/0", "10.0.1.0/24")},
			ingress: []m.Rule{tcp("sgr-1", 443, pl("pl-1"))},
			want: []edge{
				{to: sgKey("sg-1"), dir: graph.Reverse, mapTo: map[string]any{"CIDR": "203.0.113.0/24"}, props: map[string]any{"prefixListId": "pl-1"}},
				{from: InternetKey, to: sgKey("sg-1"), props: map[string]any{"prefixListId": "pl-1"}},
				{from: subnet.Key(), to: sgKey("sg-1"), props: map[string]any{"prefixListId": "pl-1"}}}},
		{name: "unresolvable prefix list and a bad CIDR are reported, not dropped",
			ingress:  []m.Rule{tcp("sgr-1", 443, pl("pl-missing")), tcp("sgr-2", 443, cidr("10.0.0.0/33")), {RuleID: "sgr-3", IPProtocol: "tcp"}},
			unmapped: []string{"pl-missing", "not valid", "no peer"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := sgEntity("sg-1", "vpc-1", c.ingress, c.egress)
			res := Analyze(Input{Groups: []graph.Entity{g, peer}, VPCs: base, Subnets: []graph.Entity{subnet},
				Instances: []graph.Entity{host}, PrefixLists: c.lists})
			if len(res.Relationships) != len(c.want) {
				t.Fatalf("%d relationships, want %d: %v", len(res.Relationships), len(c.want), res.Relationships)
			}
			keys := map[string]bool{}
			for i, w := range c.want {
				r := res.Relationships[i]
				if keys[r.Key()] {
					t.Errorf("duplicate key %s", r.Key())
				}
				keys[r.Key()] = true
				if !strings.HasPrefix(r.Key(), sgKey("sg-1")+"|allows|") {
					t.Errorf("key %s", r.Key())
				}
				if r.Class() != "ALLOWS" {
					t.Errorf("class %s", r.Class())
				}
				if w.typ != "" && r.Type() != w.typ {
					t.Errorf("edge %d type %s want %s", i, r.Type(), w.typ)
				}
				if w.mapTo == nil {
					if r.Mapping() != nil || r.FromKey() != w.from || r.ToKey() != w.to {
						t.Errorf("edge %d: %s → %s (mapped %v), want %s → %s", i, r.FromKey(), r.ToKey(), r.Mapping() != nil, w.from, w.to)
					}
				} else {
					mp := r.Mapping()
					if mp == nil {
						t.Fatalf("edge %d not mapped: %v", i, r)
					}
					if mp.SourceEntityKey != sgKey("sg-1") || (w.dir != "" && mp.RelationshipDirection != w.dir) || mp.SkipTargetCreation {
						t.Errorf("edge %d mapping %+v", i, mp)
					}
					if w.filter != nil && !reflect.DeepEqual(mp.TargetFilterKeys, [][]string{w.filter}) {
						t.Errorf("edge %d filter %v want %v", i, mp.TargetFilterKeys, w.filter)
					}
					for k, v := range w.mapTo {
						if got, ok := mp.TargetEntity[k]; !ok || !reflect.DeepEqual(got, v) {
							t.Errorf("edge %d target %s = %v, want %v", i, k, got, v)
						}
					}
				}
				for k, v := range w.props {
					if got, ok := r[k]; !ok || !reflect.DeepEqual(got, v) {
						t.Errorf("edge %d %s = %#v, want %#v", i, k, got, v)
					}
				}
			}
			if len(res.Unmapped) != len(c.unmapped) {
				t.Fatalf("unmapped %+v, want %v", res.Unmapped, c.unmapped)
			}
			for i, why := range c.unmapped {
				if !strings.Contains(res.Unmapped[i].Reason, why) || res.Unmapped[i].RuleID == "" {
					t.Errorf("unmapped %d: %+v, want reason with %q", i, res.Unmapped[i], why)
				}
			}
			for _, r := range res.Relationships {
				if r.FromKey() == InternetKey || r.ToKey() == InternetKey {
					if res.Internet == nil || res.Internet.Key() != InternetKey {
						t.Error("Internet entity not created")
					}
				}
			}
		})
	}
}

func TestEdgeKeysDifferOnlyInPort(t *testing.T) {
	g := sgEntity("sg-1", "vpc-1", []m.Rule{tcp("sgr-a", 80, cidr("0.0.0.0/0")), tcp("sgr-b", 8080, cidr("0.0.0.0/0"))}, nil)
	res := Analyze(Input{Groups: []graph.Entity{g}})
	if len(res.Relationships) != 2 || res.Relationships[0].Key() == res.Relationships[1].Key() {
		t.Fatalf("%v", res.Relationships)
	}
	// Without rule ids (IpPermissions fallback), content-derived ids still differ and are stable.
	r80, r8080 := tcp("", 80, cidr("0.0.0.0/0")), tcp("", 8080, cidr("0.0.0.0/0"))
	if RuleID(r80) == RuleID(r8080) || RuleID(r80) != RuleID(tcp("", 80, cidr("0.0.0.0/0"))) {
		t.Errorf("content ids %s %s", RuleID(r80), RuleID(r8080))
	}
	// A rule read with its id and the same rule read without one (the
	// IpPermissions fallback) key the same edge.
	withID := Analyze(Input{Groups: []graph.Entity{sgEntity("sg-1", "vpc-1", []m.Rule{tcp("sgr-a", 80, cidr("0.0.0.0/0"))}, nil)}})
	withoutID := Analyze(Input{Groups: []graph.Entity{sgEntity("sg-1", "vpc-1", []m.Rule{tcp("", 80, cidr("0.0.0.0/0"))}, nil)}})
	if withID.Relationships[0].Key() != withoutID.Relationships[0].Key() {
		t.Errorf("keys depend on the rule id: %s vs %s", withID.Relationships[0].Key(), withoutID.Relationships[0].Key())
	}
	if withID.Relationships[0]["ruleId"] != "sgr-a" || withoutID.Relationships[0]["ruleId"] != nil {
		t.Errorf("ruleId %v / %v", withID.Relationships[0]["ruleId"], withoutID.Relationships[0]["ruleId"])
	}
	// Ports are never concatenated into keys: 1+80 vs 18+0 style collisions cannot happen.
	if EdgeKey("k", true, "sgr-1", "0.0.0.0/0") == EdgeKey("k", false, "sgr-1", "0.0.0.0/0") {
		t.Error("ingress and egress keys collide")
	}
}

func TestExposure(t *testing.T) {
	web := sgEntity("sg-web", "vpc-1", []m.Rule{tcp("sgr-1", 443, cidr("0.0.0.0/0")), {RuleID: "sgr-2", IPProtocol: "tcp", FromPort: p32(80), ToPort: p32(443), CidrIPv6: "::/0"}}, nil)
	ssh := sgEntity("sg-ssh", "vpc-1", []m.Rule{tcp("sgr-3", 22, cidr("0.0.0.0/0"))}, nil)
	v6only := sgEntity("sg-v6", "vpc-1", []m.Rule{tcp("sgr-4", 8443, cidr6("::/0"))}, nil)
	internal := sgEntity("sg-int", "vpc-1", []m.Rule{tcp("sgr-5", 5432, cidr("10.0.0.0/16"))}, []m.Rule{{RuleID: "sgr-6", IPProtocol: "-1", CidrIPv4: "0.0.0.0/0"}})
	pub := instEntity("i-pub", "vpc-1", "10.0.1.1", "54.1.1.1")
	priv := instEntity("i-priv", "vpc-1", "10.0.2.1", "")
	v6 := instEntity("i-v6", "vpc-1", "10.0.3.1", "", "2600::5")
	db := instEntity("i-db", "vpc-1", "10.0.4.1", "54.1.1.2")
	protects := func(g, i graph.Entity) graph.Relationship { return graph.Direct(g, "PROTECTS", i, nil) }
	res := Analyze(Input{
		Groups:    []graph.Entity{web, ssh, v6only, internal},
		Instances: []graph.Entity{pub, priv, v6, db},
		Protects: []graph.Relationship{protects(web, pub), protects(ssh, pub), protects(ssh, priv),
			protects(v6only, v6), protects(internal, db)},
	})
	cases := []struct {
		key     string
		ports   []string
		exposed bool
	}{
		{pub.Key(), []string{"tcp:22", "tcp:80-443"}, true},
		{priv.Key(), []string{"tcp:22"}, true},
		{v6.Key(), []string{"tcp:8443"}, true},
		{db.Key(), []string{}, false},
	}
	for _, c := range cases {
		p := res.InstanceProps[c.key]
		// internetReachable is the reachability analysis's (routes, ACLs, load balancers), not this one's.
		if _, set := p["internetReachable"]; set || !reflect.DeepEqual(p["internetOpenPorts"], c.ports) || p["internetExposed"] != c.exposed {
			t.Errorf("%s: %v, want %v %v", c.key, p, c.ports, c.exposed)
		}
	}
	if p := res.GroupProps[web.Key()]; p["allowsInternetIngress"] != true || !reflect.DeepEqual(p["internetIngressPorts"], []string{"tcp:80-443"}) {
		t.Errorf("web group %v", p)
	}
	if p := res.GroupProps[internal.Key()]; p["allowsInternetIngress"] != false || !reflect.DeepEqual(p["internetIngressPorts"], []string{}) {
		t.Errorf("internal group %v (egress to the Internet is not ingress)", p)
	}
}

// A CIDR inside the group's own VPC means addresses of that VPC: it must not
// resolve to another region's subnet that reuses the CIDR (found by the
// acceptance test: two regions with the same 10.10.0.0/16 VPC). A CIDR outside
// the group's VPC still resolves to the one network anywhere that has it.
func TestCIDRInsideOwnVPCNeverMatchesAnotherRegionsNetwork(t *testing.T) {
	inRegion := func(e graph.Entity, region string) graph.Entity {
		e["_key"] = strings.Replace(e.Key(), ":us-east-1:", ":"+region+":", 1)
		e["region"] = region
		return e
	}
	vpcA := netEntity(m.TypeVPC, "vpc-a", "vpc-a", "10.10.0.0/16", "")
	subA := netEntity(m.TypeSubnet, "subnet-a", "vpc-a", "10.10.2.0/24", "")
	vpcB := inRegion(netEntity(m.TypeVPC, "vpc-b", "vpc-b", "10.10.0.0/16", ""), "eu-west-1")
	peerB := inRegion(netEntity(m.TypeVPC, "vpc-p", "vpc-p", "172.20.0.0/16", ""), "eu-west-1")
	g := inRegion(sgEntity("sg-b", "vpc-b", []m.Rule{
		tcp("sgr-inside", 22, cidr("10.10.2.0/24")), // inside vpc-b: never region A's subnet
		tcp("sgr-own", 23, cidr("10.10.0.0/16")),    // vpc-b itself
		tcp("sgr-peer", 24, cidr("172.20.0.0/16")),  // another VPC of the region
		tcp("sgr-remote", 25, cidr("10.10.2.0/24")), // (same CIDR again, same answer)
	}, nil), "eu-west-1")
	res := Analyze(Input{Groups: []graph.Entity{g}, VPCs: []graph.Entity{vpcA, vpcB, peerB}, Subnets: []graph.Entity{subA}})
	got := map[string]string{}
	for _, r := range res.Relationships {
		if mp := r.Mapping(); mp != nil {
			got[r["ruleId"].(string)] = "mapped " + mp.TargetEntity["CIDR"].(string)
		} else {
			got[r["ruleId"].(string)] = r.FromKey()
		}
	}
	want := map[string]string{
		"sgr-inside": "mapped 10.10.2.0/24",
		"sgr-own":    vpcB.Key(),
		"sgr-peer":   peerB.Key(),
		"sgr-remote": "mapped 10.10.2.0/24",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	// The same CIDR from a group of region A's VPC is region A's subnet.
	gA := sgEntity("sg-a", "vpc-a", []m.Rule{tcp("sgr-a", 22, cidr("10.10.2.0/24"))}, nil)
	res = Analyze(Input{Groups: []graph.Entity{gA}, VPCs: []graph.Entity{vpcA, vpcB}, Subnets: []graph.Entity{subA}})
	if len(res.Relationships) != 1 || res.Relationships[0].FromKey() != subA.Key() {
		t.Errorf("region A group: %v", res.Relationships)
	}
}

// The edge's ipRange is the CIDR exactly as EC2 reports it (moto reports
// IPv6 blocks with leading zeros, "2400:6500:659f:0700::/56"); matching the
// VPC and the edge key use the canonical form, so both spellings give the
// same edge key and the same VPC.
func TestIPRangeIsTheRulesOwnSpelling(t *testing.T) {
	vpc := netEntity(m.TypeVPC, "vpc-1", "vpc-1", "10.0.0.0/16", "2400:6500:659f:0700::/56")
	verbatim := sgEntity("sg-1", "vpc-1", []m.Rule{tcp("sgr-1", 443, cidr6("2400:6500:659f:0700::/56"))}, nil)
	canon := sgEntity("sg-1", "vpc-1", []m.Rule{tcp("sgr-1", 443, cidr6("2400:6500:659f:700::/56"))}, nil)
	a := Analyze(Input{Groups: []graph.Entity{verbatim}, VPCs: []graph.Entity{vpc}}).Relationships
	b := Analyze(Input{Groups: []graph.Entity{canon}, VPCs: []graph.Entity{vpc}}).Relationships
	if len(a) != 1 || len(b) != 1 {
		t.Fatalf("edges %v %v", a, b)
	}
	if a[0]["ipRange"] != "2400:6500:659f:0700::/56" || b[0]["ipRange"] != "2400:6500:659f:700::/56" {
		t.Errorf("ipRange %v / %v", a[0]["ipRange"], b[0]["ipRange"])
	}
	if a[0].Key() != b[0].Key() || a[0].FromKey() != vpc.Key() || b[0].FromKey() != vpc.Key() {
		t.Errorf("keys %s %s, from %s %s", a[0].Key(), b[0].Key(), a[0].FromKey(), b[0].FromKey())
	}
}
