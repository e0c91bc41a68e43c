package reachability

import (
	"fmt"
	"testing"

	"github.com/awsgraph/awsgraph/internal/graph"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
	lm "github.com/awsgraph/awsgraph/internal/service/elbv2/elbv2model"
)

// BenchmarkAnalyze10kInstances: the test world with 10,000 more instances
// (half direct, half behind the load balancer).
func BenchmarkAnalyze10kInstances(b *testing.B) {
	in := world()
	var targets []string
	for i := range 10000 {
		id := fmt.Sprintf("i-%05d", i)
		e := ent(m.TypeInstance, "i:"+id, map[string]any{"instanceId": id, "subnetId": "subnet-pub", m.PropVPCID: "vpc-1",
			m.PropPublicIP: "54.0.1.1", "securityGroupIds": []string{"sg-ssh", "sg-app"}})
		in.Instances = append(in.Instances, e)
		if i%2 == 0 {
			targets = append(targets, lm.Target{ID: id}.Encode())
		}
	}
	in.TargetGroups = []graph.Entity{ent(lm.TypeTargetGroup, "arn:tg", map[string]any{lm.PropTargetType: "instance", lm.PropPort: int32(8080),
		m.PropVPCID: "vpc-1", lm.PropTargets: targets})}
	b.ResetTimer()
	for b.Loop() {
		if res := Analyze(in); len(res.Verdicts) < 10000 {
			b.Fatal(len(res.Verdicts))
		}
	}
}
