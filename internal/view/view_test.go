package view

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/sink"
	"github.com/awsgraph/awsgraph/internal/sink/sqlite"
)

// fixtureStore is a small store of two instances: an account with a VPC, a
// security group and two instances (one named with markup, to prove values
// stay text), a mapped relationship to a user that becomes a placeholder,
// and another instance's entity.
func fixtureStore(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	acct := graph.NewEntity("acct-1", "aws_account", []string{"Account"}, "demo-account")
	vpc := graph.NewEntity("vpc-1", "aws_vpc", []string{"Network"}, "demo-vpc")
	sg := graph.NewEntity("sg-1", "aws_security_group", []string{"Firewall"}, "web-sg")
	web := graph.NewEntity("i-web", "aws_instance", []string{"Host"}, "web</script><b>1</b>").Set("instanceType", "t3.micro")
	db := graph.NewEntity("i-db", "aws_instance", []string{"Host"}, "db-1").Set("instanceType", "r6g.large")
	rels := []graph.Relationship{
		graph.Direct(acct, "HAS", vpc, nil), graph.Direct(vpc, "CONTAINS", web, nil), graph.Direct(vpc, "CONTAINS", db, nil),
		graph.Direct(sg, "PROTECTS", web, nil),
		graph.Mapped("aws_instance_owned_by_user", "OWNS", web, graph.Reverse,
			map[string]any{"_type": "employee", "_class": []string{"User"}, "email": "ana@example.com"}, []string{"_type", "email"}, false, nil),
	}
	ctx := context.Background()
	ents := []graph.Entity{acct, vpc, sg, web, db}
	if err := s.Write(ctx, &sink.Snapshot{InstanceID: "inst-a", Entities: ents, Relationships: rels}); err != nil {
		t.Fatal(err)
	}
	other := graph.NewEntity("acct-2", "aws_account", []string{"Account"}, "other-account")
	if err := s.Write(ctx, &sink.Snapshot{InstanceID: "inst-b", Entities: []graph.Entity{other}}); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLoadSelectsStoreInstanceOrQuery(t *testing.T) {
	s := fixtureStore(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name               string
		sel                Selection
		entities, edges    int
		mappedNode, hasKey string
	}{
		{"whole store", Selection{}, 7, 5, "yes", "acct-2"},
		{"one instance, with its mapped target", Selection{InstanceID: "inst-a"}, 6, 5, "yes", "i-web"},
		{"other instance", Selection{InstanceID: "inst-b"}, 1, 0, "no", "acct-2"},
		{"query: hosts and the VPC", Selection{KeysSQL: "SELECT key FROM entities WHERE type IN ('aws_instance', 'aws_vpc')"}, 3, 2, "no", "i-db"},
		{"explicit keys and relationships", Selection{Keys: []string{"vpc-1", "i-web", "sg-1"}, RelationshipKeys: []string{}}, 3, 0, "no", "sg-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := Load(ctx, s, tc.sel)
			if err != nil {
				t.Fatal(err)
			}
			if len(g.Entities) != tc.entities || len(g.Relationships) != tc.edges {
				t.Errorf("%d entities, %d relationships; want %d, %d", len(g.Entities), len(g.Relationships), tc.entities, tc.edges)
			}
			mapped, found := "no", false
			for _, n := range g.Entities {
				if n.Mapped {
					mapped = "yes"
				}
				found = found || n.Key == tc.hasKey
			}
			if mapped != tc.mappedNode || !found {
				t.Errorf("placeholder present: %s (want %s); %s present: %v", mapped, tc.mappedNode, tc.hasKey, found)
			}
			for _, e := range g.Relationships {
				if e.Type == "aws_instance_owned_by_user" && !e.Mapped {
					t.Error("the mapped relationship is not marked mapped")
				}
			}
		})
	}
}

func TestLoadRejectsBadSelections(t *testing.T) {
	s := fixtureStore(t)
	for _, tc := range []struct {
		sel  Selection
		want string
	}{
		{Selection{KeysSQL: "DELETE FROM entities"}, "only SELECT"},
		{Selection{KeysSQL: "SELECT nosuchcolumn FROM entities"}, "the query selecting entity keys"},
		{Selection{KeysSQL: "SELECT 'no-such-key'"}, `entity "no-such-key" is not in the store`},
		{Selection{InstanceID: "inst-zzz"}, `instance "inst-zzz" has no entities in the store`},
	} {
		_, err := Load(context.Background(), s, tc.sel)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.sel, err, tc.want)
		}
	}
}
