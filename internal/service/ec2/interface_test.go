package ec2

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
)

func TestNewNetworkInterfaceEntity(t *testing.T) {
	ni := types.NetworkInterface{NetworkInterfaceId: aws.String("eni-2"), OwnerId: aws.String("123456789012"), SubnetId: aws.String("subnet-b"),
		VpcId: aws.String("vpc-1"), InterfaceType: types.NetworkInterfaceTypeInterface, Status: types.NetworkInterfaceStatusInUse,
		MacAddress: aws.String("02:00:00:AA:BB:CC"), PrivateIpAddress: aws.String("10.0.2.5"), Groups: gid("sg-2"),
		Association: &types.NetworkInterfaceAssociation{PublicIp: aws.String("3.3.3.3")},
		Attachment:  &types.NetworkInterfaceAttachment{InstanceId: aws.String("i-1"), DeviceIndex: aws.Int32(1), Status: types.AttachmentStatusAttached},
		PrivateIpAddresses: []types.NetworkInterfacePrivateIpAddress{
			{PrivateIpAddress: aws.String("10.0.2.5"), Association: &types.NetworkInterfaceAssociation{PublicIp: aws.String("3.3.3.3")}},
			{PrivateIpAddress: aws.String("10.0.2.6"), Association: &types.NetworkInterfaceAssociation{PublicIp: aws.String("4.4.4.4")}},
		},
		Ipv6Addresses: []types.NetworkInterfaceIpv6Address{{Ipv6Address: aws.String("2600::5")}},
		TagSet:        []types.Tag{{Key: aws.String("Name"), Value: aws.String("second")}}}
	e := NewNetworkInterfaceEntity(scope, ni)
	if e.Key() != "arn:aws:ec2:us-east-1:123456789012:network-interface/eni-2" || e.Type() != "aws_eni" {
		t.Errorf("key %s type %s", e.Key(), e.Type())
	}
	checkProps(t, e, map[string]any{m.PropSubnetID: "subnet-b", m.PropSecurityGroupIDs: []string{"sg-2"}, m.PropPublicIP: "3.3.3.3",
		m.PropPublicIPs: []string{"3.3.3.3", "4.4.4.4"}, m.PropPrivateIPs: []string{"10.0.2.5", "10.0.2.6"}, m.PropIPv6Addresses: []string{"2600::5"},
		m.PropAttachedInstanceID: "i-1", m.PropDeviceIndex: int64(1), "macAddress": "02:00:00:aa:bb:cc", "ipAddress": "10.0.2.5",
		"public": true, "displayName": "second"})

	// Standalone and private: no attachment, no public address.
	e = NewNetworkInterfaceEntity(scope, types.NetworkInterface{NetworkInterfaceId: aws.String("eni-3"), SubnetId: aws.String("subnet-a"),
		PrivateIpAddresses: []types.NetworkInterfacePrivateIpAddress{{PrivateIpAddress: aws.String("10.0.1.9")}}})
	checkProps(t, e, map[string]any{m.PropAttachedInstanceID: absent, m.PropPublicIP: absent, m.PropPublicIPs: []string{}, "public": false})
}

func TestNewElasticIPEntity(t *testing.T) {
	e := NewElasticIPEntity(scope, types.Address{AllocationId: aws.String("eipalloc-1"), PublicIp: aws.String("3.3.3.3"), Domain: types.DomainTypeVpc,
		AssociationId: aws.String("eipassoc-1"), NetworkInterfaceId: aws.String("eni-2"), PrivateIpAddress: aws.String("10.0.2.5")})
	if e.Key() != "arn:aws:ec2:us-east-1:123456789012:elastic-ip/eipalloc-1" || e.Type() != "aws_eip" {
		t.Errorf("key %s type %s", e.Key(), e.Type())
	}
	checkProps(t, e, map[string]any{"ipAddress": "3.3.3.3", m.PropNetworkInterfaceID: "eni-2", m.PropInstanceID: absent, "associated": true})
	e = NewElasticIPEntity(scope, types.Address{AllocationId: aws.String("eipalloc-2"), PublicIp: aws.String("3.3.3.4")})
	checkProps(t, e, map[string]any{"associated": false, m.PropNetworkInterfaceID: absent})
}
