package hostile

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// BombLayer is a gzip layer whose tar holds one regular file, name, of
// size zero bytes. It is made of repeated gzip members (a reader joins
// them), so building it costs about size/1000 bytes and no compression
// of size bytes. Its DiffID is not the digest of the tar (computing it
// would read the whole bomb); readers that check it refuse the layer.
func BombLayer(name string, size int64) (v1.Layer, error) {
	var hdr bytes.Buffer
	tw := tar.NewWriter(&hdr)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: size, Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
		return nil, err
	}
	member := func(b []byte) ([]byte, error) {
		var z bytes.Buffer
		w, err := gzip.NewWriterLevel(&z, gzip.BestCompression)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(b); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		return z.Bytes(), nil
	}
	var out bytes.Buffer
	m, err := member(hdr.Bytes())
	if err != nil {
		return nil, err
	}
	out.Write(m)
	// The file's data, its padding and the two end blocks are all zeros.
	zeros := size + (512-size%512)%512 + 1024
	const chunk = 1 << 20
	full, err := member(make([]byte, chunk))
	if err != nil {
		return nil, err
	}
	for ; zeros >= chunk; zeros -= chunk {
		out.Write(full)
	}
	if m, err = member(make([]byte, zeros)); err != nil {
		return nil, err
	}
	out.Write(m)
	return rawLayer(out.Bytes())
}

// rawLayer is a gzip layer of the given compressed bytes.
func rawLayer(b []byte) (v1.Layer, error) {
	h, n, err := v1.SHA256(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return &staticLayer{b: b, digest: h, size: n}, nil
}

type staticLayer struct {
	b      []byte
	digest v1.Hash
	size   int64
}

func (l *staticLayer) Digest() (v1.Hash, error)            { return l.digest, nil }
func (l *staticLayer) DiffID() (v1.Hash, error)            { return l.digest, nil }
func (l *staticLayer) Size() (int64, error)                { return l.size, nil }
func (l *staticLayer) MediaType() (types.MediaType, error) { return types.OCILayer, nil }
func (l *staticLayer) Compressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.b)), nil
}
func (l *staticLayer) Uncompressed() (io.ReadCloser, error) {
	return gzip.NewReader(bytes.NewReader(l.b))
}

// ImageOf is a linux/amd64 image of the given layers. Its manifest and
// config are made once (go-containerregistry's mutate remakes the config
// for every layer it opens: quadratic in the layers).
func ImageOf(layers ...v1.Layer) (v1.Image, error) {
	cf := v1.ConfigFile{OS: "linux", Architecture: "amd64", RootFS: v1.RootFS{Type: "layers"}}
	m := v1.Manifest{SchemaVersion: 2, MediaType: types.OCIManifestSchema1}
	byDigest := map[v1.Hash]v1.Layer{}
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return nil, err
		}
		diff, err := l.DiffID()
		if err != nil {
			return nil, err
		}
		size, err := l.Size()
		if err != nil {
			return nil, err
		}
		mt, err := l.MediaType()
		if err != nil {
			return nil, err
		}
		cf.RootFS.DiffIDs = append(cf.RootFS.DiffIDs, diff)
		m.Layers = append(m.Layers, v1.Descriptor{MediaType: mt, Size: size, Digest: d})
		byDigest[d] = l
	}
	rawConfig, err := json.Marshal(cf)
	if err != nil {
		return nil, err
	}
	h, n, err := v1.SHA256(bytes.NewReader(rawConfig))
	if err != nil {
		return nil, err
	}
	m.Config = v1.Descriptor{MediaType: types.OCIConfigJSON, Size: n, Digest: h}
	rawManifest, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return partial.CompressedToImage(&rawImage{config: rawConfig, manifest: rawManifest, layers: byDigest})
}

type rawImage struct {
	config, manifest []byte
	layers           map[v1.Hash]v1.Layer
}

func (r *rawImage) RawConfigFile() ([]byte, error)      { return r.config, nil }
func (r *rawImage) RawManifest() ([]byte, error)        { return r.manifest, nil }
func (r *rawImage) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }
func (r *rawImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	if l, ok := r.layers[h]; ok {
		return l, nil
	}
	return nil, fmt.Errorf("no layer %s", h)
}

// IndexBomb is the manifest of an OCI index listing img n times.
func IndexBomb(img v1.Image, n int) ([]byte, error) {
	d, err := img.Digest()
	if err != nil {
		return nil, err
	}
	size, err := img.Size()
	if err != nil {
		return nil, err
	}
	mt, err := img.MediaType()
	if err != nil {
		return nil, err
	}
	im := v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: make([]v1.Descriptor, n)}
	for i := range im.Manifests {
		im.Manifests[i] = v1.Descriptor{MediaType: mt, Size: size, Digest: d, Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}
	}
	return json.Marshal(im)
}

// WriteLayout writes an OCI layout at dir holding img, tagged tag, and
// index (a raw index manifest listing img, or nil) tagged indexTag. Each
// blob is written once, however many times the image lists it.
func WriteLayout(dir string, img v1.Image, tag string, index []byte, indexTag string) error {
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	blobs, err := Blobs(img)
	if err != nil {
		return err
	}
	for _, b := range blobs {
		rc, err := b.Compressed()
		if err != nil {
			return err
		}
		d, err := b.Digest()
		if err != nil {
			return err
		}
		if err := p.WriteBlob(d, rc); err != nil {
			return fmt.Errorf("writing blob %s: %w", d, err)
		}
	}
	raw, err := img.RawManifest()
	if err != nil {
		return err
	}
	mt, err := img.MediaType()
	if err != nil {
		return err
	}
	add := func(raw []byte, mt types.MediaType, tag string) error {
		h, n, err := v1.SHA256(bytes.NewReader(raw))
		if err != nil {
			return err
		}
		if err := p.WriteBlob(h, io.NopCloser(bytes.NewReader(raw))); err != nil {
			return err
		}
		return p.AppendDescriptor(v1.Descriptor{MediaType: mt, Size: n, Digest: h,
			Annotations: map[string]string{"org.opencontainers.image.ref.name": tag}})
	}
	if err := add(raw, mt, tag); err != nil {
		return err
	}
	if index == nil {
		return nil
	}
	return add(index, types.OCIImageIndex, indexTag)
}

// Blobs are the distinct blobs of img: its config, then its layers.
func Blobs(img v1.Image) ([]v1.Layer, error) {
	cl, err := partial.ConfigLayer(img)
	if err != nil {
		return nil, err
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	seen := map[v1.Hash]bool{}
	var out []v1.Layer
	for _, l := range append([]v1.Layer{cl}, layers...) {
		d, err := l.Digest()
		if err != nil {
			return nil, err
		}
		if !seen[d] {
			seen[d] = true
			out = append(out, l)
		}
	}
	return out, nil
}
