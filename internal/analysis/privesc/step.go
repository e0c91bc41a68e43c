package privesc

import (
	"context"
	"fmt"

	"github.com/awsgraph/awsgraph/internal/analysis/instanceroles"
	"github.com/awsgraph/awsgraph/internal/analysis/trust"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/policy"
	"github.com/awsgraph/awsgraph/internal/service/iam"
	"github.com/awsgraph/awsgraph/internal/service/lambda"
)

// maxWarnings caps the per-policy warnings; counts are always complete.
const maxWarnings = 100

// StepsWith returns the escalation analysis step, given the account's
// service control policies (nil: the run knows nothing of Organizations).
// It runs after the trust analysis (it reads CAN_ASSUME) and the Lambda and
// instance-role steps (code that runs as a role); it reads the graph only. SCPs that could not be read are not
// taken as "no SCP" silently: the principals are evaluated without them —
// which can only report more administrators, never fewer — and the step
// warns.
func StepsWith(scps *trust.SCPSet) []engine.Step {
	opts := Options{}
	if scps != nil && scps.Unknown == "" {
		opts.SCPs = map[string][][]*policy.Document{scps.Account: scps.Levels}
	}
	run := func(ctx context.Context, sc *engine.StepContext) error {
		if scps != nil && scps.Unknown != "" {
			sc.Warn(fmt.Sprintf("service control policies of account %s unknown (%s): administrators are evaluated without them, so isAdmin and canBecomeAdmin may name principals an SCP restricts", scps.Account, scps.Unknown))
		}
		return runWith(ctx, sc, opts)
	}
	return []engine.Step{engine.Declare(engine.Step{
		ID:   StepID,
		Name: "Analyze IAM privilege escalation (isAdmin, MANAGES, canBecomeAdmin)",
		// The credential report says which users have a console password
		// (login-profile techniques); when it could not be read the values
		// are absent and those edges are conditional, so its unknowns do not
		// skip the analysis (it reads no other report value).
		DependsOn:        []string{trust.StepID, lambda.StepID, instanceroles.StepID, iam.CredentialReportStepID},
		UnknownTolerated: iam.ReportPropertyDecls(),
		Run:              run,
	})}
}

func runWith(_ context.Context, sc *engine.StepContext, opts Options) error {
	opts.RegionalInputsIncomplete = sc.InputsIncomplete()
	res := Analyze(sc.Job, opts)
	for _, e := range res.Edges {
		if err := sc.AddRelationship(Relationship(e)); err != nil {
			return err
		}
	}
	for key, props := range res.Props {
		sc.SetProperties(key, props)
	}
	keepUnknown(sc, res)
	for k, n := range res.Counts {
		sc.Count(k, n)
	}
	sc.Count("escalationRelationships", len(res.Edges))
	for i, w := range res.Warnings {
		if i == maxWarnings {
			sc.Warn("more escalation-analysis warnings omitted (see the step's counts)")
			break
		}
		sc.Warn(w)
	}
	return nil
}

// keepUnknown: the derived values of principals whose inputs could not be
// read keep the previous run's (never recomputed from half the policies),
// and so do the escalation edges: their types are partial, so no store
// deletes an edge this run could not re-derive.
func keepUnknown(sc *engine.StepContext, res *Result) {
	if len(res.Unknown) == 0 {
		return
	}
	// Per principal, only what depends on the unread inputs is kept: every
	// derived value when its own policies were not read, the closure values
	// when only what it can reach is unknown.
	all := map[string]bool{}
	for _, k := range res.AdminUnknown {
		all[k] = true
	}
	byType := map[string]map[bool][]string{}
	for _, k := range res.Unknown {
		if e, ok := sc.Job.Entity(k); ok {
			if byType[e.Type()] == nil {
				byType[e.Type()] = map[bool][]string{}
			}
			byType[e.Type()][all[k]] = append(byType[e.Type()][all[k]], k)
		}
	}
	for _, t := range []string{UserType, RoleType} {
		if keys := byType[t][true]; len(keys) > 0 {
			sc.KeepPrevious(engine.Unknown{Type: t, Keys: keys, Properties: PrincipalProperties})
		}
		if keys := byType[t][false]; len(keys) > 0 {
			sc.KeepPrevious(engine.Unknown{Type: t, Keys: keys, Properties: ClosureProperties})
		}
	}
	sc.Count("principalsWithUnknownEscalation", len(res.Unknown))
	sc.Detail("principalsWithUnknownEscalation", res.Unknown...)
	if len(res.UnknownSources) > 0 {
		var types []string
		for _, d := range Relationships() {
			types = append(types, d.Type)
		}
		sc.Partial(fmt.Errorf("%d principals have policies or a permissions boundary whose document was not collected, or may take over code whose Lambda functions or instances were not all read: their escalation edges and derived values are kept from the previous run", len(res.UnknownSources)), types...)
	}
}

// Relationship is the graph relationship of an escalation edge.
func Relationship(e *Edge) graph.Relationship {
	props := map[string]any{
		"technique":   e.Technique,
		"category":    e.Category,
		"resource":    e.Resource,
		"conditional": e.cond,
	}
	graph.SetList(props, "actions", e.Actions)
	graph.SetList(props, "conditionKeys", e.keys)
	r := graph.DirectByKey(e.From.arn, e.From.p.Type, Class, e.To.arn, e.To.p.Type, props)
	r["_type"] = relType(e.From.p.Type, e.To.p.Type)
	r["_key"] = e.From.arn + "|manages:" + e.Technique + "|" + e.To.arn
	return r
}
