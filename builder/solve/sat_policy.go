package solve

import (
	"slices"
	"sort"
	"strings"

	"github.com/slipway-build/slipway/rpmmeta"
)

// filterUnwanted is libsolv's policy_filter_unwanted (policy.c) on a
// list of candidate ids; it returns the list pruned and ordered, best
// first.
func (e *sat) filterUnwanted(q []int32, mode int) []int32 {
	if mode == modeSupplement {
		q = e.dislikeOldVersions(q)
		q = e.sortByCommonDep(q)
		return e.preferSuggested(q)
	}
	if len(q) > 1 {
		q = e.pruneToHighestPrio(q)
	}
	if len(q) > 1 {
		q = e.pruneToBestVersion(q)
	}
	if len(q) > 1 && (mode == modeChoose || mode == modeChooseNoReorder) {
		q = e.pruneToRecommended(q)
		if len(q) > 1 && mode != modeChooseNoReorder {
			q = e.dislikeOldVersions(q)
			q = e.sortByCommonDep(q)
			q = e.preferSuggested(q)
		}
	}
	return q
}

// libsolv priority: higher wins; dnf's (and Candidate's): lower wins.
func (e *sat) prio(id int32) int { return -e.p.cands[id-2].prio() }

func (e *sat) pruneToHighestPrio(q []int32) []int32 {
	best := e.prio(q[0])
	for _, x := range q[1:] {
		best = max(best, e.prio(x))
	}
	out := q[:0]
	for _, x := range q {
		if e.prio(x) == best {
			out = append(out, x)
		}
	}
	return out
}

// pruneToBestVersion keeps the best version of each name, names in
// strcmp order, then drops what another kept package obsoletes.
func (e *sat) pruneToBestVersion(q []int32) []int32 {
	sort.SliceStable(q, func(a, b int) bool {
		pa, pb := e.pkg(q[a]), e.pkg(q[b])
		if pa.Name != pb.Name {
			return pa.Name < pb.Name
		}
		// libsolv orders arches by score only when neither is noarch;
		// with one target arch (plus noarch) that never happens.
		return q[a] < q[b]
	})
	out := q[:0]
	var best int32
	for _, x := range q {
		if best == 0 {
			best = x
			continue
		}
		if e.pkg(best).Name != e.pkg(x).Name {
			out = append(out, best)
			best = x
			continue
		}
		if rpmmeta.Compare(e.pkg(best).EVR, e.pkg(x).EVR) < 0 {
			best = x
		}
	}
	out = append(out, best)
	if len(out) == 2 {
		return e.pruneObsoleted2(out)
	}
	if len(out) > 2 {
		return e.pruneObsoleted(out)
	}
	return out
}

// obsoletes calls fn for each id that package a obsoletes (another
// name), in libsolv's order: per obsoletes, the matching packages in id
// order.
func (e *sat) obsoletes(a int32, fn func(int32)) {
	pk := e.pkg(a)
	for _, d := range pk.Obsoletes {
		var ids []int32
		for q := range e.p.byName.get(d.Name) {
			if !e.s.visible[q] {
				continue
			}
			qp := e.p.cands[q].Pkg
			if qp.Name == pk.Name || !d.MatchesEVR(qp.Name, qp.EVR) {
				continue
			}
			ids = append(ids, q+2)
		}
		slices.Sort(ids)
		for _, x := range ids {
			fn(x)
		}
	}
}

func (e *sat) pruneObsoleted2(q []int32) []int32 {
	obmap := 0
	for i := 0; i < 2; i++ {
		other := q[1-i]
		found := false
		e.obsoletes(q[i], func(x int32) { found = found || x == other })
		if found {
			obmap |= 1 << i
		}
	}
	switch obmap {
	case 0, 3:
		return q
	case 2:
		q[0] = q[1]
	}
	return q[:1]
}

// pruneObsoleted is libsolv's prune_obsoleted: Tarjan's strongly
// connected components over "obsoletes"; packages obsoleted by another
// component are dropped.
func (e *sat) pruneObsoleted(q []int32) []int32 {
	n := len(q)
	low := make([]int32, n)
	stack := make([]int32, 2*n+2)
	var idx, nstack, firstidx int32 = 1, 0, 0
	pos := func(x int32, node int) int {
		for i := range q {
			if i != node && q[i] == x {
				return i
			}
		}
		return -1
	}
	var visit func(node int)
	visit = func(node int) {
		myidx := idx
		idx++
		low[node] = myidx
		stackstart := nstack
		stack[nstack] = int32(node)
		nstack++
		e.obsoletes(q[node], func(x int32) {
			i := pos(x, node)
			if i < 0 {
				return
			}
			l := low[i]
			if l == 0 {
				if len(e.pkg(x).Obsoletes) == 0 {
					idx++
					low[i] = -1
					return
				}
				visit(i)
				l = low[i]
			}
			if l < 0 {
				return
			}
			if l < firstidx {
				for k := l; ; k++ {
					if low[stack[k]] == l {
						low[stack[k]] = -1
					} else {
						break
					}
				}
			} else if l < low[node] {
				low[node] = l
			}
		})
		if low[node] == myidx {
			if myidx != firstidx {
				myidx = -1
			}
			for i := stackstart; i < nstack; i++ {
				low[stack[i]] = myidx
			}
			nstack = stackstart
		}
	}
	for i := 0; i < n; i++ {
		if low[i] != 0 {
			continue
		}
		if len(e.pkg(q[i]).Obsoletes) > 0 {
			firstidx, nstack = idx, idx
			visit(i)
		} else {
			myidx := idx
			idx++
			low[i] = myidx
			stack[myidx] = int32(i)
		}
	}
	out := q[:0]
	for i, x := range q {
		if low[i] >= 0 {
			out = append(out, x)
		}
	}
	return out
}

