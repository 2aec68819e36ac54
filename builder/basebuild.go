package builder

import (
	"archive/tar"
	"context"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/builder/lock"
	"github.com/slipway-build/slipway/builder/repo"
	"github.com/slipway-build/slipway/builder/solve"
	"github.com/slipway-build/slipway/layers/rootfs"
	"github.com/slipway-build/slipway/layers/rootfs/accounts"
	"github.com/slipway-build/slipway/layers/rpm"
	"github.com/slipway-build/slipway/layers/rpmdb"
	"github.com/slipway-build/slipway/manifests"
	"github.com/slipway-build/slipway/rpmmeta"
	"github.com/slipway-build/slipway/signing"
)

// buildOnBase builds cfg's image for arch on its [image] base: the
// base's layers, history and configuration as they are, then one layer
// with the added packages, the rpm database listing the base's packages
// and the added ones, the merged accounts, a regenerated ld.so.cache and
// the whiteouts of the base paths [paths] remove names. set is the
// package set packageSets resolved on the base (set.res keeps the base it
// read: the base is read and resolved on once), or read from the lock.
func buildOnBase(ctx context.Context, cfg *config.Config, arch string, dl *repo.Downloader, set archSet, opts BuildOptions) (*ArchBuild, error) {
	log := opts.log().With("arch", arch, "base", cfg.Image.Base)
	if err := checkBaseConfig(cfg); err != nil {
		return nil, err
	}
	opts.progress(ProgressEvent{Arch: arch, Stage: StageMetadata})
	var (
		base       *baseImage
		pkgs       []lock.Package
		resolution *solve.Result
	)
	if opts.Lock != nil {
		a := opts.Lock.Arch(arch)
		if a == nil {
			return nil, fmt.Errorf("the lockfile has no packages for %s; run slipway lock", arch)
		}
		bcfg, want, err := lockedBase(cfg, a, opts.Options)
		if err != nil {
			return nil, err
		}
		if base, err = openBase(ctx, bcfg, arch, opts.Options); err != nil {
			return nil, err
		}
		if got := base.img.Digest.String(); got != want {
			return nil, fmt.Errorf("the base %s is %s for %s, the lockfile has %s; run slipway lock", cfg.Image.Base, got, arch, want)
		}
		pkgs = a.Packages
	} else {
		if set.res == nil || set.res.base == nil {
			return nil, fmt.Errorf("building %s on the base %s: the package set was not resolved on the base", arch, cfg.Image.Base)
		}
		base, resolution, pkgs = set.res.base, set.res.Result, set.pkgs
	}

	files, err := packageFiles(cfg, arch, pkgs, opts.VendorDir)
	if err != nil {
		return nil, err
	}
	var total, fetched int64
	for _, f := range files {
		total += f.Size
	}
	opts.progress(ProgressEvent{Arch: arch, Stage: StageFetch, Total: int64(len(files)), TotalBytes: total})
	paths, err := dl.Fetch(ctx, files, repo.FetchOptions{Jobs: opts.Jobs, Offline: opts.Offline,
		Progress: func(done, n int, f repo.PackageFile) {
			opts.progress(ProgressEvent{Arch: arch, Stage: StageFetch, Done: int64(done), Total: int64(n),
				Bytes: atomic.AddInt64(&fetched, f.Size), TotalBytes: total, Item: f.Name})
		}})
	if err != nil {
		return nil, err
	}
	headers, signers, err := readHeaders(ctx, cfg, dl, arch, pkgs, paths, opts.VendorDir)
	if err != nil {
		return nil, err
	}
	buildTime := newestBuildTime(headers)
	if opts.SourceDateEpoch != nil {
		buildTime = *opts.SourceDateEpoch
	}
	users, groups, err := baseAccounts(cfg, base)
	if err != nil {
		return nil, err
	}
	w, err := rootfs.New(rootfs.Options{
		BuildTime:    buildTime,
		Docs:         cfg.Packages.Docs,
		DropLicenses: !cfg.Packages.Licenses,
		// The base's users have their homes already; configured users
		// get theirs when the base lacks it.
		Homes:          false,
		HomesOf:        missingHomes(cfg, base),
		EmptyMachineID: cfg.Image.MachineID == config.MachineIDEmpty,
		Remove:         cfg.Paths.Remove,
		Users:          users,
		Groups:         groups,
		LDCache:        true,
		LDCacheLower:   base.libs,
		LowerFiles:     base.lower,
		Lower:          baseLower(base),
		Upgraded:       base.upgraded(headers),
		LowerPackages:  base.headers(),
		Arch:           arch,
		SpoolDir:       opts.WorkDir,
		SingleWrite:    true,
		Log:            log,
	})
	if err != nil {
		return nil, err
	}
	defer w.Close()
	opts.progress(ProgressEvent{Arch: arch, Stage: StageRead, Total: int64(len(paths))})
	dbErr := make(chan error, 1)
	go func() { dbErr <- addBaseDB(ctx, cfg, arch, w, base, headers, buildTime, opts.WorkDir) }()
	err = w.AddRPMFiles(ctx, paths)
	if dberr := <-dbErr; err == nil {
		err = dberr
	}
	if err != nil {
		return nil, err
	}
	whiteouts, err := baseWhiteouts(cfg, base, headers)
	if err != nil {
		return nil, err
	}
	for _, p := range whiteouts {
		if err := w.Add(rootfs.Entry{Path: "/" + path.Join(path.Dir(p), ".wh."+path.Base(p)), Mode: 0o644}); err != nil {
			return nil, fmt.Errorf("whiting out %s of the base: %w", p, err)
		}
	}

	meta := make([]PackageMeta, len(headers))
	for i, h := range headers {
		meta[i] = packageMeta(h.Header)
	}
	comment := fmt.Sprintf("%d packages over the base %s (%d installed there)", len(pkgs), cfg.Image.Base, len(base.pkgs))
	if len(whiteouts) > 0 {
		comment += fmt.Sprintf(", %d paths removed", len(whiteouts))
	}
	hist, report, err := baseLayers(ctx, cfg, arch, &tree{pkgs: pkgs, signers: signers, meta: meta, buildTime: buildTime, w: w}, comment, opts)
	if err != nil {
		return nil, err
	}
	layers := make([]*manifests.Layer, len(hist))
	var size int64
	for i, h := range hist {
		layers[i] = h.Layer
		n, _ := h.Layer.Size()
		size += n
	}
	removeLayers := func() {
		for _, l := range layers {
			l.Remove()
		}
	}
	if opts.FailOnScriptlets {
		var with []string
		for _, p := range report.Packages {
			for _, s := range p.Scriptlets {
				if s.Verdict == rootfs.VerdictUnhandled {
					with = append(with, p.NEVRA+": "+s.Kind+" ("+s.FirstLine+")")
				}
			}
		}
		if len(with) > 0 {
			removeLayers()
			return nil, &ScriptletError{Arch: arch, Packages: with}
		}
	}
	spec := manifests.DerivedSpec{
		Base:        base.img,
		Created:     time.Unix(buildTime, 0),
		Layers:      hist,
		Env:         cfg.OCI.Env,
		Labels:      cfg.OCI.Labels,
		Annotations: imageAnnotations(cfg, buildTime, opts),
	}
	if _, ok := cfg.Origin("config.entrypoint"); ok {
		spec.Entrypoint = nonNilArgs(cfg.OCI.Entrypoint)
	}
	if _, ok := cfg.Origin("config.cmd"); ok {
		spec.Cmd = nonNilArgs(cfg.OCI.Cmd)
	}
	if _, ok := cfg.Origin("config.workdir"); ok {
		spec.WorkingDir = &cfg.OCI.WorkingDir
	}
	if _, ok := cfg.Origin("config.user"); ok {
		spec.User = &cfg.OCI.User
	}
	spec.Annotations[BaseDigestAnnotation] = base.img.Digest.String()
	spec.Annotations[BaseNameAnnotation] = cfg.Image.Base
	img, err := manifests.DerivedImage(spec)
	if err != nil {
		removeLayers()
		return nil, err
	}
	log.Debug("built on the base", "digest", base.img.Digest.String(), "added", len(pkgs), "base packages", len(base.pkgs), "base bytes fetched", base.img.Fetched(), "layers", len(layers))
	opts.progress(ProgressEvent{Arch: arch, Stage: StageDone, Total: int64(len(layers)), Bytes: size})
	return &ArchBuild{
		Arch: arch, Packages: pkgs, BuildTime: buildTime, Layer: layers[len(layers)-1], Layers: layers,
		Report: report, Signers: signers, Resolution: resolution, Meta: meta,
		Image: manifests.ArchImage{Arch: arch, OSVersion: cfg.Image.OSVersion, Image: img},
		Base:  &BaseInfo{Ref: cfg.Image.Base, Digest: base.img.Digest.String(), Packages: base.nevras(), Fetched: base.img.Fetched(), Meta: base.meta()},
	}, nil
}

