package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/slipway-build/slipway/builder"
	"github.com/slipway-build/slipway/manifests"
)

// progress shows a build's and a push's progress: bars on stderr when it
// is a terminal (per architecture: metadata, packages and bytes fetched,
// layer bytes written; per repository: bytes pushed); otherwise (CI, a
// pipe, a file) a handful of plain lines on stderr, with no control
// characters — per architecture when metadata loading starts, when the
// packages are fetched and when the layers are written, and per
// repository when the push is done; nothing with --quiet. A nil
// *progress does nothing.
type progress struct {
	plain io.Writer     // stderr, when not a terminal
	bars  *mpb.Progress // nil when not a terminal
	stop  context.CancelFunc

	once    sync.Once
	mu      sync.Mutex
	current map[string]*mpb.Bar      // arch or "push:"+repository -> its live bar
	stage   map[string]string        // arch -> stage and item of its live bar
	fetched map[string]*atomic.Int64 // arch -> bytes fetched, shown by its fetch bar
	all     []*mpb.Bar
}

// isTerminal says whether w is a terminal; TERM=dumb counts as not.
func isTerminal(g *globals, w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd())) && g.Getenv("TERM") != "dumb"
}

func newProgress(ctx context.Context, g *globals) *progress {
	if g.Quiet {
		return nil
	}
	p := &progress{plain: g.Stderr, current: map[string]*mpb.Bar{}, stage: map[string]string{},
		fetched: map[string]*atomic.Int64{}}
	if isTerminal(g, g.Stderr) {
		ctx, cancel := context.WithCancel(ctx)
		p.stop = cancel
		p.plain = nil
		p.bars = mpb.NewWithContext(ctx, mpb.WithOutput(g.Stderr), mpb.WithWidth(32),
			mpb.WithRefreshRate(120*time.Millisecond), mpb.WithAutoRefresh())
	}
	return p
}

// builderProgress is the callback for builder.BuildOptions.Progress.
func (p *progress) builderProgress() func(builder.ProgressEvent) {
	if p == nil {
		return nil
	}
	return p.event
}

// pushProgress is the callback for manifests.PushOptions.Progress.
func (p *progress) pushProgress() func(string, int64, int64) {
	if p == nil {
		return nil
	}
	return p.push
}

func (p *progress) event(e builder.ProgressEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	key := e.Stage // a base's layer and the image's are two bars
	if e.Stage == builder.StageLayer {
		key += "\x00" + e.Item
	}
	starts := p.stage[e.Arch] != key || (e.Stage == builder.StageFetch && e.Done == 0)
	if starts {
		p.stage[e.Arch] = key
	}
	if p.bars == nil {
		p.line(e)
		return
	}
	bar := p.current[e.Arch]
	if e.Stage == builder.StageDone { // no bar of its own
		if bar != nil {
			bar.SetTotal(-1, true)
		}
		delete(p.current, e.Arch)
		return
	}
	if starts || bar == nil {
		if bar != nil {
			bar.SetTotal(-1, true)
		}
		bar = p.newBar(e)
		p.current[e.Arch] = bar
	}
	switch e.Stage {
	case builder.StageFetch:
		p.fetched[e.Arch].Store(e.Bytes)
		bar.SetTotal(e.Total, false)
		bar.SetCurrent(e.Done)
		if e.Done == e.Total {
			bar.SetTotal(-1, true)
		}
	case builder.StageLayer:
		bar.SetCurrent(e.Bytes)
	}
}

// line prints the plain line of an event that ends (or, for metadata,
// starts) a stage; other events print nothing.
func (p *progress) line(e builder.ProgressEvent) {
	switch e.Stage {
	case builder.StageMetadata:
		fmt.Fprintf(p.plain, "%s: loading repository metadata\n", e.Arch)
	case builder.StageFetch:
		if e.Done == e.Total {
			fmt.Fprintf(p.plain, "%s: fetched %d packages (%s)\n", e.Arch, e.Total, humanBytes(e.TotalBytes))
		}
	case builder.StageDone:
		s := "s"
		if e.Total == 1 {
			s = ""
		}
		fmt.Fprintf(p.plain, "%s: %d layer%s written (%s)\n", e.Arch, e.Total, s, humanBytes(e.Bytes))
	}
}

func (p *progress) newBar(e builder.ProgressEvent) *mpb.Bar {
	label := fmt.Sprintf("%-8s %-9s", e.Arch, e.Stage)
	var bar *mpb.Bar
	switch e.Stage {
	case builder.StageFetch:
		total := e.TotalBytes
		bytes := &atomic.Int64{}
		p.fetched[e.Arch] = bytes
		bar = p.bars.AddBar(e.Total,
			mpb.PrependDecorators(decor.Name(label), decor.CountersNoUnit("%d/%d packages")),
			mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
				return fmt.Sprintf("%s of %s", humanBytes(bytes.Load()), humanBytes(total))
			})))
	case builder.StageLayer:
		bar = p.bars.AddSpinner(0,
			mpb.PrependDecorators(decor.Name(label), decor.Name(e.Item+" ")),
			mpb.AppendDecorators(decor.CurrentKibiByte("% .1f")))
	default:
		bar = p.bars.AddSpinner(0, mpb.PrependDecorators(decor.Name(label)),
			mpb.BarFillerClearOnComplete(), mpb.BarRemoveOnComplete())
	}
	p.all = append(p.all, bar)
	return bar
}

func (p *progress) push(repo string, complete, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bars == nil {
		return // the plain line comes from pushedRepos, once the push succeeded
	}
	key := "push:" + repo
	bar := p.current[key]
	if bar == nil {
		bar = p.bars.AddBar(total,
			mpb.PrependDecorators(decor.Name(fmt.Sprintf("%-8s %s ", "push", repo))),
			mpb.AppendDecorators(decor.CountersKibiByte("% .1f / % .1f")))
		p.current[key] = bar
		p.all = append(p.all, bar)
	}
	bar.SetTotal(total, false)
	bar.SetCurrent(complete)
}

// pushedRepos prints, without a terminal, "pushed REPO (SIZE)" for each
// repository of a push that succeeded (SIZE: its blobs, uploaded or
// already there). A push that fails prints none: the error is the only
// line (the progress callback cannot tell the end of the blobs from the
// end of the push).
func (p *progress) pushedRepos(repos []manifests.RepoPush) {
	if p == nil || p.plain == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, r := range repos {
		fmt.Fprintf(p.plain, "pushed %s (%s)\n", r.Repository, humanBytes(r.UploadedBytes+r.SkippedBytes))
	}
}

// Close ends the display: finished bars stay, unfinished ones stop where
// they are. Call it before printing the result; more calls do nothing.
func (p *progress) Close() {
	if p == nil || p.bars == nil {
		return
	}
	p.once.Do(func() {
		p.mu.Lock()
		for _, b := range p.all {
			if !b.Completed() {
				b.Abort(false)
			}
		}
		p.mu.Unlock()
		p.bars.Wait()
		p.stop()
	})
}
