// Package manifests turns rootfs tar streams into OCI images: compressed
// layers (digest and diff-id computed in the same pass as the compression),
// image configs, per-architecture manifests and the multi-arch index, and
// writes them as an OCI image layout or a docker archive.
package manifests

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"runtime"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/zstd"
	"github.com/klauspost/pgzip"
)

// Compression is how a layer is compressed.
type Compression string

// The layer compressions slipway writes.
const (
	Gzip Compression = "gzip" // what every client reads
	Zstd Compression = "zstd" // application/vnd.oci.image.layer.v1.tar+zstd
)

// ParseCompression checks a --compression value.
func ParseCompression(s string) (Compression, error) {
	switch Compression(s) {
	case Gzip, Zstd:
		return Compression(s), nil
	}
	return "", fmt.Errorf("compression %q is not gzip or zstd", s)
}

func (c Compression) mediaType() types.MediaType {
	if c == Zstd {
		return types.OCILayerZStd
	}
	return types.OCILayer
}

// Layer is a compressed layer kept in a file. It implements v1.Layer
// (through partial.CompressedToLayer); its digests were computed while it
// was written, so nothing reads the data twice.
type Layer struct {
	path      string
	digest    v1.Hash
	diffID    v1.Hash
	size      int64
	mediaType types.MediaType
}

// Path is the file holding the compressed layer.
func (l *Layer) Path() string { return l.path }

// Digest is the sha256 of the compressed layer.
func (l *Layer) Digest() (v1.Hash, error) { return l.digest, nil }

// DiffID is the sha256 of the uncompressed tar.
func (l *Layer) DiffID() (v1.Hash, error) { return l.diffID, nil }

// Size is the compressed size in bytes.
func (l *Layer) Size() (int64, error) { return l.size, nil }

// MediaType is the OCI layer media type of the compression.
func (l *Layer) MediaType() (types.MediaType, error) { return l.mediaType, nil }

// Compressed opens the compressed layer.
func (l *Layer) Compressed() (io.ReadCloser, error) { return os.Open(l.path) }

// V1 returns the layer as a go-containerregistry v1.Layer.
func (l *Layer) V1() (v1.Layer, error) { return partial.CompressedToLayer(l) }

// LayerOptions tune WriteLayer.
type LayerOptions struct {
	Compression Compression // default Gzip
	// Level is the gzip level (1-9, default 6) or the zstd level
	// (1 fastest, 2 default, 3 better, 4 best).
	Level int
	// Concurrency is how many cores compress; default GOMAXPROCS.
	Concurrency int
	// Reuse, when set, lends the gzip compressor and takes it back once
	// the layer is written (the bytes are the same).
	Reuse *Compressors
}

