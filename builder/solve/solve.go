package solve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"slices"
	"strings"

	"github.com/slipway-build/slipway/rpmmeta"
)

// Request says what to install.
type Request struct {
	// Arch is the target architecture; packages of that arch and noarch
	// are visible, every other arch is ignored (no multilib).
	Arch string
	// Install lists what to install: dnf package specs ("bash",
	// "bash.x86_64", "bash-5.2.15", "bash-0:5.2.15-1.azl3.x86_64", globs
	// in any part like "lib*"), provides ("libfoo.so.1()(64bit)",
	// "webserver >= 2"), file paths ("/usr/bin/sh") or rich dependencies
	// ("(a or b)"), matched the way dnf install matches them.
	Install []string
	// Exclude lists globs on package names; matching packages are
	// invisible, as with dnf's exclude.
	Exclude []string
	// AllowUnsatisfied lists globs on package names to hold back: such
	// packages are never installed (as if excluded), and a requirement of
	// an installed package whose only providers are held back is left
	// unsatisfied on purpose instead of failing; Result.Unsatisfied lists
	// each one. A request for a held-back package still fails.
	AllowUnsatisfied []string
	// WeakDeps installs Recommends of installed packages and packages
	// whose Supplements are met, when they can be installed.
	WeakDeps bool
	// KeepObsoleted installs a requested name even when another package
	// obsoletes it. By default, like dnf (obsoletes=True), the request
	// goes to the obsoleting package instead.
	KeepObsoleted bool

	// libsolv0723 (tests only) reproduces libsolv 0.7.23's issue #527
	// (fixed by commit 1edb35a3): the condition of a rich if/unless ...
	// else in a Recommends gets no rules and may be installed without
	// its requirements. The randomized differential uses it to tell that
	// bug from a real difference.
	libsolv0723 bool
}

// ReasonKind says which kind of edge brought a package in.
type ReasonKind int

// The kinds of Reason.
const (
	ByRequest ReasonKind = iota + 1
	ByRequires
	ByRecommends
	BySupplements
	ByConflicts // needed by the negation of a rich conflict
)

func (k ReasonKind) String() string {
	switch k {
	case ByRequest:
		return "request"
	case ByRequires:
		return "requires"
	case ByRecommends:
		return "recommends"
	case BySupplements:
		return "supplements"
	case ByConflicts:
		return "conflicts"
	}
	return "unknown"
}

// Reason is one edge of the dependency graph of the installed set:
// Package is there (at least partly) because By needs it through Dep.
// For Kind ByRequest, By is "" and Dep is the request argument. For
// BySupplements, Package supplements Dep, which By provides.
type Reason struct {
	Package string // NEVRA of the package brought in
	By      string // NEVRA of the package that brought it in, "" for the request
	Dep     string
	Kind    ReasonKind
}

// Result is a solved request.
type Result struct {
	Arch string
	// Packages is the installed set, sorted by name then arch.
	Packages []Candidate
	// Reasons lists every edge between installed packages (and from the
	// request), sorted by Package, By, Dep, Kind.
	Reasons []Reason
	// Unsatisfied lists the requirements of installed packages left
	// unsatisfied on purpose because their only providers are held back
	// (Request.AllowUnsatisfied), sorted by Package then Dep.
	Unsatisfied []Unsatisfied

	backtracks int // rules the core learnt, or choices the search undid (for tests)
}

// Unsatisfied is one requirement left unsatisfied on purpose: Package
// (a NEVRA) requires Dep, which only held-back packages provide.
type Unsatisfied struct {
	Package string
	Dep     string
}

// Why returns one shortest chain of reasons from the request to the
// installed package with the given name or NEVRA: the first element has
// Kind ByRequest, the last has Package equal to the package. It returns
// nil when no such package is installed.
func (r *Result) Why(pkg string) []Reason {
	target := ""
	for _, c := range r.Packages {
		if c.Pkg.Name == pkg || c.Pkg.NEVRA.String() == pkg {
			target = c.Pkg.NEVRA.String()
			break
		}
	}
	if target == "" {
		return nil
	}
	out := map[string][]int{} // By -> reason indexes
	for i, rs := range r.Reasons {
		out[rs.By] = append(out[rs.By], i)
	}
	prev := map[string]int{} // package -> reason that reached it first
	queue := []string{""}
	seen := map[string]bool{"": true}
	for len(queue) > 0 {
		by := queue[0]
		queue = queue[1:]
		for _, i := range out[by] {
			to := r.Reasons[i].Package
			if seen[to] {
				continue
			}
			seen[to] = true
			prev[to] = i
			if to == target {
				var chain []Reason
				for cur := to; cur != ""; {
					rs := r.Reasons[prev[cur]]
					chain = append(chain, rs)
					cur = rs.By
				}
				for a, b := 0, len(chain)-1; a < b; a, b = a+1, b-1 {
					chain[a], chain[b] = chain[b], chain[a]
				}
				return chain
			}
			queue = append(queue, to)
		}
	}
	return nil
}

// Solve indexes the candidates and solves one request; see Pool.Solve.
func Solve(ctx context.Context, log *slog.Logger, req Request, cands []Candidate) (*Result, error) {
	return NewPool(cands).Solve(ctx, log, req)
}

type itemKind uint8

const (
	kindRequest itemKind = iota + 1
	kindRequires
	kindRecommends
	kindSupplements
	kindConflicts // part of the negation of a rich conflict
)

