package split

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// prevOf is the previous plan an image of groups carries.
func prevOf(groups []Group) []PrevLayer {
	var out []PrevLayer
	for _, g := range groups {
		if g.Packages != nil {
			out = append(out, PrevLayer{Sources: g.Sources, Packages: g.Packages})
		}
	}
	return out
}

func historyAll(t *testing.T, tarFile string, owners map[string]string, max int, prev []PrevLayer) ([]Group, [][]byte, string) {
	t.Helper()
	groups, why := PlanOriginWith(headersOf(t, tarFile), owners, originPkgs(owners), max, prev)
	var out [][]byte
	for _, g := range groups {
		var b bytes.Buffer
		if _, err := Write(t.Context(), tarFile, g, &b); err != nil {
			t.Fatal(err)
		}
		out = append(out, b.Bytes())
	}
	return groups, out, why
}

// updatedC is splitTree with c upgraded to c-2-1 (new contents).
func updatedC() ([]tent, map[string]string) {
	ents, owners := splitTree(false)
	for i := range ents {
		if ents[i].name == "opt/c" {
			ents[i].data = "little, version 2"
		}
	}
	for p, o := range owners {
		if o == "c-1-1.x86_64" {
			owners[p] = "c-2-1.x86_64"
		}
	}
	return ents, owners
}

// TestPlanOriginHistory: with the previous image's plan, unchanged groups
// keep their layers' bytes (so their digests), a changed source leaves
// its shared layer for one of its own, a new source gets its own layer
// without moving the rest, and a plan over the budget is made afresh,
// saying so; the same inputs and previous plan give the same bytes.
func TestPlanOriginHistory(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	ents1, owners1 := splitTree(false)
	first := writeTestTar(t, tmp, "1.tar", ents1)
	layerBytes := func(groups []Group, layers [][]byte) map[string][]byte {
		m := map[string][]byte{}
		for i, g := range groups {
			m[fmt.Sprint(g.Sources)] = layers[i]
		}
		return m
	}
	for _, tc := range []struct {
		name      string
		max1, max int
		tree      func() ([]tent, map[string]string)
		sources   string // the package layers' sources, bottom first
		same      []string
		replanned string
	}{
		{"added", 50, 50, func() ([]tent, map[string]string) { return splitTree(true) }, "[[ab] [c] [filesystem] [d]]", []string{"[ab]", "[c]", "[filesystem]"}, ""},
		{"updated", 4, 4, updatedC, "[[ab] [filesystem] [c]]", []string{"[ab]", "[filesystem]"}, ""},
		{"updated out of a shared layer", 3, 5, updatedC, "[[ab] [filesystem] [c]]", []string{"[ab]"}, ""},
		{"updated over budget", 3, 3, updatedC, "[[ab] [c filesystem]]", []string{"[ab]"}, "over the budget of 2"},
		{"unchanged", 3, 3, func() ([]tent, map[string]string) { return splitTree(false) }, "[[ab] [c filesystem]]", []string{"[ab]", "[c filesystem]"}, ""},
		{"over budget", 3, 3, func() ([]tent, map[string]string) { return splitTree(true) }, "[[ab] [c d filesystem]]", nil, "over the budget of 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g1, l1, _ := historyAll(t, first, owners1, tc.max1, nil)
			ents2, owners2 := tc.tree()
			second := writeTestTar(t, t.TempDir(), "2.tar", ents2)
			g2, l2, why := historyAll(t, second, owners2, tc.max, prevOf(g1))
			var sources []string
			for _, g := range g2[:len(g2)-1] {
				sources = append(sources, fmt.Sprint(g.Sources))
			}
			if got := "[" + strings.Join(sources, " ") + "]"; got != tc.sources {
				t.Errorf("layers of sources %s, want %s", got, tc.sources)
			}
			if len(g2) > tc.max {
				t.Errorf("%d layers, max %d", len(g2), tc.max)
			}
			if (tc.replanned == "") != (why == "") || !strings.Contains(why, tc.replanned) {
				t.Errorf("replanned %q, want %q", why, tc.replanned)
			}
			b1, b2 := layerBytes(g1, l1), layerBytes(g2, l2)
			for _, k := range tc.same {
				if b1[k] == nil || !bytes.Equal(b1[k], b2[k]) {
					t.Errorf("the layer of %s changed", k)
				}
			}
			// Laid over one another, the layers give the tree.
			want, got := applied{}, applied{}
			for _, l := range l2 {
				applyLayer(t, got, bytes.NewReader(l))
			}
			var all bytes.Buffer
			if _, err := Write(t.Context(), second, Group{Paths: allPaths(g2)}, &all); err != nil {
				t.Fatal(err)
			}
			applyLayer(t, want, bytes.NewReader(all.Bytes()))
			assertApplied(t, got, want)
			_, again, _ := historyAll(t, second, owners2, tc.max, prevOf(g1))
			for i := range l2 {
				if !bytes.Equal(l2[i], again[i]) {
					t.Errorf("layer %d differs between two runs", i)
				}
			}
		})
	}
}

func allPaths(groups []Group) map[string]bool {
	m := map[string]bool{}
	for _, g := range groups {
		for p := range g.Paths {
			m[p] = true
		}
	}
	return m
}

func TestNevraName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"glibc-2.38-1.azl3.x86_64": "glibc", "python3-foo-bar-1:2.0-3.noarch": "python3-foo-bar", "x": "x"} {
		if got := nevraName(in); got != want {
			t.Errorf("nevraName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestPlanOriginHistoryRemovals: when more than half of the previous
// sources are gone, the plan is made afresh, saying so.
func TestPlanOriginHistoryRemovals(t *testing.T) {
	t.Parallel()
	ents, owners := splitTree(false)
	tarFile := writeTestTar(t, t.TempDir(), "t.tar", ents)
	prev := []PrevLayer{
		{Sources: []string{"x"}, Packages: []string{"x-1-1.x86_64"}},
		{Sources: []string{"y", "z"}, Packages: []string{"y-1-1.x86_64", "z-1-1.x86_64"}},
		{Sources: []string{"c"}, Packages: []string{"c-1-1.x86_64"}},
	}
	groups, why := PlanOriginWith(headersOf(t, tarFile), owners, originPkgs(owners), 50, prev)
	if !strings.Contains(why, "3 of the previous image's 4 sources are gone") {
		t.Errorf("replanned %q", why)
	}
	fresh := PlanOrigin(headersOf(t, tarFile), owners, originPkgs(owners), 50)
	if fmt.Sprint(groups) != fmt.Sprint(fresh) {
		t.Errorf("re-planned %v, a fresh plan %v", groups, fresh)
	}
}
