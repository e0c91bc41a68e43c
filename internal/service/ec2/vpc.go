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

// VPCDescriber is the one call the VPC step makes.
type VPCDescriber interface {
	DescribeVpcs(ctx context.Context, in *ec2.DescribeVpcsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error)
}

// FetchVPCs reads every VPC of the region with one paginated call.
func FetchVPCs(ctx context.Context, c VPCDescriber) ([]types.Vpc, error) {
	return awsclient.ReadAll(ctx, ec2.NewDescribeVpcsPaginator(c, &ec2.DescribeVpcsInput{MaxResults: aws.Int32(maxResults)}), func(o *ec2.DescribeVpcsOutput) []types.Vpc { return o.Vpcs })
}

// NewVPCEntity converts a VPC.
func NewVPCEntity(sc Scope, v types.Vpc) graph.Entity {
	id := aws.ToString(v.VpcId)
	e := schema.VPC.New(sc.ARN(aws.ToString(v.OwnerId), "vpc", id), id)
	var v4 []string
	for _, a := range v.CidrBlockAssociationSet {
		if a.CidrBlockState != nil && isGoneCIDRState(string(a.CidrBlockState.State)) {
			continue
		}
		v4 = append(v4, aws.ToString(a.CidrBlock))
	}
	if len(v4) == 0 && v.CidrBlock != nil {
		v4 = []string{aws.ToString(v.CidrBlock)}
	}
	var v6 []string
	for _, a := range v.Ipv6CidrBlockAssociationSet {
		if a.Ipv6CidrBlockState != nil && isGoneCIDRState(string(a.Ipv6CidrBlockState.State)) {
			continue
		}
		if c := aws.ToString(a.Ipv6CidrBlock); c != "" {
			v6 = append(v6, c)
		}
	}
	e.Set("vpcId", id).
		Set(m.PropCIDR, v.CidrBlock).
		Set(m.PropCIDRBlocks, v4).
		Set(m.PropIPv6CIDRBlocks, v6).
		Set("public", false). // a VPC is not itself public; exposure is analysed per rule and instance
		Set("internal", true).
		Set("defaultVpc", aws.ToBool(v.IsDefault)).
		Set("state", graph.NilIfEmpty(string(v.State))).
		Set("dhcpOptionsId", v.DhcpOptionsId).
		Set("instanceTenancy", graph.NilIfEmpty(string(v.InstanceTenancy))).
		Set("ownerId", v.OwnerId).
		Set("accountId", sc.AccountID).
		Set("region", sc.Region).
		Set("webLink", sc.VPCLink("VpcDetails:VpcId="+id))
	e.SetTags(tagMap(v.Tags))
	return e
}

// isGoneCIDRState reports CIDR association states that no longer apply.
func isGoneCIDRState(s string) bool {
	return s == "disassociated" || s == "disassociating" || s == "failed" || s == "failing"
}

func vpcStep(s *awsclient.Session) engine.Step {
	return engine.Declare(engine.Step{
		ID:          m.StepVPCs,
		Name:        "Fetch EC2 VPCs",
		DependsOn:   []string{account.StepID},
		Permissions: []string{"ec2:DescribeVpcs"},
		Run: func(ctx context.Context, sc *engine.StepContext) error {
			res, err := collectRegions(ctx, s, sc, sc.Step.DeclaredTypes(), func(ctx context.Context, region string, c *ec2.Client) ([]types.Vpc, error) {
				return FetchVPCs(ctx, c)
			})
			if err != nil {
				return err
			}
			for _, r := range res {
				for _, v := range r.Items {
					e := NewVPCEntity(scopeOf(s, r.Region), v)
					if err := regional.AddOwned(sc, s, e); err != nil {
						return err
					}
				}
			}
			return nil
		},
	})
}
