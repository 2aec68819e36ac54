package manifests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// TestArchiveSource: docker-archive:FILE[:REF] opens the archive's image,
// the one named REF when it holds several; without REF such an archive is
// refused, naming its images.
func TestArchiveSource(t *testing.T) {
	t.Parallel()
	images := testImages(t, t.TempDir())
	dir := t.TempDir()
	one := filepath.Join(dir, "one.tar")
	if err := WriteDockerArchive(one, "test/one:1", images[0].Image); err != nil {
		t.Fatal(err)
	}
	two := filepath.Join(dir, "two.tar")
	f, err := os.Create(two)
	if err != nil {
		t.Fatal(err)
	}
	if err := tarball.MultiRefWrite(map[name.Reference]v1.Image{
		name.MustParseReference("test/amd:1"): images[0].Image,
		name.MustParseReference("test/arm:1"): images[1].Image,
	}, f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, tc := range []struct {
		src  string
		want v1.Image // nil: an error
		err  string
	}{
		{"docker-archive:" + one, images[0].Image, ""},
		{"docker-archive:" + one + ":test/one:1", images[0].Image, ""},
		{"docker-archive:" + two + ":test/arm:1", images[1].Image, ""},
		{"docker-archive:" + two, nil, "docker archive " + two + " holds 2 images (test/amd:1, test/arm:1): name one as docker-archive:" + two + ":REF"},
		{"docker-archive:" + one + ":test/other:1", nil, "reading test/other:1 from docker archive " + one},
		{"docker-archive:" + filepath.Join(dir, "none.tar"), nil, "none.tar: no such file or directory"},
	} {
		s, err := ParseSource(tc.src, nil)
		if err != nil {
			t.Fatal(err)
		}
		if s.String() != tc.src {
			t.Errorf("%s prints as %s", tc.src, s)
		}
		a, err := s.Load(t.Context(), PushOptions{})
		if tc.want == nil {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: %v; want an error containing %q", tc.src, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.src, err)
			continue
		}
		img := a.(v1.Image)
		if err := validate.Image(img); err != nil {
			t.Errorf("%s: validate.Image: %v", tc.src, err)
		}
		// The archive keeps the config and layers (under Docker's media
		// types).
		got, _ := img.ConfigName()
		want, _ := tc.want.ConfigName()
		gl, _ := img.Layers()
		wl, _ := tc.want.Layers()
		if got != want || len(gl) != len(wl) || must(gl[0].Digest()) != must(wl[0].Digest()) {
			t.Errorf("%s: config %s, want %s", tc.src, got, want)
		}
	}
}

// TestLayoutSourceEntries: without a tag, a layout of one build gives its
// index; one holding more is refused, its entries counted.
func TestLayoutSourceEntries(t *testing.T) {
	t.Parallel()
	idx, images := testIndex(t)
	dir := filepath.Join(t.TempDir(), "oci")
	if err := WriteOCILayout(dir, "v1", idx, images); err != nil {
		t.Fatal(err)
	}
	a, err := Source{Layout: dir}.Load(t.Context(), PushOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := a.(v1.ImageIndex); !ok || must(got.Digest()) != must(idx.Digest()) {
		t.Errorf("oci:%s is not the build's index", dir)
	}
	// Another image beside the build: two images of the index, one not.
	extra := filepath.Join(t.TempDir(), "x")
	if err := WriteOCILayout(extra, "x", nil, []ArchImage{{Arch: "x86_64", Image: mutate.Annotations(images[0].Image, map[string]string{"x": "y"}).(v1.Image)}}); err != nil {
		t.Fatal(err)
	}
	var top, add v1.IndexManifest
	for p, im := range map[string]*v1.IndexManifest{dir: &top, extra: &add} {
		b, err := os.ReadFile(filepath.Join(p, "index.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, im); err != nil {
			t.Fatal(err)
		}
	}
	top.Manifests = append(top.Manifests, add.Manifests...)
	b, _ := json.Marshal(top)
	if err := os.WriteFile(filepath.Join(dir, "index.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Source{Layout: dir}.Load(t.Context(), PushOptions{})
	want := "OCI layout " + dir + " holds 1 index and 3 images (tags v1, v1-amd64, v1-arm64, x): name one as oci:" + dir + ":TAG"
	if err == nil || err.Error() != want {
		t.Errorf("layout with an extra image: %v\nwant %s", err, want)
	}
}
