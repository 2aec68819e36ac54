package rpmdb

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/layers/rpm"
)

// rpmTool runs the real rpm against a root, with a private HOME (Debian's
// rpm otherwise keeps its database in ~/.rpmdb) and --dbpath /var/lib/rpm.
type rpmTool struct {
	bin, home, root string
}

func newRPM(t *testing.T, root string) *rpmTool {
	t.Helper()
	bin := testutil.RequireTool(t, "rpm", "rpm")
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, ".rpmmacros"), []byte("%_dbpath /var/lib/rpm\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return &rpmTool{bin: bin, home: home, root: root}
}

// run runs rpm and returns its stdout; an exit status other than 0 is an
// error carrying stderr.
func (r *rpmTool) run(args ...string) (string, error) {
	cmd := exec.Command(r.bin, append([]string{"--root", r.root, "--dbpath", "/var/lib/rpm"}, args...)...)
	cmd.Env = []string{"HOME=" + r.home, "LANG=C", "LC_ALL=C", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		shown := args
		if len(shown) > 3 {
			shown = append(slices.Clone(shown[:3]), "...")
		}
		return out.String(), fmt.Errorf("rpm %s: %w: %s", strings.Join(shown, " "), err, errb.String())
	}
	return out.String(), nil
}

func (r *rpmTool) mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, err := r.run(args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// install records files in r.root's database with the real rpm, without
// touching the file system (--justdb) or checking anything.
func (r *rpmTool) install(t *testing.T, files ...string) {
	t.Helper()
	r.mustRun(t, append([]string{"-i", "--justdb", "--nodeps", "--noscripts", "--notriggers", "--nosignature", "--replacefiles", "--ignorearch"}, files...)...)
}

func openPackage(t testing.TB, path string) *rpm.Package {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	p, err := rpm.Open(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return p
}

func installedList(t testing.TB, paths []string) []Installed {
	out := make([]Installed, len(paths))
	for i, p := range paths {
		out[i] = Installed{Pkg: openPackage(t, p)}
	}
	return out
}

// repoRPMs returns the binary RPMs of the test repository for arch.
func repoRPMs(t testing.TB, arch string) []string {
	t.Helper()
	r := testrepo.Get(t)
	files := r.RPMs[arch]
	if len(files) == 0 {
		t.Fatalf("test repository has no %s RPMs", arch)
	}
	return files
}

var (
	extrasOnce sync.Once
	extrasDir  string
	extrasPath string
	extrasErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if extrasDir != "" {
		os.RemoveAll(extrasDir)
	}
	os.Exit(code)
}

// extrasRPM builds testdata/extras.spec with rpmbuild (once per test binary).
func extrasRPM(t testing.TB) string {
	t.Helper()
	bin := testutil.RequireTool(t, "rpmbuild", "rpm")
	extrasOnce.Do(func() {
		dir, err := os.MkdirTemp("", "rpmdb-extras-")
		if err != nil {
			extrasErr = err
			return
		}
		extrasDir = dir
		home := filepath.Join(dir, "home")
		if err := os.MkdirAll(home, 0o755); err != nil {
			extrasErr = err
			return
		}
		spec, err := filepath.Abs("testdata/extras.spec")
		if err != nil {
			extrasErr = err
			return
		}
		cmd := exec.Command(bin, "-bb", "--define", "_topdir "+filepath.Join(dir, "top"),
			"--define", "_binary_payload w9.gzdio", "--define", "_dbpath /var/lib/rpm", spec)
		cmd.Env = []string{"HOME=" + home, "LANG=C", "SOURCE_DATE_EPOCH=1700000000", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
		if out, err := cmd.CombinedOutput(); err != nil {
			extrasErr = fmt.Errorf("rpmbuild: %w: %s", err, out)
			return
		}
		m, _ := filepath.Glob(filepath.Join(dir, "top", "RPMS", "noarch", "*.rpm"))
		if len(m) != 1 {
			extrasErr = fmt.Errorf("rpmbuild made %v", m)
			return
		}
		extrasPath = m[0]
	})
	if extrasErr != nil {
		t.Fatal(extrasErr)
	}
	return extrasPath
}

// dbBlobs reads the Packages table of an rpmdb.sqlite.
func dbBlobs(t testing.TB, path string) map[int64][]byte {
	t.Helper()
	db := openDB(t, path)
	rows, err := db.Query("SELECT hnum, blob FROM Packages")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64][]byte{}
	for rows.Next() {
		var h int64
		var b []byte
		if err := rows.Scan(&h, &b); err != nil {
			t.Fatal(err)
		}
		out[h] = b
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func openDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// dbIndex reads one index table as sorted "key|NEVRA|idx" lines, naming each
// package by the NEVRA of its header so that databases with different header
// numbers compare.
func dbIndex(t testing.TB, path, table string, names map[int64]string) []string {
	t.Helper()
	db := openDB(t, path)
	rows, err := db.Query(fmt.Sprintf("SELECT key, hnum, idx FROM '%s'", table))
	if err != nil {
		t.Fatalf("%s: %v", table, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var key any
		var h, idx int64
		if err := rows.Scan(&key, &h, &idx); err != nil {
			t.Fatal(err)
		}
		var k string
		switch v := key.(type) {
		case []byte:
			k = fmt.Sprintf("blob:%x", v)
		case string:
			k = v
		default:
			k = fmt.Sprint(v)
		}
		out = append(out, fmt.Sprintf("%q|%s|%d", k, names[h], idx))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// hnumNames maps the header numbers of a database to NEVRAs.
func hnumNames(t testing.TB, path string) map[int64]string {
	t.Helper()
	out := map[int64]string{}
	for h, b := range dbBlobs(t, path) {
		hd, err := rpm.ParseHeader(b)
		if err != nil {
			t.Fatalf("header %d of %s: %v", h, path, err)
		}
		e, _ := hd.Int(rpm.TagEpoch)
		out[h] = fmt.Sprintf("%s-%d:%s-%s.%s", hd.String(rpm.TagName), e, hd.String(rpm.TagVersion), hd.String(rpm.TagRelease), hd.String(rpm.TagArch))
	}
	return out
}

// byNEVRA indexes packages by the same NEVRA form as hnumNames.
func byNEVRA(pkgs []Installed) map[string]Installed {
	out := map[string]Installed{}
	for _, p := range pkgs {
		h := p.Pkg.Header
		e, _ := h.Int(rpm.TagEpoch)
		out[fmt.Sprintf("%s-%d:%s-%s.%s", h.String(rpm.TagName), e, h.String(rpm.TagVersion), h.String(rpm.TagRelease), h.String(rpm.TagArch))] = p
	}
	return out
}

// sortedLines splits output into sorted, non-empty lines.
func sortedLines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}

// installedHeader is installedHeaderStates for header blobs (no magic;
// sigBlob may be nil) of a package installed whole in a transaction whose
// id is its install time.
func installedHeader(sigBlob, mainBlob []byte, installTime int64, color uint32) ([]byte, error) {
	var sig *rpm.Header
	if sigBlob != nil {
		var err error
		if sig, err = rpm.ParseHeader(sigBlob); err != nil {
			return nil, fmt.Errorf("signature header: %w", err)
		}
	}
	main, err := rpm.ParseHeader(mainBlob)
	if err != nil {
		return nil, fmt.Errorf("main header: %w", err)
	}
	return installedHeaderStates(sig, main, installTime, installTime, color, nil)
}
