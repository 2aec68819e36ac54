package main

import (
	"runtime/debug"
	"sync"
)

// gcMemoryLimit is the heap size past which the collector runs as it
// must, whatever a command relaxed.
const gcMemoryLimit = 1 << 30

// gcTuning is the process's collector setting while commands that relax
// it run (tests run commands concurrently): the loosest percentage any
// running command asked for, and the settings to restore when the last
// one is done.
var gcTuning struct {
	sync.Mutex
	asked   map[int]int // GOGC percentage -> commands asking for it
	percent int
	limit   int64
}

// relaxGC sets GOGC to percent (-1: off), up to gcMemoryLimit, until the
// returned function is called when the command is done; restoring any
// earlier would start a collection of everything still live just before
// the process exits. A GOGC set in the environment is left alone; a lower
// GOMEMLIMIT is kept.
//
// Measured: resolve and why allocate little garbage (the decoded packages
// stay live until the answer is printed), and a warm resolve of the
// 20,000-package benchmark repository took ~70 ms of CPU at GOGC=100 and
// ~48 ms with the collector off (peak RSS of a cold one 101 -> 107 MiB).
// rpminfo keeps decompressors' windows (8 MiB for zstd) across files, and
// at GOGC=100 the first window alone set off a collection that freed
// nothing in every process of a per-file loop; 400 cut its CPU by 14 %.
func relaxGC(g *globals, percent int) (restore func()) {
	if g.Getenv("GOGC") != "" {
		return func() {}
	}
	gcTuning.Lock()
	defer gcTuning.Unlock()
	if len(gcTuning.asked) == 0 {
		gcTuning.asked = map[int]int{}
		gcTuning.limit = debug.SetMemoryLimit(-1)
		debug.SetMemoryLimit(min(gcTuning.limit, gcMemoryLimit))
		gcTuning.percent = debug.SetGCPercent(-1)
	}
	gcTuning.asked[percent]++
	applyGC()
	return func() {
		gcTuning.Lock()
		defer gcTuning.Unlock()
		if gcTuning.asked[percent]--; gcTuning.asked[percent] == 0 {
			delete(gcTuning.asked, percent)
		}
		if len(gcTuning.asked) > 0 {
			applyGC()
			return
		}
		debug.SetGCPercent(gcTuning.percent)
		debug.SetMemoryLimit(gcTuning.limit)
	}
}

// applyGC sets the loosest percentage asked for: off if any command
// asked for off. The caller holds gcTuning.
func applyGC() {
	p := 0
	for k := range gcTuning.asked {
		if k < 0 {
			p = -1
			break
		}
		p = max(p, k)
	}
	debug.SetGCPercent(p)
}
