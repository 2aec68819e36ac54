package manifests

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
)

// amd64Layout writes a layout with one linux/amd64 image of one random
// layer, tagged "t"; it returns the folder and the layer.
func amd64Layout(t *testing.T) (string, v1.Layer) {
	t.Helper()
	l, err := random.Layer(4096, "application/vnd.oci.image.layer.v1.tar+gzip")
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, l)
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := img.ConfigFile()
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	cf.Config.Entrypoint = []string{"/base"}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "layout")
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{RefNameAnnotation: "t"})); err != nil {
		t.Fatal(err)
	}
	return dir, l
}

// TestOpenBaseCache: a base's layer is fetched once into the cache,
// checked against its digest; a later open reads it from the cache; a
// blob that does not match its digest is refused and not cached.
func TestOpenBaseCache(t *testing.T) {
	t.Parallel()
	dir, l := amd64Layout(t)
	d, _ := l.Digest()
	cache := t.TempDir()
	read := func() (int64, error) {
		b, err := OpenBase(t.Context(), Source{Layout: dir, Tag: "t"}, "x86_64", cache, PushOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ls, err := b.Image.Layers()
		if err != nil {
			t.Fatal(err)
		}
		rc, err := ls[0].Compressed()
		if err != nil {
			return b.Fetched(), err
		}
		defer rc.Close()
		_, err = io.Copy(io.Discard, rc)
		return b.Fetched(), err
	}
	size, _ := l.Size()
	if n, err := read(); err != nil || n != size {
		t.Fatalf("first read: %d bytes fetched, %v; want %d", n, err, size)
	}
	if _, err := os.Stat(filepath.Join(cache, "sha256-"+d.Hex)); err != nil {
		t.Errorf("not cached: %v", err)
	}
	if n, err := read(); err != nil || n != 0 {
		t.Errorf("second read: %d bytes fetched, %v; want 0", n, err)
	}

	// A tampered blob in the source.
	dir2, l2 := amd64Layout(t)
	d2, _ := l2.Digest()
	blob := filepath.Join(dir2, "blobs", "sha256", d2.Hex)
	data, err := os.ReadFile(blob)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(blob, bytes.Repeat([]byte{'x'}, len(data)), 0o644); err != nil {
		t.Fatal(err)
	}
	dir = dir2
	if _, err := read(); err == nil || !strings.Contains(err.Error(), "base layer "+d2.String()+": the blob's digest is sha256:") {
		t.Errorf("tampered blob: %v", err)
	}
	if _, err := os.Stat(filepath.Join(cache, "sha256-"+d2.Hex)); err == nil {
		t.Errorf("the tampered blob was cached")
	}
}

// TestDerivedImage: the base's layers and configuration are kept, the
// added layer and history appended, the fields given replaced.
func TestDerivedImage(t *testing.T) {
	t.Parallel()
	dir, l := amd64Layout(t)
	b, err := OpenBase(t.Context(), Source{Layout: dir, Tag: "t"}, "x86_64", t.TempDir(), PushOptions{})
	if err != nil {
		t.Fatal(err)
	}
	add, err := WriteLayer(t.Context(), t.TempDir(), LayerOptions{}, func(w io.Writer) error { _, err := w.Write(make([]byte, 1024)); return err })
	if err != nil {
		t.Fatal(err)
	}
	user := "app"
	img, err := DerivedImage(DerivedSpec{Base: b, Layers: []HistoryLayer{{Layer: add, CreatedBy: "slipway build"}}, User: &user, Env: map[string]string{"A": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	d, _ := l.Digest()
	ad, _ := add.Digest()
	if len(m.Layers) != 2 || m.Layers[0].Digest != d || m.Layers[1].Digest != ad {
		t.Errorf("layers %+v, want %s then %s", m.Layers, d, ad)
	}
	cf, _ := img.ConfigFile()
	if cf.Config.User != "app" || len(cf.Config.Entrypoint) != 1 || cf.Config.Entrypoint[0] != "/base" || cf.Architecture != "amd64" {
		t.Errorf("config %+v", cf.Config)
	}
	if got := strings.Join(cf.Config.Env, " "); got != "A=1" {
		t.Errorf("env %q, want the base's (none) and A=1", got)
	}
}
