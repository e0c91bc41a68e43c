package reachability

import (
	"archive/zip"
	"bytes"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv1 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	v1types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// trapNet is what the traps reuse of the account.
type trapNet struct {
	pubA, pubB, pubC, privA, privC string // pubC: Internet route, no auto-assigned public IPs; privC: NAT
	web, app                       string // groups: 22+80 from the Internet; 8080 from the ALB's group
}

func (s *seeder) eip() *ec2.AllocateAddressOutput {
	return must[*ec2.AllocateAddressOutput](s.t)(s.c.AllocateAddress(s.ctx, &ec2.AllocateAddressInput{Domain: types.DomainTypeVpc}))
}

// traps adds the cases a per-instance approximation gets wrong:
//   - multi-eni: primary interface private (NAT subnet, group app); a
//     secondary interface in a public subnet with its own group (443 from the
//     Internet) and an Elastic IP: reachable on 443, directly;
//   - eni-free: a standalone interface with an Elastic IP in a public subnet;
//   - eip-instance: no auto-assigned address (pubC), an Elastic IP on the
//     instance: reachable;
//   - clb-backend: behind an internet-facing Classic ELB (80 → 8081);
//   - app-denied: a target of the public ALB whose subnet's NACL denies 8080
//     from the VPC: not reachable;
//   - partial: a subnet whose only Internet-gateway route is 1.2.3.0/24;
//   - a Lambda function behind the public ALB's port 80.
func (s *seeder) traps(cfg aws.Config, a *account, n trapNet) {
	t := s.t
	web443 := s.group("web-443", tcpFrom(443, "0.0.0.0/0"))
	a.instances["multi-eni"], _ = s.instance(n.privA, n.app)
	second := must[*ec2.CreateNetworkInterfaceOutput](t)(s.c.CreateNetworkInterface(s.ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(n.pubB), Groups: []string{web443}}))
	a.interfaces["multi-eni-second"] = aws.ToString(second.NetworkInterface.NetworkInterfaceId)
	must[*ec2.AttachNetworkInterfaceOutput](t)(s.c.AttachNetworkInterface(s.ctx, &ec2.AttachNetworkInterfaceInput{NetworkInterfaceId: second.NetworkInterface.NetworkInterfaceId,
		InstanceId: aws.String(a.instances["multi-eni"]), DeviceIndex: aws.Int32(1)}))
	must[*ec2.AssociateAddressOutput](t)(s.c.AssociateAddress(s.ctx, &ec2.AssociateAddressInput{AllocationId: s.eip().AllocationId, NetworkInterfaceId: second.NetworkInterface.NetworkInterfaceId}))

	free := must[*ec2.CreateNetworkInterfaceOutput](t)(s.c.CreateNetworkInterface(s.ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(n.pubC), Groups: []string{n.web}}))
	a.interfaces["eni-free"] = aws.ToString(free.NetworkInterface.NetworkInterfaceId)
	must[*ec2.AssociateAddressOutput](t)(s.c.AssociateAddress(s.ctx, &ec2.AssociateAddressInput{AllocationId: s.eip().AllocationId, NetworkInterfaceId: free.NetworkInterface.NetworkInterfaceId}))

	a.instances["eip-instance"], _ = s.instance(n.pubC, n.web)
	must[*ec2.AssociateAddressOutput](t)(s.c.AssociateAddress(s.ctx, &ec2.AssociateAddressInput{AllocationId: s.eip().AllocationId, InstanceId: aws.String(a.instances["eip-instance"])}))

	clbSG := s.group("classic", tcpFrom(80, "0.0.0.0/0"))
	a.instances["clb-backend"], _ = s.instance(n.privA, s.group("clb-backend", tcpFromGroup(8081, clbSG)))
	c := elbv1.NewFromConfig(cfg)
	must[*elbv1.CreateLoadBalancerOutput](t)(c.CreateLoadBalancer(s.ctx, &elbv1.CreateLoadBalancerInput{LoadBalancerName: aws.String("classic"), Scheme: aws.String("internet-facing"),
		Subnets: []string{n.pubA, n.pubB}, SecurityGroups: []string{clbSG}, Tags: []v1types.Tag{{Key: aws.String("team"), Value: aws.String("edge")}},
		Listeners: []v1types.Listener{{Protocol: aws.String("HTTP"), LoadBalancerPort: 80, InstanceProtocol: aws.String("HTTP"), InstancePort: aws.Int32(8081)}}}))
	must[*elbv1.RegisterInstancesWithLoadBalancerOutput](t)(c.RegisterInstancesWithLoadBalancer(s.ctx, &elbv1.RegisterInstancesWithLoadBalancerInput{
		LoadBalancerName: aws.String("classic"), Instances: []v1types.Instance{{InstanceId: aws.String(a.instances["clb-backend"])}}}))
	a.classic = "arn:aws:elasticloadbalancing:" + region + ":" + a.accountID + ":loadbalancer/classic"

	a.instances["app-denied"], _ = s.instance(n.privC, n.app)
	a.targetNACL = s.nacl([]string{n.privC}, denyThenAllow(8080, a.vpcCIDR))
	tgs := must[*elb.DescribeTargetGroupsOutput](t)(s.lb.DescribeTargetGroups(s.ctx, &elb.DescribeTargetGroupsInput{Names: []string{"app"}}))
	must[*elb.RegisterTargetsOutput](t)(s.lb.RegisterTargets(s.ctx, &elb.RegisterTargetsInput{TargetGroupArn: tgs.TargetGroups[0].TargetGroupArn,
		Targets: []elbtypes.TargetDescription{{Id: aws.String(a.instances["app-denied"])}}}))

	partial := s.subnet("10.0.8.0/24", "b", true)
	s.routeTable([]string{partial}, ec2.CreateRouteInput{DestinationCidrBlock: aws.String("1.2.3.0/24"), GatewayId: s.igw})
	a.instances["partial"], _ = s.instance(partial, n.web)

	a.function = s.lambdaBehind(cfg, a.alb)
}

