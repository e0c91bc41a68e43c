package iam

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
)

var testAcct = Account{Partition: "aws", ID: "111122223333"}

// awsQueryEscape encodes the way IAM does on the wire (RFC 3986: '+' → %2B,
// space → %20).
func awsQueryEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

func TestDecodeDocument(t *testing.T) {
	plus := `{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::a+b/100%/x y"}]}`
	cases := []struct {
		name, in, want string
		ok             bool
	}{
		{"plain JSON kept as is (literal + and %)", plus, plus, true},
		{"plain JSON with leading whitespace", "\n  " + plus, plus, true},
		{"URL-encoded (AWS form) decoded, + stays +", awsQueryEscape(plus), plus, true},
		{"URL-encoded with literal + (IAM leaves some + unescaped)", "%7B%22a%22%3A%22x+y%22%7D", `{"a":"x+y"}`, true},
		{"lower-case escapes", "%7b%22a%22%3a1%7d", `{"a":1}`, true},
		{"empty", "", "", true},
		{"invalid escape kept raw", "%ZZnot-a-doc", "%ZZnot-a-doc", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := DecodeDocument(c.in)
			if got != c.want || ok != c.ok {
				t.Fatalf("DecodeDocument(%q) = %q,%v want %q,%v", c.in, got, ok, c.want, c.ok)
			}
		})
	}
	// The decoded form of an encoded document parses and equals the original.
	got, _ := DecodeDocument(awsQueryEscape(plus))
	var a, b any
	if json.Unmarshal([]byte(got), &a) != nil || json.Unmarshal([]byte(plus), &b) != nil || !reflect.DeepEqual(a, b) {
		t.Fatalf("round trip differs: %s", got)
	}
}

