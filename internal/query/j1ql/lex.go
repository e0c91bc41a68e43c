package j1ql

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Error is a query the package cannot answer: a syntax error or a construct
// outside the supported subset. Pos is the byte offset in the query text;
// Line and Col (1-based, Col in characters) say the same for people.
type Error struct {
	Pos       int
	Line, Col int
	Msg       string
}

func (e *Error) Error() string {
	return fmt.Sprintf("J1QL error at line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

func errAt(src string, pos int, format string, args ...any) *Error {
	pos = min(max(pos, 0), len(src))
	line, col := 1, 1
	for _, r := range src[:pos] {
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return &Error{Pos: pos, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tString
	tNumber
	tBracket // [property-name]
	tOp      // = != > < >= <= ~= ^= $= !~= !^= !$=
	tLParen
	tRParen
	tPipe
	tComma
	tStar
	tBang
	tArrow // >> or <<
)

type token struct {
	kind tokKind
	text string // identifier, operator, string contents, bracket contents
	pos  int
	end  int
}

func (t token) is(keyword string) bool { return t.kind == tIdent && strings.EqualFold(t.text, keyword) }

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' || c == '.' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// lex splits the query into tokens.
func lex(src string) ([]token, error) {
	var out []token
	i := 0
	for i < len(src) {
		c := src[i]
		start := i
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case isIdentStart(c):
			for i < len(src) && isIdentChar(src[i]) {
				i++
			}
			out = append(out, token{tIdent, src[start:i], start, i})
			continue
		case isDigit(c) || c == '-' && i+1 < len(src) && isDigit(src[i+1]):
			n, err := lexNumber(src, i)
			if err != nil {
				return nil, err
			}
			out = append(out, token{tNumber, src[start:n], start, n})
			i = n
			continue
		case c == '\'' || c == '"':
			s, n, err := lexString(src, i)
			if err != nil {
				return nil, err
			}
			out = append(out, token{tString, s, start, n})
			i = n
			continue
		case c == '[':
			j := strings.IndexByte(src[i:], ']')
			if j < 0 {
				return nil, errAt(src, i, "unclosed [ in a property name")
			}
			name := src[i+1 : i+j]
			if name == "" {
				return nil, errAt(src, i, "empty property name []")
			}
			out = append(out, token{tBracket, name, start, i + j + 1})
			i += j + 1
			continue
		}
		t, n, err := lexPunct(src, i)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
		i = n
	}
	out = append(out, token{tEOF, "", len(src), len(src)})
	return out, nil
}

func lexNumber(src string, i int) (int, error) {
	start := i
	if src[i] == '-' {
		i++
	}
	for i < len(src) && isDigit(src[i]) {
		i++
	}
	if i < len(src) && src[i] == '.' {
		i++
		if i >= len(src) || !isDigit(src[i]) {
			return 0, errAt(src, start, "malformed number %q", src[start:i])
		}
		for i < len(src) && isDigit(src[i]) {
			i++
		}
	}
	if i < len(src) && isIdentStart(src[i]) {
		return 0, errAt(src, start, "malformed number %q (a name cannot start with a digit)", src[start:i+1])
	}
	return i, nil
}

// lexString reads a quoted string; a backslash escapes the next character.
func lexString(src string, i int) (string, int, error) {
	quote := src[i]
	var b strings.Builder
	for j := i + 1; j < len(src); {
		c := src[j]
		switch {
		case c == '\\' && j+1 < len(src):
			r, size := utf8.DecodeRuneInString(src[j+1:])
			b.WriteRune(r)
			j += 1 + size
		case c == quote:
			return b.String(), j + 1, nil
		default:
			b.WriteByte(c)
			j++
		}
	}
	return "", 0, errAt(src, i, "unterminated string (missing %c)", quote)
}

func lexPunct(src string, i int) (token, int, error) {
	two := ""
	if i+1 < len(src) {
		two = src[i : i+2]
	}
	three := ""
	if i+2 < len(src) {
		three = src[i : i+3]
	}
	switch {
	case three == "!~=" || three == "!^=" || three == "!$=":
		return token{tOp, three, i, i + 3}, i + 3, nil
	case two == ">>" || two == "<<":
		return token{tArrow, two, i, i + 2}, i + 2, nil
	case two == "!=" || two == ">=" || two == "<=" || two == "~=" || two == "^=" || two == "$=":
		return token{tOp, two, i, i + 2}, i + 2, nil
	}
	switch src[i] {
	case '=', '>', '<':
		return token{tOp, src[i : i+1], i, i + 1}, i + 1, nil
	case '(':
		return token{tLParen, "(", i, i + 1}, i + 1, nil
	case ')':
		return token{tRParen, ")", i, i + 1}, i + 1, nil
	case '|':
		return token{tPipe, "|", i, i + 1}, i + 1, nil
	case ',':
		return token{tComma, ",", i, i + 1}, i + 1, nil
	case '*':
		return token{tStar, "*", i, i + 1}, i + 1, nil
	case '!':
		return token{tBang, "!", i, i + 1}, i + 1, nil
	}
	r, _ := utf8.DecodeRuneInString(src[i:])
	return token{}, 0, errAt(src, i, "unexpected character %q", r)
}
