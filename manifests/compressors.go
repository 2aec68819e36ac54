package manifests

import (
	"sync"

	"github.com/klauspost/pgzip"
)

// Compressors keeps the gzip compressors of the layers written with it
// (LayerOptions.Reuse) for the next ones: a build that writes many layers
// (layers.strategy = origin: up to 50) then allocates a few compressors'
// buffers, not one set per layer. A compressor is reset before each use;
// the bytes are those of a new one. Safe for concurrent use; the zero
// value is ready.
type Compressors struct {
	mu   sync.Mutex
	gzip map[int][]*pgzip.Writer // by level
}

// getGzip returns a kept gzip compressor of level, nil when there is none.
func (c *Compressors) getGzip(level int) *pgzip.Writer {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	ws := c.gzip[level]
	if len(ws) == 0 {
		return nil
	}
	w := ws[len(ws)-1]
	c.gzip[level] = ws[:len(ws)-1]
	return w
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
