// Package elbv2 collects Elastic Load Balancing v2 (application and network
// load balancers): the load balancers, their listeners (with the target
// groups the default and rule actions forward to), the target groups and
// their registered targets.
//
// Calls per region: one paginated DescribeLoadBalancers and one paginated
// DescribeTargetGroups; per load balancer one paginated DescribeListeners
// (the API requires a load balancer or listener ARN: there is no bulk
// form); per HTTP/HTTPS listener one paginated DescribeRules (likewise); per
// target group one DescribeTargetHealth (no bulk form). Gateway load
// balancers are counted and skipped.
//
// Classic load balancers (classic.go, their own step): one paginated
// DescribeLoadBalancers of the 2012-06-01 API per region, listeners and
// registered instances included, and one DescribeTags per 20.
package elbv2

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
	"github.com/awsgraph/awsgraph/internal/service/console"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
	lm "github.com/awsgraph/awsgraph/internal/service/elbv2/elbv2model"
)

// pageSize is the largest page DescribeLoadBalancers / DescribeTargetGroups accept.
const pageSize = 400

// API is every call the step makes.
type API interface {
	DescribeLoadBalancers(ctx context.Context, in *elb.DescribeLoadBalancersInput, optFns ...func(*elb.Options)) (*elb.DescribeLoadBalancersOutput, error)
	DescribeListeners(ctx context.Context, in *elb.DescribeListenersInput, optFns ...func(*elb.Options)) (*elb.DescribeListenersOutput, error)
	DescribeRules(ctx context.Context, in *elb.DescribeRulesInput, optFns ...func(*elb.Options)) (*elb.DescribeRulesOutput, error)
	DescribeTargetGroups(ctx context.Context, in *elb.DescribeTargetGroupsInput, optFns ...func(*elb.Options)) (*elb.DescribeTargetGroupsOutput, error)
	DescribeTargetHealth(ctx context.Context, in *elb.DescribeTargetHealthInput, optFns ...func(*elb.Options)) (*elb.DescribeTargetHealthOutput, error)
	DescribeTargetGroupAttributes(ctx context.Context, in *elb.DescribeTargetGroupAttributesInput, optFns ...func(*elb.Options)) (*elb.DescribeTargetGroupAttributesOutput, error)
}

// Region is what one region holds.
type Region struct {
	LoadBalancers []types.LoadBalancer
	Listeners     []Listener
	TargetGroups  []TargetGroup
}

// Listener is a listener with the rules of its load balancer's listener.
type Listener struct {
	types.Listener
	Rules []types.Rule
}

// TargetGroup is a group with its registered targets.
type TargetGroup struct {
	types.TargetGroup
	Targets []types.TargetHealthDescription
	// PreserveClientIP is a Network Load Balancer group's
	// preserve_client_ip.enabled (nil for other groups): whether its
	// targets see the client's address or the load balancer's.
	PreserveClientIP *bool
}

// Fetch reads one region.
func Fetch(ctx context.Context, c API) (*Region, error) {
	var out Region
	p := elb.NewDescribeLoadBalancersPaginator(c, &elb.DescribeLoadBalancersInput{PageSize: aws.Int32(pageSize)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, lb := range page.LoadBalancers {
			if lb.Type == types.LoadBalancerTypeEnumApplication || lb.Type == types.LoadBalancerTypeEnumNetwork {
				out.LoadBalancers = append(out.LoadBalancers, lb)
			}
		}
	}
	for _, lb := range out.LoadBalancers {
		ls, err := fetchListeners(ctx, c, aws.ToString(lb.LoadBalancerArn))
		if err != nil {
			return nil, err
		}
		out.Listeners = append(out.Listeners, ls...)
	}
	tp := elb.NewDescribeTargetGroupsPaginator(c, &elb.DescribeTargetGroupsInput{PageSize: aws.Int32(pageSize)})
	for tp.HasMorePages() {
		page, err := tp.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, tg := range page.TargetGroups {
			h, err := c.DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: tg.TargetGroupArn})
			if err != nil {
				return nil, err
			}
			g := TargetGroup{TargetGroup: tg, Targets: h.TargetHealthDescriptions}
			if g.PreserveClientIP, err = preserveClientIP(ctx, c, tg); err != nil {
				return nil, err
			}
			out.TargetGroups = append(out.TargetGroups, g)
		}
	}
	return &out, nil
}

