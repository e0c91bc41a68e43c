package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/awsgraph/awsgraph/internal/history"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

// changeDemo makes three changes in the demo account: the public bucket is
// deleted, the database group gets an ingress rule, the VPC's env tag
// changes from prod to staging.
func changeDemo(t *testing.T, srv *testbed.Moto, acct string, facts *testbed.DemoFacts) (bucket string) {
	t.Helper()
	ctx := context.Background()
	cfg := srv.SeedConfig(t, acct, "us-east-1")
	bucket = "demo-public-" + acct
	if _, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	e := ec2.NewFromConfig(cfg)
	if _, err := e.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(facts.DBGroup),
		IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(6379), ToPort: aws.Int32(6379),
			IpRanges: []ec2types.IpRange{{CidrIp: aws.String("10.0.0.0/16")}}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{facts.CustomVPC},
		Tags: []ec2types.Tag{{Key: aws.String("env"), Value: aws.String("staging")}}}); err != nil {
		t.Fatal(err)
	}
	return bucket
}

func collectInto(t *testing.T, endpoint, acct string, store []string) {
	t.Helper()
	args := append([]string{"collect", "--role-arn", testbed.RoleArn(acct), "--external-id", testbed.ExternalID,
		"--regions", "us-east-1,eu-west-1", "--endpoint-url", endpoint, "--quiet",
		"--output", filepath.Join(t.TempDir(), "out")}, store...)
	if code, stdout, stderr := run(t, args...); code != 0 {
		t.Fatalf("collect: exit %d\n%s%s", code, stdout, stderr)
	}
}

func testDiffAfterChanges(t *testing.T, store []string) {
	isolateEnv(t)
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	facts, err := testbed.SeedDemo(context.Background(), srv.URL, acct, [2]string{"us-east-1", "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	collectInto(t, srv.URL, acct, store)
	collectInto(t, srv.URL, acct, store)
	code, stdout, stderr := run(t, append([]string{"diff", "--format", "json"}, store...)...)
	if code != 0 {
		t.Fatalf("diff: exit %d\n%s", code, stderr)
	}
	var d history.Diff
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatal(err)
	}
	if !d.Empty() {
		t.Errorf("two runs over an unchanged account differ:\n%s", stdout)
	}
	bucket := changeDemo(t, srv, acct, facts)
	collectInto(t, srv.URL, acct, store)
	code, stdout, stderr = run(t, append([]string{"diff", "--format", "json"}, store...)...)
	if code != 0 {
		t.Fatalf("diff: exit %d\n%s", code, stderr)
	}
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatal(err)
	}
	sg := "arn:aws:ec2:us-east-1:" + acct + ":security-group/" + facts.DBGroup
	vpc := "arn:aws:ec2:us-east-1:" + acct + ":vpc/" + facts.CustomVPC
	bucketKey := "arn:aws:s3:::" + bucket
	// Exactly the three changes and what follows from them: the bucket and
	// the account's HAS edge to it removed, the group's rules changed and an
	// ALLOWS edge from the VPC's range added, the VPC's tag changed.
	want := []string{
		"entity aws_ec2_security_group changed " + sg + " ingressRules",
		"entity aws_ec2_vpc changed " + vpc + " tag.env",
		"entity aws_s3_bucket removed " + bucketKey,
		"relationship aws_account_has_s3_bucket removed arn:aws:iam::" + acct + ":root|has|" + bucketKey,
		"relationship aws_ec2_vpc_allows_security_group added " + sg + "|allows|ingress|*|10.0.0.0/16",
	}
	got := flatten(&d)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diff after the seeded changes:\n got %s\nwant %s\n(full diff: %s)", strings.Join(got, "\n     "), strings.Join(want, "\n     "), stdout)
	}
	for _, o := range d.Entities["aws_ec2_vpc"].Changed {
		if c := o.Changes[0]; c.Old != "prod" || c.New != "staging" {
			t.Errorf("tag.env: %v → %v, want prod → staging", c.Old, c.New)
		}
	}
	for _, o := range d.Entities["aws_ec2_security_group"].Changed {
		old, _ := o.Changes[0].Old.([]any)
		new, _ := o.Changes[0].New.([]any)
		if len(new) != len(old)+1 || !strings.Contains(fmt.Sprint(new), `"fromPort":6379,"toPort":6379,"cidrIpv4":"10.0.0.0/16"`) {
			t.Errorf("ingressRules %v → %v: want one rule added, for 6379 from 10.0.0.0/16", old, new)
		}
	}
	viewMatchesStore(t, store, acct)
	code, table, _ := run(t, append([]string{"diff"}, store...)...)
	for _, line := range []string{"entities: 0 added, 1 removed, 2 changed", "  - " + bucketKey, `tag.env: "prod" → "staging"`, "ingressRules: added "} {
		if code != 0 || !strings.Contains(table, line) {
			t.Errorf("diff table (exit %d) lacks %q:\n%s", code, line, table)
		}
	}
}

