package manifests

import (
	"io"
	"math/rand/v2"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// TestCompressorsSameBytes: layers written one after another with one
// Compressors (compressors reset and reused, zstd frame buffers too) have
// the digests of layers written with new compressors: small, multi-block
// and multi-frame, gzip and zstd at two levels each; one compressor per
// kind and level serves them all.
func TestCompressorsSameBytes(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(16, 1))
	var inputs [][]byte
	for _, n := range []int{zstdFrameSize + 3<<20, 10, 0, 1<<20 + 7, 200 << 10, zstdFrameSize} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('a' + rng.IntN(8)) // compressible, not trivially
		}
		inputs = append(inputs, b)
	}
	dir := t.TempDir()
	var c Compressors
	for _, tc := range []struct {
		compression Compression
		level       int
	}{{Gzip, 0}, {Gzip, 1}, {Zstd, 0}, {Zstd, 1}} {
		for i, in := range inputs {
			write := func(w io.Writer) error { _, err := w.Write(in); return err }
			opts := LayerOptions{Compression: tc.compression, Level: tc.level, Concurrency: 1}
			fresh, err := WriteLayer(t.Context(), dir, opts, write)
			if err != nil {
				t.Fatal(err)
			}
			opts.Reuse = &c
			reused, err := WriteLayer(t.Context(), dir, opts, write)
			if err != nil {
				t.Fatal(err)
			}
			if fresh.digest != reused.digest || fresh.diffID != reused.diffID || fresh.size != reused.size {
				t.Errorf("%s level %d, input %d (%d bytes): reused compressor %s/%s, new %s/%s", tc.compression, tc.level, i, len(in), reused.digest, reused.diffID, fresh.digest, fresh.diffID)
			}
		}
	}
	if len(c.gzip) != 2 || len(c.gzip[6]) != 1 || len(c.gzip[1]) != 1 {
		t.Errorf("kept gzip compressors %v, want one of level 6 and one of level 1", c.gzip)
	}
	if len(c.zstd) != 2 || len(c.zstd[zstdKey{zstd.SpeedDefault, 1}]) != 1 || len(c.zstd[zstdKey{zstd.SpeedFastest, 1}]) != 1 {
		t.Errorf("kept zstd encoders %v, want one of the default level and one of level 1", c.zstd)
	}
	if len(c.frames) == 0 || len(c.frames) > maxKeptFrames {
		t.Errorf("%d zstd frame buffers kept, want 1 to %d", len(c.frames), maxKeptFrames)
	}
}
