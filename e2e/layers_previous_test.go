//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/layers/rootfs/rootfstest"
)

// originLayerInfo is one layer of an image in an OCI layout.
type originLayerInfo struct {
	digest   string
	size     int64
	packages string
	metadata bool
}

func originLayerInfos(t *testing.T, dir, ref string) []originLayerInfo {
	t.Helper()
	m, err := layoutImage(t, dir, ref).Manifest()
	if err != nil {
		t.Fatal(err)
	}
	var out []originLayerInfo
	for _, l := range m.Layers {
		out = append(out, originLayerInfo{l.Digest.String(), l.Size, l.Annotations["dev.slipway.layer.packages"], l.Annotations["dev.slipway.layer.metadata"] == "true"})
	}
	return out
}

// TestLayersOriginPrevious: a one-package update (tzdata 2023c ->
// 2024a) built with --previous naming the first image keeps the digest of
// every layer whose packages did not change; what a client holding the
// first image pulls is the updated package's layer and the metadata
// layer; the same inputs and previous image give the same digests; the
// tree is that of a build planned without history.
func TestLayersOriginPrevious(t *testing.T) {
	requireRoot(t, "comparing owners of unpacked trees")
	oldCfg, newCfg := tzdataUpdate(t, "test/prev", "", "")
	out := func() string { return filepath.Join(t.TempDir(), "img") }
	first, second, again, fresh := out(), out(), out(), out()
	buildLayersJSON(t, nil, oldCfg, "--output", "oci:"+first+":test")
	buildLayersJSON(t, nil, newCfg, "--previous", "oci:"+first+":test", "--output", "oci:"+second+":test")
	buildLayersJSON(t, nil, newCfg, "--previous", "oci:"+first+":test", "--output", "oci:"+again+":test")
	buildLayersJSON(t, nil, newCfg, "--output", "oci:"+fresh+":test")

	a, b, c := originLayerInfos(t, first, "test"), originLayerInfos(t, second, "test"), originLayerInfos(t, again, "test")
	if fmt.Sprint(b) != fmt.Sprint(c) {
		t.Errorf("two builds with the same previous image differ:\n%v\n%v", b, c)
	}
	had := map[string]bool{}
	for _, l := range a {
		had[l.digest] = true
	}
	var pulled, tzLayer, metaLayer int64
	for _, l := range b {
		if strings.Contains(l.packages, "tzdata-2024a") {
			tzLayer = l.size
		}
		if l.metadata {
			metaLayer = l.size
		}
		if !had[l.digest] {
			pulled += l.size
		}
	}
	for _, l := range a {
		if l.metadata || strings.Contains(l.packages, "tzdata") {
			continue
		}
		if !slices.ContainsFunc(b, func(x originLayerInfo) bool { return x.digest == l.digest }) {
			t.Errorf("the layer of %s (%s) is not in the updated image", l.packages, l.digest)
		}
	}
	if tzLayer == 0 || metaLayer == 0 {
		t.Fatalf("no tzdata-2024a layer or metadata layer in %v", b)
	}
	if pulled > tzLayer+metaLayer {
		t.Errorf("a client with the first image pulls %d bytes, more than tzdata's layer and the metadata layer (%d + %d)", pulled, tzLayer, metaLayer)
	}
	t.Logf("pull after the update: %d bytes (tzdata layer %d, metadata layer %d)", pulled, tzLayer, metaLayer)

	// diff reports the same pull; inspect names each layer's packages.
	r := slipway(t, nil, "diff", "--json", "oci:"+first+":test", "oci:"+second+":test")
	var d struct {
		Layers []struct {
			Arch      string `json:"arch"`
			Kept      int    `json:"kept"`
			PullBytes int64  `json:"pull_bytes"`
			New       []struct {
				Packages []string `json:"packages"`
				Metadata bool     `json:"metadata"`
			} `json:"new"`
		} `json:"layers"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatalf("diff --json: %v\n%s%s", err, r.stdout, r.stderr)
	}
	if len(d.Layers) != 1 || d.Layers[0].PullBytes != pulled || len(d.Layers[0].New) != 2 || d.Layers[0].Kept != len(b)-2 {
		t.Errorf("diff's layers %+v, want 2 new layers of %d bytes and %d kept", d.Layers, pulled, len(b)-2)
	} else if n := d.Layers[0].New; !slices.Contains(n[0].Packages, "tzdata-2024a-1.azl3.noarch") || !n[1].Metadata {
		t.Errorf("diff's new layers %+v, want tzdata's and the metadata layer", n)
	}
	r = slipway(t, nil, "inspect", "oci:"+second+":test")
	mustSucceed(t, r, "slipway inspect")
	if !strings.Contains(r.stdout, "packages (1): tzdata-2024a-1.azl3.noarch\n") || !strings.Contains(r.stdout, "metadata: ") {
		t.Errorf("inspect does not show the layers' packages:\n%s", r.stdout)
	}

	want, err := rootfstest.FromDir(unpack(t, fresh, "test"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := rootfstest.FromDir(unpack(t, second, "test"))
	if err != nil {
		t.Fatal(err)
	}
	rootfstest.AssertSame(t, withoutDirMTimes(got), withoutDirMTimes(want))
}

// TestLayersOriginPublishPrevious: publish without --previous plans
// afresh when its first --tag does not exist yet, and otherwise keeps the
// plan of the image at that tag: republished with layers.max raised from
// 3 to 50, the unchanged packages keep their three layers (a fresh plan
// would give each source its own) with the same digests.
func TestLayersOriginPublishPrevious(t *testing.T) {
	repos := testrepo.Get(t)
	pkgs := []string{"filesystem", "setup", "glibc", "libfoo", "appd", "tzdata", "busybox"}
	tight := config(t, repos, "\n[layers]\nstrategy = \"origin\"\nmax = 3\n", pkgs...)
	roomy := config(t, repos, "\n[layers]\nstrategy = \"origin\"\nmax = 50\n", pkgs...)
	reg := startRegistry(t, false)
	tag := reg.Host + "/test/origin:latest"
	layersAt := func() []string {
		t.Helper()
		r := slipway(t, nil, "inspect", "--json", "--arch", "x86_64", tag)
		mustSucceed(t, r, "slipway inspect")
		var rep struct {
			Images []struct {
				Layers []struct {
					Digest string `json:"digest"`
				} `json:"layers"`
			} `json:"images"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || len(rep.Images) != 1 {
			t.Fatalf("inspect --json: %v\n%s", err, r.stdout)
		}
		var out []string
		for _, l := range rep.Images[0].Layers {
			out = append(out, l.Digest)
		}
		return out
	}
	r := slipway(t, nil, "publish", tight, "--tag", tag)
	mustSucceed(t, r, "first publish")
	first := layersAt()
	if len(first) != 3 {
		t.Fatalf("max = 3 gave %d layers", len(first))
	}
	r = slipway(t, nil, "publish", roomy, "--tag", tag)
	mustSucceed(t, r, "second publish")
	second := layersAt()
	if len(second) != 3 || !slices.Equal(first[:2], second[:2]) {
		t.Errorf("republished over its own plan: layers %v, want the package layers of %v", second, first)
	}
	// Without the tag's image, the same configuration plans afresh.
	out := filepath.Join(t.TempDir(), "img")
	buildLayersJSON(t, nil, "--arch", "x86_64", roomy, "--output", "oci:"+out+":test")
	if n := len(originLayerInfos(t, out, "test")); n <= 3 {
		t.Errorf("a fresh plan with max = 50 gave %d layers: the test proves nothing", n)
	}
}
