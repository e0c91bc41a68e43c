package policies

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
)

const acct = "111122223333"

var (
	acctKey   = "arn:aws:iam::" + acct + ":root"
	bucketA   = "arn:aws:s3:::data-a"
	bucketB   = "arn:aws:s3:::data-b"
	logs      = "arn:aws:s3:::logs"
	instance1 = "arn:aws:ec2:us-east-1:" + acct + ":instance/i-1"
	instance2 = "arn:aws:ec2:eu-west-1:" + acct + ":instance/i-2"
	roleArn   = "arn:aws:iam::" + acct + ":role/app"
)

var testTargets = []string{"aws_s3_bucket", "aws_ec2_instance"}

// baseGraph is an account with three buckets, two instances and a role.
func baseGraph(t testing.TB) *engine.Job {
	j := engine.NewJob()
	add := func(key, typ, class string) {
		e := graph.NewEntity(key, typ, []string{class}, key)
		e.Set("accountId", acct)
		if class == "Account" {
			e.Set("vendor", "AWS") // data model: Account requires vendor
		}
		if err := j.AddEntity(e); err != nil {
			t.Fatal(err)
		}
	}
	add(acctKey, AccountType, "Account")
	for _, b := range []string{bucketA, bucketB, logs} {
		e := graph.NewEntity(b, "aws_s3_bucket", []string{"DataStore"}, b)
		e.Set("classification", nil).Set("encrypted", true)
		if err := j.AddEntity(e); err != nil {
			t.Fatal(err)
		}
	}
	for _, i := range []string{instance1, instance2} {
		e := graph.NewEntity(i, "aws_ec2_instance", []string{"Host"}, i)
		setHostNulls(e)
		if err := j.AddEntity(e); err != nil {
			t.Fatal(err)
		}
	}
	add(roleArn, RoleType, "AccessRole")
	return j
}

// setHostNulls gives a Host the properties data model 0.64.2 requires of
// it, null as EC2 leaves them when it does not say (graph.Validate checks).
func setHostNulls(e graph.Entity) {
	for _, p := range []string{"hostname", "category", "ipv4Addresses", "ipv6Addresses", "macAddresses", "publicIpAddresses",
		"privateIpAddresses", "fqdn", "serial", "deviceId", "lastSeenOn", "make", "model", "osName", "osType", "osDetails", "osVersion"} {
		e.Set(p, nil)
	}
}

func addPolicy(t testing.TB, j *engine.Job, name, doc string) string {
	key := "arn:aws:iam::" + acct + ":policy/" + name
	e := graph.NewEntity(key, ManagedPolicyType, []string{"AccessPolicy"}, name)
	e.Set("accountId", acct).Set("document", doc)
	if err := j.AddEntity(e); err != nil {
		t.Fatal(err)
	}
	return key
}

