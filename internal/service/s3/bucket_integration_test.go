package s3

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/service/account"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

func TestMain(m *testing.M) { os.Exit(testbed.Main(m)) }

// ---- seeding ----

type seeder struct {
	t    *testing.T
	srv  *testbed.Moto
	acct string
	mu   sync.Mutex
	c    map[string]*s3.Client
}

func (sd *seeder) client(region string) *s3.Client {
	sd.mu.Lock()
	defer sd.mu.Unlock()
	if sd.c == nil {
		sd.c = map[string]*s3.Client{}
	}
	if c, ok := sd.c[region]; ok {
		return c
	}
	c := s3.NewFromConfig(sd.srv.SeedConfig(sd.t, sd.acct, region), func(o *s3.Options) { o.UsePathStyle = true })
	sd.c[region] = c
	return c
}

// bucket creates a bucket in region (us-east-1 without a LocationConstraint,
// as AWS requires) and returns its name, made unique per test account.
func (sd *seeder) bucket(base, region string, acl types.BucketCannedACL) string {
	sd.t.Helper()
	name := base + "-" + sd.acct
	in := &s3.CreateBucketInput{Bucket: aws.String(name), ACL: acl}
	if region != "us-east-1" {
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(region)}
	}
	if _, err := sd.client(region).CreateBucket(context.Background(), in); err != nil {
		sd.t.Fatalf("CreateBucket %s: %v", name, err)
	}
	return name
}

func (sd *seeder) must(what string, err error) {
	sd.t.Helper()
	if err != nil {
		sd.t.Fatalf("%s: %v", what, err)
	}
}

func (sd *seeder) encrypt(name, region string, alg types.ServerSideEncryption, key *string, bucketKey bool) {
	sd.t.Helper()
	_, err := sd.client(region).PutBucketEncryption(context.Background(), &s3.PutBucketEncryptionInput{
		Bucket: aws.String(name),
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: alg, KMSMasterKeyID: key},
			BucketKeyEnabled:                   aws.Bool(bucketKey),
		}}},
	})
	sd.must("PutBucketEncryption "+name, err)
}

func (sd *seeder) policy(name, region, doc string) {
	sd.t.Helper()
	_, err := sd.client(region).PutBucketPolicy(context.Background(), &s3.PutBucketPolicyInput{Bucket: aws.String(name), Policy: aws.String(doc)})
	sd.must("PutBucketPolicy "+name, err)
}

// ---- collecting ----

func describe(err error) engine.Failure {
	p, r, reason := awsclient.Describe(err)
	return engine.Failure{Permission: p, Region: r, Reason: reason}
}

// collect runs the account and S3 steps through the product session and
// returns the result and the S3 calls the run made.
func collect(t *testing.T, sess *awsclient.Session) (*engine.Result, map[string]int) {
	t.Helper()
	before := sess.Calls.Snapshot()
	steps := append(account.Steps(sess), Steps(sess)...)
	res, err := engine.Run(context.Background(), engine.NewJob(), steps, engine.Options{DescribeError: describe})
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string]int{}
	for k, v := range sess.Calls.Snapshot() {
		if strings.HasPrefix(k, "s3:") && v-before[k] > 0 {
			calls[k] = v - before[k]
		}
	}
	return res, calls
}

func stepResult(t *testing.T, res *engine.Result, id string) engine.StepResult {
	t.Helper()
	for _, s := range res.Steps {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("step %s did not run", id)
	return engine.StepResult{}
}

func bucketsByName(t *testing.T, res *engine.Result) map[string]graph.Entity {
	t.Helper()
	out := map[string]graph.Entity{}
	for _, e := range res.Job.EntitiesOfType(BucketType) {
		out[e.String("name")] = e
	}
	return out
}

// perBucketCalls is what the step calls per bucket under moto, which returns
// no BucketRegion: GetBucketLocation, GetBucketTagging, GetBucketEncryption,
// GetBucketVersioning, GetPublicAccessBlock, GetBucketPolicy, GetBucketAcl;
// plus GetBucketPolicyStatus for each bucket that has a policy.
func expectedCalls(buckets, withPolicy int, location bool) map[string]int {
	m := map[string]int{
		"s3:ListBuckets":          1,
		"s3:GetBucketTagging":     buckets,
		"s3:GetBucketEncryption":  buckets,
		"s3:GetBucketVersioning":  buckets,
		"s3:GetPublicAccessBlock": buckets,
		"s3:GetBucketPolicy":      buckets,
		"s3:GetBucketAcl":         buckets,
	}
	if location {
		m["s3:GetBucketLocation"] = buckets
	}
	if withPolicy > 0 {
		m["s3:GetBucketPolicyStatus"] = withPolicy
	}
	return m
}

func equalCalls(t *testing.T, got, want map[string]int) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("S3 calls:\n got %v\nwant %v", got, want)
	}
}

