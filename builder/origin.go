package builder

import (
	"archive/tar"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
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
// entries before any content is read, and the tree is written once,
// each entry straight to the tars of the layers holding it; the layers
// compress side by side. With keepTar the whole tree's tar is written
// to tarPath in the same pass (the tree below a shared-base level).
func originLayers(ctx context.Context, cfg *config.Config, arch string, t *tree, opts BuildOptions, lopts manifests.LayerOptions, keepTar bool) (hist []manifests.HistoryLayer, tarPath string, report *rootfs.Report, err error) {
	pkgs := make([]split.OriginPackage, len(t.pkgs))
	for i, p := range t.pkgs {
		pkgs[i] = split.OriginPackage{NEVRA: p.NEVRA.String(), Name: p.NEVRA.Name}
		if i < len(t.meta) {
			pkgs[i].Source = t.meta[i].SourceRPM
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
	// Each layer's compressor (manifests.WriteLayer at concurrency 1)
	// compresses its blocks in the background, on one core (the bytes do
	// not depend on the concurrency), so the layers compress side by side
	// and the Go scheduler keeps at most GOMAXPROCS of them busy.
	lopts.Concurrency = 1
	var (
		groups []split.Group
		pl     *parallelLayers
	)
	report, err = t.w.WriteTars(ctx, func(entries []rootfs.TarEntry) (rootfs.Route, error) {
		hs := make([]*tar.Header, len(entries))
		owners := make(map[string]string, len(entries))
		for i, e := range entries {
			hs[i] = e.Header
			owners[strings.TrimSuffix(e.Header.Name, "/")] = e.Owner
		}
		var replanned string
		groups, replanned = split.PlanOriginWith(hs, owners, pkgs, cfg.Layers.Max, opts.Previous[arch])
		if replanned != "" {
			opts.log().Warn("the previous image's layer plan was not kept", "arch", arch, "why", replanned)
		}
		names := make([]string, len(groups))
		for i, g := range groups {
			names[i] = originName(g)
		}
		pl = startLayers(ctx, opts.WorkDir, lopts, names)
		ws, err := pl.writers()
		if err != nil {
			return rootfs.Route{}, err
		}
		to := split.Holders(groups, hs)
		if tf != nil {
			ws = append(ws, tf)
			for i := range to {
				to[i] = append(slices.Clip(to[i]), len(groups))
			}
		}
		return rootfs.Route{Outs: ws, To: to}, nil
	})
	if err != nil {
		err = fmt.Errorf("writing the tree: %w", err)
	}
	var layers []*manifests.Layer
	if pl != nil {
		var lerr error
		layers, lerr = pl.finish(err)
		err = cmp.Or(lerr, err)
	}
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
	return hist, tarPath, report, nil
}

func originName(g split.Group) string {
	if g.Packages == nil {
		return "the metadata layer"
	}
	return strings.Join(g.Sources, ", ")
}

// parallelLayers writes several layers at once: each
// manifests.WriteLayer runs in a goroutine of its own, and its tar
// writer is handed to whoever writes the tars (writers); finish ends
// them all.
type parallelLayers struct {
	names  []string
	outs   []chan io.Writer // each layer's tar writer, nil when it did not start
	done   []chan error     // what the tar writing ended with
	ws     []io.Writer
	layers []*manifests.Layer
	errs   []error
	wg     sync.WaitGroup
}

// startLayers starts one manifests.WriteLayer per name (names say which
// layer an error is about).
func startLayers(ctx context.Context, dir string, lopts manifests.LayerOptions, names []string) *parallelLayers {
	n := len(names)
	p := &parallelLayers{names: names, outs: make([]chan io.Writer, n), done: make([]chan error, n),
		layers: make([]*manifests.Layer, n), errs: make([]error, n)}
	for i := range names {
		p.outs[i] = make(chan io.Writer, 1)
		p.done[i] = make(chan error, 1)
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			called := false
			layer, err := manifests.WriteLayer(ctx, dir, lopts, func(w io.Writer) error {
				called = true
				p.outs[i] <- w
				return <-p.done[i]
			})
			if !called {
				p.outs[i] <- nil
			}
			if err != nil {
				p.errs[i] = fmt.Errorf("writing the layer of %s: %w", names[i], err)
				return
			}
			p.layers[i] = layer
		}()
	}
	return p
}

// writers waits for every layer's tar writer; when one did not start,
// the error says why (finish gives it too).
func (p *parallelLayers) writers() ([]io.Writer, error) {
	p.ws = make([]io.Writer, len(p.outs))
	ready := true
	for i := range p.outs {
		p.ws[i] = <-p.outs[i]
		ready = ready && p.ws[i] != nil
	}
	if !ready {
		return nil, errNotStarted
	}
	return slices.Clone(p.ws), nil
}

// finish ends the layers, the tars having been written with werr, and
// returns them (those written, when one failed) and the first error
// of a layer.
func (p *parallelLayers) finish(werr error) ([]*manifests.Layer, error) {
	if p.ws == nil {
		if _, err := p.writers(); err != nil && werr == nil {
			werr = err
		}
	}
	ready := true
	for i, w := range p.ws {
		if w != nil {
			p.done[i] <- werr
		} else {
			ready = false
		}
	}
	p.wg.Wait()
	errs := slices.Clone(p.errs)
	if !ready {
		// The layers that did not start say why first.
		slices.SortStableFunc(errs, func(a, b error) int {
			return cmp.Compare(boolInt(errors.Is(a, errNotStarted)), boolInt(errors.Is(b, errNotStarted)))
		})
	}
	for _, err := range errs {
		if err != nil {
			return p.layers, err
		}
	}
	return p.layers, nil
}

// errNotStarted ends the layers that started when another did not.
var errNotStarted = errors.New("another layer did not start")

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
