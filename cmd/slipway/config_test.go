package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/builder/config"
)

const exampleConfig = "../../builder/config/testdata/example/core.toml"

func TestConfigCommand(t *testing.T) {
	t.Parallel()
	want, err := config.Load(t.Context(), exampleConfig)
	if err != nil {
		t.Fatal(err)
	}

	code, out, errOut := runCLI(t, nil, "config", exampleConfig)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// The printed TOML loads back to the same digest.
	p := filepath.Join(t.TempDir(), "merged.toml")
	if err := os.WriteFile(p, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	code, digest, errOut := runCLI(t, nil, "config", "--digest", p)
	if code != 0 || strings.TrimSpace(digest) != want.Digest() {
		t.Errorf("--digest of the printed config = %q (exit %d, %s), want %s", digest, code, errOut, want.Digest())
	}

	code, out, errOut = runCLI(t, nil, "config", "--json", exampleConfig)
	var j struct {
		Image struct {
			Name string `json:"name"`
		} `json:"image"`
		Packages struct {
			Install []string `json:"install"`
		} `json:"packages"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &j) != nil || j.Image.Name != want.Image.Name || len(j.Packages.Install) != len(want.Packages.Install) {
		t.Errorf("--json: exit %d, %s, %+v", code, errOut, j)
	}
}

func TestConfigCommandErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	err := os.WriteFile(bad, []byte("[image]\nname = \"UPPER\"\narchitectures = [\"sparc\"]\n[packages]\ninstal = []\n"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	several := filepath.Join(dir, "several.toml")
	err = os.WriteFile(several, []byte("[image]\nname = \"UPPER\"\narchitectures = [\"sparc\"]\n"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		code  int
		lines []string // each must appear on its own stderr line
	}{
		{"no file", []string{"config"}, 2, []string{"slipway: config takes one CONFIG file"}},
		{"two files", []string{"config", "a", "b"}, 2, []string{"config takes one CONFIG file"}},
		{"json and digest", []string{"config", "--json", "--digest", bad}, 2, []string{"cannot be used together"}},
		{"missing", []string{"config", filepath.Join(dir, "none.toml")}, 1, []string{"slipway: reading config " + filepath.Join(dir, "none.toml") + ": no such file"}},
		{"unknown key", []string{"config", bad}, 1, []string{"slipway: " + bad + `:5: unknown key "packages.instal"`}},
		{"several problems", []string{"config", several}, 1, []string{
			"slipway: " + several + ":2: image.name:",
			"slipway: " + several + ":3: image.architectures:",
			"slipway: " + several + ": repository: at least one",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCLI(t, nil, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.code, errOut)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			for _, l := range tt.lines {
				if !strings.Contains(errOut, l) {
					t.Errorf("stderr %q lacks %q", errOut, l)
				}
			}
			for _, line := range strings.Split(strings.TrimSpace(errOut), "\n") {
				if !strings.HasPrefix(line, "slipway: ") && !strings.HasPrefix(line, "Run 'slipway help'") {
					t.Errorf("stderr line %q is not a slipway: message", line)
				}
			}
		})
	}
}
