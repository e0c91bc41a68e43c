package privesc

import (
	"container/heap"
	"sort"
	"strings"
)

// condCost is the cost of a conditional step: shortest paths prefer any
// number of unconditional steps to one that rests on unknown condition
// keys.
const condCost = 1 << 20

func stepCost(o outcome) int {
	if o.cond {
		return 1 + condCost
	}
	return 1
}

// path is a witness: the edges in order and whether any is conditional.
type path struct {
	cost  int
	edges []*Edge
}

// close computes canBecomeAdmin / adminPath / adminPathLength from the
// "become" graph (CAN_ASSUME and become edges: P gains T's permissions) and
// the grant edges (P gives T any permission; P benefits when T is itself or
// a principal it can become). Principals with unknown inputs contribute no
// edges and are no administrators; a principal that reaches one of them
// without reaching a known administrator is unknown.
func (a *analyzer) close(res *Result) {
	become := map[*node][]*Edge{}
	for n, es := range a.assumes {
		become[n] = append(become[n], es...)
	}
	var grants []*Edge
	for _, e := range a.edges {
		if e.Category == catGrant {
			grants = append(grants, e)
		} else {
			become[e.From] = append(become[e.From], e)
		}
	}
	// Seeds: known administrators (cost 0), and principals that can make a
	// principal they can become (or themselves) an administrator.
	seed := map[*node]path{}
	for _, n := range a.nodes {
		if !n.unknown && n.admin.ok {
			seed[n] = path{cost: stepCost(n.admin) - 1}
		}
	}
	byFrom := map[*node][]*Edge{}
	var froms []*node
	for _, g := range grants {
		if g.To.unknown {
			continue
		}
		if byFrom[g.From] == nil {
			froms = append(froms, g.From)
		}
		byFrom[g.From] = append(byFrom[g.From], g)
	}
	for _, x := range froms {
		var targets []*node
		for _, g := range byFrom[x] {
			if g.To != x {
				targets = append(targets, g.To)
			}
		}
		reach := shortestFrom(x, targets, become)
		for _, g := range byFrom[x] {
			var via path
			if g.To != x {
				p, ok := reach[g.To]
				if !ok {
					continue
				}
				via = p
			}
			c := path{cost: stepCost(g.outcome) + via.cost, edges: append([]*Edge{g}, via.edges...)}
			if old, ok := seed[x]; !ok || c.cost < old.cost {
				seed[x] = c
			}
		}
	}
	best := shortestTo(seed, become)
	unknownReach := reachesUnknown(a.nodes, become, grants)
	res.Props = map[string]map[string]any{}
	for _, n := range a.nodes {
		a.principalProps(n, best, unknownReach, res)
	}
	sort.Strings(res.Unknown)
	sort.Strings(res.AdminUnknown)
	sort.Strings(res.UnknownSources)
}

// principalProps sets one principal's derived properties.
func (a *analyzer) principalProps(n *node, best map[*node]path, unknownReach map[*node]bool, res *Result) {
	props := map[string]any{"escalationInputsUnknown": n.unknown}
	res.Props[n.arn] = props
	if n.unknown || n.takeoverUnknown {
		res.UnknownSources = append(res.UnknownSources, n.arn)
	}
	isAdmin := !n.unknown && n.admin.ok
	p, reach := best[n]
	switch {
	case n.unknown:
		res.Unknown = append(res.Unknown, n.arn)
		res.AdminUnknown = append(res.AdminUnknown, n.arn)
		props["escalationInputsUnknown"] = true
		return
	case !reach && unknownReach[n]:
		// Its own policies are known (isAdmin is), what it could reach is
		// not: only the closure values are kept from the previous run.
		res.Unknown = append(res.Unknown, n.arn)
		props["escalationInputsUnknown"] = true
		props["isAdmin"] = false
		props["isAdminConditional"] = nil
		props["isAdminConditionKeys"] = nil
		return
	case isAdmin:
		props["isAdmin"] = true
		props["isAdminConditional"] = n.admin.cond
		props["isAdminConditionKeys"] = nilIfEmpty(n.admin.keys)
		props["canBecomeAdmin"] = false
	case reach:
		props["isAdmin"] = false
		props["canBecomeAdmin"] = true
		props["adminPath"] = renderPath(p.edges)
		props["adminPathLength"] = len(p.edges)
		props["adminPathConditional"] = p.cost >= condCost
		a.counts["principalsThatCanBecomeAdmin"]++
		return
	default:
		props["isAdmin"] = false
		props["canBecomeAdmin"] = false
	}
	props["adminPath"] = nil
	props["adminPathLength"] = nil
	props["adminPathConditional"] = nil
	if isAdmin {
		a.counts["administrators"]++
	} else {
		props["isAdminConditional"] = nil
		props["isAdminConditionKeys"] = nil
	}
}

