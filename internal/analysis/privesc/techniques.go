package privesc

import (
	"sort"
	"strings"

	"github.com/awsgraph/awsgraph/internal/analysis/trust"
	"github.com/awsgraph/awsgraph/internal/policy"
)

// credentialActions give P another user's credentials (an access key, a
// console password).
var credentialActions = []string{"iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"}

// LoginProfileUnknownKey is the pseudo condition key of a login-profile
// technique on a user whose console password state the run could not read
// (credential report unavailable, or the user not yet in it): whether
// CreateLoginProfile or UpdateLoginProfile applies depends on it.
const LoginProfileUnknownKey = "awsgraph:loginProfileExists"

// AccessKeyCountUnknownKey is the pseudo condition key of iam:CreateAccessKey
// on a user whose access keys the run could not count (credential report
// unavailable) when P may not delete one: IAM allows two keys per user.
const AccessKeyCountUnknownKey = "awsgraph:accessKeyCount"

// credentials: P creates credentials for another user U and signs in as U.
// IAM refuses CreateLoginProfile on a user that has a console password
// (EntityAlreadyExists) and UpdateLoginProfile on one that has none
// (NoSuchEntity), and CreateAccessKey on a user that has two keys
// (LimitExceeded; P must then delete one). The credential report
// (passwordEnabled, accessKeyNLastRotatedOn) says which applies; when it
// was not read, the technique is conditional.
func (a *analyzer) credentials(p *node) {
	for _, action := range credentialActions {
		a.targets(p, action, a.users, func(u *node) {
			if u == p {
				return
			}
			o := request(p.p, p.in, action, u.arn, tagCtx(u), nil)
			if !o.ok {
				return
			}
			actions := []string{action}
			has, known := u.p.Entity["passwordEnabled"].(bool)
			switch {
			case action == "iam:CreateAccessKey":
				if !known || accessKeys(u) >= 2 {
					del := request(p.p, p.in, "iam:DeleteAccessKey", u.arn, tagCtx(u), nil)
					switch {
					case del.ok:
						o, actions = o.and(del), append(actions, "iam:DeleteAccessKey")
					case known:
						return
					default:
						o = o.and(outcome{ok: true, cond: true, keys: []string{AccessKeyCountUnknownKey}})
					}
				}
			case !known:
				o = o.and(outcome{ok: true, cond: true, keys: []string{LoginProfileUnknownKey}})
			case has != (action == "iam:UpdateLoginProfile"):
				return
			}
			a.add(&Edge{From: p, To: u, Technique: action, Category: catBecome, Actions: actions, Resource: u.arn, outcome: o})
		})
	}
}

// accessKeys counts a user's access keys, active or not, from the
// credential report (a key slot without a key has no rotation date).
func accessKeys(u *node) int {
	n := 0
	for _, k := range []string{"accessKey1LastRotatedOn", "accessKey2LastRotatedOn"} {
		if u.p.Entity[k] != nil {
			n++
		}
	}
	return n
}

