package apigateway

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
)

const (
	// LambdaStepID is the id of the Lambda function step (lambda.StepID),
	// declared here so this package does not depend on the Lambda package;
	// a test checks the two stay equal.
	LambdaStepID = schema.StepLambdaFunctions
	// FunctionType is the Lambda function entity type (lambda.FunctionType).
	FunctionType = schema.TypeFunction
	// TriggersStepID relates REST APIs to the Lambda functions they invoke.
	TriggersStepID = schema.StepAPITriggers
)

// TriggersType is `aws_apigateway_rest_api_triggers_lambda_function`.
var TriggersType = schema.RestAPITriggersFunction.Type

// lambdaURI matches an API Gateway Lambda integration URI:
// arn:<partition>:apigateway:<region>:lambda:path/<api version>/functions/<function ARN>/invocations
var lambdaURI = regexp.MustCompile(`^arn:[a-z0-9-]+:apigateway:[a-z0-9-]+:lambda:path/+[0-9-]+/functions/(.+)/invocations/?$`)

// stageVariable matches a ${stageVariables.<name>} reference.
var stageVariable = regexp.MustCompile(`\$\{stageVariables\.([A-Za-z0-9_]+)\}`)

// LambdaFunctionExpr extracts the function part of a Lambda integration URI
// (an ARN, possibly qualified, possibly holding stage variables). ok is false
// for any other integration (HTTP, MOCK, another AWS service).
func LambdaFunctionExpr(uri string) (expr string, ok bool) {
	m := lambdaURI.FindStringSubmatch(strings.TrimSpace(uri))
	if m == nil {
		return "", false
	}
	return m[1], true
}

// HasStageVariable reports whether s references a stage variable.
func HasStageVariable(s string) bool { return stageVariable.MatchString(s) }

// Errors of ResolveFunction.
var (
	ErrUnresolvedStageVariable = errors.New("stage variable not set")
	ErrNotFunctionARN          = errors.New("not a Lambda function ARN")
)

// ResolveFunction substitutes the stage variables of a function expression
// with vars and parses the result as a function ARN, returning the
// unqualified ARN and the qualifier (alias or version, "" when none). A
// variable missing from vars is ErrUnresolvedStageVariable (never guessed).
func ResolveFunction(expr string, vars map[string]string) (arn, qualifier string, err error) {
	var missing []string
	resolved := stageVariable.ReplaceAllStringFunc(expr, func(ref string) string {
		name := stageVariable.FindStringSubmatch(ref)[1]
		v, ok := vars[name]
		if !ok || v == "" {
			missing = append(missing, name)
			return ref
		}
		return v
	})
	if len(missing) > 0 {
		return "", "", fmt.Errorf("%w: %s", ErrUnresolvedStageVariable, strings.Join(missing, ", "))
	}
	arn, qualifier, ok := functionARN(resolved)
	if !ok {
		return "", "", fmt.Errorf("%w: %q", ErrNotFunctionARN, resolved)
	}
	return arn, qualifier, nil
}

// functionARN splits arn:<p>:lambda:<region>:<account>:function:<name>[:<qualifier>].
func functionARN(s string) (arn, qualifier string, ok bool) {
	parts := strings.Split(s, ":")
	if len(parts) < 7 || len(parts) > 8 || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "function" {
		return "", "", false
	}
	for _, p := range parts {
		if p == "" || strings.ContainsAny(p, "/${} ") {
			return "", "", false
		}
	}
	if len(parts) == 8 {
		qualifier = parts[7]
	}
	return strings.Join(parts[:7], ":"), qualifier, true
}

// Trigger is one API → function edge: the methods of one API that invoke one
// function with one qualifier, in one stage (Stage is "" when the URI holds
// no stage variable, so the edge holds in every stage).
type Trigger struct {
	FunctionARN      string
	Qualifier        string
	Stage            string
	Methods          []string // "GET /pets"
	HTTPMethods      []string
	ResourcePaths    []string
	IntegrationTypes []string
}

