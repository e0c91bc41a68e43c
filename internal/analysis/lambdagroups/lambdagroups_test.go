package lambdagroups

import (
	"testing"

	"github.com/awsgraph/awsgraph/internal/graph"
)

func TestRelationships(t *testing.T) {
	group := func(region, id string) graph.Entity {
		e := graph.NewEntity("arn:aws:ec2:"+region+":111122223333:security-group/"+id, "aws_ec2_security_group", []string{"Firewall"}, id)
		e.Set("region", region).Set("groupId", id)
		return e
	}
	fn := graph.NewEntity("arn:aws:lambda:us-east-1:111122223333:function:f", "aws_lambda_function", []string{"Function"}, "f")
	fn.Set("region", "us-east-1")
	fn["securityGroupIds"] = []any{"sg-1", "sg-1", "sg-2", "sg-gone"}
	plain := graph.NewEntity("arn:aws:lambda:us-east-1:111122223333:function:g", "aws_lambda_function", []string{"Function"}, "g")
	plain.Set("region", "us-east-1")
	rels, missing := Relationships([]graph.Entity{fn, plain}, []graph.Entity{
		group("us-east-1", "sg-1"), group("us-east-1", "sg-2"), group("eu-west-1", "sg-gone"),
	})
	if len(rels) != 2 || missing != 1 {
		t.Fatalf("rels %v missing %d", rels, missing)
	}
	for _, r := range rels {
		if r.Type() != RelType || r.ToKey() != fn.Key() || r.Class() != "PROTECTS" {
			t.Fatalf("bad edge %v", r)
		}
	}
}
