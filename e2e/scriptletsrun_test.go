//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/layers/rootfs"
)

// TestScriptletsRun: with [packages] scriptlets = "run" both architectures
// build (aarch64's scriptlets under qemu through binfmt_misc), webd's
// %post that the emulation leaves unhandled runs, so
// --fail-on-scriptlets passes; two builds from different caches give the
// same digests; nothing of the run (script files, the stand-in
// /dev/null) is left in the image.
func TestScriptletsRun(t *testing.T) {
	requireRoot(t, "binfmt_misc for aarch64")
	if err := rootfs.CheckUserNamespaces(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	enableBinfmt(t)
	repos := testrepo.Get(t)
	cfg := config(t, repos, `scriptlets = "run"`, "filesystem", "setup", "busybox", "webd")
	out := filepath.Join(t.TempDir(), "oci")
	a := buildJSON(t, nil, "--cache-dir", t.TempDir(), "--fail-on-scriptlets", cfg, "--output", "oci:"+out+":run")
	b := buildJSON(t, nil, "--cache-dir", t.TempDir(), "--fail-on-scriptlets", cfg, "--output", "oci:"+filepath.Join(t.TempDir(), "b"))
	if a.Index == "" || a.Index != b.Index || len(a.Arches) != 2 {
		t.Errorf("two run builds: %+v and %+v", a, b)
	}
	for _, ref := range []string{"run-amd64", "run-arm64"} {
		root := unpack(t, out, ref)
		if fi, err := os.Lstat(filepath.Join(root, "dev/null")); err == nil && fi.Mode().IsRegular() {
			t.Errorf("%s: /dev/null left as a file", ref)
		}
		if m, _ := filepath.Glob(filepath.Join(root, "var/tmp/rpm-tmp.*")); len(m) > 0 {
			t.Errorf("%s: script files left: %v", ref, m)
		}
		if passwd, err := os.ReadFile(filepath.Join(root, "etc/passwd")); err != nil || !strings.Contains(string(passwd), "webd:") {
			t.Errorf("%s: no webd account (sysusers.d after the run): %v %s", ref, err, passwd)
		}
	}
}
