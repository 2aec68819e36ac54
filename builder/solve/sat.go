package solve

import (
	"slices"
	"sort"

	"github.com/slipway-build/slipway/rpmmeta"
)

// sat is the decision core: it decides the literals of a request the way
// libsolv's solver.c does, so that where several sets would do it picks
// the one libsolv (and so dnf) picks. It follows, in our own code:
//
//   - rules.c: the package rules of every package the request can reach
//     (requires, conflicts, obsoletes, one version per name; rich
//     dependencies as cplxdeps.c's blocks), sorted and made unique the
//     way solver_unifyrules does, then the job rules;
//   - solver.c: two watched literals per rule, unit propagation
//     (propagate), 1-UIP conflict analysis with a learnt rule and a
//     jump back (analyze, setpropagatelearn), and solver_run_sat's order
//     of decisions: job rules, then the rules in rule order (first those
//     that policy_filter_unwanted prunes to one candidate, then the
//     others), then weak dependencies (resolve_weak), then minimization
//     through the branches kept at each choice (takebranch);
//   - policy.c: policy_filter_unwanted (prune_to_highest_prio,
//     prune_to_best_version with prune_obsoleted, prune_to_recommended,
//     dislike_old_versions, sort_by_common_dep, prefer_suggested).
//
// Package ids are candidate indexes plus 2 (1 is libsolv's system
// solvable), so ids follow the candidate (repository) order, as
// libsolv's solvable ids follow the repository order. A literal is an id
// (install) or its negation (do not install).
type sat struct {
	s *solver
	p *Pool
	n int32 // number of ids

	rules      []satRule // rules[0] is unused
	data       []int32   // literal lists of rules, each ending with 0
	watches    []int32   // head rule per literal, at n+literal
	assertions []int32
	jobRules   int32
	jobEnd     int32
	learnt     int32

	dm       []int32 // decision level per id, negative for "not installed"
	dq       []int32 // decided literals in order
	why      []int32 // per decision: the rule that implied it, or -rule for a free one
	propIdx  int
	branches []int32
	seen     []bool

	added []bool
	wp    map[string][]int32

	recIdx   int
	recMap   []bool
	sugMap   []bool
	recBlk   [][]int32 // complex recommends blocks not yet settled
	sugBlk   [][]int32
	doweak   bool
	steps    int
	learned  int
	failed   bool
	needs    int32 // a package to make rules for, then solve again
	richBlks map[string]blocks
}

type satRule struct {
	p, d   int32 // d > 0: offset of the other literals in data; 0: w2 is the other literal (or none)
	w1, w2 int32
	n1, n2 int32
}

// blocks is a rich dependency expanded over packages (cplxdeps.c): val 0
// means it can never hold, 1 that it always holds, 2 that it holds when
// every block (a sorted list of literals) holds.
type blocks struct {
	val  int
	list [][]int32
}

const (
	modeChoose = iota
	modeRecommend
	modeChooseNoReorder
	modeSupplement
)

const sysSolvable = 1

// maxSatSteps bounds the decisions of the core; past it the request is
// left to the backtracking search.
const maxSatSteps = 500000

func abs32(x int32) int32 {
	if x < 0 {
		return -x
	}
	return x
}

func (e *sat) pkg(id int32) *rpmmeta.Package { return e.p.cands[id-2].Pkg }

// whatprovides lists the visible packages providing d, in id order.
func (e *sat) whatprovides(d rpmmeta.Dep) []int32 {
	key := d.String()
	if l, ok := e.wp[key]; ok {
		return l
	}
	var out []int32
	e.p.providers(d, func(q int32) {
		if e.s.visible[q] {
			out = append(out, q+2)
		}
	})
	slices.Sort(out)
	out = slices.Compact(out)
	e.wp[key] = out
	return out
}

// atomIDs lists the visible packages meeting a rich atom (a simple
// dependency, or a with/without one package must meet), in id order.
func (e *sat) atomIDs(a *rpmmeta.RichDep) []int32 {
	if a.Op == rpmmeta.RichLeaf {
		return e.whatprovides(a.Dep)
	}
	key := "\x00" + a.String()
	if l, ok := e.wp[key]; ok {
		return l
	}
	var out []int32
	e.s.atomProviders(a, func(q int32) {
		if e.s.visible[q] {
			out = append(out, q+2)
		}
	})
	slices.Sort(out)
	out = slices.Compact(out)
	e.wp[key] = out
	return out
}

// heldProvides reports whether a held-back package provides d.
func (e *sat) heldProvides(d rpmmeta.Dep) bool {
	found := false
	e.p.providers(d, func(q int32) { found = found || e.s.held[q] })
	return found
}

// richOf returns the parsed rich dependency, nil if malformed.
func (e *sat) richOf(name string) *rpmmeta.RichDep {
	if r := e.p.rich[name]; r != nil {
		return r
	}
	if _, bad := e.p.richErr[name]; bad {
		return nil
	}
	r, _, err := rpmmeta.ParseRich(name, rpmmeta.RichRepodata)
	if err != nil {
		return nil
	}
	return r
}

