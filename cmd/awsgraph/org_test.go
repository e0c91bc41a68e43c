package main

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/awsgraph/awsgraph/internal/instance"
	"github.com/awsgraph/awsgraph/internal/sink/postgres"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

const memberExtID = "member-ext-7f3a"

func orgArgs(m *testbed.Moto, mgmt string, extra ...string) []string {
	return append([]string{"org", "--role-arn", testbed.RoleArn(mgmt), "--external-id", testbed.ExternalID,
		"--member-role-name", "awsgraph-reader", "--member-external-id", memberExtID, "--regions", "us-east-1",
		"--endpoint-url", m.URL}, extra...)
}

func parseLines(t *testing.T, out string) []instance.Event {
	t.Helper()
	var evs []instance.Event
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		ev, err := instance.ParseEvent([]byte(line))
		if err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		evs = append(evs, *ev)
	}
	return evs
}

func memberAccounts(evs []instance.Event) []string {
	var ids []string
	for _, ev := range evs {
		ids = append(ids, ev.Config.AccountID)
	}
	slices.Sort(ids)
	return ids
}

func wantMembers(s testbed.OrgFacts) []string {
	ids := []string{s.Management, s.Web, s.Data}
	slices.Sort(ids)
	return ids
}

func TestOrgPrintsOneEventLinePerActiveMember(t *testing.T) {
	isolateEnv(t)
	m := testbed.Server(t)
	mgmt := testbed.NewAccountID(t)
	s := testbed.SeedOrg(t, m, mgmt)
	code, stdout, stderr := run(t, orgArgs(m, mgmt, "--exclude", s.Closed)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	evs := parseLines(t, stdout)
	if got := memberAccounts(evs); !slices.Equal(got, wantMembers(s)) {
		t.Fatalf("events for %v, want %v", got, wantMembers(s))
	}
	for _, ev := range evs {
		if ev.Config.ExternalID.Reveal() != memberExtID || ev.Config.RoleArn != testbed.RoleArn(ev.Config.AccountID) {
			t.Fatalf("event %+v", ev.Config)
		}
	}
	if strings.Contains(stderr, memberExtID) || strings.Contains(stderr, testbed.ExternalID) {
		t.Fatal("stderr shows an external id")
	}
	if !strings.Contains(stderr, "5 accounts, 3 to collect") {
		t.Fatalf("stderr %q lacks the count", stderr)
	}
}

func TestOrgQueueURLEnqueuesExactlyTheMembers(t *testing.T) {
	isolateEnv(t)
	m := testbed.Server(t)
	mgmt := testbed.NewAccountID(t)
	s := testbed.SeedOrg(t, m, mgmt)
	// The queue is the collector's, reached with the SDK's own credentials
	// (the environment's test keys), not the management role.
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithBaseEndpoint(m.URL))
	if err != nil {
		t.Fatal(err)
	}
	c := sqs.NewFromConfig(cfg)
	q, err := c.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("org-" + mgmt)})
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, orgArgs(m, mgmt, "--queue-url", aws.ToString(q.QueueUrl))...)
	if code != 0 || stdout != "" {
		t.Fatalf("exit %d, stdout %q: %s", code, stdout, stderr)
	}
	var evs []instance.Event
	for {
		out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			break
		}
		for _, msg := range out.Messages {
			evs = append(evs, parseLines(t, aws.ToString(msg.Body))...)
		}
	}
	if got := memberAccounts(evs); !slices.Equal(got, wantMembers(s)) {
		t.Fatalf("queue holds %v, want %v", got, wantMembers(s))
	}
}

func TestOrgRejectsBadInputBeforeAnyCall(t *testing.T) {
	isolateEnv(t)
	base := []string{"org", "--role-arn", "arn:aws:iam::111111111111:role/mgmt", "--external-id", "ext-id-1", "--endpoint-url", "http://127.0.0.1:1"}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no member role", base, "member-role-name: is required"},
		{"queue and run", append(slices.Clone(base), "--member-role-name", "r", "--queue-url", "http://q", "--run"), "exclusive"},
		{"bad exclude", append(slices.Clone(base), "--member-role-name", "r", "--exclude", "12"), `exclude: "12" is not a 12-digit`},
		{"bad management role", []string{"org", "--role-arn", "nope", "--external-id", "ext-id-1", "--member-role-name", "r"}, "roleArn"},
		{"bad concurrency", append(slices.Clone(base), "--member-role-name", "r", "--run", "--concurrency", "0"), "--concurrency"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := run(t, c.args...)
			if code != exitConfig || !strings.Contains(stderr, c.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, stderr, c.want)
			}
		})
	}
}

