package view

import (
	"math"
	"math/rand/v2"
)

// largeGraph is the size above which Render lays the graph out in Go: the
// page's own force layout (cytoscape's cose) took a minute for 2,000 nodes
// in headless Chromium; this takes well under a second.
const largeGraph = 400

// point is a node's position in layout units (the page scales to fit).
type point [2]float64

// forceLayout places the nodes with Fruchterman-Reingold: edges pull their
// ends together, nodes closer than a cutoff push apart (found through a grid,
// so an iteration costs O(nodes + edges)), and a weak pull to the centre
// keeps disconnected parts near the rest. Seeded, so a page is reproducible.
func forceLayout(g *Subgraph) map[string]point {
	n := len(g.Entities)
	index := make(map[string]int, n)
	for i, e := range g.Entities {
		index[e.Key] = i
	}
	type link struct{ a, b int }
	var links []link
	for _, r := range g.Relationships {
		a, okA := index[r.From]
		b, okB := index[r.To]
		if okA && okB && a != b {
			links = append(links, link{a, b})
		}
	}
	const k = 30.0 // ideal distance between neighbours
	side := k * math.Sqrt(float64(n))
	rng := rand.New(rand.NewPCG(1, 2))
	pos := make([]point, n)
	for i := range pos {
		pos[i] = point{(rng.Float64() - 0.5) * side, (rng.Float64() - 0.5) * side}
	}
	disp := make([]point, n)
	temp := side / 8
	const iterations = 300
	for it := range iterations {
		clear(disp)
		repel(pos, disp, k)
		for _, l := range links {
			dx, dy := pos[l.a][0]-pos[l.b][0], pos[l.a][1]-pos[l.b][1]
			d := math.Max(math.Hypot(dx, dy), 0.01)
			f := d * d / k / d
			disp[l.a][0] -= dx * f
			disp[l.a][1] -= dy * f
			disp[l.b][0] += dx * f
			disp[l.b][1] += dy * f
		}
		for i := range pos {
			disp[i][0] -= pos[i][0] * 0.003 // gravity
			disp[i][1] -= pos[i][1] * 0.003
			d := math.Hypot(disp[i][0], disp[i][1])
			if d > 0 {
				step := math.Min(d, temp) / d
				pos[i][0] += disp[i][0] * step
				pos[i][1] += disp[i][1] * step
			}
		}
		temp = side / 8 * (1 - float64(it+1)/iterations) // linear cooling
		temp = math.Max(temp, 0.5)
	}
	out := make(map[string]point, n)
	for i, e := range g.Entities {
		out[e.Key] = point{math.Round(pos[i][0]*10) / 10, math.Round(pos[i][1]*10) / 10}
	}
	return out
}

// repel adds the repulsion between nodes closer than 2k, bucketing the
// nodes in a grid of 2k cells so only neighbouring cells are compared.
func repel(pos, disp []point, k float64) {
	cell := 2 * k
	cell2 := cell * cell
	grid := map[[2]int][]int{}
	for i, p := range pos {
		c := [2]int{int(math.Floor(p[0] / cell)), int(math.Floor(p[1] / cell))}
		grid[c] = append(grid[c], i)
	}
	for c, members := range grid {
		for dx := -1; dx <= 1; dx++ {
			for dy := -1; dy <= 1; dy++ {
				for _, j := range grid[[2]int{c[0] + dx, c[1] + dy}] {
					for _, i := range members {
						if i >= j {
							continue
						}
						ddx, ddy := pos[i][0]-pos[j][0], pos[i][1]-pos[j][1]
						d2 := ddx*ddx + ddy*ddy // no square root: the force is k²/d along (dx, dy)/d
						if d2 > cell2 {
							continue
						}
						f := k * k / max(d2, 1e-4)
						disp[i][0] += ddx * f
						disp[i][1] += ddy * f
						disp[j][0] -= ddx * f
						disp[j][1] -= ddy * f
					}
				}
			}
		}
	}
}
