package sgrules

import (
	"sort"
	"strconv"
	"strings"

	"github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
)

// Protocol normalises AWS's IpProtocol: "-1" (all traffic) becomes "*", the
// numbers of TCP, UDP, ICMP and ICMPv6 become their names (lower case), other
// protocol numbers stay numbers.
func Protocol(p string) string {
	switch strings.ToLower(p) {
	case "-1", "all", "":
		return "*"
	case "tcp", "6":
		return "tcp"
	case "udp", "17":
		return "udp"
	case "icmp", "1":
		return "icmp"
	case "icmpv6", "58":
		return "icmpv6"
	}
	return strings.ToLower(p)
}

func isICMP(proto string) bool { return proto == "icmp" || proto == "icmpv6" }

// Ports is what a rule allows, normalised.
//
//   - All traffic ("*") and protocols without ports (anything other than TCP,
//     UDP, ICMP, ICMPv6 — AWS ignores the ports for those): FromPort 0,
//     ToPort 65535, PortRange "*".
//   - TCP/UDP: the rule's range; PortRange "22", "80-443", or "*" for 0-65535.
//   - ICMP/ICMPv6: AWS puts the ICMP type in fromPort and the code in toPort
//     (-1 = any). They become ICMPType / ICMPCode (nil = any); FromPort,
//     ToPort and PortRange are nil, because ICMP has no ports.
type Ports struct {
	Protocol  string
	FromPort  *int64
	ToPort    *int64
	PortRange *string
	ICMPType  *int64
	ICMPCode  *int64
}

func i64(v int64) *int64  { return &v }
func sp(s string) *string { return &s }

// RulePorts normalises the protocol and ports of a rule.
func RulePorts(r ec2model.Rule) Ports {
	p := Ports{Protocol: Protocol(r.IPProtocol)}
	val := func(v *int32) int64 {
		if v == nil {
			return -1
		}
		return int64(*v)
	}
	from, to := val(r.FromPort), val(r.ToPort)
	switch p.Protocol {
	case "tcp", "udp":
		if from < 0 {
			from = 0
		}
		if to < 0 || to > 65535 {
			to = 65535
		}
		p.FromPort, p.ToPort = i64(from), i64(to)
		p.PortRange = sp(portRange(from, to))
	case "icmp", "icmpv6":
		if from >= 0 {
			p.ICMPType = i64(from)
			if to >= 0 {
				p.ICMPCode = i64(to)
			}
		}
	default:
		p.FromPort, p.ToPort, p.PortRange = i64(0), i64(65535), sp("*")
	}
	return p
}

func portRange(from, to int64) string {
	switch {
	case from <= 0 && to >= 65535:
		return "*"
	case from == to:
		return strconv.FormatInt(from, 10)
	}
	return strconv.FormatInt(from, 10) + "-" + strconv.FormatInt(to, 10)
}

// MergePorts merges what several rules allow into a sorted list of strings:
//
//	"*"            all traffic (then the only element)
//	"tcp:22"       one port;  "tcp:80-443" a range;  "tcp:*" every port
//	"udp:53"       likewise for UDP
//	"icmp:*"       every ICMP type; "icmp:8" type 8 any code; "icmp:3/4" type 3 code 4
//	"icmpv6:..."   likewise for ICMPv6
//	"50:*"         another IP protocol by number (ports do not apply)
//
// Overlapping and adjacent TCP/UDP ranges are merged (22 and 20-21 → "20-22").
func MergePorts(ps []Ports) []string {
	if len(ps) == 0 {
		return []string{}
	}
	m := portSets{ranges: map[string][]portSpan{}, icmpAll: map[string]bool{},
		icmpTypes: map[string]map[int64]bool{}, icmpCodes: map[string]map[[2]int64]bool{}, other: map[string]bool{}}
	for _, p := range ps {
		if p.Protocol == "*" {
			return []string{"*"}
		}
		m.add(p)
	}
	var out []string
	for _, proto := range []string{"tcp", "udp"} {
		for _, x := range mergeSpans(m.ranges[proto]) {
			out = append(out, proto+":"+portRange(x.from, x.to))
		}
	}
	for _, proto := range []string{"icmp", "icmpv6"} {
		out = append(out, m.icmp(proto)...)
	}
	return append(out, m.others()...)
}

