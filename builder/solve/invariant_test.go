package solve

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/slipway-build/slipway/rpmmeta"
)

// checkClosed verifies a result on its own: one package per name, every
// requirement met inside the set, no conflict and no obsoletes between
// members, only the target arch and noarch.
func checkClosed(t *testing.T, res *Result) error {
	t.Helper()
	set := map[string]*rpmmeta.Package{}
	var pkgs []*rpmmeta.Package
	for _, c := range res.Packages {
		if set[c.Pkg.Name] != nil {
			return fmt.Errorf("two packages named %s", c.Pkg.Name)
		}
		if c.Pkg.Arch != res.Arch && c.Pkg.Arch != "noarch" {
			return fmt.Errorf("%s has a foreign arch", c.Pkg.NEVRA)
		}
		set[c.Pkg.Name] = c.Pkg
		pkgs = append(pkgs, c.Pkg)
	}
	provides := func(p *rpmmeta.Package, d rpmmeta.Dep) bool {
		for _, pv := range p.AllProvides() {
			if d.Matches(pv) {
				return true
			}
		}
		for _, f := range p.Files {
			if f == d.Name {
				return true
			}
		}
		return false
	}
	var sat func(r *rpmmeta.RichDep) bool
	// While checking a package's own rich conflict, self is that package;
	// it does not meet the atoms the conflict names directly, only the
	// conditions (as in libsolv; see conflicts.go).
	var self, skip *rpmmeta.Package
	anyProv := func(d rpmmeta.Dep) bool {
		for _, q := range pkgs {
			if q != skip && provides(q, d) {
				return true
			}
		}
		return false
	}
	var pkgSat func(q *rpmmeta.Package, r *rpmmeta.RichDep) bool
	pkgSat = func(q *rpmmeta.Package, r *rpmmeta.RichDep) bool {
		switch r.Op {
		case rpmmeta.RichLeaf:
			return provides(q, r.Dep)
		case rpmmeta.RichWithout:
			return pkgSat(q, r.Args[0]) && !pkgSat(q, r.Args[1])
		case rpmmeta.RichOr:
			return pkgSat(q, r.Args[0]) || pkgSat(q, r.Args[1])
		default:
			for _, a := range r.Args[:min(len(r.Args), 2)] {
				if !pkgSat(q, a) {
					return false
				}
			}
			return true
		}
	}
	cond := func(r *rpmmeta.RichDep) bool {
		saved := skip
		if skip == self {
			skip = nil
		} else {
			skip = self
		}
		ok := sat(r)
		skip = saved
		return ok
	}
	sat = func(r *rpmmeta.RichDep) bool {
		switch r.Op {
		case rpmmeta.RichLeaf:
			return anyProv(r.Dep)
		case rpmmeta.RichAnd:
			for _, a := range r.Args {
				if !sat(a) {
					return false
				}
			}
			return true
		case rpmmeta.RichOr:
			for _, a := range r.Args {
				if sat(a) {
					return true
				}
			}
			return false
		case rpmmeta.RichWith, rpmmeta.RichWithout:
			for _, q := range pkgs {
				if q != skip && pkgSat(q, r) {
					return true
				}
			}
			return false
		case rpmmeta.RichIf:
			if cond(r.Args[1]) {
				return sat(r.Args[0])
			}
			return len(r.Args) < 3 || sat(r.Args[2])
		case rpmmeta.RichUnless:
			// libsolv: (A and not B), or (C and B) with an else.
			if !cond(r.Args[1]) {
				return sat(r.Args[0])
			}
			return len(r.Args) == 3 && sat(r.Args[2])
		}
		return false
	}
	for _, p := range pkgs {
		for _, d := range p.Requires {
			if d.IsRpmlib() {
				continue
			}
			if d.IsRich() {
				r, _, err := rpmmeta.ParseRich(d.Name, rpmmeta.RichRepodata)
				if err != nil {
					return err
				}
				if !sat(r) {
					return fmt.Errorf("%s: %s not met", p.NEVRA, d)
				}
				continue
			}
			if !anyProv(d) {
				return fmt.Errorf("%s: %s not met", p.NEVRA, d)
			}
		}
		for _, d := range p.Conflicts {
			if d.IsRich() {
				r, _, err := rpmmeta.ParseRich(d.Name, rpmmeta.RichRepodata)
				if err != nil {
					return err
				}
				self, skip = p, p
				met := sat(r)
				self, skip = nil, nil
				if met {
					return fmt.Errorf("%s conflicts with %s, which the set meets", p.NEVRA, d.Name)
				}
				continue
			}
			for _, q := range pkgs {
				if q != p && provides(q, d) {
					return fmt.Errorf("%s conflicts with %s (%s)", p.NEVRA, q.NEVRA, d)
				}
			}
		}
		for _, d := range p.Obsoletes {
			if q := set[d.Name]; q != nil && q != p && d.MatchesEVR(q.Name, q.EVR) {
				return fmt.Errorf("%s obsoletes %s", p.NEVRA, q.NEVRA)
			}
		}
	}
	return nil
}

// TestResultsAreClosed checks every solved random request on its own
// terms, independently of the solver's code paths.
func TestResultsAreClosed(t *testing.T) {
	t.Parallel()
	var solved int
	for seed := 100; seed < 300; seed++ {
		cs := randomRepo(rand.New(rand.NewPCG(uint64(seed), 9)), seed%2 == 1)
		pool := NewPool(cs)
		for _, weak := range []bool{false, true} {
			for _, n := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"} {
				res, err := pool.Solve(t.Context(), nil, Request{Arch: "x86_64", Install: []string{n}, WeakDeps: weak})
				if err != nil {
					continue
				}
				solved++
				if err := checkClosed(t, res); err != nil {
					t.Errorf("seed %d install %s weak=%v: %v", seed, n, weak, err)
				}
				if chain := res.Why(res.Packages[len(res.Packages)-1].Pkg.Name); len(chain) == 0 || chain[0].Kind != ByRequest {
					t.Errorf("seed %d install %s: no chain from the request to %s", seed, n, res.Packages[len(res.Packages)-1].Pkg.NEVRA)
				}
			}
		}
	}
	if solved < 500 {
		t.Fatalf("only %d requests solved: the generator changed?", solved)
	}
}
