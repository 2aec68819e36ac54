package repo

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/rpmmeta"
)

func TestFilter(t *testing.T) {
	t.Parallel()
	p := &Package{Package: rpmmeta.Package{NEVRA: rpmmeta.NEVRA{Name: "tzdata", EVR: rpmmeta.EVR{Epoch: 1, Version: "2024a", Release: "1.azl3"}, Arch: "noarch"}}}
	cases := []struct {
		include, exclude []string
		keep             bool
	}{
		{nil, nil, true},
		{[]string{"tzdata"}, nil, true},
		{[]string{"tz*"}, nil, true},
		{[]string{"bash"}, nil, false},
		{nil, []string{"tzdata"}, false},
		{nil, []string{"tzdata.noarch"}, false},
		{nil, []string{"tzdata.x86_64"}, true},
		{nil, []string{"tzdata-2024a"}, false},
		{nil, []string{"tzdata-2023*"}, true},
		{nil, []string{"tzdata-2024a-1.azl3"}, false},
		{nil, []string{"tzdata-1:2024a-1.azl3.noarch"}, false},
		{nil, []string{"tzdata-0:2024a-1.azl3.noarch"}, true},
		{nil, []string{"tz?ata"}, false},
		{nil, []string{"[st]zdata"}, false},
		{nil, []string{"tzdat"}, true},
		{[]string{"tz*"}, []string{"*.noarch"}, false},
	}
	for _, tc := range cases {
		f, err := newFilter(tc.include, tc.exclude)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.keep(p); got != tc.keep {
			t.Errorf("include %q exclude %q: keep=%v, want %v", tc.include, tc.exclude, got, tc.keep)
		}
	}
	if _, err := newFilter([]string{"[oops"}, nil); err == nil || !strings.Contains(err.Error(), `"[oops"`) {
		t.Errorf("bad pattern: err = %v", err)
	}
}

