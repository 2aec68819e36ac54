package rpm

import "io"

// readahead runs a reader (the decompressor) on its own goroutine, a few
// buffers ahead of the consumer, so that decompression overlaps with the
// file digests and the archive parsing.
type readahead struct {
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

// newReadahead starts reading r. bufs, if it holds nbuf buffers from an
// earlier readahead, is reused.
func newReadahead(r io.Reader, bufs [][]byte) *readahead {
	const nbuf, size = 4, 64 << 10
	ra := &readahead{full: make(chan chunk, nbuf), free: make(chan []byte, nbuf), stop: make(chan struct{}), done: make(chan struct{})}
	if len(bufs) != nbuf {
		bufs = make([][]byte, nbuf)
		for i := range bufs {
			bufs[i] = make([]byte, size)
		}
	}
	ra.all = bufs
	for _, b := range bufs {
		ra.free <- b
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
			n, err := io.ReadFull(r, b)
			if err == io.ErrUnexpectedEOF {
				err = io.EOF
			}
			select {
			case ra.full <- chunk{b[:n], err}:
			case <-ra.stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return ra
}

func (ra *readahead) Read(p []byte) (int, error) {
	for ra.off == len(ra.cur.b) {
		if ra.err != nil {
			return 0, ra.err
		}
		if ra.cur.b != nil {
			ra.free <- ra.cur.b[:cap(ra.cur.b)]
			ra.cur.b = nil
		}
		c, ok := <-ra.full
		if !ok {
			return 0, io.ErrClosedPipe
		}
		ra.cur, ra.off = c, 0
		if c.err != nil {
			ra.err = c.err
		}
	}
	n := copy(p, ra.cur.b[ra.off:])
	ra.off += n
	return n, nil
}

// close stops the goroutine and waits for it: after it, the reader it
// read from is free to use again.
func (ra *readahead) close() {
	select {
	case <-ra.stop:
	default:
		close(ra.stop)
	}
	<-ra.done
}
