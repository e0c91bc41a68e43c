package synthaws

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

const (
	iamNS = "https://iam.amazonaws.com/doc/2010-05-08/"
	stsNS = "https://sts.amazonaws.com/doc/2011-06-15/"
)

// queryResult writes the awsQuery envelope (<XResponse><XResult>...).
func queryResult(w http.ResponseWriter, ns, action string, body func(d *doc)) {
	d := &doc{}
	d.openNS(action+"Response", ns).open(action + "Result")
	body(d)
	d.close(action+"Result").open("ResponseMetadata").el("RequestId", "synthetic").close("ResponseMetadata").close(action + "Response")
	writeXML(w, d)
}

func (s *Server) sts(w http.ResponseWriter, form url.Values) {
	action := form.Get("Action")
	switch action {
	case "AssumeRole":
		queryResult(w, stsNS, action, func(d *doc) {
			d.open("Credentials").el("AccessKeyId", "ASIASYNTHETIC").el("SecretAccessKey", "synthetic").el("SessionToken", "synthetic").
				el("Expiration", base.AddDate(20, 0, 0).Format("2006-01-02T15:04:05Z")).close("Credentials").
				open("AssumedRoleUser").el("AssumedRoleId", "AROASYNTHETIC:"+form.Get("RoleSessionName")).
				el("Arn", s.callerArn(form.Get("RoleArn"), form.Get("RoleSessionName"))).close("AssumedRoleUser")
		})
	case "GetCallerIdentity":
		queryResult(w, stsNS, action, func(d *doc) {
			d.el("Arn", s.callerArn("arn:aws:iam::"+s.sizes.AccountID+":role/awsgraph", "awsgraph")).el("UserId", "AROASYNTHETIC:awsgraph").el("Account", s.sizes.AccountID)
		})
	default:
		s.unknownCall(w, "sts", action)
	}
}

func (s *Server) callerArn(roleArn, session string) string {
	name := roleArn[strings.LastIndex(roleArn, "/")+1:]
	return "arn:aws:sts::" + s.sizes.AccountID + ":assumed-role/" + name + "/" + session
}

func (s *Server) iam(w http.ResponseWriter, form url.Values) {
	action := form.Get("Action")
	switch action {
	case "GetAccountAuthorizationDetails":
		sz := s.sizes
		n := sz.Users + sz.IAMGroups + sz.Roles + sz.Policies
		start, end, next := s.window(form.Get("Marker"), form.Get("MaxItems"), n)
		queryResult(w, iamNS, action, func(d *doc) {
			s.gaadList(d, "UserDetailList", start, end, 0, sz.Users, s.userDetail)
			s.gaadList(d, "GroupDetailList", start, end, sz.Users, sz.IAMGroups, s.groupDetail)
			s.gaadList(d, "RoleDetailList", start, end, sz.Users+sz.IAMGroups, sz.Roles, s.roleDetail)
			s.gaadList(d, "Policies", start, end, sz.Users+sz.IAMGroups+sz.Roles, sz.Policies, s.policyDetail)
			truncated(d, next)
		})
	case "ListRoles":
		start, end, next := s.window(form.Get("Marker"), form.Get("MaxItems"), s.sizes.Roles)
		queryResult(w, iamNS, action, func(d *doc) {
			d.open("Roles")
			for r := start; r < end; r++ {
				d.open("member")
				s.roleHead(d, r)
				d.el("Description", "generated role "+roleName(r)).num("MaxSessionDuration", 3600).close("member")
			}
			d.close("Roles")
			truncated(d, next)
		})
	case "ListAccountAliases":
		queryResult(w, iamNS, action, func(d *doc) {
			d.open("AccountAliases").el("member", "synthetic-"+s.sizes.AccountID).close("AccountAliases").flag("IsTruncated", false)
		})
	case "GenerateCredentialReport":
		queryResult(w, iamNS, action, func(d *doc) { d.el("State", "COMPLETE").el("Description", "synthetic") })
	case "GetCredentialReport":
		queryResult(w, iamNS, action, func(d *doc) {
			d.el("Content", base64.StdEncoding.EncodeToString(s.credentialReport())).el("ReportFormat", "text/csv").
				el("GeneratedTime", stamp(800)[:19]+"Z")
		})
	default:
		s.unknownCall(w, "iam", action)
	}
}

func truncated(d *doc, next string) {
	d.flag("IsTruncated", next != "")
	if next != "" {
		d.el("Marker", next)
	}
}

// gaadList writes the items of one GAAD list that fall in the page
// [start, end) of the concatenation users, groups, roles, policies.
func (s *Server) gaadList(d *doc, list string, start, end, offset, n int, item func(*doc, int)) {
	d.open(list)
	for i := max(start, offset); i < min(end, offset+n); i++ {
		d.open("member")
		item(d, i-offset)
		d.close("member")
	}
	d.close(list)
}

func (s *Server) iamArn(kind, name string) string {
	return "arn:aws:iam::" + s.sizes.AccountID + ":" + kind + "/" + name
}

func (s *Server) attached(d *doc, policies ...int) {
	d.open("AttachedManagedPolicies")
	for _, p := range policies {
		if p >= 0 && p < s.sizes.Policies {
			d.open("member").el("PolicyName", policyName(p)).el("PolicyArn", s.iamArn("policy", policyName(p))).close("member")
		}
	}
	d.close("AttachedManagedPolicies")
}

