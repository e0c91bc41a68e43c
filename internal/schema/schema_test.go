package schema

import (
	"strings"
	"testing"

	"github.com/awsgraph/awsgraph/internal/graph"
)

func validInstance() graph.Entity {
	e := Instance.New("arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789", "i-0123456789")
	e.Set("accountId", "123456789012").Set("region", "us-east-1").Set("instanceId", "i-0123456789")
	for _, p := range Instance.Properties {
		if p.Required {
			if p.Nullable {
				e[p.Name] = nil
			} else {
				e[p.Name] = "x"
			}
		}
	}
	e["tag.team"] = "blue"
	return e
}

func TestCheckAcceptsADeclaredEntity(t *testing.T) {
	if errs := Check(validInstance()); len(errs) > 0 {
		t.Fatalf("valid instance rejected: %v", errs)
	}
}

func TestCheckFindsEachDeparture(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(graph.Entity)
		want   string
	}{
		{"undeclared property", func(e graph.Entity) { e["colour"] = "red" }, `property "colour" is not declared`},
		{"wrong JSON type", func(e graph.Entity) { e["launchTime"] = "yesterday" }, `"launchTime"`},
		{"list of numbers where strings", func(e graph.Entity) { e["securityGroupIds"] = []any{1.0} }, `"securityGroupIds"`},
		{"required missing", func(e graph.Entity) { delete(e, "fqdn") }, `required property "fqdn" missing`},
		{"null not allowed", func(e graph.Entity) { e["instanceType"] = nil }, `"instanceType" is null`},
		{"class", func(e graph.Entity) { e["_class"] = []string{"Host", "Device"} }, "_class"},
		{"undeclared type", func(e graph.Entity) { e["_type"] = "aws_ec2_thing" }, "not declared in internal/schema"},
		{"region on a global type", func(e graph.Entity) { e["_type"] = TypeRole; e["_class"] = Role.Class }, `property "region" is not declared`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := validInstance()
			c.mutate(e)
			errs := Check(e)
			found := false
			for _, err := range errs {
				found = found || strings.Contains(err.Error(), c.want)
			}
			if !found {
				t.Fatalf("want a finding containing %q, got %v", c.want, errs)
			}
		})
	}
}

func TestCheckRelationship(t *testing.T) {
	props := map[string]any{"effect": "Allow", "conditional": false}
	graph.SetList(props, "actions", []string{"sts:AssumeRole"})
	graph.SetList(props, "conditionKeys", nil)
	graph.SetList(props, "statementIds", nil)
	graph.SetList(props, "denyStatementIds", nil)
	r := graph.DirectByKey("arn:aws:iam::1:role/a", TypeRole, "TRUSTS", "arn:aws:iam::1:user/u", TypeUser, props)
	if errs := CheckRelationship(r); len(errs) > 0 {
		t.Fatalf("valid TRUSTS rejected: %v", errs)
	}
	r["actions"] = "sts:AssumeRole" // not the JSON text of a list
	r["extra"] = 1
	errs := CheckRelationship(r)
	if len(errs) != 2 {
		t.Fatalf("want 2 findings (list text, undeclared), got %v", errs)
	}
	m := graph.Mapped(TypeRole+"_trusts_service_principal", "TRUSTS", graph.Entity{"_key": "arn:aws:iam::1:role/a"}, graph.Forward,
		map[string]any{"_key": "service-principal:x"}, []string{"_key"}, false, nil)
	if errs := CheckRelationship(m); len(errs) != 1 || !strings.Contains(errs[0].Error(), "mapped=true") {
		t.Fatalf("a mapped form the type does not declare must be reported, got %v", errs)
	}
}

// TestDeclarations checks the declarations themselves: classes have data
// model schemas' required properties declared, relationship ends are
// declared types, verbs are the data model's (CAN_ASSUME excepted), and no
// property is declared twice.
func TestDeclarations(t *testing.T) {
	for _, e := range Entities() {
		seen := map[string]bool{}
		for _, p := range append(commonProperties(e), e.Properties...) {
			if seen[p.Name] {
				t.Errorf("%s declares %s twice", e.Type, p.Name)
			}
			seen[p.Name] = true
		}
		if e.External {
			continue
		}
		for _, c := range e.Class {
			for _, p := range graph.ClassRequiredProperties(c) {
				if !seen[p] {
					t.Errorf("%s: class %s requires %s, not declared", e.Type, c, p)
				}
			}
		}
		if e.Key == "" || e.Doc == "" {
			t.Errorf("%s: key rule and doc are required", e.Type)
		}
	}
	for _, r := range Relationships() {
		if EntityType(r.From) == nil || EntityType(r.To) == nil {
			t.Errorf("%s: ends %s → %s must be declared entity types", r.Type, r.From, r.To)
		}
		if r.Class != CanAssume && !graph.RelationshipClasses[r.Class] {
			t.Errorf("%s: %s is not a data-model relationship class", r.Type, r.Class)
		}
		if !r.Direct && !r.Mapped {
			t.Errorf("%s: neither direct nor mapped", r.Type)
		}
		if r.SetBy == "" {
			t.Errorf("%s: no step writes it", r.Type)
		}
	}
}
