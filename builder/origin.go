package builder

import (
	"archive/tar"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/layers/rootfs"
	"github.com/slipway-build/slipway/layers/split"
	"github.com/slipway-build/slipway/manifests"
)

// originLayers writes t's tree as the layers of the origin strategy
// (split.PlanOriginWith): one per group of source packages, bottom
// first, and the metadata layer on top. The plan is made from the tree's
// layout (its entries' headers and owners) before any content is read;
// each layer's tar is then written straight from the tree
// (rootfs.Layout.WriteEntries), with no tar of the whole tree in
// between. With keepTar, the whole tree's tar is written to tarPath too
// (the tree below a shared-base level).
func originLayers(ctx context.Context, cfg *config.Config, arch string, t *tree, opts BuildOptions, lopts manifests.LayerOptions, keepTar bool) (hist []manifests.HistoryLayer, tarPath string, report *rootfs.Report, err error) {
	lay, err := t.w.Layout(ctx)
	if err != nil {
		return nil, "", nil, fmt.Errorf("writing the tree: %w", err)
	}
	pkgs := make([]split.OriginPackage, len(t.pkgs))
	for i, p := range t.pkgs {
		pkgs[i] = split.OriginPackage{NEVRA: p.NEVRA.String(), Name: p.NEVRA.Name}
		if i < len(t.meta) {
			pkgs[i].Source = t.meta[i].SourceRPM
		}
	}
	hs := make([]*tar.Header, len(lay.Entries))
	for i, e := range lay.Entries {
		hs[i] = e.Header
	}
	groups, replanned := split.PlanOriginWith(hs, lay.Report.Owners, pkgs, cfg.Layers.Max, opts.Previous[arch])
	if replanned != "" {
		opts.log().Warn("the previous image's layer plan was not kept", "arch", arch, "why", replanned)
	}
	// The entries of each layer, in the tree's order.
	idx := make([][]int, len(groups))
	for i, gs := range split.Holders(groups, hs) {
		for _, g := range gs {
			idx[g] = append(idx[g], i)
		}
	}
	var tf *os.File
	if keepTar {
		if tf, err = os.CreateTemp(opts.WorkDir, "tree-"+arch+"-*.tar"); err != nil {
			return nil, "", nil, err
		}
		defer tf.Close()
		tarPath = tf.Name()
	}
	layers, err := writeOriginLayers(ctx, opts.WorkDir, lopts, lay, groups, idx, tf)
	if err == nil && tf != nil {
		err = tf.Close()
	}
	if err != nil {
		for _, l := range layers {
			if l != nil {
				l.Remove()
			}
		}
		return nil, tarPath, nil, err
	}
	hist = make([]manifests.HistoryLayer, len(groups))
	for i, g := range groups {
		h := manifests.HistoryLayer{Layer: layers[i], CreatedBy: "slipway build"}
		if g.Packages == nil {
			h.Comment = fmt.Sprintf("metadata of %d packages", len(t.pkgs))
			h.Annotations = map[string]string{manifests.LayerMetadataAnnotation: "true"}
		} else {
			h.Comment = fmt.Sprintf("%d packages of %s", len(g.Packages), strings.Join(g.Sources, ", "))
			h.Annotations = map[string]string{
				manifests.LayerPackagesAnnotation: strings.Join(g.Packages, ","),
				manifests.LayerSourcesAnnotation:  strings.Join(g.Sources, ","),
			}
		}
		hist[i] = h
	}
	opts.log().Debug("origin layers", "arch", arch, "layers", len(hist), "max", cfg.Layers.Max)
	return hist, tarPath, lay.Report, nil
}

// writeOriginLayers writes the layer of each group (its entries idx[i])
// and, when tf is set, the whole tree's tar to tf. GOMAXPROCS layers are
// written at once, the biggest first, each compressed at concurrency 1
// (manifests.WriteLayer compresses its blocks in the background; the
// bytes do not depend on the concurrency), and a layer reuses the
// compressor of one written before it: the cores stay busy, and the
// compressors' buffers are allocated for a few layers, not for each of
// up to 50 (measured: that allocation, page faults on fresh memory, cost
// more CPU than writing the tree). The layers are returned by group,
// those written when one failed too.
func writeOriginLayers(ctx context.Context, dir string, lopts manifests.LayerOptions, lay *rootfs.Layout, groups []split.Group, idx [][]int, tf *os.File) ([]*manifests.Layer, error) {
	lopts.Concurrency = 1
	lopts.Reuse = &manifests.Compressors{}
	jobs := len(groups)
	if tf != nil {
		jobs++ // the last job: the whole tree
	}
	size := func(j int) int64 {
		if j == len(groups) {
			return lay.Report.Bytes
		}
		var n int64
		for _, k := range idx[j] {
			n += lay.Entries[k].Header.Size
		}
		return n
	}
	order := make([]int, jobs)
	sizes := make([]int64, jobs)
	for j := range order {
		order[j], sizes[j] = j, size(j)
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(sizes[b], sizes[a]) })

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	layers := make([]*manifests.Layer, len(groups))
	errs := make([]error, jobs)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), jobs) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				if j == len(groups) {
					if err := lay.WriteEntries(ctx, tf, allEntries(len(lay.Entries))); err != nil {
						errs[j] = fmt.Errorf("writing the tree: %w", err)
						cancel()
					}
					continue
				}
				l, err := manifests.WriteLayer(ctx, dir, lopts, func(w io.Writer) error {
					return lay.WriteEntries(ctx, w, idx[j])
				})
				if err != nil {
					errs[j] = fmt.Errorf("writing the layer of %s: %w", originName(groups[j]), err)
					cancel()
					continue
				}
				layers[j] = l
			}
		}()
	}
	for _, j := range order {
		if ctx.Err() != nil {
			break
		}
		next <- j
	}
	close(next)
	wg.Wait()
	// The error that stopped the others first.
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return layers, err
		}
	}
	for _, err := range errs {
		if err != nil {
			return layers, err
		}
	}
	if err := ctx.Err(); err != nil {
		return layers, err
	}
	return layers, nil
}

func allEntries(n int) []int {
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	return all
}

func originName(g split.Group) string {
	if g.Packages == nil {
		return "the metadata layer"
	}
	return strings.Join(g.Sources, ", ")
}
