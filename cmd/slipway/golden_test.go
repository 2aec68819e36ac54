package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/layout"

	"github.com/slipway-build/slipway/internal/testrepo"
)

var updateGolden = flag.Bool("update-golden", false, "record the digests of testdata/golden-build.json again (only on a commit whose builds are known good)")

// goldenFile holds the digests the builds of TestGoldenBuilds made before
// the pipeline was restructured (issue 14). The digests hold only for the
// RPMs they were built from: the test repositories are regenerated with
// fresh signing keys whenever their inputs change, so Repos fingerprints
// the RPM files (and the folder, which enters the configuration digest).
type goldenFile struct {
	Repos  string                  `json:"repos"`
	Builds map[string]goldenDigest `json:"builds"`
}

// goldenDigest is what one build wrote: the index, each manifest (by
// platform) and each manifest's layers, bottom first, and the SBOMs.
type goldenDigest struct {
	Index     string              `json:"index"`
	Manifests map[string]string   `json:"manifests"`
	Layers    map[string][]string `json:"layers"`
	SBOMs     map[string]string   `json:"sboms,omitempty"`
}

// reposFingerprint is the sha256 over the test repositories' folder and
// the digest of every RPM of every arch.
func reposFingerprint(t *testing.T, repos *testrepo.Repos) string {
	t.Helper()
	h := sha256.New()
	fmt.Fprintf(h, "root %s\n", repos.Root)
	for _, arch := range testrepo.Arches {
		for _, p := range repos.RPMs[arch] {
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			fh := sha256.New()
			_, err = io.Copy(fh, f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(h, "%s %s %x\n", arch, filepath.Base(p), fh.Sum(nil))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// layoutDigests reads the digests of the index tagged tag in an OCI layout.
func layoutDigests(t *testing.T, dir, tag string) goldenDigest {
	t.Helper()
	p, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	top, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	im, err := top.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var g goldenDigest
	for _, d := range im.Manifests {
		if d.Annotations["org.opencontainers.image.ref.name"] != tag {
			continue
		}
		g.Index = d.Digest.String()
		idx, err := top.ImageIndex(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		m, err := idx.IndexManifest()
		if err != nil {
			t.Fatal(err)
		}
		g.Manifests, g.Layers = map[string]string{}, map[string][]string{}
		for _, md := range m.Manifests {
			plat := md.Platform.String()
			g.Manifests[plat] = md.Digest.String()
			img, err := idx.Image(md.Digest)
			if err != nil {
				t.Fatal(err)
			}
			ls, err := img.Layers()
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range ls {
				ld, err := l.Digest()
				if err != nil {
					t.Fatal(err)
				}
				g.Layers[plat] = append(g.Layers[plat], ld.String())
			}
		}
	}
	if g.Index == "" {
		t.Fatalf("no index tagged %q in %s", tag, dir)
	}
	return g
}

// TestGoldenBuilds builds the test repositories' images with
// SOURCE_DATE_EPOCH set — one layer, layers.max with zstd, a shared-base
// variant, one split by layers.max, and a shared base over a shared base —
// and asserts the index, manifest, layer and SBOM digests recorded before
// the pipeline was restructured (on commit 295ebc7): moving code around
// must not change a byte of what slipway writes.
func TestGoldenBuilds(t *testing.T) {
	repos := testrepo.Get(t)
	goldenPath := filepath.Join("testdata", "golden-build.json")
	fp := reposFingerprint(t, repos)
	var want goldenFile
	if !*updateGolden {
		data, err := os.ReadFile(goldenPath)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("%s: %v", goldenPath, err)
		}
		if want.Repos != fp {
			// The digests were made from other RPMs (the generator signs
			// with a fresh key each time it runs): they cannot apply.
			t.Skipf("the test repositories are not those %s was recorded with (fingerprint %s, recorded %s); "+
				"record it again with `go test -run TestGoldenBuilds ./cmd/slipway/ -update-golden` on a commit whose builds are known good",
				goldenPath, fp, want.Repos)
		}
	}

	dir := t.TempDir()
	base := filepath.Join(filepath.Dir(repos.Dir["x86_64"]), "$basearch")
	header := func(name string) string {
		return fmt.Sprintf(`[image]
name = %q
architectures = ["x86_64", "aarch64"]
releasever = "3.0"

[[repository]]
id = "test"
baseurl = "file://%s"
gpgkey = [%q]
gpgcheck = true
repo_gpgcheck = true
`, name, base, repos.KeyFile)
	}
	files := map[string]string{
		"full.toml": header("test/golden") + `
[packages]
install = ["webd", "appd", "busybox", "core-packages-container", "tzdata"]
`,
		"split.toml": header("test/golden-split") + `
[packages]
install = ["webd", "appd", "busybox", "core-packages-container", "tzdata"]

[layers]
max = 3
`,
		"base.toml": header("test/golden-base") + `
[packages]
install = ["filesystem", "setup", "glibc", "libfoo", "appd", "tzdata"]
`,
		"variant.toml": `extends = "base.toml"

[image]
name = "test/golden-variant"

[packages]
install = ["busybox"]

[[accounts.user]]
name = "nonroot"
uid = 65532
gid = 65532
home = "/home/nonroot"

[[accounts.group]]
name = "nonroot"
gid = 65532

[layers]
strategy = "shared-base"
`,
		"variant-split.toml": `extends = "base.toml"

[image]
name = "test/golden-variant-split"

[packages]
install = ["busybox", "webd"]

[layers]
strategy = "shared-base"
max = 2
`,
		"chain.toml": `extends = "variant.toml"

[image]
name = "test/golden-chain"

[packages]
install = ["webd"]

[layers]
strategy = "shared-base"
`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"HOME": dir, "SOURCE_DATE_EPOCH": "1700000000"}
	cache := filepath.Join(dir, "cache")
	builds := []struct {
		name   string
		config string
		flags  []string
		sbom   bool
	}{
		{"single", "full.toml", nil, true},
		{"split-zstd", "split.toml", []string{"--compression", "zstd"}, false},
		{"shared-base", "variant.toml", nil, true},
		{"shared-base-split", "variant-split.toml", nil, false},
		{"shared-base-chain", "chain.toml", []string{"--compression", "zstd"}, false},
	}
	got := goldenFile{Repos: fp, Builds: map[string]goldenDigest{}}
	for _, b := range builds {
		out := filepath.Join(dir, "out-"+b.name)
		args := append([]string{"--cache-dir", cache, "build", filepath.Join(dir, b.config), "--output", "oci:" + out + ":golden"}, b.flags...)
		if code, _, stderr := runCLI(t, env, args...); code != 0 {
			t.Fatalf("%s: build: exit %d: %s", b.name, code, stderr)
		}
		g := layoutDigests(t, out, "golden")
		if b.sbom {
			sbomDir := filepath.Join(dir, "sbom-"+b.name)
			args := append([]string{"--cache-dir", cache, "sbom", filepath.Join(dir, b.config), "--sbom-dir", sbomDir}, b.flags...)
			if code, _, stderr := runCLI(t, env, args...); code != 0 {
				t.Fatalf("%s: sbom: exit %d: %s", b.name, code, stderr)
			}
			ents, err := os.ReadDir(sbomDir)
			if err != nil {
				t.Fatal(err)
			}
			g.SBOMs = map[string]string{}
			for _, e := range ents {
				data, err := os.ReadFile(filepath.Join(sbomDir, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				sum := sha256.Sum256(data)
				g.SBOMs[e.Name()] = "sha256:" + hex.EncodeToString(sum[:])
			}
		}
		got.Builds[b.name] = g
	}

	if *updateGolden {
		data, err := json.MarshalIndent(got, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenPath, append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	names := make([]string, 0, len(want.Builds))
	for n := range want.Builds {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		w, g := want.Builds[n], got.Builds[n]
		wj, _ := json.MarshalIndent(w, "", "  ")
		gj, _ := json.MarshalIndent(g, "", "  ")
		if string(wj) != string(gj) {
			t.Errorf("%s: the build wrote other bytes than before the change:\ngot  %s\nwant %s", n, gj, wj)
		}
	}
	if len(got.Builds) != len(want.Builds) {
		t.Errorf("built %d images, %s records %d", len(got.Builds), goldenPath, len(want.Builds))
	}
}
