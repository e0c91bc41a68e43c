package org_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsgraph/awsgraph/internal/testbed"
)

// seededOrg is what seedOrg created in moto's Organizations.
type seededOrg struct {
	management              string
	rootID, prodOU, webOU   string
	web, data, skip, closed string // member account ids
	denySCP                 string // policy id attached to prodOU
}

// denyAssumeSCP denies sts:AssumeRole to every principal but roles named
// admin-* (the condition the trust analysis must evaluate).
const denyAssumeSCP = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*",` +
	`"Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/admin-*"}}}]}`

// seedOrg builds, in the management account mgmt: an organization with SCPs
// enabled, OUs Prod and Prod/Web, members web (in Prod/Web), data (in the
// root), skip (tagged j1-integration: SKIP) and closed (suspended), and an
// SCP denying sts:AssumeRole attached to Prod.
func seedOrg(t *testing.T, m *testbed.Moto, mgmt string) seededOrg {
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
	s := seededOrg{management: mgmt, rootID: aws.ToString(roots.Roots[0].Id)}
	_, err = c.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(s.rootID), PolicyType: orgtypes.PolicyTypeServiceControlPolicy})
	must("policy type", err)
	ou := func(parent, name string) string {
		out, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(parent), Name: aws.String(name)})
		must("OU "+name, err)
		return aws.ToString(out.OrganizationalUnit.Id)
	}
	s.prodOU = ou(s.rootID, "Prod")
	s.webOU = ou(s.prodOU, "Web")
	account := func(name string, tags ...orgtypes.Tag) string {
		out, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com"), Tags: tags})
		must("account "+name, err)
		st, err := c.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
		must("account status "+name, err)
		return aws.ToString(st.CreateAccountStatus.AccountId)
	}
	s.web = account("web")
	s.data = account("data")
	s.skip = account("skip", orgtypes.Tag{Key: aws.String("j1-integration"), Value: aws.String("SKIP")})
	s.closed = account("closed")
	_, err = c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(s.web), SourceParentId: aws.String(s.rootID), DestinationParentId: aws.String(s.webOU)})
	must("move", err)
	_, err = c.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(s.closed)})
	must("close", err)
	pol, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("deny-assume"), Description: aws.String("test"),
		Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(denyAssumeSCP)})
	must("policy", err)
	s.denySCP = aws.ToString(pol.Policy.PolicySummary.Id)
	_, err = c.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(s.denySCP), TargetId: aws.String(s.prodOU)})
	must("attach", err)
	return s
}