func TestOrgRunCollectsEveryMemberIntoOnePostgreSQL(t *testing.T) {
	isolateEnv(t)
	m := testbed.Server(t)
	dsn := testbed.StartPostgres(t)
	mgmt := testbed.NewAccountID(t)
	s := testbed.SeedOrg(t, m, mgmt)
	seedAssumer(t, m, s.Web)
	seedAssumer(t, m, s.Data)
	code, _, stderr := run(t, orgArgs(m, mgmt, "--run", "--concurrency", "3", "--postgres-dsn", dsn)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	st, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.Query(context.Background(), `SELECT instance_id, json->>'accountId' FROM entities WHERE type = 'aws_account' AND source <> 'system-mapper' ORDER BY 2`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows[1:] {
		if r[0] != testbed.RoleArn(r[1]) {
			t.Fatalf("account %s stored under instance %s", r[1], r[0])
		}
		got = append(got, r[1])
	}
	if !slices.Equal(got, wantMembers(s)) {
		t.Fatalf("accounts in the store %v, want %v", got, wantMembers(s))
	}
	if strings.Contains(stderr, memberExtID) {
		t.Fatal("stderr shows the member external id")
	}
	// The SCP on Prod (deny sts:AssumeRole but to admin-* roles) reached
	// web's trust analysis through its event; data is not under Prod.
	q := `SELECT instance_id FROM relationships WHERE type = 'aws_iam_user_can_assume_role' AND from_key LIKE '%:user/alice' ORDER BY 1`
	if got := pgRows(t, st, q); !slices.Equal(got, []string{testbed.RoleArn(s.Data)}) {
		t.Fatalf("alice CAN_ASSUME target in %v, want only in %s (web is under the deny SCP)", got, s.Data)
	}
	// The organization graph, in its own instance: every account IS the
	// aws_account its member run collected (resolved in the store) or, for
	// the skipped and suspended ones, nothing.
	q = `SELECT r.to_key FROM relationships r WHERE r.type = 'aws_organizations_account_is_account' ORDER BY 1`
	// (written before the members were collected: their runs resolved it)
	var want []string
	for _, id := range wantMembers(s) {
		want = append(want, "arn:aws:iam::"+id+":root")
	}
	want = append(want, "NULL", "NULL") // PostgreSQL sorts NULL last
	if got := pgRows(t, st, q); !slices.Equal(got, want) {
		t.Fatalf("organization accounts resolve to %v, want %v", got, want)
	}
}

func pgRows(t *testing.T, st *postgres.Store, q string) []string {
	t.Helper()
	rows, err := st.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows[1:] {
		out = append(out, strings.Join(r, "|"))
	}
	return out
}

// seedAssumer gives an account a user whose identity policy allows
// sts:AssumeRole on anything and a role trusting the account.
func seedAssumer(t *testing.T, m *testbed.Moto, acct string) {
	t.Helper()
	ctx := context.Background()
	c := iam.NewFromConfig(m.SeedConfig(t, acct, "us-east-1"))
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`
	if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("target"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
}

// --run into one SQLite file: the shared store (one handle, locked against
// other processes) takes every member and the organization graph.
func TestOrgRunIntoSQLite(t *testing.T) {
	dir := isolateEnv(t)
	m := testbed.Server(t)
	mgmt := testbed.NewAccountID(t)
	s := testbed.SeedOrg(t, m, mgmt)
	db := filepath.Join(dir, "graph.db")
	code, _, stderr := run(t, orgArgs(m, mgmt, "--run", "--concurrency", "2", "--db", db, "--exclude", s.Data)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows := storeRows(t, "", db, `SELECT instance_id FROM runs ORDER BY 1`)
	want := []string{testbed.RoleArn(mgmt), testbed.RoleArn(s.Web)}
	slices.Sort(want)
	var orgInstance string
	var members []string
	for _, r := range rows {
		if strings.HasPrefix(r, "aws-organization:o-") {
			orgInstance = r
		} else {
			members = append(members, r)
		}
	}
	if orgInstance == "" || !slices.Equal(members, want) {
		t.Fatalf("runs %v, want the organization and %v", rows, want)
	}
	if got := storeRows(t, "", db, `SELECT COUNT(*) FROM entities WHERE type = 'aws_organizations_account'`); !slices.Equal(got, []string{"5"}) {
		t.Fatalf("organization accounts %v, want 5", got)
	}
}

func TestQueueRegion(t *testing.T) {
	t.Setenv("AWS_REGION", "ap-south-1")
	for url, want := range map[string]string{
		"https://sqs.eu-west-1.amazonaws.com/123456789012/q":     "eu-west-1",
		"https://us-west-2.queue.amazonaws.com/123456789012/q":   "us-west-2",
		"https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q": "cn-north-1",
		"http://127.0.0.1:5000/123456789012/q":                   "ap-south-1",
		"https://vpce-1.sqs.us-east-1.vpce.amazonaws.com/1234/q": "ap-south-1",
	} {
		if got := queueRegion(url); got != want {
			t.Errorf("queueRegion(%s) = %s, want %s", url, got, want)
		}
	}
}
