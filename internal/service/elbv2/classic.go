package elbv2

import (
	"context"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv1 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	v1types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
	"github.com/awsgraph/awsgraph/internal/service/account"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
	lm "github.com/awsgraph/awsgraph/internal/service/elbv2/elbv2model"
	"github.com/awsgraph/awsgraph/internal/service/regional"
)

// Classic load balancers: one paginated DescribeLoadBalancers per region
// (the listeners and registered instances come with it) and one
// DescribeTags per 20 load balancers (the API's limit).
const (
	classicPageSize = 400
	classicTagBatch = 20
)

// ClassicAPI is every call the Classic step makes.
type ClassicAPI interface {
	DescribeLoadBalancers(ctx context.Context, in *elbv1.DescribeLoadBalancersInput, optFns ...func(*elbv1.Options)) (*elbv1.DescribeLoadBalancersOutput, error)
	DescribeTags(ctx context.Context, in *elbv1.DescribeTagsInput, optFns ...func(*elbv1.Options)) (*elbv1.DescribeTagsOutput, error)
}

// ClassicLB is a Classic load balancer with its tags.
type ClassicLB struct {
	v1types.LoadBalancerDescription
	Tags map[string]string
}

// FetchClassic reads the region's Classic load balancers and their tags. A
// refused DescribeTags fails the region: tags are never guessed.
func FetchClassic(ctx context.Context, c ClassicAPI) ([]ClassicLB, error) {
	var out []ClassicLB
	p := elbv1.NewDescribeLoadBalancersPaginator(c, &elbv1.DescribeLoadBalancersInput{PageSize: aws.Int32(classicPageSize)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, d := range page.LoadBalancerDescriptions {
			out = append(out, ClassicLB{LoadBalancerDescription: d, Tags: map[string]string{}})
		}
	}
	for i := 0; i < len(out); i += classicTagBatch {
		batch := out[i:min(i+classicTagBatch, len(out))]
		names := make([]string, len(batch))
		byName := map[string]*ClassicLB{}
		for j := range batch {
			names[j] = aws.ToString(batch[j].LoadBalancerName)
			byName[names[j]] = &batch[j]
		}
		tags, err := c.DescribeTags(ctx, &elbv1.DescribeTagsInput{LoadBalancerNames: names})
		if err != nil {
			return nil, err
		}
		for _, d := range tags.TagDescriptions {
			if lb := byName[aws.ToString(d.LoadBalancerName)]; lb != nil {
				for _, t := range d.Tags {
					lb.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
				}
			}
		}
	}
	return out, nil
}

// ClassicARN is a Classic load balancer's ARN.
func ClassicARN(partition string, sc Scope, name string) string {
	return "arn:" + partition + ":elasticloadbalancing:" + sc.Region + ":" + sc.AccountID + ":loadbalancer/" + name
}

// NewClassicEntity converts a Classic load balancer; its listeners are
// JSON strings (elbv2model.ClassicListener).
func NewClassicEntity(partition string, sc Scope, lb ClassicLB) graph.Entity {
	name := aws.ToString(lb.LoadBalancerName)
	e := schema.ClassicELB.New(ClassicARN(partition, sc, name), name)
	listeners := []string{}
	for _, l := range lb.ListenerDescriptions {
		if l.Listener == nil {
			continue
		}
		listeners = append(listeners, lm.ClassicListener{Protocol: aws.ToString(l.Listener.Protocol), LoadBalancerPort: l.Listener.LoadBalancerPort,
			InstanceProtocol: aws.ToString(l.Listener.InstanceProtocol), InstancePort: aws.ToInt32(l.Listener.InstancePort)}.Encode())
	}
	instances := []string{}
	for _, i := range lb.Instances {
		instances = append(instances, aws.ToString(i.InstanceId))
	}
	sort.Strings(instances)
	scheme := aws.ToString(lb.Scheme)
	e.Set(lm.PropARN, e.Key()).
		Set("loadBalancerName", name).
		Set(lm.PropLBType, "classic").
		Set(lm.PropScheme, scheme).
		Set("public", scheme == "internet-facing").
		Set("internal", scheme == "internal").
		Set("category", []string{"network"}).
		Set("function", []string{"load-balancing"}).
		Set(m.PropVPCID, graph.NilIfEmpty(aws.ToString(lb.VPCId))).
		Set(lm.PropSubnetIDs, append([]string{}, lb.Subnets...)).
		Set("availabilityZones", append([]string{}, lb.AvailabilityZones...)).
		Set(lm.PropSecurityGroupIDs, append([]string{}, lb.SecurityGroups...)).
		Set("dnsName", graph.NilIfEmpty(aws.ToString(lb.DNSName))).
		Set("createdOn", millis(lb.CreatedTime)).
		Set(lm.PropListeners, listeners).
		Set(lm.PropInstanceIDs, instances).
		Set("accountId", sc.AccountID).
		Set("region", sc.Region).
		Set("webLink", sc.link("LoadBalancers:search="+name))
	e.SetTags(lb.Tags)
	return e
}

func classicStep(s *awsclient.Session) engine.Step {
	return engine.Declare(engine.Step{
		ID: lm.StepClassicELB, Name: "Fetch Classic load balancers",
		DependsOn:   []string{account.StepID, m.StepVPCs, m.StepSecurityGroups, m.StepInstances},
		Permissions: []string{"elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeTags"},
		Run: func(ctx context.Context, sc *engine.StepContext) error {
			res, err := regional.Collect(ctx, s, sc, sc.Step.DeclaredTypes(), func(ctx context.Context, region string) ([]ClassicLB, error) {
				return FetchClassic(ctx, elbv1.NewFromConfig(s.In(region)))
			})
			if err != nil {
				return err
			}
			vpcs, groups := keyIndex(sc.Job, m.TypeVPC, "vpcId"), keyIndex(sc.Job, m.TypeSecurityGroup, m.PropGroupID)
			instances := keyIndex(sc.Job, m.TypeInstance, "instanceId")
			for _, r := range res {
				for _, lb := range r.Items {
					if err := addClassic(sc, s, Scope{Partition: s.Partition, AccountID: s.AccountID, Region: r.Region}, lb, vpcs, groups, instances); err != nil {
						return err
					}
				}
			}
			return nil
		},
	})
}

func addClassic(sc *engine.StepContext, s *awsclient.Session, scope Scope, lb ClassicLB, vpcs, groups, instances map[string]string) error {
	e := NewClassicEntity(s.Partition, scope, lb)
	if err := regional.AddOwned(sc, s, e); err != nil {
		return err
	}
	var rels []graph.Relationship
	if vk, ok := vpcs[scope.Region+"/"+aws.ToString(lb.VPCId)]; ok {
		rels = append(rels, graph.DirectByKey(vk, m.TypeVPC, "HAS", e.Key(), e.Type(), nil))
	}
	for _, g := range lb.SecurityGroups {
		if gk, ok := groups[scope.Region+"/"+g]; ok {
			rels = append(rels, graph.DirectByKey(gk, m.TypeSecurityGroup, "PROTECTS", e.Key(), e.Type(), nil))
		}
	}
	for _, id := range e.Strings(lm.PropInstanceIDs) {
		if ik, ok := instances[scope.Region+"/"+id]; ok {
			rels = append(rels, graph.DirectByKey(e.Key(), e.Type(), "HAS", ik, m.TypeInstance, nil))
		} else {
			sc.Count("targetsNotCollected", 1)
		}
	}
	for _, r := range rels {
		if err := sc.AddRelationshipOnce(r); err != nil {
			return err
		}
	}
	return nil
}
