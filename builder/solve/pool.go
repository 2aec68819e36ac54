// Package solve resolves which packages an install request needs, the way
// dnf and libsolv do: versioned and file dependencies, rich (boolean)
// dependencies, obsoletes, conflicts, weak dependencies, excludes and one
// target architecture plus noarch. It explains failures in dnf's words and
// records why each package was installed. See docs/solver.md for the
// policy that picks between alternatives.
package solve

import (
	"slices"
	"sort"

	"github.com/slipway-build/slipway/builder/rpmmeta"
)

// Candidate is a package offered by a repository.
type Candidate struct {
	Pkg  *rpmmeta.Package
	Repo string
	// Priority follows dnf's repository priority: a lower value wins
	// whenever several packages could satisfy a dependency. The zero
	// value means dnf's default, 99.
	Priority int
}

func (c Candidate) prio() int {
	if c.Priority == 0 {
		return 99
	}
	return c.Priority
}

type provRef struct {
	pkg int32
	dep int32 // index into the package's provide list
}

type depRef struct {
	pkg int32
	dep int32
}

// Pool indexes candidates once so that many requests (one per arch, or
// many in tests) can be solved against them. A Pool is read-only after
// NewPool and safe for concurrent Solve calls.
type Pool struct {
	cands    []Candidate
	provs    [][]rpmmeta.Dep      // per package: its provides plus self-provide
	provides map[string][]provRef // capability name -> providers
	files    map[string][]int32   // file path -> packages owning it
	byName   map[string][]int32   // package name -> packages
	conflBy  map[string][]depRef  // conflict capability name -> conflicting packages
	obsBy    map[string][]depRef  // obsoleted name -> obsoleting packages
	suppl    []int32              // packages with Supplements
	rich     map[string]*rpmmeta.RichDep
	richErr  map[string]error
	names    []string // sorted distinct package names
}

// NewPool indexes the candidates. Candidates without a package are
// ignored. The slice is not modified and must not be modified afterwards.
func NewPool(cands []Candidate) *Pool {
	p := &Pool{
		cands:    cands,
		provs:    make([][]rpmmeta.Dep, len(cands)),
		provides: make(map[string][]provRef, len(cands)*4),
		files:    map[string][]int32{},
		byName:   make(map[string][]int32, len(cands)),
		conflBy:  map[string][]depRef{},
		obsBy:    map[string][]depRef{},
		rich:     map[string]*rpmmeta.RichDep{},
		richErr:  map[string]error{},
	}
	addRich := func(d rpmmeta.Dep) {
		if !d.IsRich() {
			return
		}
		if _, ok := p.rich[d.Name]; ok {
			return
		}
		if _, ok := p.richErr[d.Name]; ok {
			return
		}
		r, err := rpmmeta.ParseRich(d.Name)
		if err != nil {
			p.richErr[d.Name] = err
			return
		}
		p.rich[d.Name] = r
	}
	for i, c := range cands {
		if c.Pkg == nil {
			continue
		}
		pk := c.Pkg
		idx := int32(i)
		provs := allProvides(pk)
		p.provs[i] = provs
		for j, d := range provs {
			p.provides[d.Name] = append(p.provides[d.Name], provRef{idx, int32(j)})
		}
		if _, ok := p.byName[pk.Name]; !ok {
			p.names = append(p.names, pk.Name)
		}
		p.byName[pk.Name] = append(p.byName[pk.Name], idx)
		for j, d := range pk.Conflicts {
			if d.IsRich() {
				addRich(d)
				continue
			}
			p.conflBy[d.Name] = append(p.conflBy[d.Name], depRef{idx, int32(j)})
		}
		for j, d := range pk.Obsoletes {
			p.obsBy[d.Name] = append(p.obsBy[d.Name], depRef{idx, int32(j)})
		}
		if len(pk.Supplements) > 0 {
			p.suppl = append(p.suppl, idx)
		}
		for _, list := range [][]rpmmeta.Dep{pk.Requires, pk.Recommends, pk.Supplements} {
			for _, d := range list {
				addRich(d)
			}
		}
	}
	// Index only the files some dependency names (libsolv's
	// addfileprovides does the same): filelists hold far more paths than
	// dependencies ever ask for. Other paths are found by a scan.
	for _, c := range cands {
		if c.Pkg == nil {
			continue
		}
		for _, lists := range [][]rpmmeta.Dep{c.Pkg.Requires, c.Pkg.Recommends, c.Pkg.Supplements, c.Pkg.Conflicts} {
			for _, d := range lists {
				if d.IsFile() {
					p.files[d.Name] = nil
				} else if r := p.rich[d.Name]; r != nil {
					r.Leaves(func(l rpmmeta.Dep) {
						if l.IsFile() {
							p.files[l.Name] = nil
						}
					})
				}
			}
		}
	}
	for i, c := range cands {
		if c.Pkg == nil {
			continue
		}
		for _, f := range c.Pkg.Files {
			if list, ok := p.files[f]; ok {
				p.files[f] = append(list, int32(i))
			}
		}
	}
	sort.Strings(p.names)
	return p
}

// allProvides is pk.AllProvides() without its cost in the common case:
// a package that provides its own name at exactly its EVR (as rpmbuild
// makes every package do) already carries the self-provide, and finding
// that by comparing strings needs no formatted EVR.
func allProvides(pk *rpmmeta.Package) []rpmmeta.Dep {
	for _, d := range pk.Provides {
		if d.Name != pk.Name || d.Flags&rpmmeta.SenseCompareMask != rpmmeta.SenseEqual || pk.Release == "" {
			continue
		}
		e := rpmmeta.ParseEVR(d.Version)
		if e.Version == pk.Version && e.Release == pk.Release && e.Epoch == pk.Epoch {
			return pk.Provides
		}
	}
	return pk.AllProvides()
}

// providers calls fn for every package that provides d (a simple
// dependency): by its provides (self-provide included) and, for a path,
// by the files it owns. A package may be reported more than once.
func (p *Pool) providers(d rpmmeta.Dep, fn func(pkg int32)) {
	for _, r := range p.provides[d.Name] {
		if d.Matches(p.provs[r.pkg][r.dep]) {
			fn(r.pkg)
		}
	}
	if d.IsFile() {
		list, indexed := p.files[d.Name]
		if indexed {
			for _, pkg := range list {
				fn(pkg)
			}
			return
		}
		// A path no dependency names (a request): scan.
		for i, c := range p.cands {
			if c.Pkg != nil && slices.Contains(c.Pkg.Files, d.Name) {
				fn(int32(i))
			}
		}
	}
}

// pkgProvides reports whether package pkg satisfies the simple dependency d.
func (p *Pool) pkgProvides(pkg int32, d rpmmeta.Dep) bool {
	for _, pr := range p.provs[pkg] {
		if d.Matches(pr) {
			return true
		}
	}
	if d.IsFile() {
		for _, f := range p.cands[pkg].Pkg.Files {
			if f == d.Name {
				return true
			}
		}
	}
	return false
}