type want struct {
	region                          string
	encrypted                       any
	algorithm, keyRef               any
	bucketKey                       any
	versioning                      string
	versioningEnabled               bool
	public, byPolicy, byACL, hasPol any
	pab                             bool // all four flags
}

func checkBucket(t *testing.T, e graph.Entity, w want) {
	t.Helper()
	name := e.String("name")
	props := map[string]any{
		"region": w.region, "encrypted": w.encrypted, "encryptionAlgorithm": w.algorithm, "encryptionKeyRef": w.keyRef,
		"bucketKeyEnabled": w.bucketKey, "versioningStatus": w.versioning, "versioningEnabled": w.versioningEnabled,
		"public": w.public, "publicByPolicy": w.byPolicy, "publicByAcl": w.byACL, "hasPolicy": w.hasPol,
		"publicAccessBlockBlockPublicAcls": w.pab, "publicAccessBlockIgnorePublicAcls": w.pab,
		"publicAccessBlockBlockPublicPolicy": w.pab, "publicAccessBlockRestrictPublicBuckets": w.pab,
		"webLink": "https://s3.console.aws.amazon.com/s3/buckets/" + name + "?region=" + w.region,
	}
	for p, v := range props {
		got, ok := e[p]
		if v == nil && !dataStoreNullable[p] {
			// No value: omitted (docs/contract.md §2), never null.
			if ok {
				t.Errorf("%s: %s = %#v, want it omitted", name, p, got)
			}
			continue
		}
		if !ok || got != v {
			t.Errorf("%s: %s = %#v (present %v), want %#v", name, p, got, ok, v)
		}
	}
}

// dataStoreNullable are the properties the data model's DataStore requires
// and allows to be null: a bucket carries them as null when S3 does not say.
var dataStoreNullable = map[string]bool{"encrypted": true, "classification": true}

// ---- tests ----

