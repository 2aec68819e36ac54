package builder

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/builder/lock"
	"github.com/slipway-build/slipway/layers/rootfs"
	"github.com/slipway-build/slipway/manifests"
)

// The layer cache lets a rebuild with nothing changed skip reading the
// packages, the rpm database, the tar and the compression: the layers of an
// architecture are kept under CACHE/layers, keyed by everything they are
// made of (the slipway binary, the merged configuration, the ordered
// package checksums, the compression and SOURCE_DATE_EPOCH). A cached blob
// is checked against its digest each time it is used.

const layerCacheVersion = 3 // 2: the packages' SBOM fields (meta); 3: package files keep their headers' mtimes

type cachedLayer struct {
	Digest    string `json:"digest"`
	DiffID    string `json:"diff_id"`
	Size      int64  `json:"size"`
	MediaType string `json:"media_type"`
	CreatedBy string `json:"created_by"`
	Comment   string `json:"comment"`
	// Annotations of the layer's descriptor (the origin strategy's plan).
	Annotations map[string]string `json:"annotations,omitempty"`
}

type cachedArch struct {
	Version   int               `json:"version"`
	BuildTime int64             `json:"build_time"`
	Signers   map[string]string `json:"signers,omitempty"`
	Meta      []PackageMeta     `json:"meta,omitempty"`
	Report    *rootfs.Report    `json:"report"`
	Layers    []cachedLayer     `json:"layers"`
}

// layerCacheKey is the key of an architecture's layers, or "" when they
// are not to be cached (no salt given, or a shared base, whose lower layers
// depend on a second resolution).
func layerCacheKey(cfg *config.Config, arch string, pkgs []lock.Package, opts BuildOptions) string {
	if opts.CacheSalt == nil || opts.CacheDir == "" || cfg.Layers.Strategy == "shared-base" {
		return ""
	}
	salt := opts.CacheSalt()
	if salt == "" {
		return ""
	}
	h := sha256.New()
	fmt.Fprintf(h, "v%d\nsalt %s\nconfig %s\narch %s\ncompression %s\n", layerCacheVersion, salt, cfg.Digest(), arch, opts.Compression)
	if opts.SourceDateEpoch != nil {
		fmt.Fprintf(h, "sde %d\n", *opts.SourceDateEpoch)
	}
	keys := make([]string, 0, len(opts.Annotations))
	for k := range opts.Annotations {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "annotation %q %q\n", k, opts.Annotations[k])
	}
	for _, p := range pkgs {
		fmt.Fprintf(h, "pkg %s %s %s\n", p.NEVRA, p.Checksum, p.Repo)
	}
	for _, l := range opts.Previous[arch] {
		fmt.Fprintf(h, "previous %q %q\n", strings.Join(l.Sources, ","), strings.Join(l.Packages, ","))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func layerCacheDir(opts BuildOptions) string { return filepath.Join(opts.CacheDir, "layers") }

// loadCachedLayers returns the cached layers of key, each blob checked
// against its digest; ok is false on a miss or a damaged entry.
func loadCachedLayers(opts BuildOptions, key string) (*cachedArch, []manifests.HistoryLayer, bool) {
	dir := layerCacheDir(opts)
	data, err := os.ReadFile(filepath.Join(dir, key+".json"))
	if err != nil {
		return nil, nil, false
	}
	var c cachedArch
	if err := json.Unmarshal(data, &c); err != nil || c.Version != layerCacheVersion || len(c.Layers) == 0 || c.Report == nil {
		return nil, nil, false
	}
	hist := make([]manifests.HistoryLayer, len(c.Layers))
	for i, l := range c.Layers {
		digest, err1 := v1.NewHash(l.Digest)
		diffID, err2 := v1.NewHash(l.DiffID)
		if err1 != nil || err2 != nil {
			return nil, nil, false
		}
		blob := filepath.Join(dir, "blobs", digest.Hex)
		if sum, n, err := fileSHA256(blob); err != nil || sum != digest.Hex || n != l.Size {
			opts.log().Warn("cached layer is damaged; building it again", "blob", blob)
			os.Remove(blob)
			return nil, nil, false
		}
		hist[i] = manifests.HistoryLayer{
			Layer:       manifests.LayerFromFile(blob, digest, diffID, l.Size, types.MediaType(l.MediaType)),
			CreatedBy:   l.CreatedBy,
			Comment:     l.Comment,
			Annotations: l.Annotations,
		}
	}
	return &c, hist, true
}

// storeCachedLayers keeps an architecture's layers for the next build. A
// failure only costs the next build its shortcut.
func storeCachedLayers(opts BuildOptions, key string, buildTime int64, signers map[string]string, meta []PackageMeta, report *rootfs.Report, hist []manifests.HistoryLayer) error {
	dir := layerCacheDir(opts)
	if err := os.MkdirAll(filepath.Join(dir, "blobs"), 0o755); err != nil {
		return err
	}
	c := cachedArch{Version: layerCacheVersion, BuildTime: buildTime, Signers: signers, Meta: meta, Report: report}
	for _, h := range hist {
		digest, _ := h.Layer.Digest()
		diffID, _ := h.Layer.DiffID()
		size, _ := h.Layer.Size()
		mt, _ := h.Layer.MediaType()
		dst := filepath.Join(dir, "blobs", digest.Hex)
		if _, err := os.Stat(dst); err != nil {
			if err := linkAtomic(h.Layer.Path(), dst); err != nil {
				return err
			}
		}
		c.Layers = append(c.Layers, cachedLayer{Digest: digest.String(), DiffID: diffID.String(), Size: size,
			MediaType: string(mt), CreatedBy: h.CreatedBy, Comment: h.Comment, Annotations: h.Annotations})
	}
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, "."+key+".json.tmp-"+strconv.Itoa(os.Getpid()))
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, key+".json"))
}

func fileSHA256(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// linkAtomic makes dst a hard link of src (the layer is written once and
// never changed; the work folder holding src is on the cache's file
// system), through a temporary name and a rename; where a link cannot be
// made it copies.
func linkAtomic(src, dst string) error {
	tmp := filepath.Join(filepath.Dir(dst), ".blob-"+strconv.Itoa(os.Getpid())+"-"+filepath.Base(dst))
	os.Remove(tmp)
	if err := os.Link(src, tmp); err != nil {
		return copyAtomic(src, dst)
	}
	defer os.Remove(tmp)
	if err := os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}

// copyAtomic copies src to dst through a temporary file and a rename.
func copyAtomic(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.CreateTemp(filepath.Dir(dst), ".blob-*")
	if err != nil {
		return err
	}
	defer os.Remove(out.Name())
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	if err := os.Chmod(out.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(out.Name(), dst)
}
