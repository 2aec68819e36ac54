package builder

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLinkAtomic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "layer.tmp")
	if err := os.WriteFile(src, []byte("layer bytes"), 0o600); err != nil {
		t.Fatal(err)
	}
	blobs := filepath.Join(dir, "blobs")
	if err := os.Mkdir(blobs, 0o755); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(blobs, "abc")
	if err := linkAtomic(src, dst); err != nil {
		t.Fatal(err)
	}
	si, _ := os.Stat(src)
	di, err := os.Stat(dst)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(si, di) {
		t.Error("the cached blob is not a link of the layer file")
	}
	if di.Mode().Perm() != 0o644 {
		t.Errorf("cached blob mode %v, want 0644", di.Mode().Perm())
	}
	if entries, _ := os.ReadDir(blobs); len(entries) != 1 {
		t.Errorf("blobs folder holds %d entries, want the blob alone", len(entries))
	}
	// A second store of the same blob replaces it in place.
	if err := linkAtomic(src, dst); err != nil {
		t.Errorf("storing the blob again: %v", err)
	}
	if err := linkAtomic(filepath.Join(dir, "missing"), filepath.Join(blobs, "def")); err == nil {
		t.Error("a missing layer file was stored")
	}
}
