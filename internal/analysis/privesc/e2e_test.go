package privesc_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkiam "github.com/aws/aws-sdk-go-v2/service/iam"
	_ "modernc.org/sqlite"

	"github.com/awsgraph/awsgraph/internal/acceptance/j1check"
	"github.com/awsgraph/awsgraph/internal/analysis/privesc"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

func TestMain(m *testing.M) { os.Exit(testbed.Main(m)) }

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func pdoc(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func allow(action, resource string) string {
	return `{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}`
}

// collect runs the awsgraph binary against endpoint into the SQLite store db.
func collect(t *testing.T, endpoint, acct, dir string) (int, string) {
	t.Helper()
	args := []string{"collect", "--role-arn", testbed.RoleArn(acct), "--external-id", testbed.ExternalID,
		"--regions", "us-east-1", "--endpoint-url", endpoint, "--output", filepath.Join(dir, "out"), "--db", filepath.Join(dir, "graph.db")}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, testbed.Binary(t), args...)
	cmd.Dir = dir
	cmd.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "AWS_ACCESS_KEY_ID=privesckey",
		"AWS_SECRET_ACCESS_KEY=privescsecret", "AWS_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true"}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), stderr.String()
	} else if err != nil {
		t.Fatalf("awsgraph collect: %v", err)
	}
	return 0, stderr.String()
}

// stored reads the principals' derived properties and the escalation
// relationships from the store.
func stored(t *testing.T, dbPath string) (map[string]map[string]any, []string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	props := map[string]map[string]any{}
	rows, err := db.Query(`SELECT key, json FROM entities WHERE type IN ('aws_iam_user', 'aws_iam_role')`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var key, text string
		if err := rows.Scan(&key, &text); err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(text), &m); err != nil {
			t.Fatal(err)
		}
		if parts := strings.SplitN(key, ":", 6); len(parts) == 6 {
			props[parts[5]] = m // user/alice, role/b
		}
	}
	rows.Close()
	var rels []string
	rows, err = db.Query(`SELECT key FROM relationships WHERE class = ?`, privesc.Class)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		rels = append(rels, k)
	}
	rows.Close()
	return props, rels
}

// answer summarizes a stored principal like the unit tests do.
func answer(p map[string]any) string {
	switch {
	case p == nil:
		return "missing"
	case p["isAdmin"] == true:
		return "admin"
	case p["canBecomeAdmin"] == true:
		return p["adminPath"].(string)
	case p["canBecomeAdmin"] == false:
		return "no"
	}
	return "not analysed"
}

// seedCredentialsAndVersions adds the SetDefaultPolicyVersion,
// login-profile and access-key cases (user creates a user with an inline
// policy).
func seedCredentialsAndVersions(ctx context.Context, c *sdkiam.Client, arn func(kind, name string) string, user func(name, doc string)) {
	// A customer managed policy with a non-default admin version, and one
	// whose other version grants nothing more (SetDefaultPolicyVersion).
	versioned := func(who, name, other string) {
		p := must(c.CreatePolicy(ctx, &sdkiam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(pdoc(allow("iam:SetDefaultPolicyVersion", arn("policy", name))))})).Policy
		must(c.CreatePolicyVersion(ctx, &sdkiam.CreatePolicyVersionInput{PolicyArn: p.Arn, PolicyDocument: aws.String(other), SetAsDefault: false}))
		user(who, "")
		must(c.AttachUserPolicy(ctx, &sdkiam.AttachUserPolicyInput{UserName: aws.String(who), PolicyArn: p.Arn}))
	}
	versioned("frank", "frank-tools", pdoc(allow("*", "*")))
	versioned("gina", "gina-tools", pdoc(allow("s3:*", "*")))
	// Login profiles: pw-admin has a console password, root-like none.
	user("pw-admin", pdoc(allow("*", "*")))
	must(c.CreateLoginProfile(ctx, &sdkiam.CreateLoginProfileInput{UserName: aws.String("pw-admin"), Password: aws.String("Initial-Passw0rd!")}))
	user("henry", pdoc(allow("iam:CreateLoginProfile", arn("user", "pw-admin"))))
	user("ivy", pdoc(allow("iam:UpdateLoginProfile", arn("user", "pw-admin"))))
	user("jack", pdoc(allow("iam:UpdateLoginProfile", arn("user", "root-like"))))
	user("kim", pdoc(allow("iam:CreateLoginProfile", arn("user", "root-like"))))
	// Access keys: IAM allows two per user.
	user("two-keys", pdoc(allow("*", "*")))
	for range 2 {
		must(c.CreateAccessKey(ctx, &sdkiam.CreateAccessKeyInput{UserName: aws.String("two-keys")}))
	}
	user("leo", pdoc(allow("iam:CreateAccessKey", arn("user", "two-keys"))))
}