// expand is pool_normalize_complex_dep (cplxdeps.c) for a rich
// dependency: its blocks as a conjunction of clauses (CNF); with neg,
// the conflict form: the expression in disjunctive form, inverted into
// the clauses of its negation.
func (e *sat) expand(name string, neg bool) blocks {
	key := name
	if neg {
		key = "!" + name
	}
	if b, ok := e.richBlks[key]; ok {
		return b
	}
	b := blocks{}
	if r := e.richOf(name); r != nil {
		b.val, b.list = e.normalize(r, neg)
		if neg {
			b.val, b.list = invertBlocks(b.val, b.list)
		}
		if b.val == -1 {
			b.val = 2
		}
	}
	e.richBlks[key] = b
	return b
}

// normalize is cplxdeps.c's normalize_dep: 0 (never holds), 1 (always
// holds) or -1 with blocks, clauses (CNF) or, with dnf, terms (DNF) of
// sorted literals. Operands that are always or never true end the work
// early, as in libsolv, so no block comes from them.
func (e *sat) normalize(r *rpmmeta.RichDep, dnf bool) (int, [][]int32) {
	switch r.Op {
	case rpmmeta.RichAnd:
		v, bl := e.normalize(r.Args[0], dnf)
		for _, a := range r.Args[1:] {
			v, bl = e.combineAnd(v, bl, a, false, dnf)
			if v == 0 {
				return 0, nil
			}
		}
		return v, bl
	case rpmmeta.RichOr:
		v, bl := e.normalize(r.Args[0], dnf)
		for _, a := range r.Args[1:] {
			v, bl = e.combineOr(v, bl, a, false, dnf)
			if v == 1 {
				return 1, nil
			}
		}
		return v, bl
	case rpmmeta.RichIf:
		if len(r.Args) == 2 {
			// A or not B
			v, bl := e.normalize(r.Args[0], dnf)
			return e.combineOr(v, bl, r.Args[1], true, dnf)
		}
		// (A or not B) and (B or C)
		v1, b1 := e.normalize(r.Args[0], dnf)
		v1, b1 = e.combineOr(v1, b1, r.Args[1], true, dnf)
		if v1 == 0 {
			return 0, nil
		}
		v2, b2 := e.normalize(r.Args[1], dnf)
		v2, b2 = e.combineOr(v2, b2, r.Args[2], false, dnf)
		return joinAnd(v1, b1, v2, b2, dnf)
	case rpmmeta.RichUnless:
		if len(r.Args) == 2 {
			// A and not B
			v, bl := e.normalize(r.Args[0], dnf)
			return e.combineAnd(v, bl, r.Args[1], true, dnf)
		}
		// (A and not B) or (C and B)
		v1, b1 := e.normalize(r.Args[0], dnf)
		v1, b1 = e.combineAnd(v1, b1, r.Args[1], true, dnf)
		if v1 == 1 {
			return 1, nil
		}
		v2, b2 := e.normalize(r.Args[2], dnf)
		v2, b2 = e.combineAnd(v2, b2, r.Args[1], false, dnf)
		return joinOr(v1, b1, v2, b2, dnf)
	}
	ids := e.atomIDs(r)
	if len(ids) == 0 {
		return 0, nil
	}
	if dnf {
		out := make([][]int32, len(ids))
		for i, id := range ids {
			out[i] = []int32{id}
		}
		return -1, out
	}
	return -1, [][]int32{slices.Clone(ids)}
}

// combineAnd is normalize_dep_and: the first operand (already
// normalized) and b, negated with inv.
func (e *sat) combineAnd(v1 int, b1 [][]int32, b *rpmmeta.RichDep, inv, dnf bool) (int, [][]int32) {
	if v1 == 0 {
		return 0, nil
	}
	v2, b2 := e.normalize(b, dnf != inv)
	if inv {
		v2, b2 = invertBlocks(v2, b2)
	}
	return joinAnd(v1, b1, v2, b2, dnf)
}

// combineOr is normalize_dep_or.
func (e *sat) combineOr(v1 int, b1 [][]int32, b *rpmmeta.RichDep, inv, dnf bool) (int, [][]int32) {
	if v1 == 1 {
		return 1, nil
	}
	v2, b2 := e.normalize(b, dnf != inv)
	if inv {
		v2, b2 = invertBlocks(v2, b2)
	}
	return joinOr(v1, b1, v2, b2, dnf)
}

func joinAnd(v1 int, b1 [][]int32, v2 int, b2 [][]int32, dnf bool) (int, [][]int32) {
	switch {
	case v1 == 0 || v2 == 0:
		return 0, nil
	case v1 == 1:
		return v2, b2
	case v2 == 1:
		return v1, b1
	}
	if dnf {
		return distribute(b1, b2, dnf)
	}
	return -1, append(slices.Clone(b1), b2...)
}

func joinOr(v1 int, b1 [][]int32, v2 int, b2 [][]int32, dnf bool) (int, [][]int32) {
	switch {
	case v1 == 1 || v2 == 1:
		return 1, nil
	case v1 == 0:
		return v2, b2
	case v2 == 0:
		return v1, b1
	}
	if !dnf {
		return distribute(b1, b2, dnf)
	}
	return -1, append(slices.Clone(b1), b2...)
}

