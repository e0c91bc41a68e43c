package s3

import (
	"encoding/json"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Public exposure of a bucket, decided from three sources the way S3 Block
// Public Access documents them:
//
//   - a public bucket policy makes the bucket public unless the bucket's
//     public access block has RestrictPublicBuckets (BlockPublicPolicy only
//     refuses new public policies; it leaves an existing one in force);
//   - a public ACL grant (AllUsers or AuthenticatedUsers) makes it public
//     unless IgnorePublicAcls (BlockPublicAcls only refuses new public ACLs).
//
// So with all four flags set the bucket is not public, whatever its policy
// and ACL say. Every value is three-valued: nil means "could not be
// determined" (a call was refused), and a definite answer wins where the
// unknown part cannot change it (a public ACL with IgnorePublicAcls off makes
// the bucket public even if the policy could not be read).
//
// Not considered: the account-level public access block (s3control), access
// points, and object ACLs (never read).

// PublicAccessBlock is a bucket's public access block, each flag nil when it
// could not be read. A bucket without a configuration has all flags false.
type PublicAccessBlock struct {
	BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets *bool
}

// PublicAccessBlockOf converts GetPublicAccessBlock's answer: known false
// means the call failed; a nil configuration means none is set.
func PublicAccessBlockOf(known bool, c *types.PublicAccessBlockConfiguration) PublicAccessBlock {
	if !known {
		return PublicAccessBlock{}
	}
	if c == nil {
		c = &types.PublicAccessBlockConfiguration{}
	}
	return PublicAccessBlock{
		BlockPublicAcls:       aws.Bool(aws.ToBool(c.BlockPublicAcls)),
		IgnorePublicAcls:      aws.Bool(aws.ToBool(c.IgnorePublicAcls)),
		BlockPublicPolicy:     aws.Bool(aws.ToBool(c.BlockPublicPolicy)),
		RestrictPublicBuckets: aws.Bool(aws.ToBool(c.RestrictPublicBuckets)),
	}
}

// PublicInputs are the answers the public determination needs.
type PublicInputs struct {
	PublicAccessBlock PublicAccessBlock
	// PolicyKnown false: GetBucketPolicy failed. Policy nil: no policy.
	PolicyKnown bool
	Policy      *string
	// PolicyStatusPublic is AWS's own verdict on the policy (nil: none).
	PolicyStatusPublic *bool
	// ACLKnown false: GetBucketAcl failed.
	ACLKnown bool
	Grants   []types.Grant
}

// Exposure is the result: what the policy and the ACL grant on their own,
// and the effective answer once the public access block is applied.
type Exposure struct {
	ByPolicy, ByACL, Public *bool
}

// DeterminePublic decides whether a bucket is public.
func DeterminePublic(in PublicInputs) Exposure {
	var byPolicy *bool
	switch {
	case in.PolicyStatusPublic != nil:
		byPolicy = aws.Bool(*in.PolicyStatusPublic)
	case !in.PolicyKnown:
		byPolicy = nil
	case in.Policy == nil:
		byPolicy = aws.Bool(false)
	default:
		// AWS gave no verdict (moto answers an empty PolicyStatus): analyse
		// the document ourselves.
		if pub, err := PolicyIsPublic(*in.Policy); err == nil {
			byPolicy = aws.Bool(pub)
		}
	}
	var byACL *bool
	if in.ACLKnown {
		byACL = aws.Bool(GrantsArePublic(in.Grants))
	}
	pab := in.PublicAccessBlock
	public := or3(and3(byPolicy, not3(pab.RestrictPublicBuckets)), and3(byACL, not3(pab.IgnorePublicAcls)))
	return Exposure{ByPolicy: byPolicy, ByACL: byACL, Public: public}
}

// Group grantee URIs that make an ACL grant public.
const (
	AllUsersURI           = "http://acs.amazonaws.com/groups/global/AllUsers"
	AuthenticatedUsersURI = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
)

// GrantsArePublic reports whether an ACL grants anything to everyone
// (AllUsers) or to every AWS account (AuthenticatedUsers).
func GrantsArePublic(grants []types.Grant) bool {
	for _, g := range grants {
		if g.Grantee == nil || g.Grantee.Type != types.TypeGroup {
			continue
		}
		uri := strings.TrimPrefix(strings.TrimPrefix(aws.ToString(g.Grantee.URI), "http://"), "https://")
		if uri == strings.TrimPrefix(AllUsersURI, "http://") || uri == strings.TrimPrefix(AuthenticatedUsersURI, "http://") {
			return true
		}
	}
	return false
}

// PolicyIsPublic is the fallback analysis of a bucket policy when AWS gives
// no PolicyStatus: the policy is public when an Allow statement grants to
// every principal (`"*"`, `{"AWS": "*"}`, or a NotPrincipal) and no
// condition pins the caller to fixed values of a key that AWS counts as
// limiting (source IP other than 0.0.0.0/0, source VPC/endpoint/ARN/account,
// principal account/org/ARN, ...). Conditions on other keys
// (aws:SecureTransport, ...) do not make a statement non-public.
func PolicyIsPublic(text string) (bool, error) {
	var doc struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return false, err
	}
	var stmts []rawStatement
	if t := strings.TrimSpace(string(doc.Statement)); strings.HasPrefix(t, "{") {
		var s rawStatement
		if err := json.Unmarshal(doc.Statement, &s); err != nil {
			return false, err
		}
		stmts = []rawStatement{s}
	} else if t != "" && t != "null" {
		if err := json.Unmarshal(doc.Statement, &stmts); err != nil {
			return false, err
		}
	}
	for _, s := range stmts {
		if s.Effect != "Allow" {
			continue
		}
		everyone := len(s.NotPrincipal) > 0 || principalIsWildcard(s.Principal)
		if everyone && !conditionLimits(s.Condition) {
			return true, nil
		}
	}
	return false, nil
}

