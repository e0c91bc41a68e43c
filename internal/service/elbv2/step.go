package elbv2

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
	"github.com/awsgraph/awsgraph/internal/service/account"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
	lm "github.com/awsgraph/awsgraph/internal/service/elbv2/elbv2model"
	"github.com/awsgraph/awsgraph/internal/service/lambda"
	"github.com/awsgraph/awsgraph/internal/service/regional"
)

// Steps returns the ELBv2 and Classic load balancer collection steps.
func Steps(s *awsclient.Session) []engine.Step { return []engine.Step{step(s), classicStep(s)} }

func step(s *awsclient.Session) engine.Step {
	return engine.Declare(engine.Step{
		ID: lm.StepID, Name: "Fetch ELBv2 load balancers, listeners and target groups",
		DependsOn: []string{account.StepID, m.StepVPCs, m.StepSecurityGroups, m.StepInstances, lambda.StepID},
		Permissions: []string{"elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeListeners",
			"elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth",
			"elasticloadbalancing:DescribeTargetGroupAttributes"},
		Run: func(ctx context.Context, sc *engine.StepContext) error {
			res, err := regional.Collect(ctx, s, sc, nil, func(ctx context.Context, region string) (*Region, error) {
				return Fetch(ctx, elb.NewFromConfig(s.In(region)))
			})
			if err != nil {
				return err
			}
			ix := indexes{vpcs: keyIndex(sc.Job, m.TypeVPC, "vpcId"), groups: keyIndex(sc.Job, m.TypeSecurityGroup, m.PropGroupID),
				instances: keyIndex(sc.Job, m.TypeInstance, "instanceId"), lbTypes: map[string]string{}, lbDNS: map[string]string{}}
			for _, r := range res {
				if err := add(sc, s, Scope{Partition: s.Partition, AccountID: s.AccountID, Region: r.Region}, r.Items, ix); err != nil {
					return err
				}
			}
			return nil
		},
	})
}

type indexes struct {
	vpcs, groups, instances map[string]string
	lbTypes, lbDNS          map[string]string // LB ARN → entity type, DNS name
}

func keyIndex(job *engine.Job, typ, idProp string) map[string]string {
	idx := map[string]string{}
	for _, e := range job.EntitiesOfType(typ) {
		idx[e.String(m.PropRegion)+"/"+e.String(idProp)] = e.Key()
	}
	return idx
}

func add(sc *engine.StepContext, s *awsclient.Session, scope Scope, r *Region, ix indexes) error {
	for _, lb := range r.LoadBalancers {
		e := NewLoadBalancerEntity(scope, lb)
		ix.lbTypes[e.Key()] = e.Type()
		ix.lbDNS[e.Key()] = aws.ToString(lb.DNSName)
		if err := regional.AddOwned(sc, s, e); err != nil {
			return err
		}
		if vk, ok := ix.vpcs[scope.Region+"/"+aws.ToString(lb.VpcId)]; ok {
			if err := sc.AddRelationship(graph.DirectByKey(vk, m.TypeVPC, "HAS", e.Key(), e.Type(), nil)); err != nil {
				return err
			}
		}
		if err := regional.ProtectedBy(sc, ix.groups, scope.Region, e, lb.SecurityGroups, ""); err != nil {
			return err
		}
	}
	groups := map[string]bool{}
	for _, tg := range r.TargetGroups { // before the listeners that connect to them
		groups[aws.ToString(tg.TargetGroupArn)] = true
		if err := addTargetGroup(sc, s, scope, tg, ix); err != nil {
			return err
		}
	}
	for _, l := range r.Listeners {
		e := NewListenerEntity(scope, l, ix.lbDNS[aws.ToString(l.LoadBalancerArn)])
		if err := regional.AddOwned(sc, s, e); err != nil {
			return err
		}
		lbArn := aws.ToString(l.LoadBalancerArn)
		if err := sc.AddRelationship(graph.DirectByKey(lbArn, ix.lbTypes[lbArn], "HAS", e.Key(), e.Type(), nil)); err != nil {
			return err
		}
		for _, tg := range e.Strings(lm.PropTargetGroupArns) {
			if groups[tg] {
				if err := sc.AddRelationship(graph.DirectByKey(e.Key(), e.Type(), "CONNECTS", tg, lm.TypeTargetGroup, nil)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func addTargetGroup(sc *engine.StepContext, s *awsclient.Session, scope Scope, tg TargetGroup, ix indexes) error {
	e := NewTargetGroupEntity(scope, tg)
	if err := regional.AddOwned(sc, s, e); err != nil {
		return err
	}
	for _, raw := range e.Strings(lm.PropTargets) {
		t, _ := lm.DecodeTarget(raw)
		props := map[string]any{"port": t.Port, "healthState": graph.NilIfEmpty(t.State)}
		var rel graph.Relationship
		switch e.String(lm.PropTargetType) {
		case "instance":
			ik, ok := ix.instances[scope.Region+"/"+t.ID]
			if !ok {
				sc.Count("targetsNotCollected", 1)
				continue
			}
			rel = graph.DirectByKey(e.Key(), e.Type(), "HAS", ik, m.TypeInstance, props)
		case "lambda":
			if !sc.Job.HasKey(t.ID) {
				sc.Count("targetsNotCollected", 1)
				continue
			}
			rel = graph.DirectByKey(e.Key(), e.Type(), "HAS", t.ID, lambda.FunctionType, props)
		case "ip":
			target := map[string]any{"_class": "Host", "_type": lm.TypeHost, "ipAddress": t.ID, "hostname": nil, "displayName": t.ID}
			rel = graph.Mapped(schema.TargetGroupHasHost.Type, "HAS", e, graph.Forward, target,
				[]string{"_class", "ipAddress"}, false, props)
		default:
			sc.Count("targetsOfUnsupportedType", 1)
			continue
		}
		if err := sc.AddRelationshipOnce(rel); err != nil {
			return err
		}
	}
	return nil
}