// preserveClientIP reads a Network Load Balancer group's
// preserve_client_ip.enabled (one DescribeTargetGroupAttributes; groups of
// other protocols are not asked). A group that does not report it is nil:
// the analysis then assumes AWS's default for the target type.
func preserveClientIP(ctx context.Context, c API, tg types.TargetGroup) (*bool, error) {
	switch tg.Protocol {
	case types.ProtocolEnumTcp, types.ProtocolEnumUdp, types.ProtocolEnumTls, types.ProtocolEnumTcpUdp:
	default:
		return nil, nil
	}
	out, err := c.DescribeTargetGroupAttributes(ctx, &elb.DescribeTargetGroupAttributesInput{TargetGroupArn: tg.TargetGroupArn})
	if err != nil {
		return nil, err
	}
	for _, a := range out.Attributes {
		if aws.ToString(a.Key) == "preserve_client_ip.enabled" {
			v := strings.EqualFold(aws.ToString(a.Value), "true")
			return &v, nil
		}
	}
	return nil, nil
}

func fetchListeners(ctx context.Context, c API, lbArn string) ([]Listener, error) {
	var out []Listener
	p := elb.NewDescribeListenersPaginator(c, &elb.DescribeListenersInput{LoadBalancerArn: aws.String(lbArn), PageSize: aws.Int32(pageSize)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, l := range page.Listeners {
			li := Listener{Listener: l}
			if l.Protocol == types.ProtocolEnumHttp || l.Protocol == types.ProtocolEnumHttps {
				rp := elb.NewDescribeRulesPaginator(c, &elb.DescribeRulesInput{ListenerArn: l.ListenerArn, PageSize: aws.Int32(pageSize)})
				for rp.HasMorePages() {
					rs, err := rp.NextPage(ctx)
					if err != nil {
						return nil, err
					}
					li.Rules = append(li.Rules, rs.Rules...)
				}
			}
			out = append(out, li)
		}
	}
	return out, nil
}

// forwardedGroups are the target groups an action list forwards to.
func forwardedGroups(as []types.Action) []string {
	var out []string
	for _, a := range as {
		if a.Type != types.ActionTypeEnumForward {
			continue
		}
		if arn := aws.ToString(a.TargetGroupArn); arn != "" {
			out = append(out, arn)
		}
		if a.ForwardConfig != nil {
			for _, t := range a.ForwardConfig.TargetGroups {
				out = append(out, aws.ToString(t.TargetGroupArn))
			}
		}
	}
	return out
}

func uniqSorted(s []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, v := range s {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// Scope is where a converted resource lives.
type Scope struct{ Partition, AccountID, Region string }

// link is a page of the EC2 console, where load balancers are shown.
func (sc Scope) link(fragment string) string {
	return console.RegionalURL(sc.Partition, sc.Region, "/ec2/home?region="+sc.Region+"#"+fragment)
}

// LBType is the entity type of a load balancer.
func LBType(lb types.LoadBalancer) string {
	if lb.Type == types.LoadBalancerTypeEnumNetwork {
		return lm.TypeNLB
	}
	return lm.TypeALB
}

// NewLoadBalancerEntity converts a load balancer.
func NewLoadBalancerEntity(sc Scope, lb types.LoadBalancer) graph.Entity {
	arn := aws.ToString(lb.LoadBalancerArn)
	e := schema.EntityType(LBType(lb)).New(arn, aws.ToString(lb.LoadBalancerName))
	subnets, zones := []string{}, []string{}
	for _, z := range lb.AvailabilityZones {
		subnets = append(subnets, aws.ToString(z.SubnetId))
		zones = append(zones, aws.ToString(z.ZoneName))
	}
	var state any
	if lb.State != nil {
		state = string(lb.State.Code)
	}
	public := lb.Scheme == types.LoadBalancerSchemeEnumInternetFacing
	e.Set(lm.PropARN, arn).
		Set("loadBalancerName", lb.LoadBalancerName).
		Set(lm.PropLBType, string(lb.Type)).
		Set(lm.PropScheme, string(lb.Scheme)).
		Set("public", public).
		Set("internal", !public).
		Set("category", []string{"network"}).
		Set("function", []string{"load-balancing"}).
		Set(m.PropVPCID, lb.VpcId).
		Set(lm.PropSubnetIDs, subnets).
		Set("availabilityZones", zones).
		Set(lm.PropSecurityGroupIDs, append([]string{}, lb.SecurityGroups...)).
		Set("dnsName", lb.DNSName).
		Set("ipAddressType", graph.NilIfEmpty(string(lb.IpAddressType))).
		Set("state", state).
		Set("createdOn", millis(lb.CreatedTime)).
		Set("accountId", sc.AccountID).
		Set("region", sc.Region).
		Set("webLink", sc.link("LoadBalancer:loadBalancerArn="+arn))
	return e
}

// NewListenerEntity converts a listener; targetGroupArns are the groups its
// default and rule actions forward to; address (the data model's
// ApplicationEndpoint address) is <protocol>://<load balancer DNS name>:<port>.
func NewListenerEntity(sc Scope, l Listener, lbDNS string) graph.Entity {
	arn := aws.ToString(l.ListenerArn)
	groups := forwardedGroups(l.DefaultActions)
	for _, r := range l.Rules {
		groups = append(groups, forwardedGroups(r.Actions)...)
	}
	e := schema.Listener.New(arn, string(l.Protocol)+":"+portString(l.Port))
	e.Set(lm.PropARN, arn).
		Set(lm.PropLoadBalancerArn, l.LoadBalancerArn).
		Set(lm.PropPort, l.Port).
		Set("address", strings.ToLower(string(l.Protocol))+"://"+lbDNS+":"+portString(l.Port)).
		Set(lm.PropProtocol, graph.NilIfEmpty(string(l.Protocol))).
		Set(lm.PropTargetGroupArns, uniqSorted(groups)).
		Set("ruleCount", len(l.Rules)).
		Set("accountId", sc.AccountID).
		Set("region", sc.Region)
	return e
}

// NewTargetGroupEntity converts a target group and its registered targets.
func NewTargetGroupEntity(sc Scope, tg TargetGroup) graph.Entity {
	arn := aws.ToString(tg.TargetGroupArn)
	e := schema.TargetGroup.New(arn, aws.ToString(tg.TargetGroupName))
	targets, ids := []string{}, []string{}
	for _, t := range tg.Targets {
		if t.Target == nil {
			continue
		}
		st := ""
		if t.TargetHealth != nil {
			st = string(t.TargetHealth.State)
		}
		targets = append(targets, lm.Target{ID: aws.ToString(t.Target.Id), Port: t.Target.Port,
			AvailabilityZone: aws.ToString(t.Target.AvailabilityZone), State: st}.Encode())
		ids = append(ids, aws.ToString(t.Target.Id))
	}
	e.Set(lm.PropARN, arn).
		Set("targetGroupName", tg.TargetGroupName).
		Set(lm.PropTargetType, graph.NilIfEmpty(string(tg.TargetType))).
		Set(lm.PropPort, tg.Port).
		Set(lm.PropProtocol, graph.NilIfEmpty(string(tg.Protocol))).
		Set(m.PropVPCID, tg.VpcId).
		Set("loadBalancerArns", append([]string{}, tg.LoadBalancerArns...)).
		Set(lm.PropTargets, targets).
		Set("targetIds", ids).
		SetIfPresent(lm.PropPreserveClientIP, tg.PreserveClientIP).
		Set("accountId", sc.AccountID).
		Set("region", sc.Region).
		Set("webLink", sc.link("TargetGroup:targetGroupArn="+arn))
	return e
}

func portString(p *int32) string {
	if p == nil {
		return "*"
	}
	return strconv.Itoa(int(*p))
}

func millis(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}
