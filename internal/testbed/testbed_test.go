package testbed

import (
	"context"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func TestSeedAndCollectSeeSameAccount(t *testing.T) {
	srv := Server(t)
	acct := NewAccountID(t)
	seed := ec2.NewFromConfig(srv.SeedConfig(t, acct, "eu-west-1"))
	if _, err := seed.CreateVpc(context.Background(), &ec2.CreateVpcInput{CidrBlock: strPtr("10.9.0.0/16")}); err != nil {
		t.Fatal(err)
	}
	s := srv.Session(t, acct)
	out, err := ec2.NewFromConfig(s.In("eu-west-1")).DescribeVpcs(context.Background(), &ec2.DescribeVpcsInput{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, v := range out.Vpcs {
		if *v.CidrBlock == "10.9.0.0/16" {
			found = true
		}
	}
	if !found {
		t.Fatalf("seeded VPC not visible to collector session: %d vpcs", len(out.Vpcs))
	}
	if s.Calls.Total() < 3 {
		t.Fatalf("call counter saw %v", s.Calls.Snapshot())
	}
	t.Log(s.Calls.Snapshot())
}

func strPtr(s string) *string { return &s }
