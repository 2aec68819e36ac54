package split

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
)

// originPkgs is splitTree's packages with their sources: a and b are
// subpackages of one source.
func originPkgs(owners map[string]string) []OriginPackage {
	src := map[string]string{"fs": "filesystem-1-1.src.rpm", "a": "ab-1-1.azl3.src.rpm", "b": "ab-1-1.azl3.src.rpm",
		"c": "c-1-1.src.rpm", "d": "d-2-1.src.rpm"}
	var out []OriginPackage
	for _, n := range splitInstall(owners) {
		name := n[:strings.IndexByte(n, '-')]
		out = append(out, OriginPackage{NEVRA: n, Name: name, Source: src[name]})
	}
	return out
}

func originAll(t *testing.T, tarFile string, owners map[string]string, max int) ([]Group, [][]byte) {
	t.Helper()
	groups := PlanOrigin(headersOf(t, tarFile), owners, originPkgs(owners), max)
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

// TestPlanOrigin: packages are grouped by source (a and b together), the
// biggest group at the bottom, at most max layers; laid over one another
// the layers give the tree; what no package ships (generated files,
// implied folders) is in the metadata layer on top only; every package
// is listed by exactly one layer; two runs write the same bytes.
func TestPlanOrigin(t *testing.T) {
	t.Parallel()
	ents, owners := splitTree(false)
	// c ships a file under an implied folder: the folder stays the
	// metadata layer's (it carries the build time).
	i := slices.IndexFunc(ents, func(e tent) bool { return e.name == "var/lib/" })
	ents = slices.Insert(ents, i+1, tent{"var/lib/c.state", byte(tar.TypeReg), 0o644, "state", 0, 0})
	owners["var/lib/c.state"] = "c-1-1.x86_64"
	full := writeTestTar(t, t.TempDir(), "full.tar", ents)
	data, _ := os.ReadFile(full)
	want := applied{}
	applyLayer(t, want, bytes.NewReader(data))
	for _, tc := range []struct {
		max     int
		sources [][]string // the sources of each package layer, bottom first
	}{
		{2, [][]string{{"ab", "c", "filesystem"}}},
		{3, [][]string{{"ab"}, {"c", "filesystem"}}},
		{50, [][]string{{"ab"}, {"c"}, {"filesystem"}}},
	} {
		t.Run(fmt.Sprint(tc.max), func(t *testing.T) {
			t.Parallel()
			groups, layers := originAll(t, full, owners, tc.max)
			if len(layers) > tc.max {
				t.Errorf("%d layers, max %d", len(layers), tc.max)
			}
			var sources [][]string
			var pkgs []string
			for _, g := range groups[:len(groups)-1] {
				sources = append(sources, g.Sources)
				pkgs = append(pkgs, g.Packages...)
			}
			if fmt.Sprint(sources) != fmt.Sprint(tc.sources) {
				t.Errorf("layers of sources %v, want %v", sources, tc.sources)
			}
			slices.Sort(pkgs)
			if !slices.Equal(pkgs, splitInstall(owners)) {
				t.Errorf("the layers list %v, want every package once: %v", pkgs, splitInstall(owners))
			}
			top := groups[len(groups)-1]
			if top.Packages != nil {
				t.Errorf("the top layer lists %v, want the metadata layer", top.Packages)
			}
			for _, p := range []string{"var/lib/rpm/rpmdb.sqlite", "etc/passwd", "etc/ld.so.cache", "var/lib", "var/lib/rpm"} {
				for i, g := range groups {
					if g.Paths[p] != (i == len(groups)-1) {
						t.Errorf("layer %d (%v) holding %s = %v", i, g.Sources, p, g.Paths[p])
					}
				}
			}
			got := applied{}
			for _, l := range layers {
				applyLayer(t, got, bytes.NewReader(l))
			}
			assertApplied(t, got, want)
			_, again := originAll(t, full, owners, tc.max)
			for i := range layers {
				if !bytes.Equal(layers[i], again[i]) {
					t.Errorf("layer %d differs between two runs", i)
				}
			}
		})
	}
}

// TestPlanOriginIndependent: adding a package (its own source) and so
// changing the rpm database leaves every other package layer's bytes as
// they were, and changes the metadata layer.
func TestPlanOriginIndependent(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	ents1, owners1 := splitTree(false)
	ents2, owners2 := splitTree(true)
	g1, l1 := originAll(t, writeTestTar(t, tmp, "1.tar", ents1), owners1, 50)
	g2, l2 := originAll(t, writeTestTar(t, tmp, "2.tar", ents2), owners2, 50)
	bySources := func(gs []Group, ls [][]byte) map[string][]byte {
		m := map[string][]byte{}
		for i, g := range gs {
			m[fmt.Sprint(g.Sources)] = ls[i]
		}
		return m
	}
	m1, m2 := bySources(g1, l1), bySources(g2, l2)
	for k, b := range m1 {
		if k == "[]" {
			if bytes.Equal(b, m2[k]) {
				t.Error("the metadata layer did not change with the rpm database")
			}
			continue
		}
		if !bytes.Equal(b, m2[k]) {
			t.Errorf("the layer of %s changed when d was added", k)
		}
	}
	if _, ok := m2["[d]"]; !ok {
		t.Errorf("no layer of d: %v", g2)
	}
}

func TestSourceName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"glibc-2.38-1.azl3.src.rpm": "glibc", "python-foo-bar-1.0-2.src.rpm": "python-foo-bar",
		"x.nosrc.rpm": "fallback", "": "fallback", "k-1-1.nosrc.rpm": "k",
	} {
		if got := SourceName(in, "fallback"); got != want {
			t.Errorf("SourceName(%q) = %q, want %q", in, got, want)
		}
	}
}

