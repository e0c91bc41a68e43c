package iam_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/service/account"
	"github.com/awsgraph/awsgraph/internal/service/iam"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

func TestMain(m *testing.M) { os.Exit(testbed.Main(m)) }

// must panics on a seeding or truth-reading error (the test fails with it;
// Go cannot pass a two-value call next to a *testing.T).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func doc(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func jsonEqual(t *testing.T, what, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Errorf("%s: document does not parse as JSON: %v\n%s", what, err, got)
		return
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: want does not parse: %v", what, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s: document\n%s\nwant\n%s", what, got, want)
	}
}

func trust(principal map[string]any, action string) string {
	return doc(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Principal": principal, "Action": action,
	}}})
}

// collect runs the account and IAM steps the way the product does and
// returns the job, the result and the IAM/STS calls the run made.
func collect(t *testing.T, sess *awsclient.Session, steps []engine.Step) (*engine.Result, map[string]int) {
	t.Helper()
	before := sess.Calls.Snapshot()
	all := append(account.Steps(sess), steps...)
	res, err := engine.Run(context.Background(), engine.NewJob(), all, engine.Options{DescribeError: func(err error) engine.Failure {
		p, r, why := awsclient.Describe(err)
		return engine.Failure{Permission: p, Region: r, Reason: why}
	}})
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string]int{}
	for k, v := range sess.Calls.Snapshot() {
		if d := v - before[k]; d > 0 {
			calls[k] = d
		}
	}
	return res, calls
}

func keysOf(es []graph.Entity) []string {
	out := make([]string, 0, len(es))
	for _, e := range es {
		out = append(out, e.Key())
	}
	sort.Strings(out)
	return out
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	if out == nil {
		out = []string{}
	}
	return out
}

func edges(job *engine.Job, typ string) []string {
	var out []string
	for _, r := range job.RelationshipsOfType(typ) {
		if r.FromKey() == "" || r.ToKey() == "" {
			panic("mapped relationship in " + typ)
		}
		out = append(out, r.FromKey()+" -> "+r.ToKey())
	}
	return sorted(out)
}

