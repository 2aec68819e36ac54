package rootfs_test

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/layers/rootfs"
	"github.com/slipway-build/slipway/layers/rootfs/accounts"
	"github.com/slipway-build/slipway/layers/rootfs/rootfstest"
)

// requireUserNamespaces skips (locally) or fails (CI) when the machine
// lets no process make the namespaces scriptlets run in.
func requireUserNamespaces(t *testing.T) {
	t.Helper()
	if err := rootfs.CheckUserNamespaces(t.TempDir()); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
}

// TestRunScriptletsAgree builds the packages of TestScriptletsMatchDNF
// (whose emulated tree equals dnf's with scriptlets on) with the
// scriptlets run for real in a user namespace: the trees are the same.
func TestRunScriptletsAgree(t *testing.T) {
	t.Parallel()
	requireUserNamespaces(t)
	repo := scriptletRepo(t)
	rpms := pick(t, repo, "setup-*.rpm", "filesystem-*.rpm", "busybox-*.x86_64.rpm", "sl-applets-*.rpm", "sl-shell-*.rpm", "sl-lua-*.rpm")
	opts := rootfs.Options{BuildTime: buildTime, Homes: true,
		Users:  []accounts.User{{Name: "nonroot", UID: 65532, GID: 65532, Home: "/home/nonroot", Shell: "/sbin/nologin"}},
		Groups: []accounts.Group{{Name: "nonroot", GID: 65532}}}
	emulated, _ := build(t, opts, rpms)
	opts.RunScriptlets = true
	ran, _ := build(t, opts, rpms)
	got, want := readTree(t, ran), readTree(t, emulated)
	if f := got["/home/nonroot"]; f.Type != "dir" || f.UID != 65532 {
		t.Errorf("/home/nonroot: %v", f)
	}
	if passwd := readFiles(t, ran, "etc/passwd")["etc/passwd"]; !strings.Contains(string(passwd), "nonroot:x:65532:65532:") {
		t.Errorf("the configured account is not in /etc/passwd:\n%s", passwd)
	}
	// The effects must be there (two trees without them would agree).
	for _, p := range []string{"/etc/shells", "/root/.bash_logout", "/var/lib/slsh/state/seen", "/usr/bin/slsh2", "/usr/lib/slsh-link"} {
		if _, ok := got[p]; !ok {
			t.Errorf("the run tree has no %s: the scriptlets did not run", p)
		}
	}
	if _, ok := got["/etc/sl-remove-me"]; ok {
		t.Error("the run tree still has /etc/sl-remove-me: rm did not run")
	}
	// What the run changed is dated with the build time, never the
	// clock; package files keep their headers' mtimes (as in the
	// emulated tree, which dates only what it generates).
	for p, f := range got {
		if f.MTime > buildTime && f.MTime != want[p].MTime {
			t.Errorf("%s: mtime %d after the build time, and not the package's (%d)", p, f.MTime, want[p].MTime)
		}
	}
	rootfstest.AssertSame(t, got.WithoutMTimes(), want.WithoutMTimes())
}

