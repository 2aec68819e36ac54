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
	size int      // of a buffer
	all  [][]byte // every buffer, to hand back for reuse after close
}

type chunk struct {
	b   []byte
	err error
}

// newReadahead starts reading r in chunks of size bytes. bufs, if it
// holds the buffers of an earlier readahead, is reused.
func newReadahead(r io.Reader, bufs [][]byte, size int) *readahead {
	ra := &readahead{full: make(chan chunk, nbuf), free: make(chan []byte, nbuf), stop: make(chan struct{}), done: make(chan struct{}), size: size}
	ra.all = ring(bufs, size)
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
	b, err := ra.peek()
	n := copy(p, b)
	ra.off += n
	return n, err
}

// peek returns the unread part of the current buffer, waiting for the next
// one when it is used up; it is empty only with an error. The bytes stay
// valid until the next call of any method.
func (ra *readahead) peek() ([]byte, error) {
	for ra.off == len(ra.cur.b) {
		if ra.err != nil {
			return nil, ra.err
		}
		if ra.cur.b != nil {
			ra.free <- ra.cur.b[:ra.size]
			ra.cur.b = nil
		}
		c, ok := <-ra.full
		if !ok {
			return nil, io.ErrClosedPipe
		}
		ra.cur, ra.off = c, 0
		if c.err != nil {
			ra.err = c.err
		}
	}
	return ra.cur.b[ra.off:], nil
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
