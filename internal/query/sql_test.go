package query

import (
	"strings"
	"testing"
)

func TestOneStatement(t *testing.T) {
	ok := map[string]string{
		"SELECT 1":                                "SELECT 1",
		"  select 1 ;  ":                          "select 1",
		"SELECT ';' AS s;":                        "SELECT ';' AS s",
		"SELECT 'it''s;'":                         "SELECT 'it''s;'",
		`SELECT "a;b" FROM t`:                     `SELECT "a;b" FROM t`,
		"SELECT [a;b] FROM t":                     "SELECT [a;b] FROM t",
		"SELECT 1 -- ; trailing\n":                "SELECT 1 -- ; trailing",
		"SELECT 1 /* ; */":                        "SELECT 1 /* ; */",
		"SELECT $$;$$":                            "SELECT $$;$$",
		"SELECT $t$ ; $t$":                        "SELECT $t$ ; $t$",
		`SELECT E'\';'`:                           `SELECT E'\';'`,
		"WITH x AS (SELECT 1) SELECT * FROM x":    "WITH x AS (SELECT 1) SELECT * FROM x",
		"(SELECT 1)":                              "(SELECT 1)",
		"EXPLAIN SELECT 1":                        "EXPLAIN SELECT 1",
		"/* lead */ SELECT 1; -- done":            "/* lead */ SELECT 1",
		"SELECT json_extract(json, '$.a') FROM e": "SELECT json_extract(json, '$.a') FROM e",
	}
	for in, want := range ok {
		got, err := OneStatement(in)
		if err != nil || got != want {
			t.Errorf("%q: got %q, %v; want %q", in, got, err, want)
		}
	}
	refused := map[string]string{
		"SELECT 1; DELETE FROM entities":    "only one SQL statement",
		"SELECT 1;;":                        "only one SQL statement",
		"SELECT ';'; DROP TABLE x":          "only one SQL statement",
		"SELECT $$;$$; DELETE FROM x":       "only one SQL statement",
		`SELECT E'\''; DELETE FROM x`:       "only one SQL statement",
		"SELECT 1 /* x */ ; /* y */ DELETE": "only one SQL statement",
		"DELETE FROM entities":              "only SELECT / WITH",
		"ATTACH DATABASE 'x.db' AS x":       "only SELECT / WITH",
		"PRAGMA query_only = 0":             "only SELECT / WITH",
		"/* SELECT */ DELETE FROM entities": "only SELECT / WITH",
		"VACUUM INTO 'x'":                   "only SELECT / WITH",
		"SELECT 'unterminated":              "unterminated quote",
		"SELECT 1 /* open":                  "unterminated comment",
		"SELECT $a$ open":                   "unterminated $a$",
	}
	for in, want := range refused {
		if _, err := OneStatement(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", in, err, want)
		}
	}
}
