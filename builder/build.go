package builder

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/builder/lock"
	"github.com/slipway-build/slipway/builder/repo"
	"github.com/slipway-build/slipway/layers/rootfs"
	"github.com/slipway-build/slipway/layers/rootfs/accounts"
	"github.com/slipway-build/slipway/layers/rpm"
	"github.com/slipway-build/slipway/layers/rpmdb"
	"github.com/slipway-build/slipway/manifests"
)

// BuildOptions are the choices of one build.
type BuildOptions struct {
	Options
	// Arches limits the build to these architectures (default: all).
	Arches []string
	// Compression of the layers (default gzip).
	Compression manifests.Compression
	// SourceDateEpoch, when set, is the build time (seconds); otherwise
	// the newest BUILDTIME of the installed packages is.
	SourceDateEpoch *int64
	// Lock builds exactly the locked packages instead of resolving.
	Lock *lock.Lock
	// Offline uses only packages already in the cache.
	Offline bool
	// Jobs bounds parallel downloads (default 4).
	Jobs int
	// WorkDir holds the compressed layers until they are written out; it
	// must exist. The caller removes it.
	WorkDir string
	// FailOnScriptlets stops the build when a package has a scriptlet or
	// trigger (none is ever run).
	FailOnScriptlets bool
	// Annotations go on every image manifest (and, being shared, on the
	// index), over the configuration's: org.opencontainers.image.version,
	// source, revision and any other.
	Annotations map[string]string
	// VendorDir, with Lock, takes the packages and signing keys from a
	// folder written by Vendor instead of the repositories.
	VendorDir string
}

// ArchBuild is the image built for one architecture.
type ArchBuild struct {
	Arch      string
	Packages  []lock.Package // installed, in install order (sorted by name)
	BuildTime int64
	Layer     *manifests.Layer
	Image     manifests.ArchImage
	Report    *rootfs.Report
	// Signers says which key signed each package (NEVRA -> identity),
	// for packages of repositories with gpgcheck.
	Signers map[string]string
}

// ScriptletError is returned with FailOnScriptlets when packages carry
// scriptlets.
type ScriptletError struct {
	Arch     string
	Packages []string // "NEVRA: %pre, %post"
}

func (e *ScriptletError) Error() string {
	return fmt.Sprintf("%s: %d packages have scriptlets that slipway does not run (--fail-on-scriptlets): %s",
		e.Arch, len(e.Packages), strings.Join(e.Packages, "; "))
}

// Build builds the image of every architecture, concurrently; results are
// in the order of the architectures. A failure of one fails the build and
// names the architecture.
func Build(ctx context.Context, cfg *config.Config, opts BuildOptions) ([]*ArchBuild, error) {
	arches := opts.Arches
	if len(arches) == 0 {
		arches = cfg.Image.Architectures
	}
	if opts.WorkDir == "" {
		return nil, errors.New("build: no work directory")
	}
	if opts.VendorDir != "" && opts.Lock == nil {
		return nil, errors.New("build: a vendor folder needs the lockfile")
	}
	dl, err := repo.NewDownloader(opts.Repo...)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([]*ArchBuild, len(arches))
	errs := make([]error, len(arches))
	var wg sync.WaitGroup
	for i, arch := range arches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = buildArch(ctx, cfg, arch, dl, opts)
			if errs[i] != nil {
				cancel() // one failed arch stops the others
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return nil, fmt.Errorf("building %s: %w", arches[i], err)
		}
	}
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("building %s: %w", arches[i], err)
		}
	}
	return results, nil
}

