package j1ql

import (
	"strconv"
	"strings"
)

// or parses a filter; AND binds tighter than OR. where allows alias.prop
// on both sides (WHERE); WITH names the current entity's properties.
func (p *parser) or(where bool) (Expr, error) {
	l, err := p.and(where)
	if err != nil {
		return nil, err
	}
	for p.peek().is("OR") {
		p.next()
		r, err := p.and(where)
		if err != nil {
			return nil, err
		}
		l = &Or{l, r}
	}
	return l, nil
}

func (p *parser) and(where bool) (Expr, error) {
	l, err := p.primary(where)
	if err != nil {
		return nil, err
	}
	for p.peek().is("AND") {
		p.next()
		r, err := p.primary(where)
		if err != nil {
			return nil, err
		}
		l = &And{l, r}
	}
	return l, nil
}

func (p *parser) primary(where bool) (Expr, error) {
	if p.peek().kind == tLParen {
		p.next()
		e, err := p.or(where)
		if err != nil {
			return nil, err
		}
		if p.peek().kind != tRParen {
			return nil, p.errHere("expected ) not %s", describe(p.peek()))
		}
		p.next()
		return e, nil
	}
	if p.peek().is("NOT") {
		return nil, p.errHere("NOT is not supported; use the negated operators (!=, !~=, !^=, !$=)")
	}
	left, err := p.propRef(where)
	if err != nil {
		return nil, err
	}
	c := &Cmp{Pos: left.Pos, Left: left}
	op := p.peek()
	if op.kind != tOp {
		return nil, p.errHere("expected a comparison (=, !=, >, <, >=, <=, ~=, ^=, $=, !~=, !^=, !$=) after %s, not %s", p.src[left.Pos:p.toks[p.i-1].end], describe(op))
	}
	p.next()
	c.Op = op.text
	return c, p.rightSide(c, where)
}

func (p *parser) rightSide(c *Cmp, where bool) error {
	t := p.peek()
	switch {
	case t.kind == tLParen:
		p.next()
		return p.valueList(c)
	case where && (t.kind == tIdent && strings.Contains(t.text, ".") && !isLiteralWord(t.text)):
		r, err := p.propRef(true)
		if err != nil {
			return err
		}
		c.Right = &r
		return nil
	}
	v, err := p.value()
	if err != nil {
		return err
	}
	c.List = []Value{v}
	return checkOp(p.src, c)
}

func (p *parser) valueList(c *Cmp) error {
	joiner := ""
	for {
		v, err := p.value()
		if err != nil {
			return err
		}
		c.List = append(c.List, v)
		t := p.peek()
		if t.kind == tRParen {
			p.next()
			break
		}
		if !t.is("OR") && !t.is("AND") {
			return p.errHere("expected OR, AND or ) in the list of values, not %s", describe(t))
		}
		if joiner != "" && !strings.EqualFold(joiner, t.text) {
			return p.errHere("a list of values is joined by OR or by AND, not both")
		}
		joiner = t.text
		p.next()
	}
	c.All = strings.EqualFold(joiner, "AND")
	return checkOp(p.src, c)
}

func isLiteralWord(s string) bool {
	switch strings.ToLower(s) {
	case "true", "false", "undefined", "null":
		return true
	}
	return false
}

func (p *parser) value() (Value, error) {
	t := p.peek()
	switch {
	case t.kind == tString:
		p.next()
		return Value{Kind: StringValue, Str: t.text}, nil
	case t.kind == tNumber:
		p.next()
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return Value{}, errAt(p.src, t.pos, "malformed number %s", t.text)
		}
		return Value{Kind: NumberValue, Str: t.text, Num: f}, nil
	case t.is("true") || t.is("false"):
		p.next()
		return Value{Kind: BoolValue, Bool: strings.EqualFold(t.text, "true")}, nil
	case t.is("undefined"):
		p.next()
		return Value{Kind: UndefinedValue}, nil
	case t.is("null"):
		return Value{}, p.errHere("null is not a J1QL value; use undefined (absent or null)")
	case t.kind == tIdent && strings.HasPrefix(strings.ToLower(t.text), "date."):
		return Value{}, p.errHere("date arithmetic (%s) is not supported; compare with a number of epoch milliseconds", t.text)
	}
	return Value{}, p.errHere("expected a value (a quoted string, a number, true, false or undefined), not %s", describe(t))
}