// trustFor is a trust policy naming principal arn, the one an attacker
// writes with iam:UpdateAssumeRolePolicy.
func trustFor(arn string) *policy.Document {
	return policy.MustParse(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"` + arn + `"},"Action":"sts:AssumeRole"}}`)
}

// trustUpdate: P rewrites role R's trust policy to name itself, then
// assumes R (its own boundary, SCPs and denies must allow sts:AssumeRole on
// R). Reserved and service-linked roles are refused by Evaluate.
func (a *analyzer) trustUpdate(p *node) {
	const action = "iam:UpdateAssumeRolePolicy"
	var tp *policy.Document
	a.targets(p, action, a.roles, func(r *node) {
		if r == p {
			return
		}
		o := request(p.p, p.in, action, r.arn, boundaryCtx(r), nil)
		if !o.ok {
			return
		}
		if tp == nil {
			tp = trustFor(p.arn)
		}
		o = o.and(request(p.p, p.in, "sts:AssumeRole", r.arn, tagCtx(r), tp))
		a.add(&Edge{From: p, To: r, Technique: action, Category: catBecome,
			Actions: []string{action, "sts:AssumeRole"}, Resource: r.arn, outcome: o})
	})
}

// passRoleTechnique is a service that runs code as a role passed to it.
type passRoleTechnique struct {
	service string // the service principal the role must trust
	// actions (with the resource each is evaluated on; ACCOUNT is
	// replaced by P's account) that create and run the resource.
	actions   [][2]string
	needsProf bool // the role must be in an instance profile (EC2)
}

// Function, stack, project, instance, task definition... names are chosen
// by the attacker: the service actions are evaluated on a wildcard ARN of
// the resource type in P's account (the type the Service Authorization
// Reference lists for the action: RunInstances an instance, RunTask a task
// definition, CreateDevEndpoint a devEndpoint), which grants naming every
// resource of the type (or "*") match. Actions with no resource type
// (ecs:RegisterTaskDefinition, datapipeline:CreatePipeline) are on "*".
var passRoleTechniques = []passRoleTechnique{
	{"lambda.amazonaws.com", [][2]string{{"lambda:CreateFunction", "arn:aws:lambda:*:ACCOUNT:function:*"}, {"lambda:InvokeFunction", "arn:aws:lambda:*:ACCOUNT:function:*"}}, false},
	{"lambda.amazonaws.com", [][2]string{{"lambda:CreateFunction", "arn:aws:lambda:*:ACCOUNT:function:*"}, {"lambda:CreateEventSourceMapping", "*"}}, false},
	{"lambda.amazonaws.com", [][2]string{{"lambda:CreateFunction", "arn:aws:lambda:*:ACCOUNT:function:*"}, {"lambda:CreateFunctionUrlConfig", "arn:aws:lambda:*:ACCOUNT:function:*"}}, false},
	{"ec2.amazonaws.com", [][2]string{{"ec2:RunInstances", "arn:aws:ec2:*:ACCOUNT:instance/*"}}, true},
	{"cloudformation.amazonaws.com", [][2]string{{"cloudformation:CreateStack", "arn:aws:cloudformation:*:ACCOUNT:stack/*"}}, false},
	{"glue.amazonaws.com", [][2]string{{"glue:CreateDevEndpoint", "arn:aws:glue:*:ACCOUNT:devEndpoint/*"}}, false},
	{"ecs-tasks.amazonaws.com", [][2]string{{"ecs:RegisterTaskDefinition", "*"}, {"ecs:RunTask", "arn:aws:ecs:*:ACCOUNT:task-definition/*"}}, false},
	{"codebuild.amazonaws.com", [][2]string{{"codebuild:CreateProject", "arn:aws:codebuild:*:ACCOUNT:project/*"}, {"codebuild:StartBuild", "arn:aws:codebuild:*:ACCOUNT:project/*"}}, false},
	{"sagemaker.amazonaws.com", [][2]string{{"sagemaker:CreateNotebookInstance", "arn:aws:sagemaker:*:ACCOUNT:notebook-instance/*"}}, false},
	{"datapipeline.amazonaws.com", [][2]string{{"datapipeline:CreatePipeline", "*"}, {"datapipeline:PutPipelineDefinition", "*"}, {"datapipeline:ActivatePipeline", "*"}}, false},
}

func (t passRoleTechnique) name() string {
	parts := []string{"iam:PassRole"}
	for _, a := range t.actions {
		parts = append(parts, a[0])
	}
	return strings.Join(parts, "+")
}

// passRole: P passes role R to a service that runs P's code as R
// (iam:PassRole on R for that service, iam:PassedToService known; R's trust
// must let the service in, as the trust analysis found).
func (a *analyzer) passRole(p *node) {
	a.targets(p, "iam:PassRole", a.roles, func(r *node) {
		if r == p || len(a.services[r]) == 0 {
			return
		}
		passed := map[string]outcome{} // per service, for this role
		for _, t := range passRoleTechniques {
			trusted, ok := a.services[r][t.service]
			if !ok || (t.needsProf && len(r.p.Entity.Strings("instanceProfileArns")) == 0) {
				continue
			}
			// The service actions do not depend on the role: memoised, and
			// tried first (they rule most principals out).
			run := a.serviceActions(p, t)
			if !run.ok {
				continue
			}
			actions := []string{"iam:PassRole"}
			for _, sa := range t.actions {
				actions = append(actions, sa[0])
			}
			pass, ok := passed[t.service]
			if !ok {
				pass = request(p.p, p.in, "iam:PassRole", r.arn, withKey(tagCtx(r), "iam:PassedToService", t.service), nil)
				passed[t.service] = pass
			}
			a.add(&Edge{From: p, To: r, Technique: t.name(), Category: catBecome, Actions: actions, Resource: r.arn,
				outcome: trusted.and(pass).and(run)})
		}
	})
}

// serviceActions decides whether p may call every service action of t. The
// attacker names the resource it creates (function, stack, project) and
// picks the region: actions whose resource type has an ARN are tried on the
// type's wildcard ARN in p's account and on each concrete ARN of that type
// that p's own Resource patterns for them name — the same ARN for all the
// technique's actions of that type (a function created under one name must
// be invoked under it). The best outcome wins: unconditional over
// conditional. Actions on "*" are evaluated on "*".
func (a *analyzer) serviceActions(p *node, t passRoleTechnique) outcome {
	run := yes
	byTemplate := map[string][]string{}
	var templates []string
	for _, sa := range t.actions {
		tmpl := strings.ReplaceAll(sa[1], "ACCOUNT", p.p.Account)
		if tmpl == "*" {
			if run = run.and(p.cached(sa[0], "*")); !run.ok {
				return run
			}
			continue
		}
		if byTemplate[tmpl] == nil {
			templates = append(templates, tmpl)
		}
		byTemplate[tmpl] = append(byTemplate[tmpl], sa[0])
	}
	for _, tmpl := range templates {
		acts := byTemplate[tmpl]
		best := outcome{}
		for _, arn := range a.candidates(p, tmpl, acts) {
			o := yes
			for _, act := range acts {
				if o = o.and(p.cached(act, arn)); !o.ok {
					break
				}
			}
			if o.ok && (!best.ok || (best.cond && !o.cond)) {
				best = o
			}
			if best.ok && !best.cond {
				break
			}
		}
		if run = run.and(best); !run.ok {
			return run
		}
	}
	return run
}

// candidates are the ARNs serviceActions tries for template tmpl: tmpl
// itself, then one concrete ARN per Resource pattern of p's Allow
// statements for acts that can name a resource of tmpl's type in p's
// account (wildcards filled in with "x").
func (a *analyzer) candidates(p *node, tmpl string, acts []string) []string {
	out := []string{tmpl}
	seen := map[string]bool{tmpl: true}
	for _, act := range acts {
		for _, pat := range p.scope(act).Patterns {
			if c := instantiate(pat, tmpl, p.p.Account); c != "" && !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	return out
}

// instantiate returns a concrete ARN that pattern pat names and that is of
// the resource type of template tmpl in account acct, or "".
func instantiate(pat, tmpl, acct string) string {
	pf, tf := strings.SplitN(pat, ":", 6), strings.SplitN(tmpl, ":", 6)
	if len(pf) != 6 || len(tf) != 6 || pf[0] != "arn" {
		return ""
	}
	// Any region the pattern allows will do: policies match ARNs as text.
	fill := strings.NewReplacer("*", "x", "?", "x")
	c := strings.Join([]string{"arn", tf[1], tf[2], fill.Replace(pf[3]), acct, fill.Replace(pf[5])}, ":")
	if !policy.MatchArn(pat, c) || !policy.MatchArn(tmpl, c) {
		return ""
	}
	return c
}

// takeover: P changes code that already runs as role R: a Lambda function
// whose execution role is R (lambda:UpdateFunctionCode), an EC2 instance
// whose profile holds R (ssm:SendCommand with AWS-RunShellScript, or
// ssm:StartSession).
func (a *analyzer) takeover(p *node) {
	if sc := p.scope("lambda:UpdateFunctionCode"); !sc.Empty() {
		for _, f := range a.g.EntitiesOfType(FunctionType) {
			r := a.byArn[f.String("role")]
			fn := f.String("arn")
			if fn == "" {
				fn = f.Key()
			}
			if r == nil || r == p || !sc.Covers(fn) {
				continue
			}
			a.add(&Edge{From: p, To: r, Technique: "lambda:UpdateFunctionCode", Category: catBecome,
				Actions: []string{"lambda:UpdateFunctionCode"}, Resource: fn,
				outcome: request(p.p, p.in, "lambda:UpdateFunctionCode", fn, nil, nil)})
		}
	}
	send, start := p.scope("ssm:SendCommand"), p.scope("ssm:StartSession")
	if send.Empty() && start.Empty() {
		return
	}
	for _, rel := range a.g.RelationshipsOfType(instanceUsesRoleType) {
		r := a.byArn[rel.ToKey()]
		inst, ok := a.g.Entity(rel.FromKey())
		if r == nil || r == p || !ok {
			continue
		}
		arn := inst.String("arn")
		if arn == "" {
			arn = inst.Key()
		}
		doc := "arn:aws:ssm:" + inst.String("region") + "::document/AWS-RunShellScript"
		o := request(p.p, p.in, "ssm:SendCommand", arn, nil, nil).and(request(p.p, p.in, "ssm:SendCommand", doc, nil, nil))
		a.add(&Edge{From: p, To: r, Technique: "ssm:SendCommand", Category: catBecome, Actions: []string{"ssm:SendCommand"}, Resource: arn, outcome: o})
		a.add(&Edge{From: p, To: r, Technique: "ssm:StartSession", Category: catBecome, Actions: []string{"ssm:StartSession"}, Resource: arn,
			outcome: request(p.p, p.in, "ssm:StartSession", arn, nil, nil)})
	}
}

// grant adds a "grant" edge P → t when the request (and the also actions,
// on the same resource; ctx adds request context keys) is allowed and t
// would be an administrator after it.
func (a *analyzer) grant(p, t *node, action, resource string, ctx map[string][]string, after outcome, also ...string) outcome {
	if !after.ok {
		return outcome{}
	}
	o := after
	for _, act := range append([]string{action}, also...) {
		if o = o.and(request(p.p, p.in, act, resource, ctx, nil)); !o.ok {
			return o
		}
	}
	a.add(&Edge{From: p, To: t, Technique: action, Category: catGrant, Actions: append([]string{action}, also...), Resource: resource, outcome: o})
	return o
}

// maxPolicyVersions is IAM's limit of versions per managed policy: at the
// limit, CreatePolicyVersion fails (LimitExceeded) until one is deleted.
const maxPolicyVersions = 5

// policyGrants: P writes or attaches a policy to a user or role T (itself
// included), which then may do anything its boundary and SCPs allow.
func (a *analyzer) policyGrants(p *node) {
	for _, c := range []struct {
		action string
		list   []*node
	}{
		{"iam:PutUserPolicy", a.users}, {"iam:AttachUserPolicy", a.users},
		{"iam:PutRolePolicy", a.roles}, {"iam:AttachRolePolicy", a.roles},
	} {
		a.targets(p, c.action, c.list, func(t *node) {
			if strings.HasPrefix(c.action, "iam:Attach") {
				a.attach(p, t, c.action, t.arn, boundaryCtx(t))
				return
			}
			a.grant(p, t, c.action, t.arn, boundaryCtx(t), a.adminWithAll(t))
		})
	}
}

// adminPolicy is a managed policy an attacker can attach: its ARN and
// document.
type adminPolicy struct {
	arn string
	doc *policy.Document
}

// iamFullAccess is the core of AWS managed IAMFullAccess: iam:* on *, an
// administrator by this analysis's definition.
var iamFullAccess = policy.MustParse(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*"}}`)

