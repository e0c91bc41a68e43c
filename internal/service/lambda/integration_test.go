package lambda_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/service/account"
	"github.com/awsgraph/awsgraph/internal/service/lambda"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

func TestMain(m *testing.M) { os.Exit(testbed.Main(m)) }

const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// IAMStandIn is a test stand-in for the IAM step's output (the IAM step is
// written by another engineer at the same time): under the IAM step's id it
// adds one aws_iam_role entity, keyed by role ARN, for each role moto's IAM
// holds — the contract the Lambda role step relies on.
func IAMStandIn(sess *awsclient.Session) engine.Step {
	return engine.Step{
		ID:       lambda.IAMStepID,
		Name:     "IAM stand-in (test)",
		Entities: []engine.EntityDecl{{Type: lambda.RoleType, Class: []string{"AccessRole"}}},
		Run: func(ctx context.Context, sc *engine.StepContext) error {
			p := iam.NewListRolesPaginator(iam.NewFromConfig(sess.Config), &iam.ListRolesInput{})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					return err
				}
				for _, r := range page.Roles {
					e := graph.NewEntity(aws.ToString(r.Arn), lambda.RoleType, []string{"AccessRole"}, aws.ToString(r.RoleName))
					if err := sc.AddEntity(e); err != nil {
						return err
					}
				}
			}
			return nil
		},
	}
}

