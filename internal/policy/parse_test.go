package policy

import (
	"strings"
	"testing"
)

func TestParseForms(t *testing.T) {
	// IAM UG: "IAM JSON policy element reference" – Statement may be a
	// single object or an array; Action/Resource a string or an array;
	// Principal "*" or a map of AWS/Service/Federated/CanonicalUser.
	d, err := Parse(`{
	  "Version": "2012-10-17",
	  "Id": "x",
	  "Statement": {
	    "Sid": "TrustAll",
	    "Effect": "Allow",
	    "Principal": {"AWS": ["123456789012", "arn:aws:iam::111122223333:root"],
	                  "Service": "lambda.amazonaws.com",
	                  "Federated": "cognito-identity.amazonaws.com",
	                  "CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
	    "Action": "sts:AssumeRole",
	    "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": 3600},
	                  "Bool": {"aws:SecureTransport": true},
	                  "StringEquals": {"sts:ExternalId": ["a", "b"]}}
	  }
	}`)
	if err != nil {
		t.Fatal(err)
	}
	s := d.Statements[0]
	if d.Version != Version2012 || d.ID != "x" || s.Sid != "TrustAll" || s.Effect != Allow {
		t.Fatalf("bad header: %+v %+v", d, s)
	}
	if len(s.Principal.AWS) != 2 || s.Principal.Service[0] != "lambda.amazonaws.com" || len(s.Principal.Federated) != 1 || len(s.Principal.CanonicalUser) != 1 {
		t.Fatalf("principal: %+v", s.Principal)
	}
	if s.ResourceSet || s.NotResourceSet {
		t.Fatal("trust policy statement has no Resource")
	}
	got := map[string][]string{}
	for _, c := range s.Conditions {
		got[c.Operator.Name+" "+c.Key] = c.Values
	}
	if v := got["NumericLessThan aws:MultiFactorAuthAge"]; len(v) != 1 || v[0] != "3600" {
		t.Errorf("number condition value: %v", got)
	}
	if v := got["Bool aws:SecureTransport"]; len(v) != 1 || v[0] != "true" {
		t.Errorf("bool condition value: %v", got)
	}
	if v := got["StringEquals sts:ExternalId"]; len(v) != 2 {
		t.Errorf("list condition value: %v", got)
	}

	d, err = Parse(`{"Statement":[{"Effect":"Deny","NotPrincipal":"*","NotAction":["s3:*"],"NotResource":"arn:aws:s3:::b/*"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	s = d.Statements[0]
	if !s.NotPrincipal.Wildcard || !s.NotActionSet || !s.NotResourceSet || d.Version != "" {
		t.Fatalf("Not* forms: %+v", s)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ name, doc, want string }{
		{"effect case", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"allow","Action":"*","Resource":"*"}]}`,
			`statement 2: Effect "allow" must be "Allow" or "Deny"`},
		{"action and notaction", `{"Statement":{"Effect":"Allow","Action":"*","NotAction":"s3:*","Resource":"*"}}`,
			`statement 1: Action and NotAction both present`},
		{"resource and notresource", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"*"}}`,
			`statement 1: Resource and NotResource both present`},
		{"principal and notprincipal", `{"Statement":{"Effect":"Allow","Action":"*","Principal":"*","NotPrincipal":"*"}}`,
			`Principal and NotPrincipal both present`},
		{"no action", `{"Statement":{"Effect":"Allow","Resource":"*"}}`, `missing Action or NotAction`},
		{"no effect", `{"Statement":{"Action":"*","Resource":"*"}}`, `missing Effect`},
		{"no statement", `{"Version":"2012-10-17"}`, `missing Statement`},
		{"bad version", `{"Version":"2012-10-18","Statement":[]}`, `Version "2012-10-18"`},
		{"syntax", `{"Statement": [}`, `invalid JSON at offset 15`},
		{"truncated", `{"Statement": [`, `invalid JSON at offset`},
		{"trailing", `{"Statement": []} x`, `trailing data`},
		{"not object", `[1]`, `must be a JSON object`},
		{"unknown operator", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualz":{"a":"b"}}}}`,
			`unknown condition operator "StringEqualz"`},
		{"bad qualifier", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForSomeValues:StringEquals":{"a":"b"}}}}`,
			`unknown condition operator "ForSomeValues:StringEquals"`},
		{"null ifexists", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NullIfExists":{"a":"true"}}}}`,
			`Null cannot be combined with IfExists`},
		{"null value", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Null":{"a":"yes"}}}}`,
			`Null takes "true" or "false"`},
		{"condition null value", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"a":null}}}}`,
			`condition value must be a string, boolean or number, got null`},
		{"principal string", `{"Statement":{"Effect":"Allow","Action":"*","Principal":"arn:aws:iam::123456789012:root"}}`,
			`Principal string value must be "*"`},
		{"principal type", `{"Statement":{"Effect":"Allow","Action":"*","Principal":{"User":"x"}}}`,
			`unknown principal type "User"`},
		{"action type", `{"Statement":{"Effect":"Allow","Action":5,"Resource":"*"}}`, `Action must be a string or an array of strings, got a number`},
		{"action form", `{"Statement":{"Effect":"Allow","Action":"GetObject","Resource":"*"}}`, `service:action`},
		{"empty array", `{"Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}`, `Action must not be an empty array`},
		{"unknown element", `{"Statement":{"Effect":"Allow","Action":"*","Resources":"*"}}`, `statement 1: unknown element "Resources"`},
		{"statement type", `{"Statement":"x"}`, `Statement must be an object or an array`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.doc)
			if err == nil {
				t.Fatalf("no error, want %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestDecodeDocument(t *testing.T) {
	// IAM API reference (GetRolePolicy, GetAccountAuthorizationDetails):
	// "The policy document returned in this structure is URL-encoded
	// compliant with RFC 3986": spaces as %20, '+' as %2B or literal.
	cases := []struct{ in, want string }{
		{`{"a":"x+y"}`, `{"a":"x+y"}`},                                         // plain JSON untouched, '+' stays
		{`  {"a":"x"}`, `  {"a":"x"}`},                                         // leading whitespace
		{`%7B%22a%22%3A%22x%20y%22%7D`, `{"a":"x y"}`},                         // %20 is a space
		{`%7B%22a%22%3A%22x%2By%22%7D`, `{"a":"x+y"}`},                         // %2B is '+'
		{`%7B%22a%22%3A%22x+y%22%7D`, `{"a":"x+y"}`},                           // a literal '+' is not a space
		{`%7b%22Version%22%3a%222012-10-17%22%7d`, `{"Version":"2012-10-17"}`}, // lower-case hex
	}
	for _, c := range cases {
		got, err := DecodeDocument(c.in)
		if err != nil || got != c.want {
			t.Errorf("DecodeDocument(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"%7B%zz", "hello"} {
		if _, err := DecodeDocument(bad); err == nil {
			t.Errorf("DecodeDocument(%q): no error", bad)
		}
	}
	d, err := ParseEncoded(`%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22*%22%7D%7D`)
	if err != nil || d.Statements[0].Action[0] != "s3:GetObject" {
		t.Fatalf("ParseEncoded: %v %+v", err, d)
	}
}

func TestParseOperator(t *testing.T) {
	for name, want := range map[string]Operator{
		"StringEquals":                    {Name: "StringEquals", Base: OpStringEquals},
		"stringequalsignorecase":          {Name: "StringEqualsIgnoreCase", Base: OpStringEqualsIgnoreCase},
		"ForAllValues:StringLikeIfExists": {Name: "ForAllValues:StringLikeIfExists", Base: OpStringLike, Set: ForAllValues, IfExists: true},
		"ForAnyValue:ArnNotLike":          {Name: "ForAnyValue:ArnNotLike", Base: OpArnNotLike, Set: ForAnyValue},
		"NotIpAddressIfExists":            {Name: "NotIpAddressIfExists", Base: OpNotIpAddress, IfExists: true},
		"Null":                            {Name: "Null", Base: OpNull},
		"BinaryEquals":                    {Name: "BinaryEquals", Base: OpBinaryEquals},
		"DateGreaterThanEquals":           {Name: "DateGreaterThanEquals", Base: OpDateGreaterThanEquals},
	} {
		got, err := ParseOperator(name)
		if err != nil || got != want {
			t.Errorf("ParseOperator(%q) = %+v, %v; want %+v", name, got, err, want)
		}
	}
	for _, bad := range []string{"", "IfExists", "StringEquality", "ForAnyValue:", "Foo:StringEquals", "NullIfExists"} {
		if _, err := ParseOperator(bad); err == nil {
			t.Errorf("ParseOperator(%q): no error", bad)
		}
	}
}