// item is one dependency to satisfy.
type item struct {
	from    int32 // requiring package, -1 for the request
	dep     rpmmeta.Dep
	expr    *nnf    // a rich dependency as libsolv reads it; nil for a simple one
	pkgs    []int32 // for a request: exactly these packages (one of them)
	cond    bool    // holds a negation: never settled for good
	kind    itemKind
	request string // the request argument this came from (for the request)
}

type trailOp uint8

const (
	opSelect trailOp = iota
	opForbid
	opDone
)

type trailEntry struct {
	op trailOp
	x  int32
}

type frame struct {
	trailLen, queueLen int
	item               int
	alts               []int32
	next               int
	branch             []int32 // the candidates libsolv keeps for this choice
}

type solver struct {
	ctx        context.Context
	log        *slog.Logger
	p          *Pool
	req        Request
	visible    []bool
	excl       []bool
	held       []bool
	sel        []bool
	forbid     []int32
	forbBy     []int32
	parent     []int32 // item index that selected the package
	order      []int32
	queue      []item
	done       []bool
	trail      []trailEntry
	frames     []frame
	steps      int
	backtracks int
	nevras     map[int32]string
	branch     []int32 // set by policy: the best candidates of the last choice
	pruneCount *int    // set: policy only counts the names left after pruning
	self       int32   // the package whose conflict is evaluated, or -1
	skip       int32   // a package an evaluation leaves out, or -1

	best      *Problem
	bestLevel int

	lateMin       bool         // minimize after the weak pass (libsolv's order)
	weakChoices   []weakChoice // recommends decided among several candidates
	weakMinimized int          // how often minimizeWeak took a choice back
}

// maxSteps bounds the search: each step is one decision or backtrack.
const maxSteps = 200000

// Solve resolves req against the pool. It never modifies the pool. On
// failure the error is an *UnsolvableError (errors.As) unless ctx ended.
func (p *Pool) Solve(ctx context.Context, log *slog.Logger, req Request) (*Result, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if req.Arch == "" {
		return nil, fmt.Errorf("solving: no target architecture")
	}
	for _, g := range req.Exclude {
		if _, err := path.Match(g, ""); err != nil {
			return nil, fmt.Errorf("solving: exclude pattern %q: %w", g, err)
		}
	}
	for _, g := range req.AllowUnsatisfied {
		if _, err := path.Match(g, ""); err != nil {
			return nil, fmt.Errorf("solving: allow_unsatisfied pattern %q: %w", g, err)
		}
	}
	res, err := p.solve(ctx, log, req, req.WeakDeps, true)
	if errors.Is(err, errMinimize) {
		// Minimizing after the weak pass took a choice back into a dead
		// end: solve again, minimizing before it.
		res, err = p.solve(ctx, log, req, false, false)
	}
	return res, err
}

// errMinimize reports that minimization after the weak pass failed.
var errMinimize = errors.New("minimization after the weak pass failed")

// solve is Solve; lateMin defers the minimization of choices until the
// weak pass is done, as libsolv does.
func (p *Pool) solve(ctx context.Context, log *slog.Logger, req Request, lateMin, core bool) (*Result, error) {
	n := len(p.cands)
	s := &solver{
		lateMin: lateMin,
		ctx:     ctx, log: log, p: p, req: req,
		visible: make([]bool, n), excl: make([]bool, n), held: make([]bool, n), sel: make([]bool, n),
		forbid: make([]int32, n), forbBy: make([]int32, n), parent: make([]int32, n),
		self: -1, skip: -1,
	}
	for i, c := range p.cands {
		if c.Pkg == nil || (c.Pkg.Arch != req.Arch && c.Pkg.Arch != "noarch") {
			continue
		}
		ex := false
		for _, g := range req.Exclude {
			if ok, _ := path.Match(g, c.Pkg.Name); ok {
				ex = true
				break
			}
		}
		held := false
		for _, g := range req.AllowUnsatisfied {
			if ok, _ := path.Match(g, c.Pkg.Name); ok {
				held = true
				break
			}
		}
		s.held[i] = held
		s.excl[i] = ex || held
		s.visible[i] = !ex && !held
	}
	for i := range s.forbBy {
		s.forbBy[i] = -1
		s.parent[i] = -1
	}
	var problems []Problem
	for _, arg := range req.Install {
		if pr := s.addRequest(arg); pr != nil {
			problems = append(problems, *pr)
		}
	}
	if len(problems) > 0 {
		return nil, &UnsolvableError{Arch: req.Arch, Problems: problems}
	}
	if core {
		// The decision core (sat.go) gives libsolv's answer; when it finds
		// no solution (or gives up), the search below explains why in
		// dnf's words.
		var extra []int32
		for {
			e := newSat(s, extra)
			if e.run() {
				res := e.result()
				log.Debug("solved", "arch", req.Arch, "request", len(req.Install), "packages", len(res.Packages), "decisions", e.steps, "learnt", e.learned)
				return res, nil
			}
			if e.needs == 0 || len(extra) > 64 {
				break
			}
			extra = append(extra, e.needs)
		}
	}
	if pr := s.run(0); pr != nil {
		if pr.Kind == 0 {
			return nil, ctx.Err()
		}
		return nil, &UnsolvableError{Arch: req.Arch, Problems: []Problem{*pr}}
	}
	if req.WeakDeps {
		if err := s.weak(); err != nil {
			return nil, err
		}
	}
	res := s.result()
	res.backtracks = s.backtracks
	log.Debug("solved", "arch", req.Arch, "request", len(req.Install), "packages", len(res.Packages), "steps", s.steps)
	return res, nil
}

