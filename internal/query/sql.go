// Package query runs the read-only SQL that `awsgraph query` accepts
// besides J1QL (package j1ql): exactly one SELECT / WITH / EXPLAIN
// statement, in a transaction that is rolled back, on a store opened
// read-only (sqlite.OpenReadOnly, postgres.OpenReadOnly).
package query

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// OneStatement returns the statement without a trailing semicolon, or an
// error when the text holds more than one statement or does not start with
// SELECT, WITH or EXPLAIN. Quotes ('...', "...", `...`, [...], PostgreSQL's
// $tag$...$tag$ and E'...') and comments (--, /* */) are skipped, so a
// semicolon inside them is not a separator.
func OneStatement(text string) (string, error) {
	end, err := firstStatementEnd(text)
	if err != nil {
		return "", err
	}
	if rest := strings.TrimSpace(stripComments(text[end:])); rest != "" && rest != ";" {
		return "", fmt.Errorf("only one SQL statement is accepted; found more after position %d", end)
	}
	stmt := strings.TrimSpace(text[:end])
	first := strings.ToUpper(strings.Fields(stripComments(stmt) + " x")[0])
	first = strings.TrimLeft(first, "(")
	if first != "SELECT" && first != "WITH" && first != "EXPLAIN" {
		return "", fmt.Errorf("only SELECT / WITH queries are allowed (got %s); the store is updated by collect and import", first)
	}
	return stmt, nil
}

// firstStatementEnd is the offset of the first top-level semicolon (or the
// end of the text).
func firstStatementEnd(s string) (int, error) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ';':
			return i, nil
		case c == '\'' || c == '"' || c == '`':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return 0, fmt.Errorf("unterminated quote %c at position %d", c, i)
			}
			escaped := c == '\'' && i > 0 && (s[i-1] == 'E' || s[i-1] == 'e')
			for escaped && j >= 0 && backslashed(s, i+1+j) {
				k := strings.IndexByte(s[i+2+j:], c)
				if k < 0 {
					return 0, fmt.Errorf("unterminated quote %c at position %d", c, i)
				}
				j += 1 + k
			}
			i += j + 1
		case c == '[':
			j := strings.IndexByte(s[i+1:], ']')
			if j < 0 {
				return 0, fmt.Errorf("unterminated [ at position %d", i)
			}
			i += j + 1
		case c == '-' && strings.HasPrefix(s[i:], "--"):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return len(s), nil
			}
			i += j
		case c == '/' && strings.HasPrefix(s[i:], "/*"):
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return 0, fmt.Errorf("unterminated comment at position %d", i)
			}
			i += j + 3
		case c == '$':
			if tag, ok := dollarTag(s[i:]); ok {
				j := strings.Index(s[i+len(tag):], tag)
				if j < 0 {
					return 0, fmt.Errorf("unterminated %s quote at position %d", tag, i)
				}
				i += len(tag) + j + len(tag) - 1
			}
		}
	}
	return len(s), nil
}

func backslashed(s string, i int) bool {
	n := 0
	for i--; i >= 0 && s[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// dollarTag recognises PostgreSQL's $tag$ opening a dollar-quoted string.
func dollarTag(s string) (string, bool) {
	for j := 1; j < len(s); j++ {
		c := s[j]
		if c == '$' {
			return s[:j+1], true
		}
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 1 && c >= '0' && c <= '9') {
			return "", false
		}
	}
	return "", false
}

func stripComments(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case strings.HasPrefix(s[i:], "--"):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return b.String()
			}
			i += j
		case strings.HasPrefix(s[i:], "/*"):
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return b.String()
			}
			i += j + 3
			b.WriteByte(' ')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// Rows is an SQL answer: the column names and the values (nil for NULL).
type Rows struct {
	Columns []string
	Values  [][]any
}

// RunSQL runs one read-only statement in a transaction that is rolled back.
func RunSQL(ctx context.Context, db *sql.DB, readOnlyTx bool, text string) (*Rows, error) {
	stmt, err := OneStatement(text)
	if err != nil {
		return nil, err
	}
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: readOnlyTx})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, stmt)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	out := &Rows{Columns: cols}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				vals[i] = string(b)
			}
		}
		out.Values = append(out.Values, vals)
	}
	return out, rows.Err()
}

// RunText is RunSQL with the answer as text: the header row, then each row
// with NULL written "NULL" (what `awsgraph query` prints for SQL).
func RunText(ctx context.Context, db *sql.DB, readOnlyTx bool, text string) ([][]string, error) {
	rows, err := RunSQL(ctx, db, readOnlyTx, text)
	if err != nil {
		return nil, err
	}
	out := [][]string{rows.Columns}
	for _, vals := range rows.Values {
		row := make([]string, len(vals))
		for i, v := range vals {
			row[i] = "NULL"
			if v != nil {
				row[i] = fmt.Sprint(v)
			}
		}
		out = append(out, row)
	}
	return out, nil
}
