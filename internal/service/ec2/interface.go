package ec2

import (
	"context"
	"strings"

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

// InterfaceDescriber is every call the interface and Elastic IP steps make.
type InterfaceDescriber interface {
	DescribeNetworkInterfaces(ctx context.Context, in *ec2.DescribeNetworkInterfacesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error)
	DescribeAddresses(ctx context.Context, in *ec2.DescribeAddressesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeAddressesOutput, error)
}

// FetchNetworkInterfaces reads every network interface of the region.
func FetchNetworkInterfaces(ctx context.Context, c InterfaceDescriber) ([]types.NetworkInterface, error) {
	return awsclient.ReadAll(ctx, ec2.NewDescribeNetworkInterfacesPaginator(c, &ec2.DescribeNetworkInterfacesInput{MaxResults: aws.Int32(maxResults)}),
		func(o *ec2.DescribeNetworkInterfacesOutput) []types.NetworkInterface { return o.NetworkInterfaces })
}

// FetchAddresses reads every Elastic IP of the region (DescribeAddresses
// returns them all in one response: it has no pagination).
func FetchAddresses(ctx context.Context, c InterfaceDescriber) ([]types.Address, error) {
	out, err := c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{})
	if err != nil {
		return nil, err
	}
	return out.Addresses, nil
}

// NewNetworkInterfaceEntity converts a network interface. Its public
// addresses are those EC2 reports associated with its private addresses
// (auto-assigned or Elastic IPs).
func NewNetworkInterfaceEntity(sc Scope, ni types.NetworkInterface) graph.Entity {
	id := aws.ToString(ni.NetworkInterfaceId)
	e := schema.NetworkInterface.New(sc.ARN(aws.ToString(ni.OwnerId), "network-interface", id), id)
	var private, public, ipv6 []string
	primaryPublic := ""
	if ni.Association != nil {
		primaryPublic = aws.ToString(ni.Association.PublicIp)
	}
	for _, p := range ni.PrivateIpAddresses {
		if ip := aws.ToString(p.PrivateIpAddress); ip != "" {
			private = append(private, ip)
		}
		if p.Association != nil && aws.ToString(p.Association.PublicIp) != "" {
			public = append(public, aws.ToString(p.Association.PublicIp))
		}
	}
	if primaryPublic != "" {
		public = append([]string{primaryPublic}, public...)
	}
	for _, a := range ni.Ipv6Addresses {
		if ip := aws.ToString(a.Ipv6Address); ip != "" {
			ipv6 = append(ipv6, ip)
		}
	}
	var groups []string
	for _, g := range ni.Groups {
		if gid := aws.ToString(g.GroupId); gid != "" {
			groups = append(groups, gid)
		}
	}
	var instance, attachStatus, device any
	if a := ni.Attachment; a != nil {
		instance, attachStatus, device = graph.NilIfEmpty(aws.ToString(a.InstanceId)), graph.NilIfEmpty(string(a.Status)), a.DeviceIndex
	}
	var mac any
	if s := strings.ToLower(aws.ToString(ni.MacAddress)); macAddress.MatchString(s) {
		mac = s
	}
	e.Set(m.PropNetworkInterfaceID, id).
		Set("interfaceType", graph.NilIfEmpty(string(ni.InterfaceType))).
		Set("description", graph.NilIfEmpty(aws.ToString(ni.Description))).
		Set("status", graph.NilIfEmpty(string(ni.Status))).
		Set(m.PropSubnetID, graph.NilIfEmpty(aws.ToString(ni.SubnetId))).
		Set(m.PropVPCID, graph.NilIfEmpty(aws.ToString(ni.VpcId))).
		Set("availabilityZone", graph.NilIfEmpty(aws.ToString(ni.AvailabilityZone))).
		Set("macAddress", mac).
		Set("ipAddress", graph.NilIfEmpty(aws.ToString(ni.PrivateIpAddress))).
		Set(m.PropPrivateIP, graph.NilIfEmpty(aws.ToString(ni.PrivateIpAddress))).
		Set(m.PropPrivateIPs, uniq(private)).
		Set(m.PropPublicIP, graph.NilIfEmpty(primaryPublic)).
		Set(m.PropPublicIPs, uniq(public)).
		Set(m.PropIPv6Addresses, uniq(ipv6)).
		Set("public", len(public)+len(ipv6) > 0).
		Set(m.PropSecurityGroupIDs, uniq(groups)).
		Set(m.PropAttachedInstanceID, instance).
		Set(m.PropDeviceIndex, device).
		Set("attachmentStatus", attachStatus).
		Set("requesterManaged", aws.ToBool(ni.RequesterManaged)).
		Set("sourceDestCheck", ni.SourceDestCheck).
		Set("ownerId", graph.NilIfEmpty(aws.ToString(ni.OwnerId))).
		Set("accountId", sc.AccountID).
		Set("region", sc.Region).
		Set("webLink", sc.EC2Link("NIC:v=3;networkInterfaceId="+id))
	e.SetTags(tagMap(ni.TagSet))
	return e
}

// ElasticIPKey is an Elastic IP's key: its ARN by allocation id (EC2-Classic
// addresses, which have none, by public IP).
func ElasticIPKey(sc Scope, a types.Address) string {
	id := aws.ToString(a.AllocationId)
	if id == "" {
		id = aws.ToString(a.PublicIp)
	}
	return sc.ARN("", "elastic-ip", id)
}

