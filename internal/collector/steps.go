package collector

import (
	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/service/account"
	"github.com/awsgraph/awsgraph/internal/service/iam"
	"github.com/awsgraph/awsgraph/internal/service/s3"
)

// AllSteps lists every collection and analysis step.
func AllSteps(s *awsclient.Session) []engine.Step {
	var steps []engine.Step
	steps = append(steps, account.Steps(s)...)
	steps = append(steps, s3.Steps(s)...)
	steps = append(steps, iam.Steps(s)...)
	return steps
}
