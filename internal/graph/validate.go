package graph

import (
	"fmt"
	"regexp"
)

// classRequired lists, per data-model class, the properties that must be
// present on an entity of that class (null is allowed where AWS has no value).
var classRequired = map[string][]string{
	"DataStore": {"classification", "encrypted"},
	"Disk":      {"classification", "encrypted"},
	"Network":   {"CIDR", "public", "internal"},
	"Firewall":  {"category"},
	"Gateway":   {"category", "function", "public"},
	"Host":      {"hostname"},
	"Service":   {"category", "function"},
}

// propertyName is the data model's property-name rule. Tag properties are
// exempt beyond their prefix: AWS tag keys may hold `_ : / = + @` (every
// CloudFormation resource carries `aws:cloudformation:*` tags), and rejecting
// them would drop the resource.
var propertyName = regexp.MustCompile(`^(_?[A-Za-z0-9. -]+|tag\..+)$`)

// Validate checks an entity against the data-model rules the JupiterOne SDK
// enforces: key length, name and displayName, class-required properties and
// property name syntax.
func Validate(e Entity) error {
	if len(e.Key()) < 10 {
		return fmt.Errorf("entity %q: _key must be at least 10 characters", e.Key())
	}
	if len(e.Type()) < 3 {
		return fmt.Errorf("entity %q: _type %q too short", e.Key(), e.Type())
	}
	classes := e.Classes()
	if len(classes) == 0 {
		return fmt.Errorf("entity %q: _class missing", e.Key())
	}
	for _, p := range []string{"name", "displayName"} {
		if _, ok := e[p]; !ok {
			return fmt.Errorf("entity %q: %s missing", e.Key(), p)
		}
	}
	for _, c := range classes {
		for _, p := range classRequired[c] {
			if _, ok := e[p]; !ok {
				return fmt.Errorf("entity %q (%s): class %s requires property %q", e.Key(), e.Type(), c, p)
			}
		}
	}
	for p := range e {
		if !propertyName.MatchString(p) {
			return fmt.Errorf("entity %q: property name %q is not allowed by the data model", e.Key(), p)
		}
	}
	return nil
}
