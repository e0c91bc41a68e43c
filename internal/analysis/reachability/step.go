// Package reachability is the true Internet-reachability analysis (issue
// 12): a step (analyze-internet-reachability) that reads the collected graph
// — never AWS — and decides, per network interface and address family,
// whether the Internet can open a connection to each instance, interface
// and Lambda function behind an application load balancer, on which ports,
// and which way.
//
// Direct, per interface (an instance is reachable when any of its
// interfaces is; each has its own subnet, groups and addresses): a public
// IPv4 (auto-assigned or Elastic IP) or an IPv6 address; the subnet's
// effective route table (explicit association, else the VPC's main table)
// sends 0.0.0.0/0 (::/0) to an Internet gateway attached to the VPC (a NAT
// or egress-only gateway lets nothing in); a rule of the interface's groups
// from 0.0.0.0/0 (::/0) admits the port; the subnet's network ACL allows it
// inbound and the ephemeral range 1024-65535 outbound (rule numbers in
// order, first match wins, final deny). A table whose Internet-gateway
// routes are all narrower than the default lets in only those prefixes:
// recorded apart (internetReachableFromPrefixes), never counted as
// reachable.
//
// Through a load balancer: an internet-facing ALB, NLB or Classic ELB, with
// a subnet passing the same route and ACL checks for the listener port,
// whose groups (when it has any) admit the port from the Internet, exposes
// each registered target of the groups the listener forwards to (a Classic
// ELB: its instances, on the instance port) on the target's port — when the
// groups of the interface the target receives on admit the load balancer
// (a rule naming its group, or a CIDR covering its VPC or subnets; for an
// NLB's instance and UDP IP targets, which see the client's address, a rule from the
// whole Internet) and, from another subnet, the target subnet's ACL lets
// the load balancer in and the replies out and the load balancer subnet's
// ACL lets it out to the target and the replies in. Each open listener is an
// Internet ALLOWS load-balancer edge.
//
// Results: internetReachable, internetReachablePorts (merged as
// sgrules.MergePorts), internetReachableVia (a list: "direct" first, then
// load balancer ARNs, sorted) and internetReachableFromPrefixes. When any
// input could not be read in a region, the step writes nothing there and
// the last run's values are kept (engine: derived steps with partial
// inputs).
package reachability

import (
	"context"

	"github.com/awsgraph/awsgraph/internal/analysis/sgrules"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
	lm "github.com/awsgraph/awsgraph/internal/service/elbv2/elbv2model"
	"github.com/awsgraph/awsgraph/internal/service/lambda"
)

// StepID is the analysis step.
const StepID = schema.StepReachability

// Properties are the derived properties the step sets on instances,
// network interfaces and functions.
var Properties = []string{"internetReachable", "internetReachablePorts", "internetReachableVia", "internetReachableFromPrefixes"}

// Steps returns the analysis step.
func Steps() []engine.Step {
	keyInputs := []string{lambda.FunctionType}
	for _, r := range schema.SetBy(sgrules.StepID) {
		keyInputs = append(keyInputs, r.Type) // rule edges are read by no one here; their unknown rule ids do not matter
	}
	return []engine.Step{engine.Declare(engine.Step{
		ID: StepID, Name: "Analyze Internet reachability (routes, network ACLs, security groups, load balancers)",
		DependsOn: []string{m.StepVPCs, m.StepSubnets, m.StepSecurityGroups, m.StepInstances, m.StepGateways, m.StepRouteTables,
			m.StepNetworkACLs, m.StepNetworkInterfaces, m.StepElasticIPs, lm.StepID, lm.StepClassicELB, lambda.StepID, sgrules.StepID},
		KeyInputs: keyInputs,
		Run:       run,
	})}
}

// InputFrom reads the analysis input from a set of entities (a job's or a
// store's).
func InputFrom(ofType func(string) []graph.Entity) Input {
	return Input{
		Instances: ofType(m.TypeInstance), Functions: ofType(lambda.FunctionType),
		VPCs: ofType(m.TypeVPC), Subnets: ofType(m.TypeSubnet), Groups: ofType(m.TypeSecurityGroup), PrefixLists: ofType(m.TypePrefixList),
		RouteTables: ofType(m.TypeRouteTable), NetworkACLs: ofType(m.TypeNetworkACL), InternetGateways: ofType(m.TypeInternetGateway),
		LoadBalancers: append(ofType(lm.TypeALB), ofType(lm.TypeNLB)...), Listeners: ofType(lm.TypeListener), TargetGroups: ofType(lm.TypeTargetGroup),
		NetworkInterfaces: ofType(m.TypeNetworkInterface), ElasticIPs: ofType(m.TypeElasticIP), ClassicELBs: ofType(lm.TypeClassicELB),
	}
}

func run(ctx context.Context, sc *engine.StepContext) error {
	res := Analyze(InputFrom(sc.Job.EntitiesOfType))
	if len(res.Listeners) > 0 && !sc.Job.HasKey(sgrules.InternetKey) {
		if err := sc.AddEntity(sgrules.InternetEntity()); err != nil {
			return err
		}
	}
	for _, r := range res.Listeners {
		if err := sc.AddRelationship(r); err != nil {
			return err
		}
	}
	reachable := 0
	for key, v := range res.Verdicts {
		props := v.Props()
		if props["internetReachable"] == true {
			reachable++
		}
		sc.SetProperties(key, props)
	}
	sc.Count("internetReachable", reachable)
	sc.Count("openListeners", len(res.Listeners))
	return nil
}
