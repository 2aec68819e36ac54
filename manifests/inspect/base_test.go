package inspect

import (
	"archive/tar"
	"bytes"
	"io"
	"path/filepath"
	"slices"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// tarLayer is a layer of the entries given in order: "name" a file,
// "name/" a folder.
func tarLayer(t *testing.T, entries ...[2]string) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e[0], Mode: 0o644, Size: int64(len(e[1])), Typeflag: tar.TypeReg}
		if e[0][len(e[0])-1] == '/' {
			h = &tar.Header{Name: e[0], Mode: 0o755, Typeflag: tar.TypeDir}
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestReadBaseWhiteouts: a base's files are read with the layers' order,
// whiteouts and opaque folders applied; the package database names the
// layer it came from.
func TestReadBaseWhiteouts(t *testing.T) {
	t.Parallel()
	bottom := tarLayer(t,
		[2]string{"etc/", ""}, [2]string{"etc/passwd", "root:x:0:0::/root:/bin/sh\n"}, [2]string{"etc/group", "root:x:0:\n"},
		[2]string{"usr/lib64/libold.so.1", "old"}, [2]string{"opt/a", "a"}, [2]string{"srv/x/y", "y"},
		[2]string{"var/lib/rpm/rpmdb.sqlite", "db"}, [2]string{ManifestPath, "bash\t5.2-1\n"},
	)
	top := tarLayer(t,
		[2]string{"etc/passwd", "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/sbin/nologin\n"},
		[2]string{"usr/lib64/.wh.libold.so.1", ""}, [2]string{"opt/.wh..wh..opq", ""}, [2]string{"opt/b", "b"},
		[2]string{"srv/x", "now a file"}, [2]string{"var/lib/rpmmanifest/.wh.container-manifest-2", ""},
	)
	img, err := mutate.AppendLayers(empty.Image, bottom, top)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReadBase(t.Context(), img, t.TempDir(), Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	bd, _ := bottom.Digest()
	if b.DB != DBSqlite || b.DBLayer != bd || filepath.Base(b.Sqlite) != "rpmdb.sqlite" {
		t.Errorf("db %s in %s at %s, want sqlite in %s", b.DB, b.DBLayer, b.Sqlite, bd)
	}
	if b.Manifest != nil {
		t.Errorf("the whited-out manifest was read: %q", b.Manifest)
	}
	if want := "app:x:1000"; !bytes.Contains(b.Passwd, []byte(want)) {
		t.Errorf("passwd %q is not the top layer's", b.Passwd)
	}
	if string(b.Group) != "root:x:0:\n" {
		t.Errorf("group %q", b.Group)
	}
	paths := b.SortedPaths()
	for _, p := range []string{"usr/lib64/libold.so.1", "opt/a", "srv/x/y", ManifestPath} {
		if slices.Contains(paths, p) {
			t.Errorf("%s is hidden by the top layer, but listed", p)
		}
	}
	for _, p := range []string{"opt/b", "srv/x", "etc/passwd", "var/lib/rpm/rpmdb.sqlite"} {
		if !slices.Contains(paths, p) {
			t.Errorf("%s missing from %v", p, paths)
		}
	}
}

// TestReadBaseBounds: a base's rpmdb larger than the bound is refused
// from its header, naming the layer.
func TestReadBaseBounds(t *testing.T) {
	t.Parallel()
	l := tarLayer(t, [2]string{"var/lib/rpm/rpmdb.sqlite", "0123456789"})
	img, err := mutate.AppendLayers(empty.Image, l)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := l.Digest()
	_, err = ReadBase(t.Context(), img, t.TempDir(), Options{MaxDBSize: 4}, nil)
	want := "layer " + d.String() + ": var/lib/rpm/rpmdb.sqlite is 10 bytes, more than the 4 slipway reads"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}
