package hostile_test

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/slipway-build/slipway/internal/hostile"
	"github.com/slipway-build/slipway/manifests"
	"github.com/slipway-build/slipway/manifests/inspect"
)

// TestHostileImages: images that would make inspect (and diff, which
// reads packages the same way) write, read or parse without bound are
// refused with a clear error, before the work is done.
func TestHostileImages(t *testing.T) {
	t.Parallel()
	bomb := func(name string, size int64) func(t *testing.T) v1.Image {
		return func(t *testing.T) v1.Image {
			l, err := hostile.BombLayer(name, size)
			if err != nil {
				t.Fatal(err)
			}
			img, err := hostile.ImageOf(l)
			if err != nil {
				t.Fatal(err)
			}
			return img
		}
	}
	for _, tc := range []struct {
		name string
		img  func(t *testing.T) v1.Image
		// index, when set, lists the image that many times in an index
		// tagged "i", the source inspected.
		index int
		opts  inspect.Options
		want  string
	}{
		{
			name: "rpmdb.sqlite gzip bomb (600 MiB of zeros in 600 KiB)", img: bomb(inspect.SqlitePath, 600<<20),
			want: "var/lib/rpm/rpmdb.sqlite is 629145600 bytes, more than the 536870912 slipway reads",
		},
		{
			name: "rpm manifest of 100 MiB", img: bomb(inspect.ManifestPath, 100<<20),
			want: "var/lib/rpmmanifest/container-manifest-2 is 104857600 bytes, more than the 67108864 slipway reads",
		},
		{
			name: "layer decompressing past the scan bound", img: bomb("usr/share/big", 256<<20), opts: inspect.Options{MaxScan: 64 << 20},
			want: "the layers decompress to more than 67108864 bytes: refusing to read more",
		},
		{
			name: "rpmdb.sqlite past the scan bound", img: bomb(inspect.SqlitePath, 128<<20), opts: inspect.Options{MaxScan: 64 << 20},
			want: "extracting var/lib/rpm/rpmdb.sqlite: the layers decompress to more than 67108864 bytes: refusing to read more",
		},
		{
			name: "image of 1001 layers", img: func(t *testing.T) v1.Image {
				l, err := hostile.BombLayer("a", 1)
				if err != nil {
					t.Fatal(err)
				}
				layers := make([]v1.Layer, manifests.MaxLayers+1)
				for i := range layers {
					layers[i] = l
				}
				img, err := hostile.ImageOf(layers...)
				if err != nil {
					t.Fatal(err)
				}
				return img
			},
			want: "image manifest lists 1001 layers, more than the 1000 slipway reads",
		},
		{
			name: "index of 100,000 manifests", img: bomb("a", 1), index: 100_000,
			want: "index lists 100000 manifests, more than the 1000 slipway reads",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			img := tc.img(t)
			var index []byte
			tag := "t"
			if tc.index > 0 {
				var err error
				if index, err = hostile.IndexBomb(img, tc.index); err != nil {
					t.Fatal(err)
				}
				tag = "i"
			}
			dir := filepath.Join(t.TempDir(), "layout")
			if err := hostile.WriteLayout(dir, img, "t", index, "i"); err != nil {
				t.Fatal(err)
			}
			host := hostileRegistry(t, img, index)
			for _, src := range []manifests.Source{
				{Layout: dir, Tag: tag},
				{Ref: mustRef(t, host+"/r:"+tag)},
			} {
				opts := tc.opts
				opts.Packages = true
				opts.TempDir = t.TempDir()
				rep, err := inspect.Inspect(t.Context(), src, opts)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%s: inspect gave %v, %v; want an error containing %q", src, rep, err, tc.want)
				}
			}
		})
	}
}

// hostileRegistry serves img (tagged t) and index (tagged i) from an
// in-process registry.
func hostileRegistry(t *testing.T, img v1.Image, index []byte) string {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	ref := mustRef(t, host+"/r:t")
	blobs, err := hostile.Blobs(img)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range blobs {
		if err := remote.WriteLayer(ref.Context(), b, remote.WithContext(t.Context())); err != nil {
			t.Fatal(err)
		}
	}
	if err := remote.Put(ref, img, remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
	if index == nil {
		return host
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, srv.URL+"/v2/r/manifests/i", bytes.NewReader(index))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", string(types.OCIImageIndex))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT of the index: %s", resp.Status)
	}
	return host
}

func mustRef(t *testing.T, s string) name.Reference {
	t.Helper()
	r, err := manifests.ParseReference(s, nil)
	if err != nil {
		t.Fatal(fmt.Errorf("reference %s: %w", s, err))
	}
	return r
}
