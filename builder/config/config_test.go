package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// minimal is a valid configuration with nothing optional set.
const minimal = `
[image]
name = "test/minimal"
architectures = ["x86_64"]

[[repository]]
id = "local"
baseurl = "file:///srv/repo"
gpgcheck = false

[packages]
install = ["bash"]
`

// writeFiles writes name -> content under a new temporary folder and
// returns the folder.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadExample(t *testing.T) {
	t.Parallel()
	c, err := Load(t.Context(), "testdata/example/core.toml")
	if err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs("testdata/example/keys/MICROSOFT-RPM-GPG-KEY")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Files, []string{"testdata/example/core.toml", "testdata/example/base.toml"}; !slices.Equal(got, want) {
		t.Errorf("Files = %q, want %q", got, want)
	}
	if c.Image.Name != "azurelinux/base/core" || c.Image.Releasever != "3.0" || c.Image.RPMDB != RPMDBSqlite {
		t.Errorf("Image = %+v", c.Image)
	}
	if got := ids(c.Repositories); !slices.Equal(got, []string{"base", "ms-oss"}) {
		t.Errorf("repository ids = %q", got)
	}
	base, _ := c.Repository("base")
	if !slices.Equal(base.GPGKeys, []string{"file://" + abs}) {
		t.Errorf("base gpgkey = %q, want file://%s", base.GPGKeys, abs)
	}
	if !base.GPGCheck || !base.RepoGPGCheck || base.Priority != 99 || base.File != "testdata/example/base.toml" {
		t.Errorf("base = %+v", base)
	}
	oss, _ := c.Repository("ms-oss")
	if oss.Priority != 50 || !oss.GPGCheck {
		t.Errorf("ms-oss = %+v", oss)
	}
	if want := []string{"filesystem", "azurelinux-release", "bash", "coreutils", "tdnf"}; !slices.Equal(c.Packages.Install, want) {
		t.Errorf("install = %q, want %q", c.Packages.Install, want)
	}
	if c.OCI.Env["LANG"] != "en_US.UTF-8" || c.OCI.Env["PATH"] == "" {
		t.Errorf("env = %q: want LANG from the overlay and PATH from the base", c.OCI.Env)
	}
	if want := []string{"/usr/share/doc/**", "/usr/share/man/**", "/var/log/**"}; !slices.Equal(c.Paths.Remove, want) {
		t.Errorf("paths.remove = %q, want %q", c.Paths.Remove, want)
	}
	if want := []User{{Name: "nonroot", UID: 65532, GID: 65532, Home: "/home/nonroot", Shell: "/sbin/nologin"}}; !reflect.DeepEqual(c.Accounts.Users, want) {
		t.Errorf("users = %+v", c.Accounts.Users)
	}
	if c.OCI.WorkingDir != "/" || c.OCI.User != "" {
		t.Errorf("workdir/user defaults = %q/%q", c.OCI.WorkingDir, c.OCI.User)
	}
	if p, ok := c.Origin("repository[base].baseurl"); !ok || p.File != "testdata/example/base.toml" || p.Line != 9 {
		t.Errorf("Origin(repository[base].baseurl) = %+v, %v; want base.toml:9", p, ok)
	}
	if p, ok := c.Origin("config.env.LANG"); !ok || p.File != "testdata/example/core.toml" {
		t.Errorf("Origin(config.env.LANG) = %+v, %v; want core.toml", p, ok)
	}
	if got, want := c.RepoURL(base, "aarch64"), "https://packages.microsoft.com/azurelinux/3.0/prod/base/aarch64"; got != want {
		t.Errorf("RepoURL = %q, want %q", got, want)
	}
}

