package repo

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/rpmmeta"
)

// rpmFacts is what `rpm -qp` reports for one RPM file.
type rpmFacts struct {
	nevra      rpmmeta.NEVRA
	sourceRPM  string
	license    string
	summary    string
	buildTime  int64
	size       uint64
	provides   []string
	requires   []string // "name op version" with a trailing " pre" for Requires(pre)
	conflicts  []string
	obsoletes  []string
	recommends []string
	files      []string
}

// rpmQuery asks the real rpm about file.
func rpmQuery(t *testing.T, file string) rpmFacts {
	t.Helper()
	rpm := testutil.RequireTool(t, "rpm", "rpm")
	db := t.TempDir()
	q := func(qf string) []string {
		cmd := exec.Command(rpm, "-qp", "--nosignature", "--nodigest", "--dbpath", db, "--qf", qf, file)
		cmd.Env = append(os.Environ(), "HOME="+db)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("rpm -qp %s: %v", file, err)
		}
		s := strings.TrimSuffix(string(out), "\n")
		if s == "" {
			return nil
		}
		return strings.Split(s, "\n")
	}
	head := strings.Split(q(`%{NAME}\t%{EPOCHNUM}\t%{VERSION}\t%{RELEASE}\t%{ARCH}\t%{SOURCERPM}\t%{LICENSE}\t%{SUMMARY}\t%{BUILDTIME}\t%{SIZE}\n`)[0], "\t")
	ep, _ := strconv.ParseUint(head[1], 10, 32)
	bt, _ := strconv.ParseInt(head[8], 10, 64)
	sz, _ := strconv.ParseUint(head[9], 10, 64)
	f := rpmFacts{
		nevra:     rpmmeta.NEVRA{Name: head[0], EVR: rpmmeta.EVR{Epoch: uint32(ep), Version: head[2], Release: head[3]}, Arch: head[4]},
		sourceRPM: head[5], license: head[6], summary: head[7], buildTime: bt, size: sz,
	}
	deps := func(tag string) []string {
		var out []string
		for _, l := range q(`[%{` + tag + `NAME}\t%{` + tag + `FLAGS}\t%{` + tag + `VERSION}\n]`) {
			p := strings.Split(l, "\t")
			fl, _ := strconv.ParseUint(p[1], 10, 32)
			d := rpmmeta.Dep{Name: p[0], Flags: rpmmeta.Sense(fl), Version: p[2]}
			s := d.String()
			if d.Flags&rpmmeta.SenseScriptPre != 0 {
				s += " pre"
			}
			out = append(out, s)
		}
		return out
	}
	f.provides = deps("PROVIDE")
	f.requires = deps("REQUIRE")
	f.conflicts = deps("CONFLICT")
	f.obsoletes = deps("OBSOLETE")
	f.recommends = deps("RECOMMEND")
	f.files = q(`[%{FILENAMES}\n]`)
	return f
}