// reportDeniedRun collects with GenerateCredentialReport denied and checks
// the stored answers against want (the previous run's) with the
// login-profile and access-key paths made conditional.
func reportDeniedRun(t *testing.T, srv *testbed.Moto, acct, dir string, want map[string]string) {
	t.Helper()
	// The credential report is denied: the analysis still runs (its other
	// inputs are complete), and the login-profile escalations, whose
	// technique depends on the unread password state, become conditional.
	rp := srv.NewFaultProxy(t)
	report := testbed.ErrorFault("iam", testbed.IsAction("iam", "GenerateCredentialReport", ""), 403, "AccessDenied", "not authorized (fault)")
	rp.Add(report)
	if code, stderr := collect(t, rp.URL, acct, dir); rp.Fired(report) == 0 || (code != 0 && code != 3) {
		t.Fatalf("report-denied collect: exit %d, fired %d\n%s", code, rp.Fired(report), stderr)
	}
	props, _ := stored(t, filepath.Join(dir, "graph.db"))
	unread := map[string]string{}
	for k, v := range want {
		unread[k] = v
	}
	unread["user/alice"] = "no" // the change is seen: the analysis ran
	unread["user/henry"] = "user/henry —iam:CreateLoginProfile→ user/pw-admin"
	unread["user/jack"] = "user/jack —iam:UpdateLoginProfile→ user/root-like"
	unread["user/leo"] = "user/leo —iam:CreateAccessKey→ user/two-keys"
	checkAnswers(t, "report-denied run", props, unread)
	for name, cond := range map[string]bool{"user/kim": true, "user/ivy": true, "user/henry": true, "user/jack": true, "user/leo": true, "user/frank": false, "user/bob": false} {
		if got := props[name]["adminPathConditional"] == true; got != cond {
			t.Errorf("report-denied run: %s adminPathConditional %v, want %v", name, got, cond)
		}
	}
	rp.Clear()
}

// firstRunWant is the first run's answer per principal of
// TestEndToEndThroughCLI.
func firstRunWant() map[string]string {
	return map[string]string{
		"user/root-like":     "admin",
		"user/managed-admin": "admin",
		"role/lambda-admin":  "admin",
		"user/alice":         "user/alice —iam:CreateAccessKey→ user/root-like",
		"user/bob":           "user/bob —iam:UpdateAssumeRolePolicy→ role/b —iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction→ role/lambda-admin",
		"role/b":             "role/b —iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction→ role/lambda-admin",
		"user/erin":          "user/erin —iam:AddUserToGroup→ user/erin",
		"user/carol":         "no",
		"user/dave":          "no",
		"user/frank":         "user/frank —iam:SetDefaultPolicyVersion→ user/frank",
		"user/gina":          "no",
		"user/pw-admin":      "admin",
		"user/henry":         "no",
		"user/ivy":           "user/ivy —iam:UpdateLoginProfile→ user/pw-admin",
		"user/jack":          "no",
		"user/kim":           "user/kim —iam:CreateLoginProfile→ user/root-like",
		"user/two-keys":      "admin",
		"user/leo":           "no",
	}
}

// checkAnswers compares the stored answers of one run with want.
func checkAnswers(t *testing.T, run string, props map[string]map[string]any, want map[string]string) {
	t.Helper()
	for name, w := range want {
		if got := answer(props[name]); got != w {
			t.Errorf("%s: %s: %q, want %q", run, name, got, w)
		}
	}
}

