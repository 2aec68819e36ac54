package solve

import (
	"sort"

	"github.com/slipway-build/slipway/builder/rpmmeta"
)

// policy orders the packages that could satisfy one dependency, best
// first; the solver tries them in this order. It follows libsolv's
// policy_filter_unwanted (policy.c); see docs/solver.md:
//
//  1. the best (lowest) repository priority among them
//     (prune_to_highest_prio);
//  2. packages not obsoleted by another of them (prune_obsoleted);
//  3. names whose best version is recommended by an installed package or
//     by another candidate, or supplements the installed set or another
//     candidate (prune_to_recommended, first half; it applies even with
//     weak deps off);
//  4. among those, names whose best version is suggested by an installed
//     package or enhances one (prune_to_recommended, second half);
//  5. names whose best version is an old version of its name (a newer
//     one of the same arch exists, or one in a better repository) go
//     last (dislike_old_versions): the newest version no longer meets
//     the dependency;
//  6. names whose best version provides some capability at a lower
//     version ("cap = 1") than another name's best version does
//     ("cap = 2") go last (sort_by_common_dep); any "= version"
//     provide counts, not only the one asked for, and an unversioned
//     provide is neither better nor worse;
//  7. package name, in byte order (prune_to_best_version sorts names
//     with strcmp);
//  8. within a name, highest EVR first;
//  9. the target arch before noarch; then repository order.
//
// Packages pushed back by 1 to 4 still follow, so backtracking can use
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
	// libsolv looks at the best version of each name only when it
	// prefers recommended packages: rank names by that version.
	bestOf := map[string]int32{}
	for _, c := range cands {
		n := p.cands[c].Pkg.Name
		if b, ok := bestOf[n]; !ok || s.better(c, b) {
			bestOf[n] = c
		}
	}
	const (
		rankBest = iota
		rankNotSuggested
		rankNotRecommended
		rankObsoleted
		rankPriority
	)
	rank := make(map[int32]int, len(cands))
	for _, c := range cands {
		switch {
		case p.cands[c].prio() != bestPrio:
			rank[c] = rankPriority
		case s.obsoletedByOther(c, cands):
			rank[c] = rankObsoleted
		default:
			rank[c] = rankBest
		}
	}
	// prune_to_recommended, first half: among the names left, prefer
	// those recommended or supplementing, if any.
	recName := map[string]bool{}
	anyRec := false
	for n, b := range bestOf {
		if rank[b] == rankBest && s.recommended(b, bestOf) {
			recName[n], anyRec = true, true
		}
	}
	if anyRec {
		for _, c := range cands {
			if rank[c] == rankBest && !recName[p.cands[c].Pkg.Name] {
				rank[c] = rankNotRecommended
			}
		}
	}
	// The second half of prune_to_recommended: among the names left,
	// prefer those suggested by or enhancing the installed set, if any.
	sugName := map[string]bool{}
	anySug := false
	for n, b := range bestOf {
		if rank[b] == rankBest && s.suggested(b) {
			sugName[n], anySug = true, true
		}
	}
	if anySug {
		for _, c := range cands {
			if rank[c] == rankBest && !sugName[p.cands[c].Pkg.Name] {
				rank[c] = rankNotSuggested
			}
		}
	}
	old := map[string]bool{}
	for n, b := range bestOf {
		old[n] = s.oldVersion(b)
	}
	// libsolv's sort_by_common_dep: where the best versions of several
	// names provide the same capability with "= version", the names
	// providing it at a lower version than another go behind the rest.
	// Any such provide counts, not only the one asked for; names are
	// compared within one rank (libsolv reorders what prune_to_recommended
	// left).
	disliked := s.dislikeOlderCommonProvides(bestOf, func(n string) int { return rank[bestOf[n]] })
	out := append([]int32(nil), cands...)
	sort.SliceStable(out, func(a, b int) bool {
		x, y := out[a], out[b]
		if rank[x] != rank[y] {
			return rank[x] < rank[y]
		}
		nx, ny := p.cands[x].Pkg.Name, p.cands[y].Pkg.Name
		if ox, oy := old[nx], old[ny]; ox != oy {
			return oy
		}
		if dx, dy := disliked[nx], disliked[ny]; dx != dy {
			return dy
		}
		return s.better(x, y)
	})
	return out
}

