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
}

// WriteLayer runs write with a writer for the uncompressed tar and stores
// the compressed layer in a new file in dir. The tar is hashed (diff-id)
// on its way into the compressor and the compressed bytes on their way to
// the file (digest), in one pass; the compressor works on all cores. On
// failure nothing is left in dir.
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
	counter := &countWriter{}
	out := io.MultiWriter(f, compressedHash, counter)

	var comp io.WriteCloser
	switch opts.Compression {
	case Gzip:
		level := opts.Level
		if level == 0 {
			level = 6
		}
		zw, err := pgzip.NewWriterLevel(out, level)
		if err != nil {
			return nil, fmt.Errorf("gzip level %d: %w", level, err)
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
		zw, err := zstd.NewWriter(out, zstd.WithEncoderLevel(level), zstd.WithEncoderConcurrency(opts.Concurrency))
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		comp = zw
	default:
		return nil, fmt.Errorf("unknown compression %q", opts.Compression)
	}

	diffHash := sha256.New()
	tarSide := &ctxWriter{ctx: ctx, w: io.MultiWriter(comp, diffHash)}
	if err := write(tarSide); err != nil {
		comp.Close()
		return nil, err
	}
	if err := comp.Close(); err != nil {
		return nil, fmt.Errorf("compressing layer: %w", err)
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("writing layer: %w", err)
	}
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
