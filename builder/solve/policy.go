package solve

import (
	"slices"
	"sort"

	"github.com/slipway-build/slipway/builder/rpmmeta"
)

// policy orders the packages that could satisfy one dependency, best
// first; the solver tries them in this order. See docs/solver.md:
//
//  1. the best (lowest) repository priority among them;
//  2. packages not obsoleted by another of them;
//  3. names whose best version is recommended by an installed package or
//     by another candidate, or supplements the installed set (libsolv's
//     prune_to_recommended; it applies even with weak deps off);
//  4. for a simple capability, the highest version at which the best
//     version of each name provides it ("cap = 2" before "cap = 1"),
//     versioned provides before unversioned ones;
//  5. package name, in byte order (libsolv's choice between names);
//  6. within a name, highest EVR first;
//  7. the target arch before noarch; then repository order.
//
// Packages pushed back by 1 to 3 still follow, so backtracking can use
// them.
func (s *solver) policy(cands []int32, capabilities []string) []int32 {
	if len(cands) < 2 {
		return cands
	}
	p := s.p
	bestPrio := p.cands[cands[0]].prio()
	for _, c := range cands[1:] {
		bestPrio = min(bestPrio, p.cands[c].prio())
	}
	// libsolv looks at the best version of each name only when it
	// prefers recommended packages: rank names by that version.
	bestOf := map[string]int32{}
	for _, c := range cands {
		n := p.cands[c].Pkg.Name
		if b, ok := bestOf[n]; !ok || s.better(c, b) {
			bestOf[n] = c
		}
	}
	recName := map[string]bool{}
	for n, b := range bestOf {
		recName[n] = s.recommended(b, bestOf)
	}
	rank := make(map[int32]int, len(cands))
	for _, c := range cands {
		r := 0
		switch {
		case p.cands[c].prio() != bestPrio:
			r = 3
		case s.obsoletedByOther(c, cands):
			r = 2
		case !recName[p.cands[c].Pkg.Name]:
			r = 1
		}
		rank[c] = r
	}
	// The version each candidate's best version of its name provides the
	// capability at: libsolv prefers the highest.
	var provEVR map[string]*rpmmeta.EVR
	if len(capabilities) > 0 {
		provEVR = map[string]*rpmmeta.EVR{}
		for n, b := range bestOf {
			for _, d := range p.provs[b] {
				if !slices.Contains(capabilities, d.Name) || d.Flags&rpmmeta.SenseCompareMask != rpmmeta.SenseEqual || d.Version == "" {
					continue
				}
				e := d.EVR()
				if cur := provEVR[n]; cur == nil || rpmmeta.Compare(e, *cur) > 0 {
					provEVR[n] = &e
				}
			}
		}
	}
	out := append([]int32(nil), cands...)
	sort.SliceStable(out, func(a, b int) bool {
		x, y := out[a], out[b]
		if rank[x] != rank[y] {
			return rank[x] < rank[y]
		}
		nx, ny := p.cands[x].Pkg.Name, p.cands[y].Pkg.Name
		if ex, ey := provEVR[nx], provEVR[ny]; nx != ny && (ex != nil || ey != nil) {
			switch {
			case ey == nil:
				return true
			case ex == nil:
				return false
			}
			if c := rpmmeta.Compare(*ex, *ey); c != 0 {
				return c > 0
			}
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

// recommended reports whether package c is recommended by a selected
// package or by another of the candidates (the best version of each
// name), or supplements the selected set.
func (s *solver) recommended(c int32, bestOf map[string]int32) bool {
	p := s.p
	provides := func(by int32) bool {
		for _, d := range p.cands[by].Pkg.Recommends {
			if d.IsRich() {
				if r := p.rich[d.Name]; r != nil {
					found := false
					r.Leaves(func(l rpmmeta.Dep) { found = found || p.pkgProvides(c, l) })
					if found {
						return true
					}
				}
				continue
			}
			if p.pkgProvides(c, d) {
				return true
			}
		}
		return false
	}
	for _, i := range s.order {
		if provides(i) {
			return true
		}
	}
	names := make([]string, 0, len(bestOf))
	for n := range bestOf {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if o := bestOf[n]; o != c && provides(o) {
			return true
		}
	}
	for _, d := range p.cands[c].Pkg.Supplements {
		it, _, ok := s.depItem(c, d, kindSupplements)
		if ok {
			if sat, _ := s.eval(&it); sat {
				return true
			}
		}
	}
	return false
}
