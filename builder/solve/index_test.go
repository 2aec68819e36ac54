package solve

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestNameIndex compares the index with a map of slices (what the pool
// used before) on names with many duplicates, so that buckets hold
// several names and one name several entries.
func TestNameIndex(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 2, 7, 1000, 5000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(uint64(n), 3))
			names := make([]string, n)
			for i := range names {
				names[i] = fmt.Sprintf("cap%d()(64bit)", r.IntN(n/3+1))
			}
			items := make([]int32, n)
			want := map[string][]int32{}
			for i := range items {
				items[i] = int32(i)
				want[names[i]] = append(want[names[i]], int32(i))
			}
			ix := newNameIndex(slices.Clone(items), func(i int32) string { return names[i] })
			for name, w := range want {
				if got := slices.Collect(ix.get(name)); !slices.Equal(got, w) {
					t.Errorf("%s: %v, want %v", name, got, w)
				}
			}
			for _, absent := range []string{"", "cap-1", "nothing"} {
				if got := slices.Collect(ix.get(absent)); len(got) != 0 {
					t.Errorf("%q: %v, want nothing", absent, got)
				}
			}
			// Stopping early stops.
			for name := range want {
				k := 0
				for range ix.get(name) {
					k++
					break
				}
				if k != 1 {
					t.Errorf("%s: %d entries after break", name, k)
				}
				break
			}
		})
	}
}

// TestPathFilter: the filter never turns away a path that was added.
func TestPathFilter(t *testing.T) {
	t.Parallel()
	var f pathFilter
	added := []string{"/bin/sh", "/usr/bin/python3", "", "/" + string(make([]byte, 300)), "/usr/share/x/data.0"}
	for _, p := range added {
		f.add(p)
	}
	for _, p := range added {
		if !f.has(p) {
			t.Errorf("%q added but not found", p)
		}
	}
	rejected := 0
	for i := range 1000 {
		if !f.has(fmt.Sprintf("/usr/lib64/libx%d.so.%d", i, i%7)) {
			rejected++
		}
	}
	if rejected < 900 {
		t.Errorf("only %d of 1000 other paths turned away", rejected)
	}
}
