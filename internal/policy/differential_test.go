package policy

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// The differential test compares Evaluate with @cloud-copilot/iam-simulate
// (tools/iamoracle, an AGPL program run only as a separate process) on
// random but valid policies and requests. Every context key a policy may
// reference is either supplied or known absent (AllDecidable), so both
// sides must reach a definite decision.

var (
	diffN    = flag.Int("diff.n", 10000, "number of random cases for TestDifferential")
	diffSeed = flag.Uint64("diff.seed", 20240601, "seed for TestDifferential")
)

const (
	acctA = "111111111111"
	acctB = "222222222222"
)

type oracleCase struct {
	Request struct {
		Principal string `json:"principal"`
		Action    string `json:"action"`
		Resource  struct {
			Resource  string `json:"resource"`
			AccountID string `json:"accountId"`
		} `json:"resource"`
		ContextVariables map[string]any `json:"contextVariables"`
	} `json:"request"`
	IdentityPolicies           []namedPolicy `json:"identityPolicies"`
	ServiceControlPolicies     []orgLevel    `json:"serviceControlPolicies"`
	ResourceControlPolicies    []orgLevel    `json:"resourceControlPolicies"`
	ResourcePolicy             any           `json:"resourcePolicy,omitempty"`
	PermissionBoundaryPolicies []namedPolicy `json:"permissionBoundaryPolicies,omitempty"`
}

type namedPolicy struct {
	Name   string `json:"name"`
	Policy any    `json:"policy"`
}

type orgLevel struct {
	OrgIdentifier string        `json:"orgIdentifier"`
	Policies      []namedPolicy `json:"policies"`
}

type oracleResult struct {
	OverallResult string `json:"overallResult"`
	Error         string `json:"error,omitempty"`
}

// diffCase is one generated case: the oracle's input and ours.
type diffCase struct {
	oracle oracleCase
	in     Input
	req    Request
	tags   map[string]bool // features, for disagreement classes
}

type scenario struct {
	action, resource, racct string
	hasRP                   bool // the resource type has resource policies
}

var scenarios = []scenario{
	{"s3:GetObject", "arn:aws:s3:::bucket-a/alice/report.txt", acctA, true},
	{"s3:GetObject", "arn:aws:s3:::bucket-a/data/x.txt", acctA, true},
	{"s3:GetObject", "arn:aws:s3:::bucket-b/alice/x.txt", acctB, true},
	{"s3:PutObject", "arn:aws:s3:::bucket-a/alice/new.txt", acctA, true},
	{"s3:ListBucket", "arn:aws:s3:::bucket-a", acctA, true},
	{"sts:AssumeRole", "arn:aws:iam::" + acctA + ":role/target", acctA, true},
	{"sts:AssumeRole", "arn:aws:iam::" + acctB + ":role/target", acctB, true},
	{"sqs:SendMessage", "arn:aws:sqs:us-east-1:" + acctA + ":queue1", acctA, true},
	{"sqs:SendMessage", "arn:aws:sqs:us-east-1:" + acctB + ":queue1", acctB, true},
	{"lambda:InvokeFunction", "arn:aws:lambda:us-east-1:" + acctA + ":function:fn", acctA, true},
	{"ec2:DescribeInstances", "*", acctA, false},
	{"iam:PassRole", "arn:aws:iam::" + acctA + ":role/app", acctA, false},
	{"iam:GetUser", "arn:aws:iam::" + acctA + ":user/alice", acctA, false},
	// IAM's own actions and resources (IAM-side rules, iamrules.go).
	{"iam:CreatePolicyVersion", "arn:aws:iam::aws:policy/AdministratorAccess", acctA, false},
	{"iam:CreatePolicyVersion", "arn:aws:iam::" + acctA + ":policy/custom", acctA, false},
	{"iam:PutRolePolicy", "arn:aws:iam::" + acctA + ":role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123", acctA, false},
	{"iam:UpdateAssumeRolePolicy", "arn:aws:iam::" + acctA + ":role/app", acctA, false},
	{"iam:AttachUserPolicy", "arn:aws:iam::" + acctA + ":user/alice", acctA, false},
	{"sts:GetCallerIdentity", "*", acctA, false},
}

