package instance

import (
	"encoding/json"
	"fmt"
)

// SCP statuses: what is known about the service control policies that
// restrict the principals of an instance's account.
const (
	// SCPApplied: the policies along the account's path (root, OUs, the
	// account) were read; Levels holds them.
	SCPApplied = "applied"
	// SCPNotGoverned: no SCP restricts the account's principals (the
	// organization's management account, or SCPs are not enabled in the
	// root).
	SCPNotGoverned = "notGoverned"
	// SCPUnknown: the account is in an organization but its SCPs could not
	// be read. Never the same as "no SCP": the trust analysis evaluates
	// without them and marks every edge it could not check.
	SCPUnknown = "unknown"
)

// SCPs are the service control policies of an instance's account, as
// organization discovery (awsgraph org) read them with the management
// account's role: a member account's own role normally cannot read
// Organizations, so they travel in the instance event. Absent (nil), the run
// knows nothing of Organizations and evaluates no SCP (as before).
type SCPs struct {
	Status string `json:"status"`
	// Reason says why the status is notGoverned or unknown.
	Reason string `json:"reason,omitempty"`
	// Levels run from the root to the account itself; every level must
	// allow an action for it to be allowed.
	Levels []SCPLevel `json:"levels,omitempty"`
}

// SCPLevel is the policies attached to one target of the path.
type SCPLevel struct {
	Target   string      `json:"target"` // r-..., ou-..., or the account id
	Policies []SCPPolicy `json:"policies"`
}

// SCPPolicy is one service control policy.
type SCPPolicy struct {
	ID       string `json:"id"`
	Name     string `json:"name,omitempty"`
	Document string `json:"document"`
}

// validate checks the structure; documents are parsed by the analysis.
func (s *SCPs) validate() error {
	const field = "serviceControlPolicies"
	switch s.Status {
	case SCPApplied:
		if len(s.Levels) == 0 {
			return &ValidationError{field, `status "applied" needs at least one level (root first)`}
		}
		for i, l := range s.Levels {
			if l.Target == "" {
				return &ValidationError{field, fmt.Sprintf("level %d has no target", i)}
			}
			for j, p := range l.Policies {
				if p.ID == "" || p.Document == "" {
					return &ValidationError{field, fmt.Sprintf("level %d (%s) policy %d lacks id or document", i, l.Target, j)}
				}
			}
		}
	case SCPNotGoverned, SCPUnknown:
		if len(s.Levels) > 0 {
			return &ValidationError{field, fmt.Sprintf("status %q takes no levels", s.Status)}
		}
	default:
		return &ValidationError{field, fmt.Sprintf("status %q is not one of applied, notGoverned, unknown", s.Status)}
	}
	return nil
}

// wireConfig is Config with the external id in clear: the instance event
// a queue or a scheduler carries must hold it (the role's trust policy needs
// it), unlike every log line and summary, which see Secret's REDACTED.
type wireConfig struct {
	IntegrationInstanceID  string   `json:"integrationInstanceId,omitempty"`
	RoleArn                string   `json:"roleArn"`
	ExternalID             string   `json:"externalId"`
	Regions                []string `json:"regions,omitempty"`
	SessionName            string   `json:"sessionName,omitempty"`
	AccountID              string   `json:"accountId,omitempty"`
	ServiceControlPolicies *SCPs    `json:"serviceControlPolicies,omitempty"`
}

// EncodeEvent is the event's JSON as ParseEvent reads it, external id
// included: for the queue message or the JSON line that hands it to a run,
// never for a log.
func EncodeEvent(ev Event) ([]byte, error) {
	c := ev.Config
	return json.Marshal(struct {
		IntegrationInstanceID string     `json:"integrationInstanceId,omitempty"`
		Config                wireConfig `json:"config"`
	}{ev.IntegrationInstanceID, wireConfig{
		IntegrationInstanceID: c.IntegrationInstanceID, RoleArn: c.RoleArn, ExternalID: c.ExternalID.Reveal(),
		Regions: c.Regions, SessionName: c.SessionName, AccountID: c.AccountID, ServiceControlPolicies: c.ServiceControlPolicies,
	}})
}
