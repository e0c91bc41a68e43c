package iam_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/service/iam"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

// gaadFake answers iam:GetAccountAuthorizationDetails on the wire with canned
// pages (selected by the request's Marker), optionally answers other actions
// with an AWS error, and passes every other request to moto. It is the whole
// fake: the SDK client, its deserializer, the paginator and the step run for real.
type gaadFake struct {
	next    aws.HTTPClient
	pages   map[string]string // Marker ("" for the first page) → result XML; nil: GAAD goes to moto
	denied  map[string]bool   // actions answered with 403 AccessDenied
	mu      sync.Mutex
	markers []string
}

func xmlResponse(req *http.Request, status int, xml string) *http.Response {
	return &http.Response{
		StatusCode: status, Status: fmt.Sprintf("%d %s", status, http.StatusText(status)), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Content-Type": []string{"text/xml"}},
		Body:    io.NopCloser(strings.NewReader(xml)),
		Request: req, ContentLength: int64(len(xml)),
	}
}

func (f *gaadFake) Do(req *http.Request) (*http.Response, error) {
	if req.Body == nil {
		return f.next.Do(req)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	form, _ := url.ParseQuery(string(body))
	action := form.Get("Action")
	if f.denied[action] {
		return xmlResponse(req, 403, `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: iam:`+action+`</Message></Error><RequestId>fake</RequestId></ErrorResponse>`), nil
	}
	if action != "GetAccountAuthorizationDetails" || f.pages == nil {
		return f.next.Do(req)
	}
	marker := form.Get("Marker")
	f.mu.Lock()
	f.markers = append(f.markers, marker)
	f.mu.Unlock()
	page, ok := f.pages[marker]
	if !ok {
		return nil, fmt.Errorf("fake: unexpected marker %q", marker)
	}
	return xmlResponse(req, 200, `<GetAccountAuthorizationDetailsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetAccountAuthorizationDetailsResult>`+
		page+`</GetAccountAuthorizationDetailsResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></GetAccountAuthorizationDetailsResponse>`), nil
}

// fakeGAADRun collects an account whose GAAD answers come from pages.
func fakeGAADRun(t *testing.T, acct string, pages map[string]string) (*engine.Result, map[string]int, *gaadFake) {
	t.Helper()
	srv := testbed.Server(t)
	sess := srv.Session(t, acct)
	sess.Regions = []string{"us-east-1"}
	fake := &gaadFake{next: sess.Config.HTTPClient, pages: pages}
	sess.Config.HTTPClient = fake
	steps := iam.Steps(sess)[:1] // fetch-iam: the users below are not in moto's credential report
	res, calls := collect(t, sess, steps)
	return res, calls, fake
}

func enc(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }

// TestGAADPagination_WireFakeBecauseMotoDoesNotPaginateGAAD checks that every
// page (IsTruncated/Marker) is read and that references across pages (a user
// on page 1 in a group and attached to policies described on pages 2 and 3)
// resolve. moto ignores MaxItems and always answers in one page.
func TestGAADPagination_WireFakeBecauseMotoDoesNotPaginateGAAD(t *testing.T) {
	t.Parallel()
	acct := testbed.NewAccountID(t)
	a := "arn:aws:iam::" + acct + ":"
	userDoc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::a+b%c"}]}`
	pages := map[string]string{
		"": `<IsTruncated>true</IsTruncated><Marker>page-2</Marker>
<UserDetailList><member><Path>/</Path><UserName>ann@example.com</UserName><UserId>AIDAANN</UserId><Arn>` + a + `user/ann@example.com</Arn>
<CreateDate>2024-01-02T03:04:05Z</CreateDate><GroupList><member>team</member></GroupList>
<AttachedManagedPolicies><member><PolicyName>cp</PolicyName><PolicyArn>` + a + `policy/cp</PolicyArn></member><member><PolicyName>ReadOnlyAccess</PolicyName><PolicyArn>arn:aws:iam::aws:policy/ReadOnlyAccess</PolicyArn></member></AttachedManagedPolicies>
<UserPolicyList><member><PolicyName>inline</PolicyName><PolicyDocument>` + enc(userDoc) + `</PolicyDocument></member></UserPolicyList></member></UserDetailList>`,
		"page-2": `<IsTruncated>true</IsTruncated><Marker>page-3</Marker>
<GroupDetailList><member><Path>/</Path><GroupName>team</GroupName><GroupId>AGPATEAM</GroupId><Arn>` + a + `group/team</Arn><CreateDate>2024-01-02T03:04:05Z</CreateDate></member></GroupDetailList>
<RoleDetailList><member><Path>/</Path><RoleName>r</RoleName><RoleId>AROAR</RoleId><Arn>` + a + `role/r</Arn><CreateDate>2024-01-02T03:04:05Z</CreateDate>
<AssumeRolePolicyDocument>` + enc(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"`+a+`root"},"Action":"sts:AssumeRole"}]}`) + `</AssumeRolePolicyDocument>
<RoleLastUsed><LastUsedDate>2025-01-01T00:00:00Z</LastUsedDate><Region>eu-west-1</Region></RoleLastUsed></member></RoleDetailList>
<Policies><member><PolicyName>cp</PolicyName><PolicyId>ANPACP</PolicyId><Arn>` + a + `policy/cp</Arn><Path>/</Path><DefaultVersionId>v1</DefaultVersionId><AttachmentCount>1</AttachmentCount><PermissionsBoundaryUsageCount>0</PermissionsBoundaryUsageCount><IsAttachable>true</IsAttachable>
<PolicyVersionList><member><Document>` + enc(`{"Statement":[]}`) + `</Document><VersionId>v1</VersionId><IsDefaultVersion>true</IsDefaultVersion></member></PolicyVersionList></member></Policies>`,
		"page-3": `<IsTruncated>false</IsTruncated>