// flatten lists a diff one line per object, in order: kind, type, what
// happened, key (a rule id in a key as *, since moto makes it up), and the
// changed properties.
func flatten(d *history.Diff) []string {
	var out []string
	for _, g := range []struct {
		kind  string
		types map[string]*history.TypeDiff
	}{{"entity", d.Entities}, {"relationship", d.Relationships}} {
		var types []string
		for t := range g.types {
			types = append(types, t)
		}
		sort.Strings(types)
		for _, typ := range types {
			td := g.types[typ]
			for _, x := range []struct {
				op   string
				objs []history.Object
			}{{"added", td.Added}, {"removed", td.Removed}, {"changed", td.Changed}} {
				for _, o := range x.objs {
					line := g.kind + " " + typ + " " + x.op + " " + ruleID.ReplaceAllString(o.Key, "|*|")
					for _, c := range o.Changes {
						line += " " + c.Property
					}
					out = append(out, line)
				}
			}
		}
	}
	return out
}

var ruleID = regexp.MustCompile(`\|rule-[0-9a-f]+\|`)

func TestDiffListsSeededChanges_SQLite(t *testing.T) {
	testDiffAfterChanges(t, []string{"--db", filepath.Join(t.TempDir(), "graph.db")})
}

func TestDiffListsSeededChanges_Postgres(t *testing.T) {
	testDiffAfterChanges(t, []string{"--postgres-dsn", testbed.StartPostgres(t)})
}

// viewMatchesStore runs awsgraph view on the collected store and checks the
// page's counts against the store's own.
func viewMatchesStore(t *testing.T, store []string, acct string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "graph.html")
	code, stdout, stderr := run(t, append([]string{"view", "--out", out, "--instance", testbed.RoleArn(acct)}, store...)...)
	if code != 0 {
		t.Fatalf("view: exit %d\n%s", code, stderr)
	}
	_, counts, _ := run(t, append([]string{"query", `SELECT (SELECT COUNT(*) FROM entities), (SELECT COUNT(*) FROM relationships WHERE from_key IS NOT NULL AND to_key IS NOT NULL)`}, store...)...)
	var ents, rels int
	if _, err := fmt.Sscanf(strings.Split(counts, "\n")[1], "%d\t%d", &ents, &rels); err != nil {
		t.Fatalf("counts %q: %v", counts, err)
	}
	// One instance in the store: the page holds every entity and every edge with both ends.
	if want := fmt.Sprintf("wrote %s: %d entities, %d relationships\n", out, ents, rels); stdout != want || ents < 50 {
		t.Errorf("view printed %q, want %q", stdout, want)
	}
	viewDrawsJ1QLTree(t, store)
}