// The annotations of an image built on a base (the OCI image spec's).
const (
	BaseDigestAnnotation = "org.opencontainers.image.base.digest"
	BaseNameAnnotation   = "org.opencontainers.image.base.name"
)

// BaseInfo is what an ArchBuild on a base says of the base.
type BaseInfo struct {
	Ref      string          // as configured
	Digest   string          // the platform image's manifest digest
	Packages []rpmmeta.NEVRA // installed in the base, in its database's order
	Fetched  int64           // compressed bytes of the base's layers read from its source (not the cache)
	Meta     []PackageMeta   // of Packages, from their headers
}

// sbomPackages are the base's packages as an SBOM lists them (repository
// BaseRepo); none for a nil BaseInfo.
func (b *BaseInfo) sbomPackages() []signing.PackageInfo {
	if b == nil {
		return nil
	}
	out := make([]signing.PackageInfo, len(b.Packages))
	for i, p := range b.Packages {
		m := b.Meta[i]
		out[i] = signing.PackageInfo{NEVRA: p, Repo: BaseRepo,
			License: m.License, Vendor: m.Vendor, Packager: m.Packager, SourceRPM: m.SourceRPM, URL: m.URL, Summary: m.Summary}
	}
	return out
}

func (b *baseImage) meta() []PackageMeta {
	out := make([]PackageMeta, len(b.pkgs))
	for i, p := range b.pkgs {
		if p.pkg != nil {
			out[i] = packageMeta(p.pkg.Header)
		}
	}
	return out
}

