package solve

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestSolveUnit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		pkgs    []string
		install []string
		exclude []string
		weak    bool
		want    []string // NEVRAs, sorted by name; nil when wantErr
		wantErr string   // substring of the error
	}{
		{
			name:    "versioned requires picks a new enough provider",
			pkgs:    []string{"app-1-1.x86_64;R:libfoo >= 2", "libfoo-1-1.x86_64", "libfoo-2-1.x86_64", "libfoo-3-1.x86_64"},
			install: []string{"app"},
			want:    []string{"app-1-1.x86_64", "libfoo-3-1.x86_64"},
		},
		{
			name:    "best version of a requested name, other arches ignored",
			pkgs:    []string{"a-1-1.x86_64", "a-2-1.x86_64", "a-3-1.i686", "a-4-1.aarch64"},
			install: []string{"a"},
			want:    []string{"a-2-1.x86_64"},
		},
		{
			name:    "upper bound forces an older version",
			pkgs:    []string{"app-1-1.x86_64;R:libfoo < 2", "libfoo-1-1.x86_64", "libfoo-2-1.x86_64"},
			install: []string{"app"},
			want:    []string{"app-1-1.x86_64", "libfoo-1-1.x86_64"},
		},
		{
			name:    "file dependency through Files",
			pkgs:    []string{"app-1-1.noarch;R:/bin/sh", "bash-5-1.x86_64;F:/bin/sh"},
			install: []string{"app"},
			want:    []string{"app-1-1.noarch", "bash-5-1.x86_64"},
		},
		{
			name:    "request by file and by capability",
			pkgs:    []string{"bash-5-1.x86_64;F:/bin/bash", "foo-1-1.x86_64;P:webserver = 2"},
			install: []string{"/bin/bash", "webserver >= 2"},
			want:    []string{"bash-5-1.x86_64", "foo-1-1.x86_64"},
		},
		{
			name:    "virtual capability: name order between providers",
			pkgs:    []string{"app-1-1.noarch;R:mta", "zmail-9-1.x86_64;P:mta", "amail-1-1.x86_64;P:mta"},
			install: []string{"app"},
			want:    []string{"amail-1-1.x86_64", "app-1-1.noarch"},
		},
		{
			name:    "obsoleting provider preferred",
			pkgs:    []string{"app-1-1.noarch;R:mta", "zmail-1-1.x86_64;P:mta;O:amail", "amail-1-1.x86_64;P:mta"},
			install: []string{"app"},
			want:    []string{"app-1-1.noarch", "zmail-1-1.x86_64"},
		},
		{
			name:    "conflict forces the other provider",
			pkgs:    []string{"app-1-1.noarch;R:mta;R:lib", "amail-1-1.x86_64;P:mta;C:lib", "zmail-1-1.x86_64;P:mta", "lib-1-1.x86_64"},
			install: []string{"app"},
			want:    []string{"app-1-1.noarch", "lib-1-1.x86_64", "zmail-1-1.x86_64"},
		},
		{
			name:    "backtracking out of a dead end",
			pkgs:    []string{"app-1-1.noarch;R:mta", "amail-1-1.x86_64;P:mta;R:missing", "zmail-1-1.x86_64;P:mta"},
			install: []string{"app"},
			want:    []string{"app-1-1.noarch", "zmail-1-1.x86_64"},
		},
		{
			name:    "rich or, if, with",
			pkgs:    []string{"app-1-1.noarch;R:(b or c);R:(d if b);R:(e with e-x)", "b-1-1.noarch", "c-1-1.noarch", "d-1-1.noarch", "e-1-1.noarch", "e-2-1.noarch;P:e-x"},
			install: []string{"app"},
			want:    []string{"app-1-1.noarch", "b-1-1.noarch", "d-1-1.noarch", "e-2-1.noarch"},
		},
		{
			name:    "rich unless else",
			pkgs:    []string{"app-1-1.noarch;R:(b unless c else d)", "b-1-1.noarch", "c-1-1.noarch", "d-1-1.noarch"},
			install: []string{"app"},
			want:    []string{"app-1-1.noarch", "b-1-1.noarch"},
		},
		{
			name:    "weak deps on",
			pkgs:    []string{"app-1-1.noarch;Rec:docs;Rec:nothing-here;Rec:broken", "docs-1-1.noarch", "broken-1-1.noarch;R:missing", "lang-1-1.noarch;Sup:app"},
			install: []string{"app"},
			weak:    true,
			want:    []string{"app-1-1.noarch", "docs-1-1.noarch", "lang-1-1.noarch"},
		},
		{
			name:    "weak deps off",
			pkgs:    []string{"app-1-1.noarch;Rec:docs", "docs-1-1.noarch", "lang-1-1.noarch;Sup:app"},
			install: []string{"app"},
			want:    []string{"app-1-1.noarch"},
		},
		{
			name:    "exclude hides a provider",
			pkgs:    []string{"app-1-1.noarch;R:mta", "amail-1-1.x86_64;P:mta", "zmail-1-1.x86_64;P:mta"},
			install: []string{"app"},
			exclude: []string{"a*l"},
			want:    []string{"app-1-1.noarch", "zmail-1-1.x86_64"},
		},
		{
			name:    "requested name obsoleted: dnf installs the obsoleting package",
			pkgs:    []string{"oldwebd-1.0-1.noarch", "webd-2.4-1.noarch;O:oldwebd < 2.0"},
			install: []string{"oldwebd"},
			want:    []string{"webd-2.4-1.noarch"},
		},
		{
			name:    "glob request",
			pkgs:    []string{"lib-a-1-1.noarch", "lib-b-1-1.noarch", "other-1-1.noarch"},
			install: []string{"lib-*"},
			want:    []string{"lib-a-1-1.noarch", "lib-b-1-1.noarch"},
		},
		{
			name:    "name-version request",
			pkgs:    []string{"a-1.0-1.noarch", "a-2.0-1.noarch"},
			install: []string{"a-1.0"},
			want:    []string{"a-1.0-1.noarch"},
		},
		{
			name:    "nothing provides, with the chain",
			pkgs:    []string{"appd-2.1-1.azl3.x86_64;R:libbar.so.2()(64bit)"},
			install: []string{"appd"},
			wantErr: "nothing provides libbar.so.2()(64bit) needed by appd-2.1-1.azl3.x86_64 (required by the request for appd)",
		},
		{
			name:    "deep chain",
			pkgs:    []string{"top-1-1.noarch;R:mid", "mid-1-1.noarch;R:/usr/bin/nope"},
			install: []string{"top"},
			wantErr: "nothing provides /usr/bin/nope needed by mid-1-1.noarch (required by top-1-1.noarch, required by the request for top)",
		},
		{
			name:    "conflict",
			pkgs:    []string{"a-1-1.noarch;C:b", "b-1-1.noarch"},
			install: []string{"a", "b"},
			wantErr: "package a-1-1.noarch conflicts with b provided by b-1-1.noarch",
		},
		{
			name:    "excluded request",
			pkgs:    []string{"foo-1-1.noarch"},
			install: []string{"foo"},
			exclude: []string{"foo"},
			wantErr: "package foo is excluded",
		},
		{
			name:    "no match",
			pkgs:    []string{"foo-1-1.noarch"},
			install: []string{"bar"},
			wantErr: "no package matches bar",
		},
		{
			name:    "dependency only on an excluded package",
			pkgs:    []string{"a-1-1.noarch;R:b", "b-1-1.noarch"},
			install: []string{"a"},
			exclude: []string{"b"},
			wantErr: "nothing provides b needed by a-1-1.noarch",
		},
		{
			name:    "malformed rich dependency",
			pkgs:    []string{"a-1-1.noarch;R:(b or"},
			install: []string{"a"},
			wantErr: "package a-1-1.noarch has a malformed dependency (b or",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := Solve(t.Context(), nil, Request{Arch: "x86_64", Install: tc.install, Exclude: tc.exclude, WeakDeps: tc.weak}, cands(t, tc.pkgs...))
			if tc.wantErr != "" {
				var ue *UnsolvableError
				if !errors.As(err, &ue) {
					t.Fatalf("err = %v, want an UnsolvableError", err)
				}
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %q, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := names(res); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestWhy(t *testing.T) {
	t.Parallel()
	res, err := Solve(t.Context(), nil, Request{Arch: "x86_64", Install: []string{"appd"}, WeakDeps: true},
		cands(t, "appd-2.1-1.x86_64;R:libfoo.so.1()(64bit);Rec:extra", "libfoo-1-1.x86_64;P:libfoo.so.1()(64bit);R:/bin/sh", "bash-5-1.x86_64;F:/bin/sh", "extra-1-1.noarch"))
	if err != nil {
		t.Fatal(err)
	}
	chain := res.Why("bash")
	var got []string
	for _, r := range chain {
		got = append(got, r.By+" -> "+r.Dep+" -> "+r.Package)
	}
	want := []string{
		" -> appd -> appd-2.1-1.x86_64",
		"appd-2.1-1.x86_64 -> libfoo.so.1()(64bit) -> libfoo-1-1.x86_64",
		"libfoo-1-1.x86_64 -> /bin/sh -> bash-5-1.x86_64",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Why(bash) = %q, want %q", got, want)
	}
	if c := res.Why("extra"); len(c) != 2 || c[1].Kind != ByRecommends {
		t.Errorf("Why(extra) = %+v, want a recommends edge", c)
	}
	if res.Why("nope") != nil {
		t.Error("Why of a package not installed is not nil")
	}
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	specs := []string{"app-1-1.noarch;R:mta;R:(x or y);Rec:z", "amail-1-1.x86_64;P:mta", "zmail-1-1.x86_64;P:mta", "x-1-1.noarch", "y-1-1.noarch", "z-1-1.noarch;R:mta"}
	var first []string
	for i := 0; i < 20; i++ {
		c := cands(t, specs...)
		// Rotate the candidate order: the answer must not depend on it.
		k := i % len(c)
		c = append(c[k:], c[:k]...)
		res, err := Solve(t.Context(), nil, Request{Arch: "x86_64", Install: []string{"app"}, WeakDeps: true}, c)
		if err != nil {
			t.Fatal(err)
		}
		got := names(res)
		if first == nil {
			first = got
		} else if !slices.Equal(got, first) {
			t.Fatalf("run %d gave %v, run 0 gave %v", i, got, first)
		}
	}
}
