package rootfs_test

import (
	"archive/tar"
	"bytes"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/layers/rootfs"
)

// TestPackageMTimes: without ClampMTimes, every package file keeps the
// mtime its header records (rpm -qp's FILEMTIMES, the oracle), even when
// the build time is earlier, while what the Writer generates (ld.so.cache,
// the added entries) carries the build time; so rpm -Va finds no
// modified time and a file is the same entry whatever the package set.
func TestPackageMTimes(t *testing.T) {
	t.Parallel()
	testutil.RequireTool(t, "rpm", "rpm")
	rpms := fullSet(t)
	const early = 1600000000
	data, _ := build(t, rootfs.Options{BuildTime: early, LDCache: true, Arch: "x86_64"}, rpms,
		rootfs.Entry{Path: "/etc/added.conf", Mode: 0o644, Data: []byte("y\n")})
	got := map[string]int64{}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg || h.Typeflag == tar.TypeSymlink {
			got["/"+h.Name] = h.ModTime.Unix()
		}
	}
	// webd's sysusers.d entry rewrites the account files: generated.
	generated := map[string]bool{"/etc/passwd": true, "/etc/group": true, "/etc/shadow": true, "/etc/gshadow": true, "/etc/ld.so.cache": true}
	checked, later := 0, 0
	for _, f := range rpms {
		out, err := exec.Command("rpm", "--dbpath", t.TempDir(), "-qp", "--qf", `[%{FILENAMES} %{FILEMTIMES} %{FILEMODES:perms}\n]`, f).Output()
		if err != nil {
			t.Fatalf("rpm -qp %s: %v", f, err)
		}
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			fs := strings.Fields(l)
			if len(fs) != 3 || (fs[2][0] != '-' && fs[2][0] != 'l') {
				continue
			}
			m, ok := got[fs[0]]
			if generated[fs[0]] || !ok {
				continue // a %ghost, a %doc, a path moved by usrmerge
			}
			want, err := strconv.ParseInt(fs[1], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			checked++
			if want > early {
				later++
			}
			if m != want {
				t.Errorf("%s (%s): mtime %d, the header says %d", fs[0], f, m, want)
			}
		}
	}
	if checked < 20 || later == 0 {
		t.Fatalf("checked %d package files (%d dated after the build time): the test proves nothing", checked, later)
	}
	for _, p := range []string{"/etc/ld.so.cache", "/etc/added.conf", "/etc/passwd", "/etc/group"} {
		if got[p] != early {
			t.Errorf("%s (generated): mtime %d, want the build time %d", p, got[p], early)
		}
	}
}
