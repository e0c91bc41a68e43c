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

// SubnetDescriber is the one call the subnet step makes.
type SubnetDescriber interface {
	DescribeSubnets(ctx context.Context, in *ec2.DescribeSubnetsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error)
}

// FetchSubnets reads every subnet of the region with one paginated call.
func FetchSubnets(ctx context.Context, c SubnetDescriber) ([]types.Subnet, error) {
	return awsclient.ReadAll(ctx, ec2.NewDescribeSubnetsPaginator(c, &ec2.DescribeSubnetsInput{MaxResults: aws.Int32(maxResults)}), func(o *ec2.DescribeSubnetsOutput) []types.Subnet { return o.Subnets })
}

// NewSubnetEntity converts a subnet. `public` is whether instances launched in
// it get a public IPv4 address (MapPublicIpOnLaunch); routing is not analysed.
func NewSubnetEntity(sc Scope, sn types.Subnet) graph.Entity {
	id := aws.ToString(sn.SubnetId)
	key := aws.ToString(sn.SubnetArn)
	if key == "" {
		key = sc.ARN(aws.ToString(sn.OwnerId), "subnet", id)
	}
	var v6 []string
	for _, a := range sn.Ipv6CidrBlockAssociationSet {
		if a.Ipv6CidrBlockState != nil && isGoneCIDRState(string(a.Ipv6CidrBlockState.State)) {
			continue
		}
		if c := aws.ToString(a.Ipv6CidrBlock); c != "" {
			v6 = append(v6, c)
		}
	}
	public := aws.ToBool(sn.MapPublicIpOnLaunch)
	e := schema.Subnet.New(key, id)
	e.Set("subnetId", id).
		Set(m.PropCIDR, sn.CidrBlock).
		Set(m.PropIPv6CIDRBlocks, v6).
		Set("public", public).
		Set("internal", !public).
		Set("mapPublicIpOnLaunch", public).
		Set("assignIpv6AddressOnCreation", sn.AssignIpv6AddressOnCreation).
		Set("defaultForAz", aws.ToBool(sn.DefaultForAz)).
		Set("availabilityZone", sn.AvailabilityZone).
		Set(m.PropVPCID, sn.VpcId).
		Set("availableIpAddressCount", sn.AvailableIpAddressCount).
		Set("state", graph.NilIfEmpty(string(sn.State))).
		Set("ownerId", sn.OwnerId).
		Set("accountId", sc.AccountID).
		Set("region", sc.Region).
		Set("webLink", sc.VPCLink("SubnetDetails:subnetId="+id))
	e.SetTags(tagMap(sn.Tags))
	return e
}

func subnetStep(s *awsclient.Session) engine.Step {
	return engine.Declare(engine.Step{
		ID:          m.StepSubnets,
		Name:        "Fetch EC2 subnets",
		DependsOn:   []string{account.StepID, m.StepVPCs},
		Permissions: []string{"ec2:DescribeSubnets"},
		Run: func(ctx context.Context, sc *engine.StepContext) error {
			res, err := collectRegions(ctx, s, sc, sc.Step.DeclaredTypes(), func(ctx context.Context, region string, c *ec2.Client) ([]types.Subnet, error) {
				return FetchSubnets(ctx, c)
			})
			if err != nil {
				return err
			}
			vpcs := keyIndex(sc.Job, m.TypeVPC, "vpcId")
			for _, r := range res {
				for _, sn := range r.Items {
					e := NewSubnetEntity(scopeOf(s, r.Region), sn)
					if err := regional.AddOwned(sc, s, e); err != nil {
						return err
					}
					vpcKey, ok := vpcs[r.Region+"/"+aws.ToString(sn.VpcId)]
					if !ok {
						sc.Count("subnetsWithoutCollectedVpc", 1)
						continue
					}
					if err := sc.AddRelationship(graph.DirectByKey(vpcKey, m.TypeVPC, "CONTAINS", e.Key(), m.TypeSubnet, nil)); err != nil {
						return err
					}
				}
			}
			return nil
		},
	})
}
