package j1ql

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Object is a stored entity or relationship.
type Object struct {
	InstanceID string
	Key        string
	Properties map[string]any // the stored JSON; numbers as json.Number
}

// Graph is the subgraph a query matched: every entity and relationship on
// the matched paths of the returned page of FIND's entities. A
// relationship's resolved endpoints are in _fromEntityKey / _toEntityKey.
type Graph struct {
	Entities      []Object
	Relationships []Object
}

// Result is a query's answer.
type Result struct {
	Columns  []string         // with RETURN: the expressions as written
	Rows     [][]any          // with RETURN: one value per column (decoded JSON, nil when absent)
	Entities []map[string]any // without RETURN (and with TREE): FIND's matched entities, in order
	Graph    *Graph           // with TREE, or when Options.Graph asks for it without RETURN
	Tree     bool
}

// Options tune Run.
type Options struct {
	Graph bool // without RETURN, also list the matched subgraph
}

// Run parses nothing: it executes a compiled query in one read-only
// transaction on db.
func Run(ctx context.Context, db *sql.DB, c *Compiled, opt Options) (*Result, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: c.Dialect == Postgres})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	res := &Result{Columns: c.Columns, Tree: c.q.Tree}
	rows, err := tx.QueryContext(ctx, c.Main, c.MainArgs...)
	if err != nil {
		return nil, fmt.Errorf("running the compiled query: %w", err)
	}
	defer rows.Close()
	width := max(len(c.Columns), 1)
	for rows.Next() {
		vals := make([]sql.NullString, width)
		ptrs := make([]any, width)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]any, width)
		for i, v := range vals {
			if row[i], err = decode(v); err != nil {
				return nil, err
			}
		}
		if c.Columns == nil {
			obj, _ := row[0].(map[string]any)
			res.Entities = append(res.Entities, obj)
		} else {
			res.Rows = append(res.Rows, row)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if c.Graph != "" && (c.q.Tree || opt.Graph) {
		if res.Graph, err = runGraph(ctx, tx, c); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func decode(v sql.NullString) (any, error) {
	if !v.Valid {
		return nil, nil
	}
	d := json.NewDecoder(strings.NewReader(v.String))
	d.UseNumber()
	var out any
	if err := d.Decode(&out); err != nil {
		return nil, fmt.Errorf("decoding a stored value %.40q: %w", v.String, err)
	}
	return out, nil
}

func runGraph(ctx context.Context, tx *sql.Tx, c *Compiled) (*Graph, error) {
	rows, err := tx.QueryContext(ctx, c.Graph, c.GraphArgs...)
	if err != nil {
		return nil, fmt.Errorf("listing the matched subgraph: %w", err)
	}
	defer rows.Close()
	g := &Graph{}
	for rows.Next() {
		var kind, inst, key string
		var data, from, to sql.NullString
		if err := rows.Scan(&kind, &inst, &key, &data, &from, &to); err != nil {
			return nil, err
		}
		v, err := decode(data)
		if err != nil {
			return nil, err
		}
		props, _ := v.(map[string]any)
		o := Object{InstanceID: inst, Key: key, Properties: props}
		if kind == "e" {
			g.Entities = append(g.Entities, o)
			continue
		}
		if props != nil {
			props["_fromEntityKey"], props["_toEntityKey"] = from.String, to.String
		}
		g.Relationships = append(g.Relationships, o)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, list := range [][]Object{g.Entities, g.Relationships} {
		sort.Slice(list, func(i, j int) bool {
			if list[i].Key != list[j].Key {
				return list[i].Key < list[j].Key
			}
			return list[i].InstanceID < list[j].InstanceID
		})
	}
	return g, nil
}

// Ask parses, compiles and runs a J1QL query.
func Ask(ctx context.Context, db *sql.DB, d Dialect, text string, opt Options) (*Result, error) {
	q, err := Parse(text)
	if err != nil {
		return nil, err
	}
	c, err := Compile(q, d)
	if err != nil {
		return nil, err
	}
	return Run(ctx, db, c, opt)
}

// IsJ1QL says whether a query is J1QL (starts with FIND, any case) rather than SQL.
func IsJ1QL(text string) bool {
	f := strings.Fields(text)
	return len(f) > 0 && strings.EqualFold(f[0], "FIND") || len(f) > 0 && len(f[0]) > 4 && strings.EqualFold(f[0][:4], "FIND") && f[0][4] == '('
}

// JSON renders the result as awsgraph query --format json does: without
// RETURN, an array of FIND's entities; with RETURN, an array of objects keyed
// by the expressions as written; with TREE, {"vertices":[...],"edges":[...]}.
func (r *Result) JSON() ([]byte, error) {
	var v any
	switch {
	case r.Tree:
		g := r.Graph
		if g == nil {
			g = &Graph{}
		}
		tree := map[string][]map[string]any{"vertices": {}, "edges": {}}
		for _, e := range g.Entities {
			tree["vertices"] = append(tree["vertices"], e.Properties)
		}
		for _, e := range g.Relationships {
			tree["edges"] = append(tree["edges"], e.Properties)
		}
		v = tree
	case r.Columns == nil:
		list := make([]map[string]any, 0, len(r.Entities))
		v = append(list, r.Entities...)
	default:
		list := make([]map[string]any, 0, len(r.Rows))
		for _, row := range r.Rows {
			obj := map[string]any{}
			for i, c := range r.Columns {
				obj[c] = row[i]
			}
			list = append(list, obj)
		}
		v = list
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err := enc.Encode(v)
	return buf.Bytes(), err
}
