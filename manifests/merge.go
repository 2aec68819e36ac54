package manifests

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Annotations slipway records on every manifest, so that images built on
// separate runners can be checked to come from the same inputs.
const (
	ConfigDigestAnnotation = "dev.slipway.config.digest"
	LockDigestAnnotation   = "dev.slipway.lock.digest"
	CreatedAnnotation      = "org.opencontainers.image.created"
)

// PublishIndex assembles the index slipway publishes from per-architecture
// images, whether they were built in one run or merged afterwards: the
// images sorted by platform, each entry's platform (with os.version) taken
// from the image's config, and as the index's annotations those every
// image carries with the same value, with created the newest image's.
// Nothing depends on when or where the index is assembled, so merging
// single-architecture builds gives the digest of a build of all of them.
func PublishIndex(images []ArchImage) (v1.ImageIndex, error) {
	if len(images) == 0 {
		return nil, errors.New("index: no images")
	}
	sorted := make([]ArchImage, len(images))
	copy(sorted, images)
	for i := range sorted {
		cf, err := sorted[i].Image.ConfigFile()
		if err != nil {
			return nil, fmt.Errorf("index: reading image config: %w", err)
		}
		sorted[i].OSVersion = cf.OSVersion
		sorted[i].Image = plainImage{sorted[i].Image}
		if _, err := Platform(sorted[i].Arch); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(sorted, func(i, j int) bool {
		pi, _ := Platform(sorted[i].Arch)
		pj, _ := Platform(sorted[j].Arch)
		return pi.String() < pj.String()
	})
	ann, err := sharedAnnotations(sorted)
	if err != nil {
		return nil, err
	}
	idx, err := Index(sorted, ann)
	if err != nil {
		return nil, err
	}
	return withoutArtifactType(idx)
}

// withoutArtifactType drops the artifactType go-containerregistry puts on
// index entries of plain images (the config's media type): the image spec
// means it for artifacts, other builders leave it out, and older clients
// (skopeo 1.9) rewrite an index that has it, changing its digest.
func withoutArtifactType(idx v1.ImageIndex) (v1.ImageIndex, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	im = im.DeepCopy()
	for i := range im.Manifests {
		im.Manifests[i].ArtifactType = ""
	}
	raw, err := json.Marshal(im)
	if err != nil {
		return nil, err
	}
	h, size, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	return &rawIndex{base: idx, raw: raw, manifest: im, digest: h, size: size}, nil
}

// rawIndex is an index whose manifest is given as bytes; its images come
// from the index it was made from.
type rawIndex struct {
	base     v1.ImageIndex
	raw      []byte
	manifest *v1.IndexManifest
	digest   v1.Hash
	size     int64
}

func (r *rawIndex) MediaType() (types.MediaType, error)         { return r.base.MediaType() }
func (r *rawIndex) Image(h v1.Hash) (v1.Image, error)           { return r.base.Image(h) }
func (r *rawIndex) ImageIndex(h v1.Hash) (v1.ImageIndex, error) { return r.base.ImageIndex(h) }
func (r *rawIndex) RawManifest() ([]byte, error)                { return r.raw, nil }
func (r *rawIndex) IndexManifest() (*v1.IndexManifest, error)   { return r.manifest.DeepCopy(), nil }
func (r *rawIndex) Digest() (v1.Hash, error)                    { return r.digest, nil }
func (r *rawIndex) Size() (int64, error)                        { return r.size, nil }

// plainImage hides the descriptor an image read from a registry or layout
// carries (with that copy's annotations), so that the index entry is made
// from the manifest alone, wherever the image came from.
type plainImage struct{ v1.Image }

// sharedAnnotations are the manifest annotations all images agree on,
// with created the newest of theirs.
func sharedAnnotations(images []ArchImage) (map[string]string, error) {
	var shared map[string]string
	var newest time.Time
	for i, ai := range images {
		m, err := ai.Image.Manifest()
		if err != nil {
			return nil, fmt.Errorf("index: reading manifest of %s: %w", ai.Arch, err)
		}
		if c, ok := m.Annotations[CreatedAnnotation]; ok {
			if t, err := time.Parse(time.RFC3339, c); err == nil && t.After(newest) {
				newest = t
			}
		}
		if i == 0 {
			shared = map[string]string{}
			for k, v := range m.Annotations {
				shared[k] = v
			}
			continue
		}
		for k, v := range shared {
			if m.Annotations[k] != v {
				delete(shared, k)
			}
		}
	}
	if !newest.IsZero() {
		shared[CreatedAnnotation] = newest.UTC().Format(time.RFC3339)
	}
	return shared, nil
}

// RPMArch is the RPM architecture of an OCI platform's architecture.
func RPMArch(p v1.Platform) (string, error) {
	for _, a := range []string{"x86_64", "aarch64"} {
		q, _ := Platform(a)
		if q.OS == p.OS && q.Architecture == p.Architecture {
			return a, nil
		}
	}
	return "", fmt.Errorf("no RPM architecture for platform %s", p.String())
}

// Source is an image or index to merge, push or inspect: "oci:DIR[:TAG]",
// "docker-archive:FILE[:REF]" or a registry reference.
type Source struct {
	Layout  string // OCI layout directory; empty for a registry reference
	Archive string // docker archive file
	Tag     string // the layout's ref name or the archive's image; may be empty
	Ref     name.Reference
}

func (s Source) String() string {
	prefix, where := "oci:", s.Layout
	if s.Archive != "" {
		prefix, where = "docker-archive:", s.Archive
	}
	if where != "" {
		if s.Tag != "" {
			return prefix + where + ":" + s.Tag
		}
		return prefix + where
	}
	return s.Ref.String()
}

// ParseSource reads "oci:DIR[:TAG]", "docker-archive:FILE[:REF]" or an
// image reference.
func ParseSource(s string, insecure []string) (Source, error) {
	if strings.HasPrefix(s, "oci:") || strings.HasPrefix(s, "docker:") || strings.HasPrefix(s, "docker-archive:") {
		o, err := ParseOutput(s)
		if err != nil {
			return Source{}, err
		}
		switch o.Kind {
		case OCILayout:
			return Source{Layout: o.Path, Tag: o.Ref}, nil
		case DockerArchive:
			return Source{Archive: o.Path, Tag: o.Ref}, nil
		}
		s = o.Ref
	}
	ref, err := ParseReference(s, insecure)
	if err != nil {
		return Source{}, err
	}
	return Source{Ref: ref}, nil
}

// Load opens the source: an index or an image (remote ones lazily). An
// index's manifest is read once, and one with more than
// MaxIndexManifests entries is refused, as is an image with more than
// MaxLayers layers.
func (s Source) Load(ctx context.Context, opts PushOptions) (remote.Taggable, error) {
	switch {
	case s.Layout != "":
		return loadLayout(s.Layout, s.Tag)
	case s.Archive != "":
		return loadArchive(s.Archive, s.Tag)
	}
	ropts := remoteOptions(ctx, opts)
	desc, err := remote.Get(s.Ref, ropts...)
	if err != nil {
		return nil, readError(s.Ref.String(), err)
	}
	if !desc.MediaType.IsIndex() {
		img, err := desc.Image()
		if err != nil {
			return nil, err
		}
		return checkedImage(img)
	}
	idx, err := desc.ImageIndex()
	if err != nil {
		return nil, err
	}
	repo := s.Ref.Context()
	child := func(d v1.Descriptor) (v1.Image, error) {
		img, err := remote.Image(repo.Digest(d.Digest.String()), ropts...)
		if err != nil {
			return nil, readError(repo.Digest(d.Digest.String()).String(), err)
		}
		return checkedImage(img)
	}
	o, err := newOnceIndex(idx, child, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Ref, err)
	}
	return o, nil
}

