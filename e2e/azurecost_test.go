//go:build e2e

package e2e

import (
	"io"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-build/slipway/layers/rootfs"
)

// BenchmarkAzureRootfs measures the cost of the scriptlet emulation: the
// rootfs stage over every package of the functional repository (101
// RPMs, dash left out: Debian's binaries, Azure Linux-shaped ca-certificates, bash and
// a %pre account), once with the emulation and once giving verdicts only
// (AuditOnly). The difference, against a whole `slipway build` of the
// same set, is the emulation's share (docs/performance.md). Sub-benchmarks
// run in order and the first pays for cold caches: compare the CPU time.
//
//	go test -tags e2e -run '^$' -bench BenchmarkAzureRootfs -benchtime 5x ./e2e/
func BenchmarkAzureRootfs(b *testing.B) {
	data := azureFuncRepo(b)
	all, err := filepath.Glob(filepath.Join(data, "repo", "*.rpm"))
	if err != nil || len(all) == 0 {
		b.Fatalf("no RPMs in %s: %v", data, err)
	}
	// dash's /bin/sh link would conflict with bash's.
	var rpms []string
	for _, p := range all {
		if !strings.HasPrefix(filepath.Base(p), "dash-") {
			rpms = append(rpms, p)
		}
	}
	for _, mode := range []struct {
		name  string
		audit bool
	}{{"audit-only", true}, {"emulate", false}} {
		b.Run(mode.name, func(b *testing.B) {
			// The CPU time, which the machine's other work skews less
			// than the wall time.
			var before, after syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_SELF, &before)
			for b.Loop() {
				w, err := rootfs.New(rootfs.Options{BuildTime: 1718214849, AuditOnly: mode.audit, SpoolDir: b.TempDir()})
				if err != nil {
					b.Fatal(err)
				}
				if err := w.AddRPMFiles(b.Context(), rpms); err != nil {
					b.Fatal(err)
				}
				if _, err := w.WriteTar(b.Context(), io.Discard); err != nil {
					b.Fatal(err)
				}
				w.Close()
			}
			syscall.Getrusage(syscall.RUSAGE_SELF, &after)
			cpu := time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
			b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}