// Unresolved is a Lambda integration whose function could not be named for a
// stage (Stage "" when the API has no stage, or its stages were not read).
type Unresolved struct {
	Method string
	Stage  string
	Reason string
	// StageVariable is true when the URI names its function through stage
	// variables (false: a Lambda URI whose function part is malformed).
	StageVariable bool
}

// Triggers works out an API's TRIGGERS edges from its method integrations.
// Non-Lambda integrations yield nothing. A URI with stage variables yields one
// edge per stage where it resolves; the others are returned as unresolved.
func Triggers(api APIIntegrations) (triggers []Trigger, unresolved []Unresolved) {
	type id struct{ fn, qualifier, stage string }
	byID := map[id]*Trigger{}
	add := func(k id, m MethodIntegration) {
		t := byID[k]
		if t == nil {
			t = &Trigger{FunctionARN: k.fn, Qualifier: k.qualifier, Stage: k.stage}
			byID[k] = t
		}
		t.Methods = appendUnique(t.Methods, m.HTTPMethod+" "+m.ResourcePath)
		t.HTTPMethods = appendUnique(t.HTTPMethods, m.HTTPMethod)
		t.ResourcePaths = appendUnique(t.ResourcePaths, m.ResourcePath)
		t.IntegrationTypes = appendUnique(t.IntegrationTypes, m.Type)
	}
	stageNames := make([]string, 0, len(api.Stages))
	for s := range api.Stages {
		stageNames = append(stageNames, s)
	}
	sort.Strings(stageNames)
	for _, m := range api.Methods {
		expr, ok := LambdaFunctionExpr(m.URI)
		if !ok {
			continue
		}
		method := m.HTTPMethod + " " + m.ResourcePath
		if !HasStageVariable(expr) {
			fn, q, err := ResolveFunction(expr, nil)
			if err != nil {
				unresolved = append(unresolved, Unresolved{Method: method, Reason: err.Error()})
				continue
			}
			add(id{fn, q, ""}, m)
			continue
		}
		switch {
		case !api.StagesRead:
			unresolved = append(unresolved, Unresolved{Method: method, Reason: "stages not read", StageVariable: true})
			continue
		case len(stageNames) == 0:
			unresolved = append(unresolved, Unresolved{Method: method, Reason: "the API has no stage to resolve " + expr, StageVariable: true})
			continue
		}
		for _, st := range stageNames {
			fn, q, err := ResolveFunction(expr, api.Stages[st])
			if err != nil {
				unresolved = append(unresolved, Unresolved{Method: method, Stage: st, Reason: err.Error(), StageVariable: true})
				continue
			}
			add(id{fn, q, st}, m)
		}
	}
	for _, t := range byID {
		sort.Strings(t.Methods)
		sort.Strings(t.HTTPMethods)
		sort.Strings(t.ResourcePaths)
		sort.Strings(t.IntegrationTypes)
		triggers = append(triggers, *t)
	}
	sort.Slice(triggers, func(i, j int) bool {
		a, b := triggers[i], triggers[j]
		if a.FunctionARN != b.FunctionARN {
			return a.FunctionARN < b.FunctionARN
		}
		if a.Qualifier != b.Qualifier {
			return a.Qualifier < b.Qualifier
		}
		return a.Stage < b.Stage
	})
	return triggers, unresolved
}

