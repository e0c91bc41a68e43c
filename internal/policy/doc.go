// Package policy parses, matches and evaluates AWS IAM policy documents.
//
// It is the policy engine behind awsgraph's "who CAN_ASSUME which role" and
// "what does this policy allow" analyses. It has no AWS SDK and no graph
// dependencies: callers hand it parsed documents and a request, and get a
// three-valued decision back.
//
// # Parsing
//
// [Parse] accepts every documented shape of the policy grammar: Statement as
// an object or an array; Action/NotAction, Resource/NotResource and
// condition values as a string or an array (condition booleans and numbers
// are kept as their JSON text); Principal/NotPrincipal as "*" or a map of
// AWS, Service, Federated and CanonicalUser to a string or an array. Element
// names are case-sensitive and unknown elements are rejected; Effect must be
// exactly "Allow" or "Deny"; unknown condition operators are rejected at
// parse time. Errors are [*ParseError] values naming the statement (1-based)
// and the problem, or the byte offset of a JSON syntax error. Documents from
// IAM APIs are URL-encoded (RFC 3986); [DecodeDocument] and [ParseEncoded]
// decode them with path semantics so that a literal '+' is kept.
//
// # Matching
//
//   - Actions ([MatchAction]): case-insensitive; '*' matches any run of
//     characters including none, '?' exactly one.
//   - Resources ([MatchResource]): case-sensitive, ARN-aware. In the first
//     five colon-separated fields (arn, partition, service, region,
//     account) wildcards stay inside their field, except that a '*' which
//     ends a field (or the whole pattern) may expand across colons, as the
//     IAM User Guide documents; in the resource part '*' and '?' match
//     anything, '/' and ':' included. "*" matches every resource.
//   - ArnEquals/ArnLike ([MatchArn]): the same field rules, but no
//     expansion across fields; a context value that is not an ARN never
//     matches. ArnEquals accepts wildcards like ArnLike (AWS documents both
//     as the same comparison).
//   - Principals: a 12-digit account id and arn:PARTITION:iam::ACCOUNT:root
//     both mean "any principal of that account"; an IAM user, federated
//     user or assumed-role session ARN matches itself; a role ARN matches
//     the role and its sessions (arn:aws:sts::ACCOUNT:assumed-role/NAME/...,
//     compared by role name because session ARNs carry no path). "*" and
//     {"AWS": "*"} match everyone, service principals included. Principal
//     ARNs never contain wildcards in AWS, so an ARN with '*' is compared
//     literally. Service principals compare case-insensitively.
//   - Policy variables (${aws:username}, ${aws:PrincipalTag/x},
//     ${key, 'default'}, and the escapes ${*} ${?} ${$}) are substituted in
//     Resource/NotResource and in the values of string and ARN condition
//     operators, only when Version is "2012-10-17" (otherwise they are
//     literal text). Substituted text is literal (not a wildcard). A
//     variable whose key is absent and has no default matches nothing: in
//     Resource and positive operators that value is skipped; under
//     NotResource and negated operators the "does not match" test fails
//     (AWS: "any attempt to match it fails and causes the statement to be
//     invalid"). A variable whose key is unknown makes the result unknown.
//
// # Conditions
//
// All operator families are supported: String*, Numeric* (exact decimal
// comparison), Date* (ISO 8601 date or date-time, or epoch seconds), Bool,
// BinaryEquals (base64), IpAddress/NotIpAddress (IPv4 and IPv6, CIDR or
// single address), Arn*, Null; the ...IfExists suffix; the ForAnyValue: and
// ForAllValues: set qualifiers. Operators in a block are ANDed, keys under
// an operator are ANDed, values of a key are ORed (NORed for negated
// operators). Condition keys are case-insensitive; values follow the
// operator (StringEquals case-sensitive, ...IgnoreCase not, etc.).
//
// Missing keys follow the IAM User Guide: a positive operator is false, a
// negated operator (NotEquals, NotLike, NotIpAddress, ArnNot*) is true,
// ...IfExists is true (with ForAnyValue too: the IfExists rule is
// unconditional), ForAllValues is true, ForAnyValue is false, Null "true"
// is true. Without a set qualifier an operator compares exactly one context
// value; for a key carrying zero or several values it is false (AWS only
// says multivalued keys require a set operator; we follow the reference
// simulator).
//
// # Three-valued evaluation
//
// A [Context] holds the known condition-key values of a request. A key that
// is absent is known-absent when Context.Decidable says so and unknown
// otherwise. [DefaultDecidable] knows the principal-describing keys
// (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType,
// aws:PrincipalTag/*, aws:username, aws:userid, aws:PrincipalServiceName,
// aws:PrincipalIsAWSService): the caller is expected to supply them, e.g.
// from [PrincipalContext] plus collected tags. Everything chosen by the
// caller of AWS at request time (sts:ExternalId, aws:MultiFactorAuthPresent,
// aws:SourceIp, aws:SourceArn, aws:RequestTag/*, saml:*, ...) and
// organization data (aws:PrincipalOrgID) is unknown unless supplied. For an
// assumed-role session with default decidability, aws:PrincipalArn is
// unknown unless supplied, because the session ARN does not carry the
// role's path.
//
// Conditions evaluate in Kleene logic; an unknown result remembers the keys
// that caused it. [Evaluate] combines the statements and reports:
//
//   - ExplicitlyDenied: a Deny applies unconditionally.
//   - Allowed: the request is allowed and no Deny can apply.
//   - ImplicitlyDenied: the request is not allowed whatever the unknown keys
//     are (a Deny that might apply does not change this).
//   - ConditionallyAllowed: the outcome depends on unknown keys, listed in
//     Result.ConditionKeys: an allow that needs them, a deny that might
//     block ("allowed unless the deny's condition holds"), or both. For a
//     security graph this means "an edge exists if the attacker controls
//     or satisfies these keys".
//
// # Evaluation logic
//
// [Evaluate] follows the IAM User Guide pages "Policy evaluation logic",
// "Determining whether a request is allowed or denied within an account",
// "Cross-account policy evaluation logic" and "Permissions boundaries":
//
//   - An explicit Deny in any policy (identity, resource, boundary, SCP)
//     wins.
//   - SCPs (Input.SCPs, root level first) must allow at every level; a
//     level with no policy denies. They apply to whatever principal they
//     are given, so pass nil for service principals and service-linked
//     roles. RCPs, session policies and VPC endpoint policies are not
//     modelled.
//   - Same account: allowed if the identity policies allow within the
//     permissions boundary, or if the resource policy allows the principal
//     directly. A resource-policy Allow naming the IAM user, the session
//     itself, the federated user, or "*" is not limited by identity policies
//     or the boundary; one naming the role (for the role or its sessions) is
//     limited by the boundary; one naming only the account (root or 12
//     digits) delegates to the identity policies and grants nothing by
//     itself.
//   - Cross account (principal account ≠ resource account): the resource
//     policy must allow the principal (in any way) and the identity
//     policies must allow within the boundary.
//   - Role trust policies (actions sts:AssumeRole, sts:AssumeRoleWithSAML,
//     sts:AssumeRoleWithWebIdentity, sts:TagSession, sts:SetSourceIdentity,
//     sts:SetContext; Input.ResourcePolicy is the trust policy and the
//     resource is the role ARN): the trust policy must always allow. In the
//     same account, a trust policy naming the principal (or its role)
//     suffices within the principal's permissions boundary (unlike other
//     resource policies, a trust policy naming a user is limited by the
//     user's boundary: IAM UG, Update a role trust policy); one naming only
//     the account needs an identity allow too.
//     With no trust policy nobody can assume the role.
//   - Service principals and identity providers (SAML/OIDC provider ARNs,
//     web identity provider names) have no identity policies: the resource
//     or trust policy alone decides.
//   - NotPrincipal leaves out only the principals it names: their own ARN,
//     or a role ARN for the role and its sessions. An account listed there
//     exempts the account root, not the account's other principals (the
//     IAM UG example: NotPrincipal [Bob, Bob's account] denies "all
//     principals except the user named Bob"). A principal named without its
//     account is exempt: the less-denying reading of a page that only says
//     AWS "might" evaluate the account and role separately. A NotPrincipal Deny
//     always applies to a principal that has a permissions boundary, as the
//     permissions-boundaries page states.
//   - A resource or trust policy statement without Principal/NotPrincipal
//     grants nobody. A statement without Resource/NotResource (the usual
//     trust-policy shape) applies to the resource the policy is attached
//     to.
//   - The request's resource account defaults to the ARN's account field;
//     ARNs without one (S3) are taken to be in the principal's account
//     unless Request.ResourceAccount says otherwise.
//   - The account root user is not special-cased: give it the identity
//     policies you want it to have.
//
// # IAM-side rules
//
// Some requests are answered by AWS outside policy evaluation; Evaluate
// applies them after combining the policies (iamrules.go, each rule with the
// AWS passage it rests on; [IAMSideRule] reports them): sts:GetCallerIdentity
// is always allowed, even under an explicit deny; AWS managed policies
// (arn:aws:iam::aws:policy/...) cannot be created, versioned, re-defaulted,
// deleted or tagged (they are read with same-account logic); roles under
// /aws-reserved/ (IAM Identity Center's AWSReservedSSO_*) cannot be
// modified, deleted, tagged or passed; service-linked roles
// (/aws-service-role/) cannot have their policies, trust or boundary changed
// nor be deleted with DeleteRole; aliases under alias/aws/ cannot be
// created, updated or deleted; and a KMS key's policy must allow the
// principal or its account ("Unless the key policy explicitly allows it, you
// cannot use IAM policies to allow access to a KMS key"), as a trust policy
// must. tools/corpusreplay replays iam-simulate's core-engine corpus (not in
// its npm package, so not available in CI) against Evaluate.
//
// # Indexing helper
//
// [Document.PrincipalCandidates] lists the principal patterns (ARN,
// account, service, federated provider, "*", "all except ...") named by the
// Allow statements that cover an action. A graph builder can index trust
// policies by those keys and then confirm each candidate pair with
// [Evaluate] instead of testing every principal against every role.
//
// # Verification
//
// Tests encode examples from the IAM User Guide (named after the page they
// come from), fuzz the parser and the evaluator, and compare [Evaluate]
// with the independent @cloud-copilot/iam-simulate simulator on random
// policies (differential_test.go, tools/iamoracle). Known oracle
// deviations are listed, with the AWS passages that contradict them, in
// testdata/oracle-disagreements.md.
package policy
