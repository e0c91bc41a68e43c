package mapping

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/awsgraph/awsgraph/internal/graph"
)

// decoded round-trips v through JSON, as the stores hold it.
func decoded(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func mp(target map[string]any, groups ...[]string) *graph.Mapping {
	return &graph.Mapping{RelationshipDirection: graph.Forward, SourceEntityKey: "src", TargetFilterKeys: groups, TargetEntity: target}
}

func TestFind(t *testing.T) {
	jane := Entity{Key: "person:jane", Props: map[string]any{"_class": []any{"Person"}, "email": []any{"other@example.com", "jane@example.com"}}}
	acct := Entity{Key: "arn:aws:iam::999988887777:root", Props: map[string]any{"_type": "aws_account", "_class": []any{"Account"}, "accountId": "999988887777"}}
	acctPlaceholder := Entity{Key: "a-placeholder", Props: map[string]any{"_type": "aws_account", "accountId": "999988887777"}, Placeholder: true}
	numbered := Entity{Key: "n", Props: map[string]any{"_type": "thing", "port": float64(22)}}
	nullEmail := Entity{Key: "null-email", Props: map[string]any{"_class": "Person", "email": nil}}
	emptyList := Entity{Key: "empty-list", Props: map[string]any{"_class": "Person", "email": []any{}}}
	twin1 := Entity{Key: "twin-b", Props: map[string]any{"_type": "t", "id": "1"}}
	twin2 := Entity{Key: "twin-a", Props: map[string]any{"_type": "t", "id": "1"}}
	multi := Entity{Key: "multi", Props: map[string]any{"_type": "m", "a": []any{"1", "2"}, "b": []any{"x", "y"}}}

	cases := []struct {
		name     string
		entities []Entity
		m        *graph.Mapping
		want     string
	}{
		{"a list property matches when any element does",
			[]Entity{jane}, mp(map[string]any{"_class": "Person", "email": "jane@example.com"}, []string{"_class", "email"}), "person:jane"},
		{"a value no element holds does not match",
			[]Entity{jane}, mp(map[string]any{"_class": "Person", "email": "bob@example.com"}, []string{"_class", "email"}), ""},
		{"every key of an AND-group must match",
			[]Entity{acct}, mp(map[string]any{"_type": "aws_account", "accountId": "111111111111"}, []string{"_type", "accountId"}), ""},
		{"group key order does not matter",
			[]Entity{acct}, mp(map[string]any{"_type": "aws_account", "accountId": "999988887777"}, []string{"accountId", "_type"}), acct.Key},
		{"a key missing from the target never matches",
			[]Entity{acct}, mp(map[string]any{"_type": "aws_account"}, []string{"_type", "accountId"}), ""},
		{"a null or empty-list property offers nothing",
			[]Entity{nullEmail, emptyList}, mp(map[string]any{"_class": "Person", "email": nil}, []string{"_class", "email"}), ""},
		{"real entities win over placeholders whatever the order",
			[]Entity{acctPlaceholder, acct}, mp(map[string]any{"_type": "aws_account", "accountId": "999988887777"}, []string{"_type", "accountId"}), acct.Key},
		{"a placeholder is found when it is all there is",
			[]Entity{acctPlaceholder}, mp(map[string]any{"_type": "aws_account", "accountId": "999988887777"}, []string{"_type", "accountId"}), "a-placeholder"},
		{"then the lowest key wins whatever the order",
			[]Entity{twin1, twin2}, mp(map[string]any{"_type": "t", "id": "1"}, []string{"_type", "id"}), "twin-a"},
		{"numbers compare by their printed value",
			[]Entity{numbered}, mp(map[string]any{"_type": "thing", "port": 22}, []string{"_type", "port"}), "n"},
		{"the first AND-group that finds something decides",
			[]Entity{jane, acct}, mp(map[string]any{"_type": "aws_account", "accountId": "999988887777", "_class": "Person", "email": "jane@example.com"},
				[]string{"_class", "email"}, []string{"_type", "accountId"}), "person:jane"},
		{"a later group is tried when an earlier one finds nothing",
			[]Entity{acct}, mp(map[string]any{"_type": "aws_account", "accountId": "999988887777", "email": "nobody@example.com"},
				[]string{"email"}, nil, []string{"_type", "accountId"}), acct.Key},
		{"two list properties: any element of each",
			[]Entity{multi}, mp(map[string]any{"_type": "m", "a": "2", "b": "x"}, []string{"_type", "a", "b"}), "multi"},
		{"no groups find nothing",
			[]Entity{acct}, mp(map[string]any{"_type": "aws_account"}), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ents := make([]Entity, len(c.entities))
			for i, e := range c.entities {
				e.Props = decoded(t, e.Props)
				ents[i] = e
			}
			// The mapping as the stores read it back: decoded from JSON.
			var m graph.Mapping
			b, _ := json.Marshal(c.m)
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			idx := Build([]*graph.Mapping{&m}, slices.Values(ents))
			if got := idx.Find(&m); got != c.want {
				t.Fatalf("Find = %q, want %q", got, c.want)
			}
			slices.Reverse(ents)
			if got := Build([]*graph.Mapping{&m}, slices.Values(ents)).Find(&m); got != c.want {
				t.Fatalf("Find with entities in reverse order = %q, want %q", got, c.want)
			}
		})
	}
}

