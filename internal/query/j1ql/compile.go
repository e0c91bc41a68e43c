package j1ql

import (
	"fmt"
	"strings"
)

// Compiled is a query in one dialect's SQL. Main answers the query (FIND's
// entities as JSON without RETURN or with TREE, else one row per result);
// Graph, when set, lists the matched subgraph (kind 'e'/'r', instance_id,
// key, json, from_key, to_key). Args are bound positionally (?N / $N).
type Compiled struct {
	Dialect   Dialect
	Main      string
	MainArgs  []any
	Graph     string
	GraphArgs []any
	Columns   []string // RETURN expressions as written; nil without RETURN
	q         *Query
}

// Compile translates a parsed query into SQL for the dialect.
func Compile(q *Query, d Dialect) (*Compiled, error) {
	if d != SQLite && d != Postgres {
		return nil, fmt.Errorf("unknown SQL dialect %q (sqlite or postgres)", d)
	}
	al, err := aliases(q)
	if err != nil {
		return nil, err
	}
	c := &Compiled{Dialect: d, q: q}
	if len(q.Return) == 0 {
		b := &builder{pg: d == Postgres}
		c.Main = b.entitiesSQL(q, al)
		c.MainArgs = b.args
		g := &builder{pg: d == Postgres}
		c.Graph = g.graphSQL(q, al)
		c.GraphArgs = g.args
		return c, nil
	}
	b := &builder{pg: d == Postgres}
	c.Main = b.returnSQL(q, al)
	c.MainArgs = b.args
	for _, r := range q.Return {
		c.Columns = append(c.Columns, r.Text)
	}
	return c, nil
}

// Explain is the SQL with its arguments, for --explain.
func (c *Compiled) Explain() string {
	var s strings.Builder
	fmt.Fprintf(&s, "-- %s\n%s;\n-- arguments: %s\n", c.Dialect, c.Main, fmtArgs(c.MainArgs))
	if c.Graph != "" && c.q.Tree {
		fmt.Fprintf(&s, "-- the subgraph (RETURN TREE)\n%s;\n-- arguments: %s\n", c.Graph, fmtArgs(c.GraphArgs))
	}
	return s.String()
}

func fmtArgs(args []any) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = fmt.Sprintf("%d=%q", i+1, fmt.Sprint(a))
	}
	return strings.Join(parts, " ")
}

func nodeTbl(i int) string { return fmt.Sprintf("n%d", i) }
func relTbl(i int) string  { return fmt.Sprintf("r%d", i) }

// tblOf is the SQL table alias of what an alias names.
func tblOf(t target) string {
	if t.rel {
		return relTbl(t.node)
	}
	return nodeTbl(t.node)
}