// viewDrawsJ1QLTree checks that view of a J1QL query draws exactly the
// subgraph `query ... RETURN TREE` answers.
func viewDrawsJ1QLTree(t *testing.T, store []string) {
	t.Helper()
	const q = "FIND aws_ec2_security_group THAT PROTECTS aws_ec2_instance"
	code, tree, stderr := run(t, append([]string{"query", "--format", "json", q + " RETURN TREE"}, store...)...)
	if code != 0 {
		t.Fatalf("query: exit %d\n%s", code, stderr)
	}
	var answer struct {
		Vertices []json.RawMessage `json:"vertices"`
		Edges    []json.RawMessage `json:"edges"`
	}
	if err := json.Unmarshal([]byte(tree), &answer); err != nil || len(answer.Edges) == 0 {
		t.Fatalf("query TREE: %v, %d edges\n%s", err, len(answer.Edges), tree)
	}
	out := filepath.Join(t.TempDir(), "tree.html")
	code, stdout, stderr := run(t, append([]string{"view", "--out", out, q}, store...)...)
	if want := fmt.Sprintf("wrote %s: %d entities, %d relationships\n", out, len(answer.Vertices), len(answer.Edges)); code != 0 || stdout != want {
		t.Errorf("view of J1QL: exit %d, %q %s; want %q", code, stdout, stderr, want)
	}
	if code, _, stderr := run(t, append([]string{"view", "--out", out, "FIND aws_ec2_instance WITH"}, store...)...); code != 2 || !strings.Contains(stderr, "col") {
		t.Errorf("view of bad J1QL: exit %d, %q; want exit 2 with the position", code, stderr)
	}
}

func TestDiffAndViewRejectBadInput(t *testing.T) {
	dir := isolateEnv(t)
	db := filepath.Join(dir, "g.db")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"diff", "--db", db}, 2, "no such file"},
		{[]string{"view", "--db", db}, 2, "no such file"},
		{[]string{"diff", "--format", "xml", "--db", db}, 2, `--format "xml": use table or json`},
		{[]string{"diff", "--from", "-3", "--db", db}, 2, "--from and --to are run ids"},
		{[]string{"view", "  ", "--db", db}, 2, "the query is empty"},
		{[]string{"view", "--out", "", "--db", db}, 2, "--out must name the HTML file"},
	} {
		code, _, stderr := run(t, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, %q; want exit %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
	// Another application's SQLite file is refused and left byte for byte.
	otherApp := filepath.Join(dir, "app.db")
	makeForeignSQLite(t, otherApp)
	before, _ := os.ReadFile(otherApp)
	for _, cmd := range [][]string{{"diff", "--db", otherApp}, {"explain-reachability", "--db", otherApp, "i-1"}} {
		if code, _, stderr := run(t, cmd...); code != 2 || !strings.Contains(stderr, "store") {
			t.Errorf("%v on another application's file: exit %d, %q; want exit 2", cmd, code, stderr)
		}
	}
	if after, _ := os.ReadFile(otherApp); !bytes.Equal(before, after) {
		t.Errorf("another application's SQLite file was changed")
	}
	// An existing store with no runs, then with one run only.
	if code, _, stderr := run(t, "import", "--db", db, "--source", "hr", "--file", writePersons(t, dir)); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"diff", "--db", db}, `has only one run`},
		{[]string{"diff", "--db", db, "--instance", "nope"}, `instance "nope" has no run in the store`},
		{[]string{"diff", "--db", db, "--to", "77"}, `--to 77 is not a run of instance "import:hr"`},
		{[]string{"view", "--db", db, "--instance", "nope"}, `instance "nope" has no entities in the store`},
		{[]string{"view", "--db", db, "SELECT 'ghost'"}, `entity "ghost" is not in the store`},
	} {
		code, _, stderr := run(t, tc.args...)
		if code != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, %q; want exit 1 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

func writePersons(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "persons.json")
	doc := `{"entities": [{"_key": "person-ana", "_type": "employee", "_class": ["Person"], "email": "ana@example.com"}]}`
	if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// makeForeignSQLite writes an SQLite database of another application.
func makeForeignSQLite(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('keep me')`); err != nil {
		t.Fatal(err)
	}
}