<Policies><member><PolicyName>ReadOnlyAccess</PolicyName><PolicyId>ANPARO</PolicyId><Arn>arn:aws:iam::aws:policy/ReadOnlyAccess</Arn><Path>/</Path><DefaultVersionId>v2</DefaultVersionId><AttachmentCount>1</AttachmentCount><IsAttachable>true</IsAttachable>
<PolicyVersionList><member><Document>` + enc(`{"Statement":[{"Effect":"Allow","Action":"*:Get*","Resource":"*"}]}`) + `</Document><VersionId>v2</VersionId><IsDefaultVersion>true</IsDefaultVersion></member></PolicyVersionList></member></Policies>`,
	}
	res, calls, fake := fakeGAADRun(t, acct, pages)
	for _, s := range res.Steps {
		if s.Status != engine.StatusSuccess {
			t.Fatalf("step %s: %s %s %+v", s.ID, s.Status, s.Error, res.Warnings)
		}
	}
	if !reflect.DeepEqual(fake.markers, []string{"", "page-2", "page-3"}) || calls["iam:GetAccountAuthorizationDetails"] != 3 {
		t.Fatalf("markers %q calls %v", fake.markers, calls)
	}
	job := res.Job
	want := map[string]int{iam.UserType: 1, iam.GroupType: 1, iam.RoleType: 1, iam.ManagedPolicyType: 2, iam.UserPolicyType: 1}
	for typ, n := range want {
		if got := len(job.EntitiesOfType(typ)); got != n {
			t.Errorf("%s: %d entities want %d", typ, got, n)
		}
	}
	user := a + "user/ann@example.com"
	for typ, want := range map[string][]string{
		"aws_iam_group_has_user":               {a + "group/team -> " + user},
		"aws_iam_user_assigned_managed_policy": sorted([]string{user + " -> " + a + "policy/cp", user + " -> arn:aws:iam::aws:policy/ReadOnlyAccess"}),
		"aws_iam_user_assigned_policy":         {user + " -> " + iam.InlinePolicyKey(user, "inline")},
	} {
		if got := edges(job, typ); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v want %v", typ, got, want)
		}
	}
	cp, _ := job.Entity(a + "policy/cp")
	ro, _ := job.Entity("arn:aws:iam::aws:policy/ReadOnlyAccess")
	if cp["policyId"] != "ANPACP" || cp["name"] != "cp" || cp["permissionsBoundaryUsageCount"] != int64(0) || ro["policyId"] != "ANPARO" || ro["awsManaged"] != true {
		t.Errorf("policies %v %v", cp, ro)
	}
	inline, _ := job.Entity(iam.InlinePolicyKey(user, "inline"))
	jsonEqual(t, "inline", inline.String("document"), userDoc)
	r, _ := job.Entity(a + "role/r")
	if r["lastUsedRegion"] != "eu-west-1" || r["lastUsedOn"] != int64(1735689600000) || !strings.Contains(r.String("assumeRolePolicyDocument"), `"AWS":"`+a+`root"`) {
		t.Errorf("role %v", r)
	}
	if len(job.RelationshipsOfType(iam.UserIsPersonType)) != 1 {
		t.Errorf("IS edges %v", job.RelationshipsOfType(iam.UserIsPersonType))
	}
}

// TestUserPermissionsBoundary_WireFakeBecauseMotoCannotSeedIt: on AWS, GAAD
// gives users' PermissionsBoundary; moto drops it on CreateUser and answers
// PutUserPermissionsBoundary with NotImplemented. A boundary that is an
// unattached customer policy must still become an entity (the analysis needs
// its document).
func TestUserPermissionsBoundary_WireFakeBecauseMotoCannotSeedIt(t *testing.T) {
	t.Parallel()
	acct := testbed.NewAccountID(t)
	a := "arn:aws:iam::" + acct + ":"
	boundaryDoc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","sts:AssumeRole"],"Resource":"*"}]}`
	pages := map[string]string{"": `<IsTruncated>false</IsTruncated>
<UserDetailList><member><Path>/</Path><UserName>bounded</UserName><UserId>AIDAB</UserId><Arn>` + a + `user/bounded</Arn><CreateDate>2024-01-02T03:04:05Z</CreateDate>
<PermissionsBoundary><PermissionsBoundaryType>PermissionsBoundaryPolicy</PermissionsBoundaryType><PermissionsBoundaryArn>` + a + `policy/boundary</PermissionsBoundaryArn></PermissionsBoundary>
<Tags><member><Key>Email</Key><Value>Bounded.Person@Example.com</Value></member></Tags></member></UserDetailList>
<Policies><member><PolicyName>boundary</PolicyName><PolicyId>ANPAB</PolicyId><Arn>` + a + `policy/boundary</Arn><Path>/</Path><DefaultVersionId>v1</DefaultVersionId><AttachmentCount>0</AttachmentCount><PermissionsBoundaryUsageCount>1</PermissionsBoundaryUsageCount><IsAttachable>true</IsAttachable>
<PolicyVersionList><member><Document>` + enc(boundaryDoc) + `</Document><VersionId>v1</VersionId><IsDefaultVersion>true</IsDefaultVersion></member></PolicyVersionList></member></Policies>`}
	res, _, _ := fakeGAADRun(t, acct, pages)
	job := res.Job
	u, ok := job.Entity(a + "user/bounded")
	if !ok || u["permissionsBoundaryArn"] != a+"policy/boundary" || !reflect.DeepEqual(u.Strings("email"), []string{"bounded.person@example.com"}) {
		t.Fatalf("user %v", u)
	}
	p, ok := job.Entity(a + "policy/boundary")
	if !ok || p["permissionsBoundaryUsageCount"] != int64(1) {
		t.Fatalf("boundary policy %v", p)
	}
	jsonEqual(t, "boundary", p.String("document"), boundaryDoc)
}

