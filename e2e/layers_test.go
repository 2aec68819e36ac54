//go:build e2e

package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/layers/rootfs/rootfstest"
)

type layersOut struct {
	Index  string `json:"index_digest"`
	Arches []struct {
		Arch   string `json:"arch"`
		Digest string `json:"digest"`
		Layers []struct {
			Digest string `json:"digest"`
			DiffID string `json:"diff_id"`
		} `json:"layers"`
	} `json:"arches"`
}

func buildLayersJSON(t *testing.T, env []string, args ...string) layersOut {
	t.Helper()
	r := slipway(t, env, append([]string{"build", "--json"}, args...)...)
	mustSucceed(t, r, "slipway build")
	var b layersOut
	if err := json.Unmarshal([]byte(r.stdout), &b); err != nil {
		t.Fatalf("build --json: %v\n%s", err, r.stdout)
	}
	return b
}

// layoutImage is ref's image in an OCI layout, read back with
// go-containerregistry.
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
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range im.Manifests {
		if d.Annotations["org.opencontainers.image.ref.name"] != ref {
			continue
		}
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	t.Fatalf("%s has no image %s", dir, ref)
	return nil
}

// layoutLayers lists the layer digests of ref's image in an OCI layout,
// read back with go-containerregistry (and validated).
func layoutLayers(t *testing.T, dir, ref string) []string {
	t.Helper()
	img := layoutImage(t, dir, ref)
	if err := validate.Image(img); err != nil {
		t.Fatalf("%s:%s does not validate: %v", dir, ref, err)
	}
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range ls {
		d, err := l.Digest()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d.String())
	}
	return out
}

