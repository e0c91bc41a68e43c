package ec2

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
	"github.com/awsgraph/awsgraph/internal/service/account"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
	"github.com/awsgraph/awsgraph/internal/service/regional"
)

// Page sizes of the routing calls: the largest each accepts.
const (
	maxResultsEgressOnly  = 255
	maxResultsRouteTables = 100
	maxResultsNetworkACLs = 100
)

// RoutingDescriber is every call the routing steps make: one paginated
// Describe per type and region.
type RoutingDescriber interface {
	DescribeInternetGateways(ctx context.Context, in *ec2.DescribeInternetGatewaysInput, optFns ...func(*ec2.Options)) (*ec2.DescribeInternetGatewaysOutput, error)
	DescribeEgressOnlyInternetGateways(ctx context.Context, in *ec2.DescribeEgressOnlyInternetGatewaysInput, optFns ...func(*ec2.Options)) (*ec2.DescribeEgressOnlyInternetGatewaysOutput, error)
	DescribeNatGateways(ctx context.Context, in *ec2.DescribeNatGatewaysInput, optFns ...func(*ec2.Options)) (*ec2.DescribeNatGatewaysOutput, error)
	DescribeRouteTables(ctx context.Context, in *ec2.DescribeRouteTablesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeRouteTablesOutput, error)
	DescribeNetworkAcls(ctx context.Context, in *ec2.DescribeNetworkAclsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeNetworkAclsOutput, error)
}

// FetchInternetGateways reads every Internet gateway of the region.
func FetchInternetGateways(ctx context.Context, c RoutingDescriber) ([]types.InternetGateway, error) {
	return awsclient.ReadAll(ctx, ec2.NewDescribeInternetGatewaysPaginator(c, &ec2.DescribeInternetGatewaysInput{MaxResults: aws.Int32(maxResults)}),
		func(o *ec2.DescribeInternetGatewaysOutput) []types.InternetGateway { return o.InternetGateways })
}

// FetchEgressOnlyGateways reads every egress-only Internet gateway of the region.
func FetchEgressOnlyGateways(ctx context.Context, c RoutingDescriber) ([]types.EgressOnlyInternetGateway, error) {
	return awsclient.ReadAll(ctx, ec2.NewDescribeEgressOnlyInternetGatewaysPaginator(c, &ec2.DescribeEgressOnlyInternetGatewaysInput{MaxResults: aws.Int32(maxResultsEgressOnly)}),
		func(o *ec2.DescribeEgressOnlyInternetGatewaysOutput) []types.EgressOnlyInternetGateway {
			return o.EgressOnlyInternetGateways
		})
}

// FetchNATGateways reads every NAT gateway of the region.
func FetchNATGateways(ctx context.Context, c RoutingDescriber) ([]types.NatGateway, error) {
	return awsclient.ReadAll(ctx, ec2.NewDescribeNatGatewaysPaginator(c, &ec2.DescribeNatGatewaysInput{MaxResults: aws.Int32(maxResults)}),
		func(o *ec2.DescribeNatGatewaysOutput) []types.NatGateway { return o.NatGateways })
}

// FetchRouteTables reads every route table of the region.
func FetchRouteTables(ctx context.Context, c RoutingDescriber) ([]types.RouteTable, error) {
	return awsclient.ReadAll(ctx, ec2.NewDescribeRouteTablesPaginator(c, &ec2.DescribeRouteTablesInput{MaxResults: aws.Int32(maxResultsRouteTables)}),
		func(o *ec2.DescribeRouteTablesOutput) []types.RouteTable { return o.RouteTables })
}

// FetchNetworkACLs reads every network ACL of the region.
func FetchNetworkACLs(ctx context.Context, c RoutingDescriber) ([]types.NetworkAcl, error) {
	return awsclient.ReadAll(ctx, ec2.NewDescribeNetworkAclsPaginator(c, &ec2.DescribeNetworkAclsInput{MaxResults: aws.Int32(maxResultsNetworkACLs)}),
		func(o *ec2.DescribeNetworkAclsOutput) []types.NetworkAcl { return o.NetworkAcls })
}

