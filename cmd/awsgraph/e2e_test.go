package main

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/awsgraph/awsgraph/internal/collector"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/sink/j1files"
	"github.com/awsgraph/awsgraph/internal/testbed"

	_ "modernc.org/sqlite"
)

type collected struct {
	dir      string
	summary  collector.Summary
	entities map[string]graph.Entity
	rels     []graph.Relationship
	raw      string // every output byte, for secret scans
}

func collect(t *testing.T, endpoint, account, dir string, extra ...string) (int, *collected, string) {
	t.Helper()
	args := append([]string{"collect", "--role-arn", testbed.RoleArn(account), "--external-id", testbed.ExternalID,
		"--regions", "us-east-1,eu-west-1", "--endpoint-url", endpoint,
		"--output", filepath.Join(dir, "out"), "--db", filepath.Join(dir, "graph.db"), "--verbose"}, extra...)
	code, stdout, stderr := run(t, args...)
	if code != 0 {
		return code, nil, stdout + stderr
	}
	c := &collected{dir: dir, entities: map[string]graph.Entity{}}
	data, err := os.ReadFile(filepath.Join(dir, "out", "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &c.summary); err != nil {
		t.Fatal(err)
	}
	ents, rels, err := j1files.ReadGraph(filepath.Join(dir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if _, dup := c.entities[e.Key()]; dup {
			t.Errorf("duplicate entity key %s", e.Key())
		}
		c.entities[e.Key()] = e
	}
	c.rels = rels
	var all strings.Builder
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			all.Write(b)
		}
		return nil
	})
	all.WriteString(stdout + stderr)
	c.raw = all.String()
	return code, c, stdout + stderr
}

func (c *collected) ofType(typ string) []graph.Entity {
	var out []graph.Entity
	for _, e := range c.entities {
		if e.Type() == typ {
			out = append(out, e)
		}
	}
	return out
}

func (c *collected) edges(typ string) map[string][]string {
	out := map[string][]string{}
	for _, r := range c.rels {
		if r.Type() == typ {
			out[r.FromKey()] = append(out[r.FromKey()], r.ToKey())
		}
	}
	return out
}

