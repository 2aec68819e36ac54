package rpmdb

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func benchFiles(b *testing.B) []string {
	return append(slices.Clone(repoRPMs(b, "x86_64")), extrasRPM(b))
}

// BenchmarkWriteSQLite writes the database for the test repository's 20
// packages, and for 100 (the same packages five times over), already read.
func BenchmarkWriteSQLite(b *testing.B) {
	files := benchFiles(b)
	base := installedList(b, files)
	for _, n := range []int{len(base), 100} {
		var pkgs []Installed
		for len(pkgs) < n {
			pkgs = append(pkgs, base[:min(len(base), n-len(pkgs))]...)
		}
		b.Run(fmt.Sprintf("pkgs=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			opts := Options{InstallTime: 1700000000, Arch: "x86_64"}
			b.ReportAllocs()
			for b.Loop() {
				if err := WriteSQLite(b.Context(), filepath.Join(dir, "rpmdb.sqlite"), pkgs, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOpenAndWrite reads the 20 RPM files' headers and writes the
// database: the work `rpm -i --justdb` does, for scripts/bench-rpmdb.sh.
func BenchmarkOpenAndWrite(b *testing.B) {
	files := benchFiles(b)
	dir := b.TempDir()
	opts := Options{InstallTime: 1700000000, Arch: "x86_64"}
	for b.Loop() {
		pkgs := installedList(b, files)
		if err := WriteSQLite(b.Context(), filepath.Join(dir, "rpmdb.sqlite"), pkgs, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRPMJustDB is the peer: the real rpm recording the same 20 files
// with -i --justdb into a fresh root.
func BenchmarkRPMJustDB(b *testing.B) {
	files := benchFiles(b)
	tmp := b.TempDir()
	i := 0
	for b.Loop() {
		i++
		root := filepath.Join(tmp, fmt.Sprint(i))
		if err := os.MkdirAll(root, 0o755); err != nil {
			b.Fatal(err)
		}
		r := &rpmTool{bin: "rpm", home: tmp, root: root}
		if _, err := r.run(append([]string{"-i", "--justdb", "--nodeps", "--noscripts", "--notriggers", "--nosignature", "--replacefiles", "--ignorearch"}, files...)...); err != nil {
			b.Fatal(err)
		}
	}
}
