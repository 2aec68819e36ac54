package repo

import (
	"fmt"
	"path"
	"strconv"
)

// filter applies includepkgs and excludepkgs the way dnf matches package
// specs without provides or file names: a pattern (fnmatch glob) matches a
// package when it matches one of the package's NEVRA forms: name,
// name.arch, name-version, name-version-release,
// name-version-release.arch, name-epoch:version-release and
// name-epoch:version-release.arch.
type filter struct {
	include, exclude []string
}

func newFilter(include, exclude []string) (*filter, error) {
	for _, list := range [][]string{include, exclude} {
		for _, p := range list {
			if p == "" {
				return nil, fmt.Errorf("empty package pattern")
			}
			if _, err := path.Match(p, ""); err != nil {
				return nil, fmt.Errorf("package pattern %q: %w", p, err)
			}
		}
	}
	return &filter{include: include, exclude: exclude}, nil
}

func (f *filter) keep(p *Package) bool {
	if len(f.include) == 0 && len(f.exclude) == 0 {
		return true
	}
	forms := nevraForms(p)
	if len(f.include) > 0 && !matchAny(f.include, forms) {
		return false
	}
	return !matchAny(f.exclude, forms)
}

func nevraForms(p *Package) []string {
	n, v, r, a := p.Name, p.Version, p.Release, p.Arch
	e := strconv.FormatUint(uint64(p.Epoch), 10)
	return []string{
		n,
		n + "." + a,
		n + "-" + v,
		n + "-" + v + "-" + r,
		n + "-" + v + "-" + r + "." + a,
		n + "-" + e + ":" + v + "-" + r,
		n + "-" + e + ":" + v + "-" + r + "." + a,
	}
}

func matchAny(patterns, forms []string) bool {
	for _, pat := range patterns {
		for _, s := range forms {
			if ok, _ := path.Match(pat, s); ok {
				return true
			}
		}
	}
	return false
}
