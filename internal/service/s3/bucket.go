package s3

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/policy"
	"github.com/awsgraph/awsgraph/internal/schema"
	"github.com/awsgraph/awsgraph/internal/service/account"
	"github.com/awsgraph/awsgraph/internal/service/console"
)

const (
	// BucketType is the bucket entity type.
	BucketType = schema.TypeBucket
	// BucketStepID is the step that collects buckets.
	BucketStepID = schema.StepS3Buckets

	// listPageSize is ListBuckets' MaxBuckets. Setting any parameter makes AWS
	// paginate and return each bucket's BucketRegion, which saves one
	// GetBucketLocation call per bucket. (moto ignores pagination and truncates
	// at max-buckets without a continuation token; 10,000 is AWS's maximum.)
	listPageSize = 10000
)

// BucketAPI is every S3 operation the bucket step calls. *s3.Client satisfies
// it, and its ListBuckets method is what s3.NewListBucketsPaginator needs.
type BucketAPI interface {
	ListBuckets(ctx context.Context, in *s3.ListBucketsInput, optFns ...func(*s3.Options)) (*s3.ListBucketsOutput, error)
	GetBucketLocation(ctx context.Context, in *s3.GetBucketLocationInput, optFns ...func(*s3.Options)) (*s3.GetBucketLocationOutput, error)
	GetBucketTagging(ctx context.Context, in *s3.GetBucketTaggingInput, optFns ...func(*s3.Options)) (*s3.GetBucketTaggingOutput, error)
	GetBucketEncryption(ctx context.Context, in *s3.GetBucketEncryptionInput, optFns ...func(*s3.Options)) (*s3.GetBucketEncryptionOutput, error)
	GetBucketVersioning(ctx context.Context, in *s3.GetBucketVersioningInput, optFns ...func(*s3.Options)) (*s3.GetBucketVersioningOutput, error)
	GetPublicAccessBlock(ctx context.Context, in *s3.GetPublicAccessBlockInput, optFns ...func(*s3.Options)) (*s3.GetPublicAccessBlockOutput, error)
	GetBucketPolicy(ctx context.Context, in *s3.GetBucketPolicyInput, optFns ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error)
	GetBucketPolicyStatus(ctx context.Context, in *s3.GetBucketPolicyStatusInput, optFns ...func(*s3.Options)) (*s3.GetBucketPolicyStatusOutput, error)
	GetBucketAcl(ctx context.Context, in *s3.GetBucketAclInput, optFns ...func(*s3.Options)) (*s3.GetBucketAclOutput, error)
}

// bucketPermissions are the IAM actions behind the BucketAPI operations.
var bucketPermissions = []string{
	"s3:ListAllMyBuckets",           // ListBuckets
	"s3:GetBucketLocation",          // GetBucketLocation (only when ListBuckets gives no BucketRegion)
	"s3:GetBucketTagging",           // GetBucketTagging
	"s3:GetEncryptionConfiguration", // GetBucketEncryption
	"s3:GetBucketVersioning",        // GetBucketVersioning
	"s3:GetBucketPublicAccessBlock", // GetPublicAccessBlock
	"s3:GetBucketPolicy",            // GetBucketPolicy
	"s3:GetBucketPolicyStatus",      // GetBucketPolicyStatus (only for buckets that have a policy)
	"s3:GetBucketAcl",               // GetBucketAcl
}

// BucketStep collects every bucket the account owns. ListBuckets is global:
// every bucket is kept whatever its region (sess.Regions limits regional
// services, not S3's global listing), with its own region as `region`; each
// bucket's detail calls go to that region.
func BucketStep(s *awsclient.Session) engine.Step {
	clients := &regionClients{
		base: s.Config.Region,
		new: func(region string) BucketAPI {
			return s3.NewFromConfig(s.In(region), s.S3Options)
		},
	}
	return engine.Declare(engine.Step{
		ID:          BucketStepID,
		Name:        "Fetch S3 buckets",
		DependsOn:   []string{account.StepID},
		Permissions: append([]string(nil), bucketPermissions...),
		Run: func(ctx context.Context, sc *engine.StepContext) error {
			return collectBuckets(ctx, sc, s, clients)
		},
	})
}

