package split

import (
	"archive/tar"
	"bytes"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
)

// splitTree is a test tree: entries and their owners.
func splitTree(extra bool) ([]tent, map[string]string) {
	reg, dir, sym, hard := byte(tar.TypeReg), byte(tar.TypeDir), byte(tar.TypeSymlink), byte(tar.TypeLink)
	big, mid := strings.Repeat("B", 5000), strings.Repeat("M", 3000)
	ents := []tent{
		{"etc/", dir, 0o755, "", 0, 0},
		{"etc/ld.so.cache", reg, 0o644, "cache", 0, 0},
		{"etc/passwd", reg, 0o644, "root\n", 0, 0},
		{"opt/", dir, 0o755, "", 0, 0},
		{"opt/a/", dir, 0o700, "", 0, 3},
		{"opt/a/big", reg, 0o644, big, 0, 0},
		{"opt/a/link", hard, 0o644, "opt/a/big", 0, 0},
		{"opt/a/small", reg, 0o644, "s", 0, 0},
		{"opt/b/", dir, 0o755, "", 0, 0},
		{"opt/b/mid", reg, 0o644, mid, 0, 0},
		{"opt/b/sym", sym, 0o777, "mid", 0, 0},
		{"opt/c", reg, 0o644, "little", 0, 0},
		{"usr/", dir, 0o755, "", 0, 0},
		{"usr/bin/", dir, 0o755, "", 0, 0},
		{"usr/bin/a", reg, 0o755, "a-tool", 0, 0},
		{"usr/bin/b", reg, 0o755, "b-tool", 0, 0},
		{"usr/bin/c", reg, 0o755, "c-tool", 0, 0},
		{"var/", dir, 0o755, "", 0, 0},
		{"var/lib/", dir, 0o755, "", 0, 0},
		{"var/lib/rpm/", dir, 0o755, "", 0, 0},
		{"var/lib/rpm/rpmdb.sqlite", reg, 0o644, "db", 0, 0},
	}
	owners := map[string]string{
		"etc": "fs-1-1.noarch", "etc/ld.so.cache": "(generated)", "etc/passwd": "(generated)",
		"opt": "fs-1-1.noarch", "opt/a": "a-1-1.x86_64", "opt/a/big": "a-1-1.x86_64", "opt/a/link": "a-1-1.x86_64",
		"opt/a/small": "a-1-1.x86_64", "opt/b": "b-1-1.x86_64", "opt/b/mid": "b-1-1.x86_64", "opt/b/sym": "b-1-1.x86_64",
		"opt/c": "c-1-1.x86_64", "usr": "fs-1-1.noarch", "usr/bin": "fs-1-1.noarch", "usr/bin/a": "a-1-1.x86_64",
		"usr/bin/b": "b-1-1.x86_64", "usr/bin/c": "c-1-1.x86_64", "var": "fs-1-1.noarch", "var/lib": "(implied)",
		"var/lib/rpm": "(implied)", "var/lib/rpm/rpmdb.sqlite": "(generated)",
	}
	if extra {
		ents = slices.Insert(ents, 12, tent{"opt/d", reg, 0o644, "another small one", 0, 0})
		owners["opt/d"] = "d-1-1.x86_64"
		ents[len(ents)-1].data = "db with d"
	}
	return ents, owners
}

func splitInstall(owners map[string]string) []string {
	var pkgs []string
	for _, o := range owners {
		if !strings.HasPrefix(o, "(") && !slices.Contains(pkgs, o) {
			pkgs = append(pkgs, o)
		}
	}
	slices.Sort(pkgs)
	return pkgs
}

// splitAll plans and writes the layers of tarFile.
func splitAll(t *testing.T, tarFile string, owners map[string]string, max int) ([]Group, [][]byte) {
	t.Helper()
	groups, err := Plan(t.Context(), tarFile, owners, splitInstall(owners), max)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, g := range groups {
		var b bytes.Buffer
		if _, err := Write(t.Context(), tarFile, g, &b); err != nil {
			t.Fatal(err)
		}
		out = append(out, b.Bytes())
	}
	return groups, out
}