// TestLoad loads two repositories as a set: arch filtering, priorities,
// includepkgs/excludepkgs and filelists for the whole set.
func TestLoad(t *testing.T) {
	t.Parallel()
	tr := testrepo.Get(t)
	cfgs := []Config{
		{ID: "base", BaseURL: "file://" + tr.Dir["x86_64"], GPGKeys: []string{"file://" + tr.KeyFile}, RepoGPGCheck: true, ExcludePkgs: []string{"tzdata-2023*", "webd-doc"}},
		{ID: "arm", BaseURL: "file://" + tr.Dir["aarch64"], Priority: 10, IncludePkgs: []string{"tz*", "glibc"}},
	}
	s, err := Load(t.Context(), cfgs, "x86_64", WithCacheDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Repos) != 2 || s.Repos[0].ID() != "base" || s.Repos[1].ID() != "arm" {
		t.Fatalf("repos out of order: %v", s.Repos)
	}
	var got []string
	for _, p := range s.Packages {
		if p.Arch != "x86_64" && p.Arch != "noarch" {
			t.Errorf("%s: wrong arch in an x86_64 set", p.NEVRA)
		}
		if p.Name == "webd-doc" || (p.Name == "tzdata" && p.Version == "2023c" && p.Repo == "base") {
			t.Errorf("%s from %s: excluded package kept", p.NEVRA, p.Repo)
		}
		if p.Repo == "arm" {
			if p.Priority != 10 || p.Name != "tzdata" {
				t.Errorf("%s from arm: priority %d; only noarch tzdata should pass includepkgs and the arch filter", p.NEVRA, p.Priority)
			}
		} else if p.Priority != DefaultPriority {
			t.Errorf("%s: priority %d, want %d", p.NEVRA, p.Priority, DefaultPriority)
		}
		got = append(got, p.Repo+":"+p.Name+"-"+p.Version+"-"+p.Release+"."+p.Arch)
	}
	// Every x86_64 and noarch RPM of the base repo, minus the exclusions.
	var want []string
	for _, f := range tr.RPMs["x86_64"] {
		b := filepath.Base(f)
		if strings.HasPrefix(b, "tzdata-2023") || strings.HasPrefix(b, "webd-doc-") {
			continue
		}
		want = append(want, "base:"+strings.TrimSuffix(b, ".rpm"))
	}
	want = append(want, "arm:tzdata-2023c-1.azl3.noarch", "arm:tzdata-2024a-1.azl3.noarch")
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("set\n got %q\nwant %q", got, want)
	}

	// primary.xml lists few files; filelists.xml adds the rest.
	var glibc *Package
	for _, p := range s.Packages {
		if p.Name == "glibc" {
			glibc = p
		}
	}
	if glibc == nil {
		t.Fatal("no glibc")
	}
	before := len(glibc.Files)
	if err := s.LoadFilelists(t.Context()); err != nil {
		t.Fatal(err)
	}
	if len(glibc.Files) <= before {
		t.Errorf("glibc files: %d before filelists, %d after", before, len(glibc.Files))
	}
	want2 := rpmQuery(t, filepath.Join(tr.Dir["x86_64"], "glibc-2.36-9.azl3.x86_64.rpm")).files
	if !slices.Equal(sorted(glibc.Files), sorted(want2)) {
		t.Errorf("glibc files %q, rpm says %q", glibc.Files, want2)
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	tr := testrepo.Get(t)
	ok := Config{ID: "a", BaseURL: "file://" + tr.Dir["x86_64"]}
	cases := []struct {
		name string
		cfgs []Config
		arch string
		want string
	}{
		{"duplicate id", []Config{ok, ok}, "x86_64", "repo a: repository id given twice"},
		{"no arch", []Config{ok}, "", "repo: Load: empty architecture"},
		{"bad scheme", []Config{{ID: "b", BaseURL: "ftp://example.com/x"}}, "x86_64", `repo b: baseurl ftp://example.com/x/: unsupported scheme "ftp"`},
		{"password in a bad URL", []Config{{ID: "c", BaseURL: "http://u:pw@exa mple.com/%zz"}}, "x86_64", "repo c: baseurl is not a valid URL"},
		{"no id", []Config{{BaseURL: "file:///x"}}, "x86_64", "repo: config without an id"},
		{"missing repo", []Config{{ID: "d", BaseURL: "file:///nonexistent/repo"}}, "x86_64", "repo d: fetching repomd.xml: open /nonexistent/repo/repodata/repomd.xml: no such file or directory"},
		{"bad glob", []Config{{ID: "e", BaseURL: "file:///x", ExcludePkgs: []string{"a["}}}, "x86_64", `repo e: package pattern "a["`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(t.Context(), tc.cfgs, tc.arch)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "pw") && strings.Contains(tc.name, "password") {
				t.Errorf("password in error: %v", err)
			}
		})
	}
}

