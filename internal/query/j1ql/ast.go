package j1ql

// DefaultLimit is JupiterOne's default LIMIT.
const DefaultLimit = 250

// Query is a parsed J1QL query.
type Query struct {
	Text   string
	Nodes  []*Node // Nodes[0] is FIND's selector; each later node is reached by its Rel
	Where  Expr    // nil without WHERE
	Return []*ReturnItem
	Tree   bool // RETURN TREE
	Order  []*OrderItem
	Skip   int
	Limit  int
}

// Node is one entity selector with its alias and WITH filter.
type Node struct {
	Pos     int
	Any     bool       // *
	Names   []TypeName // alternatives; empty when Any
	Alias   string
	With    Expr // nil without WITH
	Rel     *Rel // the traversal that reaches this node (nil for FIND's)
	negated bool // reached by THAT !VERB: not part of the match, only a condition
}

// TypeName is a `_type` (snake_case) or a class (TitleCase).
type TypeName struct {
	Name    string
	IsClass bool
}

// Direction of a traversal, relative to the query's left-to-right reading.
type Direction int

// Directions: any (default), >> (left is the source), << (left is the target).
const (
	AnyDirection Direction = iota
	Forward
	Reverse
)

// Rel is a traversal: THAT [!]VERB|(V1|V2)|RELATES TO [>>|<<] [AS alias].
type Rel struct {
	Pos     int
	Verbs   []string // upper case; nil means RELATES TO (any verb)
	Negated bool
	Dir     Direction
	Alias   string
}

// Expr is a boolean filter: *And, *Or or *Cmp.
type Expr interface{ expr() }

// And is L AND R.
type And struct{ L, R Expr }

// Or is L OR R.
type Or struct{ L, R Expr }

// Cmp compares a property with a value, a value list or another property.
type Cmp struct {
	Pos   int
	Left  PropRef
	Op    string   // = != > < >= <= ~= ^= $= !~= !^= !$=
	Right *PropRef // WHERE a.x = b.y
	List  []Value  // a single value, or ('a' OR 'b') / ('a' AND 'b')
	All   bool     // the list was joined with AND
}

func (*And) expr() {}
func (*Or) expr()  {}
func (*Cmp) expr() {}

// PropRef names a property, of the current node (WITH) or of an alias.
type PropRef struct {
	Pos   int
	Alias string // empty inside WITH
	Name  string // empty: the whole object (RETURN a)
}

// ValueKind is a literal's type.
type ValueKind int

// Literal kinds.
const (
	StringValue ValueKind = iota
	NumberValue
	BoolValue
	UndefinedValue
)

// Value is a literal.
type Value struct {
	Kind ValueKind
	Str  string // string, or the number as written
	Num  float64
	Bool bool
}

// ReturnItem is one RETURN expression.
type ReturnItem struct {
	Pos   int
	Text  string // as written: the JSON output's key
	Ref   PropRef
	Count bool // count(alias)
}

// OrderItem is one ORDER BY key.
type OrderItem struct {
	Pos  int
	Ref  PropRef
	Text string // as written, to match a RETURN expression
	Desc bool
}
