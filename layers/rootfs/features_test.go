package rootfs_test

import (
	"archive/tar"
	"bytes"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/layers/rootfs"
	"github.com/slipway-build/slipway/layers/rootfs/rootfstest"
)

// fullSet is every x86_64 package a webd + appd + busybox + tzdata image
// needs (newest tzdata only), sorted by file name.
func fullSet(t testing.TB) []string {
	r := repos(t)
	var out []string
	for _, f := range r.RPMs["x86_64"] {
		b := filepath.Base(f)
		for _, n := range []string{"filesystem-", "setup-", "glibc-", "libfoo-", "appd-", "busybox-", "webd-2", "tzdata-2024a", "core-packages-container-"} {
			if strings.HasPrefix(b, n) {
				out = append(out, f)
			}
		}
	}
	return out
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	rpms := fullSet(t)
	opts := rootfs.Options{BuildTime: buildTime, LDCache: true, Arch: "x86_64", Remove: []string{"/usr/share/doc/**"}}
	a, _ := build(t, opts, rpms)
	opts.SpoolDir = t.TempDir()
	b, _ := build(t, opts, rpms)
	if !bytes.Equal(a, b) {
		t.Fatalf("two builds differ (%d and %d bytes)", len(a), len(b))
	}
	// One writer, two WriteTar calls: the same bytes.
	w, err := rootfs.New(rootfs.Options{BuildTime: buildTime, SpoolDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.AddRPMFiles(t.Context(), rpms); err != nil {
		t.Fatal(err)
	}
	var w1, w2 bytes.Buffer
	if _, err := w.WriteTar(t.Context(), &w1); err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteTar(t.Context(), &w2); err != nil {
		t.Fatal(err)
	}
	if w1.Len() == 0 || !bytes.Equal(w1.Bytes(), w2.Bytes()) {
		t.Fatalf("two WriteTar calls differ (%d and %d bytes)", w1.Len(), w2.Len())
	}
	// Contents spooled to disk (no memory budget) give the same bytes.
	opts.MemoryBudget = -1
	c, _ := build(t, opts, rpms)
	if !bytes.Equal(a, c) {
		t.Fatalf("a build spooling everything to disk differs (%d and %d bytes)", len(a), len(c))
	}
	// SingleWrite removes the spool files as it goes: the same bytes, an
	// empty spool after the write, and no second write.
	opts.SingleWrite = true
	spool := t.TempDir()
	opts.SpoolDir = spool
	sw, err := rootfs.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer sw.Close()
	if err := sw.AddRPMFiles(t.Context(), rpms); err != nil {
		t.Fatal(err)
	}
	if spooled := spoolFiles(t, spool); spooled == 0 {
		t.Fatal("nothing was spooled to disk: the test checks nothing")
	}
	var d bytes.Buffer
	if _, err := sw.WriteTar(t.Context(), &d); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, d.Bytes()) {
		t.Fatalf("a SingleWrite build differs (%d and %d bytes)", len(a), d.Len())
	}
	if left := spoolFiles(t, spool); left != 0 {
		t.Errorf("SingleWrite left %d spool files after the write", left)
	}
	if _, err := sw.WriteTar(t.Context(), io.Discard); err == nil {
		t.Error("a second WriteTar with SingleWrite succeeded")
	}
	// Entries are in path order, each once.
	tr := tar.NewReader(bytes.NewReader(a))
	prev := ""
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(h.Name, "/")
		if name <= prev {
			t.Errorf("%q comes after %q", name, prev)
		}
		prev = name
		if h.ModTime.Unix() > buildTime {
			t.Errorf("%s: mtime %d after the build time", h.Name, h.ModTime.Unix())
		}
		if h.Format != tar.FormatPAX && h.Format != tar.FormatUSTAR {
			t.Errorf("%s: format %v", h.Name, h.Format)
		}
	}
}

