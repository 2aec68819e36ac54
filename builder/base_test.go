package builder

import (
	"archive/tar"
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/manifests"
)

// baseLayout writes an OCI layout holding one linux/amd64 image of one
// layer with files, tagged "t", and returns its folder and the layer's
// digest.
func baseLayout(t *testing.T, files map[string]string) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, data := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(data))
	}
	tw.Close()
	data := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
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
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "layout")
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{manifests.RefNameAnnotation: "t"})); err != nil {
		t.Fatal(err)
	}
	d, _ := l.Digest()
	return dir, d.String()
}

// TestOpenBaseRefuses: a base whose rpm database is corrupt fails naming
// the layer that holds it; one without a database says so; a malformed rpm
// manifest names its layer; one of another platform names the platform.
func TestOpenBaseRefuses(t *testing.T) {
	t.Parallel()
	corrupt, corruptLayer := baseLayout(t, map[string]string{"var/lib/rpm/rpmdb.sqlite": strings.Repeat("not sqlite ", 100)})
	none, _ := baseLayout(t, map[string]string{"etc/passwd": "root:x:0:0::/root:/bin/sh\n"})
	distroless, distrolessLayer := baseLayout(t, map[string]string{"var/lib/rpmmanifest/container-manifest-2": "bash\t5.2-1\n"})
	for _, tc := range []struct {
		name, base, arch string
		want             []string
	}{
		{"corrupt rpmdb", "oci:" + corrupt + ":t", "x86_64", []string{"the rpm database in layer " + corruptLayer + ":"}},
		{"no rpmdb", "oci:" + none + ":t", "x86_64", []string{"has no rpm database (var/lib/rpm/rpmdb.sqlite)"}},
		{"corrupt rpmmanifest", "oci:" + distroless + ":t", "x86_64", []string{"var/lib/rpmmanifest/container-manifest-2 in layer " + distrolessLayer + ": line 1: 2 tab-separated fields, want 10"}},
		{"other platform", "oci:" + none + ":t", "aarch64", []string{"has no image for linux/arm64 (aarch64): it is a single image for linux/amd64"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := &config.Config{Image: config.Image{Name: "test/derived", Base: tc.base}}
			_, err := openBase(t.Context(), cfg, tc.arch, Options{Base: BaseOptions{CacheDir: t.TempDir()}})
			if err == nil {
				t.Fatal("opened")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
