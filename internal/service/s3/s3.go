// Package s3 collects Amazon S3 buckets (aws_s3_bucket, class DataStore) with
// the configuration a security engineer asks about: region, default
// encryption, versioning, public exposure (public access block, bucket policy,
// ACL) and tags. It never reads objects: no GetObject, no ListObjects.
package s3

import (
	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
)

// Steps returns the S3 steps.
func Steps(s *awsclient.Session) []engine.Step {
	return []engine.Step{BucketStep(s)}
}
