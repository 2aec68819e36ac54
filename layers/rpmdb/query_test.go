package rpmdb

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	rpmdbreader "github.com/knqyf263/go-rpmdb/pkg"
	"github.com/slipway-build/slipway/layers/rpm"
)

// writeRoot writes our database for pkgs into a fresh root.
func writeRoot(t *testing.T, pkgs []Installed, opts Options) string {
	t.Helper()
	root := t.TempDir()
	dbPath := filepath.Join(root, SQLitePath)
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteSQLite(t.Context(), dbPath, pkgs, opts); err != nil {
		t.Fatal(err)
	}
	return root
}

// TestQueriesMatchRPM runs the same queries against the database rpm wrote
// when it installed the packages and against ours, and wants the same answers.
func TestQueriesMatchRPM(t *testing.T) {
	t.Parallel()
	files := append(slices.Clone(repoRPMs(t, "x86_64")), extrasRPM(t))
	files = slices.DeleteFunc(files, func(f string) bool { return strings.Contains(filepath.Base(f), "oldwebd") })
	_, real, order, tid := realInstall(t, files)
	ours := newRPM(t, writeRoot(t, order, Options{InstallTime: tid, Arch: "x86_64"}))

	// Every name, capability, requirement and file the packages carry.
	var names, provides, requires, paths, others []string
	for _, p := range order {
		names = append(names, p.Pkg.NEVRA().Name)
		for _, d := range p.Pkg.Provides() {
			provides = append(provides, d.Name)
		}
		for _, d := range p.Pkg.Requires() {
			requires = append(requires, d.Name)
		}
		for _, k := range []rpm.DepKind{rpm.Conflicts, rpm.Obsoletes, rpm.Recommends, rpm.Suggests, rpm.Supplements, rpm.Enhances} {
			ds, err := p.Pkg.Deps(k)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				others = append(others, d.Name)
			}
		}
		fs, err := p.Pkg.Files()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			paths = append(paths, f.Path)
		}
	}
	// Names inside rich dependencies are indexed too.
	others = append(others, "webd", "busybox", "toybox", "timekeeper", "a", "d", "k1", "q", "r2", "s1", "e2")
	for _, l := range [][]string{names, provides, requires, paths, others} {
		slices.Sort(l)
	}
	// INSTALLTIME is left out: rpm takes it per package from its clock
	// (TestHeaderMatchesRPM compares it).
	queries := [][]string{
		{"-qa"},
		{"-qa", "--qf", "%{NEVRA} %{INSTALLTID} %{INSTALLCOLOR} %{SIGMD5} %{SHA1HEADER} %{RSAHEADER:pgpsig} %{INSTPREFIXES}\n"},
		{"-qa", "--qf", "[%{FILENAMES} %{FILESTATES:fstate} %{FILEMODES:perms}\n]"},
		append([]string{"-q"}, slices.Compact(names)...),
		append([]string{"-q", "--whatprovides"}, slices.Compact(provides)...),
		append([]string{"-q", "--whatrequires"}, slices.Compact(slices.Concat(requires, provides, others))...),
		append([]string{"-qf"}, slices.Compact(paths)...),
		{"-qf", "/usr/bin/sh", "/usr/share/zoneinfo/UTC", "/etc/passwd", "/no/such/file"},
	}
	for _, what := range []string{"--whatconflicts", "--whatobsoletes", "--whatrecommends", "--whatsuggests", "--whatsupplements", "--whatenhances"} {
		queries = append(queries, append([]string{"-q", what}, slices.Compact(others)...))
	}
	for _, q := range queries {
		want, werr := real.run(q...)
		got, gerr := ours.run(q...)
		label := strings.Join(q[:min(len(q), 3)], " ")
		if (werr == nil) != (gerr == nil) {
			t.Errorf("rpm %s: exit status differs: ours %v, rpm's own database %v", label, gerr, werr)
		}
		if got != want {
			t.Errorf("rpm %s: output differs:\n%s", label, lineDiff(strings.Split(got, "\n"), strings.Split(want, "\n")))
		}
		if strings.TrimSpace(got) == "" {
			t.Errorf("rpm %s printed nothing", label)
		}
	}
	// A few answers spelled out, so that a query both databases fail alike
	// cannot pass unnoticed.
	for _, c := range []struct{ args []string }{
		{[]string{"-qf", "/usr/bin/sh"}},
		{[]string{"-q", "--whatprovides", "httpd-server"}},
		{[]string{"-q", "--whatrequires", "libfoo.so.1()(64bit)"}},
		{[]string{"-q", "glibc"}},
	} {
		if _, err := ours.run(c.args...); err != nil {
			t.Errorf("rpm %v failed on our database: %v", c.args, err)
		}
	}
}