// lambdaBehind creates a function and forwards the load balancer's port 80
// to it (a lambda target group).
func (s *seeder) lambdaBehind(cfg aws.Config, lbArn string) string {
	t := s.t
	role := must[*iam.CreateRoleOutput](t)(iam.NewFromConfig(cfg).CreateRole(s.ctx, &iam.CreateRoleInput{RoleName: aws.String("alb-fn"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}))
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	f, _ := zw.Create("index.py")
	f.Write([]byte("def handler(e, c):\n    return {'statusCode': 200}\n"))
	zw.Close()
	fn := must[*awslambda.CreateFunctionOutput](t)(awslambda.NewFromConfig(cfg).CreateFunction(s.ctx, &awslambda.CreateFunctionInput{FunctionName: aws.String("alb-fn"),
		Role: role.Role.Arn, Runtime: lambdatypes.RuntimePython312, Handler: aws.String("index.handler"), Code: &lambdatypes.FunctionCode{ZipFile: buf.Bytes()}}))
	tg := must[*elb.CreateTargetGroupOutput](t)(s.lb.CreateTargetGroup(s.ctx, &elb.CreateTargetGroupInput{Name: aws.String("alb-fn"), TargetType: elbtypes.TargetTypeEnumLambda}))
	must[*elb.RegisterTargetsOutput](t)(s.lb.RegisterTargets(s.ctx, &elb.RegisterTargetsInput{TargetGroupArn: tg.TargetGroups[0].TargetGroupArn,
		Targets: []elbtypes.TargetDescription{{Id: fn.FunctionArn}}}))
	must[*elb.CreateListenerOutput](t)(s.lb.CreateListener(s.ctx, &elb.CreateListenerInput{LoadBalancerArn: aws.String(lbArn), Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(80),
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: tg.TargetGroups[0].TargetGroupArn}}}))
	return aws.ToString(fn.FunctionArn)
}
