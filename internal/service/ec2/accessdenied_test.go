package ec2_test

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	sdkec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

// denyOperation answers one operation in one region with an EC2 API error,
// before the request leaves the client: the wire-level fake for a per-region
// permission failure, since moto's IAM enforcement is process-global and
// cannot be switched on for one test account.
func denyOperation(operation, region, code string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("denyOperation",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if awsmiddleware.GetOperationName(ctx) == operation && awsmiddleware.GetRegion(ctx) == region {
					return middleware.InitializeOutput{}, middleware.Metadata{}, &smithy.GenericAPIError{
						Code: code, Message: "You are not authorized to perform this operation.", Fault: smithy.FaultClient}
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
	}
}

func connectWith(t *testing.T, srv *testbed.Moto, acct string, extra ...func(*middleware.Stack) error) *awsclient.Session {
	t.Helper()
	opts := srv.Options(acct)
	opts.ExtraAPIOptions = append(opts.ExtraAPIOptions, extra...)
	sess, err := awsclient.Connect(context.Background(), opts, "aws", "")
	if err != nil {
		t.Fatal(err)
	}
	sess.Regions = []string{regionA, regionB}
	return sess
}

func TestRegionAccessDenied_WireFakeBecauseMotoAuthIsProcessGlobal(t *testing.T) {
	t.Parallel()
	srv := testbed.Server(t)
	for _, code := range []string{"UnauthorizedOperation", "AccessDenied", "AuthFailure", "OptInRequired"} {
		t.Run(code, func(t *testing.T) {
			t.Parallel()
			acct := testbed.NewAccountID(t)
			s := seed(t, srv, acct)
			sess := connectWith(t, srv, acct, denyOperation("DescribeVolumes", regionB, code))
			res := run(t, sess)
			job := res.Job

			wantPartial := []string{m.TypeVolume, "aws_account_has_ec2_volume", m.RelInstanceUsesVolume}
			slices.Sort(wantPartial)
			if !slices.Equal(res.PartialTypes, wantPartial) {
				t.Errorf("partial types %v, want %v", res.PartialTypes, wantPartial)
			}
			for _, st := range res.Steps {
				want := engine.StatusSuccess
				if st.ID == m.StepVolumes {
					want = engine.StatusPartial
				}
				if st.Status != want {
					t.Errorf("step %s: %s, want %s (%s)", st.ID, st.Status, want, st.Error)
				}
			}
			if len(res.Warnings) != 1 {
				t.Fatalf("warnings %+v", res.Warnings)
			}
			w := res.Warnings[0]
			if w.Permission != "ec2:DescribeVolumes" || w.Region != regionB || w.Step != m.StepVolumes {
				t.Errorf("warning %+v", w)
			}
			// The other region's volumes are intact, with their USES edges.
			a := sdkec2.NewFromConfig(srv.SeedConfig(t, acct, regionA))
			want := must(a.DescribeVolumes(context.Background(), &sdkec2.DescribeVolumesInput{}))
			got := byProp(job.EntitiesOfType(m.TypeVolume), "volumeId")
			if len(got) != len(want.Volumes) {
				t.Errorf("%d volumes, %s has %d", len(got), regionA, len(want.Volumes))
			}
			for _, v := range want.Volumes {
				if _, ok := got[aws.ToString(v.VolumeId)]; !ok {
					t.Errorf("volume %s of %s missing", aws.ToString(v.VolumeId), regionA)
				}
			}
			if _, ok := got[s.plainVol]; ok {
				t.Errorf("volume of the denied region present")
			}
			attached := 0
			for _, v := range want.Volumes {
				attached += len(v.Attachments)
			}
			if n := len(job.RelationshipsOfType(m.RelInstanceUsesVolume)); n != attached {
				t.Errorf("%d USES edges, want %d", n, attached)
			}
			// Everything else from both regions is there.
			if len(job.EntitiesOfType(m.TypeInstance)) != 4 {
				t.Errorf("instances: %d", len(job.EntitiesOfType(m.TypeInstance)))
			}
		})
	}
}

// When DescribeSecurityGroupRules is refused, rules still come (without ids)
// from DescribeSecurityGroups' IpPermissions: the groups are complete (rule
// edges are keyed by content), and a warning names the permission.
func TestSecurityGroupRulesDenied_WireFakeFallsBackToIpPermissions(t *testing.T) {
	t.Parallel()
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	seed(t, srv, acct)
	sess := connectWith(t, srv, acct, denyOperation("DescribeSecurityGroupRules", regionA, "UnauthorizedOperation"))
	res := run(t, sess)
	if slices.Contains(res.PartialTypes, m.TypeSecurityGroup) {
		t.Errorf("security groups partial although IpPermissions hold every rule: %v", res.PartialTypes)
	}
	found := false
	for _, w := range res.Warnings {
		if w.Permission == "ec2:DescribeSecurityGroupRules" && w.Region == regionA {
			found = true
		}
	}
	if !found {
		t.Errorf("no warning naming ec2:DescribeSecurityGroupRules: %+v", res.Warnings)
	}
	for _, g := range res.Job.EntitiesOfType(m.TypeSecurityGroup) {
		eg := g.Strings("egressRules")
		if len(eg) != 1 {
			t.Errorf("%s egress %v", g.Key(), eg)
			continue
		}
		r := must(m.DecodeRule(eg[0]))
		if r.CidrIPv4 != "0.0.0.0/0" || r.IPProtocol != "-1" {
			t.Errorf("%s egress %+v", g.Key(), r)
		}
		if (g["region"] == regionA) != (r.RuleID == "") {
			t.Errorf("%s rule id %q", g.Key(), r.RuleID)
		}
	}
}
