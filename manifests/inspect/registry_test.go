package inspect

import (
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/slipway-build/slipway/manifests"
)

// TestInspectRegistry reads an image from a loopback registry over plain
// HTTP and finds the same digest and packages as from the layout it came
// from.
func TestInspectRegistry(t *testing.T) {
	t.Parallel()
	m2 := []byte("tzdata\t2024a-1.azl3\t1700000000\t1700000000\tSlipway Test\t(none)\t1234\tnoarch\t0\ttzdata-2024a-1.azl3.src.rpm\n")
	dir := writeImage(t, map[string][]byte{ManifestPath: m2})
	fromLayout, err := Inspect(t.Context(), manifests.Source{Layout: dir}, Options{Packages: true})
	if err != nil {
		t.Fatal(err)
	}
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	img, err := idx.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	src, err := manifests.ParseSource(host+"/test/img:v1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(src.Ref, img, remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
	got, err := Inspect(t.Context(), src, Options{Packages: true, Arch: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Digest != fromLayout.Digest || len(got.Images) != 1 || got.Images[0].PackageDB != DBManifest ||
		len(got.Images[0].Packages) != 1 || got.Images[0].Packages[0].NEVRA().String() != "tzdata-2024a-1.azl3.noarch" {
		t.Errorf("from the registry: %+v\nfrom the layout: %+v", got, fromLayout)
	}
	if _, err := Inspect(t.Context(), manifests.Source{Ref: src.Ref.Context().Tag("missing")}, Options{}); err == nil {
		t.Error("a missing tag was inspected")
	}
}
