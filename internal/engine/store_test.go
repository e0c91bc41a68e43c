package engine

import (
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/awsgraph/awsgraph/internal/graph"
)

// The job keeps objects encoded: what a step reads back must be what it
// added, value for value and type for type.
func TestStoredObjectsReadBackUnchanged(t *testing.T) {
	j := NewJob()
	a := graph.Entity{"_key": "arn:aws:x:a", "_type": "aws_t", "_class": []string{"Resource"}, "name": "a", "displayName": "a",
		"s": "text", "empty": "", "n": int64(-300), "f": 2.5, "yes": true, "no": false, "null": nil,
		"list": []string{"x", ""}, "none": []string{}, "nilList": []string(nil), "int": 7, "anyList": []any{"v", 1.0},
		"big": int64(1) << 62}
	b := graph.Entity{"_key": "arn:aws:x:b", "_type": "aws_t", "_class": []string{"Resource"}, "name": "b", "displayName": "b"}
	for _, e := range []graph.Entity{a, b} {
		if err := j.AddEntity(e); err != nil {
			t.Fatal(err)
		}
	}
	direct := graph.Direct(a, "HAS", b, map[string]any{"port": int64(22)})
	ownKey := graph.Relationship{"_key": "own-key-of-b", "_type": "aws_t_uses_t", "_class": "USES", "_fromEntityKey": "arn:aws:x:b",
		"_toEntityKey": "arn:aws:x:a", "displayName": "USES"}
	mapped := graph.Mapped("aws_t_has_x", "HAS", a, graph.Forward, map[string]any{"_type": "x", "_key": "x:1"}, []string{"_type", "_key"}, true, nil)
	for _, r := range []graph.Relationship{direct, ownKey, mapped} {
		if err := j.AddRelationship(r); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := j.Entity("arn:aws:x:a"); !reflect.DeepEqual(got, a) {
		t.Errorf("entity read back as\n%#v\nwant\n%#v", got, a)
	}
	rels := j.Relationships()
	for i, want := range []graph.Relationship{direct, ownKey, mapped} {
		if !reflect.DeepEqual(rels[i], want) {
			t.Errorf("relationship %d read back as\n%#v\nwant\n%#v", i, rels[i], want)
		}
	}
	if added, _ := j.AddRelationshipOnce(direct); added || j.NumRelationships() != 3 {
		t.Errorf("a relationship with a derived key was added twice")
	}
	if err := j.AddRelationship(ownKey); err == nil {
		t.Errorf("duplicate relationship key accepted")
	}
	// A read is a copy: changing it changes nothing stored.
	got, _ := j.Entity("arn:aws:x:a")
	got["s"] = "changed"
	got.Strings("list")[0] = "changed"
	if again, _ := j.Entity("arn:aws:x:a"); !reflect.DeepEqual(again, a) {
		t.Errorf("a change to a read entity reached the job: %#v", again)
	}
}

// Steps add, change and read objects at the same time (run with -race).
func TestJobConcurrentAddsAndReads(t *testing.T) {
	j := NewJob()
	hub := graph.Entity{"_key": "arn:aws:x:hub", "_type": "aws_t", "_class": []string{"Resource"}, "name": "hub", "displayName": "hub"}
	if err := j.AddEntity(hub); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 200 {
				k := fmt.Sprintf("arn:aws:x:%d-%d", w, i)
				e := graph.Entity{"_key": k, "_type": "aws_t", "_class": []string{"Resource"}, "name": k, "displayName": k}
				if err := j.AddEntity(e); err != nil {
					t.Error(err)
					return
				}
				if _, err := j.AddRelationshipOnce(graph.Direct(hub, "HAS", e, nil)); err != nil {
					t.Error(err)
				}
				j.SetProperties("arn:aws:x:hub", map[string]any{fmt.Sprintf("p%d", w): int64(i)})
				if got, ok := j.Entity(k); !ok || got.Key() != k {
					t.Errorf("entity %s read back as %v", k, got)
				}
			}
		})
	}
	wg.Go(func() {
		for range 50 {
			j.EachEntity(func(e graph.Entity, _ string) bool { return e.Key() != "" })
			for _, r := range j.RelationshipsOfType("aws_t_has_t") {
				if r.FromKey() != "arn:aws:x:hub" {
					t.Errorf("relationship %v", r)
				}
			}
		}
	})
	wg.Wait()
	if n, m := j.NumEntities(), j.NumRelationships(); n != 801 || m != 800 {
		t.Errorf("%d entities, %d relationships; want 801, 800", n, m)
	}
	if got, _ := j.Entity("arn:aws:x:hub"); got["p3"] != int64(199) {
		t.Errorf("hub's last derived value %v, want 199", got["p3"])
	}
}

// SetProperties stores only what changed; reads see the whole entity, and a
// property set to nil (not required) is gone.
func TestSetPropertiesReadBack(t *testing.T) {
	j := NewJob()
	e := graph.Entity{"_key": "arn:aws:x:e", "_type": "aws_t", "_class": []string{"Resource"}, "name": "e", "displayName": "e",
		"keep": "v", "gone": "soon", "ports": []string{"22"}}
	if err := j.AddEntity(e); err != nil {
		t.Fatal(err)
	}
	j.SetProperties("arn:aws:x:e", map[string]any{"ports": []string{"22", "443"}, "exposed": true})
	j.SetProperties("arn:aws:x:e", map[string]any{"gone": nil, "count": int64(3)})
	j.SetProperties("arn:aws:x:e", map[string]any{"exposed": false})
	want := graph.Entity{"_key": "arn:aws:x:e", "_type": "aws_t", "_class": []string{"Resource"}, "name": "e", "displayName": "e",
		"keep": "v", "ports": []string{"22", "443"}, "exposed": false, "count": int64(3)}
	if got, _ := j.Entity("arn:aws:x:e"); !reflect.DeepEqual(got, want) {
		t.Errorf("entity read back as\n%#v\nwant\n%#v", got, want)
	}
	if got := j.EntitiesOfType("aws_t"); len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Errorf("EntitiesOfType gave %#v", got)
	}
}
