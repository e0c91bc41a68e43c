package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/sink"
)

// benchSnapshot is a big account's run: nEnt entities with a dozen
// properties and tags, two relationships per entity, and one mapped
// relationship (to one of 1,000 Persons by email) per 20 entities.
func benchSnapshot(nEnt int) (*sink.Snapshot, []graph.Entity) {
	snap := &sink.Snapshot{InstanceID: "bench", Summary: map[string]any{"bench": true}}
	for i := range nEnt {
		e := graph.NewEntity(fmt.Sprintf("arn:aws:ec2:us-east-1:111122223333:instance/i-%017d", i), "bench_host", []string{"Host"}, fmt.Sprintf("host-%d", i))
		e["accountId"], e["region"], e["hostname"], e["createdOn"] = "111122223333", "us-east-1", fmt.Sprintf("ip-10-0-%d-%d", i/256%256, i%256), int64(1700000000000+i)
		e["publicIpAddress"], e["privateIpAddress"] = fmt.Sprintf("54.1.%d.%d", i/256%256, i%256), []string{fmt.Sprintf("10.0.%d.%d", i/256%256, i%256)}
		e["webLink"] = "https://console.aws.amazon.com/ec2/v2/home?region=us-east-1#Instances:instanceId=" + e.Key()
		e.SetTags(map[string]string{"Name": e.String("name"), "env": "prod", "owner": fmt.Sprintf("team-%d", i%50)})
		snap.Entities = append(snap.Entities, e)
	}
	for i, e := range snap.Entities {
		snap.Relationships = append(snap.Relationships,
			graph.Direct(e, "HAS", snap.Entities[(i+1)%nEnt], nil),
			graph.Direct(e, "USES", snap.Entities[(i+7)%nEnt], map[string]any{"port": 22}))
		if i%20 == 0 {
			snap.Relationships = append(snap.Relationships, graph.Mapped("bench_host_is_person", "IS", e, graph.Forward,
				map[string]any{"_class": "Person", "email": fmt.Sprintf("p%d@example.com", i/20%1000)}, []string{"_class", "email"}, true, nil))
		}
	}
	snap.DeclaredTypes = []string{"bench_host", snap.Relationships[0].Type(), snap.Relationships[1].Type(), "bench_host_is_person"}
	var persons []graph.Entity
	for i := range 1000 {
		p := graph.NewEntity(fmt.Sprintf("person:%d", i), "employee", []string{"Person"}, fmt.Sprintf("p%d", i))
		p["email"] = []any{fmt.Sprintf("p%d@example.com", i), fmt.Sprintf("alias%d@example.com", i)}
		persons = append(persons, p)
	}
	return snap, persons
}

// BenchmarkWrite20kEntities40kRelationships: one run of 20,000 entities and
// 41,000 relationships (1,000 mapped, resolved against 1,000 imported
// Persons). The first iteration inserts; the rest update in place (a rerun).
func BenchmarkWrite20kEntities40kRelationships(b *testing.B) {
	ctx := context.Background()
	s := open(b)
	snap, persons := benchSnapshot(20_000)
	if err := s.Import(ctx, "import:hr", persons); err != nil {
		b.Fatal(err)
	}
	first := true
	for b.Loop() {
		start := time.Now()
		if err := s.Write(ctx, snap); err != nil {
			b.Fatal(err)
		}
		if first {
			b.Logf("first write (insert): %v", time.Since(start))
			first = false
		}
	}
	b.StopTimer()
	ents, rels, err := s.Counts(ctx, "bench")
	if err != nil || ents["bench_host"] != 20_000 || rels["bench_host_has_host"] != 20_000 || rels["bench_host_uses_host"] != 20_000 || rels["bench_host_is_person"] != 1000 {
		b.Fatalf("counts %v %v %v", ents, rels, err)
	}
	var unresolved int
	s.Pool().QueryRow(ctx, `SELECT COUNT(*) FROM relationships WHERE mapped = 1 AND to_key IS NULL`).Scan(&unresolved)
	if unresolved != 0 {
		b.Fatalf("%d mapped relationships unresolved", unresolved)
	}
}
