package ec2

import (
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
)

var scope = Scope{Partition: "aws", AccountID: "123456789012", Region: "us-east-1"}

func gid(ids ...string) []types.GroupIdentifier {
	var out []types.GroupIdentifier
	for _, id := range ids {
		out = append(out, types.GroupIdentifier{GroupId: aws.String(id)})
	}
	return out
}

// absent in a want map: the property must be omitted (docs/contract.md §2:
// a property AWS gives no value for is not written as null unless its class
// requires it).
type absentT struct{}

var absent any = absentT{}

func checkProps(t *testing.T, e graph.Entity, want map[string]any) {
	t.Helper()
	if err := schema.Validate(e); err != nil {
		t.Error(err)
	}
	for k, v := range want {
		got, ok := e[k]
		if v == absent {
			if ok {
				t.Errorf("%s: %s = %#v, want it omitted", e.Key(), k, got)
			}
			continue
		}
		if !ok {
			t.Errorf("%s: property %s absent", e.Key(), k)
			continue
		}
		if !reflect.DeepEqual(got, v) {
			t.Errorf("%s: %s = %#v, want %#v", e.Key(), k, got, v)
		}
	}
}

func TestScope(t *testing.T) {
	gov := Scope{Partition: "aws-us-gov", AccountID: "123456789012", Region: "us-gov-west-1"}
	cases := []struct{ got, want string }{
		{scope.ARN("", "instance", "i-1"), "arn:aws:ec2:us-east-1:123456789012:instance/i-1"},
		{scope.ARN("999999999999", "subnet", "subnet-1"), "arn:aws:ec2:us-east-1:999999999999:subnet/subnet-1"},
		{gov.ARN("", "vpc", "vpc-1"), "arn:aws-us-gov:ec2:us-gov-west-1:123456789012:vpc/vpc-1"},
		{scope.EC2Link("InstanceDetails:instanceId=i-1"), "https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#InstanceDetails:instanceId=i-1"},
		{gov.VPCLink("VpcDetails:VpcId=vpc-1"), "https://us-gov-west-1.console.amazonaws-us-gov.com/vpcconsole/home?region=us-gov-west-1#VpcDetails:VpcId=vpc-1"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %s want %s", c.got, c.want)
		}
	}
}

