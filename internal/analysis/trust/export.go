package trust

import (
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/policy"
)

// Principal is the trust analysis's model of one collected IAM user or role
// as a requester, exported for the analyses that evaluate further requests
// by the same principals (internal/analysis/privesc). The fields are
// read-only views: the documents are shared between principals.
type Principal struct {
	Key     string // the ARN
	Type    string // UserType or RoleType
	Account string
	Entity  graph.Entity
	// Identity: the parsed identity policies (own inline and managed, and
	// for users their groups'); PolicyKeys every policy entity in effect,
	// sorted, including those whose document is unknown.
	Identity   []*policy.Document
	PolicyKeys []string
	Groups     []string // a user's group keys
	// Boundary is nil without a permissions boundary; BoundaryArn is the
	// boundary's policy ARN ("" without one).
	Boundary    []*policy.Document
	BoundaryArn string
	// BoundaryUnknown: it has a boundary whose document was not collected.
	// UnknownPolicies counts assigned policies whose document is unknown.
	// Either makes every decision about its requests incomplete.
	BoundaryUnknown bool
	UnknownPolicies int
	// Context is the request context AWS sets for its requests.
	Context policy.Context
}

// InputsUnknown reports whether some of the principal's policies could not
// be read, so that no decision about its requests is complete.
func (p *Principal) InputsUnknown() bool { return p.BoundaryUnknown || p.UnknownPolicies > 0 }

// Model is the principal model of a collected graph.
type Model struct {
	Principals []*Principal
	// Counts and Warnings of reading the policies (as the trust step's).
	Counts   map[string]int
	Warnings []string

	parser   *parser
	assigned map[string][]string
}

// LoadModel builds the principal model of g: every user and role with its
// identity policies and boundary, read as the trust analysis reads them.
func LoadModel(g Graph) *Model {
	m := &Model{Counts: map[string]int{}}
	m.parser = &parser{g: g, docs: map[string]*docInfo{}, counts: m.Counts, warnings: &m.Warnings}
	m.assigned, _ = assignments(g)
	for _, pr := range loadPrincipals(g, m.parser) {
		m.Principals = append(m.Principals, &Principal{
			Key: pr.key, Type: pr.typ, Account: pr.account, Entity: pr.entity,
			Identity: pr.docs, PolicyKeys: pr.policyKeys, Groups: pr.groups,
			Boundary: pr.boundary, BoundaryArn: pr.entity.String("permissionsBoundaryArn"),
			BoundaryUnknown: pr.boundaryUnknown, UnknownPolicies: pr.unknownPolicies,
			Context: pr.ctx,
		})
	}
	return m
}

// PolicyDoc returns the parsed document of a policy entity (managed or
// inline), nil when it is not collected, unknown or unparsable.
func (m *Model) PolicyDoc(key string) *policy.Document { return m.parser.policyDoc(key).doc }

// AssignedPolicies returns the policy keys assigned directly to a user,
// group or role.
func (m *Model) AssignedPolicies(key string) []string { return m.assigned[key] }
