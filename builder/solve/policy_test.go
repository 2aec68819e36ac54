package solve

import (
	"slices"
	"testing"
)

// TestPolicyAgainstLibsolv checks the choice between alternatives on small
// cases built so that the rules disagree with plain name order, against
// testsolv: each case is solved by both, and the sets must be equal.
func TestPolicyAgainstLibsolv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		pkgs []string
	}{
		{"or picks by name, not by version or operand order",
			[]string{"a-1-1.noarch;R:(zeta or alpha)", "zeta-5-1.noarch", "alpha-1-1.noarch"}},
		{"or between two names of different versions (glib-devel vs cap-libs)",
			[]string{"a-1-1.x86_64;R:(cap45-libs or glib11-devel)", "glib11-devel-4.3.0-8.x86_64;P:pkgconfig(glib11) = 4.3.0;R:/usr/bin/pkg-config",
				"cap45-libs-3.13.0-7.x86_64", "pkgconf-1-1.x86_64;F:/usr/bin/pkg-config"}},
		{"common capability: higher provided version wins",
			[]string{"a-1-1.noarch;R:cap", "zeta-1-1.noarch;P:cap = 2", "alpha-1-1.noarch;P:cap = 1"}},
		{"lower provided version goes last, non-providers keep name order",
			[]string{"a-1-1.noarch;R:(cap or zzz)", "alpha-1-1.noarch;P:cap = 1", "beta-1-1.noarch;P:cap = 2", "gamma-1-1.noarch;P:cap = 3", "delta-1-1.noarch;P:zzz"}},
		{"unversioned provide is not worse than a versioned one",
			[]string{"a-1-1.noarch;R:cap", "alpha-1-1.noarch;P:cap", "zeta-1-1.noarch;P:cap = 1"}},
		{"unversioned provide in an or",
			[]string{"a-1-1.noarch;R:(cap or zzz)", "alpha-1-1.noarch;P:cap", "zeta-1-1.noarch;P:cap = 1", "beta-1-1.noarch;P:zzz"}},
		{"versions of two operands' capabilities are not compared",
			[]string{"a-1-1.noarch;R:(cap or zzz)", "alpha-1-1.noarch;P:cap = 1", "zeta-1-1.noarch;P:zzz = 2"}},
		{"a common provide the dependency does not name counts",
			[]string{"a-1-1.noarch;R:(cap or zzz)", "alpha-1-1.noarch;P:cap = 1;P:other = 1", "zeta-1-1.noarch;P:zzz = 1;P:other = 2"}},
		{"highest common provide among three",
			[]string{"a-1-1.noarch;R:cap", "alpha-1-1.noarch;P:cap = 1", "beta-1-1.noarch;P:cap = 3", "gamma-1-1.noarch;P:cap = 2;P:foo"}},
		{"best version of each name decides the provided version",
			[]string{"a-1-1.noarch;R:cap", "f-4-1.noarch;P:cap = 0.5", "f-3-1.noarch;P:cap = 1", "k-2-1.noarch;P:cap = 0.7"}},
		{"recommended by another candidate",
			[]string{"l-1-1.noarch;R:cap", "g-1-1.noarch;P:cap;Rec:h", "h-1-1.noarch;P:cap"}},
		{"recommended by an installed package",
			[]string{"a-1-1.noarch;R:b;R:(zz or aa)", "b-1-1.noarch;Rec:zz", "zz-1-1.noarch", "aa-1-1.noarch"}},
		{"recommended by a package that is not installed nor a candidate",
			[]string{"a-1-1.noarch;R:(zz or aa)", "mm-1-1.noarch;Rec:zz", "zz-1-1.noarch", "aa-1-1.noarch"}},
		{"recommended beats a higher common provide",
			[]string{"a-1-1.noarch;R:b;R:cap", "b-1-1.noarch;Rec:alpha", "alpha-1-1.noarch;P:cap = 1", "zeta-1-1.noarch;P:cap = 2"}},
		{"old version whose newest version no longer provides the capability",
			[]string{"a-1-1.noarch;R:cap", "alpha-1-1.noarch;P:cap", "alpha-2-1.noarch", "zeta-1-1.noarch;P:cap"}},
		{"old version disliked within an or",
			[]string{"a-1-1.noarch;R:(cap or zzz)", "alpha-1-1.noarch;P:cap", "alpha-2-1.noarch", "beta-1-1.noarch;P:zzz"}},
		{"suggested by an installed package",
			[]string{"a-1-1.noarch;R:b;R:cap", "b-1-1.noarch;Sug:zz", "aa-1-1.noarch;P:cap", "zz-1-1.noarch;P:cap"}},
		{"enhances an installed package",
			[]string{"a-1-1.noarch;R:cap", "aa-1-1.noarch;P:cap", "zz-1-1.noarch;P:cap;Enh:a"}},
		{"supplements an installed package",
			[]string{"a-1-1.noarch;R:cap", "aa-1-1.noarch;P:cap", "zz-1-1.noarch;P:cap;Sup:a"}},
		{"recommended beats suggested",
			[]string{"a-1-1.noarch;R:b;R:cap", "b-1-1.noarch;Rec:zz;Sug:mm", "aa-1-1.noarch;P:cap", "mm-1-1.noarch;P:cap", "zz-1-1.noarch;P:cap"}},
		{"suggested among recommended",
			[]string{"a-1-1.noarch;R:b;R:cap", "b-1-1.noarch;Rec:zz;Rec:mm;Sug:zz", "aa-1-1.noarch;P:cap", "mm-1-1.noarch;P:cap", "zz-1-1.noarch;P:cap"}},
		{"a rich supplements another candidate does not meet alone",
			[]string{"l-1-1.noarch;R:cap", "g-1-1.noarch;P:cap", "g-bash-1-1.noarch;P:cap;Sup:(g and bash)", "bash-1-1.noarch"}},
		{"a rich supplements met with another candidate",
			[]string{"l-1-1.noarch;R:cap;R:bash", "g-1-1.noarch;P:cap", "g-bash-1-1.noarch;P:cap;Sup:(g and bash)", "bash-1-1.noarch"}},
		{"recommended by a candidate that is not the first choice",
			[]string{"l-1-1.noarch;R:cap", "a-1-1.noarch;P:cap", "m-1-1.noarch;P:cap;Rec:z", "z-1-1.noarch;P:cap"}},
		{"supplements a candidate that is not the first choice",
			[]string{"l-1-1.noarch;R:cap", "a-1-1.noarch;P:cap", "m-1-1.noarch;P:cap", "z-1-1.noarch;P:cap;Sup:m"}},
		{"a chain of recommendations from the first choice",
			[]string{"l-1-1.noarch;R:cap", "a-1-1.noarch;P:cap;Rec:m", "m-1-1.noarch;P:cap;Rec:z", "z-1-1.noarch;P:cap"}},
		{"suggested by another candidate",
			[]string{"l-1-1.noarch;R:cap", "g-1-1.noarch;P:cap;Sug:h", "h-1-1.noarch;P:cap"}},
		{"enhances another candidate",
			[]string{"l-1-1.noarch;R:cap", "g-1-1.noarch;P:cap", "h-1-1.noarch;P:cap;Enh:g"}},
		{"supplements another candidate",
			[]string{"l-1-1.noarch;R:cap", "g-1-1.noarch;P:cap", "h-1-1.noarch;P:cap;Sup:g"}},
		{"a newer version of another arch does not make a version old",
			[]string{"a-1-1.noarch;R:cap", "alpha-1-1.noarch;P:cap", "alpha-2-1.x86_64", "zeta-1-1.noarch;P:cap"}},
		{"old version, newer of another arch",
			[]string{"a-1-1.noarch;R:cap", "alpha-1-1.x86_64;P:cap", "alpha-2-1.noarch", "zeta-1-1.noarch;P:cap"}},
		{"the first choice recommends what it provides itself",
			[]string{"b-1-1.x86_64;R:cap < 3", "d-1-1.x86_64;P:cap = 1", "j-1-1.noarch;P:cap = 2;Rec:cap"}},
		{"a choice between versions of one name is decided first",
			[]string{"b-1-1.x86_64;R:cap;R:g", "a-2-1.noarch;P:cap", "a-3-1.noarch", "g-1-1.x86_64;P:cap", "g-2-1.noarch"}},
		{"a choice between versions of one name is decided first, file dependency",
			[]string{"b-1-1.x86_64;R:/etc/y;R:g", "a-2-1.noarch;F:/etc/y", "a-3-1.noarch", "g-1-1.x86_64;F:/etc/y", "g-2-1.noarch"}},
		{"minimization: a later choice also meets an earlier dependency",
			[]string{"b-1-1.noarch;R:cap1;R:cap2", "a-1-1.noarch;P:cap1", "m-1-1.noarch;P:cap1;P:cap2", "z-1-1.noarch;P:cap2"}},
		{"same version noarch and arch, noarch first in the repository",
			[]string{"a-1-1.noarch;R:cap", "x-1-1.noarch;P:cap", "x-1-1.x86_64;P:cap"}},
		{"same version noarch and arch, arch first in the repository",
			[]string{"a-1-1.noarch;R:cap", "x-1-1.x86_64;P:cap", "x-1-1.noarch;P:cap"}},
		{"weak deps: supplementing packages before recommends",
			[]string{"x-1-1.noarch;Rec:cap", "m-1-1.noarch;P:cap;C:s", "z-1-1.noarch;P:cap", "s-1-1.noarch;Sup:x"}},
		{"weak deps: minimization of a recommends choice",
			[]string{"top-1-1.noarch;Rec:cap;Rec:w", "g-1-1.noarch;P:cap = 2", "c-1-1.noarch;P:cap = 1", "w-1-1.noarch;R:c"}},
		{"weak deps: minimization after the weak pass",
			[]string{"l-1-1.noarch;R:cap;Rec:w", "a-1-1.noarch;P:cap", "z-1-1.noarch;P:cap", "w-1-1.noarch;R:z"}},
		{"the first choice meets one of its own recommends, another names a candidate",
			[]string{"top-1-1.x86_64;R:cap1", "b-2-1.x86_64;P:cap1 = 2", "h-1-1.x86_64;P:cap1 = 3;Rec:b;Rec:(cap1 unless f)", "f-1-1.x86_64"}},
		{"minimization: a candidate recommended by a later choice replaces one that is not",
			[]string{"top-1-1.noarch;R:cap", "a-1-1.noarch;P:cap;R:w", "z-1-1.noarch;P:cap", "w-1-1.noarch;Rec:z"}},
		{"obsoleting provider",
			[]string{"a-1-1.noarch;R:cap", "aa-1-1.noarch;P:cap", "zz-1-1.noarch;P:cap;O:aa"}},
		{"highest matching versioned provide",
			[]string{"a-1-1.noarch;R:cap < 3", "aa-1-1.noarch;P:cap = 1", "mm-1-1.noarch;P:cap = 2", "zz-1-1.noarch;P:cap = 3"}},
		{"noarch of a higher version beats the arch",
			[]string{"a-1-1.noarch;R:cap", "x-1-1.x86_64;P:cap", "x-2-1.noarch;P:cap"}},
		{"common provide among recommended ones",
			[]string{"a-1-1.noarch;R:b;R:cap", "b-1-1.noarch;Rec:alpha;Rec:beta", "alpha-1-1.noarch;P:cap = 1", "beta-1-1.noarch;P:cap = 2", "zeta-1-1.noarch;P:cap = 3"}},
	}
	for _, tc := range tests {
		for _, weak := range []bool{false, true} {
			t.Run(tc.name+map[bool]string{false: "", true: "/weak"}[weak], func(t *testing.T) {
				t.Parallel()
				cs := cands(t, tc.pkgs...)
				req := Request{Arch: "x86_64", Install: []string{"name " + cs[0].Pkg.Name}, WeakDeps: weak}
				want, problems := runTestsolv(t, testsolvCase(t, cs, req, req.Install))
				if problems != "" {
					t.Fatalf("testsolv found problems:\n%s", problems)
				}
				req.Install = []string{cs[0].Pkg.Name}
				res, err := Solve(t.Context(), nil, req, cs)
				if err != nil {
					t.Fatal(err)
				}
				if got := sortedNEVRAs(res); !slices.Equal(got, want) {
					t.Errorf("got %v, libsolv %v", got, want)
				}
			})
		}
	}
}
