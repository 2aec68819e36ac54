package rpm

import (
	"io"
)

// fetcher reads the compressed payload on a goroutine of its own, in large
// chunks, and feeds every chunk to the payload digests before handing it
// on: reading and hashing the compressed bytes run beside decompression
// (another goroutine) and the file digests (the caller's), and the bytes
// are hashed where they land, without a copy for the hash.
type fetcher struct {
	full chan chunk
	free chan []byte
	stop chan struct{}
	done chan struct{}
	size int   // of a chunk
	n    int64 // bytes read from the package; final once done is closed
	cur  chunk
	off  int
	err  error
	all  [][]byte // every buffer, to hand back for reuse after close
}

// newFetcher starts reading r in chunks of size bytes, writing what it
// reads to w (nil: count only). bufs, if it holds the buffers of an
// earlier fetcher, is reused.
func newFetcher(r io.Reader, w io.Writer, bufs [][]byte, size int) *fetcher {
	f := &fetcher{full: make(chan chunk, nbuf), free: make(chan []byte, nbuf), stop: make(chan struct{}), done: make(chan struct{}), size: size}
	f.all = ring(bufs, size)
	for _, b := range f.all {
		f.free <- b[:size]
	}
	go func() {
		defer close(f.done)
		for {
			var b []byte
			select {
			case b = <-f.free:
			case <-f.stop:
				return
			}
			n, err := io.ReadFull(r, b)
			if err == io.ErrUnexpectedEOF {
				err = io.EOF
			}
			if n > 0 {
				f.n += int64(n)
				if w != nil {
					w.Write(b[:n])
				}
			}
			select {
			case f.full <- chunk{b[:n], err}:
			case <-f.stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return f
}

// Read reads the fetched bytes in order.
func (f *fetcher) Read(p []byte) (int, error) {
	for f.off == len(f.cur.b) {
		if f.err != nil {
			return 0, f.err
		}
		if f.cur.b != nil {
			f.free <- f.cur.b[:f.size]
			f.cur.b = nil
		}
		select {
		case c := <-f.full:
			f.cur, f.off = c, 0
			if c.err != nil {
				f.err = c.err
			}
		case <-f.done:
			// Stopped, or ended with its last chunk already taken.
			select {
			case c := <-f.full:
				f.cur, f.off = c, 0
				if c.err != nil {
					f.err = c.err
				}
			default:
				if f.err == nil {
					f.err = io.ErrClosedPipe
				}
			}
		}
	}
	n := copy(p, f.cur.b[f.off:])
	f.off += n
	return n, nil
}

// nbuf is the number of buffers of the fetcher and of the readahead: one
// being filled, one being read, and slack for uneven speeds.
const nbuf = 4

// ring returns nbuf buffers of at least size bytes, bufs if they are.
func ring(bufs [][]byte, size int) [][]byte {
	if len(bufs) == nbuf && cap(bufs[0]) >= size {
		return bufs
	}
	bufs = make([][]byte, nbuf)
	for i := range bufs {
		bufs[i] = make([]byte, size)
	}
	return bufs
}

// chunkSize picks the buffer size for a stream of about n bytes: large
// buffers cut the hand-offs between goroutines on large payloads, small
// ones keep the memory a small payload touches (page faults cost more
// than hand-offs in a short-lived process) small.
func chunkSize(n int64) int {
	const lo, hi = 32 << 10, 1 << 20
	return int(min(max(n/32, lo), hi))
}

// peek returns the unread bytes of the current chunk, loading the next one
// when it is used up; it is empty at the end or after an error.
func (f *fetcher) peek() []byte {
	if f.off == len(f.cur.b) {
		f.Read(nil)
	}
	return f.cur.b[f.off:]
}

// drain reads to the end of the package, so that the digests cover every
// byte, and returns the read error, if any.
func (f *fetcher) drain() error {
	for {
		f.off = len(f.cur.b) // skip what is left of the current chunk
		if _, err := f.Read(nil); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// close stops the goroutine and waits for it: after it, n and the digests
// written to are final, and the reader it read from is free to use again.
func (f *fetcher) close() {
	select {
	case <-f.stop:
	default:
		close(f.stop)
	}
	<-f.done
}
