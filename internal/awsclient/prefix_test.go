package awsclient

import "testing"

// Permissions and call counts are named by IAM action prefix, which is not
// always the SDK's service id lower-cased (ELBv2's is "elasticloadbalancing").
func TestIAMPrefixOfServiceIDs(t *testing.T) {
	for id, want := range map[string]string{"EC2": "ec2", "Config Service": "config", "Elastic Load Balancing v2": "elasticloadbalancing",
		"Resource Groups Tagging API": "tag", "Lambda": "lambda"} {
		if got := iamPrefix(id); got != want {
			t.Errorf("iamPrefix(%q) = %q, want %q", id, got, want)
		}
	}
}
