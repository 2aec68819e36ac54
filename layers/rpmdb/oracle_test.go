package rpmdb

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/layers/rpm"
)

// realInstall records files in a fresh root with the real rpm and returns the
// root, the tool and the packages in the order rpm numbered them, with the
// transaction id rpm recorded.
func realInstall(t *testing.T, files []string) (string, *rpmTool, []Installed, int64) {
	t.Helper()
	root := t.TempDir()
	r := newRPM(t, root)
	r.install(t, files...)
	dbPath := filepath.Join(root, SQLitePath)
	blobs := dbBlobs(t, dbPath)
	if len(blobs) == 0 {
		t.Fatal("rpm recorded no package")
	}
	names := hnumNames(t, dbPath)
	ours := byNEVRA(installedList(t, files))
	var order []Installed
	var when int64 = -1
	for h := int64(1); h <= int64(len(blobs)); h++ {
		p, ok := ours[names[h]]
		if !ok {
			t.Fatalf("rpm header %d is %q, not one of the files", h, names[h])
		}
		order = append(order, p)
		hd, err := rpm.ParseHeader(blobs[h])
		if err != nil {
			t.Fatal(err)
		}
		tid, ok := hd.Int(tagInstallTID)
		if !ok {
			t.Fatalf("rpm header %d has no INSTALLTID", h)
		}
		if when >= 0 && int64(tid) != when {
			t.Fatalf("rpm recorded two transaction ids (%d, %d) in one transaction", when, tid)
		}
		when = int64(tid)
	}
	return root, r, order, when
}

// TestHeaderMatchesRPM compares our installed headers byte for byte with the
// blobs the real rpm stores when it installs the same packages.
func TestHeaderMatchesRPM(t *testing.T) {
	t.Parallel()
	for _, arch := range []string{"x86_64", "aarch64"} {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			files := append(slices.Clone(repoRPMs(t, arch)), extrasRPM(t))
			// webd obsoletes oldwebd: rpm would drop it from the transaction.
			files = slices.DeleteFunc(files, func(f string) bool { return strings.Contains(filepath.Base(f), "oldwebd") })
			root, _, order, when := realInstall(t, files)
			blobs := dbBlobs(t, filepath.Join(root, SQLitePath))
			for i, p := range order {
				want := blobs[int64(i+1)]
				hd, err := rpm.ParseHeader(want)
				if err != nil {
					t.Fatal(err)
				}
				it, _ := hd.Int(tagInstallTime)
				got, err := installedHeaderStates(p.Pkg.Signature, p.Pkg.Header, int64(it), when, TransactionColor(arch), nil)
				if err != nil {
					t.Fatal(err)
				}
				if it == uint64(when) {
					// The public API records one time for both.
					pub, err := Header(p, Options{InstallTime: when, Arch: arch})
					if err != nil || !bytes.Equal(pub, got) {
						t.Errorf("%s: Header differs from installedHeaderTID (%v)", p.Pkg.NEVRA(), err)
					}
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s: header differs from rpm's (%d vs %d bytes)\n%s", p.Pkg.NEVRA(), len(got), len(want), diffEntries(t, got, want))
				}
			}
		})
	}
}

// diffEntries describes how two header blobs differ, entry by entry.
func diffEntries(t *testing.T, a, b []byte) string {
	ha, err := rpm.ParseHeader(a)
	if err != nil {
		return "ours: " + err.Error()
	}
	hb, err := rpm.ParseHeader(b)
	if err != nil {
		return "rpm's: " + err.Error()
	}
	ea, eb := ha.Entries(), hb.Entries()
	var s strings.Builder
	for i := range max(len(ea), len(eb)) {
		var x, y string
		if i < len(ea) {
			x = entryString(ea[i])
		}
		if i < len(eb) {
			y = entryString(eb[i])
		}
		mark := "  "
		if x != y {
			mark = "!="
		}
		s.WriteString(mark + " ours " + x + "  rpm " + y + "\n")
	}
	return s.String()
}

func entryString(e rpm.Entry) string {
	return fmt.Sprintf("%d/%d/%d/%d", e.Tag, e.Type, e.Offset, e.Count)
}

