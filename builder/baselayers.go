package builder

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/layers/rootfs"
	"github.com/slipway-build/slipway/manifests"
)

// checkBaseConfig refuses scriptlets = "run" and the layer strategies a build on an [image]
// base cannot follow. shared-base takes its lower layers from the tree of
// the configuration cfg extends, built from scratch; on a base image the
// lower layers are the base's, which no configuration of this build
// describes, so there is no tree to write the difference over.
// layers.max without origin splits one tree by package size with the
// generated files in the top layer; over a base, origin (the added
// packages by source, the metadata on top) is the way to split.
func checkBaseConfig(cfg *config.Config) error {
	switch {
	case cfg.Packages.Scriptlets == config.ScriptletsRun:
		// Running them would need the base's whole tree (its shell and
		// tools) written out of its layers onto the host for the
		// sandbox; the emulations read only the base files they need.
		return errors.New(`[image] base: scriptlets = "run" does not apply to a build on a base image ` +
			`(the scriptlets would run in the base's tree, whose layers slipway does not extract); use scriptlets = "emulate"`)
	case cfg.Layers.Strategy == config.LayersSharedBase:
		return fmt.Errorf(`[image] base: layers.strategy = "shared-base" does not apply to a build on a base image: its lower layers are the base's, not those of a configuration it extends`)
	case cfg.Layers.Max > 1 && cfg.Layers.Strategy != config.LayersOrigin:
		return fmt.Errorf(`[image] base: layers.max = %d splits a tree built from scratch; over a base image use layers.strategy = "origin" to group the added packages into layers`, cfg.Layers.Max)
	}
	return nil
}

// baseLayers writes the layers a build adds over its base image from t's
// tree (the added packages, the package database, accounts, ld.so.cache
// and the whiteouts of base paths): one layer with comment as its
// history, or with layers.strategy = "origin" the added packages grouped
// by source RPM, bottom first, and the metadata layer on top, as
// originLayers writes them over scratch.
func baseLayers(ctx context.Context, cfg *config.Config, arch string, t *tree, comment string, opts BuildOptions) ([]manifests.HistoryLayer, *rootfs.Report, error) {
	lopts := manifests.LayerOptions{Compression: opts.Compression}
	if cfg.Layers.Strategy == config.LayersOrigin {
		hist, _, report, err := originLayers(ctx, cfg, arch, t, opts, lopts, false)
		if err != nil {
			return nil, nil, fmt.Errorf("writing the layers over the base: %w", err)
		}
		return hist, report, nil
	}
	var report *rootfs.Report
	layer, err := manifests.WriteLayer(ctx, opts.WorkDir, lopts, func(out io.Writer) error {
		var err error
		report, err = t.w.WriteTar(ctx, &countingWriter{w: out, report: func(n int64) {
			opts.progress(ProgressEvent{Arch: arch, Stage: StageLayer, Bytes: n, Item: cfg.Image.Name})
		}})
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("writing the layer over the base: %w", err)
	}
	return []manifests.HistoryLayer{{Layer: layer, CreatedBy: "slipway build", Comment: comment}}, report, nil
}
