package sgrules

import (
	"fmt"
	"hash/fnv"
	"net/netip"
	"strings"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
)

// The global Internet entity (JupiterOne data model, globalEntities).
const (
	InternetKey  = "global:internet"
	InternetType = schema.TypeInternet
)

// Types of the targets of mapped rule relationships.
const (
	NetworkTargetType = schema.TypeNetworkPeer // a CIDR that matches no collected VPC or subnet
	HostTargetType    = schema.TypeHostPeer    // a /32 or /128 that matches no collected instance
)

// InternetEntity returns the global Internet entity.
func InternetEntity() graph.Entity {
	e := schema.Internet.New(InternetKey, "Internet")
	e.Set("CIDR", "0.0.0.0/0").Set("CIDRv6", "::/0").Set("public", true).Set("internal", false)
	return e
}

// Input is the part of the graph the analysis reads.
type Input struct {
	Groups      []graph.Entity // aws_ec2_security_group
	VPCs        []graph.Entity // aws_ec2_vpc
	Subnets     []graph.Entity // aws_ec2_subnet
	Instances   []graph.Entity // aws_ec2_instance
	PrefixLists []graph.Entity // aws_ec2_managed_prefix_list
	Protects    []graph.Relationship
}

// Unmapped is a rule (or one peer of it) the analysis could not turn into a
// relationship, and why.
type Unmapped struct {
	GroupKey string
	RuleID   string
	Reason   string
}

// Result is what the analysis derives.
type Result struct {
	Internet      graph.Entity // nil when no rule names the Internet
	Relationships []graph.Relationship
	// GroupProps and InstanceProps are the derived properties, by entity key.
	GroupProps    map[string]map[string]any
	InstanceProps map[string]map[string]any
	Unmapped      []Unmapped
	// EmptyPrefixListRules counts rules whose prefix list has no entries
	// (they allow nothing, so they produce no edge).
	EmptyPrefixListRules int
}

type netRef struct {
	key, typ, vpcID, region, account string
}

type exposure struct {
	v4, v6 []Ports
}

type analyzer struct {
	groups      map[string]graph.Entity // "<account>/<groupId>" → group
	networks    map[netip.Prefix][]netRef
	prefixLists map[string][]string       // "<region>/<pl id>" and "<pl id>" → entries
	vpcCIDRs    map[string][]netip.Prefix // "<account>/<region>/<vpcId>" → the VPC's CIDR blocks
	res         *Result
	internet    map[string]*exposure // group key → Internet ingress
}

// Analyze derives the rule relationships and exposure properties.
func Analyze(in Input) *Result {
	a := &analyzer{
		groups:      make(map[string]graph.Entity, len(in.Groups)),
		networks:    map[netip.Prefix][]netRef{},
		prefixLists: map[string][]string{},
		vpcCIDRs:    map[string][]netip.Prefix{},
		internet:    map[string]*exposure{},
		res: &Result{
			GroupProps:    make(map[string]map[string]any, len(in.Groups)),
			InstanceProps: make(map[string]map[string]any, len(in.Instances)),
		},
	}
	for _, g := range in.Groups {
		a.groups[g.String(m.PropAccountID)+"/"+g.String(m.PropGroupID)] = g
	}
	addNet := func(e graph.Entity, cidrs ...string) {
		seen := map[netip.Prefix]bool{}
		for _, c := range cidrs {
			p, ok := ParseCIDR(c)
			if !ok || seen[p] {
				continue
			}
			seen[p] = true
			a.networks[p] = append(a.networks[p], netRef{key: e.Key(), typ: e.Type(), vpcID: e.String(m.PropVPCID),
				region: e.String(m.PropRegion), account: e.String(m.PropAccountID)})
		}
	}
	for _, v := range in.VPCs {
		cidrs := append(append(v.Strings(m.PropCIDRBlocks), v.Strings(m.PropIPv6CIDRBlocks)...), v.String(m.PropCIDR), v.String(m.PropCIDRv6))
		addNet(v, cidrs...)
		vk := vpcKey(v.String(m.PropAccountID), v.String(m.PropRegion), v.String(m.PropVPCID))
		for _, c := range cidrs {
			if p, ok := ParseCIDR(c); ok {
				a.vpcCIDRs[vk] = append(a.vpcCIDRs[vk], p)
			}
		}
	}
	for _, s := range in.Subnets {
		addNet(s, append(s.Strings(m.PropIPv6CIDRBlocks), s.String(m.PropCIDR), s.String(m.PropCIDRv6))...)
	}
	for _, pl := range in.PrefixLists {
		entries := pl.Strings(m.PropPrefixListEntries)
		id := pl.String(m.PropPrefixListID)
		a.prefixLists[pl.String(m.PropRegion)+"/"+id] = entries
		a.prefixLists[id] = entries
	}

	for _, g := range in.Groups {
		for _, dir := range []struct {
			prop    string
			ingress bool
		}{{m.PropIngressRules, true}, {m.PropEgressRules, false}} {
			for _, raw := range g.Strings(dir.prop) {
				r, err := m.DecodeRule(raw)
				if err != nil {
					a.unmapped(g, "", "rule is not readable: "+err.Error())
					continue
				}
				a.rule(g, dir.ingress, r)
			}
		}
	}
	a.exposure(in)
	return a.res
}