// The demo account, collected through the CLI against moto, matches what the
// EC2 API reports, instance by instance, with no duplicate or dangling edges
// and no secret anywhere in the output.
func TestCollectDemoAccountEndToEnd(t *testing.T) {
	dir := isolateEnv(t)
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	facts, err := testbed.SeedDemo(context.Background(), srv.URL, acct, [2]string{"us-east-1", "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	code, c, out := collect(t, srv.URL, acct, dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
	for _, r := range c.rels {
		if r.Mapping() == nil {
			if c.entities[r.FromKey()] == nil || c.entities[r.ToKey()] == nil {
				t.Errorf("dangling relationship %s", r.Key())
			}
		}
	}
	seen := map[string]bool{}
	for _, r := range c.rels {
		if seen[r.Key()] {
			t.Errorf("duplicate relationship key %s", r.Key())
		}
		seen[r.Key()] = true
	}
	// JupiterOne relationship rules (docs/contract.md §3), on the files as
	// written: every property value is string, number, boolean or null
	// (`_mapping` excepted), list-valued facts are JSON text with their
	// count, and `_class` is a data-model verb (CAN_ASSUME exempt).
	for _, r := range c.rels {
		if err := graph.ValidateRelationship(r); err != nil {
			t.Error(err)
		}
		for k, v := range r {
			text, isText := v.(string)
			if !isText || !strings.HasPrefix(text, "[") {
				continue
			}
			vals, ok := graph.SplitList(text)
			if !ok {
				continue // JSON of something else (`conditions`: a list of condition blocks)
			}
			if n, isNum := r[graph.CountName(k)].(float64); !isNum || int(n) != len(vals) {
				t.Errorf("%s: %s = %s with %s = %v", r.Key(), k, text, graph.CountName(k), r[graph.CountName(k)])
			}
		}
	}
	for _, secret := range []string{testbed.DemoUserDataSecret, testbed.DemoEnvSecret, testbed.ExternalID,
		base64.StdEncoding.EncodeToString([]byte("#!/bin/sh\nexport DB_PASSWORD=" + testbed.DemoUserDataSecret + "\n"))} {
		if strings.Contains(c.raw, secret) {
			t.Errorf("secret %q found in the output", secret)
		}
	}
	if len(c.ofType("aws_account")) != 1 {
		t.Errorf("want one aws_account")
	}

	// EC2 truth, region by region, from the API itself.
	for _, region := range facts.Regions {
		api := ec2.NewFromConfig(srv.SeedConfig(t, acct, region))
		ctx := context.Background()
		inst, err := api.DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
		if err != nil {
			t.Fatal(err)
		}
		for _, res := range inst.Reservations {
			for _, i := range res.Instances {
				key := "arn:aws:ec2:" + region + ":" + acct + ":instance/" + aws.ToString(i.InstanceId)
				e := c.entities[key]
				if e == nil {
					t.Errorf("instance %s missing", key)
					continue
				}
				var wantVols, wantGroups []string
				for _, bdm := range i.BlockDeviceMappings {
					wantVols = append(wantVols, "arn:aws:ec2:"+region+":"+acct+":volume/"+aws.ToString(bdm.Ebs.VolumeId))
				}
				for _, g := range i.SecurityGroups {
					wantGroups = append(wantGroups, "arn:aws:ec2:"+region+":"+acct+":security-group/"+aws.ToString(g.GroupId))
				}
				if got := c.edges("aws_ec2_instance_uses_volume")[key]; !sameSet(got, wantVols) {
					t.Errorf("%s USES %v, want %v", key, got, wantVols)
				}
				protects := c.edges("aws_ec2_security_group_protects_instance")
				for _, g := range wantGroups {
					if !contains(protects[g], key) {
						t.Errorf("group %s does not PROTECT %s", g, key)
					}
				}
			}
		}
		for typ, n := range map[string]func() (int, error){
			"aws_ec2_vpc": func() (int, error) {
				o, err := api.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
				return len(o.Vpcs), err
			},
			"aws_ec2_subnet": func() (int, error) {
				o, err := api.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
				return len(o.Subnets), err
			},
			"aws_ec2_security_group": func() (int, error) {
				o, err := api.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{})
				return len(o.SecurityGroups), err
			},
			"aws_ec2_volume": func() (int, error) {
				o, err := api.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{})
				return len(o.Volumes), err
			},
		} {
			want, err := n()
			if err != nil {
				t.Fatal(err)
			}
			got := 0
			for _, e := range c.ofType(typ) {
				if e.String("region") == region {
					got++
				}
			}
			if got != want {
				t.Errorf("%s in %s: %d collected, API reports %d", typ, region, got, want)
			}
		}
	}
	if len(c.ofType("aws_s3_bucket")) != len(facts.Buckets) {
		t.Errorf("buckets: %d, want %d", len(c.ofType("aws_s3_bucket")), len(facts.Buckets))
	}
	// CAN_ASSUME, worked out by hand from the demo's trust and identity
	// policies: alice is named (MFA condition) by demo-admin; demo-deployer
	// trusts the account, so those whose identity policies allow it may
	// (alice via AdministratorAccess, build-bot via demo-deploy, the
	// demo-admin role via AdministratorAccess) but bob's inline Deny wins;
	// lambda assumes its execution role; the vendor account needs the
	// external id; the GitHub OIDC provider needs the sub claim.
	root := "arn:aws:iam::" + acct + ":"
	wantAssume := map[string]string{
		"service-principal:lambda.amazonaws.com|" + root + "role/demo-lambda-exec":          "",
		root + "user/alice@example.com|" + root + "role/demo-admin":                         "aws:MultiFactorAuthPresent",
		root + "user/alice@example.com|" + root + "role/demo-deployer":                      "",
		root + "user/build-bot|" + root + "role/demo-deployer":                              "",
		root + "role/demo-admin|" + root + "role/demo-deployer":                             "",
		"arn:aws:iam::999999999999:root|" + root + "role/demo-vendor":                       "sts:ExternalId",
		root + "oidc-provider/token.actions.githubusercontent.com|" + root + "role/demo-ci": "token.actions.githubusercontent.com:sub",
	}
	gotAssume := map[string]string{}
	for _, r := range c.rels {
		if r.Class() != "CAN_ASSUME" {
			continue
		}
		from, to := r.FromKey(), r.ToKey()
		if m := r.Mapping(); m != nil {
			from, _ = m.TargetEntity["_key"].(string)
			to = m.SourceEntityKey
		}
		keys, ok := graph.SplitList(r["conditionKeys"])
		if _, text := r["conditionKeys"].(string); !ok || !text {
			t.Errorf("%s: conditionKeys %#v is not a JSON-text list (docs/contract.md §3)", r.Key(), r["conditionKeys"])
		}
		if (len(keys) > 0) != (r["conditional"] == true) {
			t.Errorf("%s: conditional %v with keys %v", r.Key(), r["conditional"], keys)
		}
		gotAssume[from+"|"+to] = strings.Join(keys, ",")
	}
	if fmt.Sprint(gotAssume) != fmt.Sprint(wantAssume) {
		t.Errorf("CAN_ASSUME edges\n got %v\nwant %v", gotAssume, wantAssume)
	}

	// TRUSTS, role → principal: the trust policies as written, whatever
	// the principals' identity policies say (demo-deployer trusts the
	// account, demo-vendor the vendor's account, mapped).
	wantTrusts := map[string]string{
		root + "role/demo-lambda-exec|service-principal:lambda.amazonaws.com":               "",
		root + "role/demo-admin|" + root + "user/alice@example.com":                         "aws:MultiFactorAuthPresent",
		root + "role/demo-deployer|" + root + "root":                                        "",
		root + "role/demo-vendor|mapped:arn:aws:iam::999999999999:root":                     "sts:ExternalId",
		root + "role/demo-ci|" + root + "oidc-provider/token.actions.githubusercontent.com": "token.actions.githubusercontent.com:sub",
	}
	gotTrusts := map[string]string{}
	trusted := map[string]bool{}
	for _, r := range c.rels {
		if r.Class() != "TRUSTS" {
			continue
		}
		from, to := r.FromKey(), r.ToKey()
		target := to
		if m := r.Mapping(); m != nil {
			from = m.SourceEntityKey
			target, _ = m.TargetEntity["_key"].(string)
			to = "mapped:" + target
		}
		keys, _ := graph.SplitList(r["conditionKeys"])
		gotTrusts[from+"|"+to] = strings.Join(keys, ",")
		trusted[from+"|"+target] = true
	}
	if fmt.Sprint(gotTrusts) != fmt.Sprint(wantTrusts) {
		t.Errorf("TRUSTS edges\n got %v\nwant %v", gotTrusts, wantTrusts)
	}
	// Every CAN_ASSUME rests on a TRUSTS from its role to the principal or
	// to the principal's account (AssumeRole always needs the trust policy
	// to allow the principal or its account; internal/analysis/trust tests
	// say why in full).
	for k := range gotAssume {
		principal, role, _ := strings.Cut(k, "|")
		acctRoot := "arn:aws:iam::" + strings.Split(principal+":::::", ":")[4] + ":root"
		if !trusted[role+"|"+principal] && !trusted[role+"|"+acctRoot] && !trusted[role+"|global:everyone"] {
			t.Errorf("CAN_ASSUME %s -> %s without a TRUSTS from the role", principal, role)
		}
	}

	if c.summary.APICalls.Total == 0 || len(c.summary.Metadata.PartialDatasets.Types) != 0 {
		t.Errorf("summary: calls %d, partial %v, warnings %v", c.summary.APICalls.Total, c.summary.Metadata.PartialDatasets.Types, c.summary.Warnings)
	}
	// Against an emulator every service shares one bound ("endpoint"); it
	// saw every request the collection made after AssumeRole.
	if cc, ok := c.summary.APICalls.Concurrency["endpoint"]; !ok || cc.Requests == 0 || cc.Limit < 1 || cc.MaxInFlight < 1 {
		t.Errorf("summary concurrency: %+v", c.summary.APICalls.Concurrency)
	}
	t.Logf("demo account: %d entities, %d relationships, %d API calls, %d ms", len(c.entities), len(c.rels), c.summary.APICalls.Total, c.summary.DurationMs)
}

