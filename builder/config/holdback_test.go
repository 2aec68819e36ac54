package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestAllowUnsatisfied: packages.allow_unsatisfied loads, is replaced by an
// overlay, round-trips through the canonical TOML, and leaves the digest of
// configurations that do not use it unchanged.
func TestAllowUnsatisfied(t *testing.T) {
	t.Parallel()
	// Installing what the same file holds back is an error of its own.
	noBash := with(t, `install = ["bash"]`, `install = ["filesystem"]`)
	dir := writeFiles(t, map[string]string{
		"plain.toml":   minimal,
		"empty.toml":   minimal + "allow_unsatisfied = []\n",
		"base.toml":    noBash + "exclude = [\"bash\", \"grep\"]\nallow_unsatisfied = [\"bash\", \"grep\"]\n",
		"inherit.toml": "extends = \"base.toml\"\n[image]\nname = \"test/inherit\"\n",
		"over.toml":    "extends = \"base.toml\"\n[packages]\nallow_unsatisfied = [\"core*\"]\n",
		"clear.toml":   "extends = \"base.toml\"\n[packages]\nallow_unsatisfied = []\n",
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
		want []string
	}{
		{"plain.toml", nil},
		{"empty.toml", nil},
		{"base.toml", []string{"bash", "grep"}},
		{"inherit.toml", []string{"bash", "grep"}},
		{"over.toml", []string{"core*"}},
		{"clear.toml", nil},
	} {
		c := load(tc.file)
		if !slices.Equal(c.Packages.AllowUnsatisfied, tc.want) {
			t.Errorf("%s: allow_unsatisfied = %q, want %q", tc.file, c.Packages.AllowUnsatisfied, tc.want)
		}
		// Round trip through the canonical TOML keeps the value and digest.
		b, err := c.TOML()
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(string(b), "allow_unsatisfied"); got != (len(tc.want) > 0) {
			t.Errorf("%s: rendered TOML mentions allow_unsatisfied = %v, want %v:\n%s", tc.file, got, len(tc.want) > 0, b)
		}
		rt := filepath.Join(t.TempDir(), "rt.toml")
		writeFile(t, rt, b)
		c2, err := Load(t.Context(), rt)
		if err != nil {
			t.Fatalf("%s: loading rendered TOML: %v", tc.file, err)
		}
		if c2.Digest() != c.Digest() || !slices.Equal(c2.Packages.AllowUnsatisfied, tc.want) {
			t.Errorf("%s: round trip changed digest or value: %q", tc.file, c2.Packages.AllowUnsatisfied)
		}
	}
	if load("plain.toml").Digest() != load("empty.toml").Digest() {
		t.Error("an empty allow_unsatisfied changed the digest")
	}
	withExclude := writeFiles(t, map[string]string{"x.toml": noBash + "exclude = [\"bash\", \"grep\"]\n"})
	cx, err := Load(t.Context(), filepath.Join(withExclude, "x.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if cx.Digest() == load("base.toml").Digest() {
		t.Error("allow_unsatisfied does not enter the digest")
	}
	if p, ok := load("over.toml").Origin("packages.allow_unsatisfied"); !ok || !strings.HasSuffix(p.File, "over.toml") || p.Line != 3 {
		t.Errorf("origin of packages.allow_unsatisfied = %+v, %v; want over.toml:3", p, ok)
	}
}

func TestAllowUnsatisfiedErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, value string
		want        []string
	}{
		{"empty entry", `[""]`, []string{"c.toml:13:", "packages.allow_unsatisfied:", "empty package name"}},
		{"padded", `[" bash"]`, []string{"c.toml:13:", "surrounding spaces"}},
		{"capability", `["/bin/sh"]`, []string{"c.toml:13:", "not a package name"}},
		{"versioned", `["bash >= 5"]`, []string{"not a package name"}},
		{"bad glob", `["ba[sh"]`, []string{"c.toml:13:", "not a valid glob"}},
		{"wrong type", `"bash"`, []string{"c.toml:13:", "packages.allow_unsatisfied", "want an array of strings"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := writeFiles(t, map[string]string{"c.toml": minimal + "allow_unsatisfied = " + tc.value + "\n"})
			_, err := Load(t.Context(), filepath.Join(dir, "c.toml"))
			if err == nil {
				t.Fatal("loaded without error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func writeFile(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
