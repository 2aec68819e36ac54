package solve

import "github.com/slipway-build/slipway/rpmmeta"

// Rich dependencies are read as libsolv reads them (cplxdeps.c): "A if
// B" is "A or not B", "A if B else C" is "(A or not B) and (C or B)",
// "A unless B" is "A and not B" — not rpm's reading: testsolv will not
// install "p requires (a unless b)" together with b — and "A unless B
// else C" is "(A and not B) or (C and B)". Each is put in negation
// normal form and then in conjunctive normal form; every clause becomes
// one item, decided on its own, like one of libsolv's rules.
//
// A rich Conflicts is solved the same way, on the negation of its
// expression: the installed set must make the expression false
// (testsolv: "p conflicts with (a if b)" installs b with p, and fails
// only if a is needed too). When the conflicting package is installed,
// the negation's clauses that are a single "not A" rule out every
// provider of A at once, as a simple conflict does; the other clauses
// are queued like requirements, re-checked as the set grows, and when
// one can no longer hold the search goes back.

type nnfOp uint8

const (
	nnfAtom nnfOp = iota
	nnfAnd
	nnfOr
)

// nnf is a boolean dependency in negation normal form. An atom is a
// simple dependency, or a "with"/"without" (met by one package), possibly
// negated.
type nnf struct {
	op   nnfOp
	neg  bool
	atom *rpmmeta.RichDep
	args []*nnf
}

func nnfJoin(op nnfOp, args ...*nnf) *nnf {
	var flat []*nnf
	for _, a := range args {
		if a.op == op {
			flat = append(flat, a.args...)
		} else {
			flat = append(flat, a)
		}
	}
	return &nnf{op: op, args: flat}
}

// negNNF returns r (neg false) or not r (neg true) in negation normal form.
func negNNF(r *rpmmeta.RichDep, neg bool) *nnf {
	and, or := nnfAnd, nnfOr
	if neg {
		and, or = nnfOr, nnfAnd
	}
	switch r.Op {
	case rpmmeta.RichAnd:
		args := make([]*nnf, len(r.Args))
		for i, a := range r.Args {
			args[i] = negNNF(a, neg)
		}
		return nnfJoin(and, args...)
	case rpmmeta.RichOr:
		args := make([]*nnf, len(r.Args))
		for i, a := range r.Args {
			args[i] = negNNF(a, neg)
		}
		return nnfJoin(or, args...)
	case rpmmeta.RichIf:
		// A if B = A or not B; A if B else C = (A or not B) and (C or B).
		first := nnfJoin(or, negNNF(r.Args[0], neg), negNNF(r.Args[1], !neg))
		if len(r.Args) == 2 {
			return first
		}
		return nnfJoin(and, first, nnfJoin(or, negNNF(r.Args[2], neg), negNNF(r.Args[1], neg)))
	case rpmmeta.RichUnless:
		// libsolv: A unless B = A and not B;
		// A unless B else C = (A and not B) or (C and B).
		first := nnfJoin(and, negNNF(r.Args[0], neg), negNNF(r.Args[1], !neg))
		if len(r.Args) == 2 {
			return first
		}
		return nnfJoin(or, first, nnfJoin(and, negNNF(r.Args[2], neg), negNNF(r.Args[1], neg)))
	}
	return &nnf{op: nnfAtom, atom: r, neg: neg}
}

// hasNeg reports whether the expression holds a negated atom: whether
// it can turn false again as packages are added. A nil expression has
// none.
func (n *nnf) hasNeg() bool {
	if n == nil {
		return false
	}
	if n.op == nnfAtom {
		return n.neg
	}
	for _, a := range n.args {
		if a.hasNeg() {
			return true
		}
	}
	return false
}

// leaves calls fn for the simple dependencies of the expression's
// positive atoms: what installing a package could help with.
func (n *nnf) leaves(fn func(rpmmeta.Dep)) {
	switch {
	case n.op != nnfAtom:
		for _, a := range n.args {
			a.leaves(fn)
		}
	case !n.neg:
		n.atom.Leaves(fn)
	}
}

