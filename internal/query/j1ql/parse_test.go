package j1ql

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// dump renders a parsed query compactly, for the table below.
func dump(q *Query) string {
	var b strings.Builder
	for i, n := range q.Nodes {
		if n.Rel != nil {
			r := n.Rel
			b.WriteString(" THAT ")
			if r.Negated {
				b.WriteString("!")
			}
			if r.Verbs == nil {
				b.WriteString("ANY")
			} else {
				b.WriteString(strings.Join(r.Verbs, "|"))
			}
			b.WriteString([]string{"", ">>", "<<"}[r.Dir])
			if r.Alias != "" {
				b.WriteString(" as " + r.Alias)
			}
			b.WriteString(" ")
		}
		if n.Any {
			b.WriteString("*")
		}
		var names []string
		for _, t := range n.Names {
			if t.IsClass {
				names = append(names, "C:"+t.Name)
			} else {
				names = append(names, "T:"+t.Name)
			}
		}
		b.WriteString(strings.Join(names, "|"))
		if n.Alias != "" {
			b.WriteString(" as " + n.Alias)
		}
		if n.With != nil {
			b.WriteString(" with " + dumpExpr(n.With))
		}
		_ = i
	}
	if q.Where != nil {
		b.WriteString(" where " + dumpExpr(q.Where))
	}
	if q.Tree {
		b.WriteString(" return TREE")
	}
	for i, r := range q.Return {
		if i == 0 {
			b.WriteString(" return ")
		} else {
			b.WriteString(", ")
		}
		if r.Count {
			b.WriteString("count:")
		}
		b.WriteString(r.Ref.Alias + "." + r.Ref.Name + "=" + r.Text)
	}
	for _, o := range q.Order {
		fmt.Fprintf(&b, " order %s.%s desc=%t", o.Ref.Alias, o.Ref.Name, o.Desc)
	}
	fmt.Fprintf(&b, " skip %d limit %d", q.Skip, q.Limit)
	return strings.TrimSpace(b.String())
}

func dumpExpr(e Expr) string {
	switch e := e.(type) {
	case *And:
		return "(" + dumpExpr(e.L) + " AND " + dumpExpr(e.R) + ")"
	case *Or:
		return "(" + dumpExpr(e.L) + " OR " + dumpExpr(e.R) + ")"
	case *Cmp:
		l := e.Left.Name
		if e.Left.Alias != "" {
			l = e.Left.Alias + "." + l
		}
		if e.Right != nil {
			return l + e.Op + e.Right.Alias + "." + e.Right.Name
		}
		var vs []string
		for _, v := range e.List {
			switch v.Kind {
			case StringValue:
				vs = append(vs, "'"+v.Str+"'")
			case NumberValue:
				vs = append(vs, fmt.Sprint(v.Num))
			case BoolValue:
				vs = append(vs, fmt.Sprint(v.Bool))
			default:
				vs = append(vs, "undefined")
			}
		}
		j := " OR "
		if e.All {
			j = " AND "
		}
		return l + e.Op + strings.Join(vs, j)
	}
	return "?"
}

