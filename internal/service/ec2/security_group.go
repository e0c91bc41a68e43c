package ec2

import (
	"context"
	"sort"

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

// SecurityGroupAPI is the set of calls the security-group step makes.
type SecurityGroupAPI interface {
	DescribeSecurityGroups(ctx context.Context, in *ec2.DescribeSecurityGroupsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error)
	DescribeSecurityGroupRules(ctx context.Context, in *ec2.DescribeSecurityGroupRulesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupRulesOutput, error)
	PrefixListAPI
}

// FetchSecurityGroups reads every security group of the region with one paginated call.
func FetchSecurityGroups(ctx context.Context, c SecurityGroupAPI) ([]types.SecurityGroup, error) {
	return awsclient.ReadAll(ctx, ec2.NewDescribeSecurityGroupsPaginator(c, &ec2.DescribeSecurityGroupsInput{MaxResults: aws.Int32(maxResults)}), func(o *ec2.DescribeSecurityGroupsOutput) []types.SecurityGroup { return o.SecurityGroups })
}

// FetchSecurityGroupRules reads every security-group rule of the region with
// one paginated call (it is the only source of rule ids).
func FetchSecurityGroupRules(ctx context.Context, c SecurityGroupAPI) ([]types.SecurityGroupRule, error) {
	return awsclient.ReadAll(ctx, ec2.NewDescribeSecurityGroupRulesPaginator(c, &ec2.DescribeSecurityGroupRulesInput{MaxResults: aws.Int32(maxResults)}), func(o *ec2.DescribeSecurityGroupRulesOutput) []types.SecurityGroupRule { return o.SecurityGroupRules })
}

// GroupRules are one group's rules in stored form.
type GroupRules struct {
	Ingress []m.Rule
	Egress  []m.Rule
}

// RulesFromAPI groups DescribeSecurityGroupRules output by group id.
func RulesFromAPI(rules []types.SecurityGroupRule) map[string]*GroupRules {
	out := map[string]*GroupRules{}
	for _, r := range rules {
		gid := aws.ToString(r.GroupId)
		g := out[gid]
		if g == nil {
			g = &GroupRules{}
			out[gid] = g
		}
		rule := m.Rule{
			RuleID:       aws.ToString(r.SecurityGroupRuleId),
			IPProtocol:   aws.ToString(r.IpProtocol),
			FromPort:     r.FromPort,
			ToPort:       r.ToPort,
			CidrIPv4:     aws.ToString(r.CidrIpv4),
			CidrIPv6:     aws.ToString(r.CidrIpv6),
			PrefixListID: aws.ToString(r.PrefixListId),
			Description:  aws.ToString(r.Description),
		}
		if ref := r.ReferencedGroupInfo; ref != nil && aws.ToString(ref.GroupId) != "" {
			rule.ReferencedGroup = &m.GroupRef{
				GroupID:                aws.ToString(ref.GroupId),
				UserID:                 aws.ToString(ref.UserId),
				VpcID:                  aws.ToString(ref.VpcId),
				VpcPeeringConnectionID: aws.ToString(ref.VpcPeeringConnectionId),
				PeeringStatus:          aws.ToString(ref.PeeringStatus),
			}
		}
		if aws.ToBool(r.IsEgress) {
			g.Egress = append(g.Egress, rule)
		} else {
			g.Ingress = append(g.Ingress, rule)
		}
	}
	for _, g := range out {
		sortRules(g.Ingress)
		sortRules(g.Egress)
	}
	return out
}

// RulesFromPermissions flattens a group's IpPermissions into one rule per
// peer. It is the fallback when DescribeSecurityGroupRules is refused: the
// rules are complete but carry no rule id.
func RulesFromPermissions(perms []types.IpPermission) []m.Rule {
	var out []m.Rule
	for _, p := range perms {
		base := m.Rule{IPProtocol: aws.ToString(p.IpProtocol), FromPort: p.FromPort, ToPort: p.ToPort}
		for _, r := range p.IpRanges {
			x := base
			x.CidrIPv4, x.Description = aws.ToString(r.CidrIp), aws.ToString(r.Description)
			out = append(out, x)
		}
		for _, r := range p.Ipv6Ranges {
			x := base
			x.CidrIPv6, x.Description = aws.ToString(r.CidrIpv6), aws.ToString(r.Description)
			out = append(out, x)
		}
		for _, r := range p.PrefixListIds {
			x := base
			x.PrefixListID, x.Description = aws.ToString(r.PrefixListId), aws.ToString(r.Description)
			out = append(out, x)
		}
		for _, r := range p.UserIdGroupPairs {
			x := base
			x.Description = aws.ToString(r.Description)
			x.ReferencedGroup = &m.GroupRef{
				GroupID:                aws.ToString(r.GroupId),
				UserID:                 aws.ToString(r.UserId),
				VpcID:                  aws.ToString(r.VpcId),
				VpcPeeringConnectionID: aws.ToString(r.VpcPeeringConnectionId),
				PeeringStatus:          aws.ToString(r.PeeringStatus),
			}
			out = append(out, x)
		}
	}
	sortRules(out)
	return out
}

// FillDescriptions copies rule descriptions that DescribeSecurityGroupRules
// left empty from the group's IpPermissions, where the same rule (same
// direction, protocol, ports and peer) carries them. AWS reports them in both
// places; some emulators (moto) drop the descriptions of group-reference
// rules from DescribeSecurityGroupRules only. The rule ids are untouched.
func FillDescriptions(rules *GroupRules, g types.SecurityGroup) {
	fill := func(rs []m.Rule, perms []types.IpPermission) {
		descs := map[string]string{}
		for _, r := range RulesFromPermissions(perms) {
			if r.Description != "" {
				descs[r.Signature()] = r.Description
			}
		}
		if len(descs) == 0 {
			return
		}
		for i := range rs {
			if rs[i].Description == "" {
				rs[i].Description = descs[rs[i].Signature()]
			}
		}
	}
	fill(rules.Ingress, g.IpPermissions)
	fill(rules.Egress, g.IpPermissionsEgress)
}

func sortRules(rs []m.Rule) {
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].RuleID != rs[j].RuleID {
			return rs[i].RuleID < rs[j].RuleID
		}
		return rs[i].Encode() < rs[j].Encode()
	})
}

