// Package view draws a graph store's subgraph as one self-contained HTML
// page: the graph library (cytoscape, MIT, vendored from npm with its
// licence) and the data are inlined, so the page works offline.
package view

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Node is an entity as the page shows it.
type Node struct {
	Key   string `json:"key"`
	Type  string `json:"type"`
	Class string `json:"class"` // the first _class (styles the node)
	Name  string `json:"name"`
	// Mapped marks a placeholder the store created for a mapped
	// relationship's target (source system-mapper).
	Mapped bool           `json:"mapped"`
	Props  map[string]any `json:"props"`
}

// Edge is a relationship between two nodes of the subgraph.
type Edge struct {
	Key  string `json:"key"`
	Type string `json:"type"`
	Verb string `json:"verb"` // _class
	From string `json:"from"`
	To   string `json:"to"`
	// Mapped marks a mapped relationship (its target was resolved by the
	// store, not named by the collector): drawn dashed.
	Mapped bool           `json:"mapped"`
	Props  map[string]any `json:"props"`
}

// Subgraph is what the page draws: entities, and relationships whose both
// ends are among them.
type Subgraph struct {
	Entities      []Node `json:"entities"`
	Relationships []Edge `json:"relationships"`
}

// Querier runs one read-only SQL statement and returns the header row and
// the rows as text (both stores' Query).
type Querier interface {
	Query(ctx context.Context, q string) ([][]string, error)
}

// Selection says which part of the store to draw. With none of its fields
// set, the whole store.
type Selection struct {
	// InstanceID limits the graph to one instance's entities and
	// relationships, plus the entities (of any instance, or placeholders)
	// its relationships point at.
	InstanceID string
	// KeysSQL is a read-only SQL query whose first column is entity keys:
	// the graph is those entities and the relationships among them.
	KeysSQL string
	// Keys and RelationshipKeys name the subgraph directly (a J1QL RETURN
	// TREE result): the entities, and the relationships to draw among them
	// (nil = every relationship among the entities).
	Keys             []string
	RelationshipKeys []string
}

// quote is an SQL string literal, valid in SQLite and PostgreSQL (with
// standard_conforming_strings, the default since 9.1).
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Load reads the selected subgraph from the store.
func Load(ctx context.Context, q Querier, sel Selection) (*Subgraph, error) {
	var want map[string]bool
	switch {
	case sel.KeysSQL != "":
		rows, err := q.Query(ctx, sel.KeysSQL)
		if err != nil {
			return nil, fmt.Errorf("the query selecting entity keys: %w", err)
		}
		want = map[string]bool{}
		for _, r := range rows[1:] {
			if len(r) > 0 && r[0] != "NULL" {
				want[r[0]] = true
			}
		}
	case sel.Keys != nil:
		want = map[string]bool{}
		for _, k := range sel.Keys {
			want[k] = true
		}
	}
	relWhere := ""
	if sel.InstanceID != "" {
		relWhere = " WHERE instance_id = " + quote(sel.InstanceID)
	}
	edges, err := loadEdges(ctx, q, relWhere)
	if err != nil {
		return nil, err
	}
	nodes, err := loadNodes(ctx, q)
	if err != nil {
		return nil, err
	}
	return assemble(nodes, edges, sel, want)
}

// assemble picks the nodes and the edges between them.
func assemble(nodes map[string]instanceNode, edges []Edge, sel Selection, want map[string]bool) (*Subgraph, error) {
	if want == nil {
		want = map[string]bool{}
		for k, n := range nodes {
			if sel.InstanceID == "" || n.instance == sel.InstanceID {
				want[k] = true
			}
		}
		if sel.InstanceID != "" {
			if len(want) == 0 {
				return nil, fmt.Errorf("instance %q has no entities in the store", sel.InstanceID)
			}
			for _, e := range edges { // targets elsewhere: mapped entities, placeholders
				want[e.From], want[e.To] = true, true
			}
		}
	}
	var relKeys map[string]bool
	if sel.RelationshipKeys != nil {
		relKeys = map[string]bool{}
		for _, k := range sel.RelationshipKeys {
			relKeys[k] = true
		}
	}
	g := &Subgraph{Entities: []Node{}, Relationships: []Edge{}}
	for k := range want {
		n, ok := nodes[k]
		if !ok {
			return nil, fmt.Errorf("entity %q is not in the store", k)
		}
		g.Entities = append(g.Entities, n.Node)
	}
	for _, e := range edges {
		if want[e.From] && want[e.To] && (relKeys == nil || relKeys[e.Key]) {
			g.Relationships = append(g.Relationships, e)
		}
	}
	sort.Slice(g.Entities, func(i, j int) bool { return g.Entities[i].Key < g.Entities[j].Key })
	sort.Slice(g.Relationships, func(i, j int) bool { return g.Relationships[i].Key < g.Relationships[j].Key })
	return g, nil
}

type instanceNode struct {
	Node
	instance string
}

func loadNodes(ctx context.Context, q Querier) (map[string]instanceNode, error) {
	rows, err := q.Query(ctx, `SELECT instance_id, key, type, source, json FROM entities`)
	if err != nil {
		return nil, fmt.Errorf("reading entities: %w", err)
	}
	out := make(map[string]instanceNode, len(rows))
	for _, r := range rows[1:] {
		var props map[string]any
		if err := json.Unmarshal([]byte(r[4]), &props); err != nil {
			return nil, fmt.Errorf("stored entity %s: %w", r[1], err)
		}
		n := Node{Key: r[1], Type: r[2], Mapped: r[3] == "system-mapper", Props: props}
		n.Class = firstClass(props["_class"])
		n.Name, _ = props["displayName"].(string)
		if n.Name == "" {
			n.Name, _ = props["name"].(string)
		}
		if n.Name == "" {
			n.Name = n.Key
		}
		out[n.Key] = instanceNode{n, r[0]}
	}
	return out, nil
}

func firstClass(v any) string {
	switch c := v.(type) {
	case string:
		return c
	case []any:
		if len(c) > 0 {
			s, _ := c[0].(string)
			return s
		}
	}
	return ""
}

func loadEdges(ctx context.Context, q Querier, where string) ([]Edge, error) {
	rows, err := q.Query(ctx, `SELECT key, type, class, from_key, to_key, mapped, json FROM relationships`+where)
	if err != nil {
		return nil, fmt.Errorf("reading relationships: %w", err)
	}
	var out []Edge
	for _, r := range rows[1:] {
		if r[3] == "NULL" || r[4] == "NULL" {
			continue // a mapped relationship with no target (skipTargetCreation)
		}
		var props map[string]any
		if err := json.Unmarshal([]byte(r[6]), &props); err != nil {
			return nil, fmt.Errorf("stored relationship %s: %w", r[0], err)
		}
		out = append(out, Edge{Key: r[0], Type: r[1], Verb: r[2], From: r[3], To: r[4], Mapped: r[5] == "1", Props: props})
	}
	return out, nil
}