// attachable are the managed policies whose document alone would make a
// principal an administrator: AdministratorAccess and IAMFullAccess (AWS
// managed, in every account) first, then the collected ones, sorted.
func (a *analyzer) attachable(partition string) []adminPolicy {
	if ps, ok := a.adminPolicies[partition]; ok {
		return ps
	}
	aa := "arn:" + partition + ":iam::aws:policy/AdministratorAccess"
	ifa := "arn:" + partition + ":iam::aws:policy/IAMFullAccess"
	ps := []adminPolicy{{aa, allowAll}, {ifa, iamFullAccess}}
	probe := &trust.Principal{Key: "arn:" + partition + ":iam::000000000000:user/probe", Context: policy.Context{Values: map[string][]string{}}}
	for _, e := range a.g.EntitiesOfType(trust.ManagedPolicyType) {
		k := e.Key()
		if k == aa || k == ifa || !strings.HasPrefix(k, "arn:"+partition+":") {
			continue
		}
		if d := a.model.PolicyDoc(k); d != nil && request(probe, input{identity: []*policy.Document{d}}, AdminProbeAction, "*", nil, nil).ok {
			ps = append(ps, adminPolicy{k, d})
		}
	}
	sort.Slice(ps[2:], func(i, j int) bool { return ps[2+i].arn < ps[2+j].arn })
	a.adminPolicies[partition] = ps
	return ps
}

