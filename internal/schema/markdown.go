package schema

import (
	"fmt"
	"strings"
)

// Markdown renders docs/graph-schema.md: every entity type with its
// properties, every relationship type with its ends, forms and properties.
func Markdown() string {
	var b strings.Builder
	b.WriteString("# awsgraph — graph schema reference\n\n")
	b.WriteString("<!-- Generated from internal/schema; do not edit. Regenerate: `UPDATE_GRAPH_SCHEMA=1 go test ./internal/schema -run TestGraphSchemaDocIsUpToDate`. -->\n\n")
	b.WriteString("Every entity and relationship type awsgraph writes, as declared in `internal/schema` (the steps, the converters and the tests read the same declarations). The rules behind them — keys, mapped relationships, list encoding, partial runs — are in [schema.md](schema.md) and [contract.md](contract.md). ")
	b.WriteString("\"required\" means the type's data-model class requires the property (it is always written; `null` only where marked nullable); any other property is omitted when AWS gives no value. \"set by\" names the analysis step that derives a property on entities another step collected.\n\n")
	writeEntities(&b)
	writeRelationships(&b)
	return b.String()
}

func writeEntities(b *strings.Builder) {
	b.WriteString("## Entity types\n\n| `_type` | `_class` | `_key` | written by |\n|---|---|---|---|\n")
	for _, e := range Entities() {
		by := "`" + e.SetBy + "`"
		if e.External {
			by = "never (mapped target only)"
		}
		fmt.Fprintf(b, "| [`%s`](#%s) | %s | %s | %s |\n", e.Type, anchor(e.Type), codes(e.Class), cell(e.Key), by)
	}
	b.WriteString("\n### Properties every entity carries\n\n")
	writeProperties(b, reserved)
	b.WriteString("\nAWS resources also carry:\n\n")
	writeProperties(b, append(append([]Property(nil), awsProperties...), regionProperty))
	b.WriteString("\nplus `tag.<Key>` per AWS tag (a `Name` tag sets `displayName`); `region` only on regional types.\n")
	for _, e := range Entities() {
		fmt.Fprintf(b, "\n### `%s`\n\n%s", e.Type, e.Doc)
		if e.Regional {
			b.WriteString(" Regional.")
		}
		b.WriteString("\n\n")
		if len(e.Properties) == 0 {
			b.WriteString("No properties of its own.\n")
			continue
		}
		writeProperties(b, e.Properties)
	}
}

func writeProperties(b *strings.Builder, ps []Property) {
	b.WriteString("| property | JSON type | required | meaning | set by |\n|---|---|---|---|---|\n")
	for _, p := range ps {
		req := ""
		if p.Required {
			req = "yes"
			if p.Nullable {
				req = "yes, nullable"
			}
		}
		by := ""
		if p.SetBy != "" {
			by = "`" + p.SetBy + "`"
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s |\n", p.Name, p.Type, req, cell(p.Doc), by)
	}
}

func writeRelationships(b *strings.Builder) {
	sets, names := propertySets()
	b.WriteString("\n## Relationship types\n\nEvery relationship carries `_key`, `_type`, `_class` (the verb), `displayName` (the verb) and either `_fromEntityKey`/`_toEntityKey` (direct) or `_mapping` (mapped). Property values are scalars; a list is the JSON text of the list plus its count.\n\n")
	b.WriteString("| `_type` | verb | from → to | forms | written by | properties |\n|---|---|---|---|---|---|\n")
	for _, r := range Relationships() {
		forms := []string{}
		if r.Direct {
			forms = append(forms, "direct")
		}
		if r.Mapped {
			forms = append(forms, "mapped")
		}
		ps := "—"
		if n := names[propertyKey(r.Properties)]; n != "" {
			ps = "[" + n + "](#" + anchor(n) + ")"
		}
		fmt.Fprintf(b, "| `%s` | `%s` | `%s` → `%s` | %s | `%s` | %s |\n", r.Type, r.Class, r.From, r.To, strings.Join(forms, ", "), r.SetBy, ps)
	}
	for _, s := range sets {
		fmt.Fprintf(b, "\n### %s\n\n%s\n\n", names[propertyKey(s.props)], s.doc)
		writeProperties(b, s.props)
	}
}

type propertySet struct {
	props []Property
	doc   string
}

// propertySets groups relationship types by identical property lists, so
// policy edge types (one per policy type, effect and target) share one table.
func propertySets() ([]propertySet, map[string]string) {
	var sets []propertySet
	names := map[string]string{}
	for _, r := range Relationships() {
		k := propertyKey(r.Properties)
		if len(r.Properties) == 0 || names[k] != "" {
			continue
		}
		names[k] = "Properties of " + r.Class + " " + familyName(r)
		sets = append(sets, propertySet{r.Properties, r.Doc})
	}
	return sets, names
}

func familyName(r *Relationship) string {
	switch {
	case r.SetBy == StepPolicies:
		return "policy statements"
	case r.SetBy == StepSGRules:
		return "security-group rules"
	case r.SetBy == StepTrust:
		return "(trust analysis)"
	}
	return strings.TrimPrefix(r.Type, "aws_")
}

func propertyKey(ps []Property) string {
	var parts []string
	for _, p := range ps {
		parts = append(parts, p.Name+":"+string(p.Type)+":"+p.Doc)
	}
	return strings.Join(parts, "|")
}

func codes(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = "`" + s + "`"
	}
	return strings.Join(out, ", ")
}

// anchor is GitHub's heading anchor for a heading text.
func anchor(s string) string {
	s = strings.ToLower(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		case r == ' ':
			b.WriteRune('-')
		}
	}
	return b.String()
}

// cell escapes a table cell's pipes (keys such as `<ARN>|inline-policy|<name>`).
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
