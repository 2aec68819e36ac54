package repo

import (
	"slices"
	"strings"

	"github.com/slipway-build/slipway/rpmmeta"
)

// AdvisoryState says how an advisory stands against an installed set.
type AdvisoryState string

// The states of AdvisoryMatch.
const (
	// AdvisoryFixed: every package of the advisory that is installed (by
	// name and arch) is at the advisory's version or newer.
	AdvisoryFixed AdvisoryState = "fixed"
	// AdvisoryOpen: some installed package is older than the advisory's
	// version, and the repositories hold that version or a newer one.
	AdvisoryOpen AdvisoryState = "open"
)

// AdvisoryMatch is one advisory that concerns an installed set.
type AdvisoryMatch struct {
	Advisory *Advisory
	State    AdvisoryState
	// Packages are the installed packages it concerns, with the
	// advisory's version of each, sorted by name then arch.
	Packages []AdvisoryPackage
}

// AdvisoryPackage is one installed package an advisory names.
type AdvisoryPackage struct {
	Installed rpmmeta.NEVRA
	Fix       rpmmeta.NEVRA // the advisory's build of the package
	Fixed     bool          // Installed is at Fix's version or newer
}

// AdvisoryIndex finds the advisories that name a package, by name.
type AdvisoryIndex struct {
	advs   []Advisory
	byName map[string][]advRef
}

type advRef struct {
	adv int // index into advs
	pkg int // index into advs[adv].Packages
}

// NewAdvisoryIndex indexes advisories by the names of their packages. An
// advisory id given by more than one repository is kept once (the first).
func NewAdvisoryIndex(advs []Advisory) *AdvisoryIndex {
	x := &AdvisoryIndex{byName: map[string][]advRef{}}
	seen := map[string]bool{}
	for _, a := range advs {
		if seen[a.ID] {
			continue
		}
		seen[a.ID] = true
		x.advs = append(x.advs, a)
	}
	for i := range x.advs {
		for j, p := range x.advs[i].Packages {
			x.byName[p.Name] = append(x.byName[p.Name], advRef{i, j})
		}
	}
	return x
}

// Len is the number of advisories indexed.
func (x *AdvisoryIndex) Len() int { return len(x.advs) }

// sameArch reports whether an advisory's package applies to an installed
// one: only the same arch does (a noarch build fixes a noarch package,
// not an x86_64 one of the same name), as dnf matches them.
func sameArch(a, b string) bool { return a == b }

// Match sets installed against the advisories: an advisory naming an
// installed package (same name and arch) with a version at or below the
// installed one is fixed by it; one with a newer version is open when
// available (the repositories' packages) holds that version or a newer
// one of the same name and arch. Advisories naming no installed package,
// or only fixes the repositories do not hold, are left out. An advisory
// is open when any of its packages is. Results are sorted by state
// (open first), then severity (highest first), then id.
func (x *AdvisoryIndex) Match(installed, available []rpmmeta.NEVRA) []AdvisoryMatch {
	avail := map[string][]rpmmeta.EVR{}
	for _, p := range available {
		k := p.Name + "." + p.Arch
		avail[k] = append(avail[k], p.EVR)
	}
	has := func(n rpmmeta.NEVRA) bool {
		for _, e := range avail[n.Name+"."+n.Arch] {
			if rpmmeta.Compare(e, n.EVR) >= 0 {
				return true
			}
		}
		return false
	}
	byAdv := map[int]*AdvisoryMatch{}
	for _, inst := range installed {
		for _, ref := range x.byName[inst.Name] {
			fix := x.advs[ref.adv].Packages[ref.pkg]
			if !sameArch(fix.Arch, inst.Arch) {
				continue
			}
			fixed := rpmmeta.Compare(inst.EVR, fix.EVR) >= 0
			if !fixed && !has(fix) {
				continue
			}
			m := byAdv[ref.adv]
			if m == nil {
				m = &AdvisoryMatch{Advisory: &x.advs[ref.adv], State: AdvisoryFixed}
				byAdv[ref.adv] = m
			}
			m.Packages = appendFix(m.Packages, AdvisoryPackage{Installed: inst, Fix: fix, Fixed: fixed})
		}
	}
	out := make([]AdvisoryMatch, 0, len(byAdv))
	for _, m := range byAdv {
		for _, p := range m.Packages {
			if !p.Fixed {
				m.State = AdvisoryOpen
			}
		}
		slices.SortFunc(m.Packages, func(a, b AdvisoryPackage) int {
			if c := strings.Compare(a.Installed.Name, b.Installed.Name); c != 0 {
				return c
			}
			return strings.Compare(a.Installed.Arch, b.Installed.Arch)
		})
		out = append(out, *m)
	}
	slices.SortFunc(out, func(a, b AdvisoryMatch) int {
		if a.State != b.State {
			if a.State == AdvisoryOpen {
				return -1
			}
			return 1
		}
		ra, _ := SeverityRank(a.Advisory.Severity)
		rb, _ := SeverityRank(b.Advisory.Severity)
		if ra != rb {
			return rb - ra
		}
		return strings.Compare(a.Advisory.ID, b.Advisory.ID)
	})
	return out
}

// appendFix adds p, keeping per installed package the advisory's highest
// build (an advisory may list several releases of one name).
func appendFix(l []AdvisoryPackage, p AdvisoryPackage) []AdvisoryPackage {
	for i := range l {
		if l[i].Installed == p.Installed {
			if rpmmeta.Compare(p.Fix.EVR, l[i].Fix.EVR) > 0 {
				l[i] = p
			}
			return l
		}
	}
	return append(l, p)
}

// FixedBetween returns the advisories whose build of the package lies
// after from and at or before to: those an upgrade from one to the other
// brings in. from and to must share name and arch; the result is sorted
// by severity (highest first), then id.
func (x *AdvisoryIndex) FixedBetween(from, to rpmmeta.NEVRA) []*Advisory {
	var out []*Advisory
	for _, ref := range x.byName[to.Name] {
		fix := x.advs[ref.adv].Packages[ref.pkg]
		if !sameArch(fix.Arch, to.Arch) {
			continue
		}
		if rpmmeta.Compare(fix.EVR, from.EVR) > 0 && rpmmeta.Compare(fix.EVR, to.EVR) <= 0 {
			a := &x.advs[ref.adv]
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	slices.SortFunc(out, func(a, b *Advisory) int {
		ra, _ := SeverityRank(a.Severity)
		rb, _ := SeverityRank(b.Severity)
		if ra != rb {
			return rb - ra
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}
