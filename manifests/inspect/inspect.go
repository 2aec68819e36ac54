// Package inspect reads an image back: from an OCI layout or a registry,
// its platforms, digests, sizes and configuration, and the packages its
// rpm database (/var/lib/rpm/rpmdb.sqlite) or rpm manifest
// (/var/lib/rpmmanifest/container-manifest-2) says are installed.
package inspect

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	rpmdb "github.com/knqyf263/go-rpmdb/pkg"
	_ "modernc.org/sqlite" // go-rpmdb opens the "sqlite" driver

	"github.com/slipway-build/slipway/manifests"
	"github.com/slipway-build/slipway/rpmmeta"
)

// The package databases an image may carry.
const (
	DBSqlite   = "sqlite"   // /var/lib/rpm/rpmdb.sqlite
	DBManifest = "manifest" // /var/lib/rpmmanifest/container-manifest-2
	DBNone     = "none"
)

// Paths of the package databases inside an image.
const (
	SqlitePath   = "var/lib/rpm/rpmdb.sqlite"
	ManifestPath = "var/lib/rpmmanifest/container-manifest-2"
)

// Bounds on what an image's layers may make Inspect read. A package
// database larger than its bound is refused from its tar header, before
// anything is read; the scan bound stops a layer that decompresses without
// end (a gzip bomb).
const (
	// DefaultMaxDBSize bounds rpmdb.sqlite, extracted to a temporary file
	// (Fedora's largest installs have about 200 MiB).
	DefaultMaxDBSize = 512 << 20
	// maxManifest bounds the rpm manifest read into memory (a line per
	// package; Azure Linux's largest images have a few hundred).
	maxManifest = 64 << 20
	// DefaultMaxScan bounds the uncompressed bytes of an image's layers
	// read looking for the package database.
	DefaultMaxScan = 8 << 30
)

// Report describes what a source names: an index or a single image.
type Report struct {
	Source    string  `json:"source"`
	MediaType string  `json:"media_type"`
	Digest    string  `json:"digest"`
	Size      int64   `json:"size"` // of the top manifest
	Images    []Image `json:"images"`
}