// addRequest turns one request argument into items, or reports why it
// matches nothing. The argument is a dnf package spec (see spec.go) or a
// rich dependency.
func (s *solver) addRequest(arg string) *Problem {
	p := s.p
	arg = strings.TrimSpace(arg)
	if arg == "" {
		return &Problem{Kind: NoMatch, Dep: `""`}
	}
	if strings.HasPrefix(arg, "(") {
		r, _, err := rpmmeta.ParseRich(arg, rpmmeta.RichRepodata)
		if err != nil {
			return &Problem{Kind: NoMatch, Dep: arg, Detail: err.Error()}
		}
		s.push(item{from: -1, dep: rpmmeta.Dep{Name: arg}, expr: toCNF(negNNF(r, false)), kind: kindRequest, request: arg})
		return nil
	}
	m := s.matchSpec(arg, func(i int32) bool { return s.visible[i] })
	if len(m.pkgs) == 0 {
		// Packages of the target arch that only an exclude hides.
		if ex := s.matchSpec(arg, func(i int32) bool { return s.excl[i] || s.visible[i] }); len(ex.pkgs) > 0 {
			return &Problem{Kind: Excluded, Dep: arg}
		}
		return &Problem{Kind: NoMatch, Dep: arg}
	}
	// dnf (Subject._get_best_selectors, Base._install_multiarch): a glob
	// installs every matching name (and with a glob on the arch, every
	// matching name and arch); anything else is one choice among all the
	// matches. A bare name (or an arch glob) also offers the packages that
	// obsolete a match (obsoletes=True).
	archGlob := m.nevra != nil && isGlob(m.nevra.arch)
	withObsoletes := !s.req.KeepObsoleted && m.nevra != nil && (m.nevra.hasJustName() || archGlob)
	groups := [][]int32{m.pkgs}
	if (isGlob(arg) && !isFilePattern(arg)) || archGlob {
		byKey := map[string][]int32{}
		var keys []string
		for _, i := range m.pkgs {
			pk := p.cands[i].Pkg
			k := pk.Name
			if archGlob {
				k += "." + pk.Arch
			}
			if _, ok := byKey[k]; !ok {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], i)
		}
		slices.Sort(keys)
		groups = groups[:0]
		for _, k := range keys {
			groups = append(groups, byKey[k])
		}
	}
	for _, g := range groups {
		if withObsoletes {
			g = s.withObsoleters(g)
		}
		s.push(item{from: -1, dep: rpmmeta.Dep{Name: arg}, pkgs: g, kind: kindRequest, request: arg})
	}
	return nil
}

// withObsoleters adds to pkgs the visible packages of another name that
// obsolete one of them (dnf: query.union(query.filter(obsoletes=query))).
func (s *solver) withObsoleters(pkgs []int32) []int32 {
	p := s.p
	out := slices.Clone(pkgs)
	for _, i := range pkgs {
		pk := p.cands[i].Pkg
		for ref := range p.obsBy.get(pk.Name) {
			q := ref.pkg
			if !s.visible[q] || p.cands[q].Pkg.Name == pk.Name || slices.Contains(out, q) {
				continue
			}
			if p.cands[q].Pkg.Obsoletes[ref.dep].MatchesEVR(pk.Name, pk.EVR) {
				out = append(out, q)
			}
		}
	}
	if len(out) > len(pkgs) {
		by := p.cands[out[len(pkgs)]].Pkg.NEVRA.String()
		s.log.Info("requested package is obsoleted, the obsoleting package is offered too", "package", p.cands[pkgs[0]].Pkg.Name, "by", by)
	}
	return out
}

// parseDep reads "name [op version]".
func parseDep(s string) rpmmeta.Dep {
	f := strings.Fields(s)
	if len(f) == 3 {
		flags := map[string]rpmmeta.Sense{
			"<": rpmmeta.SenseLess, "<=": rpmmeta.SenseLess | rpmmeta.SenseEqual,
			"=": rpmmeta.SenseEqual, "==": rpmmeta.SenseEqual,
			">=": rpmmeta.SenseGreater | rpmmeta.SenseEqual, ">": rpmmeta.SenseGreater,
		}
		if fl, ok := flags[f[1]]; ok {
			return rpmmeta.Dep{Name: f[0], Flags: fl, Version: f[2]}
		}
	}
	return rpmmeta.Dep{Name: s}
}

// push queues an item; a conjunction becomes one item per operand, and
// an item that is a plain dependency loses its expression.
func (s *solver) push(it item) {
	if it.expr != nil && it.expr.op == nnfAnd {
		for _, a := range it.expr.args {
			sub := it
			sub.expr = a
			s.push(sub)
		}
		return
	}
	if it.expr != nil && it.expr.op == nnfAtom && !it.expr.neg && it.expr.atom.Op == rpmmeta.RichLeaf {
		it.dep, it.expr = it.expr.atom.Dep, nil
	}
	it.cond = it.expr.hasNeg()
	s.queue = append(s.queue, it)
	s.done = append(s.done, false)
}

// depItem makes an item from a package's dependency; ok is false for
// dependencies to skip (rpmlib) and for malformed rich ones (problem set).
func (s *solver) depItem(from int32, d rpmmeta.Dep, kind itemKind) (item, *Problem, bool) {
	if d.IsRpmlib() {
		return item{}, nil, false
	}
	it := item{from: from, dep: d, kind: kind}
	if d.IsRich() {
		r := s.p.rich[d.Name]
		if r == nil {
			err := s.p.richErr[d.Name]
			detail := "unparsed"
			if err != nil {
				detail = err.Error()
			}
			return item{}, &Problem{Kind: BadDependency, Dep: d.Name, Package: s.nevra(from), Detail: detail}, false
		}
		it.expr = s.p.nnf[d.Name][0]
		it.cond = it.expr.hasNeg()
	}
	return it, nil, true
}

