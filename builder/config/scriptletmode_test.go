package config

import (
	"path/filepath"
	"testing"
)

// TestScriptletMode: packages.scriptlets is "emulate" (the default) or
// "run", is overridden by an overlay, round-trips through the canonical
// TOML, and leaves the digest of configurations that do not set it
// unchanged.
func TestScriptletMode(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"plain.toml":    minimal,
		"emulate.toml":  minimal + "scriptlets = \"emulate\"\n",
		"run.toml":      minimal + "scriptlets = \"run\"\n",
		"overlay.toml":  "extends = \"run.toml\"\n[packages]\nscriptlets = \"emulate\"\n",
		"bad.toml":      minimal + "scriptlets = \"exec\"\n",
		"bad-type.toml": minimal + "scriptlets = true\n",
	})
	load := func(name string) *Config {
		t.Helper()
		c, err := Load(t.Context(), filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return c
	}
	for _, tc := range []struct {
		file string
		want ScriptletMode
	}{
		{"plain.toml", ScriptletsEmulate},
		{"emulate.toml", ScriptletsEmulate},
		{"run.toml", ScriptletsRun},
		{"overlay.toml", ScriptletsEmulate},
	} {
		c := load(tc.file)
		if c.Packages.Scriptlets != tc.want {
			t.Errorf("%s: scriptlets %q, want %q", tc.file, c.Packages.Scriptlets, tc.want)
		}
		b, err := c.TOML()
		if err != nil {
			t.Fatal(err)
		}
		rt := filepath.Join(t.TempDir(), "rt.toml")
		writeFile(t, rt, b)
		if c2, err := Load(t.Context(), rt); err != nil || c2.Digest() != c.Digest() || c2.Packages.Scriptlets != tc.want {
			t.Errorf("%s: round trip: %v\n%s", tc.file, err, b)
		}
	}
	if load("plain.toml").Digest() != load("emulate.toml").Digest() {
		t.Error(`scriptlets = "emulate" (the default) changed the digest`)
	}
	if load("plain.toml").Digest() == load("run.toml").Digest() {
		t.Error(`scriptlets = "run" does not enter the digest`)
	}
	_, err := Load(t.Context(), filepath.Join(dir, "bad.toml"))
	wantErr(t, err, "bad.toml", "packages.scriptlets", `"exec" is not one of emulate, run`)
	_, err = Load(t.Context(), filepath.Join(dir, "bad-type.toml"))
	wantErr(t, err, "bad-type.toml", "packages.scriptlets")
}