func zipFile(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, err := w.Create("index.py")
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("def handler(event, context):\n    return 'ok'\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func createRole(t *testing.T, c *iam.Client, name string) string {
	t.Helper()
	out, err := c.CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: aws.String(name), Path: aws.String("/service-role/"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Role.Arn)
}

const secret = "hunter2-Zq9-very-secret-value"

func TestFunctions_TwoRegions(t *testing.T) {
	t.Parallel()
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	ctx := context.Background()
	iamc := iam.NewFromConfig(srv.SeedConfig(t, acct, "us-east-1"))
	execRole := createRole(t, iamc, "fn-exec")
	tempRole := createRole(t, iamc, "fn-temp")
	code := zipFile(t)

	east := awslambda.NewFromConfig(srv.SeedConfig(t, acct, "us-east-1"))
	west := awslambda.NewFromConfig(srv.SeedConfig(t, acct, "us-west-2"))
	create := func(c *awslambda.Client, in *awslambda.CreateFunctionInput) string {
		t.Helper()
		in.Code = &types.FunctionCode{ZipFile: code}
		if in.Runtime == "" {
			in.Runtime = types.RuntimePython312
		}
		if in.Handler == nil {
			in.Handler = aws.String("index.handler")
		}
		out, err := c.CreateFunction(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.FunctionArn)
	}
	alpha := create(east, &awslambda.CreateFunctionInput{
		FunctionName: aws.String("alpha"), Role: aws.String(execRole), Description: aws.String("has secrets"),
		MemorySize: aws.Int32(512), Timeout: aws.Int32(20),
		Environment:   &types.Environment{Variables: map[string]string{"DB_PASSWORD": secret, "LOG_LEVEL": "debug"}},
		Tags:          map[string]string{"Name": "Alpha function", "team": "payments"},
		VpcConfig:     &types.VpcConfig{SubnetIds: []string{"subnet-0a1"}, SecurityGroupIds: []string{"sg-0b2"}},
		TracingConfig: &types.TracingConfig{Mode: types.TracingModeActive},
	})
	beta := create(west, &awslambda.CreateFunctionInput{FunctionName: aws.String("beta"), Role: aws.String(execRole), Runtime: types.RuntimeNodejs20x})
	gamma := create(west, &awslambda.CreateFunctionInput{FunctionName: aws.String("gamma"), Role: aws.String(tempRole)})
	// gamma's role is then deleted: AWS keeps the function naming a role
	// that no longer exists.
	if _, err := iamc.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("fn-temp")}); err != nil {
		t.Fatal(err)
	}

	sess := srv.Session(t, acct)
	sess.Regions = []string{"us-east-1", "us-west-2"}
	steps := append(account.Steps(sess), IAMStandIn(sess))
	steps = append(steps, lambda.Steps(sess)...)
	before := sess.Calls.Snapshot()
	res, err := engine.Run(ctx, engine.NewJob(), steps, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Steps {
		if s.Status != engine.StatusSuccess {
			t.Errorf("step %s: %s %s", s.ID, s.Status, s.Error)
		}
	}
	if len(res.Warnings) > 0 {
		t.Errorf("warnings: %+v", res.Warnings)
	}
	job := res.Job

	// Exactly the functions the API reports, in each region.
	var want []string
	for _, c := range []*awslambda.Client{east, west} {
		out, err := c.ListFunctions(ctx, &awslambda.ListFunctionsInput{})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range out.Functions {
			want = append(want, aws.ToString(f.FunctionArn))
		}
	}
	var got []string
	for _, e := range job.EntitiesOfType(lambda.FunctionType) {
		got = append(got, e.Key())
		if !reflect.DeepEqual(e.Classes(), []string{"Function", "Workload"}) {
			t.Errorf("%s classes %v", e.Key(), e.Classes())
		}
		if e.String("accountId") != acct || e.String("webLink") == "" {
			t.Errorf("%s: accountId/webLink %v %v", e.Key(), e["accountId"], e["webLink"])
		}
	}
	sort.Strings(want)
	sort.Strings(got)
	if len(want) != 3 || !reflect.DeepEqual(got, want) {
		t.Fatalf("functions %v, API reports %v", got, want)
	}

	a, _ := job.Entity(alpha)
	checks := map[string]any{
		"name": "alpha", "displayName": "Alpha function", "region": "us-east-1", "runtime": "python3.12",
		"handler": "index.handler", "memorySize": "512", // a string in the data model's Function "timeout": int64(20), "role": execRole,
		"environmentVariableNames": []string{"DB_PASSWORD", "LOG_LEVEL"}, "tag.team": "payments",
		"subnetIds": []string{"subnet-0a1"}, "securityGroupIds": []string{"sg-0b2"}, "tracingMode": "Active",
		"description": "has secrets", "version": "$LATEST",
	}
	for k, v := range checks {
		if !reflect.DeepEqual(a[k], v) {
			t.Errorf("alpha %s = %#v, want %#v", k, a[k], v)
		}
	}
	if _, ok := a["updatedOn"].(int64); !ok {
		t.Errorf("alpha updatedOn = %#v", a["updatedOn"])
	}
	if b, _ := job.Entity(beta); b.String("runtime") != "nodejs20.x" || b.String("region") != "us-west-2" {
		t.Errorf("beta %v", b)
	}

	// No environment variable value anywhere in the output.
	blob, err := json.Marshal(map[string]any{"entities": job.Entities(), "relationships": job.Relationships()})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(blob), secret) {
		t.Fatal("an environment variable value reached the graph")
	}
	if !strings.Contains(string(blob), "DB_PASSWORD") {
		t.Fatal("environment variable names missing (the secret check would be vacuous)")
	}

	// account HAS every function.
	has := job.RelationshipsOfType("aws_account_has_lambda_function")
	if len(has) != 3 {
		t.Errorf("account HAS function edges: %d", len(has))
	}
	// ASSIGNED: direct to the collected role, mapped (never invented) for the deleted one.
	rels := map[string]graph.Relationship{}
	for _, r := range job.RelationshipsOfType(lambda.RoleRelationshipType) {
		if m := r.Mapping(); m != nil {
			rels[m.SourceEntityKey] = r
		} else {
			rels[r.FromKey()] = r
		}
	}
	if len(rels) != 3 {
		t.Fatalf("ASSIGNED edges: %v", rels)
	}
	for _, fn := range []string{alpha, beta} {
		r := rels[fn]
		if r.Mapping() != nil || r.ToKey() != execRole {
			t.Errorf("%s ASSIGNED %v", fn, r)
		}
	}
	if m := rels[gamma].Mapping(); m == nil || !m.SkipTargetCreation || m.TargetEntity["_key"] != tempRole {
		t.Errorf("gamma ASSIGNED %v", rels[gamma])
	}

	// API calls: one ListFunctions and one tag:GetResources per region,
	// nothing per function.
	after := sess.Calls.Snapshot()
	if n := after["lambda:ListFunctions"] - before["lambda:ListFunctions"]; n != 2 {
		t.Errorf("ListFunctions calls %d, want 2 (one per region)", n)
	}
	if n := after["tag:GetResources"] - before["tag:GetResources"]; n != 2 {
		t.Errorf("tag:GetResources calls %d, want 2 (one per region)", n)
	}
	for k := range after {
		if strings.HasPrefix(k, "lambda:") && k != "lambda:ListFunctions" {
			t.Errorf("unexpected Lambda call %s", k)
		}
	}
}