// oldVersion reports whether a visible package of the same name and
// arch is newer than c, or comes from a repository of better priority
// (libsolv's dislike_old_versions).
func (s *solver) oldVersion(c int32) bool {
	p := s.p
	pc := p.cands[c]
	for q := range p.byName.get(pc.Pkg.Name) {
		if q == c || !s.visible[q] || p.cands[q].Pkg.Arch != pc.Pkg.Arch {
			continue
		}
		if pq := p.cands[q].prio(); pq != pc.prio() {
			if pq < pc.prio() {
				return true
			}
			continue
		}
		if rpmmeta.Compare(p.cands[q].Pkg.EVR, pc.Pkg.EVR) > 0 {
			return true
		}
	}
	return false
}

// suggested reports whether package c is suggested by an installed
// package or enhances the installed set (libsolv's suggestsmap and
// solver_is_enhancing). Unlike recommends, the suggests of other
// candidates do not count (checked with testsolv).
func (s *solver) suggested(c int32) bool {
	p := s.p
	for _, i := range s.order {
		if s.depsProvide(p.cands[i].Pkg.Suggests, c) {
			return true
		}
	}
	for _, d := range p.cands[c].Pkg.Enhances {
		it, _, ok := s.depItem(c, d, kindSupplements)
		if ok {
			if sat, _ := s.eval(&it); sat {
				return true
			}
		}
	}
	return false
}

// depsProvide reports whether package c meets one of deps (for a rich
// dependency: one of its leaves).
func (s *solver) depsProvide(deps []rpmmeta.Dep, c int32) bool {
	p := s.p
	for _, d := range deps {
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

// dislikeOlderCommonProvides returns the names (keys of bestOf) whose
// best version provides some capability with "= version" at a lower
// version than the best version of another name of the same group
// provides it. group(name) splits the names into groups compared
// separately.
func (s *solver) dislikeOlderCommonProvides(bestOf map[string]int32, group func(string) int) map[string]bool {
	if len(bestOf) < 2 {
		return nil
	}
	type prov struct {
		name  string
		group int
		evr   rpmmeta.EVR
	}
	byCap := map[string][]prov{}
	for n, b := range bestOf {
		g := group(n)
		for _, d := range s.p.provs[b] {
			if d.Flags&rpmmeta.SenseCompareMask != rpmmeta.SenseEqual || d.Version == "" || d.IsRich() {
				continue
			}
			byCap[d.Name] = append(byCap[d.Name], prov{n, g, d.EVR()})
		}
	}
	var out map[string]bool
	for _, list := range byCap {
		if len(list) < 2 {
			continue
		}
		for _, a := range list {
			for _, b := range list {
				if a.name != b.name && a.group == b.group && rpmmeta.Compare(a.evr, b.evr) < 0 {
					if out == nil {
						out = map[string]bool{}
					}
					out[a.name] = true
					break
				}
			}
		}
	}
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
// name), or supplements the selected set or another candidate.
func (s *solver) recommended(c int32, bestOf map[string]int32) bool {
	p := s.p
	for _, i := range s.order {
		if s.depsProvide(p.cands[i].Pkg.Recommends, c) {
			return true
		}
	}
	names := make([]string, 0, len(bestOf))
	for n := range bestOf {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		o := bestOf[n]
		if o == c {
			continue
		}
		if s.depsProvide(p.cands[o].Pkg.Recommends, c) {
			return true
		}
		// c supplements another candidate (checked with testsolv: libsolv
		// prefers it as if that candidate recommended it).
		if s.depsProvide(p.cands[c].Pkg.Supplements, o) {
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
