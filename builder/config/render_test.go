package config

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRoundTrip: the printed merged configuration loads back to the same
// Digest, from the same folder or from another one.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	c, err := Load(t.Context(), "testdata/example/core.toml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.TOML()
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"testdata/example", t.TempDir()} {
		d := t.TempDir()
		if dir == "testdata/example" {
			d = dir
		}
		p := filepath.Join(d, "merged-"+filepath.Base(t.TempDir())+".toml")
		if err := os.WriteFile(p, out, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Remove(p) })
		c2, err := Load(t.Context(), p)
		if err != nil {
			t.Fatalf("loading the printed config: %v\n%s", err, out)
		}
		if c2.Digest() != c.Digest() {
			t.Errorf("digest after round trip = %s, want %s", c2.Digest(), c.Digest())
		}
		out2, err := c2.TOML()
		if err != nil {
			t.Fatal(err)
		}
		// Same body; only the comment naming the files differs.
		if body(out2) != body(out) {
			t.Errorf("second rendering differs:\n%s\n---\n%s", out, out2)
		}
	}
	j, err := c.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var back outFile
	if err := json.Unmarshal(j, &back); err != nil || back.Image.Name != c.Image.Name || len(back.Repository) != 2 {
		t.Errorf("JSON does not read back: %v %+v", err, back.Image)
	}
}

func body(b []byte) string {
	_, rest, _ := strings.Cut(string(b), "\n")
	return rest
}

// TestDigest: stable for equal content, different for any change that
// matters, blind to what does not (comments, order of keys, the folder).
func TestDigest(t *testing.T) {
	t.Parallel()
	load := func(t *testing.T, files map[string]string) string {
		t.Helper()
		dir := writeFiles(t, files)
		c, err := Load(t.Context(), filepath.Join(dir, "c.toml"))
		if err != nil {
			t.Fatal(err)
		}
		return c.Digest()
	}
	keyed := with(t, "gpgcheck = false", `gpgkey = ["k"]`)
	ref := load(t, map[string]string{"c.toml": keyed, "k": "key"})
	same := []struct {
		name  string
		files map[string]string
	}{
		{"again", map[string]string{"c.toml": keyed, "k": "key"}},
		{"comments and spacing", map[string]string{"c.toml": "# hello\n" + strings.ReplaceAll(keyed, " = ", "=") + "\n\n", "k": "key"}},
		{"defaults written out", map[string]string{"c.toml": strings.Replace(keyed, `id = "local"`, "id = \"local\"\npriority = 99\ngpgcheck = true", 1) + "[config]\nworkdir = \"/\"\n", "k": "key"}},
		{"key in a subfolder", map[string]string{"c.toml": strings.Replace(keyed, `["k"]`, `["sub/k"]`, 1), "sub/k": "key"}},
		{"through extends", map[string]string{"c.toml": "extends = \"b.toml\"\n", "b.toml": keyed, "k": "key"}},
	}
	for _, tt := range same {
		if got := load(t, tt.files); got != ref {
			t.Errorf("%s: digest %s, want %s", tt.name, got, ref)
		}
	}
	differ := []struct {
		name  string
		files map[string]string
	}{
		{"key content", map[string]string{"c.toml": keyed, "k": "other key"}},
		{"package", map[string]string{"c.toml": strings.Replace(keyed, `["bash"]`, `["bash", "zsh"]`, 1), "k": "key"}},
		{"package order", map[string]string{"c.toml": strings.Replace(keyed, `["bash"]`, `["zsh", "bash"]`, 1), "k": "key"}},
		{"priority", map[string]string{"c.toml": strings.Replace(keyed, `id = "local"`, "id = \"local\"\npriority = 98", 1), "k": "key"}},
		{"env", map[string]string{"c.toml": keyed + "[config]\nenv = { A = \"b\" }\n", "k": "key"}},
		{"arch", map[string]string{"c.toml": strings.Replace(keyed, `["x86_64"]`, `["aarch64"]`, 1), "k": "key"}},
		{"os_version", map[string]string{"c.toml": strings.Replace(keyed, `["x86_64"]`, "[\"x86_64\"]\nos_version = \"azurelinux-3.0\"", 1), "k": "key"}},
	}
	for _, tt := range differ {
		if got := load(t, tt.files); got == ref {
			t.Errorf("%s: digest did not change", tt.name)
		}
	}
}

