package j1ql

import (
	"fmt"
	"strings"
)

// idCols are target t's columns in the match CTE.
func idCols(t target) (inst, key string) {
	if t.rel {
		return fmt.Sprintf("ri%d", t.node), fmt.Sprintf("rk%d", t.node)
	}
	return fmt.Sprintf("i%d", t.node), fmt.Sprintf("k%d", t.node)
}

// referenced lists, once each and in order of appearance, what RETURN and
// ORDER BY refer to: the result has one row per distinct combination.
func referenced(q *Query, al map[string]target) []target {
	var out []target
	add := func(alias string) {
		t := al[alias]
		for _, o := range out {
			if o == t {
				return
			}
		}
		out = append(out, t)
	}
	for _, r := range q.Return {
		add(r.Ref.Alias)
	}
	for _, o := range q.Order {
		if o.Ref.Alias != "" {
			add(o.Ref.Alias)
		}
	}
	return out
}

// returnSQL answers a query with RETURN: one row per distinct combination
// of the returned aliases (grouped when count() is returned).
func (b *builder) returnSQL(q *Query, al map[string]target) string {
	m := b.matchSQL(q, al)
	targets := referenced(q, al)
	var dcols, joins []string
	for _, t := range targets {
		i, k := idCols(t)
		dcols = append(dcols, i, k)
		table := "entities"
		if t.rel {
			table = "relationships"
		}
		joins = append(joins, fmt.Sprintf("JOIN %s %s ON %s.instance_id = d.%s AND %s.key = d.%s", table, tblOf(t), tblOf(t), i, tblOf(t), k))
	}
	group := hasCount(q)
	var sel, groupBy, outer, order []string
	for idx, r := range q.Return {
		t := al[r.Ref.Alias]
		var e string
		switch {
		case r.Count:
			i, k := idCols(t)
			e = "COUNT(DISTINCT d." + i + " || '|' || d." + k + ")"
			if b.pg {
				e = "to_jsonb(" + e + ")"
			}
		case r.Ref.Name == "":
			e = tblOf(t) + ".json"
		default:
			e = b.jsonVal(tblOf(t), r.Ref.Name)
		}
		if group && !r.Count {
			groupBy = append(groupBy, e)
		}
		sel = append(sel, fmt.Sprintf("%s AS c%d", e, idx))
		if b.pg {
			outer = append(outer, fmt.Sprintf("q.c%d::text", idx))
		} else {
			outer = append(outer, fmt.Sprintf("q.c%d", idx))
		}
	}
	for j, o := range q.Order {
		col := ""
		for idx, r := range q.Return {
			if r.Text == o.Text {
				col = fmt.Sprintf("q.c%d", idx)
			}
		}
		if col == "" {
			sel = append(sel, fmt.Sprintf("%s AS o%d", b.jsonVal(tblOf(al[o.Ref.Alias]), o.Ref.Name), j))
			col = fmt.Sprintf("q.o%d", j)
		}
		order = append(order, b.sortKeys(col, o.Desc)...)
	}
	if group {
		for idx := range q.Return {
			order = append(order, b.sortKeys(fmt.Sprintf("q.c%d", idx), false)...)
		}
	} else {
		for j, t := range targets {
			i, k := idCols(t)
			sel = append(sel, fmt.Sprintf("d.%s AS tk%d, d.%s AS ti%d", k, j, i, j))
			order = append(order, b.collate(fmt.Sprintf("q.tk%d", j)), b.collate(fmt.Sprintf("q.ti%d", j)))
		}
	}
	inner := "SELECT " + strings.Join(sel, ", ") + " FROM d " + strings.Join(joins, " ")
	if len(groupBy) > 0 {
		inner += " GROUP BY " + strings.Join(groupBy, ", ")
	}
	return "WITH m AS (" + m + "),\nd AS (SELECT DISTINCT " + strings.Join(dcols, ", ") + " FROM m)\n" +
		"SELECT " + strings.Join(outer, ", ") + " FROM (" + inner + ") q\nORDER BY " + strings.Join(order, ", ") +
		" LIMIT " + b.arg(int64(q.Limit)) + " OFFSET " + b.arg(int64(q.Skip))
}
