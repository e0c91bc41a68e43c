package j1ql_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/query/j1ql"
	"github.com/awsgraph/awsgraph/internal/sink"
	"github.com/awsgraph/awsgraph/internal/sink/postgres"
	"github.com/awsgraph/awsgraph/internal/sink/sqlite"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

// benchGraph: an account with 2,000 hosts behind 200 security groups, each
// group open to the Internet on one port.
func benchGraph() *sink.Snapshot {
	acct := graph.NewEntity("acct", "aws_account", []string{"Account"}, "acct")
	inet := graph.NewEntity("global:internet", "internet", []string{"Internet", "Network"}, "Internet")
	snap := &sink.Snapshot{InstanceID: "bench", Entities: []graph.Entity{acct, inet}}
	for g := range 200 {
		sg := graph.NewEntity(fmt.Sprintf("sg-%d", g), "aws_ec2_security_group", []string{"Firewall"}, fmt.Sprintf("sg-%d", g))
		snap.Entities = append(snap.Entities, sg)
		snap.Relationships = append(snap.Relationships, graph.Direct(inet, "ALLOWS", sg, map[string]any{"fromPort": g % 50, "toPort": g % 50}))
		for h := range 10 {
			host := graph.NewEntity(fmt.Sprintf("host-%d-%d", g, h), "aws_ec2_instance", []string{"Host"}, fmt.Sprintf("host-%d-%d", g, h)).
				Set("ports", []string{fmt.Sprintf("tcp:%d", g%50)}).Set("size", h)
			snap.Entities = append(snap.Entities, host)
			snap.Relationships = append(snap.Relationships, graph.Direct(sg, "PROTECTS", host, nil), graph.Direct(acct, "HAS", host, nil))
		}
	}
	return snap
}

var benchQueries = map[string]string{
	"with":     "FIND aws_ec2_instance WITH ports = 'tcp:22' AND size > 4",
	"3hops":    "FIND Internet THAT ALLOWS AS r Firewall THAT PROTECTS Host AS h WHERE r.fromPort = 22 RETURN h.name",
	"count":    "FIND aws_account THAT HAS Host AS h RETURN count(h)",
	"negation": "FIND Host THAT !PROTECTS Firewall",
}

func benchStore(b *testing.B, dialect j1ql.Dialect) *sql.DB {
	ctx := context.Background()
	if dialect == j1ql.SQLite {
		path := filepath.Join(b.TempDir(), "bench.db")
		st, err := sqlite.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		if err := st.Write(ctx, benchGraph()); err != nil {
			b.Fatal(err)
		}
		st.Close()
		db, err := sqlite.OpenReadOnly(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		return db
	}
	dsn := testbed.StartPostgres(b)
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	if err := st.Write(ctx, benchGraph()); err != nil {
		b.Fatal(err)
	}
	st.Close()
	// What autovacuum does to a real store soon after a large write.
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := admin.Exec("ANALYZE"); err != nil {
		b.Fatal(err)
	}
	admin.Close()
	db, err := postgres.OpenReadOnly(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	return db
}

func BenchmarkAsk(b *testing.B) {
	for _, d := range []j1ql.Dialect{j1ql.SQLite, j1ql.Postgres} {
		db := benchStore(b, d)
		for name, q := range benchQueries {
			b.Run(string(d)+"/"+name, func(b *testing.B) {
				for b.Loop() {
					if _, err := j1ql.Ask(context.Background(), db, d, q, j1ql.Options{}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		db.Close()
	}
}

func BenchmarkParseCompile(b *testing.B) {
	for b.Loop() {
		q, err := j1ql.Parse(benchQueries["3hops"])
		if err != nil {
			b.Fatal(err)
		}
		if _, err := j1ql.Compile(q, j1ql.Postgres); err != nil {
			b.Fatal(err)
		}
	}
}
