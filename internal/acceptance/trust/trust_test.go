// Package trust is the acceptance test of the IAM trust analysis: an IAM
// account with many tricky trust and identity policy combinations is seeded
// in moto, collected by the real awsgraph binary (exactly as a user runs it)
// and its CAN_ASSUME edges are compared with answers worked out by hand from
// docs/contract.md §4.1 and the IAM User Guide, never from the code.
package trust

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/awsgraph/awsgraph/internal/acceptance/j1check"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/sink/j1files"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

func TestMain(m *testing.M) { os.Exit(testbed.Main(m)) }

const (
	foreign1 = "999988887777"
	foreign2 = "111122223333"
)

// edge is what the test compares for one CAN_ASSUME relationship.
type edge struct {
	conditional bool
	keys        string // condition keys, sorted, comma-separated
	via         string // viaAccountTrust: "true", "false" or "-" (absent)
}

func (e edge) String() string {
	return fmt.Sprintf("cond=%v keys=[%s] via=%s", e.conditional, e.keys, e.via)
}

// Hand-derived edge shapes.
var (
	named    = edge{via: "false"} // trust names the principal's ARN
	viaAcct  = edge{via: "true"}  // trust names the account (root / id / "*")
	viaAcctC = func(keys string) edge { return edge{true, keys, "true"} }
	namedC   = func(keys string) edge { return edge{true, keys, "false"} }
)

func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "awsgraph")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/awsgraph/awsgraph/cmd/awsgraph")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func doc(stmts ...map[string]any) string {
	b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": stmts})
	return string(b)
}

type m = map[string]any