func encodeRules(rs []m.Rule) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.Encode())
	}
	return out
}

// NewSecurityGroupEntity converts a security group and its rules.
func NewSecurityGroupEntity(sc Scope, g types.SecurityGroup, rules GroupRules) graph.Entity {
	id := aws.ToString(g.GroupId)
	key := aws.ToString(g.SecurityGroupArn)
	if key == "" {
		key = sc.ARN(aws.ToString(g.OwnerId), "security-group", id)
	}
	e := schema.SecurityGroup.New(key, aws.ToString(g.GroupName))
	e.Set(m.PropGroupID, id).
		Set("groupName", g.GroupName).
		Set(m.PropVPCID, g.VpcId).
		Set("description", g.Description).
		Set("category", []string{"network"}).
		Set("isStateful", true).
		Set(m.PropIngressRules, encodeRules(rules.Ingress)).
		Set(m.PropEgressRules, encodeRules(rules.Egress)).
		Set("ownerId", g.OwnerId).
		Set("accountId", sc.AccountID).
		Set("region", sc.Region).
		Set("webLink", sc.EC2Link("SecurityGroup:groupId="+id))
	e.SetTags(tagMap(g.Tags))
	return e
}

// referencedPrefixLists returns the prefix-list ids the rules use, sorted.
func referencedPrefixLists(all map[string]*GroupRules) []string {
	seen := map[string]bool{}
	for _, g := range all {
		for _, rs := range [][]m.Rule{g.Ingress, g.Egress} {
			for _, r := range rs {
				if r.PrefixListID != "" {
					seen[r.PrefixListID] = true
				}
			}
		}
	}
	out := make([]string, 0, len(seen))
	for id := range seen {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// sgRegion is what the security-group step read in one region.
type sgRegion struct {
	Groups      []types.SecurityGroup
	Rules       map[string]*GroupRules
	RulesErr    error // DescribeSecurityGroupRules failed: rules come from IpPermissions
	PrefixLists []PrefixList
	PrefixErr   error
}

func securityGroupStep(s *awsclient.Session) engine.Step {
	return engine.Declare(engine.Step{
		ID:        m.StepSecurityGroups,
		Name:      "Fetch EC2 security groups and the managed prefix lists their rules use",
		DependsOn: []string{account.StepID, m.StepVPCs},
		Permissions: []string{"ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules",
			"ec2:DescribeManagedPrefixLists", "ec2:GetManagedPrefixListEntries"},
		Run: func(ctx context.Context, sc *engine.StepContext) error {
			res, err := collectRegions(ctx, s, sc, sc.Step.DeclaredTypes(), fetchSecurityGroupRegion)
			if err != nil {
				return err
			}
			vpcs := keyIndex(sc.Job, m.TypeVPC, "vpcId")
			for _, r := range res {
				if err := addSecurityGroupRegion(sc, s, r.Region, r.Items, vpcs); err != nil {
					return err
				}
			}
			return nil
		},
	})
}

// fetchSecurityGroupRegion reads a region's groups, their rules (with ids,
// else from the groups' IpPermissions) and the prefix lists the rules use.
func fetchSecurityGroupRegion(ctx context.Context, region string, c *ec2.Client) (*sgRegion, error) {
	groups, err := FetchSecurityGroups(ctx, c)
	if err != nil {
		return nil, err
	}
	out := &sgRegion{Groups: groups}
	apiRules, err := FetchSecurityGroupRules(ctx, c)
	if err != nil {
		out.RulesErr = err
		out.Rules = map[string]*GroupRules{}
		for _, g := range groups {
			out.Rules[aws.ToString(g.GroupId)] = &GroupRules{
				Ingress: RulesFromPermissions(g.IpPermissions),
				Egress:  RulesFromPermissions(g.IpPermissionsEgress),
			}
		}
	} else {
		out.Rules = RulesFromAPI(apiRules)
	}
	out.PrefixLists, out.PrefixErr = FetchPrefixLists(ctx, c, referencedPrefixLists(out.Rules))
	return out, nil
}

// addSecurityGroupRegion adds one region's groups (VPC HAS group) and prefix
// lists, marking what the region could not read.
func addSecurityGroupRegion(sc *engine.StepContext, s *awsclient.Session, region string, items *sgRegion, vpcs map[string]string) error {
	scope := scopeOf(s, region)
	if items.RulesErr != nil {
		// IpPermissions hold the same rules without their ids; rule
		// edges are keyed by content, so only the ids are unknown:
		// the rule lists (which name them) keep the last run's.
		sc.Unknown(&awsclient.RegionError{Region: region, Err: items.RulesErr}, engine.Unknown{
			Type: m.TypeSecurityGroup, Region: region, Properties: []string{"ingressRules", "egressRules"},
			OnlyIdentifiers: true})
	}
	if items.PrefixErr != nil {
		sc.Partial(&awsclient.RegionError{Region: region, Err: items.PrefixErr}, m.TypePrefixList)
	}
	for _, g := range items.Groups {
		rules := items.Rules[aws.ToString(g.GroupId)]
		if rules == nil {
			rules = &GroupRules{}
		}
		FillDescriptions(rules, g)
		e := NewSecurityGroupEntity(scope, g, *rules)
		if err := regional.AddOwned(sc, s, e); err != nil {
			return err
		}
		if vpcID := aws.ToString(g.VpcId); vpcID != "" {
			vpcKey, ok := vpcs[region+"/"+vpcID]
			if !ok {
				sc.Count("securityGroupsWithoutCollectedVpc", 1)
				continue
			}
			if err := sc.AddRelationship(graph.DirectByKey(vpcKey, m.TypeVPC, "HAS", e.Key(), m.TypeSecurityGroup, nil)); err != nil {
				return err
			}
		}
	}
	for _, pl := range items.PrefixLists {
		e := NewPrefixListEntity(scope, pl)
		if err := sc.AddEntity(e); err != nil {
			return err
		}
		if e.String("ownerId") == s.AccountID {
			if err := sc.AddRelationship(account.Has(s, e)); err != nil {
				return err
			}
		}
	}
	return nil
}
