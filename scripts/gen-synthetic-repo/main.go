// Command gen-synthetic-repo writes a synthetic RPM repository (metadata
// only: repodata/repomd.xml, primary, filelists and other, gzip) shaped like
// a real distribution, for timing slipway against dnf and libsolv. The
// output depends only on -n and -seed.
//
//	go run ./scripts/gen-synthetic-repo -n 20000 -seed 1 -out /tmp/synth
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/slipway-build/slipway/builder/repo/synth"
)

func main() {
	n := flag.Int("n", 20000, "number of packages")
	seed := flag.Uint64("seed", 1, "random seed")
	out := flag.String("out", "", "output folder (gets repodata/)")
	flag.Parse()
	if *out == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: gen-synthetic-repo [-n N] [-seed S] -out DIR")
		os.Exit(2)
	}
	if err := synth.Write(*out, synth.Options{N: *n, Seed: *seed}); err != nil {
		fmt.Fprintln(os.Stderr, "gen-synthetic-repo:", err)
		os.Exit(1)
	}
}