var principals = []string{
	"arn:aws:iam::" + acctA + ":user/alice",
	"arn:aws:iam::" + acctA + ":user/dev/bob",
	"arn:aws:iam::" + acctA + ":role/app",
	"arn:aws:sts::" + acctA + ":assumed-role/app/s1",
	"arn:aws:iam::" + acctB + ":user/carol",
	"arn:aws:sts::" + acctB + ":assumed-role/ops/s2",
	"lambda.amazonaws.com",
}

var actionPatterns = []string{
	"s3:GetObject", "S3:getobject", "s3:Get*", "s3:*", "*", "s3:GetObjec?", "s3:PutObject",
	"s3:List*", "sts:AssumeRole", "sts:Assume*", "sqs:SendMessage", "sqs:*",
	"lambda:InvokeFunction", "lambda:Invoke*", "ec2:Describe*", "ec2:DescribeInstances",
	"iam:PassRole", "iam:Get*", "iam:*", "kms:Decrypt",
	"iam:CreatePolicyVersion", "iam:Put*", "iam:Attach*", "sts:GetCallerIdentity",
}

var resourcePatterns = []string{
	"*", "*", "arn:aws:s3:::bucket-a/*", "arn:aws:s3:::bucket-?/*", "arn:aws:s3:::bucket-a",
	"arn:aws:s3:::*", "arn:aws:s3:::bucket-a/${aws:username}/*", "arn:aws:s3:::bucket-*/alice/*",
	"arn:aws:s3:::bucket-a/${aws:PrincipalTag/team, 'data'}/*", "arn:aws:s3:::bucket-a/${*}",
	"arn:aws:iam::*:role/target", "arn:aws:iam::" + acctA + ":role/*", "arn:aws:iam::" + acctA + ":*",
	"arn:aws:iam::" + acctA + ":user/${aws:username}", "arn:aws:iam::*:user/*",
	"arn:aws:sqs:*:" + acctA + ":queue1", "arn:aws:sqs:us-east-1:*:*", "arn:aws:sqs:*",
	"arn:aws:lambda:us-east-1:" + acctA + ":function:*", "arn:aws:lambda:*:*:function:fn",
	"arn:aws:*:us-east-1:" + acctA + ":*", "arn:aws:s3:::other/*",
}

var principalValues = []any{
	"*", map[string]any{"AWS": "*"}, map[string]any{"AWS": acctA}, map[string]any{"AWS": acctB},
	map[string]any{"AWS": "arn:aws:iam::" + acctA + ":root"},
	map[string]any{"AWS": "arn:aws:iam::" + acctA + ":user/alice"},
	map[string]any{"AWS": "arn:aws:iam::" + acctA + ":user/dev/bob"},
	map[string]any{"AWS": "arn:aws:iam::" + acctA + ":role/app"},
	map[string]any{"AWS": "arn:aws:sts::" + acctA + ":assumed-role/app/s1"},
	map[string]any{"AWS": "arn:aws:iam::" + acctB + ":user/carol"},
	map[string]any{"AWS": "arn:aws:iam::" + acctB + ":role/ops"},
	map[string]any{"AWS": []any{"arn:aws:iam::" + acctB + ":root", "arn:aws:iam::" + acctA + ":user/alice"}},
	map[string]any{"Service": "lambda.amazonaws.com"},
	map[string]any{"Service": []any{"ec2.amazonaws.com", "lambda.amazonaws.com"}},
	map[string]any{"AWS": "arn:aws:iam::" + acctA + ":role/app", "Service": "ec2.amazonaws.com"},
}