type portSpan struct{ from, to int64 }

// portSets is MergePorts' input sorted by protocol.
type portSets struct {
	ranges    map[string][]portSpan // tcp, udp
	icmpAll   map[string]bool
	icmpTypes map[string]map[int64]bool
	icmpCodes map[string]map[[2]int64]bool
	other     map[string]bool // protocol numbers, all ports
}

func (m portSets) add(p Ports) {
	switch {
	case p.Protocol == "tcp" || p.Protocol == "udp":
		m.ranges[p.Protocol] = append(m.ranges[p.Protocol], portSpan{*p.FromPort, *p.ToPort})
	case isICMP(p.Protocol):
		switch {
		case p.ICMPType == nil:
			m.icmpAll[p.Protocol] = true
		case p.ICMPCode == nil:
			if m.icmpTypes[p.Protocol] == nil {
				m.icmpTypes[p.Protocol] = map[int64]bool{}
			}
			m.icmpTypes[p.Protocol][*p.ICMPType] = true
		default:
			if m.icmpCodes[p.Protocol] == nil {
				m.icmpCodes[p.Protocol] = map[[2]int64]bool{}
			}
			m.icmpCodes[p.Protocol][[2]int64{*p.ICMPType, *p.ICMPCode}] = true
		}
	default:
		m.other[p.Protocol] = true
	}
}

// mergeSpans sorts spans and joins the ones that overlap or touch.
func mergeSpans(ivs []portSpan) []portSpan {
	if len(ivs) == 0 {
		return nil
	}
	sort.Slice(ivs, func(i, j int) bool {
		return ivs[i].from < ivs[j].from || ivs[i].from == ivs[j].from && ivs[i].to < ivs[j].to
	})
	merged := []portSpan{ivs[0]}
	for _, x := range ivs[1:] {
		last := &merged[len(merged)-1]
		if x.from <= last.to+1 {
			last.to = max(last.to, x.to)
			continue
		}
		merged = append(merged, x)
	}
	return merged
}

// icmp lists one ICMP family's entries sorted by type: "proto:*", else each
// whole type, and each type/code whose type is not already whole.
func (m portSets) icmp(proto string) []string {
	if m.icmpAll[proto] {
		return []string{proto + ":*"}
	}
	var types []int64
	for t := range m.icmpTypes[proto] {
		types = append(types, t)
	}
	sort.Slice(types, func(i, j int) bool { return types[i] < types[j] })
	var codes [][2]int64
	for c := range m.icmpCodes[proto] {
		if !m.icmpTypes[proto][c[0]] {
			codes = append(codes, c)
		}
	}
	sort.Slice(codes, func(i, j int) bool {
		return codes[i][0] < codes[j][0] || codes[i][0] == codes[j][0] && codes[i][1] < codes[j][1]
	})
	var out []string
	ti, ci := 0, 0
	for ti < len(types) || ci < len(codes) {
		if ci >= len(codes) || ti < len(types) && types[ti] <= codes[ci][0] {
			out = append(out, proto+":"+strconv.FormatInt(types[ti], 10))
			ti++
			continue
		}
		out = append(out, proto+":"+strconv.FormatInt(codes[ci][0], 10)+"/"+strconv.FormatInt(codes[ci][1], 10))
		ci++
	}
	return out
}

// others lists the other protocols, by number, each with all its ports.
func (m portSets) others() []string {
	var others []string
	for p := range m.other {
		others = append(others, p)
	}
	sort.Slice(others, func(i, j int) bool {
		a, _ := strconv.Atoi(others[i])
		b, _ := strconv.Atoi(others[j])
		return a < b || a == b && others[i] < others[j]
	})
	out := make([]string, 0, len(others))
	for _, p := range others {
		out = append(out, p+":*")
	}
	return out
}
