// Package rootfstest compares image trees: a tar layer as the rootfs writer
// makes it, a folder a real tool filled (dnf --installroot, umoci unpack,
// tar -x). Every difference is reported, one line each.
package rootfstest

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/rpmmeta"
)

// File is what a comparison looks at for one path.
type File struct {
	Type     string // "dir", "file", "symlink", "char", "block", "fifo"
	Mode     uint32 // permissions with setuid, setgid and sticky bits
	UID, GID int
	Size     int64
	SHA256   string // regular files
	Link     string // symlink target
	HardLink string // for a hard-link set, the set's first path (byte order); "" otherwise
	Caps     string // hex of the security.capability xattr, "" when none
	MTime    int64  // seconds; Diff compares it only when both sides have one
}

func (f File) String() string {
	s := fmt.Sprintf("%s %04o %d:%d", f.Type, f.Mode, f.UID, f.GID)
	switch f.Type {
	case "file":
		s += fmt.Sprintf(" size=%d sha256=%.12s", f.Size, f.SHA256)
	case "symlink":
		s += " -> " + f.Link
	}
	if f.HardLink != "" {
		s += " hardlink=" + f.HardLink
	}
	if f.Caps != "" {
		s += " caps=" + f.Caps
	}
	if f.MTime != 0 {
		s += fmt.Sprintf(" mtime=%d", f.MTime)
	}
	return s
}

// Tree maps absolute paths ("/usr/bin/sh") to files. The root is not in it.
type Tree map[string]File

// FromTar reads a tar layer. Hard links (TypeLink) become regular files
// with the target's content and HardLink set on every member.
func FromTar(r io.Reader) (Tree, error) {
	t := Tree{}
	tr := tar.NewReader(r)
	links := map[string][]string{} // head -> members
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading tar: %w", err)
		}
		p := path.Clean("/" + h.Name)
		if p == "/" {
			continue
		}
		f := File{Mode: uint32(h.Mode) & 0o7777, UID: h.Uid, GID: h.Gid, MTime: h.ModTime.Unix()}
		if c, ok := h.PAXRecords["SCHILY.xattr.security.capability"]; ok {
			f.Caps = hex.EncodeToString([]byte(c))
		}
		switch h.Typeflag {
		case tar.TypeDir:
			f.Type = "dir"
		case tar.TypeSymlink:
			f.Type, f.Link = "symlink", h.Linkname
		case tar.TypeChar:
			f.Type = "char"
		case tar.TypeBlock:
			f.Type = "block"
		case tar.TypeFifo:
			f.Type = "fifo"
		case tar.TypeReg:
			d := sha256.New()
			n, err := io.Copy(d, tr)
			if err != nil {
				return nil, fmt.Errorf("reading %s from tar: %w", p, err)
			}
			f.Type, f.Size, f.SHA256 = "file", n, hex.EncodeToString(d.Sum(nil))
		case tar.TypeLink:
			head := path.Clean("/" + h.Linkname)
			hf, ok := t[head]
			if !ok {
				return nil, fmt.Errorf("tar: hard link %s to %s, which comes later or not at all", p, head)
			}
			f.Type, f.Size, f.SHA256 = "file", hf.Size, hf.SHA256
			links[head] = append(links[head], p)
		default:
			return nil, fmt.Errorf("tar: %s has type %q", p, h.Typeflag)
		}
		if _, dup := t[p]; dup {
			return nil, fmt.Errorf("tar: %s appears twice", p)
		}
		t[p] = f
	}
	for head, members := range links {
		all := append([]string{head}, members...)
		slices.Sort(all)
		for _, m := range all {
			f := t[m]
			f.HardLink = all[0]
			t[m] = f
		}
	}
	return t, nil
}

// FromTarFile reads a tar layer from a file.
func FromTarFile(name string) (Tree, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return FromTar(f)
}

// FromDir reads a folder as an image root (symlinks are not followed).
func FromDir(root string) (Tree, error) {
	t := Tree{}
	inodes := map[uint64][]string{}
	err := filepath.WalkDir(root, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, name)
		if rel == "." {
			return nil
		}
		p := "/" + filepath.ToSlash(rel)
		fi, err := os.Lstat(name)
		if err != nil {
			return err
		}
		st, _ := fi.Sys().(*syscall.Stat_t)
		f := File{Mode: uint32(fi.Mode().Perm()), MTime: fi.ModTime().Unix()}
		if fi.Mode()&fs.ModeSetuid != 0 {
			f.Mode |= 0o4000
		}
		if fi.Mode()&fs.ModeSetgid != 0 {
			f.Mode |= 0o2000
		}
		if fi.Mode()&fs.ModeSticky != 0 {
			f.Mode |= 0o1000
		}
		if st != nil {
			f.UID, f.GID = int(st.Uid), int(st.Gid)
		}
		switch m := fi.Mode(); {
		case m.IsDir():
			f.Type = "dir"
		case m&fs.ModeSymlink != 0:
			l, err := os.Readlink(name)
			if err != nil {
				return err
			}
			f.Type, f.Link = "symlink", l
		case m&fs.ModeCharDevice != 0:
			f.Type = "char"
		case m&fs.ModeDevice != 0:
			f.Type = "block"
		case m&fs.ModeNamedPipe != 0:
			f.Type = "fifo"
		case m.IsRegular():
			b, err := os.Open(name)
			if err != nil {
				return err
			}
			d := sha256.New()
			n, err := io.Copy(d, b)
			b.Close()
			if err != nil {
				return err
			}
			f.Type, f.Size, f.SHA256 = "file", n, hex.EncodeToString(d.Sum(nil))
			buf := make([]byte, 64)
			if n, err := syscall.Getxattr(name, "security.capability", buf); err == nil && n > 0 {
				f.Caps = hex.EncodeToString(buf[:n])
			}
			if st != nil && st.Nlink > 1 {
				inodes[st.Ino] = append(inodes[st.Ino], p)
			}
		default:
			f.Type = "other"
		}
		t[p] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", root, err)
	}
	for _, ps := range inodes {
		if len(ps) < 2 {
			continue
		}
		slices.Sort(ps)
		for _, p := range ps {
			f := t[p]
			f.HardLink = ps[0]
			t[p] = f
		}
	}
	return t, nil
}