// attachedVPCs are the VPCs a gateway is attached to (detached and
// detaching attachments route nothing).
func attachedVPCs(as []types.InternetGatewayAttachment) []string {
	out := []string{}
	for _, a := range as {
		if a.State == types.AttachmentStatusAttached || a.State == "available" {
			out = append(out, aws.ToString(a.VpcId))
		}
	}
	return out
}

// gatewayEntity is the common part of the three gateway kinds.
func gatewayEntity(sc Scope, typ, kind, id, owner string, tags []types.Tag) graph.Entity {
	e := schema.EntityType(typ).New(sc.ARN(owner, kind, id), id)
	e.Set(m.PropGatewayID, id).
		Set("category", []string{"network"}).
		Set("function", []string{"routing"}).
		Set("public", typ == m.TypeInternetGateway).
		Set("ownerId", graph.NilIfEmpty(owner)).
		Set("accountId", sc.AccountID).
		Set("region", sc.Region)
	e.SetTags(tagMap(tags))
	return e
}

// NewInternetGatewayEntity converts an Internet gateway.
func NewInternetGatewayEntity(sc Scope, g types.InternetGateway) graph.Entity {
	id := aws.ToString(g.InternetGatewayId)
	e := gatewayEntity(sc, m.TypeInternetGateway, "internet-gateway", id, aws.ToString(g.OwnerId), g.Tags)
	e.Set(m.PropAttachedVPCIDs, attachedVPCs(g.Attachments)).
		Set("webLink", sc.VPCLink("InternetGateway:internetGatewayId="+id))
	return e
}

// NewEgressOnlyGatewayEntity converts an egress-only Internet gateway
// (IPv6 out, nothing in).
func NewEgressOnlyGatewayEntity(sc Scope, g types.EgressOnlyInternetGateway) graph.Entity {
	id := aws.ToString(g.EgressOnlyInternetGatewayId)
	e := gatewayEntity(sc, m.TypeEgressOnlyInternetGateway, "egress-only-internet-gateway", id, "", g.Tags)
	e.Set(m.PropAttachedVPCIDs, attachedVPCs(g.Attachments)).
		Set("webLink", sc.VPCLink("EgressOnlyInternetGateways:"))
	return e
}

// NewNATGatewayEntity converts a NAT gateway: outbound only, it lets
// nothing in from the Internet.
func NewNATGatewayEntity(sc Scope, g types.NatGateway) graph.Entity {
	id := aws.ToString(g.NatGatewayId)
	e := gatewayEntity(sc, m.TypeNATGateway, "natgateway", id, "", g.Tags)
	var public []string
	for _, a := range g.NatGatewayAddresses {
		if ip := aws.ToString(a.PublicIp); ip != "" {
			public = append(public, ip)
		}
	}
	e.Set(m.PropVPCID, g.VpcId).
		Set("subnetId", g.SubnetId).
		Set("state", graph.NilIfEmpty(string(g.State))).
		Set("connectivityType", graph.NilIfEmpty(string(g.ConnectivityType))).
		Set("publicIpAddresses", uniq(public)).
		Set("createdOn", millis(g.CreateTime)).
		Set("webLink", sc.VPCLink("NatGatewayDetails:natGatewayId="+id))
	return e
}

// RouteTarget names what a route sends to and which kind of target it is
// (see ec2model.Route).
func RouteTarget(r types.Route) (id, kind string) {
	for _, c := range []struct {
		v    *string
		kind string
	}{
		{r.EgressOnlyInternetGatewayId, "egress-only-gateway"}, {r.NatGatewayId, "nat-gateway"},
		{r.TransitGatewayId, "transit-gateway"}, {r.VpcPeeringConnectionId, "vpc-peering"},
		{r.NetworkInterfaceId, "network-interface"}, {r.InstanceId, "instance"},
		{r.CarrierGatewayId, "carrier-gateway"}, {r.LocalGatewayId, "local-gateway"},
		{r.CoreNetworkArn, "core-network"}, {r.GatewayId, "gateway"},
	} {
		if v := aws.ToString(c.v); v != "" {
			return v, c.kind
		}
	}
	return "", "unknown"
}

