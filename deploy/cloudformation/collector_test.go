package cloudformation

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const collectorTemplate = "awsgraph-collector.json"

// cfn-lint validates the collector service's template, warnings as errors.
func TestCollectorTemplateLints(t *testing.T) {
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("cfn-lint not found under CI")
		}
		t.Skip("cfn-lint not found")
	}
	abs, _ := filepath.Abs(collectorTemplate)
	out, err := exec.Command(bin, "--non-zero-exit-code", "informational", abs).CombinedOutput()
	if err != nil {
		t.Fatalf("cfn-lint: %v\n%s", err, out)
	}
}

// The function's role may assume the member role name in any account and
// the management role, nothing else; the function is the arm64 bootstrap
// on provided.al2023 and reports batch item failures.
func TestCollectorTemplateShape(t *testing.T) {
	data, err := os.ReadFile(collectorTemplate)
	if err != nil {
		t.Fatal(err)
	}
	var tpl struct {
		Resources map[string]struct {
			Type       string
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(data, &tpl); err != nil {
		t.Fatal(err)
	}
	fn := tpl.Resources["CollectorFunction"].Properties
	if fn["Runtime"] != "provided.al2023" || fn["Handler"] != "bootstrap" || !strings.Contains(jsonOf(fn["Architectures"]), "arm64") {
		t.Errorf("function runtime %v handler %v architectures %v", fn["Runtime"], fn["Handler"], fn["Architectures"])
	}
	if jsonOf(fn["ReservedConcurrentExecutions"]) != `{"Ref":"ReservedConcurrency"}` {
		t.Errorf("reserved concurrency is not the parameter: %v", fn["ReservedConcurrentExecutions"])
	}
	role := tpl.Resources["CollectorRole"].Properties
	var assume []string
	for _, p := range role["Policies"].([]any) {
		for _, st := range p.(map[string]any)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			st := st.(map[string]any)
			if strings.Contains(jsonOf(st["Action"]), "sts:") {
				assume = append(assume, jsonOf(st["Resource"]))
			}
		}
	}
	want := `[{"Fn::Sub":"arn:${AWS::Partition}:iam::*:role/${MemberRoleName}"},{"Ref":"ManagementRoleArn"}]`
	if len(assume) != 1 || assume[0] != want {
		t.Errorf("sts statements on %v, want one on %s", assume, want)
	}
	if m := jsonOf(tpl.Resources["QueueMapping"].Properties["FunctionResponseTypes"]); m != `["ReportBatchItemFailures"]` {
		t.Errorf("event source mapping response types %s", m)
	}
	if !strings.Contains(jsonOf(tpl.Resources["InstanceQueue"].Properties["RedrivePolicy"]), "DeadLetterQueue") {
		t.Error("the queue has no redrive to the dead-letter queue")
	}
}

func jsonOf(v any) string { b, _ := json.Marshal(v); return string(b) }
