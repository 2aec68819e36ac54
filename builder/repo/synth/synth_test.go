package synth

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/slipway-build/slipway/builder/repo"
	"github.com/slipway-build/slipway/rpmmeta"
)

// TestDeterministic writes the same repository twice, and a different seed
// once: repomd.xml (which holds every file's checksum) must repeat exactly,
// and change with the seed.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	read := func(o Options) []byte {
		dir := t.TempDir()
		if err := Write(dir, o); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "repodata", "repomd.xml"))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b := read(Options{N: 300, Seed: 5}), read(Options{N: 300, Seed: 5})
	if !bytes.Equal(a, b) {
		t.Error("same options, different repomd.xml")
	}
	if bytes.Equal(a, read(Options{N: 300, Seed: 6})) {
		t.Error("different seed, same repomd.xml")
	}
	if err := Write(t.TempDir(), Options{N: 10}); err == nil {
		t.Error("N=10 accepted")
	}
}

// TestWritePackagesRoundTrip writes packages with every dependency kind
// (rich, versioned with and without epoch, pre) and files, and reads
// them back with the repository loader: the same packages, each with its
// self-provide first.
func TestWritePackagesRoundTrip(t *testing.T) {
	t.Parallel()
	pkgs := []*rpmmeta.Package{{
		NEVRA:       rpmmeta.NEVRA{Name: "a", EVR: rpmmeta.EVR{Epoch: 2, Version: "1.0", Release: "3"}, Arch: "x86_64"},
		Provides:    []rpmmeta.Dep{{Name: "cap", Flags: rpmmeta.SenseEqual, Version: "2"}},
		Requires:    []rpmmeta.Dep{{Name: "(b if c else d < 1:2-3)"}, {Name: "/bin/sh", Flags: rpmmeta.SensePrereq}, {Name: "e", Flags: rpmmeta.SenseGreater | rpmmeta.SenseEqual, Version: "1:2-3"}},
		Conflicts:   []rpmmeta.Dep{{Name: "(f and g)"}},
		Obsoletes:   []rpmmeta.Dep{{Name: "old", Flags: rpmmeta.SenseLess, Version: "2"}},
		Recommends:  []rpmmeta.Dep{{Name: "r"}},
		Suggests:    []rpmmeta.Dep{{Name: "s"}},
		Supplements: []rpmmeta.Dep{{Name: "(x with y)"}},
		Enhances:    []rpmmeta.Dep{{Name: "z"}},
		Files:       []string{"/usr/bin/a", "/etc/a.conf"},
	}, {
		NEVRA: rpmmeta.NEVRA{Name: "b", EVR: rpmmeta.EVR{Version: "1", Release: "1"}, Arch: "noarch"},
	}}
	dir := t.TempDir()
	if err := WritePackages(dir, pkgs); err != nil {
		t.Fatal(err)
	}
	set, err := repo.Load(t.Context(), []repo.Config{{ID: "w", BaseURL: "file://" + dir}}, "x86_64", repo.WithCacheDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Packages) != len(pkgs) {
		t.Fatalf("read %d packages, wrote %d", len(set.Packages), len(pkgs))
	}
	for i, p := range set.Packages {
		want := *pkgs[i]
		want.Provides = append([]rpmmeta.Dep{{Name: want.Name, Flags: rpmmeta.SenseEqual, Version: want.EVR.String()}}, want.Provides...)
		got := p.Package
		if got.NEVRA != want.NEVRA {
			t.Errorf("package %d: %v, want %v", i, got.NEVRA, want.NEVRA)
		}
		for _, l := range []struct {
			kind      string
			got, want []rpmmeta.Dep
		}{{"provides", got.Provides, want.Provides}, {"requires", got.Requires, want.Requires}, {"conflicts", got.Conflicts, want.Conflicts},
			{"obsoletes", got.Obsoletes, want.Obsoletes}, {"recommends", got.Recommends, want.Recommends}, {"suggests", got.Suggests, want.Suggests},
			{"supplements", got.Supplements, want.Supplements}, {"enhances", got.Enhances, want.Enhances}} {
			if len(l.got) != len(l.want) {
				t.Errorf("%s %s: %v, want %v", want.Name, l.kind, l.got, l.want)
				continue
			}
			for j := range l.got {
				g, w := l.got[j], l.want[j]
				if g.Name != w.Name || g.Op() != w.Op() || g.EVR() != w.EVR() || (g.Flags&rpmmeta.SensePrereq) != (w.Flags&rpmmeta.SensePrereq) {
					t.Errorf("%s %s[%d]: %+v, want %+v", want.Name, l.kind, j, g, w)
				}
			}
		}
		if !slices.Equal(got.Files, want.Files) {
			t.Errorf("%s files: %v, want %v", want.Name, got.Files, want.Files)
		}
	}
}