// DNFFiles are what dnf leaves in an installroot of its own: leave them
// out when comparing with a dnf tree.
var DNFFiles = []string{
	"/var/lib/dnf", "/var/log/dnf*", "/var/log/hawkey.log", "/etc/dnf",
	"/var/lib/rpm", "/var/cache/dnf", "/var/lib/rpm-state",
}

// Without returns a copy of t without the paths matching any glob
// (rpmmeta.MatchPath syntax) and everything below them.
func (t Tree) Without(globs ...string) Tree {
	out := Tree{}
	var cut []string
	for p := range t {
		for _, g := range globs {
			if rpmmeta.MatchPath(g, p) {
				cut = append(cut, p)
			}
		}
	}
	for p, f := range t {
		drop := false
		for _, c := range cut {
			if p == c || strings.HasPrefix(p, c+"/") {
				drop = true
				break
			}
		}
		if !drop {
			out[p] = f
		}
	}
	return out
}

// WithoutMTimes returns a copy of t with no modification times (Diff then
// ignores them).
func (t Tree) WithoutMTimes() Tree {
	out := Tree{}
	for p, f := range t {
		f.MTime = 0
		out[p] = f
	}
	return out
}

// Diff lists every difference between got and want, one line each, sorted
// by path. Modification times count only where both sides have one.
func Diff(got, want Tree) []string {
	var out []string
	paths := map[string]bool{}
	for p := range got {
		paths[p] = true
	}
	for p := range want {
		paths[p] = true
	}
	sorted := make([]string, 0, len(paths))
	for p := range paths {
		sorted = append(sorted, p)
	}
	sort.Strings(sorted)
	for _, p := range sorted {
		g, gok := got[p]
		w, wok := want[p]
		switch {
		case !gok:
			out = append(out, fmt.Sprintf("%s: missing (want %v)", p, w))
		case !wok:
			out = append(out, fmt.Sprintf("%s: unexpected (got %v)", p, g))
		default:
			if g.MTime == 0 || w.MTime == 0 {
				g.MTime, w.MTime = 0, 0
			}
			if g != w {
				out = append(out, fmt.Sprintf("%s: got %v, want %v", p, g, w))
			}
		}
	}
	return out
}

// AssertSame fails t with every difference between got and want.
func AssertSame(t testing.TB, got, want Tree) {
	t.Helper()
	d := Diff(got, want)
	if len(d) > 0 {
		t.Errorf("%d differences (got = ours, want = reference):\n%s", len(d), strings.Join(d, "\n"))
	}
}

// DNFInstall installs pkgs from the repository folder repoDir with dnf into
// a fresh root, without scriptlets, and returns the root. It needs root
// privileges (skipped otherwise) and dnf (testutil.RequireTool).
func DNFInstall(t testing.TB, repoDir, keyFile, arch string, pkgs ...string) string {
	t.Helper()
	return DNFInstallWith(t, repoDir, keyFile, arch, nil, pkgs...)
}

// DNFInstallWith is DNFInstall with extra dnf options, e.g.
// "--setopt=tsflags=noscripts,nodocs".
func DNFInstallWith(t testing.TB, repoDir, keyFile, arch string, extra []string, pkgs ...string) string {
	t.Helper()
	dnf := testutil.RequireTool(t, "dnf", "dnf")
	if os.Geteuid() != 0 {
		t.Skip("dnf --installroot needs root")
	}
	base := t.TempDir()
	home, root := filepath.Join(base, "home"), filepath.Join(base, "root")
	for _, d := range []string{home, root} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(home, ".rpmmacros"), []byte("%_dbpath /var/lib/rpm\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-y", "-q", "--refresh", "--releasever=3", "--setopt=reposdir=/dev/null",
		// dnf puts its cache under the installroot: keep it in a place
		// DNFFiles leaves out.
		"--setopt=cachedir=/var/cache/dnf", "--setopt=install_weak_deps=False", "--setopt=gpgcheck=1",
		"--setopt=tsflags=noscripts", "--installroot=" + root, "--forcearch=" + arch,
		"--repofrompath=local,file://" + repoDir, "--repo=local", "--setopt=local.gpgkey=file://" + keyFile}
	args = append(append(args, extra...), "install")
	cmd := exec.Command(dnf, append(args, pkgs...)...)
	cmd.Env = append(os.Environ(), "HOME="+home)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("dnf install %v: %v\n%s", pkgs, err, out)
	}
	return root
}