// distribute is distribute_depblocks: every block of a joined with every
// block of b; a block holding a literal and its negation is dropped.
func distribute(a, b [][]int32, dnf bool) (int, [][]int32) {
	var out [][]int32
	for _, x := range a {
		for _, y := range b {
			m := make([]int32, 0, len(x)+len(y))
			i, j := 0, 0
			for i < len(x) && j < len(y) {
				switch {
				case x[i] < y[j]:
					m = append(m, x[i])
					i++
				case x[i] == y[j]:
					m = append(m, y[j])
					i++
					j++
				default:
					m = append(m, y[j])
					j++
				}
			}
			m = append(m, y[j:]...)
			m = append(m, x[i:]...)
			if !hasOpposites(m) {
				out = append(out, m)
			}
		}
		if len(out) > 1<<14 {
			break // pathological; keep what there is
		}
	}
	if len(out) == 0 {
		if dnf {
			return 0, nil
		}
		return 1, nil
	}
	return -1, out
}

func hasOpposites(m []int32) bool {
	a, b := 0, len(m)-1
	for a < b {
		switch {
		case -m[a] == m[b]:
			return true
		case -m[a] > m[b]:
			a++
		default:
			b--
		}
	}
	return false
}

// invertBlocks is invert_depblocks: the negation, which turns clauses
// into terms and back.
func invertBlocks(v int, bl [][]int32) (int, [][]int32) {
	switch v {
	case 0:
		return 1, nil
	case 1:
		return 0, nil
	}
	out := make([][]int32, len(bl))
	for i, x := range bl {
		y := make([]int32, len(x))
		for k := range x {
			y[len(x)-1-k] = -x[k]
		}
		out[i] = y
	}
	return -1, out
}