func (e *sat) pruneToRecommended(q []int32) []int32 {
	e.updateRecommendsMap()
	var out []int32
	for _, x := range q {
		if e.recMap[x] || e.isSupplementing(x) {
			out = append(out, x)
		}
	}
	if len(out) > 0 {
		return out
	}
	return q
}

// moveToBack moves the elements bad says are bad behind the others,
// keeping the order within each group.
func moveToBack(q []int32, bad func(int32) bool) []int32 {
	good := make([]int32, 0, len(q))
	var rest []int32
	for _, x := range q {
		if bad(x) {
			rest = append(rest, x)
		} else {
			good = append(good, x)
		}
	}
	return append(good, rest...)
}

func (e *sat) dislikeOldVersions(q []int32) []int32 {
	return moveToBack(q, func(x int32) bool {
		pk := e.pkg(x)
		for c := range e.p.byName.get(pk.Name) {
			id := c + 2
			if id == x || !e.s.visible[c] {
				continue
			}
			qp := e.p.cands[c].Pkg
			if qp.Arch != pk.Arch {
				continue
			}
			if e.prio(id) != e.prio(x) {
				if e.prio(x) > e.prio(id) {
					continue
				}
				return true
			}
			if rpmmeta.Compare(qp.EVR, pk.EVR) > 0 {
				return true
			}
		}
		return false
	})
}

// sortByCommonDep is libsolv's sort_by_common_dep: where packages
// provide one capability with "=", "<=" or "<" versions, those
// providing lower versions go back.
func (e *sat) sortByCommonDep(q []int32) []int32 {
	type ent struct {
		i    int
		name string
		evr  rpmmeta.EVR
		raw  string
		lt   bool
	}
	var ents []ent
	for i, x := range q {
		for _, d := range e.pkg(x).Provides {
			if d.IsRich() || d.Version == "" {
				continue
			}
			f := d.Flags & rpmmeta.SenseCompareMask
			if f != rpmmeta.SenseEqual && f != rpmmeta.SenseEqual|rpmmeta.SenseLess && f != rpmmeta.SenseLess {
				continue
			}
			if f == rpmmeta.SenseEqual && len(d.Version) >= 4 && strings.Trim(d.Version, "0123456789abcdef") == "" {
				continue // a hash
			}
			ents = append(ents, ent{i, d.Name, d.EVR(), d.Version, f == rpmmeta.SenseLess})
		}
	}
	if len(ents) < 2 {
		return q
	}
	cmp := func(a, b ent) int {
		if a.name != b.name {
			if a.name < b.name {
				return -1
			}
			return 1
		}
		if a.raw == b.raw && a.lt == b.lt {
			return 0
		}
		r := rpmmeta.Compare(b.evr, a.evr)
		if r < 0 {
			r = -1
		} else if r > 0 {
			r = 1
		}
		if r == 0 && (a.lt || b.lt) {
			if !b.lt {
				return 1
			}
			if !a.lt {
				return -1
			}
		}
		return r
	}
	sort.SliceStable(ents, func(a, b int) bool { return cmp(ents[a], ents[b]) < 0 })
	bad := make([]int, len(q))
	havebad := false
	b := 0
	for k := range ents {
		if k > 0 && ents[k].name == ents[k-1].name {
			if ents[k].i != ents[k-1].i && cmp(ents[k-1], ents[k]) == -1 {
				b++
				havebad = true
			}
		} else {
			b = 0
		}
		bad[ents[k].i] += b
	}
	if !havebad {
		return q
	}
	idx := make([]int, len(q))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return bad[idx[a]] < bad[idx[b]] })
	out := make([]int32, len(q))
	for i, k := range idx {
		out[i] = q[k]
	}
	return out
}

func (e *sat) preferSuggested(q []int32) []int32 {
	e.updateRecommendsMap()
	return moveToBack(q, func(x int32) bool { return !(e.sugMap[x] || e.isEnhancing(x)) })
}