// NewRouteTableEntity converts a route table; its routes are JSON strings
// (ec2model.Route), its explicit subnet associations a list.
func NewRouteTableEntity(sc Scope, rt types.RouteTable) graph.Entity {
	id := aws.ToString(rt.RouteTableId)
	e := schema.RouteTable.New(sc.ARN(aws.ToString(rt.OwnerId), "route-table", id), id)
	routes := []string{}
	for _, r := range rt.Routes {
		target, kind := RouteTarget(r)
		routes = append(routes, m.EncodeJSON(m.Route{DestinationCIDR: aws.ToString(r.DestinationCidrBlock),
			DestinationIPv6CIDR: aws.ToString(r.DestinationIpv6CidrBlock), DestinationPrefixList: aws.ToString(r.DestinationPrefixListId),
			Target: target, TargetKind: kind, State: string(r.State)}))
	}
	main := false
	subnets := []string{}
	for _, a := range rt.Associations {
		if a.AssociationState != nil && a.AssociationState.State != types.RouteTableAssociationStateCodeAssociated {
			continue
		}
		main = main || aws.ToBool(a.Main)
		if s := aws.ToString(a.SubnetId); s != "" {
			subnets = append(subnets, s)
		}
	}
	e.Set(m.PropRouteTableID, id).
		Set(m.PropVPCID, rt.VpcId).
		Set(m.PropMain, main).
		Set(m.PropRoutes, routes).
		Set(m.PropAssociatedSubnets, subnets).
		Set("ownerId", rt.OwnerId).
		Set("accountId", sc.AccountID).
		Set("region", sc.Region).
		Set("webLink", sc.VPCLink("RouteTableDetails:RouteTableId="+id))
	e.SetTags(tagMap(rt.Tags))
	return e
}

// ACLEntryOf converts one network-ACL entry to its stored form.
func ACLEntryOf(en types.NetworkAclEntry) m.ACLEntry {
	out := m.ACLEntry{RuleNumber: aws.ToInt32(en.RuleNumber), Egress: aws.ToBool(en.Egress), Protocol: aws.ToString(en.Protocol),
		Action: string(en.RuleAction), CidrIPv4: aws.ToString(en.CidrBlock), CidrIPv6: aws.ToString(en.Ipv6CidrBlock)}
	if out.Protocol == "" {
		out.Protocol = "-1"
	}
	if en.PortRange != nil && (out.Protocol == "6" || out.Protocol == "17") {
		out.FromPort, out.ToPort = en.PortRange.From, en.PortRange.To
	}
	return out
}

// NewNetworkACLEntity converts a network ACL; entries are JSON strings
// (ec2model.ACLEntry) in AWS's order.
func NewNetworkACLEntity(sc Scope, acl types.NetworkAcl) graph.Entity {
	id := aws.ToString(acl.NetworkAclId)
	e := schema.NetworkACL.New(sc.ARN(aws.ToString(acl.OwnerId), "network-acl", id), id)
	entries := []string{}
	for _, en := range acl.Entries {
		entries = append(entries, m.EncodeJSON(ACLEntryOf(en)))
	}
	subnets := []string{}
	for _, a := range acl.Associations {
		if s := aws.ToString(a.SubnetId); s != "" {
			subnets = append(subnets, s)
		}
	}
	e.Set(m.PropNetworkACLID, id).
		Set(m.PropVPCID, acl.VpcId).
		Set("isDefault", aws.ToBool(acl.IsDefault)).
		Set("category", []string{"network"}).
		Set("isStateful", false).
		Set(m.PropACLEntries, entries).
		Set("entryCount", len(entries)).
		Set(m.PropAssociatedSubnets, subnets).
		Set("ownerId", acl.OwnerId).
		Set("accountId", sc.AccountID).
		Set("region", sc.Region).
		Set("webLink", sc.VPCLink("NetworkAclDetails:networkAclId="+id))
	e.SetTags(tagMap(acl.Tags))
	return e
}

