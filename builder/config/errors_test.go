package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// with returns minimal with old replaced by new (once; old must occur).
func with(t *testing.T, old, new string) string {
	t.Helper()
	if !strings.Contains(minimal, old) {
		t.Fatalf("minimal has no %q", old)
	}
	return strings.Replace(minimal, old, new, 1)
}

// TestErrors: every rule, and that each message names file, line and key.
// Lines count from 1 in minimal, whose first line is empty:
// 2 [image], 3 name, 4 architectures, 6 [[repository]], 7 id, 8 baseurl,
// 9 gpgcheck, 11 [packages], 12 install.
func TestErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  string
		want []string // parts of the message; "c.toml:N:" pins the line
	}{
		// Decoding.
		{"unknown key", with(t, "install = [\"bash\"]", "instal = [\"bash\"]"), []string{"c.toml:12:", `unknown key "packages.instal"`}},
		{"unknown table", minimal + "\n[imagee]\nname = \"x\"\n", []string{"c.toml:14:", `unknown key "imagee"`}},
		{"unknown repo key", with(t, "gpgcheck = false", "gpgcheck = false\nmirrorlist = \"x\""), []string{"c.toml:10:", `unknown key "repository.mirrorlist"`}},
		{"two unknown keys", with(t, "gpgcheck = false", "gpgchek = false\nprio = 1"), []string{"c.toml:9:", "c.toml:10:", `"repository.gpgchek"`, `"repository.prio"`}},
		{"wrong type", with(t, `name = "test/minimal"`, "name = 3"), []string{"c.toml:3:", "image.name:", "wrong type", "want a string"}},
		{"wrong type bool", with(t, "gpgcheck = false", `gpgcheck = "no"`), []string{"c.toml:9:", "repository.gpgcheck:", "want a boolean"}},
		{"wrong type list", with(t, `install = ["bash"]`, `install = "bash"`), []string{"c.toml:12:", "packages.install:", "want an array of strings"}},
		{"syntax", with(t, `install = ["bash"]`, `install = ["bash"`), []string{"c.toml:12:", "array"}},
		{"duplicate key", with(t, `install = ["bash"]`, "install = [\"bash\"]\ninstall = []"), []string{"c.toml:13:"}},
		// [image]
		{"name missing", with(t, `name = "test/minimal"`, ""), []string{"c.toml:", "image.name: required key is missing"}},
		{"name invalid", with(t, `name = "test/minimal"`, `name = "Test/UPPER"`), []string{"c.toml:3:", "image.name:", "OCI repository path"}},
		{"name with host port", with(t, `name = "test/minimal"`, `name = "localhost:5000/x"`), []string{"c.toml:3:", "image.name:"}},
		{"architectures missing", with(t, `architectures = ["x86_64"]`, ""), []string{"image.architectures: required key is missing"}},
		{"architectures empty", with(t, `architectures = ["x86_64"]`, "architectures = []"), []string{"c.toml:4:", "image.architectures:", "at least one"}},
		{"noarch", with(t, `architectures = ["x86_64"]`, `architectures = ["noarch"]`), []string{"c.toml:4:", `"noarch" is not supported`}},
		{"amd64", with(t, `architectures = ["x86_64"]`, `architectures = ["amd64"]`), []string{"c.toml:4:", `"amd64" is not supported`}},
		{"duplicate arch", with(t, `architectures = ["x86_64"]`, `architectures = ["x86_64", "x86_64"]`), []string{"c.toml:4:", "listed twice"}},
		{"rpmdb", with(t, `name = "test/minimal"`, "name = \"test/minimal\"\nrpmdb = \"bdb\""), []string{"c.toml:4:", "image.rpmdb:", `"bdb" is not one of`}},
		{"releasever", with(t, `name = "test/minimal"`, "name = \"test/minimal\"\nreleasever = \"3/0\""), []string{"c.toml:4:", "image.releasever:"}},
		{"os_version", with(t, `name = "test/minimal"`, "name = \"test/minimal\"\nos_version = \"azure linux\""), []string{"c.toml:4:", "image.os_version:", "not an OS version"}},
		{"os_version type", with(t, `name = "test/minimal"`, "name = \"test/minimal\"\nos_version = 3"), []string{"c.toml:4:", "image.os_version:", "want a string"}},
		// [[repository]]
		{"no repository", strings.Replace(strings.Replace(strings.Replace(strings.Replace(minimal, "[[repository]]", "", 1), `id = "local"`, "", 1), `baseurl = "file:///srv/repo"`, "", 1), "gpgcheck = false", "", 1), []string{"c.toml:", "repository: at least one"}},
		{"id missing", with(t, `id = "local"`, ""), []string{"c.toml:6:", "repository[0].id: required key is missing"}},
		{"id invalid", with(t, `id = "local"`, `id = "a b"`), []string{"c.toml:7:", "repository[a b].id:"}},
		{"id duplicate", minimal + "[[repository]]\nid = \"local\"\nbaseurl = \"file:///x\"\n", []string{"c.toml:14:", "repository[local].id:", "repeats the repository at line 6"}},
		{"baseurl missing", with(t, `baseurl = "file:///srv/repo"`, ""), []string{"c.toml:6:", "repository[local].baseurl: required key is missing"}},
		{"baseurl scheme", with(t, `baseurl = "file:///srv/repo"`, `baseurl = "ftp://h/x"`), []string{"c.toml:8:", "repository[local].baseurl:", `scheme "ftp"`}},
		{"baseurl not a URL", with(t, `baseurl = "file:///srv/repo"`, `baseurl = "ftp:/srv/repo"`), []string{"c.toml:8:", "not a URL"}},
		{"baseurl relative file", with(t, `baseurl = "file:///srv/repo"`, `baseurl = "file://srv/repo"`), []string{"c.toml:8:", "absolute path"}},
		{"baseurl no host", with(t, `baseurl = "file:///srv/repo"`, `baseurl = "https:///x"`), []string{"c.toml:8:", "no host"}},
		{"baseurl releasever unset", with(t, `baseurl = "file:///srv/repo"`, `baseurl = "https://h/$releasever/x"`), []string{"c.toml:8:", "image.releasever is not set"}},
		{"baseurl unknown variable", with(t, `baseurl = "file:///srv/repo"`, `baseurl = "https://h/$stream/x"`), []string{"c.toml:8:", "uses $stream"}},
		{"gpgcheck without key", with(t, "gpgcheck = false", ""), []string{"c.toml:6:", "repository[local].gpgkey:", "no key"}},
		{"gpgkey scheme", with(t, "gpgcheck = false", `gpgkey = ["ftp://h/k"]`), []string{"c.toml:9:", "repository[local].gpgkey:", `scheme "ftp"`}},
		{"gpgkey escapes", with(t, "gpgcheck = false", `gpgkey = ["../k"]`), []string{"c.toml:9:", "leaves the folder"}},
		{"gpgkey missing file", with(t, "gpgcheck = false", `gpgkey = ["keys/none"]`), []string{"c.toml:9:", "repository[local].gpgkey: reading key", "no such file"}},
		{"priority 0", with(t, "gpgcheck = false", "gpgcheck = false\npriority = 0"), []string{"c.toml:10:", "repository[local].priority:", "out of range 1..99"}},
		{"priority 100", with(t, "gpgcheck = false", "gpgcheck = false\npriority = 100"), []string{"c.toml:10:", "out of range 1..99"}},
		{"priority huge", with(t, "gpgcheck = false", "gpgcheck = false\npriority = 99999999999999999999"), []string{"c.toml:10:", "repository.priority"}},
		{"excludepkgs empty entry", with(t, "gpgcheck = false", "gpgcheck = false\nexcludepkgs = [\"\"]"), []string{"c.toml:10:", "repository[local].excludepkgs:"}},
		{"repofile with other keys", with(t, `id = "local"`, "repofile = \"x.repo\"\nid = \"local\""), []string{"c.toml:9:", "repository[0].baseurl:", "cannot be combined with repofile"}},
		{"repofile missing", strings.Replace(minimal, "[[repository]]", "[[repository]]\nrepofile = \"none.repo\"\n[[repository]]", 1), []string{"c.toml:7:", "repository[0].repofile: reading none.repo", "no such file"}},
		{"repofile escapes", strings.Replace(minimal, "[[repository]]", "[[repository]]\nrepofile = \"../x.repo\"\n[[repository]]", 1), []string{"c.toml:7:", "leaves the folder"}},
		// [packages]
		{"install empty", with(t, `install = ["bash"]`, "install = []"), []string{"c.toml:12:", "packages.install:", "at least one"}},
		{"install missing", with(t, `install = ["bash"]`, ""), []string{"c.toml:", "packages.install:", "at least one"}},
		{"install blank", with(t, `install = ["bash"]`, `install = ["bash", " "]`), []string{"c.toml:12:", "packages.install[ ]:", "empty package name"}},
		{"exclude padded", minimal + "exclude = [\" perl\"]\n", []string{"c.toml:13:", "packages.exclude:", "surrounding spaces"}},
		// [config]
		{"workdir relative", minimal + "[config]\nworkdir = \"srv\"\n", []string{"c.toml:14:", "config.workdir:", "absolute"}},
		{"env key with =", minimal + "[config]\nenv = { \"A=B\" = \"x\" }\n", []string{"c.toml:14:", "config.env.A=B:", "'='"}},
		{"env empty key", minimal + "[config.env]\n\"\" = \"x\"\n", []string{"c.toml:14:", "config.env.:", "empty variable name"}},
		{"labels empty key", minimal + "[config]\nlabels = { \"\" = \"x\" }\n", []string{"c.toml:14:", "config.labels.:", "empty key"}},
		{"user with space", minimal + "[config]\n\nuser = \"a b\"\n", []string{"c.toml:15:", "config.user:"}},
		// [[accounts.*]]
		{"group without name", minimal + "[[accounts.group]]\ngid = 5\n", []string{"c.toml:13:", "accounts.group[0].name: required key is missing"}},
		{"group without gid", minimal + "[[accounts.group]]\nname = \"g\"\n", []string{"c.toml:13:", "accounts.group[g].gid: required key is missing"}},
		{"group bad name", minimal + "[[accounts.group]]\nname = \"Bad Name\"\ngid = 5\n", []string{"c.toml:14:", "accounts.group[Bad Name].name:"}},
		{"gid negative", minimal + "[[accounts.group]]\nname = \"g\"\ngid = -1\n", []string{"c.toml:15:", "accounts.group[g].gid:", "out of range 0..2147483647"}},
		{"gid too large", minimal + "[[accounts.group]]\nname = \"g\"\ngid = 2147483648\n", []string{"c.toml:15:", "out of range"}},
		{"gid duplicate", minimal + "[[accounts.group]]\nname = \"g\"\ngid = 5\n[[accounts.group]]\nname = \"h\"\ngid = 5\n", []string{"c.toml:18:", "accounts.group[h].gid:", "already used by group \"g\""}},
		{"uid missing", minimal + "[[accounts.user]]\nname = \"u\"\ngid = 5\n", []string{"c.toml:13:", "accounts.user[u].uid: required key is missing"}},
		{"uid too large", minimal + "[[accounts.user]]\nname = \"u\"\nuid = 4294967296\ngid = 1\n", []string{"c.toml:15:", "accounts.user[u].uid:", "out of range"}},
		{"uid duplicate", minimal + "[[accounts.user]]\nname = \"u\"\nuid = 7\ngid = 1\n[[accounts.user]]\nname = \"v\"\nuid = 7\ngid = 1\n", []string{"c.toml:19:", "accounts.user[v].uid:", "already used"}},
		{"home relative", minimal + "[[accounts.user]]\nname = \"u\"\nuid = 7\ngid = 1\nhome = \"home/u\"\n", []string{"c.toml:17:", "accounts.user[u].home:"}},
		{"shell with colon", minimal + "[[accounts.user]]\nname = \"u\"\nuid = 7\ngid = 1\nshell = \"/bin/sh:x\"\n", []string{"c.toml:17:", "accounts.user[u].shell:"}},
		{"user name too long", minimal + "[[accounts.user]]\nname = \"" + strings.Repeat("u", 33) + "\"\nuid = 7\ngid = 1\n", []string{"c.toml:14:", ".name:", "at most 32"}},
		// [paths]
		{"remove relative", minimal + "[paths]\nremove = [\"usr/share/doc\"]\n", []string{"c.toml:14:", "paths.remove[usr/share/doc]:", "not absolute"}},
		{"remove bad class", minimal + "[paths]\nremove = [\"/usr/[a\"]\n", []string{"c.toml:14:", "syntax error in pattern"}},
		{"remove partial **", minimal + "[paths]\nremove = [\"/usr/a**\"]\n", []string{"c.toml:14:", "whole component"}},
		{"remove dotdot", minimal + "[paths]\nremove = [\"/usr/../etc\"]\n", []string{"c.toml:14:", `".." component`}},
		{"remove root", minimal + "[paths]\nremove = [\"/\"]\n", []string{"c.toml:14:", "remove everything"}},
		// Several problems are all reported.
		{"several", with(t, `architectures = ["x86_64"]`, "architectures = [\"sparc\"]\nrpmdb = \"x\""), []string{"c.toml:4:", "c.toml:5:", "image.architectures:", "image.rpmdb:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeFiles(t, map[string]string{"c.toml": tt.cfg})
			_, err := Load(t.Context(), filepath.Join(dir, "c.toml"))
			wantErr(t, err, tt.want...)
			if err == nil {
				return
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not a *config.Error", err)
			}
			if !strings.HasPrefix(err.Error(), filepath.Join(dir, "c.toml")) {
				t.Errorf("error %q does not start with the file name", err)
			}
		})
	}
}

// TestErrorsNameTheDeclaringFile: a problem in a base file is reported at
// the base file's line, even when the overlay is what was loaded.
func TestErrorsNameTheDeclaringFile(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"base.toml": "\n[[repository]]\nid = \"b\"\nbaseurl = \"gopher://x\"\ngpgcheck = false\n",
		"top.toml":  "extends = \"base.toml\"\n" + minimal,
	})
	_, err := Load(t.Context(), filepath.Join(dir, "top.toml"))
	wantErr(t, err, filepath.Join(dir, "base.toml")+":4:", "repository[b].baseurl:")

	// A repository replaced by id takes the overlay's position.
	dir = writeFiles(t, map[string]string{
		"base.toml": "[[repository]]\nid = \"local\"\nbaseurl = \"file:///ok\"\ngpgcheck = false\n",
		"top.toml":  "extends = \"base.toml\"\n" + with(t, "gpgcheck = false", "gpgcheck = false\npriority = 500"),
	})
	_, err = Load(t.Context(), filepath.Join(dir, "top.toml"))
	wantErr(t, err, filepath.Join(dir, "top.toml")+":11:", "repository[local].priority:")
}