// TestRunScriptletsAarch64: the same packages with aarch64's busybox,
// the scriptlets run under qemu-aarch64 through binfmt_misc: the same
// tree as the emulation's.
func TestRunScriptletsAarch64(t *testing.T) {
	t.Parallel()
	requireUserNamespaces(t)
	b, err := os.ReadFile("/proc/sys/fs/binfmt_misc/qemu-aarch64")
	if err != nil || !strings.HasPrefix(string(b), "enabled") || !strings.Contains(string(b), "flags: ") {
		msg := "qemu-aarch64 is not registered in binfmt_misc (apt-get install qemu-user-static binfmt-support; update-binfmts --enable qemu-aarch64)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	repo := scriptletRepo(t)
	arm, _ := filepath.Glob(filepath.Join(repos(t).Dir["aarch64"], "busybox-*.aarch64.rpm"))
	if len(arm) != 1 {
		t.Fatalf("aarch64 busybox: %v", arm)
	}
	rpms := append(pick(t, repo, "setup-*.rpm", "filesystem-*.rpm", "sl-applets-*.rpm", "sl-shell-*.rpm"), arm...)
	emulated, _ := build(t, rootfs.Options{BuildTime: buildTime, Arch: "aarch64"}, rpms)
	ran, _ := build(t, rootfs.Options{BuildTime: buildTime, Arch: "aarch64", RunScriptlets: true}, rpms)
	got, want := readTree(t, ran), readTree(t, emulated)
	for _, p := range []string{"/root/.bash_logout", "/var/lib/slsh/state/seen", "/usr/bin/slsh2"} {
		if _, ok := got[p]; !ok {
			t.Errorf("the run tree has no %s: the scriptlets did not run", p)
		}
	}
	if _, ok := got["/etc/sl-remove-me"]; ok {
		t.Error("the run tree still has /etc/sl-remove-me: rm did not run")
	}
	rootfstest.AssertSame(t, got.WithoutMTimes(), want.WithoutMTimes())
}

// TestUserNamespacesUnprivileged runs the namespace check as nobody (the
// test runs as root here, where it always works): it works without any
// privilege.
func TestUserNamespacesUnprivileged(t *testing.T) {
	if os.Getenv("SLIPWAY_TEST_USERNS_CHILD") != "" {
		if err := rootfs.CheckUserNamespaces(os.Getenv("SLIPWAY_TEST_USERNS_CHILD")); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Parallel()
	if os.Geteuid() != 0 {
		requireUserNamespaces(t) // already unprivileged
		return
	}
	setpriv := testutil.RequireTool(t, "setpriv", "util-linux")
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "rootfs.test")
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", bin, "-test.run=^TestUserNamespacesUnprivileged$", "-test.v")
	cmd.Env = append(os.Environ(), "SLIPWAY_TEST_USERNS_CHILD="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("as nobody: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "--- PASS: TestUserNamespacesUnprivileged") {
		t.Fatalf("as nobody, the check did not run:\n%s", out)
	}
}

// TestRunScriptletsForeignArch: a foreign architecture without qemu in
// binfmt_misc fails with a message saying what to install.
func TestRunScriptletsForeignArch(t *testing.T) {
	t.Parallel()
	requireUserNamespaces(t)
	if b, err := os.ReadFile("/proc/sys/fs/binfmt_misc/qemu-riscv64"); err == nil && strings.HasPrefix(string(b), "enabled") {
		t.Skip("qemu-riscv64 is registered here")
	}
	repo := scriptletRepo(t)
	w, err := rootfs.New(rootfs.Options{BuildTime: buildTime, RunScriptlets: true, Arch: "riscv64", SpoolDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.AddRPMFiles(t.Context(), pick(t, repo, "setup-*.rpm", "sl-shell-*.rpm")); err != nil {
		t.Fatal(err)
	}
	_, err = w.WriteTar(t.Context(), discard{})
	want := `scriptlets = "run" for riscv64 on a x86_64 host needs qemu-user registered in binfmt_misc`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err %v, want %q", err, want)
	}
	if errors.Is(err, rootfs.ErrNoUserNamespaces) {
		t.Fatal("reported as a namespace problem")
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// TestRunScriptletsConfined: a %post that leaves its chroot the classic
// way (root in a user namespace may chroot) and tries to write in a
// root-owned host folder fails: inside, root is an unused host id when
// slipway runs as root, and the caller itself otherwise.
func TestRunScriptletsConfined(t *testing.T) {
	t.Parallel()
	requireUserNamespaces(t)
	goTool := testutil.RequireTool(t, "go", "golang")
	bin := filepath.Join(t.TempDir(), "sl-escape")
	cmd := exec.Command(goTool, "build", "-o", bin, "./testdata/escape")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	prog, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	target := t.TempDir() // the caller's, mode 0755: only writing is refused
	for _, d := range []string{filepath.Dir(target), target} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	devTarget := t.TempDir()
	repo := scriptletRepo(t)
	var log strings.Builder
	build(t, rootfs.Options{BuildTime: buildTime, RunScriptlets: true, Log: slog.New(slog.NewTextHandler(&log, nil))},
		pick(t, repo, "sl-escape-*.rpm"),
		rootfs.Entry{Path: "/usr/bin/sl-escape", Mode: 0o755, Data: prog},
		rootfs.Entry{Path: "/etc/escape-target", Mode: 0o644, Data: []byte(target + "\n")},
		// A /dev link to a host folder: the stand-in /dev/null must not
		// be written through it.
		rootfs.Entry{Path: "/dev", Mode: fs.ModeSymlink | 0o777, LinkTo: devTarget})
	if _, err := os.Lstat(filepath.Join(devTarget, "null")); err == nil {
		t.Error("/dev/null was written through the image's /dev link, on the host")
	}
	if _, err := os.Stat(filepath.Join(target, "escaped")); err == nil {
		t.Fatalf("a scriptlet wrote on the host:\n%s", log.String())
	}
	// The program did get out of the chroot: what stopped it is the id.
	if !strings.Contains(log.String(), "status 3: escaped, but cannot write") || !strings.Contains(log.String(), "permission denied") {
		t.Errorf("the hostile program did not run as meant:\n%s", log.String())
	}
}

// TestRunScriptletsOwners: files a scriptlet gives to an account (chown
// by number) keep that owner in the layer; when slipway runs as root the
// namespaces map 65536 ids, so the chown works inside.
func TestRunScriptletsOwners(t *testing.T) {
	t.Parallel()
	requireUserNamespaces(t)
	if os.Geteuid() != 0 {
		t.Skip("an unprivileged caller maps only itself: chown to another id fails inside")
	}
	repo := scriptletRepo(t)
	var log strings.Builder
	data, _ := build(t, rootfs.Options{BuildTime: buildTime, RunScriptlets: true, Log: slog.New(slog.NewTextHandler(&log, nil))},
		pick(t, repo, "setup-*.rpm", "filesystem-*.rpm", "busybox-*.x86_64.rpm", "sl-owner-*.rpm"))
	tr := readTree(t, data)
	for p, want := range map[string][3]int{
		"/etc/sl-owned":          {4242, 4343, 0o644},
		"/var/lib/sl-owner-home": {4242, 0, 0o755},
		"/etc/sl-kept":           {0, 0, 0o640},
	} {
		if f := tr[p]; f.UID != want[0] || f.GID != want[1] || f.Mode != uint32(want[2]) {
			t.Errorf("%s: %v, want %d:%d %04o\n%s", p, f, want[0], want[1], want[2], log.String())
		}
	}
}