// newSat builds the rules for the request items of s.
func newSat(s *solver, extra []int32) *sat {
	p := s.p
	n := int32(len(p.cands) + 2)
	e := &sat{
		s: s, p: p, n: n,
		added:    make([]bool, n),
		wp:       map[string][]int32{},
		richBlks: map[string]blocks{},
		doweak:   s.req.WeakDeps,
	}
	var pkgRules [][]int32
	add := func(lits ...int32) {
		pkgRules = append(pkgRules, lits)
	}
	addSorted := func(lits []int32) {
		slices.Sort(lits)
		add(lits...)
	}
	var work []int32
	addComplex := func(id int32, d rpmmeta.Dep, conflict bool) {
		if e.richOf(d.Name) == nil {
			if !conflict {
				add(-id) // malformed: not installable (the search explains it)
			}
			return
		}
		b := e.expand(d.Name, conflict)
		switch b.val {
		case 0:
			add(-id)
			return
		case 1:
			return
		}
		for _, blk := range b.list {
			if len(blk) == 1 {
				p2 := blk[0]
				switch {
				case p2 == id:
				case p2 == -id:
					if !conflict {
						add(-id)
					}
				default:
					addSorted([]int32{-id, p2})
					if p2 > 0 {
						work = append(work, p2)
					}
				}
				continue
			}
			if _, found := slices.BinarySearch(blk, id); found {
				continue
			}
			lits := slices.Clone(blk)
			if _, found := slices.BinarySearch(lits, -id); !found {
				lits = append(lits, -id)
				slices.Sort(lits)
			}
			add(lits...)
			for _, x := range lits {
				if x > 0 {
					work = append(work, x)
				}
			}
		}
	}
	pushLeaves := func(d rpmmeta.Dep) {
		if d.IsRich() {
			if r := e.richOf(d.Name); r != nil {
				e.posLiterals(r, false, func(id int32) { work = append(work, id) })
			}
			return
		}
		work = append(work, e.whatprovides(d)...)
	}
	addPkg := func(start int32) {
		work = append(work[:0], start)
		for len(work) > 0 {
			id := work[0]
			work = work[1:]
			if e.added[id] {
				continue
			}
			e.added[id] = true
			pk := e.pkg(id)
			for _, d := range pk.Requires {
				if d.IsRpmlib() {
					continue
				}
				if d.IsRich() {
					addComplex(id, d, false)
					continue
				}
				prov := e.whatprovides(d)
				if len(prov) == 0 {
					if !e.heldProvides(d) {
						add(-id)
					}
					continue
				}
				if _, found := slices.BinarySearch(prov, id); found {
					continue
				}
				lits := make([]int32, 0, len(prov)+1)
				lits = append(lits, -id)
				lits = append(lits, prov...)
				add(lits...)
				work = append(work, prov...)
			}
			for _, d := range pk.Conflicts {
				if d.IsRich() {
					addComplex(id, d, true)
					continue
				}
				for _, q := range e.whatprovides(d) {
					if q != id {
						addSorted([]int32{-id, -q})
					}
				}
			}
			for _, d := range pk.Obsoletes {
				for q := range p.byName.get(d.Name) {
					qid := q + 2
					if qid == id || !s.visible[q] || !d.MatchesEVR(p.cands[q].Pkg.Name, p.cands[q].Pkg.EVR) {
						continue
					}
					addSorted([]int32{-id, -qid})
				}
			}
			for q := range p.byName.get(pk.Name) {
				if q+2 != id && s.visible[q] {
					addSorted([]int32{-id, -(q + 2)})
				}
			}
			for _, d := range pk.Recommends {
				pushLeaves(d)
			}
			for _, d := range pk.Suggests {
				pushLeaves(d)
			}
		}
	}
	// Job packages, in job order.
	var jobs []*item
	for i := range s.queue {
		it := &s.queue[i]
		if it.kind != kindRequest {
			continue
		}
		jobs = append(jobs, it)
		if it.pkgs != nil {
			for _, c := range it.pkgs {
				addPkg(c + 2)
			}
			continue
		}
		var ids []int32
		if it.expr != nil {
			it.expr.leaves(func(l rpmmeta.Dep) { ids = append(ids, e.whatprovides(l)...) })
		} else {
			ids = e.whatprovides(it.dep)
		}
		for _, id := range ids {
			addPkg(id)
		}
	}
	for _, id := range extra {
		addPkg(id)
	}
	// Packages that supplement or enhance what may be installed
	// (solver_addpkgrulesforweak).
	for changed := true; changed; {
		changed = false
		for c := range p.cands {
			id := int32(c) + 2
			if e.added[id] || !s.visible[c] {
				continue
			}
			pk := p.cands[c].Pkg
			if len(pk.Supplements) == 0 && len(pk.Enhances) == 0 {
				continue
			}
			possible := false
			for _, d := range pk.Supplements {
				if e.depPossible(d) {
					possible = true
					break
				}
			}
			if !possible {
				for _, d := range pk.Enhances {
					if e.depPossible(d) {
						possible = true
						break
					}
				}
			}
			if possible {
				addPkg(id)
				changed = true
			}
		}
	}
	// solver_unifyrules: sort, then drop duplicates.
	sort.Slice(pkgRules, func(a, b int) bool { return ruleCmp(pkgRules[a], pkgRules[b]) < 0 })
	e.rules = make([]satRule, 1, len(pkgRules)+len(jobs)+16)
	e.data = []int32{0}
	var last []int32
	for _, r := range pkgRules {
		if last != nil && ruleCmp(r, last) == 0 {
			continue
		}
		last = r
		e.addRule(r)
	}
	e.jobRules = int32(len(e.rules))
	jobSeen := map[string]bool{}
	for _, it := range jobs {
		switch {
		case it.pkgs != nil:
			ids := make([]int32, 0, len(it.pkgs))
			for _, c := range it.pkgs {
				ids = append(ids, c+2)
			}
			slices.Sort(ids)
			ids = slices.Compact(ids)
			e.addRule(ids)
		case it.expr != nil:
			if jobSeen[it.request] {
				continue
			}
			jobSeen[it.request] = true
			b := e.expand(it.request, false)
			switch b.val {
			case 0:
				e.addRule([]int32{-sysSolvable})
			case 2:
				for _, blk := range b.list {
					e.addRule(blk)
				}
			}
		default:
			ids := e.whatprovides(it.dep)
			if len(ids) == 0 {
				ids = []int32{-sysSolvable}
			}
			e.addRule(slices.Clone(ids))
		}
	}
	e.jobEnd = int32(len(e.rules))
	e.learnt = e.jobEnd
	// makewatches: each literal's list in rule order.
	e.watches = make([]int32, 2*n)
	for i := len(e.rules) - 1; i >= 1; i-- {
		r := &e.rules[i]
		if r.w2 == 0 {
			continue
		}
		r.n1 = e.watches[n+r.w1]
		e.watches[n+r.w1] = int32(i)
		r.n2 = e.watches[n+r.w2]
		e.watches[n+r.w2] = int32(i)
	}
	for i := 1; i < len(e.rules); i++ {
		r := &e.rules[i]
		if r.p != 0 && r.w2 == 0 && r.d == 0 {
			e.assertions = append(e.assertions, int32(i))
		}
	}
	e.dm = make([]int32, n)
	e.seen = make([]bool, n)
	e.recMap = make([]bool, n)
	e.sugMap = make([]bool, n)
	return e
}

// addRule appends a rule of the literals: one is an assertion, two a
// binary rule, more a rule whose first literal is p and the others a
// list.
func (e *sat) addRule(lits []int32) int32 {
	r := satRule{p: lits[0], w1: lits[0]}
	switch len(lits) {
	case 1:
	case 2:
		r.w2 = lits[1]
	default:
		r.d = int32(len(e.data))
		e.data = append(e.data, lits[1:]...)
		e.data = append(e.data, 0)
		r.w2 = lits[1]
	}
	e.rules = append(e.rules, r)
	return int32(len(e.rules) - 1)
}

// ruleCmp is libsolv's unifyrules_sortcmp on rules given as sorted
// literal lists.
func ruleCmp(a, b []int32) int32 {
	if x := a[0] - b[0]; x != 0 {
		return x
	}
	ad, bd := len(a) >= 3, len(b) >= 3
	w2 := func(r []int32) int32 {
		if len(r) == 2 {
			return r[1]
		}
		return 0
	}
	switch {
	case !ad && !bd:
		return w2(a) - w2(b)
	case !ad:
		if x := w2(a) - b[1]; x != 0 {
			return x
		}
		return -1
	case !bd:
		if x := a[1] - w2(b); x != 0 {
			return x
		}
		return 1
	}
	i := 1
	for ; i < len(b); i++ {
		if i >= len(a) {
			return -b[i]
		}
		if x := a[i] - b[i]; x != 0 {
			return x
		}
	}
	if i < len(a) {
		return a[i]
	}
	return 0
}