func depStrings(ds []rpmmeta.Dep) []string {
	var out []string
	for _, d := range ds {
		s := d.String()
		if d.Flags&rpmmeta.SenseScriptPre != 0 {
			s += " pre"
		}
		out = append(out, s)
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// primaryOmits reports whether createrepo_c leaves a requirement out of
// primary.xml: rpmlib() features and all but the highest
// libc.so.6(GLIBC_x) (ORACLES.md), and libc.so.6() itself.
func primaryOmits(req string) bool {
	return strings.HasPrefix(req, "rpmlib(") || strings.HasPrefix(req, "libc.so.6(")
}

func fileSHA256(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestOpenMatchesRPM loads the real createrepo_c repositories (gz, xz and
// zstd metadata, signed repomd.xml) and compares every package with what
// rpm reads from the RPM file itself.
func TestOpenMatchesRPM(t *testing.T) {
	t.Parallel()
	tr := testrepo.Get(t)
	cases := []struct {
		name, dir, arch string
	}{
		{"gz-x86_64", tr.Dir["x86_64"], "x86_64"},
		{"gz-aarch64", tr.Dir["aarch64"], "aarch64"},
		{"xz", tr.XZDir, "x86_64"},
		{"zstd", tr.ZstdDir, "x86_64"},
	}
	facts := map[string]rpmFacts{}
	for _, arch := range testrepo.Arches {
		for _, f := range tr.RPMs[arch] {
			facts[f] = rpmQuery(t, f)
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := Config{ID: "test", BaseURL: "file://" + tc.dir, GPGKeys: []string{tr.KeyFile}, RepoGPGCheck: true}
			r, err := Open(t.Context(), cfg, WithCacheDir(t.TempDir()))
			if err != nil {
				t.Fatal(err)
			}
			if err := r.LoadFilelists(t.Context()); err != nil {
				t.Fatal(err)
			}
			if got, want := len(r.Packages), len(tr.RPMs[tc.arch]); got != want {
				t.Fatalf("%d packages, want %d (one per RPM)", got, want)
			}
			byFile := map[string]*Package{}
			for _, p := range r.Packages {
				byFile[filepath.Base(p.Location)] = p
			}
			for _, file := range tr.RPMs[tc.arch] {
				p := byFile[filepath.Base(file)]
				if p == nil {
					t.Errorf("%s: not in primary", filepath.Base(file))
					continue
				}
				checkAgainstRPM(t, p, file, facts[file])
				if u, err := r.PackageURL(p); err != nil || u.Path != filepath.Join(tc.dir, filepath.Base(file)) {
					t.Errorf("%s: PackageURL = %v, %v", p.NEVRA, u, err)
				}
			}
		})
	}
}

func checkAgainstRPM(t *testing.T, p *Package, file string, f rpmFacts) {
	t.Helper()
	if p.NEVRA != f.nevra {
		t.Errorf("%s: NEVRA %+v, rpm says %+v", file, p.NEVRA, f.nevra)
	}
	if p.SourceRPM != f.sourceRPM || p.License != f.license || p.Summary != f.summary || p.BuildTime != f.buildTime || p.InstalledSize != f.size {
		t.Errorf("%s: sourcerpm/license/summary/buildtime/size %q %q %q %d %d, rpm says %q %q %q %d %d",
			file, p.SourceRPM, p.License, p.Summary, p.BuildTime, p.InstalledSize, f.sourceRPM, f.license, f.summary, f.buildTime, f.size)
	}
	if p.Checksum.Type != "sha256" || p.Checksum.Value != fileSHA256(t, file) {
		t.Errorf("%s: checksum %+v does not match the file", file, p.Checksum)
	}
	if st, err := os.Stat(file); err != nil || uint64(st.Size()) != p.PackageSize {
		t.Errorf("%s: package size %d, file has %v", file, p.PackageSize, st.Size())
	}
	if p.HeaderStart == 0 || p.HeaderEnd <= p.HeaderStart || p.HeaderEnd > p.PackageSize {
		t.Errorf("%s: header range %d-%d", file, p.HeaderStart, p.HeaderEnd)
	}
	for _, c := range []struct {
		kind      string
		got, want []string
	}{
		{"provides", depStrings(p.Provides), f.provides},
		{"conflicts", depStrings(p.Conflicts), f.conflicts},
		{"obsoletes", depStrings(p.Obsoletes), f.obsoletes},
		{"recommends", depStrings(p.Recommends), f.recommends},
		{"files", p.Files, f.files},
	} {
		if !slices.Equal(sorted(c.got), sorted(c.want)) {
			t.Errorf("%s: %s\n got %q\nrpm %q", file, c.kind, sorted(c.got), sorted(c.want))
		}
	}
	// Requires: primary.xml lists a subset of rpm's. createrepo_c leaves
	// out rpmlib() features, libc.so.6 entries other than the highest
	// GLIBC version, requirements the package satisfies itself, and
	// duplicates of a name it keeps in another form.
	got := sorted(depStrings(p.Requires))
	want := sorted(f.requires)
	names := map[string]bool{}
	for _, d := range p.Requires {
		names[d.Name] = true
	}
	own := map[string]bool{}
	for _, d := range p.Provides {
		own[d.Name] = true
	}
	for _, fn := range f.files {
		own[fn] = true
	}
	for _, r := range got {
		if !slices.Contains(want, r) {
			t.Errorf("%s: primary requires %q, which rpm does not list", file, r)
		}
	}
	for _, r := range want {
		if slices.Contains(got, r) {
			continue
		}
		name := strings.TrimSuffix(strings.SplitN(r, " ", 2)[0], " pre")
		if !primaryOmits(r) && !own[name] && !names[name] {
			t.Errorf("%s: rpm requires %q, missing from primary", file, r)
		}
	}
}

func ExampleAuthEnvNames() {
	u, p := AuthEnvNames("azl-base.x86_64")
	fmt.Println(u, p)
	// Output: SLIPWAY_REPO_AZL_BASE_X86_64_USERNAME SLIPWAY_REPO_AZL_BASE_X86_64_PASSWORD
}