// TestTrustAcceptance: see the package comment. Every expected edge carries
// the rule it follows; "contract" is the CAN_ASSUME rules of
// docs/contract.md §4.1, "IAM UG" the IAM User Guide page named.
func TestTrustAcceptance(t *testing.T) {
	t.Parallel()
	srv := testbed.Server(t)
	bin := buildBinary(t)
	acct := testbed.NewAccountID(t)
	ctx := context.Background()
	c := sdkiam.NewFromConfig(srv.SeedConfig(t, acct, "us-east-1"))
	root := "arn:aws:iam::" + acct + ":root"
	arn := func(kind, name string) string { return "arn:aws:iam::" + acct + ":" + kind + "/" + name }
	allow := func(action any, resource string) m {
		return m{"Effect": "Allow", "Action": action, "Resource": resource}
	}

	// ---------------------------------------------------------------- users
	tags := func(kv ...string) []types.Tag {
		var out []types.Tag
		for i := 0; i < len(kv); i += 2 {
			out = append(out, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		return out
	}
	user := func(name, path string, tg []types.Tag) {
		in := &sdkiam.CreateUserInput{UserName: aws.String(name), Tags: tg}
		if path != "" {
			in.Path = aws.String(path)
		}
		must[*sdkiam.CreateUserOutput](t)(c.CreateUser(ctx, in))
	}
	userPolicy := func(userName, name, text string) {
		must[*sdkiam.PutUserPolicyOutput](t)(c.PutUserPolicy(ctx, &sdkiam.PutUserPolicyInput{UserName: aws.String(userName), PolicyName: aws.String(name), PolicyDocument: aws.String(text)}))
	}
	user("alice", "", tags("team", "ops")) // no policy at all
	user("bob", "", tags("team", "dev"))   // may assume team-* roles
	userPolicy("bob", "team", doc(allow("sts:AssumeRole", arn("role", "team-*"))))
	user("carol", "", tags("team", "ops")) // only through group "assumers"
	user("dave", "", nil)                  // allow with NotResource
	userPolicy("dave", "all-but-secret", doc(m{"Effect": "Allow", "Action": "sts:AssumeRole", "NotResource": arn("role", "team-secret")}))
	user("erin", "", nil)  // managed policy whose default v2 allows team-*
	user("frank", "", nil) // managed policy whose old v1 allowed everything
	user("gina", "", nil)  // in "assumers" and "deniers"
	user("hank", "", nil)  // Allow *:*, Deny NotAction s3/ec2
	userPolicy("hank", "admin", doc(allow("*", "*")))
	userPolicy("hank", "only-s3-ec2", doc(m{"Effect": "Deny", "NotAction": []string{"s3:*", "ec2:*"}, "Resource": "*"}))
	user("ivan", "", nil) // team-* only with MFA
	userPolicy("ivan", "team-mfa", doc(m{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arn("role", "team-*"),
		"Condition": m{"Bool": m{"aws:MultiFactorAuthPresent": "true"}}}))
	user("judy", "/eng/", tags("team", "ops")) // path in the ARN; in "assumers"
	user("dev-kim", "", tags("team", "ops"))   // cond-* roles
	userPolicy("dev-kim", "cond", doc(allow("sts:AssumeRole", arn("role", "cond-*"))))
	user("ops-lee", "", tags("team", "dev")) // cond-* roles
	userPolicy("ops-lee", "cond", doc(allow("sts:AssumeRole", arn("role", "cond-*"))))
	user("leo", "", nil) // policy variable: roles named leo-*
	userPolicy("leo", "own", doc(allow("sts:AssumeRole", "arn:aws:iam::"+acct+":role/${aws:username}-*")))

	group := func(name, policy string, members ...string) {
		must[*sdkiam.CreateGroupOutput](t)(c.CreateGroup(ctx, &sdkiam.CreateGroupInput{GroupName: aws.String(name)}))
		must[*sdkiam.PutGroupPolicyOutput](t)(c.PutGroupPolicy(ctx, &sdkiam.PutGroupPolicyInput{GroupName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}))
		for _, u := range members {
			must[*sdkiam.AddUserToGroupOutput](t)(c.AddUserToGroup(ctx, &sdkiam.AddUserToGroupInput{GroupName: aws.String(name), UserName: aws.String(u)}))
		}
	}
	group("assumers", doc(allow("sts:AssumeRole", "*")), "carol", "gina", "judy")
	group("deniers", doc(m{"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}), "gina")

	// Managed policies with a non-v1 default version: only the default
	// version is in force (IAM UG, Versioning IAM policies).
	managed := func(name, v1, v2 string) string {
		p := must[*sdkiam.CreatePolicyOutput](t)(c.CreatePolicy(ctx, &sdkiam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(v1)})).Policy
		if v2 != "" {
			must[*sdkiam.CreatePolicyVersionOutput](t)(c.CreatePolicyVersion(ctx, &sdkiam.CreatePolicyVersionInput{PolicyArn: p.Arn, PolicyDocument: aws.String(v2), SetAsDefault: true}))
		}
		return aws.ToString(p.Arn)
	}
	s3only := doc(allow("s3:GetObject", "*"))
	v2team := managed("AssumeTeamInV2", s3only, doc(allow("sts:AssumeRole", arn("role", "team-*"))))
	v1all := managed("AssumeAllInV1Only", doc(allow("sts:AssumeRole", "*")), s3only)
	must[*sdkiam.AttachUserPolicyOutput](t)(c.AttachUserPolicy(ctx, &sdkiam.AttachUserPolicyInput{UserName: aws.String("erin"), PolicyArn: aws.String(v2team)}))
	must[*sdkiam.AttachUserPolicyOutput](t)(c.AttachUserPolicy(ctx, &sdkiam.AttachUserPolicyInput{UserName: aws.String("frank"), PolicyArn: aws.String(v1all)}))
	boundaryS3 := managed("BoundaryS3Only", doc(allow("s3:*", "*")), "")

	// ---------------------------------------------------------------- roles
	role := func(name string, boundary string, stmts ...map[string]any) {
		in := &sdkiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(doc(stmts...))}
		if boundary != "" {
			in.PermissionsBoundary = aws.String(boundary)
		}
		must[*sdkiam.CreateRoleOutput](t)(c.CreateRole(ctx, in))
	}
	rolePolicy := func(roleName, text string) {
		must[*sdkiam.PutRolePolicyOutput](t)(c.PutRolePolicy(ctx, &sdkiam.PutRolePolicyInput{RoleName: aws.String(roleName), PolicyName: aws.String("p"), PolicyDocument: aws.String(text)}))
	}
	trust := func(principal any, action any, cond map[string]any) map[string]any {
		s := m{"Effect": "Allow", "Principal": principal, "Action": action}
		if cond != nil {
			s["Condition"] = cond
		}
		return s
	}
	awsP := func(v any) m { return m{"AWS": v} }
	ec2 := m{"Service": "ec2.amazonaws.com"}
	const assume = "sts:AssumeRole"

	// Roles that are principals too.
	role("chain-a", "", trust(ec2, assume, nil))
	rolePolicy("chain-a", doc(allow(assume, arn("role", "chain-b"))))
	role("noperm", "", trust(ec2, assume, nil))
	role("bounded", boundaryS3, trust(ec2, assume, nil))
	rolePolicy("bounded", doc(allow(assume, "*")))

	want := map[string]edge{}
	expect := func(from, to string, e edge) { want[from+" -> "+to] = e }
	svc := func(s string) string { return "service-principal:" + s }
	// Who may call sts:AssumeRole on a role by identity policy (within
	// boundary, no explicit deny), per role name:
	//   any role:          carol, judy (group assumers), dave (NotResource
	//                      except team-secret)
	//   team-*:            + bob (inline), erin (managed v2), ivan (only if
	//                      aws:MultiFactorAuthPresent)
	//   cond-*:            + dev-kim, ops-lee
	//   leo-*:             + leo (${aws:username})
	//   never:             alice (no policy), frank (the allow is in v1, not
	//                      the default), gina (group Deny), hank (Deny
	//                      NotAction), bounded (boundary allows only s3:*),
	//                      noperm, chain-a (only chain-b).
	anyRole := func(to string, e edge) {
		expect("user/carol", to, e)
		expect("user/eng/judy", to, e)
		if to != "role/team-secret" {
			expect("user/dave", to, e)
		}
	}
	team := func(to string, e edge, ivan edge) {
		anyRole(to, e)
		expect("user/bob", to, e)
		expect("user/erin", to, e)
		expect("user/ivan", to, ivan)
	}

	// 1. Trust names a same-account user with no identity policy: contract: "A
	// trust that names P's own ARN, P in R's account: no identity
	// permission is needed".
	role("named-alice", "", trust(awsP(arn("user", "alice")), assume, nil))
	expect("user/alice", "role/named-alice", named)

	// 2. Root + alice: alice by name; the account's principals only with an
	// identity allow (contract; IAM UG "Policy evaluation logic": a trust naming
	// the account delegates to identity policies). Wildcard resource team-*.
	role("team-app", "", trust(awsP([]string{root, arn("user", "alice")}), assume, nil))
	expect("user/alice", "role/team-app", named)
	team("role/team-app", viaAcct, viaAcctC("aws:MultiFactorAuthPresent"))

	// 3. Bare account id; dave's NotResource excludes exactly this role.
	role("team-secret", "", trust(awsP(acct), assume, nil))
	team("role/team-secret", viaAcct, viaAcctC("aws:MultiFactorAuthPresent"))

	// 4. Trust Deny for bob + Allow for the account: explicit deny wins.
	role("team-deny-bob", "", trust(awsP(root), assume, nil),
		m{"Effect": "Deny", "Principal": awsP(arn("user", "bob")), "Action": assume})
	team("role/team-deny-bob", viaAcct, viaAcctC("aws:MultiFactorAuthPresent"))
	delete(want, "user/bob -> role/team-deny-bob")

	// 5. Deny NotPrincipal [carol, account]: IAM UG NotPrincipal, "all
	// principals except the user named Bob in account 444455556666 are
	// explicitly denied" for NotPrincipal [Bob, account root]: only carol
	// is not denied; the account ARN does not exempt its other users.
	role("team-notprincipal", "", trust(awsP(root), assume, nil),
		m{"Effect": "Deny", "NotPrincipal": awsP([]string{arn("user", "carol"), root}), "Action": assume})
	expect("user/carol", "role/team-notprincipal", viaAcct)

	// 6. Named directly but an explicit Deny in a group policy: IAM UG
	// "an explicit deny in any policy overrides any allows".
	role("named-gina", "", trust(awsP(arn("user", "gina")), assume, nil))
	// 7. Named directly but a Deny with NotAction covers sts:AssumeRole.
	role("named-hank", "", trust(awsP(arn("user", "hank")), assume, nil))

	// 8. aws:PrincipalTag decided from the user's tags (contract: decidable).
	role("cond-tag", "", trust(awsP(root), assume, m{"StringEquals": m{"aws:PrincipalTag/team": "ops"}}))
	for _, u := range []string{"user/carol", "user/eng/judy", "user/dev-kim"} { // ops; dave untagged, ops-lee dev
		expect(u, "role/cond-tag", viaAcct)
	}
	// 9. ArnLike aws:PrincipalArn user/dev-*.
	role("cond-arn", "", trust(awsP(root), assume, m{"ArnLike": m{"aws:PrincipalArn": arn("user", "dev-*")}}))
	expect("user/dev-kim", "role/cond-arn", viaAcct)
	// 10. aws:username.
	role("cond-username", "", trust(awsP(root), assume, m{"StringEquals": m{"aws:username": "ops-lee"}}))
	expect("user/ops-lee", "role/cond-username", viaAcct)
	// 11. StringNotEquals on a tag: an absent tag satisfies a negated
	// operator (IAM UG condition operators: a missing key makes
	// ...NotEquals true), so untagged dave is in, ops-lee (dev) is out.
	role("cond-nottag", "", trust(awsP(root), assume, m{"StringNotEquals": m{"aws:PrincipalTag/team": "dev"}}))
	for _, u := range []string{"user/carol", "user/eng/judy", "user/dev-kim", "user/dave"} {
		expect(u, "role/cond-nottag", viaAcct)
	}
	// 12. A decidable and an undecidable key in one block (ANDed): the tag
	// decides who, the edge stays conditional on sts:ExternalId only.
	role("cond-mixed", "", trust(awsP(root), assume, m{"StringEquals": m{"aws:PrincipalTag/team": "ops", "sts:ExternalId": "x1"}}))
	for _, u := range []string{"user/carol", "user/eng/judy", "user/dev-kim"} {
		expect(u, "role/cond-mixed", viaAcctC("sts:ExternalId"))
	}

	// 13-16. Conditions only the caller decides: conditional edges (contract).
	role("ext-alice", "", trust(awsP(arn("user", "alice")), assume, m{"StringEquals": m{"sts:ExternalId": "e"}}))
	expect("user/alice", "role/ext-alice", namedC("sts:ExternalId"))
	role("mfa-alice", "", trust(awsP(arn("user", "alice")), assume, m{"Bool": m{"aws:MultiFactorAuthPresent": "true"}}))
	expect("user/alice", "role/mfa-alice", namedC("aws:MultiFactorAuthPresent"))
	role("mfaifexists-alice", "", trust(awsP(arn("user", "alice")), assume, m{"BoolIfExists": m{"aws:MultiFactorAuthPresent": "true"}}))
	expect("user/alice", "role/mfaifexists-alice", namedC("aws:MultiFactorAuthPresent"))
	role("ip-alice", "", trust(awsP(arn("user", "alice")), assume, m{"IpAddress": m{"aws:SourceIp": "203.0.113.0/24"}}))
	expect("user/alice", "role/ip-alice", namedC("aws:SourceIp"))

	// 17. A trust Deny on an undecidable key: allowed unless it holds.
	role("team-mfa-deny", "", trust(awsP(root), assume, nil),
		m{"Effect": "Deny", "Principal": awsP(root), "Action": assume, "Condition": m{"BoolIfExists": m{"aws:MultiFactorAuthPresent": "false"}}})
	team("role/team-mfa-deny", viaAcctC("aws:MultiFactorAuthPresent"), viaAcctC("aws:MultiFactorAuthPresent"))

	// 18. Policy variable in the identity policy's Resource.
	role("leo-admin", "", trust(awsP(root), assume, nil))
	expect("user/leo", "role/leo-admin", viaAcct)
	anyRole("role/leo-admin", viaAcct)

	// 19. Role chaining: chain-a's policy allows chain-b, whose trust names
	// chain-a. 20. A role named in a trust needs no identity allow in its
	// own account (contract), 21. but its boundary limits it (IAM UG Policy
	// evaluation logic: a grant to a role ARN is limited by the boundary).
	role("chain-b", "", trust(awsP(arn("role", "chain-a")), assume, nil))
	expect("role/chain-a", "role/chain-b", named)
	role("chain-c", "", trust(awsP(arn("role", "noperm")), assume, nil))
	expect("role/noperm", "role/chain-c", named)
	role("chain-d", "", trust(awsP(arn("role", "bounded")), assume, nil))

	// 22-24. Service principals: the trust alone decides.
	role("svc-one", "", trust(m{"Service": "lambda.amazonaws.com"}, assume, nil))
	expect(svc("lambda.amazonaws.com"), "role/svc-one", named)
	role("svc-two", "", trust(m{"Service": []string{"ec2.amazonaws.com", "lambda.amazonaws.com"}}, assume, nil))
	expect(svc("ec2.amazonaws.com"), "role/svc-two", named)
	expect(svc("lambda.amazonaws.com"), "role/svc-two", named)
	role("svc-cond", "", trust(m{"Service": "lambda.amazonaws.com"}, assume, m{"StringEquals": m{"aws:SourceAccount": acct}}))
	expect(svc("lambda.amazonaws.com"), "role/svc-cond", namedC("aws:SourceAccount"))
	// the ec2 trusts of chain-a, noperm and bounded:
	for _, r := range []string{"chain-a", "noperm", "bounded"} {
		expect(svc("ec2.amazonaws.com"), "role/"+r, named)
	}

	// 25-26. Federated providers with their claims as conditions.
	saml := arn("saml-provider", "Okta")
	role("saml", "", trust(m{"Federated": saml}, "sts:AssumeRoleWithSAML", m{"StringEquals": m{"SAML:aud": "https://signin.aws.amazon.com/saml"}}))
	expect("saml-provider/Okta", "role/saml", namedC("SAML:aud"))
	oidc := arn("oidc-provider", "token.actions.githubusercontent.com")
	role("oidc", "", trust(m{"Federated": oidc}, "sts:AssumeRoleWithWebIdentity", m{
		"StringEquals": m{"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
		"StringLike":   m{"token.actions.githubusercontent.com:sub": "repo:org/*"}}))
	expect("oidc-provider/token.actions.githubusercontent.com", "role/oidc", namedC("token.actions.githubusercontent.com:aud,token.actions.githubusercontent.com:sub"))
	// 27. An AWS principal trusted only for AssumeRoleWithWebIdentity cannot
	// call sts:AssumeRole (the statement does not cover the action).
	role("webid-aws", "", trust(awsP(root), "sts:AssumeRoleWithWebIdentity", nil))

	// 28-31. Cross-account principals → mapped edges (contract).
	role("x-role", "", trust(awsP("arn:aws:iam::"+foreign1+":role/ci"), assume, nil))
	expect("arn:aws:iam::"+foreign1+":role/ci", "role/x-role", named)
	role("x-acct-id", "", trust(awsP(foreign1), assume, m{"StringEquals": m{"sts:ExternalId": "vendor"}}))
	expect("arn:aws:iam::"+foreign1+":root", "role/x-acct-id", viaAcctC("sts:ExternalId"))
	role("x-root", "", trust(awsP("arn:aws:iam::"+foreign2+":root"), assume, nil))
	expect("arn:aws:iam::"+foreign2+":root", "role/x-root", viaAcct)
	role("x-user", "", trust(awsP("arn:aws:iam::"+foreign2+":user/ext"), assume, nil))
	expect("arn:aws:iam::"+foreign2+":user/ext", "role/x-user", named)

	// 32-35. "*": the contract counts it as a trust through the account (identity
	// permission needed for collected principals); any principal elsewhere
	// → Everyone.
	role("star", "", trust("*", assume, nil))
	expect("global:everyone", "role/star", viaAcct)
	anyRole("role/star", viaAcct)
	role("star-aws-org", "", trust(awsP("*"), assume, m{"StringEquals": m{"aws:PrincipalOrgID": "o-abc123"}}))
	expect("global:everyone", "role/star-aws-org", viaAcctC("aws:PrincipalOrgID"))
	anyRole("role/star-aws-org", viaAcctC("aws:PrincipalOrgID"))
	// Restricted to this (collected) account: every principal outside it is
	// denied, so no Everyone edge; collected ones by identity policy.
	role("star-own-acct", "", trust("*", assume, m{"StringEquals": m{"aws:PrincipalAccount": acct}}))
	anyRole("role/star-own-acct", viaAcct)
	// Restricted to a foreign account: that account's principals (mapped).
	role("star-foreign-acct", "", trust(awsP("*"), assume, m{"StringEquals": m{"aws:PrincipalAccount": foreign1}}))
	expect("arn:aws:iam::"+foreign1+":root", "role/star-foreign-acct", viaAcct)

	// 36-39. Action shapes.
	role("act-list", "", trust(awsP(arn("user", "alice")), []string{"sts:AssumeRole", "sts:TagSession"}, nil))
	expect("user/alice", "role/act-list", named)
	role("act-star", "", trust(awsP(arn("user", "alice")), "sts:*", nil))
	expect("user/alice", "role/act-star", named)
	role("act-tag-only", "", trust(awsP(arn("user", "alice")), "sts:TagSession", nil))
	role("act-case", "", trust(awsP(arn("user", "alice")), "STS:assumerole", nil))
	expect("user/alice", "role/act-case", named)

	// 40. A user with a path, named by its full ARN.
	role("named-path", "", trust(awsP(arn("user", "eng/judy")), assume, nil))
	expect("user/eng/judy", "role/named-path", named)

	// ------------------------------------------------------------- collect
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	cmd := exec.Command(bin, "collect", "--role-arn", testbed.RoleArn(acct), "--external-id", testbed.ExternalID,
		"--regions", "us-east-1", "--endpoint-url", srv.URL, "--output", out, "--no-db")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "AWS_ACCESS_KEY_ID=testkey", "AWS_SECRET_ACCESS_KEY=testsecret",
		"AWS_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true"}
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("awsgraph collect: %v\n%s", err, b)
	}
	ents, rels, err := j1files.ReadGraph(out)
	if err != nil {
		t.Fatal(err)
	}
	// The same graph, checked with JupiterOne's own data model
	// (tools/j1validate): the trust analysis' own entities (Everyone, the
	// service principals, identity providers) must validate too.
	t.Run("ConformsToDataModel", func(t *testing.T) {
		r := j1check.Check(t, out)
		for _, typ := range []string{"aws_iam_user", "aws_iam_role", "everyone", "aws_iam_service_principal"} {
			if r.Entities.TotalByType[typ] == 0 {
				t.Errorf("no %s entity in the trust graph: the check would be vacuous for it", typ)
			}
		}
	})
	entities := map[string]graph.Entity{}
	for _, e := range ents {
		entities[e.Key()] = e
	}

	short := func(k string) string { return strings.TrimPrefix(k, "arn:aws:iam::"+acct+":") }
	got := map[string]edge{}
	for _, r := range rels {
		if r.Class() != "CAN_ASSUME" {
			continue
		}
		from, to := r.FromKey(), r.ToKey()
		if mp := r.Mapping(); mp != nil {
			// Mapped (docs/contract.md §4.1, "Principals outside the collected account"):
			// REVERSE, the role is the source, the foreign principal the
			// target, placeholders allowed.
			tk, _ := mp.TargetEntity["_key"].(string)
			from, to = tk, mp.SourceEntityKey
			ttype, _ := mp.TargetEntity["_type"].(string)
			wantType, wantFilter := "aws_account", []string{"_type", "accountId"}
			switch {
			case strings.Contains(tk, ":role/"):
				wantType, wantFilter = "aws_iam_role", []string{"_key"}
			case strings.Contains(tk, ":user/"):
				wantType, wantFilter = "aws_iam_user", []string{"_key"}
			}
			if mp.RelationshipDirection != "REVERSE" || ttype != wantType || mp.SkipTargetCreation ||
				!reflect.DeepEqual(mp.TargetFilterKeys, [][]string{wantFilter}) {
				t.Errorf("mapped %s -> %s: direction %s, target type %s, filter %v, skip %v", tk, to, mp.RelationshipDirection, ttype, mp.TargetFilterKeys, mp.SkipTargetCreation)
			}
			if wantType == "aws_account" && mp.TargetEntity["accountId"] != strings.Split(tk, ":")[4] {
				t.Errorf("mapped account target %v", mp.TargetEntity)
			}
		} else if entities[from] == nil || entities[to] == nil {
			t.Errorf("CAN_ASSUME %s -> %s: endpoint not in the graph", from, to)
		}
		e := edge{via: "-"}
		e.conditional, _ = r["conditional"].(bool)
		if v, ok := r["viaAccountTrust"].(bool); ok {
			e.via = fmt.Sprint(v)
		}
		keys, ok := graph.SplitList(r["conditionKeys"])
		if _, text := r["conditionKeys"].(string); !ok || !text {
			t.Errorf("%s -> %s: conditionKeys %#v is not a JSON-text list (docs/contract.md §3)", from, to, r["conditionKeys"])
		}
		if !sort.StringsAreSorted(keys) {
			t.Errorf("%s -> %s: conditionKeys not sorted: %v", from, to, keys)
		}
		e.keys = strings.Join(keys, ",")
		if e.conditional != (e.keys != "") {
			t.Errorf("%s -> %s: conditional %v with keys %q", from, to, e.conditional, e.keys)
		}
		k := short(from) + " -> " + short(to)
		if _, dup := got[k]; dup {
			t.Errorf("duplicate CAN_ASSUME %s", k)
		}
		got[k] = e
	}

	// Federated and service edges name the STS action they stand for.
	for _, r := range rels {
		if r.Class() == "CAN_ASSUME" && r.FromKey() == saml {
			if a, _ := graph.SplitList(r["actions"]); len(a) != 1 || a[0] != "sts:AssumeRoleWithSAML" {
				t.Errorf("SAML edge actions %v", r["actions"])
			}
		}
	}

	var keys []string
	for k := range want {
		keys = append(keys, k)
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		w, wok := want[k]
		g, gok := got[k]
		switch {
		case !gok:
			t.Errorf("MISSING  %s  (want %v)", k, w)
		case !wok:
			t.Errorf("EXTRA    %s  (%v): AWS would deny", k, g)
		case g != w:
			t.Errorf("WRONG    %s: got %v, want %v", k, g, w)
		}
	}
	if len(want) < 60 {
		t.Fatalf("only %d expected edges: the scenario table is broken", len(want))
	}
	checkTrusts(t, acct, entities, rels)
}

// checkTrusts: TRUSTS, role → principal, records each trust policy as
// written (docs/contract.md §4.1). Every relationship passes the JupiterOne
// rules (scalar properties, data-model class); every principal an Allow
// statement of a collected role's trust names by account, user or role ARN
// of this account has its TRUSTS edge; and every CAN_ASSUME rests on a
// TRUSTS from its role to the principal, its account or Everyone — the
// identity side alone never gives AssumeRole: the trust policy must allow
// the principal or its account (see internal/analysis/trust, trusts_test.go).
func checkTrusts(t *testing.T, acct string, entities map[string]graph.Entity, rels []graph.Relationship) {
	t.Helper()
	trusted := map[string]bool{}
	n := 0
	for _, r := range rels {
		if err := graph.ValidateRelationship(r); err != nil {
			t.Error(err)
		}
		if r.Class() != "TRUSTS" {
			continue
		}
		n++
		role, target := r.FromKey(), r.ToKey()
		if mp := r.Mapping(); mp != nil {
			role = mp.SourceEntityKey
			target, _ = mp.TargetEntity["_key"].(string)
			if mp.RelationshipDirection != "FORWARD" {
				t.Errorf("mapped TRUSTS %s: direction %s, want FORWARD (role → principal)", r.Key(), mp.RelationshipDirection)
			}
		} else if entities[role] == nil || entities[target] == nil {
			t.Errorf("TRUSTS %s: endpoint not in the graph", r.Key())
		}
		if entities[role].Type() != "aws_iam_role" || r["effect"] != "Allow" {
			t.Errorf("TRUSTS %s: from %s, effect %v", r.Key(), entities[role].Type(), r["effect"])
		}
		trusted[role+"|"+target] = true
	}
	// As written: account roots / ids and this account's users and roles
	// named in Allow statements, read here with encoding/json.
	for _, e := range entities {
		if e.Type() != "aws_iam_role" {
			continue
		}
		text, _ := e["assumeRolePolicyDocument"].(string)
		var d struct {
			Statement []struct {
				Effect    string
				Principal json.RawMessage
				Action    any
			}
		}
		if json.Unmarshal([]byte(text), &d) != nil {
			continue // URL-encoded or one statement object: covered by the analysis tests
		}
		for _, st := range d.Statement {
			var p struct{ AWS any }
			if st.Effect != "Allow" || !coversAssume(st.Action) || json.Unmarshal(st.Principal, &p) != nil {
				continue
			}
			var vals []string
			switch v := p.AWS.(type) {
			case string:
				vals = []string{v}
			case []any:
				for _, x := range v {
					vals = append(vals, fmt.Sprint(x))
				}
			}
			for _, v := range vals {
				if v == acct {
					v = "arn:aws:iam::" + acct + ":root"
				}
				if strings.HasPrefix(v, "arn:aws:iam::"+acct+":") && entities[v] != nil && !trusted[e.Key()+"|"+v] {
					t.Errorf("role %s trusts %s as written, no TRUSTS edge", e.Key(), v)
				}
			}
		}
	}
	for _, r := range rels {
		if r.Class() != "CAN_ASSUME" {
			continue
		}
		principal, role := r.FromKey(), r.ToKey()
		if mp := r.Mapping(); mp != nil {
			principal, _ = mp.TargetEntity["_key"].(string)
			role = mp.SourceEntityKey
		}
		acctRoot := ""
		if parts := strings.SplitN(principal, ":", 6); len(parts) == 6 {
			acctRoot = "arn:" + parts[1] + ":iam::" + parts[4] + ":root"
		}
		if !trusted[role+"|"+principal] && !trusted[role+"|"+acctRoot] && !trusted[role+"|global:everyone"] {
			t.Errorf("CAN_ASSUME %s -> %s without a TRUSTS from the role to the principal, its account or Everyone", principal, role)
		}
	}
	if n == 0 {
		t.Error("no TRUSTS edges")
	}
	t.Logf("%d TRUSTS edges", n)
}

// coversAssume: an Action element (string or list) that covers
// sts:AssumeRole (a trust allowing only sts:TagSession trusts nobody).
func coversAssume(action any) bool {
	var list []string
	switch v := action.(type) {
	case string:
		list = []string{v}
	case []any:
		for _, x := range v {
			list = append(list, fmt.Sprint(x))
		}
	}
	for _, a := range list {
		a = strings.ToLower(a)
		if a == "*" || a == "sts:assumerole" || (strings.HasSuffix(a, "*") && strings.HasPrefix("sts:assumerole", strings.TrimSuffix(a, "*"))) {
			return true
		}
	}
	return false
}
