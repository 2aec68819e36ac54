package manifests

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Bounds on what an image read back (inspect, diff, merge, push) may make
// slipway handle. Real multi-platform indexes list a few manifests and
// real images a few dozen layers (Docker's own limit is 127).
const (
	MaxIndexManifests = 1000
	MaxLayers         = 1000
	// maxManifestBytes is go-containerregistry's own limit on a manifest
	// fetched from a registry (remote/fetcher.go), applied to layouts too.
	maxManifestBytes = 100 << 20
)

// CheckLayers refuses an image manifest with more than MaxLayers layers.
func CheckLayers(m *v1.Manifest) error {
	if n := len(m.Layers); n > MaxLayers {
		return fmt.Errorf("image manifest lists %d layers, more than the %d slipway reads", n, MaxLayers)
	}
	return nil
}

// onceIndex is an index whose manifest is parsed once, up front, and
// whose images are opened from their descriptors: go-containerregistry's
// layout and registry indexes parse the whole index manifest again for
// every child they open, which makes listing an index of n entries cost
// n² (an index of 100,000 entries never finished). An index with more
// than MaxIndexManifests entries is refused when it is opened.
type onceIndex struct {
	base     v1.ImageIndex
	manifest *v1.IndexManifest
	byDigest map[v1.Hash]v1.Descriptor
	// image opens a child image; index, a child index (nil: the base's).
	image func(v1.Descriptor) (v1.Image, error)
	index func(v1.Descriptor) (v1.ImageIndex, error)
}

func newOnceIndex(base v1.ImageIndex, image func(v1.Descriptor) (v1.Image, error), index func(v1.Descriptor) (v1.ImageIndex, error)) (*onceIndex, error) {
	im, err := base.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("reading index manifest: %w", err)
	}
	if n := len(im.Manifests); n > MaxIndexManifests {
		return nil, fmt.Errorf("index lists %d manifests, more than the %d slipway reads", n, MaxIndexManifests)
	}
	o := &onceIndex{base: base, manifest: im, byDigest: make(map[v1.Hash]v1.Descriptor, len(im.Manifests)), image: image, index: index}
	for _, d := range im.Manifests {
		if _, dup := o.byDigest[d.Digest]; !dup {
			o.byDigest[d.Digest] = d
		}
	}
	return o, nil
}

func (o *onceIndex) MediaType() (types.MediaType, error)       { return o.base.MediaType() }
func (o *onceIndex) Digest() (v1.Hash, error)                  { return o.base.Digest() }
func (o *onceIndex) Size() (int64, error)                      { return o.base.Size() }
func (o *onceIndex) RawManifest() ([]byte, error)              { return o.base.RawManifest() }
func (o *onceIndex) IndexManifest() (*v1.IndexManifest, error) { return o.manifest.DeepCopy(), nil }

func (o *onceIndex) child(h v1.Hash) (v1.Descriptor, error) {
	d, ok := o.byDigest[h]
	if !ok {
		return v1.Descriptor{}, fmt.Errorf("index has no manifest %s", h)
	}
	return d, nil
}

func (o *onceIndex) Image(h v1.Hash) (v1.Image, error) {
	d, err := o.child(h)
	if err != nil {
		return nil, err
	}
	if !d.MediaType.IsImage() {
		return nil, fmt.Errorf("manifest %s has media type %s, not an image", h, d.MediaType)
	}
	return o.image(d)
}

func (o *onceIndex) ImageIndex(h v1.Hash) (v1.ImageIndex, error) {
	d, err := o.child(h)
	if err != nil {
		return nil, err
	}
	if !d.MediaType.IsIndex() {
		return nil, fmt.Errorf("manifest %s has media type %s, not an index", h, d.MediaType)
	}
	if o.index != nil {
		return o.index(d)
	}
	child, err := o.base.ImageIndex(h)
	if err != nil {
		return nil, err
	}
	return newOnceIndex(child, o.image, nil)
}

// layoutIndex opens the index at digest d of the OCI layout p (its whole
// tree read through onceIndex).
func layoutIndex(p layout.Path, d v1.Descriptor) (v1.ImageIndex, error) {
	raw, err := readBlob(p, d)
	if err != nil {
		return nil, err
	}
	base := &rawIndexBlob{raw: raw, desc: d}
	return newOnceIndex(base, func(d v1.Descriptor) (v1.Image, error) { return layoutImage(p, d) },
		func(d v1.Descriptor) (v1.ImageIndex, error) { return layoutIndex(p, d) })
}

// rawIndexBlob is an index manifest read from a blob; it opens no children
// (onceIndex does).
type rawIndexBlob struct {
	raw  []byte
	desc v1.Descriptor
}

func (r *rawIndexBlob) MediaType() (types.MediaType, error) { return r.desc.MediaType, nil }
func (r *rawIndexBlob) Digest() (v1.Hash, error)            { return r.desc.Digest, nil }
func (r *rawIndexBlob) Size() (int64, error)                { return r.desc.Size, nil }
func (r *rawIndexBlob) RawManifest() ([]byte, error)        { return r.raw, nil }
func (r *rawIndexBlob) IndexManifest() (*v1.IndexManifest, error) {
	return v1.ParseIndexManifest(bytes.NewReader(r.raw))
}
func (r *rawIndexBlob) Image(v1.Hash) (v1.Image, error) {
	return nil, fmt.Errorf("rawIndexBlob opens no images")
}
func (r *rawIndexBlob) ImageIndex(v1.Hash) (v1.ImageIndex, error) {
	return nil, fmt.Errorf("rawIndexBlob opens no indexes")
}