// richConflict handles rich conflict d of package i, just installed.
// Each clause of the negation is read the way libsolv's
// add_complex_deprules reads the expanded blocks of a conflict (rules.c,
// with cplxdeps.c's DNF expansion over packages): i is installed, so a
// clause that i meets itself holds and is dropped, and a negated atom
// that i provides is false, so it is left out of its clause. A clause
// left with only such atoms is a block of i alone, which libsolv ignores
// as a self-conflict; the other packages meeting those atoms still make
// blocks, so they are ruled out ("c provides x, conflicts with (x and z)"
// with c providing z too rules out every other provider of x). A clause
// left with nothing is a conflict with everything: i cannot be installed
// (libsolv: "provided by <NULL>"). A clause of one negated atom rules
// its packages out now, as a simple conflict does; the other clauses are
// queued as items of kind kindConflicts.
func (s *solver) richConflict(i int32, d rpmmeta.Dep) *Problem {
	n := s.p.nnf[d.Name][1]
	if n == nil {
		return nil // malformed: ignored here, as before (a malformed Requires is reported)
	}
	parts := []*nnf{n}
	if n.op == nnfAnd {
		parts = n.args
	}
	for _, part := range parts {
		lits := []*nnf{part}
		if part.op == nnfOr {
			lits = part.args
		}
		if !allAtoms(lits) {
			// Not in clauses (too large): the package's own provides are
			// left out of negated atoms when the item is evaluated.
			s.push(item{from: i, dep: rpmmeta.Dep{Name: d.Name}, expr: part, kind: kindConflicts})
			continue
		}
		var keep, own []*nnf
		holds := false
		for _, l := range lits {
			mine := s.pkgSat(i, l.atom)
			some := mine || s.atomHasVisible(l.atom, i)
			switch {
			case !l.neg && mine, l.neg && !some:
				holds = true // i itself, or a package nothing provides
			case !l.neg && !some:
				// a literal that can never hold
			case l.neg && mine:
				own = append(own, l)
			default:
				keep = append(keep, l)
			}
			if holds {
				break
			}
		}
		switch {
		case holds:
			continue
		case len(keep) == 1 && keep[0].neg:
			if pr := s.ruleOut(i, d, keep[0].atom); pr != nil {
				return pr
			}
		case len(keep) > 0:
			s.push(item{from: i, dep: rpmmeta.Dep{Name: d.Name}, expr: clauseOf(keep), kind: kindConflicts})
		case len(own) > 0:
			for _, l := range own {
				if pr := s.ruleOut(i, d, l.atom); pr != nil {
					return pr
				}
			}
		default:
			return &Problem{Kind: Conflict, Package: s.nevra(i), Dep: d.Name, Other: "<NULL>", Chain: s.chain(i)}
		}
	}
	return nil
}

// allAtoms reports whether every element is a (possibly negated) atom.
func allAtoms(lits []*nnf) bool {
	for _, l := range lits {
		if l.op != nnfAtom {
			return false
		}
	}
	return true
}

// atomHasVisible reports whether a visible package other than i meets
// the atom.
func (s *solver) atomHasVisible(a *rpmmeta.RichDep, i int32) bool {
	found := false
	s.atomProviders(a, func(q int32) { found = found || (q != i && s.visible[q]) })
	return found
}

// ruleOut forbids every visible package but i that meets the atom, for
// i's rich conflict d; a problem if one is installed already.
func (s *solver) ruleOut(i int32, d rpmmeta.Dep, a *rpmmeta.RichDep) *Problem {
	var pr *Problem
	s.atomProviders(a, func(q int32) {
		if pr != nil || q == i || !s.visible[q] {
			return
		}
		if s.sel[q] {
			pr = &Problem{Kind: Conflict, Package: s.nevra(i), Dep: d.Name, Other: s.nevra(q), Chain: s.chain(i)}
			return
		}
		s.addForbid(q, i)
	})
	return pr
}

// richConflictProblem explains a part of a rich conflict's negation that
// can no longer hold: the package conflicts with what an installed
// package provides.
func (s *solver) richConflictProblem(it *item) *Problem {
	other := "the installed set"
	if r := s.p.rich[it.dep.Name]; r != nil {
		found := int32(-1)
		r.Leaves(func(l rpmmeta.Dep) {
			s.p.providers(l, func(q int32) {
				if found < 0 && s.sel[q] && q != it.from {
					found = q
				}
			})
		})
		if found >= 0 {
			other = s.nevra(found)
		}
	}
	return &Problem{Kind: Conflict, Package: s.nevra(it.from), Dep: it.dep.Name, Other: other, Chain: s.chain(it.from)}
}

