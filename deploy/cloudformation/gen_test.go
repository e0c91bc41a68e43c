package cloudformation

import (
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/collector"
)

const templateFile = "awsgraph-role.json"

var update = flag.Bool("update", false, "rewrite the supplemental action list in the template from the steps' declared permissions")

// stepPermissions is every `service:Action` the steps declare they call.
func stepPermissions() []string {
	sess := &awsclient.Session{Partition: "aws", AccountID: "000000000000", Calls: awsclient.NewCallCounter()}
	set := map[string]bool{}
	for _, p := range collector.RunPermissions {
		set[p] = true
	}
	for _, s := range collector.AllSteps(sess) {
		for _, p := range s.Permissions {
			set[p] = true
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// The role template grants exactly what the steps declare (beyond
// SecurityAudit): a step that starts calling a new operation fails this test
// until the template says so, so customers' roles never silently lack it.
func TestTemplateGrantsEveryStepPermission(t *testing.T) {
	data, err := os.ReadFile(templateFile)
	if err != nil {
		t.Fatal(err)
	}
	var tpl map[string]any
	if err := json.Unmarshal(data, &tpl); err != nil {
		t.Fatal(err)
	}
	role := tpl["Resources"].(map[string]any)["ReaderRole"].(map[string]any)["Properties"].(map[string]any)
	policies := role["Policies"].([]any)
	doc := policies[0].(map[string]any)["PolicyDocument"].(map[string]any)
	stmt := doc["Statement"].([]any)[0].(map[string]any)
	var granted []string
	for _, a := range stmt["Action"].([]any) {
		granted = append(granted, a.(string))
	}
	want := stepPermissions()
	if *update {
		stmt["Action"] = want
		out, _ := json.MarshalIndent(tpl, "", "  ")
		if err := os.WriteFile(templateFile, append(out, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if strings.Join(granted, ",") != strings.Join(want, ",") {
		t.Fatalf("template actions %v\nsteps declare   %v\n(run go test ./deploy/cloudformation -update)", granted, want)
	}
	for _, a := range granted {
		if strings.ContainsAny(a, "*?") || !strings.Contains(a, ":") {
			t.Errorf("supplemental action %q is not an exact read action", a)
		}
		verb := a[strings.Index(a, ":")+1:]
		if !(strings.HasPrefix(verb, "Get") || strings.HasPrefix(verb, "List") || strings.HasPrefix(verb, "Describe") || verb == "GET" || a == "iam:GenerateCredentialReport") {
			t.Errorf("%s is not a read-only action", a)
		}
	}
}

// cfn-lint (preinstalled beside moto) validates the template; warnings fail
// too, since unknown actions are only warnings.
func TestTemplateLints(t *testing.T) {
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("cfn-lint not found under CI")
		}
		t.Skip("cfn-lint not found")
	}
	abs, _ := filepath.Abs(templateFile)
	out, err := exec.Command(bin, "--non-zero-exit-code", "informational", abs).CombinedOutput()
	if err != nil {
		t.Fatalf("cfn-lint: %v\n%s", err, out)
	}
}