// posLiterals is pool_add_pos_literals_complex_dep: the packages that
// could help a rich recommends or suggests hold, which get rules: the
// operands of and/or, the main operand and the else branch of if and
// unless, not their condition.
func (e *sat) posLiterals(r *rpmmeta.RichDep, neg bool, fn func(int32)) {
	switch r.Op {
	case rpmmeta.RichAnd, rpmmeta.RichOr:
		for _, a := range r.Args {
			e.posLiterals(a, neg, fn)
		}
		return
	case rpmmeta.RichIf, rpmmeta.RichUnless:
		e.posLiterals(r.Args[0], neg, fn)
		e.posLiterals(r.Args[1], !neg, fn)
		if len(r.Args) == 3 {
			e.posLiterals(r.Args[2], neg, fn)
			// With an else branch the condition is a positive literal
			// too ("(A or not B) and (B or C)"); libsolv 0.7.23 leaves
			// it out and may then install it with no rules (libsolv
			// issue #527, fixed by commit 1edb35a3): follow the fix.
			if !e.s.req.libsolv0723 {
				e.posLiterals(r.Args[1], neg, fn)
			}
		}
		return
	}
	if !neg {
		for _, id := range e.atomIDs(r) {
			fn(id)
		}
	}
}

// depPossible is libsolv's dep_possible over the packages that have
// rules so far.
func (e *sat) depPossible(d rpmmeta.Dep) bool {
	if !d.IsRich() {
		for _, q := range e.whatprovides(d) {
			if e.added[q] {
				return true
			}
		}
		return false
	}
	r := e.p.rich[d.Name]
	if r == nil {
		return false
	}
	return e.richPossible(r)
}

func (e *sat) richPossible(r *rpmmeta.RichDep) bool {
	switch r.Op {
	case rpmmeta.RichIf, rpmmeta.RichUnless:
		// A condition may hold with nothing installed: always possible.
		return true
	case rpmmeta.RichAnd:
		for _, a := range r.Args {
			if !e.richPossible(a) {
				return false
			}
		}
		return true
	case rpmmeta.RichOr:
		for _, a := range r.Args {
			if e.richPossible(a) {
				return true
			}
		}
		return false
	}
	for _, q := range e.atomIDs(r) {
		if e.added[q] {
			return true
		}
	}
	return false
}

// literals calls fn for each literal of rule ri (FOR_RULELITERALS)
// until fn returns false.
func (e *sat) literals(ri int32, fn func(int32) bool) {
	r := &e.rules[ri]
	if !fn(r.p) {
		return
	}
	if r.d == 0 {
		if r.w2 != 0 {
			fn(r.w2)
		}
		return
	}
	for k := r.d; e.data[k] != 0; k++ {
		if !fn(e.data[k]) {
			return
		}
	}
}

func (e *sat) isTrue(l int32) bool {
	if l > 0 {
		return e.dm[l] > 0
	}
	return e.dm[-l] < 0
}

func (e *sat) isFalse(l int32) bool {
	if l > 0 {
		return e.dm[l] < 0
	}
	return e.dm[-l] > 0
}

func (e *sat) decide(l, level, why int32) {
	if l > 0 {
		e.dm[l] = level
	} else {
		e.dm[-l] = -level
	}
	e.dq = append(e.dq, l)
	e.why = append(e.why, why)
}

// watch slots: a watch list head, or a rule's n1 or n2 link.
type slot struct {
	kind uint8 // 0 head, 1 n1, 2 n2
	i    int32
}

func (e *sat) get(s slot) int32 {
	switch s.kind {
	case 0:
		return e.watches[s.i]
	case 1:
		return e.rules[s.i].n1
	}
	return e.rules[s.i].n2
}

func (e *sat) set(s slot, v int32) {
	switch s.kind {
	case 0:
		e.watches[s.i] = v
	case 1:
		e.rules[s.i].n1 = v
	default:
		e.rules[s.i].n2 = v
	}
}

// propagate is libsolv's propagate: it returns the rule found false, or
// 0.
func (e *sat) propagate(level int32) int32 {
	n := e.n
	for e.propIdx < len(e.dq) {
		pkg := -e.dq[e.propIdx]
		e.propIdx++
		rp := slot{0, n + pkg}
		for {
			ri := e.get(rp)
			if ri == 0 {
				break
			}
			r := &e.rules[ri]
			var other int32
			var next slot
			if pkg == r.w1 {
				other, next = r.w2, slot{1, ri}
			} else {
				other, next = r.w1, slot{2, ri}
			}
			if e.isTrue(other) {
				rp = next
				continue
			}
			if r.d != 0 {
				var p int32
				if r.p != 0 && r.p != other && !e.isFalse(r.p) {
					p = r.p
				} else {
					for k := r.d; ; k++ {
						x := e.data[k]
						if x == 0 {
							break
						}
						if x != other && !e.isFalse(x) {
							p = x
							break
						}
					}
				}
				if p != 0 {
					e.set(rp, e.get(next))
					if pkg == r.w1 {
						r.w1 = p
						r.n1 = e.watches[n+p]
					} else {
						r.w2 = p
						r.n2 = e.watches[n+p]
					}
					e.watches[n+p] = ri
					continue // rp now holds the next rule
				}
			}
			if e.isFalse(other) {
				return ri
			}
			e.decide(other, level, ri)
			rp = next
		}
	}
	return 0
}