func TestNewInstanceEntity(t *testing.T) {
	launch := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		name string
		in   types.Instance
		want map[string]any
	}{
		{
			name: "linux with public ip, groups on two interfaces deduplicated",
			in: types.Instance{
				InstanceId: aws.String("i-1"), InstanceType: types.InstanceTypeT3Micro, ImageId: aws.String("ami-1"),
				State: &types.InstanceState{Name: types.InstanceStateNameRunning}, LaunchTime: &launch,
				PrivateIpAddress: aws.String("10.0.0.5"), PublicIpAddress: aws.String("54.1.2.3"),
				PrivateDnsName: aws.String("ip-10-0-0-5.ec2.internal"), PublicDnsName: aws.String(""),
				SubnetId: aws.String("subnet-1"), VpcId: aws.String("vpc-1"), KeyName: aws.String("k"),
				SecurityGroups:     gid("sg-a", "sg-b"),
				IamInstanceProfile: &types.IamInstanceProfile{Arn: aws.String("arn:aws:iam::123456789012:instance-profile/p")},
				Placement:          &types.Placement{AvailabilityZone: aws.String("us-east-1a"), Tenancy: types.TenancyDefault},
				Monitoring:         &types.Monitoring{State: types.MonitoringStateDisabled},
				Architecture:       types.ArchitectureValuesArm64,
				NetworkInterfaces: []types.InstanceNetworkInterface{
					{NetworkInterfaceId: aws.String("eni-1"), Groups: gid("sg-a", "sg-b")},
					{NetworkInterfaceId: aws.String("eni-2"), Groups: gid("sg-c", "sg-a"),
						Ipv6Addresses: []types.InstanceIpv6Address{{Ipv6Address: aws.String("2600::1")}}},
				},
				Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String("web")}, {Key: aws.String("Env"), Value: aws.String("prod")}},
			},
			want: map[string]any{
				"_key": "arn:aws:ec2:us-east-1:123456789012:instance/i-1", "_class": []string{"Host"}, "name": "i-1", "displayName": "web",
				"tag.Env": "prod", "platform": "linux", "platformDetails": absent, "hostname": "ip-10-0-0-5",
				"fqdn": []string{"ip-10-0-0-5.ec2.internal"}, "ipv4Addresses": []string{"10.0.0.5", "54.1.2.3"},
				"macAddresses": nil, "deviceId": []string{"i-1"}, "category": "server", "make": "Amazon Web Services",
				"model": "t3.micro", "osType": "linux", "osName": nil, "osDetails": nil, "serial": nil, "lastSeenOn": nil, "osVersion": nil,
				"publicDnsName": absent, "publicIpAddress": "54.1.2.3", "state": "running", "active": true,
				"createdOn": launch.UnixMilli(), "securityGroupIds": []string{"sg-a", "sg-b", "sg-c"},
				"ipv6Addresses": []string{"2600::1"}, "iamInstanceProfile": "arn:aws:iam::123456789012:instance-profile/p",
				"architecture": "arm64", "monitoring": "disabled", "tenancy": "default", "availabilityZone": "us-east-1a",
				"instanceType": "t3.micro", "keyName": "k", "subnetId": "subnet-1", "vpcId": "vpc-1",
				"webLink": "https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#InstanceDetails:instanceId=i-1",
			},
		},
		{
			name: "windows, stopped, no dns name, no public ip",
			in: types.Instance{InstanceId: aws.String("i-2"), Platform: types.PlatformValuesWindows, PlatformDetails: aws.String("Windows"),
				State: &types.InstanceState{Name: types.InstanceStateNameStopped}},
			want: map[string]any{
				"platform": "windows", "platformDetails": "Windows", "hostname": nil, "publicIpAddress": absent,
				"privateIpAddress": absent, "state": "stopped", "active": false, "createdOn": absent, "keyName": absent,
				"securityGroupIds": []string{}, "iamInstanceProfile": absent, "displayName": "i-2",
				"fqdn": nil, "ipv4Addresses": nil, "ipv6Addresses": []string{}, "macAddresses": nil, "deviceId": []string{"i-2"},
				"osType": "windows", "osName": "Windows", "osDetails": "Windows", "model": nil,
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkProps(t, NewInstanceEntity(scope, c.in), c.want)
		})
	}
}