func (b *baseImage) nevras() []rpmmeta.NEVRA {
	out := make([]rpmmeta.NEVRA, len(b.pkgs))
	for i, p := range b.pkgs {
		out[i] = p.meta.NEVRA
	}
	return out
}

// maxLowerContent bounds the bytes of the base's files the emulated
// scriptlets read, all together (Azure Linux's trust sources are about
// 1 MiB): they are held in memory during the build.
const maxLowerContent = 64 << 20

// readLowerFiles reads the kept files (name without a leading / ->
// extracted copy) that baseLowerFile names, keyed by absolute path,
// refusing more than limit bytes in all.
func readLowerFiles(kept map[string]string, limit int64) (map[string][]byte, error) {
	names := make([]string, 0, len(kept))
	var total int64
	for name, p := range kept {
		if !baseLowerFile(name) {
			continue
		}
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("/%s: %w", name, err)
		}
		if total += fi.Size(); total > limit {
			return nil, fmt.Errorf("the files the emulated scriptlets read (/etc/shadow, /etc/gshadow, /var/lib/alternatives, the trust sources) hold more than %d bytes", limit)
		}
		names = append(names, name)
	}
	out := make(map[string][]byte, len(names))
	for _, name := range names {
		data, err := os.ReadFile(kept[name])
		if err != nil {
			return nil, fmt.Errorf("/%s: %w", name, err)
		}
		out["/"+name] = data
	}
	return out, nil
}