// The partial rule, end to end: S3 is denied on the second run (a wire-level
// fake, since moto's own access control is process-global and breaks Lambda
// and API Gateway signing); the S3 step is partial, the others complete, the
// exit code is 0, and the store still holds the buckets from the first run.
func TestDeniedServiceIsPartialAndKeepsStoredData_WireFake(t *testing.T) {
	dir := isolateEnv(t)
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	facts, err := testbed.SeedDemo(context.Background(), srv.URL, acct, [2]string{"us-east-1", "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	fp := srv.NewFaultProxy(t)
	code, first, out := collect(t, fp.URL, acct, dir)
	if code != 0 {
		t.Fatalf("first run exit %d: %s", code, out)
	}
	nBuckets := len(first.ofType("aws_s3_bucket"))
	if nBuckets != len(facts.Buckets) {
		t.Fatalf("first run: %d buckets, want %d", nBuckets, len(facts.Buckets))
	}
	fp.Add(&testbed.Fault{
		Match: func(r *http.Request, _ []byte) bool {
			return testbed.Service(r) == "s3" && r.Method == "GET" && r.URL.Path == "/"
		},
		Status: 403, Body: testbed.S3Error("AccessDenied", "Access Denied"),
	})
	code, second, out := collect(t, fp.URL, acct, dir)
	if code != 0 {
		t.Fatalf("second run exit %d, want 0 (partial is a warning): %s", code, out)
	}
	partial := strings.Join(second.summary.Metadata.PartialDatasets.Types, ",")
	if !strings.Contains(partial, "aws_s3_bucket") {
		t.Fatalf("aws_s3_bucket not partial: %v", partial)
	}
	if strings.Contains(partial, "aws_ec2_instance") {
		t.Fatalf("EC2 marked partial by an S3 denial: %v", partial)
	}
	warned := false
	for _, w := range second.summary.Warnings {
		if w.Permission == "s3:ListAllMyBuckets" {
			warned = true
		}
	}
	if !warned {
		t.Fatalf("no warning names s3:ListAllMyBuckets: %+v", second.summary.Warnings)
	}
	if !strings.Contains(out, "aws_s3_bucket") || !strings.Contains(out, "missing or failed: s3:ListAllMyBuckets") {
		t.Fatalf("the summary table does not name the missing permission of the partial type:\n%s", out)
	}
	if len(second.ofType("aws_ec2_instance")) != len(first.ofType("aws_ec2_instance")) {
		t.Fatal("other steps did not complete")
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "graph.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM entities WHERE type = 'aws_s3_bucket'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != nBuckets {
		t.Fatalf("store holds %d buckets after the denied run, want %d kept", n, nBuckets)
	}
	// A complete third run still deletes what really vanished.
	fp.Clear()
	api := ec2.NewFromConfig(srv.SeedConfig(t, acct, "us-east-1"))
	if _, err := api.DeleteVolume(context.Background(), &ec2.DeleteVolumeInput{VolumeId: aws.String(facts.FreeVolume)}); err != nil {
		t.Fatal(err)
	}
	if code, _, out := collect(t, fp.URL, acct, dir); code != 0 {
		t.Fatalf("third run exit %d: %s", code, out)
	}
	if err := db.QueryRow(`SELECT COUNT(*) FROM entities WHERE key LIKE ?`, "%"+facts.FreeVolume).Scan(&n); err != nil || n != 0 {
		t.Fatalf("deleted volume still stored (%d, %v)", n, err)
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
	}
	for _, v := range m {
		if v != 0 {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// The same collection into PostgreSQL (--postgres-dsn, or the
// AWSGRAPH_POSTGRES_DSN variable for import and query), and a query back.
func TestCollectIntoPostgres(t *testing.T) {
	dir := isolateEnv(t)
	srv := testbed.Server(t)
	dsn := testbed.StartPostgres(t)
	acct := testbed.NewAccountID(t)
	if _, err := testbed.SeedDemo(context.Background(), srv.URL, acct, [2]string{"us-east-1", "eu-west-1"}); err != nil {
		t.Fatal(err)
	}
	code, c, out := collect(t, srv.URL, acct, dir, "--postgres-dsn", dsn)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
	if strings.Contains(out, dsn) {
		t.Fatal("DSN printed")
	}
	if _, err := os.Stat(filepath.Join(dir, "graph.db")); err == nil {
		t.Fatal("SQLite store written although a PostgreSQL DSN was given")
	}
	t.Setenv("AWSGRAPH_POSTGRES_DSN", dsn)
	code, stdout, stderr := run(t, "query", "SELECT count(*) FROM entities WHERE type = 'aws_ec2_instance'")
	if code != 0 {
		t.Fatalf("query exit %d: %s", code, stderr)
	}
	want := fmt.Sprint(len(c.ofType("aws_ec2_instance")))
	if lines := strings.Split(strings.TrimSpace(stdout), "\n"); len(lines) != 2 || lines[1] != want {
		t.Fatalf("query output %q, want count %s", stdout, want)
	}
}
