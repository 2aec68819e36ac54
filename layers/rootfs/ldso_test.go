package rootfs_test

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/layers/rootfs"
	"github.com/slipway-build/slipway/layers/rootfs/ldcache"
)

// untar extracts a layer with the real tar (as root: owners, modes and
// xattrs as written) into a new folder.
func untar(t *testing.T, data []byte) string {
	t.Helper()
	tarBin := testutil.RequireTool(t, "tar", "tar")
	if os.Geteuid() != 0 {
		t.Skip("extracting an image tree needs root")
	}
	dir := t.TempDir()
	cmd := exec.Command(tarBin, "-x", "-p", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-C", dir)
	cmd.Stdin = bytes.NewReader(data)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tar -x: %v\n%s", err, out)
	}
	return dir
}

func appdSet(t *testing.T, arch string) []string {
	r := repos(t)
	var out []string
	for _, f := range r.RPMs[arch] {
		b := filepath.Base(f)
		for _, n := range []string{"filesystem-", "setup-", "glibc-", "libfoo-", "appd-", "busybox-"} {
			if strings.HasPrefix(b, n) {
				out = append(out, f)
			}
		}
	}
	if len(out) != 6 {
		t.Fatalf("want 6 packages for %s, got %v", arch, out)
	}
	return out
}

// TestLDCacheMatchesLdconfig compares our /etc/ld.so.cache with the one the
// real ldconfig writes for the same tree, byte for byte once the
// generator string (which names the tool) is the same.
func TestLDCacheMatchesLdconfig(t *testing.T) {
	for _, tc := range []struct {
		arch  string
		confD bool // ld.so.conf with an include, a second library folder, a dev symlink, a non-ELF lib*.so
	}{{"x86_64", false}, {"x86_64", true}, {"aarch64", false}} {
		// confD: the include comes before /usr/lib64, so /opt/lib's
		// libfoo.so.1 must come first among equal sonames.
		arch := tc.arch
		name := arch
		if tc.confD {
			name += "-conf.d"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ldconfig := []string{testutil.RequireTool(t, "ldconfig", "libc-bin")}
			if arch == "aarch64" {
				// The host's ldconfig skips aarch64 objects: run Debian's
				// arm64 one (static) under qemu.
				ldconfig = []string{testutil.RequireTool(t, "qemu-aarch64-static", "qemu-user-static"), arm64Ldconfig(t)}
			}
			opts := rootfs.Options{BuildTime: buildTime, LDCache: true, Arch: arch}
			if arch == "aarch64" {
				// Debian's arm64 ldconfig scans its multiarch folders, then
				// /lib and /usr/lib (Azure Linux's: /lib64, /usr/lib64).
				opts.LDCacheDirs = []string{"/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib", "/usr/lib"}
			}
			var extra []rootfs.Entry
			if tc.confD {
				first, _ := build(t, opts, appdSet(t, arch))
				lib := readFiles(t, first, "usr/lib64/libfoo.so.1.2.0")["usr/lib64/libfoo.so.1.2.0"]
				if len(lib) == 0 {
					t.Fatal("libfoo.so.1.2.0 not in the tree")
				}
				extra = []rootfs.Entry{
					{Path: "/etc/ld.so.conf", Mode: 0o644, Data: []byte("include ld.so.conf.d/*.conf\n/usr/lib64\n")},
					{Path: "/etc/ld.so.conf.d/opt.conf", Mode: 0o644, Data: []byte("# extra\n/opt/lib\n")},
					{Path: "/opt/lib/libfoo.so.1.2.0", Mode: 0o755, Data: lib},
					{Path: "/opt/lib/libfoo.so", Mode: 0o777 | fs.ModeSymlink, LinkTo: "libfoo.so.1.2.0"},
					{Path: "/opt/lib/libjunk.so", Mode: 0o644, Data: []byte("INPUT(-lfoo)\n")},
					{Path: "/opt/lib/libbar.so.2", Mode: 0o755, Data: lib}, // soname libfoo.so.1 again
				}
			}
			data, _ := build(t, opts, appdSet(t, arch), extra...)
			dir := untar(t, data)
			ours, err := os.ReadFile(filepath.Join(dir, "etc/ld.so.cache"))
			if err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(ldconfig[0], append(ldconfig[1:], "-X", "-C", "/etc/ld.so.cache.real", "-r", dir)...).CombinedOutput(); err != nil {
				t.Fatalf("ldconfig: %v\n%s", err, out)
			}
			real, err := os.ReadFile(filepath.Join(dir, "etc/ld.so.cache.real"))
			if err != nil {
				t.Fatal(err)
			}
			realLibs, gen, err := ldcache.Decode(real)
			if err != nil {
				t.Fatal(err)
			}
			ourLibs, _, err := ldcache.Decode(ours)
			if err != nil {
				t.Fatal(err)
			}
			if len(realLibs) < 3 {
				t.Fatalf("ldconfig found only %v", realLibs)
			}
			if len(ourLibs) != len(realLibs) {
				t.Fatalf("entries: ours %v, ldconfig %v", ourLibs, realLibs)
			}
			for i := range realLibs {
				if ourLibs[i] != realLibs[i] {
					t.Errorf("entry %d: ours %+v, ldconfig %+v", i, ourLibs[i], realLibs[i])
				}
			}
			if again := ldcache.Encode(ourLibs, gen); !bytes.Equal(again, real) {
				t.Errorf("encoded with ldconfig's generator string, ours differs:\nours %x\nreal %x", again, real)
			}
			// And ldconfig reads ours back the same way.
			p1, err1 := exec.Command(ldconfig[0], append(ldconfig[1:], "-p", "-C", filepath.Join(dir, "etc/ld.so.cache"))...).Output()
			p2, err2 := exec.Command(ldconfig[0], append(ldconfig[1:], "-p", "-C", filepath.Join(dir, "etc/ld.so.cache.real"))...).Output()
			if err1 != nil || err2 != nil {
				t.Fatalf("ldconfig -p: %v %v", err1, err2)
			}
			body := func(b []byte) string {
				lines := strings.Split(string(b), "\n")
				return strings.Join(lines[1:len(lines)-2], "\n") // drop "N libs found in..." and "Cache generated by"
			}
			if body(p1) != body(p2) {
				t.Errorf("ldconfig -p: ours\n%s\nreal\n%s", p1, p2)
			}
		})
	}
}

