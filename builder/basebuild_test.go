package builder

import (
	"strings"
	"testing"

	"github.com/slipway-build/slipway/builder/config"
)

// TestBuildOnBaseRefusesRun: scriptlets = "run" on a base fails before
// anything is read, instead of emulating in silence.
func TestBuildOnBaseRefusesRun(t *testing.T) {
	t.Parallel()
	cfg := &config.Config{}
	cfg.Image.Name, cfg.Image.Base = "test/x", "oci:/nonexistent:t"
	cfg.Packages.Scriptlets = config.ScriptletsRun
	_, err := buildOnBase(t.Context(), cfg, "x86_64", nil, BuildOptions{})
	if err == nil || !strings.Contains(err.Error(), `scriptlets = "run" does not apply to a build on a base image`) {
		t.Fatalf("err %v", err)
	}
}