// loadLayout finds the manifest named tag in an OCI layout's index.json,
// or its only image or index when tag is empty. The layout of one build
// (its index, and with a tag each architecture's image as TAG-ARCH) counts
// as its index.
func loadLayout(dir, tag string) (remote.Taggable, error) {
	if err := checkLayoutFiles(dir); err != nil {
		return nil, fmt.Errorf("reading OCI layout %s: %w", dir, err)
	}
	root, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, fmt.Errorf("reading OCI layout %s: %w", dir, err)
	}
	im, err := root.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("reading OCI layout %s: %w", dir, err)
	}
	p := layout.Path(dir)
	var found []v1.Descriptor
	for _, d := range im.Manifests {
		if tag == "" || d.Annotations[RefNameAnnotation] == tag {
			found = append(found, d)
		}
	}
	switch {
	case len(found) == 0 && tag != "":
		return nil, fmt.Errorf("OCI layout %s has no image named %q", dir, tag)
	case len(found) == 0:
		return nil, fmt.Errorf("OCI layout %s is empty", dir)
	case len(found) > 1 && tag == "":
		d, err := oneBuild(p, found)
		if err != nil {
			return nil, fmt.Errorf("OCI layout %s: %w", dir, err)
		}
		if d == nil {
			return nil, fmt.Errorf("OCI layout %s holds %s: name one as oci:%s:TAG", dir, describeEntries(found), dir)
		}
		found = []v1.Descriptor{*d}
	case len(found) > 1:
		return nil, fmt.Errorf("OCI layout %s names %d images %q", dir, len(found), tag)
	}
	d := found[0]
	switch {
	case d.MediaType.IsIndex():
		idx, err := layoutIndex(p, d)
		if err != nil {
			return nil, fmt.Errorf("OCI layout %s: index %s: %w", dir, d.Digest, err)
		}
		return idx, nil
	case d.MediaType.IsImage():
		img, err := layoutImage(p, d)
		if err != nil {
			return nil, fmt.Errorf("OCI layout %s: image %s: %w", dir, d.Digest, err)
		}
		if _, err := img.Manifest(); err != nil {
			return nil, fmt.Errorf("OCI layout %s: image %s: %w", dir, d.Digest, err)
		}
		return img, nil
	}
	return nil, fmt.Errorf("OCI layout %s: %s has media type %s, not an image or index", dir, d.Digest, d.MediaType)
}

