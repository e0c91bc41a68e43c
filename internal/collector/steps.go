package collector

import (
	"github.com/awsgraph/awsgraph/internal/analysis/instanceroles"
	"github.com/awsgraph/awsgraph/internal/analysis/lambdagroups"
	"github.com/awsgraph/awsgraph/internal/analysis/policies"
	"github.com/awsgraph/awsgraph/internal/analysis/privesc"
	"github.com/awsgraph/awsgraph/internal/analysis/reachability"
	"github.com/awsgraph/awsgraph/internal/analysis/sgrules"
	"github.com/awsgraph/awsgraph/internal/analysis/trust"
	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/service/account"
	"github.com/awsgraph/awsgraph/internal/service/apigateway"
	"github.com/awsgraph/awsgraph/internal/service/configservice"
	"github.com/awsgraph/awsgraph/internal/service/ec2"
	"github.com/awsgraph/awsgraph/internal/service/elbv2"
	"github.com/awsgraph/awsgraph/internal/service/iam"
	"github.com/awsgraph/awsgraph/internal/service/lambda"
	"github.com/awsgraph/awsgraph/internal/service/s3"
)

// AllSteps lists every collection and analysis step.
func AllSteps(s *awsclient.Session) []engine.Step {
	var steps []engine.Step
	for _, svc := range []func(*awsclient.Session) []engine.Step{
		account.Steps,
		ec2.Steps,
		elbv2.Steps,
		iam.Steps,
		s3.Steps,
		lambda.Steps,
		apigateway.Steps,
		configservice.Steps,
	} {
		steps = append(steps, svc(s)...)
	}
	// Analyses read the collected graph only.
	collection := steps
	steps = append(steps, sgrules.Steps()...)
	scps := trust.NewSCPSet(s.AccountID, s.ServiceControlPolicies)
	steps = append(steps, trust.StepsWith(trust.Options{SCPs: scps})...)
	steps = append(steps, reachability.Steps()...)
	steps = append(steps, instanceroles.Steps()...)
	steps = append(steps, lambdagroups.Steps()...)
	steps = append(steps, privesc.StepsWith(scps)...)
	steps = append(steps, policies.ForSteps(collection)...)
	return steps
}

// RunPermissions are the calls the collector makes outside any step (region
// discovery); sts:GetCallerIdentity needs no permission.
var RunPermissions = []string{"ec2:DescribeRegions"}
