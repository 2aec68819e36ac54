package builder

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/builder/repo"
	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/layers/split"
	"github.com/slipway-build/slipway/manifests"
)

// originTree lays out the tree of cfgText (its first architecture) on
// the test repository, as a build does; the caller closes t.w.
func originTree(t *testing.T, cfgFile string, opts BuildOptions) (*config.Config, *tree) {
	t.Helper()
	cfg, err := config.Load(t.Context(), cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	arch := cfg.Image.Architectures[0]
	sets, err := packageSets(t.Context(), cfg, []string{arch}, opts)
	if err != nil {
		t.Fatal(err)
	}
	dl, err := repo.NewDownloader(opts.Repo...)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := newTree(t.Context(), cfg, arch, dl, sets[0].pkgs, opts, opts.log())
	if err != nil {
		t.Fatal(err)
	}
	return cfg, tr
}

// originViaTar is how origin layers were written before the tree was
// routed straight to them: the whole tree to one uncompressed tar, the
// plan from its headers, each layer's entries copied from it.
func originViaTar(t *testing.T, cfg *config.Config, arch string, tr *tree, opts BuildOptions) ([]*manifests.Layer, []byte) {
	t.Helper()
	tarFile := filepath.Join(t.TempDir(), "tree.tar")
	f, err := os.Create(tarFile)
	if err != nil {
		t.Fatal(err)
	}
	report, err := tr.w.WriteTar(t.Context(), f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	hs, err := split.ReadHeaders(t.Context(), tarFile)
	if err != nil {
		t.Fatal(err)
	}
	pkgs := make([]split.OriginPackage, len(tr.pkgs))
	for i, p := range tr.pkgs {
		pkgs[i] = split.OriginPackage{NEVRA: p.NEVRA.String(), Name: p.NEVRA.Name, Source: tr.meta[i].SourceRPM}
	}
	groups, _ := split.PlanOriginWith(hs, report.Owners, pkgs, cfg.Layers.Max, opts.Previous[arch])
	var layers []*manifests.Layer
	for _, g := range groups {
		l, err := manifests.WriteLayer(t.Context(), opts.WorkDir, manifests.LayerOptions{Compression: opts.Compression, Concurrency: 1}, func(w io.Writer) error {
			_, err := split.Write(t.Context(), tarFile, g, w)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		layers = append(layers, l)
	}
	whole, err := os.ReadFile(tarFile)
	if err != nil {
		t.Fatal(err)
	}
	return layers, whole
}

// TestOriginLayersFromTree: the origin layers written straight from the
// tree's layout (originLayers: no tar of the whole tree, compressors
// reused from layer to layer) have the digests of those written through
// the tree's whole tar with a new compressor each (originViaTar), with
// and without a previous plan, gzip and zstd, several budgets; with
// keepTar the tar of the whole tree left beside them has WriteTar's
// bytes.
func TestOriginLayersFromTree(t *testing.T) {
	t.Parallel()
	repos := testrepo.Get(t)
	base := filepath.Join(filepath.Dir(repos.Dir["x86_64"]), "$basearch")
	for _, tc := range []struct {
		name        string
		max         int
		compression manifests.Compression
		previous    bool
	}{
		{"default budget", 50, manifests.Gzip, false},
		{"three layers", 3, manifests.Gzip, false},
		{"zstd", 4, manifests.Zstd, false},
		{"previous plan", 50, manifests.Gzip, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfgFile := filepath.Join(t.TempDir(), "image.toml")
			text := fmt.Sprintf(`[image]
name = "test/origin"
architectures = ["x86_64"]
releasever = "3.0"

[[repository]]
id = "test"
baseurl = "file://%s"
gpgkey = [%q]
gpgcheck = true
repo_gpgcheck = true

[packages]
install = ["filesystem", "setup", "glibc", "libfoo", "appd", "webd", "tzdata", "busybox", "core-packages-container"]

[layers]
strategy = "origin"
max = %d
`, base, repos.KeyFile, tc.max)
			if err := os.WriteFile(cfgFile, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			opts := BuildOptions{WorkDir: t.TempDir(), Compression: tc.compression}
			opts.Repo = []repo.Option{repo.WithCacheDir(t.TempDir())}
			if tc.previous {
				// A plan that kept glibc and tzdata together and
				// knew an older libfoo.
				opts.Previous = map[string][]split.PrevLayer{"x86_64": {
					{Sources: []string{"glibc", "tzdata"}, Packages: nil},
					{Sources: []string{"libfoo"}, Packages: []string{"libfoo-0.9-1.azl3.x86_64"}},
				}}
			}
			cfg, oldTree := originTree(t, cfgFile, opts)
			defer oldTree.w.Close()
			if tc.previous {
				// The previous layer listed exactly what glibc and
				// tzdata hold now: it is kept as it was.
				var now []string
				for _, p := range oldTree.pkgs {
					if p.NEVRA.Name == "glibc" || p.NEVRA.Name == "tzdata" {
						now = append(now, p.NEVRA.String())
					}
				}
				opts.Previous["x86_64"][0].Packages = now
			}
			want, wantTar := originViaTar(t, cfg, "x86_64", oldTree, opts)
			_, newTree := originTree(t, cfgFile, opts)
			defer newTree.w.Close()
			hist, tarPath, _, err := originLayers(t.Context(), cfg, "x86_64", newTree, opts, manifests.LayerOptions{Compression: tc.compression}, true)
			if err != nil {
				t.Fatal(err)
			}
			defer os.Remove(tarPath)
			if len(hist) != len(want) {
				t.Fatalf("%d layers in one pass, %d through the tar", len(hist), len(want))
			}
			if len(want) < 3 {
				t.Fatalf("only %d layers: the test needs several", len(want))
			}
			for i, h := range hist {
				gd, _ := h.Layer.Digest()
				wd, _ := want[i].Digest()
				gi, _ := h.Layer.DiffID()
				wi, _ := want[i].DiffID()
				if gd != wd || gi != wi {
					t.Errorf("layer %d (%s): digest %s diff-id %s in one pass, %s %s through the tar", i, h.Comment, gd, gi, wd, wi)
				}
			}
			if tc.previous && !strings.Contains(hist[0].Annotations["dev.slipway.layer.sources"], "glibc,tzdata") {
				t.Errorf("the previous plan was not kept: the bottom layer is %v", hist[0].Annotations)
			}
			gotTar, err := os.ReadFile(tarPath)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(gotTar, wantTar) {
				t.Errorf("the tree's tar: %d bytes in one pass, %d from WriteTar", len(gotTar), len(wantTar))
			}
		})
	}
}