// selector is the node's type / class condition.
func (b *builder) selector(tbl string, n *Node) string {
	if n.Any {
		return "1 = 1"
	}
	var types, classes []string
	for _, name := range n.Names {
		if name.IsClass {
			classes = append(classes, name.Name)
		} else {
			types = append(types, b.textArg(name.Name))
		}
	}
	var parts []string
	if len(types) > 0 {
		parts = append(parts, tbl+".type IN ("+strings.Join(types, ", ")+")")
	}
	if len(classes) > 0 {
		c := &Cmp{Op: "="}
		for _, cl := range classes {
			c.List = append(c.List, Value{Kind: StringValue, Str: cl})
		}
		parts = append(parts, b.valueCmp(tbl, "_class", c))
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

// filter compiles a WITH (tbl is the node) or WHERE (tbl empty: aliases) filter.
func (b *builder) filter(e Expr, tbl string, al map[string]target) string {
	switch e := e.(type) {
	case *And:
		return "(" + b.filter(e.L, tbl, al) + " AND " + b.filter(e.R, tbl, al) + ")"
	case *Or:
		return "(" + b.filter(e.L, tbl, al) + " OR " + b.filter(e.R, tbl, al) + ")"
	case *Cmp:
		lt := tbl
		if e.Left.Alias != "" || tbl == "" {
			lt = tblOf(al[e.Left.Alias])
		}
		if e.Right != nil {
			return b.pairCmp(lt, e.Left.Name, tblOf(al[e.Right.Alias]), e.Right.Name, e.Op)
		}
		return b.valueCmp(lt, e.Left.Name, e)
	}
	return "1 = 1"
}

// edge joins entity rt to relationship r, whose other end touch put on l:
// an equality on the key, so that the stores use their key indexes.
// Mapped relationships the store resolved join any instance's entity.
func edge(r, l, rt string, dir Direction) string {
	same := " AND (" + r + ".mapped = 1 OR (" + l + ".instance_id = " + r + ".instance_id AND " + rt + ".instance_id = " + r + ".instance_id))"
	switch dir {
	case Forward:
		return rt + ".key = " + r + ".to_key" + same
	case Reverse:
		return rt + ".key = " + r + ".from_key" + same
	}
	return rt + ".key = CASE WHEN " + r + ".from_key = " + l + ".key THEN " + r + ".to_key ELSE " + r + ".from_key END" + same
}

func touch(r, l string, dir Direction) string {
	switch dir {
	case Forward:
		return r + ".from_key = " + l + ".key"
	case Reverse:
		return r + ".to_key = " + l + ".key"
	}
	return "(" + r + ".from_key = " + l + ".key OR " + r + ".to_key = " + l + ".key)"
}

func (b *builder) verbs(r string, rel *Rel) string {
	if rel.Verbs == nil {
		return ""
	}
	var ps []string
	for _, v := range rel.Verbs {
		ps = append(ps, b.textArg(v))
	}
	return " AND " + r + ".class IN (" + strings.Join(ps, ", ") + ")"
}

// matchSQL is the CTE m: one distinct row per matched path, with the
// instance and key of every entity (i0, k0, ...) and relationship (ri1, rk1, ...).
func (b *builder) matchSQL(q *Query, al map[string]target) string {
	var cols, from, where []string
	for i, n := range q.Nodes {
		t := nodeTbl(i)
		if n.negated {
			where = append(where, b.negated(q, i))
			continue
		}
		if i == 0 {
			// FIND's entities first, in a subquery the planners keep apart
			// (OFFSET 0), so the chain starts from them and not from a scan.
			cond := b.selector(t, n)
			if n.With != nil {
				cond += " AND " + b.filter(n.With, t, al)
			}
			from = append(from, "(SELECT "+t+".instance_id, "+t+".key, "+t+".type, "+t+".source, "+t+".json FROM entities "+t+" WHERE "+cond+" LIMIT -1 OFFSET 0) "+t)
			if b.pg {
				from[0] = strings.Replace(from[0], " LIMIT -1 OFFSET 0)", " OFFSET 0)", 1)
			}
			cols = append(cols, fmt.Sprintf("%s.instance_id AS i%d, %s.key AS k%d", t, i, t, i))
			continue
		} else {
			r, l := relTbl(i), nodeTbl(i-1)
			// SQLite has no statistics on a store: CROSS JOIN keeps its
			// planner walking the chain left to right, on the key indexes.
			join := "JOIN "
			if !b.pg {
				join = "CROSS JOIN "
			}
			from = append(from, join+"relationships "+r+" ON "+touch(r, l, n.Rel.Dir)+b.verbs(r, n.Rel),
				join+"entities "+t+" ON "+edge(r, l, t, n.Rel.Dir))
			cols = append(cols, fmt.Sprintf("%s.instance_id AS ri%d, %s.key AS rk%d", r, i, r, i))
			for j := 1; j < i; j++ {
				if !q.Nodes[j].negated {
					where = append(where, fmt.Sprintf("NOT (%s.instance_id = %s.instance_id AND %s.key = %s.key)", r, relTbl(j), r, relTbl(j)))
				}
			}
		}
		cols = append(cols, fmt.Sprintf("%s.instance_id AS i%d, %s.key AS k%d", t, i, t, i))
		where = append(where, b.selector(t, n))
		if n.With != nil {
			where = append(where, b.filter(n.With, t, al))
		}
	}
	if q.Where != nil {
		where = append(where, b.filter(q.Where, "", al))
	}
	if len(where) == 0 {
		where = []string{"1 = 1"}
	}
	return "SELECT DISTINCT " + strings.Join(cols, ", ") + " FROM " + strings.Join(from, " ") + " WHERE " + strings.Join(where, " AND ")
}

// negated is THAT !VERB node i: no such relationship to any matching
// entity. Either direction is two NOT EXISTS, each an indexed equi-join.
func (b *builder) negated(q *Query, i int) string {
	n := q.Nodes[i]
	if n.Rel.Dir == AnyDirection {
		fwd, rev := *n.Rel, *n.Rel
		fwd.Dir, rev.Dir = Forward, Reverse
		return "(" + b.notExists(n, i, &fwd) + " AND " + b.notExists(n, i, &rev) + ")"
	}
	return b.notExists(n, i, n.Rel)
}

func (b *builder) notExists(n *Node, i int, rel *Rel) string {
	r, l, t := relTbl(i), nodeTbl(i-1), nodeTbl(i)
	s := "NOT EXISTS (SELECT 1 FROM relationships " + r + " JOIN entities " + t + " ON " + edge(r, l, t, rel.Dir) +
		" WHERE " + touch(r, l, rel.Dir) + b.verbs(r, rel) + " AND " + b.selector(t, n)
	if n.With != nil {
		s += " AND " + b.filter(n.With, t, nil)
	}
	return s + ")"
}

// limitedSQL is the CTEs m, f (FIND's distinct entities, numbered in
// order) and l (the page of them SKIP and LIMIT keep).
func (b *builder) limitedSQL(q *Query, al map[string]target) string {
	m := b.matchSQL(q, al)
	var order []string
	for _, o := range q.Order {
		order = append(order, b.sortKeys(b.jsonVal("n0", o.Ref.Name), o.Desc)...)
	}
	order = append(order, b.collate("n0.key"), b.collate("n0.instance_id"))
	return "WITH m AS (" + m + "),\n" +
		"f AS (SELECT d.i0, d.k0, ROW_NUMBER() OVER (ORDER BY " + strings.Join(order, ", ") + ") AS ord FROM (SELECT DISTINCT i0, k0 FROM m) d JOIN entities n0 ON n0.instance_id = d.i0 AND n0.key = d.k0),\n" +
		"l AS (SELECT i0, k0, ord FROM f WHERE ord > " + b.arg(int64(q.Skip)) + " AND ord <= " + b.arg(int64(q.Skip)+int64(q.Limit)) + ")"
}

func (b *builder) entitiesSQL(q *Query, al map[string]target) string {
	js := "n0.json"
	if b.pg {
		js = "n0.json::text"
	}
	return b.limitedSQL(q, al) + "\nSELECT " + js + " FROM l JOIN entities n0 ON n0.instance_id = l.i0 AND n0.key = l.k0 ORDER BY l.ord"
}

func (b *builder) graphSQL(q *Query, al map[string]target) string {
	var ents, rels []string
	for i, n := range q.Nodes {
		if n.negated {
			continue
		}
		ents = append(ents, fmt.Sprintf("SELECT i%d AS i, k%d AS k FROM p", i, i))
		if i > 0 {
			rels = append(rels, fmt.Sprintf("SELECT ri%d AS i, rk%d AS k FROM p", i, i))
		}
	}
	js, null := "json", "NULL"
	if b.pg {
		js, null = "json::text", "NULL::text"
	}
	s := b.limitedSQL(q, al) + ",\np AS (SELECT m.* FROM m JOIN l ON m.i0 = l.i0 AND m.k0 = l.k0),\n" +
		"ek AS (" + strings.Join(ents, " UNION ") + ")"
	if len(rels) > 0 {
		s += ",\nrk AS (" + strings.Join(rels, " UNION ") + ")"
	}
	s += "\nSELECT 'e', e.instance_id, e.key, e." + js + ", " + null + ", " + null + " FROM ek JOIN entities e ON e.instance_id = ek.i AND e.key = ek.k"
	if len(rels) > 0 {
		s += "\nUNION ALL SELECT 'r', r.instance_id, r.key, r." + js + ", r.from_key, r.to_key FROM rk JOIN relationships r ON r.instance_id = rk.i AND r.key = rk.k"
	}
	return s
}
