package solve

import (
	"strings"
	"testing"

	"github.com/slipway-build/slipway/rpmmeta"
)

// pkg builds a package from a compact text: "name-[e:]v-r.arch" then
// fields "R:dep", "P:dep", "C:dep", "O:dep", "Rec:dep", "Sup:dep", "Sug:dep",
// "Enh:dep", "F:/path"
// separated by ";". A dep is "name [op ver]" or a rich "(...)".
func pkg(t testing.TB, spec string) *rpmmeta.Package {
	t.Helper()
	parts := strings.Split(spec, ";")
	nevra := strings.TrimSpace(parts[0])
	dot := strings.LastIndexByte(nevra, '.')
	rel := strings.LastIndexByte(nevra[:dot], '-')
	ver := strings.LastIndexByte(nevra[:rel], '-')
	p := &rpmmeta.Package{NEVRA: rpmmeta.NEVRA{Name: nevra[:ver], EVR: rpmmeta.ParseEVR(nevra[ver+1 : dot]), Arch: nevra[dot+1:]}}
	for _, f := range parts[1:] {
		f = strings.TrimSpace(f)
		k, v, ok := strings.Cut(f, ":")
		if !ok {
			t.Fatalf("bad field %q in %q", f, spec)
		}
		v = strings.TrimSpace(v)
		switch {
		case k == "F":
			p.Files = append(p.Files, v)
		case !addDep(p, k, depOf(v)):
			t.Fatalf("bad field kind %q in %q", k, spec)
		}
	}
	return p
}

func depOf(v string) rpmmeta.Dep {
	if strings.HasPrefix(v, "(") {
		return rpmmeta.Dep{Name: v}
	}
	return parseDep(v)
}

func cands(t testing.TB, specs ...string) []Candidate {
	t.Helper()
	out := make([]Candidate, len(specs))
	for i, s := range specs {
		out[i] = Candidate{Pkg: pkg(t, s), Repo: "test"}
	}
	return out
}

func names(r *Result) []string {
	var out []string
	for _, c := range r.Packages {
		out = append(out, c.Pkg.NEVRA.String())
	}
	return out
}

// addDep appends d to p's dependencies of kind (R, P, C, O, Rec, Sup, Sug, Enh, as
// the test specs and the real-repo dumps name them); false for another kind.
func addDep(p *rpmmeta.Package, kind string, d rpmmeta.Dep) bool {
	switch kind {
	case "R":
		p.Requires = append(p.Requires, d)
	case "P":
		p.Provides = append(p.Provides, d)
	case "C":
		p.Conflicts = append(p.Conflicts, d)
	case "O":
		p.Obsoletes = append(p.Obsoletes, d)
	case "Rec":
		p.Recommends = append(p.Recommends, d)
	case "Sup":
		p.Supplements = append(p.Supplements, d)
	case "Sug":
		p.Suggests = append(p.Suggests, d)
	case "Enh":
		p.Enhances = append(p.Enhances, d)
	default:
		return false
	}
	return true
}
