package graph

import "testing"

func TestRelationshipType(t *testing.T) {
	cases := []struct{ from, class, to, want string }{
		{"aws_ec2_instance", "USES", "aws_ec2_volume", "aws_ec2_instance_uses_volume"},
		{"aws_ec2_vpc", "CONTAINS", "aws_ec2_subnet", "aws_ec2_vpc_contains_subnet"},
		{"aws_account", "HAS", "aws_ec2_instance", "aws_account_has_ec2_instance"},
		{"aws_ec2_security_group", "PROTECTS", "aws_ec2_instance", "aws_ec2_security_group_protects_instance"},
		{"aws_ec2_security_group", "ALLOWS", "aws_ec2_security_group", "aws_ec2_security_group_allows_group"},
		{"internet", "ALLOWS", "aws_ec2_security_group", "internet_allows_aws_ec2_security_group"},
		{"aws_iam_user", "IS", "Person", "aws_iam_user_is_Person"},
	}
	for _, c := range cases {
		if got := RelationshipType(c.from, c.class, c.to); got != c.want {
			t.Errorf("RelationshipType(%s,%s,%s) = %s, want %s", c.from, c.class, c.to, got, c.want)
		}
	}
}

func TestDirectKeyAndTags(t *testing.T) {
	a := NewEntity("arn:aws:ec2:us-east-1:111122223333:instance/i-1", "aws_ec2_instance", []string{"Host"}, "i-1")
	a.SetTags(map[string]string{"Name": "web", "env": "prod"})
	if a["displayName"] != "web" || a["tag.env"] != "prod" || a["name"] != "i-1" {
		t.Fatalf("tags not applied: %v", a)
	}
	v := NewEntity("arn:aws:ec2:us-east-1:111122223333:volume/vol-1", "aws_ec2_volume", []string{"DataStore", "Disk"}, "vol-1")
	r := Direct(a, "uses", v, map[string]any{"deviceName": "/dev/xvda"})
	if r.Key() != a.Key()+"|uses|"+v.Key() || r.Class() != "USES" || r.Type() != "aws_ec2_instance_uses_volume" {
		t.Fatalf("bad relationship %v", r)
	}
}

func TestValidate(t *testing.T) {
	e := NewEntity("arn:aws:s3:::bucket-one", "aws_s3_bucket", []string{"DataStore"}, "bucket-one")
	if err := Validate(e); err == nil {
		t.Fatal("DataStore without classification/encrypted accepted")
	}
	e.Set("classification", nil).Set("encrypted", false)
	if err := Validate(e); err != nil {
		t.Fatal(err)
	}
	e["bad/name"] = 1
	if err := Validate(e); err == nil {
		t.Fatal("invalid property name accepted")
	}
	short := NewEntity("short", "aws_x", []string{"Host"}, "x")
	if err := Validate(short); err == nil {
		t.Fatal("short key accepted")
	}
}

func TestValidateAcceptsAWSTagKeys(t *testing.T) {
	e := NewEntity("arn:aws:s3:::bucket-one", "aws_s3_bucket", []string{"DataStore"}, "bucket-one")
	e.Set("classification", nil).Set("encrypted", false)
	e.SetTags(map[string]string{"aws:cloudformation:stack-name": "s", "cost_center": "42", "a/b=c+d@e": "x"})
	if err := Validate(e); err != nil {
		t.Fatal(err)
	}
}

func TestStringsReadsBothListShapes(t *testing.T) {
	e := Entity{"a": []string{"x"}, "b": []any{"y", 1, "z"}, "c": "scalar"}
	if got := e.Strings("a"); len(got) != 1 || got[0] != "x" {
		t.Fatalf("a: %v", got)
	}
	if got := e.Strings("b"); len(got) != 2 || got[1] != "z" {
		t.Fatalf("b: %v", got)
	}
	if e.Strings("c") != nil || e.Strings("missing") != nil {
		t.Fatal("non-lists must read as nil")
	}
}

// An edge to a target named by its key has one key, mapped or direct.
func TestMappedByKeyHasTheDirectKey(t *testing.T) {
	fn := NewEntity("arn:aws:lambda:us-east-1:1:function:f", "aws_lambda_function", []string{"Function"}, "f")
	role := "arn:aws:iam::1:role/r"
	direct := DirectByKey(fn.Key(), fn.Type(), "ASSIGNED", role, "aws_iam_role", nil)
	mapped := Mapped(direct.Type(), "ASSIGNED", fn, Forward, map[string]any{"_type": "aws_iam_role", "_key": role}, []string{"_type", "_key"}, true, nil)
	if mapped.Key() != direct.Key() {
		t.Fatalf("mapped key %q, direct key %q", mapped.Key(), direct.Key())
	}
}

func TestSetOmitsValuelessUnlessRequiredNullable(t *testing.T) {
	e := NewEntity("arn:aws:ec2:x:1:instance/i-1", "aws_ec2_instance", []string{"Host"}, "i-1")
	var none *string
	e.Set("serial", none).Set("publicDnsName", none).Set("description", nil)
	if v, ok := e["serial"]; !ok || v != nil {
		t.Errorf("serial (Host requires it, nullable) = %v, present %v; want null", v, ok)
	}
	for _, p := range []string{"publicDnsName", "description"} {
		if _, ok := e[p]; ok {
			t.Errorf("%s present; a valueless optional property must be omitted", p)
		}
	}
	if c, ok := e["_class"].([]string); !ok || len(c) != 1 || c[0] != "Host" {
		t.Errorf("_class %#v, want a list", e["_class"])
	}
}

func TestTagPropertyNames(t *testing.T) {
	e := NewEntity("arn:aws:ec2:x:1:vpc/vpc-1", "aws_ec2_vpc", []string{"Network"}, "vpc-1")
	tags := map[string]string{"Name": "core", "cost_center": "CC", "cost-center": "other", "aws:cloudformation:stack-name": "s", "a/b": "x"}
	e.SetTags(tags)
	for p, want := range map[string]string{"tag.Name": "core", "tag.cost-center": "other", "tag.cost-center-2": "CC",
		"tag.aws.cloudformation.stack-name": "s", "tag.a.b": "x"} {
		if e[p] != want {
			t.Errorf("%s = %v, want %q", p, e[p], want)
		}
	}
	if got := e.Tags(); len(got) != len(tags) || got["cost_center"] != "CC" || got["a/b"] != "x" || got["cost-center"] != "other" {
		t.Errorf("Tags() = %v, want %v", got, tags)
	}
	if err := Validate(e); err == nil {
		t.Errorf("Validate passed an entity missing Network's required properties")
	}
	e.Set("CIDR", nil).Set("public", false).Set("internal", true)
	if err := Validate(e); err != nil {
		t.Error(err)
	}
}