// Image is one platform's image.
type Image struct {
	Platform     string            `json:"platform"` // os/arch[/variant]
	OSVersion    string            `json:"os_version,omitempty"`
	Digest       string            `json:"digest"`
	ManifestSize int64             `json:"manifest_size"`
	ConfigDigest string            `json:"config_digest"`
	Size         int64             `json:"size"` // manifest + config + compressed layers
	Layers       []Layer           `json:"layers"`
	Config       Config            `json:"config"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	// PackageDB is where Packages were read from: sqlite, manifest or
	// none. Packages is empty for none, or when packages were not asked.
	PackageDB string    `json:"package_db"`
	Packages  []Package `json:"packages"`
}

// Layer is one layer of an image.
type Layer struct {
	Digest    string `json:"digest"`
	MediaType string `json:"media_type"`
	Size      int64  `json:"size"`
	// Annotations are the layer descriptor's. Packages (NEVRAs) and
	// Sources are those the origin strategy lists on a package layer
	// (manifests.LayerPackagesAnnotation, LayerSourcesAnnotation);
	// Metadata marks its metadata layer.
	Annotations map[string]string `json:"annotations,omitempty"`
	Packages    []string          `json:"packages,omitempty"`
	Sources     []string          `json:"sources,omitempty"`
	Metadata    bool              `json:"metadata,omitempty"`
}

// Config is the part of the OCI image configuration users read.
type Config struct {
	Created    string            `json:"created,omitempty"`
	Entrypoint []string          `json:"entrypoint"`
	Cmd        []string          `json:"cmd"`
	Env        []string          `json:"env"`
	User       string            `json:"user"`
	WorkingDir string            `json:"workdir"`
	Labels     map[string]string `json:"labels,omitempty"`
}

// Package is one installed package.
type Package struct {
	Name      string `json:"name"`
	Epoch     int    `json:"epoch"`
	Version   string `json:"version"`
	Release   string `json:"release"`
	Arch      string `json:"arch"`
	SourceRPM string `json:"sourcerpm,omitempty"`
	Vendor    string `json:"vendor,omitempty"`
	Size      int64  `json:"size"` // installed size
}

// NEVRA is the package's identity; its String is
// name-[epoch:]version-release.arch, as resolve, diff and why print it.
func (p Package) NEVRA() rpmmeta.NEVRA {
	return rpmmeta.NEVRA{Name: p.Name, EVR: rpmmeta.EVR{Epoch: uint32(p.Epoch), Version: p.Version, Release: p.Release}, Arch: p.Arch}
}

// Options control Inspect.
type Options struct {
	// Arch keeps only the image of this architecture, written as RPM
	// (x86_64, aarch64) or OCI (amd64, arm64) names; "" keeps all.
	Arch string
	// Packages reads the installed packages of each image (reads layers).
	Packages bool
	// Registry holds credentials and the plain-HTTP registries allowed.
	Registry manifests.PushOptions
	// TempDir is where an rpmdb is extracted to be read; "" for the
	// system's temporary directory.
	TempDir string
	// MaxDBSize bounds the rpmdb.sqlite extracted (0: DefaultMaxDBSize).
	MaxDBSize int64
	// MaxScan bounds the uncompressed layer bytes read looking for the
	// package database, per image (0: DefaultMaxScan).
	MaxScan int64
	// Log receives debug messages; nil discards them.
	Log *slog.Logger
}

// Inspect opens src ("oci:DIR[:TAG]" or a registry reference, parsed by
// manifests.ParseSource) and describes it.
func Inspect(ctx context.Context, src manifests.Source, opts Options) (*Report, error) {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.MaxDBSize <= 0 {
		opts.MaxDBSize = DefaultMaxDBSize
	}
	if opts.MaxScan <= 0 {
		opts.MaxScan = DefaultMaxScan
	}
	t, err := src.Load(ctx, opts.Registry)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", src, err)
	}
	r := &Report{Source: src.String()}
	type entry struct {
		img  v1.Image
		desc v1.Descriptor
	}
	var entries []entry
	switch x := t.(type) {
	case v1.ImageIndex:
		if err := describeTop(r, x); err != nil {
			return nil, fmt.Errorf("reading %s: %w", src, err)
		}
		descs, imgs, err := manifests.IndexImages(x)
		if err != nil {
			return nil, fmt.Errorf("reading index of %s: %w", src, err)
		}
		for i, d := range descs {
			entries = append(entries, entry{imgs[i], d})
		}
	case v1.Image:
		if err := describeTop(r, x); err != nil {
			return nil, fmt.Errorf("reading %s: %w", src, err)
		}
		entries = append(entries, entry{img: x})
	default:
		return nil, fmt.Errorf("%s is neither an image nor an index", src)
	}
	want, err := ociArch(opts.Arch)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		im, err := describeImage(e.img, e.desc.Platform)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", src, err)
		}
		if want != "" && archOf(im.Platform) != want {
			continue
		}
		if opts.Packages {
			im.PackageDB, im.Packages, err = readPackages(ctx, e.img, opts)
			if err != nil {
				return nil, fmt.Errorf("reading the packages of %s (%s): %w", src, im.Platform, err)
			}
		}
		if im.Packages == nil {
			im.Packages = []Package{}
		}
		r.Images = append(r.Images, *im)
	}
	if want != "" && len(r.Images) == 0 {
		return nil, fmt.Errorf("%s has no image for %s", src, opts.Arch)
	}
	sort.SliceStable(r.Images, func(i, j int) bool { return r.Images[i].Platform < r.Images[j].Platform })
	return r, nil
}

// ociArch turns an RPM or OCI architecture name into the OCI one.
func ociArch(a string) (string, error) {
	switch a {
	case "", "amd64", "arm64":
		return a, nil
	}
	p, err := manifests.Platform(a)
	if err != nil {
		return "", err
	}
	return p.Architecture, nil
}

func archOf(platform string) string {
	parts := strings.Split(platform, "/")
	if len(parts) < 2 {
		return ""
	}
	return parts[1]
}

// manifestLike is what an image and an index both have.
type manifestLike interface {
	MediaType() (types.MediaType, error)
	Digest() (v1.Hash, error)
	Size() (int64, error)
}

func describeTop(r *Report, x manifestLike) error {
	d, err := x.Digest()
	if err != nil {
		return err
	}
	n, err := x.Size()
	if err != nil {
		return err
	}
	mt, err := x.MediaType()
	if err != nil {
		return err
	}
	r.Digest, r.Size, r.MediaType = d.String(), n, string(mt)
	return nil
}

func describeImage(img v1.Image, plat *v1.Platform) (*Image, error) {
	d, err := img.Digest()
	if err != nil {
		return nil, err
	}
	m, err := img.Manifest()
	if err != nil {
		return nil, err
	}
	if err := manifests.CheckLayers(m); err != nil {
		return nil, fmt.Errorf("image %s: %w", d, err)
	}
	msize, err := img.Size()
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("image %s: reading config: %w", d, err)
	}
	im := &Image{
		Digest: d.String(), ManifestSize: msize, ConfigDigest: m.Config.Digest.String(),
		Size: msize + m.Config.Size, Annotations: m.Annotations, Layers: []Layer{},
		Config: Config{
			Entrypoint: nonNil(cf.Config.Entrypoint), Cmd: nonNil(cf.Config.Cmd), Env: nonNil(cf.Config.Env),
			User: cf.Config.User, WorkingDir: cf.Config.WorkingDir, Labels: cf.Config.Labels,
		},
	}
	if !cf.Created.IsZero() {
		im.Config.Created = cf.Created.UTC().Format("2006-01-02T15:04:05Z")
	}
	for _, l := range m.Layers {
		il := Layer{Digest: l.Digest.String(), MediaType: string(l.MediaType), Size: l.Size, Annotations: l.Annotations}
		if v := l.Annotations[manifests.LayerPackagesAnnotation]; v != "" {
			il.Packages = strings.Split(v, ",")
		}
		if v := l.Annotations[manifests.LayerSourcesAnnotation]; v != "" {
			il.Sources = strings.Split(v, ",")
		}
		il.Metadata = l.Annotations[manifests.LayerMetadataAnnotation] == "true"
		im.Layers = append(im.Layers, il)
		im.Size += l.Size
	}
	p := cf.Platform()
	if p == nil {
		p = plat
	}
	if plat != nil && plat.OSVersion != "" && (p == nil || p.OSVersion == "") {
		im.OSVersion = plat.OSVersion
	}
	if p != nil {
		im.Platform = p.OS + "/" + p.Architecture
		if p.Variant != "" {
			im.Platform += "/" + p.Variant
		}
		if p.OSVersion != "" {
			im.OSVersion = p.OSVersion
		}
	}
	return im, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// readPackages finds the package database in the image's layers, from the
// top layer down, and reads it.
func readPackages(ctx context.Context, img v1.Image, opts Options) (string, []Package, error) {
	layers, err := img.Layers()
	if err != nil {
		return "", nil, err
	}
	tmp, err := os.MkdirTemp(opts.TempDir, "slipway-inspect-")
	if err != nil {
		return "", nil, fmt.Errorf("creating a temporary directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	var found layerFiles
	scan := &scanBudget{left: opts.MaxScan, max: opts.MaxScan}
	for i := len(layers) - 1; i >= 0; i-- {
		if err := ctx.Err(); err != nil {
			return "", nil, err
		}
		f, err := scanLayer(ctx, layers[i], tmp, found, scan, opts.MaxDBSize)
		if err != nil {
			d, _ := layers[i].Digest()
			return "", nil, fmt.Errorf("layer %s: %w", d, err)
		}
		found = f
		if found.sqliteDone && found.manifestDone {
			break
		}
	}
	switch {
	case found.sqlite != "":
		opts.Log.Debug("reading rpmdb", "path", SqlitePath)
		pkgs, err := ReadSqlite(found.sqlite)
		return DBSqlite, pkgs, err
	case found.manifest != nil:
		opts.Log.Debug("reading rpm manifest", "path", ManifestPath)
		pkgs, err := ParseManifest(found.manifest)
		if err != nil {
			return "", nil, fmt.Errorf("%s: %w", ManifestPath, err)
		}
		return DBManifest, pkgs, nil
	}
	return DBNone, nil, nil
}

// layerFiles is what the layers scanned so far gave; *Done is set once a
// layer held the file or its whiteout (lower layers no longer count).
type layerFiles struct {
	sqlite       string // extracted file
	manifest     []byte
	sqliteDone   bool
	manifestDone bool
}

// scanBudget is what is left of Options.MaxScan for one image.
type scanBudget struct{ left, max int64 }

// ScanLimitError ends a layer read that went past Options.MaxScan.
type ScanLimitError struct{ Max int64 }

func (e *ScanLimitError) Error() string {
	return fmt.Sprintf("the layers decompress to more than %d bytes: refusing to read more", e.Max)
}

// budgetReader reads from r until the budget is spent or stopped (the
// context's Err) says to stop.
type budgetReader struct {
	stopped func() error
	r       io.Reader
	b       *scanBudget
}

func (r *budgetReader) Read(p []byte) (int, error) {
	if err := r.stopped(); err != nil {
		return 0, err
	}
	if r.b.left <= 0 {
		return 0, &ScanLimitError{Max: r.b.max}
	}
	if int64(len(p)) > r.b.left {
		p = p[:r.b.left]
	}
	n, err := r.r.Read(p)
	r.b.left -= int64(n)
	return n, err
}

func scanLayer(ctx context.Context, l v1.Layer, tmp string, f layerFiles, scan *scanBudget, maxDB int64) (layerFiles, error) {
	rc, err := l.Uncompressed()
	if err != nil {
		return f, err
	}
	defer rc.Close()
	tr := tar.NewReader(&budgetReader{stopped: ctx.Err, r: rc, b: scan})
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return f, nil
		}
		if err != nil {
			return f, fmt.Errorf("reading tar: %w", err)
		}
		name := strings.TrimPrefix(path.Clean("/"+h.Name), "/")
		switch {
		case !f.sqliteDone && name == SqlitePath && h.Typeflag == tar.TypeReg:
			if h.Size > maxDB {
				return f, fmt.Errorf("%s is %d bytes, more than the %d slipway reads", SqlitePath, h.Size, maxDB)
			}
			p := filepath.Join(tmp, "rpmdb.sqlite")
			if err := extract(tr, p, maxDB); err != nil {
				return f, fmt.Errorf("extracting %s: %w", SqlitePath, err)
			}
			f.sqlite, f.sqliteDone = p, true
		case !f.sqliteDone && (name == whiteout(SqlitePath) || name == opaque(SqlitePath)):
			f.sqliteDone = true
		case !f.manifestDone && name == ManifestPath && h.Typeflag == tar.TypeReg:
			if h.Size > maxManifest {
				return f, fmt.Errorf("%s is %d bytes, more than the %d slipway reads", ManifestPath, h.Size, maxManifest)
			}
			b, err := io.ReadAll(io.LimitReader(tr, maxManifest+1))
			if err != nil {
				return f, fmt.Errorf("reading %s: %w", ManifestPath, err)
			}
			if len(b) > maxManifest {
				return f, fmt.Errorf("%s is larger than %d bytes", ManifestPath, maxManifest)
			}
			f.manifest, f.manifestDone = b, true
		case !f.manifestDone && (name == whiteout(ManifestPath) || name == opaque(ManifestPath)):
			f.manifestDone = true
		}
	}
}

func whiteout(p string) string { return path.Join(path.Dir(p), ".wh."+path.Base(p)) }
func opaque(p string) string   { return path.Join(path.Dir(p), ".wh..wh..opq") }

// extract copies at most max bytes of r to a new file p.
func extract(r io.Reader, p string, max int64) error {
	out, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	n, err := io.Copy(out, io.LimitReader(r, max+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > max {
		err = fmt.Errorf("more than %d bytes", max)
	}
	return err
}

// ReadSqlite lists the packages of an rpm 4.16+ sqlite database (every
// header of its Packages table, as rpm -qa lists them), sorted by name,
// then arch, then version.
func ReadSqlite(file string) ([]Package, error) {
	db, err := rpmdb.Open(file)
	if err != nil {
		return nil, fmt.Errorf("opening rpmdb %s: %w", file, err)
	}
	defer db.Close()
	list, err := db.ListPackages()
	if err != nil {
		return nil, fmt.Errorf("listing packages of %s: %w", file, err)
	}
	out := make([]Package, 0, len(list))
	for _, p := range list {
		pk := Package{Name: p.Name, Version: p.Version, Release: p.Release, Arch: p.Arch, SourceRPM: p.SourceRpm, Vendor: p.Vendor, Size: int64(p.Size)}
		if p.Epoch != nil {
			pk.Epoch = *p.Epoch
		}
		out = append(out, pk)
	}
	sortPackages(out)
	return out, nil
}

// ParseManifest reads container-manifest-2: one line a package,
// tab-separated NAME, VERSION-RELEASE, INSTALLTIME, BUILDTIME, VENDOR,
// EPOCH, SIZE, ARCH, EPOCHNUM, SOURCERPM. "(none)" means unset.
func ParseManifest(b []byte) ([]Package, error) {
	var out []Package
	for i, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 10 {
			return nil, fmt.Errorf("line %d: %d tab-separated fields, want 10", i+1, len(f))
		}
		vr := f[1]
		j := strings.LastIndexByte(vr, '-')
		if f[0] == "" || j <= 0 || j == len(vr)-1 {
			return nil, fmt.Errorf("line %d: %q is not NAME then VERSION-RELEASE", i+1, f[0]+" "+vr)
		}
		p := Package{Name: f[0], Version: vr[:j], Release: vr[j+1:], Arch: f[7], Vendor: unset(f[4]), SourceRPM: unset(f[9])}
		if f[7] == "" || f[7] == "(none)" {
			return nil, fmt.Errorf("line %d: no ARCH", i+1)
		}
		epoch, err := strconv.ParseUint(f[8], 10, 31)
		if err != nil {
			return nil, fmt.Errorf("line %d: EPOCHNUM %q is not a number", i+1, f[8])
		}
		p.Epoch = int(epoch)
		if s := unset(f[6]); s != "" {
			size, err := strconv.ParseUint(s, 10, 63)
			if err != nil {
				return nil, fmt.Errorf("line %d: SIZE %q is not a number", i+1, f[6])
			}
			p.Size = int64(size)
		}
		out = append(out, p)
	}
	sortPackages(out)
	return out, nil
}

func unset(s string) string {
	if s == "(none)" {
		return ""
	}
	return s
}

func sortPackages(ps []Package) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Name != ps[j].Name {
			return ps[i].Name < ps[j].Name
		}
		if ps[i].Arch != ps[j].Arch {
			return ps[i].Arch < ps[j].Arch
		}
		return ps[i].NEVRA().EVR.String() < ps[j].NEVRA().EVR.String()
	})
}
