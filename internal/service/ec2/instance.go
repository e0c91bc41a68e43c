package ec2

import (
	"context"
	"regexp"
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

// InstanceDescriber is the one call the instance step makes. User data is
// never read (no DescribeInstanceAttribute).
type InstanceDescriber interface {
	DescribeInstances(ctx context.Context, in *ec2.DescribeInstancesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error)
}

// FetchInstances reads every instance of the region with one paginated call.
func FetchInstances(ctx context.Context, c InstanceDescriber) ([]types.Instance, error) {
	p := ec2.NewDescribeInstancesPaginator(c, &ec2.DescribeInstancesInput{MaxResults: aws.Int32(maxResults)})
	return awsclient.ReadAll(ctx, p, func(o *ec2.DescribeInstancesOutput) []types.Instance {
		var out []types.Instance
		for _, r := range o.Reservations {
			out = append(out, r.Instances...)
		}
		return out
	})
}

// InstanceGroupIDs returns the ids of every security group of the instance
// and of each of its network interfaces, deduplicated, in first-seen order.
func InstanceGroupIDs(in types.Instance) []string {
	seen := map[string]bool{}
	var out []string
	add := func(gs []types.GroupIdentifier) {
		for _, g := range gs {
			id := aws.ToString(g.GroupId)
			if id != "" && !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	add(in.SecurityGroups)
	for _, ni := range in.NetworkInterfaces {
		add(ni.Groups)
	}
	return out
}

// NewInstanceEntity converts an instance. Platform follows the data-model
// enum: AWS reports "windows" or nothing (Linux/UNIX).
func NewInstanceEntity(sc Scope, in types.Instance) graph.Entity {
	id := aws.ToString(in.InstanceId)
	e := schema.Instance.New(sc.ARN("", "instance", id), id)
	platform := "linux"
	if in.Platform == types.PlatformValuesWindows {
		platform = "windows"
	}
	var state, profile, monitoring, az, tenancy any
	if in.State != nil {
		state = string(in.State.Name)
	}
	if in.IamInstanceProfile != nil {
		profile = aws.ToString(in.IamInstanceProfile.Arn)
	}
	if in.Monitoring != nil {
		monitoring = string(in.Monitoring.State)
	}
	if in.Placement != nil {
		az = in.Placement.AvailabilityZone
		tenancy = graph.NilIfEmpty(string(in.Placement.Tenancy))
	}
	ad := addressesOf(in)
	privateIPs, publicIPs, ipv6, macs := ad.private, ad.public, ad.ipv6, ad.macs
	e.Set("instanceId", id).
		Set("state", state).
		Set("active", state == string(types.InstanceStateNameRunning)).
		Set("instanceType", graph.NilIfEmpty(string(in.InstanceType))).
		Set("imageId", in.ImageId).
		Set(m.PropPrivateIP, graph.NilIfEmpty(aws.ToString(in.PrivateIpAddress))).
		Set(m.PropPublicIP, graph.NilIfEmpty(aws.ToString(in.PublicIpAddress))).
		Set(m.PropPrivateIPs, uniq(privateIPs)).
		Set("publicIpAddresses", uniq(publicIPs)).
		Set(m.PropIPv6Addresses, uniq(ipv6)).
		// Every address, as the data model's Host ipAddress: mapped
		// relationships to a Host by address (a /32 security-group rule)
		// resolve to this instance.
		Set("ipAddress", appendAll(privateIPs, publicIPs, ipv6)).
		Set("privateDnsName", graph.NilIfEmpty(aws.ToString(in.PrivateDnsName))).
		Set("publicDnsName", graph.NilIfEmpty(aws.ToString(in.PublicDnsName))).
		// Host identity (data model 0.64.2 requires these; null where EC2
		// does not say): hostname is a DNS label, the names are in fqdn.
		Set("hostname", hostLabel(aws.ToString(in.PrivateDnsName))).
		Set("fqdn", nilIfNone(uniq(dnsNames(aws.ToString(in.PrivateDnsName), aws.ToString(in.PublicDnsName))))).
		Set("ipv4Addresses", nilIfNone(uniq(appendAll(privateIPs, publicIPs)))).
		Set("macAddresses", nilIfNone(uniq(macs))).
		Set("deviceId", []string{id}).
		Set("serial", nil).
		Set("lastSeenOn", nil).
		Set("category", "server").
		Set("make", "Amazon Web Services").
		Set("model", graph.NilIfEmpty(string(in.InstanceType))).
		Set("osType", platform).
		Set("osName", graph.NilIfEmpty(aws.ToString(in.PlatformDetails))).
		Set("osDetails", graph.NilIfEmpty(aws.ToString(in.PlatformDetails))).
		Set("osVersion", nil).
		Set("platform", platform).
		Set("platformDetails", in.PlatformDetails).
		Set("keyName", in.KeyName).
		Set("createdOn", millis(in.LaunchTime)).
		Set("launchTime", millis(in.LaunchTime)).
		Set("subnetId", graph.NilIfEmpty(aws.ToString(in.SubnetId))).
		Set(m.PropVPCID, graph.NilIfEmpty(aws.ToString(in.VpcId))).
		Set("availabilityZone", az).
		Set("iamInstanceProfile", profile).
		Set("securityGroupIds", InstanceGroupIDs(in)).
		Set("networkInterfaceIds", ad.enis).
		Set("architecture", graph.NilIfEmpty(string(in.Architecture))).
		Set("monitoring", monitoring).
		Set("tenancy", tenancy).
		Set("rootDeviceType", graph.NilIfEmpty(string(in.RootDeviceType))).
		Set("accountId", sc.AccountID).
		Set("region", sc.Region).
		Set("webLink", sc.EC2Link("InstanceDetails:instanceId="+id))
	e.SetTags(tagMap(in.Tags))
	return e
}

// instanceAddresses are an instance's addresses over all its interfaces.
type instanceAddresses struct {
	private, public, ipv6, enis, macs []string
}

// addressesOf reads every interface's addresses, falling back to the
// instance's primary private and public address when no interface lists one.
func addressesOf(in types.Instance) instanceAddresses {
	var ad instanceAddresses
	for _, ni := range in.NetworkInterfaces {
		ad.enis = append(ad.enis, aws.ToString(ni.NetworkInterfaceId))
		if mac := strings.ToLower(aws.ToString(ni.MacAddress)); macAddress.MatchString(mac) {
			ad.macs = append(ad.macs, mac)
		}
		for _, p := range ni.PrivateIpAddresses {
			if ip := aws.ToString(p.PrivateIpAddress); ip != "" {
				ad.private = append(ad.private, ip)
			}
			if p.Association != nil && aws.ToString(p.Association.PublicIp) != "" {
				ad.public = append(ad.public, aws.ToString(p.Association.PublicIp))
			}
		}
		for _, a := range ni.Ipv6Addresses {
			if ip := aws.ToString(a.Ipv6Address); ip != "" {
				ad.ipv6 = append(ad.ipv6, ip)
			}
		}
	}
	if len(ad.private) == 0 && in.PrivateIpAddress != nil {
		ad.private = []string{aws.ToString(in.PrivateIpAddress)}
	}
	if len(ad.public) == 0 && in.PublicIpAddress != nil {
		ad.public = []string{aws.ToString(in.PublicIpAddress)}
	}
	return ad
}

func instanceStep(s *awsclient.Session) engine.Step {
	return engine.Declare(engine.Step{
		ID:          m.StepInstances,
		Name:        "Fetch EC2 instances",
		DependsOn:   []string{account.StepID, m.StepSubnets, m.StepSecurityGroups},
		Permissions: []string{"ec2:DescribeInstances"},
		Run: func(ctx context.Context, sc *engine.StepContext) error {
			res, err := collectRegions(ctx, s, sc, sc.Step.DeclaredTypes(), func(ctx context.Context, region string, c *ec2.Client) ([]types.Instance, error) {
				return FetchInstances(ctx, c)
			})
			if err != nil {
				return err
			}
			subnets := keyIndex(sc.Job, m.TypeSubnet, "subnetId")
			groups := keyIndex(sc.Job, m.TypeSecurityGroup, m.PropGroupID)
			for _, r := range res {
				for _, in := range r.Items {
					e := NewInstanceEntity(scopeOf(s, r.Region), in)
					if err := regional.AddOwned(sc, s, e); err != nil {
						return err
					}
					if sid := aws.ToString(in.SubnetId); sid != "" {
						if sk, ok := subnets[r.Region+"/"+sid]; ok {
							if err := sc.AddRelationship(graph.DirectByKey(sk, m.TypeSubnet, "HAS", e.Key(), m.TypeInstance, nil)); err != nil {
								return err
							}
						} else {
							sc.Count("instancesWithoutCollectedSubnet", 1)
						}
					}
					if err := regional.ProtectedBy(sc, groups, r.Region, e, InstanceGroupIDs(in), "instanceGroupsNotCollected"); err != nil {
						return err
					}
				}
			}
			return nil
		},
	})
}

// appendAll concatenates lists into a new, never-nil slice.
func appendAll(lists ...[]string) []string {
	out := []string{}
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

var (
	macAddress = regexp.MustCompile(`^([0-9a-f]{2}:){5}([0-9a-f]{2})$`)
	dnsLabel   = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9]$`)
	// fqdnName is the data model's Host fqdn item pattern without its
	// look-ahead (Go's regexp has none): the length is checked apart.
	fqdnName = regexp.MustCompile(`^([a-zA-Z0-9-]{0,62}[a-zA-Z0-9]\.)+[a-zA-Z]{2,63}$`)
)

// hostLabel is the host name as the data model wants it, a DNS label: the
// first label of the private DNS name (ip-10-0-1-4), or null.
func hostLabel(dns string) any {
	label, _, _ := strings.Cut(dns, ".")
	if !dnsLabel.MatchString(label) {
		return nil
	}
	return label
}

// dnsNames keeps the names the data model's fqdn accepts.
func dnsNames(names ...string) []string {
	var out []string
	for _, n := range names {
		if len(n) >= 4 && len(n) <= 253 && fqdnName.MatchString(n) && !strings.HasPrefix(n, "-") && !strings.Contains(n, ".-") {
			out = append(out, n)
		}
	}
	return out
}

// uniq drops repeated values, keeping the first of each (the data model's
// address lists are uniqueItems).
func uniq(s []string) []string {
	seen := make(map[string]bool, len(s))
	out := make([]string, 0, len(s))
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// nilIfNone is null for an empty list.
func nilIfNone(s []string) any {
	if len(s) == 0 {
		return nil
	}
	return s
}
