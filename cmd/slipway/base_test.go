package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testrepo"
)

// derivedTOML is a configuration of one architecture building on base and
// installing install, with extra lines in [image] and [packages].
func derivedTOML(t *testing.T, dir, file string, repos *testrepo.Repos, base, image, packages string, install ...string) string {
	t.Helper()
	q := make([]string, len(install))
	for i, s := range install {
		q[i] = `"` + s + `"`
	}
	text := `[image]
name = "test/derived"
architectures = ["x86_64"]
releasever = "3.0"
base = "` + base + `"
` + image + `

[[repository]]
id = "test"
baseurl = "` + repoTemplate(repos) + `"
gpgkey = ["` + repos.KeyFile + `"]

[packages]
install = [` + strings.Join(q, ", ") + `]
` + packages
	p := filepath.Join(dir, file)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// baseOCI builds a base of the test repositories' glibc, libfoo and an
// old tzdata into an OCI layout (tag "base") and returns "oci:DIR:base".
func baseOCI(t *testing.T, dir string, repos *testrepo.Repos, env map[string]string) string {
	t.Helper()
	cfg := writeConfig(t, dir, repos, repoTemplate(repos), "filesystem", "setup", "glibc", "libfoo", "tzdata-2023c")
	out := filepath.Join(dir, "base-oci")
	if code, o := runEnv(t, env, "--cache-dir", filepath.Join(dir, "cache"), "build", cfg, "--arch", "x86_64", "--output", "oci:"+out+":base"); code != 0 {
		t.Fatalf("building the base: exit %d\n%s", code, o)
	}
	return "oci:" + out + ":base"
}

// TestBuildOnBaseReadsBaseOnce: a build on an [image] base reads the
// base's package database and resolves on it once per architecture (the
// policy check before the build and the build share the resolution):
// one "base image" line of --verbose per read.
func TestBuildOnBaseReadsBaseOnce(t *testing.T) {
	t.Parallel()
	repos := testrepo.Get(t)
	dir := t.TempDir()
	env := map[string]string{"HOME": dir}
	base := baseOCI(t, dir, repos, env)
	cfg := derivedTOML(t, dir, "derived.toml", repos, base, "", "", "appd")
	for _, args := range [][]string{
		{"build", cfg, "--output", "oci:" + filepath.Join(dir, "out") + ":app"},
		{"sbom", cfg, "--sbom-dir", filepath.Join(dir, "sbom")},
	} {
		code, out := runEnv(t, env, append([]string{"--verbose", "--cache-dir", filepath.Join(dir, "cache")}, args...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", args[0], code, out)
		}
		if n := strings.Count(out, "slipway: debug: base image "); n != 1 {
			t.Errorf("%s read the base %d times, want once:\n%s", args[0], n, out)
		}
		if n := strings.Count(out, "slipway: debug: solved "); n != 1 {
			t.Errorf("%s resolved %d times, want once:\n%s", args[0], n, out)
		}
	}
}