// TestCacheRoundTrip checks that the cached form decodes to exactly what
// the parser produced.
func TestCacheRoundTrip(t *testing.T) {
	t.Parallel()
	tr := testrepo.Get(t)
	_, _, open := rawRecord(t, tr.Dir["x86_64"], "primary")
	pkgs, err := parsePrimary(bytes.NewReader(open))
	if err != nil {
		t.Fatal(err)
	}
	enc := encodePrimary(pkgs)
	path := filepath.Join(t.TempDir(), "p.slpw")
	if err := writeCache(path, enc); err != nil {
		t.Fatal(err)
	}
	back, err := readPrimaryCache(path)
	if err != nil {
		t.Fatal(err)
	}
	a, b := make([]*Package, len(pkgs)), make([]*Package, len(back))
	for i := range pkgs {
		a[i] = &pkgs[i]
	}
	for i := range back {
		b[i] = &back[i]
	}
	comparePackages(t, a, b)

	_, _, fopen := rawRecord(t, tr.Dir["x86_64"], "filelists")
	fls, err := parseFilelists(bytes.NewReader(fopen))
	if err != nil {
		t.Fatal(err)
	}
	if err := writeCache(path, encodeFilelists(fls)); err != nil {
		t.Fatal(err)
	}
	fback, err := readFilelistsCache(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(fback) != len(fls) || len(fls) == 0 {
		t.Fatalf("%d filelists back, want %d", len(fback), len(fls))
	}
	for i := range fls {
		if fls[i].PkgID != fback[i].PkgID || !slices.Equal(fls[i].Files, fback[i].Files) || fls[i].EVR != fback[i].EVR {
			t.Errorf("filelist %d differs", i)
		}
	}
	// A primary entry is not a filelists entry.
	if _, err := readPrimaryCache(path); err == nil {
		t.Error("filelists entry read as primary")
	}
	// Truncation is noticed.
	raw, _ := os.ReadFile(path)
	replaceFile(t, path, raw[:len(raw)-1])
	if _, err := readFilelistsCache(path); err == nil {
		t.Error("truncated entry accepted")
	}
}

func TestRemoveStaleTemps(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	now := time.Now()
	files := map[string]time.Duration{".tmp-old": 25 * time.Hour, ".tmp-new": time.Hour, ".download-old": 48 * time.Hour, "sha256-x.primary.slpw": 100 * time.Hour}
	for n, age := range files {
		p := filepath.Join(dir, n)
		os.WriteFile(p, nil, 0o644)
		os.Chtimes(p, now.Add(-age), now.Add(-age))
	}
	removeStaleTemps(dir, now)
	for n, age := range files {
		_, err := os.Stat(filepath.Join(dir, n))
		gone := err != nil
		if want := strings.HasPrefix(n, ".") && age > staleTempAge; gone != want {
			t.Errorf("%s (age %v): removed=%v, want %v", n, age, gone, want)
		}
	}
}

// TestFilelistsPrefetch: a load that finds a filelists cache entry
// decodes it beside primary but applies it only on LoadFilelists; the
// files then equal rpm's, whether the entry was prefetched, absent or
// damaged (then rebuilt).
func TestFilelistsPrefetch(t *testing.T) {
	t.Parallel()
	tr := testrepo.Get(t)
	want := rpmQuery(t, filepath.Join(tr.Dir["x86_64"], "glibc-2.36-9.azl3.x86_64.rpm")).files
	cfgs := []Config{{ID: "base", BaseURL: "file://" + tr.Dir["x86_64"]}}
	for _, tc := range []struct {
		name         string
		prepare      func(t *testing.T, cache string) // after a first load with filelists
		wantPrefetch bool
	}{
		{"warm", func(*testing.T, string) {}, true},
		{"no entry", func(t *testing.T, cache string) { removeGlob(t, cache, "*.filelists.slpw") }, false},
		{"damaged entry", func(t *testing.T, cache string) { damageGlob(t, cache, "*.filelists.slpw") }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cache := t.TempDir()
			first, err := Load(t.Context(), cfgs, "x86_64", WithCacheDir(cache))
			if err != nil {
				t.Fatal(err)
			}
			primaryFiles := len(findPkg(t, first, "glibc").Files)
			if err := first.LoadFilelists(t.Context()); err != nil {
				t.Fatal(err)
			}
			tc.prepare(t, cache)
			s, err := Load(t.Context(), cfgs, "x86_64", WithCacheDir(cache))
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Repos[0].prefetched != nil; got != tc.wantPrefetch {
				t.Errorf("prefetched %v, want %v", got, tc.wantPrefetch)
			}
			glibc := findPkg(t, s, "glibc")
			if len(glibc.Files) != primaryFiles {
				t.Errorf("glibc has %d files before LoadFilelists, primary has %d", len(glibc.Files), primaryFiles)
			}
			if err := s.LoadFilelists(t.Context()); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(sorted(glibc.Files), sorted(want)) {
				t.Errorf("glibc files %q, rpm says %q", glibc.Files, want)
			}
		})
	}
}

