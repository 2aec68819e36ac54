package solve

import (
	"sort"

	"github.com/slipway-build/slipway/builder/rpmmeta"
)

// policy orders the packages that could satisfy one dependency, best
// first; the solver tries them in this order. See docs/solver.md:
//
//  1. the best (lowest) repository priority among them;
//  2. packages not obsoleted by another of them;
//  3. package name, in byte order (libsolv's choice between names);
//  4. within a name, highest EVR first;
//  5. the target arch before noarch; then repository order.
//
// Packages pushed back by 1 and 2 still follow, so backtracking can use
// them.
func (s *solver) policy(cands []int32) []int32 {
	if len(cands) < 2 {
		return cands
	}
	p := s.p
	bestPrio := p.cands[cands[0]].prio()
	for _, c := range cands[1:] {
		bestPrio = min(bestPrio, p.cands[c].prio())
	}
	rank := make(map[int32]int, len(cands))
	for _, c := range cands {
		r := 0
		if p.cands[c].prio() != bestPrio {
			r = 2
		} else if s.obsoletedByOther(c, cands) {
			r = 1
		}
		rank[c] = r
	}
	out := append([]int32(nil), cands...)
	sort.SliceStable(out, func(a, b int) bool {
		x, y := out[a], out[b]
		if rank[x] != rank[y] {
			return rank[x] < rank[y]
		}
		return s.better(x, y)
	})
	return out
}

// policyOrder sorts packages by name, best version first.
func (s *solver) policyOrder(c []int32) []int32 {
	sort.SliceStable(c, func(a, b int) bool { return s.better(c[a], c[b]) })
	return c
}

// better orders by name, then EVR (highest first), then target arch
// before noarch, then candidate order.
func (s *solver) better(x, y int32) bool {
	px, py := s.p.cands[x].Pkg, s.p.cands[y].Pkg
	if px.Name != py.Name {
		return px.Name < py.Name
	}
	if c := rpmmeta.Compare(px.EVR, py.EVR); c != 0 {
		return c > 0
	}
	if px.Arch != py.Arch {
		return px.Arch != "noarch"
	}
	return x < y
}

// obsoletedByOther reports whether another candidate of a different name
// obsoletes c.
func (s *solver) obsoletedByOther(c int32, cands []int32) bool {
	pc := s.p.cands[c].Pkg
	for _, o := range cands {
		po := s.p.cands[o].Pkg
		if o == c || po.Name == pc.Name {
			continue
		}
		for _, d := range po.Obsoletes {
			if d.MatchesEVR(pc.Name, pc.EVR) {
				return true
			}
		}
	}
	return false
}