func (s *solver) nevra(i int32) string {
	if i < 0 {
		return "the request"
	}
	if s.nevras == nil {
		s.nevras = map[int32]string{}
	}
	if n, ok := s.nevras[i]; ok {
		return n
	}
	n := s.p.cands[i].Pkg.NEVRA.String()
	s.nevras[i] = n
	return n
}

// chain explains how package i came to be needed.
func (s *solver) chain(i int32) string {
	var parts []string
	for depth := 0; i >= 0 && depth < 64; depth++ {
		it := s.parent[i]
		if it < 0 {
			break
		}
		q := s.queue[it]
		if q.from < 0 {
			parts = append(parts, "required by the request for "+q.request)
			break
		}
		verb := "required by "
		if q.kind == kindRecommends {
			verb = "recommended by "
		} else if q.kind == kindSupplements {
			verb = "supplementing "
		}
		parts = append(parts, verb+s.nevra(q.from))
		i = q.from
	}
	return strings.Join(parts, ", ")
}

func (s *solver) chainFrom(from int32) string {
	if from < 0 {
		return ""
	}
	return s.chain(from)
}

// itemProviders lists packages satisfying a simple item (no rich
// dependency), visible or not.
func (s *solver) itemProviders(it *item, fn func(int32)) {
	if it.pkgs != nil {
		for _, i := range it.pkgs {
			fn(i)
		}
		return
	}
	s.p.providers(it.dep, fn)
}

// usable reports whether package i may still be installed.
func (s *solver) usable(i int32) bool {
	if !s.visible[i] || s.forbid[i] > 0 {
		return false
	}
	if s.sel[i] {
		return true
	}
	for j := range s.p.byName.get(s.p.cands[i].Pkg.Name) {
		if s.sel[j] {
			return false
		}
	}
	return true
}

// eval reports whether the item is satisfied by the selected set, and if
// not, the packages that could help, in dependency order (unsorted).
func (s *solver) eval(it *item) (bool, []int32) {
	if it.expr == nil {
		return s.evalLeaf(it.dep, it.pkgs)
	}
	if it.kind == kindConflicts {
		// A package's own provides never meet its conflicts: in the
		// negation, a negated atom leaves the package out (testsolv:
		// "p conflicts with (p if b)" installs b), a positive one does not
		// ("p conflicts with (g if p)" installs p alone).
		s.self = it.from
		defer func() { s.self = -1 }()
	}
	return s.evalNNF(it.expr)
}

// evalLeaf evaluates a simple dependency, or (pkgs not nil) a choice
// among exactly those packages.
func (s *solver) evalLeaf(d rpmmeta.Dep, pkgs []int32) (bool, []int32) {
	sat := false
	var cands []int32
	visit := func(i int32) {
		if sat || i == s.skip {
			return
		}
		if s.sel[i] {
			sat = true
			return
		}
		if s.usable(i) {
			cands = append(cands, i)
		}
	}
	if pkgs != nil {
		for _, i := range pkgs {
			visit(i)
		}
	} else {
		s.p.providers(d, visit)
	}
	if sat {
		return true, nil
	}
	return false, cands
}

// evalNNF reports whether the expression holds for the selected set,
// and if not, the packages that could make it hold: those of the first
// operand that fails for a conjunction (none if one cannot be helped),
// those of every operand for a disjunction. A negated atom that fails
// cannot be helped.
func (s *solver) evalNNF(n *nnf) (bool, []int32) {
	switch n.op {
	case nnfAnd:
		// The candidates of the first operand that fails, unless some
		// operand fails with no way to help it (a negated atom already
		// installed, a dependency nothing can meet).
		var first []int32
		failed := false
		for _, a := range n.args {
			ok, c := s.evalNNF(a)
			if ok {
				continue
			}
			if len(c) == 0 {
				return false, nil
			}
			if !failed {
				first, failed = c, true
			}
		}
		return !failed, first
	case nnfOr:
		var all []int32
		for _, a := range n.args {
			ok, c := s.evalNNF(a)
			if ok {
				return true, nil
			}
			all = append(all, c...)
		}
		return false, all
	}
	if n.neg {
		s.skip = s.self
		ok, _ := s.evalAtom(n.atom)
		s.skip = -1
		return !ok, nil
	}
	return s.evalAtom(n.atom)
}

// evalAtom evaluates a simple dependency or a "with"/"without", which
// one package must meet on its own.
func (s *solver) evalAtom(r *rpmmeta.RichDep) (bool, []int32) {
	if r.Op == rpmmeta.RichLeaf {
		return s.evalLeaf(r.Dep, nil)
	}
	var cands []int32
	sat := false
	s.pkgsFor(r.Args[0], func(i int32) {
		if sat || i == s.skip || !s.pkgSat(i, r) {
			return
		}
		if s.sel[i] {
			sat = true
		} else if s.usable(i) {
			cands = append(cands, i)
		}
	})
	if sat {
		return true, nil
	}
	return false, cands
}

// pkgsFor lists packages that may satisfy r on their own.
func (s *solver) pkgsFor(r *rpmmeta.RichDep, fn func(int32)) {
	if r.Op == rpmmeta.RichLeaf {
		s.p.providers(r.Dep, fn)
		return
	}
	for _, a := range r.Args {
		s.pkgsFor(a, fn)
		if r.Op != rpmmeta.RichOr {
			return
		}
	}
}

