package reachability

import (
	"net/netip"
	"sort"
	"strconv"

	"github.com/awsgraph/awsgraph/internal/analysis/sgrules"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
)

// ACL is a network ACL's entries in evaluation order (rule number
// ascending; the first matching entry decides, and traffic no entry matches
// is denied, as by the final `*` entry).
//
// Reachability is "from the Internet as a whole", so only entries whose
// CIDR is the whole address family (0.0.0.0/0, ::/0) match: an entry for a
// narrower range neither grants nor removes it (the same rule the security
// group analysis applies). ICMP entries match all ICMP (their type and code
// are not compared).
type ACL struct {
	ID      string
	entries []m.ACLEntry
}

// NewACL orders the entries.
func NewACL(id string, entries []m.ACLEntry) ACL {
	c := append([]m.ACLEntry(nil), entries...)
	sort.SliceStable(c, func(i, j int) bool { return c[i].RuleNumber < c[j].RuleNumber })
	return ACL{ID: id, entries: c}
}

// Decision is the entry that decided, or none (the implicit final deny).
type Decision struct {
	Allow      bool
	RuleNumber int32 // 0 when no entry matched
	Matched    bool
}

// String names the deciding rule: its number, or "*" for the final deny.
func (d Decision) String() string {
	verb := "deny"
	if d.Allow {
		verb = "allow"
	}
	if !d.Matched || d.RuleNumber == 32767 {
		return verb + " (rule *)"
	}
	return verb + " (rule " + strconv.Itoa(int(d.RuleNumber)) + ")"
}

func (a ACL) applies(e m.ACLEntry, egress, v6 bool) bool {
	if e.Egress != egress {
		return false
	}
	c := e.CidrIPv4
	if v6 {
		c = e.CidrIPv6
	}
	p, ok := sgrules.ParseCIDR(c)
	return ok && p.Bits() == 0 && p.Addr().Is6() == v6
}

func entrySpans(e m.ACLEntry) spans {
	if e.FromPort == nil || e.ToPort == nil {
		return allPorts
	}
	return spans{{int64(*e.FromPort), int64(*e.ToPort)}}
}

// Decide is the first matching entry for one protocol (normalised, see
// ACLProtocol) and port (ignored for protocols without ports).
func (a ACL) Decide(egress, v6 bool, proto string, port int64) Decision {
	for _, e := range a.entries {
		if !a.applies(e, egress, v6) {
			continue
		}
		ep := ACLProtocol(e.Protocol)
		if ep != "*" && ep != proto {
			continue
		}
		if (proto == "tcp" || proto == "udp") && ep != "*" && !entrySpans(e).covers(span{port, port}) {
			continue
		}
		return Decision{Allow: e.Action == "allow", RuleNumber: e.RuleNumber, Matched: true}
	}
	return Decision{}
}

// Allowed is the set of TCP or UDP ports the ACL lets through in one
// direction and family.
func (a ACL) Allowed(egress, v6 bool, proto string) spans {
	undecided := allPorts
	var allowed spans
	for _, e := range a.entries {
		if len(undecided) == 0 {
			break
		}
		if !a.applies(e, egress, v6) {
			continue
		}
		ep := ACLProtocol(e.Protocol)
		if ep != "*" && ep != proto {
			continue
		}
		hit := undecided.intersect(entrySpans(e))
		if e.Action == "allow" {
			allowed = append(allowed, hit...)
		}
		undecided = undecided.minus(hit)
	}
	return allowed.normalize()
}

// AllowsAll reports whether the ACL lets every protocol and port through
// in a direction: an all-traffic allow is reached before any deny.
func (a ACL) AllowsAll(egress, v6 bool) bool {
	for _, e := range a.entries {
		if !a.applies(e, egress, v6) {
			continue
		}
		if e.Action != "allow" {
			return false
		}
		if ACLProtocol(e.Protocol) == "*" {
			return true
		}
	}
	return false
}