// itemLeafProviders calls fn for every package that provides one of the
// item's simple dependencies (for a rich one, of its positive atoms).
func (s *solver) itemLeafProviders(it *item, fn func(int32)) {
	if it.expr == nil {
		s.itemProviders(it, fn)
		return
	}
	it.expr.leaves(func(d rpmmeta.Dep) { s.p.providers(d, fn) })
}

// atomProviders calls fn for every package that meets the atom on its
// own (possibly more than once).
func (s *solver) atomProviders(a *rpmmeta.RichDep, fn func(int32)) {
	if a.Op == rpmmeta.RichLeaf {
		s.p.providers(a.Dep, fn)
		return
	}
	s.pkgsFor(a.Args[0], func(q int32) {
		if s.pkgSat(q, a) {
			fn(q)
		}
	})
}

// richConflictWith returns the rich conflict of package by that rules
// out package q, if any.
func (s *solver) richConflictWith(by, q int32) (string, bool) {
	for _, d := range s.p.cands[by].Pkg.Conflicts {
		n := s.p.nnf[d.Name][1]
		if !d.IsRich() || n == nil {
			continue
		}
		parts := []*nnf{n}
		if n.op == nnfAnd {
			parts = n.args
		}
		for _, part := range parts {
			if part.op != nnfAtom || !part.neg {
				continue
			}
			found := false
			s.atomProviders(part.atom, func(x int32) { found = found || x == q })
			if found {
				return d.Name, true
			}
		}
	}
	return "", false
}

// maxClauses bounds the conjunctive normal form of one dependency; past
// it the negation normal form is kept as it is.
const maxClauses = 64

// toCNF turns an expression into a conjunction of clauses (disjunctions
// of atoms), as libsolv does before it makes rules of a rich dependency
// (cplxdeps.c: requires become CNF; a conflict's DNF blocks become the
// clauses of its negation). Each clause is then its own item, decided
// on its own like libsolv's rule: "(c unless b else y)" gives the
// clauses (c or y), (c or b) and (not b or y), and the second lets b
// be chosen for it. A clause holding an atom and its negation is dropped.
func toCNF(n *nnf) *nnf {
	clauses, ok := cnfClauses(n)
	if !ok {
		return n
	}
	if len(clauses) == 1 {
		return clauseOf(clauses[0])
	}
	out := &nnf{op: nnfAnd}
	for _, c := range clauses {
		out.args = append(out.args, clauseOf(c))
	}
	return out
}

func clauseOf(lits []*nnf) *nnf {
	if len(lits) == 1 {
		return lits[0]
	}
	return &nnf{op: nnfOr, args: lits}
}

// cnfClauses lists the clauses of n, each a list of (possibly negated)
// atoms; false when there would be more than maxClauses.
func cnfClauses(n *nnf) ([][]*nnf, bool) {
	switch n.op {
	case nnfAtom:
		return [][]*nnf{{n}}, true
	case nnfAnd:
		var out [][]*nnf
		for _, a := range n.args {
			c, ok := cnfClauses(a)
			if !ok {
				return nil, false
			}
			out = append(out, c...)
			if len(out) > maxClauses {
				return nil, false
			}
		}
		return out, true
	}
	out := [][]*nnf{nil}
	for _, a := range n.args {
		c, ok := cnfClauses(a)
		if !ok {
			return nil, false
		}
		var next [][]*nnf
		for _, x := range out {
			for _, y := range c {
				if merged, taut := mergeClause(x, y); !taut {
					next = append(next, merged)
				}
			}
		}
		if len(next) > maxClauses {
			return nil, false
		}
		out = next
	}
	return out, true
}

// mergeClause joins two clauses, dropping repeated atoms; taut reports a
// clause that holds an atom and its negation.
func mergeClause(x, y []*nnf) (merged []*nnf, taut bool) {
	merged = append([]*nnf(nil), x...)
	for _, l := range y {
		dup := false
		for _, m := range merged {
			if m.atom.String() == l.atom.String() {
				if m.neg != l.neg {
					return nil, true
				}
				dup = true
				break
			}
		}
		if !dup {
			merged = append(merged, l)
		}
	}
	return merged, false
}