// updateRecommendsMap is policy_update_recommendsmap: the packages
// recommended and suggested by installed packages. For a rich
// recommends, a block counts once all of its negative literals are
// installed (check_complex_dep).
func (e *sat) updateRecommendsMap() {
	if e.recIdx < 0 {
		clear(e.recMap)
		clear(e.sugMap)
		e.recBlk, e.sugBlk = nil, nil
		e.recIdx = 0
	}
	if e.recIdx >= len(e.dq) {
		return
	}
	for e.recIdx < len(e.dq) {
		p := e.dq[e.recIdx]
		e.recIdx++
		if p <= sysSolvable {
			continue
		}
		pk := e.pkg(p)
		for _, l := range []struct {
			deps []rpmmeta.Dep
			m    []bool
			blk  *[][]int32
		}{{pk.Recommends, e.recMap, &e.recBlk}, {pk.Suggests, e.sugMap, &e.sugBlk}} {
			for _, d := range l.deps {
				if d.IsRpmlib() {
					continue
				}
				if d.IsRich() {
					if b := e.expand(d.Name, false); b.val == 2 {
						*l.blk = append(*l.blk, b.list...)
					}
					continue
				}
				for _, x := range e.whatprovides(d) {
					l.m[x] = true
				}
			}
		}
	}
	for _, l := range []struct {
		m   []bool
		blk *[][]int32
	}{{e.recMap, &e.recBlk}, {e.sugMap, &e.sugBlk}} {
		keep := (*l.blk)[:0]
		for _, blk := range *l.blk {
			state := 1 // 1 ready, 0 pending, -1 dead
			for _, x := range blk {
				if x > 0 {
					break
				}
				if e.dm[-x] < 0 {
					state = -1
					break
				}
				if e.dm[-x] == 0 {
					state = 0
				}
			}
			switch state {
			case 1:
				for _, x := range blk {
					if x > 0 {
						l.m[x] = true
					}
				}
			case 0:
				keep = append(keep, blk)
			}
		}
		*l.blk = keep
	}
}

// isSupplementing is solver_is_supplementing: a Supplements of the
// package is fulfilled by the installed packages (solver_dep_fulfilled:
// "A if B" holds when A is installed or B is not).
func (e *sat) isSupplementing(id int32) bool {
	return e.anyFulfilled(e.pkg(id).Supplements)
}

// isEnhancing is solver_is_enhancing, the same on Enhances.
func (e *sat) isEnhancing(id int32) bool {
	return e.anyFulfilled(e.pkg(id).Enhances)
}

func (e *sat) anyFulfilled(deps []rpmmeta.Dep) bool {
	for _, d := range deps {
		if e.depFulfilled(d) > 0 {
			return true
		}
	}
	return false
}

// supplementingNew is solver_is_supplementing_alreadyinstalled with no
// installed system: some Supplements is fulfilled thanks to a package
// being installed (solver_dep_fulfilled_alreadyinstalled returns 2);
// "(b if y)" with neither installed is fulfilled, but not that way, so
// the weak pass does not install b for it.
func (e *sat) supplementingNew(id int32) bool {
	for _, d := range e.pkg(id).Supplements {
		if e.depFulfilled(d) == 2 {
			return true
		}
	}
	return false
}

// depFulfilled is solver_dep_fulfilled_alreadyinstalled: 0 not
// fulfilled, 2 fulfilled with an installed package involved, 1
// fulfilled otherwise (solver_dep_fulfilled is "not 0").
func (e *sat) depFulfilled(d rpmmeta.Dep) int {
	if !d.IsRich() {
		for _, x := range e.whatprovides(d) {
			if e.dm[x] > 0 {
				return 2
			}
		}
		return 0
	}
	r := e.richOf(d.Name)
	if r == nil {
		return 0
	}
	return e.richFulfilled(r)
}

func (e *sat) richFulfilled(r *rpmmeta.RichDep) int {
	f := e.richFulfilled
	not := func(x int) int {
		if x == 0 {
			return 1
		}
		return 0
	}
	switch r.Op {
	case rpmmeta.RichAnd:
		out := 1
		for _, a := range r.Args {
			x := f(a)
			if x == 0 {
				return 0
			}
			if x == 2 {
				out = 2
			}
		}
		return out
	case rpmmeta.RichOr:
		out := 0
		for _, a := range r.Args {
			switch f(a) {
			case 2:
				out = 2
			case 1:
				if out == 0 {
					out = 1
				}
			}
		}
		return out
	case rpmmeta.RichIf:
		if len(r.Args) == 3 {
			if r1 := f(r.Args[1]); r1 != 0 {
				r2 := f(r.Args[0])
				if r2 != 0 && r1 == 2 {
					return 2
				}
				return r2
			}
			return f(r.Args[2])
		}
		r1, r2 := f(r.Args[0]), not(f(r.Args[1]))
		if r1 == 0 && r2 == 0 {
			return 0
		}
		if r1 == 2 {
			return 2
		}
		return 1
	case rpmmeta.RichUnless:
		if len(r.Args) == 3 {
			if r1 := f(r.Args[1]); r1 != 0 {
				r2 := f(r.Args[2])
				if r2 != 0 && r1 == 2 {
					return 2
				}
				return r2
			}
			return f(r.Args[0])
		}
		r1, r2 := f(r.Args[0]), not(f(r.Args[1]))
		if r1 == 0 || r2 == 0 {
			return 0
		}
		if r1 == 2 {
			return 2
		}
		return 1
	}
	for _, x := range e.atomIDs(r) {
		if e.dm[x] > 0 {
			return 2
		}
	}
	return 0
}
