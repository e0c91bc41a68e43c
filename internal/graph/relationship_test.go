package graph

import (
	"reflect"
	"testing"
)

func TestJoinSplitList(t *testing.T) {
	for _, in := range [][]string{
		nil,
		{},
		{"s3:GetObject"},
		{"s3:GetObject", "s3:PutObject"},
		// Values a separator-joined encoding could not keep apart: S3 object
		// keys (and so Resource ARNs) may hold , | spaces, quotes, newlines.
		{"arn:aws:s3:::b/a,b", "arn:aws:s3:::b/x|y", "arn:aws:s3:::b/q\"uote\\", "arn:aws:s3:::b/line\nbreak", ""},
	} {
		s := JoinList(in)
		out, ok := SplitList(s)
		if !ok {
			t.Fatalf("SplitList(%q) failed", s)
		}
		want := in
		if want == nil {
			want = []string{}
		}
		if !reflect.DeepEqual(out, want) {
			t.Errorf("round trip %q -> %q -> %q", in, s, out)
		}
	}
	if s := JoinList([]string{"sts:AssumeRole", "sts:TagSession"}); s != `["sts:AssumeRole","sts:TagSession"]` {
		t.Errorf("JoinList = %s", s)
	}
	if v, ok := SplitList([]any{"a", "b"}); !ok || !reflect.DeepEqual(v, []string{"a", "b"}) {
		t.Errorf("SplitList([]any) = %v %v", v, ok)
	}
	for _, bad := range []any{nil, 3, "not json", []any{1}} {
		if _, ok := SplitList(bad); ok {
			t.Errorf("SplitList(%v) ok", bad)
		}
	}
}

func TestSetListAndCountName(t *testing.T) {
	for name, want := range map[string]string{
		"actions": "actionCount", "resources": "resourceCount", "statementIds": "statementIdCount",
		"conditionKeys": "conditionKeyCount", "httpMethods": "httpMethodCount", "notActions": "notActionCount",
	} {
		if got := CountName(name); got != want {
			t.Errorf("CountName(%s) = %s, want %s", name, got, want)
		}
	}
	p := map[string]any{}
	SetList(p, "actions", []string{"s3:GetObject", "s3:PutObject"})
	if p["actions"] != `["s3:GetObject","s3:PutObject"]` || p["actionCount"] != int64(2) {
		t.Errorf("SetList: %v", p)
	}
}

func TestValidateRelationship(t *testing.T) {
	ok := DirectByKey("arn:aws:iam::1:role/a", "aws_iam_role", "TRUSTS", "arn:aws:iam::1:user/u", "aws_iam_user", map[string]any{
		"actions": JoinList([]string{"sts:AssumeRole"}), "actionCount": 1, "conditional": false, "sid": nil, "n": 1.5})
	if err := ValidateRelationship(ok); err != nil {
		t.Error(err)
	}
	m := Mapped("aws_iam_role_trusts_account", "TRUSTS", Entity{"_key": "arn:aws:iam::1:role/a"}, Forward,
		map[string]any{"_type": "aws_account", "accountId": "2"}, []string{"_type", "accountId"}, false, nil)
	if err := ValidateRelationship(m); err != nil {
		t.Errorf("_mapping must be allowed: %v", err)
	}
	ca := DirectByKey("u1234567890", "aws_iam_user", "CAN_ASSUME", "r1234567890", "aws_iam_role", nil)
	if err := ValidateRelationship(ca); err != nil {
		t.Errorf("CAN_ASSUME is exempt: %v", err)
	}
	list := DirectByKey("a1234567890", "x_y", "HAS", "b1234567890", "x_z", map[string]any{"actions": []string{"a"}})
	if err := ValidateRelationship(list); err == nil {
		t.Error("a list property must be refused")
	}
	verb := DirectByKey("a1234567890", "x_y", "OWNS_SOME", "b1234567890", "x_z", nil)
	if err := ValidateRelationship(verb); err == nil {
		t.Error("a verb outside the data model must be refused")
	}
	if n := len(RelationshipClasses); n != 49 {
		t.Errorf("%d relationship classes, want the data model's 49", n)
	}
	old := Relationship{"_key": "k", "actions": []any{"a", "b"}, "resources": []string{}, "conditions": `{"x":1}`}
	EncodeLists(old)
	if old["actions"] != `["a","b"]` || old["actionCount"] != int64(2) || old["resources"] != "[]" || old["resourceCount"] != int64(0) || old["conditions"] != `{"x":1}` {
		t.Errorf("EncodeLists: %v", old)
	}
}
