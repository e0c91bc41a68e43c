package policy

import (
	"slices"
	"testing"
)

func TestScopeOf(t *testing.T) {
	doc := func(s string) *Document {
		d, err := Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	named := doc(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"sts:AssumeRole","Resource":["arn:aws:iam::1:role/a","arn:aws:iam::1:role/b*"]},
		{"Effect":"Deny","Action":"sts:*","Resource":"*"},
		{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	sc := ScopeOf("sts:AssumeRole", named)
	if sc.Any || !slices.Equal(sc.Patterns, []string{"arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b*"}) {
		t.Fatalf("named scope %+v", sc)
	}
	if !sc.Covers("arn:aws:iam::1:role/bx") || sc.Covers("arn:aws:iam::1:role/c") || sc.Empty() {
		t.Errorf("covers: %+v", sc)
	}
	for name, d := range map[string]*Document{
		"NotResource": doc(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","NotResource":"arn:aws:iam::1:role/x"}]}`),
		"variable":    doc(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:*","Resource":"arn:aws:iam::1:role/${aws:username}"}]}`),
		"NotAction":   doc(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}]}`),
	} {
		if sc := ScopeOf("sts:AssumeRole", d); !sc.Any {
			t.Errorf("%s: want any resource, got %+v", name, sc)
		}
	}
	if sc := ScopeOf("sts:AssumeRole", doc(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"sts:*","Resource":"*"}]}`)); !sc.Empty() {
		t.Errorf("NotAction excluding the action: want empty, got %+v", sc)
	}
}