// denyListFunctionsIn answers ListFunctions in one region with the
// AccessDeniedException AWS sends when a policy or SCP refuses it (moto only
// refuses with its global auth mode on, which parallel tests cannot use).
func denyListFunctionsIn(region string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("denyListFunctions",
			func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
				if awsmiddleware.GetOperationName(ctx) != "ListFunctions" || awsmiddleware.GetRegion(ctx) != region {
					return next.HandleDeserialize(ctx, in)
				}
				body := `{"Type":"User","Message":"User is not authorized to perform: lambda:ListFunctions"}`
				resp := &http.Response{StatusCode: 403, Header: http.Header{
					"Content-Type": {"application/json"}, "X-Amzn-Errortype": {"AccessDeniedException"},
				}, Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body))}
				return middleware.DeserializeOutput{RawResponse: &smithyhttp.Response{Response: resp}}, middleware.Metadata{}, nil
			}), middleware.After)
	}
}

// A region the role may not list keeps the other regions' functions, and
// makes the function types partial (so no store deletes what was not read),
// with a warning naming the permission.
func TestFunctions_RegionDenied(t *testing.T) {
	t.Parallel()
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	ctx := context.Background()
	role := createRole(t, iam.NewFromConfig(srv.SeedConfig(t, acct, "us-east-1")), "exec")
	for _, region := range []string{"us-east-1", "us-west-2"} {
		_, err := awslambda.NewFromConfig(srv.SeedConfig(t, acct, region)).CreateFunction(ctx, &awslambda.CreateFunctionInput{
			FunctionName: aws.String("fn-" + region), Role: aws.String(role), Runtime: types.RuntimePython312,
			Handler: aws.String("index.handler"), Code: &types.FunctionCode{ZipFile: zipFile(t)},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	opts := srv.Options(acct)
	opts.ExtraAPIOptions = append(opts.ExtraAPIOptions, denyListFunctionsIn("us-west-2"))
	sess, err := awsclient.Connect(ctx, opts, "aws", "")
	if err != nil {
		t.Fatal(err)
	}
	sess.Regions = []string{"us-east-1", "us-west-2"}
	steps := append(account.Steps(sess), IAMStandIn(sess))
	steps = append(steps, lambda.Steps(sess)...)
	res, err := engine.Run(ctx, engine.NewJob(), steps, engine.Options{DescribeError: func(err error) engine.Failure {
		p, r, reason := awsclient.Describe(err)
		return engine.Failure{Permission: p, Region: r, Reason: reason}
	}})
	if err != nil {
		t.Fatal(err)
	}
	fns := res.Job.EntitiesOfType(lambda.FunctionType)
	if len(fns) != 1 || fns[0].String("region") != "us-east-1" {
		t.Fatalf("functions %v", fns)
	}
	wantPartial := []string{"aws_account_has_lambda_function", lambda.FunctionType, lambda.RoleRelationshipType}
	if !reflect.DeepEqual(res.PartialTypes, wantPartial) {
		t.Errorf("partial %v, want %v", res.PartialTypes, wantPartial)
	}
	named := false
	for _, w := range res.Warnings {
		if w.Permission == "lambda:ListFunctions" && w.Region == "us-west-2" {
			named = true
		}
	}
	if !named {
		t.Errorf("warnings %+v", res.Warnings)
	}
}
