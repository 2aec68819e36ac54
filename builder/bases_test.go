package builder

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/builder/lock"
	"github.com/slipway-build/slipway/rpmmeta"
)

// TestBasesLoadedOnce: LoadBases loads the shared-base chain, and the
// layer plan takes the bases from BuildOptions.Bases instead of loading
// them again (here the base's file is gone by the time the plan is
// made, so a second load would fail).
func TestBasesLoadedOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	base := write("base.toml", "[image]\nname = \"test/base\"\narchitectures = [\"x86_64\"]\n[[repository]]\nid = \"r\"\nbaseurl = \"file:///nowhere\"\ngpgcheck = false\n[packages]\ninstall = [\"a\"]\n")
	top := write("top.toml", "extends = \"base.toml\"\n[image]\nname = \"test/top\"\n[layers]\nstrategy = \"shared-base\"\n")
	ctx := t.Context()
	cfg, err := config.Load(ctx, top)
	if err != nil {
		t.Fatal(err)
	}
	bases, err := LoadBases(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(bases) != 1 || bases[cfg.Files[1]] == nil || bases[cfg.Files[1]].Image.Name != "test/base" {
		t.Fatalf("LoadBases: %v, want %s", bases, base)
	}
	if err := os.Remove(base); err != nil {
		t.Fatal(err)
	}
	baseLock := &lock.Lock{Arches: []lock.Arch{{Name: "x86_64", Packages: []lock.Package{{NEVRA: rpmmeta.NEVRA{Name: "a", EVR: rpmmeta.EVR{Version: "1", Release: "1"}, Arch: "x86_64"}}}}}}
	plan, err := planLayers(ctx, cfg, "x86_64", BuildOptions{Bases: bases, BaseLocks: map[string]*lock.Lock{cfg.Files[1]: baseLock}})
	if err != nil {
		t.Fatalf("planLayers with the loaded bases: %v", err)
	}
	if len(plan.levels) != 2 || plan.levels[0].cfg != bases[cfg.Files[1]] {
		t.Errorf("plan %+v: want the loaded base at the bottom", plan.levels)
	}
}
