package rpm

import "io"

// readahead reads a stream in chunks on a goroutine of its own, a few
// chunks ahead of its reader, and writes every chunk to w (if any) as it
// lands. The payload reader chains two: one reads the package file and
// feeds the payload digests, one runs the decompressor; the caller's
// goroutine parses the archive and hashes the files. The three overlap on
// as many cores, and the compressed bytes are hashed where they land,
// without a copy for the hash.
//
// A readahead made synchronous does the same on the reader's goroutine:
// for a small payload, starting goroutines and waking threads costs more
// than the overlap saves.
type readahead struct {
	r    io.Reader
	w    io.Writer // nil: none
	n    int64     // bytes read from r; final once done is closed
	size int       // of a chunk
	sync bool

	full chan chunk
	free chan []byte
	stop chan struct{}
	done chan struct{}
	cur  chunk
	off  int
	err  error
	all  [][]byte // every buffer, to hand back for reuse after close
}

type chunk struct {
	b   []byte
	err error
}

// nbuf is the number of chunks of a readahead: one being filled, one
// being read, and slack for uneven speeds.
const nbuf = 4

// chunkSize picks the chunk size for a stream of about n bytes: large
// chunks cut the hand-offs between goroutines on large payloads, small
// ones keep the memory a small payload touches (page faults cost more
// than hand-offs in a short-lived process) small.
func chunkSize(n int64) int {
	const lo, hi = 32 << 10, 256 << 10
	return int(min(max(n/32, lo), hi))
}

// ring returns nbuf buffers of at least size bytes: bufs, if they are.
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

// newReadahead starts reading r in chunks of size bytes, on a goroutine
// unless sync. bufs, if it holds the buffers of an earlier readahead, is
// reused.
func newReadahead(r io.Reader, w io.Writer, bufs [][]byte, size int, sync bool) *readahead {
	ra := &readahead{r: r, w: w, size: size, sync: sync, stop: make(chan struct{}), done: make(chan struct{})}
	ra.all = ring(bufs, size)
	if sync {
		close(ra.done)
		return ra
	}
	ra.full, ra.free = make(chan chunk, nbuf), make(chan []byte, nbuf)
	for _, b := range ra.all {
		ra.free <- b[:size]
	}
	go func() {
		defer close(ra.done)
		for {
			var b []byte
			select {
			case b = <-ra.free:
			case <-ra.stop:
				return
			}
			c := ra.fill(b)
			select {
			case ra.full <- c:
			case <-ra.stop:
				return
			}
			if c.err != nil {
				return
			}
		}
	}()
	return ra
}

// fill reads the next chunk into b.
func (ra *readahead) fill(b []byte) chunk {
	n, err := io.ReadFull(ra.r, b)
	if err == io.ErrUnexpectedEOF {
		err = io.EOF
	}
	if n > 0 {
		ra.n += int64(n)
		if ra.w != nil {
			ra.w.Write(b[:n])
		}
	}
	return chunk{b[:n], err}
}

func (ra *readahead) Read(p []byte) (int, error) {
	b, err := ra.peek()
	n := copy(p, b)
	ra.off += n
	return n, err
}

// peek returns the unread part of the current chunk, waiting for the next
// one when it is used up; it is empty only with an error. The bytes stay
// valid until the next call of any method.
func (ra *readahead) peek() ([]byte, error) {
	for ra.off == len(ra.cur.b) {
		if ra.err != nil {
			return nil, ra.err
		}
		var c chunk
		switch {
		case ra.sync:
			select {
			case <-ra.stop:
				c.err = io.ErrClosedPipe
			default:
				c = ra.fill(ra.all[0][:ra.size])
			}
		default:
			if ra.cur.b != nil {
				ra.free <- ra.cur.b[:ra.size]
			}
			c = ra.receive()
		}
		ra.cur, ra.off = c, 0
		ra.err = c.err
	}
	return ra.cur.b[ra.off:], nil
}

// receive waits for the next chunk from the goroutine.
func (ra *readahead) receive() chunk {
	select {
	case c := <-ra.full:
		return c
	case <-ra.done:
		// Stopped, or ended with its last chunk already sent.
		select {
		case c := <-ra.full:
			return c
		default:
			return chunk{err: io.ErrClosedPipe}
		}
	}
}

// next returns up to max bytes of the stream without copying them; they
// stay valid until the next call of any method.
func (ra *readahead) next(max int) ([]byte, error) {
	b, err := ra.peek()
	if len(b) > max {
		b = b[:max]
	}
	ra.off += len(b)
	return b, err
}

// Discard skips n bytes, as bufio.Reader's does.
func (ra *readahead) Discard(n int) (int, error) {
	done := 0
	for done < n {
		b, err := ra.next(n - done)
		done += len(b)
		if err != nil {
			return done, err
		}
	}
	return done, nil
}

// head returns the unread bytes of the current chunk, loading the first
// (or next) one; it is empty at the end or after an error.
func (ra *readahead) head() []byte {
	b, _ := ra.peek()
	return b
}

// drain reads to the end of the stream, so that w sees every byte, and
// returns the read error, if any.
func (ra *readahead) drain() error {
	for {
		ra.off = len(ra.cur.b) // skip what is left of the current chunk
		if _, err := ra.peek(); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// close stops the goroutine and waits for it: after it, n and what was
// written to w are final, and r is free to use again.
func (ra *readahead) close() {
	select {
	case <-ra.stop:
	default:
		close(ra.stop)
	}
	<-ra.done
}
