//go:build e2e

package e2e

import (
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/countproxy"
	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/internal/testutil"
)

// tzdataUpdate is an origin configuration of the test repository without
// tzdata 2024a (old: tzdata 2023c, oldLayers added to its [layers]) and
// the same with it (updated, with newLayers): a one-package update.
func tzdataUpdate(t *testing.T, name, oldLayers, newLayers string) (old, updated string) {
	t.Helper()
	repos := testrepo.Get(t)
	createrepo := testutil.RequireTool(t, "createrepo_c", "createrepo-c")
	mkrepo := func(skip string) string {
		dir := filepath.Join(t.TempDir(), "x86_64")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range repos.RPMs["x86_64"] {
			if skip == "" || !strings.HasPrefix(filepath.Base(f), skip) {
				copyFile(t, f, filepath.Join(dir, filepath.Base(f)))
			}
		}
		if out, err := exec.Command(createrepo, dir).CombinedOutput(); err != nil {
			t.Fatalf("createrepo_c: %v\n%s", err, out)
		}
		return dir
	}
	cfgFor := func(repo, layers string) string {
		p := filepath.Join(t.TempDir(), "image.toml")
		text := fmt.Sprintf(`[image]
name = %q
architectures = ["x86_64"]
releasever = "3.0"

[[repository]]
id = "test"
baseurl = "file://%s"
gpgkey = [%q]
gpgcheck = true
repo_gpgcheck = false

[packages]
install = ["filesystem", "setup", "glibc", "libfoo", "appd", "tzdata", "busybox"]

[layers]
strategy = "origin"
%s
`, name, repo, repos.KeyFile, layers)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return cfgFor(mkrepo("tzdata-2024a"), oldLayers), cfgFor(mkrepo(""), newLayers)
}

// TestLayersOriginPullCounted: what a client holding an image pulls for
// its one-package update, counted by a proxy in front of the real
// docker-registry while skopeo pulls the update into the OCI layout that
// holds the first image (skopeo skips the blobs the layout has): the
// updated package's layer, the metadata layer and the config, at most
// 1.2 x (package layer + metadata layer) (issue 16), and exactly the
// blobs the second manifest adds.
func TestLayersOriginPullCounted(t *testing.T) {
	testutil.RequireTool(t, "skopeo", "skopeo")
	oldCfg, newCfg := tzdataUpdate(t, "test/pull", "", "")
	reg := startRegistry(t, false)
	p, err := countproxy.New("http://" + reg.Host)
	if err != nil {
		t.Fatal(err)
	}
	front := httptest.NewServer(p) // 127.0.0.1
	defer front.Close()
	via := strings.TrimPrefix(front.URL, "http://") + "/test/pull:latest"
	client := filepath.Join(t.TempDir(), "client")
	pull := func(tag string) countproxy.Counts {
		t.Helper()
		p.Reset()
		out, err := exec.Command("skopeo", "copy", "--src-tls-verify=false", "docker://"+via, "oci:"+client+":"+tag).CombinedOutput()
		if err != nil {
			t.Fatalf("skopeo copy through the proxy: %v\n%s", err, out)
		}
		return p.Counts()
	}
	tag := reg.Host + "/test/pull:latest"
	mustSucceed(t, slipway(t, nil, "publish", oldCfg, "--tag", tag), "first publish")
	first := pull("v1")
	mustSucceed(t, slipway(t, nil, "publish", newCfg, "--tag", tag), "publish of the update")
	second := pull("v2")

	had := map[string]bool{}
	for _, l := range originLayerInfos(t, client, "v1") {
		had[l.digest] = true
	}
	var tzLayer, metaLayer, added int64
	gets := 1 // the config
	for _, l := range originLayerInfos(t, client, "v2") {
		if strings.Contains(l.packages, "tzdata-2024a") {
			tzLayer = l.size
		}
		if l.metadata {
			metaLayer = l.size
		}
		if !had[l.digest] {
			added += l.size
			gets++
		}
	}
	m, err := layoutImage(t, client, "v2").Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if tzLayer == 0 || metaLayer == 0 {
		t.Fatalf("no tzdata-2024a layer or metadata layer in the update")
	}
	if second.BlobBytes != added+m.Config.Size || second.BlobGets != gets {
		t.Errorf("the proxy counted %d bytes in %d blob GETs; the update adds %d bytes of layers in %d blobs and a config of %d", second.BlobBytes, second.BlobGets, added, gets, m.Config.Size)
	}
	ratio := float64(second.BlobBytes) / float64(tzLayer+metaLayer)
	if ratio > 1.2 {
		t.Errorf("a client with the first image pulled %d bytes for the update: %.3f x (tzdata's layer %d + the metadata layer %d), over 1.2", second.BlobBytes, ratio, tzLayer, metaLayer)
	}
	if second.BlobBytes*2 > first.BlobBytes {
		t.Errorf("the update pulled %d bytes, the first image %d: layers were not kept", second.BlobBytes, first.BlobBytes)
	}
	t.Logf("pulled %d bytes for the first image, %d for the update (%.3f x tzdata's layer %d + the metadata layer %d)", first.BlobBytes, second.BlobBytes, ratio, tzLayer, metaLayer)
}

// TestLayersOriginBuildPreviousRegistry: build --previous naming an image
// in a registry (with and without docker://) reads its layer plan from
// there. The registry image was planned with layers.max = 3 (two package
// layers), the update is built with max = 50, where a fresh plan gives
// each source a layer: with --previous the update keeps the registry
// image's layers, a layer whose packages did not change with the same
// digest, the unchanged packages of a changed layer together, and only
// tzdata gets a layer of its own.
func TestLayersOriginBuildPreviousRegistry(t *testing.T) {
	testutil.RequireTool(t, "skopeo", "skopeo")
	oldCfg, newCfg := tzdataUpdate(t, "test/prev-registry", "max = 3", "max = 50")
	reg := startRegistry(t, false)
	tag := reg.Host + "/test/prev-registry:1"
	mustSucceed(t, slipway(t, nil, "publish", oldCfg, "--tag", tag), "publish")
	published := filepath.Join(t.TempDir(), "published")
	if out, err := exec.Command("skopeo", "copy", "--src-tls-verify=false", "docker://"+tag, "oci:"+published+":1").CombinedOutput(); err != nil {
		t.Fatalf("skopeo copy: %v\n%s", err, out)
	}
	before := originLayerInfos(t, published, "1")
	if len(before) != 3 {
		t.Fatalf("max = 3 gave %d layers", len(before))
	}
	fresh := filepath.Join(t.TempDir(), "fresh")
	buildLayersJSON(t, nil, newCfg, "--output", "oci:"+fresh+":test")
	freshLayers := originLayerInfos(t, fresh, "test")
	for _, ref := range []string{tag, "docker://" + tag} {
		t.Run(strings.SplitN(ref, ":", 2)[0], func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "img")
			buildLayersJSON(t, nil, newCfg, "--previous", ref, "--output", "oci:"+out+":test")
			after := originLayerInfos(t, out, "test")
			if len(after) >= len(freshLayers) {
				t.Errorf("%d layers with --previous, %d planned afresh: the registry image's plan (%d layers) was not kept", len(after), len(freshLayers), len(before))
			}
			kept := 0
			for _, l := range after {
				if l.metadata || l.packages == "tzdata-2024a-1.azl3.noarch" {
					continue
				}
				pkgs := strings.Split(l.packages, ",")
				var from *originLayerInfo
				for i, b := range before {
					if b.packages != "" && slices.Contains(strings.Split(b.packages, ","), pkgs[0]) {
						from = &before[i]
					}
				}
				switch {
				case from == nil:
					t.Errorf("the layer of %s holds packages of no layer of the registry image", l.packages)
				case from.packages == l.packages:
					if from.digest != l.digest {
						t.Errorf("the layer of %s: digest %s, the registry image's %s", l.packages, l.digest, from.digest)
					}
					kept++
				case !strings.Contains(from.packages, "tzdata-"):
					t.Errorf("the layer of %s changed from %s, which held no tzdata", l.packages, from.packages)
				default:
					for _, p := range pkgs {
						if !slices.Contains(strings.Split(from.packages, ","), p) {
							t.Errorf("the layer of %s mixes packages of several layers of the registry image", l.packages)
						}
					}
				}
			}
			if kept == 0 {
				t.Errorf("no layer kept its digest: %v, before %v", after, before)
			}
			if !slices.ContainsFunc(after, func(l originLayerInfo) bool { return l.packages == "tzdata-2024a-1.azl3.noarch" }) {
				t.Errorf("tzdata has no layer of its own: %v", after)
			}
		})
	}
}