func doc(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

// list decodes a list-valued edge property (graph.JoinList's JSON text)
// and checks its count property.
func list(r graph.Relationship, name string) []string {
	v, ok := graph.SplitList(r[name])
	if _, isText := r[name].(string); !ok || !isText {
		return []string{fmt.Sprintf("NOT-ENCODED(%#v)", r[name])}
	}
	if r[graph.CountName(name)] != int64(len(v)) {
		return []string{fmt.Sprintf("BAD-COUNT(%v)", r[graph.CountName(name)])}
	}
	return v
}

// summary renders an edge as "CLASS target actions=[..] flags" with the
// flags that are true, plus conditions when present.
func summary(r graph.Relationship) string {
	to := r.ToKey()
	if i := strings.LastIndexAny(to, ":/"); i >= 0 && strings.HasPrefix(to, "arn:aws:iam::") && strings.HasSuffix(to, ":root") {
		to = "account"
	} else if i >= 0 {
		to = to[i+1:]
	}
	s := fmt.Sprintf("%s %s actions=%v", r.Class(), to, list(r, "actions"))
	if _, ok := r["notActions"]; ok {
		s += fmt.Sprintf(" notActions=%v", list(r, "notActions"))
	}
	if _, ok := r["notResources"]; ok {
		s += fmt.Sprintf(" notResources=%v", list(r, "notResources"))
	}
	var flags []string
	for _, f := range []string{"read", "list", "write", "permissions", "tagging", "admin", "conditional"} {
		if r[f] == true {
			flags = append(flags, f)
		}
	}
	s += " " + strings.Join(flags, ",")
	if c, ok := r["conditions"].(string); ok {
		s += " " + c
	}
	return s
}

func TestAnalyzePolicies(t *testing.T) {
	cases := []struct {
		name   string
		doc    string
		want   []string
		counts map[string]int
	}{
		{
			// IAM UG, AdministratorAccess example: "*" on "*" goes to the
			// account, not to every resource.
			name: "admin: * on * to the account",
			doc:  doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`),
			want: []string{"ALLOWS account actions=[*] read,list,write,permissions,tagging,admin"},
		},
		{
			// IAM UG, "Amazon S3: Allows read and write access to objects in
			// an S3 bucket": object ARNs map to the bucket; the bucket ARN
			// itself too; one edge per bucket aggregating both statements.
			name: "S3 bucket and object ARNs aggregate on the bucket",
			doc: doc(`{"Sid":"List","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::data-a"}`,
				`{"Sid":"Objects","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::data-a/*"}`),
			want: []string{"ALLOWS data-a actions=[s3:ListBucket s3:GetObject s3:PutObject] read,list,write"},
		},
		{
			name: "wildcards in the bucket name and in ARN fields",
			doc: doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data-*/*"}`,
				`{"Effect":"Allow","Action":"ec2:StartInstances","Resource":"arn:aws:ec2:*:`+acct+`:instance/*"}`),
			want: []string{
				"ALLOWS data-a actions=[s3:GetObject] read",
				"ALLOWS data-b actions=[s3:GetObject] read",
				"ALLOWS i-1 actions=[ec2:StartInstances] write",
				"ALLOWS i-2 actions=[ec2:StartInstances] write",
			},
		},
		{
			// IAM UG, "Policy evaluation logic" example with Allow and Deny.
			name: "Deny statements give DENIES edges",
			doc: doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`,
				`{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::logs"}`),
			want: []string{
				"ALLOWS account actions=[s3:*] read,list,write,permissions,tagging",
				"DENIES logs actions=[s3:DeleteBucket] write",
			},
		},
		{
			// IAM UG, NotAction: "Allows all except IAM" example.
			name: "NotAction: levels of everything except the listed actions",
			doc:  doc(`{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`),
			want: []string{"ALLOWS account actions=[] notActions=[iam:*] read,list,write,permissions,tagging"},
		},
		{
			// IAM UG, NotResource: "Deny everything except one bucket".
			name: "NotResource is account-wide with the exceptions on the edge",
			doc:  doc(`{"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::logs","arn:aws:s3:::logs/*"]}`),
			want: []string{"DENIES account actions=[s3:*] notResources=[arn:aws:s3:::logs arn:aws:s3:::logs/*] read,list,write,permissions,tagging"},
		},
		{
			// IAM UG, "EC2: Start or stop instances based on tags":
			// conditions are kept as JSON and mark the edge conditional.
			name: "conditions",
			doc:  doc(`{"Effect":"Allow","Action":"ec2:StopInstances","Resource":"` + instance1 + `","Condition":{"StringEquals":{"aws:ResourceTag/Owner":"${aws:username}"}}}`),
			want: []string{`ALLOWS i-1 actions=[ec2:StopInstances] write,conditional [{"StringEquals":{"aws:ResourceTag/Owner":["${aws:username}"]}}]`},
		},
		{
			name: "an unconditional statement makes the aggregated edge unconditional",
			doc: doc(`{"Effect":"Allow","Action":"ec2:StopInstances","Resource":"`+instance1+`","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`,
				`{"Effect":"Allow","Action":"ec2:DescribeInstanceAttribute","Resource":"`+instance1+`"}`),
			want: []string{`ALLOWS i-1 actions=[ec2:StopInstances ec2:DescribeInstanceAttribute] list,write [{"Bool":{"aws:MultiFactorAuthPresent":["true"]}}]`},
		},
		{
			name: "iam:PassRole names a collected role",
			doc:  doc(`{"Effect":"Allow","Action":"iam:PassRole","Resource":"` + roleArn + `"}`),
			want: []string{"ALLOWS app actions=[iam:PassRole] write"},
		},
		{
			name: "uncollected resources, unknown actions and policy variables are counted",
			doc: doc(`{"Effect":"Allow","Action":["s3:GetObject","s3:NoSuchAction"],"Resource":["arn:aws:s3:::other/*","arn:aws:s3:::home/${aws:username}/*"]}`,
				`{"Effect":"Allow","Action":"dynamodb:GetItem","Resource":"arn:aws:dynamodb:us-east-1:`+acct+`:table/t"}`),
			want:   nil,
			counts: map[string]int{"unmatchedResourcePatterns": 2, "unknownActions": 1, "resourcePatternsWithPolicyVariables": 1},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			j := baseGraph(t)
			addPolicy(t, j, "p", c.doc)
			res := Analyze(j, testTargets)
			var got []string
			for _, r := range res.Relationships {
				got = append(got, summary(r))
				if err := j.AddRelationship(r); err != nil {
					t.Fatal(err)
				}
			}
			sort.Strings(got)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("edges:\n got %q\nwant %q", got, c.want)
			}
			for k, n := range c.counts {
				if res.Counts[k] != n {
					t.Errorf("count %s = %d, want %d", k, res.Counts[k], n)
				}
			}
		})
	}
}