// pkgSat reports whether package i alone satisfies r.
func (s *solver) pkgSat(i int32, r *rpmmeta.RichDep) bool {
	switch r.Op {
	case rpmmeta.RichLeaf:
		return s.p.pkgProvides(i, r.Dep)
	case rpmmeta.RichAnd, rpmmeta.RichWith:
		for _, a := range r.Args {
			if !s.pkgSat(i, a) {
				return false
			}
		}
		return true
	case rpmmeta.RichOr:
		for _, a := range r.Args {
			if s.pkgSat(i, a) {
				return true
			}
		}
		return false
	case rpmmeta.RichWithout:
		return s.pkgSat(i, r.Args[0]) && !s.pkgSat(i, r.Args[1])
	default: // if, unless: the package must at least give the main operand
		return s.pkgSat(i, r.Args[0])
	}
}

func (s *solver) setDone(i int) {
	s.done[i] = true
	s.trail = append(s.trail, trailEntry{opDone, int32(i)})
}

func (s *solver) addForbid(i, by int32) {
	if s.forbid[i] == 0 {
		s.forbBy[i] = by
	}
	s.forbid[i]++
	s.trail = append(s.trail, trailEntry{opForbid, i})
}

func (s *solver) undo(n int) {
	for len(s.trail) > n {
		e := s.trail[len(s.trail)-1]
		s.trail = s.trail[:len(s.trail)-1]
		switch e.op {
		case opSelect:
			s.sel[e.x] = false
			s.parent[e.x] = -1
			s.order = s.order[:len(s.order)-1]
		case opForbid:
			s.forbid[e.x]--
			if s.forbid[e.x] == 0 {
				s.forbBy[e.x] = -1
			}
		case opDone:
			s.done[e.x] = false
		}
	}
}

// selectPkg installs package i because of queue item cause.
func (s *solver) selectPkg(i int32, cause int) *Problem {
	if s.sel[i] {
		return nil
	}
	p := s.p
	pk := p.cands[i].Pkg
	if s.forbid[i] > 0 {
		return s.conflictProblem(s.forbBy[i], i)
	}
	for j := range p.byName.get(pk.Name) {
		if s.sel[j] && j != i {
			return &Problem{Kind: SameName, Package: s.nevra(j), Other: s.nevra(i), Chain: s.chainFrom(j)}
		}
	}
	s.sel[i] = true
	s.parent[i] = int32(cause)
	s.order = append(s.order, i)
	s.trail = append(s.trail, trailEntry{opSelect, i})

	// Its conflicts.
	for _, d := range pk.Conflicts {
		if d.IsRich() {
			if pr := s.richConflict(i, d); pr != nil {
				return pr
			}
			continue
		}
		var pr *Problem
		p.providers(d, func(q int32) {
			if pr != nil || q == i || !s.visible[q] {
				return
			}
			if s.sel[q] {
				pr = &Problem{Kind: Conflict, Package: s.nevra(i), Dep: d.String(), Other: s.nevra(q), Chain: s.chain(i)}
				return
			}
			s.addForbid(q, i)
		})
		if pr != nil {
			return pr
		}
	}
	// Others' conflicts with it.
	for _, pv := range p.provs[i] {
		for ref := range p.conflBy.get(pv.Name) {
			q := ref.pkg
			if q == i || !s.visible[q] {
				continue
			}
			d := p.cands[q].Pkg.Conflicts[ref.dep]
			if !d.Matches(pv) {
				continue
			}
			if s.sel[q] {
				return &Problem{Kind: Conflict, Package: s.nevra(q), Dep: d.String(), Other: s.nevra(i), Chain: s.chain(i)}
			}
			s.addForbid(q, i)
		}
	}
	for _, f := range pk.Files {
		for ref := range p.conflBy.get(f) {
			q := ref.pkg
			if q == i || !s.visible[q] {
				continue
			}
			if s.sel[q] {
				return &Problem{Kind: Conflict, Package: s.nevra(q), Dep: f, Other: s.nevra(i), Chain: s.chain(i)}
			}
			s.addForbid(q, i)
		}
	}
	// Its obsoletes (matched against package names, as rpm and libsolv do).
	for _, d := range pk.Obsoletes {
		for q := range p.byName.get(d.Name) {
			if q == i || !s.visible[q] || p.cands[q].Pkg.Name == pk.Name || !d.MatchesEVR(d.Name, p.cands[q].Pkg.EVR) {
				continue
			}
			if s.sel[q] {
				return &Problem{Kind: Obsoleted, Package: s.nevra(i), Dep: d.String(), Other: s.nevra(q), Chain: s.chain(i)}
			}
			s.addForbid(q, i)
		}
	}
	for ref := range p.obsBy.get(pk.Name) {
		q := ref.pkg
		if q == i || !s.visible[q] || p.cands[q].Pkg.Name == pk.Name {
			continue
		}
		d := p.cands[q].Pkg.Obsoletes[ref.dep]
		if !d.MatchesEVR(pk.Name, pk.EVR) {
			continue
		}
		if s.sel[q] {
			return &Problem{Kind: Obsoleted, Package: s.nevra(q), Dep: d.String(), Other: s.nevra(i), Chain: s.chain(i)}
		}
		s.addForbid(q, i)
	}
	// Its requirements.
	for _, d := range pk.Requires {
		it, pr, ok := s.depItem(i, d, kindRequires)
		if pr != nil {
			return pr
		}
		if ok {
			s.push(it)
		}
	}
	return nil
}