func TestOptionsAndFeatures(t *testing.T) {
	t.Parallel()
	rpms := fullSet(t)
	const early = 1600000000
	data, rep := build(t, rootfs.Options{
		BuildTime:   early,
		ClampMTimes: true,
		Docs:        false,
		Remove:      []string{"/usr/share/zoneinfo/Europe", "/no/such/**"},
	}, rpms,
		rootfs.Entry{Path: "/etc/shells", Mode: 0o600, Data: []byte("/bin/sh\n")},
		rootfs.Entry{Path: "/var/lib/rpmmanifest/container-manifest-1", Mode: 0o644, Data: []byte("x\n")},
		rootfs.Entry{Path: "/lib/added", Mode: 0o644, Data: []byte("y\n")},
	)
	tr := readTree(t, data)

	// Docs gone, their directories kept; licenses kept, as rpm's
	// --excludedocs keeps them.
	for p := range tr {
		if strings.HasPrefix(p, "/usr/share/doc/") && tr[p].Type != "dir" {
			t.Errorf("%s kept with Docs=false", p)
		}
	}
	if tr["/usr/share/licenses/webd-2.4/LICENSE"].Type != "file" {
		t.Errorf("webd's %%license file dropped with Docs=false")
	}
	if tr["/usr/share/doc"].Type != "dir" {
		t.Errorf("/usr/share/doc (owned by filesystem) is gone")
	}
	// Remove globs, and the report of those that matched nothing.
	if _, ok := tr["/usr/share/zoneinfo/Europe/Paris"]; ok {
		t.Error("remove glob /usr/share/zoneinfo/Europe left Europe/Paris")
	}
	if len(rep.UnmatchedRemove) != 1 || rep.UnmatchedRemove[0] != "/no/such/**" {
		t.Errorf("unmatched remove globs: %q", rep.UnmatchedRemove)
	}
	// Caller files replace package files; implied parents appear; parent
	// symlinks are followed.
	if f := tr["/etc/shells"]; f.Mode != 0o600 || f.Size != 8 {
		t.Errorf("/etc/shells not replaced: %v", f)
	}
	if f := tr["/var/lib/rpmmanifest"]; f.Type != "dir" || f.Mode != 0o755 || f.UID != 0 {
		t.Errorf("implied parent: %v", f)
	}
	if tr["/usr/lib/added"].Type != "file" {
		t.Errorf("/lib/added did not land in /usr/lib")
	}
	// Hard links: one file, two links to it.
	head := tr["/usr/share/zoneinfo/Etc/UTC"]
	for _, p := range []string{"/usr/share/zoneinfo/Etc/UTC", "/usr/share/zoneinfo/UTC", "/usr/share/zoneinfo/Zulu"} {
		if tr[p].HardLink != "/usr/share/zoneinfo/Etc/UTC" || tr[p].SHA256 != head.SHA256 {
			t.Errorf("%s: %v", p, tr[p])
		}
	}
	// setuid, sticky, ghost, owners from sysusers.d.
	if tr["/usr/bin/webctl"].Mode != 0o4755 {
		t.Errorf("webctl mode %o", tr["/usr/bin/webctl"].Mode)
	}
	if tr["/tmp"].Mode != 0o1777 {
		t.Errorf("/tmp mode %o", tr["/tmp"].Mode)
	}
	if _, ok := tr["/run/webd.pid"]; ok {
		t.Error("ghost file /run/webd.pid was created")
	}
	if _, ok := tr["/etc/shadow"]; ok {
		t.Error("ghost file /etc/shadow was created")
	}
	if f := tr["/var/lib/webd"]; f.UID != 999 || f.GID != 999 || f.Mode != 0o750 {
		t.Errorf("/var/lib/webd: %v", f)
	}
	// Every mtime is clamped to the (early) build time (ClampMTimes).
	h := tar.NewReader(bytes.NewReader(data))
	for {
		hd, err := h.Next()
		if err != nil {
			break
		}
		if hd.ModTime.Unix() != early {
			t.Errorf("%s: mtime %d, want %d", hd.Name, hd.ModTime.Unix(), early)
			break
		}
	}
	// Scriptlets that were not run.
	var webd *rootfs.PackageReport
	for i := range rep.Packages {
		if strings.HasPrefix(rep.Packages[i].NEVRA, "webd-2") {
			webd = &rep.Packages[i]
		}
	}
	if webd == nil || len(webd.Scriptlets) != 2 || webd.Scriptlets[0].Kind != "%pre" || webd.Scriptlets[1].Kind != "%post" {
		t.Errorf("webd scriptlets: %+v", webd)
	}
}

