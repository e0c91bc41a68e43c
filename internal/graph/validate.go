package graph

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
)

// classRequired lists, per data-model class, the properties an entity of
// that class must carry (JupiterOne @jupiterone/data-model 0.64.2, checked
// by tools/j1validate) and whether the class allows null for each. Required
// properties AWS gives no value for are null where allowed; a converter must
// always give the others.
var classRequired = map[string]map[string]bool{
	"Account":   {"vendor": false},
	"DataStore": {"classification": true, "encrypted": true},
	"Disk":      {"classification": true, "encrypted": true},
	"Network":   {"CIDR": true, "public": false, "internal": true},
	"Firewall":  {"category": false},
	"Gateway":   {"category": false, "function": false, "public": false},
	"Host": {"hostname": true, "category": true, "ipv4Addresses": true, "ipv6Addresses": true, "macAddresses": true,
		"publicIpAddresses": true, "privateIpAddresses": true, "fqdn": true, "serial": true, "deviceId": true,
		"lastSeenOn": true, "make": true, "model": true, "osName": true, "osType": true, "osDetails": true, "osVersion": true},
	"Service": {"category": false, "function": false},
	"User":    {"firstName": true, "lastName": true, "email": true, "shortLoginId": true, "username": true},
}

// ClassRequires reports whether class requires prop and, if so, whether
// it allows null.
func ClassRequires(class, prop string) (nullable, required bool) {
	nullable, required = classRequired[class][prop]
	return nullable, required
}

// RequiresNullable reports whether one of classes requires prop and allows
// it to be null: such a property is written as null when AWS has no value,
// any other valueless property is omitted (docs/contract.md §2).
func RequiresNullable(classes []string, prop string) bool {
	for _, c := range classes {
		if nullable, ok := classRequired[c][prop]; ok && nullable {
			return true
		}
	}
	return false
}

// propertyName is the data model's property-name rule (GraphObject
// propertyNames); SetTags rewrites tag keys to fit it (TagProperty).
var propertyName = regexp.MustCompile(`^(_|tag\.)?[A-Za-z0-9. -]+$`)

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
		for _, p := range slices.Sorted(maps.Keys(classRequired[c])) {
			v, ok := e[p]
			if !ok {
				return fmt.Errorf("entity %q (%s): class %s requires property %q", e.Key(), e.Type(), c, p)
			}
			if v == nil && !classRequired[c][p] {
				return fmt.Errorf("entity %q (%s): class %s requires a value for %q", e.Key(), e.Type(), c, p)
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

// ClassRequiredProperties lists the properties class requires, sorted.
func ClassRequiredProperties(class string) []string {
	return slices.Sorted(maps.Keys(classRequired[class]))
}
