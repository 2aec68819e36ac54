package solve

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/slipway-build/slipway/rpmmeta"
)

// synthRepo makes n packages shaped like a distribution: sonames,
// files, file and virtual dependencies, two versions of some names, and
// dependencies leaning towards a core of common libraries.
func synthRepo(n int) []Candidate {
	r := rand.New(rand.NewPCG(1, 2))
	cs := make([]Candidate, 0, n)
	for i := 0; len(cs) < n; i++ {
		versions := 1
		if i%10 == 0 {
			versions = 2
		}
		for v := 1; v <= versions && len(cs) < n; v++ {
			name := fmt.Sprintf("pkg%05d", i)
			p := &rpmmeta.Package{NEVRA: rpmmeta.NEVRA{Name: name, EVR: rpmmeta.EVR{Version: fmt.Sprintf("1.%d", v), Release: "1.azl3"}, Arch: "x86_64"}}
			p.Provides = []rpmmeta.Dep{
				{Name: fmt.Sprintf("lib%05d.so.%d()(64bit)", i, v)},
				{Name: name + "(x86-64)", Flags: rpmmeta.SenseEqual, Version: p.EVR.String()},
				{Name: name, Flags: rpmmeta.SenseEqual, Version: p.EVR.String()},
			}
			if i%50 == 0 {
				p.Provides = append(p.Provides, rpmmeta.Dep{Name: fmt.Sprintf("virtual%d", i%7)})
			}
			p.Files = []string{fmt.Sprintf("/usr/lib64/lib%05d.so.%d", i, v), fmt.Sprintf("/usr/bin/tool%05d", i)}
			for k := 0; k < 5; k++ {
				// Applications (from 2000 on) need libraries (200 to
				// 2000) and the core (below 200); libraries need lower
				// libraries and the core.
				var j int
				switch {
				case r.IntN(2) == 0 || i < 400:
					j = r.IntN(200)
				case i < 2000:
					j = 200 + r.IntN(i-200)
				default:
					j = 200 + r.IntN(1800)
				}
				if j >= i {
					continue
				}
				switch r.IntN(10) {
				case 0:
					p.Requires = append(p.Requires, rpmmeta.Dep{Name: fmt.Sprintf("/usr/bin/tool%05d", j)})
				case 1:
					p.Requires = append(p.Requires, rpmmeta.Dep{Name: fmt.Sprintf("pkg%05d", j), Flags: rpmmeta.SenseGreater | rpmmeta.SenseEqual, Version: "1.0"})
				case 2:
					p.Requires = append(p.Requires, rpmmeta.Dep{Name: fmt.Sprintf("virtual%d", r.IntN(7))})
				default:
					p.Requires = append(p.Requires, rpmmeta.Dep{Name: fmt.Sprintf("lib%05d.so.1()(64bit)", j)})
				}
			}
			if r.IntN(20) == 0 {
				p.Recommends = append(p.Recommends, rpmmeta.Dep{Name: fmt.Sprintf("pkg%05d", r.IntN(n/2))})
			}
			cs = append(cs, Candidate{Pkg: p, Repo: "base"})
		}
	}
	return cs
}

func benchRequest(n int) Request {
	var install []string
	for k := 0; k < 30; k++ {
		install = append(install, fmt.Sprintf("pkg%05d", n/2+k*(n/70)))
	}
	return Request{Arch: "x86_64", Install: install}
}

// BenchmarkSolve solves a 30-name request in a 20,000-package pool built
// once (the orchestrator builds one pool per arch).
func BenchmarkSolve(b *testing.B) {
	for _, weak := range []bool{false, true} {
		b.Run(fmt.Sprintf("weak=%v", weak), func(b *testing.B) {
			cs := synthRepo(20000)
			pool := NewPool(cs)
			req := benchRequest(len(cs) * 10 / 11)
			req.WeakDeps = weak
			res, err := pool.Solve(b.Context(), nil, req)
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("%d packages installed", len(res.Packages))
			b.ResetTimer()
			for b.Loop() {
				if _, err := pool.Solve(b.Context(), nil, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkNewPoolAndSolve includes indexing the 20,000 packages.
func BenchmarkNewPoolAndSolve(b *testing.B) {
	cs := synthRepo(20000)
	req := benchRequest(len(cs) * 10 / 11)
	for b.Loop() {
		if _, err := Solve(b.Context(), nil, req, cs); err != nil {
			b.Fatal(err)
		}
	}
}

var dumpBenchCase = flag.String("dump-bench-case", "", "write the benchmark repository and request as a libsolv testcase to this file (scripts/bench-resolve.sh)")

// TestBenchRepoAgainstLibsolv solves the benchmark request in the
// 20,000-package repository with testsolv too: a large differential case.
func TestBenchRepoAgainstLibsolv(t *testing.T) {
	if testing.Short() && *dumpBenchCase == "" {
		t.Skip("large case")
	}
	cs := synthRepo(20000)
	req := benchRequest(len(cs) * 10 / 11)
	var jobs []string
	for _, n := range req.Install {
		jobs = append(jobs, "name "+n)
	}
	tc := testsolvCase(t, cs, req, jobs)
	if *dumpBenchCase != "" {
		if err := os.WriteFile(*dumpBenchCase, []byte(tc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, weak := range []bool{false, true} {
		req.WeakDeps = weak
		want, problems := runTestsolv(t, testsolvCase(t, cs, req, jobs))
		if problems != "" {
			t.Fatalf("libsolv: %s", problems)
		}
		res, err := NewPool(cs).Solve(t.Context(), nil, req)
		if err != nil {
			t.Fatal(err)
		}
		if got := sortedNEVRAs(res); !slices.Equal(got, want) {
			t.Errorf("weak=%v: %d packages vs libsolv's %d; first differences: %v", weak, len(got), len(want), firstDiff(got, want))
		}
	}
}

func firstDiff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, "+"+x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			out = append(out, "-"+x)
		}
	}
	if len(out) > 10 {
		out = out[:10]
	}
	return out
}
