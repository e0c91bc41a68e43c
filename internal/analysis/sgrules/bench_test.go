package sgrules

import (
	"fmt"
	"testing"

	"github.com/awsgraph/awsgraph/internal/graph"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
)

// syntheticGraph builds groups×rulesPerGroup rules (a mix of Internet, subnet,
// external CIDR, /32, group-reference and prefix-list peers), 50 VPCs with 10
// subnets each, and instances each protected by two groups.
func syntheticGraph(groups, rulesPerGroup, instances int) Input {
	var in Input
	in.PrefixLists = []graph.Entity{plEntity("pl-1", "203.0.113.0/24", "198.51.100.0/24")}
	for v := 0; v < 50; v++ {
		vpc := fmt.Sprintf("vpc-%d", v)
		in.VPCs = append(in.VPCs, netEntity(m.TypeVPC, vpc, vpc, fmt.Sprintf("10.%d.0.0/16", v), ""))
		for s := 0; s < 10; s++ {
			in.Subnets = append(in.Subnets, netEntity(m.TypeSubnet, fmt.Sprintf("subnet-%d-%d", v, s), vpc, fmt.Sprintf("10.%d.%d.0/24", v, s), ""))
		}
	}
	for g := 0; g < groups; g++ {
		vpc := fmt.Sprintf("vpc-%d", g%50)
		var ing, eg []m.Rule
		for r := 0; r < rulesPerGroup; r++ {
			id := fmt.Sprintf("sgr-%d-%d", g, r)
			port := int32(1000 + r)
			switch r % 6 {
			case 0:
				ing = append(ing, tcp(id, port, cidr("0.0.0.0/0")))
			case 1:
				ing = append(ing, tcp(id, port, cidr(fmt.Sprintf("10.%d.%d.0/24", g%50, r%10))))
			case 2:
				ing = append(ing, tcp(id, port, cidr(fmt.Sprintf("172.16.%d.0/24", r))))
			case 3:
				ing = append(ing, tcp(id, port, grp(fmt.Sprintf("sg-%d", (g+1)%groups), acct)))
			case 4:
				ing = append(ing, tcp(id, port, pl("pl-1")))
			case 5:
				eg = append(eg, m.Rule{RuleID: id, IPProtocol: "-1", CidrIPv4: "0.0.0.0/0"})
			}
		}
		in.Groups = append(in.Groups, sgEntity(fmt.Sprintf("sg-%d", g), vpc, ing, eg))
	}
	for i := 0; i < instances; i++ {
		inst := instEntity(fmt.Sprintf("i-%d", i), fmt.Sprintf("vpc-%d", i%50), fmt.Sprintf("10.%d.%d.%d", i%50, i%10, 10+i%200), fmt.Sprintf("54.0.%d.%d", i/250, i%250))
		in.Instances = append(in.Instances, inst)
		in.Protects = append(in.Protects,
			graph.Direct(in.Groups[i%groups], "PROTECTS", inst, nil),
			graph.Direct(in.Groups[(i*7+3)%groups], "PROTECTS", inst, nil))
	}
	return in
}

func BenchmarkAnalyze2000Groups10Rules5000Instances(b *testing.B) {
	in := syntheticGraph(2000, 10, 5000)
	b.ReportAllocs()
	b.ResetTimer()
	var res *Result
	for b.Loop() {
		res = Analyze(in)
	}
	b.ReportMetric(float64(len(res.Relationships)), "edges")
	if len(res.Unmapped) != 0 {
		b.Fatalf("unmapped %v", res.Unmapped[:1])
	}
}