func vpcKey(account, region, vpcID string) string { return account + "/" + region + "/" + vpcID }

func (a *analyzer) unmapped(g graph.Entity, ruleID, why string) {
	a.res.Unmapped = append(a.res.Unmapped, Unmapped{GroupKey: g.Key(), RuleID: ruleID, Reason: why})
}

// RuleID returns the rule's id, or for rules read without one (the
// IpPermissions fallback) a stable id derived from the rule's content.
func RuleID(r m.Rule) string {
	if r.RuleID != "" {
		return r.RuleID
	}
	h := fnv.New64a()
	h.Write([]byte(r.Encode()))
	return fmt.Sprintf("perm-%016x", h.Sum64())
}

// ContentID names a rule by its content (Rule.Signature), so a rule edge has
// the same key whether the run read the rule with its id
// (DescribeSecurityGroupRules) or without (IpPermissions).
// CIDRs are named in canonical form, as EC2 may spell one block two ways.
func ContentID(r m.Rule) string {
	for _, c := range []*string{&r.CidrIPv4, &r.CidrIPv6} {
		if p, ok := ParseCIDR(*c); ok {
			*c = p.String()
		}
	}
	h := fnv.New64a()
	h.Write([]byte(r.Signature()))
	return fmt.Sprintf("rule-%016x", h.Sum64())
}

// EdgeKey is the key of one rule relationship: unique per group, direction,
// rule content and peer, and stable across runs.
func EdgeKey(groupKey string, ingress bool, contentID, peer string) string {
	dir := "egress"
	if ingress {
		dir = "ingress"
	}
	return groupKey + "|allows|" + dir + "|" + contentID + "|" + peer
}

// ruleProps are the properties every rule relationship carries.
func ruleProps(g graph.Entity, ingress bool, r m.Rule, id string) map[string]any {
	p := RulePorts(r)
	props := map[string]any{
		"ingress":         ingress,
		"egress":          !ingress,
		"inbound":         ingress,
		"outbound":        !ingress,
		"ipProtocol":      p.Protocol,
		"fromPort":        p.FromPort,
		"toPort":          p.ToPort,
		"portRange":       p.PortRange,
		"ruleId":          graph.NilIfEmpty(r.RuleID), // unknown when read from IpPermissions
		"securityGroupId": g.String(m.PropGroupID),
		"description":     graph.NilIfEmpty(r.Description),
	}
	if isICMP(p.Protocol) {
		props["icmpType"] = p.ICMPType
		props["icmpCode"] = p.ICMPCode
	}
	return props
}

func (a *analyzer) rule(g graph.Entity, ingress bool, r m.Rule) {
	id := RuleID(r)
	switch {
	case r.CidrIPv4 != "" || r.CidrIPv6 != "":
		c := r.CidrIPv4
		if c == "" {
			c = r.CidrIPv6
		}
		a.cidrPeer(g, ingress, r, id, c, "")
	case r.PrefixListID != "":
		entries, ok := a.prefixLists[g.String(m.PropRegion)+"/"+r.PrefixListID]
		if !ok {
			entries, ok = a.prefixLists[r.PrefixListID]
		}
		if !ok {
			a.unmapped(g, id, "prefix list "+r.PrefixListID+" was not collected, so its CIDRs are unknown")
			return
		}
		if len(entries) == 0 {
			a.res.EmptyPrefixListRules++
			return
		}
		for _, c := range entries {
			a.cidrPeer(g, ingress, r, id, c, r.PrefixListID)
		}
	case r.ReferencedGroup != nil && r.ReferencedGroup.GroupID != "":
		a.groupPeer(g, ingress, r, id)
	default:
		a.unmapped(g, id, "rule names no peer (no CIDR, prefix list or group)")
	}
}