func TestEdgeShapeAndPolicyFlags(t *testing.T) {
	j := baseGraph(t)
	p := addPolicy(t, j, "ro", doc(`{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":["arn:aws:s3:::logs","arn:aws:s3:::logs/*"]}`))
	res := Analyze(j, testTargets)
	if len(res.Relationships) != 1 {
		t.Fatalf("edges: %v", res.Relationships)
	}
	want := graph.Relationship{
		"_key": p + "|allows|" + logs, "_type": "aws_iam_managed_policy_allows_s3_bucket", "_class": "ALLOWS",
		"_fromEntityKey": p, "_toEntityKey": logs, "displayName": "ALLOWS",
		"effect": "Allow", "actions": `["s3:Get*","s3:List*"]`, "actionCount": int64(2),
		"resources": `["arn:aws:s3:::logs","arn:aws:s3:::logs/*"]`, "resourceCount": int64(2),
		"conditions": nil, "conditional": false, "admin": false,
		"read": true, "list": true, "write": false, "permissions": false, "tagging": false,
	}
	if !reflect.DeepEqual(res.Relationships[0], want) {
		t.Errorf("edge\n got %#v\nwant %#v", res.Relationships[0], want)
	}
	if got := res.PolicyProps[p]; !reflect.DeepEqual(got, map[string]any{"admin": false, "read": true, "list": true, "write": false, "permissions": false, "tagging": false}) {
		t.Errorf("policy props %v", got)
	}
}

func TestDeclarationsCoverEdges(t *testing.T) {
	decl := map[string]bool{}
	for _, d := range Relationships(testTargets) {
		decl[d.Type] = true
	}
	for _, typ := range []string{"aws_iam_managed_policy_allows_s3_bucket", "aws_iam_role_policy_denies_ec2_instance",
		"aws_iam_user_policy_allows_account", "aws_iam_group_policy_allows_role", "aws_iam_managed_policy_allows_policy"} {
		if !decl[typ] {
			t.Errorf("%s not declared", typ)
		}
	}
}

