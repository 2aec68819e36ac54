//go:build e2e

// Package e2e runs the slipway binary end to end against real tools: the
// generated signed repositories, umoci, skopeo, rpm, dnf, chroot and
// qemu-aarch64. Run with: go test -tags e2e ./e2e/
package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/internal/testutil"
)

var slipwayBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "slipway-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	slipwayBin = filepath.Join(dir, "slipway")
	build := exec.Command("go", "build", "-o", slipwayBin, "../cmd/slipway")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building slipway: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result of one slipway run.
type result struct {
	code           int
	stdout, stderr string
}

// slipway runs the binary with env added to a clean environment.
func slipway(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(slipwayBin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running slipway: %v", err)
	}
	return result{code, out.String(), errb.String()}
}

func mustSucceed(t *testing.T, r result, what string) {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", what, r.code, r.stdout, r.stderr)
	}
}

// config writes a configuration over the generated test repositories.
func config(t *testing.T, repos *testrepo.Repos, extra string, install ...string) string {
	t.Helper()
	q := make([]string, len(install))
	for i, s := range install {
		q[i] = fmt.Sprintf("%q", s)
	}
	base := filepath.Join(filepath.Dir(repos.Dir["x86_64"]), "$basearch")
	text := fmt.Sprintf(`[image]
name = "test/e2e"
architectures = ["x86_64", "aarch64"]
releasever = "3.0"

[[repository]]
id = "test"
baseurl = "file://%s"
gpgkey = [%q]
gpgcheck = true
repo_gpgcheck = true

[packages]
install = [%s]
%s
`, base, repos.KeyFile, strings.Join(q, ", "), extra)
	path := filepath.Join(t.TempDir(), "image.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// unpack unpacks one platform of an OCI layout with umoci and returns the
// rootfs. As root, owners are kept.
func unpack(t *testing.T, layoutDir, ref string) string {
	t.Helper()
	testutil.RequireTool(t, "umoci", "umoci")
	bundle := filepath.Join(t.TempDir(), "bundle")
	args := []string{"unpack", "--image", layoutDir + ":" + ref, bundle}
	if os.Geteuid() != 0 {
		args = append([]string{"unpack", "--rootless"}, args[1:]...)
	}
	if out, err := exec.Command("umoci", args...).CombinedOutput(); err != nil {
		t.Fatalf("umoci %v: %v\n%s", args, err, out)
	}
	return filepath.Join(bundle, "rootfs")
}

func requireRoot(t *testing.T, why string) {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s needs root", why)
		}
		t.Skipf("%s needs root (run the suite as root)", why)
	}
}