// readBlob reads a manifest blob of a layout, at most maxManifestBytes,
// and checks its digest.
func readBlob(p layout.Path, d v1.Descriptor) ([]byte, error) {
	if d.Size > maxManifestBytes {
		return nil, fmt.Errorf("manifest %s: %d bytes, more than the %d slipway reads", d.Digest, d.Size, maxManifestBytes)
	}
	rc, err := p.Blob(d.Digest)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxManifestBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading manifest %s: %w", d.Digest, err)
	}
	if len(b) > maxManifestBytes {
		return nil, fmt.Errorf("manifest %s: more than %d bytes", d.Digest, maxManifestBytes)
	}
	h, _, err := v1.SHA256(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	if h != d.Digest {
		return nil, fmt.Errorf("manifest %s: the blob's digest is %s", d.Digest, h)
	}
	return b, nil
}

// layoutImage opens the image at descriptor d of the layout p. Its
// manifest is parsed once (go-containerregistry's layout image parses it
// again for each layer it opens).
func layoutImage(p layout.Path, d v1.Descriptor) (v1.Image, error) {
	return partial.CompressedToImage(&blobImage{path: p, desc: d})
}

type blobImage struct {
	path layout.Path
	desc v1.Descriptor

	once     sync.Once
	raw      []byte
	manifest *v1.Manifest
	err      error
}

func (b *blobImage) load() error {
	b.once.Do(func() {
		if b.raw, b.err = readBlob(b.path, b.desc); b.err != nil {
			return
		}
		if b.manifest, b.err = v1.ParseManifest(bytes.NewReader(b.raw)); b.err != nil {
			b.err = fmt.Errorf("parsing manifest %s: %w", b.desc.Digest, b.err)
			return
		}
		b.err = CheckLayers(b.manifest)
	})
	return b.err
}

func (b *blobImage) MediaType() (types.MediaType, error) { return b.desc.MediaType, nil }
func (b *blobImage) Descriptor() (*v1.Descriptor, error) { d := b.desc; return &d, nil }

func (b *blobImage) RawManifest() ([]byte, error) {
	if err := b.load(); err != nil {
		return nil, err
	}
	return b.raw, nil
}

func (b *blobImage) Manifest() (*v1.Manifest, error) {
	if err := b.load(); err != nil {
		return nil, err
	}
	return b.manifest.DeepCopy(), nil
}

func (b *blobImage) RawConfigFile() ([]byte, error) {
	if err := b.load(); err != nil {
		return nil, err
	}
	return b.path.Bytes(b.manifest.Config.Digest)
}

func (b *blobImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	if err := b.load(); err != nil {
		return nil, err
	}
	if h == b.manifest.Config.Digest {
		return &blobLayer{path: b.path, desc: b.manifest.Config}, nil
	}
	for _, d := range b.manifest.Layers {
		if d.Digest == h {
			return &blobLayer{path: b.path, desc: d}, nil
		}
	}
	return nil, fmt.Errorf("image %s has no layer %s", b.desc.Digest, h)
}

// blobLayer is a layer (or config) blob of a layout.
type blobLayer struct {
	path layout.Path
	desc v1.Descriptor
}

func (l *blobLayer) Digest() (v1.Hash, error)            { return l.desc.Digest, nil }
func (l *blobLayer) Compressed() (io.ReadCloser, error)  { return l.path.Blob(l.desc.Digest) }
func (l *blobLayer) Size() (int64, error)                { return l.desc.Size, nil }
func (l *blobLayer) MediaType() (types.MediaType, error) { return l.desc.MediaType, nil }
func (l *blobLayer) Descriptor() (*v1.Descriptor, error) { d := l.desc; return &d, nil }

// loadArchive opens the image named ref (or the only image) of a docker
// archive (docker save, slipway build --output docker-archive:).
func loadArchive(file, ref string) (v1.Image, error) {
	if ref == "" {
		m, err := tarball.LoadManifest(func() (io.ReadCloser, error) { return os.Open(file) })
		if err != nil {
			return nil, fmt.Errorf("reading docker archive %s: %w", file, err)
		}
		switch len(m) {
		case 0:
			return nil, fmt.Errorf("docker archive %s holds no image", file)
		case 1:
		default:
			var tags []string
			for _, d := range m {
				tags = append(tags, d.RepoTags...)
			}
			sort.Strings(tags)
			return nil, fmt.Errorf("docker archive %s holds %d images (%s): name one as docker-archive:%s:REF", file, len(m), strings.Join(tags, ", "), file)
		}
		img, err := tarball.ImageFromPath(file, nil)
		if err != nil {
			return nil, fmt.Errorf("reading docker archive %s: %w", file, err)
		}
		return checkedImage(img)
	}
	tag, err := name.NewTag(ref)
	if err != nil {
		return nil, fmt.Errorf("docker archive reference %q: %w", ref, err)
	}
	img, err := tarball.ImageFromPath(file, &tag)
	if err != nil {
		return nil, fmt.Errorf("reading %s from docker archive %s: %w", ref, file, err)
	}
	return checkedImage(img)
}

// checkedImage refuses an image with more than MaxLayers layers.
func checkedImage(img v1.Image) (v1.Image, error) {
	m, err := img.Manifest()
	if err != nil {
		return nil, err
	}
	if err := CheckLayers(m); err != nil {
		return nil, err
	}
	return img, nil
}