func TestNewVolumeEntityAndUses(t *testing.T) {
	created := time.Date(2023, 5, 1, 0, 0, 0, 0, time.UTC)
	v := types.Volume{
		VolumeId: aws.String("vol-1"), Size: aws.Int32(100), VolumeType: types.VolumeTypeIo2, Iops: aws.Int32(3000),
		State: types.VolumeStateInUse, Encrypted: aws.Bool(true), KmsKeyId: aws.String("arn:aws:kms:us-east-1:123456789012:key/k"),
		AvailabilityZone: aws.String("us-east-1a"), CreateTime: &created, SnapshotId: aws.String(""), MultiAttachEnabled: aws.Bool(true),
		Attachments: []types.VolumeAttachment{
			{InstanceId: aws.String("i-1"), Device: aws.String("/dev/xvda"), State: types.VolumeAttachmentStateAttached, DeleteOnTermination: aws.Bool(true)},
			{InstanceId: aws.String("i-2"), Device: aws.String("/dev/sdf"), State: types.VolumeAttachmentStateAttached, DeleteOnTermination: aws.Bool(false)},
			{InstanceId: aws.String("i-3"), Device: aws.String("/dev/sdg"), State: types.VolumeAttachmentStateDetached},
			{InstanceId: aws.String("i-missing"), Device: aws.String("/dev/sdh"), State: types.VolumeAttachmentStateAttaching},
		},
	}
	e := NewVolumeEntity(scope, v)
	checkProps(t, e, map[string]any{
		"_key": "arn:aws:ec2:us-east-1:123456789012:volume/vol-1", "_class": []string{"DataStore", "Disk"},
		"size": int64(100), "volumeType": "io2", "iops": int64(3000), "encrypted": true,
		"encryptionKeyRef": "arn:aws:kms:us-east-1:123456789012:key/k", "classification": nil, "snapshotId": absent,
		"createdOn": created.UnixMilli(), "state": "in-use", "attachedInstanceIds": []string{"i-1", "i-2", "i-3", "i-missing"},
	})
	unenc := NewVolumeEntity(scope, types.Volume{VolumeId: aws.String("vol-2")})
	checkProps(t, unenc, map[string]any{"encrypted": nil, "classification": nil, "encryptionKeyRef": absent, "attachments": []string{}})

	rels, missing := VolumeUses(e, v, map[string]string{"i-1": "ik1", "i-2": "ik2", "i-3": "ik3"})
	if missing != 1 || len(rels) != 2 {
		t.Fatalf("rels %d missing %d", len(rels), missing)
	}
	want := []struct {
		from, dev string
		dot       bool
	}{{"ik1", "/dev/xvda", true}, {"ik2", "/dev/sdf", false}}
	for i, w := range want {
		r := rels[i]
		if r.FromKey() != w.from || r.ToKey() != e.Key() || r.Type() != "aws_ec2_instance_uses_volume" || r.Class() != "USES" ||
			r["deviceName"] != w.dev || r["deleteOnTermination"] != w.dot {
			t.Errorf("rel %d: %v", i, r)
		}
	}
}