// revert undoes every decision above level.
func (e *sat) revert(level int32) {
	for len(e.dq) > 0 {
		v := e.dq[len(e.dq)-1]
		vv := abs32(v)
		if e.dm[vv] <= level && e.dm[vv] >= -level {
			break
		}
		e.dm[vv] = 0
		e.dq = e.dq[:len(e.dq)-1]
		e.why = e.why[:len(e.why)-1]
		e.propIdx = len(e.dq)
	}
	for len(e.branches) > 0 && e.branches[len(e.branches)-1] >= level {
		e.branches = e.branches[:len(e.branches)-int(e.branches[len(e.branches)-2])]
	}
	if e.recIdx > len(e.dq) {
		e.recIdx = -1
	}
}

// analyze is libsolv's analyze: 1-UIP learning. It returns the level to
// go back to and the learnt rule.
func (e *sat) analyze(level, c int32) (int32, int32) {
	e.learned++
	var q []int32
	rlevel := int32(1)
	num, l1num := 0, 0
	idx := len(e.dq)
	var p int32
	seen := e.seen
	addLits := func(ri int32) {
		e.literals(ri, func(v int32) bool {
			if e.isTrue(v) {
				return true
			}
			vv := abs32(v)
			if seen[vv] {
				return true
			}
			seen[vv] = true
			l := abs32(e.dm[vv])
			switch {
			case l == 1:
				l1num++
			case l == level:
				num++
			default:
				q = append(q, v)
				if l > rlevel {
					rlevel = l
				}
			}
			return true
		})
	}
	addLits(c)
	for {
		// l1retry
		if num == 0 {
			l1num--
			if l1num == 0 {
				break
			}
		}
		var v, vv int32
		for {
			idx--
			v = e.dq[idx]
			vv = abs32(v)
			if seen[vv] {
				break
			}
		}
		seen[vv] = false
		if num != 0 {
			num--
			if num == 0 {
				p = -v
				if l1num == 0 {
					break
				}
				for _, x := range q {
					seen[abs32(x)] = false
				}
				l1num++
				continue
			}
		}
		why := e.why[idx]
		if why <= 0 {
			continue
		}
		addLits(why)
	}
	// clear what is left in seen
	for _, x := range q {
		seen[abs32(x)] = false
	}
	for i := idx; i < len(e.dq); i++ {
		seen[abs32(e.dq[i])] = false
	}
	for i := 0; i < idx; i++ {
		if seen[abs32(e.dq[i])] {
			seen[abs32(e.dq[i])] = false
		}
	}
	e.revert(rlevel)
	lits := append([]int32{p}, q...)
	ri := e.addRule(lits)
	r := &e.rules[ri]
	if r.w2 != 0 {
		if r.d != 0 {
			wl := int32(0)
			for k := r.d; e.data[k] != 0; k++ {
				x := e.data[k]
				if l := abs32(e.dm[abs32(x)]); l > wl {
					r.w2 = x
					wl = l
				}
			}
		}
		r.n1 = e.watches[e.n+r.w1]
		e.watches[e.n+r.w1] = ri
		r.n2 = e.watches[e.n+r.w2]
		e.watches[e.n+r.w2] = ri
	} else {
		e.assertions = append(e.assertions, ri)
	}
	return rlevel, ri
}

// setpropagatelearn decides the literal (if not 0) at a new level and
// propagates, learning from conflicts; -1 means unsolvable.
func (e *sat) setpropagatelearn(level, decision, ruleid int32) int32 {
	if decision > 0 && !e.added[decision] && !e.s.req.libsolv0723 {
		// libsolv would install a package it made no rules for (a
		// weak dependency reached only through a rich one), leaving its
		// requires unchecked; solve again with rules for it instead.
		e.needs = decision
		e.failed = true
		return -1
	}
	if decision != 0 {
		level++
		e.decide(decision, level, -ruleid)
		e.steps++
	}
	for {
		r := e.propagate(level)
		if r == 0 {
			break
		}
		if level == 1 || e.steps > maxSatSteps {
			e.failed = true
			return -1
		}
		var lr int32
		level, lr = e.analyze(level, r)
		e.decide(e.rules[lr].p, level, lr)
	}
	return level
}

func (e *sat) createBranch(level int32, dq []int32, p, data int32) {
	e.branches = append(e.branches, -dq[0])
	e.branches = append(e.branches, dq[1:]...)
	e.branches = append(e.branches, p, data, int32(len(dq)+4), level)
}

func (e *sat) takeBranch(pos, end int) int32 {
	level := e.branches[end-1]
	p := e.branches[pos]
	e.branches[pos] = -p
	e.branches[end-1] = 0
	e.revert(level)
	e.branches[end-1] = level
	why := -e.why[:len(e.why)+1][len(e.why)]
	return e.setpropagatelearn(level, p, why)
}

