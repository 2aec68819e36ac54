// Command gen-synthetic-repo-bench loads a repository with builder/repo and
// prints, as one line each, the wall time and CPU time of a cold load (no
// cache), a first load that writes the cache, and a warm load from the
// cache, then the process's peak RSS. scripts/gen-synthetic-repo-bench.sh
// runs it beside repo2solv.
//
//	go run ./scripts/gen-synthetic-repo-bench -repo DIR [-arch x86_64] [-filelists]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/slipway-build/slipway/builder/repo"
)

func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func main() {
	dir := flag.String("repo", "", "repository folder (holds repodata/)")
	arch := flag.String("arch", "x86_64", "architecture")
	filelists := flag.Bool("filelists", false, "also load filelists.xml")
	mode := flag.String("mode", "all", "cold, first, warm or all")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "usage: gen-synthetic-repo-bench -repo DIR [-arch A] [-filelists] [-mode cold|first|warm|all]")
		os.Exit(2)
	}
	ctx := context.Background()
	cache, err := os.MkdirTemp("", "slipway-bench-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer os.RemoveAll(cache)
	cfgs := []repo.Config{{ID: "synth", BaseURL: "file://" + *dir}}
	run := func(name string, opts ...repo.Option) {
		t0, c0 := time.Now(), cpu()
		s, err := repo.Load(ctx, cfgs, *arch, opts...)
		if err == nil && *filelists {
			err = s.LoadFilelists(ctx)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("%-6s %4d ms wall %4d ms cpu  %d packages for %s\n", name, time.Since(t0).Milliseconds(), (cpu() - c0).Milliseconds(), len(s.Packages), *arch)
	}
	if *mode == "cold" || *mode == "all" {
		run("cold")
	}
	if *mode == "first" || *mode == "all" {
		run("first", repo.WithCacheDir(cache))
	}
	if *mode == "warm" {
		run("first", repo.WithCacheDir(cache))
	}
	if *mode == "warm" || *mode == "all" {
		run("warm", repo.WithCacheDir(cache))
	}
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Printf("peak RSS %d MiB\n", ru.Maxrss/1024)
}
