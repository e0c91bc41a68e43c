package awsclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
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
	case "Elastic Load Balancing v2", "Elastic Load Balancing":
		return "elasticloadbalancing" // both versions share one IAM prefix
	}
	return strings.ToLower(strings.ReplaceAll(serviceID, " ", ""))
}

// NotImplemented reports whether err is an endpoint's way of saying it lacks
// the operation: an HTTP 500 or 501 whose body is not the protocol's error
// document (moto answers operations it does not implement with an HTML
// page, which the SDK fails to deserialize). Decided from the error types,
// never from message text.
func NotImplemented(err error) bool {
	var re *smithyhttp.ResponseError
	var de *smithy.DeserializationError
	if !errors.As(err, &re) || !errors.As(err, &de) {
		return false
	}
	code := re.HTTPStatusCode()
	return code == 500 || code == 501
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
	if NotImplemented(err) {
		op := permission
		if op == "" {
			op = "the operation"
		}
		reason = fmt.Sprintf("the endpoint does not implement %s (emulator?)", op)
		if region != "" {
			reason += " in " + region
		}
		return
	}
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

// credentialCodes are the STS answers that mean the credentials awsgraph
// itself runs with (the ones that call sts:AssumeRole) are not valid: not the
// role's trust policy.
var credentialCodes = map[string]bool{
	"InvalidClientTokenId": true, "SignatureDoesNotMatch": true, "ExpiredToken": true,
	"ExpiredTokenException": true, "UnrecognizedClientException": true, "IncompleteSignature": true,
	"InvalidAccessKeyId": true, "MissingAuthenticationToken": true, "AuthFailure": true,
}

// throttleCodes are the error codes of throttling (ClassRetryable also holds
// server errors).
var throttleCodes = map[string]bool{
	"Throttling": true, "ThrottlingException": true, "ThrottledException": true, "RequestLimitExceeded": true,
	"TooManyRequestsException": true, "RequestThrottled": true, "RequestThrottledException": true,
	"SlowDown": true, "LimitExceededException": true, "ProvisionedThroughputExceededException": true,
}

// AuthError is a refused AssumeRole: PROVIDER_AUTHENTICATION_ERROR (exit 2).
// Its message names the likely cause: the role's trust policy or external
// id (AccessDenied), or the credentials awsgraph runs with (invalid or
// expired keys).
type AuthError struct {
	RoleArn string
	Code    string
	Err     error
}

func (e *AuthError) Error() string {
	return fmt.Sprintf("PROVIDER_AUTHENTICATION_ERROR: could not assume role %s: %s (likely cause: %s)", e.RoleArn, shortCause(e.Err), e.Hint())
}

func (e *AuthError) Unwrap() error { return e.Err }

// ExitStatus is the CLI's exit status for an authentication failure.
func (e *AuthError) ExitStatus() int { return 2 }

// Hint is the likely cause of the refusal, in the user's terms.
func (e *AuthError) Hint() string {
	switch {
	case credentialCodes[e.Code]:
		return "the credentials awsgraph itself runs with (AWS_PROFILE, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, ...) are invalid or expired; " +
			"they are the ones that call sts:AssumeRole, so this is not the role's trust policy"
	case Classify(e.Err) == ClassPermission:
		return "the role's trust policy does not trust the calling principal, or the external id does not match the one the trust policy requires"
	}
	return "STS refused the request"
}

// ConnectError is an AssumeRole (or the identity check after it) that did
// not get an answer on the role: STS throttled it out after every retry, or
// the endpoint could not be reached. It is not an authentication failure;
// retrying later may succeed (exit 1).
type ConnectError struct {
	RoleArn string
	// Endpoint is the URL that could not be reached ("" when it answered).
	Endpoint string
	Hint     string
	Err      error
}

func (e *ConnectError) Error() string {
	return fmt.Sprintf("could not assume role %s: %s (%s)", e.RoleArn, shortCause(e.Err), e.Hint)
}

func (e *ConnectError) Unwrap() error { return e.Err }

// assumeRoleError classifies a failed sts:AssumeRole or sts:GetCallerIdentity
// call. endpoint is the configured endpoint override, if any, used when the
// error does not carry the URL it tried.
func assumeRoleError(roleArn, endpoint string, err error) error {
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("assuming role %s: %w", roleArn, err)
	}
	action := Permission(err)
	if action == "" {
		action = "sts:AssumeRole"
	}
	code := ErrorCode(err)
	if code == "" {
		if u, ok := unreachable(err); ok {
			if u == "" {
				u = endpoint
			}
			if u == "" {
				u = "the STS endpoint"
			}
			return &ConnectError{RoleArn: roleArn, Endpoint: u, Err: err,
				Hint: fmt.Sprintf("the endpoint %s could not be reached; check --endpoint-url / AWS_ENDPOINT_URL, DNS and the network, then retry", u)}
		}
	}
	switch {
	case throttleCodes[code]:
		return &ConnectError{RoleArn: roleArn, Err: err, Hint: "AWS throttled " + action + "; retry later"}
	case Classify(err) == ClassRetryable && !credentialCodes[code]:
		return &ConnectError{RoleArn: roleArn, Err: err, Hint: "STS was unavailable after every retry (" + action + "); retry later"}
	}
	return &AuthError{RoleArn: roleArn, Code: code, Err: err}
}

// unreachable reports whether err is a failure to reach the endpoint
// (connection refused, DNS failure, timeout) and returns the endpoint's URL
// (scheme and host) when the error carries it.
func unreachable(err error) (string, bool) {
	var ue *url.Error
	var ne net.Error
	var dns *net.DNSError
	var op *net.OpError
	var send *smithyhttp.RequestSendError
	switch {
	case errors.As(err, &ue):
	case errors.As(err, &dns), errors.As(err, &op), errors.As(err, &send):
		return "", true
	case errors.As(err, &ne) && ne.Timeout():
		return "", true
	default:
		return "", false
	}
	if u, perr := url.Parse(ue.URL); perr == nil && u.Host != "" {
		return u.Scheme + "://" + u.Host, true
	}
	return ue.URL, true
}