// regionClients hands out one S3 client per region.
type regionClients struct {
	base string
	new  func(region string) BucketAPI
	mu   sync.Mutex
	m    map[string]BucketAPI
}

func (rc *regionClients) get(region string) BucketAPI {
	if region == "" {
		region = rc.base
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.m == nil {
		rc.m = map[string]BucketAPI{}
	}
	c, ok := rc.m[region]
	if !ok {
		c = rc.new(region)
		rc.m[region] = c
	}
	return c
}

func collectBuckets(ctx context.Context, sc *engine.StepContext, s *awsclient.Session, clients *regionClients) error {
	buckets, err := ListAllBuckets(ctx, clients.get(""))
	if err != nil {
		return fmt.Errorf("listing S3 buckets: %w", err)
	}

	details := make([]*BucketDetails, len(buckets))
	errs := &detailErrors{}
	// Each bucket's calls run one after another; how many buckets are read
	// at once is the session's adaptive bound on S3 (per region), not a
	// fixed fan-out.
	awsclient.FanOut(ctx, len(buckets), s.FanOutWidth(), func(ctx context.Context, i int) {
		details[i] = FetchBucketDetails(ctx, buckets[i], s.Partition, clients.get, errs.add)
	})
	if err := ctx.Err(); err != nil {
		return err
	}

	sort.Slice(details, func(i, j int) bool { return details[i].Name < details[j].Name })
	haveAccount := sc.Job.HasKey(account.Key(s.Partition, s.AccountID))
	added := 0
	for _, d := range details {
		if d.Gone {
			sc.Count("bucketsDeletedDuringRun", 1)
			continue
		}
		e := NewBucketEntity(s.Partition, s.AccountID, d)
		if err := sc.AddEntity(e); err != nil {
			// One bad bucket (an entity the graph rejects) must not cost
			// the others: the type is partial and the warning says which.
			sc.Partial(fmt.Errorf("bucket %s not added: %w", d.Name, err), BucketType)
			continue
		}
		added++
		if !haveAccount {
			continue // the account step failed; the engine marks this step's types partial
		}
		if err := sc.AddRelationship(account.Has(s, e)); err != nil {
			return err
		}
	}
	sc.Count("buckets", added)
	// One warning per distinct refused permission (or other failure), however
	// many buckets it hit; the buckets it hit keep their last good values.
	unknown := incompleteBuckets(details, s.Partition, s.AccountID)
	for _, f := range errs.failures() {
		sc.Unknown(f.err, unknown...) // recorded once, a warning per failure
		sc.Count("bucketDetailFailures:"+f.key, f.buckets)
	}
	return nil
}

// incompleteBuckets are the buckets a detail call failed for, whole (their
// values are read together), one Unknown per bucket region.
func incompleteBuckets(details []*BucketDetails, partition, accountID string) []engine.Unknown {
	byRegion := map[string][]string{}
	for _, d := range details {
		if d.Incomplete && !d.Gone {
			byRegion[d.Region] = append(byRegion[d.Region], NewBucketEntity(partition, accountID, d).Key())
		}
	}
	var out []engine.Unknown
	for _, r := range slices.Sorted(maps.Keys(byRegion)) {
		out = append(out, engine.Unknown{Type: BucketType, Region: r, Keys: byRegion[r]})
	}
	return out
}

// ListAllBuckets pages through ListBuckets.
func ListAllBuckets(ctx context.Context, c s3.ListBucketsAPIClient) ([]types.Bucket, error) {
	p := s3.NewListBucketsPaginator(c, &s3.ListBucketsInput{MaxBuckets: aws.Int32(listPageSize)})
	return awsclient.ReadAll(ctx, p, func(o *s3.ListBucketsOutput) []types.Bucket { return o.Buckets })
}

// BucketDetails is what the API said about one bucket. For each detail call,
// a *Known flag false means the call failed (the properties it feeds are
// null); Known with a nil/zero value means "not configured".
type BucketDetails struct {
	Name         string
	CreationDate *time.Time
	// Region is the bucket's region, "" when it could not be determined.
	Region string
	// Gone is set when S3 answered NoSuchBucket: the bucket was deleted after
	// it was listed, so it is not emitted.
	Gone bool
	// Incomplete is set when a detail call failed: the bucket's values are
	// then unknown and the last good run's are kept.
	Incomplete bool

	TagsKnown bool
	Tags      map[string]string

	EncryptionKnown bool
	Encryption      *types.ServerSideEncryptionConfiguration // nil: no default encryption configured

	VersioningKnown bool
	Versioning      *s3.GetBucketVersioningOutput

	PublicAccessBlockKnown bool
	PublicAccessBlock      *types.PublicAccessBlockConfiguration // nil: none configured on the bucket

	PolicyKnown bool
	Policy      *string // nil: no bucket policy

	// PolicyStatusPublic is GetBucketPolicyStatus' IsPublic: nil when the call
	// was not made (no policy), failed, or returned no verdict (moto).
	PolicyStatusPublic *bool

	ACLKnown bool
	Grants   []types.Grant
}

// FetchBucketDetails makes the bucket's detail calls, one after another, in
// the bucket's own region. A failing call leaves its part unknown and is
// passed to onErr; the others still run. At most 8 calls: GetBucketLocation
// (only without BucketRegion), GetBucketTagging, GetBucketEncryption,
// GetBucketVersioning, GetPublicAccessBlock, GetBucketPolicy,
// GetBucketPolicyStatus (only when the bucket has a policy, or that is
// unknown) and GetBucketAcl.
func FetchBucketDetails(ctx context.Context, b types.Bucket, partition string, client func(region string) BucketAPI, onErr func(error)) *BucketDetails {
	d := &BucketDetails{Name: aws.ToString(b.Name), CreationDate: b.CreationDate}
	name := aws.String(d.Name)
	// fail records an error; it reports whether the bucket is gone.
	fail := func(err error) bool {
		if awsclient.ErrorCode(err) == "NoSuchBucket" {
			d.Gone = true
			return true
		}
		d.Incomplete = true
		onErr(err)
		return false
	}

	if r := aws.ToString(b.BucketRegion); r != "" {
		d.Region = r
	} else {
		out, err := client("").GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: name})
		if err != nil {
			if fail(err) {
				return d
			}
		} else {
			d.Region = NormalizeRegion(partition, string(out.LocationConstraint))
		}
	}
	// With the region unknown the calls go to the session's region; on AWS
	// they then fail for buckets elsewhere (redirect), and that is reported.
	c := client(d.Region)
	for _, read := range bucketDetailReads {
		if err := read(ctx, c, name, d); err != nil && fail(err) {
			return d
		}
	}
	return d
}

