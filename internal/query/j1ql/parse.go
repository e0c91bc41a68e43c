package j1ql

import (
	"strconv"
	"strings"
)

var keywords = map[string]bool{"FIND": true, "WITH": true, "THAT": true, "AS": true, "AND": true, "OR": true, "WHERE": true,
	"RETURN": true, "ORDER": true, "BY": true, "ASC": true, "DESC": true, "SKIP": true, "LIMIT": true, "RELATES": true,
	"TO": true, "TREE": true, "NOT": true}

type parser struct {
	src  string
	toks []token
	i    int
}

// Parse parses a J1QL query. Errors are *Error, with the position.
func Parse(src string) (*Query, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	q, err := p.query()
	if err != nil {
		return nil, err
	}
	if err := check(q); err != nil {
		return nil, err
	}
	return q, nil
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token { t := p.toks[p.i]; p.i = min(p.i+1, len(p.toks)-1); return t }

func (p *parser) errHere(format string, args ...any) error {
	return errAt(p.src, p.peek().pos, format, args...)
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "the end of the query"
	case tString:
		return strconv.Quote(t.text)
	case tBracket:
		return "[" + t.text + "]"
	}
	return strconv.Quote(t.text)
}

func (p *parser) query() (*Query, error) {
	q := &Query{Text: p.src, Limit: DefaultLimit}
	if !p.peek().is("FIND") {
		return nil, p.errHere("a J1QL query starts with FIND, not %s", describe(p.peek()))
	}
	p.next()
	n, err := p.node()
	if err != nil {
		return nil, err
	}
	q.Nodes = append(q.Nodes, n)
	for p.peek().is("THAT") {
		p.next()
		rel, err := p.rel()
		if err != nil {
			return nil, err
		}
		n, err := p.node()
		if err != nil {
			return nil, err
		}
		n.Rel, n.negated = rel, rel.Negated
		q.Nodes = append(q.Nodes, n)
	}
	if err := p.tail(q); err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.errHere("unexpected %s (expected THAT, WHERE, RETURN, ORDER BY, SKIP, LIMIT or the end)", describe(t))
	}
	return q, nil
}

// tail parses WHERE, RETURN, ORDER BY, SKIP and LIMIT: each at most once,
// in any order (JupiterOne's examples put ORDER BY both before and after
// RETURN).
func (p *parser) tail(q *Query) error {
	seen := map[string]bool{}
	for {
		t := p.peek()
		word := strings.ToUpper(t.text)
		if t.kind != tIdent || !(word == "WHERE" || word == "RETURN" || word == "ORDER" || word == "SKIP" || word == "LIMIT") {
			return nil
		}
		if seen[word] {
			return p.errHere("%s appears twice", word)
		}
		seen[word] = true
		p.next()
		if err := p.clause(q, word); err != nil {
			return err
		}
	}
}

func (p *parser) clause(q *Query, word string) error {
	var err error
	switch word {
	case "WHERE":
		q.Where, err = p.or(true)
	case "RETURN":
		err = p.returns(q)
	case "ORDER":
		if !p.peek().is("BY") {
			return p.errHere("expected BY after ORDER")
		}
		p.next()
		err = p.orderBy(q)
	case "SKIP":
		q.Skip, err = p.count("SKIP")
	case "LIMIT":
		q.Limit, err = p.count("LIMIT")
	}
	return err
}

func (p *parser) count(what string) (int, error) {
	t := p.peek()
	n, err := strconv.Atoi(t.text)
	if t.kind != tNumber || err != nil || n < 0 {
		return 0, p.errHere("%s needs a whole number ≥ 0, not %s", what, describe(t))
	}
	p.next()
	return n, nil
}

