package collector

import (
	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/service/account"
)

// AllSteps lists every collection and analysis step.
func AllSteps(s *awsclient.Session) []engine.Step {
	var steps []engine.Step
	steps = append(steps, account.Steps(s)...)
	return steps
}
