package reachability

import (
	"sort"
	"strconv"

	"github.com/awsgraph/awsgraph/internal/analysis/sgrules"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
)

// span is a closed port interval.
type span struct{ from, to int64 }

// spans is a sorted, disjoint set of port intervals.
type spans []span

var allPorts = spans{{0, 65535}}

// Ephemeral is the port range a client's replies go back to: a stateless
// NACL must let it out for a connection to complete.
var Ephemeral = span{1024, 65535}

func (s spans) normalize() spans {
	if len(s) == 0 {
		return nil
	}
	c := append(spans(nil), s...)
	sort.Slice(c, func(i, j int) bool { return c[i].from < c[j].from })
	out := spans{c[0]}
	for _, x := range c[1:] {
		last := &out[len(out)-1]
		if x.from <= last.to+1 {
			if x.to > last.to {
				last.to = x.to
			}
			continue
		}
		out = append(out, x)
	}
	return out
}

// intersect returns the ports in both s and o.
func (s spans) intersect(o spans) spans {
	var out spans
	for _, a := range s {
		for _, b := range o {
			lo, hi := max(a.from, b.from), min(a.to, b.to)
			if lo <= hi {
				out = append(out, span{lo, hi})
			}
		}
	}
	return out.normalize()
}

// minus returns the ports of s not in o.
func (s spans) minus(o spans) spans {
	out := append(spans(nil), s...)
	for _, b := range o {
		var next spans
		for _, a := range out {
			if b.to < a.from || b.from > a.to {
				next = append(next, a)
				continue
			}
			if a.from < b.from {
				next = append(next, span{a.from, b.from - 1})
			}
			if a.to > b.to {
				next = append(next, span{b.to + 1, a.to})
			}
		}
		out = next
	}
	return out.normalize()
}

// covers reports whether every port of x is in s.
func (s spans) covers(x span) bool { return len(spans{x}.minus(s)) == 0 }

// tcpPorts is the normalised form of "tcp/udp from-to".
func portsOf(proto string, from, to int64) sgrules.Ports {
	f, t := int32(from), int32(to)
	return sgrules.RulePorts(m.Rule{IPProtocol: proto, FromPort: &f, ToPort: &t})
}

// ACLProtocol normalises a NACL entry's protocol number the way security
// group protocols are ("6" → "tcp", "-1" → "*").
func ACLProtocol(p string) string { return sgrules.Protocol(p) }

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
