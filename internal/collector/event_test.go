package collector

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/awsgraph/awsgraph/internal/instance"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

func TestMain(m *testing.M) { os.Exit(testbed.Main(m)) }

// The Lambda/queue handler path: an invocation event, the SDK's own
// AWS_ENDPOINT_URL (no flag), a whole collection.
func TestHandleEventHonoursSDKEndpointEnvironment(t *testing.T) {
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	t.Setenv("AWS_ENDPOINT_URL", srv.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "k")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "s")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	if _, err := testbed.SeedDemo(context.Background(), srv.URL, acct, [2]string{"us-east-1", "eu-west-1"}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ev := `{"integrationInstanceId":"lambda-test","config":{"roleArn":"` + testbed.RoleArn(acct) + `","externalId":"` + testbed.ExternalID + `","regions":["us-east-1"]}}`
	sum, err := HandleEvent(context.Background(), []byte(ev), dir, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.AccountID != acct || sum.IntegrationInstanceID != "lambda-test" || len(sum.Regions) != 1 {
		t.Fatalf("summary %+v", sum)
	}
	if sum.EntityCounts["aws_s3_bucket"] != 3 {
		t.Fatalf("buckets through AWS_ENDPOINT_URL (path-style S3): %d, want 3; warnings %v", sum.EntityCounts["aws_s3_bucket"], sum.Warnings)
	}
	if _, err := os.Stat(filepath.Join(dir, "summary.json")); err != nil {
		t.Fatal(err)
	}
	_, err = HandleEvent(context.Background(), []byte(`{"config":{"roleArn":"nope","externalId":"abc"}}`), dir, "", nil)
	var ve *instance.ValidationError
	if !errors.As(err, &ve) || ve.Field != "roleArn" {
		t.Fatalf("bad event: %v", err)
	}
}
