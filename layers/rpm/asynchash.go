package rpm

import (
	"hash"
	"sync"
)

// asyncHash hashes on another goroutine what is written to it, so that
// hashing the compressed payload runs beside decompression and the file
// digests instead of after them. Writes copy into a few fixed buffers.
type asyncHash struct {
	h    hash.Hash
	work chan []byte
	free chan []byte
	done chan struct{}
	once sync.Once
	all  [][]byte // every buffer, to hand back for reuse after stop
}

// newAsyncHash starts hashing; bufs, if it holds nbuf buffers from an
// earlier asyncHash, is reused.
func newAsyncHash(h hash.Hash, bufs [][]byte) *asyncHash {
	const nbuf, size = 4, 64 << 10
	a := &asyncHash{h: h, work: make(chan []byte, nbuf), free: make(chan []byte, nbuf), done: make(chan struct{})}
	if len(bufs) != nbuf {
		bufs = make([][]byte, nbuf)
		for i := range bufs {
			bufs[i] = make([]byte, size)
		}
	}
	a.all = bufs
	for _, b := range bufs {
		a.free <- b
	}
	go func() {
		defer close(a.done)
		for b := range a.work {
			a.h.Write(b)
			a.free <- b[:cap(b)]
		}
	}()
	return a
}

func (a *asyncHash) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		b := <-a.free
		k := copy(b, p)
		a.work <- b[:k]
		p = p[k:]
	}
	return n, nil
}

// stop ends the goroutine; Sum may be called after it.
func (a *asyncHash) stop() {
	a.once.Do(func() { close(a.work) })
	<-a.done
}

// Sum waits for the data written so far to be hashed and returns the sum.
// No Write may follow.
func (a *asyncHash) Sum() []byte {
	a.stop()
	return a.h.Sum(nil)
}