func (s *solver) nothingProvides(it *item) *Problem {
	// A provider that exists but was ruled out explains better.
	var blocked int32 = -1
	visit := func(i int32) {
		if blocked < 0 && s.visible[i] {
			blocked = i
		}
	}
	s.itemLeafProviders(it, visit)
	if blocked >= 0 {
		if by := s.forbBy[blocked]; by >= 0 {
			return s.conflictProblem(by, blocked)
		}
		for j := range s.p.byName.get(s.p.cands[blocked].Pkg.Name) {
			if s.sel[j] && j != blocked {
				return &Problem{Kind: SameName, Package: s.nevra(j), Other: s.nevra(blocked), Chain: s.chainFrom(j)}
			}
		}
	}
	if it.from < 0 {
		return &Problem{Kind: NothingProvides, Dep: it.dep.String(), Package: "the request", Chain: ""}
	}
	dep := it.dep.String()
	if it.expr != nil {
		dep = it.dep.Name
	}
	return &Problem{Kind: NothingProvides, Dep: dep, Package: s.nevra(it.from), Chain: s.chain(it.from)}
}

// propagate settles every item with zero or one possible provider.
func (s *solver) propagate() *Problem {
	for {
		changed := false
		for i := 0; i < len(s.queue); i++ {
			if s.done[i] {
				continue
			}
			it := &s.queue[i]
			sat, cands := s.eval(it)
			if sat {
				if !it.cond {
					s.setDone(i)
				}
				continue
			}
			cands = dedup(cands)
			switch len(cands) {
			case 0:
				if it.kind == kindConflicts {
					return s.richConflictProblem(it)
				}
				if it.from >= 0 && s.heldBack(it) {
					// Left unsatisfied on purpose; result lists it.
					s.setDone(i)
					continue
				}
				return s.nothingProvides(it)
			case 1:
				if pr := s.selectPkg(cands[0], i); pr != nil {
					return pr
				}
				changed = true
				if !it.cond {
					s.setDone(i)
				}
			}
		}
		if !changed {
			return nil
		}
	}
}

// heldBack reports whether an unsatisfiable item fails only because its
// providers are held back (Request.AllowUnsatisfied): at least one
// provider is held back and every visible provider is already installed
// (for a simple dependency: none is visible).
func (s *solver) heldBack(it *item) bool {
	held, other := false, false
	visit := func(i int32) {
		if s.held[i] {
			held = true
		} else if s.visible[i] && !s.sel[i] {
			other = true
		}
	}
	s.itemLeafProviders(it, visit)
	return held && !other
}

func dedup(c []int32) []int32 {
	if len(c) < 2 {
		return c
	}
	out := c[:0:0]
	for _, x := range c {
		dup := false
		for _, y := range out {
			if x == y {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, x)
		}
	}
	return out
}

func (s *solver) note(pr *Problem) {
	level := len(s.frames)
	if s.best == nil || level < s.bestLevel {
		s.best, s.bestLevel = pr, level
	}
}

// run solves the hard requirements in the queue, deciding and
// backtracking above frame base. It returns the most telling problem on
// failure (Kind 0 when ctx ended).
func (s *solver) run(base int) *Problem {
	s.best = nil
	for {
		if s.steps++; s.steps%256 == 0 && s.ctx.Err() != nil {
			return &Problem{}
		}
		if s.steps > maxSteps {
			return &Problem{Kind: TooComplex, Detail: fmt.Sprintf("gave up after %d steps", maxSteps)}
		}
		if pr := s.propagate(); pr != nil {
			s.note(pr)
			if !s.backtrack(base) {
				return s.best
			}
			continue
		}
		idx, cands := s.firstChoice()
		if idx < 0 {
			if !s.lateMin && s.minimize(base) {
				continue
			}
			return nil
		}
		alts := s.policy(cands)
		s.frames = append(s.frames, frame{trailLen: len(s.trail), queueLen: len(s.queue), item: idx, alts: alts, branch: slices.Clone(s.branch)})
		if pr := s.selectPkg(alts[0], idx); pr != nil {
			s.note(pr)
			if !s.backtrack(base) {
				return s.best
			}
		}
	}
}

// firstChoice picks the open item to decide next. Like libsolv's
// "deciding unresolved rules" (testsolv -v shows it), an item whose
// candidates the policy prunes to a single one (one name, say, whose best
// version wins) is decided before any item that needs a real choice;
// otherwise the first open item, in the order items were met.
func (s *solver) firstChoice() (int, []int32) {
	first := -1
	var firstCands []int32
	for i := range s.queue {
		if s.done[i] {
			continue
		}
		sat, cands := s.eval(&s.queue[i])
		if sat {
			continue
		}
		cands = dedup(cands)
		if s.queue[i].from < 0 {
			return i, cands // the request comes first (libsolv's job rules)
		}
		if s.prunesToOne(cands) {
			return i, cands
		}
		if first < 0 {
			first, firstCands = i, cands
		}
	}
	return first, firstCands
}

// minimize is libsolv's minimization step: when a choice's other
// candidate got installed later anyway (for another dependency), the
// choice is taken back and that candidate chosen instead, so that the
// first pick is not installed for nothing ("p requires ((a and z) or
// m)": a is chosen for (a or m), m for (z or m), then a is dropped).
// It reports whether it changed a choice.
func (s *solver) minimize(base int) bool {
	for k := base; k < len(s.frames); k++ {
		f := &s.frames[k]
		c, at := s.branchPick(f)
		if at < 0 {
			continue
		}
		s.frames = s.frames[:k+1]
		s.undo(f.trailLen)
		s.queue = s.queue[:f.queueLen]
		s.done = s.done[:f.queueLen]
		s.takeBranch(f, c, at)
		s.steps++
		if pr := s.selectPkg(c, f.item); pr != nil {
			s.note(pr)
			return s.backtrack(base)
		}
		return true
	}
	return false
}