// TestSharedBaseLayers: a debug-like variant that extends a base and adds
// busybox, a user and a removal, built with layers.strategy =
// shared-base, has the base image's layer as its lower layer (same
// digest); unpacked with umoci it is the tree of the single-layer build
// of the same variant; and it is reproducible.
func TestSharedBaseLayers(t *testing.T) {
	requireRoot(t, "comparing owners of unpacked trees")
	repos := testrepo.Get(t)
	basePath := config(t, repos, "", "filesystem", "setup", "glibc", "libfoo", "appd", "tzdata")
	dir := filepath.Dir(basePath)
	variant := `extends = "image.toml"

[image]
name = "test/e2e-debug"

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

[paths]
remove = ["/usr/share/zoneinfo/Zulu"]
`
	single := filepath.Join(dir, "debug-single.toml")
	shared := filepath.Join(dir, "debug-shared.toml")
	for path, text := range map[string]string{
		single: variant,
		shared: variant + "\n[layers]\nstrategy = \"shared-base\"\n",
	} {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cache := t.TempDir()
	out := func(name string) string { return filepath.Join(t.TempDir(), name) }
	baseOut, singleOut, sharedOut, againOut := out("base"), out("single"), out("shared"), out("again")

	base := buildLayersJSON(t, nil, "--cache-dir", cache, basePath, "--output", "oci:"+baseOut+":test")
	one := buildLayersJSON(t, nil, "--cache-dir", cache, single, "--output", "oci:"+singleOut+":test")
	two := buildLayersJSON(t, nil, "--cache-dir", cache, shared, "--output", "oci:"+sharedOut+":test")
	again := buildLayersJSON(t, nil, "--cache-dir", cache, shared, "--output", "oci:"+againOut+":test")
	if again.Index != two.Index {
		t.Errorf("shared-base builds are not reproducible: index %s, then %s", two.Index, again.Index)
	}
	if one.Index == two.Index {
		t.Errorf("single and shared-base builds have the same index %s", one.Index)
	}

	for i, arch := range []string{"x86_64", "aarch64"} {
		t.Run(arch, func(t *testing.T) {
			ref := "test-" + map[string]string{"x86_64": "amd64", "aarch64": "arm64"}[arch]
			baseLayers := layoutLayers(t, baseOut, ref)
			sharedLayers := layoutLayers(t, sharedOut, ref)
			if len(baseLayers) != 1 || len(layoutLayers(t, singleOut, ref)) != 1 {
				t.Fatalf("base or single variant has %d layers, want 1", len(baseLayers))
			}
			if len(sharedLayers) != 2 {
				t.Fatalf("shared-base variant has %d layers, want 2", len(sharedLayers))
			}
			if sharedLayers[0] != baseLayers[0] {
				t.Errorf("the variant's lower layer is %s, the base image's layer %s", sharedLayers[0], baseLayers[0])
			}
			if got := two.Arches[i].Layers; len(got) != 2 || got[0].Digest != base.Arches[i].Layers[0].Digest {
				t.Errorf("--json layers %+v, want the base's %s first", got, base.Arches[i].Layers[0].Digest)
			}

			want, err := rootfstest.FromDir(unpack(t, singleOut, ref))
			if err != nil {
				t.Fatal(err)
			}
			got, err := rootfstest.FromDir(unpack(t, sharedOut, ref))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{"/usr/share/zoneinfo/UTC", "/etc/passwd", "/var/lib/rpm/rpmdb.sqlite"} {
				if _, ok := got[p]; !ok {
					t.Errorf("%s is missing from the shared-base variant", p)
				}
			}
			if _, ok := got["/usr/share/zoneinfo/Zulu"]; ok {
				t.Error("/usr/share/zoneinfo/Zulu, removed by the variant, is still there (no whiteout)")
			}
			rootfstest.AssertSame(t, withoutDirMTimes(got), withoutDirMTimes(want))
		})
	}
}

// TestLayersMax: with [layers] max = 3 each architecture's image has
// three layers (glibc and appd, the two largest packages, each alone,
// then the rest); unpacked with umoci it is the tree of the one-layer
// build; the digests are reproducible; adding a small package keeps the
// two package layers' digests and changes only the top one. With
// shared-base, max bounds the variant's layers above the base's, and
// the union is again the one-layer tree.
func TestLayersMax(t *testing.T) {
	requireRoot(t, "comparing owners of unpacked trees")
	repos := testrepo.Get(t)
	pkgs := []string{"filesystem", "setup", "glibc", "libfoo", "appd", "tzdata"}
	singlePath := config(t, repos, "", pkgs...)
	dir := filepath.Dir(singlePath)
	text, err := os.ReadFile(singlePath)
	if err != nil {
		t.Fatal(err)
	}
	maxPath := filepath.Join(dir, "max.toml")
	morePath := filepath.Join(dir, "more.toml")
	sharedPath := filepath.Join(dir, "shared.toml")
	variantPath := filepath.Join(dir, "variant.toml")
	for path, s := range map[string]string{
		maxPath:     string(text) + "\n[layers]\nmax = 3\n",
		morePath:    "extends = \"max.toml\"\n[packages]\ninstall = [\"nano-lite\"]\n",
		variantPath: "extends = \"image.toml\"\n[packages]\ninstall = [\"busybox\", \"nano-lite\"]\n",
		sharedPath:  "extends = \"image.toml\"\n[packages]\ninstall = [\"busybox\", \"nano-lite\"]\n[layers]\nstrategy = \"shared-base\"\nmax = 2\n",
	} {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"SOURCE_DATE_EPOCH=1700000000"}
	cache := t.TempDir()
	out := func(name string) string { return filepath.Join(t.TempDir(), name) }
	singleOut, maxOut, againOut, moreOut, variantOut, sharedOut := out("single"), out("max"), out("again"), out("more"), out("variant"), out("shared")
	build := func(cfg, dest string) layersOut {
		return buildLayersJSON(t, env, "--cache-dir", cache, cfg, "--output", "oci:"+dest+":test")
	}
	build(singlePath, singleOut)
	three := build(maxPath, maxOut)
	again := build(maxPath, againOut)
	more := build(morePath, moreOut)
	build(variantPath, variantOut)
	shared := build(sharedPath, sharedOut)
	if again.Index != three.Index {
		t.Errorf("layers.max builds are not reproducible: index %s, then %s", three.Index, again.Index)
	}

	for i, arch := range []string{"x86_64", "aarch64"} {
		t.Run(arch, func(t *testing.T) {
			ref := "test-" + map[string]string{"x86_64": "amd64", "aarch64": "arm64"}[arch]
			ls := layoutLayers(t, maxOut, ref)
			if len(ls) != 3 || len(three.Arches[i].Layers) != 3 {
				t.Fatalf("max = 3 gave %d layers (--json %d), want 3", len(ls), len(three.Arches[i].Layers))
			}
			// The two package layers hold appd and glibc alone (install order).
			hist := layoutHistory(t, maxOut, ref)
			if len(hist) != 3 || !strings.HasPrefix(hist[0], "package appd-") || !strings.HasPrefix(hist[1], "package glibc-") || !strings.HasSuffix(hist[2], " packages") {
				t.Errorf("layer history comments %q, want appd's, glibc's, then the rest", hist)
			}
			unpacked := unpack(t, maxOut, ref)
			got, err := rootfstest.FromDir(unpacked)
			if err != nil {
				t.Fatal(err)
			}
			want, err := rootfstest.FromDir(unpack(t, singleOut, ref))
			if err != nil {
				t.Fatal(err)
			}
			rootfstest.AssertSame(t, withoutDirMTimes(got), withoutDirMTimes(want))

			// A small package more: the package layers stay, the top changes.
			m := more.Arches[i].Layers
			if len(m) != 3 {
				t.Fatalf("with nano-lite: %d layers, want 3", len(m))
			}
			for j := range 2 {
				if m[j].Digest != three.Arches[i].Layers[j].Digest {
					t.Errorf("package layer %d changed when nano-lite was added: %s, was %s", j, m[j].Digest, three.Arches[i].Layers[j].Digest)
				}
			}
			if m[2].Digest == three.Arches[i].Layers[2].Digest {
				t.Error("the top layer did not change when nano-lite was added")
			}

			// shared-base with max = 2: the base's one layer, then two.
			sl := layoutLayers(t, sharedOut, ref)
			if len(sl) != 3 {
				t.Fatalf("shared-base with max = 2 gave %d layers, want the base's 1 + 2", len(sl))
			}
			if sl[0] != layoutLayers(t, singleOut, ref)[0] {
				t.Errorf("the shared-base variant's lowest layer %s is not the base's %s", sl[0], layoutLayers(t, singleOut, ref)[0])
			}
			if shared.Arches[i].Layers[0].Digest != sl[0] {
				t.Errorf("--json lists %s first, the layout %s", shared.Arches[i].Layers[0].Digest, sl[0])
			}
			gotShared, err := rootfstest.FromDir(unpack(t, sharedOut, ref))
			if err != nil {
				t.Fatal(err)
			}
			wantShared, err := rootfstest.FromDir(unpack(t, variantOut, ref))
			if err != nil {
				t.Fatal(err)
			}
			rootfstest.AssertSame(t, withoutDirMTimes(gotShared), withoutDirMTimes(wantShared))
		})
	}
}

// layoutHistory lists the history comments of ref's image in an OCI layout.
func layoutHistory(t *testing.T, dir, ref string) []string {
	t.Helper()
	cf, err := layoutImage(t, dir, ref).ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range cf.History {
		out = append(out, h.Comment)
	}
	return out
}
