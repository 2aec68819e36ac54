package synth

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestDeterministic writes the same repository twice, and a different seed
// once: repomd.xml (which holds every file's checksum) must repeat exactly,
// and change with the seed.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	read := func(o Options) []byte {
		dir := t.TempDir()
		if err := Write(dir, o); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "repodata", "repomd.xml"))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b := read(Options{N: 300, Seed: 5}), read(Options{N: 300, Seed: 5})
	if !bytes.Equal(a, b) {
		t.Error("same options, different repomd.xml")
	}
	if bytes.Equal(a, read(Options{N: 300, Seed: 6})) {
		t.Error("different seed, same repomd.xml")
	}
	if err := Write(t.TempDir(), Options{N: 10}); err == nil {
		t.Error("N=10 accepted")
	}
}
