package rootfs_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/slipway-build/slipway/layers/rootfs"
)

// BenchmarkWriteTar builds the x86_64 test image (webd, appd, busybox,
// tzdata... about 4 MB) from its RPM files: read, spool, lay out, write.
func BenchmarkWriteTar(b *testing.B) {
	rpms := fullSet(b)
	benchWrite(b, rpms)
}

// BenchmarkWriteTarLarge does the same with about 100 MB of files in 4
// zstd packages made by rpmbuild (built once per test binary).
func BenchmarkWriteTarLarge(b *testing.B) {
	benchWrite(b, largeRPMs(b))
}

// BenchmarkPeerRpm2cpio extracts the same large packages with
// rpm2cpio | cpio -idm and packs the folder with tar -c: what a shell
// pipeline would do. Compare its ns/op with BenchmarkWriteTarLarge.
func BenchmarkPeerRpm2cpio(b *testing.B) {
	rpms := largeRPMs(b)
	for b.Loop() {
		dir := b.TempDir()
		for _, r := range rpms {
			cmd := exec.Command("sh", "-c", `rpm2cpio "$1" | cpio -idm --quiet`, "sh", r)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("rpm2cpio: %v\n%s", err, out)
			}
		}
		cmd := exec.Command("tar", "-c", "--sort=name", "-C", dir, ".")
		cmd.Stdout = io.Discard
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		os.RemoveAll(dir)
	}
}

// BenchmarkLargeVsRpm2cpio times both sides in each iteration and reports
// how many times faster the writer is than rpm2cpio | cpio + tar -c
// (ratio of the summed wall times, so that machine load hits both).
func BenchmarkLargeVsRpm2cpio(b *testing.B) {
	rpms := largeRPMs(b)
	var ours, peer time.Duration
	for b.Loop() {
		t0 := time.Now()
		writeOnce(b, rpms)
		t1 := time.Now()
		dir := b.TempDir()
		for _, r := range rpms {
			cmd := exec.Command("sh", "-c", `rpm2cpio "$1" | cpio -idm --quiet`, "sh", r)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("rpm2cpio: %v\n%s", err, out)
			}
		}
		cmd := exec.Command("tar", "-c", "--sort=name", "-C", dir, ".")
		cmd.Stdout = io.Discard
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		os.RemoveAll(dir)
		ours += t1.Sub(t0)
		peer += time.Since(t1)
	}
	b.ReportMetric(float64(peer)/float64(ours), "x-rpm2cpio-speed")
	b.ReportMetric(float64(ours.Milliseconds())/float64(b.N), "ms-ours/op")
	b.ReportMetric(float64(peer.Milliseconds())/float64(b.N), "ms-peer/op")
}

func writeOnce(b *testing.B, rpms []string) int64 {
	w, err := rootfs.New(rootfs.Options{BuildTime: buildTime, LDCache: true, Arch: "x86_64", SpoolDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	if err := w.AddRPMFiles(context.Background(), rpms); err != nil {
		b.Fatal(err)
	}
	rep, err := w.WriteTar(context.Background(), &countWriter{})
	if err != nil {
		b.Fatal(err)
	}
	return rep.Bytes
}

func benchWrite(b *testing.B, rpms []string) {
	var size int64
	for b.Loop() {
		size = writeOnce(b, rpms)
	}
	b.SetBytes(size)
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var (
	largeOnce sync.Once
	largeDir  string
	largeList []string
	largeErr  error
)

func largeRPMs(b *testing.B) []string {
	b.Helper()
	if _, err := exec.LookPath("rpmbuild"); err != nil {
		b.Skip("rpmbuild is not installed")
	}
	largeOnce.Do(func() {
		largeDir, largeErr = os.MkdirTemp("", "slipway-rootfs-bench-")
		if largeErr != nil {
			return
		}
		for i := range 4 {
			largeList = append(largeList, "")
			largeList[i], largeErr = buildLarge(largeDir, i)
			if largeErr != nil {
				return
			}
		}
	})
	if largeErr != nil {
		b.Fatal(largeErr)
	}
	return largeList
}

// buildLarge makes a package of 250 files of 100 KiB (half random, half
// text, so that zstd has work to do) under /usr/share/bigN.
func buildLarge(dir string, n int) (string, error) {
	top := filepath.Join(dir, fmt.Sprint("top", n))
	home := filepath.Join(dir, "home")
	os.MkdirAll(home, 0o755)
	os.WriteFile(filepath.Join(home, ".rpmmacros"), []byte("%_dbpath /var/lib/rpm\n"), 0o644)
	spec := fmt.Sprintf(`Name: big%d
Version: 1
Release: 1
Summary: big
License: MIT
BuildArch: noarch
%%description
big
%%install
mkdir -p %%{buildroot}/usr/share/big%d
cd %%{buildroot}/usr/share/big%d
for i in $(seq 1 250); do
  { head -c 51200 /dev/urandom; yes "line $i of a text file that compresses" | head -c 51200; } > f$i
done
%%files
/usr/share/big%d
`, n, n, n, n)
	sp := filepath.Join(dir, fmt.Sprintf("big%d.spec", n))
	if err := os.WriteFile(sp, []byte(spec), 0o644); err != nil {
		return "", err
	}
	cmd := exec.Command("rpmbuild", "-bb", "--define", "_topdir "+top, "--define", "_binary_payload w19.zstdio",
		"--define", "__spec_install_post %{nil}", sp)
	cmd.Env = append(os.Environ(), "HOME="+home)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("rpmbuild: %v\n%s", err, out.String())
	}
	m, _ := filepath.Glob(filepath.Join(top, "RPMS/noarch/*.rpm"))
	if len(m) != 1 {
		return "", fmt.Errorf("rpmbuild made %v", m)
	}
	return m[0], nil
}

func TestMain(m *testing.M) {
	code := m.Run()
	if largeDir != "" {
		os.RemoveAll(largeDir)
	}
	os.Exit(code)
}
