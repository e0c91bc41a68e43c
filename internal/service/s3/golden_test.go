package s3

import (
	"testing"

	"github.com/awsgraph/awsgraph/internal/testbed/golden"
)

// TestConvertBucketsGolden: bucket detail shapes (public by policy, public
// ACL blocked by the bucket's public access block, public by ACL, and a
// bucket whose detail calls all failed) to bucket entities, against
// testdata/buckets.golden.json.
func TestConvertBucketsGolden(t *testing.T) {
	var in struct {
		Partition, AccountID string
		Buckets              []*BucketDetails
	}
	golden.Input(t, "buckets", &in)
	var f golden.Fragment
	for _, d := range in.Buckets {
		f.Entities = append(f.Entities, NewBucketEntity(in.Partition, in.AccountID, d))
	}
	golden.Check(t, "buckets", f)
}
