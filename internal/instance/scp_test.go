package instance

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestServiceControlPoliciesValidate(t *testing.T) {
	base := Config{RoleArn: "arn:aws:iam::111111111111:role/r", ExternalID: "ext-id-1"}
	lvl := []SCPLevel{{Target: "r-ab12", Policies: []SCPPolicy{{ID: "p-1", Document: "{}"}}}}
	cases := []struct {
		name string
		scps *SCPs
		want string // "" = valid
	}{
		{"applied", &SCPs{Status: SCPApplied, Levels: lvl}, ""},
		{"not governed", &SCPs{Status: SCPNotGoverned, Reason: "management account"}, ""},
		{"unknown", &SCPs{Status: SCPUnknown, Reason: "denied"}, ""},
		{"applied without levels", &SCPs{Status: SCPApplied}, "at least one level"},
		{"unknown with levels", &SCPs{Status: SCPUnknown, Levels: lvl}, "takes no levels"},
		{"bad status", &SCPs{Status: "none"}, `status "none" is not one of`},
		{"level without target", &SCPs{Status: SCPApplied, Levels: []SCPLevel{{}}}, "level 0 has no target"},
		{"policy without document", &SCPs{Status: SCPApplied, Levels: []SCPLevel{{Target: "r-1", Policies: []SCPPolicy{{ID: "p-1"}}}}}, "lacks id or document"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := base
			cfg.ServiceControlPolicies = c.scps
			err := cfg.Validate()
			var ve *ValidationError
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case c.want != "" && (!errors.As(err, &ve) || ve.Field != "serviceControlPolicies" || !strings.Contains(ve.Reason, c.want)):
				t.Fatalf("error %v, want serviceControlPolicies: %s", err, c.want)
			}
		})
	}
}

// The event's JSON for logs and summaries keeps the external id redacted;
// only EncodeEvent, for the queue, carries it.
func TestEncodeEventAloneRevealsTheExternalID(t *testing.T) {
	ev := Event{Config: Config{RoleArn: "arn:aws:iam::111111111111:role/r", ExternalID: "s3cret-id"}}
	data, err := EncodeEvent(ev)
	if err != nil || !strings.Contains(string(data), `"externalId":"s3cret-id"`) {
		t.Fatalf("%s %v", data, err)
	}
	plain, _ := json.Marshal(ev)
	if strings.Contains(string(plain), "s3cret") {
		t.Fatalf("json.Marshal of an event shows the external id: %s", plain)
	}
}
