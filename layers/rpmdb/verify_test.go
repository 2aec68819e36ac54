package rpmdb

import (
	"bufio"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/layers/rpm"
	"golang.org/x/sys/unix"
)

// extract writes a package's payload into root the way rpm would: contents,
// owners (looked up in root's /etc/passwd and /etc/group), modes, file
// capabilities, hard links and mtimes. It is a test helper, not a rootfs
// writer: it trusts the test packages' paths.
func extract(t *testing.T, root, path string, setcap string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := rpm.Open(f)
	if err != nil {
		t.Fatal(err)
	}
	pl, err := p.Payload()
	if err != nil {
		t.Fatal(err)
	}
	defer pl.Close()
	type linkKey struct{ dev, ino uint32 }
	links := map[linkKey][]*rpm.File{}
	var done []*rpm.File
	for {
		fi, r, err := pl.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		dst := filepath.Join(root, fi.Path)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		switch {
		case fi.IsDir():
			if err := os.MkdirAll(dst, 0o755); err != nil {
				t.Fatal(err)
			}
		case fi.IsSymlink():
			os.Remove(dst)
			if err := os.Symlink(fi.LinkTo, dst); err != nil {
				t.Fatal(err)
			}
		case fi.IsRegular():
			os.Remove(dst)
			w, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
			if err != nil {
				t.Fatal(err)
			}
			n, err := io.Copy(w, r)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			k := linkKey{fi.Device, fi.Inode}
			if n > 0 || fi.Size == 0 {
				links[k] = append([]*rpm.File{fi}, links[k]...) // the one with data first
			} else {
				links[k] = append(links[k], fi)
			}
		default:
			t.Fatalf("%s: %s: file type %o not handled by the test", path, fi.Path, fi.Mode)
		}
		done = append(done, fi)
	}
	for _, set := range links {
		for _, fi := range set[1:] {
			dst := filepath.Join(root, fi.Path)
			os.Remove(dst)
			if err := os.Link(filepath.Join(root, set[0].Path), dst); err != nil {
				t.Fatal(err)
			}
		}
	}
	users, groups := idMap(t, filepath.Join(root, "etc/passwd")), idMap(t, filepath.Join(root, "etc/group"))
	for _, fi := range done {
		dst := filepath.Join(root, fi.Path)
		uid, ok := users[fi.User]
		if !ok {
			t.Fatalf("%s: no user %q in the root's /etc/passwd", fi.Path, fi.User)
		}
		gid, ok := groups[fi.Group]
		if !ok {
			t.Fatalf("%s: no group %q in the root's /etc/group", fi.Path, fi.Group)
		}
		if err := os.Lchown(dst, uid, gid); err != nil {
			t.Fatal(err)
		}
		if !fi.IsSymlink() {
			if err := unix.Chmod(dst, fi.Mode&0o7777); err != nil {
				t.Fatal(err)
			}
		}
		if fi.Caps != "" {
			if out, err := exec.Command(setcap, fi.Caps, dst).CombinedOutput(); err != nil {
				t.Fatalf("setcap %s %s: %v: %s", fi.Caps, dst, err, out)
			}
		}
		ts := []unix.Timespec{unix.NsecToTimespec(fi.MTime * 1e9), unix.NsecToTimespec(fi.MTime * 1e9)}
		if err := unix.UtimesNanoAt(unix.AT_FDCWD, dst, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			t.Fatal(err)
		}
	}
}

// idMap reads name -> id from a passwd or group file.
func idMap(t *testing.T, path string) map[string]int {
	t.Helper()
	m := map[string]int{"root": 0}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return m
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Split(s.Text(), ":")
		if len(fields) < 3 {
			continue
		}
		if id, err := strconv.Atoi(fields[2]); err == nil {
			m[fields[0]] = id
		}
	}
	return m
}

// appendLine adds a line to a file, keeping its mode.
func appendLine(t *testing.T, path, line string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(line + "\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyExtracted extracts a consistent package set into a root, writes
// our database beside it, and wants rpm -Va to find every file as the
// database describes it (mode, owner, mtime, size, digest, link target,
// capabilities).
func TestVerifyExtracted(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("rpm -Va needs files owned by their users: run as root")
	}
	setcap := testutil.RequireTool(t, "setcap", "libcap2-bin")
	skip := []string{"tzdata-2023c", "timekeeper-1.0", "oldwebd", "tinyhttpd"}
	var files []string
	for _, f := range repoRPMs(t, "x86_64") {
		if !slices.ContainsFunc(skip, func(s string) bool { return strings.HasPrefix(filepath.Base(f), s) }) {
			files = append(files, f)
		}
	}
	// filesystem, then setup (users and groups), then the rest.
	first := func(name string) int {
		switch {
		case strings.HasPrefix(filepath.Base(name), "filesystem-"):
			return 0
		case strings.HasPrefix(filepath.Base(name), "setup-"):
			return 1
		}
		return 2
	}
	slices.SortStableFunc(files, func(a, b string) int { return first(a) - first(b) })

	root := t.TempDir()
	for _, f := range files {
		extract(t, root, f, setcap)
		if first(f) == 1 {
			// What webd's %pre would do; -V then reports these two edited
			// config files, and nothing else.
			appendLine(t, filepath.Join(root, "etc/passwd"), "webd:x:980:980::/var/lib/webd:/sbin/nologin")
			appendLine(t, filepath.Join(root, "etc/group"), "webd:x:980:")
		}
	}
	dbPath := filepath.Join(root, SQLitePath)
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o755); err != nil {
		t.Fatal(err)
	}
	pkgs := installedList(t, files)
	if err := WriteSQLite(t.Context(), dbPath, pkgs, Options{InstallTime: 1700000000, Arch: "x86_64"}); err != nil {
		t.Fatal(err)
	}
	r := newRPM(t, root)
	out, err := r.run("-Va")
	var bad []string
	for _, l := range sortedLines(out) {
		if strings.HasSuffix(l, " /etc/passwd") || strings.HasSuffix(l, " /etc/group") {
			continue
		}
		bad = append(bad, l)
	}
	if len(bad) > 0 {
		t.Errorf("rpm -Va finds differences (%v):\n%s", err, strings.Join(bad, "\n"))
	}
	if n := strings.Count(out, "\n"); n != 2 {
		t.Errorf("rpm -Va printed %d lines, want the 2 edited config files:\n%s", n, out)
	}
	// And a change must show: rpm really verified the files.
	if err := os.Chmod(filepath.Join(root, "usr/bin/busybox"), 0o700); err != nil {
		t.Fatal(err)
	}
	if out, _ := r.run("-V", "busybox"); !strings.Contains(out, "/usr/bin/busybox") {
		t.Errorf("rpm -V busybox does not see a changed mode: %q", out)
	}
}
