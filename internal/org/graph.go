package org

import (
	"context"
	"fmt"
	"sort"

	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
	"github.com/awsgraph/awsgraph/internal/sink"
)

// StepID names the organization graph's step (JupiterOne's ingestion source
// id for the same data).
const StepID = schema.StepOrganization

// Entity types of the organization graph (internal/schema).
const (
	OrganizationType = schema.TypeOrganization
	RootType         = schema.TypeOrganizationRoot
	UnitType         = schema.TypeOrganizationalUnit
	AccountType      = schema.TypeOrganizationAccount
	PolicyType       = schema.TypeOrganizationPolicy
	// MemberAccountType is the type of the accounts the members' own runs
	// collect; organization accounts map onto them.
	MemberAccountType = schema.TypeAccount
)

// Entities declares the organization graph's entity types.
func Entities() []engine.EntityDecl { return engine.Produces(schema.EntitiesSetBy(StepID)...) }

// Relationships declares the organization graph's relationship types: the
// tree (organization HAS root HAS OUs HAS accounts), the management account
// HAS every other account (JupiterOne's master HAS sub), each target
// ASSIGNED its SCPs, and each organization account IS the aws_account its
// member run collects (mapped: resolved in the store when that run is in).
func Relationships() []engine.RelationshipDecl { return engine.Writes(schema.SetBy(StepID)...) }

// InstanceID is the store instance of an organization's graph.
func (r *Result) InstanceID() string { return "aws-organization:" + r.OrganizationID }

// Graph is the organization as entities and relationships.
func (r *Result) Graph() ([]graph.Entity, []graph.Relationship) {
	var ents []graph.Entity
	var rels []graph.Relationship
	o := schema.Organization.New(r.OrganizationArn, r.OrganizationID)
	o.Set("organizationId", r.OrganizationID).Set("featureSet", r.FeatureSet).Set("managementAccountId", r.ManagementAccountID)
	ents = append(ents, o)
	units := map[string]graph.Entity{}
	root := r.unitEntity(r.Root, RootType)
	root.Set("serviceControlPoliciesEnabled", r.Root.SCPsEnabled)
	units[r.Root.ID] = root
	ents = append(ents, root)
	rels = append(rels, graph.Direct(o, "HAS", root, nil))
	for _, u := range r.Units {
		e := r.unitEntity(u, UnitType)
		units[u.ID] = e
		ents = append(ents, e)
	}
	for _, u := range r.Units {
		if p, ok := units[u.Parent]; ok {
			rels = append(rels, graph.Direct(p, "HAS", units[u.ID], nil))
		}
	}
	policies := r.policyEntities()
	for _, id := range sortedKeys(policies) {
		ents = append(ents, policies[id])
	}
	assign := func(from graph.Entity, ids []string) {
		for _, id := range ids {
			if p, ok := policies[id]; ok {
				rels = append(rels, graph.Direct(from, "ASSIGNED", p, nil))
			}
		}
	}
	assign(root, r.Root.Policies)
	for _, u := range r.Units {
		assign(units[u.ID], u.Policies)
	}
	accts, arels := r.accountGraph(units, assign)
	return append(ents, accts...), append(rels, arels...)
}

func (r *Result) unitEntity(u Unit, typ string) graph.Entity {
	key := u.Arn
	if key == "" {
		key = "arn:" + r.Partition + ":organizations::" + r.ManagementAccountID + ":ou/" + r.OrganizationID + "/" + u.ID
	}
	e := schema.EntityType(typ).New(key, u.Name)
	e.Set("id", u.ID)
	return e
}

func (r *Result) policyEntities() map[string]graph.Entity {
	out := map[string]graph.Entity{}
	for id, p := range r.Policies {
		key := r.PolicyArns[id]
		if key == "" {
			key = "arn:" + r.Partition + ":organizations::" + r.ManagementAccountID + ":policy/" + r.OrganizationID + "/service_control_policy/" + id
		}
		e := schema.OrganizationPolicy.New(key, p.Name)
		e.Set("id", id).Set("policyType", "SERVICE_CONTROL_POLICY").Set("document", p.Document)
		out[id] = e
	}
	return out
}

// accountGraph is every account, its place in the tree, the management
// account HAS the others, its SCPs, and IS its collected aws_account.
func (r *Result) accountGraph(units map[string]graph.Entity, assign func(graph.Entity, []string)) ([]graph.Entity, []graph.Relationship) {
	var ents []graph.Entity
	var rels []graph.Relationship
	var mgmt graph.Entity
	byID := map[string]graph.Entity{}
	for _, a := range r.Accounts {
		e := schema.OrganizationAccount.New(a.Arn, a.Name)
		e.Set("accountId", a.ID).Set("email", a.Email).Set("state", a.Status).Set("vendor", "AWS")
		e.Set("management", a.ID == r.ManagementAccountID).Set("collected", a.Skipped == "")
		if a.Skipped != "" {
			e.Set("skippedReason", a.Skipped)
		}
		if a.SCPs != nil {
			e.Set("serviceControlPolicyStatus", a.SCPs.Status)
		}
		e.SetTags(a.Tags)
		ents = append(ents, e)
		byID[a.ID] = e
		if a.ID == r.ManagementAccountID {
			mgmt = e
		}
		if len(a.Path) > 0 {
			if p, ok := units[a.Path[len(a.Path)-1]]; ok {
				rels = append(rels, graph.Direct(p, "HAS", e, nil))
			}
		}
		assign(e, r.attachedIDs(a))
		rels = append(rels, graph.Mapped(schema.OrganizationAccountIsAccount.Type, "IS", e, graph.Forward,
			map[string]any{"_type": MemberAccountType, "accountId": a.ID}, []string{"_type", "accountId"}, true, nil))
	}
	if mgmt != nil {
		for _, a := range r.Accounts {
			if a.ID != r.ManagementAccountID {
				rels = append(rels, graph.Direct(mgmt, "HAS", byID[a.ID], nil))
			}
		}
	}
	return ents, rels
}

// attachedIDs are the SCPs attached to the account itself (the last level).
func (r *Result) attachedIDs(a Account) []string {
	if a.SCPs == nil || len(a.SCPs.Levels) == 0 {
		return r.accountPolicies[a.ID]
	}
	last := a.SCPs.Levels[len(a.SCPs.Levels)-1]
	var ids []string
	for _, p := range last.Policies {
		ids = append(ids, p.ID)
	}
	return ids
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Snapshot is the organization graph as one store write: its types are
// complete (what this discovery did not see was removed from the
// organization), scoped to the organization's own instance.
func (r *Result) Snapshot() *sink.Snapshot {
	ents, rels := r.Graph()
	s := &sink.Snapshot{InstanceID: r.InstanceID(), Entities: ents, Relationships: rels,
		EntityStep: func(string) string { return StepID }, RelationshipStep: func(string) string { return StepID },
		Summary: map[string]any{"organizationId": r.OrganizationID, "accounts": len(r.Accounts), "events": len(r.Events)}}
	for _, d := range Entities() {
		s.DeclaredTypes = append(s.DeclaredTypes, d.Type)
	}
	for _, d := range Relationships() {
		s.DeclaredTypes = append(s.DeclaredTypes, d.Type)
	}
	return s
}

// WriteGraph stores the organization graph. A discovery that could not
// decide every account (IncompleteError) still knows every account and may
// be written; one that failed earlier has no Result.
func WriteGraph(ctx context.Context, st sink.Sink, r *Result) error {
	if err := st.Write(ctx, r.Snapshot()); err != nil {
		return fmt.Errorf("writing the organization graph: %w", err)
	}
	return nil
}