// TestDeniedCallsArePartial_WireFakeForAccessDenied: moto's auth mode is
// process-global, so AccessDenied for single actions is faked on the wire.
// A denied ListRoles leaves roles without description/maxSessionDuration and
// a denied credential report leaves users without MFA/password data: those
// properties are unknown (the last good run's are kept; the roles themselves
// are all known, so no type is partial), each with a warning naming the
// permission; the rest of the graph is still collected.
func TestDeniedCallsArePartial_WireFakeForAccessDenied(t *testing.T) {
	t.Parallel()
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	ctx := context.Background()
	c := sdkiam.NewFromConfig(srv.SeedConfig(t, acct, "us-east-1"))
	must(c.CreateUser(ctx, &sdkiam.CreateUserInput{UserName: aws.String("u")}))
	must(c.CreateRole(ctx, &sdkiam.CreateRoleInput{RoleName: aws.String("r"), Description: aws.String("d"), AssumeRolePolicyDocument: aws.String(trust(map[string]any{"Service": "ec2.amazonaws.com"}, "sts:AssumeRole"))}))
	sess := srv.Session(t, acct)
	sess.Regions = []string{"us-east-1"}
	sess.Config.HTTPClient = &gaadFake{next: sess.Config.HTTPClient, denied: map[string]bool{"ListRoles": true, "GenerateCredentialReport": true}}
	res, _ := collect(t, sess, iam.Steps(sess))
	if len(res.PartialTypes) != 0 {
		t.Fatalf("partial types %v", res.PartialTypes)
	}
	unknown := map[string][]string{}
	for _, u := range res.Unknown {
		unknown[u.Type] = append(unknown[u.Type], u.Properties...)
	}
	if !reflect.DeepEqual(unknown[iam.RoleType], []string{"description", "maxSessionDuration"}) {
		t.Errorf("unknown role properties %v", unknown[iam.RoleType])
	}
	for _, d := range iam.ReportPropertyDecls() {
		// Users' MFA is isMfaEnabled (User.mfaEnabled is deprecated in the
		// data model); the account's root MFA stays mfaEnabled.
		mfa := "mfaEnabled"
		if d.Type == iam.UserType {
			mfa = "isMfaEnabled"
		}
		if !reflect.DeepEqual(unknown[d.Type], d.Properties) || !slices.Contains(d.Properties, mfa) {
			t.Errorf("unknown %s properties %v, want %v", d.Type, unknown[d.Type], d.Properties)
		}
	}
	perms := map[string]bool{}
	for _, w := range res.Warnings {
		perms[w.Permission] = true
	}
	if !perms["iam:ListRoles"] || !perms["iam:GenerateCredentialReport"] {
		t.Fatalf("warnings %+v", res.Warnings)
	}
	job := res.Job
	r, ok := job.Entity("arn:aws:iam::" + acct + ":role/r")
	if !ok || r["description"] != nil || r["roleId"] == nil {
		t.Fatalf("role %v", r)
	}
	u, ok := job.Entity("arn:aws:iam::" + acct + ":user/u")
	if v, present := u["mfaEnabled"]; !ok || present && v != nil {
		t.Fatalf("user %v: mfaEnabled written although the report was not read", u)
	}
}