func TestEmailAddress(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"a.b+c@example.org", "a.b+c@example.org", true},
		{"Jane.Doe@Example.COM", "jane.doe@example.com", true},
		{"build-bot", "", false},
		{"x@y", "", false},
		{"x@y.", "", false},
		{"x@.y", "", false},
		{"Jane <jane@example.com>", "", false},
		{"<jane@example.com>", "", false},
		{"jane@example.com (Jane)", "", false},
		{`"jane doe"@example.com`, "", false},
		{"jane@@example.com", "", false},
		{"@example.com", "", false},
		{"jane@example.com ", "", false},
		{"", "", false},
		{"a=b_c-d@sub.example.co.uk", "a=b_c-d@sub.example.co.uk", true},
	}
	for _, c := range cases {
		got, ok := EmailAddress(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("EmailAddress(%q) = %q,%v want %q,%v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func tag(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }

func TestUserEmails(t *testing.T) {
	cases := []struct {
		name string
		user string
		tags []types.Tag
		want []string
	}{
		{"name is email", "Jane.Doe@Example.COM", nil, []string{"jane.doe@example.com"}},
		{"name not email, Email tag", "build-bot", []types.Tag{tag("Email", "Ops@Example.org")}, []string{"ops@example.org"}},
		{"tag key case-insensitive", "build-bot", []types.Tag{tag("EMAIL", " ops@example.org ")}, []string{"ops@example.org"}},
		{"tag not an email", "build-bot", []types.Tag{tag("email", "ops team")}, nil},
		{"same address twice", "a@example.org", []types.Tag{tag("Email", "A@example.org")}, []string{"a@example.org"}},
		{"two addresses", "a@example.org", []types.Tag{tag("Email", "b@example.org")}, []string{"a@example.org", "b@example.org"}},
		{"neither", "x@y", []types.Tag{tag("Owner", "a@example.org")}, nil},
	}
	for _, c := range cases {
		if got := UserEmails(c.user, c.tags); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: UserEmails = %v want %v", c.name, got, c.want)
		}
	}
}

// absent in a want map: the property must be omitted (docs/contract.md §2:
// a property IAM gives no value for is not written as null unless its class
// requires it).
type absentT struct{}

var absent any = absentT{}

func TestNewUserEntityAndIsPerson(t *testing.T) {
	created := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		name      string
		in        types.UserDetail
		wantProps map[string]any
		wantIS    []string
	}{
		{
			name: "email user with boundary and tags",
			in: types.UserDetail{
				UserName: aws.String("Jane.Doe@Example.COM"), UserId: aws.String("AIDAEXAMPLE"), Path: aws.String("/staff/"),
				Arn: aws.String("arn:aws:iam::111122223333:user/staff/Jane.Doe@Example.COM"), CreateDate: &created,
				PermissionsBoundary: &types.AttachedPermissionsBoundary{PermissionsBoundaryArn: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")},
				Tags:                []types.Tag{tag("team", "sec"), tag("cost_center", "42")},
			},
			wantProps: map[string]any{
				"_key": "arn:aws:iam::111122223333:user/staff/Jane.Doe@Example.COM", "_type": UserType, "_class": []string{"User"},
				"name": "Jane.Doe@Example.COM", "username": []string{"Jane.Doe@Example.COM"}, "shortLoginId": []string{"Jane.Doe"},
				"userId": "AIDAEXAMPLE", "path": "/staff/",
				"createdOn": created.UnixMilli(), "permissionsBoundaryArn": "arn:aws:iam::aws:policy/PowerUserAccess",
				"email": []string{"jane.doe@example.com"}, "tag.team": "sec", "tag.cost-center": "42",
				"tagKeys": []string{"tag.cost-center=cost_center"}, "accountId": "111122223333",
				"firstName": nil, "lastName": nil,
				"webLink": "https://console.aws.amazon.com/iam/home#/users/Jane.Doe@Example.COM",
				// Set by the credential report, not here; mfaEnabled is deprecated in the data model.
				"isMfaEnabled": absent, "mfaEnabled": absent, "emails": absent,
			},
			wantIS: []string{"jane.doe@example.com"},
		},
		{
			name: "non-email user without boundary",
			in: types.UserDetail{UserName: aws.String("build-bot"), UserId: aws.String("AIDB"), Path: aws.String("/"),
				Arn: aws.String("arn:aws:iam::111122223333:user/build-bot")},
			wantProps: map[string]any{"email": nil, "username": []string{"build-bot"}, "shortLoginId": []string{"build-bot"},
				"permissionsBoundaryArn": absent, "createdOn": absent, "passwordLastUsed": absent, "tagKeys": absent},
		},
		{
			name: "Email tag",
			in: types.UserDetail{UserName: aws.String("x@y"), Arn: aws.String("arn:aws:iam::111122223333:user/x@y"),
				Tags: []types.Tag{tag("Email", "X@Corp.example")}},
			wantProps: map[string]any{"email": []string{"x@corp.example"}, "tag.Email": "X@Corp.example"},
			wantIS:    []string{"x@corp.example"},
		},
		{
			name: "e-mail name and another Email tag: both in the email list",
			in: types.UserDetail{UserName: aws.String("ann@example.com"), Arn: aws.String("arn:aws:iam::111122223333:user/ann@example.com"),
				Tags: []types.Tag{tag("email", "Ann.Other@Example.com")}},
			wantProps: map[string]any{"email": []string{"ann@example.com", "ann.other@example.com"}, "shortLoginId": []string{"ann"}, "emails": absent},
			wantIS:    []string{"ann@example.com", "ann.other@example.com"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := NewUserEntity(testAcct, c.in)
			if err := schema.Validate(e); err != nil {
				t.Fatal(err)
			}
			for k, want := range c.wantProps {
				got, ok := e[k]
				if want == absent {
					if ok {
						t.Errorf("%s = %#v, want it omitted", k, got)
					}
					continue
				}
				if !ok || !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %#v (present %v), want %#v", k, got, ok, want)
				}
			}
			rels := UserIsPerson(e, UserEmails(aws.ToString(c.in.UserName), c.in.Tags))
			if len(rels) != len(c.wantIS) {
				t.Fatalf("IS edges %d want %d", len(rels), len(c.wantIS))
			}
			for i, r := range rels {
				m := r.Mapping()
				want := &graph.Mapping{
					RelationshipDirection: "FORWARD", SourceEntityKey: e.Key(),
					TargetFilterKeys:   [][]string{{"_class", "email"}},
					TargetEntity:       map[string]any{"_class": "Person", "email": c.wantIS[i], "displayName": c.wantIS[i]},
					SkipTargetCreation: true,
				}
				if r.Type() != "aws_iam_user_is_person" || r.Class() != "IS" || !reflect.DeepEqual(m, want) {
					t.Errorf("IS edge %v mapping %+v", r, m)
				}
			}
		})
	}
}

// AWS tag keys outside the data model's property-name set are written under
// graph.TagProperty's spelling, and the AWS keys are kept verbatim in
// tagKeys: Tags reads every tag back by its AWS key.
func TestTagKeysAreStoredVerbatim(t *testing.T) {
	e := NewUserEntity(testAcct, types.UserDetail{UserName: aws.String("u"), Arn: aws.String("arn:aws:iam::111122223333:user/u"),
		Tags: []types.Tag{tag("aws:cloudformation:stack-name", "s"), tag("Name", "Display"), tag("cost_center", "42")}})
	if err := schema.Validate(e); err != nil {
		t.Fatalf("entity with AWS tag keys rejected: %v", err)
	}
	if e["tag.aws.cloudformation.stack-name"] != "s" || e["tag.cost-center"] != "42" || e["tag.Name"] != "Display" || e["displayName"] != "Display" {
		t.Fatalf("tag properties: %v", e)
	}
	if want := map[string]string{"aws:cloudformation:stack-name": "s", "Name": "Display", "cost_center": "42"}; !reflect.DeepEqual(e.Tags(), want) {
		t.Fatalf("AWS tag keys not kept verbatim: Tags() = %v, want %v (entity %v)", e.Tags(), want, e)
	}
}

func TestNewRoleEntity(t *testing.T) {
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringLike":{"sts:ExternalId":"a+b%c"}}}]}`
	used := time.Date(2025, 5, 6, 7, 8, 9, 0, time.UTC)
	base := types.RoleDetail{
		RoleName: aws.String("app"), RoleId: aws.String("AROAEXAMPLE"), Path: aws.String("/svc/"),
		Arn: aws.String("arn:aws:iam::111122223333:role/svc/app"), AssumeRolePolicyDocument: aws.String(awsQueryEscape(trust)),
		RoleLastUsed:        &types.RoleLastUsed{LastUsedDate: &used, Region: aws.String("eu-west-1")},
		InstanceProfileList: []types.InstanceProfile{{Arn: aws.String("arn:aws:iam::111122223333:instance-profile/app")}},
		PermissionsBoundary: &types.AttachedPermissionsBoundary{PermissionsBoundaryArn: aws.String("arn:aws:iam::111122223333:policy/b")},
		Tags:                []types.Tag{tag("env", "prod")},
	}
	plain := base
	plain.AssumeRolePolicyDocument = aws.String(trust)
	// The external id is a shared secret: never stored, also not inside the trust policy.
	stored := strings.Replace(trust, "a+b%c", "REDACTED", 1)
	cases := []struct {
		name  string
		in    types.RoleDetail
		extra *types.Role
		want  map[string]any
	}{
		{"encoded trust, ListRoles extras", base, &types.Role{Description: aws.String("the app"), MaxSessionDuration: aws.Int32(7200)}, map[string]any{
			"assumeRolePolicyDocument": stored, "description": "the app", "maxSessionDuration": int64(7200), "roleId": "AROAEXAMPLE",
			"lastUsedOn": used.UnixMilli(), "lastUsedRegion": "eu-west-1", "instanceProfileArns": []string{"arn:aws:iam::111122223333:instance-profile/app"},
			"permissionsBoundaryArn": "arn:aws:iam::111122223333:policy/b", "tag.env": "prod", "path": "/svc/",
			"webLink": "https://console.aws.amazon.com/iam/home#/roles/app", "_class": []string{"AccessRole"},
		}},
		{"plain trust (moto), no ListRoles", plain, nil, map[string]any{
			"assumeRolePolicyDocument": stored, "description": absent, "maxSessionDuration": absent,
		}},
		{"never used, no profiles", types.RoleDetail{RoleName: aws.String("x"), Arn: aws.String("arn:aws:iam::111122223333:role/x"), RoleLastUsed: &types.RoleLastUsed{}}, nil, map[string]any{
			"lastUsedOn": absent, "lastUsedRegion": absent, "instanceProfileArns": []string{}, "permissionsBoundaryArn": absent, "assumeRolePolicyDocument": absent,
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := NewRoleEntity(testAcct, c.in, c.extra)
			if err := schema.Validate(e); err != nil {
				t.Fatal(err)
			}
			for k, want := range c.want {
				got, ok := e[k]
				if want == absent {
					if ok {
						t.Errorf("%s = %#v, want it omitted", k, got)
					}
					continue
				}
				if !ok || !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %#v (present %v), want %#v", k, got, ok, want)
				}
			}
		})
	}
}