// branchPick is the test of libsolv's minimization step for one choice:
// a candidate of its branch installed later anyway; else, when the
// chosen package is neither recommended nor supplementing, a candidate
// of the branch that is (testsolv: "minimizing" to a package that a
// later choice recommends). It returns the candidate and its index in
// f.alts, or -1.
func (s *solver) branchPick(f *frame) (int32, int) {
	chosen := f.alts[f.next]
	for _, x := range f.branch {
		if x != chosen && s.sel[x] {
			if at := slices.Index(f.alts, x); at >= 0 {
				return x, at
			}
		}
	}
	if len(f.branch) == 0 || s.recommended(chosen) {
		return -1, -1
	}
	for _, x := range f.branch {
		if x != chosen && s.usable(x) && s.recommended(x) {
			if at := slices.Index(f.alts, x); at >= 0 {
				return x, at
			}
		}
	}
	return -1, -1
}

// takeBranch puts candidate c (at index at of f.alts) first. libsolv
// (takebranch) marks the taken candidate used, as the first choice was
// from the start; the branch stays, so another of its candidates can be
// taken in turn.
func (s *solver) takeBranch(f *frame, c int32, at int) {
	old := f.alts[f.next]
	f.alts = append([]int32{c}, slices.Delete(slices.Clone(f.alts), at, at+1)...)
	f.next = 0
	f.branch = slices.DeleteFunc(slices.Clone(f.branch), func(x int32) bool { return x == c || x == old })
}

func (s *solver) backtrack(base int) bool {
	for len(s.frames) > base {
		f := &s.frames[len(s.frames)-1]
		for {
			s.undo(f.trailLen)
			s.queue = s.queue[:f.queueLen]
			s.done = s.done[:f.queueLen]
			f.next++
			s.backtracks++
			if f.next >= len(f.alts) {
				break
			}
			s.steps++
			if pr := s.selectPkg(f.alts[f.next], f.item); pr != nil {
				s.note(pr)
				continue
			}
			return true
		}
		s.frames = s.frames[:len(s.frames)-1]
	}
	return false
}

// weak adds Recommends of installed packages and packages whose
// Supplements are met, each only if it (with its requirements) can be
// installed; otherwise it is skipped silently.
func (s *solver) weak() error {
	for changed := true; changed; {
		changed = false
		// libsolv's "installing recommended packages": supplementing
		// packages first, then each installed package's recommends.
		for _, q := range s.supplementers() {
			for _, d := range s.p.cands[q].Pkg.Supplements {
				it, _, ok := s.depItem(q, d, kindSupplements)
				if !ok || s.sel[q] || !s.usable(q) {
					continue
				}
				if !s.reverseMet(&it) {
					continue
				}
				// Record the edge as coming from a package that provides it.
				it.from = s.supplementedBy(&it)
				ok, err := s.tryWeak(q, it)
				if err != nil {
					return err
				}
				if ok {
					changed = true
				}
				break
			}
		}
		for k := 0; k < len(s.order); k++ {
			i := s.order[k]
			for _, d := range s.p.cands[i].Pkg.Recommends {
				it, _, ok := s.depItem(i, d, kindRecommends)
				if !ok {
					continue
				}
				sat, cands := s.evalRecommends(&it)
				if sat || len(cands) == 0 {
					continue
				}
				alts := s.policy(dedup(cands))
				branch := slices.Clone(s.branch)
				for _, c := range alts {
					mark := weakChoice{trailLen: len(s.trail), queueLen: len(s.queue), framesLen: len(s.frames), it: it, branch: branch, chosen: c}
					ok, err := s.tryWeak(c, it)
					if err != nil {
						return err
					}
					if ok {
						if len(branch) > 1 {
							s.weakChoices = append(s.weakChoices, mark)
						}
						changed = true
						break
					}
				}
			}
		}
		if !changed {
			ok, err := s.minimizeWeak()
			if err != nil {
				return err
			}
			changed = ok
		}
		if !changed && s.lateMin {
			ok, pr := s.minimizeLate()
			if pr != nil {
				if pr.Kind == 0 {
					return s.ctx.Err()
				}
				return errMinimize
			}
			changed = ok
		}
	}
	return nil
}

// minimizeLate is libsolv's minimization step after the weak pass, for
// the choices of the hard requirements (the recommends' own are
// minimizeWeak's): the earliest choice one of whose other candidates got
// installed later, by the weak pass too, is taken back and that
// candidate chosen; then the requirements are solved again. It reports
// whether it changed a choice, or the problem met solving again.
func (s *solver) minimizeLate() (bool, *Problem) {
	for k := range s.frames {
		f := &s.frames[k]
		c, at := s.branchPick(f)
		if at < 0 {
			continue
		}
		s.weakMinimized++
		if s.weakMinimized > maxWeakMinimize {
			return false, nil
		}
		s.frames = s.frames[:k+1]
		s.undo(f.trailLen)
		s.queue = s.queue[:f.queueLen]
		s.done = s.done[:f.queueLen]
		w := 0
		for w < len(s.weakChoices) && s.weakChoices[w].trailLen < f.trailLen {
			w++
		}
		s.weakChoices = s.weakChoices[:w]
		s.takeBranch(f, c, at)
		s.steps++
		if pr := s.selectPkg(c, f.item); pr != nil {
			s.note(pr)
			if !s.backtrack(0) {
				return false, s.best
			}
		}
		if pr := s.run(0); pr != nil {
			return false, pr
		}
		return true, nil
	}
	return false, nil
}