func TestFindIgnoresGroupsTheIndexWasNotBuiltFor(t *testing.T) {
	idx := NewIndex(nil)
	idx.Add("k", map[string]any{"_type": "t"}, false)
	if got := idx.Find(mp(map[string]any{"_type": "t"}, []string{"_type"})); got != "" {
		t.Fatalf("found %q", got)
	}
}

func TestProperties(t *testing.T) {
	idx := NewIndex([]*graph.Mapping{
		mp(nil, []string{"email", "_class"}),
		mp(nil, []string{"_type", "accountId"}, nil),
		nil,
	})
	if got, want := idx.Properties(), []string{"_class", "_type", "accountId", "email"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Properties = %v, want %v", got, want)
	}
}

func TestPlaceholder(t *testing.T) {
	cases := []struct {
		name string
		m    *graph.Mapping
		want graph.Entity
	}{
		{"key from the filter values in filter order",
			mp(map[string]any{"_type": "aws_account", "_class": "Account", "accountId": "999988887777"}, []string{"_type", "accountId"}),
			graph.Entity{"_key": "mapped:aws_account:_type=aws_account,accountId=999988887777", "_type": "aws_account", "_class": "Account",
				"accountId": "999988887777", "_source": SourceMapper, "displayName": "mapped:aws_account:_type=aws_account,accountId=999988887777"}},
		{"every group contributes; a missing value prints as <nil>",
			mp(map[string]any{"_type": "x", "a": 1}, []string{"a"}, []string{"b"}),
			graph.Entity{"_key": "mapped:x:a=1,b=<nil>", "_type": "x", "a": 1, "_source": SourceMapper, "displayName": "mapped:x:a=1,b=<nil>"}},
		{"the target's own _key and displayName are kept",
			mp(map[string]any{"_key": "arn:aws:iam::999988887777:root", "_type": "aws_account", "displayName": "foreign"}, []string{"_key"}),
			graph.Entity{"_key": "arn:aws:iam::999988887777:root", "_type": "aws_account", "_source": SourceMapper, "displayName": "foreign"}},
		{"no _type: empty type in the key",
			mp(map[string]any{"_class": "Person", "email": "a@b"}, []string{"_class", "email"}),
			graph.Entity{"_key": "mapped::_class=Person,email=a@b", "_class": "Person", "email": "a@b", "_source": SourceMapper, "displayName": "mapped::_class=Person,email=a@b"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Placeholder(c.m)
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("Placeholder =\n %v\nwant\n %v", got, c.want)
			}
			if PlaceholderKey(c.m) != c.want.Key() {
				t.Fatalf("PlaceholderKey = %q", PlaceholderKey(c.m))
			}
			if _, touched := c.m.TargetEntity["_source"]; touched {
				t.Fatal("Placeholder modified the mapping's target entity")
			}
		})
	}
}
