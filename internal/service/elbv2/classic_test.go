package elbv2

import (
	"context"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv1 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	v1types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"

	"github.com/awsgraph/awsgraph/internal/schema"
	lm "github.com/awsgraph/awsgraph/internal/service/elbv2/elbv2model"
)

func TestNewClassicEntity(t *testing.T) {
	lb := ClassicLB{LoadBalancerDescription: v1types.LoadBalancerDescription{LoadBalancerName: aws.String("web"), Scheme: aws.String("internet-facing"),
		VPCId: aws.String("vpc-1"), Subnets: []string{"subnet-a"}, SecurityGroups: []string{"sg-1"}, DNSName: aws.String("web-1.us-east-1.elb.amazonaws.com"),
		Instances: []v1types.Instance{{InstanceId: aws.String("i-2")}, {InstanceId: aws.String("i-1")}},
		ListenerDescriptions: []v1types.ListenerDescription{{Listener: &v1types.Listener{Protocol: aws.String("HTTP"), LoadBalancerPort: 80,
			InstanceProtocol: aws.String("HTTP"), InstancePort: aws.Int32(8080)}}}}, Tags: map[string]string{"team": "edge"}}
	e := NewClassicEntity("aws", Scope{AccountID: "123456789012", Region: "us-east-1"}, lb)
	if e.Key() != "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/web" || e.Type() != "aws_elb" {
		t.Errorf("key %s type %s", e.Key(), e.Type())
	}
	if err := schema.Validate(e); err != nil {
		t.Error(err)
	}
	want := map[string]any{lm.PropScheme: "internet-facing", "public": true, lm.PropInstanceIDs: []string{"i-1", "i-2"},
		lm.PropListeners: []string{`{"protocol":"HTTP","loadBalancerPort":80,"instanceProtocol":"HTTP","instancePort":8080}`},
		lm.PropSubnetIDs: []string{"subnet-a"}, lm.PropSecurityGroupIDs: []string{"sg-1"}, "tag.team": "edge"}
	for k, v := range want {
		if !reflect.DeepEqual(e[k], v) {
			t.Errorf("%s = %#v, want %#v", k, e[k], v)
		}
	}
}

// fakeClassic answers DescribeLoadBalancers with n load balancers on one
// page and counts DescribeTags calls (at most 20 names each).
type fakeClassic struct {
	n, tagCalls int
}

func (f *fakeClassic) DescribeLoadBalancers(_ context.Context, _ *elbv1.DescribeLoadBalancersInput, _ ...func(*elbv1.Options)) (*elbv1.DescribeLoadBalancersOutput, error) {
	out := &elbv1.DescribeLoadBalancersOutput{}
	for i := range f.n {
		out.LoadBalancerDescriptions = append(out.LoadBalancerDescriptions, v1types.LoadBalancerDescription{LoadBalancerName: aws.String(string(rune('a'+i%26)) + string(rune('a'+i/26)))})
	}
	return out, nil
}

func (f *fakeClassic) DescribeTags(_ context.Context, in *elbv1.DescribeTagsInput, _ ...func(*elbv1.Options)) (*elbv1.DescribeTagsOutput, error) {
	f.tagCalls++
	if len(in.LoadBalancerNames) > 20 {
		return nil, &v1types.AccessPointNotFoundException{}
	}
	out := &elbv1.DescribeTagsOutput{}
	for _, n := range in.LoadBalancerNames {
		out.TagDescriptions = append(out.TagDescriptions, v1types.TagDescription{LoadBalancerName: aws.String(n), Tags: []v1types.Tag{{Key: aws.String("n"), Value: aws.String(n)}}})
	}
	return out, nil
}

func TestFetchClassicTagsInBatchesOf20_InMemoryFake(t *testing.T) {
	f := &fakeClassic{n: 45}
	lbs, err := FetchClassic(context.Background(), f)
	if err != nil || len(lbs) != 45 || f.tagCalls != 3 {
		t.Fatalf("%d load balancers, %d DescribeTags calls, %v", len(lbs), f.tagCalls, err)
	}
	for _, lb := range lbs {
		if lb.Tags["n"] != aws.ToString(lb.LoadBalancerName) {
			t.Errorf("%s tags %v", aws.ToString(lb.LoadBalancerName), lb.Tags)
		}
	}
}