// oneBuild returns the index among entries when it is the only index and
// every other entry is one of its images (a build's layout with its
// TAG-ARCH entries); nil otherwise.
func oneBuild(p layout.Path, entries []v1.Descriptor) (*v1.Descriptor, error) {
	var idx *v1.Descriptor
	for i, d := range entries {
		if d.MediaType.IsIndex() {
			if idx != nil && idx.Digest != d.Digest {
				return nil, nil
			}
			idx = &entries[i]
		}
	}
	if idx == nil {
		return nil, nil
	}
	raw, err := readBlob(p, *idx)
	if err != nil {
		return nil, err
	}
	im, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("parsing index %s: %w", idx.Digest, err)
	}
	children := map[v1.Hash]bool{}
	for _, c := range im.Manifests {
		children[c.Digest] = true
	}
	for _, d := range entries {
		if d.Digest != idx.Digest && !children[d.Digest] {
			return nil, nil
		}
	}
	return idx, nil
}

// describeEntries counts a layout's entries as "2 indexes and 3 images
// (tags a, b)".
func describeEntries(entries []v1.Descriptor) string {
	var indexes, images, other int
	var tags []string
	for _, d := range entries {
		switch {
		case d.MediaType.IsIndex():
			indexes++
		case d.MediaType.IsImage():
			images++
		default:
			other++
		}
		if t := d.Annotations[RefNameAnnotation]; t != "" {
			tags = append(tags, t)
		}
	}
	var parts []string
	count := func(n int, one, many string) {
		switch {
		case n == 1:
			parts = append(parts, "1 "+one)
		case n > 1:
			parts = append(parts, fmt.Sprintf("%d %s", n, many))
		}
	}
	count(indexes, "index", "indexes")
	count(images, "image", "images")
	count(other, "other manifest", "other manifests")
	s := strings.Join(parts, " and ")
	if len(tags) > 0 {
		sort.Strings(tags)
		if len(tags) > 10 {
			tags = append(tags[:10], "...")
		}
		s += " (tags " + strings.Join(tags, ", ") + ")"
	}
	return s
}