// Filter keeps of what security groups admit (ps) what the ACL lets in
// and lets the replies out: TCP/UDP ports allowed inbound whose protocol
// may send to the whole ephemeral range outbound; other protocols when
// allowed both ways.
func (a ACL) Filter(v6 bool, ps []sgrules.Ports) []sgrules.Ports {
	var out []sgrules.Ports
	for _, p := range ps {
		switch p.Protocol {
		case "*":
			if a.AllowsAll(false, v6) && a.AllowsAll(true, v6) {
				out = append(out, p)
				continue
			}
			out = append(out, a.Filter(v6, []sgrules.Ports{portsOf("tcp", 0, 65535), portsOf("udp", 0, 65535)})...)
			for _, proto := range []string{"icmp", "icmpv6"} {
				if (proto == "icmpv6") == v6 && a.Decide(false, v6, proto, 0).Allow && a.Decide(true, v6, proto, 0).Allow {
					out = append(out, sgrules.Ports{Protocol: proto})
				}
			}
		case "tcp", "udp":
			if !a.Allowed(true, v6, p.Protocol).covers(Ephemeral) {
				continue
			}
			in := a.Allowed(false, v6, p.Protocol).intersect(spans{{*p.FromPort, *p.ToPort}})
			for _, s := range in {
				out = append(out, portsOf(p.Protocol, s.from, s.to))
			}
		default:
			if a.Decide(false, v6, p.Protocol, 0).Allow && a.Decide(true, v6, p.Protocol, 0).Allow {
				out = append(out, p)
			}
		}
	}
	return out
}

// fromMatch is how an entry's CIDR relates to a source prefix: it covers
// every address of it, some of them, or none.
func (a ACL) fromMatch(e m.ACLEntry, egress bool, src netip.Prefix) (covers, overlaps bool) {
	if e.Egress != egress {
		return false, false
	}
	c := e.CidrIPv4
	if src.Addr().Is6() {
		c = e.CidrIPv6
	}
	p, ok := sgrules.ParseCIDR(c)
	if !ok || p.Addr().Is6() != src.Addr().Is6() {
		return false, false
	}
	return p.Bits() <= src.Bits() && p.Contains(src.Addr()), p.Overlaps(src)
}

// AllowedFrom is the set of TCP or UDP ports the ACL lets through for
// every address of src (inbound: from src; egress: to src). An entry that
// covers only part of src decides nothing when it allows (the rest may be
// denied) and removes the ports when it denies: a port counts only when
// the whole source gets through, since which address a load balancer node
// uses is not known.
func (a ACL) AllowedFrom(egress bool, src netip.Prefix, proto string) spans {
	undecided := allPorts
	var allowed spans
	for _, e := range a.entries {
		if len(undecided) == 0 {
			break
		}
		whole, some := a.fromMatch(e, egress, src)
		if !some {
			continue
		}
		ep := ACLProtocol(e.Protocol)
		if ep != "*" && ep != proto {
			continue
		}
		hit := undecided.intersect(entrySpans(e))
		if e.Action == "allow" {
			if !whole {
				continue
			}
			allowed = append(allowed, hit...)
		}
		undecided = undecided.minus(hit)
	}
	return allowed.normalize()
}

// DecideFrom is the first entry that matches traffic from (or to) src on
// one port, for explanations.
func (a ACL) DecideFrom(egress bool, src netip.Prefix, proto string, port int64) Decision {
	for _, e := range a.entries {
		if _, some := a.fromMatch(e, egress, src); !some {
			continue
		}
		ep := ACLProtocol(e.Protocol)
		if ep != "*" && ep != proto || ep != "*" && !entrySpans(e).covers(span{port, port}) {
			continue
		}
		return Decision{Allow: e.Action == "allow", RuleNumber: e.RuleNumber, Matched: true}
	}
	return Decision{}
}
