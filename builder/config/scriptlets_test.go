package config

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestLicensesAndMachineID: packages.licenses (default true) and
// image.machine_id load, are overridden by an overlay, round-trip through
// the canonical TOML, and leave the digest of configurations that do not
// set them unchanged.
func TestLicensesAndMachineID(t *testing.T) {
	t.Parallel()
	withID := strings.Replace(minimal, "architectures = [\"x86_64\"]\n", "architectures = [\"x86_64\"]\nmachine_id = \"empty\"\n", 1)
	dir := writeFiles(t, map[string]string{
		"plain.toml":    minimal,
		"true.toml":     minimal + "licenses = true\n",
		"false.toml":    minimal + "licenses = false\n",
		"id.toml":       withID,
		"overlay.toml":  "extends = \"false.toml\"\n[packages]\nlicenses = true\n[image]\nmachine_id = \"empty\"\n",
		"bad-id.toml":   strings.Replace(withID, `"empty"`, `"random"`, 1),
		"bad-type.toml": minimal + "licenses = \"no\"\n",
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
		file      string
		licenses  bool
		machineID MachineID
	}{
		{"plain.toml", true, MachineIDNone},
		{"true.toml", true, MachineIDNone},
		{"false.toml", false, MachineIDNone},
		{"id.toml", true, MachineIDEmpty},
		{"overlay.toml", true, MachineIDEmpty},
	} {
		c := load(tc.file)
		if c.Packages.Licenses != tc.licenses || c.Image.MachineID != tc.machineID {
			t.Errorf("%s: licenses %v machine_id %q, want %v %q", tc.file, c.Packages.Licenses, c.Image.MachineID, tc.licenses, tc.machineID)
		}
		b, err := c.TOML()
		if err != nil {
			t.Fatal(err)
		}
		rt := filepath.Join(t.TempDir(), "rt.toml")
		writeFile(t, rt, b)
		c2, err := Load(t.Context(), rt)
		if err != nil {
			t.Fatalf("%s: loading rendered TOML: %v\n%s", tc.file, err, b)
		}
		if c2.Digest() != c.Digest() || c2.Packages.Licenses != tc.licenses || c2.Image.MachineID != tc.machineID {
			t.Errorf("%s: round trip changed digest or values:\n%s", tc.file, b)
		}
	}
	if load("plain.toml").Digest() != load("true.toml").Digest() {
		t.Error("licenses = true (the default) changed the digest")
	}
	if load("plain.toml").Digest() == load("false.toml").Digest() || load("plain.toml").Digest() == load("id.toml").Digest() {
		t.Error("licenses = false or machine_id does not enter the digest")
	}
	_, err := Load(t.Context(), filepath.Join(dir, "bad-id.toml"))
	wantErr(t, err, "bad-id.toml", "image.machine_id", `"random" is not "empty"`)
	_, err = Load(t.Context(), filepath.Join(dir, "bad-type.toml"))
	wantErr(t, err, "bad-type.toml", "packages.licenses")
}