type rawStatement struct {
	Effect       string
	Principal    json.RawMessage
	NotPrincipal json.RawMessage
	Condition    map[string]map[string]json.RawMessage
}

// principalIsWildcard: "*", or any principal list (AWS, CanonicalUser, ...)
// containing "*".
func principalIsWildcard(raw json.RawMessage) bool {
	if len(raw) == 0 {
		return false
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s == "*"
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return false
	}
	for _, v := range m {
		for _, p := range stringList(v) {
			if p == "*" {
				return true
			}
		}
	}
	return false
}

func stringList(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		return many
	}
	var anyList []any
	if json.Unmarshal(raw, &anyList) == nil {
		out := make([]string, 0, len(anyList))
		for _, v := range anyList {
			b, _ := json.Marshal(v)
			out = append(out, strings.Trim(string(b), `"`))
		}
		return out
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		if b {
			return []string{"true"}
		}
		return []string{"false"}
	}
	return nil
}

// limitingKeys are the condition keys that, pinned to fixed values, make a
// wildcard-principal statement non-public (S3 "The meaning of public").
var limitingKeys = map[string]bool{
	"aws:sourceip": true, "aws:sourcevpc": true, "aws:sourcevpce": true,
	"aws:sourcearn": true, "aws:sourceaccount": true, "aws:sourceowner": true,
	"aws:sourceorgid": true, "aws:sourceorgpaths": true,
	"aws:principalaccount": true, "aws:principalarn": true, "aws:principalorgid": true,
	"aws:principalorgpaths": true, "aws:userid": true, "aws:username": true,
	"aws:principalservicename": true,
	"s3:dataaccesspointarn":    true, "s3:dataaccesspointaccount": true,
}

// conditionLimits reports whether some condition pins a limiting key to
// values that are not wildcards, with a positive (not negated, not
// IfExists) operator.
func conditionLimits(cond map[string]map[string]json.RawMessage) bool {
	for op, kv := range cond {
		o := strings.ToLower(op)
		if i := strings.Index(o, ":"); i >= 0 { // ForAnyValue:/ForAllValues:
			o = o[i+1:]
		}
		if strings.HasSuffix(o, "ifexists") || strings.Contains(o, "not") || o == "null" {
			continue
		}
		for key, raw := range kv {
			if !limitingKeys[strings.ToLower(key)] {
				continue
			}
			vals := stringList(raw)
			if len(vals) == 0 {
				continue
			}
			limiting := true
			for _, v := range vals {
				if v == "" || v == "*" || v == "0.0.0.0/0" || v == "::/0" {
					limiting = false
				}
			}
			if limiting {
				return true
			}
		}
	}
	return false
}

// Three-valued (Kleene) logic on *bool: nil is unknown.

func not3(a *bool) *bool {
	if a == nil {
		return nil
	}
	return aws.Bool(!*a)
}

func and3(a, b *bool) *bool {
	if (a != nil && !*a) || (b != nil && !*b) {
		return aws.Bool(false)
	}
	if a == nil || b == nil {
		return nil
	}
	return aws.Bool(true)
}

func or3(a, b *bool) *bool {
	if (a != nil && *a) || (b != nil && *b) {
		return aws.Bool(true)
	}
	if a == nil || b == nil {
		return nil
	}
	return aws.Bool(false)
}
