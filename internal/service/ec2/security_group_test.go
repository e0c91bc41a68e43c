package ec2

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
)

// Descriptions that DescribeSecurityGroupRules omits (moto drops them for
// group-reference rules) are taken from the same rule in IpPermissions; a
// description the rule already has, and rules that differ in ports, protocol
// or peer, are left alone.
func TestFillDescriptionsFromIpPermissions(t *testing.T) {
	p := aws.Int32
	rules := &GroupRules{
		Ingress: []m.Rule{
			{RuleID: "sgr-self", IPProtocol: "-1", FromPort: p(-1), ToPort: p(-1), ReferencedGroup: &m.GroupRef{GroupID: "sg-1", UserID: "123456789012"}},
			{RuleID: "sgr-edge", IPProtocol: "tcp", FromPort: p(22), ToPort: p(22), ReferencedGroup: &m.GroupRef{GroupID: "sg-2"}},
			{RuleID: "sgr-edge2", IPProtocol: "tcp", FromPort: p(2222), ToPort: p(2222), ReferencedGroup: &m.GroupRef{GroupID: "sg-2"}},
			{RuleID: "sgr-keep", IPProtocol: "tcp", FromPort: p(80), ToPort: p(80), CidrIPv4: "0.0.0.0/0", Description: "from api"},
		},
		Egress: []m.Rule{{RuleID: "sgr-pl", IPProtocol: "tcp", FromPort: p(443), ToPort: p(443), PrefixListID: "pl-1"}},
	}
	g := types.SecurityGroup{
		IpPermissions: []types.IpPermission{
			{IpProtocol: aws.String("-1"), UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String("sg-1"), UserId: aws.String("123456789012"), Description: aws.String("self")}}},
			{IpProtocol: aws.String("tcp"), FromPort: p(22), ToPort: p(22), UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String("sg-2"), Description: aws.String("from edge")}}},
			{IpProtocol: aws.String("tcp"), FromPort: p(80), ToPort: p(80), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0"), Description: aws.String("perm")}}},
		},
		IpPermissionsEgress: []types.IpPermission{
			{IpProtocol: aws.String("tcp"), FromPort: p(443), ToPort: p(443), PrefixListIds: []types.PrefixListId{{PrefixListId: aws.String("pl-1"), Description: aws.String("to s3")}}},
		},
	}
	FillDescriptions(rules, g)
	got := map[string]string{}
	for _, r := range append(append([]m.Rule{}, rules.Ingress...), rules.Egress...) {
		got[r.RuleID] = r.Description
	}
	want := map[string]string{"sgr-self": "self", "sgr-edge": "from edge", "sgr-edge2": "", "sgr-keep": "from api", "sgr-pl": "to s3"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("descriptions %v, want %v", got, want)
	}
}
