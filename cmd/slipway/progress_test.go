package main

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/slipway-build/slipway/builder"
	"github.com/slipway-build/slipway/manifests"
)

// TestPlainProgress: without a terminal, a build's events from several
// goroutines give one line per stage and architecture (metadata, fetched
// with the count and size, layers written) and one per pushed repository,
// whole lines only; --quiet gives none.
func TestPlainProgress(t *testing.T) {
	t.Parallel()
	for _, quiet := range []bool{false, true} {
		var buf bytes.Buffer
		g := &globals{Stderr: &buf, Quiet: quiet, Log: slog.New(slog.DiscardHandler), Getenv: func(string) string { return "" }}
		p := newProgress(context.Background(), g)
		ev, push := p.builderProgress(), p.pushProgress()
		if quiet {
			if ev != nil || push != nil {
				t.Error("--quiet gave progress callbacks")
			}
			continue
		}
		var wg sync.WaitGroup
		for _, arch := range []string{"x86_64", "aarch64"} {
			wg.Go(func() {
				ev(builder.ProgressEvent{Arch: arch, Stage: builder.StageMetadata})
				ev(builder.ProgressEvent{Arch: arch, Stage: builder.StageFetch, Total: 3, TotalBytes: 3 << 20})
				for i := range 3 {
					ev(builder.ProgressEvent{Arch: arch, Stage: builder.StageFetch, Done: int64(i + 1), Total: 3, Bytes: int64(i+1) << 20, TotalBytes: 3 << 20})
				}
				ev(builder.ProgressEvent{Arch: arch, Stage: builder.StageRead, Total: 3})
				for i := range 5 {
					ev(builder.ProgressEvent{Arch: arch, Stage: builder.StageLayer, Bytes: int64(i) << 20, Item: "img"})
				}
				ev(builder.ProgressEvent{Arch: arch, Stage: builder.StageDone, Total: 2, Bytes: 2 << 20})
			})
		}
		wg.Wait()
		for i := range 4 {
			push("reg.example/img", int64(i)<<20, 3<<20) // no line: the push may still fail
		}
		p.Close()
		p.pushedRepos([]manifests.RepoPush{{Repository: "reg.example/img", UploadedBytes: 1 << 20, SkippedBytes: 2 << 20}})
		got := strings.Split(strings.TrimSpace(buf.String()), "\n")
		slices.Sort(got)
		want := []string{
			"aarch64: 2 layers written (2.0 MiB)",
			"aarch64: fetched 3 packages (3.0 MiB)",
			"aarch64: loading repository metadata",
			"pushed reg.example/img (3.0 MiB)",
			"x86_64: 2 layers written (2.0 MiB)",
			"x86_64: fetched 3 packages (3.0 MiB)",
			"x86_64: loading repository metadata",
		}
		if !slices.Equal(got, want) {
			t.Errorf("progress lines:\n%s\nwant (in any order):\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	var nilp *progress
	nilp.Close()
	if nilp.builderProgress() != nil {
		t.Error("a nil progress gave a callback")
	}
}