func TestParseConstructs(t *testing.T) {
	cases := []struct{ in, want string }{
		{"FIND aws_iam_role", "T:aws_iam_role skip 0 limit 250"},
		{"find User", "C:User skip 0 limit 250"},
		{"FIND *", "* skip 0 limit 250"},
		{"FIND (aws_iam_user|aws_iam_role|User) AS p", "T:aws_iam_user|T:aws_iam_role|C:User as p skip 0 limit 250"},
		{"FIND Host WITH name = 'a'", "C:Host with name='a' skip 0 limit 250"},
		{`FIND Host WITH name = "a \"b\""`, `C:Host with name='a "b"' skip 0 limit 250`},
		{"FIND Host WITH tag.Env != 'prod'", "C:Host with tag.Env!='prod' skip 0 limit 250"},
		{"FIND Host WITH [aws:cloudformation:stack-name] ~= 'x'", "C:Host with aws:cloudformation:stack-name~='x' skip 0 limit 250"},
		{"FIND Host WITH _type ^= 'aws' AND _class $= 't'", "C:Host with (_type^='aws' AND _class$='t') skip 0 limit 250"},
		{"FIND Host WITH a !~= 'x' OR b !^= 'y' OR c !$= 'z'", "C:Host with ((a!~='x' OR b!^='y') OR c!$='z') skip 0 limit 250"},
		{"FIND Host WITH a > 1 AND b < -2.5 AND c >= 3 AND d <= 4", "C:Host with (((a>1 AND b<-2.5) AND c>=3) AND d<=4) skip 0 limit 250"},
		{"FIND Host WITH a = true OR b = FALSE", "C:Host with (a=true OR b=false) skip 0 limit 250"},
		{"FIND Host WITH a = undefined AND b != undefined", "C:Host with (a=undefined AND b!=undefined) skip 0 limit 250"},
		{"FIND Host WITH a = ('x' OR 'y')", "C:Host with a='x' OR 'y' skip 0 limit 250"},
		{"FIND Host WITH a != ('x' or 'y' or 3)", "C:Host with a!='x' OR 'y' OR 3 skip 0 limit 250"},
		{"FIND Host WITH a = ('x' AND 'y')", "C:Host with a='x' AND 'y' skip 0 limit 250"},
		{"FIND Host WITH a = 1 OR b = 2 AND c = 3", "C:Host with (a=1 OR (b=2 AND c=3)) skip 0 limit 250"},
		{"FIND Host WITH (a = 1 OR b = 2) AND c = 3", "C:Host with ((a=1 OR b=2) AND c=3) skip 0 limit 250"},
		{"FIND A THAT HAS B", "C:A THAT HAS C:B skip 0 limit 250"},
		{"FIND A THAT has >> B THAT ALLOWS << C", "C:A THAT HAS>> C:B THAT ALLOWS<< C:C skip 0 limit 250"},
		{"FIND A THAT !HAS B", "C:A THAT !HAS C:B skip 0 limit 250"},
		{"FIND A THAT (HAS|USES) B", "C:A THAT HAS|USES C:B skip 0 limit 250"},
		{"FIND A THAT RELATES TO B", "C:A THAT ANY C:B skip 0 limit 250"},
		{"FIND A THAT ALLOWS AS r >> B AS b", "C:A THAT ALLOWS>> as r C:B as b skip 0 limit 250"},
		{"FIND A THAT ALLOWS >> AS r B", "C:A THAT ALLOWS>> as r C:B skip 0 limit 250"},
		{"FIND A AS a THAT HAS B AS b WHERE a.x = b.y AND a.n > 3", "C:A as a THAT HAS C:B as b where (a.x=b.y AND a.n>3) skip 0 limit 250"},
		{"FIND A AS a THAT HAS B AS b WHERE a.[x-y] ~= b.z", "C:A as a THAT HAS C:B as b where a.x-y~=b.z skip 0 limit 250"},
		{"FIND A AS a RETURN a.name, a._key, a.tag.Env", "C:A as a return a.name=a.name, a._key=a._key, a.tag.Env=a.tag.Env skip 0 limit 250"},
		{"FIND A AS a RETURN COUNT(a)", "C:A as a return count:a.=COUNT(a) skip 0 limit 250"},
		{"FIND A AS a RETURN a", "C:A as a return a.=a skip 0 limit 250"},
		{"FIND A RETURN TREE", "C:A return TREE skip 0 limit 250"},
		{"FIND A AS a RETURN a.name ORDER BY a.name DESC, a.x ASC SKIP 5 LIMIT 10", "C:A as a return a.name=a.name order a.name desc=true order a.x desc=false skip 5 limit 10"},
		{"FIND aws_iam_user ORDER BY name", "T:aws_iam_user order .name desc=false skip 0 limit 250"},
		{"FIND A LIMIT 0", "C:A skip 0 limit 0"},
		{"FIND A AS a ORDER BY a.name LIMIT 3 RETURN a.name", "C:A as a return a.name=a.name order a.name desc=false skip 0 limit 3"},
		{"FIND A AS a LIMIT 5 SKIP 1", "C:A as a skip 1 limit 5"},
	}
	for _, c := range cases {
		q, err := Parse(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if got := dump(q); got != c.want {
			t.Errorf("%s\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}

// Every error names its position (column, 1-based) and what is wrong.
func TestParseErrors(t *testing.T) {
	cases := []struct {
		in   string
		col  int
		want string
	}{
		{"SELECT 1", 1, "starts with FIND"},
		{"FIND", 5, "expected an entity _type"},
		{"FIND aws_x WITH", 16, "expected a property name"},
		{"FIND aws_x WITH name", 21, "expected a comparison"},
		{"FIND aws_x WITH name == 'a'", 23, "expected a value"},
		{"FIND aws_x WITH name = 'a", 24, "unterminated string"},
		{"FIND aws_x WITH name = null", 24, "use undefined"},
		{"FIND aws_x WITH name = bare", 24, "expected a value"},
		{"FIND aws_x WITH createdOn > date.now", 29, "date arithmetic"},
		{"FIND aws_x WITH name > undefined", 17, "undefined can only be compared"},
		{"FIND aws_x WITH name ~= 3", 17, "compares strings"},
		{"FIND aws_x WITH a > true", 17, "cannot compare booleans"},
		{"FIND aws_x WITH a = ('x' OR 'y' AND 'z')", 33, "not both"},
		{"FIND aws_x WITH a = ('x' 'y')", 26, "expected OR, AND or )"},
		{"FIND aws_x WITH (a = 1", 23, "expected )"},
		{"FIND aws_x WITH NOT a = 1", 17, "NOT is not supported"},
		{"FIND aws_x WITH [a = 1", 17, "unclosed ["},
		{"FIND aws_x WITH a = 1 # x", 23, "unexpected character"},
		{"FIND aws_x WITH a = 1.", 21, "malformed number"},
		{"FIND (aws_x|", 13, "expected an entity _type"},
		{"FIND (aws_x aws_y)", 13, "expected | or )"},
		{"FIND aws_x AS", 14, "expected an alias"},
		{"FIND aws_x AS WITH", 15, "expected an alias"},
		{"FIND aws_x THAT", 16, "expected a relationship verb"},
		{"FIND aws_x THAT >> HAS aws_y", 17, "goes after the verb"},
		{"FIND aws_x THAT RELATES aws_y", 25, "expected TO"},
		{"FIND aws_x THAT (HAS USES) aws_y", 22, "expected | or )"},
		{"FIND aws_x THAT !HAS AS r aws_y", 17, "cannot have an alias"},
		{"FIND aws_x THAT !HAS aws_y THAT HAS aws_z", 33, "after a negated one"},
		{"FIND aws_x THAT !HAS aws_y AS y RETURN y.name", 40, "negated traversal"},
		{"FIND aws_x AS a THAT HAS aws_y AS a", 26, "used twice"},
		{"FIND aws_x AS a WHERE b.name = 'x'", 23, "unknown alias b"},
		{"FIND aws_x AS a WHERE a = 'x'", 23, "expected alias.property"},
		{"FIND aws_x AS a RETURN b.name", 24, "unknown alias b"},
		{"FIND aws_x THAT HAS aws_x RETURN aws_x.name", 34, "unknown alias aws_x"},
		{"FIND aws_x AS a RETURN a.name, a.name", 32, "returned twice"},
		{"FIND aws_x AS a RETURN sum(a)", 24, "sum() is not supported"},
		{"FIND aws_x AS a RETURN count(a.x)", 30, "count() takes an alias"},
		{"FIND aws_x AS a RETURN a.name AS n", 31, "RETURN ... AS is not supported"},
		{"FIND aws_x AS a RETURN a.*", 26, "alias.* is not supported"},
		{"FIND aws_x AS a THAT HAS aws_y AS b RETURN a.name, count(b) ORDER BY b.name", 70, "ORDER BY takes one of the returned"},
		{"FIND aws_x AS a THAT HAS aws_y AS b ORDER BY b.name", 46, "without RETURN"},
		{"FIND aws_x ORDER name", 18, "expected BY"},
		{"FIND aws_x LIMIT -1", 18, "whole number"},
		{"FIND aws_x LIMIT ten", 18, "whole number"},
		{"FIND aws_x SKIP 1.5", 17, "whole number"},
		{"FIND aws_x LIMIT 5 LIMIT 1", 20, "LIMIT appears twice"},
		{"FIND aws_x AS a RETURN a.x WHERE a.y = 1 RETURN a.z", 42, "RETURN appears twice"},
		{"FIND aws_x WITH [a\"b] = 1", 17, "double quote"},
		{"FIND aws_x\nTHAT HAS aws_y WITH\n  x", 4, "expected a comparison"},
	}
	for _, c := range cases {
		_, err := Parse(c.in)
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("%q: want a positioned error, got %v", c.in, err)
			continue
		}
		if pe.Col != c.col || !strings.Contains(pe.Msg, c.want) {
			t.Errorf("%q: got column %d %q, want column %d containing %q", c.in, pe.Col, pe.Msg, c.col, c.want)
		}
		if !strings.Contains(pe.Error(), fmt.Sprintf("column %d", pe.Col)) {
			t.Errorf("%q: message %q lacks the position", c.in, pe.Error())
		}
	}
	if q, err := Parse("FIND x"); err != nil || q.Limit != DefaultLimit || DefaultLimit != 250 {
		t.Errorf("default LIMIT: %v %v", q, err)
	}
}