// bucketDetailReads are the per-bucket calls after the location, in order.
// Each records what it read (an absent configuration is a known "none") and
// returns any other error.
var bucketDetailReads = []func(context.Context, BucketAPI, *string, *BucketDetails) error{
	readTags, readEncryption, readVersioning, readPublicAccessBlock, readPolicy, readPolicyStatus, readACL,
}

// absent turns an error meaning "not configured" into a known absence.
func absent(err error, known *bool) error {
	if awsclient.IsAbsent(err) {
		*known = true
		return nil
	}
	return err
}

func readTags(ctx context.Context, c BucketAPI, name *string, d *BucketDetails) error {
	out, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: name})
	if err != nil {
		return absent(err, &d.TagsKnown)
	}
	d.TagsKnown = true
	d.Tags = map[string]string{}
	for _, t := range out.TagSet {
		d.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return nil
}

func readEncryption(ctx context.Context, c BucketAPI, name *string, d *BucketDetails) error {
	out, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: name})
	if err != nil {
		return absent(err, &d.EncryptionKnown)
	}
	d.EncryptionKnown, d.Encryption = true, out.ServerSideEncryptionConfiguration
	return nil
}

func readVersioning(ctx context.Context, c BucketAPI, name *string, d *BucketDetails) error {
	out, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: name})
	if err != nil {
		return err
	}
	d.VersioningKnown, d.Versioning = true, out
	return nil
}

