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

// BenchmarkAnalyze10kInstancesWithInterfaces: the same, each instance with
// its interface collected (in another subnet than the load balancer's, so
// the target subnet's ACL is evaluated on the load-balancer path).
func BenchmarkAnalyze10kInstancesWithInterfaces(b *testing.B) {
	in := world()
	var targets []string
	for i := range 10000 {
		id := fmt.Sprintf("i-%05d", i)
		in.Instances = append(in.Instances, ent(m.TypeInstance, "i:"+id, map[string]any{"instanceId": id, "subnetId": "subnet-main", m.PropVPCID: "vpc-1",
			m.PropPublicIP: "54.0.1.1", "securityGroupIds": []string{"sg-ssh", "sg-app"}}))
		in.NetworkInterfaces = append(in.NetworkInterfaces, eni("eni-"+id, id, 0, "subnet-main", []string{"54.0.1.1"}, fmt.Sprintf("10.0.%d.%d", 2+i/250, i%250), "sg-ssh", "sg-app"))
		if i%2 == 0 {
			targets = append(targets, lm.Target{ID: id}.Encode())
		}
	}
	in.TargetGroups = []graph.Entity{ent(lm.TypeTargetGroup, "arn:tg", map[string]any{lm.PropTargetType: "instance", lm.PropPort: int32(8080),
		m.PropVPCID: "vpc-1", lm.PropTargets: targets})}
	b.ResetTimer()
	for b.Loop() {
		if res := Analyze(in); len(res.Verdicts) < 20000 {
			b.Fatal(len(res.Verdicts))
		}
	}
}
