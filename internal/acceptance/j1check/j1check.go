// Package j1check runs JupiterOne's own data model (tools/j1validate: the
// npm package @jupiterone/data-model, validated the way the integration SDK
// validates) on a graph directory the collector wrote, for the acceptance
// tests. Without node or tools/j1validate/node_modules a check is skipped
// locally and fails under CI=true: CI must never pass by skipping.
package j1check

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsgraph/awsgraph/internal/schema"
	"github.com/awsgraph/awsgraph/internal/sink/j1files"
)

// Failure is one object the validator rejected.
type Failure struct {
	Object string          `json:"object"` // "entity" or "relationship"
	File   string          `json:"file"`
	Key    string          `json:"_key"`
	Type   string          `json:"_type"`
	Class  json.RawMessage `json:"_class"`
	Errors []Error         `json:"errors"`
}

// Error is one finding on an object: for entities the schema (`#Host`), the
// schema path, the property (instancePath) and ajv's message; for
// relationships the kind and the property.
type Error struct {
	Schema       string         `json:"schema,omitempty"`
	SchemaPath   string         `json:"schemaPath,omitempty"`
	InstancePath string         `json:"instancePath,omitempty"`
	Keyword      string         `json:"keyword,omitempty"`
	Kind         string         `json:"kind,omitempty"`
	Property     string         `json:"property,omitempty"`
	Message      string         `json:"message"`
	Params       map[string]any `json:"params,omitempty"`
}

// Counts are the validator's totals.
type Counts struct {
	Total         int            `json:"total"`
	Failing       int            `json:"failing"`
	TotalByType   map[string]int `json:"totalByType"`
	FailingByType map[string]int `json:"failingByType"`
}

// Deprecated is a deprecated data-model property the graph uses.
type Deprecated struct {
	Type     string `json:"_type"`
	Schema   string `json:"schema"`
	Property string `json:"property"`
	Count    int    `json:"count"`
}

// Report is validate.js's output.
type Report struct {
	DataModelVersion string           `json:"dataModelVersion"`
	Entities         Counts           `json:"entities"`
	Relationships    Counts           `json:"relationships"`
	Failures         []Failure        `json:"failures"`
	Deprecated       []Deprecated     `json:"deprecated"`
	Exempted         []map[string]any `json:"exempted"`
}

// toolDir finds tools/j1validate from the working directory (a package
// directory inside the module).
func toolDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "tools", "j1validate"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// Available returns validate.js's path, skipping the test (locally) or
// failing it (CI=true) when node or the pinned packages are missing.
func Available(t testing.TB) string {
	t.Helper()
	dir, err := toolDir()
	if err == nil {
		_, err = exec.LookPath("node")
		if err == nil {
			_, err = os.Stat(filepath.Join(dir, "node_modules", "@jupiterone", "data-model", "package.json"))
		}
	}
	if err != nil {
		msg := fmt.Sprintf("JupiterOne data-model validator unavailable (%v); run `npm ci` in tools/j1validate", err)
		if strings.EqualFold(os.Getenv("CI"), "true") {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return filepath.Join(dir, "validate.js")
}

// Validate runs validate.js on graphDir and returns its report.
func Validate(t testing.TB, graphDir string) *Report {
	t.Helper()
	script := Available(t)
	cmd := exec.Command("node", script, graphDir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("validate.js: %v\n%s", err, stderr.String())
	}
	var r Report
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("validate.js output: %v\n%s", err, stdout.String())
	}
	if r.Entities.Total == 0 {
		t.Fatalf("validate.js found no entities under %s", graphDir)
	}
	return &r
}

// Check validates graphDir (a .j1-integration directory or its graph
// subdirectory) and fails the test on every entity and relationship finding
// outside the validator's exemptions (tools/j1validate). It logs
// the figures, the deprecated properties in use and the exemptions.
func Check(t testing.TB, graphDir string) *Report {
	t.Helper()
	if _, err := os.Stat(filepath.Join(graphDir, "graph")); err == nil {
		graphDir = filepath.Join(graphDir, "graph")
	}
	r := Validate(t, graphDir)
	if d := os.Getenv("J1CHECK_REPORT_DIR"); d != "" { // keep the report to look at
		name := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()) + ".json"
		if data, err := json.MarshalIndent(r, "", "  "); err == nil {
			if err := os.WriteFile(filepath.Join(d, name), data, 0o644); err != nil {
				t.Logf("J1CHECK_REPORT_DIR: %v", err)
			}
		}
	}
	checkSchema(t, graphDir)
	t.Logf("data model %s: entities failing %d/%d %v; relationships failing %d/%d",
		r.DataModelVersion, r.Entities.Failing, r.Entities.Total, r.Entities.FailingByType, r.Relationships.Failing, r.Relationships.Total)
	for _, d := range r.Deprecated {
		t.Logf("deprecated property in use: %s.%s (%s) on %d entities", d.Type, d.Property, d.Schema, d.Count)
	}
	for _, f := range r.Failures {
		for _, e := range f.Errors {
			where := e.Schema + " " + e.InstancePath
			if f.Object == "relationship" {
				where = e.Kind + " " + e.Property
			}
			t.Errorf("%s %s (%s, _class %s): %s: %s %v [%s]", f.Object, f.Key, f.Type, f.Class, where, e.Message, e.Params, e.SchemaPath)
		}
	}
	return r
}

// checkSchema fails the test on every entity and relationship that departs
// from its declaration in internal/schema (type, class, property names and
// JSON types, required properties).
func checkSchema(t testing.TB, graphDir string) {
	t.Helper()
	entities, rels, err := j1files.ReadGraph(filepath.Dir(graphDir)) // graphDir is the graph subdirectory
	if err != nil {
		t.Fatalf("reading %s: %v", graphDir, err)
	}
	n := 0
	report := func(errs []error) {
		for _, err := range errs {
			if n++; n <= 50 {
				t.Errorf("schema: %v", err)
			}
		}
	}
	for _, e := range entities {
		report(schema.Check(e))
	}
	for _, r := range rels {
		report(schema.CheckRelationship(r))
	}
	if n > 50 {
		t.Errorf("schema: %d findings in all (first 50 shown)", n)
	}
}