// IndexImages lists the image entries of an index (not nested indexes)
// with each image, in the index's order. An index of more than
// MaxIndexManifests entries is refused.
func IndexImages(idx v1.ImageIndex) ([]v1.Descriptor, []v1.Image, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, nil, err
	}
	if n := len(im.Manifests); n > MaxIndexManifests {
		return nil, nil, fmt.Errorf("index lists %d manifests, more than the %d slipway reads", n, MaxIndexManifests)
	}
	var descs []v1.Descriptor
	var imgs []v1.Image
	for _, d := range im.Manifests {
		if !d.MediaType.IsImage() {
			continue
		}
		img, err := idx.Image(d.Digest)
		if err != nil {
			return nil, nil, fmt.Errorf("image %s: %w", d.Digest, err)
		}
		descs = append(descs, d)
		imgs = append(imgs, img)
	}
	return descs, imgs, nil
}

// ArchImages lists the per-architecture images of an index or image.
func ArchImages(t remote.Taggable) ([]ArchImage, error) {
	var imgs []v1.Image
	switch a := t.(type) {
	case v1.ImageIndex:
		var err error
		if _, imgs, err = IndexImages(a); err != nil {
			return nil, err
		}
	case v1.Image:
		imgs = append(imgs, a)
	default:
		return nil, fmt.Errorf("not an image or index: %T", t)
	}
	out := make([]ArchImage, len(imgs))
	for i, img := range imgs {
		cf, err := img.ConfigFile()
		if err != nil {
			return nil, fmt.Errorf("reading image config: %w", err)
		}
		arch, err := RPMArch(*cf.Platform())
		if err != nil {
			return nil, err
		}
		out[i] = ArchImage{Arch: arch, OSVersion: cf.OSVersion, Image: img}
	}
	return out, nil
}

// MergeError says why images cannot go into one index.
type MergeError struct {
	Reason string
}

func (e *MergeError) Error() string { return "merge: " + e.Reason }

// Merge checks that the images of several sources (names for messages)
// were built from the same configuration and lockfile and cover distinct
// platforms, and assembles their index with PublishIndex.
func Merge(names []string, sources [][]ArchImage) (v1.ImageIndex, []ArchImage, error) {
	type seen struct{ src, cfg, lock string }
	var all []ArchImage
	var first *seen
	platforms := map[string]string{}
	for i, imgs := range sources {
		for _, ai := range imgs {
			m, err := ai.Image.Manifest()
			if err != nil {
				return nil, nil, fmt.Errorf("merge: manifest of %s in %s: %w", ai.Arch, names[i], err)
			}
			s := seen{names[i], m.Annotations[ConfigDigestAnnotation], m.Annotations[LockDigestAnnotation]}
			if first == nil {
				first = &s
			} else {
				if s.cfg != first.cfg {
					return nil, nil, &MergeError{fmt.Sprintf("%s was built from configuration %s but %s from %s", s.src, orNone(s.cfg), first.src, orNone(first.cfg))}
				}
				if s.lock != first.lock {
					return nil, nil, &MergeError{fmt.Sprintf("%s was built from lockfile %s but %s from %s", s.src, orNone(s.lock), first.src, orNone(first.lock))}
				}
			}
			p, _ := Platform(ai.Arch)
			if prev, dup := platforms[p.String()]; dup {
				return nil, nil, &MergeError{fmt.Sprintf("two images for platform %s (%s and %s)", p.String(), prev, names[i])}
			}
			platforms[p.String()] = names[i]
			all = append(all, ai)
		}
	}
	if len(all) == 0 {
		return nil, nil, &MergeError{"no images"}
	}
	idx, err := PublishIndex(all)
	if err != nil {
		return nil, nil, err
	}
	sort.SliceStable(all, func(i, j int) bool {
		pi, _ := Platform(all[i].Arch)
		pj, _ := Platform(all[j].Arch)
		return pi.String() < pj.String()
	})
	return idx, all, nil
}

func orNone(s string) string {
	if s == "" {
		return "(none recorded)"
	}
	return s
}