// Nine buckets in three regions with every configuration the step reads;
// each property is asserted exactly, and the calls are ListBuckets plus a
// fixed number per bucket.
func TestS3Buckets_Moto(t *testing.T) {
	t.Parallel()
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	sd := &seeder{t: t, srv: srv, acct: acct}
	ctx := context.Background()

	plain := sd.bucket("plain", "us-east-1", "")
	aes := sd.bucket("aes", "eu-west-1", "")
	sd.encrypt(aes, "eu-west-1", types.ServerSideEncryptionAes256, nil, false)
	kmsKey := "arn:aws:kms:ap-southeast-2:" + acct + ":key/0b3c5f0e-1111-2222-3333-444455556666"
	kms := sd.bucket("kms", "ap-southeast-2", "")
	sd.encrypt(kms, "ap-southeast-2", types.ServerSideEncryptionAwsKms, aws.String(kmsKey), true)
	aclPublic := sd.bucket("acl-public", "us-east-1", types.BucketCannedACLPublicRead)
	polPublic := sd.bucket("policy-public", "eu-west-1", "")
	publicDoc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/*"}]}`, polPublic)
	sd.policy(polPublic, "eu-west-1", publicDoc)
	polPrivate := sd.bucket("policy-vpce", "us-east-1", "")
	sd.policy(polPrivate, "us-east-1", fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}}]}`, polPrivate))
	// Public ACL and public policy, then a public access block with all four
	// flags: not public.
	blocked := sd.bucket("blocked", "us-east-1", types.BucketCannedACLPublicRead)
	sd.policy(blocked, "us-east-1", fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/*"}]}`, blocked))
	_, err := sd.client("us-east-1").PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(blocked),
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}})
	sd.must("PutPublicAccessBlock", err)
	versioned := sd.bucket("versioned", "eu-west-1", "")
	_, err = sd.client("eu-west-1").PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(versioned),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	sd.must("PutBucketVersioning", err)
	tagged := sd.bucket("tagged", "ap-southeast-2", "")
	_, err = sd.client("ap-southeast-2").PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(tagged),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("Name"), Value: aws.String("Tagged Bucket")}, {Key: aws.String("Classification"), Value: aws.String("Confidential")}, {Key: aws.String("team"), Value: aws.String("security")}}}})
	sd.must("PutBucketTagging", err)

	sess := srv.Session(t, acct)
	sess.Regions = []string{"us-east-1"} // S3 listing is global: buckets elsewhere are kept
	res, calls := collect(t, sess)

	st := stepResult(t, res, BucketStepID)
	if st.Status != engine.StatusSuccess || len(st.PartialTypes) != 0 {
		t.Fatalf("step %s: status %s, partial %v, error %q, warnings %v", st.ID, st.Status, st.PartialTypes, st.Error, res.Warnings)
	}
	got := bucketsByName(t, res)
	all := []string{plain, aes, kms, aclPublic, polPublic, polPrivate, blocked, versioned, tagged}
	if len(got) != len(all) {
		t.Fatalf("got %d buckets, want %d: %v", len(got), len(all), got)
	}
	// Ground truth: the same account's own ListBuckets.
	listed, err := ListAllBuckets(ctx, sd.client("us-east-1"))
	sd.must("ListBuckets", err)
	if len(listed) != len(all) {
		t.Fatalf("moto lists %d buckets, want %d", len(listed), len(all))
	}

	none := want{encrypted: false, versioning: "Disabled", public: false, byPolicy: false, byACL: false, hasPol: false}
	with := func(w want, f func(*want)) want { f(&w); return w }
	wants := map[string]want{
		plain: with(none, func(w *want) { w.region = "us-east-1" }),
		aes:   with(none, func(w *want) { w.region = "eu-west-1"; w.encrypted = true; w.algorithm = "AES256"; w.bucketKey = false }),
		kms: with(none, func(w *want) {
			w.region = "ap-southeast-2"
			w.encrypted = true
			w.algorithm = "aws:kms"
			w.keyRef = kmsKey
			w.bucketKey = true
		}),
		aclPublic:  with(none, func(w *want) { w.region = "us-east-1"; w.public = true; w.byACL = true }),
		polPublic:  with(none, func(w *want) { w.region = "eu-west-1"; w.public = true; w.byPolicy = true; w.hasPol = true }),
		polPrivate: with(none, func(w *want) { w.region = "us-east-1"; w.hasPol = true }),
		blocked: with(none, func(w *want) {
			w.region = "us-east-1"
			w.byPolicy = true
			w.byACL = true
			w.hasPol = true
			w.pab = true
		}),
		versioned: with(none, func(w *want) { w.region = "eu-west-1"; w.versioning = "Enabled"; w.versioningEnabled = true }),
		tagged:    with(none, func(w *want) { w.region = "ap-southeast-2" }),
	}
	for _, b := range listed {
		name := aws.ToString(b.Name)
		e, ok := got[name]
		if !ok {
			t.Errorf("bucket %s listed by S3 but not collected", name)
			continue
		}
		checkBucket(t, e, wants[name])
		if e.Key() != "arn:aws:s3:::"+name || e.String("accountId") != acct || !slices.Equal(e.Classes(), []string{"DataStore"}) {
			t.Errorf("%s: key %s, accountId %v, class %v", name, e.Key(), e["accountId"], e["_class"])
		}
		if e["createdOn"] != b.CreationDate.UnixMilli() {
			t.Errorf("%s: createdOn %v, want %d", name, e["createdOn"], b.CreationDate.UnixMilli())
		}
		if e["mfaDelete"] != false {
			t.Errorf("%s: mfaDelete %v", name, e["mfaDelete"])
		}
		if name != tagged && (e["classification"] != nil || e.String("displayName") != name) {
			t.Errorf("%s: classification %v displayName %v", name, e["classification"], e["displayName"])
		}
		if err := graph.Validate(e); err != nil {
			t.Error(err)
		}
	}
	tg := got[tagged]
	for p, v := range map[string]any{"displayName": "Tagged Bucket", "tag.Name": "Tagged Bucket", "tag.Classification": "Confidential", "tag.team": "security", "classification": "Confidential"} {
		if tg[p] != v {
			t.Errorf("tagged: %s = %v, want %v", p, tg[p], v)
		}
	}
	if got[polPublic]["policy"] != publicDoc {
		t.Errorf("policy text not kept verbatim: %v", got[polPublic]["policy"])
	}
	if got[plain]["policy"] != nil {
		t.Errorf("plain bucket policy: %v", got[plain]["policy"])
	}

	// account HAS bucket, one per bucket.
	acctKey := account.Key("aws", acct)
	rels := res.Job.RelationshipsOfType("aws_account_has_s3_bucket")
	if len(rels) != len(all) {
		t.Errorf("%d account HAS bucket edges, want %d", len(rels), len(all))
	}
	for _, r := range rels {
		if r.FromKey() != acctKey || !strings.HasPrefix(r.ToKey(), "arn:aws:s3:::") || r.Class() != "HAS" {
			t.Errorf("bad edge %v", r)
		}
	}

	// Calls: 1 ListBuckets + 7 per bucket (moto gives no BucketRegion, so
	// GetBucketLocation is one of them) + 1 GetBucketPolicyStatus per bucket
	// with a policy (3 here). Nothing that reads objects.
	equalCalls(t, calls, expectedCalls(len(all), 3, true))
	total := 0
	for _, n := range calls {
		total += n
	}
	if total != 1+7*len(all)+3 {
		t.Errorf("total S3 calls %d, want %d", total, 1+7*len(all)+3)
	}
	// Every operation made is a declared permission.
	step := BucketStep(sess)
	for op := range calls {
		perm := awsclient.Permission(&smithy.OperationError{ServiceID: "S3", OperationName: strings.TrimPrefix(op, "s3:")})
		if !slices.Contains(step.Permissions, perm) {
			t.Errorf("operation %s needs %s, not in the step's Permissions %v", op, perm, step.Permissions)
		}
	}
}

// ---- wire-level fakes ----

// fakeTransport sits between the SDK and moto: answer returns a response for
// the requests it fakes, or nil to let moto answer.
type fakeTransport struct {
	next   aws.HTTPClient
	answer func(req *http.Request, next aws.HTTPClient) (*http.Response, error)
}

func (f *fakeTransport) Do(req *http.Request) (*http.Response, error) { return f.answer(req, f.next) }

func fake(sess *awsclient.Session, answer func(req *http.Request, next aws.HTTPClient) (*http.Response, error)) {
	sess.Config.HTTPClient = &fakeTransport{next: sess.Config.HTTPClient, answer: answer}
}

func xmlResponse(req *http.Request, status int, body string) *http.Response {
	return &http.Response{
		Status: fmt.Sprintf("%d %s", status, http.StatusText(status)), StatusCode: status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/xml"}, "X-Amz-Request-Id": {"FAKE0001"}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}

// s3Op returns the bucket (path style) and whether the request is the
// sub-resource call named by query (e.g. "encryption" for GetBucketEncryption).
func s3Op(req *http.Request, query string) (bucket string, ok bool) {
	bucket = strings.Trim(req.URL.Path, "/")
	_, has := req.URL.Query()[query]
	return bucket, req.Method == http.MethodGet && bucket != "" && !strings.Contains(bucket, "/") && has
}

const accessDenied = `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>FAKE0001</RequestId><HostId>fake</HostId></Error>`

// The role may not read some buckets' encryption (and one bucket's ACL):
// every bucket is still emitted, the refused properties are null, the type is
// partial, and there is one warning per refused permission, not per bucket.
// moto cannot refuse a call for one bucket, so the refusal is faked on the wire.
func TestS3Buckets_WireFakeAccessDeniedPerBucket(t *testing.T) {
	t.Parallel()
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	sd := &seeder{t: t, srv: srv, acct: acct}
	a := sd.bucket("denied-a", "us-east-1", "")
	b := sd.bucket("denied-b", "eu-west-1", "")
	sd.encrypt(b, "eu-west-1", types.ServerSideEncryptionAes256, nil, false)
	c := sd.bucket("readable", "us-east-1", types.BucketCannedACLPublicRead)

	sess := srv.Session(t, acct)
	sess.Regions = []string{"us-east-1"}
	fake(sess, func(req *http.Request, next aws.HTTPClient) (*http.Response, error) {
		if bucket, ok := s3Op(req, "encryption"); ok && (bucket == a || bucket == b) {
			return xmlResponse(req, http.StatusForbidden, accessDenied), nil
		}
		if bucket, ok := s3Op(req, "acl"); ok && bucket == a {
			return xmlResponse(req, http.StatusForbidden, accessDenied), nil
		}
		return next.Do(req)
	})
	res, calls := collect(t, sess)

	st := stepResult(t, res, BucketStepID)
	// Every bucket is listed, so the type is complete; the two buckets whose
	// detail calls failed are unknown as a whole (the last good run's kept).
	if st.Status != engine.StatusPartial || len(st.PartialTypes) != 0 {
		t.Fatalf("status %s partial %v error %q", st.Status, st.PartialTypes, st.Error)
	}
	unknownKeys := map[string]string{}
	for _, u := range st.Unknown {
		if u.Type != BucketType || len(u.Properties) != 0 {
			t.Errorf("unknown %+v", u)
		}
		for _, k := range u.Keys {
			unknownKeys[k] = u.Region
		}
	}
	wantUnknown := map[string]string{BucketKey("aws", a): "us-east-1", BucketKey("aws", b): "eu-west-1"}
	if !reflect.DeepEqual(unknownKeys, wantUnknown) {
		t.Errorf("unknown buckets %v, want %v", unknownKeys, wantUnknown)
	}
	var perms []string
	for _, w := range res.Warnings {
		if w.Step == BucketStepID {
			perms = append(perms, w.Permission)
			if !slices.Equal(w.Types, []string{BucketType}) || !strings.Contains(w.Message, w.Permission) {
				t.Errorf("warning %+v", w)
			}
		}
	}
	slices.Sort(perms)
	if !slices.Equal(perms, []string{"s3:GetBucketAcl", "s3:GetEncryptionConfiguration"}) {
		t.Errorf("warnings name %v, want one each for s3:GetBucketAcl and s3:GetEncryptionConfiguration", perms)
	}

	got := bucketsByName(t, res)
	if len(got) != 3 {
		t.Fatalf("got %d buckets, want 3 (none dropped)", len(got))
	}
	for _, name := range []string{a, b} {
		// encrypted is required (null when unknown); the others are omitted.
		if v, ok := got[name]["encrypted"]; !ok || v != nil {
			t.Errorf("%s: encrypted = %v (present %v), want null", name, v, ok)
		}
		for _, p := range []string{"encryptionAlgorithm", "encryptionKeyRef", "bucketKeyEnabled"} {
			if v, ok := got[name][p]; ok {
				t.Errorf("%s: %s = %v, want it omitted (unknown)", name, p, v)
			}
		}
	}
	// a: ACL refused, no policy, no PAB → public undeterminable.
	checkBucket(t, got[a], want{region: "us-east-1", encrypted: nil, versioning: "Disabled", public: nil, byPolicy: false, byACL: nil, hasPol: false})
	// b: only encryption refused; the rest is definite.
	checkBucket(t, got[b], want{region: "eu-west-1", encrypted: nil, versioning: "Disabled", public: false, byPolicy: false, byACL: false, hasPol: false})
	checkBucket(t, got[c], want{region: "us-east-1", encrypted: false, versioning: "Disabled", public: true, byPolicy: false, byACL: true, hasPol: false})
	if n := len(res.Job.RelationshipsOfType("aws_account_has_s3_bucket")); n != 3 {
		t.Errorf("%d account HAS bucket edges, want 3", n)
	}
	// A refused call does not cut the bucket's other calls short.
	equalCalls(t, calls, expectedCalls(3, 0, true))
}

// Since January 2023 AWS answers GetBucketEncryption for every bucket with
// the SSE-S3 default; moto still answers ServerSideEncryptionConfigurationNotFoundError
// for a bucket without configuration. The AWS answer is faked on the wire.
func TestS3Buckets_WireFakeAWSDefaultEncryption(t *testing.T) {
	t.Parallel()
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	sd := &seeder{t: t, srv: srv, acct: acct}
	plain := sd.bucket("default-enc", "us-east-1", "")
	kms := sd.bucket("kms-enc", "eu-west-1", "")
	sd.encrypt(kms, "eu-west-1", types.ServerSideEncryptionAwsKmsDsse, aws.String("alias/data"), false)

	const defaultEncryption = `<?xml version="1.0" encoding="UTF-8"?>
<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`
	sess := srv.Session(t, acct)
	var faked int
	var mu sync.Mutex
	fake(sess, func(req *http.Request, next aws.HTTPClient) (*http.Response, error) {
		resp, err := next.Do(req)
		if _, ok := s3Op(req, "encryption"); !ok || err != nil || resp.StatusCode != http.StatusNotFound {
			return resp, err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !bytes.Contains(body, []byte("<Code>ServerSideEncryptionConfigurationNotFoundError</Code>")) {
			resp.Body = io.NopCloser(bytes.NewReader(body))
			return resp, nil
		}
		mu.Lock()
		faked++
		mu.Unlock()
		return xmlResponse(req, http.StatusOK, defaultEncryption), nil
	})
	res, calls := collect(t, sess)
	if st := stepResult(t, res, BucketStepID); st.Status != engine.StatusSuccess {
		t.Fatalf("status %s: %s", st.Status, st.Error)
	}
	if faked != 1 {
		t.Fatalf("faked %d default-encryption answers, want 1 (the bucket without configuration)", faked)
	}
	got := bucketsByName(t, res)
	for p, v := range map[string]any{"encrypted": true, "encryptionAlgorithm": "AES256", "bucketKeyEnabled": false} {
		if g, ok := got[plain][p]; !ok || g != v {
			t.Errorf("default-encrypted bucket: %s = %v, want %v", p, g, v)
		}
	}
	if g, ok := got[plain]["encryptionKeyRef"]; ok {
		t.Errorf("default-encrypted bucket: encryptionKeyRef = %v, want it omitted (no key)", g)
	}
	for p, v := range map[string]any{"encrypted": true, "encryptionAlgorithm": "aws:kms:dsse", "encryptionKeyRef": "alias/data", "bucketKeyEnabled": false} {
		if g, ok := got[kms][p]; !ok || g != v {
			t.Errorf("dsse bucket: %s = %v, want %v", p, g, v)
		}
	}
	equalCalls(t, calls, expectedCalls(2, 0, true))
}

// AWS's ListBuckets returns each bucket's BucketRegion when the request has a
// parameter (the step sends max-buckets); the step then makes no
// GetBucketLocation call. moto 5.2 returns no BucketRegion, so the field is
// added on the wire, as AWS sends it.
func TestS3Buckets_WireFakeListBucketsBucketRegion(t *testing.T) {
	t.Parallel()
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	sd := &seeder{t: t, srv: srv, acct: acct}
	regions := map[string]string{
		sd.bucket("r-use1", "us-east-1", ""):       "us-east-1",
		sd.bucket("r-euw1", "eu-west-1", ""):       "eu-west-1",
		sd.bucket("r-apse2", "ap-southeast-2", ""): "ap-southeast-2",
	}
	sess := srv.Session(t, acct)
	var sawMaxBuckets bool
	nameRE := regexp.MustCompile(`<Name>([^<]+)</Name>`)
	fake(sess, func(req *http.Request, next aws.HTTPClient) (*http.Response, error) {
		resp, err := next.Do(req)
		if err != nil || req.Method != http.MethodGet || strings.Trim(req.URL.Path, "/") != "" {
			return resp, err
		}
		sawMaxBuckets = req.URL.Query().Get("max-buckets") != ""
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body = nameRE.ReplaceAllFunc(body, func(m []byte) []byte {
			return []byte(fmt.Sprintf("%s<BucketRegion>%s</BucketRegion>", m, regions[string(nameRE.FindSubmatch(m)[1])]))
		})
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Del("Content-Length")
		return resp, nil
	})
	res, calls := collect(t, sess)
	if !sawMaxBuckets {
		t.Error("ListBuckets sent without max-buckets: AWS would not return BucketRegion")
	}
	got := bucketsByName(t, res)
	if len(got) != 3 {
		t.Fatalf("got %d buckets", len(got))
	}
	for name, region := range regions {
		if got[name]["region"] != region {
			t.Errorf("%s: region %v, want %s", name, got[name]["region"], region)
		}
	}
	equalCalls(t, calls, expectedCalls(3, 0, false))
}
