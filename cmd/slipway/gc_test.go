package main

import (
	"runtime/debug"
	"testing"
)

// TestRelaxGCOverlapping: commands that relax the collector overlap in one
// process (tests run them concurrently); the loosest setting holds while
// any runs, and the process gets its own back when the last is done. Not
// parallel: the settings are the process's.
func TestRelaxGCOverlapping(t *testing.T) {
	const mine, myLimit = 137, int64(3 << 30)
	oldPercent := debug.SetGCPercent(mine)
	oldLimit := debug.SetMemoryLimit(myLimit)
	defer func() {
		debug.SetGCPercent(oldPercent)
		debug.SetMemoryLimit(oldLimit)
	}()
	g := &globals{Getenv: func(string) string { return "" }}
	percent := func() int { p := debug.SetGCPercent(-1); debug.SetGCPercent(p); return p }

	endRpminfo := relaxGC(g, 400)
	if got := percent(); got != 400 {
		t.Errorf("rpminfo alone: GOGC %d, want 400", got)
	}
	if got := debug.SetMemoryLimit(-1); got != gcMemoryLimit {
		t.Errorf("memory limit while relaxed: %d, want %d", got, gcMemoryLimit)
	}
	endResolve := relaxGC(g, -1)
	if got := percent(); got != -1 {
		t.Errorf("rpminfo and resolve: GOGC %d, want off", got)
	}
	endRpminfo()
	if got := percent(); got != -1 {
		t.Errorf("resolve still running: GOGC %d, want off", got)
	}
	endResolve()
	if got := percent(); got != mine {
		t.Errorf("after both: GOGC %d, want %d", got, mine)
	}
	if got := debug.SetMemoryLimit(-1); got != myLimit {
		t.Errorf("after both: memory limit %d, want %d", got, myLimit)
	}

	g.Getenv = func(k string) string {
		if k == "GOGC" {
			return "50"
		}
		return ""
	}
	relaxGC(g, -1)()
	if got := percent(); got != mine {
		t.Errorf("with GOGC set: GOGC %d, want %d untouched", got, mine)
	}
}
