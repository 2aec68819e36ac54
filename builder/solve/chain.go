package solve

import "strings"

// FormatChain renders a chain from Result.Why the way `slipway why`
// prints it: "appd -> libfoo.so.1()(64bit) -> libfoo", a step through a
// weak dependency marked "(recommends)" or "(supplements)".
func FormatChain(chain []Reason) string {
	var parts []string
	for i, r := range chain {
		name := nameOf(r.Package)
		switch {
		case i == 0:
			parts = append(parts, r.Dep)
			if r.Dep != name {
				parts = append(parts, name)
			}
		case r.Kind == ByRequires:
			parts = append(parts, r.Dep, name)
		default:
			parts = append(parts, "("+r.Kind.String()+") "+r.Dep, name)
		}
	}
	return strings.Join(parts, " -> ")
}

// nameOf returns the name part of name-[e:]version-release.arch.
func nameOf(nevra string) string {
	s := nevra
	for range 2 {
		i := strings.LastIndexByte(s, '-')
		if i <= 0 {
			return nevra
		}
		s = s[:i]
	}
	return s
}
