// Package j1ql answers JupiterOne's query language (J1QL) over awsgraph's
// graph store: a query is parsed, compiled to SQL for SQLite or PostgreSQL
// (the two give the same answers), and run in a read-only transaction.
//
// # API
//
//	q, err := j1ql.Parse(text)          // *Query; errors are *Error with Pos, Line, Col
//	c, err := j1ql.Compile(q, j1ql.SQLite) // or j1ql.Postgres; c.Explain() is the SQL
//	res, err := j1ql.Run(ctx, db, c, j1ql.Options{Graph: true})
//	res, err := j1ql.Ask(ctx, db, dialect, text, opts) // the three at once
//	out, err := res.JSON()              // what `awsgraph query --format json` prints
//
// db is a *sql.DB on the store (sqlite.OpenReadOnly, postgres.OpenReadOnly).
// A Result holds, without RETURN, FIND's matched entities (Entities); with
// RETURN, Columns (the expressions as written) and Rows; with RETURN TREE, or
// when Options.Graph asks for it without RETURN, the matched subgraph
// (Graph: every entity and relationship on the matched paths, each with its
// instance id and key; relationships carry their resolved _fromEntityKey and
// _toEntityKey). IsJ1QL tells J1QL (starts with FIND) from SQL. Cookbook
// lists the README's examples.
//
// # The subset
//
//   - Selectors: a _type (snake_case), a class (TitleCase: any entity whose
//     _class holds it), *, alternatives (a|B); AS alias.
//   - WITH: = != > < >= <=, ~= ^= $= !~= !^= !$= (case-sensitive, strings
//     only), value lists = ('a' OR 'b') / ('a' AND 'b') and their !=,
//     undefined (absent or null), true/false, numbers, 'quoted' or "quoted"
//     strings (backslash escapes); AND binds tighter than OR; parentheses.
//     Properties: name, tag.X, _type, _class, _key, _source (the store's
//     source column: integration-managed, api, system-mapper),
//     [name-with-dashes]. A list property matches when any element does;
//     so does a relationship's list stored as JSON text (graph.SetList). Comparisons are typed:
//     '30' does not equal 30. A negated operator is NOT of the positive one,
//     so != matches entities without the property.
//   - THAT VERB / (V1|V2) / RELATES TO, in either direction unless >> (left
//     is the source) or << (left is the target) follows the verb; THAT !VERB
//     (no such relationship to a matching entity; last in the chain);
//     relationship aliases (THAT ALLOWS AS rule); chains of any length, a
//     relationship used once per path. Mapped relationships count once the
//     store resolved them (to an entity or a placeholder).
//   - WHERE alias.prop OP alias.prop or OP a value; RETURN alias.prop,
//     alias (the whole object), count(alias), TREE; ORDER BY alias.prop or a
//     returned expression [ASC|DESC]; SKIP; LIMIT (default 250); these
//     clauses in any order, each once.
//
// Without RETURN the result is FIND's distinct entities; with RETURN one row
// per distinct combination of the returned aliases (count() groups by the
// other returned expressions). Order: numbers, strings (byte order),
// booleans, lists, then absent — the same on both stores; ties are broken
// by key. LIMIT and SKIP apply to FIND's entities without RETURN and with
// TREE, to the rows with RETURN. Anything else — date arithmetic, other
// functions, RETURN ... AS, alias.*, NOT — is an *Error with its position,
// never a guess.
//
// Every literal and property name is a bound argument (?N / $N): the SQL
// text holds none of the query's strings.
package j1ql
