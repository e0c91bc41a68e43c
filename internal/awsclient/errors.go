package awsclient

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

// Class is how the collector treats an AWS error (decided once, here).
type Class int

const (
	ClassOther             Class = iota
	ClassRetryable               // throttling, 5xx: retried by the SDK; fatal to the step once attempts run out
	ClassPermission              // the role may not make this call: the step's types become partial
	ClassRegionUnavailable       // the region is not enabled for the account: skipped, types partial
	ClassAbsent                  // "not configured": a normal value, not an error
)

var codeClasses = map[string]Class{
	"Throttling": ClassRetryable, "ThrottlingException": ClassRetryable, "ThrottledException": ClassRetryable,
	"RequestLimitExceeded": ClassRetryable, "TooManyRequestsException": ClassRetryable, "SlowDown": ClassRetryable,
	"RequestThrottled": ClassRetryable, "RequestThrottledException": ClassRetryable, "LimitExceededException": ClassRetryable,
	"ProvisionedThroughputExceededException": ClassRetryable, "InternalError": ClassRetryable, "ServiceUnavailable": ClassRetryable,

	"AccessDenied": ClassPermission, "AccessDeniedException": ClassPermission, "UnauthorizedOperation": ClassPermission,
	"AuthorizationError": ClassPermission, "AuthorizationErrorException": ClassPermission, "Forbidden": ClassPermission,
	"UnauthorizedException": ClassPermission, "AllAccessDisabled": ClassPermission,

	"UnrecognizedClientException": ClassRegionUnavailable, "InvalidClientTokenId": ClassRegionUnavailable,
	"AuthFailure": ClassRegionUnavailable, "OptInRequired": ClassRegionUnavailable,

	"NoSuchBucketPolicy": ClassAbsent, "ServerSideEncryptionConfigurationNotFoundError": ClassAbsent,
	"NoSuchPublicAccessBlockConfiguration": ClassAbsent, "NoSuchTagSet": ClassAbsent, "NoSuchTagSetError": ClassAbsent,
	"OwnershipControlsNotFoundError": ClassAbsent, "NoSuchLifecycleConfiguration": ClassAbsent,
	"NoSuchEntity": ClassAbsent, "ResourceNotFoundException": ClassAbsent, "NotFoundException": ClassAbsent,
}

// ErrorCode returns the AWS error code of err, or "".
func ErrorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// Classify maps an error to its class by AWS error code, never by message text.
func Classify(err error) Class {
	if err == nil {
		return ClassOther
	}
	if c, ok := codeClasses[ErrorCode(err)]; ok {
		return c
	}
	var maxAttempts *retry.MaxAttemptsError
	if errors.As(err, &maxAttempts) {
		return ClassRetryable
	}
	return ClassOther
}

// IsAbsent reports whether err means "this is not configured" (no bucket
// policy, no encryption configuration, ...).
func IsAbsent(err error) bool { return Classify(err) == ClassAbsent }

// RegionError ties an error to the region it happened in.
type RegionError struct {
	Region string
	Err    error
}

func (e *RegionError) Error() string { return e.Region + ": " + e.Err.Error() }
func (e *RegionError) Unwrap() error { return e.Err }

// Permission returns the IAM action (`service:Action`) of the AWS call that
// failed with err, or "" when err did not come from an AWS call.
func Permission(err error) string {
	var opErr *smithy.OperationError
	if !errors.As(err, &opErr) {
		return ""
	}
	prefix := iamPrefix(opErr.ServiceID)
	if prefix == "apigateway" {
		return "apigateway:GET" // API Gateway authorizes by HTTP verb, not operation name
	}
	if a, ok := actionOverrides[prefix+":"+opErr.OperationName]; ok {
		return a
	}
	return prefix + ":" + opErr.OperationName
}

// actionOverrides lists the SDK operations whose IAM action has another name.
var actionOverrides = map[string]string{
	"s3:ListBuckets":                     "s3:ListAllMyBuckets",
	"s3:GetBucketEncryption":             "s3:GetEncryptionConfiguration",
	"s3:GetPublicAccessBlock":            "s3:GetBucketPublicAccessBlock",
	"s3:HeadBucket":                      "s3:ListBucket",
	"lambda:ListFunctions":               "lambda:ListFunctions",
	"s3:GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
}

// iamPrefix turns an SDK service id into its IAM action prefix.
func iamPrefix(serviceID string) string {
	switch serviceID {
	case "Config Service":
		return "config"
	case "API Gateway":
		return "apigateway"
	case "Resource Groups Tagging API":
		return "tag"
	}
	return strings.ToLower(strings.ReplaceAll(serviceID, " ", ""))
}

// Describe explains err for a user: the permission that was refused, the
// region, and a short reason.
func Describe(err error) (permission, region, reason string) {
	var re *RegionError
	if errors.As(err, &re) {
		region = re.Region
	}
	permission = Permission(err)
	code := ErrorCode(err)
	switch Classify(err) {
	case ClassPermission:
		reason = fmt.Sprintf("access denied (%s)", code)
	case ClassRegionUnavailable:
		reason = fmt.Sprintf("region not enabled for this account or credentials not valid there (%s)", code)
	case ClassRetryable:
		reason = "throttled or unavailable after all retries"
		if code != "" {
			reason += " (" + code + ")"
		}
	default:
		reason = err.Error()
		return
	}
	if region != "" {
		reason += " in " + region
	}
	return
}
