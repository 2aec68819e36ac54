package solve

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/rpmmeta"
)

// holdbackCases are requests with held-back packages. oracle marks cases
// where every requirement on a held-back package has no other provider:
// there, holding back equals libsolv's view of the held-back packages as
// already installed (without their own requirements).
var holdbackCases = []struct {
	name    string
	pkgs    []string
	install []string
	exclude []string
	held    []string
	want    []string      // NEVRAs; nil when wantErr
	unsat   []Unsatisfied // expected Result.Unsatisfied
	wantErr string
	oracle  bool
}{
	{
		name:    "sole provider held back: requirement left unsatisfied",
		pkgs:    []string{"app-1-1.noarch;R:/bin/sh;R:libc", "bash-5-1.x86_64;F:/bin/sh;R:libc;R:ncurses", "ncurses-6-1.x86_64", "libc-2-1.x86_64"},
		install: []string{"app"},
		held:    []string{"bash"},
		want:    []string{"app-1-1.noarch", "libc-2-1.x86_64"},
		unsat:   []Unsatisfied{{Package: "app-1-1.noarch", Dep: "/bin/sh"}},
		oracle:  true,
	},
	{
		name:    "held back by glob, listed in exclude too, several dependents",
		pkgs:    []string{"a-1-1.noarch;R:coreutils;R:grep >= 3", "b-1-1.noarch;R:grep", "coreutils-9-1.x86_64", "grep-3.1-1.x86_64;R:pcre", "pcre-8-1.x86_64"},
		install: []string{"a", "b"},
		exclude: []string{"grep"},
		held:    []string{"grep", "core*"},
		want:    []string{"a-1-1.noarch", "b-1-1.noarch"},
		unsat: []Unsatisfied{
			{Package: "a-1-1.noarch", Dep: "coreutils"},
			{Package: "a-1-1.noarch", Dep: "grep >= 3"},
			{Package: "b-1-1.noarch", Dep: "grep"},
		},
		oracle: true,
	},
	{
		name:    "another provider exists: it is installed, nothing left unsatisfied",
		pkgs:    []string{"app-1-1.noarch;R:/bin/sh", "bash-5-1.x86_64;F:/bin/sh", "busybox-1-1.x86_64;F:/bin/sh"},
		install: []string{"app"},
		held:    []string{"bash"},
		want:    []string{"app-1-1.noarch", "busybox-1-1.x86_64"},
	},
	{
		name:    "rich or with only held-back operands",
		pkgs:    []string{"app-1-1.noarch;R:(bash or zsh)", "bash-5-1.x86_64", "zsh-5-1.x86_64"},
		install: []string{"app"},
		held:    []string{"bash", "zsh"},
		want:    []string{"app-1-1.noarch"},
		unsat:   []Unsatisfied{{Package: "app-1-1.noarch", Dep: "(bash or zsh)"}},
	},
	{
		name:    "requirement nobody provides still fails",
		pkgs:    []string{"app-1-1.noarch;R:/bin/sh;R:libmissing", "bash-5-1.x86_64;F:/bin/sh"},
		install: []string{"app"},
		held:    []string{"bash"},
		wantErr: "nothing provides libmissing needed by app-1-1.noarch",
	},
	{
		name:    "requesting a held-back package fails",
		pkgs:    []string{"bash-5-1.x86_64"},
		install: []string{"bash"},
		held:    []string{"bash"},
		wantErr: "package bash is excluded",
	},
	{
		name:    "a visible provider ruled out by a conflict is a conflict, not a holdback",
		pkgs:    []string{"app-1-1.noarch;R:sh;R:other", "other-1-1.noarch;C:dash", "dash-1-1.x86_64;P:sh", "bash-5-1.x86_64;P:sh"},
		install: []string{"app"},
		held:    []string{"bash"},
		wantErr: "conflicts with dash",
	},
	{
		name:    "without holdback the exclusion fails as before",
		pkgs:    []string{"app-1-1.noarch;R:/bin/sh", "bash-5-1.x86_64;F:/bin/sh"},
		install: []string{"app"},
		exclude: []string{"bash"},
		wantErr: "nothing provides /bin/sh needed by app-1-1.noarch",
	},
}

