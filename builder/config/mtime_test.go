package config

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestImageMTime: image.mtime is "package" (the default, also when
// written out) or "clamp", is inherited through extends, is refused
// otherwise, and enters the digest only as "clamp".
func TestImageMTime(t *testing.T) {
	t.Parallel()
	withMTime := func(v string) string {
		return strings.Replace(minimal, "architectures = [\"x86_64\"]\n", "architectures = [\"x86_64\"]\nmtime = "+v+"\n", 1)
	}
	dir := writeFiles(t, map[string]string{
		"plain.toml":   minimal,
		"package.toml": withMTime(`"package"`),
		"clamp.toml":   withMTime(`"clamp"`),
		"child.toml":   "extends = \"clamp.toml\"\n",
		"bad.toml":     withMTime(`"newest"`),
	})
	digests := map[string]string{}
	for _, tc := range []struct{ file, want, wantErr string }{
		{"plain.toml", "", ""},
		{"package.toml", "", ""},
		{"clamp.toml", "clamp", ""},
		{"child.toml", "clamp", ""},
		{"bad.toml", "", `image.mtime: "newest" is not "package" or "clamp"`},
	} {
		c, err := Load(t.Context(), filepath.Join(dir, tc.file))
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: error %v, want %q", tc.file, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if string(c.Image.MTime) != tc.want {
			t.Errorf("%s: mtime %q, want %q", tc.file, c.Image.MTime, tc.want)
		}
		digests[tc.file] = c.Digest()
	}
	if digests["plain.toml"] != digests["package.toml"] {
		t.Error("mtime = \"package\" changes the digest of a configuration that leaves it out")
	}
	if digests["plain.toml"] == digests["clamp.toml"] {
		t.Error("mtime = \"clamp\" does not enter the digest")
	}
}
