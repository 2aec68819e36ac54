package builder

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/builder/lock"
	"github.com/slipway-build/slipway/builder/policy"
	"github.com/slipway-build/slipway/layers/rootfs"
	"github.com/slipway-build/slipway/manifests"
	"github.com/slipway-build/slipway/rpmmeta"
)

func policyConfig(t *testing.T, pol string) *config.Config {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "image.toml")
	text := "[image]\nname = \"t/p\"\narchitectures = [\"x86_64\"]\n\n[[repository]]\nid = \"local\"\nbaseurl = \"file:///nonexistent\"\ngpgcheck = false\n\n[packages]\ninstall = [\"bash\"]\n\n[policy]\n" + pol + "\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCheckBuilt: after the build, the sizes are checked with the layers'
// real compressed size (no estimate) and, for a lockfile's build, the
// tree's file content as the installed size; the package rules, checked
// before the build, are not reported twice.
func TestCheckBuilt(t *testing.T) {
	t.Parallel()
	bash := lock.Package{NEVRA: rpmmeta.NEVRA{Name: "bash", EVR: rpmmeta.EVR{Version: "5", Release: "1"}, Arch: "x86_64"}, Size: 100}
	set := archSet{arch: "x86_64", pkgs: []lock.Package{bash}} // a lockfile's: no resolution
	layer := manifests.LayerFromFile("/nonexistent", v1.Hash{}, v1.Hash{}, 5000, "")
	build := &ArchBuild{Arch: "x86_64", Layers: []*manifests.Layer{layer, layer}, Report: &rootfs.Report{Bytes: 20000}}
	for _, tc := range []struct {
		name, policy string
		want         []string // violations, in order
	}{
		{"within", `max_size = "20kB"` + "\n" + `max_compressed_size = "10kB"` + "\n" + `deny = ["bash"]`, nil},
		{"installed size from the tree", `max_size = "19999B"`, []string{"policy.max_size: x86_64: installed size 20.0 kB (20000 bytes) is over"}},
		{"compressed size of the layers", `max_compressed_size = "9999B"`, []string{"policy.max_compressed_size: x86_64: compressed size 10.0 kB (10000 bytes) is over"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := policyConfig(t, tc.policy)
			err := checkBuilt(cfg, []archSet{set}, []*ArchBuild{build}, nil)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("checkBuilt: %v", err)
				}
				return
			}
			pe, ok := err.(*policy.Error)
			if !ok || len(pe.Violations) != len(tc.want) {
				t.Fatalf("checkBuilt: %v, want %q", err, tc.want)
			}
			for i, w := range tc.want {
				if got := pe.Violations[i].Error(); !strings.Contains(got, w) || !strings.Contains(got, "image.toml:") {
					t.Errorf("violation %d: %q, want %q with the file and line", i, got, w)
				}
			}
		})
	}
	// Before the build the same lockfile set has no installed size and
	// an estimated compressed one.
	img := set.policyImage()
	if img.InstalledSize != -1 || img.CompressedSize != 100 || !img.CompressedEstimate {
		t.Errorf("policyImage of a lockfile: %+v", img)
	}
}

// TestLoadBaselineLockfile: a relative lockfile is read beside the
// configuration that names it; without allow_new = false nothing is read.
func TestLoadBaselineLockfile(t *testing.T) {
	t.Parallel()
	cfg := policyConfig(t, "baseline = \"base.lock\"\nallow_new = false")
	if _, err := LoadBaseline(t.Context(), cfg, Options{}, manifests.PushOptions{}); err == nil || !strings.Contains(err.Error(), "image.toml:") || !strings.Contains(err.Error(), "policy.baseline: reading ") {
		t.Fatalf("a missing baseline: %v", err)
	}
	l := &lock.Lock{ConfigDigest: "sha256:" + strings.Repeat("0", 64), Arches: []lock.Arch{{Name: "x86_64", Packages: []lock.Package{{
		NEVRA: rpmmeta.NEVRA{Name: "bash", EVR: rpmmeta.EVR{Version: "5", Release: "1"}, Arch: "x86_64"},
		Repo:  "local", Location: "bash.rpm", Checksum: lock.Checksum{Type: "sha256", Value: strings.Repeat("a", 64)}, Size: 1,
	}}}}}
	data, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(cfg.Files[0]), "base.lock"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := LoadBaseline(t.Context(), cfg, Options{}, manifests.PushOptions{})
	if err != nil || len(b["x86_64"]) != 1 || b["x86_64"][0].Name != "bash" {
		t.Fatalf("LoadBaseline: %v, %v", b, err)
	}
	allowed := policyConfig(t, "baseline = \"base.lock\"")
	if b, err := LoadBaseline(t.Context(), allowed, Options{}, manifests.PushOptions{}); b != nil || err != nil {
		t.Errorf("allow_new = true read the baseline: %v, %v", b, err)
	}
}