// baseLower is the base's tree as the emulated scriptlets see it.
func baseLower(base *baseImage) *rootfs.Lower {
	l := &rootfs.Lower{Paths: make(map[string]rootfs.LowerPath, len(base.files.Paths))}
	for p, typ := range base.files.Paths {
		a := base.files.Attrs[p]
		lp := rootfs.LowerPath{Type: 'o', Mode: uint32(a.Mode), UID: a.UID, GID: a.GID}
		switch typ {
		case tar.TypeReg, tar.TypeLink:
			lp.Type = 'f'
		case tar.TypeDir:
			lp.Type = 'd'
		case tar.TypeSymlink:
			lp.Type, lp.Link = 'l', base.files.Links[p]
		}
		l.Paths["/"+p] = lp
	}
	return l
}

// upgraded are the headers of the base's packages that headers replace
// with another version.
func (b *baseImage) upgraded(headers []*rpm.Package) []*rpm.Package {
	added := map[string]bool{}
	for _, h := range headers {
		n := h.NEVRA()
		added[n.Name+"."+n.Arch] = true
	}
	var out []*rpm.Package
	for _, p := range b.pkgs {
		if p.pkg != nil && added[p.meta.Name+"."+p.meta.Arch] {
			out = append(out, p.pkg)
		}
	}
	return out
}

// headers are the base's packages' headers (none for a base with an
// rpmmanifest only).
func (b *baseImage) headers() []*rpm.Package {
	var out []*rpm.Package
	for _, p := range b.pkgs {
		if p.pkg != nil {
			out = append(out, p.pkg)
		}
	}
	return out
}

