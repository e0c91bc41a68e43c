package reachability

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/awsgraph/awsgraph/internal/testbed"
)

const region = "us-east-1"

// account is what the seed built: instance ids by role, load balancer ARNs.
type account struct {
	instances                    map[string]string // role → instance id
	interfaces                   map[string]string // role → network interface id
	alb, internalALB, nlb        string
	classic, function            string // the Classic ELB's ARN; the Lambda function behind the ALB
	vpcCIDR, accountID           string
	publicNACL, publicRouteTable string
	targetNACL                   string // denies 8080 from the VPC into the subnet of app-denied
}

type seeder struct {
	t   *testing.T
	ctx context.Context
	c   *ec2.Client
	lb  *elb.Client
	vpc *string
	igw *string
}

func must[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func (s *seeder) subnet(cidr, az string, mapPublic bool) string {
	out := must[*ec2.CreateSubnetOutput](s.t)(s.c.CreateSubnet(s.ctx, &ec2.CreateSubnetInput{VpcId: s.vpc, CidrBlock: aws.String(cidr), AvailabilityZone: aws.String(region + az)}))
	if mapPublic {
		must[*ec2.ModifySubnetAttributeOutput](s.t)(s.c.ModifySubnetAttribute(s.ctx, &ec2.ModifySubnetAttributeInput{SubnetId: out.Subnet.SubnetId,
			MapPublicIpOnLaunch: &types.AttributeBooleanValue{Value: aws.Bool(true)}}))
	}
	return aws.ToString(out.Subnet.SubnetId)
}

func (s *seeder) routeTable(subnets []string, routes ...ec2.CreateRouteInput) string {
	rt := must[*ec2.CreateRouteTableOutput](s.t)(s.c.CreateRouteTable(s.ctx, &ec2.CreateRouteTableInput{VpcId: s.vpc}))
	for _, r := range routes {
		r.RouteTableId = rt.RouteTable.RouteTableId
		must[*ec2.CreateRouteOutput](s.t)(s.c.CreateRoute(s.ctx, &r))
	}
	for _, sn := range subnets {
		must[*ec2.AssociateRouteTableOutput](s.t)(s.c.AssociateRouteTable(s.ctx, &ec2.AssociateRouteTableInput{RouteTableId: rt.RouteTable.RouteTableId, SubnetId: aws.String(sn)}))
	}
	return aws.ToString(rt.RouteTable.RouteTableId)
}

func (s *seeder) group(name string, perms ...types.IpPermission) string {
	g := must[*ec2.CreateSecurityGroupOutput](s.t)(s.c.CreateSecurityGroup(s.ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String(name), VpcId: s.vpc}))
	if len(perms) > 0 {
		must[*ec2.AuthorizeSecurityGroupIngressOutput](s.t)(s.c.AuthorizeSecurityGroupIngress(s.ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: g.GroupId, IpPermissions: perms}))
	}
	return aws.ToString(g.GroupId)
}

func tcpFrom(port int32, cidr string) types.IpPermission {
	return types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(port), ToPort: aws.Int32(port), IpRanges: []types.IpRange{{CidrIp: aws.String(cidr)}}}
}

func tcpFrom6(port int32, cidr string) types.IpPermission {
	return types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(port), ToPort: aws.Int32(port), Ipv6Ranges: []types.Ipv6Range{{CidrIpv6: aws.String(cidr)}}}
}

func tcpFromGroup(port int32, group string) types.IpPermission {
	return types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(port), ToPort: aws.Int32(port), UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String(group)}}}
}

func (s *seeder) instance(subnet string, groups ...string) (id, privateIP string) {
	out := must[*ec2.RunInstancesOutput](s.t)(s.c.RunInstances(s.ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), InstanceType: types.InstanceTypeT3Micro,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(subnet), SecurityGroupIds: groups}))
	return aws.ToString(out.Instances[0].InstanceId), aws.ToString(out.Instances[0].PrivateIpAddress)
}

// publicNACL denies SSH (rule 90) before allowing every TCP port (100),
// and lets everything out.
func (s *seeder) publicNACL(subnets ...string) string {
	return s.nacl(subnets, denyThenAllow(22, "0.0.0.0/0"))
}

