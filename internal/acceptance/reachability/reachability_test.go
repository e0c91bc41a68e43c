// Package reachability is the acceptance test of the Internet-reachability
// analysis (issue 12): the issue's account in moto, collected by the built
// binary into SQLite, each instance's reachability asserted port by port
// through the CLI (awsgraph query, awsgraph explain-reachability).
package reachability

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/awsgraph/awsgraph/internal/acceptance/j1check"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

func TestMain(mm *testing.M) { os.Exit(testbed.Main(mm)) }

// awsgraph runs the built binary in dir.
func awsgraph(t *testing.T, dir string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(testbed.Binary(t), args...)
	cmd.Dir = dir
	cmd.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "AWS_ACCESS_KEY_ID=reachkey", "AWS_SECRET_ACCESS_KEY=reachsecret",
		"AWS_REGION=" + region, "AWS_EC2_METADATA_DISABLED=true"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

func collect(t *testing.T, endpoint, acct, dir string) {
	t.Helper()
	out, errOut, code := awsgraph(t, dir, "collect", "--role-arn", testbed.RoleArn(acct), "--external-id", testbed.ExternalID,
		"--regions", region, "--endpoint-url", endpoint, "--output", filepath.Join(dir, "out"), "--db", filepath.Join(dir, "awsgraph.db"))
	if code != 0 {
		t.Fatalf("collect exit %d\n%s\n%s", code, out, errOut)
	}
}

// reach is an instance's reachability as the store holds it.
type reach struct {
	Reachable bool     `json:"internetReachable"`
	Ports     []string `json:"internetReachablePorts"`
	Via       []string `json:"internetReachableVia"`
	Exposed   bool     `json:"internetExposed"`
}

func stored(t *testing.T, dir, instanceID string) reach {
	t.Helper()
	out, errOut, code := awsgraph(t, dir, "query", "--db", filepath.Join(dir, "awsgraph.db"),
		"SELECT json FROM entities WHERE type = 'aws_ec2_instance' AND json_extract(json, '$.instanceId') = '"+instanceID+"'")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 || lines[0] != "json" {
		t.Fatalf("query %s: exit %d %q %s", instanceID, code, out, errOut)
	}
	var r reach
	if err := json.Unmarshal([]byte(lines[1]), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestInternetReachabilityOfTheIssueAccount(t *testing.T) {
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	a := seed(t, srv, acct)
	dir := t.TempDir()
	collect(t, srv.URL, acct, dir)
	checkCalls(t, dir)
	if tg := queryJSON(t, dir, "SELECT json FROM entities WHERE type = 'aws_lb_target_group' AND json_extract(json, '$.targetGroupName') = 'nlb-ip'"); tg["preserveClientIp"] != false {
		t.Errorf("NLB target group preserveClientIp = %v, want false (read with DescribeTargetGroupAttributes)", tg["preserveClientIp"])
	}
	cases := []struct {
		role  string
		want  reach
		hints []string // what explain-reachability must say
	}{
		{"web", reach{true, []string{"tcp:80"}, []string{"direct"}, true}, []string{a.publicNACL, "deny (rule 90)", "allow (rule 100)", a.publicRouteTable}},
		{"bastion", reach{true, []string{"tcp:22", "tcp:80"}, []string{"direct"}, true}, []string{a.publicRouteTable}},
		{"stranded", reach{false, []string{}, []string{}, true}, []string{"the VPC's main table", "no default route to an attached Internet gateway"}},
		{"app1", reach{true, []string{"tcp:8080"}, []string{a.alb}, false}, []string{a.alb, "listener tcp:443", "admitted by security group rule"}},
		{"app2", reach{true, []string{"tcp:8080"}, []string{a.alb}, false}, []string{a.alb}},
		{"back-office", reach{false, []string{}, []string{}, false}, []string{"not reachable"}},
		{"v6-private", reach{false, []string{}, []string{}, true}, []string{"IPv6 direct", "egress-only-gateway"}},
		{"nlb-ip", reach{true, []string{"tcp:9000"}, []string{a.nlb}, false}, []string{a.nlb, "NLB without groups"}},
		{"multi-eni", reach{true, []string{"tcp:443"}, []string{"direct"}, true}, []string{a.interfaces["multi-eni-second"], "no public IPv4 address", "(Elastic IP eipalloc-"}},
		{"eip-instance", reach{true, []string{"tcp:22", "tcp:80"}, []string{"direct"}, true}, []string{a.publicRouteTable, "(Elastic IP eipalloc-"}},
		{"clb-backend", reach{true, []string{"tcp:8081"}, []string{a.classic}, false}, []string{a.classic + " listener HTTP:80 → instance port 8081", "from the load balancer's group"}},
		{"app-denied", reach{false, []string{}, []string{}, false}, []string{a.targetNACL, "first entry matching: deny (rule 90)"}},
		{"partial", reach{false, []string{}, []string{}, true}, []string{"routes only 1.2.3.0/24 to Internet gateway"}},
	}
	for _, c := range cases {
		id := a.instances[c.role]
		if got := stored(t, dir, id); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s (%s): stored %+v, want %+v", c.role, id, got, c.want)
		}
		out, errOut, code := awsgraph(t, dir, "explain-reachability", "--db", filepath.Join(dir, "awsgraph.db"), id)
		if code != 0 {
			t.Errorf("explain %s: exit %d %s", c.role, code, errOut)
			continue
		}
		if testing.Verbose() {
			t.Logf("explain-reachability %s (%s):\n%s", c.role, id, out)
		}
		for _, h := range c.hints {
			if !strings.Contains(out, h) {
				t.Errorf("explain %s does not say %q:\n%s", c.role, h, out)
			}
		}
	}
	// One Internet ALLOWS edge per open listener: the public ALB's and the NLB's, not the internal ALB's.
	out, errOut, _ := awsgraph(t, dir, "query", "--format", "csv", "--db", filepath.Join(dir, "awsgraph.db"),
		"SELECT to_key, json_extract(json, '$.port') FROM relationships WHERE from_key = 'global:internet' AND type IN ('internet_allows_aws_alb', 'internet_allows_aws_nlb') ORDER BY 1")
	want := []string{a.alb + ",443", a.alb + ",80", a.nlb + ",9000"}
	sort.Strings(want)
	if got := strings.Split(strings.TrimSpace(out), "\n"); len(got) == 0 || !reflect.DeepEqual(got[1:], want) {
		t.Errorf("Internet ALLOWS load balancer edges:\n%s%s\nwant %v", out, errOut, want)
	}
	checkTraps(t, dir, a)
	// Bad input: a precise error, exit 2.
	if _, errOut, code := awsgraph(t, dir, "explain-reachability", "--db", filepath.Join(dir, "awsgraph.db"), "i-doesnotexist"); code != 2 || !strings.Contains(errOut, `no instance or Lambda function "i-doesnotexist"`) {
		t.Errorf("unknown instance: exit %d %s", code, errOut)
	}
	// Every new entity validates with JupiterOne's data model.
	j1check.Available(t)
	r := j1check.Check(t, filepath.Join(dir, "out"))
	for _, typ := range []string{"aws_ec2_internet_gateway", "aws_ec2_egress_only_internet_gateway", "aws_ec2_nat_gateway", "aws_ec2_route_table",
		"aws_ec2_network_acl", "aws_alb", "aws_nlb", "aws_lb_listener", "aws_lb_target_group", "aws_eni", "aws_eip", "aws_elb"} {
		if r.Entities.TotalByType[typ] == 0 {
			t.Errorf("no %s entity in the graph", typ)
		}
	}
}

// Unknown is never safe: with one input of the analysis refused at the wire
// (route tables, network ACLs, or a target group's targets), the next run
// must keep every instance's reachability from the last good run — not
// recompute it from half the inputs (which would, for example, drop the
// ALB's targets or open the NACL-denied SSH port).
func TestReachabilityKeptWhenAnInputIsDenied_WireFakeDenial(t *testing.T) {
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	a := seed(t, srv, acct)
	dir := t.TempDir()
	collect(t, srv.URL, acct, dir)
	good := map[string]reach{}
	for role, id := range a.instances {
		good[role] = stored(t, dir, id)
	}
	if !good["app1"].Reachable || !good["web"].Reachable {
		t.Fatalf("the good run is not the expected one: %+v", good)
	}
	for _, op := range []string{"ec2:DescribeRouteTables", "ec2:DescribeNetworkAcls", "elasticloadbalancing:DescribeTargetHealth",
		"ec2:DescribeNetworkInterfaces", "ec2:DescribeAddresses"} {
		fp := srv.NewFaultProxy(t)
		f := &testbed.Fault{Match: func(r *http.Request, body []byte) bool { return testbed.Operation(r, body) == op },
			Status: 403, Body: testbed.AWSQueryError("AccessDenied", "User is not authorized to perform: "+op)}
		if strings.HasPrefix(op, "ec2:") {
			f.Body = testbed.EC2Error("UnauthorizedOperation", "You are not authorized to perform this operation.")
		}
		fp.Add(f)
		collect(t, fp.URL, acct, dir)
		if fp.Fired(f) == 0 {
			t.Errorf("%s: the fault never fired", op)
		}
		for role, id := range a.instances {
			if got := stored(t, dir, id); !reflect.DeepEqual(got, good[role]) {
				t.Errorf("%s denied: %s is %+v, was %+v", op, role, got, good[role])
			}
		}
	}
}

// byOperation finds the summary's API call counts, wherever they sit.
func byOperation(v any) map[string]any {
	switch x := v.(type) {
	case map[string]any:
		if b, ok := x["byOperation"].(map[string]any); ok {
			return b
		}
		for _, c := range x {
			if b := byOperation(c); b != nil {
				return b
			}
		}
	case []any:
		for _, c := range x {
			if b := byOperation(c); b != nil {
				return b
			}
		}
	}
	return nil
}

// checkCalls: one paginated Describe per type in the one region; per load
// balancer one DescribeListeners, per HTTP listener one DescribeRules, per
// target group one DescribeTargetHealth, per NLB target group one
// DescribeTargetGroupAttributes (the APIs have no bulk form).
func checkCalls(t *testing.T, dir string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "out", "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var summary any
	if err := json.Unmarshal(data, &summary); err != nil {
		t.Fatal(err)
	}
	calls := byOperation(summary)
	want := map[string]float64{
		"ec2:DescribeInternetGateways": 1, "ec2:DescribeEgressOnlyInternetGateways": 1, "ec2:DescribeNatGateways": 1,
		"ec2:DescribeRouteTables": 1, "ec2:DescribeNetworkAcls": 1,
		// DescribeLoadBalancers: ELBv2's and the Classic API's (one action name for both).
		"elasticloadbalancing:DescribeLoadBalancers": 2, "elasticloadbalancing:DescribeTargetGroups": 1,
		"elasticloadbalancing:DescribeListeners": 3, "elasticloadbalancing:DescribeRules": 3, "elasticloadbalancing:DescribeTargetHealth": 4,
		"elasticloadbalancing:DescribeTargetGroupAttributes": 1, // the NLB's TCP group only
		"ec2:DescribeNetworkInterfaces":                      1, "ec2:DescribeAddresses": 1, "elasticloadbalancing:DescribeTags": 1,
	}
	for op, n := range want {
		if calls[op] != n {
			t.Errorf("%s called %v times, want %v (all calls: %v)", op, calls[op], n, calls)
		}
	}
}

// queryJSON returns the one entity a query selects.
func queryJSON(t *testing.T, dir, sql string) map[string]any {
	t.Helper()
	out, errOut, code := awsgraph(t, dir, "query", "--db", filepath.Join(dir, "awsgraph.db"), sql)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 {
		t.Fatalf("query %s: exit %d %q %s", sql, code, out, errOut)
	}
	var e map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &e); err != nil {
		t.Fatal(err)
	}
	return e
}

// checkTraps: the verdicts on the network interfaces and the function, the
// prefix-only route's separate property, the new hops in the explanation.
func checkTraps(t *testing.T, dir string, a *account) {
	t.Helper()
	eni := func(id string) map[string]any {
		return queryJSON(t, dir, "SELECT json FROM entities WHERE type = 'aws_eni' AND json_extract(json, '$.networkInterfaceId') = '"+id+"'")
	}
	for role, want := range map[string][]any{"multi-eni-second": {"tcp:443"}, "eni-free": {"tcp:22", "tcp:80"}} {
		e := eni(a.interfaces[role])
		if e["internetReachable"] != true || !reflect.DeepEqual(e["internetReachablePorts"], want) || !reflect.DeepEqual(e["internetReachableVia"], []any{"direct"}) {
			t.Errorf("interface %s: %v", role, e)
		}
	}
	fn := queryJSON(t, dir, "SELECT json FROM entities WHERE type = 'aws_lambda_function' AND key = '"+a.function+"'")
	if fn["internetReachable"] != true || !reflect.DeepEqual(fn["internetReachablePorts"], []any{"tcp:80"}) || !reflect.DeepEqual(fn["internetReachableVia"], []any{a.alb}) {
		t.Errorf("function behind the ALB: %v", fn)
	}
	p := queryJSON(t, dir, "SELECT json FROM entities WHERE type = 'aws_ec2_instance' AND json_extract(json, '$.instanceId') = '"+a.instances["partial"]+"'")
	if !reflect.DeepEqual(p["internetReachableFromPrefixes"], []any{"1.2.3.0/24 tcp:22", "1.2.3.0/24 tcp:80"}) {
		t.Errorf("prefix-only route: %v", p["internetReachableFromPrefixes"])
	}
	out, errOut, code := awsgraph(t, dir, "explain-reachability", "--db", filepath.Join(dir, "awsgraph.db"), a.interfaces["eni-free"])
	if code != 0 || !strings.Contains(out, "interface "+a.interfaces["eni-free"]) || !strings.Contains(out, "verdict: reachable on tcp:22, tcp:80 via direct") {
		t.Errorf("explain the standalone interface: exit %d\n%s%s", code, out, errOut)
	}
}