// nonNilArgs keeps an empty list given in the configuration empty (it
// clears the base's) rather than nil (keep the base's).
func nonNilArgs(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// missingHomes names the configured users whose home folder the base
// does not have.
func missingHomes(cfg *config.Config, base *baseImage) []string {
	users, _ := configAccounts(cfg)
	var out []string
	for _, u := range users {
		h := strings.Trim(path.Clean("/"+u.Home), "/")
		if h == "" {
			continue
		}
		if _, ok := base.files.Paths[h]; !ok {
			out = append(out, u.Name)
		}
	}
	return out
}

// baseAccounts are the base's users and groups, then the configured
// ones, for the tree's account files.
func baseAccounts(cfg *config.Config, base *baseImage) ([]accounts.User, []accounts.Group, error) {
	db := &accounts.DB{}
	if err := db.ParsePasswd("/etc/passwd of the base", base.files.Passwd); err != nil {
		return nil, nil, err
	}
	if err := db.ParseGroup("/etc/group of the base", base.files.Group); err != nil {
		return nil, nil, err
	}
	users, groups := configAccounts(cfg)
	return append(db.Users, users...), append(db.Groups, groups...), nil
}

// addBaseDB adds the package database listing the base's packages (their
// headers as the base's database stores them, but for those the build
// upgrades) and the added ones.
func addBaseDB(ctx context.Context, cfg *config.Config, arch string, w *rootfs.Writer, base *baseImage, headers []*rpm.Package, buildTime int64, workDir string) error {
	replaced := map[string]bool{}
	for _, h := range headers {
		n := h.NEVRA()
		replaced[n.Name+"."+n.Arch] = true
	}
	if base.manifestOnly { // no headers for an rpm database: manifests again
		if cfg.Image.RPMDB == config.RPMDBNone {
			return nil
		}
		return addBaseManifest(w, base, headers, replaced, buildTime)
	}
	var installed []rpmdb.Installed
	for _, p := range base.pkgs {
		if replaced[p.meta.Name+"."+p.meta.Arch] {
			continue
		}
		installed = append(installed, rpmdb.Installed{Pkg: p.pkg, Blob: p.blob})
	}
	for _, p := range headers {
		in := rpmdb.Installed{Pkg: p}
		files, err := p.Files()
		if err != nil {
			return fmt.Errorf("%s: %w", p.NEVRA(), err)
		}
		for j, skip := range rootfs.SkippedFiles(files, cfg.Packages.Docs, cfg.Packages.Licenses) {
			if skip {
				in.NotInstalled = append(in.NotInstalled, j)
			}
		}
		installed = append(installed, in)
	}
	return writePackageDB(ctx, cfg, arch, w, installed, buildTime, workDir)
}

// baseWhiteouts are the base's paths the added layer hides: those
// [paths] remove matches (a folder hides what is under it), and the files
// of base packages the build upgrades that their new version no longer
// has. Paths have no leading slash.
func baseWhiteouts(cfg *config.Config, base *baseImage, headers []*rpm.Package) ([]string, error) {
	hidden := map[string]bool{}
	under := func(p string) bool {
		for d := path.Dir(p); d != "." && d != "/"; d = path.Dir(d) {
			if hidden[d] {
				return true
			}
		}
		return false
	}
	var out []string
	for _, p := range base.files.SortedPaths() { // parents before children
		if under(p) {
			continue
		}
		for _, g := range cfg.Paths.Remove {
			if rpmmeta.MatchPath(g, "/"+p) {
				hidden[p] = true
				out = append(out, p)
				break
			}
		}
	}
	newFiles := map[string]map[string]bool{}
	for _, h := range headers {
		files, err := h.Files()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", h.NEVRA(), err)
		}
		set := map[string]bool{}
		for _, f := range files {
			set[f.Path] = true
		}
		n := h.NEVRA()
		newFiles[n.Name+"."+n.Arch] = set
	}
	for _, p := range base.pkgs {
		now, ok := newFiles[p.meta.Name+"."+p.meta.Arch]
		if !ok || p.pkg == nil { // a distroless base does not say which files a package has
			continue
		}
		files, err := p.pkg.Files()
		if err != nil {
			return nil, fmt.Errorf("the base's %s: %w", p.meta.NEVRA, err)
		}
		for _, f := range files {
			rel := f.Path[1:]
			if now[f.Path] || hidden[rel] || under(rel) {
				continue
			}
			if t, ok := base.files.Paths[rel]; ok && t != tar.TypeDir {
				hidden[rel] = true
				out = append(out, rel)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// addBaseManifest adds the rpmmanifest files of a distroless base's image:
// the base's container-manifest-2 lines (but for the packages the build
// upgrades), then the added packages'.
func addBaseManifest(w *rootfs.Writer, base *baseImage, headers []*rpm.Package, replaced map[string]bool, buildTime int64) error {
	var m1, m2 []byte
	for _, p := range base.pkgs {
		if replaced[p.meta.Name+"."+p.meta.Arch] {
			continue
		}
		n := p.meta.NEVRA
		m1 = append(m1, n.Name+"-"+n.Version+"-"+n.Release+"."+n.Arch+"\n"...)
		if p.line != "" {
			m2 = append(m2, p.line+"\n"...)
		}
	}
	added := make([]rpmdb.Installed, len(headers))
	for i, h := range headers {
		added[i] = rpmdb.Installed{Pkg: h}
	}
	m1 = append(m1, rpmdb.Manifest1(added)...)
	m2 = append(m2, rpmdb.Manifest2(added, buildTime)...)
	for p, data := range map[string][]byte{rpmdb.Manifest1Path: m1, rpmdb.Manifest2Path: m2} {
		if err := w.Add(rootfs.Entry{Path: "/" + p, Mode: 0o644, Data: data}); err != nil {
			return err
		}
	}
	return nil
}