func ids(rs []Repository) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func TestExpandVars(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"https://h/$releasever/x/$basearch", "https://h/3.0/x/aarch64"},
		{"https://h/${releasever}/x/${basearch}/", "https://h/3.0/x/aarch64/"},
		{"https://h/$releasever_major/$basearchx", "https://h/$releasever_major/$basearchx"},
		{"https://h/$stream/$", "https://h/$stream/$"},
		{"https://h/${basearch", "https://h/${basearch"},
		{"$basearch$basearch", "aarch64aarch64"},
		{"no vars", "no vars"},
	}
	for _, tt := range tests {
		if got := ExpandVars(tt.in, "3.0", "aarch64"); got != tt.want {
			t.Errorf("ExpandVars(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestExtends checks the merge rules: scalars override, install/remove
// append, other lists replace, maps merge by key, repositories by id,
// accounts by name.
func TestExtends(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"common/base.toml": `
[image]
name = "test/base"
architectures = ["x86_64", "aarch64"]
releasever = "3.0"
rpmdb = "manifest"

[[repository]]
id = "a"
baseurl = "file:///srv/a"
gpgcheck = false
priority = 10
includepkgs = ["x*"]

[[repository]]
id = "b"
baseurl = "file:///srv/b"
gpgcheck = false

[packages]
install = ["filesystem", "bash"]
exclude = ["perl"]
weak_deps = true

[config]
entrypoint = ["/bin/sh"]
cmd = ["-c", "true"]
env = { A = "1", B = "2" }
labels = { l1 = "x" }

[[accounts.group]]
name = "app"
gid = 1000

[[accounts.user]]
name = "app"
uid = 1000
gid = 1000
home = "/srv/app"

[paths]
remove = ["/usr/share/doc/**"]
`,
		"mid.toml": `
extends = "common/base.toml"
[image]
architectures = ["aarch64"]

[[repository]]
id = "a"
baseurl = "file:///srv/a2"
gpgcheck = false

[packages]
install = ["bash", "coreutils"]
exclude = []

[config]
env = { B = "two", C = "3" }
cmd = []
`,
		"top.toml": `
extends = "mid.toml"
[image]
name = "test/top"

[[repository]]
id = "c"
baseurl = "file:///srv/c"
gpgcheck = false

[[repository]]
id = "b"
enabled = false

[packages]
install = ["tdnf"]

[[accounts.user]]
name = "app"
uid = 1001
gid = 1000

[[accounts.user]]
name = "other"
uid = 1002
gid = 1000

[paths]
remove = ["/var/log/**", "/usr/share/doc/**"]
`,
	}
	dir := writeFiles(t, files)
	c, err := Load(t.Context(), filepath.Join(dir, "top.toml"))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"image.name (overridden)", c.Image.Name, "test/top"},
		{"image.architectures (replaced)", c.Image.Architectures, []string{"aarch64"}},
		{"image.rpmdb (inherited)", c.Image.RPMDB, RPMDBManifest},
		{"repository ids (a replaced in place, b disabled, c appended)", ids(c.Repositories), []string{"a", "c"}},
		{"repository a replaced whole", c.Repositories[0].BaseURL + " " + strings.Join(c.Repositories[0].IncludePkgs, ","), "file:///srv/a2 "},
		{"repository a priority default again", c.Repositories[0].Priority, 99},
		{"packages.install (appended, deduplicated)", c.Packages.Install, []string{"filesystem", "bash", "coreutils", "tdnf"}},
		{"packages.exclude (replaced by empty)", len(c.Packages.Exclude), 0},
		{"packages.weak_deps (inherited)", c.Packages.WeakDeps, true},
		{"config.entrypoint (inherited)", c.OCI.Entrypoint, []string{"/bin/sh"}},
		{"config.cmd (replaced by empty)", len(c.OCI.Cmd), 0},
		{"config.env (merged by key)", c.OCI.Env, map[string]string{"A": "1", "B": "two", "C": "3"}},
		{"config.labels (inherited)", c.OCI.Labels, map[string]string{"l1": "x"}},
		{"groups", c.Accounts.Groups, []Group{{Name: "app", GID: 1000}}},
		{"users (app replaced whole, other appended)", c.Accounts.Users, []User{
			{Name: "app", UID: 1001, GID: 1000, Home: "/home/app", Shell: "/sbin/nologin"},
			{Name: "other", UID: 1002, GID: 1000, Home: "/home/other", Shell: "/sbin/nologin"},
		}},
		{"paths.remove (appended, deduplicated)", c.Paths.Remove, []string{"/usr/share/doc/**", "/var/log/**"}},
		{"files", len(c.Files), 3},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s = %#v, want %#v", ch.what, ch.got, ch.want)
		}
	}
	if p, _ := c.Origin("image.rpmdb"); !strings.HasSuffix(p.File, "common/base.toml") || p.Line != 6 {
		t.Errorf("Origin(image.rpmdb) = %+v, want common/base.toml:6", p)
	}
	if p, _ := c.Origin("repository[a].baseurl"); !strings.HasSuffix(p.File, "mid.toml") {
		t.Errorf("Origin(repository[a].baseurl) = %+v, want mid.toml", p)
	}
	if _, ok := c.Origin("repository[a].includepkgs"); ok {
		t.Errorf("the replaced base entry's includepkgs still has an origin")
	}
}

// TestLoadDoesNotChangeFiles: loading reads, never writes.
func TestLoadDoesNotChangeFiles(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"c.toml": minimal})
	before, _ := os.ReadFile(filepath.Join(dir, "c.toml"))
	if _, err := Load(t.Context(), filepath.Join(dir, "c.toml")); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "c.toml"))
	entries, _ := os.ReadDir(dir)
	if string(before) != string(after) || len(entries) != 1 {
		t.Errorf("Load changed the folder: %d entries", len(entries))
	}
}

