package j1ql_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/query/j1ql"
	"github.com/awsgraph/awsgraph/internal/sink"
	"github.com/awsgraph/awsgraph/internal/sink/postgres"
	"github.com/awsgraph/awsgraph/internal/sink/sqlite"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

func TestMain(m *testing.M) { os.Exit(testbed.PostgresMain(m, nil)) }

// fixture is testdata/graph.json as one run's snapshot.
func fixture(t testing.TB) *sink.Snapshot {
	data, err := os.ReadFile("testdata/graph.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Entities      []graph.Entity
		Relationships []graph.Relationship
	}
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	return &sink.Snapshot{InstanceID: "fixture", Entities: g.Entities, Relationships: g.Relationships}
}

type store struct {
	name    string
	dialect j1ql.Dialect
	db      *sql.DB
}

// stores loads the fixture into a SQLite and a PostgreSQL store and opens
// both read-only, as awsgraph query does.
func stores(t *testing.T) []store {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "graph.db")
	lite, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := lite.Write(ctx, fixture(t)); err != nil {
		t.Fatal(err)
	}
	lite.Close()
	liteDB, err := sqlite.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { liteDB.Close() })
	dsn := testbed.StartPostgres(t)
	pg, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if err := pg.Write(ctx, fixture(t)); err != nil {
		t.Fatal(err)
	}
	pg.Close()
	pgDB, err := postgres.OpenReadOnly(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pgDB.Close() })
	return []store{{"sqlite", j1ql.SQLite, liteDB}, {"postgres", j1ql.Postgres, pgDB}}
}

