package builder

import (
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/manifests"
)

// TestPublishers: the artifact of two builds goes to each destination
// NewPublisher chooses: the OCI layout and the registry hold the same
// index, the docker archive the first image.
func TestPublishers(t *testing.T) {
	t.Parallel()
	var builds []*ArchBuild
	for _, arch := range []string{"x86_64", "aarch64"} {
		img, err := random.Image(64, 1)
		if err != nil {
			t.Fatal(err)
		}
		builds = append(builds, &ArchBuild{Arch: arch, Image: manifests.ArchImage{Arch: arch, Image: img}})
	}
	art, err := NewArtifact("test/pub", builds)
	if err != nil {
		t.Fatal(err)
	}
	if art.Index == nil || art.Taggable() != art.Index {
		t.Fatal("two architectures and no index")
	}
	want, _ := art.Index.Digest()
	dir := t.TempDir()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	tag, err := name.NewTag(strings.TrimPrefix(srv.URL, "http://")+"/pub:1", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		out  manifests.Output
		tags []name.Reference
	}{
		{manifests.Output{Kind: manifests.OCILayout, Path: filepath.Join(dir, "oci"), Ref: "t"}, nil},
		{manifests.Output{Kind: manifests.DockerArchive, Path: filepath.Join(dir, "img.tar")}, nil},
		{manifests.Output{Kind: manifests.Registry, Ref: tag.String()}, []name.Reference{tag}},
	} {
		pub, err := NewPublisher(tc.out, tc.tags, manifests.PushOptions{})
		if err != nil {
			t.Fatal(err)
		}
		p, err := pub.Publish(t.Context(), art)
		if err != nil {
			t.Fatalf("%s: %v", tc.out.Kind, err)
		}
		switch tc.out.Kind {
		case manifests.OCILayout:
			lp, err := layout.FromPath(tc.out.Path)
			if err != nil {
				t.Fatal(err)
			}
			top, _ := lp.ImageIndex()
			im, err := top.IndexManifest()
			if err != nil || !hasDigest(im.Manifests, want.String()) {
				t.Errorf("layout: %v; want the index %s among %+v", err, want, im)
			}
		case manifests.DockerArchive:
			img, err := tarball.ImageFromPath(tc.out.Path, nil)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := img.ConfigName()
			first, _ := art.Images[0].Image.ConfigName()
			if got != first {
				t.Errorf("archive holds config %s, want the first image's %s", got, first)
			}
		case manifests.Registry:
			d, err := remote.Head(tag)
			if err != nil || d.Digest != want || len(p.Tags) != 1 {
				t.Errorf("registry: %v, %+v, tags %v; want the index %s tagged", err, d, p.Tags, want)
			}
		}
	}
}

func hasDigest(ds []v1.Descriptor, digest string) bool {
	for _, d := range ds {
		if d.Digest.String() == digest {
			return true
		}
	}
	return false
}

// TestPublishStepOrder: the publish step writes the local destinations
// before the registry tags, so a local destination that fails leaves no
// tag; when all succeed, the layout and the registry hold the same index.
func TestPublishStepOrder(t *testing.T) {
	t.Parallel()
	var builds []*ArchBuild
	for _, arch := range []string{"x86_64", "aarch64"} {
		img, err := random.Image(64, 1)
		if err != nil {
			t.Fatal(err)
		}
		builds = append(builds, &ArchBuild{Arch: arch, Image: manifests.ArchImage{Arch: arch, Image: img}})
	}
	cfg := &config.Config{}
	cfg.Image.Name = "test/pub"
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	dir := t.TempDir()
	notADir := filepath.Join(dir, "file")
	if err := os.WriteFile(notADir, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, layout string
		wantErr      bool
	}{
		{"local destination fails", filepath.Join(notADir, "oci"), true},
		{"both written", filepath.Join(dir, "oci"), false},
	} {
		tag, err := name.NewTag(host+"/"+strings.ReplaceAll(tc.name, " ", "-")+":1", name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Publish(t.Context(), cfg, builds, PublishOptions{
			Outputs: []manifests.Output{{Kind: manifests.OCILayout, Path: tc.layout, Ref: "t"}},
			Tags:    []name.Reference{tag},
		})
		_, headErr := remote.Head(tag)
		if tc.wantErr {
			if err == nil || headErr == nil {
				t.Errorf("%s: err %v, and the tag is there: %v", tc.name, err, headErr == nil)
			}
			continue
		}
		if err != nil || headErr != nil {
			t.Fatalf("%s: %v, tag: %v", tc.name, err, headErr)
		}
		want, _ := res.Artifact.Index.Digest()
		lp, err := layout.FromPath(tc.layout)
		if err != nil {
			t.Fatal(err)
		}
		top, _ := lp.ImageIndex()
		im, err := top.IndexManifest()
		if err != nil || !hasDigest(im.Manifests, want.String()) || len(res.Tags) != 1 {
			t.Errorf("%s: layout %v %+v, tags %v; want the index %s", tc.name, err, im, res.Tags, want)
		}
	}
}
