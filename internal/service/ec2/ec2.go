// Package ec2 collects the EC2 and VPC resources of an account: VPCs,
// subnets, security groups (with their rules and the managed prefix lists the
// rules reference), instances, EBS volumes, gateways, route tables, network
// ACLs, network interfaces and Elastic IPs.
//
// Every resource type is read with exactly one paginated Describe call per
// region (DescribeVpcs, DescribeSubnets, DescribeSecurityGroups,
// DescribeSecurityGroupRules, DescribeInstances, DescribeVolumes, the
// gateway, route-table and ACL calls, DescribeNetworkInterfaces;
// DescribeAddresses, which has no pages, once); the only
// per-resource calls are GetManagedPrefixListEntries, once per prefix list
// that a rule references (EC2 has no bulk call for entries). User data is
// never read.
package ec2

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/service/console"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
	"github.com/awsgraph/awsgraph/internal/service/regional"
)

// Page sizes: the largest each Describe call accepts.
const (
	maxResults           = 1000
	maxResultsVolumes    = 500
	maxResultsPrefixList = 100
)

// Steps returns the EC2 collection steps.
func Steps(s *awsclient.Session) []engine.Step {
	return []engine.Step{
		vpcStep(s),
		subnetStep(s),
		securityGroupStep(s),
		instanceStep(s),
		volumeStep(s),
		gatewayStep(s),
		routeTableStep(s),
		networkACLStep(s),
		networkInterfaceStep(s),
		elasticIPStep(s),
	}
}

// Scope is where a converted resource lives.
type Scope struct {
	Partition string
	AccountID string
	Region    string
}

func scopeOf(s *awsclient.Session, region string) Scope {
	return Scope{Partition: s.Partition, AccountID: s.AccountID, Region: region}
}

// ARN builds an EC2 resource ARN (`arn:<partition>:ec2:<region>:<owner>:<kind>/<id>`).
// owner defaults to the scope's account.
func (sc Scope) ARN(owner, kind, id string) string {
	if owner == "" {
		owner = sc.AccountID
	}
	return "arn:" + sc.Partition + ":ec2:" + sc.Region + ":" + owner + ":" + kind + "/" + id
}

// consoleBase returns the console origin for a region, by partition.
func (sc Scope) consoleBase() string { return console.RegionalURL(sc.Partition, sc.Region, "") }

// EC2Link is a link into the EC2 console, fragment like "InstanceDetails:instanceId=i-1".
func (sc Scope) EC2Link(fragment string) string {
	return sc.consoleBase() + "/ec2/home?region=" + sc.Region + "#" + fragment
}

// VPCLink is a link into the VPC console.
func (sc Scope) VPCLink(fragment string) string {
	return sc.consoleBase() + "/vpcconsole/home?region=" + sc.Region + "#" + fragment
}

func tagMap(tags []types.Tag) map[string]string {
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		out[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return out
}

// millis converts an AWS time to ms since epoch (nil stays nil).
func millis(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

// collectRegions reads every region with its EC2 client (see regional.Collect).
func collectRegions[T any](ctx context.Context, s *awsclient.Session, sc *engine.StepContext, partialTypes []string,
	fetch func(ctx context.Context, region string, c *ec2.Client) (T, error)) ([]regional.Result[T], error) {
	return regional.Collect(ctx, s, sc, partialTypes, func(ctx context.Context, region string) (T, error) {
		return fetch(ctx, region, ec2.NewFromConfig(s.In(region)))
	})
}

// keyIndex maps "<region>/<resource id>" (instance id, group id, ...) to the
// entity key of every collected entity of type typ, read from the job.
func keyIndex(job *engine.Job, typ, idProp string) map[string]string {
	idx := map[string]string{}
	for _, e := range job.EntitiesOfType(typ) {
		idx[e.String(m.PropRegion)+"/"+e.String(idProp)] = e.Key()
	}
	return idx
}
