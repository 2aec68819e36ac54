// Package solve resolves which packages an install request needs, the way
// dnf and libsolv do: versioned and file dependencies, rich (boolean)
// dependencies, obsoletes, conflicts, weak dependencies, excludes and one
// target architecture plus noarch. It explains failures in dnf's words and
// records why each package was installed. See docs/solver.md for the
// policy that picks between alternatives.
package solve

import (
	"slices"
	"sync"

	"github.com/slipway-build/slipway/rpmmeta"
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
	provs    [][]rpmmeta.Dep    // per package: its provides plus self-provide
	provides nameIndex[provRef] // capability name -> providers
	files    map[string][]int32 // file path -> packages owning it
	byName   nameIndex[int32]   // package name -> packages
	conflBy  nameIndex[depRef]  // conflict capability name -> conflicting packages
	obsBy    nameIndex[depRef]  // obsoleted name -> obsoleting packages
	suppl    []int32            // packages with Supplements
	rich     map[string]*rpmmeta.RichDep
	nnf      map[string][2]*nnf // rich dependency -> its reading, and its negation's
	richErr  map[string]error
	names    func() []string // sorted distinct package names, made on first use
	// provideNames lists the sorted distinct names of every provide, made
	// on first use (only a request with a glob on provides needs it).
	provideNames func() []string
}

// NewPool indexes the candidates. Candidates without a package are
// ignored. The slice is not modified and must not be modified afterwards.
func NewPool(cands []Candidate) *Pool {
	p := &Pool{
		cands:   cands,
		provs:   make([][]rpmmeta.Dep, len(cands)),
		files:   map[string][]int32{},
		rich:    map[string]*rpmmeta.RichDep{},
		nnf:     map[string][2]*nnf{},
		richErr: map[string]error{},
	}
	addRich := func(d rpmmeta.Dep) {
		if _, ok := p.rich[d.Name]; ok {
			return
		}
		if _, ok := p.richErr[d.Name]; ok {
			return
		}
		r, _, err := rpmmeta.ParseRich(d.Name, rpmmeta.RichRepodata)
		if err != nil {
			p.richErr[d.Name] = err
			return
		}
		p.rich[d.Name] = r
		p.nnf[d.Name] = [2]*nnf{toCNF(negNNF(r, false)), toCNF(negNNF(r, true))}
	}
	var (
		provs      = make([]provRef, 0, len(cands)*4)
		pkgs       = make([]int32, 0, len(cands))
		confl, obs []depRef
	)
	for i, c := range cands {
		if c.Pkg == nil {
			continue
		}
		pk := c.Pkg
		idx := int32(i)
		pp := allProvides(pk)
		p.provs[i] = pp
		for j := range pp {
			provs = append(provs, provRef{idx, int32(j)})
		}
		pkgs = append(pkgs, idx)
		for j, d := range pk.Conflicts {
			if d.IsRich() {
				addRich(d)
				continue
			}
			confl = append(confl, depRef{idx, int32(j)})
		}
		for j := range pk.Obsoletes {
			obs = append(obs, depRef{idx, int32(j)})
		}
		if len(pk.Supplements) > 0 {
			p.suppl = append(p.suppl, idx)
		}
		// Index only the files some dependency names (libsolv's
		// addfileprovides does the same): filelists hold far more paths
		// than dependencies ever ask for. Other paths are found by a scan.
		for _, list := range [][]rpmmeta.Dep{pk.Requires, pk.Recommends, pk.Supplements, pk.Conflicts} {
			for _, d := range list {
				switch {
				case d.IsFile():
					p.files[d.Name] = nil
				case d.IsRich():
					addRich(d)
					if r := p.rich[d.Name]; r != nil {
						r.Leaves(func(l rpmmeta.Dep) {
							if l.IsFile() {
								p.files[l.Name] = nil
							}
						})
					}
				}
			}
		}
	}
	p.provides = newNameIndex(provs, func(r provRef) string { return p.provs[r.pkg][r.dep].Name })
	p.byName = newNameIndex(pkgs, func(i int32) string { return p.cands[i].Pkg.Name })
	p.conflBy = newNameIndex(confl, func(r depRef) string { return p.cands[r.pkg].Pkg.Conflicts[r.dep].Name })
	p.obsBy = newNameIndex(obs, func(r depRef) string { return p.cands[r.pkg].Pkg.Obsoletes[r.dep].Name })
	p.names = sync.OnceValue(func() []string {
		names := make([]string, len(pkgs))
		for k, i := range pkgs {
			names[k] = p.cands[i].Pkg.Name
		}
		slices.Sort(names)
		return slices.Compact(names)
	})
	p.provideNames = sync.OnceValue(func() []string {
		var names []string
		for _, list := range p.provs {
			for _, d := range list {
				names = append(names, d.Name)
			}
		}
		slices.Sort(names)
		return slices.Compact(names)
	})
	if len(p.files) > 0 {
		// With filelists loaded there are ten times more files than
		// packages, and few are named by a dependency: a bit per (length,
		// last byte) turns most of them away before any hashing.
		var maybe pathFilter
		for f := range p.files {
			maybe.add(f)
		}
		for i, c := range cands {
			if c.Pkg == nil {
				continue
			}
			for _, f := range c.Pkg.Files {
				if !maybe.has(f) {
					continue
				}
				if list, ok := p.files[f]; ok {
					p.files[f] = append(list, int32(i))
				}
			}
		}
	}
	return p
}

// pathFilter is a set of (length, last byte) pairs: has may answer true
// for a path that was not added, never false for one that was.
type pathFilter [1 << 16 / 64]uint64

func pathKey(s string) uint32 {
	if s == "" {
		return 0
	}
	return uint32(min(len(s), 255))<<8 | uint32(s[len(s)-1])
}

func (f *pathFilter) add(s string) { k := pathKey(s); f[k/64] |= 1 << (k % 64) }
func (f *pathFilter) has(s string) bool {
	k := pathKey(s)
	return f[k/64]&(1<<(k%64)) != 0
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
	for r := range p.provides.get(d.Name) {
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
