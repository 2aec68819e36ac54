package manifests

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// BaseImage is one platform's image of a published base ([image] base),
// whose layers are read through a cache kept by digest: a layer is
// fetched once, checked against its digest, and every later read (this
// build's or the next one's) opens the cached file.
type BaseImage struct {
	// Source is the base as configured; Digest the platform image's
	// manifest digest, IndexDigest the digest of what Source names (the
	// index, or the image itself).
	Source      Source
	Digest      v1.Hash
	IndexDigest v1.Hash
	Platform    v1.Platform
	// Image is the base's image, its layers read through the cache.
	Image v1.Image

	fetched *atomic.Int64
}

// Fetched is how many compressed bytes of the base's layers were read
// from their source (not from the cache) so far.
func (b *BaseImage) Fetched() int64 { return b.fetched.Load() }

// OpenBase opens the image of the RPM architecture arch of the base src:
// the platform's entry of an index (an index without it is an error
// naming the platform), or an image of that platform. Layers are cached
// under cacheDir ("" keeps them in no cache: each read fetches).
func OpenBase(ctx context.Context, src Source, arch, cacheDir string, opts PushOptions) (*BaseImage, error) {
	plat, err := Platform(arch)
	if err != nil {
		return nil, err
	}
	t, err := src.Load(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("opening the base %s: %w", src, err)
	}
	dg, ok := t.(interface{ Digest() (v1.Hash, error) })
	if !ok {
		return nil, fmt.Errorf("the base %s is neither an image nor an index", src)
	}
	top, err := dg.Digest()
	if err != nil {
		return nil, fmt.Errorf("opening the base %s: %w", src, err)
	}
	b := &BaseImage{Source: src, IndexDigest: top, Platform: plat, fetched: new(atomic.Int64)}
	var img v1.Image
	switch x := t.(type) {
	case v1.ImageIndex:
		im, err := x.IndexManifest()
		if err != nil {
			return nil, fmt.Errorf("reading the base %s: %w", src, err)
		}
		var found []string
		for _, d := range im.Manifests {
			if d.Platform == nil || !d.MediaType.IsImage() {
				continue
			}
			found = append(found, d.Platform.OS+"/"+d.Platform.Architecture)
			if d.Platform.OS == plat.OS && d.Platform.Architecture == plat.Architecture {
				img, err = x.Image(d.Digest)
				if err != nil {
					return nil, fmt.Errorf("reading the base %s (%s/%s): %w", src, plat.OS, plat.Architecture, err)
				}
				break
			}
		}
		if img == nil {
			return nil, fmt.Errorf("the base %s has no image for %s/%s (%s); its index lists %v", src, plat.OS, plat.Architecture, arch, found)
		}
	case v1.Image:
		cf, err := x.ConfigFile()
		if err != nil {
			return nil, fmt.Errorf("reading the base %s: %w", src, err)
		}
		if cf.OS != plat.OS || cf.Architecture != plat.Architecture {
			return nil, fmt.Errorf("the base %s has no image for %s/%s (%s): it is a single image for %s/%s", src, plat.OS, plat.Architecture, arch, cf.OS, cf.Architecture)
		}
		img = x
	default:
		return nil, fmt.Errorf("the base %s is neither an image nor an index", src)
	}
	if b.Digest, err = img.Digest(); err != nil {
		return nil, fmt.Errorf("reading the base %s: %w", src, err)
	}
	m, err := img.Manifest()
	if err != nil {
		return nil, fmt.Errorf("reading the base %s (%s): %w", src, b.Digest, err)
	}
	if err := CheckLayers(m); err != nil {
		return nil, fmt.Errorf("the base %s (%s): %w", src, b.Digest, err)
	}
	b.Image = &cachedImage{Image: img, dir: cacheDir, fetched: b.fetched}
	return b, nil
}

// cachedImage is an image whose layers' compressed bytes are read through
// a folder of blobs named by digest.
type cachedImage struct {
	v1.Image
	dir     string
	fetched *atomic.Int64
}

func (c *cachedImage) Layers() ([]v1.Layer, error) {
	ls, err := c.Image.Layers()
	if err != nil {
		return nil, err
	}
	out := make([]v1.Layer, len(ls))
	for i, l := range ls {
		out[i] = &cachedLayer{Layer: l, img: c}
	}
	return out, nil
}

func (c *cachedImage) LayerByDigest(h v1.Hash) (v1.Layer, error) {
	l, err := c.Image.LayerByDigest(h)
	if err != nil {
		return nil, err
	}
	return &cachedLayer{Layer: l, img: c}, nil
}

// cachedLayer reads its compressed bytes from the cache, fetching them
// into it first (checked against the digest) when they are not there.
type cachedLayer struct {
	v1.Layer
	img  *cachedImage
	once sync.Once
	path string
	err  error
}

func (l *cachedLayer) file() (string, error) {
	l.once.Do(func() { l.path, l.err = l.fetch() })
	return l.path, l.err
}