// TestTablesMatchRPM writes our database for the packages rpm installed, in
// rpm's order and with its install time, and compares every table with the
// one rpm wrote.
func TestTablesMatchRPM(t *testing.T) {
	t.Parallel()
	files := append(slices.Clone(repoRPMs(t, "x86_64")), extrasRPM(t))
	files = slices.DeleteFunc(files, func(f string) bool { return strings.Contains(filepath.Base(f), "oldwebd") })
	root, _, order, when := realInstall(t, files)
	want := filepath.Join(root, SQLitePath)

	ours := t.TempDir()
	got := filepath.Join(ours, "rpmdb.sqlite")
	if err := WriteSQLite(t.Context(), got, order, Options{InstallTime: when, Arch: "x86_64"}); err != nil {
		t.Fatal(err)
	}
	names := hnumNames(t, want)
	if g := hnumNames(t, got); !mapsEqual(g, names) {
		t.Fatalf("header numbers differ: ours %v, rpm's %v", g, names)
	}
	for _, ix := range indexes {
		g, w := dbIndex(t, got, ix.name, names), dbIndex(t, want, ix.name, names)
		if !slices.Equal(g, w) {
			t.Errorf("table %s differs from rpm's:\n%s", ix.name, lineDiff(g, w))
		}
	}
	if g, w := schemaOf(t, got), schemaOf(t, want); !slices.Equal(g, w) {
		t.Errorf("schema differs from rpm's:\n%s", lineDiff(g, w))
	}
}

func mapsEqual(a, b map[int64]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// schemaOf lists a database's tables and indexes with their SQL, leaving out
// sqlite_stat1 (rpm's PRAGMA optimize on close).
func schemaOf(t *testing.T, path string) []string {
	db := openDB(t, path)
	rows, err := db.Query("SELECT type, name, COALESCE(sql, '') FROM sqlite_master WHERE name != 'sqlite_stat1' ORDER BY rowid")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var typ, name, sql string
		if err := rows.Scan(&typ, &name, &sql); err != nil {
			t.Fatal(err)
		}
		out = append(out, typ+" "+name+" "+sql)
	}
	return out
}

// lineDiff shows lines only in got (+) and only in want (-).
func lineDiff(got, want []string) string {
	var s strings.Builder
	for _, l := range got {
		if !slices.Contains(want, l) {
			s.WriteString("+ " + l + "\n")
		}
	}
	for _, l := range want {
		if !slices.Contains(got, l) {
			s.WriteString("- " + l + "\n")
		}
	}
	return s.String()
}

// TestRebuildDB has rpm rebuild our database from its Packages table and
// compares every table, the headers included, with what we wrote.
func TestRebuildDB(t *testing.T) {
	t.Parallel()
	files := append(slices.Clone(repoRPMs(t, "x86_64")), extrasRPM(t))
	pkgs := installedList(t, files)
	root := t.TempDir()
	dbPath := filepath.Join(root, SQLitePath)
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteSQLite(t.Context(), dbPath, pkgs, Options{InstallTime: 1700000000, Arch: "x86_64"}); err != nil {
		t.Fatal(err)
	}
	names := hnumNames(t, dbPath)
	before := map[string][]string{}
	for _, ix := range indexes {
		before[ix.name] = dbIndex(t, dbPath, ix.name, names)
	}
	blobs := dbBlobs(t, dbPath)

	r := newRPM(t, root)
	r.mustRun(t, "--rebuilddb")

	names2 := hnumNames(t, dbPath)
	if len(names2) != len(pkgs) {
		t.Fatalf("rebuilt database holds %d packages, want %d", len(names2), len(pkgs))
	}
	blobs2 := dbBlobs(t, dbPath)
	byName := map[string][]byte{}
	for h, b := range blobs2 {
		byName[names2[h]] = b
	}
	for h, b := range blobs {
		if !bytes.Equal(byName[names[h]], b) {
			t.Errorf("%s: rpm --rebuilddb changed the header", names[h])
		}
	}
	for _, ix := range indexes {
		after := dbIndex(t, dbPath, ix.name, names2)
		if !slices.Equal(after, before[ix.name]) {
			t.Errorf("table %s: ours vs rebuilt by rpm:\n%s", ix.name, lineDiff(before[ix.name], after))
		}
	}
}