func TestGPGKeyPaths(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"keys/k1":         "key one",
		"sub/keys/k2":     "key two",
		"sub/a.toml":      "extends = \"../base.toml\"\n" + strings.Replace(minimal, "gpgcheck = false", "gpgkey = [\"keys/k2\"]", 1),
		"base.toml":       "[[repository]]\nid = \"b\"\nbaseurl = \"file:///srv/b\"\ngpgkey = [\"keys/k1\"]\n",
		"x86_64/k3":       "key three x86_64",
		"aarch64/k3":      "key three aarch64",
		"arch/README":     "c.toml is written below",
		"escape/bad.toml": strings.Replace(minimal, "gpgcheck = false", "gpgkey = [\"../keys/k1\"]", 1),
	})
	c, err := Load(t.Context(), filepath.Join(dir, "sub", "a.toml"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := c.Repository("b")
	l, _ := c.Repository("local")
	// Each key is resolved against the file that declared it.
	if want := "file://" + filepath.Join(dir, "keys", "k1"); !slices.Equal(b.GPGKeys, []string{want}) {
		t.Errorf("base key = %q, want %q", b.GPGKeys, want)
	}
	if want := "file://" + filepath.Join(dir, "sub", "keys", "k2"); !slices.Equal(l.GPGKeys, []string{want}) {
		t.Errorf("overlay key = %q, want %q", l.GPGKeys, want)
	}

	// An absolute path with $basearch: read for every architecture.
	arch := strings.Replace(minimal, `architectures = ["x86_64"]`, `architectures = ["x86_64", "aarch64"]`, 1)
	arch = strings.Replace(arch, "gpgcheck = false", "gpgkey = [\""+dir+"/$basearch/k3\"]", 1)
	if err := os.WriteFile(filepath.Join(dir, "arch", "c.toml"), []byte(arch), 0o644); err != nil {
		t.Fatal(err)
	}
	c2, err := Load(t.Context(), filepath.Join(dir, "arch", "c.toml"))
	if err != nil {
		t.Fatal(err)
	}
	d1 := c2.Digest()
	if err := os.WriteFile(filepath.Join(dir, "aarch64", "k3"), []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	c3, err := Load(t.Context(), filepath.Join(dir, "arch", "c.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if c3.Digest() == d1 {
		t.Errorf("digest did not change when the aarch64 key changed")
	}
	if got := c3.GPGKeyURLs(c3.Repositories[0], "aarch64"); !slices.Equal(got, []string{"file://" + dir + "/aarch64/k3"}) {
		t.Errorf("GPGKeyURLs = %q", got)
	}

	// A relative path may not leave the declaring file's folder.
	_, err = Load(t.Context(), filepath.Join(dir, "escape", "bad.toml"))
	wantErr(t, err, "bad.toml:9:", "repository[local].gpgkey", "leaves the folder")
}

// wantErr fails unless err's message holds every part.
func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one with %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not contain %q", err, p)
		}
	}
}

func TestCycles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"self", map[string]string{"a.toml": "extends = \"a.toml\"\n"}, []string{"a.toml:1: extends: cycle:", "a.toml -> ", "/a.toml"}},
		{"two", map[string]string{"a.toml": "extends = \"b.toml\"\n", "b.toml": "\n\nextends = \"./a.toml\"\n"}, []string{"b.toml:3: extends: cycle:", "a.toml -> ", "b.toml -> ", "/a.toml"}},
		{"three, entered midway", map[string]string{"a.toml": "extends = \"b.toml\"\n", "b.toml": "extends = \"c.toml\"\n", "c.toml": "extends = \"b.toml\"\n"}, []string{"c.toml:1: extends: cycle:", "b.toml -> ", "c.toml -> "}},
		{"missing base", map[string]string{"a.toml": "\nextends = \"nope.toml\"\n"}, []string{"a.toml:2: extends: reading ", "nope.toml", "no such file"}},
		{"URL", map[string]string{"a.toml": "extends = \"https://x/y.toml\"\n"}, []string{"a.toml:1: extends:", "not a URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeFiles(t, tt.files)
			_, err := Load(t.Context(), filepath.Join(dir, "a.toml"))
			wantErr(t, err, tt.want...)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Errorf("error %T is not a *config.Error", err)
			}
		})
	}
	// A chain (not a cycle) of 3 works.
	dir := writeFiles(t, map[string]string{
		"a.toml": "extends = \"b.toml\"\n[image]\nname = \"x/a\"\n",
		"b.toml": "extends = \"c.toml\"\n[packages]\ninstall = [\"more\"]\n",
		"c.toml": minimal,
	})
	c, err := Load(t.Context(), filepath.Join(dir, "a.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Image.Name != "x/a" || !slices.Equal(c.Packages.Install, []string{"bash", "more"}) {
		t.Errorf("chain merged to %+v %q", c.Image, c.Packages.Install)
	}
}

func TestTooLarge(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"c.toml": minimal + "# " + strings.Repeat("x", maxConfig) + "\n"})
	_, err := Load(t.Context(), filepath.Join(dir, "c.toml"))
	wantErr(t, err, "c.toml: larger than")
}
