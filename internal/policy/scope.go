package policy

import "strings"

// AllowScope is where a set of identity documents' Allow statements could
// grant an action: any resource, or the listed Resource patterns. It is a
// superset, used to index candidates; Evaluate decides each request.
// NotResource, a missing Resource and policy variables count as any
// resource.
type AllowScope struct {
	Any      bool
	Patterns []string
}

// ScopeOf computes the scope of action in docs.
func ScopeOf(action string, docs ...*Document) AllowScope {
	var sc AllowScope
	for _, d := range docs {
		for _, s := range d.Statements {
			if s.Effect != Allow || !s.CoversAction(action) {
				continue
			}
			if !s.ResourceSet || s.NotResourceSet {
				sc.Any = true
				continue
			}
			for _, r := range s.Resource {
				if r == "*" || strings.Contains(r, "${") {
					sc.Any = true
				} else {
					sc.Patterns = append(sc.Patterns, r)
				}
			}
		}
	}
	return sc
}

// Merge adds o to s.
func (s *AllowScope) Merge(o AllowScope) {
	s.Any = s.Any || o.Any
	s.Patterns = append(s.Patterns, o.Patterns...)
}

// Empty reports whether no statement could grant the action.
func (s AllowScope) Empty() bool { return !s.Any && len(s.Patterns) == 0 }

// Covers reports whether the scope may include arn.
func (s AllowScope) Covers(arn string) bool {
	if s.Any {
		return true
	}
	for _, p := range s.Patterns {
		if MatchResource(p, arn) {
			return true
		}
	}
	return false
}

// CoversAction reports whether the statement's Action (or NotAction)
// element covers action.
func (s *Statement) CoversAction(action string) bool {
	list := s.Action
	if s.NotActionSet {
		list = s.NotAction
	}
	m := false
	for _, a := range list {
		if MatchAction(a, action) {
			m = true
			break
		}
	}
	return m != s.NotActionSet
}