// attach: P attaches a managed policy to T (a user, role or group
// resource) that makes T an administrator. The request carries
// iam:PolicyARN, which delegation policies often restrict: each
// admin-granting managed policy is tried, AdministratorAccess first; the
// first unconditional outcome wins, else the first conditional one.
func (a *analyzer) attach(p, t *node, action, resource string, ctx map[string][]string) {
	if e := a.attachEdge(p, t, action, resource, ctx); e != nil {
		a.add(e)
	}
}

// attachEdge is attach's edge, nil when none.
func (a *analyzer) attachEdge(p, t *node, action, resource string, ctx map[string][]string) *Edge {
	var best *Edge
	for _, ap := range a.attachable(partitionOf(t.arn)) {
		after := a.adminWith(t, []*policy.Document{ap.doc}, false)
		if !after.ok {
			continue
		}
		o := after.and(request(p.p, p.in, action, resource, withKey(ctx, "iam:PolicyARN", ap.arn), nil))
		if !o.ok || (best != nil && (o.cond || !best.cond)) {
			continue
		}
		best = &Edge{From: p, To: t, Technique: action, Category: catGrant, Actions: []string{action}, Resource: resource, outcome: o}
		if !o.cond {
			break
		}
	}
	if best == nil || best.cond {
		// Or P creates its own allow-all policy (iam:CreatePolicy) and
		// attaches that.
		if e := a.attachNew(p, t, action, resource, ctx); e != nil && (best == nil || !e.cond) {
			best = e
		}
	}
	return best
}

