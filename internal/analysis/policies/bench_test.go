package policies

import (
	"fmt"
	"strings"
	"testing"

	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
)

// syntheticPolicies builds an account with nRes resources (half buckets,
// half instances in 4 regions) and nPol managed policies of 10 statements:
// object and bucket ARNs of named buckets, bucket-name wildcards, instance
// ARNs and region-wide instance wildcards, a "*" statement, a Deny, a
// NotAction, an uncollected resource and an action list with wildcards.
func syntheticPolicies(tb testing.TB, nPol, nRes int) *engine.Job {
	j := engine.NewJob()
	must := func(err error) {
		if err != nil {
			tb.Fatal(err)
		}
	}
	a := graph.NewEntity(acctKey, AccountType, []string{"Account"}, acct)
	a.Set("accountId", acct).Set("vendor", "AWS")
	must(j.AddEntity(a))
	regions := []string{"us-east-1", "us-west-2", "eu-west-1", "ap-south-1"}
	for i := 0; i < nRes/2; i++ {
		b := graph.NewEntity(fmt.Sprintf("arn:aws:s3:::team%03d-bucket%05d", i%200, i), "aws_s3_bucket", []string{"DataStore"}, "b")
		b.Set("classification", nil).Set("encrypted", true)
		must(j.AddEntity(b))
		in := graph.NewEntity(fmt.Sprintf("arn:aws:ec2:%s:%s:instance/i-%017d", regions[i%4], acct, i), "aws_ec2_instance", []string{"Host"}, "i")
		setHostNulls(in)
		must(j.AddEntity(in))
	}
	for p := 0; p < nPol; p++ {
		b := func(k int) int { return (p*37 + k*101) % (nRes / 2) }
		stmts := []string{
			fmt.Sprintf(`{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::team%03d-bucket%05d/*"}`, b(1)%200, b(1)),
			fmt.Sprintf(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:aws:s3:::team%03d-bucket%05d","arn:aws:s3:::team%03d-bucket%05d"]}`, b(2)%200, b(2), b(3)%200, b(3)),
			fmt.Sprintf(`{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::team%03d-*"}`, p%200),
			fmt.Sprintf(`{"Effect":"Allow","Action":["ec2:StartInstances","ec2:StopInstances"],"Resource":"arn:aws:ec2:%s:%s:instance/i-%017d"}`, regions[b(4)%4], acct, b(4)),
			fmt.Sprintf(`{"Effect":"Allow","Action":"ec2:RebootInstances","Resource":"arn:aws:ec2:%s:%s:instance/i-0000000000000%02d*","Condition":{"StringEquals":{"aws:ResourceTag/team":"t%d"}}}`, regions[p%4], acct, p%100, p),
			`{"Effect":"Allow","Action":["ec2:Describe*","cloudwatch:Get*"],"Resource":"*"}`,
			fmt.Sprintf(`{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::team%03d-bucket%05d"}`, b(5)%200, b(5)),
			`{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`,
			`{"Effect":"Allow","Action":"dynamodb:Query","Resource":"arn:aws:dynamodb:us-east-1:` + acct + `:table/orders"}`,
			fmt.Sprintf(`{"Effect":"Allow","Action":"s3:PutObjectTagging","Resource":"arn:aws:s3:::team%03d-bucket%05d/logs/*"}`, b(6)%200, b(6)),
		}
		e := graph.NewEntity(fmt.Sprintf("arn:aws:iam::%s:policy/p%05d", acct, p), ManagedPolicyType, []string{"AccessPolicy"}, "p")
		e.Set("accountId", acct).Set("document", `{"Version":"2012-10-17","Statement":[`+strings.Join(stmts, ",")+`]}`)
		must(j.AddEntity(e))
	}
	return j
}

func BenchmarkPolicies2000x10Over20000Resources(b *testing.B) {
	j := syntheticPolicies(b, 2000, 20000)
	b.ResetTimer()
	var res *Result
	for b.Loop() {
		res = Analyze(j, testTargets)
	}
	b.ReportMetric(float64(len(res.Relationships)), "edges")
}

func TestSyntheticPoliciesAddUp(t *testing.T) {
	j := syntheticPolicies(t, 300, 2000) // over the parallel threshold
	res := Analyze(j, testTargets)
	for _, r := range res.Relationships {
		if err := j.AddRelationship(r); err != nil {
			t.Fatal(err)
		}
	}
	if res.Counts["policiesAnalyzed"] != 300 || res.Counts["unmatchedResourcePatterns"] < 50 {
		t.Errorf("counts %v", res.Counts)
	}
}
