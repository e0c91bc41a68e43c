package schema

import "github.com/awsgraph/awsgraph/internal/graph"

// Property constructors keep the declarations one line each.
func str(name, doc string) Property     { return Property{Name: name, Type: String, Doc: doc} }
func num(name, doc string) Property     { return Property{Name: name, Type: Number, Doc: doc} }
func boolean(name, doc string) Property { return Property{Name: name, Type: Boolean, Doc: doc} }
func strs(name, doc string) Property    { return Property{Name: name, Type: StringList, Doc: doc} }

// list is a relationship's list-valued fact and its count (graph.SetList).
func list(name, doc string) []Property {
	return []Property{
		{Name: name, Type: ListText, Doc: doc + " (JSON text of the list)"},
		{Name: graph.CountName(name), Type: Number, Doc: "how many " + name},
	}
}

// by marks a property as derived by an analysis step.
func (p Property) by(step string) Property { p.SetBy = step; return p }

// props concatenates property groups.
func props(groups ...[]Property) []Property {
	var out []Property
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// one wraps single properties as a group for props.
func one(ps ...Property) []Property { return ps }

// Reserved properties every entity carries.
var reserved = []Property{
	str("_key", "the entity's key (see the type's key rule)"),
	str("_type", "the entity type"),
	strs("_class", "the data-model classes, always a list"),
	str("name", "the AWS name or id"),
	str("displayName", "the name shown in JupiterOne; an AWS `Name` tag overrides it"),
}

// awsProperties are carried by every AWS resource (Entity.AWS).
var awsProperties = []Property{
	str("accountId", "the AWS account that owns the resource"),
	str("webLink", "the AWS console URL of the resource"),
	strs(graph.PropTagKeys, "`<property>=<AWS key>` for each tag key the data model's property-name rule made us rewrite"),
}

var regionProperty = str("region", "the AWS region the resource lives in")

// commonProperties are the properties e has besides its own declarations.
func commonProperties(e *Entity) []Property {
	out := append([]Property(nil), reserved...)
	if e.AWS {
		out = append(out, awsProperties...)
	}
	if e.Regional {
		out = append(out, regionProperty)
	}
	return out
}

// relationshipReserved are the properties every relationship carries.
var relationshipReserved = []Property{
	str("_key", "`<fromKey>|<verb lower-cased>|<toKey>` unless the type says otherwise"),
	str("_type", "the relationship type"),
	str("_class", "the verb"),
	str("displayName", "the verb"),
	str("_fromEntityKey", "direct form: the source entity's key"),
	str("_toEntityKey", "direct form: the target entity's key"),
	{Name: "_mapping", Type: "object", Doc: "mapped form: relationshipDirection, sourceEntityKey, targetFilterKeys, targetEntity, skipTargetCreation"},
}
