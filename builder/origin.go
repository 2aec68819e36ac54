package builder

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"

	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/layers/rootfs"
	"github.com/slipway-build/slipway/layers/split"
	"github.com/slipway-build/slipway/manifests"
)

// originLayers writes t's tree as the layers of the origin strategy
// (split.PlanOrigin): one per group of source packages, bottom first,
// and the metadata layer on top. Layers compress in parallel.
func originLayers(ctx context.Context, cfg *config.Config, arch string, t *tree, opts BuildOptions, lopts manifests.LayerOptions) (hist []manifests.HistoryLayer, tarPath string, report *rootfs.Report, err error) {
	tf, err := os.CreateTemp(opts.WorkDir, "tree-"+arch+"-*.tar")
	if err != nil {
		return nil, "", nil, err
	}
	tarPath = tf.Name()
	report, err = t.w.WriteTar(ctx, tf)
	if cerr := tf.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, tarPath, nil, fmt.Errorf("writing the tree: %w", err)
	}
	pkgs := make([]split.OriginPackage, len(t.pkgs))
	for i, p := range t.pkgs {
		pkgs[i] = split.OriginPackage{NEVRA: p.NEVRA.String(), Name: p.NEVRA.Name}
		if i < len(t.meta) {
			pkgs[i].Source = t.meta[i].SourceRPM
		}
	}
	groups, replanned, err := split.PlanOriginWith(ctx, tarPath, report.Owners, pkgs, cfg.Layers.Max, opts.Previous[arch])
	if err != nil {
		return nil, tarPath, nil, fmt.Errorf("planning the layers: %w", err)
	}
	if replanned != "" {
		opts.log().Warn("the previous image's layer plan was not kept", "arch", arch, "why", replanned)
	}
	// The layers compress side by side, each on one core (the bytes do
	// not depend on the concurrency).
	lopts.Concurrency = 1
	hist = make([]manifests.HistoryLayer, len(groups))
	errs := make([]error, len(groups))
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	for i, g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			layer, err := manifests.WriteLayer(ctx, opts.WorkDir, lopts, func(w io.Writer) error {
				_, err := split.Write(ctx, tarPath, g, w)
				return err
			})
			if err != nil {
				errs[i] = fmt.Errorf("writing the layer of %s: %w", originName(g), err)
				return
			}
			h := manifests.HistoryLayer{Layer: layer, CreatedBy: "slipway build"}
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
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			for _, h := range hist {
				if h.Layer != nil {
					h.Layer.Remove()
				}
			}
			return nil, tarPath, nil, err
		}
	}
	opts.log().Debug("origin layers", "arch", arch, "layers", len(hist), "max", cfg.Layers.Max)
	return hist, tarPath, report, nil
}

func originName(g split.Group) string {
	if g.Packages == nil {
		return "the metadata layer"
	}
	return strings.Join(g.Sources, ", ")
}