func TestNewVPCEntity(t *testing.T) {
	cases := []struct {
		name string
		in   types.Vpc
		want map[string]any
	}{
		{"dual stack with a dropped association",
			types.Vpc{VpcId: aws.String("vpc-1"), OwnerId: aws.String("123456789012"), CidrBlock: aws.String("10.0.0.0/16"), IsDefault: aws.Bool(false),
				State: types.VpcStateAvailable, InstanceTenancy: types.TenancyDefault, DhcpOptionsId: aws.String("dopt-1"),
				CidrBlockAssociationSet: []types.VpcCidrBlockAssociation{
					{CidrBlock: aws.String("10.0.0.0/16"), CidrBlockState: &types.VpcCidrBlockState{State: types.VpcCidrBlockStateCodeAssociated}},
					{CidrBlock: aws.String("10.1.0.0/16"), CidrBlockState: &types.VpcCidrBlockState{State: types.VpcCidrBlockStateCodeAssociated}},
					{CidrBlock: aws.String("10.2.0.0/16"), CidrBlockState: &types.VpcCidrBlockState{State: types.VpcCidrBlockStateCodeDisassociated}},
				},
				Ipv6CidrBlockAssociationSet: []types.VpcIpv6CidrBlockAssociation{
					{Ipv6CidrBlock: aws.String("2600:1f18::/56"), Ipv6CidrBlockState: &types.VpcCidrBlockState{State: types.VpcCidrBlockStateCodeAssociated}},
				}},
			map[string]any{"_key": "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1", "CIDR": "10.0.0.0/16", "CIDRv6": absent,
				"cidrBlocks": []string{"10.0.0.0/16", "10.1.0.0/16"}, "ipv6CidrBlocks": []string{"2600:1f18::/56"},
				"public": false, "internal": true, "defaultVpc": false, "state": "available", "dhcpOptionsId": "dopt-1",
				"instanceTenancy": "default"}},
		{"default vpc, ipv4 only",
			types.Vpc{VpcId: aws.String("vpc-2"), CidrBlock: aws.String("172.31.0.0/16"), IsDefault: aws.Bool(true)},
			map[string]any{"CIDR": "172.31.0.0/16", "CIDRv6": absent, "ipv6CidrBlocks": []string{}, "cidrBlocks": []string{"172.31.0.0/16"}, "defaultVpc": true,
				"_key": "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkProps(t, NewVPCEntity(scope, c.in), c.want) })
	}
}

func TestNewSubnetEntity(t *testing.T) {
	cases := []struct {
		name string
		in   types.Subnet
		want map[string]any
	}{
		{"public", types.Subnet{SubnetId: aws.String("subnet-1"), SubnetArn: aws.String("arn:aws:ec2:us-east-1:123456789012:subnet/subnet-1"),
			CidrBlock: aws.String("10.0.1.0/24"), MapPublicIpOnLaunch: aws.Bool(true), VpcId: aws.String("vpc-1"), DefaultForAz: aws.Bool(true),
			AvailableIpAddressCount: aws.Int32(250), AvailabilityZone: aws.String("us-east-1a"),
			Ipv6CidrBlockAssociationSet: []types.SubnetIpv6CidrBlockAssociation{{Ipv6CidrBlock: aws.String("2600:1f18::/64")}}},
			map[string]any{"_key": "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-1", "CIDR": "10.0.1.0/24", "CIDRv6": absent, "ipv6CidrBlocks": []string{"2600:1f18::/64"},
				"public": true, "internal": false, "defaultForAz": true, "availableIpAddressCount": int64(250), "vpcId": "vpc-1"}},
		{"private, arn built", types.Subnet{SubnetId: aws.String("subnet-2"), CidrBlock: aws.String("10.0.2.0/24")},
			map[string]any{"_key": "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-2", "public": false, "internal": true, "CIDRv6": absent, "ipv6CidrBlocks": []string{}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkProps(t, NewSubnetEntity(scope, c.in), c.want) })
	}
}

func TestRules(t *testing.T) {
	p22 := aws.Int32(22)
	m1 := aws.Int32(-1)
	api := []types.SecurityGroupRule{
		{SecurityGroupRuleId: aws.String("sgr-2"), GroupId: aws.String("sg-1"), IsEgress: aws.Bool(false), IpProtocol: aws.String("tcp"),
			FromPort: p22, ToPort: p22, CidrIpv4: aws.String("0.0.0.0/0"), Description: aws.String("ssh")},
		{SecurityGroupRuleId: aws.String("sgr-1"), GroupId: aws.String("sg-1"), IsEgress: aws.Bool(false), IpProtocol: aws.String("-1"),
			FromPort: m1, ToPort: m1, ReferencedGroupInfo: &types.ReferencedSecurityGroup{GroupId: aws.String("sg-1"), UserId: aws.String("123456789012")}},
		{SecurityGroupRuleId: aws.String("sgr-3"), GroupId: aws.String("sg-1"), IsEgress: aws.Bool(true), IpProtocol: aws.String("-1"),
			FromPort: m1, ToPort: m1, CidrIpv6: aws.String("::/0")},
		{SecurityGroupRuleId: aws.String("sgr-4"), GroupId: aws.String("sg-2"), IsEgress: aws.Bool(true), IpProtocol: aws.String("tcp"),
			FromPort: aws.Int32(443), ToPort: aws.Int32(443), PrefixListId: aws.String("pl-1")},
	}
	got := RulesFromAPI(api)
	want := map[string]*GroupRules{
		"sg-1": {
			Ingress: []m.Rule{
				{RuleID: "sgr-1", IPProtocol: "-1", FromPort: m1, ToPort: m1, ReferencedGroup: &m.GroupRef{GroupID: "sg-1", UserID: "123456789012"}},
				{RuleID: "sgr-2", IPProtocol: "tcp", FromPort: p22, ToPort: p22, CidrIPv4: "0.0.0.0/0", Description: "ssh"},
			},
			Egress: []m.Rule{{RuleID: "sgr-3", IPProtocol: "-1", FromPort: m1, ToPort: m1, CidrIPv6: "::/0"}},
		},
		"sg-2": {Egress: []m.Rule{{RuleID: "sgr-4", IPProtocol: "tcp", FromPort: aws.Int32(443), ToPort: aws.Int32(443), PrefixListID: "pl-1"}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("RulesFromAPI:\n got %+v\nwant %+v", got["sg-1"], want["sg-1"])
	}
	if ids := referencedPrefixLists(got); !reflect.DeepEqual(ids, []string{"pl-1"}) {
		t.Errorf("prefix lists %v", ids)
	}

	perms := []types.IpPermission{{
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(80), ToPort: aws.Int32(443),
		IpRanges:         []types.IpRange{{CidrIp: aws.String("10.0.0.0/8"), Description: aws.String("corp")}},
		Ipv6Ranges:       []types.Ipv6Range{{CidrIpv6: aws.String("::/0")}},
		PrefixListIds:    []types.PrefixListId{{PrefixListId: aws.String("pl-9")}},
		UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String("sg-x"), UserId: aws.String("999999999999"), VpcPeeringConnectionId: aws.String("pcx-1")}},
	}}
	flat := RulesFromPermissions(perms)
	if len(flat) != 4 {
		t.Fatalf("flattened %d rules, want 4: %+v", len(flat), flat)
	}
	peers := map[string]bool{}
	for _, r := range flat {
		if r.IPProtocol != "tcp" || *r.FromPort != 80 || *r.ToPort != 443 || r.RuleID != "" {
			t.Errorf("rule %+v", r)
		}
		switch {
		case r.CidrIPv4 != "":
			peers["v4"] = r.Description == "corp"
		case r.CidrIPv6 != "":
			peers["v6"] = true
		case r.PrefixListID != "":
			peers["pl"] = true
		case r.ReferencedGroup != nil:
			peers["sg"] = r.ReferencedGroup.UserID == "999999999999" && r.ReferencedGroup.VpcPeeringConnectionID == "pcx-1"
		}
	}
	if len(peers) != 4 || !peers["v4"] || !peers["sg"] {
		t.Errorf("peers %v", peers)
	}

	sg := NewSecurityGroupEntity(scope, types.SecurityGroup{GroupId: aws.String("sg-1"), GroupName: aws.String("web"), VpcId: aws.String("vpc-1"),
		Description: aws.String("d")}, *got["sg-1"])
	checkProps(t, sg, map[string]any{"_key": "arn:aws:ec2:us-east-1:123456789012:security-group/sg-1", "_class": []string{"Firewall"},
		"category": []string{"network"}, "isStateful": true, "groupName": "web", "name": "web"})
	ing := sg.Strings("ingressRules")
	if len(ing) != 2 || must(m.DecodeRule(ing[1])).Description != "ssh" {
		t.Errorf("ingressRules %v", ing)
	}
}

func TestNewPrefixListEntity(t *testing.T) {
	pl := PrefixList{ID: "pl-1", Meta: &types.ManagedPrefixList{PrefixListId: aws.String("pl-1"), PrefixListName: aws.String("office"),
		OwnerId: aws.String("123456789012"), PrefixListArn: aws.String("arn:aws:ec2:us-east-1:123456789012:prefix-list/pl-1"),
		AddressFamily: aws.String("IPv4"), MaxEntries: aws.Int32(5)},
		Entries: []types.PrefixListEntry{{Cidr: aws.String("203.0.113.0/24"), Description: aws.String("hq")}, {Cidr: aws.String("198.51.100.7/32")}}}
	checkProps(t, NewPrefixListEntity(scope, pl), map[string]any{"_key": "arn:aws:ec2:us-east-1:123456789012:prefix-list/pl-1",
		"name": "office", "entries": []string{"203.0.113.0/24", "198.51.100.7/32"}, "prefixListId": "pl-1", "ownerId": "123456789012"})
	bare := NewPrefixListEntity(scope, PrefixList{ID: "pl-2"})
	checkProps(t, bare, map[string]any{"_key": "arn:aws:ec2:us-east-1:123456789012:prefix-list/pl-2", "entries": []string{}})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
