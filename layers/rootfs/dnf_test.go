package rootfs_test

import (
	"strings"
	"testing"

	"github.com/slipway-build/slipway/layers/rootfs"
	"github.com/slipway-build/slipway/layers/rootfs/rootfstest"
)

const buildTime = 1700000000 + 86400

// TestMatchesDNF installs the same packages with dnf --installroot
// (tsflags=noscripts) and with the writer, and compares the trees.
func TestMatchesDNF(t *testing.T) {
	r := repos(t)
	for _, arch := range []string{"x86_64", "aarch64"} {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			root := rootfstest.DNFInstall(t, r.Dir[arch], r.KeyFile, arch,
				"webd", "appd", "busybox", "core-packages-container", "tzdata")
			rpms := installed(t, root, r.Dir[arch])
			// A build time after every packaged mtime: nothing is clamped,
			// so package files keep the mtimes rpm gives them.
			const late = 2000000000
			data, rep := build(t, rootfs.Options{BuildTime: late, Docs: true, LDCache: true, Arch: arch}, rpms)
			got := readTree(t, data)
			want, err := rootfstest.FromDir(root)
			if err != nil {
				t.Fatal(err)
			}
			want = want.Without(rootfstest.DNFFiles...)
			// Files we make on purpose, checked by their own tests.
			ours := []string{"/etc/passwd", "/etc/group", "/etc/ld.so.cache"}
			for _, p := range ours {
				if _, ok := got[p]; !ok {
					t.Errorf("%s missing from our tree", p)
				}
			}
			got, want = got.Without(ours...), want.Without(ours...)
			// Without scriptlets dnf's rpm falls back to root for the
			// owner webd; ours comes from webd's sysusers.d file.
			for _, p := range []string{"/var/lib/webd"} {
				f := want[p]
				f.UID, f.GID = 999, 999
				want[p] = f
			}
			// A folder's mtime on disk changes as files are made in it
			// after rpm set it: compare files' and symlinks' mtimes only.
			for _, tr := range []rootfstest.Tree{got, want} {
				for p, f := range tr {
					if f.Type == "dir" {
						f.MTime = 0
						tr[p] = f
					}
				}
			}
			rootfstest.AssertSame(t, got, want)
			if len(rep.Packages) != len(rpms) {
				t.Errorf("report lists %d packages, want %d", len(rep.Packages), len(rpms))
			}
			t.Logf("%d entries, %d bytes, warnings: %q", rep.Entries, rep.Bytes, rep.Warnings)
		})
	}
}

// TestNoDocsMatchesDNF compares Docs=false with dnf's tsflags=nodocs: rpm
// drops %doc files (and the package folders that leaves empty) but keeps
// %license ones, and so do we; DropLicenses drops those too.
func TestNoDocsMatchesDNF(t *testing.T) {
	t.Parallel()
	r := repos(t)
	root := rootfstest.DNFInstallWith(t, r.Dir["x86_64"], r.KeyFile, "x86_64",
		[]string{"--setopt=tsflags=noscripts,nodocs"}, "webd", "webd-doc", "tzdata")
	rpms := installed(t, root, r.Dir["x86_64"])
	data, _ := build(t, rootfs.Options{BuildTime: buildTime, Docs: false}, rpms)
	// /var/log and /var/cache: dnf's own (filesystem is not in this set).
	ours := []string{"/etc/passwd", "/etc/group", "/var/log", "/var/cache"}
	got := readTree(t, data).Without(ours...).WithoutMTimes()
	want, err := rootfstest.FromDir(root)
	if err != nil {
		t.Fatal(err)
	}
	want = want.Without(rootfstest.DNFFiles...).Without(ours...).WithoutMTimes()
	if f, ok := want["/var/lib/webd"]; ok {
		f.UID, f.GID = 999, 999 // from the emulated %pre; rpm without scriptlets falls back to root
		want["/var/lib/webd"] = f
	}
	licenses := 0
	for p := range want {
		if strings.HasPrefix(p, "/usr/share/licenses/") {
			licenses++
		}
	}
	if licenses == 0 {
		t.Error("dnf kept no license files: the test checks nothing about them")
	}
	if _, ok := want["/usr/share/doc/webd-2.4/README"]; ok {
		t.Error("dnf nodocs kept README: the oracle is not what this test assumes")
	}
	rootfstest.AssertSame(t, got, want)

	// DropLicenses: the same tree without the license files and the
	// folders that held only them.
	data, _ = build(t, rootfs.Options{BuildTime: buildTime, Docs: false, DropLicenses: true}, rpms)
	got = readTree(t, data).Without(ours...).WithoutMTimes()
	for p := range want {
		if strings.HasPrefix(p, "/usr/share/licenses/") {
			if _, ok := got[p]; ok {
				t.Errorf("license %s kept with DropLicenses", p)
			}
			delete(want, p)
		}
	}
	delete(want, "/usr/share/licenses") // implied by the license files only
	rootfstest.AssertSame(t, got, want)
}