// vpcHas adds "VPC HAS e" for each of the VPCs that were collected.
func vpcHas(sc *engine.StepContext, vpcs map[string]string, region string, e graph.Entity, vpcIDs ...string) error {
	for _, id := range vpcIDs {
		vk, ok := vpcs[region+"/"+id]
		if !ok {
			sc.Count("withoutCollectedVpc", 1)
			continue
		}
		if err := sc.AddRelationship(graph.DirectByKey(vk, m.TypeVPC, "HAS", e.Key(), e.Type(), nil)); err != nil {
			return err
		}
	}
	return nil
}

// gatewayKind is one of the three gateway types the gateways step reads.
type gatewayKind struct {
	typ   string
	fetch func(ctx context.Context, region string, c *ec2.Client) ([]graph.Entity, [][]string, error)
}

func gatewayKinds(s *awsclient.Session) []gatewayKind {
	return []gatewayKind{
		{m.TypeInternetGateway, func(ctx context.Context, region string, c *ec2.Client) ([]graph.Entity, [][]string, error) {
			gs, err := FetchInternetGateways(ctx, c)
			var es []graph.Entity
			var vpcs [][]string
			for _, g := range gs {
				es = append(es, NewInternetGatewayEntity(scopeOf(s, region), g))
				vpcs = append(vpcs, attachedVPCs(g.Attachments))
			}
			return es, vpcs, err
		}},
		{m.TypeEgressOnlyInternetGateway, func(ctx context.Context, region string, c *ec2.Client) ([]graph.Entity, [][]string, error) {
			gs, err := FetchEgressOnlyGateways(ctx, c)
			var es []graph.Entity
			var vpcs [][]string
			for _, g := range gs {
				es = append(es, NewEgressOnlyGatewayEntity(scopeOf(s, region), g))
				vpcs = append(vpcs, attachedVPCs(g.Attachments))
			}
			return es, vpcs, err
		}},
		{m.TypeNATGateway, func(ctx context.Context, region string, c *ec2.Client) ([]graph.Entity, [][]string, error) {
			gs, err := FetchNATGateways(ctx, c)
			var es []graph.Entity
			var vpcs [][]string
			for _, g := range gs {
				es = append(es, NewNATGatewayEntity(scopeOf(s, region), g))
				vpcs = append(vpcs, []string{aws.ToString(g.VpcId)})
			}
			return es, vpcs, err
		}},
	}
}

type gatewayPage struct {
	entities []graph.Entity
	vpcs     [][]string
}

// gatewayStep reads the Internet, egress-only and NAT gateways: one
// paginated Describe per kind and region; a refused kind makes only its own
// types partial.
func gatewayStep(s *awsclient.Session) engine.Step {
	return engine.Declare(engine.Step{
		ID: m.StepGateways, Name: "Fetch EC2 Internet, egress-only and NAT gateways",
		DependsOn:   []string{account.StepID, m.StepVPCs},
		Permissions: []string{"ec2:DescribeInternetGateways", "ec2:DescribeEgressOnlyInternetGateways", "ec2:DescribeNatGateways"},
		Run: func(ctx context.Context, sc *engine.StepContext) error {
			vpcs := keyIndex(sc.Job, m.TypeVPC, "vpcId")
			for _, k := range gatewayKinds(s) {
				partial := []string{k.typ, graph.RelationshipType(account.Type, "HAS", k.typ), graph.RelationshipType(m.TypeVPC, "HAS", k.typ)}
				res, err := collectRegions(ctx, s, sc, partial, func(ctx context.Context, region string, c *ec2.Client) (gatewayPage, error) {
					es, vs, err := k.fetch(ctx, region, c)
					return gatewayPage{es, vs}, err
				})
				if err != nil {
					// Every region refused this kind: partial in each of
					// them (the other kinds were read and stay complete).
					regionErrs := []error{err}
					if j, ok := err.(interface{ Unwrap() []error }); ok {
						regionErrs = j.Unwrap()
					}
					for _, e := range regionErrs {
						sc.Partial(e, partial...)
					}
					continue
				}
				for _, r := range res {
					for i, e := range r.Items.entities {
						if err := regional.AddOwned(sc, s, e); err != nil {
							return err
						}
						if err := vpcHas(sc, vpcs, r.Region, e, r.Items.vpcs[i]...); err != nil {
							return err
						}
					}
				}
			}
			return nil
		},
	})
}

