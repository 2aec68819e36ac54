package rootfs_test

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/layers/rootfs"
)

// TestReportOwners: every entry of the tar has an owner in the report,
// files come from the package (by the NEVRA rpm prints) that ships them,
// parents nobody ships are "(implied)" and caller files "(added)".
func TestReportOwners(t *testing.T) {
	t.Parallel()
	testutil.RequireTool(t, "rpmbuild", "rpm")
	a := tinyRPM(t, "own-a", "mkdir -p usr/share/oa && echo a > usr/share/oa/f", "/usr/share/oa")
	b := tinyRPM(t, "own-b", "mkdir -p opt/ob/deep && echo b > opt/ob/deep/g", "/opt/ob/deep/g")
	data, rep := build(t, rootfs.Options{BuildTime: 1700000000}, []string{a, b},
		rootfs.Entry{Path: "/etc/added.conf", Mode: 0o644, Data: []byte("x\n")})
	nevraA, nevraB := rpmNEVRA(t, a), rpmNEVRA(t, b)
	tr := tar.NewReader(bytes.NewReader(data))
	n := 0
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		name := strings.TrimSuffix(h.Name, "/")
		owner, ok := rep.Owners[name]
		if !ok {
			t.Errorf("%s has no owner in the report", name)
			continue
		}
		want := ""
		switch {
		case strings.HasPrefix(name, "usr/share/oa"):
			want = nevraA
		case name == "opt/ob/deep/g":
			want = nevraB
		case name == "opt" || name == "opt/ob" || name == "opt/ob/deep":
			want = "(implied)"
		case name == "etc/added.conf":
			want = "(added)"
		}
		if want != "" && owner != want {
			t.Errorf("owner of %s = %q, want %q", name, owner, want)
		}
	}
	if n == 0 || len(rep.Owners) != n {
		t.Errorf("report names %d owners for %d entries", len(rep.Owners), n)
	}
}

// rpmNEVRA is the package's NEVRA as rpm prints it.
func rpmNEVRA(t *testing.T, file string) string {
	t.Helper()
	out, err := exec.Command("rpm", "--dbpath", "/var/lib/rpm", "-qp", "--qf", "%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}", file).Output()
	if err != nil {
		t.Fatalf("rpm -qp %s: %v", file, err)
	}
	return strings.TrimSpace(string(out))
}