// direct adds a direct rule edge between the group and a collected peer.
func (a *analyzer) direct(g graph.Entity, ingress bool, peerKey, peerType, key string, props map[string]any) {
	var r graph.Relationship
	if ingress {
		r = graph.DirectByKey(peerKey, peerType, "ALLOWS", g.Key(), g.Type(), props)
	} else {
		r = graph.DirectByKey(g.Key(), g.Type(), "ALLOWS", peerKey, peerType, props)
	}
	r["_key"] = key
	a.res.Relationships = append(a.res.Relationships, r)
}

// mapped adds a mapped rule edge to a target the graph does not hold.
func (a *analyzer) mapped(g graph.Entity, ingress bool, target map[string]any, filter []string, key string, props map[string]any) {
	tt, _ := target["_type"].(string)
	var r graph.Relationship
	if ingress {
		r = graph.Mapped(graph.RelationshipType(tt, "ALLOWS", g.Type()), "ALLOWS", g, graph.Reverse, target, filter, false, props)
	} else {
		r = graph.Mapped(graph.RelationshipType(g.Type(), "ALLOWS", tt), "ALLOWS", g, graph.Forward, target, filter, false, props)
	}
	r["_key"] = key
	a.res.Relationships = append(a.res.Relationships, r)
}

func (a *analyzer) cidrPeer(g graph.Entity, ingress bool, r m.Rule, id, cidr, prefixList string) {
	p, ok := ParseCIDR(cidr)
	if !ok {
		a.unmapped(g, id, fmt.Sprintf("CIDR %q is not valid", cidr))
		return
	}
	canon := p.String()
	props := ruleProps(g, ingress, r, id)
	// ipRange is the CIDR as the rule (or prefix list) states it, so it
	// compares equal to what EC2 reports; matching and the key use the
	// canonical form.
	props["ipRange"] = strings.TrimSpace(cidr)
	if prefixList != "" {
		props["prefixListId"] = prefixList
	}
	key := EdgeKey(g.Key(), ingress, ContentID(r), canon)
	if p.Bits() == 0 {
		if a.res.Internet == nil {
			a.res.Internet = InternetEntity()
		}
		a.direct(g, ingress, InternetKey, InternetType, key, props)
		if ingress {
			ex := a.internet[g.Key()]
			if ex == nil {
				ex = &exposure{}
				a.internet[g.Key()] = ex
			}
			if p.Addr().Is4() {
				ex.v4 = append(ex.v4, RulePorts(r))
			} else {
				ex.v6 = append(ex.v6, RulePorts(r))
			}
		}
		return
	}
	if n, ok := a.matchNetwork(g, p); ok {
		a.direct(g, ingress, n.key, n.typ, key, props)
		return
	}
	if p.IsSingleIP() {
		// Issue 5: a /32 or /128 is a mapped Host by IP address. Collected
		// instances carry every address in `ipAddress`, so a store (or
		// JupiterOne's mapper) resolves the edge to the instance.
		addr := p.Addr().String()
		target := map[string]any{"_class": "Host", "_type": HostTargetType, "ipAddress": addr, "hostname": nil,
			"displayName": addr, "public": IsPublic(p)}
		a.mapped(g, ingress, target, []string{"_class", "ipAddress"}, key, props)
		return
	}
	public := IsPublic(p)
	target := map[string]any{"_class": "Network", "_type": NetworkTargetType, "displayName": canon,
		"public": public, "internal": !public}
	filter := []string{"_class", "CIDR"}
	if p.Addr().Is4() {
		target["CIDR"] = canon
	} else {
		target["CIDR"] = nil
		target["CIDRv6"] = canon
		filter = []string{"_class", "CIDRv6"}
	}
	a.mapped(g, ingress, target, filter, key, props)
}