func appendUnique(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// keySuffix keeps edges between the same API and function unique when they
// differ by qualifier or stage.
func (t Trigger) keySuffix() string {
	s := ""
	if t.Qualifier != "" {
		s += "|qualifier:" + t.Qualifier
	}
	if t.Stage != "" {
		s += "|stage:" + t.Stage
	}
	return s
}

func (t Trigger) props() map[string]any {
	p := map[string]any{
		"qualifier": graph.NilIfEmpty(t.Qualifier),
		"stage":     graph.NilIfEmpty(t.Stage),
	}
	// List-valued facts are JSON text plus a count (docs/contract.md §3).
	graph.SetList(p, "methods", t.Methods)
	graph.SetList(p, "httpMethods", t.HTTPMethods)
	graph.SetList(p, "resourcePaths", t.ResourcePaths)
	graph.SetList(p, "integrationTypes", t.IntegrationTypes)
	return p
}

// FunctionParts returns the account and region of an unqualified function ARN.
func FunctionParts(arn string) (accountID, region, name string) {
	parts := strings.Split(arn, ":")
	if len(parts) < 7 {
		return "", "", ""
	}
	return parts[4], parts[3], parts[6]
}

// TriggerRelationship builds the API TRIGGERS function edge. When the
// function is in the graph the edge is direct. Otherwise it is a mapped
// relationship to an aws_lambda_function found by `_type` and `_key`: a
// function of another account or of a region this run does not collect may
// be created as a placeholder; a function of the collected account and
// regions that the Lambda step did not produce (deleted function, or the
// step failed there) is never invented (skipTargetCreation).
func TriggerRelationship(api graph.Entity, t Trigger, functionInGraph, ownedByThisRun bool) graph.Relationship {
	if functionInGraph {
		r := graph.DirectByKey(api.Key(), api.Type(), "TRIGGERS", t.FunctionARN, FunctionType, t.props())
		r["_key"] = r.Key() + t.keySuffix()
		return r
	}
	acct, region, name := FunctionParts(t.FunctionARN)
	target := map[string]any{
		"_type":       FunctionType,
		"_key":        t.FunctionARN,
		"_class":      []string{"Function", "Workload"},
		"arn":         t.FunctionARN,
		"name":        name,
		"displayName": name,
		"accountId":   acct,
		"region":      region,
	}
	r := graph.Mapped(TriggersType, "TRIGGERS", api, graph.Forward, target, []string{"_type", "_key"}, ownedByThisRun, t.props())
	r["_key"] = r.Key() + t.keySuffix()
	return r
}

// TriggersStep relates each REST API to the Lambda functions its method
// integrations invoke. It reads only the graph and the integrations the fetch
// step handed over; it makes no AWS call.
func TriggersStep(s *awsclient.Session) engine.Step {
	return engine.Declare(engine.Step{
		ID:        TriggersStepID,
		Name:      "Build API Gateway REST API TRIGGERS Lambda function relationships",
		DependsOn: []string{StepID, LambdaStepID},
		Run: func(ctx context.Context, sc *engine.StepContext) error {
			v, _ := sc.Job.Data(integrationsData)
			all, _ := v.([]APIIntegrations)
			collected := map[string]bool{}
			for _, r := range s.Regions {
				collected[r] = true
			}
			unresolvedCount, malformedCount := 0, 0
			for _, ai := range all {
				api, ok := sc.Job.Entity(ai.APIKey)
				if !ok {
					continue
				}
				triggers, unresolved := Triggers(ai)
				for _, t := range triggers {
					fnEntity, ok := sc.Job.Entity(t.FunctionARN)
					inGraph := ok && fnEntity.Type() == FunctionType
					acct, region, _ := FunctionParts(t.FunctionARN)
					owned := acct == s.AccountID && collected[region]
					if !inGraph {
						sc.Count("triggersToFunctionsOutsideGraph", 1)
					}
					if err := sc.AddRelationship(TriggerRelationship(api, t, inGraph, owned)); err != nil {
						return err
					}
				}
				if len(unresolved) > 0 {
					stageVarMethods, malformedMethods := map[string]bool{}, map[string]bool{}
					var lines []string
					for _, u := range unresolved {
						if u.StageVariable {
							stageVarMethods[u.Method] = true
						} else {
							malformedMethods[u.Method] = true
						}
						where := ""
						if u.Stage != "" {
							where = " in stage " + u.Stage
						}
						lines = append(lines, u.Method+where+" ("+u.Reason+")")
					}
					unresolvedCount += len(stageVarMethods)
					malformedCount += len(malformedMethods)
					sc.Warn(fmt.Sprintf("REST API %s (%s): Lambda integration function not resolved, no TRIGGERS edge: %s",
						ai.APIID, ai.Region, strings.Join(lines, "; ")))
				}
			}
			if unresolvedCount > 0 {
				sc.Count("unresolvedStageVariableIntegrations", unresolvedCount)
			}
			if malformedCount > 0 {
				sc.Count("malformedLambdaIntegrations", malformedCount)
			}
			return nil
		},
	})
}
