package policy

import (
	"strings"
	"testing"
)

func TestRedactSecretsKeepsTheCondition(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},` +
		`"Action":"sts:AssumeRole","Condition":{"StringEquals":{"STS:ExternalId":["s3cr3t-one","s3cr3t-two"]},"StringLike":{"sts:externalid":"s3cr3t-*"}}}]}`
	got := RedactSecrets(doc)
	if strings.Contains(got, "s3cr3t") {
		t.Fatalf("secret left in %s", got)
	}
	if !strings.Contains(got, `"STS:ExternalId":["REDACTED","REDACTED"]`) {
		t.Fatalf("condition shape lost: %s", got)
	}
	d, err := Parse(got)
	if err != nil || len(d.Statements) != 1 || len(d.Statements[0].Conditions) != 2 {
		t.Fatalf("redacted document no longer parses as the same policy: %v %+v", err, d)
	}
}

func TestRedactSecretsLeavesOtherDocumentsVerbatim(t *testing.T) {
	doc := `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"x"}}}]}`
	if got := RedactSecrets(doc); got != doc {
		t.Fatalf("changed: %s", got)
	}
	if got := RedactSecrets(`{not json sts:ExternalId "abc"`); strings.Contains(got, "abc") {
		t.Fatalf("unparsable document with a secret kept: %s", got)
	}
}
