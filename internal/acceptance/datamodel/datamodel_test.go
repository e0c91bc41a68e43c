// Package datamodel checks the demo account's graph with JupiterOne's own
// data model (@jupiterone/data-model, tools/j1validate): the built binary
// collects testbed.SeedDemo from moto and every entity must validate. The
// acceptance accounts of internal/acceptance/collection and
// internal/acceptance/sgrules are checked the same way in their packages.
package datamodel

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/awsgraph/awsgraph/internal/acceptance/j1check"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

func TestMain(m *testing.M) { os.Exit(testbed.Main(m)) }

var regions = [2]string{"us-east-1", "eu-west-1"}

func TestDemoAccountConformsToDataModel(t *testing.T) {
	j1check.Available(t)
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	if _, err := testbed.SeedDemo(context.Background(), srv.URL, acct, regions); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "awsgraph")
	build := exec.Command("go", "build", "-o", bin, "github.com/awsgraph/awsgraph/cmd/awsgraph")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out := filepath.Join(dir, "out")
	cmd := exec.Command(bin, "collect", "--role-arn", testbed.RoleArn(acct), "--external-id", testbed.ExternalID,
		"--regions", regions[0]+","+regions[1], "--endpoint-url", srv.URL, "--output", out, "--no-db")
	cmd.Dir = dir
	cmd.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "AWS_ACCESS_KEY_ID=demo", "AWS_SECRET_ACCESS_KEY=demo",
		"AWS_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("awsgraph collect: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	r := j1check.Check(t, out)
	// The demo covers every entity type the collector makes from the demo
	// seed; a type vanishing would make the check vacuous for it.
	for _, typ := range []string{"aws_account", "aws_ec2_instance", "aws_ec2_vpc", "aws_ec2_subnet", "aws_ec2_volume",
		"aws_ec2_security_group", "aws_iam_user", "aws_iam_role", "aws_iam_managed_policy", "aws_lambda_function",
		"aws_apigateway_rest_api", "aws_s3_bucket", "aws_config_rule", "internet",
		"aws_ec2_internet_gateway", "aws_ec2_route_table", "aws_ec2_network_acl", "aws_alb", "aws_lb_listener", "aws_lb_target_group"} {
		if r.Entities.TotalByType[typ] == 0 {
			t.Errorf("no %s entity in the demo graph", typ)
		}
	}
}
