package manifests

import (
	"io"
	"math/rand/v2"
	"testing"
)

// TestCompressorsSameBytes: layers written one after another with one
// Compressors (a compressor reset and reused) have the digests of layers
// written with new compressors, small and multi-block, at two levels;
// one compressor per level serves them all.
func TestCompressorsSameBytes(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(16, 1))
	var inputs [][]byte
	for _, n := range []int{3 << 20, 10, 0, 1<<20 + 7, 200 << 10} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('a' + rng.IntN(8)) // compressible, not trivially
		}
		inputs = append(inputs, b)
	}
	dir := t.TempDir()
	var c Compressors
	for _, level := range []int{0, 1} {
		for i, in := range inputs {
			write := func(w io.Writer) error { _, err := w.Write(in); return err }
			fresh, err := WriteLayer(t.Context(), dir, LayerOptions{Level: level, Concurrency: 1}, write)
			if err != nil {
				t.Fatal(err)
			}
			reused, err := WriteLayer(t.Context(), dir, LayerOptions{Level: level, Concurrency: 1, Reuse: &c}, write)
			if err != nil {
				t.Fatal(err)
			}
			if fresh.digest != reused.digest || fresh.diffID != reused.diffID || fresh.size != reused.size {
				t.Errorf("level %d, input %d (%d bytes): reused compressor %s/%s, new %s/%s", level, i, len(in), reused.digest, reused.diffID, fresh.digest, fresh.diffID)
			}
		}
	}
	if len(c.gzip) != 2 || len(c.gzip[6]) != 1 || len(c.gzip[1]) != 1 {
		t.Errorf("kept compressors %v, want one of level 6 and one of level 1", c.gzip)
	}
}
