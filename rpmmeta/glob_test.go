package rpmmeta

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testutil"
)

func TestMatchPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		glob, path string
		want       bool
	}{
		{"/usr/share/doc/**", "/usr/share/doc", true},
		{"/usr/share/doc/**", "/usr/share/doc/bash/README", true},
		{"/usr/share/doc/**", "/usr/share/docs", false},
		{"/usr/share/doc/**", "/usr/share", false},
		{"/usr/**/man", "/usr/man", true},
		{"/usr/**/man", "/usr/share/man", true},
		{"/usr/**/man", "/usr/share/man/man1", false},
		{"/**", "/", true},
		{"/**", "/etc/passwd", true},
		{"/**/*.pyc", "/usr/lib/python3/x.pyc", true},
		{"/**/*.pyc", "/x.pyc", true},
		{"/usr/*/doc", "/usr/share/doc", true},
		{"/usr/*/doc", "/usr/local/share/doc", false},
		{"/usr/*", "/usr", false},
		{"/var/log/*.log", "/var/log/dnf.log", true},
		{"/var/log/*.log", "/var/log/sub/dnf.log", false},
		{"/etc/?asswd", "/etc/passwd", true},
		{"/etc/[ps]*", "/etc/shadow", true},
		{"/etc/[!ps]*", "/etc/shadow", false},
		{"/etc/\\*", "/etc/*", true},
		{"/etc/\\*", "/etc/x", false},
		{"/a/**/b/**/c", "/a/x/b/y/z/c", true},
		{"/a/**/b/**/c", "/a/b/c", true},
		{"/a/**/b/**/c", "/a/c", false},
		{"relative/**", "/relative/x", false},
		{"/etc/[", "/etc/[", false}, // invalid globs match nothing
	}
	for _, tt := range tests {
		if got := MatchPath(tt.glob, tt.path); got != tt.want {
			t.Errorf("MatchPath(%q, %q) = %v, want %v", tt.glob, tt.path, got, tt.want)
		}
	}
}

// TestMatchPathMatchesBash compares MatchPath with bash's globstar
// expansion over a real tree (dotglob on: '*' matches leading dots, as in
// MatchPath).
func TestMatchPathMatchesBash(t *testing.T) {
	bash := testutil.RequireTool(t, "bash", "bash")
	root := t.TempDir()
	tree := []string{
		"usr/share/doc/bash/README", "usr/share/doc/bash/.hidden", "usr/share/doc/x",
		"usr/share/docs/y", "usr/share/man/man1/ls.1.gz", "usr/man/z",
		"usr/local/share/doc/a", "usr/lib/python3/a/b.pyc", "usr/lib/python3/c.py",
		"x.pyc", "var/log/dnf.log", "var/log/sub/dnf.log", "var/log/hawkey.log",
		"etc/passwd", "etc/shadow", "etc/[x]", "a/x/b/y/z/c", "a/b/c", "a/c",
	}
	for _, f := range tree {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var all []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if rel != "." {
			all = append(all, "/"+filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	globs := []string{
		"/usr/share/doc/**", "/usr/**/man", "/usr/**/doc/*", "/**/*.pyc", "/usr/*/doc",
		"/var/log/*.log", "/var/log/**/*.log", "/etc/?asswd", "/etc/[ps]*", "/etc/[!p]*",
		"/a/**/b/**/c", "/usr/share/*/bash/*", "/**/.hidden", "/usr/*", "/*/log",
	}
	for _, g := range globs {
		if err := ValidateGlob(g); err != nil {
			t.Fatalf("ValidateGlob(%q): %v", g, err)
		}
		script := `shopt -s globstar dotglob nullglob; cd "$1" && for f in ` + g[1:] + `; do printf '%s\0' "$f"; done`
		out, err := exec.CommandContext(t.Context(), bash, "-c", script, "bash", root).Output()
		if err != nil {
			t.Fatalf("bash %q: %v", g, err)
		}
		var want []string
		for _, f := range strings.Split(string(bytes.TrimRight(out, "\x00")), "\x00") {
			if f != "" {
				want = append(want, "/"+strings.TrimSuffix(f, "/"))
			}
		}
		slices.Sort(want)
		want = slices.Compact(want)
		var got []string
		for _, p := range all {
			if MatchPath(g, p) {
				got = append(got, p)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s:\n MatchPath %q\n      bash %q", g, got, want)
		}
	}
}

func FuzzMatchPath(f *testing.F) {
	f.Add("/usr/share/doc/**", "/usr/share/doc/x")
	f.Add("/**/*.pyc", "/a/b.pyc")
	f.Add("/a/**/b/**/c", "/a/b/c")
	f.Add("/etc/[", "/etc/[")
	f.Fuzz(func(t *testing.T, glob, p string) {
		m := MatchPath(glob, p)
		if m && ValidateGlob(glob) == nil && !strings.Contains(glob, "**") {
			// Without "**", a match is path.Match component by component.
			if strings.Count(glob, "/") != strings.Count(p, "/") {
				t.Errorf("MatchPath(%q, %q) matched a different depth", glob, p)
			}
		}
	})
}
