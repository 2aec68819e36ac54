package config

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestLayers: [layers] strategy loads with its default, is inherited and
// overridden through extends, is refused when unknown, round-trips
// through the canonical TOML and leaves the digest of configurations
// without it unchanged.
func TestLayers(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"plain.toml":    minimal,
		"single.toml":   minimal + "[layers]\nstrategy = \"single\"\n",
		"shared.toml":   "extends = \"plain.toml\"\n[layers]\nstrategy = \"shared-base\"\n",
		"inherit.toml":  "extends = \"shared.toml\"\n[image]\nname = \"test/inherit\"\n",
		"back.toml":     "extends = \"shared.toml\"\n[layers]\nstrategy = \"single\"\n",
		"bad.toml":      minimal + "[layers]\nstrategy = \"many\"\n",
		"unknown.toml":  minimal + "[layers]\nstrategi = \"single\"\n",
		"wrongtyp.toml": minimal + "[layers]\nstrategy = 2\n",
	})
	plain, err := Load(t.Context(), filepath.Join(dir, "plain.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file    string
		want    LayerStrategy
		wantErr string
	}{
		{"plain.toml", LayersSingle, ""},
		{"single.toml", LayersSingle, ""},
		{"shared.toml", LayersSharedBase, ""},
		{"inherit.toml", LayersSharedBase, ""},
		{"back.toml", LayersSingle, ""},
		{"bad.toml", "", "layers.strategy"},
		{"unknown.toml", "", "strategi"},
		{"wrongtyp.toml", "", "strategy"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			c, err := Load(t.Context(), filepath.Join(dir, tc.file))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one naming %q", err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.file) {
					t.Errorf("error %q does not name the file", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Layers.Strategy != tc.want {
				t.Errorf("strategy = %q, want %q", c.Layers.Strategy, tc.want)
			}
			b, err := c.TOML()
			if err != nil {
				t.Fatal(err)
			}
			if got, want := strings.Contains(string(b), "[layers]"), tc.want != LayersSingle; got != want {
				t.Errorf("rendered TOML has [layers] = %v, want %v:\n%s", got, want, b)
			}
			rt := filepath.Join(t.TempDir(), "rt.toml")
			writeFile(t, rt, b)
			c2, err := Load(t.Context(), rt)
			if err != nil {
				t.Fatalf("loading rendered TOML: %v", err)
			}
			if c2.Layers != c.Layers || c2.Digest() != c.Digest() {
				t.Errorf("round trip: %+v %s, want %+v %s", c2.Layers, c2.Digest(), c.Layers, c.Digest())
			}
			if tc.file == "single.toml" && c.Digest() != plain.Digest() {
				t.Errorf("an explicit default strategy changed the digest: %s, want %s", c.Digest(), plain.Digest())
			}
		})
	}
}

// TestLayersMax: layers.max loads (0 when absent), is inherited and
// overridden through extends, is refused out of range or of the wrong
// type, round-trips through the canonical TOML and changes the digest
// only when set.
func TestLayersMax(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"plain.toml":    minimal,
		"three.toml":    minimal + "[layers]\nmax = 3\n",
		"shared.toml":   "extends = \"three.toml\"\n[layers]\nstrategy = \"shared-base\"\n",
		"over.toml":     "extends = \"three.toml\"\n[layers]\nmax = 1\n",
		"zero.toml":     minimal + "[layers]\nmax = 0\n",
		"neg.toml":      minimal + "[layers]\nmax = -2\n",
		"huge.toml":     minimal + "[layers]\nmax = 1000\n",
		"string.toml":   minimal + "[layers]\nmax = \"3\"\n",
		"float.toml":    minimal + "[layers]\nmax = 2.5\n",
		"shared2.toml":  "extends = \"plain.toml\"\n[layers]\nstrategy = \"shared-base\"\nmax = 2\n",
		"origin.toml":   minimal + "[layers]\nstrategy = \"origin\"\n",
		"origin20.toml": minimal + "[layers]\nstrategy = \"origin\"\nmax = 20\n",
		"origin1.toml":  minimal + "[layers]\nstrategy = \"origin\"\nmax = 1\n",
		"chunked.toml":  minimal + "[layers]\nstrategy = \"chunked\"\n",
	})
	plain, err := Load(t.Context(), filepath.Join(dir, "plain.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file    string
		want    Layers
		wantErr string
	}{
		{"plain.toml", Layers{Strategy: LayersSingle}, ""},
		{"three.toml", Layers{Strategy: LayersSingle, Max: 3}, ""},
		{"shared.toml", Layers{Strategy: LayersSharedBase, Max: 3}, ""},
		{"over.toml", Layers{Strategy: LayersSingle, Max: 1}, ""},
		{"shared2.toml", Layers{Strategy: LayersSharedBase, Max: 2}, ""},
		{"origin.toml", Layers{Strategy: LayersOrigin, Max: DefaultOriginMax}, ""},
		{"origin20.toml", Layers{Strategy: LayersOrigin, Max: 20}, ""},
		{"origin1.toml", Layers{}, "layers.max"},
		{"chunked.toml", Layers{}, "single, shared-base, origin"},
		{"zero.toml", Layers{}, "layers.max"},
		{"neg.toml", Layers{}, "layers.max"},
		{"huge.toml", Layers{}, "layers.max"},
		{"string.toml", Layers{}, "max"},
		{"float.toml", Layers{}, "max"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			c, err := Load(t.Context(), filepath.Join(dir, tc.file))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one naming %q", err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.file) {
					t.Errorf("error %q does not name the file", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Layers != tc.want {
				t.Errorf("layers = %+v, want %+v", c.Layers, tc.want)
			}
			b, err := c.TOML()
			if err != nil {
				t.Fatal(err)
			}
			rt := filepath.Join(t.TempDir(), "rt.toml")
			writeFile(t, rt, b)
			c2, err := Load(t.Context(), rt)
			if err != nil {
				t.Fatalf("loading rendered TOML: %v\n%s", err, b)
			}
			if c2.Layers != c.Layers || c2.Digest() != c.Digest() {
				t.Errorf("round trip: %+v %s, want %+v %s", c2.Layers, c2.Digest(), c.Layers, c.Digest())
			}
			if (c.Digest() == plain.Digest()) != (tc.want.Max == 0 && tc.want.Strategy == LayersSingle) {
				t.Errorf("digest %s vs plain %s: want equal only without [layers] settings", c.Digest(), plain.Digest())
			}
		})
	}
}
