package builder

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
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
	if tarPath, report, err = t.writeTar(ctx, opts.WorkDir, arch); err != nil {
		return nil, tarPath, nil, err
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
	// One pass over the tree's tar routes each entry to its layers; each
	// layer's compressor compresses its blocks in the background, on one
	// core (the bytes do not depend on the concurrency), so the layers
	// compress side by side and the Go scheduler keeps at most GOMAXPROCS
	// of them busy.
	lopts.Concurrency = 1
	hist = make([]manifests.HistoryLayer, len(groups))
	errs := make([]error, len(groups))
	outs := make([]chan io.Writer, len(groups))
	done := make([]chan error, len(groups))
	var wg sync.WaitGroup
	for i, g := range groups {
		outs[i] = make(chan io.Writer, 1)
		done[i] = make(chan error, 1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			called := false
			layer, err := manifests.WriteLayer(ctx, opts.WorkDir, lopts, func(w io.Writer) error {
				called = true
				outs[i] <- w
				return <-done[i]
			})
			if !called {
				outs[i] <- nil
			}
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
	ws := make([]io.Writer, len(groups))
	ready := true
	for i := range outs {
		ws[i] = <-outs[i]
		ready = ready && ws[i] != nil
	}
	var werr error
	if ready {
		werr = split.WriteAll(ctx, tarPath, groups, ws)
	} else {
		werr = errNotStarted
	}
	for i := range done {
		if ws[i] != nil {
			done[i] <- werr
		}
	}
	wg.Wait()
	if !ready {
		// The layers that did not start say why first.
		slices.SortStableFunc(errs, func(a, b error) int {
			return cmp.Compare(boolInt(errors.Is(a, errNotStarted)), boolInt(errors.Is(b, errNotStarted)))
		})
	}
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

// errNotStarted ends the layers that started when another did not.
var errNotStarted = errors.New("another layer did not start")

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