func TestIAMCollect(t *testing.T) {
	t.Parallel()
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	ctx := context.Background()
	c := sdkiam.NewFromConfig(srv.SeedConfig(t, acct, "us-east-1"))

	// Policies: one attached customer policy, one unattached with two
	// versions (default v2), AWS-managed ones attached and one used only as
	// a role's permissions boundary. Documents carry literal '+' and '%'.
	cpDoc := doc(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket+name/100%/*"}}})
	cp := must(c.CreatePolicy(ctx, &sdkiam.CreatePolicyInput{PolicyName: aws.String("cp-attached"), Path: aws.String("/team/"), PolicyDocument: aws.String(cpDoc)})).Policy
	v1 := doc(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}}})
	v2 := doc(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Deny", "Action": "ec2:*", "Resource": "*", "Condition": map[string]any{"StringLike": map[string]any{"aws:PrincipalTag/team": "a+b %20"}}}}})
	unattached := must(c.CreatePolicy(ctx, &sdkiam.CreatePolicyInput{PolicyName: aws.String("cp-unattached"), PolicyDocument: aws.String(v1)})).Policy
	must(c.CreatePolicyVersion(ctx, &sdkiam.CreatePolicyVersionInput{PolicyArn: unattached.Arn, PolicyDocument: aws.String(v2), SetAsDefault: true}))
	const readOnly = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	const secAudit = "arn:aws:iam::aws:policy/SecurityAudit"
	const powerUser = "arn:aws:iam::aws:policy/PowerUserAccess"

	// Groups, with inline and attached policies.
	groupDoc := doc(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::" + acct + ":role/*"}}})
	for _, g := range []string{"devs", "ops", "admins"} {
		must(c.CreateGroup(ctx, &sdkiam.CreateGroupInput{GroupName: aws.String(g)}))
	}
	must(c.PutGroupPolicy(ctx, &sdkiam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("assume-any"), PolicyDocument: aws.String(groupDoc)}))
	must(c.AttachGroupPolicy(ctx, &sdkiam.AttachGroupPolicyInput{GroupName: aws.String("ops"), PolicyArn: aws.String(secAudit)}))
	must(c.AttachGroupPolicy(ctx, &sdkiam.AttachGroupPolicyInput{GroupName: aws.String("admins"), PolicyArn: cp.Arn}))

	// Users: e-mail names and not, several groups, tags, inline and attached policies.
	users := map[string][]string{
		"a.b+c@example.org":    {"devs", "ops"},
		"build-bot":            {"ops"},
		"x@y":                  nil,
		"Jane.Doe@Example.COM": {"devs", "admins", "ops"},
		"tagged":               {"admins"},
	}
	for name, groups := range users {
		in := &sdkiam.CreateUserInput{UserName: aws.String(name)}
		if name == "tagged" {
			in.Tags = []types.Tag{{Key: aws.String("email"), Value: aws.String("Ops.Lead@Example.NET")}, {Key: aws.String("team"), Value: aws.String("sec")}}
			in.Path = aws.String("/people/")
		}
		must(c.CreateUser(ctx, in))
		for _, g := range groups {
			must(c.AddUserToGroup(ctx, &sdkiam.AddUserToGroupInput{GroupName: aws.String(g), UserName: aws.String(name)}))
		}
	}
	userDoc := doc(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": []string{"s3:PutObject"}, "Resource": "arn:aws:s3:::a+b/c%d e"}}})
	must(c.PutUserPolicy(ctx, &sdkiam.PutUserPolicyInput{UserName: aws.String("build-bot"), PolicyName: aws.String("deploy"), PolicyDocument: aws.String(userDoc)}))
	must(c.PutUserPolicy(ctx, &sdkiam.PutUserPolicyInput{UserName: aws.String("x@y"), PolicyName: aws.String("deploy"), PolicyDocument: aws.String(cpDoc)}))
	must(c.AttachUserPolicy(ctx, &sdkiam.AttachUserPolicyInput{UserName: aws.String("Jane.Doe@Example.COM"), PolicyArn: aws.String(readOnly)}))
	must(c.AttachUserPolicy(ctx, &sdkiam.AttachUserPolicyInput{UserName: aws.String("build-bot"), PolicyArn: cp.Arn}))
	// Credential-report material: MFA, a password, an access key.
	mfa := must(c.CreateVirtualMFADevice(ctx, &sdkiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("jane")})).VirtualMFADevice
	must(c.EnableMFADevice(ctx, &sdkiam.EnableMFADeviceInput{UserName: aws.String("Jane.Doe@Example.COM"), SerialNumber: mfa.SerialNumber, AuthenticationCode1: aws.String("123456"), AuthenticationCode2: aws.String("654321")}))
	must(c.CreateLoginProfile(ctx, &sdkiam.CreateLoginProfileInput{UserName: aws.String("Jane.Doe@Example.COM"), Password: aws.String("Corr3ct-Horse!")}))
	must(c.CreateAccessKey(ctx, &sdkiam.CreateAccessKeyInput{UserName: aws.String("build-bot")}))

	// Federated providers and roles whose trust names each kind of principal.
	saml := must(c.CreateSAMLProvider(ctx, &sdkiam.CreateSAMLProviderInput{Name: aws.String("okta"), SAMLMetadataDocument: aws.String(strings.Repeat("<md/>", 250))})).SAMLProviderArn
	oidc := must(c.CreateOpenIDConnectProvider(ctx, &sdkiam.CreateOpenIDConnectProviderInput{Url: aws.String("https://token.actions.githubusercontent.com"), ThumbprintList: []string{strings.Repeat("a", 40)}, ClientIDList: []string{"sts.amazonaws.com"}})).OpenIDConnectProviderArn
	svcTrust := trust(map[string]any{"Service": "ec2.amazonaws.com"}, "sts:AssumeRole")
	svcRole := must(c.CreateRole(ctx, &sdkiam.CreateRoleInput{RoleName: aws.String("svc-ec2"), AssumeRolePolicyDocument: aws.String(svcTrust),
		Description: aws.String("EC2 app role"), MaxSessionDuration: aws.Int32(7200), Path: aws.String("/service/"),
		PermissionsBoundary: aws.String(powerUser), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})).Role
	roleTrusts := map[string]string{
		"svc-ec2":       svcTrust,
		"by-user":       trust(map[string]any{"AWS": "arn:aws:iam::" + acct + ":user/build-bot"}, "sts:AssumeRole"),
		"by-role":       trust(map[string]any{"AWS": aws.ToString(svcRole.Arn)}, "sts:AssumeRole"),
		"by-root":       trust(map[string]any{"AWS": "arn:aws:iam::" + acct + ":root"}, "sts:AssumeRole"),
		"by-account-id": trust(map[string]any{"AWS": "210987654321"}, "sts:AssumeRole"),
		"by-saml":       trust(map[string]any{"Federated": aws.ToString(saml)}, "sts:AssumeRoleWithSAML"),
		"by-oidc": doc(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Principal": map[string]any{"Federated": aws.ToString(oidc)},
			"Action": "sts:AssumeRoleWithWebIdentity", "Condition": map[string]any{"StringLike": map[string]any{"token.actions.githubusercontent.com:sub": "repo:org/app+x:%"}}}}}),
	}
	for name, tr := range roleTrusts {
		if name == "svc-ec2" {
			continue
		}
		must(c.CreateRole(ctx, &sdkiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(tr)}))
	}
	roleDoc := doc(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:*:*:table/a+b%"}}})
	must(c.PutRolePolicy(ctx, &sdkiam.PutRolePolicyInput{RoleName: aws.String("svc-ec2"), PolicyName: aws.String("tables"), PolicyDocument: aws.String(roleDoc)}))
	must(c.PutRolePolicy(ctx, &sdkiam.PutRolePolicyInput{RoleName: aws.String("by-saml"), PolicyName: aws.String("tables"), PolicyDocument: aws.String(roleDoc)}))
	must(c.AttachRolePolicy(ctx, &sdkiam.AttachRolePolicyInput{RoleName: aws.String("svc-ec2"), PolicyArn: cp.Arn}))
	must(c.AttachRolePolicy(ctx, &sdkiam.AttachRolePolicyInput{RoleName: aws.String("by-root"), PolicyArn: aws.String(readOnly)}))
	ip := must(c.CreateInstanceProfile(ctx, &sdkiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("svc-ec2")})).InstanceProfile
	must(c.AddRoleToInstanceProfile(ctx, &sdkiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("svc-ec2"), RoleName: aws.String("svc-ec2")}))

	sess := srv.Session(t, acct)
	sess.Regions = []string{"us-east-1"}
	res, calls := collect(t, sess, iam.Steps(sess))
	job := res.Job
	for _, s := range res.Steps {
		if s.Status != engine.StatusSuccess {
			t.Fatalf("step %s: %s %s", s.ID, s.Status, s.Error)
		}
	}
	if len(res.PartialTypes) != 0 || len(res.Warnings) != 0 {
		t.Fatalf("partial %v warnings %+v", res.PartialTypes, res.Warnings)
	}

	// The truth, from the list APIs.
	var truthUsers, truthGroups, truthRoles []string
	for _, u := range must(c.ListUsers(ctx, &sdkiam.ListUsersInput{})).Users {
		truthUsers = append(truthUsers, aws.ToString(u.Arn))
	}
	for _, g := range must(c.ListGroups(ctx, &sdkiam.ListGroupsInput{})).Groups {
		truthGroups = append(truthGroups, aws.ToString(g.Arn))
	}
	listedRoles := map[string]types.Role{}
	for p := sdkiam.NewListRolesPaginator(c, &sdkiam.ListRolesInput{}); p.HasMorePages(); {
		for _, r := range must(p.NextPage(ctx)).Roles {
			truthRoles = append(truthRoles, aws.ToString(r.Arn))
			listedRoles[aws.ToString(r.Arn)] = r
		}
	}
	truthPolicies := []string{powerUser} // used only as a boundary
	for _, scope := range []types.PolicyScopeType{types.PolicyScopeTypeLocal, types.PolicyScopeTypeAws} {
		for p := sdkiam.NewListPoliciesPaginator(c, &sdkiam.ListPoliciesInput{Scope: scope, OnlyAttached: scope == types.PolicyScopeTypeAws}); p.HasMorePages(); {
			for _, pol := range must(p.NextPage(ctx)).Policies {
				truthPolicies = append(truthPolicies, aws.ToString(pol.Arn))
			}
		}
	}
	if len(truthUsers) != 5 || len(truthGroups) != 3 || len(truthRoles) != 7 || len(truthPolicies) != 5 {
		t.Fatalf("seed not as expected: %d users %d groups %d roles %d policies %v", len(truthUsers), len(truthGroups), len(truthRoles), len(truthPolicies), truthPolicies)
	}
	for typ, want := range map[string][]string{iam.UserType: truthUsers, iam.GroupType: truthGroups, iam.RoleType: truthRoles, iam.ManagedPolicyType: truthPolicies} {
		if got := keysOf(job.EntitiesOfType(typ)); !reflect.DeepEqual(got, sorted(want)) {
			t.Errorf("%s keys\n%v\nwant\n%v", typ, got, sorted(want))
		}
	}
	classes := map[string]string{iam.UserType: "User", iam.GroupType: "UserGroup", iam.RoleType: "AccessRole", iam.ManagedPolicyType: "AccessPolicy",
		iam.UserPolicyType: "AccessPolicy", iam.GroupPolicyType: "AccessPolicy", iam.RolePolicyType: "AccessPolicy"}
	total := 0
	for typ, class := range classes {
		for _, e := range job.EntitiesOfType(typ) {
			total++
			if !reflect.DeepEqual(e.Classes(), []string{class}) {
				t.Errorf("%s %s classes %v", typ, e.Key(), e.Classes())
			}
			if e["accountId"] != acct || !strings.HasPrefix(e.String("webLink"), "https://console.aws.amazon.com/iam/home#/") {
				t.Errorf("%s: accountId/webLink %v %v", e.Key(), e["accountId"], e["webLink"])
			}
			if err := graph.Validate(e); err != nil {
				t.Error(err)
			}
		}
		// account HAS each entity of the type.
		var want []string
		for _, e := range job.EntitiesOfType(typ) {
			want = append(want, account.Key("aws", acct)+" -> "+e.Key())
		}
		if got := edges(job, graph.RelationshipType(account.Type, "HAS", typ)); !reflect.DeepEqual(got, sorted(want)) {
			t.Errorf("account HAS %s: %v want %v", typ, got, want)
		}
	}
	if total != 5+3+7+5+2+1+2 {
		t.Errorf("IAM entities %d", total)
	}

	// Users: properties, memberships, attachments, inline policies.
	var wantHas, wantUserAssigned, wantUserInline []string
	for _, arn := range truthUsers {
		u, _ := job.Entity(arn)
		names := u.Strings("username") // a list in the data model's User
		if len(names) != 1 {
			t.Fatalf("user %s username %#v, want one name", arn, u["username"])
		}
		name := names[0]
		got := must(c.GetUser(ctx, &sdkiam.GetUserInput{UserName: aws.String(name)})).User
		if u["userId"] != aws.ToString(got.UserId) || u["path"] != aws.ToString(got.Path) || u["createdOn"] != got.CreateDate.UnixMilli() || u["name"] != name {
			t.Errorf("user %s: %v", name, u)
		}
		if u.String("webLink") != "https://console.aws.amazon.com/iam/home#/users/"+name {
			t.Errorf("user webLink %v", u["webLink"])
		}
		for _, g := range must(c.ListGroupsForUser(ctx, &sdkiam.ListGroupsForUserInput{UserName: aws.String(name)})).Groups {
			wantHas = append(wantHas, aws.ToString(g.Arn)+" -> "+arn)
		}
		for _, p := range must(c.ListAttachedUserPolicies(ctx, &sdkiam.ListAttachedUserPoliciesInput{UserName: aws.String(name)})).AttachedPolicies {
			wantUserAssigned = append(wantUserAssigned, arn+" -> "+aws.ToString(p.PolicyArn))
		}
		for _, pn := range must(c.ListUserPolicies(ctx, &sdkiam.ListUserPoliciesInput{UserName: aws.String(name)})).PolicyNames {
			key := iam.InlinePolicyKey(arn, pn)
			wantUserInline = append(wantUserInline, arn+" -> "+key)
			pe, ok := job.Entity(key)
			if !ok {
				t.Fatalf("inline policy %s missing", key)
			}
			if pe["principalArn"] != arn || pe["policyName"] != pn || pe.Type() != iam.UserPolicyType {
				t.Errorf("inline %v", pe)
			}
			raw := aws.ToString(must(c.GetUserPolicy(ctx, &sdkiam.GetUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String(pn)})).PolicyDocument)
			decoded, _ := iam.DecodeDocument(raw)
			jsonEqual(t, key, pe.String("document"), decoded)
		}
	}
	if got := edges(job, "aws_iam_group_has_user"); !reflect.DeepEqual(got, sorted(wantHas)) || len(got) != 7 {
		t.Errorf("group HAS user\n%v\nwant\n%v", got, sorted(wantHas))
	}
	if got := edges(job, "aws_iam_user_assigned_managed_policy"); !reflect.DeepEqual(got, sorted(wantUserAssigned)) || len(got) != 2 {
		t.Errorf("user ASSIGNED managed\n%v\nwant\n%v", got, sorted(wantUserAssigned))
	}
	if got := edges(job, "aws_iam_user_assigned_policy"); !reflect.DeepEqual(got, sorted(wantUserInline)) || len(got) != 2 {
		t.Errorf("user ASSIGNED inline\n%v\nwant\n%v", got, sorted(wantUserInline))
	}
	bot, _ := job.Entity("arn:aws:iam::" + acct + ":user/build-bot")
	jsonEqual(t, "build-bot inline", func() string {
		p, _ := job.Entity(iam.InlinePolicyKey(bot.Key(), "deploy"))
		return p.String("document")
	}(), userDoc)
	tagged, _ := job.Entity("arn:aws:iam::" + acct + ":user/people/tagged")
	if tagged["tag.team"] != "sec" || !reflect.DeepEqual(tagged.Strings("email"), []string{"ops.lead@example.net"}) || tagged["path"] != "/people/" {
		t.Errorf("tagged user %v", tagged)
	}

	// IS Person: exactly the e-mail users, lower-cased.
	var is []string
	for _, r := range job.RelationshipsOfType(iam.UserIsPersonType) {
		m := r.Mapping()
		if m == nil || r.Class() != "IS" || m.RelationshipDirection != "FORWARD" || !m.SkipTargetCreation ||
			!reflect.DeepEqual(m.TargetFilterKeys, [][]string{{"_class", "email"}}) || m.TargetEntity["_class"] != "Person" || m.TargetEntity["displayName"] != m.TargetEntity["email"] {
			t.Errorf("IS edge %v %+v", r, m)
			continue
		}
		is = append(is, m.SourceEntityKey+" = "+m.TargetEntity["email"].(string))
	}
	wantIS := sorted([]string{
		"arn:aws:iam::" + acct + ":user/a.b+c@example.org = a.b+c@example.org",
		"arn:aws:iam::" + acct + ":user/Jane.Doe@Example.COM = jane.doe@example.com",
		"arn:aws:iam::" + acct + ":user/people/tagged = ops.lead@example.net",
	})
	if !reflect.DeepEqual(sorted(is), wantIS) {
		t.Errorf("IS edges\n%v\nwant\n%v", sorted(is), wantIS)
	}

	// Credential report: MFA, password, access key.
	for _, arn := range truthUsers {
		u, _ := job.Entity(arn)
		jane := strings.HasSuffix(arn, "/Jane.Doe@Example.COM")
		if u["isMfaEnabled"] != jane || u["passwordEnabled"] != jane {
			t.Errorf("%s: isMfaEnabled %v passwordEnabled %v", arn, u["isMfaEnabled"], u["passwordEnabled"])
		}
		if v, ok := u["mfaEnabled"]; ok {
			t.Errorf("%s: deprecated mfaEnabled %v on a user", arn, v)
		}
		if u["passwordLastUsed"] != nil {
			t.Errorf("%s: passwordLastUsed %v (never used)", arn, u["passwordLastUsed"])
		}
		if u["accessKey1Active"] != (arn == bot.Key()) {
			t.Errorf("%s: accessKey1Active %v", arn, u["accessKey1Active"])
		}
	}

	// Groups.
	var wantGroupAssigned, wantGroupInline []string
	for _, arn := range truthGroups {
		g, _ := job.Entity(arn)
		name := g.String("name")
		out := must(c.GetGroup(ctx, &sdkiam.GetGroupInput{GroupName: aws.String(name)})).Group
		if g["groupId"] != aws.ToString(out.GroupId) || g["path"] != "/" || g["createdOn"] != out.CreateDate.UnixMilli() || g["webLink"] != "https://console.aws.amazon.com/iam/home#/groups/"+name {
			t.Errorf("group %v", g)
		}
		for _, p := range must(c.ListAttachedGroupPolicies(ctx, &sdkiam.ListAttachedGroupPoliciesInput{GroupName: aws.String(name)})).AttachedPolicies {
			wantGroupAssigned = append(wantGroupAssigned, arn+" -> "+aws.ToString(p.PolicyArn))
		}
		for _, pn := range must(c.ListGroupPolicies(ctx, &sdkiam.ListGroupPoliciesInput{GroupName: aws.String(name)})).PolicyNames {
			key := iam.InlinePolicyKey(arn, pn)
			wantGroupInline = append(wantGroupInline, arn+" -> "+key)
			pe, _ := job.Entity(key)
			jsonEqual(t, key, pe.String("document"), groupDoc)
		}
	}
	if got := edges(job, "aws_iam_group_assigned_managed_policy"); !reflect.DeepEqual(got, sorted(wantGroupAssigned)) || len(got) != 2 {
		t.Errorf("group ASSIGNED managed\n%v\nwant\n%v", got, sorted(wantGroupAssigned))
	}
	if got := edges(job, "aws_iam_group_assigned_policy"); !reflect.DeepEqual(got, sorted(wantGroupInline)) || len(got) != 1 {
		t.Errorf("group ASSIGNED inline\n%v\nwant\n%v", got, sorted(wantGroupInline))
	}

	// Roles: trust documents, ListRoles extras, boundary, profiles, policies.
	var wantRoleAssigned, wantRoleInline []string
	for _, arn := range truthRoles {
		r, _ := job.Entity(arn)
		name := r.String("name")
		lr := listedRoles[arn]
		jsonEqual(t, arn+" trust", r.String("assumeRolePolicyDocument"), roleTrusts[name])
		if r["roleId"] != aws.ToString(lr.RoleId) || r["maxSessionDuration"] != int64(aws.ToInt32(lr.MaxSessionDuration)) || r["createdOn"] != lr.CreateDate.UnixMilli() ||
			r["webLink"] != "https://console.aws.amazon.com/iam/home#/roles/"+name {
			t.Errorf("role %s: %v", name, r)
		}
		for _, p := range must(c.ListAttachedRolePolicies(ctx, &sdkiam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})).AttachedPolicies {
			wantRoleAssigned = append(wantRoleAssigned, arn+" -> "+aws.ToString(p.PolicyArn))
		}
		for _, pn := range must(c.ListRolePolicies(ctx, &sdkiam.ListRolePoliciesInput{RoleName: aws.String(name)})).PolicyNames {
			key := iam.InlinePolicyKey(arn, pn)
			wantRoleInline = append(wantRoleInline, arn+" -> "+key)
			pe, _ := job.Entity(key)
			jsonEqual(t, key, pe.String("document"), roleDoc)
		}
	}
	svc, _ := job.Entity(aws.ToString(svcRole.Arn))
	if svc["description"] != "EC2 app role" || svc["maxSessionDuration"] != int64(7200) || svc["permissionsBoundaryArn"] != powerUser ||
		svc["tag.env"] != "prod" || svc["path"] != "/service/" || !reflect.DeepEqual(svc["instanceProfileArns"], []string{aws.ToString(ip.Arn)}) ||
		svc["lastUsedOn"] != nil {
		t.Errorf("svc role %v", svc)
	}
	if byRoot, _ := job.Entity("arn:aws:iam::" + acct + ":role/by-root"); byRoot["description"] != nil || byRoot["permissionsBoundaryArn"] != nil {
		t.Errorf("by-root role %v", byRoot)
	}
	if got := edges(job, "aws_iam_role_assigned_managed_policy"); !reflect.DeepEqual(got, sorted(wantRoleAssigned)) || len(got) != 2 {
		t.Errorf("role ASSIGNED managed\n%v\nwant\n%v", got, sorted(wantRoleAssigned))
	}
	if got := edges(job, "aws_iam_role_assigned_policy"); !reflect.DeepEqual(got, sorted(wantRoleInline)) || len(got) != 2 {
		t.Errorf("role ASSIGNED inline\n%v\nwant\n%v", got, sorted(wantRoleInline))
	}

	// Managed policies: the default version's document, counts, flags.
	for _, arn := range truthPolicies {
		p, _ := job.Entity(arn)
		gp := must(c.GetPolicy(ctx, &sdkiam.GetPolicyInput{PolicyArn: aws.String(arn)})).Policy
		ver := must(c.GetPolicyVersion(ctx, &sdkiam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: gp.DefaultVersionId})).PolicyVersion
		want, _ := iam.DecodeDocument(aws.ToString(ver.Document))
		jsonEqual(t, arn, p.String("document"), want)
		if p["defaultVersionId"] != aws.ToString(gp.DefaultVersionId) || p["attachmentCount"] != int64(aws.ToInt32(gp.AttachmentCount)) ||
			p["awsManaged"] != strings.HasPrefix(arn, "arn:aws:iam::aws:") || p["isAttachable"] != gp.IsAttachable || p["name"] != aws.ToString(gp.PolicyName) ||
			p["path"] != aws.ToString(gp.Path) || p["createdOn"] != gp.CreateDate.UnixMilli() || p["webLink"] != "https://console.aws.amazon.com/iam/home#/policies/"+arn {
			t.Errorf("policy %s: %v (want %+v)", arn, p, gp)
		}
	}
	unatt, _ := job.Entity(aws.ToString(unattached.Arn))
	jsonEqual(t, "cp-unattached default v2", unatt.String("document"), v2)
	// The version not in force is kept apart (iam:SetDefaultPolicyVersion).
	if ids, docs := unatt.Strings("nonDefaultVersionIds"), unatt.Strings("nonDefaultVersionDocuments"); !reflect.DeepEqual(ids, []string{"v1"}) || len(docs) != 1 {
		t.Errorf("cp-unattached non-default versions %v %v", ids, docs)
	} else {
		jsonEqual(t, "cp-unattached v1", docs[0], v1)
	}
	if cpe0, _ := job.Entity(aws.ToString(cp.Arn)); cpe0["nonDefaultVersionIds"] != nil {
		t.Errorf("cp-attached has one version, got non-default %v", cpe0["nonDefaultVersionIds"])
	}
	cpe, _ := job.Entity(aws.ToString(cp.Arn))
	jsonEqual(t, "cp-attached", cpe.String("document"), cpDoc)
	if cpe["attachmentCount"] != int64(3) {
		t.Errorf("cp-attached attachmentCount %v", cpe["attachmentCount"])
	}

	// Calls: one bulk read per kind, none per principal or policy.
	want := map[string]int{
		"iam:ListAccountAliases": 1, "iam:GetAccountAuthorizationDetails": 1, "iam:ListRoles": 1,
		"iam:GenerateCredentialReport": 2, "iam:GetCredentialReport": 1,
	}
	if !reflect.DeepEqual(calls, want) {
		t.Errorf("calls %v want %v", calls, want)
	}
}

// retryMoto500 retries a seeding call that moto answered with HTTP 500: its
// IAM backend occasionally fails under concurrent writes. A retry that finds
// the entity already created (the failed attempt did land) goes on: the jobs
// pass their create calls through created().
func retryMoto500(f func() error) error {
	var err error
	for attempt := 0; attempt < 4; attempt++ {
		err = f()
		var re *smithyhttp.ResponseError
		if err == nil || !errors.As(err, &re) || re.HTTPStatusCode() != 500 {
			break
		}
	}
	return err
}

// created treats "already exists" as success, so a retried job is idempotent.
func created(err error) error {
	if awsclient.ErrorCode(err) == "EntityAlreadyExists" {
		return nil
	}
	return err
}

// seedScale creates users and roles concurrently with a bounded worker pool.
func seedScale(t *testing.T, c *sdkiam.Client, users, roles int) {
	ctx := context.Background()
	jobs := make(chan func() error)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range jobs {
				if err := retryMoto500(f); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	tr := trust(map[string]any{"Service": "lambda.amazonaws.com"}, "sts:AssumeRole")
	for i := 0; i < users; i++ {
		jobs <- func() error {
			name := fmt.Sprintf("user%04d@example.org", i)
			if _, err := c.CreateUser(ctx, &sdkiam.CreateUserInput{UserName: aws.String(name), Tags: []types.Tag{{Key: aws.String("n"), Value: aws.String(fmt.Sprint(i))}}}); created(err) != nil {
				return err
			}
			if i%5 == 0 {
				_, err := c.AddUserToGroup(ctx, &sdkiam.AddUserToGroupInput{GroupName: aws.String("g"), UserName: aws.String(name)})
				return err
			}
			return nil
		}
	}
	for i := 0; i < roles; i++ {
		jobs <- func() error {
			_, err := c.CreateRole(ctx, &sdkiam.CreateRoleInput{RoleName: aws.String(fmt.Sprintf("role-%04d", i)), AssumeRolePolicyDocument: aws.String(tr)})
			return created(err)
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		t.Fatal(firstErr)
	}
}

func TestIAMCallsDoNotGrowWithAccountSize(t *testing.T) {
	t.Parallel()
	srv := testbed.Server(t)
	ctx := context.Background()
	run := func(users, roles int) (map[string]int, *engine.Result) {
		acct := testbed.NewAccountID(t)
		c := sdkiam.NewFromConfig(srv.SeedConfig(t, acct, "us-east-1"))
		must(c.CreateGroup(ctx, &sdkiam.CreateGroupInput{GroupName: aws.String("g")}))
		seedScale(t, c, users, roles)
		sess := srv.Session(t, acct)
		sess.Regions = []string{"us-east-1"}
		res, calls := collect(t, sess, iam.Steps(sess))
		for _, s := range res.Steps {
			if s.Status != engine.StatusSuccess {
				t.Fatalf("step %s: %s %s", s.ID, s.Status, s.Error)
			}
		}
		return calls, res
	}
	small, smallRes := run(2, 2)
	large, largeRes := run(500, 500)
	if !reflect.DeepEqual(small, large) {
		t.Fatalf("IAM calls grow with the account: small %v large %v", small, large)
	}
	t.Logf("calls for 2 users/2 roles and for 500 users/500 roles: %v", large)
	for res, n := range map[*engine.Result]int{smallRes: 2, largeRes: 500} {
		job := res.Job
		if len(job.EntitiesOfType(iam.UserType)) != n || len(job.EntitiesOfType(iam.RoleType)) != n ||
			len(job.RelationshipsOfType(iam.UserIsPersonType)) != n || len(job.RelationshipsOfType("aws_iam_group_has_user")) != (n+4)/5 {
			t.Errorf("%d: users %d roles %d IS %d HAS %d", n, len(job.EntitiesOfType(iam.UserType)), len(job.EntitiesOfType(iam.RoleType)),
				len(job.RelationshipsOfType(iam.UserIsPersonType)), len(job.RelationshipsOfType("aws_iam_group_has_user")))
		}
		for _, u := range job.EntitiesOfType(iam.UserType) {
			if u["isMfaEnabled"] != false {
				t.Fatalf("%s isMfaEnabled %v: credential report not applied", u.Key(), u["isMfaEnabled"])
			}
		}
	}
}
