package testbed

import (
	"encoding/json"
	"slices"
)

// Must panics on a seeding or truth-reading error (the test fails with it;
// Go cannot pass a two-value call next to a *testing.T).
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// JSON encodes v (a policy document, say) as compact JSON text.
func JSON(v any) string { return string(Must(json.Marshal(v))) }

// Sorted returns a sorted copy of s.
func Sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