func routeTableStep(s *awsclient.Session) engine.Step {
	return engine.Declare(engine.Step{
		ID: m.StepRouteTables, Name: "Fetch EC2 route tables",
		DependsOn:   []string{account.StepID, m.StepVPCs, m.StepSubnets},
		Permissions: []string{"ec2:DescribeRouteTables"},
		Run: func(ctx context.Context, sc *engine.StepContext) error {
			res, err := collectRegions(ctx, s, sc, sc.Step.DeclaredTypes(), func(ctx context.Context, region string, c *ec2.Client) ([]types.RouteTable, error) {
				return FetchRouteTables(ctx, c)
			})
			if err != nil {
				return err
			}
			vpcs := keyIndex(sc.Job, m.TypeVPC, "vpcId")
			subnets := keyIndex(sc.Job, m.TypeSubnet, "subnetId")
			for _, r := range res {
				for _, rt := range r.Items {
					e := NewRouteTableEntity(scopeOf(s, r.Region), rt)
					if err := regional.AddOwned(sc, s, e); err != nil {
						return err
					}
					if err := vpcHas(sc, vpcs, r.Region, e, aws.ToString(rt.VpcId)); err != nil {
						return err
					}
					for _, sid := range e.Strings(m.PropAssociatedSubnets) {
						if sk, ok := subnets[r.Region+"/"+sid]; ok {
							if err := sc.AddRelationship(graph.DirectByKey(sk, m.TypeSubnet, "USES", e.Key(), m.TypeRouteTable, nil)); err != nil {
								return err
							}
						}
					}
				}
			}
			return nil
		},
	})
}

func networkACLStep(s *awsclient.Session) engine.Step {
	return engine.Declare(engine.Step{
		ID: m.StepNetworkACLs, Name: "Fetch EC2 network ACLs",
		DependsOn:   []string{account.StepID, m.StepVPCs, m.StepSubnets},
		Permissions: []string{"ec2:DescribeNetworkAcls"},
		Run: func(ctx context.Context, sc *engine.StepContext) error {
			res, err := collectRegions(ctx, s, sc, sc.Step.DeclaredTypes(), func(ctx context.Context, region string, c *ec2.Client) ([]types.NetworkAcl, error) {
				return FetchNetworkACLs(ctx, c)
			})
			if err != nil {
				return err
			}
			vpcs := keyIndex(sc.Job, m.TypeVPC, "vpcId")
			subnets := keyIndex(sc.Job, m.TypeSubnet, "subnetId")
			for _, r := range res {
				for _, acl := range r.Items {
					e := NewNetworkACLEntity(scopeOf(s, r.Region), acl)
					if err := regional.AddOwned(sc, s, e); err != nil {
						return err
					}
					if err := vpcHas(sc, vpcs, r.Region, e, aws.ToString(acl.VpcId)); err != nil {
						return err
					}
					for _, sid := range e.Strings(m.PropAssociatedSubnets) {
						if sk, ok := subnets[r.Region+"/"+sid]; ok {
							if err := sc.AddRelationship(graph.DirectByKey(e.Key(), m.TypeNetworkACL, "PROTECTS", sk, m.TypeSubnet, nil)); err != nil {
								return err
							}
						}
					}
				}
			}
			return nil
		},
	})
}
