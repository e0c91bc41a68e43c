package sgrules

import "net/netip"

// nonPublic are the ranges that are not reachable on the public Internet:
// RFC 1918 private space, loopback, link-local, carrier-grade NAT (RFC 6598),
// "this network", multicast and reserved space, IPv6 loopback, link-local,
// unique-local (ULA) and multicast.
var nonPublic = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16",
		"100.64.0.0/10", "0.0.0.0/8", "224.0.0.0/4", "240.0.0.0/4",
		"::1/128", "fe80::/10", "fc00::/7", "ff00::/8",
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// IsPublic reports whether a CIDR reaches beyond non-public address space: it
// is public unless it lies entirely inside one of the non-public ranges.
func IsPublic(p netip.Prefix) bool {
	for _, np := range nonPublic {
		if np.Bits() <= p.Bits() && np.Contains(p.Addr()) {
			return false
		}
	}
	return true
}

// ParseCIDR parses and canonicalises a CIDR (host bits cleared), so that
// "10.0.0.1/8" and "10.0.0.0/8" compare equal. A bare address is a /32 or /128.
func ParseCIDR(s string) (netip.Prefix, bool) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		a, err2 := netip.ParseAddr(s)
		if err2 != nil {
			return netip.Prefix{}, false
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	return p.Masked(), true
}