func readPublicAccessBlock(ctx context.Context, c BucketAPI, name *string, d *BucketDetails) error {
	out, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: name})
	if err != nil {
		return absent(err, &d.PublicAccessBlockKnown)
	}
	d.PublicAccessBlockKnown, d.PublicAccessBlock = true, out.PublicAccessBlockConfiguration
	return nil
}

func readPolicy(ctx context.Context, c BucketAPI, name *string, d *BucketDetails) error {
	out, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: name})
	if err != nil {
		return absent(err, &d.PolicyKnown)
	}
	d.PolicyKnown, d.Policy = true, out.Policy
	return nil
}

// readPolicyStatus asks AWS's verdict only when a policy exists or could not
// be read: without one there is nothing to judge (NoSuchBucketPolicy).
func readPolicyStatus(ctx context.Context, c BucketAPI, name *string, d *BucketDetails) error {
	if d.PolicyKnown && d.Policy == nil {
		return nil
	}
	out, err := c.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: name})
	if err != nil {
		var ignored bool
		return absent(err, &ignored)
	}
	if out.PolicyStatus != nil {
		d.PolicyStatusPublic = out.PolicyStatus.IsPublic
	}
	return nil
}

func readACL(ctx context.Context, c BucketAPI, name *string, d *BucketDetails) error {
	out, err := c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: name})
	if err != nil {
		return err
	}
	d.ACLKnown, d.Grants = true, out.Grants
	return nil
}

// NormalizeRegion turns GetBucketLocation's LocationConstraint into a region
// code: empty (or "null") is the partition's first region (us-east-1 in aws),
// and the legacy "EU" is eu-west-1.
func NormalizeRegion(partition, constraint string) string {
	switch strings.TrimSpace(constraint) {
	case "", "null":
		return awsclient.DefaultRegion(partition)
	case "EU":
		return "eu-west-1"
	}
	return constraint
}

// detailErrors aggregates detail-call failures by refused permission (and
// error code), so a role that lacks one permission yields one warning, not
// one per bucket.
type detailErrors struct {
	mu  sync.Mutex
	m   map[string]*detailFailure
	ord []string
}

type detailFailure struct {
	key     string
	err     error
	buckets int
}

