package sgrules

import (
	"context"
	"fmt"

	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
)

// StepID is the analysis step.
const StepID = "analyze-ec2-security-group-rules"

// maxRuleWarnings caps the per-rule warnings; the count is always complete.
const maxRuleWarnings = 100

func allows(from, to string, mapped bool) engine.RelationshipDecl {
	return engine.RelationshipDecl{Type: graph.RelationshipType(from, "ALLOWS", to), Class: "ALLOWS", SourceType: from, TargetType: to, Mapped: mapped}
}

// Relationships lists every relationship type the analysis produces.
func Relationships() []engine.RelationshipDecl {
	sg := m.TypeSecurityGroup
	return []engine.RelationshipDecl{
		allows(InternetType, sg, false), allows(sg, InternetType, false),
		allows(m.TypeVPC, sg, false), allows(sg, m.TypeVPC, false),
		allows(m.TypeSubnet, sg, false), allows(sg, m.TypeSubnet, false),
		allows(m.TypeInstance, sg, false), allows(sg, m.TypeInstance, false),
		allows(sg, sg, false), // also used, mapped, for groups of other accounts
		allows(NetworkTargetType, sg, true), allows(sg, NetworkTargetType, true),
		allows(HostTargetType, sg, true), allows(sg, HostTargetType, true),
	}
}

// Steps returns the analysis step. It reads the graph only.
func Steps() []engine.Step {
	return []engine.Step{{
		ID:            StepID,
		Name:          "Analyze EC2 security group rules",
		Entities:      []engine.EntityDecl{{Type: InternetType, Class: []string{"Internet", "Network"}}},
		Relationships: Relationships(),
		Properties: []engine.PropertyDecl{
			{Type: m.TypeSecurityGroup, Properties: []string{"allowsInternetIngress", "internetIngressPorts"}},
			{Type: m.TypeInstance, Properties: []string{"internetOpenPorts", "internetExposed"}},
		},
		DependsOn: []string{m.StepVPCs, m.StepSubnets, m.StepSecurityGroups, m.StepInstances},
		Run:       run,
	}}
}

func run(ctx context.Context, sc *engine.StepContext) error {
	j := sc.Job
	res := Analyze(Input{
		Groups:      j.EntitiesOfType(m.TypeSecurityGroup),
		VPCs:        j.EntitiesOfType(m.TypeVPC),
		Subnets:     j.EntitiesOfType(m.TypeSubnet),
		Instances:   j.EntitiesOfType(m.TypeInstance),
		PrefixLists: j.EntitiesOfType(m.TypePrefixList),
		Protects:    j.RelationshipsOfType(m.RelGroupProtectsInstance),
	})
	if res.Internet != nil && !j.HasKey(InternetKey) {
		if err := sc.AddEntity(res.Internet); err != nil {
			return err
		}
	}
	withoutID := map[string][]string{}
	for _, r := range res.Relationships {
		if err := sc.AddRelationship(r); err != nil {
			return err
		}
		if id, has := r["ruleId"]; has && id == nil {
			withoutID[r.Type()] = append(withoutID[r.Type()], r.Key())
		}
	}
	// Rules read without their ids (the security-group step reported why):
	// the edges keep the last run's ruleId.
	for typ, keys := range withoutID {
		sc.KeepPrevious(engine.Unknown{Type: typ, Keys: keys, Properties: []string{"ruleId"}})
	}
	sc.Count("ruleRelationships", len(res.Relationships))
	for key, props := range res.GroupProps {
		sc.SetProperties(key, props)
	}
	for key, props := range res.InstanceProps {
		sc.SetProperties(key, props)
	}
	if n := len(res.Unmapped); n > 0 {
		sc.Count("unmappedRules", n)
		for i, u := range res.Unmapped {
			if i == maxRuleWarnings {
				sc.Warn(fmt.Sprintf("%d more security group rules not mapped (see the unmappedRules count)", n-i))
				break
			}
			sc.Warn(ruleSummary(u))
		}
	}
	if res.EmptyPrefixListRules > 0 {
		sc.Count("rulesWithEmptyPrefixList", res.EmptyPrefixListRules)
	}
	return nil
}