func (e *sat) selectAndInstall(level int32, dq []int32, ruleid int32) int32 {
	if len(dq) > 1 {
		dq = e.filterUnwanted(dq, modeChoose)
	}
	if len(dq) > 1 {
		e.createBranch(level, dq, 0, ruleid)
	}
	return e.setpropagatelearn(level, dq[0], ruleid)
}

func (e *sat) makeRuleDecisions() bool {
	e.decide(sysSolvable, 1, 0)
	for _, ri := range e.assertions {
		r := &e.rules[ri]
		v := r.p
		vv := abs32(v)
		if e.dm[vv] == 0 {
			lv := int32(1)
			e.decide(v, lv, ri)
			continue
		}
		if (v > 0 && e.dm[vv] > 0) || (v < 0 && e.dm[vv] < 0) {
			continue
		}
		return false
	}
	return true
}

func (e *sat) resolveJobRules(level int32) int32 {
	oldlevel := level
	var dq []int32
	for i := e.jobRules; i < e.jobEnd; i++ {
		dq = dq[:0]
		done := false
		e.literals(i, func(l int32) bool {
			if l < 0 {
				if e.dm[-l] <= 0 {
					done = true
					return false
				}
				return true
			}
			if e.dm[l] > 0 {
				done = true
				return false
			}
			if e.dm[l] == 0 {
				dq = append(dq, l)
			}
			return true
		})
		if done || len(dq) == 0 {
			continue
		}
		olevel := level
		level = e.selectAndInstall(level, slices.Clone(dq), i)
		if level <= olevel {
			if level < 0 {
				return level
			}
			if level == olevel {
				i--
				continue
			}
			if level < oldlevel {
				return level
			}
			i = e.jobRules - 1
		}
	}
	return level
}

func (e *sat) resolveDependencies(level int32) int32 {
	origlevel := level
	postponed := int32(0)
	nrules := func() int32 { return int32(len(e.rules)) }
	var dq []int32
	for i, n := int32(1), int32(1); ; i, n = i+1, n+1 {
		if n >= nrules() {
			if postponed <= 0 {
				break
			}
			i = postponed
			postponed = -1
			n = 1
		}
		if i == nrules() {
			i = 1
		}
		r := &e.rules[i]
		if r.p < 0 {
			if r.d == 0 || e.dm[-r.p] <= 0 {
				continue
			}
		}
		dq = dq[:0]
		if r.d == 0 {
			if r.w2 <= 0 {
				continue
			}
			if e.dm[r.p] != 0 || e.dm[r.w2] != 0 {
				continue
			}
			dq = append(dq, r.p, r.w2)
		} else {
			if r.p >= 0 {
				if e.dm[r.p] > 0 {
					continue
				}
				if e.dm[r.p] == 0 {
					dq = append(dq, r.p)
				}
			}
			satisfied := false
			for k := r.d; ; k++ {
				x := e.data[k]
				if x == 0 {
					break
				}
				if x < 0 {
					if e.dm[-x] <= 0 {
						satisfied = true
						break
					}
				} else {
					if e.dm[x] > 0 {
						satisfied = true
						break
					}
					if e.dm[x] == 0 {
						dq = append(dq, x)
					}
				}
			}
			if satisfied {
				continue
			}
		}
		if len(dq) == 0 {
			continue
		}
		cur := slices.Clone(dq)
		if len(cur) > 1 && postponed >= 0 {
			cur = e.filterUnwanted(cur, modeChooseNoReorder)
			if len(cur) > 1 {
				if postponed == 0 {
					postponed = i
				}
				continue
			}
		}
		level = e.selectAndInstall(level, cur, i)
		if level < origlevel {
			break
		}
		n = 0
	}
	return level
}

// weakCandidates appends to dq the packages a recommends (or suggests) d of an
// installed package offers, for the weak pass (libsolv's FOR_PROVIDES
// loop and add_complex_recommends); keep filters them.
func (e *sat) weakCandidates(d rpmmeta.Dep, dq []int32, keep func(int32) bool) []int32 {
	if d.IsRich() {
		b := e.expand(d.Name, false)
		if b.val != 2 {
			return dq
		}
		old := len(dq)
		for _, blk := range b.list {
			start := len(dq)
			for _, x := range blk {
				if x < 0 {
					if e.dm[-x] <= 0 {
						break
					}
					continue
				}
				if e.dm[x] > 0 {
					dq = dq[:start]
					break
				}
				if e.dm[x] < 0 || !keep(x) {
					continue
				}
				dq = append(dq, x)
			}
		}
		// unify, keeping the first
		out := dq[:old]
		for _, x := range dq[old:] {
			if !slices.Contains(out, x) {
				out = append(out, x)
			}
		}
		return out
	}
	start := len(dq)
	for _, x := range e.whatprovides(d) {
		if e.dm[x] > 0 {
			return dq[:start]
		}
		if e.dm[x] == 0 && keep(x) {
			dq = append(dq, x)
		}
	}
	return dq
}

