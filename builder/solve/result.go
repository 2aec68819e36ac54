package solve

import (
	"slices"
	"sort"

	"github.com/slipway-build/slipway/rpmmeta"
)

// result builds the installed set and every reason edge.
func (s *solver) result() *Result {
	p := s.p
	sel := append([]int32(nil), s.order...)
	sort.Slice(sel, func(a, b int) bool {
		x, y := p.cands[sel[a]].Pkg, p.cands[sel[b]].Pkg
		if x.Name != y.Name {
			return x.Name < y.Name
		}
		if x.Arch != y.Arch {
			return x.Arch < y.Arch
		}
		return sel[a] < sel[b]
	})
	res := &Result{Arch: s.req.Arch}
	for _, i := range sel {
		res.Packages = append(res.Packages, p.cands[i])
	}
	add := func(r Reason) { res.Reasons = append(res.Reasons, r) }
	// providersIn calls fn for selected packages satisfying d.
	providersIn := func(it item, fn func(int32)) {
		s.itemLeafProviders(&it, func(q int32) {
			if s.sel[q] {
				fn(q)
			}
		})
	}
	for _, it := range s.queue {
		if it.from >= 0 {
			continue
		}
		providersIn(it, func(q int32) {
			add(Reason{Package: s.nevra(q), Dep: it.request, Kind: ByRequest})
		})
	}
	for _, i := range sel {
		pk := p.cands[i].Pkg
		for _, l := range []struct {
			deps []rpmmeta.Dep
			kind ReasonKind
		}{{pk.Requires, ByRequires}, {pk.Recommends, ByRecommends}} {
			for _, d := range l.deps {
				it, _, ok := s.depItem(i, d, kindRequires)
				if !ok {
					continue
				}
				providersIn(it, func(q int32) {
					if q != i {
						add(Reason{Package: s.nevra(q), By: s.nevra(i), Dep: d.String(), Kind: l.kind})
					}
				})
			}
		}
		// A rich conflict whose negation needs a package ("p conflicts
		// with (a if b)" installs b).
		for _, d := range pk.Conflicts {
			n := p.nnf[d.Name][1]
			if !d.IsRich() || n == nil {
				continue
			}
			providersIn(item{expr: n}, func(q int32) {
				if q != i {
					add(Reason{Package: s.nevra(q), By: s.nevra(i), Dep: d.Name, Kind: ByConflicts})
				}
			})
		}
		for _, d := range pk.Supplements {
			it, _, ok := s.depItem(i, d, kindSupplements)
			if !ok {
				continue
			}
			providersIn(it, func(q int32) {
				if q != i {
					add(Reason{Package: s.nevra(i), By: s.nevra(q), Dep: d.String(), Kind: BySupplements})
				}
			})
		}
	}
	if len(s.req.AllowUnsatisfied) > 0 {
		for _, i := range sel {
			for _, d := range p.cands[i].Pkg.Requires {
				it, _, ok := s.depItem(i, d, kindRequires)
				if !ok {
					continue
				}
				if sat, _ := s.eval(&it); sat {
					continue
				}
				dep := d.String()
				if it.expr != nil {
					dep = d.Name
				}
				res.Unsatisfied = append(res.Unsatisfied, Unsatisfied{Package: s.nevra(i), Dep: dep})
			}
		}
		sort.Slice(res.Unsatisfied, func(a, b int) bool {
			x, y := res.Unsatisfied[a], res.Unsatisfied[b]
			if x.Package != y.Package {
				return x.Package < y.Package
			}
			return x.Dep < y.Dep
		})
		res.Unsatisfied = slices.Compact(res.Unsatisfied)
	}
	sort.Slice(res.Reasons, func(a, b int) bool {
		x, y := res.Reasons[a], res.Reasons[b]
		if x.Package != y.Package {
			return x.Package < y.Package
		}
		if x.By != y.By {
			return x.By < y.By
		}
		if x.Dep != y.Dep {
			return x.Dep < y.Dep
		}
		return x.Kind < y.Kind
	})
	res.Reasons = slices.Compact(res.Reasons)
	return res
}
