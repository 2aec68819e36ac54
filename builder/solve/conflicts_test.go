package solve

import (
	"slices"
	"strings"
	"testing"
)

// TestRichConflictsAgainstLibsolv solves rich Conflicts of every operator
// with testsolv and with slipway: the same set, or both fail.
func TestRichConflictsAgainstLibsolv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		install []string
		pkgs    []string
	}{
		{"if: the condition is installed without the conflict", []string{"p"},
			[]string{"p-1-1.noarch;C:(a if b)", "a-1-1.noarch", "b-1-1.noarch"}},
		{"if: the conflict is needed", []string{"p", "a"},
			[]string{"p-1-1.noarch;C:(a if b)", "a-1-1.noarch", "b-1-1.noarch"}},
		{"if: the condition needs the conflict", []string{"p"},
			[]string{"p-1-1.noarch;C:(a if b)", "a-1-1.noarch", "b-1-1.noarch;R:a"}},
		{"if: the condition has no provider", []string{"p"},
			[]string{"p-1-1.noarch;C:(a if b)", "a-1-1.noarch"}},
		{"if: something else needs the condition or the conflict", []string{"p", "r"},
			[]string{"p-1-1.noarch;C:(a if b)", "a-1-1.noarch", "b-1-1.noarch", "r-1-1.noarch;R:(a or b)"}},
		{"if else: nothing installed", []string{"p"},
			[]string{"p-1-1.noarch;C:(a if b else c)", "a-1-1.noarch", "b-1-1.noarch", "c-1-1.noarch"}},
		{"if else: the else branch is needed", []string{"p", "c"},
			[]string{"p-1-1.noarch;C:(a if b else c)", "a-1-1.noarch", "b-1-1.noarch", "c-1-1.noarch"}},
		{"if else: the condition and its conflict", []string{"p", "a", "b"},
			[]string{"p-1-1.noarch;C:(a if b else c)", "a-1-1.noarch", "b-1-1.noarch", "c-1-1.noarch"}},
		{"unless", []string{"p"},
			[]string{"p-1-1.noarch;C:(a unless b)", "a-1-1.noarch", "b-1-1.noarch"}},
		{"unless: the condition is needed", []string{"p", "b"},
			[]string{"p-1-1.noarch;C:(a unless b)", "a-1-1.noarch", "b-1-1.noarch"}},
		{"unless else: the else branch", []string{"p", "b"},
			[]string{"p-1-1.noarch;C:(a unless b else c)", "a-1-1.noarch", "b-1-1.noarch", "c-1-1.noarch"}},
		{"and: one of them is fine", []string{"p", "a"},
			[]string{"p-1-1.noarch;C:(a and b)", "a-1-1.noarch", "b-1-1.noarch"}},
		{"and: both are not", []string{"p", "a", "b"},
			[]string{"p-1-1.noarch;C:(a and b)", "a-1-1.noarch", "b-1-1.noarch"}},
		{"or: either is ruled out", []string{"p", "r"},
			[]string{"p-1-1.noarch;C:(a or b)", "a-1-1.noarch;P:cap", "b-1-1.noarch;P:cap", "c-1-1.noarch;P:cap", "r-1-1.noarch;R:cap"}},
		{"with: one package meeting both", []string{"p", "r"},
			[]string{"p-1-1.noarch;C:(cap with x)", "a-1-1.noarch;P:cap;P:x", "b-1-1.noarch;P:cap", "r-1-1.noarch;R:cap"}},
		{"without", []string{"p", "r"},
			[]string{"p-1-1.noarch;C:(cap without x)", "a-1-1.noarch;P:cap", "b-1-1.noarch;P:cap;P:x", "r-1-1.noarch;R:cap"}},
		{"conflict from a dependency", []string{"top"},
			[]string{"top-1-1.noarch;R:p;R:cap", "p-1-1.noarch;C:(a if b)", "a-1-1.noarch;P:cap", "b-1-1.noarch", "z-1-1.noarch;P:cap"}},
		{"requires if else: the condition is a choice too", []string{"p"},
			[]string{"p-1-1.noarch;R:(zz if aa else yy)", "aa-1-1.noarch", "yy-1-1.noarch", "zz-1-1.noarch"}},
		{"requires unless: the condition must stay out", []string{"p", "b"},
			[]string{"p-1-1.noarch;R:(a unless b)", "a-1-1.noarch", "b-1-1.noarch"}},
		{"requires unless else", []string{"p", "b"},
			[]string{"p-1-1.noarch;R:(a unless b else c)", "a-1-1.noarch", "b-1-1.noarch", "c-1-1.noarch"}},
		{"recommends if: the condition is not recommended", []string{"p"},
			[]string{"p-1-1.noarch;R:(vv or ww);Rec:(x if ww)", "vv-1-1.noarch", "ww-1-1.noarch", "x-1-1.noarch"}},
		{"self: the conflict names the package", []string{"p"},
			[]string{"p-1-1.noarch;C:(p if b)", "b-1-1.noarch"}},
		{"self: the condition names the package", []string{"p"},
			[]string{"p-1-1.noarch;C:(g if p)", "g-1-1.noarch"}},
		{"recommends and: a clause that cannot be met does not stop the others", []string{"f"},
			[]string{"f-1-1.noarch;Rec:(/etc/y and j)", "h-1-1.noarch;F:/etc/y;R:nothing", "j-1-1.noarch"}},
		{"supplements: met only through an installed package", []string{"a"},
			[]string{"a-1-1.noarch", "f-1-1.noarch;Sup:(b if y)", "g-1-1.noarch;Sup:(a if y)", "h-1-1.noarch;Sup:(a unless y)", "b-1-1.noarch", "y-1-1.noarch"}},
		{"requires: clauses are chosen one by one", []string{"p"},
			[]string{"p-1-1.noarch;R:((a and z) or m)", "a-1-1.noarch", "m-1-1.noarch", "z-1-1.noarch"}},
		{"self: its provide meets the conflict, the condition is needed", []string{"c"},
			[]string{"c-1-1.noarch;P:x;C:(x unless h)", "h-1-1.noarch", "y-1-1.noarch;P:x"}},
		{"self: its provide meets the conflict, the condition is there", []string{"c"},
			[]string{"c-1-1.noarch;P:x;C:(x unless h else x)", "h-1-1.noarch"}},
		{"self: its provide meets the conflict, no condition", []string{"c"},
			[]string{"c-1-1.noarch;P:x;C:(x unless h else x)"}},
		{"self: its provide and another package", []string{"c", "h"},
			[]string{"c-1-1.noarch;P:x;C:(x and h)", "h-1-1.noarch"}},
		{"self: only its provide", []string{"c", "y"},
			[]string{"c-1-1.noarch;P:x;P:z;C:(x and z)", "y-1-1.noarch;P:x"}},
		{"self: the condition holds without a provider", []string{"i"},
			[]string{"i-1-1.noarch;P:cap2;C:((cap2 and cap1) if cap2)", "k-1-1.noarch;P:cap1"}},
		{"self: the condition, nothing else", []string{"i"},
			[]string{"i-1-1.noarch;P:cap2;C:((cap2 and cap1) if cap2)"}},
		{"nothing provides the condition: conflicts with everything", []string{"p"},
			[]string{"p-1-1.noarch;C:(a if zz)", "a-1-1.noarch"}},
		{"nested", []string{"p"},
			[]string{"p-1-1.noarch;C:((a or c) if b)", "a-1-1.noarch", "b-1-1.noarch", "c-1-1.noarch"}},
	}
	for _, tc := range tests {
		for _, weak := range []bool{false, true} {
			t.Run(tc.name+map[bool]string{false: "", true: "/weak"}[weak], func(t *testing.T) {
				t.Parallel()
				cs := cands(t, tc.pkgs...)
				req := Request{Arch: "x86_64", Install: tc.install, WeakDeps: weak}
				var jobs []string
				for _, n := range tc.install {
					jobs = append(jobs, "name "+n)
				}
				want, problems := runTestsolv(t, testsolvCase(t, cs, req, jobs))
				res, err := Solve(t.Context(), nil, req, cs)
				switch {
				case err != nil && problems != "":
					return
				case err != nil || problems != "":
					t.Fatalf("slipway: %v\nlibsolv: %v %s", err, want, strings.TrimSpace(problems))
				}
				if got := sortedNEVRAs(res); !slices.Equal(got, want) {
					t.Errorf("got %v, libsolv %v", got, want)
				}
			})
		}
	}
}
