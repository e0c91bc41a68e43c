package policy

import (
	"testing"
)

var fuzzSeeds = []string{
	`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/${aws:username}/*"}}`,
	`{"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":["111122223333","arn:aws:iam::111122223333:user/Bob"]},"NotAction":"s3:*","NotResource":"*"}]}`,
	`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"ForAllValues:StringLikeIfExists":{"aws:TagKeys":["a*",1,true]},"Null":{"x":"true"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"DateLessThan":{"aws:CurrentTime":"2024-01-01"}}}}`,
	`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":"${aws:PrincipalTag/t, 'd'}${*}${?}${$}"}}}}`,
	`%7B%22Statement%22%3A%5B%5D%7D`,
	`{"Statement": [}`,
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		d, err := Parse(text)
		if err == nil {
			for _, s := range d.Statements {
				if s.Effect != Allow && s.Effect != Deny {
					t.Fatalf("bad effect %q", s.Effect)
				}
				if s.NotActionSet == (len(s.Action) > 0) {
					t.Fatalf("Action/NotAction both or neither: %+v", s)
				}
				if s.ResourceSet && s.NotResourceSet {
					t.Fatal("Resource and NotResource")
				}
			}
			_ = d.PrincipalCandidates("")
		} else if err.Error() == "" {
			t.Fatal("empty error message")
		}
		_, _ = ParseEncoded(text)
	})
}

func FuzzEvaluate(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, "s3:GetObject", "arn:aws:s3:::b/alice/x", "arn:aws:iam::111122223333:user/alice", "aws:username", "alice")
	}
	f.Add(`{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/r"},"Action":"sts:*"}}`, "sts:AssumeRole", "arn:aws:iam::2:role/t", "arn:aws:sts::1:assumed-role/r/s", "sts:ExternalId", "x")
	f.Fuzz(func(t *testing.T, text, action, resource, principal, key, val string) {
		_ = MatchAction(text, action)
		_ = MatchResource(text, resource)
		_ = MatchArn(text, resource)
		_ = MatchString(text, val)
		d, err := Parse(text)
		if err != nil {
			return
		}
		ctx := Context{Values: map[string][]string{key: {val}}}
		req := Request{Principal: principal, Action: action, Resource: resource, Context: ctx}
		for _, in := range []Input{
			{IdentityPolicies: []*Document{d}},
			{ResourcePolicy: d, PermissionBoundaries: []*Document{d}},
			{IdentityPolicies: []*Document{d}, ResourcePolicy: d, SCPs: [][]*Document{{d}, nil}},
		} {
			r := Evaluate(in, req)
			if r.Decision == ConditionallyAllowed && len(r.ConditionKeys) == 0 {
				t.Fatal("ConditionallyAllowed without keys")
			}
			if r.Decision != ConditionallyAllowed && len(r.ConditionKeys) != 0 {
				t.Fatal("keys without ConditionallyAllowed")
			}
		}
	})
}