// headersOf reads the headers of tarFile.
func headersOf(t *testing.T, tarFile string) []*tar.Header {
	t.Helper()
	hs, err := ReadHeaders(t.Context(), tarFile)
	if err != nil {
		t.Fatal(err)
	}
	return hs
}

// TestHoldersSameBytes: each entry of the tar written, in one pass, to
// the tar of each group Holders names (shared parent folders to several)
// gives every group the bytes Write writes for it alone, for the origin
// and the size-based plans.
func TestHoldersSameBytes(t *testing.T) {
	t.Parallel()
	ents, owners := splitTree(true)
	full := writeTestTar(t, t.TempDir(), "full.tar", ents)
	for _, max := range []int{2, 3, 50} {
		origin, want := originAll(t, full, owners, max)
		sized, wantSized := splitAll(t, full, owners, max)
		for _, tc := range []struct {
			groups []Group
			want   [][]byte
		}{{origin, want}, {sized, wantSized}} {
			bufs := make([]bytes.Buffer, len(tc.groups))
			tws := make([]*tar.Writer, len(tc.groups))
			for i := range bufs {
				tws[i] = tar.NewWriter(&bufs[i])
			}
			hs := headersOf(t, full)
			to := Holders(tc.groups, hs)
			f, err := os.Open(full)
			if err != nil {
				t.Fatal(err)
			}
			tr := tar.NewReader(f)
			for i := range hs {
				h, err := tr.Next()
				if err != nil {
					t.Fatal(err)
				}
				body, err := io.ReadAll(tr)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.IsSorted(to[i]) {
					t.Errorf("max %d: holders of %s not ascending: %v", max, h.Name, to[i])
				}
				for _, g := range to[i] {
					if err := tws[g].WriteHeader(h); err != nil {
						t.Fatal(err)
					}
					if _, err := tws[g].Write(body); err != nil {
						t.Fatal(err)
					}
				}
			}
			f.Close()
			for i := range tc.groups {
				if err := tws[i].Close(); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(bufs[i].Bytes(), tc.want[i]) {
					t.Errorf("max %d: layer %d (%s): %d bytes in one pass, %d alone", max, i, tc.groups[i].Pkg, bufs[i].Len(), len(tc.want[i]))
				}
			}
		}
	}
}