func cell(v any) string {
	switch v := v.(type) {
	case nil:
		return "-"
	case string:
		return v
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// answer renders a result compactly: FIND's keys in order; rows as
// "v1|v2; ..."; a tree as its sorted vertex and edge keys.
func answer(r *j1ql.Result) string {
	switch {
	case r.Tree:
		var v, e []string
		for _, o := range r.Graph.Entities {
			v = append(v, o.Key)
		}
		for _, o := range r.Graph.Relationships {
			e = append(e, o.Key)
		}
		sort.Strings(v)
		sort.Strings(e)
		return "V:" + strings.Join(v, ",") + " E:" + strings.Join(e, ",")
	case r.Columns == nil:
		var keys []string
		for _, e := range r.Entities {
			keys = append(keys, e["_key"].(string))
		}
		return strings.Join(keys, ",")
	}
	var rows []string
	for _, row := range r.Rows {
		var cells []string
		for _, c := range row {
			cells = append(cells, cell(c))
		}
		rows = append(rows, strings.Join(cells, "|"))
	}
	return strings.Join(rows, "; ")
}

// Every answer, worked out by hand from testdata/graph.json, is the same
// on SQLite and on PostgreSQL.
func TestAnswersOnBothStores(t *testing.T) {
	cases := []struct{ query, want string }{
		{"FIND aws_iam_user", "u1,u2,u3"},
		{"find User with isMfaEnabled = false", "u1"},
		{"FIND User WITH isMfaEnabled != true", "u1,u3"},
		{"FIND User WITH isMfaEnabled = undefined", "u3"},
		{"FIND User WITH age = undefined", "u3"},
		{"FIND User WITH age != undefined", "u1,u2"},
		{"FIND User WITH emails = 'a@x.com'", "u1"},
		{"FIND User WITH emails ~= '@x.com'", "u1,u2"},
		{"FIND User WITH emails !~= '@x.com'", "u3"},
		{"FIND User WITH name ^= 'al'", "u1"},
		{"FIND User WITH name $= 'ob'", "u2"},
		{"FIND User WITH name !~= 'o'", "u1"},
		{"FIND User WITH name !^= 'b'", "u1,u3"},
		{"FIND User WITH name !$= 'e'", "u2,u3"},
		{"FIND aws_s3_bucket WITH name ~= 'public'", ""},
		{"FIND aws_s3_bucket WITH name ~= 'Public'", "b2"},
		{"FIND User WITH tag.team = 'red'", "u1"},
		{"FIND User WITH [login-count] = 5", "u1"},
		{"FIND User WITH [login-count] > 4", "u1"},
		{"FIND User WITH age > 30", "u2"},
		{"FIND User WITH age >= 30", "u1,u2"},
		{"FIND User WITH age < 41", "u1"},
		{"FIND User WITH age <= 41", "u1,u2"},
		{"FIND User WITH age = '30'", ""},
		{"FIND User WITH name > 'b'", "u2,u3"},
		{"FIND User WITH name = ('alice' OR 'bob')", "u1,u2"},
		{"FIND User WITH name != ('alice' OR 'bob')", "u3"},
		{"FIND User WITH emails = ('alice@x.com' AND 'a@x.com')", "u1"},
		{"FIND User WITH emails = ('alice@x.com' AND 'bob@x.com')", ""},
		{"FIND User WITH isMfaEnabled = true OR name = 'alice' AND age > 100", "u2"},
		{"FIND User WITH (isMfaEnabled = true OR name = 'alice') AND age > 100", ""},
		{"FIND * WITH _class = 'Network'", "global:internet"},
		{"FIND (Host|DataStore)", "b1,b2,h1,h2"},
		{"FIND (aws_iam_role|aws_iam_managed_policy)", "p1,p2,r1,r2"},
		{"FIND * WITH _type = 'aws_s3_bucket'", "b1,b2"},
		{"FIND aws_s3_bucket WITH encrypted = true", "b1"},
		{"FIND aws_s3_bucket WITH size > 2", "b1,b2"},
		{"FIND aws_s3_bucket WITH size = 2.5", "b1"},
		{"FIND Account", "acct,arn:aws:iam::999:root"},
		{"FIND Internet THAT ALLOWS aws_ec2_security_group", "global:internet"},
		{"FIND aws_ec2_security_group THAT ALLOWS Internet", "sg1,sg2"},
		{"FIND aws_ec2_security_group THAT ALLOWS >> Internet", "sg2"},
		{"FIND aws_ec2_security_group THAT ALLOWS << Internet", "sg1"},
		{"FIND aws_ec2_security_group THAT ALLOWS >> aws_ec2_security_group", "sg1"},
		{"FIND aws_ec2_security_group THAT ALLOWS aws_ec2_security_group", "sg1,sg2"},
		{"FIND Internet THAT ALLOWS >> Firewall THAT PROTECTS >> Host AS h RETURN h.name", "web-1"},
		{"FIND aws_account THAT HAS Host THAT PROTECTS Firewall THAT ALLOWS Internet", "acct"},
		{"FIND aws_iam_user THAT !CAN_ASSUME aws_iam_role", "u3"},
		{"FIND aws_iam_role THAT !TRUSTS aws_account", "r2"},
		{"FIND aws_iam_role THAT !ASSIGNED AccessPolicy WITH admin = true", "r2"},
		{"FIND aws_iam_user THAT (CAN_ASSUME|HAS) *", "u1,u2,u3"},
		{"FIND aws_iam_role THAT RELATES TO aws_lambda_function", "r1"},
		{"FIND aws_iam_role THAT relates to >> *", "r1,r2"},
		{"FIND aws_iam_role THAT TRUSTS aws_account AS a RETURN a.accountId, a._source", "999|system-mapper"},
		{"FIND aws_iam_user THAT IS *", ""},
		{"FIND aws_account WITH _source = 'system-mapper'", "arn:aws:iam::999:root"},
		{"FIND aws_account WITH _source = 'integration-managed'", "acct"},
		{"FIND aws_account WITH _source != undefined", "acct,arn:aws:iam::999:root"},
		{"FIND aws_iam_role AS r THAT TRUSTS aws_account AS a WHERE a._source ^= 'system' RETURN r.name, a._source", "admin|system-mapper"},
		{"FIND Internet THAT ALLOWS AS rule Firewall AS fw WHERE rule.fromPort = 22 RETURN fw.name, rule.toPort", "sg-web|22"},
		{"FIND Internet THAT ALLOWS AS rule Firewall AS fw RETURN fw.name, count(rule)", "sg-db|1; sg-web|2"},
		{"FIND aws_iam_user AS u THAT CAN_ASSUME aws_iam_role AS r WHERE u.accountId = r.accountId RETURN u.name, r.name", "alice|admin; bob|readonly"},
		{"FIND aws_iam_user AS u THAT CAN_ASSUME aws_iam_role AS r WHERE u.name ~= r.name OR r.name = 'readonly' RETURN u.name", "bob"},
		{"FIND aws_iam_user AS u RETURN count(u)", "3"},
		{"FIND aws_iam_user THAT CAN_ASSUME AS r aws_iam_role WHERE r.conditionKeys = 'aws:MultiFactorAuthPresent' RETURN r._key", "u1|can_assume|r1"},
		{"FIND aws_iam_user THAT CAN_ASSUME AS r aws_iam_role WHERE r.conditionKeys ^= 'aws:' RETURN r._key, r.conditionKeys", `u1|can_assume|r1|["aws:MultiFactorAuthPresent"]`},
		{"FIND aws_iam_user THAT CAN_ASSUME AS r aws_iam_role WHERE r.conditionKeys = '[]' RETURN r._key", ""},
		{"FIND aws_iam_user THAT CAN_ASSUME AS r aws_iam_role WHERE r.conditionKeys != 'aws:MultiFactorAuthPresent' RETURN r._key", "u2|can_assume|r2"},
		{`FIND aws_iam_user THAT CAN_ASSUME AS r aws_iam_role WHERE r.note ^= '[draft]' AND r.weird $= '\\q"]' RETURN r._key`, "u2|can_assume|r2"},
		{"FIND aws_iam_user AS u WITH name = 'nobody' RETURN count(u)", "0"},
		{"FIND aws_account THAT HAS aws_iam_user AS u RETURN count(u)", "3"},
		{"FIND Host AS h THAT PROTECTS << Firewall AS f RETURN h.region, count(f)", "eu-west-1|1; us-east-1|1"},
		{"FIND aws_account AS a THAT HAS * AS x RETURN x._type, count(x) ORDER BY count(x) DESC", "aws_iam_user|3; aws_ec2_instance|2; aws_s3_bucket|2"},
		{"FIND aws_iam_user ORDER BY name DESC", "u3,u2,u1"},
		{"FIND aws_iam_user ORDER BY tag.team", "u2,u1,u3"},
		{"FIND aws_s3_bucket ORDER BY size", "b1,b2"},
		{"FIND aws_s3_bucket ORDER BY size DESC", "b2,b1"},
		{"FIND aws_account THAT TRUSTS << aws_iam_role", "arn:aws:iam::999:root"},
		{"FIND aws_account THAT TRUSTS >> aws_iam_role", ""},
		{"FIND aws_iam_role AS r WITH name = 'admin' RETURN r", `{"_class":["AccessRole"],"_key":"r1","_type":"aws_iam_role","accountId":"111","displayName":"admin","name":"admin"}`},
		{"FIND aws_iam_user AS u THAT HAS << aws_account AS a RETURN a.name, u.name ORDER BY u.name DESC LIMIT 2", "111|carol; 111|bob"},
		{"FIND aws_iam_user AS u RETURN u.name ORDER BY u.age DESC", "bob; alice; carol"},
		{"FIND aws_iam_user AS u RETURN u.name ORDER BY u.age", "alice; bob; carol"},
		{"FIND aws_iam_user AS u RETURN u.name ORDER BY u.age DESC SKIP 1 LIMIT 1", "alice"},
		{"FIND aws_iam_user SKIP 1", "u2,u3"},
		{"FIND aws_iam_user LIMIT 2", "u1,u2"},
		{"FIND aws_iam_user AS u RETURN u.emails ORDER BY u.name", `["alice@x.com","a@x.com"]; ["bob@x.com"]; []`},
		{"FIND aws_iam_user AS u THAT HAS aws_account THAT HAS aws_iam_user WITH name = 'alice' RETURN u.name", "bob; carol"},
		{"FIND Host AS h THAT PROTECTS Firewall RETURN h.name", "web-1; db-1"},
		{"FIND aws_lambda_function THAT ASSIGNED aws_iam_role RETURN TREE", "V:fn,r1 E:fn|assigned|r1"},
		{"FIND aws_iam_role WITH name = 'admin' THAT TRUSTS aws_account RETURN TREE", "V:arn:aws:iam::999:root,r1 E:r1|trusts|_type=aws_account,accountId=999"},
	}
	ctx := context.Background()
	for _, st := range stores(t) {
		for _, c := range cases {
			res, err := j1ql.Ask(ctx, st.db, st.dialect, c.query, j1ql.Options{})
			if err != nil {
				t.Errorf("%s: %s: %v", st.name, c.query, err)
				continue
			}
			if got := answer(res); got != c.want {
				t.Errorf("%s: %s\n got %s\nwant %s", st.name, c.query, got, c.want)
			}
		}
	}
}