// attachNew is attach with a customer managed allow-all policy P creates in
// its account (iam:CreatePolicy on a name its own patterns allow).
func (a *analyzer) attachNew(p, t *node, action, resource string, ctx map[string][]string) *Edge {
	if p.scope("iam:CreatePolicy").Empty() {
		return nil
	}
	after := a.adminWithAll(t)
	if !after.ok {
		return nil
	}
	var best *Edge
	tmpl := "arn:" + partitionOf(p.arn) + ":iam::" + p.p.Account + ":policy/*"
	for _, c := range a.candidates(p, tmpl, []string{"iam:CreatePolicy"}) {
		o := after.and(p.cached("iam:CreatePolicy", c))
		if o.ok {
			o = o.and(request(p.p, p.in, action, resource, withKey(ctx, "iam:PolicyARN", c), nil))
		}
		if !o.ok || (best != nil && (o.cond || !best.cond)) {
			continue
		}
		best = &Edge{From: p, To: t, Technique: action, Category: catGrant, Actions: []string{action, "iam:CreatePolicy"}, Resource: resource, outcome: o}
		if !o.cond {
			break
		}
	}
	return best
}

// partitionOf is an ARN's partition ("aws" when it is not an ARN).
func partitionOf(arn string) string {
	if parts := strings.SplitN(arn, ":", 3); len(parts) == 3 && parts[0] == "arn" {
		return parts[1]
	}
	return "aws"
}

