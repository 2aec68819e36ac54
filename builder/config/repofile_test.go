package config

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testutil"
)

// dnfRepos lists what dnf reads from the .repo files in dir, with
// $releasever and $basearch substituted.
const dnfRepos = `
import sys, json, dnf
b = dnf.Base()
b.conf.reposdir = [sys.argv[1]]
b.conf.substitutions['releasever'] = sys.argv[2]
b.conf.substitutions['basearch'] = sys.argv[3]
b.read_all_repos()
out = []
for r in sorted(b.repos.all(), key=lambda r: r.id):
    out.append(dict(id=r.id, name=r.name, baseurl=list(r.baseurl), gpgkey=list(r.gpgkey),
        gpgcheck=bool(r.gpgcheck), repo_gpgcheck=bool(r.repo_gpgcheck), priority=r.priority,
        includepkgs=list(r.includepkgs), excludepkgs=list(r.excludepkgs), enabled=bool(r.enabled)))
print(json.dumps(out))
`

type dnfRepo struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	BaseURL      []string `json:"baseurl"`
	GPGKey       []string `json:"gpgkey"`
	GPGCheck     bool     `json:"gpgcheck"`
	RepoGPGCheck bool     `json:"repo_gpgcheck"`
	Priority     int      `json:"priority"`
	IncludePkgs  []string `json:"includepkgs"`
	ExcludePkgs  []string `json:"excludepkgs"`
	Enabled      bool     `json:"enabled"`
}

// TestParseRepoFileMatchesDNF reads the same .repo files with dnf's own
// configuration reader and compares every key we import.
func TestParseRepoFileMatchesDNF(t *testing.T) {
	testutil.RequireTool(t, "dnf", "dnf")
	files, err := filepath.Glob("testdata/repofiles/*.repo")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test .repo files: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644); err != nil {
				t.Fatal(err)
			}
			for _, arch := range []string{"x86_64", "aarch64"} {
				cmd := exec.CommandContext(t.Context(), "/usr/bin/python3", "-c", dnfRepos, dir, "3.0", arch)
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				out, err := cmd.Output()
				if err != nil {
					t.Fatalf("dnf: %v: %s", err, stderr.String())
				}
				var want []dnfRepo
				if err := json.Unmarshal(out, &want); err != nil {
					t.Fatalf("dnf output: %v: %s", err, out)
				}
				entries, err := parseRepoFile(data, f)
				if err != nil {
					t.Fatal(err)
				}
				var got []dnfRepo
				for _, e := range entries {
					r := e.repo
					x := func(s string) string { return ExpandVars(s, "3.0", arch) }
					g := dnfRepo{
						ID: r.ID, Name: x(r.Name), BaseURL: []string{x(r.BaseURL)},
						GPGCheck: r.GPGCheck, RepoGPGCheck: r.RepoGPGCheck, Priority: r.Priority,
						IncludePkgs: nonNil(r.IncludePkgs), ExcludePkgs: nonNil(r.ExcludePkgs), Enabled: e.enabled,
						GPGKey: []string{},
					}
					for _, k := range r.GPGKeys {
						g.GPGKey = append(g.GPGKey, x(k))
					}
					got = append(got, g)
				}
				sortRepos(got)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s:\n got %+v\nwant %+v (dnf)", arch, got, want)
				}
			}
		})
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func sortRepos(rs []dnfRepo) {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].ID < rs[j-1].ID; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

func TestParseRepoFile(t *testing.T) {
	t.Parallel()
	rs, err := ParseRepoFile(strings.NewReader("[a]\nbaseurl=file:///a\n[b]\nbaseurl=file:///b\nenabled=0\n"), "x.repo")
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].ID != "a" || rs[0].File != "x.repo" || rs[0].Priority != 99 || rs[0].GPGCheck {
		t.Errorf("ParseRepoFile = %+v, want only enabled repo a with dnf defaults", rs)
	}
}

func TestParseRepoFileErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     []string
	}{
		{"key before section", "baseurl=file:///a\n", []string{"x.repo:1:", "outside a [section]"}},
		{"no equals", "[a]\nbaseurl file:///a\n", []string{"x.repo:2:", "neither"}},
		{"unclosed section", "[a\n", []string{"x.repo:1:", "lacks its ']'"}},
		{"empty section", "[ ]\n", []string{"x.repo:1:", "empty section name"}},
		{"duplicate section", "[a]\nbaseurl=file:///a\n[a]\n", []string{"x.repo:3:", "[a]", "repeats the one at line 1"}},
		{"bad id", "[a b]\nbaseurl=file:///a\n", []string{"x.repo:1:", "[a b]", "not a repository id"}},
		{"no baseurl", "[a]\nname=x\n", []string{"x.repo:1:", "[a]", "no baseurl"}},
		{"metalink", "[a]\nmetalink=https://m/\n", []string{"x.repo:1:", "metalink is not supported"}},
		{"mirrorlist", "[a]\nmirrorlist=https://m/\n", []string{"x.repo:1:", "mirrorlist is not supported"}},
		{"two baseurls", "[a]\nbaseurl=file:///a\n file:///b\n", []string{"x.repo:2:", "[a] baseurl", "one baseurl"}},
		{"bad scheme", "[a]\nbaseurl=ftp://h/a\n", []string{"x.repo:2:", `scheme "ftp"`}},
		{"bad bool", "[a]\nbaseurl=file:///a\ngpgcheck=maybe\n", []string{"x.repo:3:", "[a] gpgcheck", "not a boolean"}},
		{"bad priority", "[a]\nbaseurl=file:///a\npriority=high\n", []string{"x.repo:3:", "[a] priority"}},
		{"continuation first", " x\n", []string{"x.repo:1:", "continuation"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseRepoFile(strings.NewReader(tt.in), "x.repo")
			wantErr(t, err, tt.want...)
		})
	}
}

// TestRepoFileImport: [[repository]] repofile brings the .repo sections in,
// resolves their relative key paths against the .repo file, and they merge
// by id like any other repository.
func TestRepoFileImport(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"repos/k":       "key",
		"repos/r.repo":  "[local]\nbaseurl=file:///from/repofile\ngpgkey=k\ngpgcheck=1\n[two]\nbaseurl=https://h/$releasever/$basearch\n[off]\nbaseurl=file:///off\nenabled=0\n",
		"c.toml":        "extends = \"base.toml\"\n[[repository]]\nrepofile = \"repos/r.repo\"\n",
		"base.toml":     with(t, `name = "test/minimal"`, "name = \"test/minimal\"\nreleasever = \"3.0\""),
		"bad/c.toml":    "extends = \"../base.toml\"\n[[repository]]\nrepofile = \"r.repo\"\n",
		"bad/r.repo":    "[x]\nbaseurl=file:///x\ngpgkey=../repos/k\n",
		"badvar/c.toml": "extends = \"../base.toml\"\n[[repository]]\nrepofile = \"r.repo\"\n",
		"badvar/r.repo": "\n[x]\nbaseurl=https://h/$contentdir/x\n",
	})
	c, err := Load(t.Context(), filepath.Join(dir, "c.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(c.Repositories); !reflect.DeepEqual(got, []string{"local", "two"}) {
		t.Fatalf("ids = %q", got)
	}
	l := c.Repositories[0]
	if l.BaseURL != "file:///from/repofile" || !reflect.DeepEqual(l.GPGKeys, []string{"file://" + filepath.Join(dir, "repos", "k")}) || !l.GPGCheck || l.File != filepath.Join(dir, "repos", "r.repo") {
		t.Errorf("local = %+v", l)
	}
	if got := c.RepoURL(c.Repositories[1], "x86_64"); got != "https://h/3.0/x86_64" {
		t.Errorf("RepoURL(two) = %q", got)
	}
	_, err = Load(t.Context(), filepath.Join(dir, "bad", "c.toml"))
	wantErr(t, err, "r.repo:3:", "[x] gpgkey", "leaves the folder")
	_, err = Load(t.Context(), filepath.Join(dir, "badvar", "c.toml"))
	wantErr(t, err, "r.repo:3:", "repository[x].baseurl", "$contentdir")
}

func FuzzParseRepoFile(f *testing.F) {
	files, _ := filepath.Glob("testdata/repofiles/*.repo")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("[a]\nbaseurl=file:///a\n x\n"))
	f.Add([]byte("[a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := ParseRepoFile(bytes.NewReader(data), "f.repo")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.repo") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, r := range rs {
			if r.ID == "" || r.BaseURL == "" || seen[r.ID] || r.Priority < 1 || r.Priority > 99 {
				t.Fatalf("accepted a bad repository: %+v", r)
			}
			seen[r.ID] = true
		}
	})
}
