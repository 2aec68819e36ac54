package split

import (
	"archive/tar"
	"cmp"
	"hash/fnv"
	"path"
	"slices"
	"strings"
)

// The origin strategy: packages grouped by source RPM (a source's
// subpackages together), the groups packed into at most max-1 layers
// with the biggest groups alone at the bottom, and one metadata layer on
// top holding everything no package ships as such — the rpm database,
// accounts, ld.so.cache, extracted bundles, scriptlet outputs, implied
// folders, added files. A package layer holds its packages' entries and
// the parent folders packages ship (never an implied or generated one),
// so its bytes depend only on its packages (and their parent folders'
// owners), not on which other packages are installed or on the build
// time. The caller records each layer's Packages and Sources in the
// manifest (manifests.LayerPackagesAnnotation, LayerSourcesAnnotation):
// the plan a later build keeps (PlanOriginWith).

// OriginPackage is one installed package of an origin plan.
type OriginPackage struct {
	NEVRA  string
	Name   string
	Source string // the source RPM file name (SOURCERPM), "" when unknown
}

// SourceName is the name of a source RPM file ("glibc-2.38-1.azl3.src.rpm"
// -> "glibc"); fallback when file has no name-version-release shape.
func SourceName(file, fallback string) string {
	s := strings.TrimSuffix(strings.TrimSuffix(file, ".rpm"), ".src")
	s = strings.TrimSuffix(s, ".nosrc")
	for range 2 {
		i := strings.LastIndexByte(s, '-')
		if i <= 0 {
			return fallback
		}
		s = s[:i]
	}
	return s
}

// originGroup is the packages of one source.
type originGroup struct {
	source string
	pkgs   []string // NEVRAs, sorted
	bytes  int64
}

// PlanOrigin groups the tar entries hs (owners from the tree's
// report: tar name -> NEVRA or a "(...)" pseudo-owner) by source package
// into at most max layers, the last one the metadata layer (Pkg "",
// Packages nil). With more sources than max-1 layers, the biggest get a
// layer each and the rest are spread over a quarter of the budget by a
// hash of the source name, so that a source added or removed moves no
// other. The plan is a pure function of the package set and the tree.
func PlanOrigin(hs []*tar.Header, owners map[string]string, pkgs []OriginPackage, max int) []Group {
	entries, byName := splitEntriesOf(hs)
	sourceOf := map[string]string{}
	bySource := map[string]*originGroup{}
	for _, p := range pkgs {
		s := SourceName(p.Source, p.Name)
		sourceOf[p.NEVRA] = s
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
	groups := make([]*originGroup, 0, len(bySource))
	for _, g := range bySource {
		slices.Sort(g.pkgs)
		groups = append(groups, g)
	}
	slices.SortFunc(groups, func(a, b *originGroup) int {
		return cmp.Or(cmp.Compare(b.bytes, a.bytes), strings.Compare(a.source, b.source))
	})
	layers := packLayers(groups, max)
	return assignEntries(entries, byName, owners, sourceOf, layers)
}

// packLayers packs groups (biggest first) into at most max-1 layers of
// sources, bottom first.
func packLayers(groups []*originGroup, max int) [][]*originGroup {
	n := max - 1
	if n < 1 {
		n = 1
	}
	if len(groups) <= n {
		out := make([][]*originGroup, len(groups))
		for i, g := range groups {
			out[i] = []*originGroup{g}
		}
		return out
	}
	bins := n / 4
	if bins < 1 {
		bins = 1
	}
	solo := n - bins
	out := make([][]*originGroup, 0, n)
	for _, g := range groups[:solo] {
		out = append(out, []*originGroup{g})
	}
	binned := make([][]*originGroup, bins)
	for _, g := range groups[solo:] {
		h := fnv.New32a()
		h.Write([]byte(g.source))
		b := int(h.Sum32() % uint32(bins))
		binned[b] = append(binned[b], g)
	}
	for _, b := range binned {
		if len(b) > 0 {
			slices.SortFunc(b, func(x, y *originGroup) int { return strings.Compare(x.source, y.source) })
			out = append(out, b)
		}
	}
	return out
}

// assignEntries turns layers of sources into groups of entries, with the
// metadata layer on top.
func assignEntries(entries []*splitEntry, byName map[string]*splitEntry, owners map[string]string, sourceOf map[string]string, layers [][]*originGroup) []Group {
	layerOfSource := map[string]int{}
	groups := make([]Group, 0, len(layers)+1)
	for i, l := range layers {
		g := Group{Paths: map[string]bool{}}
		var srcs []string
		for _, og := range l {
			layerOfSource[og.source] = i
			g.Packages = append(g.Packages, og.pkgs...)
			g.Bytes += og.bytes
			srcs = append(srcs, og.source)
		}
		slices.Sort(g.Packages)
		g.Sources = srcs
		if len(g.Packages) == 1 {
			g.Pkg = g.Packages[0]
		} else {
			g.Pkg = strings.Join(srcs, ",")
		}
		groups = append(groups, g)
	}
	top := len(groups)
	groups = append(groups, Group{Paths: map[string]bool{}})
	index := map[string]int{}
	own := make([]int, len(entries))
	for i, e := range entries {
		index[e.name] = i
		own[i] = top
		if s, ok := sourceOf[owners[e.name]]; ok {
			own[i] = layerOfSource[s]
		}
	}
	for i, e := range entries {
		if e.typ == tar.TypeLink {
			if j, ok := index[e.link]; ok {
				own[i] = own[j]
			}
		}
	}
	for i, e := range entries {
		groups[own[i]].Paths[e.name] = true
		if own[i] == top {
			continue
		}
		// Parent folders a package ships go with the entry; implied and
		// generated ones are the metadata layer's.
		for d := path.Dir(e.name); d != "." && d != "/"; d = path.Dir(d) {
			if p, ok := byName[d]; ok && p.typ == tar.TypeDir {
				if _, pkg := sourceOf[owners[d]]; pkg {
					groups[own[i]].Paths[d] = true
				}
			}
		}
	}
	return groups
}
