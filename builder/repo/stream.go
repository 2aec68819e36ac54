package repo

import (
	"bytes"
	"compress/bzip2"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"

	"github.com/slipway-build/slipway/internal/localfile"
)

// ErrChecksum is returned when data does not match the checksum its
// metadata states.
var ErrChecksum = errors.New("checksum mismatch")

func newHash(typ string) (hash.Hash, error) {
	switch typ {
	case "md5":
		return md5.New(), nil
	case "sha", "sha1":
		return sha1.New(), nil
	case "sha224":
		return sha256.New224(), nil
	case "sha256":
		return sha256.New(), nil
	case "sha384":
		return sha512.New384(), nil
	case "sha512":
		return sha512.New(), nil
	}
	return nil, fmt.Errorf("unknown checksum type %q", typ)
}

// compression is what a location's extension says.
type compression int

const (
	compNone compression = iota
	compGzip
	compXZ
	compZstd
	compBzip2
)

func (c compression) String() string {
	return [...]string{"uncompressed", "gzip", "xz", "zstd", "bzip2"}[c]
}

func compressionOf(loc string) (compression, error) {
	switch {
	case strings.HasSuffix(loc, ".gz"):
		return compGzip, nil
	case strings.HasSuffix(loc, ".xz"):
		return compXZ, nil
	case strings.HasSuffix(loc, ".zst"), strings.HasSuffix(loc, ".zstd"):
		return compZstd, nil
	case strings.HasSuffix(loc, ".bz2"):
		return compBzip2, nil
	case strings.HasSuffix(loc, ".xml"):
		return compNone, nil
	}
	return 0, fmt.Errorf("location %q: unknown compression (want .gz, .xz, .zst, .bz2 or .xml)", loc)
}

func checkMagic(c compression, head []byte) error {
	var ok bool
	switch c {
	case compGzip:
		ok = bytes.HasPrefix(head, []byte{0x1f, 0x8b})
	case compXZ:
		ok = bytes.HasPrefix(head, []byte{0xfd, '7', 'z', 'X', 'Z', 0})
	case compZstd:
		ok = bytes.HasPrefix(head, []byte{0x28, 0xb5, 0x2f, 0xfd})
	case compBzip2:
		ok = bytes.HasPrefix(head, []byte("BZh"))
	case compNone:
		t := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
		ok = len(t) == 0 && len(head) > 0 || bytes.HasPrefix(t, []byte("<"))
	}
	if !ok {
		n := min(len(head), 6)
		return fmt.Errorf("not %s data (starts with %x)", c, head[:n])
	}
	return nil
}

// verifyFile checks f's size and checksum against rec, then seeks back to
// the start.
func verifyFile(f *os.File, rec Record) error {
	h, err := newHash(rec.Checksum.Type)
	if err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	n, err := io.Copy(h, f)
	if err != nil {
		return err
	}
	if rec.Size >= 0 && n != rec.Size {
		return fmt.Errorf("%w: size %d, repomd.xml says %d", ErrChecksum, n, rec.Size)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != rec.Checksum.Value {
		return fmt.Errorf("%w: %s %s, repomd.xml says %s", ErrChecksum, rec.Checksum.Type, got, rec.Checksum.Value)
	}
	_, err = f.Seek(0, io.SeekStart)
	return err
}

// fetchRecord returns the verified (checksum, size) compressed file of
// rec, and a cleanup function. For file:// repositories it is the file
// itself; otherwise a temporary download.
func (r *Repository) fetchRecord(ctx context.Context, rec Record) (*os.File, func(), error) {
	base := r.base
	if rec.LocationBase != "" {
		b, err := r.resolveBase(rec.LocationBase)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", rec.Type, err)
		}
		base = b
	}
	u := base.JoinPath(strings.Split(rec.Location, "/")...)
	where := u.Redacted()
	if u.Scheme == "file" {
		f, _, err := localfile.Open(u.Path, "")
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", rec.Type, err)
		}
		if err := verifyFile(f, rec); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("%s %s: %w", rec.Type, where, err)
		}
		return f, func() { f.Close() }, nil
	}
	dir := os.TempDir()
	if r.o.cacheDir != "" {
		dir = filepath.Join(r.o.cacheDir, "metadata")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, nil, fmt.Errorf("cache: %w", err)
		}
	}
	f, err := os.CreateTemp(dir, ".download-*")
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", rec.Type, err)
	}
	cleanup := func() { f.Close(); os.Remove(f.Name()) }
	limit := r.o.maxOpenSize
	if rec.Size >= 0 {
		limit = rec.Size
	}
	if err := r.o.fetcher.fetchToFile(ctx, u, r.auth, f, limit); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("fetching %s: %w", rec.Type, err)
	}
	if err := verifyFile(f, rec); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("%s %s: %w", rec.Type, where, err)
	}
	return f, cleanup, nil
}

