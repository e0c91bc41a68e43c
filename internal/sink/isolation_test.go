package sink_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/sink"
	"github.com/awsgraph/awsgraph/internal/sink/postgres"
	"github.com/awsgraph/awsgraph/internal/sink/sqlite"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

func TestMain(m *testing.M) { os.Exit(testbed.PostgresMain(m, nil)) }

type store interface {
	sink.Sink
	Query(ctx context.Context, q string) ([][]string, error)
}

const (
	instances = 8
	rounds    = 6
	thingType = "test_thing"
	sharedKey = "shared-key" // every instance stores an entity of this key
)

func inst(i int) string { return fmt.Sprintf("inst-%02d", i) }

// snapshot is instance i's round r: entities of its own whose keys change
// every round (so each round deletes the last round's), the shared key, a
// mapped edge to the next instance's shared-key entity, and, for instance 0,
// a partial type (its objects must survive every round).
func snapshot(i, r int) *sink.Snapshot {
	var ents []graph.Entity
	for k := range 3 {
		ents = append(ents, graph.NewEntity(fmt.Sprintf("%s/r%d/e%d", inst(i), r, k), thingType, []string{"Configuration"}, "x"))
	}
	shared := graph.NewEntity(sharedKey, thingType, []string{"Configuration"}, "shared").Set("owner", inst(i))
	ents = append(ents, shared)
	rel := graph.Mapped("test_thing_uses_thing", "USES", ents[0], graph.Forward,
		map[string]any{"_type": thingType, "owner": inst((i + 1) % instances)}, []string{"_type", "owner"}, true, nil)
	s := &sink.Snapshot{InstanceID: inst(i), Entities: ents, Relationships: []graph.Relationship{rel},
		DeclaredTypes: []string{thingType, rel.Type()}}
	if i == 0 {
		s.Entities = append(s.Entities, graph.NewEntity(fmt.Sprintf("%s/kept/r%d", inst(i), r), "test_partial", []string{"Configuration"}, "x"))
		s.DeclaredTypes = append(s.DeclaredTypes, "test_partial")
		if r > 0 {
			s.PartialTypes = []string{"test_partial"}
		}
	}
	return s
}

// writeConcurrently runs every instance's rounds at once, each instance
// on the store open returns (one shared handle, or one per writer).
func writeConcurrently(t *testing.T, open func() store) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, instances)
	for i := range instances {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := open()
			for r := range rounds {
				if err := st.Write(context.Background(), snapshot(i, r)); err != nil {
					errs <- fmt.Errorf("%s round %d: %w", inst(i), r, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// checkIsolated: each instance holds exactly its last round (plus, for
// instance 0, every round's partial objects), and its edge ends on the next
// instance's entity.
func checkIsolated(t *testing.T, st store) {
	t.Helper()
	for i := range instances {
		rows, err := st.Query(context.Background(), fmt.Sprintf(`SELECT key FROM entities WHERE instance_id = '%s' ORDER BY key`, inst(i)))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows[1:] {
			got = append(got, r[0])
		}
		want := []string{sharedKey}
		for k := range 3 {
			want = append(want, fmt.Sprintf("%s/r%d/e%d", inst(i), rounds-1, k))
		}
		if i == 0 {
			for r := range rounds {
				want = append(want, fmt.Sprintf("%s/kept/r%d", inst(i), r))
			}
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s holds %v, want %v", inst(i), got, want)
		}
		edge, err := st.Query(context.Background(), fmt.Sprintf(`SELECT from_key, to_key FROM relationships WHERE instance_id = '%s'`, inst(i)))
		if err != nil {
			t.Fatal(err)
		}
		if len(edge) != 2 || edge[1][1] != sharedKey || !strings.HasPrefix(edge[1][0], inst(i)+"/r5/") {
			t.Errorf("%s edges %v, want one from its last round to the shared key", inst(i), edge[1:])
		}
	}
}

// Eight instances written at once, six rounds each, into one PostgreSQL
// (one connection pool per writer, as separate workers have): a run's
// deletions never reach another instance, even for a key they share.
func TestConcurrentInstancesNeverDeleteEachOthersDataPostgreSQL(t *testing.T) {
	dsn := testbed.StartPostgres(t)
	var mu sync.Mutex
	var opened []*postgres.Store
	t.Cleanup(func() {
		for _, s := range opened {
			s.Close()
		}
	})
	open := func() store {
		s, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			t.Error(err)
			return nil
		}
		mu.Lock()
		opened = append(opened, s)
		mu.Unlock()
		return s
	}
	writeConcurrently(t, open)
	checkIsolated(t, open())
}

// The same against SQLite, where one process shares one store between its
// runs (awsgraph org --run; the file lock keeps other processes out).
func TestConcurrentInstancesNeverDeleteEachOthersDataSQLite(t *testing.T) {
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "graph.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	writeConcurrently(t, func() store { return s })
	checkIsolated(t, s)
}