// TestAppdRuns runs appd, which needs libfoo from /usr/lib64, in a chroot
// of our tree: only our ld.so.cache tells the loader where libfoo is.
func TestAppdRuns(t *testing.T) {
	chroot := testutil.RequireTool(t, "chroot", "coreutils")
	for _, arch := range []string{"x86_64", "aarch64"} {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			for _, withCache := range []bool{false, true} {
				data, _ := build(t, rootfs.Options{BuildTime: buildTime, LDCache: withCache, Arch: arch}, appdSet(t, arch))
				dir := untar(t, data)
				if arch == "aarch64" {
					testutil.RequireTool(t, "qemu-aarch64-static", "qemu-user-static")
					if !binfmtAArch64() {
						t.Skip("binfmt_misc for aarch64 is not registered (mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc && update-binfmts --enable qemu-aarch64)")
					}
				}
				out, err := exec.Command(chroot, dir, "/usr/bin/appd").CombinedOutput()
				if withCache && err != nil {
					t.Errorf("appd with our ld.so.cache: %v\n%s", err, out)
				}
				if !withCache && err == nil {
					t.Errorf("appd ran without ld.so.cache: the test proves nothing (%s)", out)
				}
				if withCache {
					t.Logf("appd: %s", out)
				}
			}
		})
	}
}

func binfmtAArch64() bool {
	if _, err := os.Stat("/proc/sys/fs/binfmt_misc/qemu-aarch64"); err == nil {
		return true
	}
	if os.Geteuid() != 0 {
		return false
	}
	if _, err := os.Stat("/proc/sys/fs/binfmt_misc/register"); err != nil {
		exec.Command("mount", "-t", "binfmt_misc", "binfmt_misc", "/proc/sys/fs/binfmt_misc").Run()
	}
	exec.Command("update-binfmts", "--enable", "qemu-aarch64").Run()
	_, err := os.Stat("/proc/sys/fs/binfmt_misc/qemu-aarch64")
	return err == nil
}

// arm64Ldconfig fetches Debian's arm64 ldconfig (libc-bin:arm64, a static
// binary) the way scripts/gen-testrepo.sh fetches busybox-static:arm64.
func arm64Ldconfig(t *testing.T) string {
	t.Helper()
	apt := testutil.RequireTool(t, "apt-get", "apt")
	dpkgDeb := testutil.RequireTool(t, "dpkg-deb", "dpkg")
	dir := t.TempDir()
	cmd := exec.Command(apt, "download", "-q", "libc-bin:arm64")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		msg := "cannot download libc-bin:arm64 (dpkg --add-architecture arm64 && apt-get update): " + err.Error() + "\n" + string(out)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	debs, _ := filepath.Glob(filepath.Join(dir, "libc-bin_*_arm64.deb"))
	if len(debs) != 1 {
		t.Fatalf("downloaded %v", debs)
	}
	if out, err := exec.Command(dpkgDeb, "-x", debs[0], filepath.Join(dir, "x")).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb -x: %v\n%s", err, out)
	}
	return filepath.Join(dir, "x/sbin/ldconfig")
}