func buildArch(ctx context.Context, cfg *config.Config, arch string, dl *repo.Downloader, opts BuildOptions) (*ArchBuild, error) {
	log := opts.log().With("arch", arch)
	pkgs, err := packageSet(ctx, cfg, arch, opts)
	if err != nil {
		return nil, err
	}
	files, err := packageFiles(cfg, arch, pkgs, opts.VendorDir)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	paths, err := dl.Fetch(ctx, files, repo.FetchOptions{Jobs: opts.Jobs, Offline: opts.Offline})
	if err != nil {
		return nil, err
	}
	log.Debug("packages fetched", "count", len(paths), "took", time.Since(start))

	headers, signers, err := readHeaders(ctx, cfg, dl, arch, pkgs, paths, opts.VendorDir)
	if err != nil {
		return nil, err
	}
	buildTime := newestBuildTime(headers)
	if opts.SourceDateEpoch != nil {
		buildTime = *opts.SourceDateEpoch
	}

	users, groups := configAccounts(cfg)
	w, err := rootfs.New(rootfs.Options{
		BuildTime: buildTime,
		Docs:      cfg.Packages.Docs,
		Remove:    cfg.Paths.Remove,
		Users:     users,
		Groups:    groups,
		LDCache:   true,
		Arch:      arch,
		SpoolDir:  opts.WorkDir,
		Log:       log,
	})
	if err != nil {
		return nil, err
	}
	defer w.Close()
	if err := w.AddRPMFiles(ctx, paths); err != nil {
		return nil, err
	}
	if err := addPackageDB(ctx, cfg, arch, w, headers, buildTime, opts.WorkDir); err != nil {
		return nil, err
	}

	var report *rootfs.Report
	layer, err := manifests.WriteLayer(ctx, opts.WorkDir, manifests.LayerOptions{Compression: opts.Compression}, func(out io.Writer) error {
		var err error
		report, err = w.WriteTar(ctx, out)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("writing layer: %w", err)
	}
	if opts.FailOnScriptlets {
		var with []string
		for _, p := range report.Packages {
			if len(p.Scriptlets) == 0 {
				continue
			}
			kinds := make([]string, len(p.Scriptlets))
			for i, s := range p.Scriptlets {
				kinds[i] = s.Kind
			}
			with = append(with, p.NEVRA+": "+strings.Join(kinds, ", "))
		}
		if len(with) > 0 {
			layer.Remove()
			return nil, &ScriptletError{Arch: arch, Packages: with}
		}
	}

	img, err := manifests.Image(manifests.ImageSpec{
		Arch:        arch,
		Created:     time.Unix(buildTime, 0),
		Entrypoint:  cfg.OCI.Entrypoint,
		Cmd:         cfg.OCI.Cmd,
		Env:         cfg.OCI.Env,
		WorkingDir:  cfg.OCI.WorkingDir,
		User:        cfg.OCI.User,
		Labels:      cfg.OCI.Labels,
		Annotations: imageAnnotations(cfg, buildTime, opts),
		OSVersion:   cfg.Image.OSVersion,
		Layers: []manifests.HistoryLayer{{
			Layer:     layer,
			CreatedBy: "slipway build",
			Comment:   fmt.Sprintf("%d packages", len(pkgs)),
		}},
	})
	if err != nil {
		return nil, err
	}
	return &ArchBuild{
		Arch: arch, Packages: pkgs, BuildTime: buildTime, Layer: layer, Report: report, Signers: signers,
		Image: manifests.ArchImage{Arch: arch, OSVersion: cfg.Image.OSVersion, Image: img},
	}, nil
}

// packageSet is the locked set of arch, or a fresh resolution.
func packageSet(ctx context.Context, cfg *config.Config, arch string, opts BuildOptions) ([]lock.Package, error) {
	if opts.Lock != nil {
		a := opts.Lock.Arch(arch)
		if a == nil {
			return nil, fmt.Errorf("the lockfile has no packages for %s; run slipway lock", arch)
		}
		return a.Packages, nil
	}
	res, err := Resolve(ctx, cfg, arch, opts.Options)
	if err != nil {
		return nil, err
	}
	l := NewLock(cfg, []*Resolution{res})
	return l.Arches[0].Packages, nil
}

// packageFiles says where to fetch each package: its repository's URL for
// arch and its location, or its file in the vendor folder.
func packageFiles(cfg *config.Config, arch string, pkgs []lock.Package, vendorDir string) ([]repo.PackageFile, error) {
	base := map[string]string{}
	for _, r := range cfg.Repositories {
		base[r.ID] = cfg.RepoURL(r, arch)
	}
	if vendorDir != "" {
		abs, err := filepath.Abs(vendorDir)
		if err != nil {
			return nil, err
		}
		files := make([]repo.PackageFile, len(pkgs))
		for i, p := range pkgs {
			files[i] = repo.PackageFile{
				Name: p.NEVRA.String(), RepoID: p.Repo, BaseURL: (&url.URL{Scheme: "file", Path: abs + "/"}).String(),
				Location: vendorName(p), Checksum: repo.Checksum{Type: p.Checksum.Type, Value: p.Checksum.Value}, Size: p.Size,
			}
		}
		return files, nil
	}
	files := make([]repo.PackageFile, len(pkgs))
	for i, p := range pkgs {
		b, ok := base[p.Repo]
		if !ok {
			return nil, fmt.Errorf("%s comes from repository %q, which the configuration does not have", p.NEVRA, p.Repo)
		}
		files[i] = repo.PackageFile{
			Name: p.NEVRA.String(), RepoID: p.Repo, BaseURL: b, Location: p.Location,
			Checksum: repo.Checksum{Type: p.Checksum.Type, Value: p.Checksum.Value}, Size: p.Size,
		}
	}
	return files, nil
}

// readHeaders opens every package's headers, checks that each is the
// package the repository promised and, for repositories with gpgcheck,
// its OpenPGP signature.
func readHeaders(ctx context.Context, cfg *config.Config, dl *repo.Downloader, arch string, pkgs []lock.Package, paths []string, vendorDir string) ([]*rpm.Package, map[string]string, error) {
	rings := map[string]openpgp.EntityList{}
	for _, r := range cfg.Repositories {
		if !r.GPGCheck {
			continue
		}
		keys := cfg.GPGKeyURLs(r, arch)
		if vendorDir != "" {
			abs, err := filepath.Abs(filepath.Join(vendorDir, vendorKeyName(r.ID, arch)))
			if err != nil {
				return nil, nil, err
			}
			keys = []string{abs}
		}
		ring, err := dl.KeyRing(ctx, keys)
		if err != nil {
			return nil, nil, fmt.Errorf("repository %s: %w", r.ID, err)
		}
		rings[r.ID] = ring
	}
	headers := make([]*rpm.Package, len(paths))
	signers := map[string]string{}
	for i, path := range paths {
		p, err := openHeaders(path)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", pkgs[i].NEVRA, err)
		}
		if got := p.NEVRA(); got != pkgs[i].NEVRA {
			return nil, nil, fmt.Errorf("%s: the file holds %s", pkgs[i].NEVRA, got)
		}
		if ring, ok := rings[pkgs[i].Repo]; ok {
			s, err := p.VerifySignature(ring)
			if err != nil {
				return nil, nil, fmt.Errorf("%s (repository %s, gpgcheck): %w", pkgs[i].NEVRA, pkgs[i].Repo, err)
			}
			signers[pkgs[i].NEVRA.String()] = fmt.Sprintf("%s (%016X)", s.Identity, s.KeyID)
		}
		headers[i] = p
	}
	return headers, signers, nil
}

