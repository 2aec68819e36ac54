package split

import (
	"archive/tar"
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// History-aware planning: a build that knows the previous image's plan
// (the annotations of its package layers) keeps it, so that a group of
// packages that did not change is written to a layer with the same bytes,
// hence the same digest, and a client that has the previous image pulls
// only what changed:
//   - a previous layer whose sources hold exactly the packages it listed
//     is kept as it was;
//   - otherwise its unchanged sources stay together in its place and each
//     changed source gets a layer of its own above the kept ones (the
//     next update of that source then changes that layer only);
//   - a source the previous image did not have gets a layer of its own;
//   - removed sources leave their layers (an emptied layer goes).
//
// When that plan needs more than max-1 package layers, or more than half
// of the previous sources are gone, the plan has drifted too far: the
// build plans afresh (PlanOrigin) and says why.

// PrevLayer is one package layer of a previous image: the values of its
// SourceAnnotation and PackagesAnnotation, split at commas.
type PrevLayer struct {
	Sources  []string
	Packages []string // NEVRAs
}

// ParsePrevLayer reads a layer's annotations; ok is false for a layer
// that is not an origin package layer (the metadata layer, another
// strategy's layer).
func ParsePrevLayer(annotations map[string]string, sourcesKey, packagesKey string) (PrevLayer, bool) {
	s, p := annotations[sourcesKey], annotations[packagesKey]
	if s == "" || p == "" {
		return PrevLayer{}, false
	}
	return PrevLayer{Sources: strings.Split(s, ","), Packages: strings.Split(p, ",")}, true
}

// nevraName is the name of "name-[epoch:]version-release.arch".
func nevraName(n string) string {
	for range 2 {
		i := strings.LastIndexByte(n, '-')
		if i <= 0 {
			return n
		}
		n = n[:i]
	}
	return n
}

// PlanOriginWith is PlanOrigin keeping the plan of prev (the previous
// image's package layers, bottom first). replanned says why the previous
// plan was dropped ("" when it was kept, or when prev is empty).
func PlanOriginWith(hs []*tar.Header, owners map[string]string, pkgs []OriginPackage, max int, prev []PrevLayer) (groups []Group, replanned string) {
	if len(prev) == 0 {
		return PlanOrigin(hs, owners, pkgs, max), ""
	}
	entries, byName := splitEntriesOf(hs)
	sourceOf := map[string]string{}     // NEVRA -> source
	sourceOfName := map[string]string{} // package name -> source
	bySource := map[string]*originGroup{}
	for _, p := range pkgs {
		s := SourceName(p.Source, p.Name)
		sourceOf[p.NEVRA] = s
		sourceOfName[p.Name] = s
		g := bySource[s]
		if g == nil {
			g = &originGroup{source: s}
			bySource[s] = g
		}
		g.pkgs = append(g.pkgs, p.NEVRA)
	}
	for _, e := range entries {
		if s, ok := sourceOf[owners[e.name]]; ok {
			bySource[s].bytes += e.size
		}
	}
	for _, g := range bySource {
		slices.Sort(g.pkgs)
	}

	var layers [][]*originGroup
	var changed []*originGroup
	placed := map[string]bool{}
	prevSources, gone := 0, 0
	for _, l := range prev {
		var here []*originGroup
		var cur []string
		for _, s := range l.Sources {
			prevSources++
			g := bySource[s]
			if g == nil || placed[s] {
				gone++
				continue
			}
			placed[s] = true
			here = append(here, g)
			cur = append(cur, g.pkgs...)
		}
		slices.Sort(cur)
		old := slices.Sorted(slices.Values(l.Packages))
		if len(here) > 0 && slices.Equal(cur, old) {
			layers = append(layers, here) // unchanged: the same bytes
			continue
		}
		// The packages each source had: those of the layer whose name
		// the source still ships.
		var kept []*originGroup
		for _, g := range here {
			var had []string
			for _, p := range l.Packages {
				if sourceOfName[nevraName(p)] == g.source {
					had = append(had, p)
				}
			}
			slices.Sort(had)
			if slices.Equal(had, g.pkgs) {
				kept = append(kept, g)
			} else {
				changed = append(changed, g)
			}
		}
		if len(kept) > 0 {
			layers = append(layers, kept)
		}
	}
	slices.SortFunc(changed, func(a, b *originGroup) int { return strings.Compare(a.source, b.source) })
	for _, g := range changed {
		layers = append(layers, []*originGroup{g})
	}
	var added []*originGroup
	for _, g := range bySource {
		if !placed[g.source] {
			added = append(added, g)
		}
	}
	slices.SortFunc(added, func(a, b *originGroup) int {
		return cmp.Or(cmp.Compare(b.bytes, a.bytes), strings.Compare(a.source, b.source))
	})
	for _, g := range added {
		layers = append(layers, []*originGroup{g})
	}

	switch {
	case len(layers) > max-1:
		replanned = fmt.Sprintf("keeping the previous plan takes %d package layers, over the budget of %d (layers.max %d): planned afresh", len(layers), max-1, max)
	case prevSources > 0 && gone*2 > prevSources:
		replanned = fmt.Sprintf("%d of the previous image's %d sources are gone: planned afresh", gone, prevSources)
	}
	if replanned != "" {
		return PlanOrigin(hs, owners, pkgs, max), replanned
	}
	return assignEntries(entries, byName, owners, sourceOf, layers), ""
}