// NewElasticIPEntity converts an Elastic IP.
func NewElasticIPEntity(sc Scope, a types.Address) graph.Entity {
	ip := aws.ToString(a.PublicIp)
	e := schema.ElasticIP.New(ElasticIPKey(sc, a), ip)
	e.Set("ipAddress", ip).
		Set(m.PropPublicIP, ip).
		Set(m.PropPrivateIP, graph.NilIfEmpty(aws.ToString(a.PrivateIpAddress))).
		Set("allocationId", graph.NilIfEmpty(aws.ToString(a.AllocationId))).
		Set("associationId", graph.NilIfEmpty(aws.ToString(a.AssociationId))).
		Set("domain", graph.NilIfEmpty(string(a.Domain))).
		Set(m.PropInstanceID, graph.NilIfEmpty(aws.ToString(a.InstanceId))).
		Set(m.PropNetworkInterfaceID, graph.NilIfEmpty(aws.ToString(a.NetworkInterfaceId))).
		Set("publicIpv4Pool", graph.NilIfEmpty(aws.ToString(a.PublicIpv4Pool))).
		Set("networkBorderGroup", graph.NilIfEmpty(aws.ToString(a.NetworkBorderGroup))).
		Set("associated", aws.ToString(a.AssociationId) != "" || aws.ToString(a.InstanceId) != "" || aws.ToString(a.NetworkInterfaceId) != "").
		Set("accountId", sc.AccountID).
		Set("region", sc.Region).
		Set("webLink", sc.EC2Link("ElasticIpDetails:AllocationId="+aws.ToString(a.AllocationId)))
	e.SetTags(tagMap(a.Tags))
	return e
}

// networkInterfaceStep reads every interface (one paginated call per
// region) and links it to its instance, subnet and groups.
func networkInterfaceStep(s *awsclient.Session) engine.Step {
	return engine.Declare(engine.Step{
		ID: m.StepNetworkInterfaces, Name: "Fetch EC2 network interfaces",
		DependsOn:   []string{account.StepID, m.StepSubnets, m.StepSecurityGroups, m.StepInstances},
		Permissions: []string{"ec2:DescribeNetworkInterfaces"},
		Run: func(ctx context.Context, sc *engine.StepContext) error {
			res, err := collectRegions(ctx, s, sc, sc.Step.DeclaredTypes(), func(ctx context.Context, region string, c *ec2.Client) ([]types.NetworkInterface, error) {
				return FetchNetworkInterfaces(ctx, c)
			})
			if err != nil {
				return err
			}
			subnets := keyIndex(sc.Job, m.TypeSubnet, "subnetId")
			groups := keyIndex(sc.Job, m.TypeSecurityGroup, m.PropGroupID)
			instances := keyIndex(sc.Job, m.TypeInstance, "instanceId")
			for _, r := range res {
				for _, ni := range r.Items {
					e := NewNetworkInterfaceEntity(scopeOf(s, r.Region), ni)
					if err := regional.AddOwned(sc, s, e); err != nil {
						return err
					}
					if err := linkInterface(sc, r.Region, e, subnets, groups, instances); err != nil {
						return err
					}
				}
			}
			return nil
		},
	})
}

// linkInterface draws instance USES interface, subnet HAS interface and
// group PROTECTS interface, for the ends that were collected.
func linkInterface(sc *engine.StepContext, region string, e graph.Entity, subnets, groups, instances map[string]string) error {
	if id := e.String(m.PropAttachedInstanceID); id != "" {
		if ik, ok := instances[region+"/"+id]; ok {
			if err := sc.AddRelationship(graph.DirectByKey(ik, m.TypeInstance, "USES", e.Key(), e.Type(),
				map[string]any{"deviceIndex": e[m.PropDeviceIndex]})); err != nil {
				return err
			}
		}
	}
	if sk, ok := subnets[region+"/"+e.String(m.PropSubnetID)]; ok {
		if err := sc.AddRelationship(graph.DirectByKey(sk, m.TypeSubnet, "HAS", e.Key(), e.Type(), nil)); err != nil {
			return err
		}
	}
	return regional.ProtectedBy(sc, groups, region, e, e.Strings(m.PropSecurityGroupIDs), "")
}

// elasticIPStep reads every Elastic IP (one call per region) and links it
// to the interface and instance it is associated with.
func elasticIPStep(s *awsclient.Session) engine.Step {
	return engine.Declare(engine.Step{
		ID: m.StepElasticIPs, Name: "Fetch EC2 Elastic IPs",
		DependsOn:   []string{account.StepID, m.StepInstances, m.StepNetworkInterfaces},
		Permissions: []string{"ec2:DescribeAddresses"},
		Run: func(ctx context.Context, sc *engine.StepContext) error {
			res, err := collectRegions(ctx, s, sc, sc.Step.DeclaredTypes(), func(ctx context.Context, region string, c *ec2.Client) ([]types.Address, error) {
				return FetchAddresses(ctx, c)
			})
			if err != nil {
				return err
			}
			instances := keyIndex(sc.Job, m.TypeInstance, "instanceId")
			enis := keyIndex(sc.Job, m.TypeNetworkInterface, m.PropNetworkInterfaceID)
			for _, r := range res {
				for _, a := range r.Items {
					e := NewElasticIPEntity(scopeOf(s, r.Region), a)
					if err := regional.AddOwned(sc, s, e); err != nil {
						return err
					}
					if k, ok := enis[r.Region+"/"+aws.ToString(a.NetworkInterfaceId)]; ok {
						if err := sc.AddRelationship(graph.DirectByKey(k, m.TypeNetworkInterface, "USES", e.Key(), e.Type(), nil)); err != nil {
							return err
						}
					}
					if k, ok := instances[r.Region+"/"+aws.ToString(a.InstanceId)]; ok {
						if err := sc.AddRelationship(graph.DirectByKey(k, m.TypeInstance, "USES", e.Key(), e.Type(), nil)); err != nil {
							return err
						}
					}
				}
			}
			return nil
		},
	})
}