// context keys: name, kind, candidate values
type ctxKey struct {
	name   string
	kind   string // string, ip, bool, num, date, arn, multi
	values [][]string
}

var ctxKeys = []ctxKey{
	{"aws:username", "string", [][]string{{"alice"}, {"bob"}, {"Alice"}}},
	{"aws:PrincipalTag/team", "string", [][]string{{"dev"}, {"ops"}, {"Dev"}, {"alice"}}},
	{"aws:SourceIp", "ip", [][]string{{"10.1.2.3"}, {"192.168.1.10"}, {"203.0.113.7"}, {"2001:db8::1"}}},
	{"aws:MultiFactorAuthPresent", "bool", [][]string{{"true"}, {"false"}}},
	{"aws:SecureTransport", "bool", [][]string{{"true"}, {"false"}}},
	{"aws:MultiFactorAuthAge", "num", [][]string{{"100"}, {"3600"}, {"7200"}}},
	{"aws:CurrentTime", "date", [][]string{{"2024-01-01T00:00:00Z"}, {"2026-03-01T12:00:00Z"}, {"2023-06-01T00:00:00Z"}}},
	{"aws:EpochTime", "date", [][]string{{"1704067200"}, {"1800000000"}}},
	{"aws:PrincipalArn", "arn", [][]string{{"arn:aws:iam::" + acctA + ":user/alice"}, {"arn:aws:iam::" + acctA + ":role/app"}, {"arn:aws:iam::" + acctB + ":user/carol"}}},
	{"aws:SourceArn", "arn", [][]string{{"arn:aws:s3:::bucket-a"}, {"arn:aws:lambda:us-east-1:" + acctA + ":function:fn"}}},
	{"aws:PrincipalAccount", "string", [][]string{{acctA}, {acctB}}},
	{"aws:TagKeys", "multi", [][]string{{"team", "env"}, {"team"}, {"env", "owner"}, {"Team"}}},
	{"aws:PrincipalOrgPaths", "multi", [][]string{{"o-abc/r-1/ou-1/"}, {"o-abc/r-1/ou-1/", "o-abc/r-1/ou-2/"}}},
}

