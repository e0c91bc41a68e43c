package trust

import (
	"fmt"
	"strings"

	"github.com/awsgraph/awsgraph/internal/instance"
	"github.com/awsgraph/awsgraph/internal/policy"
)

// SCPSet is what the analysis knows of the service control policies that
// restrict one account's principals (docs/contract.md §4.1): they must allow
// sts:AssumeRole at every level, root first, for a principal of that account
// to assume any role. Service-linked roles are not restricted by SCPs.
type SCPSet struct {
	Account string
	Levels  [][]*policy.Document
	// Unknown, when not "", says why the SCPs could not be known: the
	// account is governed but its policies were not read (or do not parse).
	// Edges are then evaluated without them and marked
	// serviceControlPoliciesUnknown — never taken as "no SCP".
	Unknown string
}

// NewSCPSet turns an instance's SCPs into the analysis' input: nil when the
// instance carries none (the run knows nothing of Organizations) or its
// account is not governed by SCPs.
func NewSCPSet(account string, s *instance.SCPs) *SCPSet {
	if s == nil || s.Status == instance.SCPNotGoverned {
		return nil
	}
	set := &SCPSet{Account: account}
	if s.Status != instance.SCPApplied {
		set.Unknown = s.Reason
		if set.Unknown == "" {
			set.Unknown = "not read"
		}
		return set
	}
	for _, l := range s.Levels {
		docs := []*policy.Document{}
		for _, p := range l.Policies {
			d, err := policy.Parse(p.Document)
			if err != nil {
				return &SCPSet{Account: account, Unknown: fmt.Sprintf("SCP %s (%s) does not parse: %v", p.ID, l.Target, err)}
			}
			d.Name = p.ID
			docs = append(docs, d)
		}
		set.Levels = append(set.Levels, docs)
	}
	return set
}

// Options are the analysis' inputs besides the graph.
type Options struct {
	SCPs *SCPSet // nil: no SCP is evaluated
}

// serviceLinked reports whether a role ARN is a service-linked role's
// (path /aws-service-role/), which SCPs do not restrict.
func serviceLinked(arn string) bool { return strings.Contains(arn, ":role/aws-service-role/") }

// scpsFor returns the SCP levels restricting principal p, whether p is
// exempt from the account's SCPs, and whether they are unknown.
func (a *analyzer) scpsFor(p *principal) (levels [][]*policy.Document, exempt, unknown bool) {
	s := a.scps
	if s == nil || p.account != s.Account {
		return nil, false, false
	}
	if p.typ == RoleType && serviceLinked(p.key) {
		return nil, true, false
	}
	if s.Unknown != "" {
		return nil, false, true
	}
	return s.Levels, false, false
}