func (e *sat) resolveWeak(level int32, rerun *bool) int32 {
	var dq, dqs []int32
	for c := range e.p.cands {
		id := int32(c) + 2
		if !e.s.visible[c] || e.dm[id] < 0 {
			continue
		}

		pk := e.pkg(id)
		if e.dm[id] > 0 {
			for _, d := range pk.Recommends {
				if d.IsRpmlib() {
					continue
				}
				if d.IsRich() {
					dq = e.weakCandidates(d, dq, func(x int32) bool { return e.dm[x] == 0 })
					continue
				}
				qcount := len(dq)
				for _, x := range e.whatprovides(d) {
					if e.dm[x] > 0 {
						dq = dq[:qcount]
						break
					}
					if e.dm[x] == 0 && !slices.Contains(dq, x) {
						dq = append(dq, x)
					}
				}
			}
			continue
		}
		if len(pk.Supplements) == 0 || !e.isSupplementing(id) || !e.supplementingNew(id) {
			continue
		}
		dqs = append(dqs, id)
	}
	for _, x := range dqs {
		if !slices.Contains(dq, x) {
			dq = append(dq, x)
		}
	}
	if len(dq) == 0 {
		return level
	}
	*rerun = true
	if len(dq) == 1 {
		return e.setpropagatelearn(level, dq[0], 0)
	}
	dq = e.filterUnwanted(dq, modeRecommend)
	dqmap := map[int32]bool{}
	for _, x := range dq {
		dqmap[x] = true
	}
	j := 0
	for _, x := range dqs {
		if dqmap[x] {
			dqs[j] = x
			j++
		}
	}
	dqs = dqs[:j]
	if len(dqs) > 1 {
		dqs = e.filterUnwanted(dqs, modeSupplement)
	}
	decisioncount := len(e.dq)
	for _, x := range dqs {
		if e.dm[x] != 0 {
			continue
		}
		olevel := level
		level = e.setpropagatelearn(level, x, 0)
		if level <= olevel {
			return level
		}
	}
	if len(e.dq) < decisioncount {
		return level
	}
	for i := 0; i < decisioncount; i++ {
		p := e.dq[i]
		if p <= sysSolvable {
			continue
		}
		for _, d := range e.pkg(p).Recommends {
			if d.IsRpmlib() {
				continue
			}
			cands := e.weakCandidates(d, nil, func(x int32) bool { return dqmap[x] })
			if len(cands) == 0 {
				continue
			}
			if len(cands) > 1 {
				cands = e.filterUnwanted(cands, modeChoose)
			}
			if len(cands) > 1 {
				e.createBranch(level, cands, p, 0)
			}
			olevel := level
			level = e.setpropagatelearn(level, cands[0], 0)
			if level <= olevel || len(e.dq) < decisioncount {
				return level
			}
		}
	}
	return level
}

// run is solver_run_sat. It reports false when the request is
// unsolvable (or the core gave up); the caller then asks the search for
// the problem in dnf's words.
func (e *sat) run() bool {
	level := int32(0)
	systemlevel := int32(1)
	for iter := 0; ; iter++ {
		if e.s.ctx.Err() != nil || e.failed {
			return false
		}
		if level <= 0 {
			if level < 0 {
				return false
			}
			if !e.makeRuleDecisions() {
				return false
			}
			level = 1
			if e.propagate(level) != 0 {
				return false
			}
			systemlevel = level + 1
		}
		if level < systemlevel {
			olevel := level
			level = e.resolveJobRules(level)
			if level < 0 {
				return false
			}
			if level < olevel {
				continue
			}
			systemlevel = level + 1
		}
		if level < systemlevel {
			systemlevel = level
		}
		olevel := level
		level = e.resolveDependencies(level)
		if level < 0 {
			return false
		}
		if level < olevel {
			continue
		}
		if e.doweak {
			rerun := false
			level = e.resolveWeak(level, &rerun)
			if level < 0 {
				return false
			}
			if rerun {
				continue
			}
		}
		if len(e.branches) > 0 {
			lasti, lastiend := -1, -1
			e.updateRecommendsMap()
			for endi := len(e.branches); endi > 0; {
				l := e.branches[endi-1]
				starti := endi - int(e.branches[endi-2])
				lastsi := -1
				for i := starti; i < endi-4; i++ {
					p := e.branches[i]
					if p <= 0 {
						continue
					}
					if e.dm[p] > l {
						lasti, lastiend, lastsi = i, endi, -1
						break
					}
					if lastsi < 0 && (e.recMap[p] || e.isSupplementing(p)) {
						lastsi = i
					}
				}
				if lastsi >= 0 {
					for i := starti; i < endi-4; i++ {
						p := -e.branches[i]
						if p <= 0 || e.dm[p] != l+1 {
							continue
						}
						if !(e.recMap[p] || e.isSupplementing(p)) {
							lasti, lastiend = lastsi, endi
							break
						}
					}
				}
				endi = starti
			}
			if lasti >= 0 {
				level = e.takeBranch(lasti, lastiend)
				continue
			}
		}
		return true
	}
}

// result hands the installed set to the search's result builder.
func (e *sat) result() *Result {
	s := e.s
	for _, l := range e.dq {
		if l > sysSolvable {
			c := l - 2
			s.sel[c] = true
			s.order = append(s.order, c)
		}
	}
	res := s.result()
	res.backtracks = e.learned
	return res
}
