package manifests

import (
	"sync"

	"github.com/klauspost/compress/zstd"
	"github.com/klauspost/pgzip"
)

// Compressors keeps the compressors of the layers written with it
// (LayerOptions.Reuse) for the next ones: gzip compressors with their
// blocks, zstd encoders and the zstd layers' frame buffers (8 MiB of
// input each). A build that writes many layers (layers.strategy =
// origin: up to 50) then allocates a few compressors' buffers, not one
// set per layer. A compressor is reset before each use; the bytes are
// those of a new one. Safe for concurrent use; the zero value is ready.
type Compressors struct {
	mu     sync.Mutex
	gzip   map[int][]*pgzip.Writer // by level
	zstd   map[zstdKey][]*zstd.Encoder
	frames []*frameJob
}

// zstdKey is what a zstd encoder was made with.
type zstdKey struct {
	level zstd.EncoderLevel
	n     int // concurrency
}

// maxKeptFrames bounds the zstd frame buffers kept (12 MiB each).
const maxKeptFrames = 2*maxZstdCompressors + 2

// getGzip returns a kept gzip compressor of level, nil when there is none.
func (c *Compressors) getGzip(level int) *pgzip.Writer {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return pop(c.gzip, level)
}

// putGzip keeps a closed gzip compressor of level.
func (c *Compressors) putGzip(level int, w *pgzip.Writer) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gzip == nil {
		c.gzip = map[int][]*pgzip.Writer{}
	}
	c.gzip[level] = append(c.gzip[level], w)
}

// getZstd returns a kept zstd encoder made as k says, nil when there is
// none.
func (c *Compressors) getZstd(k zstdKey) *zstd.Encoder {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return pop(c.zstd, k)
}

// putZstd keeps a zstd encoder whose EncodeAll calls have all returned.
func (c *Compressors) putZstd(k zstdKey, enc *zstd.Encoder) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.zstd == nil {
		c.zstd = map[zstdKey][]*zstd.Encoder{}
	}
	c.zstd[k] = append(c.zstd[k], enc)
}

// getFrame returns a kept frame buffer, nil when there is none.
func (c *Compressors) getFrame() *frameJob {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.frames) == 0 {
		return nil
	}
	j := c.frames[len(c.frames)-1]
	c.frames = c.frames[:len(c.frames)-1]
	return j
}

// putFrame keeps a frame buffer no goroutine uses any more (not the
// empty frame of an empty layer).
func (c *Compressors) putFrame(j *frameJob) {
	if cap(j.in) < zstdFrameSize {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.frames) < maxKeptFrames {
		c.frames = append(c.frames, j)
	}
}

func pop[K comparable, V any](m map[K][]V, k K) V {
	var zero V
	vs := m[k]
	if len(vs) == 0 {
		return zero
	}
	v := vs[len(vs)-1]
	m[k] = vs[:len(vs)-1]
	return v
}