// AWS adds actions to its managed policies before the action catalogue has
// them: an AWS-managed policy's uncatalogued actions are counted and listed,
// not warned about. A customer policy's are plausibly typos: one warning for
// all of them, naming each policy.
func TestUnknownActionsAWSManagedCountedCustomerWarnedOnce(t *testing.T) {
	j := baseGraph(t)
	addManaged := func(key string, awsManaged any, d string) {
		e := graph.NewEntity(key, ManagedPolicyType, []string{"AccessPolicy"}, key)
		e.Set("document", d)
		if awsManaged != nil {
			e.Set("awsManaged", awsManaged)
		}
		if err := j.AddEntity(e); err != nil {
			t.Fatal(err)
		}
	}
	ro := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	addManaged(ro, true, doc(`{"Effect":"Allow","Action":["s3:Get*","newsvc:GetThing","newsvc:ListThings"],"Resource":"*"}`))
	// No awsManaged property: the ARN says it is AWS-managed.
	addManaged("arn:aws:iam::aws:policy/service-role/Other", nil, doc(`{"Effect":"Allow","Action":["newsvc:GetThing","other:Describe"],"Resource":"*"}`))
	p1 := addPolicy(t, j, "typo1", doc(`{"Effect":"Allow","Action":["s3:GetObjet","s3:GetObject"],"Resource":"*"}`))
	p2 := addPolicy(t, j, "typo2", doc(`{"Effect":"Allow","Action":"ec2:DescribeInstance","Resource":"*"}`))
	res := Analyze(j, testTargets)

	if want := []string{"newsvc:GetThing", "newsvc:ListThings", "other:Describe"}; !reflect.DeepEqual(res.UnknownActions.AWSManaged, want) {
		t.Errorf("AWS-managed unknown actions %v, want %v", res.UnknownActions.AWSManaged, want)
	}
	if want := []string{"ec2:DescribeInstance", "s3:GetObjet"}; !reflect.DeepEqual(res.UnknownActions.Customer, want) {
		t.Errorf("customer unknown actions %v, want %v", res.UnknownActions.Customer, want)
	}
	for k, n := range map[string]int{"unknownActions": 6, "awsManagedPoliciesWithUnknownActions": 2, "customerPoliciesWithUnknownActions": 2,
		"distinctUnknownActionsInAWSManagedPolicies": 3, "distinctUnknownActionsInCustomerPolicies": 2} {
		if res.Counts[k] != n {
			t.Errorf("count %s = %d, want %d", k, res.Counts[k], n)
		}
	}
	if len(res.Warnings) != 1 {
		t.Fatalf("warnings %q, want one grouped warning", res.Warnings)
	}
	w := res.Warnings[0]
	if strings.Contains(w, "arn:aws:iam::aws:policy/") || strings.Contains(w, "newsvc") {
		t.Errorf("warning names an AWS-managed policy: %s", w)
	}
	for _, s := range []string{"2 customer-managed or inline policies", p1 + " (s3:GetObjet)", p2 + " (ec2:DescribeInstance)"} {
		if !strings.Contains(w, s) {
			t.Errorf("warning %q lacks %q", w, s)
		}
	}
}

// The step reports the counts and the distinct names (summary.json's step
// metrics and details) and no warning for an AWS-managed policy.
func TestStepReportsAWSManagedUnknownActionsWithoutWarning(t *testing.T) {
	j := engine.NewJob()
	acctEnt := graph.NewEntity(acctKey, AccountType, []string{"Account"}, acct)
	acctEnt.Set("accountId", acct).Set("vendor", "AWS")
	pol := graph.NewEntity("arn:aws:iam::aws:policy/ReadOnlyAccess", ManagedPolicyType, []string{"AccessPolicy"}, "ReadOnlyAccess")
	pol.Set("awsManaged", true).Set("document", doc(`{"Effect":"Allow","Action":["s3:Get*","deepcomposer:GetModel","iot1click:ListDevices"],"Resource":"*"}`))
	steps := []engine.Step{
		{ID: AccountStepID, Permissions: []string{"x:Y"}, Entities: []engine.EntityDecl{{Type: AccountType}}, Run: func(_ context.Context, sc *engine.StepContext) error {
			return sc.AddEntity(acctEnt)
		}},
		{ID: IAMStepID, Permissions: []string{"x:Y"}, Entities: []engine.EntityDecl{{Type: ManagedPolicyType}}, Run: func(_ context.Context, sc *engine.StepContext) error {
			return sc.AddEntity(pol)
		}},
	}
	steps = append(steps, ForSteps(steps)...)
	res, err := engine.Run(context.Background(), j, steps, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings: %+v", res.Warnings)
	}
	for _, s := range res.Steps {
		if s.ID != StepID {
			continue
		}
		if s.Status != engine.StatusSuccess || s.Metrics["distinctUnknownActionsInAWSManagedPolicies"] != 2 || s.Metrics["awsManagedPoliciesWithUnknownActions"] != 1 {
			t.Errorf("step %s metrics %v", s.Status, s.Metrics)
		}
		if want := []string{"deepcomposer:GetModel", "iot1click:ListDevices"}; !reflect.DeepEqual(s.Details["unknownActionsInAWSManagedPolicies"], want) {
			t.Errorf("details %v, want unknownActionsInAWSManagedPolicies %v", s.Details, want)
		}
	}
}
