package reachability

import (
	"sort"
	"strings"

	"github.com/awsgraph/awsgraph/internal/graph"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
)

// iface is one network interface as the analysis evaluates it: AWS
// delivers a packet to an interface by that interface's own subnet (route
// table, network ACL), its own groups and its own addresses — a secondary
// interface of an instance may sit in another subnet with other groups and
// its own Elastic IP.
type iface struct {
	key      string // the interface entity's key; "" when read from the instance (no interface collected)
	id       string
	subnet   string
	vpc      string
	groups   []string
	public4  []string
	ipv6     []string
	private  []string
	instance string // the attached instance's id
	device   int64
}

func ifaceOf(e graph.Entity) iface {
	dev, ok := num(e[m.PropDeviceIndex])
	if !ok {
		dev = -1
	}
	return iface{key: e.Key(), id: e.String(m.PropNetworkInterfaceID), subnet: e.String(m.PropSubnetID), vpc: e.String(m.PropVPCID),
		groups: e.Strings(m.PropSecurityGroupIDs), public4: e.Strings(m.PropPublicIPs), ipv6: e.Strings(m.PropIPv6Addresses),
		private: e.Strings(m.PropPrivateIPs), instance: e.String(m.PropAttachedInstanceID), device: dev}
}

// instanceIface is an instance read as a single interface: only for an
// instance none of whose interfaces is in the graph.
func instanceIface(i graph.Entity) iface {
	public := i.Strings(m.PropPublicIPs)
	if len(public) == 0 && i.String(m.PropPublicIP) != "" {
		public = []string{i.String(m.PropPublicIP)}
	}
	return iface{id: "(the instance's own addresses)", subnet: i.String(m.PropSubnetID), vpc: i.String(m.PropVPCID),
		groups: i.Strings(m.PropSecurityGroupIDs), public4: public, ipv6: i.Strings(m.PropIPv6Addresses),
		private: i.Strings(m.PropPrivateIPs), instance: i.String(m.PropInstanceID)}
}

// indexInterfaces reads the interfaces and adds the Elastic IPs associated
// with each (EC2 reports them on the interface too; an address known only
// from DescribeAddresses still makes the interface public).
func (a *analyzer) indexInterfaces(in Input) {
	eips := map[string][]string{}       // region/eni id → public IPs
	eipsByInst := map[string][]string{} // region/instance id → public IPs without an interface id
	for _, e := range in.ElasticIPs {
		region, ip := e.String(m.PropRegion), e.String(m.PropPublicIP)
		if ip == "" {
			continue
		}
		a.eipNames[rk(region, ip)] = e.String("allocationId")
		if id := e.String(m.PropNetworkInterfaceID); id != "" {
			eips[rk(region, id)] = append(eips[rk(region, id)], ip)
		} else if id := e.String(m.PropInstanceID); id != "" {
			eipsByInst[rk(region, id)] = append(eipsByInst[rk(region, id)], ip)
		}
	}
	for _, e := range in.NetworkInterfaces {
		region := e.String(m.PropRegion)
		f := ifaceOf(e)
		f.public4 = uniq(append(f.public4, eips[rk(region, f.id)]...))
		if f.instance != "" {
			k := rk(region, f.instance)
			a.ifaces[k] = append(a.ifaces[k], f)
		}
		a.interfaces[e.Key()] = e
		a.ifaceByKey[e.Key()] = f
		for _, ip := range f.private {
			a.ifaceByIP[rk(region, f.vpc+"/"+ip)] = f
		}
	}
	for k, fs := range a.ifaces {
		sort.Slice(fs, func(i, j int) bool {
			return fs[i].device < fs[j].device || fs[i].device == fs[j].device && fs[i].id < fs[j].id
		})
		if extra := eipsByInst[k]; len(extra) > 0 {
			fs[0].public4 = uniq(append(fs[0].public4, extra...))
		}
	}
	a.eipsByInst = eipsByInst
}

// interfacesOf are the instance's interfaces, the primary first; the
// instance's own fields when none was collected.
func (a *analyzer) interfacesOf(i graph.Entity) []iface {
	region := i.String(m.PropRegion)
	if fs := a.ifaces[rk(region, i.String(m.PropInstanceID))]; len(fs) > 0 {
		return fs
	}
	f := instanceIface(i)
	f.public4 = uniq(append(f.public4, a.eipsByInst[rk(region, f.instance)]...))
	return []iface{f}
}

// addresses names the interface's addresses for an explanation, each
// Elastic IP as such.
func (a *analyzer) addresses(region string, addrs []string) string {
	out := make([]string, len(addrs))
	for i, ip := range addrs {
		out[i] = ip
		if id, ok := a.eipNames[rk(region, ip)]; ok {
			out[i] += " (Elastic IP " + id + ")"
		}
	}
	return strings.Join(out, ", ")
}