// weakChoice is a recommends decided among several candidates, kept for
// minimizeWeak: the state before the choice, the recommends, libsolv's
// branch (the candidates the policy keeps) and the candidate chosen.
type weakChoice struct {
	trailLen, queueLen, framesLen int
	it                            item
	branch                        []int32
	chosen                        int32
}

// maxWeakMinimize bounds how often minimizeWeak takes a choice back.
const maxWeakMinimize = 1000

// minimizeWeak is libsolv's minimization step (solver_run_sat,
// "minimizing") over the choices made for recommends, which libsolv also
// records as branches: when another candidate of an earlier choice got
// installed later anyway, everything from that choice on is taken back
// and that candidate chosen instead (d recommends cap1, met by g and c:
// g is chosen, then c is installed for something else: d gets c and g
// goes). The weak pass then runs again. It reports whether it changed a
// choice.
func (s *solver) minimizeWeak() (bool, error) {
	if s.weakMinimized >= maxWeakMinimize {
		return false, nil
	}
	for k, w := range s.weakChoices {
		for _, c := range w.branch {
			if c == w.chosen || !s.sel[c] {
				continue
			}
			s.weakMinimized++
			s.undo(w.trailLen)
			s.queue = s.queue[:w.queueLen]
			s.done = s.done[:w.queueLen]
			s.frames = s.frames[:w.framesLen]
			s.weakChoices = s.weakChoices[:k]
			if _, err := s.tryWeak(c, w.it); err != nil {
				return false, err
			}
			return true, nil
		}
	}
	return false, nil
}

// evalRecommends is eval for a recommends: like libsolv's
// add_complex_recommends (solver.c), a rich recommends in clauses offers
// the candidates of every clause that does not hold yet, even when
// another clause cannot be met ("Recommends: (y and j)" installs j when
// nothing installable provides y). It is not met while one clause fails.
func (s *solver) evalRecommends(it *item) (bool, []int32) {
	if it.expr == nil || it.expr.op != nnfAnd {
		return s.eval(it)
	}
	sat := true
	var all []int32
	for _, c := range it.expr.args {
		ok, cands := s.evalNNF(c)
		if ok {
			continue
		}
		sat = false
		all = append(all, cands...)
	}
	if sat {
		return true, nil
	}
	return false, all
}

// supplementers lists visible packages with Supplements, best version of
// each name first, names in order.
func (s *solver) supplementers() []int32 {
	var out []int32
	for _, q := range s.p.suppl {
		if s.visible[q] && !s.sel[q] {
			out = append(out, q)
		}
	}
	return s.policyOrder(out)
}

func (s *solver) supplementedBy(it *item) int32 {
	found := int32(-1)
	check := func(i int32) {
		if found < 0 && s.sel[i] {
			found = i
		}
	}
	s.itemLeafProviders(it, check)
	return found
}

func (s *solver) tryWeak(c int32, it item) (bool, error) {
	trail, qlen, frames := len(s.trail), len(s.queue), len(s.frames)
	s.queue = append(s.queue, it)
	s.done = append(s.done, true)
	pr := s.selectPkg(c, qlen)
	if pr == nil {
		pr = s.run(frames)
	}
	if pr == nil {
		return true, nil
	}
	if pr.Kind == 0 {
		return false, s.ctx.Err()
	}
	s.log.Debug("weak dependency skipped", "package", s.nevra(c), "reason", pr.String())
	s.frames = s.frames[:frames]
	s.undo(trail)
	s.queue = s.queue[:qlen]
	s.done = s.done[:qlen]
	return false, nil
}

// conflictProblem explains why selected package by rules out package q:
// a conflict either way, or an obsoletes either way.
func (s *solver) conflictProblem(by, q int32) *Problem {
	p := s.p
	a, b := p.cands[by].Pkg, p.cands[q].Pkg
	for _, d := range a.Conflicts {
		if !d.IsRich() && p.pkgProvides(q, d) {
			return &Problem{Kind: Conflict, Package: s.nevra(by), Dep: d.String(), Other: s.nevra(q), Chain: s.chainFrom(by)}
		}
	}
	for _, d := range b.Conflicts {
		if !d.IsRich() && p.pkgProvides(by, d) {
			return &Problem{Kind: Conflict, Package: s.nevra(q), Dep: d.String(), Other: s.nevra(by), Chain: s.chainFrom(by)}
		}
	}
	if dep, ok := s.richConflictWith(by, q); ok {
		return &Problem{Kind: Conflict, Package: s.nevra(by), Dep: dep, Other: s.nevra(q), Chain: s.chainFrom(by)}
	}
	for _, d := range a.Obsoletes {
		if d.MatchesEVR(b.Name, b.EVR) {
			return &Problem{Kind: Obsoleted, Package: s.nevra(by), Dep: d.String(), Other: s.nevra(q), Chain: s.chainFrom(by)}
		}
	}
	for _, d := range b.Obsoletes {
		if d.MatchesEVR(a.Name, a.EVR) {
			return &Problem{Kind: Obsoleted, Package: s.nevra(q), Dep: d.String(), Other: s.nevra(by), Chain: s.chainFrom(by)}
		}
	}
	return &Problem{Kind: Conflict, Package: s.nevra(by), Dep: b.Name, Other: s.nevra(q), Chain: s.chainFrom(by)}
}