// denyThenAllow denies one TCP port from cidr (rule 90) before allowing
// every TCP port from anywhere (100), and lets everything out.
func denyThenAllow(port int32, cidr string) []ec2.CreateNetworkAclEntryInput {
	return []ec2.CreateNetworkAclEntryInput{
		{RuleNumber: aws.Int32(90), Protocol: aws.String("6"), RuleAction: types.RuleActionDeny, Egress: aws.Bool(false), CidrBlock: aws.String(cidr), PortRange: &types.PortRange{From: aws.Int32(port), To: aws.Int32(port)}},
		{RuleNumber: aws.Int32(100), Protocol: aws.String("6"), RuleAction: types.RuleActionAllow, Egress: aws.Bool(false), CidrBlock: aws.String("0.0.0.0/0"), PortRange: &types.PortRange{From: aws.Int32(0), To: aws.Int32(65535)}},
		{RuleNumber: aws.Int32(100), Protocol: aws.String("-1"), RuleAction: types.RuleActionAllow, Egress: aws.Bool(true), CidrBlock: aws.String("0.0.0.0/0")},
	}
}

// nacl creates an ACL with the entries and associates it with the subnets.
func (s *seeder) nacl(subnets []string, entries []ec2.CreateNetworkAclEntryInput) string {
	acl := must[*ec2.CreateNetworkAclOutput](s.t)(s.c.CreateNetworkAcl(s.ctx, &ec2.CreateNetworkAclInput{VpcId: s.vpc}))
	id := acl.NetworkAcl.NetworkAclId
	for _, e := range entries {
		e.NetworkAclId = id
		must[*ec2.CreateNetworkAclEntryOutput](s.t)(s.c.CreateNetworkAclEntry(s.ctx, &e))
	}
	assoc := must[*ec2.DescribeNetworkAclsOutput](s.t)(s.c.DescribeNetworkAcls(s.ctx, &ec2.DescribeNetworkAclsInput{
		Filters: []types.Filter{{Name: aws.String("association.subnet-id"), Values: subnets}}}))
	for _, a := range assoc.NetworkAcls {
		for _, as := range a.Associations {
			for _, sn := range subnets {
				if aws.ToString(as.SubnetId) == sn {
					must[*ec2.ReplaceNetworkAclAssociationOutput](s.t)(s.c.ReplaceNetworkAclAssociation(s.ctx, &ec2.ReplaceNetworkAclAssociationInput{
						AssociationId: as.NetworkAclAssociationId, NetworkAclId: id}))
				}
			}
		}
	}
	return aws.ToString(id)
}

func (s *seeder) loadBalancer(name string, typ elbtypes.LoadBalancerTypeEnum, scheme elbtypes.LoadBalancerSchemeEnum, subnets, groups []string) string {
	in := &elb.CreateLoadBalancerInput{Name: aws.String(name), Type: typ, Scheme: scheme, Subnets: subnets}
	if len(groups) > 0 {
		in.SecurityGroups = groups
	}
	return aws.ToString(must[*elb.CreateLoadBalancerOutput](s.t)(s.lb.CreateLoadBalancer(s.ctx, in)).LoadBalancers[0].LoadBalancerArn)
}