func (p *parser) node() (*Node, error) {
	t := p.peek()
	n := &Node{Pos: t.pos}
	switch {
	case t.kind == tStar:
		p.next()
		n.Any = true
	case t.kind == tLParen:
		p.next()
		for {
			name, err := p.typeName()
			if err != nil {
				return nil, err
			}
			n.Names = append(n.Names, name)
			if p.peek().kind == tPipe {
				p.next()
				continue
			}
			if p.peek().kind != tRParen {
				return nil, p.errHere("expected | or ) in the list of entity types, not %s", describe(p.peek()))
			}
			p.next()
			break
		}
	default:
		name, err := p.typeName()
		if err != nil {
			return nil, err
		}
		n.Names = []TypeName{name}
	}
	if p.peek().is("AS") {
		p.next()
		alias, err := p.alias()
		if err != nil {
			return nil, err
		}
		n.Alias = alias
	}
	if p.peek().is("WITH") {
		p.next()
		w, err := p.or(false)
		if err != nil {
			return nil, err
		}
		n.With = w
	}
	return n, nil
}

func (p *parser) typeName() (TypeName, error) {
	t := p.peek()
	if t.kind != tIdent || keywords[strings.ToUpper(t.text)] || strings.Contains(t.text, ".") {
		return TypeName{}, p.errHere("expected an entity _type, a class or *, not %s", describe(t))
	}
	p.next()
	return TypeName{Name: t.text, IsClass: t.text[0] >= 'A' && t.text[0] <= 'Z'}, nil
}

func (p *parser) alias() (string, error) {
	t := p.peek()
	if t.kind != tIdent || keywords[strings.ToUpper(t.text)] || strings.Contains(t.text, ".") {
		return "", p.errHere("expected an alias name after AS, not %s", describe(t))
	}
	p.next()
	return t.text, nil
}

func (p *parser) rel() (*Rel, error) {
	r := &Rel{Pos: p.peek().pos}
	if p.peek().kind == tBang {
		p.next()
		r.Negated = true
	}
	if err := p.verbs(r); err != nil {
		return nil, err
	}
	for range 2 { // [>>|<<] and [AS alias], in either order
		switch t := p.peek(); {
		case t.kind == tArrow && r.Dir == AnyDirection:
			p.next()
			r.Dir = Forward
			if t.text == "<<" {
				r.Dir = Reverse
			}
		case t.is("AS") && r.Alias == "":
			p.next()
			alias, err := p.alias()
			if err != nil {
				return nil, err
			}
			r.Alias = alias
		}
	}
	if r.Negated && r.Alias != "" {
		return nil, errAt(p.src, r.Pos, "a negated traversal (THAT !VERB) matches no relationship, so it cannot have an alias")
	}
	return r, nil
}

func (p *parser) verbs(r *Rel) error {
	t := p.peek()
	switch {
	case t.is("RELATES"):
		p.next()
		if !p.peek().is("TO") {
			return p.errHere("expected TO after RELATES")
		}
		p.next()
		return nil
	case t.kind == tLParen:
		p.next()
		for {
			v, err := p.verb()
			if err != nil {
				return err
			}
			r.Verbs = append(r.Verbs, v)
			if p.peek().kind == tPipe {
				p.next()
				continue
			}
			if p.peek().kind != tRParen {
				return p.errHere("expected | or ) in the list of verbs, not %s", describe(p.peek()))
			}
			p.next()
			return nil
		}
	}
	v, err := p.verb()
	if err != nil {
		return err
	}
	r.Verbs = []string{v}
	return nil
}

func (p *parser) verb() (string, error) {
	t := p.peek()
	if t.kind == tArrow {
		return "", p.errHere("the direction %s goes after the verb (THAT ALLOWS %s ...)", t.text, t.text)
	}
	if t.kind != tIdent || keywords[strings.ToUpper(t.text)] || strings.Contains(t.text, ".") {
		return "", p.errHere("expected a relationship verb (HAS, ALLOWS, ...) or RELATES TO after THAT, not %s", describe(t))
	}
	p.next()
	return strings.ToUpper(t.text), nil
}
