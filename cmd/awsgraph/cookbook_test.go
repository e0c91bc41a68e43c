package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/awsgraph/awsgraph/internal/query/j1ql"
	"github.com/awsgraph/awsgraph/internal/sink"
	"github.com/awsgraph/awsgraph/internal/sink/postgres"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

// rowsOf runs a J1QL query through the CLI (--format json) and returns the rows.
func rowsOf(t *testing.T, db, query string) []map[string]any {
	t.Helper()
	code, stdout, stderr := run(t, "query", "--db", db, "--format", "json", query)
	if code != 0 {
		t.Fatalf("%s: exit %d %s", query, code, stderr)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(stdout), &rows); err != nil {
		t.Fatalf("%s: %v: %s", query, err, stdout)
	}
	return rows
}

func column(rows []map[string]any, key string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprint(r[key]))
	}
	return out
}

// Every cookbook query, run on the demo account collected through the CLI
// against moto, gives the answer worked out from the demo's seeding
// (internal/testbed/demo.go); the same answers come from PostgreSQL.
func TestCookbookOnDemoAccount(t *testing.T) {
	dir := isolateEnv(t)
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	facts, err := testbed.SeedDemo(context.Background(), srv.URL, acct, [2]string{"us-east-1", "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	code, c, out := collect(t, srv.URL, acct, dir)
	if code != 0 {
		t.Fatalf("collect exit %d: %s", code, out)
	}
	db := filepath.Join(dir, "graph.db")
	var volumes []string
	for _, v := range c.ofType("aws_ec2_volume") {
		if id := v.String("volumeId"); id != facts.DataVolume {
			volumes = append(volumes, id)
		}
	}
	sort.Strings(volumes)
	checks := map[string]func(rows []map[string]any) error{
		"Which hosts can the Internet reach on SSH?": func(rows []map[string]any) error {
			// demo-web-1 sits behind demo-ssh-open (22 from 0.0.0.0/0) with a
			// public address; demo-db-1 is private, demo-eu-batch has no rule.
			if len(rows) != 1 || rows[0]["host.displayName"] != "demo-web-1" || rows[0]["host.publicIpAddress"] == nil {
				return fmt.Errorf("want demo-web-1 with its public address")
			}
			return nil
		},
		"Which buckets are public?": func(rows []map[string]any) error {
			if !slices.Equal(column(rows, "aws_s3_bucket.name"), []string{"demo-public-" + acct}) || rows[0]["aws_s3_bucket.publicByAcl"] != true {
				return fmt.Errorf("want demo-public-%s, public by its ACL", acct)
			}
			return nil
		},
		"Which IAM users have no MFA device?": func(rows []map[string]any) error {
			if !slices.Equal(column(rows, "aws_iam_user.name"), []string{"alice@example.com", "bob", "build-bot"}) {
				return fmt.Errorf("want the three demo users, by name")
			}
			return nil
		},
		"Who can assume a role with administrator access?": func(rows []map[string]any) error {
			// demo-admin (AdministratorAccess) trusts alice only; demo-deployer is not admin.
			if len(rows) != 1 || rows[0]["who.displayName"] != "alice@example.com" || rows[0]["role.roleName"] != "demo-admin" || rows[0]["who._type"] != "aws_iam_user" {
				return fmt.Errorf("want alice -> demo-admin")
			}
			return nil
		},
		"Which roles trust another account?": func(rows []map[string]any) error {
			if len(rows) != 1 || rows[0]["role.roleName"] != "demo-vendor" || rows[0]["acct.accountId"] != "999999999999" {
				return fmt.Errorf("want demo-vendor -> 999999999999")
			}
			return nil
		},
		"Which EBS volumes are not encrypted?": func(rows []map[string]any) error {
			got := column(rows, "aws_ec2_volume.volumeId")
			sort.Strings(got)
			if len(volumes) != 4 || !slices.Equal(got, volumes) || !slices.Contains(got, facts.FreeVolume) {
				return fmt.Errorf("want every volume but the encrypted %s: %v", facts.DataVolume, volumes)
			}
			return nil
		},
		"Which Lambda functions run with an administrator role?": func(rows []map[string]any) error {
			// demo-lambda-exec holds only an inline logs policy: none. The
			// same traversal without the admin filter finds both functions.
			control := rowsOf(t, db, "FIND aws_lambda_function AS fn THAT ASSIGNED >> aws_iam_role AS role THAT ASSIGNED >> AccessPolicy RETURN fn.functionName, role.roleName ORDER BY fn.functionName")
			if len(rows) != 0 || !slices.Equal(column(control, "fn.functionName"), []string{"demo-api-handler", "demo-eu-worker"}) ||
				!slices.Equal(column(control, "role.roleName"), []string{"demo-lambda-exec", "demo-lambda-exec"}) {
				return fmt.Errorf("want none (control: %v)", control)
			}
			return nil
		},
		"Which security groups allow all traffic from anywhere?": func(rows []map[string]any) error {
			// The demo opens single ports to the world, never everything; the
			// default groups allow everything *out* (egress), not in.
			if len(rows) != 0 {
				return fmt.Errorf("want none")
			}
			return nil
		},
		"Which security groups let the Internet in at all, on which ports?": func(rows []map[string]any) error {
			got := map[string]string{}
			for _, r := range rows {
				b, _ := json.Marshal(r["aws_ec2_security_group.internetIngressPorts"])
				got[fmt.Sprint(r["aws_ec2_security_group.groupName"])] = string(b)
			}
			if fmt.Sprint(got) != `map[demo-ssh-open:["tcp:22"] demo-web:["tcp:80","tcp:443"]]` {
				return fmt.Errorf("want demo-ssh-open tcp:22 and demo-web tcp:80, tcp:443")
			}
			return nil
		},
		"How many entities of each class hold data?": func(rows []map[string]any) error {
			if fmt.Sprint(rows) != fmt.Sprintf("[map[count(d):%d d._type:aws_ec2_volume] map[count(d):%d d._type:aws_s3_bucket]]", len(c.ofType("aws_ec2_volume")), len(facts.Buckets)) || len(facts.Buckets) != 3 {
				return fmt.Errorf("want 5 volumes then 3 buckets")
			}
			return nil
		},
	}
	pg := demoInPostgres(t, c)
	for _, ex := range j1ql.Cookbook {
		check, ok := checks[ex.Question]
		if !ok {
			t.Errorf("cookbook question %q has no checked answer", ex.Question)
			continue
		}
		rows := rowsOf(t, db, ex.Query)
		if err := check(rows); err != nil {
			t.Errorf("%s\n%s\ngot %v: %v", ex.Question, ex.Query, rows, err)
		}
		code, stdout, stderr := run(t, "query", "--postgres-dsn", pg, "--format", "json", ex.Query)
		_, lite, _ := run(t, "query", "--db", db, "--format", "json", ex.Query)
		if code != 0 || stdout != lite {
			t.Errorf("%s: PostgreSQL answers differently (exit %d %s):\n%s\nSQLite:\n%s", ex.Question, code, stderr, stdout, lite)
		}
	}
	if len(checks) != len(j1ql.Cookbook) {
		t.Errorf("%d checks for %d cookbook entries", len(checks), len(j1ql.Cookbook))
	}
}

// demoInPostgres stores the collected graph files in a PostgreSQL store.
func demoInPostgres(t *testing.T, c *collected) string {
	t.Helper()
	dsn := testbed.StartPostgres(t)
	st, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	snap := &sink.Snapshot{InstanceID: c.summary.IntegrationInstanceID, Relationships: c.rels}
	for _, e := range c.entities {
		snap.Entities = append(snap.Entities, e)
	}
	sort.Slice(snap.Entities, func(i, j int) bool { return snap.Entities[i].Key() < snap.Entities[j].Key() })
	if err := st.Write(context.Background(), snap); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(snap.InstanceID) == "" {
		t.Fatal("no instance id in the summary")
	}
	return dsn
}

// The README's cookbook is the one --examples prints and the test above runs.
func TestReadmeHoldsTheCookbook(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range j1ql.Cookbook {
		if !strings.Contains(string(readme), "**"+ex.Question+"**") || !strings.Contains(string(readme), "  "+ex.Query+"\n") {
			t.Errorf("README lacks the cookbook entry %q", ex.Question)
		}
	}
}