func (s *seeder) forward(lbArn string, proto elbtypes.ProtocolEnum, port int32, tgName string, tgPort int32, tt elbtypes.TargetTypeEnum, targets ...string) {
	tg := must[*elb.CreateTargetGroupOutput](s.t)(s.lb.CreateTargetGroup(s.ctx, &elb.CreateTargetGroupInput{Name: aws.String(tgName), Protocol: tgProto(proto),
		Port: aws.Int32(tgPort), VpcId: s.vpc, TargetType: tt}))
	arn := tg.TargetGroups[0].TargetGroupArn
	if proto == elbtypes.ProtocolEnumTcp {
		// Written out (it is AWS's default for TCP IP targets): the
		// collection must read it back onto the target group.
		must[*elb.ModifyTargetGroupAttributesOutput](s.t)(s.lb.ModifyTargetGroupAttributes(s.ctx, &elb.ModifyTargetGroupAttributesInput{TargetGroupArn: arn,
			Attributes: []elbtypes.TargetGroupAttribute{{Key: aws.String("preserve_client_ip.enabled"), Value: aws.String("false")}}}))
	}
	var ts []elbtypes.TargetDescription
	for _, id := range targets {
		ts = append(ts, elbtypes.TargetDescription{Id: aws.String(id)})
	}
	must[*elb.RegisterTargetsOutput](s.t)(s.lb.RegisterTargets(s.ctx, &elb.RegisterTargetsInput{TargetGroupArn: arn, Targets: ts}))
	must[*elb.CreateListenerOutput](s.t)(s.lb.CreateListener(s.ctx, &elb.CreateListenerInput{LoadBalancerArn: aws.String(lbArn), Protocol: proto, Port: aws.Int32(port),
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: arn}}}))
}

func tgProto(p elbtypes.ProtocolEnum) elbtypes.ProtocolEnum {
	if p == elbtypes.ProtocolEnumTcp {
		return p
	}
	return elbtypes.ProtocolEnumHttp
}