// matchNetwork finds the collected VPC or subnet whose CIDR is exactly p:
// first within the group's own VPC (the VPC before its subnets), then the one
// network of the group's account and region with that CIDR, then the one
// network anywhere with it. Ambiguity means no match (the rule is mapped).
// A CIDR inside the group's own VPC's address space can only mean addresses
// of that VPC (its local route always wins), so it never matches a network
// of another VPC that happens to use the same CIDR.
func (a *analyzer) matchNetwork(g graph.Entity, p netip.Prefix) (netRef, bool) {
	cands := a.networks[p]
	if len(cands) == 0 {
		return netRef{}, false
	}
	vpc := g.String(m.PropVPCID)
	var sameVPC []netRef
	for _, c := range cands {
		if vpc != "" && c.vpcID == vpc && c.region == g.String(m.PropRegion) {
			sameVPC = append(sameVPC, c)
		}
	}
	for _, c := range sameVPC {
		if c.typ == m.TypeVPC {
			return c, true
		}
	}
	if len(sameVPC) == 1 {
		return sameVPC[0], true
	}
	if len(sameVPC) > 1 || a.insideOwnVPC(g, p) {
		return netRef{}, false
	}
	var sameRegion []netRef
	for _, c := range cands {
		if c.region == g.String(m.PropRegion) && c.account == g.String(m.PropAccountID) {
			sameRegion = append(sameRegion, c)
		}
	}
	if len(sameRegion) == 1 {
		return sameRegion[0], true
	}
	if len(sameRegion) == 0 && len(cands) == 1 {
		return cands[0], true
	}
	return netRef{}, false
}

// insideOwnVPC reports whether p lies inside one of the CIDR blocks of the
// group's (collected) VPC.
func (a *analyzer) insideOwnVPC(g graph.Entity, p netip.Prefix) bool {
	vpc := g.String(m.PropVPCID)
	if vpc == "" {
		return false
	}
	for _, own := range a.vpcCIDRs[vpcKey(g.String(m.PropAccountID), g.String(m.PropRegion), vpc)] {
		if own.Addr().Is4() == p.Addr().Is4() && own.Bits() <= p.Bits() && own.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

func (a *analyzer) groupPeer(g graph.Entity, ingress bool, r m.Rule, id string) {
	ref := r.ReferencedGroup
	account := ref.UserID
	if account == "" {
		account = g.String(m.PropAccountID)
	}
	props := ruleProps(g, ingress, r, id)
	props["referencedGroupId"] = ref.GroupID
	props["referencedAccountId"] = account
	if ref.VpcPeeringConnectionID != "" {
		props["vpcPeeringConnectionId"] = ref.VpcPeeringConnectionID
	}
	key := EdgeKey(g.Key(), ingress, ContentID(r), account+"/"+ref.GroupID)
	// A group reached through a peering connection is mapped like another
	// account's (issue 5), even when collected: a store resolves it by id.
	if peer, ok := a.groups[account+"/"+ref.GroupID]; ok && ref.VpcPeeringConnectionID == "" {
		a.direct(g, ingress, peer.Key(), peer.Type(), key, props)
		return
	}
	target := map[string]any{"_class": "Firewall", "_type": m.TypeSecurityGroup, "groupId": ref.GroupID,
		"accountId": account, "category": []string{"network"}, "displayName": ref.GroupID}
	if ref.VpcID != "" {
		target["vpcId"] = ref.VpcID
	}
	a.mapped(g, ingress, target, []string{"_type", "groupId", "accountId"}, key, props)
}

// exposure sets the derived Internet-exposure properties.
func (a *analyzer) exposure(in Input) {
	for _, g := range in.Groups {
		ex := a.internet[g.Key()]
		var all []Ports
		if ex != nil {
			all = append(append(all, ex.v4...), ex.v6...)
		}
		a.res.GroupProps[g.Key()] = map[string]any{
			"allowsInternetIngress": len(all) > 0,
			"internetIngressPorts":  MergePorts(all),
		}
	}
	byInstance := map[string][]string{}
	for _, r := range in.Protects {
		byInstance[r.ToKey()] = append(byInstance[r.ToKey()], r.FromKey())
	}
	for _, i := range in.Instances {
		var v4, v6 []Ports
		for _, gk := range byInstance[i.Key()] {
			if ex := a.internet[gk]; ex != nil {
				v4 = append(v4, ex.v4...)
				v6 = append(v6, ex.v6...)
			}
		}
		a.res.InstanceProps[i.Key()] = map[string]any{
			// Exposure only: a group admits the Internet. Whether the
			// Internet really gets there (routes, network ACLs, addresses,
			// load balancers) is the reachability analysis's
			// internetReachable.
			"internetOpenPorts": MergePorts(append(append([]Ports(nil), v4...), v6...)),
			"internetExposed":   len(v4)+len(v6) > 0,
		}
	}
}

// ruleSummary names a rule for a warning.
func ruleSummary(u Unmapped) string {
	id := u.RuleID
	if id == "" {
		id = "(unreadable)"
	}
	return fmt.Sprintf("security group %s rule %s not mapped: %s", u.GroupKey, id, strings.TrimSpace(u.Reason))
}