func nilIfEmpty(keys []string) any {
	if len(keys) == 0 {
		return nil
	}
	return strings.Join(keys, ",")
}

// renderPath is the readable chain "user/a —technique→ role/b —…→ …". A
// grant step followed by the steps to its target reads "user/a
// —iam:AttachRolePolicy→ role/b; user/a —sts:AssumeRole→ role/b".
func renderPath(es []*Edge) string {
	var b strings.Builder
	for i, e := range es {
		switch {
		case i == 0:
			b.WriteString(e.From.short())
		case e.From != es[i-1].To:
			b.WriteString("; " + e.From.short())
		}
		b.WriteString(" —" + e.Technique + "→ " + e.To.short())
	}
	return b.String()
}

// shortestFrom is Dijkstra from src over the become edges, stopped once
// every target is settled: the cheapest path to each target src can
// become. Parents are kept, not paths, so memory stays linear.
func shortestFrom(src *node, targets []*node, become map[*node][]*Edge) map[*node]path {
	out := map[*node]path{}
	if len(targets) == 0 {
		return out
	}
	want := map[*node]bool{}
	for _, t := range targets {
		want[t] = true
	}
	cost := map[*node]int{src: 0}
	parent := map[*node]*Edge{}
	done := map[*node]bool{}
	q := &pq{{n: src}}
	for q.Len() > 0 && len(want) > 0 {
		it := heap.Pop(q).(item)
		if done[it.n] {
			continue
		}
		done[it.n] = true
		delete(want, it.n)
		for _, e := range become[it.n] {
			c := it.cost + stepCost(e.outcome)
			if old, ok := cost[e.To]; !ok || c < old {
				cost[e.To] = c
				parent[e.To] = e
				heap.Push(q, item{n: e.To, cost: c})
			}
		}
	}
	for _, t := range targets {
		if !done[t] || t == src {
			continue
		}
		var es []*Edge
		for m := t; m != src; m = parent[m].From {
			es = append([]*Edge{parent[m]}, es...)
		}
		out[t] = path{cost: cost[t], edges: es}
	}
	return out
}

// shortestTo is a multi-source Dijkstra on the reversed become graph: for
// every principal the cheapest path to a seed, followed by the seed's own
// path.
func shortestTo(seed map[*node]path, become map[*node][]*Edge) map[*node]path {
	rev := map[*node][]*Edge{}
	for _, es := range become {
		for _, e := range es {
			rev[e.To] = append(rev[e.To], e)
		}
	}
	next := map[*node]*Edge{}
	cost := map[*node]int{}
	q := &pq{}
	for n, p := range seed {
		cost[n] = p.cost
		heap.Push(q, item{n: n, cost: p.cost})
	}
	for q.Len() > 0 {
		it := heap.Pop(q).(item)
		if it.cost > cost[it.n] {
			continue
		}
		for _, e := range rev[it.n] {
			c := it.cost + stepCost(e.outcome)
			if old, ok := cost[e.From]; !ok || c < old {
				cost[e.From] = c
				next[e.From] = e
				heap.Push(q, item{n: e.From, cost: c})
			}
		}
	}
	out := map[*node]path{}
	for n, c := range cost {
		var es []*Edge
		m := n
		for {
			e, ok := next[m]
			if !ok {
				break
			}
			es = append(es, e)
			m = e.To
		}
		out[n] = path{cost: c, edges: append(es, seed[m].edges...)}
	}
	return out
}

// reachesUnknown marks the principals that can become, or grant to, a
// principal whose inputs are unknown.
func reachesUnknown(nodes []*node, become map[*node][]*Edge, grants []*Edge) map[*node]bool {
	rev := map[*node][]*node{}
	for _, es := range become {
		for _, e := range es {
			rev[e.To] = append(rev[e.To], e.From)
		}
	}
	for _, g := range grants {
		rev[g.To] = append(rev[g.To], g.From)
	}
	marked := map[*node]bool{}
	var stack []*node
	for _, n := range nodes {
		if n.unknown || n.takeoverUnknown {
			marked[n] = true
			stack = append(stack, n)
		}
	}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, m := range rev[n] {
			if !marked[m] {
				marked[m] = true
				stack = append(stack, m)
			}
		}
	}
	return marked
}

type item struct {
	n    *node
	cost int
}

type pq []item

func (q pq) Len() int           { return len(q) }
func (q pq) Less(i, j int) bool { return q[i].cost < q[j].cost }
func (q pq) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *pq) Push(x any)        { *q = append(*q, x.(item)) }
func (q *pq) Pop() any          { old := *q; it := old[len(old)-1]; *q = old[:len(old)-1]; return it }
