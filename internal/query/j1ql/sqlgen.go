package j1ql

import (
	"fmt"
	"strings"
)

// Dialect is the SQL of a store.
type Dialect string

// The two stores.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// builder accumulates SQL arguments; every literal and property name is a
// bound argument, never spliced into the SQL text.
type builder struct {
	pg     bool
	args   []any
	nElems int
}

func (b *builder) arg(v any) string {
	b.args = append(b.args, v)
	if b.pg {
		return fmt.Sprintf("$%d", len(b.args))
	}
	return fmt.Sprintf("?%d", len(b.args))
}

// textArg is a string argument, typed for PostgreSQL.
func (b *builder) textArg(s string) string {
	if b.pg {
		return b.arg(s) + "::text"
	}
	return b.arg(s)
}

func (b *builder) collate(expr string) string {
	if b.pg {
		return expr + ` COLLATE "C"`
	}
	return expr
}

// jsonVal is the property's JSON value (SQL NULL when absent).
func (b *builder) jsonVal(tbl, name string) string {
	if isSourceColumn(tbl, name) {
		if b.pg {
			return "to_jsonb(" + tbl + ".source)"
		}
		return "json_quote(" + tbl + ".source)"
	}
	if b.pg {
		return "(" + tbl + ".json -> " + b.textArg(name) + ")"
	}
	return "(" + tbl + ".json -> " + b.arg(`$."`+name+`"`) + ")"
}

// elems is a FROM item listing the property's values: the elements of a
// list (for a relationship also of a list stored as JSON text), else the
// value itself (none when absent). It returns the item and
// the element's name.
func (b *builder) elems(tbl, name string) (from, x string) {
	b.nElems++
	x = fmt.Sprintf("x%d", b.nElems)
	rel := strings.HasPrefix(tbl, "r")
	if b.pg {
		j := b.jsonVal(tbl, name)
		textList := ""
		if rel {
			textList = fmt.Sprintf(" WHEN jsonb_typeof(%s) = 'string' AND (%s #>> '{}') ~ '%s' THEN (%s #>> '{}')::jsonb", j, j, textListRE, j)
		}
		return fmt.Sprintf("jsonb_array_elements(CASE WHEN jsonb_typeof(%s) = 'array' THEN %s%s ELSE jsonb_build_array(%s) END) %s(v)", j, j, textList, j, x), x + ".v"
	}
	if isSourceColumn(tbl, name) {
		return fmt.Sprintf("json_each(%s) %s", b.jsonVal(tbl, name), x), x
	}
	p := b.arg(`$."` + name + `"`)
	if !rel {
		return fmt.Sprintf("json_each(%s.json, %s) %s", tbl, p, x), x
	}
	v := fmt.Sprintf("json_extract(%s.json, %s)", tbl, p)
	list := fmt.Sprintf("CASE WHEN json_type(%s.json, %s) = 'text' THEN CASE WHEN json_valid(%s) THEN CASE WHEN json_type(%s) = 'array' AND %s = json(%s) "+
		"AND NOT EXISTS (SELECT 1 FROM json_each(%s) WHERE type <> 'text') THEN %s END END END", tbl, p, v, v, v, v, v, v)
	return fmt.Sprintf("json_each(COALESCE(%s, %s.json -> %s)) %s", list, tbl, p, x), x
}

// isSourceColumn: an entity's _source is the store's source column
// (integration-managed, api for imports, system-mapper for placeholders),
// as in JupiterOne, whether or not the stored JSON repeats it.
func isSourceColumn(tbl, name string) bool { return name == "_source" && !strings.HasPrefix(tbl, "r") }

// textListRE is a relationship property holding the JSON text of a list of
// strings (graph.SetList), matched element by element like an entity's list.
const textListRE = `^\[("([^"\\]|\\(["\\/bfnrt]|u[0-9a-fA-F]{4}))*"(,"([^"\\]|\\(["\\/bfnrt]|u[0-9a-fA-F]{4}))*")*)?\]$`

// Element accessors: x is what elems returned.
func (b *builder) isString(x string) string {
	if b.pg {
		return "jsonb_typeof(" + x + ") = 'string'"
	}
	return x + ".type = 'text'"
}

func (b *builder) isNumber(x string) string {
	if b.pg {
		return "jsonb_typeof(" + x + ") = 'number'"
	}
	return x + ".type IN ('integer', 'real')"
}

func (b *builder) text(x string) string {
	if b.pg {
		return "(" + x + " #>> '{}')"
	}
	return x + ".value"
}

func (b *builder) number(x string) string {
	if b.pg {
		return "(" + x + " #>> '{}')::numeric"
	}
	return x + ".value"
}

func (b *builder) numArg(v Value) string {
	if b.pg {
		return b.arg(v.Str) + "::text::numeric"
	}
	return b.arg(v.Num)
}

// strOp applies a positive string operator to two SQL text expressions.
func (b *builder) strOp(op, s, p string) string {
	switch op {
	case "~=":
		if b.pg {
			return "strpos(" + s + ", " + p + ") > 0"
		}
		return "(" + p + " = '' OR instr(" + s + ", " + p + ") > 0)"
	case "^=":
		if b.pg {
			return "left(" + s + ", length(" + p + ")) = " + p
		}
		return "substr(" + s + ", 1, length(" + p + ")) = " + p
	case "$=":
		if b.pg {
			return "right(" + s + ", length(" + p + ")) = " + p
		}
		return "(length(" + s + ") >= length(" + p + ") AND substr(" + s + ", length(" + s + ") - length(" + p + ") + 1) = " + p + ")"
	}
	return b.collate(s) + " " + op + " " + p
}