// TestManifests compares Manifest1 and Manifest2 with what rpm -qa prints
// for the database rpm wrote when it installed the same packages.
func TestManifests(t *testing.T) {
	t.Parallel()
	files := append(slices.Clone(repoRPMs(t, "x86_64")), extrasRPM(t))
	files = slices.DeleteFunc(files, func(f string) bool { return strings.Contains(filepath.Base(f), "oldwebd") })
	_, real, order, tid := realInstall(t, files)

	if got, want := string(Manifest1(order)), real.mustRun(t, "-qa"); got != want {
		t.Errorf("Manifest1 differs from rpm -qa:\n%s", lineDiff(strings.Split(got, "\n"), strings.Split(want, "\n")))
	}
	// INSTALLTIME is rpm's clock for each package; put the transaction id in
	// its place on both sides, and check that column against ours below.
	const qf = "%{NAME}\t%{VERSION}-%{RELEASE}\t%{INSTALLTID}\t%{BUILDTIME}\t%{VENDOR}\t%{EPOCH}\t%{SIZE}\t%{ARCH}\t%{EPOCHNUM}\t%{SOURCERPM}\n"
	if got, want := string(Manifest2(order, tid)), real.mustRun(t, "-qa", "--qf", qf); got != want {
		t.Errorf("Manifest2 differs from rpm -qa --qf:\n%s", lineDiff(strings.Split(got, "\n"), strings.Split(want, "\n")))
	}
	// On our own database the Azure Linux format itself must give the same.
	const azl = "%{NAME}\t%{VERSION}-%{RELEASE}\t%{INSTALLTIME}\t%{BUILDTIME}\t%{VENDOR}\t%{EPOCH}\t%{SIZE}\t%{ARCH}\t%{EPOCHNUM}\t%{SOURCERPM}\n"
	ours := newRPM(t, writeRoot(t, order, Options{InstallTime: 1712345678, Arch: "x86_64"}))
	if got, want := string(Manifest2(order, 1712345678)), ours.mustRun(t, "-qa", "--qf", azl); got != want {
		t.Errorf("Manifest2 differs from rpm -qa --qf on our database:\n%s", lineDiff(strings.Split(got, "\n"), strings.Split(want, "\n")))
	}
	if !strings.Contains(string(Manifest2(order, 1)), "\t(none)\t") {
		t.Error("no package prints (none): the test packages should include one without an epoch")
	}
}

// TestDeterministic writes the same database twice and wants the same bytes.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	pkgs := installedList(t, append(slices.Clone(repoRPMs(t, "x86_64")), extrasRPM(t)))
	opts := Options{InstallTime: 1700000000, Arch: "x86_64"}
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.sqlite"), filepath.Join(dir, "b.sqlite")
	for _, p := range []string{a, b, b} { // the second b replaces an existing file
		if err := WriteSQLite(t.Context(), p, pkgs, opts); err != nil {
			t.Fatal(err)
		}
	}
	ba, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	bb, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ba, bb) {
		t.Fatalf("two writes of the same input differ (%d vs %d bytes)", len(ba), len(bb))
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(left) != 2 {
		t.Errorf("files left beside the database: %v", left)
	}
	// Another install time must change the bytes (the test can fail).
	c := filepath.Join(dir, "c.sqlite")
	opts.InstallTime++
	if err := WriteSQLite(t.Context(), c, pkgs, opts); err != nil {
		t.Fatal(err)
	}
	bc, _ := os.ReadFile(c)
	if bytes.Equal(ba, bc) {
		t.Error("a different install time gave the same database")
	}
}

// TestGoRPMDB reads our database with github.com/knqyf263/go-rpmdb, the
// reader vulnerability scanners use.
func TestGoRPMDB(t *testing.T) {
	t.Parallel()
	for _, arch := range []string{"x86_64", "aarch64"} {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			pkgs := installedList(t, append(slices.Clone(repoRPMs(t, arch)), extrasRPM(t)))
			root := writeRoot(t, pkgs, Options{InstallTime: 1700000001, Arch: arch})
			db, err := rpmdbreader.Open(filepath.Join(root, SQLitePath))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			list, err := db.ListPackages()
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != len(pkgs) {
				t.Fatalf("go-rpmdb lists %d packages, want %d", len(list), len(pkgs))
			}
			for i, got := range list {
				p := pkgs[i].Pkg
				n := p.NEVRA()
				h := p.Header
				epoch := 0
				if v, ok := h.Int(rpm.TagEpoch); ok {
					epoch = int(v)
				}
				size, _ := h.Int(rpm.TagSize)
				if got.Name != n.Name || got.Version != n.Version || got.Release != n.Release || got.Arch != n.Arch ||
					got.EpochNum() != epoch || got.SourceRpm != h.String(rpm.TagSourceRPM) || got.Size != int(size) ||
					got.Vendor != h.String(rpm.TagVendor) || got.InstallTime != 1700000001 {
					t.Errorf("package %d: go-rpmdb reads %+v, want %s", i, got, n)
				}
				if want := hex.EncodeToString(p.Signature.Bytes(rpm.SigTagMD5)); got.SigMD5 != want {
					t.Errorf("%s: SigMD5 %q, want %q", n, got.SigMD5, want)
				}
				// go-rpmdb reports only the legacy header+payload PGP signature
				// (SIGPGP), which rpm copies from the signature header.
				if (got.PGP != "") != (len(p.Signature.Bytes(rpm.SigTagPGP)) > 0) {
					t.Errorf("%s: go-rpmdb reads PGP %q", n, got.PGP)
				}
				fs, err := p.Files()
				if err != nil {
					t.Fatal(err)
				}
				var want []string
				for _, f := range fs {
					want = append(want, f.Path)
				}
				names, err := got.InstalledFileNames()
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(names, want) {
					t.Errorf("%s: files %v, want %v", n, names, want)
				}
			}
		})
	}
}