// TestCapsMatchSetcap writes the capability of webd's binary and compares
// it with what setcap puts on a file.
func TestCapsMatchSetcap(t *testing.T) {
	setcap := testutil.RequireTool(t, "setcap", "libcap2-bin")
	if os.Geteuid() != 0 {
		t.Skip("setcap needs root")
	}
	for _, text := range []string{
		"cap_net_bind_service=ep", "cap_net_bind_service+ep", "cap_chown,cap_fowner=eip",
		"cap_sys_admin,cap_net_raw=p cap_net_raw+i", "cap_setuid=i", "cap_bpf,cap_checkpoint_restore=ep",
		"all=p cap_chown-p", "cap_kill=pe cap_kill-e",
	} {
		t.Run(text, func(t *testing.T) {
			t.Parallel()
			f := filepath.Join(t.TempDir(), "f")
			os.WriteFile(f, nil, 0o755)
			if out, err := exec.Command(setcap, text, f).CombinedOutput(); err != nil {
				t.Fatalf("setcap: %v\n%s", err, out)
			}
			buf := make([]byte, 64)
			n, err := syscall.Getxattr(f, "security.capability", buf)
			if err != nil {
				t.Fatal(err)
			}
			got, err := rootfs.CapsXattr(text)
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(got) != hex.EncodeToString(buf[:n]) {
				t.Errorf("ours %x, setcap %x", got, buf[:n])
			}
		})
	}
}

// TestAccountsMatchSystemdSysusers runs systemd-sysusers on setup's
// /etc/passwd and /etc/group with webd's sysusers.d file, and compares
// the files with ours (webd's %pre, which makes the account first, is
// left out: AuditOnly).
func TestAccountsMatchSystemdSysusers(t *testing.T) {
	t.Parallel()
	sysusers := testutil.RequireTool(t, "systemd-sysusers", "systemd")
	rpms := fullSet(t)
	data, _ := build(t, rootfs.Options{BuildTime: buildTime, AuditOnly: true}, rpms)
	files := map[string][]byte{}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		switch h.Name {
		case "etc/passwd", "etc/group", "usr/lib/sysusers.d/webd.conf":
			files[h.Name], _ = io.ReadAll(tr)
		}
	}
	root := t.TempDir()
	// Start from setup's own files (from a build without webd).
	var noWebd []string
	for _, f := range rpms {
		if !strings.HasPrefix(filepath.Base(f), "webd-") {
			noWebd = append(noWebd, f)
		}
	}
	base := readFiles(t, build2(t, noWebd), "etc/passwd", "etc/group")
	for _, n := range []string{"etc/passwd", "etc/group"} {
		os.MkdirAll(filepath.Join(root, "etc"), 0o755)
		os.WriteFile(filepath.Join(root, n), base[n], 0o644)
	}
	os.MkdirAll(filepath.Join(root, "usr/lib/sysusers.d"), 0o755)
	os.WriteFile(filepath.Join(root, "usr/lib/sysusers.d/webd.conf"), files["usr/lib/sysusers.d/webd.conf"], 0o644)
	if out, err := exec.Command(sysusers, "--root="+root).CombinedOutput(); err != nil {
		t.Fatalf("systemd-sysusers: %v\n%s", err, out)
	}
	for _, n := range []string{"etc/passwd", "etc/group"} {
		want, _ := os.ReadFile(filepath.Join(root, n))
		if string(files[n]) != string(want) {
			t.Errorf("%s: ours\n%s\nsystemd-sysusers\n%s", n, files[n], want)
		}
	}
}

func build2(t *testing.T, rpms []string) []byte {
	d, _ := build(t, rootfs.Options{BuildTime: buildTime}, rpms)
	return d
}

func readFiles(t *testing.T, data []byte, names ...string) map[string][]byte {
	out := map[string][]byte{}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		for _, n := range names {
			if h.Name == n {
				out[n], _ = io.ReadAll(tr)
			}
		}
	}
	return out
}

// TestRealTarAgrees extracts our layer with GNU tar (as root, xattrs on)
// and reads the folder back: the same tree as reading the tar directly.
// This checks the comparison helper and that real tools take our
// headers (PAX xattrs, hard links, devices, modes) as meant.
func TestRealTarAgrees(t *testing.T) {
	t.Parallel()
	data, _ := build(t, rootfs.Options{BuildTime: buildTime, LDCache: true, Arch: "x86_64", Docs: true}, fullSet(t))
	fromTar := readTree(t, data)
	dir := untar(t, data)
	fromDir, err := rootfstest.FromDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fromTar["/usr/sbin/webd"].Caps == "" || fromTar["/usr/share/zoneinfo/UTC"].HardLink == "" {
		t.Fatalf("the tree lacks the caps or hard links this test is about: %v %v", fromTar["/usr/sbin/webd"], fromTar["/usr/share/zoneinfo/UTC"])
	}
	rootfstest.AssertSame(t, fromDir, fromTar)
}

// spoolFiles counts the regular files under dir.
func spoolFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
