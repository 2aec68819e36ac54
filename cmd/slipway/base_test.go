package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/layers/rootfs/rootfstest"
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
// policy check before the build and the build share the resolution), and
// a --locked build reads it once and resolves nothing: one "base image"
// line of --verbose per read, one "solved" per resolution.
func TestBuildOnBaseReadsBaseOnce(t *testing.T) {
	t.Parallel()
	repos := testrepo.Get(t)
	dir := t.TempDir()
	env := map[string]string{"HOME": dir}
	base := baseOCI(t, dir, repos, env)
	cfg := derivedTOML(t, dir, "derived.toml", repos, base, "", "", "appd")
	for _, tc := range []struct {
		args   []string
		solved int
	}{
		{[]string{"build", cfg, "--output", "oci:" + filepath.Join(dir, "out") + ":app"}, 1},
		{[]string{"sbom", cfg, "--sbom-dir", filepath.Join(dir, "sbom")}, 1},
		{[]string{"lock", cfg}, 1},
		{[]string{"build", "--locked", cfg, "--output", "oci:" + filepath.Join(dir, "locked") + ":app"}, 0},
	} {
		code, out := runEnv(t, env, append([]string{"--verbose", "--cache-dir", filepath.Join(dir, "cache")}, tc.args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s", tc.args, code, out)
		}
		if n := strings.Count(out, "slipway: debug: base image "); n != 1 {
			t.Errorf("%v read the base %d times, want once:\n%s", tc.args, n, out)
		}
		if n := strings.Count(out, "slipway: debug: solved "); n != tc.solved {
			t.Errorf("%v resolved %d times, want %d:\n%s", tc.args, n, tc.solved, out)
		}
	}
}

// dnfOnBase installs base (exact NEVRA specs) into a fresh root with dnf
// (no scriptlets, no weak deps), then runs each of then (dnf arguments,
// e.g. {"install", "richdeps"}) in it, and returns rpm -qa's NEVRAs,
// sorted: what dnf makes of the request on the base's system.
func dnfOnBase(t *testing.T, repoDir, key string, base []string, then ...[]string) []string {
	t.Helper()
	testutil.RequireTool(t, "dnf", "dnf")
	testutil.RequireTool(t, "rpm", "rpm")
	if os.Geteuid() != 0 {
		t.Skip("dnf --installroot needs root")
	}
	dir := t.TempDir()
	home, root := filepath.Join(dir, "home"), filepath.Join(dir, "root")
	os.MkdirAll(home, 0o755)
	if err := os.WriteFile(filepath.Join(home, ".rpmmacros"), []byte("%_dbpath /var/lib/rpm\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	common := []string{"-y", "-q", "--releasever=3", "--setopt=reposdir=/dev/null",
		"--setopt=cachedir=" + filepath.Join(dir, "cache"), "--setopt=install_weak_deps=False",
		"--setopt=gpgcheck=1", "--setopt=tsflags=noscripts", "--installroot=" + root, "--forcearch=x86_64",
		"--repofrompath=local,file://" + repoDir, "--repo=local", "--setopt=local.gpgkey=file://" + key}
	for _, args := range append([][]string{append([]string{"install"}, base...)}, then...) {
		cmd := exec.Command("dnf", append(slices.Clone(common), args...)...)
		cmd.Env = append(os.Environ(), "HOME="+home)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("dnf %v: %v\n%s", args, err, out)
		}
	}
	q := exec.Command("rpm", "--root", root, "--dbpath", "/var/lib/rpm", "-qa", "--qf",
		"%{NAME}-%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}.%{ARCH}\n")
	q.Env = append(os.Environ(), "HOME="+home)
	out, err := q.Output()
	if err != nil {
		t.Fatalf("rpm -qa: %v", err)
	}
	var nevras []string
	for _, l := range strings.Fields(string(out)) {
		if !strings.HasPrefix(l, "gpg-pubkey-") {
			nevras = append(nevras, l)
		}
	}
	sort.Strings(nevras)
	return nevras
}

// TestUpgradeBaseMatchesDnf: on a base with two packages the
// repositories have newer versions of (tzdata 2023c, timekeeper 2.0),
// upgrade_base = true upgrades what dnf install upgrades on that system:
// only what the request needs; upgrade_base = "all" what dnf upgrade
// then dnf install do. slipway resolve's set (added packages and the
// base's it keeps) is rpm -qa of dnf's root, and the upgraded base
// packages are not listed as the base's.
func TestUpgradeBaseMatchesDnf(t *testing.T) {
	t.Parallel()
	repos := testrepo.Get(t)
	dir := t.TempDir()
	env := map[string]string{"HOME": dir}
	basePkgs := []string{"filesystem", "setup", "glibc", "libfoo", "tzdata-2023c", "timekeeper-2.0"}
	cfg := writeConfig(t, dir, repos, repoTemplate(repos), basePkgs...)
	lay := filepath.Join(dir, "base-oci")
	if code, o := runEnv(t, env, "--cache-dir", filepath.Join(dir, "cache"), "build", cfg, "--arch", "x86_64", "--output", "oci:"+lay+":base"); code != 0 {
		t.Fatalf("building the base: exit %d\n%s", code, o)
	}
	code, out := runEnv(t, env, "--cache-dir", filepath.Join(dir, "cache"), "resolve", "--arch", "x86_64", cfg)
	if code != 0 {
		t.Fatalf("resolve of the base: %d\n%s", code, out)
	}
	var baseNEVRAs []string // dnf install of these exact versions makes the base's system
	for _, l := range strings.Split(out, "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			baseNEVRAs = append(baseNEVRAs, l)
		}
	}
	for _, tc := range []struct {
		name, upgrade string
		install       []string
		dnf           [][]string
	}{
		{"needed by a dependency", "true", []string{"richdeps"}, [][]string{{"install", "richdeps"}}},
		{"requested by version", "true", []string{"tzdata-2024a", "appd"}, [][]string{{"install", "tzdata-2024a", "appd"}}},
		{"nothing needed", "true", []string{"appd"}, [][]string{{"install", "appd"}}},
		{"an installed name", "true", []string{"tzdata", "timekeeper", "appd"}, [][]string{{"install", "tzdata", "timekeeper", "appd"}}},
		{"all", `"all"`, []string{"appd"}, [][]string{{"upgrade"}, {"install", "appd"}}},
		{"all and a dependency", `"all"`, []string{"richdeps"}, [][]string{{"upgrade"}, {"install", "richdeps"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := t.TempDir()
			derived := derivedTOML(t, d, "derived.toml", repos, "oci:"+lay+":base", "", "upgrade_base = "+tc.upgrade+"\n", tc.install...)
			code, out := runEnv(t, env, "--cache-dir", filepath.Join(d, "cache"), "resolve", derived)
			if code != 0 {
				t.Fatalf("resolve: exit %d\n%s", code, out)
			}
			var got []string
			for _, l := range strings.Split(out, "\n") {
				if l != "" && !strings.HasPrefix(l, "#") {
					got = append(got, strings.TrimSuffix(l, " @base"))
				}
			}
			sort.Strings(got)
			want := dnfOnBase(t, repos.Dir["x86_64"], repos.KeyFile, baseNEVRAs, tc.dnf...)
			if !slices.Equal(got, want) {
				t.Errorf("slipway resolve (upgrade_base = %s):\n%s\ndnf %v on the base:\n%s", tc.upgrade, strings.Join(got, "\n"), tc.dnf, strings.Join(want, "\n"))
			}
		})
	}
}

// layoutImage reads the image tagged ref in an OCI layout.
func layoutImage(t *testing.T, dir, ref string) v1.Image {
	t.Helper()
	p, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range m.Manifests {
		if d.Annotations["org.opencontainers.image.ref.name"] == ref {
			img, err := idx.Image(d.Digest)
			if err != nil {
				t.Fatal(err)
			}
			return img
		}
	}
	t.Fatalf("no image %s in %s", ref, dir)
	return nil
}

// flatTree is the image's file tree, its layers applied (whiteouts too).
func flatTree(t *testing.T, img v1.Image) rootfstest.Tree {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	tree, err := rootfstest.FromTar(rc)
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// TestOriginLayersOnBase: layers.strategy = "origin" over an [image]
// base keeps the base's layers and puts the added packages, grouped by
// source RPM, above them, with the metadata layer (rpm database of base
// and added packages, accounts, ld.so.cache, the whiteouts of the
// upgraded tzdata's old files) on top; the image's tree is the one-layer
// build's. shared-base and layers.max without origin are
// refused, saying why.
func TestOriginLayersOnBase(t *testing.T) {
	t.Parallel()
	repos := testrepo.Get(t)
	dir := t.TempDir()
	env := map[string]string{"HOME": dir}
	base := baseOCI(t, dir, repos, env)
	baseImg := layoutImage(t, strings.TrimSuffix(strings.TrimPrefix(base, "oci:"), ":base"), "base")
	baseLayers, err := baseImg.Layers()
	if err != nil {
		t.Fatal(err)
	}
	install := []string{"appd", "richdeps", "webd"}
	build := func(name, layers string) v1.Image {
		cfg := derivedTOML(t, dir, name+".toml", repos, base, "", "upgrade_base = true\n"+layers, install...)
		out := filepath.Join(dir, name)
		if code, o := runEnv(t, env, "--cache-dir", filepath.Join(dir, "cache"), "build", cfg, "--output", "oci:"+out+":app"); code != 0 {
			t.Fatalf("%s: exit %d\n%s", name, code, o)
		}
		return layoutImage(t, out, "app")
	}
	origin := build("origin", "\n[layers]\nstrategy = \"origin\"\n")
	single := build("single", "")

	m, err := origin.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Layers) < len(baseLayers)+3 {
		t.Fatalf("%d layers, want the base's %d, a layer per source of %v and the metadata layer", len(m.Layers), len(baseLayers), install)
	}
	for i, l := range baseLayers {
		if d, _ := l.Digest(); m.Layers[i].Digest != d {
			t.Errorf("layer %d is %s, the base's is %s", i, m.Layers[i].Digest, d)
		}
	}
	var sources []string
	for _, l := range m.Layers[len(baseLayers) : len(m.Layers)-1] {
		if l.Annotations["dev.slipway.layer.sources"] == "" || l.Annotations["dev.slipway.layer.packages"] == "" {
			t.Errorf("package layer %s without its sources and packages: %v", l.Digest, l.Annotations)
		}
		sources = append(sources, l.Annotations["dev.slipway.layer.sources"])
	}
	if top := m.Layers[len(m.Layers)-1]; top.Annotations["dev.slipway.layer.metadata"] != "true" {
		t.Errorf("the top layer is not the metadata layer: %v", top.Annotations)
	}
	if !slices.ContainsFunc(sources, func(s string) bool { return strings.Contains(s, "libfoo") }) ||
		!slices.ContainsFunc(sources, func(s string) bool { return strings.Contains(s, "webd") }) {
		t.Errorf("package layers of sources %q, want libfoo's (appd) and webd's", sources)
	}
	rootfstest.AssertSame(t, flatTree(t, origin), flatTree(t, single))

	derivedTOML(t, dir, "below.toml", repos, base, "", "upgrade_base = true\n", "appd")
	for _, tc := range []struct{ layers, want string }{
		{"\n[layers]\nmax = 4\n", `[image] base: layers.max = 4 splits a tree built from scratch; over a base image use layers.strategy = "origin"`},
		{"\n[layers]\nstrategy = \"shared-base\"\n", `[image] base: layers.strategy = "shared-base" does not apply to a build on a base image: its lower layers are the base's, not those of a configuration it extends`},
	} {
		cfg := filepath.Join(dir, "refused.toml")
		if err := os.WriteFile(cfg, []byte("extends = \"below.toml\"\n[image]\nname = \"test/refused\"\n"+tc.layers), 0o644); err != nil {
			t.Fatal(err)
		}
		code, o := runEnv(t, env, "--cache-dir", filepath.Join(dir, "cache"), "build", cfg, "--output", "oci:"+filepath.Join(dir, "refused")+":app")
		if code != 1 || !strings.Contains(o, tc.want) {
			t.Errorf("%q: exit %d\n%s\nwant exit 1 and %q", tc.layers, code, o, tc.want)
		}
	}
}
