package synthaws

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

const s3NS = "http://s3.amazonaws.com/doc/2006-03-01/"

// Bucket b lives in region b % len(Regions); its settings vary with b:
// tags on even buckets, versioning on every third, no public access block
// on every fifth, a bucket policy on every fourth. Everything is private.
func bucketName(b int) string { return fmt.Sprintf("bucket-%d", b) }

// s3 answers ListBuckets (paginated, with each bucket's region, as AWS does)
// and the per-bucket reads of the S3 step, path-style.
func (s *Server) s3(w http.ResponseWriter, r *http.Request) {
	path := strings.Trim(r.URL.Path, "/")
	if r.Method != http.MethodGet {
		s.unknownCall(w, "s3", r.Method+" "+r.URL.Path)
		return
	}
	if path == "" {
		s.listBuckets(w, r)
		return
	}
	b := -1
	if n, err := strconv.Atoi(strings.TrimPrefix(path, "bucket-")); err == nil && strings.HasPrefix(path, "bucket-") && n < s.sizes.Buckets {
		b = n
	}
	if b < 0 {
		s3Error(w, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
		return
	}
	q := r.URL.Query()
	switch {
	case q.Has("location"):
		region := s.sizes.Regions[b%len(s.sizes.Regions)]
		if region == "us-east-1" {
			region = ""
		}
		d := &doc{}
		d.b.WriteString(`<LocationConstraint xmlns="` + s3NS + `">` + region + `</LocationConstraint>`)
		writeXML(w, d)
	case q.Has("tagging"):
		if b%2 != 0 {
			s3Error(w, http.StatusNotFound, "NoSuchTagSet", "The TagSet does not exist")
			return
		}
		writeXML(w, (&doc{}).openNS("Tagging", s3NS).open("TagSet").open("Tag").el("Key", "env").el("Value", envs[s.sizes.pick(4, b, len(envs))]).
			close("Tag").close("TagSet").close("Tagging"))
	case q.Has("encryption"):
		writeXML(w, (&doc{}).openNS("ServerSideEncryptionConfiguration", s3NS).open("Rule").open("ApplyServerSideEncryptionByDefault").
			el("SSEAlgorithm", "AES256").close("ApplyServerSideEncryptionByDefault").flag("BucketKeyEnabled", false).close("Rule").
			close("ServerSideEncryptionConfiguration"))
	case q.Has("versioning"):
		d := (&doc{}).openNS("VersioningConfiguration", s3NS)
		if b%3 == 0 {
			d.el("Status", "Enabled")
		}
		writeXML(w, d.close("VersioningConfiguration"))
	case q.Has("publicAccessBlock"):
		if b%5 == 0 {
			s3Error(w, http.StatusNotFound, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found")
			return
		}
		writeXML(w, (&doc{}).openNS("PublicAccessBlockConfiguration", s3NS).flag("BlockPublicAcls", true).flag("IgnorePublicAcls", true).
			flag("BlockPublicPolicy", true).flag("RestrictPublicBuckets", true).close("PublicAccessBlockConfiguration"))
	case q.Has("policyStatus"):
		writeXML(w, (&doc{}).openNS("PolicyStatus", s3NS).flag("IsPublic", false).close("PolicyStatus"))
	case q.Has("policy"):
		if b%4 != 0 {
			s3Error(w, http.StatusNotFound, "NoSuchBucketPolicy", "The bucket policy does not exist")
			return
		}
		writeJSON(w, s.bucketPolicy(b))
	case q.Has("acl"):
		d := (&doc{}).openNS("AccessControlPolicy", s3NS).open("Owner").el("ID", "synthetic-owner").close("Owner").open("AccessControlList")
		d.b.WriteString(`<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>synthetic-owner</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>`)
		writeXML(w, d.close("AccessControlList").close("AccessControlPolicy"))
	default:
		s.unknownCall(w, "s3", r.Method+" "+r.URL.String())
	}
}

func (s *Server) listBuckets(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	start, end, next := s.window(q.Get("continuation-token"), q.Get("max-buckets"), s.sizes.Buckets)
	d := (&doc{}).openNS("ListAllMyBucketsResult", s3NS).open("Owner").el("ID", "synthetic-owner").close("Owner").open("Buckets")
	for b := start; b < end; b++ {
		d.open("Bucket").el("Name", bucketName(b)).el("CreationDate", stamp(b%600)).el("BucketRegion", s.sizes.Regions[b%len(s.sizes.Regions)]).close("Bucket")
	}
	d.close("Buckets")
	if next != "" {
		d.el("ContinuationToken", next)
	}
	writeXML(w, d.close("ListAllMyBucketsResult"))
}

// bucketPolicy denies insecure transport and lets one role read objects.
func (s *Server) bucketPolicy(b int) string {
	arn := "arn:aws:s3:::" + bucketName(b)
	role := s.iamArn("role", roleName(b%max(s.sizes.Roles, 1)))
	return `{"Version":"2012-10-17","Statement":[{"Sid":"TLS","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["` + arn + `","` + arn +
		`/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}},{"Sid":"Read","Effect":"Allow","Principal":{"AWS":"` + role +
		`"},"Action":"s3:GetObject","Resource":"` + arn + `/*"}]}`
}

func s3Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>`+code+`</Code><Message>`+msg+`</Message><RequestId>synthetic</RequestId></Error>`)
}
