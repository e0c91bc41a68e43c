package testbed

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

// edge gives the demo VPC its way in from the Internet (issue 12): an
// Internet gateway with the public subnet's default route to it, and an
// internet-facing ALB (HTTP 80, in the public and private subnets) that
// forwards to the web instance on 80.
func (d *demo) edge(region, vpc, public, private, web string) {
	if d.err != nil {
		return
	}
	c := ec2.NewFromConfig(d.cfg(region))
	ctx := d.ctx
	igw, err := c.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{})
	d.check("internet gateway", err)
	if d.err != nil {
		return
	}
	_, err = c.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: igw.InternetGateway.InternetGatewayId, VpcId: aws.String(vpc)})
	d.check("attach internet gateway", err)
	rt, err := c.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: aws.String(vpc), TagSpecifications: ec2Tags("route-table", "Name", "demo-public")})
	d.check("route table", err)
	if d.err != nil {
		return
	}
	_, err = c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: rt.RouteTable.RouteTableId, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: igw.InternetGateway.InternetGatewayId})
	d.check("default route", err)
	_, err = c.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: rt.RouteTable.RouteTableId, SubnetId: aws.String(public)})
	d.check("route table association", err)

	lb := elb.NewFromConfig(d.cfg(region))
	alb, err := lb.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("demo-web"), Subnets: []string{public, private},
		SecurityGroups: []string{d.f.WebGroup}, Scheme: elbtypes.LoadBalancerSchemeEnumInternetFacing, Type: elbtypes.LoadBalancerTypeEnumApplication})
	d.check("load balancer", err)
	tg, err := lb.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("demo-web"), Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(80),
		VpcId: aws.String(vpc), TargetType: elbtypes.TargetTypeEnumInstance})
	d.check("target group", err)
	if d.err != nil {
		return
	}
	_, err = lb.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: tg.TargetGroups[0].TargetGroupArn, Targets: []elbtypes.TargetDescription{{Id: aws.String(web)}}})
	d.check("register target", err)
	_, err = lb.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: alb.LoadBalancers[0].LoadBalancerArn, Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(80),
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: tg.TargetGroups[0].TargetGroupArn}}})
	d.check("listener", err)
	if d.err == nil {
		d.f.LoadBalancer = aws.ToString(alb.LoadBalancers[0].LoadBalancerArn)
	}
}