// openHeaders reads a package's lead and headers; the payload is not kept.
func openHeaders(path string) (*rpm.Package, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return rpm.Open(f)
}

func newestBuildTime(pkgs []*rpm.Package) int64 {
	var newest int64
	for _, p := range pkgs {
		if t, ok := p.Header.Int(rpm.TagBuildTime); ok && int64(t) > newest {
			newest = int64(t)
		}
	}
	return newest
}

// addPackageDB adds the rpm database (or the rpmmanifest files) to the tree.
func addPackageDB(ctx context.Context, cfg *config.Config, arch string, w *rootfs.Writer, headers []*rpm.Package, buildTime int64, workDir string) error {
	installed := make([]rpmdb.Installed, len(headers))
	for i, p := range headers {
		installed[i] = rpmdb.Installed{Pkg: p}
		files, err := p.Files()
		if err != nil {
			return fmt.Errorf("%s: %w", p.NEVRA(), err)
		}
		for j, skip := range rootfs.SkippedFiles(files, cfg.Packages.Docs) {
			if skip {
				installed[i].NotInstalled = append(installed[i].NotInstalled, j)
			}
		}
	}
	switch cfg.Image.RPMDB {
	case config.RPMDBNone:
		return nil
	case config.RPMDBManifest:
		for path, data := range map[string][]byte{
			rpmdb.Manifest1Path: rpmdb.Manifest1(installed),
			rpmdb.Manifest2Path: rpmdb.Manifest2(installed, buildTime),
		} {
			if err := w.Add(rootfs.Entry{Path: "/" + path, Mode: 0o644, Data: data}); err != nil {
				return err
			}
		}
		return nil
	}
	dir, err := os.MkdirTemp(workDir, "rpmdb-"+arch+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	dbPath := filepath.Join(dir, "rpmdb.sqlite")
	if err := rpmdb.WriteSQLite(ctx, dbPath, installed, rpmdb.Options{InstallTime: buildTime, Arch: arch}); err != nil {
		return fmt.Errorf("writing rpm database: %w", err)
	}
	data, err := os.ReadFile(dbPath)
	if err != nil {
		return err
	}
	return w.Add(rootfs.Entry{Path: "/" + rpmdb.SQLitePath, Mode: 0o644, Data: data})
}

func configAccounts(cfg *config.Config) ([]accounts.User, []accounts.Group) {
	var users []accounts.User
	for _, u := range cfg.Accounts.Users {
		users = append(users, accounts.User{Name: u.Name, UID: u.UID, GID: u.GID, Home: u.Home, Shell: u.Shell})
	}
	var groups []accounts.Group
	for _, g := range cfg.Accounts.Groups {
		groups = append(groups, accounts.Group{Name: g.Name, GID: g.GID})
	}
	return users, groups
}

// imageAnnotations are the manifest annotations: created and the image's
// name as title, the config's, the caller's, and the digests of the
// configuration and lockfile the image was built from (which merge
// checks).
func imageAnnotations(cfg *config.Config, buildTime int64, opts BuildOptions) map[string]string {
	a := map[string]string{
		manifests.CreatedAnnotation:      time.Unix(buildTime, 0).UTC().Format(time.RFC3339),
		"org.opencontainers.image.title": cfg.Image.Name,
	}
	for k, v := range cfg.OCI.Annotations {
		a[k] = v
	}
	for k, v := range opts.Annotations {
		a[k] = v
	}
	a[manifests.ConfigDigestAnnotation] = cfg.Digest()
	if opts.Lock != nil {
		if d, err := LockDigest(opts.Lock); err == nil {
			a[manifests.LockDigestAnnotation] = d
		}
	}
	return a
}

// LockDigest is the sha256 of the lockfile as slipway writes it.
func LockDigest(l *lock.Lock) (string, error) {
	data, err := l.Marshal()
	if err != nil {
		return "", fmt.Errorf("lockfile digest: %w", err)
	}
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}