// checkOp refuses operators that make no sense for the value's type.
func checkOp(src string, c *Cmp) error {
	for _, v := range c.List {
		switch {
		case v.Kind == UndefinedValue && c.Op != "=" && c.Op != "!=":
			return errAt(src, c.Pos, "undefined can only be compared with = or != (not %s)", c.Op)
		case v.Kind == UndefinedValue && len(c.List) > 1:
			return errAt(src, c.Pos, "undefined cannot be part of a list of values")
		case strings.ContainsAny(c.Op, "~^$") && v.Kind != StringValue:
			return errAt(src, c.Pos, "%s compares strings; the value must be a quoted string", c.Op)
		case (c.Op[0] == '<' || c.Op[0] == '>') && v.Kind == BoolValue:
			return errAt(src, c.Pos, "%s cannot compare booleans", c.Op)
		}
	}
	return nil
}

// propRef parses a property: `name`, `tag.Name`, `[name-with-dashes]` in
// WITH; `alias.name`, `alias.[name]` (or `alias` alone, for RETURN) in WHERE,
// RETURN and ORDER BY.
func (p *parser) propRef(aliased bool) (PropRef, error) {
	t := p.peek()
	if t.kind == tBracket && !aliased {
		p.next()
		return PropRef{Pos: t.pos, Name: t.text}, nil
	}
	if t.kind != tIdent || keywords[strings.ToUpper(t.text)] || isLiteralWord(t.text) {
		what := "a property name"
		if aliased {
			what = "alias.property"
		}
		return PropRef{}, p.errHere("expected %s, not %s", what, describe(t))
	}
	p.next()
	if !aliased {
		return PropRef{Pos: t.pos, Name: t.text}, nil
	}
	alias, name, _ := strings.Cut(t.text, ".")
	if name == "" && strings.HasSuffix(t.text, ".") {
		b := p.peek()
		if b.kind == tStar {
			return PropRef{}, p.errHere("alias.* is not supported; RETURN the alias alone for the whole object")
		}
		if b.kind != tBracket || b.pos != t.end {
			return PropRef{}, p.errHere("expected a property name after %s", t.text)
		}
		p.next()
		name = b.text
	}
	return PropRef{Pos: t.pos, Alias: alias, Name: name}, nil
}

func (p *parser) returns(q *Query) error {
	if p.peek().is("TREE") {
		p.next()
		q.Tree = true
		return nil
	}
	for {
		t := p.peek()
		item := &ReturnItem{Pos: t.pos}
		if t.kind == tIdent && strings.EqualFold(t.text, "count") && p.toks[p.i+1].kind == tLParen {
			p.next()
			p.next()
			a := p.peek()
			if a.kind != tIdent || strings.Contains(a.text, ".") || keywords[strings.ToUpper(a.text)] {
				return p.errHere("count() takes an alias, not %s", describe(a))
			}
			p.next()
			if p.peek().kind != tRParen {
				return p.errHere("expected ) after count(%s", a.text)
			}
			p.next()
			item.Count, item.Ref = true, PropRef{Pos: a.pos, Alias: a.text}
		} else {
			if t.kind == tIdent && p.toks[p.i+1].kind == tLParen {
				return p.errHere("the function %s() is not supported; RETURN takes alias.property, alias or count(alias)", t.text)
			}
			ref, err := p.propRef(true)
			if err != nil {
				return err
			}
			if ref.Name == "*" {
				return errAt(p.src, ref.Pos, "alias.* is not supported; RETURN the alias alone for the whole object")
			}
			item.Ref = ref
		}
		item.Text = p.src[item.Pos:p.toks[p.i-1].end]
		if p.peek().kind == tStar {
			return p.errHere("alias.* is not supported; RETURN the alias alone for the whole object")
		}
		if p.peek().is("AS") {
			return p.errHere("RETURN ... AS is not supported; the output is keyed by the expression as written")
		}
		q.Return = append(q.Return, item)
		if p.peek().kind != tComma {
			return nil
		}
		p.next()
	}
}

func (p *parser) orderBy(q *Query) error {
	for {
		t := p.peek()
		item := &OrderItem{Pos: t.pos}
		if t.kind == tIdent && strings.EqualFold(t.text, "count") && p.toks[p.i+1].kind == tLParen {
			start := p.i
			for p.peek().kind != tRParen && p.peek().kind != tEOF {
				p.next()
			}
			if p.peek().kind == tEOF {
				return p.errHere("expected ) in ORDER BY count(...)")
			}
			p.next()
			item.Text = p.src[p.toks[start].pos:p.toks[p.i-1].end]
		} else {
			ref, err := p.propRef(true)
			if err != nil {
				return err
			}
			item.Ref = ref
			item.Text = p.src[item.Pos:p.toks[p.i-1].end]
		}
		if p.peek().is("DESC") {
			p.next()
			item.Desc = true
		} else if p.peek().is("ASC") {
			p.next()
		}
		q.Order = append(q.Order, item)
		if p.peek().kind != tComma {
			return nil
		}
		p.next()
	}
}
