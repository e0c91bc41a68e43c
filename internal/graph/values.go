package graph

// NilIfEmpty is nil for "" and s otherwise: AWS returns "" for a value that
// is not set, which the graph writes as null (or omits) rather than as "".
func NilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
