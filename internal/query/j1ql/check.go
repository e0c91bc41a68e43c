package j1ql

import "strings"

// target is what an alias names: an entity node or a relationship (the
// relationship that reaches node i).
type target struct {
	node int
	rel  bool
}

// aliases maps each alias (and each unaliased single-name selector, as
// JupiterOne allows) to what it names.
func aliases(q *Query) (map[string]target, error) {
	out := map[string]target{}
	for i, n := range q.Nodes {
		if n.Rel != nil && n.Rel.Alias != "" {
			if _, dup := out[n.Rel.Alias]; dup {
				return nil, errAt(q.Text, n.Rel.Pos, "alias %s is used twice", n.Rel.Alias)
			}
			out[n.Rel.Alias] = target{i, true}
		}
		if n.Alias != "" {
			if _, dup := out[n.Alias]; dup {
				return nil, errAt(q.Text, n.Pos, "alias %s is used twice", n.Alias)
			}
			out[n.Alias] = target{node: i}
		}
	}
	// An unaliased selector of one name is referred to by that name, when
	// no other selector has it and no alias takes it.
	uses := map[string][]int{}
	for i, n := range q.Nodes {
		if n.Alias == "" && len(n.Names) == 1 {
			uses[n.Names[0].Name] = append(uses[n.Names[0].Name], i)
		}
	}
	for name, nodes := range uses {
		if _, taken := out[name]; !taken && len(nodes) == 1 {
			out[name] = target{node: nodes[0]}
		}
	}
	return out, nil
}

// check refuses what the compiler cannot answer exactly.
func check(q *Query) error {
	for i, n := range q.Nodes {
		if n.negated && i != len(q.Nodes)-1 {
			return errAt(q.Text, q.Nodes[i+1].Rel.Pos, "a traversal after a negated one (THAT !VERB) is not supported")
		}
		if err := checkNames(q.Text, n.With); err != nil {
			return err
		}
	}
	al, err := aliases(q)
	if err != nil {
		return err
	}
	resolve := func(r PropRef, whole bool) error {
		t, ok := al[r.Alias]
		if !ok {
			return errAt(q.Text, r.Pos, "unknown alias %s (give the selector a name with AS)", r.Alias)
		}
		if q.Nodes[t.node].negated && !t.rel {
			return errAt(q.Text, r.Pos, "%s is reached by a negated traversal (THAT !VERB): it matches nothing to refer to", r.Alias)
		}
		if r.Name == "" && !whole {
			return errAt(q.Text, r.Pos, "expected alias.property, not %s alone", r.Alias)
		}
		if strings.Contains(r.Name, `"`) {
			return errAt(q.Text, r.Pos, "property names with a double quote are not supported")
		}
		return nil
	}
	if err := walkRefs(q.Where, func(r PropRef) error { return resolve(r, false) }); err != nil {
		return err
	}
	if err := checkReturn(q, resolve); err != nil {
		return err
	}
	return checkOrder(q, al, resolve)
}

func checkNames(src string, e Expr) error {
	return walkRefs(e, func(r PropRef) error {
		if strings.Contains(r.Name, `"`) {
			return errAt(src, r.Pos, "property names with a double quote are not supported")
		}
		return nil
	})
}

func walkRefs(e Expr, f func(PropRef) error) error {
	switch e := e.(type) {
	case *And:
		if err := walkRefs(e.L, f); err != nil {
			return err
		}
		return walkRefs(e.R, f)
	case *Or:
		if err := walkRefs(e.L, f); err != nil {
			return err
		}
		return walkRefs(e.R, f)
	case *Cmp:
		if err := f(e.Left); err != nil {
			return err
		}
		if e.Right != nil {
			return f(*e.Right)
		}
	}
	return nil
}

func checkReturn(q *Query, resolve func(PropRef, bool) error) error {
	seen := map[string]bool{}
	for _, r := range q.Return {
		if err := resolve(r.Ref, true); err != nil {
			return err
		}
		if seen[r.Text] {
			return errAt(q.Text, r.Pos, "%s is returned twice", r.Text)
		}
		seen[r.Text] = true
	}
	return nil
}

func hasCount(q *Query) bool {
	for _, r := range q.Return {
		if r.Count {
			return true
		}
	}
	return false
}

func checkOrder(q *Query, al map[string]target, resolve func(PropRef, bool) error) error {
	for _, o := range q.Order {
		matched := false
		for _, r := range q.Return {
			matched = matched || r.Text == o.Text
		}
		if matched {
			continue
		}
		if hasCount(q) {
			return errAt(q.Text, o.Pos, "with count() in RETURN, ORDER BY takes one of the returned expressions, not %s", o.Text)
		}
		if _, known := al[o.Ref.Alias]; !known && len(q.Return) == 0 {
			// A bare property orders FIND's entities.
			o.Ref = PropRef{Pos: o.Pos, Name: strings.TrimSuffix(strings.TrimSuffix(o.Text, " DESC"), " ASC")}
			continue
		}
		if err := resolve(o.Ref, false); err != nil {
			return err
		}
		if t := al[o.Ref.Alias]; len(q.Return) == 0 && (t.node != 0 || t.rel) {
			return errAt(q.Text, o.Pos, "without RETURN the result is FIND's entities, so ORDER BY takes their properties, not %s", o.Text)
		}
	}
	return nil
}
