package testbed

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// OrgFacts is what SeedOrg created in moto's Organizations.
type OrgFacts struct {
	Management              string
	RootID, ProdOU, WebOU   string
	Web, Data, Skip, Closed string // member account ids
	DenySCP                 string // policy id attached to ProdOU
}

// DenyAssumeSCP denies sts:AssumeRole to every principal but roles named
// admin-* (the condition the trust analysis must evaluate).
const DenyAssumeSCP = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*",` +
	`"Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/admin-*"}}}]}`

// SeedOrg builds, in the management account mgmt: an organization with SCPs
// enabled, OUs Prod and Prod/Web, members web (in Prod/Web), data (in the
// root), skip (tagged j1-integration: SKIP) and closed (suspended), and an
// SCP denying sts:AssumeRole attached to Prod.
func SeedOrg(t testing.TB, m *Moto, mgmt string) OrgFacts {
	t.Helper()
	ctx := context.Background()
	c := organizations.NewFromConfig(m.SeedConfig(t, mgmt, "us-east-1"))
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seeding %s: %v", what, err)
		}
	}
	_, err := c.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	must("organization", err)
	roots, err := c.ListRoots(ctx, &organizations.ListRootsInput{})
	must("roots", err)
	s := OrgFacts{Management: mgmt, RootID: aws.ToString(roots.Roots[0].Id)}
	_, err = c.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(s.RootID), PolicyType: orgtypes.PolicyTypeServiceControlPolicy})
	must("policy type", err)
	ou := func(parent, name string) string {
		out, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(parent), Name: aws.String(name)})
		must("OU "+name, err)
		return aws.ToString(out.OrganizationalUnit.Id)
	}
	s.ProdOU = ou(s.RootID, "Prod")
	s.WebOU = ou(s.ProdOU, "Web")
	account := func(name string, tags ...orgtypes.Tag) string {
		out, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com"), Tags: tags})
		must("account "+name, err)
		st, err := c.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
		must("account status "+name, err)
		return aws.ToString(st.CreateAccountStatus.AccountId)
	}
	s.Web = account("web")
	s.Data = account("data")
	s.Skip = account("skip", orgtypes.Tag{Key: aws.String("j1-integration"), Value: aws.String("SKIP")})
	s.Closed = account("closed")
	_, err = c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(s.Web), SourceParentId: aws.String(s.RootID), DestinationParentId: aws.String(s.WebOU)})
	must("move", err)
	_, err = c.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(s.Closed)})
	must("close", err)
	pol, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("deny-assume"), Description: aws.String("test"),
		Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(DenyAssumeSCP)})
	must("policy", err)
	s.DenySCP = aws.ToString(pol.Policy.PolicySummary.Id)
	_, err = c.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(s.DenySCP), TargetId: aws.String(s.ProdOU)})
	must("attach", err)
	return s
}
