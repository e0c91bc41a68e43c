package trust

import (
	"context"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/service/account"
	"github.com/awsgraph/awsgraph/internal/service/iam"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

func TestMain(m *testing.M) { os.Exit(testbed.Main(m)) }

// The analysis repeats the IAM package's names to stay free of the SDK.
func TestNamesMatchIAMPackage(t *testing.T) {
	got := []string{IAMStepID, UserType, GroupType, RoleType, ManagedPolicyType, UserPolicyType, GroupPolicyType, RolePolicyType, AccountType}
	want := []string{iam.StepID, iam.UserType, iam.GroupType, iam.RoleType, iam.ManagedPolicyType, iam.UserPolicyType, iam.GroupPolicyType, iam.RolePolicyType, account.Type}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("names %v, iam package %v", got, want)
	}
}

// TestTrustEndToEnd seeds IAM in moto, collects it with the product session
// (account + IAM steps) and runs the trust analysis through engine.Run: the
// CAN_ASSUME edges must be exactly the ones AWS's evaluation logic gives.
func TestTrustEndToEnd(t *testing.T) {
	t.Parallel()
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	ctx := context.Background()
	c := sdkiam.NewFromConfig(srv.SeedConfig(t, acct, "us-east-1"))
	root := "arn:aws:iam::" + acct + ":root"
	arn := func(kind, name string) string { return "arn:aws:iam::" + acct + ":" + kind + "/" + name }
	stmt := func(effect, action, resource string) map[string]any {
		return map[string]any{"Effect": effect, "Action": action, "Resource": resource}
	}
	pdoc := func(stmts ...map[string]any) string {
		return testbed.JSON(map[string]any{"Version": "2012-10-17", "Statement": stmts})
	}
	trust := func(principal any, action string, cond map[string]any) string {
		s := map[string]any{"Effect": "Allow", "Principal": principal, "Action": action}
		if cond != nil {
			s["Condition"] = cond
		}
		return pdoc(s)
	}
	tag := func(k, v string) []types.Tag { return []types.Tag{{Key: aws.String(k), Value: aws.String(v)}} }

	// Users: alice (no policy), bob and carol in group ops (may assume any
	// role of the account), carol with an explicit deny.
	for _, u := range []struct{ name, team string }{{"alice", "dev"}, {"bob", "ops"}, {"carol", "ops"}} {
		testbed.Must(c.CreateUser(ctx, &sdkiam.CreateUserInput{UserName: aws.String(u.name), Tags: tag("team", u.team)}))
	}
	testbed.Must(c.CreateGroup(ctx, &sdkiam.CreateGroupInput{GroupName: aws.String("ops")}))
	for _, u := range []string{"bob", "carol"} {
		testbed.Must(c.AddUserToGroup(ctx, &sdkiam.AddUserToGroupInput{GroupName: aws.String("ops"), UserName: aws.String(u)}))
	}
	testbed.Must(c.PutGroupPolicy(ctx, &sdkiam.PutGroupPolicyInput{GroupName: aws.String("ops"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(pdoc(stmt("Allow", "sts:AssumeRole", arn("role", "*"))))}))
	testbed.Must(c.PutUserPolicy(ctx, &sdkiam.PutUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("deny"),
		PolicyDocument: aws.String(pdoc(stmt("Deny", "sts:AssumeRole", "*")))}))
	s3only := testbed.Must(c.CreatePolicy(ctx, &sdkiam.CreatePolicyInput{PolicyName: aws.String("S3Only"),
		PolicyDocument: aws.String(pdoc(stmt("Allow", "s3:*", "*")))})).Policy

	role := func(name, trustDoc string, boundary *string) {
		testbed.Must(c.CreateRole(ctx, &sdkiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trustDoc), PermissionsBoundary: boundary}))
	}
	ec2 := map[string]any{"Service": "ec2.amazonaws.com"}
	role("named", trust(map[string]any{"AWS": arn("user", "alice")}, "sts:AssumeRole",
		map[string]any{"Bool": map[string]any{"aws:MultiFactorAuthPresent": "true"}}), nil)
	role("acct-admin", trust(map[string]any{"AWS": root}, "sts:AssumeRole", nil), nil)
	role("tagged", trust(map[string]any{"AWS": acct}, "sts:AssumeRole",
		map[string]any{"StringEquals": map[string]any{"aws:PrincipalTag/team": "ops"}}), nil)
	role("lambda-exec", trust(map[string]any{"Service": "lambda.amazonaws.com"}, "sts:AssumeRole", nil), nil)
	role("vendor", trust(map[string]any{"AWS": "arn:aws:iam::999988887777:root"}, "sts:AssumeRole",
		map[string]any{"StringEquals": map[string]any{"sts:ExternalId": "abc"}}), nil)
	role("foreign-role", trust(map[string]any{"AWS": "arn:aws:iam::999988887777:role/ci"}, "sts:AssumeRole", nil), nil)
	role("chain", trust(ec2, "sts:AssumeRole", nil), nil)
	role("bounded", trust(ec2, "sts:AssumeRole", nil), s3only.Arn)
	role("gha", trust(map[string]any{"Federated": arn("oidc-provider", "token.actions.githubusercontent.com")}, "sts:AssumeRoleWithWebIdentity",
		map[string]any{"StringLike": map[string]any{"token.actions.githubusercontent.com:sub": "repo:org/*"}}), nil)
	for _, r := range []string{"chain", "bounded"} {
		testbed.Must(c.PutRolePolicy(ctx, &sdkiam.PutRolePolicyInput{RoleName: aws.String(r), PolicyName: aws.String("assume"),
			PolicyDocument: aws.String(pdoc(stmt("Allow", "sts:AssumeRole", "*")))}))
	}

	sess := srv.Session(t, acct)
	sess.Regions = []string{"us-east-1"}
	steps := append(append(account.Steps(sess), iam.Steps(sess)...), Steps()...)
	res, err := engine.Run(ctx, engine.NewJob(), steps, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Steps {
		if s.ID == StepID && s.Status != engine.StatusSuccess {
			t.Fatalf("trust step: %+v", s)
		}
	}
	for _, w := range res.Warnings {
		if w.Step == StepID {
			t.Errorf("warning: %+v", w)
		}
	}
	var rels, trusts []graph.Relationship
	seenType := map[string]bool{}
	for _, d := range Steps()[0].Relationships {
		if seenType[d.Type] {
			continue // declared direct and mapped
		}
		seenType[d.Type] = true
		if d.Class == TrustsClass {
			trusts = append(trusts, res.Job.RelationshipsOfType(d.Type)...)
		} else {
			rels = append(rels, res.Job.RelationshipsOfType(d.Type)...)
		}
	}
	checkTrustsCoverCanAssume(t, rels, trusts)
	gotTrusts := trustEdges(t, &Result{Trusts: trusts})
	for i, s := range gotTrusts {
		gotTrusts[i] = strings.ReplaceAll(s, "arn:aws:iam::"+acct+":", "")
	}
	sort.Strings(gotTrusts)
	// TRUSTS: the trust policies as written (role/chain trusts ec2 only;
	// its CAN_ASSUME into acct-admin rests on acct-admin's account trust).
	wantTrusts := []string{
		"role/acct-admin -> root [Statement[1]]",
		"role/bounded -> service-principal:ec2.amazonaws.com [Statement[1]]",
		"role/chain -> service-principal:ec2.amazonaws.com [Statement[1]]",
		"role/foreign-role -> mapped:arn:aws:iam::999988887777:role/ci [Statement[1]]",
		"role/gha -> oidc-provider/token.actions.githubusercontent.com ?token.actions.githubusercontent.com:sub [Statement[1]]",
		"role/lambda-exec -> service-principal:lambda.amazonaws.com [Statement[1]]",
		"role/named -> user/alice ?aws:MultiFactorAuthPresent [Statement[1]]",
		"role/tagged -> root ?aws:PrincipalTag/team [Statement[1]]",
		"role/vendor -> mapped:aws_account:999988887777 ?sts:ExternalId [Statement[1]]",
	}
	if !reflect.DeepEqual(gotTrusts, wantTrusts) {
		t.Errorf("TRUSTS edges:\n got %q\nwant %q", gotTrusts, wantTrusts)
	}
	got := edges(&Result{Relationships: rels})
	fed := "oidc-provider/token.actions.githubusercontent.com"
	want := []string{
		"mapped:arn:aws:iam::999988887777:role/ci -> role/foreign-role",
		"mapped:aws_account:999988887777 -> role/vendor ?sts:ExternalId (account)",
		fed + " -> role/gha ?token.actions.githubusercontent.com:sub",
		"role/chain -> role/acct-admin (account)",
		"service-principal:ec2.amazonaws.com -> role/bounded",
		"service-principal:ec2.amazonaws.com -> role/chain",
		"service-principal:lambda.amazonaws.com -> role/lambda-exec",
		"user/alice -> role/named ?aws:MultiFactorAuthPresent",
		"user/bob -> role/acct-admin (account)",
		"user/bob -> role/tagged (account)",
	}
	// edges() shortens the fixture account's ARNs only; do the same here.
	for i, s := range got {
		got[i] = strings.ReplaceAll(s, "arn:aws:iam::"+acct+":", "")
	}
	sort.Strings(got)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CAN_ASSUME edges:\n got %q\nwant %q", got, want)
	}
	// The analysis's own entities are in the graph, with their types.
	for key, typ := range map[string]string{
		"service-principal:lambda.amazonaws.com":                    ServicePrincipalType,
		"service-principal:ec2.amazonaws.com":                       ServicePrincipalType,
		arn("oidc-provider", "token.actions.githubusercontent.com"): OIDCProviderType,
	} {
		if e, ok := res.Job.Entity(key); !ok || e.Type() != typ || res.Job.EntityOwner(key) != StepID {
			t.Errorf("entity %s: %v (owner %q)", key, e, res.Job.EntityOwner(key))
		}
	}
}