func findPkg(t *testing.T, s *Set, name string) *Package {
	t.Helper()
	for _, p := range s.Packages {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no %s", name)
	return nil
}

func removeGlob(t *testing.T, cache, pattern string) {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(cache, "metadata", pattern))
	if len(m) == 0 {
		t.Fatalf("no %s in the cache", pattern)
	}
	for _, f := range m {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
}

func damageGlob(t *testing.T, cache, pattern string) {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(cache, "metadata", pattern))
	if len(m) == 0 {
		t.Fatalf("no %s in the cache", pattern)
	}
	for _, f := range m {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)/2] ^= 0x40
		replaceFile(t, f, b)
	}
}

// replaceFile puts a damaged copy of a cache entry in place of the entry
// the way the cache itself replaces entries (new file, rename). Loaded
// repositories map their entries (mmap_linux.go): rewriting the mapped
// file in place would change, or truncate, what their strings point into.
func replaceFile(t *testing.T, path string, data []byte) {
	t.Helper()
	tmp := path + ".damaged"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// TestFilelistsOrder: LoadFilelists matches filelists.xml's packages by
// position when it follows primary.xml's order and by pkgid otherwise;
// either way every package gets its own files, with includepkgs and
// excludepkgs dropping packages in between.
func TestFilelistsOrder(t *testing.T) {
	t.Parallel()
	tr := testrepo.Get(t)
	src := tr.Dir["x86_64"]
	primaryHref, primaryGz, primaryOpen := rawRecord(t, src, "primary")
	_, _, flOpen := rawRecord(t, src, "filelists")
	// Split filelists.xml into head, packages and tail.
	s := string(flOpen)
	first := strings.Index(s, "<package ")
	last := strings.LastIndex(s, "</package>") + len("</package>")
	if first < 0 || last < first {
		t.Fatal("no packages in filelists.xml")
	}
	var pkgs []string
	for rest := s[first:last]; rest != ""; {
		end := strings.Index(rest, "</package>") + len("</package>")
		pkgs = append(pkgs, rest[:end])
		rest = strings.TrimLeft(rest[end:], " \n")
	}
	if len(pkgs) < 3 {
		t.Fatalf("%d packages in filelists.xml", len(pkgs))
	}
	reversed := slices.Clone(pkgs)
	slices.Reverse(reversed)
	rotated := append(slices.Clone(pkgs[1:]), pkgs[0])

	filesOf := func(t *testing.T, dir string, cfg Config) map[string][]string {
		t.Helper()
		cfg.BaseURL = "file://" + dir
		r, err := Open(t.Context(), cfg, WithCacheDir(t.TempDir()))
		if err != nil {
			t.Fatal(err)
		}
		if err := r.LoadFilelists(t.Context()); err != nil {
			t.Fatal(err)
		}
		out := map[string][]string{}
		for _, p := range r.Packages {
			out[p.NEVRA.String()] = sorted(p.Files)
		}
		return out
	}
	for _, cfg := range []Config{
		{ID: "all"},
		{ID: "filtered", ExcludePkgs: []string{"tzdata-2023*", "webd-doc"}},
		{ID: "included", IncludePkgs: []string{"glibc", "tz*"}},
	} {
		want := filesOf(t, copyRepo(t, src), cfg)
		for _, order := range []struct {
			name string
			pkgs []string
		}{{"reversed", reversed}, {"rotated", rotated}} {
			t.Run(cfg.ID+"/"+order.name, func(t *testing.T) {
				dir := copyRepo(t, src)
				fl := []byte(s[:first] + strings.Join(order.pkgs, "\n") + s[last:])
				writeRepomd(t, dir,
					testRecord{typ: "primary", href: primaryHref, data: primaryGz, open: primaryOpen},
					testRecord{typ: "filelists", href: "repodata/filelists-" + order.name + ".xml.gz", data: gzipBytes(t, fl), open: fl})
				got := filesOf(t, dir, cfg)
				if len(got) != len(want) || len(want) == 0 {
					t.Fatalf("%d packages, want %d", len(got), len(want))
				}
				for nevra, files := range want {
					if !slices.Equal(got[nevra], files) {
						t.Errorf("%s: files %q, want %q", nevra, got[nevra], files)
					}
				}
			})
		}
	}
}