// memFS is a readFile over a map, for fuzzing without touching disk.
func memFS(files map[string][]byte) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		if b, ok := files[filepath.Clean(name)]; ok {
			return b, nil
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
}

func FuzzLoad(f *testing.F) {
	for _, p := range []string{"testdata/example/core.toml", "testdata/example/base.toml"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(minimal))
	f.Add([]byte("extends = \"base.toml\"\n[packages]\ninstall = [\"x\"]\n[[accounts.user]]\nname = \"u\"\nuid = 1\ngid = 1\n"))
	f.Add([]byte("extends = \"c.toml\"\n"))
	f.Add([]byte(minimal + "[[repository]]\nrepofile = \"r.repo\"\n"))
	f.Add([]byte(strings.Replace(minimal, "gpgcheck = false", "gpgkey = [\"keys/k\", \"/cfg/keys/$basearch\"]", 1)))
	f.Add([]byte(minimal + "[paths]\nremove = [\"/usr/**\", \"/a/[!b]\"]\n[config]\nenv = { \"\" = \"x\" }\n"))
	f.Add([]byte("[image\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		files := map[string][]byte{
			"/cfg/c.toml":      data,
			"/cfg/base.toml":   []byte(minimal),
			"/cfg/keys/k":      []byte("key"),
			"/cfg/keys/x86_64": []byte("key x86_64"),
			"/cfg/r.repo":      []byte("[r]\nbaseurl=file:///r\ngpgkey=keys/k\ngpgcheck=1\n"),
		}
		c, err := Load(t.Context(), "/cfg/c.toml", withReadFile(memFS(files)))
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			var ce *Error
			if !errors.As(err, &ce) && !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("error %T is not a *config.Error: %v", err, err)
			}
			return
		}
		out, err := c.TOML()
		if err != nil {
			t.Fatalf("rendering a loaded config: %v", err)
		}
		if _, err := c.JSON(); err != nil {
			t.Fatalf("JSON: %v", err)
		}
		files["/cfg/out.toml"] = out
		c2, err := Load(t.Context(), "/cfg/out.toml", withReadFile(memFS(files)))
		if err != nil {
			t.Fatalf("the printed config does not load: %v\n%s", err, out)
		}
		if c2.Digest() != c.Digest() {
			t.Fatalf("digest changed after round trip:\n%s", out)
		}
	})
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		c, err := Load(b.Context(), "testdata/example/core.toml")
		if err != nil {
			b.Fatal(err)
		}
		_ = c.Digest()
	}
}

// TestOSVersion: image.os_version loads, renders, loads back to the same
// digest, and is left out of the rendering (and so of the digest) when
// unset.
func TestOSVersion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ cfg, want string }{
		{with(t, `architectures = ["x86_64"]`, "architectures = [\"x86_64\"]\nos_version = \"azurelinux-3.0\""), "azurelinux-3.0"},
		{minimal, ""},
	} {
		dir := writeFiles(t, map[string]string{"c.toml": tc.cfg})
		c, err := Load(t.Context(), filepath.Join(dir, "c.toml"))
		if err != nil {
			t.Fatal(err)
		}
		if c.Image.OSVersion != tc.want {
			t.Errorf("OSVersion = %q, want %q", c.Image.OSVersion, tc.want)
		}
		out, err := c.TOML()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(out), "os_version") != (tc.want != "") {
			t.Errorf("rendering with os_version %q:\n%s", tc.want, out)
		}
		dir2 := writeFiles(t, map[string]string{"c.toml": string(out)})
		c2, err := Load(t.Context(), filepath.Join(dir2, "c.toml"))
		if err != nil {
			t.Fatal(err)
		}
		if c2.Digest() != c.Digest() || c2.Image.OSVersion != tc.want {
			t.Errorf("reloaded: digest %s (was %s), os_version %q", c2.Digest(), c.Digest(), c2.Image.OSVersion)
		}
	}
}
