package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckPath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		p  string
		ok bool
	}{
		{"/usr/bin/sh", true}, {"/", true}, {"usr/bin", false}, {"/usr/../etc", false},
		{"/usr/./bin", false}, {"/usr//bin", false}, {"/usr/bin/", false}, {"/a\x00b", false}, {"", false},
		{"/..", false}, {"/usr/bin/..x", true},
		// PATH_MAX (4096, with the NUL) and NAME_MAX (255), as Linux and
		// so rpm and tar have them.
		{"/" + strings.Repeat(strings.Repeat("d", 254)+"/", 16) + strings.Repeat("f", 14), true},  // 4095 bytes
		{"/" + strings.Repeat(strings.Repeat("d", 254)+"/", 16) + strings.Repeat("f", 15), false}, // 4096 bytes
		{"/usr/" + strings.Repeat("n", 255), true},
		{"/usr/" + strings.Repeat("n", 256) + "/x", false},
	} {
		if err := checkPath(tc.p); (err == nil) != tc.ok {
			t.Errorf("checkPath(%.100q, %d bytes) = %v, want ok=%v", tc.p, len(tc.p), err, tc.ok)
		}
	}
}

func TestResolveParent(t *testing.T) {
	t.Parallel()
	tr := &tree{m: map[string]*entry{}}
	for p, link := range map[string]string{
		"/lib": "usr/lib", "/usr/lib": "", "/var/run": "../run", "/run": "",
		"/up": "../../../..", "/abs": "/usr/share", "/loop1": "loop2", "/loop2": "loop1",
		"/usr/share": "", "/chain": "lib", "/dotdot": "usr/lib/../../run",
	} {
		e := &entry{path: p, kind: kindDir}
		if link != "" {
			e.kind, e.link = kindSymlink, link
		}
		tr.m[p] = e
	}
	for _, tc := range []struct {
		in, want string
		err      bool
	}{
		{"/lib/x", "/usr/lib/x", false},
		{"/lib", "/lib", false}, // the link itself is not followed
		{"/var/run/a/b", "/run/a/b", false},
		{"/up/etc/passwd", "/etc/passwd", false}, // ".." stops at the image root
		{"/abs/x", "/usr/share/x", false},
		{"/chain/libc.so", "/usr/lib/libc.so", false},
		{"/dotdot/x", "/run/x", false},
		{"/loop1/x", "", true},
	} {
		got, err := tr.resolveParent(tc.in)
		if (err != nil) != tc.err || (!tc.err && got != tc.want) {
			t.Errorf("resolveParent(%q) = %q, %v; want %q (error %v)", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestInsertRules(t *testing.T) {
	t.Parallel()
	reg := func(owner, key string, mode uint32) *entry {
		return &entry{path: "/x", kind: kindReg, key: key, mode: mode, user: "root", group: "root", owner: owner, size: 1}
	}
	for _, tc := range []struct {
		name     string
		old, new *entry
		conflict bool
	}{
		{"same file", reg("a", "k", 0o644), reg("b", "k", 0o644), false},
		{"content", reg("a", "k", 0o644), reg("b", "j", 0o644), true},
		{"mode", reg("a", "k", 0o644), reg("b", "k", 0o755), true},
		{"owner", reg("a", "k", 0o644), &entry{path: "/x", kind: kindReg, key: "k", mode: 0o644, user: "bin", group: "root", owner: "b", size: 1}, true},
		{"dirs", &entry{path: "/x", kind: kindDir, mode: 0o755}, &entry{path: "/x", kind: kindDir, mode: 0o755}, false},
		{"dirs, other mode", &entry{path: "/x", kind: kindDir, mode: 0o755}, &entry{path: "/x", kind: kindDir, mode: 0o700}, true},
		{"dir over symlink", &entry{path: "/x", kind: kindSymlink, link: "y"}, &entry{path: "/x", kind: kindDir, mode: 0o755}, true},
		{"dir vs file", &entry{path: "/x", kind: kindDir}, reg("b", "k", 0o644), true},
		{"symlinks", &entry{path: "/x", kind: kindSymlink, link: "a"}, &entry{path: "/x", kind: kindSymlink, link: "b"}, true},
		{"same symlink", &entry{path: "/x", kind: kindSymlink, link: "a", mode: 0o777}, &entry{path: "/x", kind: kindSymlink, link: "a", mode: 0o755}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := &tree{m: map[string]*entry{"/x": tc.old}}
			err := tr.insert(tc.new, "/x")
			var ce *ConflictError
			if got := errors.As(err, &ce); got != tc.conflict {
				t.Fatalf("insert: %v, want conflict=%v", err, tc.conflict)
			}
		})
	}
}

func FuzzParseCaps(f *testing.F) {
	for _, s := range []string{"cap_net_bind_service=ep", "=ep", "all=p cap_chown-p", "cap_a=", "cap_kill+", "40=i", "63=p", "cap_chown,,=e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		x, err := CapsXattr(s)
		if err == nil && x != nil && len(x) != vfsCapDataSize {
			t.Fatalf("%q: %d bytes", s, len(x))
		}
	})
}

func FuzzResolveParent(f *testing.F) {
	f.Add("usr/lib", "x/y")
	f.Add("../../..", "etc/passwd")
	f.Add("/", "a")
	f.Add("a/../../b", "c")
	f.Fuzz(func(t *testing.T, link, rest string) {
		p := "/a/" + rest
		// Links with NUL are refused when a package is read.
		if checkPath(p) != nil || link == "" || strings.IndexByte(link, 0) >= 0 {
			return
		}
		tr := &tree{m: map[string]*entry{"/a": {path: "/a", kind: kindSymlink, link: link}}}
		got, err := tr.resolveParent(p)
		if err != nil {
			return
		}
		if checkPath(got) != nil || got == "/" {
			t.Fatalf("resolveParent(%q) via %q = %q: not a clean path inside the root", p, link, got)
		}
	})
}

func TestLargestFirst(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var paths []string
	for i, size := range []int{10, 300, 10, 0, 200} {
		p := filepath.Join(dir, fmt.Sprintf("p%d.rpm", i))
		if err := os.WriteFile(p, make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	paths = append(paths, filepath.Join(dir, "missing.rpm"))
	got := fmt.Sprint(largestFirst(paths))
	// By size; equal sizes (and the file that cannot be read, size 0)
	// keep their order.
	if want := "[1 4 0 2 3 5]"; got != want {
		t.Errorf("largestFirst = %s, want %s", got, want)
	}
}
