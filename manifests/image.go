package manifests

import (
	"fmt"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// DefaultPath is the PATH an image gets when its config sets none.
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Platform returns the OCI platform of an RPM architecture.
func Platform(rpmArch string) (v1.Platform, error) {
	switch rpmArch {
	case "x86_64":
		return v1.Platform{OS: "linux", Architecture: "amd64"}, nil
	case "aarch64":
		return v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}, nil
	}
	return v1.Platform{}, fmt.Errorf("no OCI platform for RPM architecture %q", rpmArch)
}

// ImageSpec is everything an image of one architecture is made of.
type ImageSpec struct {
	Arch       string // RPM architecture
	Created    time.Time
	Entrypoint []string
	Cmd        []string
	Env        map[string]string // PATH defaults to DefaultPath
	WorkingDir string
	User       string
	Labels     map[string]string
	// Annotations go on the image manifest.
	Annotations map[string]string
	// OSVersion is the platform's os.version (Azure Linux: "azurelinux-3.0").
	OSVersion string
	// Layers, bottom first, each with the history line that made it.
	Layers []HistoryLayer
}

// HistoryLayer is a layer and its history entry.
type HistoryLayer struct {
	Layer     *Layer
	CreatedBy string
	Comment   string
	// Annotations go on the layer's descriptor in the manifest.
	Annotations map[string]string
}

// The annotations of the origin strategy's layers (docs/config.md).
const (
	// LayerPackagesAnnotation lists the NEVRAs a package layer holds,
	// comma-separated.
	LayerPackagesAnnotation = "dev.slipway.layer.packages"
	// LayerSourcesAnnotation lists the source package names whose
	// packages a layer holds, comma-separated: the plan a later build
	// keeps.
	LayerSourcesAnnotation = "dev.slipway.layer.sources"
	// LayerMetadataAnnotation ("true") marks the metadata layer.
	LayerMetadataAnnotation = "dev.slipway.layer.metadata"
)

// Image assembles the OCI image of one architecture.
func Image(spec ImageSpec) (v1.Image, error) {
	if len(spec.Layers) == 0 {
		return nil, errNoLayers
	}
	plat, err := Platform(spec.Arch)
	if err != nil {
		return nil, err
	}
	plat.OSVersion = spec.OSVersion
	created := v1.Time{Time: spec.Created.UTC()}

	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	adds, err := addenda(spec.Layers, created)
	if err != nil {
		return nil, err
	}
	img, err = mutate.Append(img, adds...)
	if err != nil {
		return nil, fmt.Errorf("adding layers: %w", err)
	}

	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Created = created
	cf.Architecture = plat.Architecture
	cf.Variant = plat.Variant
	cf.OS = plat.OS
	cf.OSVersion = plat.OSVersion
	cf.Config.Entrypoint = spec.Entrypoint
	cf.Config.Cmd = spec.Cmd
	cf.Config.Env = envList(spec.Env)
	cf.Config.WorkingDir = spec.WorkingDir
	cf.Config.User = spec.User
	if len(spec.Labels) > 0 {
		cf.Config.Labels = spec.Labels
	}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("writing image config: %w", err)
	}
	if len(spec.Annotations) > 0 {
		img = mutate.Annotations(img, spec.Annotations).(v1.Image)
	}
	return img, nil
}

// envList renders env as sorted KEY=VALUE lines, with PATH first and set
// to DefaultPath unless given.
func envList(env map[string]string) []string {
	path, ok := env["PATH"]
	if !ok {
		path = DefaultPath
	}
	out := []string{"PATH=" + path}
	keys := make([]string, 0, len(env))
	for k := range env {
		if k != "PATH" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, k+"="+env[k])
	}
	return out
}

// ArchImage is one architecture's image in an index.
type ArchImage struct {
	Arch      string
	OSVersion string
	Image     v1.Image
}

// Index assembles the multi-arch index of per-architecture images, in
// the order given, with annotations on the index.
func Index(images []ArchImage, annotations map[string]string) (v1.ImageIndex, error) {
	seen := map[string]bool{}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	adds := make([]mutate.IndexAddendum, 0, len(images))
	for _, ai := range images {
		plat, err := Platform(ai.Arch)
		if err != nil {
			return nil, err
		}
		key := plat.String()
		if seen[key] {
			return nil, fmt.Errorf("two images for platform %s", key)
		}
		seen[key] = true
		plat.OSVersion = ai.OSVersion
		desc, err := descriptorOf(ai.Image)
		if err != nil {
			return nil, err
		}
		desc.Platform = &plat
		adds = append(adds, mutate.IndexAddendum{Add: ai.Image, Descriptor: desc})
	}
	idx = mutate.AppendManifests(idx, adds...)
	if len(annotations) > 0 {
		idx = mutate.Annotations(idx, annotations).(v1.ImageIndex)
	}
	return idx, nil
}

func descriptorOf(img v1.Image) (v1.Descriptor, error) {
	d, err := img.Digest()
	if err != nil {
		return v1.Descriptor{}, err
	}
	sz, err := img.Size()
	if err != nil {
		return v1.Descriptor{}, err
	}
	mt, err := img.MediaType()
	if err != nil {
		return v1.Descriptor{}, err
	}
	return v1.Descriptor{MediaType: mt, Digest: d, Size: sz}, nil
}

// ArchSuffix is the suffix Azure Linux puts on per-arch tags: amd64, arm64.
func ArchSuffix(rpmArch string) string {
	p, err := Platform(rpmArch)
	if err != nil {
		return strings.ReplaceAll(rpmArch, "_", "-")
	}
	return p.Architecture
}

// addenda are layers as go-containerregistry appends them: each with its
// media type, history entry (dated created) and annotations.
func addenda(layers []HistoryLayer, created v1.Time) ([]mutate.Addendum, error) {
	adds := make([]mutate.Addendum, len(layers))
	for i, hl := range layers {
		l, err := hl.Layer.V1()
		if err != nil {
			return nil, err
		}
		adds[i] = mutate.Addendum{
			Layer:     l,
			MediaType: hl.Layer.mediaType,
			History:   v1.History{Created: created, CreatedBy: hl.CreatedBy, Comment: hl.Comment},
		}
		if len(hl.Annotations) > 0 {
			adds[i].Annotations = hl.Annotations
		}
	}
	return adds, nil
}
