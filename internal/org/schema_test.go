package org_test

import (
	"testing"

	"github.com/awsgraph/awsgraph/internal/org"
	"github.com/awsgraph/awsgraph/internal/schema"
)

// The organization step declares exactly the schema's organization types.
func TestOrganizationTypesAreDeclaredInTheSchema(t *testing.T) {
	if len(org.Entities()) != 5 || len(org.Relationships()) != 10 {
		t.Fatalf("organization declarations: %d entity types, %d relationship types; want 5 and 10", len(org.Entities()), len(org.Relationships()))
	}
	for _, r := range org.Relationships() {
		if d := schema.RelationshipType(r.Type); d == nil || d.SetBy != org.StepID {
			t.Errorf("%s: schema declaration %+v", r.Type, d)
		}
	}
}