// openStream decompresses src (verified compressed data of rec) in a
// goroutine, bounding the output by rec's open-size (or maxOpen) and
// hashing it for open-checksum; close the result, then call check after
// reading to EOF.
func openStream(src io.Reader, rec Record, maxOpen int64) (*readahead, error) {
	c, err := compressionOf(rec.Location)
	if err != nil {
		return nil, err
	}
	br := newPeekReader(src)
	head, _ := br.peek(8)
	if err := checkMagic(c, head); err != nil {
		return nil, fmt.Errorf("%s %s: %w", rec.Type, rec.Location, err)
	}
	var dec io.Reader
	var closer func()
	switch c {
	case compNone:
		dec = br
	case compGzip:
		z, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s %s: gzip: %w", rec.Type, rec.Location, err)
		}
		dec, closer = z, func() { z.Close() }
	case compXZ:
		z, err := xz.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s %s: xz: %w", rec.Type, rec.Location, err)
		}
		dec = z
	case compZstd:
		z, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(1<<30), zstd.WithDecoderMaxWindow(128<<20))
		if err != nil {
			return nil, fmt.Errorf("%s %s: zstd: %w", rec.Type, rec.Location, err)
		}
		dec, closer = z, z.Close
	case compBzip2:
		dec = bzip2.NewReader(br)
	}
	limit := maxOpen
	if rec.OpenSize >= 0 {
		limit = rec.OpenSize
	}
	var h hash.Hash
	if rec.OpenChecksum.Type != "" {
		if h, err = newHash(rec.OpenChecksum.Type); err != nil {
			return nil, err
		}
	}
	ra := newReadahead(dec, limit, h, closer)
	ra.check = func(n int64, sum []byte) error {
		if rec.OpenSize >= 0 && n != rec.OpenSize {
			return fmt.Errorf("%s %s: %w: decompressed size %d, repomd.xml says open-size %d", rec.Type, rec.Location, ErrChecksum, n, rec.OpenSize)
		}
		if h != nil {
			if got := hex.EncodeToString(sum); got != rec.OpenChecksum.Value {
				return fmt.Errorf("%s %s: %w: decompressed %s %s, repomd.xml says open-checksum %s", rec.Type, rec.Location, ErrChecksum, rec.OpenChecksum.Type, got, rec.OpenChecksum.Value)
			}
		}
		return nil
	}
	ra.name = rec.Type + " " + rec.Location
	return ra, nil
}

type peekReader struct {
	r    io.Reader
	head []byte
}

func newPeekReader(r io.Reader) *peekReader { return &peekReader{r: r} }

func (p *peekReader) peek(n int) ([]byte, error) {
	for len(p.head) < n {
		buf := make([]byte, n-len(p.head))
		m, err := p.r.Read(buf)
		p.head = append(p.head, buf[:m]...)
		if err != nil {
			return p.head, err
		}
	}
	return p.head, nil
}

func (p *peekReader) Read(b []byte) (int, error) {
	if len(p.head) > 0 {
		n := copy(b, p.head)
		p.head = p.head[n:]
		return n, nil
	}
	return p.r.Read(b)
}

// readahead runs a decompressor in its own goroutine so decompression,
// hashing and parsing use two cores.
type readahead struct {
	ch    chan []byte
	free  chan []byte
	done  chan struct{}
	cur   []byte
	curB  []byte
	err   error // final error from the producer, read after ch closes
	n     int64
	sum   []byte
	check func(n int64, sum []byte) error
	name  string
	eof   bool
}

const readaheadChunk = 256 << 10

func newReadahead(r io.Reader, limit int64, h hash.Hash, closer func()) *readahead {
	ra := &readahead{ch: make(chan []byte, 3), free: make(chan []byte, 4), done: make(chan struct{})}
	for range 4 {
		ra.free <- make([]byte, readaheadChunk)
	}
	go func() {
		defer close(ra.ch)
		if closer != nil {
			defer closer()
		}
		for {
			var buf []byte
			select {
			case buf = <-ra.free:
			case <-ra.done:
				return
			}
			n, err := readFull(r, buf)
			if n > 0 {
				ra.n += int64(n)
				if ra.n > limit {
					ra.err = fmt.Errorf("decompressed data is %w: more than %d bytes", ErrTooLarge, limit)
					return
				}
				if h != nil {
					h.Write(buf[:n])
				}
				select {
				case ra.ch <- buf[:n]:
				case <-ra.done:
					return
				}
			}
			if err == io.EOF {
				if h != nil {
					ra.sum = h.Sum(nil)
				}
				return
			}
			if err != nil {
				ra.err = err
				return
			}
		}
	}()
	return ra
}

func (ra *readahead) Read(p []byte) (int, error) {
	for len(ra.cur) == 0 {
		if ra.curB != nil {
			ra.free <- ra.curB[:cap(ra.curB)]
			ra.curB = nil
		}
		b, ok := <-ra.ch
		if !ok {
			ra.eof = true
			if ra.err != nil {
				return 0, fmt.Errorf("decompressing %s: %w", ra.name, ra.err)
			}
			return 0, io.EOF
		}
		ra.cur, ra.curB = b, b
	}
	n := copy(p, ra.cur)
	ra.cur = ra.cur[n:]
	return n, nil
}

// finish reads what is left and checks open-size and open-checksum.
func (ra *readahead) finish() error {
	if _, err := io.Copy(io.Discard, ra); err != nil {
		return err
	}
	return ra.check(ra.n, ra.sum)
}

// Close stops the producer.
func (ra *readahead) Close() {
	select {
	case <-ra.done:
	default:
		close(ra.done)
	}
	for range ra.ch {
	}
}

// readFull is io.ReadFull keeping the reader's own error (a truncated
// gzip stream's io.ErrUnexpectedEOF must not look like a short read).
func readFull(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