func (d *detailErrors) add(err error) {
	key := awsclient.Permission(err)
	if code := awsclient.ErrorCode(err); code != "" {
		key += "/" + code
	} else if key == "" {
		key = "error"
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.m == nil {
		d.m = map[string]*detailFailure{}
	}
	f, ok := d.m[key]
	if !ok {
		f = &detailFailure{key: key, err: err}
		d.m[key] = f
		d.ord = append(d.ord, key)
	}
	f.buckets++
}

func (d *detailErrors) failures() []*detailFailure {
	d.mu.Lock()
	defer d.mu.Unlock()
	keys := append([]string(nil), d.ord...)
	sort.Strings(keys)
	out := make([]*detailFailure, 0, len(keys))
	for _, k := range keys {
		out = append(out, d.m[k])
	}
	return out
}

// BucketKey is the bucket entity key: the bucket ARN.
func BucketKey(partition, name string) string {
	return "arn:" + partition + ":s3:::" + name
}

// NewBucketEntity converts one bucket's API answers into its entity.
// Properties fed by a call that failed are null; "not configured" answers are
// ordinary values (no encryption configuration → encrypted false).
func NewBucketEntity(partition, accountID string, d *BucketDetails) graph.Entity {
	key := BucketKey(partition, d.Name)
	e := schema.Bucket.New(key, d.Name)
	e.Set("arn", key).Set("bucketName", d.Name).Set("accountId", accountID)
	e.Set("region", graph.NilIfEmpty(d.Region))
	if d.CreationDate != nil {
		e.Set("createdOn", d.CreationDate.UnixMilli())
	}
	e.Set("webLink", ConsoleURL(partition, d.Name, d.Region))

	// Tags; a `classification` tag (any case) sets the DataStore
	// classification, as the JupiterOne SDK's tag helper does.
	e.Set("classification", nil)
	e.SetTags(d.Tags)
	for k, v := range d.Tags {
		if strings.EqualFold(k, "classification") && v != "" {
			e.Set("classification", v)
		}
	}

	setEncryption(e, d)
	setVersioning(e, d)

	pab := PublicAccessBlockOf(d.PublicAccessBlockKnown, d.PublicAccessBlock)
	e.Set("publicAccessBlockBlockPublicAcls", pab.BlockPublicAcls)
	e.Set("publicAccessBlockIgnorePublicAcls", pab.IgnorePublicAcls)
	e.Set("publicAccessBlockBlockPublicPolicy", pab.BlockPublicPolicy)
	e.Set("publicAccessBlockRestrictPublicBuckets", pab.RestrictPublicBuckets)

	var hasPolicy *bool
	if d.PolicyKnown {
		hasPolicy = aws.Bool(d.Policy != nil)
	}
	e.Set("hasPolicy", hasPolicy)
	if d.Policy != nil {
		e.Set("policy", policy.RedactSecrets(*d.Policy))
	} else {
		e.Set("policy", nil)
	}

	exp := DeterminePublic(PublicInputs{
		PublicAccessBlock:  pab,
		PolicyKnown:        d.PolicyKnown,
		Policy:             d.Policy,
		PolicyStatusPublic: d.PolicyStatusPublic,
		ACLKnown:           d.ACLKnown,
		Grants:             d.Grants,
	})
	e.Set("publicByPolicy", exp.ByPolicy)
	e.Set("publicByAcl", exp.ByACL)
	e.Set("public", exp.Public)
	return e
}

func setEncryption(e graph.Entity, d *BucketDetails) {
	var (
		encrypted  *bool
		algorithm  *string
		keyRef     *string
		bucketKeys *bool
	)
	if d.EncryptionKnown {
		encrypted = aws.Bool(false)
		if d.Encryption != nil {
			for _, r := range d.Encryption.Rules {
				def := r.ApplyServerSideEncryptionByDefault
				if def == nil || def.SSEAlgorithm == "" {
					continue
				}
				encrypted = aws.Bool(true)
				algorithm = aws.String(string(def.SSEAlgorithm))
				keyRef = def.KMSMasterKeyID
				bucketKeys = aws.Bool(aws.ToBool(r.BucketKeyEnabled))
				break
			}
		}
	}
	e.Set("encrypted", encrypted)
	e.Set("encryptionAlgorithm", algorithm)
	e.Set("encryptionKeyRef", graph.NilIfEmpty(aws.ToString(keyRef)))
	e.Set("bucketKeyEnabled", bucketKeys)
}

// setVersioning: AWS reports no Status for a bucket that never had
// versioning; that is stored as versioningStatus "Disabled" (the console's
// word) so that null keeps meaning "could not be read".
func setVersioning(e graph.Entity, d *BucketDetails) {
	var (
		enabled, mfa *bool
		status       *string
	)
	if d.VersioningKnown && d.Versioning != nil {
		st := string(d.Versioning.Status)
		if st == "" {
			st = "Disabled"
		}
		status = aws.String(st)
		enabled = aws.Bool(d.Versioning.Status == types.BucketVersioningStatusEnabled)
		mfa = aws.Bool(d.Versioning.MFADelete == types.MFADeleteStatusEnabled)
	}
	e.Set("versioningEnabled", enabled)
	e.Set("versioningStatus", status)
	e.Set("mfaDelete", mfa)
}

// ConsoleURL is the bucket's page in the S3 console.
func ConsoleURL(partition, name, region string) string {
	u := console.URL(partition, "/s3/buckets/"+name)
	if partition == "aws" {
		u = "https://s3.console.aws.amazon.com/s3/buckets/" + name // the S3 console's own host
	}
	if region != "" {
		u += "?region=" + region
	}
	return u
}