// TestEndToEndThroughCLI seeds IAM in moto through the SDK, collects it with
// the awsgraph binary into SQLite and checks isAdmin, canBecomeAdmin and
// adminPath in the store. Then IAM is changed and collected again while a
// wire-level fault denies GetAccountAuthorizationDetails: the escalation
// answers must be the first run's (never recomputed from half the
// inputs); a third, clean run sees the change.
func TestEndToEndThroughCLI(t *testing.T) {
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	ctx := context.Background()
	c := sdkiam.NewFromConfig(srv.SeedConfig(t, acct, "us-east-1"))
	arn := func(kind, name string) string { return "arn:aws:iam::" + acct + ":" + kind + "/" + name }
	user := func(name, doc string) {
		must(c.CreateUser(ctx, &sdkiam.CreateUserInput{UserName: aws.String(name)}))
		if doc != "" {
			must(c.PutUserPolicy(ctx, &sdkiam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}))
		}
	}
	role := func(name, trust, doc string) {
		must(c.CreateRole(ctx, &sdkiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}))
		must(c.PutRolePolicy(ctx, &sdkiam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}))
	}
	service := func(svc string) string {
		return pdoc(`{"Effect":"Allow","Principal":{"Service":"` + svc + `"},"Action":"sts:AssumeRole"}`)
	}
	nobody := pdoc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole"}`)

	user("root-like", pdoc(allow("*", "*")))
	user("alice", pdoc(allow("iam:CreateAccessKey", arn("user", "root-like"))))
	user("carol", pdoc(allow("s3:*", "*")))
	user("dave", pdoc(allow("iam:CreateAccessKey", arn("user", "root-like")), `{"Effect":"Deny","Action":"iam:CreateAccessKey","Resource":"`+arn("user", "root-like")+`"}`))
	role("lambda-admin", service("lambda.amazonaws.com"), pdoc(allow("*", "*")))
	role("b", nobody, pdoc(allow("iam:PassRole", arn("role", "lambda-admin")), allow("lambda:CreateFunction", "*"), allow("lambda:InvokeFunction", "*")))
	user("bob", pdoc(allow("iam:UpdateAssumeRolePolicy", arn("role", "b")), allow("sts:AssumeRole", arn("role", "b"))))
	admins := must(c.CreatePolicy(ctx, &sdkiam.CreatePolicyInput{PolicyName: aws.String("Admins"), PolicyDocument: aws.String(pdoc(allow("*", "*")))})).Policy
	must(c.CreateGroup(ctx, &sdkiam.CreateGroupInput{GroupName: aws.String("admins")}))
	must(c.AttachGroupPolicy(ctx, &sdkiam.AttachGroupPolicyInput{GroupName: aws.String("admins"), PolicyArn: admins.Arn}))
	user("erin", pdoc(allow("iam:AddUserToGroup", arn("group", "admins"))))
	user("managed-admin", "")
	must(c.AttachUserPolicy(ctx, &sdkiam.AttachUserPolicyInput{UserName: aws.String("managed-admin"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}))

	seedCredentialsAndVersions(ctx, c, arn, user)

	dir := t.TempDir()
	db := filepath.Join(dir, "graph.db")
	if code, stderr := collect(t, srv.URL, acct, dir); code != 0 && code != 3 {
		t.Fatalf("collect: exit %d\n%s", code, stderr)
	}
	want := firstRunWant()
	props, rels := stored(t, db)
	checkAnswers(t, "first run", props, want)
	// The escalation edges and properties are valid by JupiterOne's data model.
	j1check.Check(t, filepath.Join(dir, "out"))
	first := strings.Join(rels, "\n")
	if !strings.Contains(first, arn("user", "alice")+"|manages:iam:CreateAccessKey|"+arn("user", "root-like")) {
		t.Errorf("no CreateAccessKey escalation stored; stored:\n%s", first)
	}

	// alice loses her permission; the next run cannot read IAM.
	must(c.DeleteUserPolicy(ctx, &sdkiam.DeleteUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p")}))
	fp := srv.NewFaultProxy(t)
	fault := testbed.ErrorFault("iam", testbed.IsAction("iam", "GetAccountAuthorizationDetails", ""), 403, "AccessDenied", "not authorized (fault)")
	fp.Add(fault)
	code, stderr := collect(t, fp.URL, acct, dir)
	if fp.Fired(fault) == 0 {
		t.Fatalf("the denial never fired (exit %d)\n%s", code, stderr)
	}
	props, rels = stored(t, db)
	checkAnswers(t, "denied run", props, want)
	if got := strings.Join(rels, "\n"); got != first {
		t.Errorf("denied run changed the escalation relationships:\n%s\nwant\n%s", got, first)
	}

	fp.Clear()
	reportDeniedRun(t, srv, acct, dir, want)

	if code, stderr := collect(t, srv.URL, acct, dir); code != 0 && code != 3 {
		t.Fatalf("clean collect: exit %d\n%s", code, stderr)
	}
	props, _ = stored(t, db)
	want["user/alice"] = "no"
	checkAnswers(t, "clean run after the change", props, want)
}