// WriteLayer runs write with a writer for the uncompressed tar and stores
// the compressed layer in a new file in dir. The tar is hashed (diff-id)
// on its way into the compressor and the compressed bytes on their way to
// the file (digest), in one pass; the compressor works on all cores. On
// failure nothing is left in dir.
//
// A gzip layer is one gzip member of 1 MiB deflate blocks compressed in
// parallel (pgzip). A zstd layer is a sequence of independent zstd frames,
// one per zstdFrameSize bytes of tar (the last shorter), compressed in
// parallel: a valid zstd stream that every decoder reads as one, and
// deterministic because the frame boundaries are fixed offsets of the tar.
func WriteLayer(ctx context.Context, dir string, opts LayerOptions, write func(io.Writer) error) (_ *Layer, err error) {
	if opts.Compression == "" {
		opts.Compression = Gzip
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = runtime.GOMAXPROCS(0)
	}
	f, err := os.CreateTemp(dir, "layer-*.tmp")
	if err != nil {
		return nil, fmt.Errorf("creating layer file: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()

	compressedHash := sha256.New()
	diffHash := sha256.New()
	counter := &countWriter{}
	out := io.MultiWriter(f, compressedHash, counter)

	var comp io.WriteCloser
	gzipLevel := opts.Level
	switch opts.Compression {
	case Gzip:
		if gzipLevel == 0 {
			gzipLevel = 6
		}
		zw := opts.Reuse.getGzip(gzipLevel)
		if zw != nil {
			zw.Reset(out)
		} else if zw, err = pgzip.NewWriterLevel(out, gzipLevel); err != nil {
			return nil, fmt.Errorf("gzip level %d: %w", gzipLevel, err)
		}
		// Blocks of 1 MiB keep the output within a percent of a serial
		// gzip at the same level while both cores compress.
		if err := zw.SetConcurrency(1<<20, 2*opts.Concurrency); err != nil {
			return nil, err
		}
		// A fixed header: no name, no mtime, so the digest depends on
		// the content alone.
		zw.Header.OS = 255
		comp = zw
	case Zstd:
		level := zstd.SpeedDefault
		if opts.Level != 0 {
			level = zstd.EncoderLevel(opts.Level)
		}
		// Each compressor holds a frame of input, its output and an
		// encoder with a window of history: bound them. The lower-memory
		// encoder keeps one window of history instead of two (a frame is
		// one window) and writes the same bytes.
		n := min(opts.Concurrency, maxZstdCompressors)
		key := zstdKey{level, n}
		enc := opts.Reuse.getZstd(key)
		if enc == nil {
			if enc, err = zstd.NewWriter(nil, zstd.WithEncoderLevel(level), zstd.WithEncoderConcurrency(n),
				zstd.WithZeroFrames(true), zstd.WithLowerEncoderMem(true)); err != nil {
				return nil, fmt.Errorf("zstd: %w", err)
			}
		}
		fw := newFrameWriter(enc, zstdFrameSize, n, out, diffHash)
		fw.reuse, fw.key = opts.Reuse, key
		comp = fw
	default:
		return nil, fmt.Errorf("unknown compression %q", opts.Compression)
	}

	tarSide := &ctxWriter{ctx: ctx, w: comp}
	if opts.Compression == Gzip {
		tarSide.w = io.MultiWriter(comp, diffHash)
	}
	if err := write(tarSide); err != nil {
		if fw, ok := comp.(*frameWriter); ok {
			fw.abort()
		} else {
			comp.Close()
		}
		return nil, err
	}
	if err := comp.Close(); err != nil {
		return nil, fmt.Errorf("compressing layer: %w", err)
	}
	if zw, ok := comp.(*pgzip.Writer); ok {
		opts.Reuse.putGzip(gzipLevel, zw)
	}
	// No fsync: the file is a step of the build in its work folder; the
	// outputs are written from it, and the layer cache, which keeps it,
	// checks a blob against its digest before each use. (A sync of the
	// 42 MiB bench layer waited 30 ms for the disk, on the critical path.)
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("writing layer: %w", err)
	}
	l := &Layer{
		path:      f.Name(),
		digest:    toHash(compressedHash),
		diffID:    toHash(diffHash),
		size:      counter.n,
		mediaType: opts.Compression.mediaType(),
	}
	return l, nil
}

// Remove deletes the layer's file.
func (l *Layer) Remove() error { return os.Remove(l.path) }

func toHash(h hash.Hash) v1.Hash {
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// ctxWriter stops a long write when the context ends.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c *ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

var errNoLayers = errors.New("an image needs at least one layer")

// LayerFromFile is a layer already compressed in a file whose digests are
// known (a cached layer); the caller has checked them.
func LayerFromFile(path string, digest, diffID v1.Hash, size int64, mediaType types.MediaType) *Layer {
	return &Layer{path: path, digest: digest, diffID: diffID, size: size, mediaType: mediaType}
}

// zstdFrameSize is the tar bytes of each zstd frame of a layer: the
// encoder's default window (8 MiB), so that a frame loses only the matches
// further back than the stream encoder could use anyway at its start. On
// a 124 MB base image tar at the default level, 8 MiB frames are 2.7 %
// larger than one frame (4 MiB: 5 %, 1 MiB: 12 %).
const zstdFrameSize = 8 << 20

// maxZstdCompressors bounds the frames compressed at once (about 20 MiB
// of memory each).
const maxZstdCompressors = 4

// frameWriter compresses what is written to it as independent zstd frames
// of size bytes of input each, up to n at once, and writes them to out in
// input order. The input is hashed into diff (in order, on the goroutine
// that writes the frames), so the caller's goroutine only copies bytes.
type frameWriter struct {
	enc  *zstd.Encoder
	size int
	cur  *frameJob
	jobs chan *frameJob // to the compressors
	// order holds the submitted frames in input order; its capacity
	// (n-1, and the frame the writing goroutine waits for) bounds the
	// frames in flight to n, plus the one being filled.
	order  chan *frameJob
	free   chan *frameJob
	done   chan struct{} // closed when the writing goroutine has ended
	wg     sync.WaitGroup
	frames int
	closed bool
	// reuse, when set, lends frame buffers and takes them and the
	// encoder (made as key says) back when the writer stops.
	reuse *Compressors
	key   zstdKey

	mu  sync.Mutex
	err error // the first write error of out
}

type frameJob struct {
	in, out []byte
	done    chan struct{}
}

func newFrameWriter(enc *zstd.Encoder, size, n int, out io.Writer, diff hash.Hash) *frameWriter {
	if n < 1 {
		n = 1
	}
	fw := &frameWriter{
		enc: enc, size: size,
		jobs:  make(chan *frameJob, n),
		order: make(chan *frameJob, n-1),
		free:  make(chan *frameJob, n+1),
		done:  make(chan struct{}),
	}
	for range n {
		fw.wg.Add(1)
		go func() {
			defer fw.wg.Done()
			for j := range fw.jobs {
				j.out = enc.EncodeAll(j.in, j.out[:0])
				close(j.done)
			}
		}()
	}
	go func() {
		defer close(fw.done)
		for j := range fw.order {
			diff.Write(j.in) // hashes never fail
			<-j.done
			if fw.error() == nil {
				if _, err := out.Write(j.out); err != nil {
					fw.mu.Lock()
					fw.err = err
					fw.mu.Unlock()
				}
			}
			select {
			case fw.free <- j:
			default:
			}
		}
	}()
	return fw
}

func (fw *frameWriter) error() error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	return fw.err
}

func (fw *frameWriter) Write(p []byte) (int, error) {
	if fw.closed {
		return 0, errors.New("zstd: write after close")
	}
	if err := fw.error(); err != nil {
		return 0, err
	}
	n := len(p)
	for len(p) > 0 {
		if fw.cur == nil {
			select {
			case fw.cur = <-fw.free:
				fw.cur.in = fw.cur.in[:0]
			default:
				if fw.cur = fw.reuse.getFrame(); fw.cur != nil {
					fw.cur.in = fw.cur.in[:0]
				} else {
					fw.cur = &frameJob{in: make([]byte, 0, fw.size), out: make([]byte, 0, fw.size/2)}
				}
			}
		}
		c := copy(fw.cur.in[len(fw.cur.in):fw.size], p)
		fw.cur.in = fw.cur.in[:len(fw.cur.in)+c]
		p = p[c:]
		if len(fw.cur.in) == fw.size {
			fw.submit()
		}
	}
	return n, nil
}

// submit hands the current frame to the compressors and the writer.
func (fw *frameWriter) submit() {
	j := fw.cur
	fw.cur = nil
	j.done = make(chan struct{})
	fw.frames++
	fw.order <- j
	fw.jobs <- j
}

// Close compresses what is left and waits until every frame is written.
func (fw *frameWriter) Close() error {
	if fw.closed {
		return fw.error()
	}
	if fw.cur != nil && len(fw.cur.in) > 0 || fw.frames == 0 {
		if fw.cur == nil {
			fw.cur = &frameJob{} // an empty input is one empty frame
		}
		fw.submit()
	}
	fw.stop()
	return fw.error()
}

// abort stops the goroutines after a failed write of the tar.
func (fw *frameWriter) abort() {
	if !fw.closed {
		fw.stop()
	}
}

func (fw *frameWriter) stop() {
	fw.closed = true
	close(fw.jobs)
	close(fw.order)
	fw.wg.Wait()
	<-fw.done
	if fw.reuse == nil {
		fw.enc.Close()
		return
	}
	// Every EncodeAll has returned and no goroutine holds a frame.
	fw.reuse.putZstd(fw.key, fw.enc)
	if fw.cur != nil {
		fw.reuse.putFrame(fw.cur)
		fw.cur = nil
	}
	for {
		select {
		case j := <-fw.free:
			fw.reuse.putFrame(j)
		default:
			return
		}
	}
}