// elemPred is a positive comparison of one element with a literal.
func (b *builder) elemPred(x, op string, v Value) string {
	switch v.Kind {
	case BoolValue:
		if b.pg {
			return fmt.Sprintf("%s = '%t'::jsonb", x, v.Bool)
		}
		return fmt.Sprintf("%s.type = '%t'", x, v.Bool)
	case NumberValue:
		return b.isNumber(x) + " AND " + b.number(x) + " " + op + " " + b.numArg(v)
	}
	if op == "=" && b.pg {
		return x + " = to_jsonb(" + b.textArg(v.Str) + ")"
	}
	return b.isString(x) + " AND " + b.strOp(op, b.text(x), b.textArg(v.Str))
}

// undefined is true when the property is absent or null.
func (b *builder) undefined(tbl, name string) string {
	if isSourceColumn(tbl, name) {
		return "(" + tbl + ".source IS NULL)"
	}
	if b.pg {
		j := b.jsonVal(tbl, name)
		return "(" + j + " IS NULL OR jsonb_typeof(" + j + ") = 'null')"
	}
	p := b.arg(`$."` + name + `"`)
	return fmt.Sprintf("(json_type(%s.json, %s) IS NULL OR json_type(%s.json, %s) = 'null')", tbl, p, tbl, p)
}

// positive splits a negated operator: != is NOT =, !~= is NOT ~=, ...
func positive(op string) (string, bool) {
	if op == "!=" {
		return "=", true
	}
	if strings.HasPrefix(op, "!") {
		return op[1:], true
	}
	return op, false
}

// valueCmp is tbl.name OP value-list, with list properties matching when
// any element does.
func (b *builder) valueCmp(tbl, name string, c *Cmp) string {
	op, neg := positive(c.Op)
	var parts []string
	for _, v := range c.List {
		if v.Kind == UndefinedValue {
			parts = append(parts, b.undefined(tbl, name))
			continue
		}
		from, x := b.elems(tbl, name)
		parts = append(parts, "EXISTS (SELECT 1 FROM "+from+" WHERE "+b.elemPred(x, op, v)+")")
	}
	joiner := " OR "
	if c.All {
		joiner = " AND "
	}
	s := "(" + strings.Join(parts, joiner) + ")"
	if neg {
		return "NOT " + s
	}
	return s
}

// pairCmp compares two aliases' properties: true when some value of the
// left and some value of the right, of the same type, compare.
func (b *builder) pairCmp(lt, ln, rt, rn, op string) string {
	op, neg := positive(op)
	lf, x := b.elems(lt, ln)
	rf, y := b.elems(rt, rn)
	var pred string
	switch {
	case op == "=" && b.pg:
		pred = "jsonb_typeof(" + x + ") IN ('string', 'number', 'boolean') AND " + x + " = " + y
	case op == "=":
		norm := func(e string) string {
			return "(CASE " + e + ".type WHEN 'real' THEN 'integer' ELSE " + e + ".type END)"
		}
		pred = x + ".type IN ('text', 'integer', 'real', 'true', 'false') AND " + norm(x) + " = " + norm(y) + " AND " + x + ".value = " + y + ".value"
	case op == ">" || op == "<" || op == ">=" || op == "<=":
		pred = "((" + b.isString(x) + " AND " + b.isString(y) + " AND " + b.strOp(op, b.text(x), b.text(y)) + ") OR (" +
			b.isNumber(x) + " AND " + b.isNumber(y) + " AND " + b.number(x) + " " + op + " " + b.number(y) + "))"
	default:
		pred = b.isString(x) + " AND " + b.isString(y) + " AND " + b.strOp(op, b.text(x), b.text(y))
	}
	s := "EXISTS (SELECT 1 FROM " + lf + ", " + rf + " WHERE " + pred + ")"
	if neg {
		return "NOT " + s
	}
	return s
}

// sortKeys orders JSON values: numbers, strings, booleans, lists and
// objects, then absent or null (always last); the same in both stores.
func (b *builder) sortKeys(x string, desc bool) []string {
	dir := ""
	if desc {
		dir = " DESC"
	}
	if b.pg {
		return []string{
			"CASE jsonb_typeof(" + x + ") WHEN 'number' THEN 0 WHEN 'string' THEN 1 WHEN 'boolean' THEN 2 WHEN 'array' THEN 3 WHEN 'object' THEN 3 ELSE 4 END",
			"CASE WHEN jsonb_typeof(" + x + ") = 'number' THEN (" + x + " #>> '{}')::numeric END" + dir,
			"(CASE WHEN jsonb_typeof(" + x + ") = 'string' THEN " + x + " #>> '{}' END) COLLATE \"C\"" + dir,
			"CASE WHEN jsonb_typeof(" + x + ") = 'boolean' THEN (" + x + " #>> '{}')::boolean END" + dir,
		}
	}
	return []string{
		"CASE json_type(" + x + ") WHEN 'integer' THEN 0 WHEN 'real' THEN 0 WHEN 'text' THEN 1 WHEN 'true' THEN 2 WHEN 'false' THEN 2 WHEN 'array' THEN 3 WHEN 'object' THEN 3 ELSE 4 END",
		"CASE WHEN json_type(" + x + ") IN ('integer', 'real') THEN json_extract(" + x + ", '$') END" + dir,
		"CASE WHEN json_type(" + x + ") = 'text' THEN json_extract(" + x + ", '$') END" + dir,
		"CASE json_type(" + x + ") WHEN 'true' THEN 1 WHEN 'false' THEN 0 END" + dir,
	}
}
