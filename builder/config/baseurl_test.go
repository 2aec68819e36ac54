package config

import (
	"os"
	"path/filepath"
	"testing"
)

// A baseurl that is a plain path names a local repository relative to the
// file that declares it, also through extends.
func TestRelativeBaseURL(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sub := filepath.Join(dir, "variants")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	base := `[image]
name = "x/base"
architectures = ["x86_64"]
[[repository]]
id = "local"
baseurl = "repo/$basearch"
gpgcheck = false
[packages]
install = ["a"]
`
	overlay := `extends = "../base.toml"
[[repository]]
id = "abs"
baseurl = "/srv/repo"
gpgcheck = false
`
	if err := os.WriteFile(filepath.Join(dir, "base.toml"), []byte(base), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sub, "v.toml"), []byte(overlay), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(t.Context(), filepath.Join(sub, "v.toml"))
	if err != nil {
		t.Fatal(err)
	}
	local, _ := c.Repository("local")
	if got, want := c.RepoURL(local, "x86_64"), "file://"+filepath.Join(dir, "repo", "x86_64"); got != want {
		t.Errorf("relative baseurl from the base file = %q, want %q", got, want)
	}
	abs, _ := c.Repository("abs")
	if got := c.RepoURL(abs, "x86_64"); got != "file:///srv/repo" {
		t.Errorf("absolute path baseurl = %q", got)
	}
}
