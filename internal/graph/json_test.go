package graph

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

// AppendJSON must give json.Marshal's bytes for every value a graph object
// may hold, the escapes and the values left to encoding/json included.
func TestAppendJSONIsJSONMarshal(t *testing.T) {
	objs := []map[string]any{
		{},
		{"_key": "arn:aws:ec2:us-east-1:123456789012:instance/i-1", "_class": []string{"Host"}, "n": int64(-42), "big": int64(math.MaxInt64),
			"t": true, "f": false, "null": nil, "empty": "", "none": []string{}, "nilList": []string(nil)},
		{"html": "<a href='x'>&</a>", "quote": `say "hi" \ now`, "ctl": "tab\tnl\n\x01", "uni": "café ☃ \u2028 \u2029", "bad": "\xff\xfe",
			"tag.Name": "web", "z": "last", "A": "upper first", "é": "non-ASCII key", "<k>": "html key"},
		{"float": 2.5, "tiny": 1e-7, "huge": 1e21, "whole": 3.0, "int": 7, "int32": int32(5), "anyList": []any{"x", 1.0, nil},
			"nested": map[string]any{"b": 1, "a": []string{"<"}}, "mapping": &Mapping{RelationshipDirection: Forward, SourceEntityKey: "k<",
				TargetFilterKeys: [][]string{{"_type"}}, TargetEntity: map[string]any{"_type": "x"}}},
		{"list": []string{"a", "<b>", "", "ü"}, "raw": json.RawMessage(`{"b": 1,  "a":2}`)},
	}
	for i, obj := range objs {
		want, wantErr := json.Marshal(obj)
		got, err := AppendJSON([]byte("prefix"), obj)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("object %d: error %v, json.Marshal's %v", i, err, wantErr)
		}
		if !bytes.Equal(got, append([]byte("prefix"), want...)) {
			t.Errorf("object %d:\n got %s\nwant prefix%s", i, got, want)
		}
	}
	if _, err := AppendJSON(nil, map[string]any{"nan": math.NaN()}); err == nil {
		t.Error("NaN encoded; json.Marshal refuses it")
	}
}