// groupGrants: P writes or attaches a policy to a group (every member
// gains it), or adds a user to a group whose policies would make it an
// administrator.
func (a *analyzer) groupGrants(p *node) {
	put, attach, add := p.scope("iam:PutGroupPolicy"), p.scope("iam:AttachGroupPolicy"), p.scope("iam:AddUserToGroup")
	if put.Empty() && attach.Empty() && add.Empty() {
		return
	}
	for _, ge := range a.g.EntitiesOfType(GroupType) {
		gk := ge.Key()
		for _, u := range a.groups[gk] {
			after := a.adminWithAll(u)
			if put.Covers(gk) {
				a.grant(p, u, "iam:PutGroupPolicy", gk, nil, after)
			}
			if attach.Covers(gk) {
				a.attach(p, u, "iam:AttachGroupPolicy", gk, nil)
			}
		}
		if !add.Covers(gk) {
			continue
		}
		docs, known := a.groupDocs(gk)
		members := map[*node]bool{}
		for _, u := range a.groups[gk] {
			members[u] = true
		}
		for _, u := range a.users {
			if members[u] {
				continue
			}
			if known {
				a.grant(p, u, "iam:AddUserToGroup", gk, nil, a.adminWith(u, docs, false))
			}
			a.joinAndWrite(p, u, gk, put.Covers(gk), attach.Covers(gk))
		}
	}
}

// joinAndWrite: P adds user u to group gk and writes (PutGroupPolicy) or
// attaches (AttachGroupPolicy) an admin policy to the group, whatever the
// group's policies are now.
func (a *analyzer) joinAndWrite(p, u *node, gk string, put, attach bool) {
	const add = "iam:AddUserToGroup"
	var e *Edge
	if put {
		after := a.adminWithAll(u)
		if o := after.and(request(p.p, p.in, "iam:PutGroupPolicy", gk, nil, nil)); o.ok {
			e = &Edge{From: p, To: u, Technique: add + "+iam:PutGroupPolicy", Category: catGrant, Actions: []string{add, "iam:PutGroupPolicy"}, Resource: gk, outcome: o}
		}
	}
	if attach && (e == nil || e.cond) {
		if ae := a.attachEdge(p, u, "iam:AttachGroupPolicy", gk, nil); ae != nil && (e == nil || !ae.cond) {
			ae.Technique = add + "+iam:AttachGroupPolicy"
			ae.Actions = append([]string{add}, ae.Actions...)
			e = ae
		}
	}
	if e == nil {
		return
	}
	if e.outcome = e.outcome.and(request(p.p, p.in, add, gk, nil, nil)); e.ok {
		a.add(e)
	}
}

// groupDocs returns a group's policy documents; known is false when one
// could not be read.
func (a *analyzer) groupDocs(gk string) (docs []*policy.Document, known bool) {
	for _, k := range a.model.AssignedPolicies(gk) {
		d := a.model.PolicyDoc(k)
		if d == nil {
			return nil, false
		}
		docs = append(docs, d)
	}
	return docs, true
}

// policyVersions: P puts a new document in force in a customer managed
// policy that applies to T — as an identity policy or as T's permissions
// boundary: iam:CreatePolicyVersion (with SetAsDefault) writes an allow-all
// version; iam:SetDefaultPolicyVersion makes one of the policy's existing
// non-default versions the default, which escalates only when that version
// grants more. Evaluate refuses both on AWS managed policies.
func (a *analyzer) policyVersions(p *node) {
	const create, setDefault = "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"
	cs, ss := p.scope(create), p.scope(setDefault)
	if cs.Empty() && ss.Empty() {
		return
	}
	for _, t := range a.nodes {
		keys := t.p.PolicyKeys
		if b := t.p.BoundaryArn; b != "" {
			keys = append(append([]string(nil), keys...), b)
		}
		for _, k := range keys {
			e, ok := a.g.Entity(k)
			if !ok || e.Type() != trust.ManagedPolicyType {
				continue
			}
			if cs.Covers(k) {
				var also []string
				if 1+len(e.Strings("nonDefaultVersionIds")) >= maxPolicyVersions {
					also = []string{"iam:DeletePolicyVersion"}
				}
				a.grant(p, t, create, k, nil, a.adminReplacing(t, k, allowAll), also...)
			}
			if !ss.Covers(k) {
				continue
			}
			for _, v := range a.versions(k) {
				if after := a.adminReplacing(t, k, v); after.ok {
					a.grant(p, t, setDefault, k, nil, after)
					break
				}
			}
		}
	}
}

