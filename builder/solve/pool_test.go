package solve

import (
	"slices"
	"testing"

	"github.com/slipway-build/slipway/rpmmeta"
)

// TestAllProvidesFastPath: the pool's shortcut gives exactly what
// rpmmeta's AllProvides gives.
func TestAllProvidesFastPath(t *testing.T) {
	t.Parallel()
	pkg := func(epoch uint32, ver, rel string, provs ...rpmmeta.Dep) *rpmmeta.Package {
		return &rpmmeta.Package{NEVRA: rpmmeta.NEVRA{Name: "a", EVR: rpmmeta.EVR{Epoch: epoch, Version: ver, Release: rel}, Arch: "x86_64"}, Provides: provs}
	}
	eq := rpmmeta.SenseEqual
	for _, tc := range []struct {
		name string
		pk   *rpmmeta.Package
	}{
		{"none", pkg(0, "1.0", "1")},
		{"exact", pkg(0, "1.0", "1", rpmmeta.Dep{Name: "a", Flags: eq, Version: "1.0-1"})},
		{"exact with epoch", pkg(2, "1.0", "1", rpmmeta.Dep{Name: "a", Flags: eq, Version: "2:1.0-1"})},
		{"epoch missing", pkg(2, "1.0", "1", rpmmeta.Dep{Name: "a", Flags: eq, Version: "1.0-1"})},
		{"explicit zero epoch", pkg(0, "1.0", "1", rpmmeta.Dep{Name: "a", Flags: eq, Version: "0:1.0-1"})},
		{"rpmvercmp-equal only", pkg(0, "1.0", "1", rpmmeta.Dep{Name: "a", Flags: eq, Version: "1.00-1"})},
		{"no release in provide", pkg(0, "1.0", "1", rpmmeta.Dep{Name: "a", Flags: eq, Version: "1.0"})},
		{"package without release", pkg(0, "1.0", "", rpmmeta.Dep{Name: "a", Flags: eq, Version: "1.0"})},
		{"other version", pkg(0, "1.0", "1", rpmmeta.Dep{Name: "a", Flags: eq, Version: "1.1-1"})},
		{"unversioned", pkg(0, "1.0", "1", rpmmeta.Dep{Name: "a"})},
		{"greater-equal", pkg(0, "1.0", "1", rpmmeta.Dep{Name: "a", Flags: eq | rpmmeta.SenseGreater, Version: "1.0-1"})},
		{"other name", pkg(0, "1.0", "1", rpmmeta.Dep{Name: "b", Flags: eq, Version: "1.0-1"}, rpmmeta.Dep{Name: "a(x86-64)", Flags: eq, Version: "1.0-1"})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got, want := allProvides(tc.pk), tc.pk.AllProvides(); !slices.Equal(got, want) {
				t.Errorf("allProvides %v, AllProvides %v", got, want)
			}
		})
	}
}
