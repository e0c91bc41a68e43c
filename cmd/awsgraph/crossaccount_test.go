package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsgraph/awsgraph/internal/testbed"
)

// seedTrustingRole creates role name in account acct, trusting the role
// peerRole of account peer and the account peer itself.
func seedTrustingRole(t *testing.T, m *testbed.Moto, acct, name, peer, peerRole string) {
	t.Helper()
	c := iam.NewFromConfig(m.SeedConfig(t, acct, "us-east-1"))
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[`+
		`{"Sid":"Peer","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:role/%s"},"Action":"sts:AssumeRole"},`+
		`{"Sid":"PeerAccount","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"sts:AssumeRole"}]}`, peer, peerRole, peer)
	if _, err := c.CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
}

// storeRows runs a query on the test's store (SQLite file or PostgreSQL)
// and returns its rows, header dropped, as "a|b|c" strings.
func storeRows(t *testing.T, dsn, db, q string) []string {
	t.Helper()
	st, err := openStore(context.Background(), dsn, db, false)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.Query(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	var out []string
	for _, r := range rows[1:] {
		out = append(out, strings.Join(r, "|"))
	}
	return out
}

type crossAccount struct {
	m        *testbed.Moto
	a, b     string
	dsn, db  string
	dir      string
	collects int
}

func (c *crossAccount) collect(t *testing.T, acct string) {
	t.Helper()
	c.collects++
	args := []string{"collect", "--role-arn", testbed.RoleArn(acct), "--external-id", testbed.ExternalID, "--regions", "us-east-1",
		"--endpoint-url", c.m.URL, "--output", filepath.Join(c.dir, fmt.Sprintf("out%d", c.collects)), "--quiet"}
	if c.dsn != "" {
		args = append(args, "--postgres-dsn", c.dsn)
	} else {
		args = append(args, "--db", c.db)
	}
	if code, _, stderr := run(t, args...); code != 0 {
		t.Fatalf("collect %s: exit %d: %s", acct, code, stderr)
	}
}

func roleArn(acct, name string) string { return "arn:aws:iam::" + acct + ":role/" + name }

// edgeTarget returns, for the relationship of type typ stored by instance
// inst that names peerKey, the stored entity rows its peer end resolves to:
// "instance|source" of every entity with that key.
func (c *crossAccount) edgeTarget(t *testing.T, inst, typ, col, peerKey string) []string {
	t.Helper()
	q := fmt.Sprintf(`SELECT e.instance_id, e.source FROM relationships r JOIN entities e ON e.key = r.%s
		WHERE r.instance_id = '%s' AND r.type = '%s' AND r.%s = '%s' ORDER BY 1, 2`, col, inst, typ, col, peerKey)
	return storeRows(t, c.dsn, c.db, q)
}

// checkResolved: each role's cross-account TRUSTS (role → peer role, role →
// peer account) and the peer's CAN_ASSUME edge resolve to the entity the
// peer's own instance collected, and no placeholder duplicates it.
func (c *crossAccount) checkResolved(t *testing.T) {
	t.Helper()
	for _, p := range [][2]string{{c.a, c.b}, {c.b, c.a}} {
		self, peer := p[0], p[1]
		inst, peerInst := testbed.RoleArn(self), testbed.RoleArn(peer)
		want := []string{peerInst + "|integration-managed"}
		peerRole := roleArn(peer, "x-"+peer)
		if got := c.edgeTarget(t, inst, "aws_iam_role_trusts_role", "to_key", peerRole); !equal(got, want) {
			t.Errorf("%s TRUSTS %s resolves to %v, want %v", self, peerRole, got, want)
		}
		if got := c.edgeTarget(t, inst, "aws_iam_role_trusts_account", "to_key", "arn:aws:iam::"+peer+":root"); !equal(got, want) {
			t.Errorf("%s TRUSTS account %s resolves to %v, want %v", self, peer, got, want)
		}
		if got := c.edgeTarget(t, inst, "aws_iam_role_can_assume_role", "from_key", peerRole); !equal(got, want) {
			t.Errorf("%s CAN_ASSUME %s resolves to %v, want %v", peerRole, self, got, want)
		}
	}
}

func equal(a, b []string) bool { return strings.Join(a, "\n") == strings.Join(b, "\n") }

func newCrossAccount(t *testing.T, postgres bool) *crossAccount {
	isolateEnv(t)
	c := &crossAccount{m: testbed.Server(t), a: testbed.NewAccountID(t), b: testbed.NewAccountID(t), dir: t.TempDir()}
	c.db = filepath.Join(c.dir, "graph.db")
	if postgres {
		c.dsn = testbed.StartPostgres(t)
	}
	seedTrustingRole(t, c.m, c.a, "x-"+c.a, c.b, "x-"+c.b)
	seedTrustingRole(t, c.m, c.b, "x-"+c.b, c.a, "x-"+c.a)
	return c
}

// Two accounts whose roles trust each other, collected into one store in
// both orders: the cross-account TRUSTS and CAN_ASSUME edges end on the
// other instance's entities. Then B's role is deleted: A's edges fall back
// to a placeholder, and A's own data is untouched.
func TestCrossAccountTrustResolvesInTheStore(t *testing.T) {
	for _, store := range []string{"sqlite", "postgres"} {
		for _, order := range []string{"A then B", "B then A"} {
			t.Run(store+"/"+order, func(t *testing.T) {
				c := newCrossAccount(t, store == "postgres")
				first, second := c.a, c.b
				if order == "B then A" {
					first, second = c.b, c.a
				}
				c.collect(t, first)
				c.collect(t, second)
				c.checkResolved(t)
				c.checkUnresolvedWhenPeerRoleGoes(t)
			})
		}
	}
}

func (c *crossAccount) checkUnresolvedWhenPeerRoleGoes(t *testing.T) {
	t.Helper()
	instA := testbed.RoleArn(c.a)
	countA := fmt.Sprintf(`SELECT COUNT(*) FROM entities WHERE instance_id = '%s' AND source <> 'system-mapper'`, instA)
	before := storeRows(t, c.dsn, c.db, countA)
	ic := iam.NewFromConfig(c.m.SeedConfig(t, c.b, "us-east-1"))
	if _, err := ic.DeleteRole(context.Background(), &iam.DeleteRoleInput{RoleName: aws.String("x-" + c.b)}); err != nil {
		t.Fatal(err)
	}
	c.collect(t, c.b)
	bRole := roleArn(c.b, "x-"+c.b)
	want := []string{instA + "|system-mapper"}
	if got := c.edgeTarget(t, instA, "aws_iam_role_trusts_role", "to_key", bRole); !equal(got, want) {
		t.Errorf("after B's role is gone, A's TRUSTS resolves to %v, want %v", got, want)
	}
	if got := c.edgeTarget(t, instA, "aws_iam_role_can_assume_role", "from_key", bRole); !equal(got, want) {
		t.Errorf("after B's role is gone, its CAN_ASSUME starts at %v, want %v", got, want)
	}
	if after := storeRows(t, c.dsn, c.db, countA); !equal(after, before) {
		t.Errorf("A's entities %v before B's run, %v after", before, after)
	}
}
