package builder

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/builder/repo"
	"github.com/slipway-build/slipway/builder/repo/synth"
	"github.com/slipway-build/slipway/builder/solve"
)

// cpuTime is the process's user+system CPU time: on a loaded machine it
// varies far less than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/1e6, "cpu-ms/op")
}

// BenchmarkResolveWarm is `slipway resolve` after a first run: repomd,
// the parsed-metadata cache (primary, and filelists when a file
// dependency needs them), the pool and the solve, on the 20,000-package
// synthetic repository of scripts/bench-resolve-cli.sh with a request of
// the same shape (every 4th of the first main names, 30 names).
//
//	go test -run '^$' -bench ResolveWarm -benchmem ./builder/
func BenchmarkResolveWarm(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "repo")
	if err := synth.Write(dir, synth.Options{N: 20000, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	cache := b.TempDir()
	cfg := &config.Config{
		Image:        config.Image{Name: "bench/resolve", Architectures: []string{"x86_64"}},
		Repositories: []config.Repository{{ID: "synth", BaseURL: "file://" + dir}},
	}
	opts := Options{Repo: []repo.Option{repo.WithCacheDir(cache)}}
	set, err := LoadRepos(b.Context(), cfg, "x86_64", opts)
	if err != nil {
		b.Fatal(err)
	}
	names := mainNames(set)
	for i := 0; i < len(names) && len(cfg.Packages.Install) < 30; i += 4 {
		cfg.Packages.Install = append(cfg.Packages.Install, names[i])
	}
	if _, err := os.Stat(filepath.Join(cache, "metadata")); err != nil {
		b.Fatal(err)
	}
	first, err := Resolve(b.Context(), cfg, "x86_64", opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("resolve", func(b *testing.B) {
		c0 := cpuTime()
		defer func() { reportCPU(b, c0) }()
		for b.Loop() {
			r, err := Resolve(b.Context(), cfg, "x86_64", opts)
			if err != nil {
				b.Fatal(err)
			}
			if len(r.Packages) != len(first.Packages) {
				b.Fatalf("%d packages, first run %d", len(r.Packages), len(first.Packages))
			}
		}
	})
	b.Run("newpool", func(b *testing.B) {
		cands := make([]solve.Candidate, len(first.Set.Packages))
		for i, p := range first.Set.Packages {
			cands[i] = solve.Candidate{Pkg: &p.Package, Repo: p.Repo, Priority: p.Priority}
		}
		c0 := cpuTime()
		defer func() { reportCPU(b, c0) }()
		for b.Loop() {
			if solve.NewPool(cands) == nil {
				b.Fatal("nil pool")
			}
		}
	})
}
