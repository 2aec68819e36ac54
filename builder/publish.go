package builder

import (
	"context"
	"errors"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/slipway-build/slipway/manifests"
)

// Artifact is what a build publishes: each architecture's image and, for
// more than one architecture, the index over them.
type Artifact struct {
	Name   string // the configuration's image.name
	Images []manifests.ArchImage
	Index  v1.ImageIndex // nil for one architecture
}

// NewArtifact assembles the artifact of builds (in their order); several
// architectures get an index.
func NewArtifact(imageName string, builds []*ArchBuild) (*Artifact, error) {
	a := &Artifact{Name: imageName, Images: make([]manifests.ArchImage, len(builds))}
	for i, b := range builds {
		a.Images[i] = b.Image
	}
	if len(a.Images) > 1 {
		idx, err := manifests.PublishIndex(a.Images)
		if err != nil {
			return nil, err
		}
		a.Index = idx
	}
	return a, nil
}

// Taggable is what a registry tag points at: the index, or the only image.
func (a *Artifact) Taggable() remote.Taggable {
	if a.Index != nil {
		return a.Index
	}
	return a.Images[0].Image
}

// Published is what a publisher wrote.
type Published struct {
	Tags    []string             // registry tags set, when the destination is a registry
	Uploads []manifests.RepoPush // per repository pushed to
}

// Publisher writes an artifact to one destination, the shape of ko's
// publish.Interface: one implementation per destination (OCI layout,
// docker archive, registry), chosen by NewPublisher.
type Publisher interface {
	Publish(ctx context.Context, a *Artifact) (*Published, error)
}

// NewPublisher is the publisher of an --output destination; tags are the
// registry references of a registry destination.
func NewPublisher(out manifests.Output, tags []name.Reference, opts manifests.PushOptions) (Publisher, error) {
	switch out.Kind {
	case manifests.OCILayout:
		return layoutPublisher{dir: out.Path, ref: out.Ref}, nil
	case manifests.DockerArchive:
		return archivePublisher{path: out.Path, ref: out.Ref}, nil
	case manifests.Registry:
		return registryPublisher{tags: tags, opts: opts}, nil
	}
	return nil, errors.New("unknown output")
}

// layoutPublisher adds the artifact to an OCI image layout, tagged ref
// (and ref-ARCH).
type layoutPublisher struct{ dir, ref string }

func (p layoutPublisher) Publish(_ context.Context, a *Artifact) (*Published, error) {
	return &Published{}, manifests.WriteOCILayout(p.dir, p.ref, a.Index, a.Images)
}

// archivePublisher writes the first image as a docker archive named ref
// (default NAME:latest).
type archivePublisher struct{ path, ref string }

func (p archivePublisher) Publish(_ context.Context, a *Artifact) (*Published, error) {
	ref := p.ref
	if ref == "" {
		ref = a.Name + ":latest"
	}
	return &Published{}, manifests.WriteDockerArchive(p.path, ref, a.Images[0].Image)
}

// registryPublisher pushes to every tag in one push: each repository gets
// the blobs once, and no tag is set before every repository has every
// blob and manifest (manifests.Push). That is why several --tag values go
// to one registryPublisher rather than to one publisher per tag.
type registryPublisher struct {
	tags []name.Reference
	opts manifests.PushOptions
}

func (p registryPublisher) Publish(ctx context.Context, a *Artifact) (*Published, error) {
	pr, err := manifests.Push(ctx, a.Taggable(), p.tags, p.opts)
	if err != nil {
		return nil, err
	}
	return &Published{Tags: pr.Tags, Uploads: pr.Repositories}, nil
}