// fetch puts the layer in the cache and returns its file.
func (l *cachedLayer) fetch() (string, error) {
	d, err := l.Layer.Digest()
	if err != nil {
		return "", err
	}
	if d.Algorithm != "sha256" || len(d.Hex) != 64 {
		return "", fmt.Errorf("layer digest %s is not sha256", d)
	}
	if l.img.dir == "" {
		return "", nil
	}
	path := filepath.Join(l.img.dir, "sha256-"+d.Hex)
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := os.MkdirAll(l.img.dir, 0o755); err != nil {
		return "", fmt.Errorf("caching base layer %s: %w", d, err)
	}
	rc, err := l.Layer.Compressed()
	if err != nil {
		return "", fmt.Errorf("reading base layer %s: %w", d, err)
	}
	defer rc.Close()
	f, err := os.CreateTemp(l.img.dir, ".sha256-"+d.Hex+"-*")
	if err != nil {
		return "", fmt.Errorf("caching base layer %s: %w", d, err)
	}
	defer os.Remove(f.Name())
	h := sha256.New()
	size, _ := l.Layer.Size()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(rc, max(size, 0)+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	l.img.fetched.Add(n)
	if err != nil {
		return "", fmt.Errorf("reading base layer %s: %w", d, err)
	}
	if size > 0 && n != size {
		return "", fmt.Errorf("base layer %s: %d bytes, the manifest says %d", d, n, size)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != d.Hex {
		return "", fmt.Errorf("base layer %s: the blob's digest is sha256:%s", d, got)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return "", fmt.Errorf("caching base layer %s: %w", d, err)
	}
	return path, nil
}

func (l *cachedLayer) Compressed() (io.ReadCloser, error) {
	p, err := l.file()
	if err != nil {
		return nil, err
	}
	if p == "" { // no cache: every read fetches
		rc, err := l.Layer.Compressed()
		if err != nil {
			return nil, err
		}
		return &countingReadCloser{ReadCloser: rc, n: l.img.fetched}, nil
	}
	return os.Open(p)
}

func (l *cachedLayer) Uncompressed() (io.ReadCloser, error) {
	if p, err := l.file(); err != nil || p == "" {
		if err != nil {
			return nil, err
		}
		rc, err := l.Layer.Uncompressed()
		if err != nil {
			return nil, err
		}
		return &countingReadCloser{ReadCloser: rc, n: l.img.fetched}, nil
	}
	cl, err := partial.CompressedToLayer(compressedFile{l})
	if err != nil {
		return nil, err
	}
	return cl.Uncompressed()
}

// compressedFile is a cachedLayer as a partial.CompressedLayer.
type compressedFile struct{ l *cachedLayer }

func (c compressedFile) Digest() (v1.Hash, error)            { return c.l.Layer.Digest() }
func (c compressedFile) Compressed() (io.ReadCloser, error)  { return c.l.Compressed() }
func (c compressedFile) Size() (int64, error)                { return c.l.Layer.Size() }
func (c compressedFile) MediaType() (types.MediaType, error) { return c.l.Layer.MediaType() }

type countingReadCloser struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c *countingReadCloser) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// DerivedSpec is an image made of a base's image and layers added on top.
type DerivedSpec struct {
	Base    *BaseImage
	Created time.Time
	// Layers are added over the base's, bottom first.
	Layers []HistoryLayer
	// Config changes the base's configuration: each field set replaces
	// the base's; Env and Labels are merged over the base's.
	Entrypoint, Cmd  []string
	Env, Labels      map[string]string
	WorkingDir, User *string
	// Annotations go on the image manifest.
	Annotations map[string]string
}

// DerivedImage assembles an image on its base: the base's layers, their
// history and the base's configuration kept as they are, the spec's
// layers and history appended, the configuration's fields the spec sets
// replaced.
func DerivedImage(spec DerivedSpec) (v1.Image, error) {
	if spec.Base == nil {
		return nil, errors.New("derived image without a base")
	}
	created := v1.Time{Time: spec.Created.UTC()}
	adds, err := addenda(spec.Layers, created)
	if err != nil {
		return nil, err
	}
	img, err := mutate.Append(spec.Base.Image, adds...)
	if err != nil {
		return nil, fmt.Errorf("adding layers over the base: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Created = created
	if spec.Entrypoint != nil {
		cf.Config.Entrypoint = spec.Entrypoint
	}
	if spec.Cmd != nil {
		cf.Config.Cmd = spec.Cmd
	}
	if spec.WorkingDir != nil {
		cf.Config.WorkingDir = *spec.WorkingDir
	}
	if spec.User != nil {
		cf.Config.User = *spec.User
	}
	if len(spec.Env) > 0 {
		cf.Config.Env = mergeEnv(cf.Config.Env, spec.Env)
	}
	if len(spec.Labels) > 0 {
		labels := map[string]string{}
		for k, v := range cf.Config.Labels {
			labels[k] = v
		}
		for k, v := range spec.Labels {
			labels[k] = v
		}
		cf.Config.Labels = labels
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

// mergeEnv sets the variables of env over the KEY=VALUE list base,
// keeping base's order and appending new variables sorted.
func mergeEnv(base []string, env map[string]string) []string {
	out := make([]string, 0, len(base)+len(env))
	seen := map[string]bool{}
	for _, kv := range base {
		k := kv
		for i := 0; i < len(kv); i++ {
			if kv[i] == '=' {
				k = kv[:i]
				break
			}
		}
		if v, ok := env[k]; ok {
			out = append(out, k+"="+v)
			seen[k] = true
			continue
		}
		out = append(out, kv)
	}
	for _, kv := range envList(env) {
		k := kv
		for i := 0; i < len(kv); i++ {
			if kv[i] == '=' {
				k = kv[:i]
				break
			}
		}
		if !seen[k] && (k != "PATH" || env["PATH"] != "") {
			out = append(out, kv)
		}
	}
	return out
}
