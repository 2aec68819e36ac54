package rootfs_test

import (
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