func TestHoldback(t *testing.T) {
	t.Parallel()
	for _, tc := range holdbackCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := Request{Arch: "x86_64", Install: tc.install, Exclude: tc.exclude, AllowUnsatisfied: tc.held}
			res, err := Solve(t.Context(), nil, req, cands(t, tc.pkgs...))
			if tc.wantErr != "" {
				var ue *UnsolvableError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want an UnsolvableError containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := sortedNEVRAs(res); !slices.Equal(got, tc.want) {
				t.Errorf("installed %v, want %v", got, tc.want)
			}
			if !slices.Equal(res.Unsatisfied, tc.unsat) {
				t.Errorf("unsatisfied %v, want %v", res.Unsatisfied, tc.unsat)
			}
			for _, c := range res.Packages {
				for _, g := range tc.held {
					if ok, _ := filepath.Match(g, c.Pkg.Name); ok {
						t.Errorf("held-back %s installed", c.Pkg.NEVRA)
					}
				}
			}
		})
	}
}

// TestHoldbackAgainstLibsolv compares with libsolv, where the held-back
// packages sit in the system repository as stubs that provide what they
// provide and require nothing: libsolv then installs exactly what we do.
func TestHoldbackAgainstLibsolv(t *testing.T) {
	t.Parallel()
	for _, tc := range holdbackCases {
		if !tc.oracle {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cs := cands(t, tc.pkgs...)
			req := Request{Arch: "x86_64", Install: tc.install, Exclude: tc.exclude, AllowUnsatisfied: tc.held}
			res, err := Solve(t.Context(), nil, req, cs)
			if err != nil {
				t.Fatal(err)
			}
			var held, rest []Candidate
			for _, c := range cs {
				isHeld := false
				for _, g := range tc.held {
					if ok, _ := filepath.Match(g, c.Pkg.Name); ok {
						isHeld = true
					}
				}
				if isHeld {
					stub := *c.Pkg
					stub.Requires = nil
					held = append(held, Candidate{Pkg: &stub})
				} else {
					rest = append(rest, c)
				}
			}
			tcase := testsolvCase(t, rest, Request{Arch: "x86_64", Exclude: tc.exclude}, jobNames(tc.install))
			tcase = strings.Replace(tcase, "repo system 0 testtags <inline>\n", "repo system 0 testtags <inline>\n"+stubLines(held), 1)
			want, problems := runTestsolv(t, tcase)
			if problems != "" {
				t.Fatalf("libsolv found problems:\n%s\ncase:\n%s", problems, tcase)
			}
			if got := sortedNEVRAs(res); !slices.Equal(got, want) {
				t.Errorf("slipway installs %v, libsolv %v\ncase:\n%s", got, want, tcase)
			}
		})
	}
}

func jobNames(install []string) []string {
	out := make([]string, len(install))
	for i, n := range install {
		out[i] = "name " + n
	}
	return out
}

// stubLines renders held-back packages as testtags entries for the system
// repository: name, version, provides and files only.
func stubLines(cs []Candidate) string {
	var b strings.Builder
	for _, c := range cs {
		p := c.Pkg
		fmt.Fprintf(&b, "#>=Pkg: %s %s %s %s\n", p.Name, p.Version, p.Release, p.Arch)
		fmt.Fprintf(&b, "#>=Prv: %s\n", rpmmeta.Dep{Name: p.Name, Flags: rpmmeta.SenseEqual, Version: p.EVR.String()}.String())
		for _, d := range p.Provides {
			fmt.Fprintf(&b, "#>=Prv: %s\n", d.String())
		}
		for _, f := range p.Files {
			fmt.Fprintf(&b, "#>=Prv: %s\n", f)
		}
	}
	return b.String()
}
