// Package instance holds an integration instance's configuration: its fields,
// where they come from (flags, invocation event, environment / .env) and their
// validation, which happens before any AWS call.
package instance

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
)

// Secret is a string that never prints: logs, JSON and fmt all see REDACTED.
type Secret string

func (Secret) String() string               { return "REDACTED" }
func (Secret) GoString() string             { return "REDACTED" }
func (Secret) LogValue() slog.Value         { return slog.StringValue("REDACTED") }
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"REDACTED"`), nil }
func (s Secret) Reveal() string             { return string(s) }
func (s *Secret) UnmarshalJSON(b []byte) error {
	var v string
	err := json.Unmarshal(b, &v)
	*s = Secret(v)
	return err
}

// Config is one integration instance.
type Config struct {
	IntegrationInstanceID string   `json:"integrationInstanceId,omitempty"`
	RoleArn               string   `json:"roleArn"`
	ExternalID            Secret   `json:"externalId"`
	Regions               []string `json:"regions,omitempty"`
	SessionName           string   `json:"sessionName,omitempty"`
	AccountID             string   `json:"accountId,omitempty"`
	// ServiceControlPolicies, set by organization discovery, are the SCPs
	// restricting the account's principals (nil: not known to this run).
	ServiceControlPolicies *SCPs `json:"serviceControlPolicies,omitempty"`
}

// ValidationError is a CONFIG_VALIDATION_ERROR naming the field and the reason.
type ValidationError struct {
	Field  string
	Reason string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("CONFIG_VALIDATION_ERROR: %s: %s", e.Field, e.Reason)
}

// ExitStatus is the CLI's exit status for a configuration failure.
func (e *ValidationError) ExitStatus() int { return 2 }

var (
	roleArnRe     = regexp.MustCompile(`^arn:(aws|aws-us-gov|aws-cn):iam::(\d{12}):role/((?:[\x21-\x7E]+/)*)([\w+=,.@-]{1,64})$`)
	externalIDRe  = regexp.MustCompile(`^[\w+=,.@:/-]+$`) // length (2 to 1224) checked separately: RE2 caps repeat counts at 1000
	sessionNameRe = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	accountIDRe   = regexp.MustCompile(`^\d{12}$`)
)

// Partition returns the partition of the role ARN ("aws", "aws-us-gov", "aws-cn").
func (c Config) Partition() string {
	if m := roleArnRe.FindStringSubmatch(c.RoleArn); m != nil {
		return m[1]
	}
	return "aws"
}

// RoleAccountID returns the 12-digit account of the role ARN.
func (c Config) RoleAccountID() string {
	if m := roleArnRe.FindStringSubmatch(c.RoleArn); m != nil {
		return m[2]
	}
	return ""
}

// InstanceID returns the integration instance id, defaulting to the role ARN
// (stable across runs, so the store updates the same instance).
func (c Config) InstanceID() string {
	if c.IntegrationInstanceID != "" {
		return c.IntegrationInstanceID
	}
	return c.RoleArn
}

// Validate checks every field without calling AWS.
func (c Config) Validate() error {
	switch {
	case c.RoleArn == "":
		return &ValidationError{"roleArn", "is required"}
	case !roleArnRe.MatchString(c.RoleArn):
		return &ValidationError{"roleArn", fmt.Sprintf("%q is not an IAM role ARN (want arn:<aws|aws-us-gov|aws-cn>:iam::<12-digit account>:role/<path/name>)", c.RoleArn)}
	}
	if m := roleArnRe.FindStringSubmatch(c.RoleArn); len(m[3])+len(m[4]) > 512 {
		return &ValidationError{"roleArn", "role path and name exceed 512 characters"}
	}
	ext := c.ExternalID.Reveal()
	switch {
	case ext == "":
		return &ValidationError{"externalId", "is required"}
	case len(ext) < 2 || len(ext) > 1224:
		return &ValidationError{"externalId", fmt.Sprintf("must be 2 to 1224 characters long (got %d)", len(ext))}
	case !externalIDRe.MatchString(ext):
		bad := firstInvalid(ext)
		return &ValidationError{"externalId", fmt.Sprintf("contains %q at position %d; only letters, digits and +=,.@:/- and _ are allowed", bad.r, bad.pos)}
	}
	if c.SessionName != "" && !sessionNameRe.MatchString(c.SessionName) {
		return &ValidationError{"sessionName", "must be 2 to 64 characters of [\\w+=,.@-]"}
	}
	if c.AccountID != "" {
		if !accountIDRe.MatchString(c.AccountID) {
			return &ValidationError{"accountId", fmt.Sprintf("%q is not a 12-digit AWS account id", c.AccountID)}
		}
		if c.AccountID != c.RoleAccountID() {
			return &ValidationError{"accountId", fmt.Sprintf("%s does not match the account %s of roleArn", c.AccountID, c.RoleAccountID())}
		}
	}
	if c.ServiceControlPolicies != nil {
		if err := c.ServiceControlPolicies.validate(); err != nil {
			return err
		}
	}
	part := c.Partition()
	for i, r := range c.Regions {
		if r == "" {
			return &ValidationError{"regions", fmt.Sprintf("entry %d is empty", i)}
		}
		if !slices.Contains(KnownRegions[part], r) {
			return &ValidationError{"regions", unknownRegionReason(r, part)}
		}
	}
	return nil
}

// unknownRegionReason explains a region that is not in the partition: the
// partition it belongs to when it is another's, else the closest known
// region ("did you mean us-east-1?"), else the list.
func unknownRegionReason(r, part string) string {
	msg := fmt.Sprintf("%q is not a known region of partition %s", r, part)
	for p, regions := range KnownRegions {
		if p != part && slices.Contains(regions, r) {
			return msg + fmt.Sprintf(" (it is in partition %s; the role ARN is in %s)", p, part)
		}
	}
	if s := SuggestRegion(r, part); s != "" {
		return msg + fmt.Sprintf(": did you mean %s?", s)
	}
	return msg + fmt.Sprintf(" (known: %s)", strings.Join(KnownRegions[part], ", "))
}

// SuggestRegion returns the known region of the partition closest to r by
// edit distance, or "" when none is close (more than a third of r differs).
// Ties go to the first in KnownRegions' (sorted) order.
func SuggestRegion(r, partition string) string {
	best, bestD := "", 0
	for _, k := range KnownRegions[partition] {
		if d := editDistance(strings.ToLower(r), k); best == "" || d < bestD {
			best, bestD = k, d
		}
	}
	if best == "" || bestD > max(2, len(r)/3) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b (bytes: region
// names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

type badRune struct {
	r   rune
	pos int
}

func firstInvalid(s string) badRune {
	for i, r := range s {
		if !externalIDRe.MatchString(string(r)) {
			return badRune{r, i}
		}
	}
	return badRune{}
}

// KnownRegions lists the regions of each partition (as the AWS SDK's endpoint
// data has them in 2026). A region outside this list is a typo or a partition
// mismatch, caught before any AWS call.
var KnownRegions = map[string][]string{
	"aws": {
		"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
		"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
		"ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1",
		"eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3",
		"il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2",
		"us-west-1", "us-west-2",
	},
	"aws-us-gov": {"us-gov-east-1", "us-gov-west-1"},
	"aws-cn":     {"cn-north-1", "cn-northwest-1"},
}