// seed builds the account: a public subnet pair (Internet gateway
// route; one with a NACL denying 22 before allowing 0-65535), private
// subnets (NAT for IPv4, egress-only gateway for IPv6), a subnet whose
// route table (the main one) has no Internet route, an internet-facing ALB
// on 443 forwarding to private instances on 8080, an internal ALB, and an
// internet-facing NLB with an IP target.
func seed(t *testing.T, srv *testbed.Moto, acct string) *account {
	cfg := srv.SeedConfig(t, acct, region)
	s := &seeder{t: t, ctx: context.Background(), c: ec2.NewFromConfig(cfg), lb: elb.NewFromConfig(cfg)}
	a := &account{instances: map[string]string{}, interfaces: map[string]string{}, vpcCIDR: "10.0.0.0/16", accountID: acct}
	vpc := must[*ec2.CreateVpcOutput](t)(s.c.CreateVpc(s.ctx, &ec2.CreateVpcInput{CidrBlock: aws.String(a.vpcCIDR), AmazonProvidedIpv6CidrBlock: aws.Bool(true)}))
	s.vpc = vpc.Vpc.VpcId
	igw := must[*ec2.CreateInternetGatewayOutput](t)(s.c.CreateInternetGateway(s.ctx, &ec2.CreateInternetGatewayInput{})).InternetGateway.InternetGatewayId
	must[*ec2.AttachInternetGatewayOutput](t)(s.c.AttachInternetGateway(s.ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: igw, VpcId: s.vpc}))
	eigw := must[*ec2.CreateEgressOnlyInternetGatewayOutput](t)(s.c.CreateEgressOnlyInternetGateway(s.ctx, &ec2.CreateEgressOnlyInternetGatewayInput{VpcId: s.vpc})).
		EgressOnlyInternetGateway.EgressOnlyInternetGatewayId

	pubA, pubB := s.subnet("10.0.1.0/24", "a", true), s.subnet("10.0.4.0/24", "b", true)
	privA, privB := s.subnet("10.0.2.0/24", "a", false), s.subnet("10.0.5.0/24", "b", false)
	v6Block := aws.ToString(vpc.Vpc.Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock)
	must[*ec2.AssociateSubnetCidrBlockOutput](t)(s.c.AssociateSubnetCidrBlock(s.ctx, &ec2.AssociateSubnetCidrBlockInput{SubnetId: aws.String(privB),
		Ipv6CidrBlock: aws.String(strings.TrimSuffix(v6Block, "/56") + "/64")}))
	stranded := s.subnet("10.0.3.0/24", "a", true) // public IPs, but the main table has only the local route
	pubC, privC := s.subnet("10.0.6.0/24", "c", false), s.subnet("10.0.7.0/24", "c", false)
	a.publicRouteTable = s.routeTable([]string{pubA, pubB, pubC},
		ec2.CreateRouteInput{DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: igw},
		ec2.CreateRouteInput{DestinationIpv6CidrBlock: aws.String("::/0"), GatewayId: igw})
	eip := must[*ec2.AllocateAddressOutput](t)(s.c.AllocateAddress(s.ctx, &ec2.AllocateAddressInput{Domain: types.DomainTypeVpc}))
	nat := must[*ec2.CreateNatGatewayOutput](t)(s.c.CreateNatGateway(s.ctx, &ec2.CreateNatGatewayInput{SubnetId: aws.String(pubA), AllocationId: eip.AllocationId}))
	s.routeTable([]string{privA, privB, privC},
		ec2.CreateRouteInput{DestinationCidrBlock: aws.String("0.0.0.0/0"), NatGatewayId: nat.NatGateway.NatGatewayId},
		ec2.CreateRouteInput{DestinationIpv6CidrBlock: aws.String("::/0"), EgressOnlyInternetGatewayId: eigw})
	a.publicNACL = s.publicNACL(pubA)

	albSG := s.group("alb", tcpFrom(443, "0.0.0.0/0"), tcpFrom(80, "0.0.0.0/0"))
	internalSG := s.group("internal-alb", tcpFrom(8080, a.vpcCIDR))
	web := s.group("web", tcpFrom(22, "0.0.0.0/0"), tcpFrom(80, "0.0.0.0/0"))
	app := s.group("app", tcpFromGroup(8080, albSG))
	backOffice := s.group("back-office", tcpFromGroup(8080, internalSG))
	nlbTarget := s.group("nlb-target", tcpFrom(9000, a.vpcCIDR))
	v6only := s.group("v6-only", tcpFrom6(443, "::/0"))

	a.instances["web"], _ = s.instance(pubA, web)     // 80 only: the NACL denies 22
	a.instances["bastion"], _ = s.instance(pubB, web) // default NACL: 22 and 80
	a.instances["stranded"], _ = s.instance(stranded, web)
	a.instances["app1"], _ = s.instance(privA, app)
	a.instances["app2"], _ = s.instance(privB, app)
	a.instances["back-office"], _ = s.instance(privA, backOffice)
	v6 := must[*ec2.RunInstancesOutput](t)(s.c.RunInstances(s.ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), InstanceType: types.InstanceTypeT3Micro,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(privB), SecurityGroupIds: []string{v6only}, Ipv6AddressCount: aws.Int32(1)}))
	a.instances["v6-private"] = aws.ToString(v6.Instances[0].InstanceId) // IPv6 out through the egress-only gateway, nothing in
	var nlbIP string
	a.instances["nlb-ip"], nlbIP = s.instance(privA, nlbTarget)

	a.alb = s.loadBalancer("public-alb", elbtypes.LoadBalancerTypeEnumApplication, elbtypes.LoadBalancerSchemeEnumInternetFacing, []string{pubA, pubB}, []string{albSG})
	s.forward(a.alb, elbtypes.ProtocolEnumHttp, 443, "app", 8080, elbtypes.TargetTypeEnumInstance, a.instances["app1"], a.instances["app2"])
	a.internalALB = s.loadBalancer("internal-alb", elbtypes.LoadBalancerTypeEnumApplication, elbtypes.LoadBalancerSchemeEnumInternal, []string{privA, privB}, []string{internalSG})
	s.forward(a.internalALB, elbtypes.ProtocolEnumHttp, 8080, "back-office", 8080, elbtypes.TargetTypeEnumInstance, a.instances["back-office"])
	a.nlb = s.loadBalancer("public-nlb", elbtypes.LoadBalancerTypeEnumNetwork, elbtypes.LoadBalancerSchemeEnumInternetFacing, []string{pubA, pubB}, nil)
	s.forward(a.nlb, elbtypes.ProtocolEnumTcp, 9000, "nlb-ip", 9000, elbtypes.TargetTypeEnumIp, nlbIP)
	s.igw = igw
	s.traps(cfg, a, trapNet{pubA: pubA, pubB: pubB, pubC: pubC, privA: privA, privC: privC, web: web, app: app})
	return a
}