// versions returns the parsed non-default versions of managed policy k
// (cached); a version that does not parse is counted, warned and left out.
func (a *analyzer) versions(k string) []*policy.Document {
	if v, ok := a.versionDocs[k]; ok {
		return v
	}
	var out []*policy.Document
	if e, ok := a.g.Entity(k); ok {
		ids := e.Strings("nonDefaultVersionIds")
		for i, text := range e.Strings("nonDefaultVersionDocuments") {
			d, err := policy.ParseEncoded(text)
			if err != nil {
				id := ""
				if i < len(ids) {
					id = ids[i]
				}
				a.counts["unparsablePolicyVersions"]++
				a.model.Warnings = append(a.model.Warnings, "policy "+k+" version "+id+": document does not parse, iam:SetDefaultPolicyVersion onto it is not evaluated: "+err.Error())
				continue
			}
			d.Name = k
			out = append(out, d)
		}
	}
	a.versionDocs[k] = out
	return out
}

// boundaries: P deletes T's permissions boundary, or replaces it with a
// managed policy that lets T do anything (AdministratorAccess exists in
// every account). The requests carry iam:PermissionsBoundary — the boundary
// removed, or the one put — which delegation policies restrict.
func (a *analyzer) boundaries(p *node) {
	for _, c := range []struct {
		list         []*node
		del, replace string
	}{
		{a.users, "iam:DeleteUserPermissionsBoundary", "iam:PutUserPermissionsBoundary"},
		{a.roles, "iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary"},
	} {
		a.targets(p, c.del, c.list, func(t *node) {
			if len(t.p.Boundary) > 0 {
				a.grant(p, t, c.del, t.arn, boundaryCtx(t), a.adminWith(t, nil, true))
			}
		})
		a.targets(p, c.replace, c.list, func(t *node) {
			if t.unknown || len(t.p.Boundary) == 0 {
				return
			}
			for _, ap := range a.attachable(partitionOf(t.arn)) {
				in := t.in
				in.boundary = []*policy.Document{ap.doc}
				after := request(t.p, in, AdminProbeAction, "*", nil, nil)
				if o := a.grant(p, t, c.replace, t.arn, withKey(tagCtx(t), "iam:PermissionsBoundary", ap.arn), after); o.ok && !o.cond {
					return // the first unconditional one is enough
				}
			}
		})
	}
}

// boundaryCtx is the iam:PermissionsBoundary key of a request on an
// existing user or role (the Service Authorization Reference lists it for
// Attach/Put{User,Role}Policy, Delete*PermissionsBoundary,
// UpdateAssumeRolePolicy...): its current boundary, or known absent.
// The maps are built once per target and shared: callers never change
// them (withKey copies).
func boundaryCtx(t *node) map[string][]string {
	if t.boundaryCtx == nil {
		ctx := withKey(tagCtx(t), "iam:PermissionsBoundary", t.p.BoundaryArn)
		if t.p.BoundaryArn == "" {
			ctx["iam:PermissionsBoundary"] = nil
		}
		t.boundaryCtx = ctx
	}
	return t.boundaryCtx
}

// tagCtx is the resource-tag context of a request on user or role t (both
// resource types carry aws:ResourceTag/<key> and iam:ResourceTag/<key>):
// its collected tags, any other tag known absent.
func tagCtx(t *node) map[string][]string {
	if t.tagCtx == nil {
		ctx := map[string][]string{"aws:ResourceTag/*": nil, "iam:ResourceTag/*": nil}
		for k, v := range t.p.Entity.Tags() {
			ctx["aws:ResourceTag/"+k] = []string{v}
			ctx["iam:ResourceTag/"+k] = []string{v}
		}
		t.tagCtx = ctx
	}
	return t.tagCtx
}

// withKey returns ctx with key set to value (ctx is not changed).
func withKey(ctx map[string][]string, key, value string) map[string][]string {
	out := make(map[string][]string, len(ctx)+1)
	for k, v := range ctx {
		out[k] = v
	}
	out[key] = []string{value}
	return out
}