// ordinaryPolicy maps k onto the policies past 0 (administrator) and 1
// (escalation-prone): only groups 0 and 1 and roles 0 and 1 hold those, so
// the principals that can escalate stay few at every size, as in real
// estates, and the escalation edges grow linearly, not quadratically.
func (s *Server) ordinaryPolicy(k int) int {
	if s.sizes.Policies <= 2 {
		return -1
	}
	return 2 + k%(s.sizes.Policies-2)
}

func (s *Server) userDetail(d *doc, u int) {
	d.el("Path", "/").el("UserName", userName(u)).el("UserId", id("AIDA", 0, u)).el("Arn", s.iamArn("user", userName(u))).
		el("CreateDate", stamp(u % 600)[:19]+"Z").open("UserPolicyList")
	if u%10 == 0 {
		d.open("member").el("PolicyName", "inline-"+userName(u)).
			el("PolicyDocument", encode(fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListBucket"],"Resource":"arn:aws:s3:::%s"}]}`, bucketName(u%max(s.sizes.Buckets, 1))))).
			close("member")
	}
	d.close("UserPolicyList").open("GroupList")
	if s.sizes.IAMGroups > 0 {
		d.el("member", groupName(u%s.sizes.IAMGroups))
	}
	d.close("GroupList")
	p := -1
	if u%4 == 0 {
		p = s.ordinaryPolicy(u * 3)
	}
	s.attached(d, p)
	d.open("Tags").open("member").el("Key", "team").el("Value", fmt.Sprintf("team-%d", u%40)).close("member").close("Tags")
}

func (s *Server) groupDetail(d *doc, g int) {
	d.el("Path", "/").el("GroupName", groupName(g)).el("GroupId", id("AGPA", 0, g)).el("Arn", s.iamArn("group", groupName(g))).
		el("CreateDate", stamp(g % 600)[:19]+"Z").open("GroupPolicyList").close("GroupPolicyList")
	switch g {
	case 0, 1: // the administrators and the escalation-prone group
		s.attached(d, g)
	default:
		s.attached(d, s.ordinaryPolicy(g), s.ordinaryPolicy(g+1))
	}
}

func (s *Server) roleHead(d *doc, r int) {
	d.el("Path", "/").el("RoleName", roleName(r)).el("RoleId", id("AROA", 0, r)).el("Arn", s.iamArn("role", roleName(r))).
		el("CreateDate", stamp(r % 600)[:19]+"Z").el("AssumeRolePolicyDocument", encode(s.trustPolicy(r)))
}

// trustPolicy: 60% a service, 25% a named user, 10% the account, 5% another
// account, as the trust benchmark's mix.
func (s *Server) trustPolicy(r int) string {
	var principal string
	switch k := r % 20; {
	case k < 12:
		principal = `{"Service":"` + []string{"ec2.amazonaws.com", "lambda.amazonaws.com", "ecs-tasks.amazonaws.com"}[k%3] + `"}`
	case k < 17 && s.sizes.Users > 0:
		principal = `{"AWS":"` + s.iamArn("user", userName((r*7)%s.sizes.Users)) + `"}`
	case k < 19:
		principal = `{"AWS":"arn:aws:iam::` + s.sizes.AccountID + `:root"}`
	default:
		principal = `{"AWS":"arn:aws:iam::111122223333:root"}`
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + principal + `,"Action":"sts:AssumeRole"}]}`
}

func (s *Server) roleDetail(d *doc, r int) {
	s.roleHead(d, r)
	d.open("InstanceProfileList")
	if r%4 == 0 {
		name := "profile-" + roleName(r)
		d.open("member").el("Path", "/").el("InstanceProfileName", name).el("InstanceProfileId", id("AIPA", 0, r)).
			el("Arn", s.iamArn("instance-profile", name)).el("CreateDate", stamp(r % 600)[:19]+"Z").open("Roles").close("Roles").close("member")
	}
	d.close("InstanceProfileList").open("RolePolicyList").close("RolePolicyList")
	p := s.ordinaryPolicy(r * 7)
	if r < 2 { // an administrator role and an escalation-prone one
		p = r
	}
	s.attached(d, p)
	d.open("Tags").close("Tags").open("RoleLastUsed").close("RoleLastUsed")
}

func (s *Server) policyDetail(d *doc, p int) {
	arn := s.iamArn("policy", policyName(p))
	d.el("PolicyName", policyName(p)).el("PolicyId", id("ANPA", 0, p)).el("Arn", arn).el("Path", "/").
		el("DefaultVersionId", "v1").num("AttachmentCount", 1).num("PermissionsBoundaryUsageCount", 0).flag("IsAttachable", true).
		el("CreateDate", stamp(p % 600)[:19]+"Z").el("UpdateDate", stamp(p%600 + 1)[:19]+"Z").
		open("PolicyVersionList").open("member").el("Document", encode(s.policyDocument(p))).el("VersionId", "v1").
		flag("IsDefaultVersion", true).el("CreateDate", stamp(p % 600)[:19]+"Z").close("member").close("PolicyVersionList")
}