var opsByKind = map[string][]string{
	"string": {"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike"},
	"ip":     {"IpAddress", "NotIpAddress"},
	"bool":   {"Bool"},
	"num":    {"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals"},
	"date":   {"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals"},
	"arn":    {"ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "StringLike", "StringEquals"},
	"multi":  {"StringEquals", "StringLike", "StringNotEquals", "StringNotLike"},
}

var policyValuesByKind = map[string][]any{
	"string": {"alice", "dev", "Dev", "ops", "a*", "d?v", "${aws:username}", "${aws:PrincipalTag/team}", "${aws:PrincipalTag/team, 'dev'}", acctA, acctB, "*"},
	"ip":     {"10.0.0.0/8", "192.168.1.0/24", "203.0.113.7/32", "203.0.113.7", "2001:db8::/32", "0.0.0.0/0"},
	"bool":   {"true", "false", true, false},
	"num":    {"100", "3600", json.Number("3600"), json.Number("500"), "7200.0"},
	"date":   {"2024-01-01T00:00:00Z", "2025-01-01", "2023-06-01T00:00:00Z", "1704067200", "2026-03-01T12:00:00Z"},
	"arn":    {"arn:aws:iam::" + acctA + ":user/*", "arn:aws:iam::" + acctA + ":*", "arn:aws:iam::*:role/app", "arn:aws:s3:::bucket-*", "arn:aws:lambda:*:" + acctA + ":function:*", "arn:aws:iam::" + acctA + ":user/alice", "arn:aws:s3:::bucket-a"},
	"multi":  {"team", "env", "t*", "owner", "Team"},
}

type gen struct{ r *rand.Rand }

func (g gen) pick(n int) int        { return g.r.IntN(n) }
func (g gen) p(pct int) bool        { return g.r.IntN(100) < pct }
func (g gen) str(l []string) string { return l[g.pick(len(l))] }

func (g gen) list(l []string, max int) any {
	n := 1 + g.pick(max)
	if n == 1 && g.p(60) {
		return g.str(l)
	}
	out := make([]any, n)
	for i := range out {
		out[i] = g.str(l)
	}
	return out
}

func (g gen) condition(c *diffCase) map[string]any {
	block := map[string]any{}
	n := 1 + g.pick(2)
	for i := 0; i < n; i++ {
		k := ctxKeys[g.pick(len(ctxKeys))]
		var op string
		if g.p(8) {
			op = "Null"
			block[op] = map[string]any{k.name: []any{"true", "false"}[g.pick(2)]}
			c.tags["null"] = true
			continue
		}
		ops := opsByKind[k.kind]
		op = ops[g.pick(len(ops))]
		if k.kind == "multi" || g.p(7) {
			op = []string{"ForAnyValue:", "ForAllValues:"}[g.pick(2)] + op
			c.tags["set"] = true
		}
		if g.p(15) && op != "Bool" {
			op += "IfExists"
			c.tags["ifexists"] = true
		}
		vals := policyValuesByKind[k.kind]
		var v any
		if g.p(30) {
			m := 2 + g.pick(2)
			arr := make([]any, m)
			for j := range arr {
				arr[j] = vals[g.pick(len(vals))]
			}
			v = arr
		} else {
			v = vals[g.pick(len(vals))]
		}
		if s, ok := v.(string); ok && strings.Contains(s, "${") {
			c.tags["condvar"] = true
		}
		keyName := k.name
		if g.p(10) {
			keyName = strings.ToLower(keyName)
		}
		m, _ := block[op].(map[string]any)
		if m == nil {
			m = map[string]any{}
			block[op] = m
		}
		m[keyName] = v
	}
	return block
}

func (g gen) statement(c *diffCase, typ PolicyType) map[string]any {
	s := map[string]any{}
	if g.p(30) {
		s["Sid"] = fmt.Sprintf("S%d", g.pick(1000))
	}
	eff := "Allow"
	if g.p(25) {
		eff = "Deny"
	}
	s["Effect"] = eff
	if g.p(10) {
		s["NotAction"] = g.list(actionPatterns, 2)
		c.tags["notaction"] = true
	} else {
		s["Action"] = g.list(actionPatterns, 3)
		if g.p(45) {
			// Bias towards statements that concern the request, so that
			// allows and denies are common enough to be interesting.
			s["Action"] = []any{c.req.Action, g.str(actionPatterns)}
		}
	}
	isTrust := typ == ResourcePolicy && c.req.Action == "sts:AssumeRole"
	switch {
	case isTrust && g.p(70):
		// trust policies usually have no Resource
	case g.p(10):
		s["NotResource"] = g.list(resourcePatterns, 2)
		c.tags["notresource"] = true
	default:
		s["Resource"] = g.list(resourcePatterns, 3)
		if g.p(35) {
			s["Resource"] = []any{c.req.Resource, g.str(resourcePatterns)}
		}
	}
	if typ == ResourcePolicy {
		if g.p(10) {
			s["NotPrincipal"] = principalValues[2+g.pick(len(principalValues)-2)]
			c.tags["notprincipal"] = true
		} else {
			s["Principal"] = principalValues[g.pick(len(principalValues))]
		}
	}
	if g.p(40) {
		s["Condition"] = g.condition(c)
		c.tags["condition"] = true
	}
	return s
}

func (g gen) document(c *diffCase, typ PolicyType, nStmt int) map[string]any {
	var sts []any
	for i := 0; i < nStmt; i++ {
		sts = append(sts, g.statement(c, typ))
	}
	d := map[string]any{"Version": "2012-10-17"}
	if len(sts) == 1 && g.p(50) {
		d["Statement"] = sts[0]
	} else {
		d["Statement"] = sts
	}
	return d
}

func mustDoc(t testing.TB, v any, name string) *Document {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse(string(b))
	if err != nil {
		t.Fatalf("generated %s does not parse: %v\n%s", name, err, b)
	}
	d.Name = name
	return d
}

var allowAll = map[string]any{"Version": "2012-10-17", "Statement": map[string]any{"Effect": "Allow", "Action": "*", "Resource": "*"}}

func genCase(t testing.TB, g gen) *diffCase {
	c := &diffCase{tags: map[string]bool{}}
	sc := scenarios[g.pick(len(scenarios))]
	princ := principals[g.pick(len(principals))]
	pid := parsePrincipalID(princ)
	if pid.kind == pkService && !sc.hasRP {
		sc = scenarios[5] // services act only through resource policies
	}
	c.req = Request{Principal: princ, Action: sc.action, Resource: sc.resource, ResourceAccount: sc.racct}
	o := &c.oracle
	o.Request.Principal = princ
	o.Request.Action = sc.action
	o.Request.Resource.Resource = sc.resource
	o.Request.Resource.AccountID = sc.racct
	o.IdentityPolicies = []namedPolicy{}
	o.ServiceControlPolicies = []orgLevel{}
	o.ResourceControlPolicies = []orgLevel{}

	// Context: each key present with some probability, else known absent.
	vals := map[string][]string{}
	o.Request.ContextVariables = map[string]any{}
	for _, k := range ctxKeys {
		if !g.p(75) {
			continue
		}
		v := k.values[g.pick(len(k.values))]
		vals[k.name] = v
		if k.kind == "multi" {
			o.Request.ContextVariables[k.name] = v
		} else {
			o.Request.ContextVariables[k.name] = v[0]
		}
	}
	if sc.action == "sts:AssumeRole" && g.p(50) {
		vals["sts:ExternalId"] = []string{"ext-1"}
		o.Request.ContextVariables["sts:ExternalId"] = "ext-1"
	}
	c.req.Context = Context{Values: vals, Decidable: AllDecidable}

	iam := pid.isIAM()
	if iam {
		n := g.pick(3)
		for i := 0; i < n; i++ {
			d := g.document(c, IdentityPolicy, 1+g.pick(3))
			name := fmt.Sprintf("id%d", i)
			o.IdentityPolicies = append(o.IdentityPolicies, namedPolicy{name, d})
			c.in.IdentityPolicies = append(c.in.IdentityPolicies, mustDoc(t, d, name))
		}
		if g.p(30) {
			var d map[string]any
			if g.p(30) {
				d = allowAll
			} else {
				d = g.document(c, BoundaryPolicy, 1+g.pick(2))
			}
			o.PermissionBoundaryPolicies = []namedPolicy{{"pb", d}}
			c.in.PermissionBoundaries = []*Document{mustDoc(t, d, "pb")}
			c.tags["boundary"] = true
		}
		if g.p(30) {
			levels := 1 + g.pick(2)
			for l := 0; l < levels; l++ {
				lvl := orgLevel{OrgIdentifier: fmt.Sprintf("ou-%d", l)}
				var docs []*Document
				if g.p(70) {
					lvl.Policies = append(lvl.Policies, namedPolicy{"FullAWSAccess", allowAll})
					docs = append(docs, mustDoc(t, allowAll, "FullAWSAccess"))
				}
				if g.p(60) || len(docs) == 0 {
					d := g.document(c, ServiceControlPol, 1+g.pick(2))
					name := fmt.Sprintf("scp%d", l)
					lvl.Policies = append(lvl.Policies, namedPolicy{name, d})
					docs = append(docs, mustDoc(t, d, name))
				}
				o.ServiceControlPolicies = append(o.ServiceControlPolicies, lvl)
				c.in.SCPs = append(c.in.SCPs, docs)
			}
			c.tags["scp"] = true
		}
	}
	if sc.hasRP && (g.p(75) || sc.action == "sts:AssumeRole" || !iam) {
		d := g.document(c, ResourcePolicy, 1+g.pick(3))
		o.ResourcePolicy = d
		c.in.ResourcePolicy = mustDoc(t, d, "resource")
		c.tags["resourcepolicy"] = true
	}
	return c
}

func oracleDir(t testing.TB) string {
	dir, err := filepath.Abs(filepath.Join("..", "..", "tools", "iamoracle"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// requireOracle skips (locally) or fails (CI=true) when node or the
// oracle's node_modules are missing.
func requireOracle(t testing.TB) string {
	dir := oracleDir(t)
	_, errNode := exec.LookPath("node")
	_, errMods := os.Stat(filepath.Join(dir, "node_modules", "@cloud-copilot", "iam-simulate"))
	if errNode != nil || errMods != nil {
		msg := fmt.Sprintf("iam oracle unavailable (node: %v, node_modules: %v); run `npm ci` in tools/iamoracle", errNode, errMods)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return dir
}

func runOracle(t testing.TB, dir string, cases []oracleCase) []oracleResult {
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", filepath.Join(dir, "oracle.mjs"))
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("oracle failed: %v\n%s", err, stderr.String())
	}
	var out []oracleResult
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("oracle output: %v", err)
	}
	if len(out) != len(cases) {
		t.Fatalf("oracle returned %d results for %d cases", len(out), len(cases))
	}
	return out
}

// knownDisagreements reads the class ids ("## class-id" headings) listed
// in testdata/oracle-disagreements.md.
func knownDisagreements(t testing.TB) map[string]bool {
	f, err := os.Open(filepath.Join("testdata", "oracle-disagreements.md"))
	if err != nil {
		if os.IsNotExist(err) {
			return map[string]bool{}
		}
		t.Fatal(err)
	}
	defer f.Close()
	re := regexp.MustCompile("^## `([a-z0-9-]+)`")
	out := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			out[m[1]] = true
		}
	}
	return out
}

// classify names the documented disagreement class a case belongs to, if
// any. Each class is explained, with the AWS documentation it relies on,
// in testdata/oracle-disagreements.md.
func classify(c *diffCase, mine Result, theirs string) string {
	quirks := []struct {
		id string
		q  oracleQuirks
	}{
		{"date-epoch-seconds", oracleQuirks{epochMillis: true}},
		{"ip-zero-prefix", oracleQuirks{ipZeroPrefixNoMatch: true}},
		{"notresource-partial-arn", oracleQuirks{notResourceShortArn: true}},
		{"cross-account-explicit-deny", oracleQuirks{crossAccountResourceFirst: true}},
		{"foranyvalue-ifexists-missing", oracleQuirks{forAnyValueIfExistsFalse: true}},
		{"notresource-missing-variable", oracleQuirks{notResourceMissingVarStar: true}},
		{"scp-implicit-deny-label", oracleQuirks{scpImplicitFirst: true}},
		{"ip-bare-ipv4-vs-ipv6", oracleQuirks{ipBareV4VersusV6False: true}},
		{"notprincipal-account-covers-all", oracleQuirks{notPrincipalAccountCoversAll: true}},
		{"trust-named-user-boundary", oracleQuirks{trustDirectIgnoresBoundary: true}},
	}
	try := func(q oracleQuirks) bool {
		in := c.in
		in.quirks = q
		return Evaluate(in, c.req).Decision.String() == theirs
	}
	for _, k := range quirks {
		if try(k.q) {
			return k.id
		}
	}
	// Two quirks at once.
	for i, a := range quirks {
		for _, b := range quirks[i+1:] {
			q := a.q
			q.epochMillis = q.epochMillis || b.q.epochMillis
			q.ipZeroPrefixNoMatch = q.ipZeroPrefixNoMatch || b.q.ipZeroPrefixNoMatch
			q.notResourceShortArn = q.notResourceShortArn || b.q.notResourceShortArn
			q.crossAccountResourceFirst = q.crossAccountResourceFirst || b.q.crossAccountResourceFirst
			q.forAnyValueIfExistsFalse = q.forAnyValueIfExistsFalse || b.q.forAnyValueIfExistsFalse
			q.notResourceMissingVarStar = q.notResourceMissingVarStar || b.q.notResourceMissingVarStar
			q.scpImplicitFirst = q.scpImplicitFirst || b.q.scpImplicitFirst
			q.ipBareV4VersusV6False = q.ipBareV4VersusV6False || b.q.ipBareV4VersusV6False
			q.notPrincipalAccountCoversAll = q.notPrincipalAccountCoversAll || b.q.notPrincipalAccountCoversAll
			q.trustDirectIgnoresBoundary = q.trustDirectIgnoresBoundary || b.q.trustDirectIgnoresBoundary
			if try(q) {
				return a.id + "+" + b.id
			}
		}
	}
	return ""
}

func TestDifferential(t *testing.T) {
	dir := requireOracle(t)
	g := gen{rand.New(rand.NewPCG(*diffSeed, *diffSeed^0x9e3779b97f4a7c15))}
	n := *diffN
	cases := make([]*diffCase, n)
	oc := make([]oracleCase, n)
	for i := range cases {
		cases[i] = genCase(t, g)
		oc[i] = cases[i].oracle
	}
	// One oracle process per batch of up to oracleBatch cases (the default
	// run is a single process); batches bound the JSON held in memory.
	const oracleBatch = 25000
	start := time.Now()
	var res []oracleResult
	for i := 0; i < n; i += oracleBatch {
		res = append(res, runOracle(t, dir, oc[i:min(i+oracleBatch, n)])...)
	}
	oracleTime := time.Since(start)
	known := knownDisagreements(t)
	agree, errs := 0, 0
	decisions := map[string]int{}
	classes := map[string]int{}
	var failures []string
	for i, c := range cases {
		r := res[i]
		if r.Error != "" {
			errs++
			if errs <= 5 {
				b, _ := json.Marshal(c.oracle)
				t.Errorf("case %d: oracle rejected a generated case: %s\n%s", i, r.Error, b)
			}
			continue
		}
		mine := Evaluate(c.in, c.req)
		decisions[r.OverallResult]++
		if mine.Decision.String() == r.OverallResult {
			agree++
			continue
		}
		if cl := classify(c, mine, r.OverallResult); cl != "" && allKnown(known, cl) {
			classes[cl]++
			continue
		}
		if len(failures) < 10 {
			b, _ := json.MarshalIndent(c.oracle, "", " ")
			failures = append(failures, fmt.Sprintf("case %d: ours %s (keys %v), oracle %s\n%s", i, mine.Decision, mine.ConditionKeys, r.OverallResult, b))
		} else {
			failures = append(failures, "")
		}
	}
	compared := n - errs
	t.Logf("differential: %d cases (seed %d), oracle %v, %d oracle errors; agreement %d/%d = %.3f%%; oracle decisions %v; documented disagreements %v",
		n, *diffSeed, oracleTime.Round(time.Millisecond), errs, agree, compared, 100*float64(agree)/float64(max(compared, 1)), decisions, classes)
	if len(failures) > 0 {
		var shown []string
		for _, f := range failures {
			if f != "" {
				shown = append(shown, f)
			}
		}
		sort.Strings(shown[:0])
		t.Fatalf("%d undocumented disagreements; first ones:\n%s", len(failures), strings.Join(shown, "\n\n"))
	}
}

func allKnown(known map[string]bool, cl string) bool {
	for _, id := range strings.Split(cl, "+") {
		if !known[id] {
			return false
		}
	}
	return true
}