func assertApplied(t *testing.T, got, want applied) {
	t.Helper()
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if got[k] != want[k] {
			t.Errorf("%s: the layers give %q, want %q", k, got[k], want[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: the layers have it (%q), the tree does not", k, got[k])
		}
	}
}

// TestSplitLayers: for every max, the layers laid over one another give
// the tree, there are at most max of them, the largest packages get
// their own, hard links stay with their target, and two runs write the
// same bytes.
func TestSplitLayers(t *testing.T) {
	t.Parallel()
	ents, owners := splitTree(false)
	tmp := t.TempDir()
	full := writeTestTar(t, tmp, "full.tar", ents)
	data, _ := os.ReadFile(full)
	want := applied{}
	applyLayer(t, want, bytes.NewReader(data))
	for _, tc := range []struct {
		max  int
		pkgs []string // the packages with a layer, bottom first
	}{
		{1, nil},
		{2, []string{"a-1-1.x86_64"}},
		{3, []string{"a-1-1.x86_64", "b-1-1.x86_64"}},
		{4, []string{"a-1-1.x86_64", "b-1-1.x86_64", "c-1-1.x86_64"}},
		{50, []string{"a-1-1.x86_64", "b-1-1.x86_64", "c-1-1.x86_64"}}, // fs has no file bytes
	} {
		t.Run(fmt.Sprint(tc.max), func(t *testing.T) {
			t.Parallel()
			groups, layers := splitAll(t, full, owners, tc.max)
			if len(layers) > tc.max {
				t.Errorf("%d layers, max %d", len(layers), tc.max)
			}
			var pkgs []string
			for _, g := range groups {
				if g.Pkg != "" {
					pkgs = append(pkgs, g.Pkg)
				}
			}
			if !slices.Equal(pkgs, tc.pkgs) {
				t.Errorf("package layers %v, want %v", pkgs, tc.pkgs)
			}
			if groups[len(groups)-1].Pkg != "" {
				t.Errorf("the top layer is %s's, want the shared one", groups[len(groups)-1].Pkg)
			}
			got := applied{}
			for _, l := range layers {
				applyLayer(t, got, bytes.NewReader(l))
			}
			assertApplied(t, got, want)
			// The generated files are in the top layer only.
			for i, g := range groups {
				if g.Paths["var/lib/rpm/rpmdb.sqlite"] != (i == len(groups)-1) {
					t.Errorf("layer %d (%q) holding the rpmdb = %v", i, g.Pkg, g.Paths["var/lib/rpm/rpmdb.sqlite"])
				}
				if g.Paths["opt/a/link"] != g.Paths["opt/a/big"] {
					t.Errorf("layer %d (%q) splits the hard-link set of opt/a/big", i, g.Pkg)
				}
			}
			_, again := splitAll(t, full, owners, tc.max)
			for i := range layers {
				if !bytes.Equal(layers[i], again[i]) {
					t.Errorf("layer %d differs between two runs", i)
				}
			}
		})
	}
}

// TestSplitLayersCacheHit: adding a small package and so changing the
// rpmdb leaves the bytes of the large packages' layers unchanged and
// changes the top one.
func TestSplitLayersCacheHit(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	ents1, owners1 := splitTree(false)
	ents2, owners2 := splitTree(true)
	_, one := splitAll(t, writeTestTar(t, tmp, "one.tar", ents1), owners1, 3)
	_, two := splitAll(t, writeTestTar(t, tmp, "two.tar", ents2), owners2, 3)
	if len(one) != 3 || len(two) != 3 {
		t.Fatalf("%d and %d layers, want 3", len(one), len(two))
	}
	for i := range 2 {
		if !bytes.Equal(one[i], two[i]) {
			t.Errorf("package layer %d changed when only a small package was added", i)
		}
	}
	if bytes.Equal(one[2], two[2]) {
		t.Error("the top layer did not change when a package was added")
	}
}

// TestSplitSharedBase: the shared-base upper layer split by max, laid
// over the base, gives the variant's tree; whiteouts land where they
// work.
func TestSplitSharedBase(t *testing.T) {
	t.Parallel()
	reg, dir := byte(tar.TypeReg), byte(tar.TypeDir)
	tmp := t.TempDir()
	base := []tent{
		{"etc/", dir, 0o755, "", 0, 0},
		{"etc/passwd", reg, 0o644, "root\n", 0, 0},
		{"opt/", dir, 0o755, "", 0, 0},
		{"opt/a", reg, 0o644, "a file that becomes a folder", 0, 0},
		{"opt/gone", reg, 0o644, "removed", 0, 0},
	}
	ents, owners := splitTree(false)
	baseTar := writeTestTar(t, tmp, "base.tar", base)
	fullTar := writeTestTar(t, tmp, "full.tar", ents)
	upperTar := tmp + "/upper.tar"
	f, err := os.Create(upperTar)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Upper(t.Context(), baseTar, fullTar, 1000, f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	groups, layers := splitAll(t, upperTar, owners, 3)
	if len(layers) != 3 {
		t.Fatalf("%d layers over the base, want 3", len(layers))
	}
	if !groups[0].Paths[".wh.opt"] && !groups[0].Paths["opt/.wh.a"] {
		t.Errorf("the whiteout of opt/a is not in a's layer: %v", slices.Sorted(maps.Keys(groups[0].Paths)))
	}
	got, want := applied{}, applied{}
	bd, _ := os.ReadFile(baseTar)
	applyLayer(t, got, bytes.NewReader(bd))
	for _, l := range layers {
		applyLayer(t, got, bytes.NewReader(l))
	}
	fd, _ := os.ReadFile(fullTar)
	applyLayer(t, want, bytes.NewReader(fd))
	assertApplied(t, got, want)
}

// TestSplitBadTar: a tar that cannot be read is an error naming it.
func TestSplitBadTar(t *testing.T) {
	t.Parallel()
	bad := t.TempDir() + "/bad.tar"
	os.WriteFile(bad, bytes.Repeat([]byte("x"), 1024), 0o644)
	if _, err := Plan(t.Context(), bad, nil, nil, 3); err == nil || !strings.Contains(err.Error(), "bad.tar") {
		t.Errorf("Plan on a bad tar: %v", err)
	}
	if _, err := Write(t.Context(), bad, Group{}, &bytes.Buffer{}); err == nil {
		t.Error("Write on a bad tar did not fail")
	}
}