func TestNewManagedPolicyEntity(t *testing.T) {
	v1 := `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	v2 := `{"Statement":[{"Effect":"Deny","Action":"s3:Delete+*","Resource":"arn:aws:s3:::x%y"}]}`
	cases := []struct {
		name string
		in   types.ManagedPolicyDetail
		want map[string]any
	}{
		{"customer policy, default is v2 (not first)", types.ManagedPolicyDetail{
			Arn: aws.String("arn:aws:iam::111122223333:policy/team/p1"), PolicyName: aws.String("p1"), PolicyId: aws.String("ANPA1"),
			DefaultVersionId: aws.String("v2"), AttachmentCount: aws.Int32(3), IsAttachable: true, Path: aws.String("/team/"),
			PolicyVersionList: []types.PolicyVersion{{VersionId: aws.String("v1"), Document: aws.String(awsQueryEscape(v1))}, {VersionId: aws.String("v2"), IsDefaultVersion: true, Document: aws.String(awsQueryEscape(v2))}},
		}, map[string]any{"document": v2, "nonDefaultVersionIds": []string{"v1"}, "nonDefaultVersionDocuments": []string{v1},
			"awsManaged": false, "attachmentCount": int64(3), "policyId": "ANPA1", "isAttachable": true,
			"defaultVersionId": "v2", "path": "/team/", "name": "p1", "webLink": "https://console.aws.amazon.com/iam/home#/policies/arn:aws:iam::111122223333:policy/team/p1"}},
		{"AWS policy without PolicyName (moto)", types.ManagedPolicyDetail{
			Arn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess"), DefaultVersionId: aws.String("v9"), AttachmentCount: aws.Int32(1),
			PolicyVersionList: []types.PolicyVersion{{VersionId: aws.String("v8"), Document: aws.String(v2)}, {VersionId: aws.String("v9"), Document: aws.String(v1)}},
		}, map[string]any{"document": v1, "nonDefaultVersionIds": absent, "nonDefaultVersionDocuments": absent, "awsManaged": true, "name": "ReadOnlyAccess", "policyName": "ReadOnlyAccess", "policyId": absent}},
		{"no versions listed", types.ManagedPolicyDetail{Arn: aws.String("arn:aws:iam::111122223333:policy/p")}, map[string]any{"document": absent, "attachmentCount": absent, "nonDefaultVersionIds": absent}},
		{"only the default version", types.ManagedPolicyDetail{
			Arn: aws.String("arn:aws:iam::111122223333:policy/p"), DefaultVersionId: aws.String("v1"),
			PolicyVersionList: []types.PolicyVersion{{VersionId: aws.String("v1"), IsDefaultVersion: true, Document: aws.String(v1)}},
		}, map[string]any{"document": v1, "nonDefaultVersionIds": absent, "nonDefaultVersionDocuments": absent}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := NewManagedPolicyEntity(testAcct, c.in)
			if err := schema.Validate(e); err != nil {
				t.Fatal(err)
			}
			for k, want := range c.want {
				got, ok := e[k]
				if want == absent {
					if ok {
						t.Errorf("%s = %#v, want it omitted", k, got)
					}
					continue
				}
				if !ok || !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %#v (present %v), want %#v", k, got, ok, want)
				}
			}
		})
	}
}

func TestInlinePolicyKey(t *testing.T) {
	// A role whose path mimics the separator cannot collide with an inline key.
	role := "arn:aws:iam::111122223333:role/a/inline-policy/b"
	k := InlinePolicyKey("arn:aws:iam::111122223333:role/a", "b")
	if k == role || k == InlinePolicyKey("arn:aws:iam::111122223333:user/a", "b") {
		t.Fatalf("key collision: %s", k)
	}
	e := NewInlinePolicyEntity(testAcct, RolePolicyType, graph.NewEntity("arn:aws:iam::111122223333:role/r", RoleType, []string{"AccessRole"}, "r"),
		types.PolicyDetail{PolicyName: aws.String("p"), PolicyDocument: aws.String("%7B%22a%22%3A%22b%2Bc%25%22%7D")})
	want := map[string]any{"_key": "arn:aws:iam::111122223333:role/r|inline-policy|p", "_type": "aws_iam_role_policy", "_class": []string{"AccessPolicy"},
		"policyName": "p", "principalArn": "arn:aws:iam::111122223333:role/r", "document": `{"a":"b+c%"}`,
		"webLink": "https://console.aws.amazon.com/iam/home#/roles/r"}
	for k, w := range want {
		if !reflect.DeepEqual(e[k], w) {
			t.Errorf("%s = %#v want %#v", k, e[k], w)
		}
	}
}

func TestConvertSelectsPoliciesAndEdges(t *testing.T) {
	d := &Details{
		Groups: []types.GroupDetail{{GroupName: aws.String("admins"), Arn: aws.String("arn:aws:iam::111122223333:group/admins"),
			AttachedManagedPolicies: []types.AttachedPolicy{{PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}},
			GroupPolicyList:         []types.PolicyDetail{{PolicyName: aws.String("gp"), PolicyDocument: aws.String("{}")}}}},
		Users: []types.UserDetail{{UserName: aws.String("a@example.org"), Arn: aws.String("arn:aws:iam::111122223333:user/a@example.org"),
			GroupList:               []string{"admins", "ghost"},
			AttachedManagedPolicies: []types.AttachedPolicy{{PolicyArn: aws.String("arn:aws:iam::111122223333:policy/cp")}, {PolicyArn: aws.String("arn:aws:iam::aws:policy/Missing"), PolicyName: aws.String("Missing")}},
			UserPolicyList:          []types.PolicyDetail{{PolicyName: aws.String("up"), PolicyDocument: aws.String("{}")}}}},
		Roles: []types.RoleDetail{{RoleName: aws.String("r"), Arn: aws.String("arn:aws:iam::111122223333:role/r"),
			PermissionsBoundary: &types.AttachedPermissionsBoundary{PermissionsBoundaryArn: aws.String("arn:aws:iam::aws:policy/Boundary")},
			RolePolicyList:      []types.PolicyDetail{{PolicyName: aws.String("rp"), PolicyDocument: aws.String("{}")}}}},
		Policies: []types.ManagedPolicyDetail{
			{Arn: aws.String("arn:aws:iam::111122223333:policy/cp"), AttachmentCount: aws.Int32(1)},
			{Arn: aws.String("arn:aws:iam::111122223333:policy/unused"), AttachmentCount: aws.Int32(0)},
			{Arn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess"), AttachmentCount: aws.Int32(0)}, // referenced although the count says 0
			{Arn: aws.String("arn:aws:iam::aws:policy/Boundary")},
			{Arn: aws.String("arn:aws:iam::aws:policy/Counted"), AttachmentCount: aws.Int32(2)},
			{Arn: aws.String("arn:aws:iam::aws:policy/NotAttached"), AttachmentCount: aws.Int32(0)},
		},
	}
	g := Convert(testAcct, d, nil)
	byType := map[string][]string{}
	for _, e := range g.Entities {
		if err := schema.Validate(e); err != nil {
			t.Fatal(err)
		}
		byType[e.Type()] = append(byType[e.Type()], e.Key())
	}
	wantPolicies := []string{"arn:aws:iam::111122223333:policy/cp", "arn:aws:iam::111122223333:policy/unused", "arn:aws:iam::aws:policy/AdministratorAccess",
		"arn:aws:iam::aws:policy/Boundary", "arn:aws:iam::aws:policy/Counted", "arn:aws:iam::aws:policy/Missing"}
	if !reflect.DeepEqual(byType[ManagedPolicyType], wantPolicies) {
		t.Fatalf("managed policies %v want %v", byType[ManagedPolicyType], wantPolicies)
	}
	if g.Counts["awsManagedPoliciesNotAttached"] != 1 || g.Counts["managedPoliciesWithoutDetails"] != 1 || g.Counts["membershipsOfUndescribedGroups"] != 1 {
		t.Fatalf("counts %v", g.Counts)
	}
	var rels []string
	for _, r := range g.Relationships {
		if r.Mapping() != nil {
			rels = append(rels, r.Type()+" "+r.Mapping().TargetEntity["email"].(string))
			continue
		}
		rels = append(rels, r.Type()+" "+r.FromKey()+" -> "+r.ToKey())
	}
	want := []string{
		"aws_iam_group_assigned_managed_policy arn:aws:iam::111122223333:group/admins -> arn:aws:iam::aws:policy/AdministratorAccess",
		"aws_iam_group_assigned_policy arn:aws:iam::111122223333:group/admins -> arn:aws:iam::111122223333:group/admins|inline-policy|gp",
		"aws_iam_group_has_user arn:aws:iam::111122223333:group/admins -> arn:aws:iam::111122223333:user/a@example.org",
		"aws_iam_user_assigned_managed_policy arn:aws:iam::111122223333:user/a@example.org -> arn:aws:iam::111122223333:policy/cp",
		"aws_iam_user_assigned_managed_policy arn:aws:iam::111122223333:user/a@example.org -> arn:aws:iam::aws:policy/Missing",
		"aws_iam_user_assigned_policy arn:aws:iam::111122223333:user/a@example.org -> arn:aws:iam::111122223333:user/a@example.org|inline-policy|up",
		"aws_iam_user_is_person a@example.org",
		"aws_iam_role_assigned_policy arn:aws:iam::111122223333:role/r -> arn:aws:iam::111122223333:role/r|inline-policy|rp",
	}
	if !reflect.DeepEqual(rels, want) {
		t.Fatalf("relationships\n%s\nwant\n%s", strings.Join(rels, "\n"), strings.Join(want, "\n"))
	}
}

func TestCredentialReportRows(t *testing.T) {
	csv := "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n" +
		"<root_account>,arn:aws:iam::111122223333:root,2020-01-01T00:00:00+00:00,not_supported,2024-02-03T04:05:06+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,true,2021-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A\n" +
		"jane,arn:aws:iam::111122223333:user/jane,2020-01-01T00:00:00+00:00,true,2024-02-03T04:05:06+00:00,2023-01-01T00:00:00+00:00,N/A,false,true,2022-01-01T00:00:00+00:00,2024-03-01T10:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n" +
		"bot,arn:aws:iam::111122223333:user/bot,2020-01-01T00:00:00+00:00,false,N/A,N/A,N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
	rows, err := ParseCredentialReport([]byte(csv))
	if err != nil || len(rows) != 3 {
		t.Fatalf("rows %d err %v", len(rows), err)
	}
	ts := func(s string) int64 { x, _ := time.Parse(time.RFC3339, s); return x.UnixMilli() }
	cases := []struct {
		name string
		got  map[string]any
		want map[string]any
	}{
		{"root", RootReportProperties(rows[0]), map[string]any{"mfaEnabled": true, "rootUserAccessKeyEnabled": true, "rootUserPasswordLastUsed": ts("2024-02-03T04:05:06Z")}},
		{"password user with key", UserReportProperties(rows[1]), map[string]any{
			"passwordEnabled": true, "passwordLastUsed": ts("2024-02-03T04:05:06Z"), "passwordLastChanged": ts("2023-01-01T00:00:00Z"), "isMfaEnabled": false,
			"accessKey1Active": true, "accessKey1LastRotatedOn": ts("2022-01-01T00:00:00Z"), "accessKey1LastUsedOn": ts("2024-03-01T10:00:00Z"),
			"accessKey1LastUsedRegion": "us-east-1", "accessKey1LastUsedService": "s3",
			"accessKey2Active": false, "accessKey2LastRotatedOn": nil, "accessKey2LastUsedOn": nil, "accessKey2LastUsedRegion": nil, "accessKey2LastUsedService": nil,
		}},
		{"no password", UserReportProperties(rows[2]), map[string]any{"passwordEnabled": false, "passwordLastUsed": nil, "isMfaEnabled": true}},
	}
	for _, c := range cases {
		for k, w := range c.want {
			if g, ok := c.got[k]; !ok || !reflect.DeepEqual(g, w) {
				t.Errorf("%s: %s = %#v want %#v", c.name, k, g, w)
			}
		}
	}
	// Users carry isMfaEnabled (the data model's User.mfaEnabled is
	// deprecated); the account keeps its own mfaEnabled.
	for _, r := range rows[1:] {
		if v, ok := UserReportProperties(r)["mfaEnabled"]; ok {
			t.Errorf("user %s: deprecated mfaEnabled set (%v)", r["user"], v)
		}
	}
}
