package solve

import (
	"sort"

	"github.com/slipway-build/slipway/rpmmeta"
)

// policy orders the packages that could satisfy one dependency, best
// first; the solver tries them in this order. It follows libsolv's
// policy_filter_unwanted (policy.c); see docs/solver.md:
//
//  1. the best (lowest) repository priority among them
//     (prune_to_highest_prio);
//  2. packages not obsoleted by another of them (prune_obsoleted);
//  3. names whose best version is recommended by an installed package
//     or supplements the installed set (prune_to_recommended, first
//     half; it applies even with weak deps off);
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
//  9. then repository order (a noarch and an arch build of one EVR
//     are not ordered by arch, as in libsolv).
//
// Last, a candidate the first choice recommends (or that supplements
// it) goes first, along the chain (found with testsolv).
//
// Packages pushed back by 1 to 4 still follow, so backtracking can use
// them.
func (s *solver) policy(cands []int32) []int32 {
	if len(cands) < 2 {
		if s.pruneCount == nil {
			s.branch = append(s.branch[:0], cands...) // no stale branch
		}
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
		if rank[b] == rankBest && s.recommended(b) {
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
	if s.pruneCount != nil {
		names := map[string]bool{}
		for _, c := range cands {
			if rank[c] == rankBest {
				names[p.cands[c].Pkg.Name] = true
			}
		}
		*s.pruneCount = len(names)
		return nil
	}
	// What libsolv keeps as the branch of this decision: the best
	// version of each name left after pruning.
	s.branch = s.branch[:0]
	for _, c := range cands {
		if rank[c] == rankBest && c == bestOf[p.cands[c].Pkg.Name] {
			s.branch = append(s.branch, c)
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
	// Then, as testsolv shows, when the first choice recommends another
	// candidate (or another candidate supplements it), that one goes
	// first, and so on along the chain: "l requires cap; a, m, z provide
	// cap; a recommends m; m recommends z" installs z, while a
	// recommendation by a candidate that is not the first choice changes
	// nothing.
	seen := map[string]bool{}
	for {
		top := out[0]
		seen[p.cands[top].Pkg.Name] = true
		next := -1
		for k, c := range out[1:] {
			if rank[c] >= rankObsoleted || seen[p.cands[c].Pkg.Name] || c != bestOf[p.cands[c].Pkg.Name] {
				continue
			}
			if s.candidateRecommends(top, c) {
				next = k + 1
				break
			}
		}
		if next < 0 {
			return out
		}
		c := out[next]
		copy(out[1:next+1], out[:next])
		out[0] = c
	}
}

// prunesToOne reports whether libsolv's policy_filter_unwanted would
// leave a single candidate: after the priority, obsoletes and
// recommends pruning, only one name is left (its best version wins).
func (s *solver) prunesToOne(cands []int32) bool {
	if len(cands) < 2 {
		return true
	}
	n := 0
	s.pruneCount = &n
	s.policy(cands)
	s.pruneCount = nil
	return n == 1
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
			if s.reverseMet(&it) {
				return true
			}
		}
	}
	return false
}

// depsProvide reports whether package c meets one of deps (for a rich
// dependency: one of the leaves of its positive atoms, so that the
// condition of "(A if B)" does not count).
func (s *solver) depsProvide(deps []rpmmeta.Dep, c int32) bool {
	p := s.p
	for _, d := range deps {
		if d.IsRich() {
			if n := p.nnf[d.Name][0]; n != nil {
				found := false
				n.leaves(func(l rpmmeta.Dep) { found = found || p.pkgProvides(c, l) })
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

// better orders by name, then EVR (highest first), then candidate order.
func (s *solver) better(x, y int32) bool {
	px, py := s.p.cands[x].Pkg, s.p.cands[y].Pkg
	if px.Name != py.Name {
		return px.Name < py.Name
	}
	if c := rpmmeta.Compare(px.EVR, py.EVR); c != 0 {
		return c > 0
	}
	// libsolv's prune_to_best_version_sortcmp orders arches only when
	// neither is noarch; a noarch and an arch build of one EVR keep their
	// repository order (testsolv picks whichever comes first).
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
// package or supplements the selected set.
func (s *solver) recommended(c int32) bool {
	p := s.p
	for _, i := range s.order {
		if s.depsProvide(p.cands[i].Pkg.Recommends, c) {
			return true
		}
	}
	for _, d := range p.cands[c].Pkg.Supplements {
		it, _, ok := s.depItem(c, d, kindSupplements)
		if ok && s.reverseMet(&it) {
			return true
		}
	}
	return false
}

// candidateRecommends reports whether package top recommends package c,
// or c supplements top. This is libsolv's minimization taking a
// recommended candidate of a branch over a choice that is not
// recommended: when top meets one of its own recommends ("j recommends
// cap3" where j provides cap3, or "(cap1 unless f)" with top providing
// cap1), top is recommended itself and stays first (testsolv).
func (s *solver) candidateRecommends(top, c int32) bool {
	p := s.p
	for _, d := range p.cands[top].Pkg.Recommends {
		if d.IsRich() {
			if n := p.nnf[d.Name][0]; n != nil {
				self := false
				n.leaves(func(l rpmmeta.Dep) { self = self || p.pkgProvides(top, l) })
				if self {
					return false
				}
			}
		} else if p.pkgProvides(top, d) {
			return false
		}
	}
	for _, d := range p.cands[top].Pkg.Recommends {
		var leaves []rpmmeta.Dep
		if d.IsRich() {
			if n := p.nnf[d.Name][0]; n != nil {
				n.leaves(func(l rpmmeta.Dep) { leaves = append(leaves, l) })
			}
		} else {
			leaves = []rpmmeta.Dep{d}
		}
		self, other := false, false
		for _, l := range leaves {
			self = self || p.pkgProvides(top, l)
			other = other || p.pkgProvides(c, l)
		}
		if other && !self {
			return true
		}
	}
	return s.supplementsWith(c, top)
}

// supplementsWith reports whether a Supplements of package c would be
// met if package extra were installed too ("(webd and bash)" is not met
// by webd alone).
func (s *solver) supplementsWith(c, extra int32) bool {
	p := s.p
	for _, d := range p.cands[c].Pkg.Supplements {
		if !d.IsRich() {
			if p.pkgProvides(extra, d) {
				return true
			}
			continue
		}
		if n := p.nnf[d.Name][0]; n != nil && s.holdsWith(n, extra) {
			return true
		}
	}
	return false
}

// holdsWith evaluates n on the selected set plus package extra.
func (s *solver) holdsWith(n *nnf, extra int32) bool {
	switch n.op {
	case nnfAnd:
		for _, a := range n.args {
			if !s.holdsWith(a, extra) {
				return false
			}
		}
		return true
	case nnfOr:
		for _, a := range n.args {
			if s.holdsWith(a, extra) {
				return true
			}
		}
		return false
	}
	ok, _ := s.evalAtom(n.atom)
	if !ok {
		if n.atom.Op == rpmmeta.RichLeaf {
			ok = s.p.pkgProvides(extra, n.atom.Dep)
		} else {
			ok = s.pkgSat(extra, n.atom)
		}
	}
	return ok != n.neg
}

// reverseMet reports whether a Supplements or Enhances item is met by
// the selected set. libsolv wants more than the expression to hold: some
// installed package must meet one of its positive atoms, so that
// "Supplements: (b if y)" is not met just because y is not installed
// (testsolv: with a installed, "(a if y)" and "(a unless y)" are met,
// "(b if y)" and "(b if a)" are not).
func (s *solver) reverseMet(it *item) bool {
	if sat, _ := s.eval(it); !sat {
		return false
	}
	if it.expr == nil {
		return true
	}
	met := false
	s.itemLeafProviders(it, func(q int32) { met = met || s.sel[q] })
	return met
}
