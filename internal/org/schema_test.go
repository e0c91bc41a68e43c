package org_test

import (
	"os"
	"strings"
	"testing"

	"github.com/awsgraph/awsgraph/internal/org"
)

// Every organization type and class is in docs/schema.md, as the steps' are.
func TestSchemaDocumentsTheOrganizationTypes(t *testing.T) {
	data, err := os.ReadFile("../../docs/schema.md")
	if err != nil {
		t.Fatal(err)
	}
	has := func(name string) bool { return strings.Contains(string(data), "`"+name+"`") }
	if !has(org.StepID) {
		t.Errorf("docs/schema.md does not name %s", org.StepID)
	}
	for _, e := range org.Entities() {
		for _, name := range append([]string{e.Type}, e.Class...) {
			if !has(name) {
				t.Errorf("docs/schema.md lacks %s", name)
			}
		}
	}
	for _, r := range org.Relationships() {
		if !has(r.Type) {
			t.Errorf("docs/schema.md lacks relationship type %s", r.Type)
		}
	}
}
