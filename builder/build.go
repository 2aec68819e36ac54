package builder

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/builder/lock"
	"github.com/slipway-build/slipway/builder/policy"
	"github.com/slipway-build/slipway/builder/repo"
	"github.com/slipway-build/slipway/builder/solve"
	"github.com/slipway-build/slipway/layers/rootfs"
	"github.com/slipway-build/slipway/layers/rootfs/accounts"
	"github.com/slipway-build/slipway/layers/rpm"
	"github.com/slipway-build/slipway/layers/rpmdb"
	"github.com/slipway-build/slipway/layers/split"
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
	// CacheDir and CacheSalt enable the layer cache (CacheDir/layers): a
	// rebuild of the same packages with the same configuration by the same
	// slipway (CacheSalt identifies the binary) reuses the layers instead
	// of writing them again. CacheSalt is called when the cache is first
	// consulted, after the solve, so the caller can compute it meanwhile;
	// nil or "": no layer cache.
	CacheDir  string
	CacheSalt func() string
	// WorkDir holds the compressed layers until they are written out; it
	// must exist. The caller removes it.
	WorkDir string
	// FailOnScriptlets stops the build when a package has a scriptlet or
	// trigger whose effect slipway neither reproduces nor knows to be
	// unneeded in an image (an unhandled one: see docs/scriptlets.md).
	FailOnScriptlets bool
	// Annotations go on every image manifest (and, being shared, on the
	// index), over the configuration's: org.opencontainers.image.version,
	// source, revision and any other.
	Annotations map[string]string
	// VendorDir, with Lock, takes the packages and signing keys from a
	// folder written by Vendor instead of the repositories.
	VendorDir string
	// Previous is the layer plan of the previous image, by architecture
	// (PreviousPlan): layers.strategy = origin keeps it.
	Previous map[string][]split.PrevLayer
	// BaseLocks are the lockfiles of base configurations (by their file,
	// as config.Config.Files names it) for layers.strategy = shared-base;
	// a base without one is resolved.
	BaseLocks map[string]*lock.Lock
	// Registry reads policy.baseline when it names an image in a
	// registry (credentials, plain-HTTP registries); zero: the defaults.
	Registry manifests.PushOptions
	// Bases are the shared base configurations already loaded (by their
	// file: LoadBases), so that the build does not load them again; a
	// base not in it is loaded.
	Bases map[string]*config.Config
	// Progress, when set, receives the build's progress, from several
	// goroutines at once (one per architecture and download).
	Progress func(ProgressEvent)
}

// The stages of ProgressEvent.
const (
	StageMetadata = "metadata" // loading repository metadata and resolving
	StageFetch    = "fetch"    // downloading packages: Done/Total packages, Bytes/TotalBytes
	StageRead     = "read"     // reading the packages into the tree
	StageLayer    = "layer"    // writing the layers: Bytes of tar so far (all the image's layers, with layers.max)
	StageDone     = "done"     // the architecture's image is assembled: Total layers, Bytes compressed
)

// ProgressEvent is one step of a build, for a progress display.
type ProgressEvent struct {
	Arch       string
	Stage      string
	Done       int64
	Total      int64
	Bytes      int64
	TotalBytes int64
	Item       string // package or image the event is about, when one
}

func (o BuildOptions) progress(e ProgressEvent) {
	if o.Progress != nil {
		o.Progress(e)
	}
}

// ArchBuild is the image built for one architecture.
type ArchBuild struct {
	Arch      string
	Packages  []lock.Package // installed, in install order (sorted by name)
	BuildTime int64
	Layer     *manifests.Layer   // the top layer (the only one with layers.strategy = single)
	Layers    []*manifests.Layer // every layer, bottom first
	Image     manifests.ArchImage
	Report    *rootfs.Report
	// Signers says which key signed each package (NEVRA -> identity),
	// for packages of repositories with gpgcheck.
	Signers map[string]string
	// Resolution is the solver's result the package set came from, with
	// the reason each package is installed (the dependency edges); nil
	// for a build of a lockfile, which does not resolve.
	Resolution *solve.Result
	// Meta is what the SBOM needs of each package's header, in the order
	// of Packages.
	Meta []PackageMeta
	// Advisories are those of the repositories' updateinfo.xml that the
	// installed versions fix (state fixed), from the metadata the
	// resolution loaded; nil for a build of a lockfile (which loads no
	// metadata) or when no repository has updateinfo.
	Advisories []repo.AdvisoryMatch
	// Base, for a build on [image] base, is the base image: Packages are
	// then the added packages only.
	Base *BaseInfo
}

// PackageMeta is what an SBOM says of a package beyond its lockfile
// entry, read from its header while the build reads the package.
type PackageMeta struct {
	License   string `json:"license,omitempty"`
	Vendor    string `json:"vendor,omitempty"`
	Packager  string `json:"packager,omitempty"`
	SourceRPM string `json:"sourcerpm,omitempty"`
	URL       string `json:"url,omitempty"`
	Summary   string `json:"summary,omitempty"`
}

// packageMeta reads a PackageMeta from a header.
func packageMeta(h *rpm.Header) PackageMeta {
	return PackageMeta{
		License: h.String(rpm.TagLicense), Vendor: h.String(rpm.TagVendor), Packager: h.String(rpm.TagPackager),
		SourceRPM: h.String(rpm.TagSourceRPM), URL: h.String(rpm.TagURL), Summary: h.String(rpm.TagSummary),
	}
}

// ScriptletError is returned with FailOnScriptlets when packages carry
// unhandled scriptlets.
type ScriptletError struct {
	Arch     string
	Packages []string // "NEVRA: %pre (first line), %post (...)"
}

func (e *ScriptletError) Error() string {
	return fmt.Sprintf("%s: %d packages have scriptlets whose effect slipway does not reproduce (--fail-on-scriptlets): %s",
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
	if cfg.Image.Base != "" {
		if err := checkBaseConfig(cfg); err != nil {
			return nil, err
		}
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
	// [policy]: the repositories before anything is fetched, each
	// package set once resolved (or read from the lock), and the layers
	// once written, before anything is output.
	if err := policy.AsError(policy.CheckRepos(cfg, cfg.Repositories)); err != nil {
		return nil, err
	}
	baseline, err := LoadBaseline(ctx, cfg, opts.Options, opts.Registry)
	if err != nil {
		return nil, err
	}
	sets, err := packageSets(ctx, cfg, arches, opts)
	if err != nil {
		return nil, err
	}
	if err := checkSets(cfg, sets, baseline); err != nil {
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
			results[i], errs[i] = buildArch(ctx, cfg, arch, dl, sets[i], opts)
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
	if err := checkBuilt(cfg, sets, results, baseline); err != nil {
		return nil, err
	}
	fixedAdvisories(ctx, sets, results, opts.log())
	return results, nil
}

func buildArch(ctx context.Context, cfg *config.Config, arch string, dl *repo.Downloader, set archSet, opts BuildOptions) (*ArchBuild, error) {
	if cfg.Image.Base != "" {
		return buildOnBase(ctx, cfg, arch, dl, set, opts)
	}
	log := opts.log().With("arch", arch)
	pkgs, resolution := set.pkgs, set.result()
	var (
		hist      []manifests.HistoryLayer
		report    *rootfs.Report
		buildTime int64
		signers   map[string]string
		meta      []PackageMeta
	)
	key := layerCacheKey(cfg, arch, pkgs, opts)
	fromCache := false
	if c, h, ok := loadCachedLayers(opts, key); key != "" && ok {
		fromCache = true
		log.Debug("layers from the layer cache", "key", key)
		hist, report, buildTime, signers, meta = h, c.Report, c.BuildTime, c.Signers, c.Meta
	} else {
		t, err := newTree(ctx, cfg, arch, dl, pkgs, opts, log)
		if err != nil {
			return nil, err
		}
		defer t.w.Close()
		var tarPath string
		hist, tarPath, report, err = layerStack(ctx, cfg, arch, dl, t, opts)
		if tarPath != "" {
			os.Remove(tarPath)
		}
		if err != nil {
			return nil, err
		}
		buildTime, signers, meta = t.buildTime, t.signers, t.meta
		if key != "" {
			if err := storeCachedLayers(opts, key, buildTime, signers, meta, report, hist); err != nil {
				log.Warn("could not keep the layers for the next build", "err", err.Error())
			}
		}
	}
	layers := make([]*manifests.Layer, len(hist))
	for i, h := range hist {
		layers[i] = h.Layer
	}
	if opts.FailOnScriptlets {
		var with []string
		for _, p := range report.Packages {
			var kinds []string
			for _, s := range p.Scriptlets {
				// With scriptlets = "run", every scriptlet but <lua> ran.
				ran := cfg.Packages.Scriptlets == config.ScriptletsRun && s.Prog != "<lua>"
				if s.Verdict == rootfs.VerdictUnhandled && !ran {
					kinds = append(kinds, fmt.Sprintf("%s (%s)", s.Kind, s.FirstLine))
				}
			}
			if len(kinds) > 0 {
				with = append(with, p.NEVRA+": "+strings.Join(kinds, ", "))
			}
		}
		if len(with) > 0 {
			for _, l := range layers {
				if !fromCache { // cached blobs stay for the next build
					l.Remove()
				}
			}
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
		Layers:      hist,
	})
	if err != nil {
		return nil, err
	}
	var size int64
	for _, l := range layers {
		n, _ := l.Size()
		size += n
	}
	opts.progress(ProgressEvent{Arch: arch, Stage: StageDone, Total: int64(len(layers)), Bytes: size})
	return &ArchBuild{
		Arch: arch, Packages: pkgs, BuildTime: buildTime, Layer: layers[len(layers)-1], Layers: layers,
		Report: report, Signers: signers, Resolution: resolution, Meta: meta,
		Image: manifests.ArchImage{Arch: arch, OSVersion: cfg.Image.OSVersion, Image: img},
	}, nil
}

// writeTar writes the tree as one uncompressed tar in a temporary file of
// workDir; the caller removes path (set as soon as the file exists).
func (t *tree) writeTar(ctx context.Context, workDir, arch string) (path string, report *rootfs.Report, err error) {
	tf, err := os.CreateTemp(workDir, "tree-"+arch+"-*.tar")
	if err != nil {
		return "", nil, err
	}
	report, err = t.w.WriteTar(ctx, tf)
	if cerr := tf.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return tf.Name(), nil, fmt.Errorf("writing the tree: %w", err)
	}
	return tf.Name(), report, nil
}

// tree is the rootfs of one configuration and architecture: its packages
// fetched, checked and added, with their database.
type tree struct {
	pkgs      []lock.Package
	signers   map[string]string
	meta      []PackageMeta // in the order of pkgs
	buildTime int64
	w         *rootfs.Writer
}

// newTree fetches pkgs and lays out cfg's tree for arch; the caller
// closes t.w.
func newTree(ctx context.Context, cfg *config.Config, arch string, dl *repo.Downloader, pkgs []lock.Package, opts BuildOptions, log *slog.Logger) (*tree, error) {
	files, err := packageFiles(cfg, arch, pkgs, opts.VendorDir)
	if err != nil {
		return nil, err
	}
	var total int64
	for _, f := range files {
		total += f.Size
	}
	start := time.Now()
	var fetched int64
	opts.progress(ProgressEvent{Arch: arch, Stage: StageFetch, Total: int64(len(files)), TotalBytes: total})
	paths, err := dl.Fetch(ctx, files, repo.FetchOptions{Jobs: opts.Jobs, Offline: opts.Offline,
		Progress: func(done, n int, f repo.PackageFile) {
			opts.progress(ProgressEvent{Arch: arch, Stage: StageFetch, Done: int64(done), Total: int64(n),
				Bytes: atomic.AddInt64(&fetched, f.Size), TotalBytes: total, Item: f.Name})
		}})
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
		// Package files keep their headers' mtimes unless [image] mtime = "clamp".
		ClampMTimes: cfg.Image.MTime == config.MTimeClamp,
		Docs:        cfg.Packages.Docs,
		// DropLicenses, Homes and EmptyMachineID: see rootfs.Options.
		DropLicenses:   !cfg.Packages.Licenses,
		Homes:          true,
		EmptyMachineID: cfg.Image.MachineID == config.MachineIDEmpty,
		RunScriptlets:  cfg.Packages.Scriptlets == config.ScriptletsRun,
		Remove:         cfg.Paths.Remove,
		Users:          users,
		Groups:         groups,
		LDCache:        true,
		Arch:           arch,
		SpoolDir:       opts.WorkDir,
		// layerStack writes each tree once.
		SingleWrite: true,
		Log:         log,
	})
	if err != nil {
		return nil, err
	}
	opts.progress(ProgressEvent{Arch: arch, Stage: StageRead, Total: int64(len(paths))})
	// The rpm database needs the headers only: it is written while the
	// payloads are read.
	dbErr := make(chan error, 1)
	go func() { dbErr <- addPackageDB(ctx, cfg, arch, w, headers, buildTime, opts.WorkDir) }()
	err = w.AddRPMFiles(ctx, paths)
	if dberr := <-dbErr; err == nil {
		err = dberr
	}
	if err != nil {
		w.Close()
		return nil, err
	}
	meta := make([]PackageMeta, len(headers))
	for i, h := range headers {
		meta[i] = packageMeta(h.Header)
	}
	return &tree{pkgs: pkgs, signers: signers, meta: meta, buildTime: buildTime, w: w}, nil
}

// maxBaseDepth bounds the chain of shared bases (extends chains are
// bounded by the loader too).
const maxBaseDepth = 8

// layerPlan is the chain of configurations whose trees make one
// architecture's layers, bottom first: levels[0] is written whole (one
// layer, or layers.max of them), each level above uses layers.strategy =
// shared-base and adds the layers of what its tree changes over the level
// below. The last level is the configuration being built. The chain is
// resolved up front, before any tree is written.
type layerPlan struct {
	levels []planLevel
}

// planLevel is one configuration of a layerPlan.
type planLevel struct {
	cfg  *config.Config
	file string         // the file it was loaded from ("" for the configuration being built)
	pkgs []lock.Package // what it installs for the architecture (nil for the configuration being built: the caller's tree has them)
}

// wrap names the bases an error of levels[i] happened under, the
// innermost first, as the message of a build of that chain reads.
func (p *layerPlan) wrap(i int, err error) error {
	for j := i; j < len(p.levels)-1; j++ {
		err = fmt.Errorf("base configuration %s: %w", p.levels[j].file, err)
	}
	return err
}

// planLayers follows cfg's shared bases down to one that is written
// whole, loading and resolving each for arch (or taking its lockfile
// from opts.BaseLocks).
func planLayers(ctx context.Context, cfg *config.Config, arch string, opts BuildOptions) (*layerPlan, error) {
	chain := []planLevel{{cfg: cfg}} // top first while planning
	// wrapDepth names the bases above chain[k], as wrap does.
	wrapDepth := func(k int, err error) error {
		for j := k; j >= 1; j-- {
			err = fmt.Errorf("base configuration %s: %w", chain[j].file, err)
		}
		return err
	}
	for depth := 0; chain[depth].cfg.Layers.Strategy == config.LayersSharedBase; depth++ {
		cur := chain[depth].cfg
		if len(cur.Files) < 2 {
			return nil, wrapDepth(depth, fmt.Errorf("layers.strategy = %q: %s extends no base configuration", cur.Layers.Strategy, cur.Image.Name))
		}
		if depth >= maxBaseDepth {
			return nil, wrapDepth(depth, fmt.Errorf("layers.strategy = %q: more than %d shared bases", cur.Layers.Strategy, maxBaseDepth))
		}
		baseFile := cur.Files[1]
		baseCfg := opts.Bases[baseFile]
		if baseCfg == nil {
			var err error
			if baseCfg, err = config.Load(ctx, baseFile); err != nil {
				return nil, wrapDepth(depth, fmt.Errorf("loading the base configuration %s: %w", baseFile, err))
			}
		}
		if !slices.Contains(baseCfg.Image.Architectures, arch) {
			return nil, wrapDepth(depth, fmt.Errorf("the base configuration %s is not built for %s", baseFile, arch))
		}
		var baseLock *lock.Lock
		if opts.BaseLocks != nil {
			baseLock = opts.BaseLocks[baseFile]
		}
		chain = append(chain, planLevel{cfg: baseCfg, file: baseFile})
		pkgs, _, err := packageSet(ctx, baseCfg, arch, baseLock, opts)
		if err != nil {
			return nil, wrapDepth(depth+1, err)
		}
		chain[depth+1].pkgs = pkgs
	}
	slices.Reverse(chain)
	return &layerPlan{levels: chain}, nil
}

// layerStack writes the layers of cfg's tree t, bottom first, following
// the plan of its shared bases: the bottom configuration's tree is
// written whole, each one above as the layers of what it changes over the
// tree below it. The uncompressed tar of t's whole tree, when one was
// written (layers.max, shared-base), is left in tarPath (the caller
// removes it).
func layerStack(ctx context.Context, cfg *config.Config, arch string, dl *repo.Downloader, t *tree, opts BuildOptions) (hist []manifests.HistoryLayer, tarPath string, report *rootfs.Report, err error) {
	plan, err := planLayers(ctx, cfg, arch, opts)
	if err != nil {
		return nil, "", nil, err
	}
	var belowTar string // the tar of the level below's whole tree
	defer func() {
		if belowTar != "" {
			os.Remove(belowTar)
		}
	}()
	for i, lv := range plan.levels {
		top := i == len(plan.levels)-1
		lt := t
		if !top {
			lt, err = newTree(ctx, lv.cfg, arch, dl, lv.pkgs, opts, opts.log().With("arch", arch, "base", lv.file))
			if err != nil {
				return nil, "", nil, plan.wrap(i, err)
			}
		}
		lhist, ltar, lreport, err := writeLevel(ctx, lv.cfg, arch, lt, opts, belowTar, !top)
		if !top {
			lt.w.Close() // the spool is no longer needed
		}
		if belowTar != "" {
			os.Remove(belowTar)
			belowTar = ""
		}
		if err != nil {
			if ltar != "" && !top {
				os.Remove(ltar)
			}
			return nil, ltar, nil, plan.wrap(i, err)
		}
		hist = append(hist, lhist...)
		if top {
			return hist, ltar, lreport, nil
		}
		belowTar = ltar
	}
	panic("unreachable: a layer plan ends with the configuration being built")
}

// writeLevel writes the layers of one level of a layer plan: cfg's tree
// t whole when belowTar is "", else the layers of what t changes over the
// tree in belowTar (cfg uses shared-base). With keepTar, or when a tar of
// the tree was written anyway, it is left in tarPath.
func writeLevel(ctx context.Context, cfg *config.Config, arch string, t *tree, opts BuildOptions, belowTar string, keepTar bool) (hist []manifests.HistoryLayer, tarPath string, report *rootfs.Report, err error) {
	lopts := manifests.LayerOptions{Compression: opts.Compression}
	var written int64 // tar bytes of the layers already written
	progress := func(n int64) {
		opts.progress(ProgressEvent{Arch: arch, Stage: StageLayer, Bytes: written + n, Item: cfg.Image.Name})
	}
	splitting := cfg.Layers.Max > 1 && cfg.Layers.Strategy != config.LayersOrigin
	install := make([]string, len(t.pkgs))
	for i, p := range t.pkgs {
		install[i] = p.NEVRA.String()
	}
	// splitLayers writes the layers of tarFile grouped by layers.max.
	splitLayers := func(tarFile string, report *rootfs.Report, comment func(g split.Group, entries, chosen int) string) ([]manifests.HistoryLayer, error) {
		groups, err := split.Plan(ctx, tarFile, report.Owners, install, cfg.Layers.Max)
		if err != nil {
			return nil, err
		}
		chosen := 0
		for _, g := range groups {
			if g.Pkg != "" {
				chosen++
			}
		}
		var out []manifests.HistoryLayer
		for _, g := range groups {
			var entries int
			cw := &countingWriter{report: progress}
			layer, err := manifests.WriteLayer(ctx, opts.WorkDir, lopts, func(w io.Writer) error {
				cw.w = w
				var err error
				entries, err = split.Write(ctx, tarFile, g, cw)
				return err
			})
			if err != nil {
				for _, h := range out {
					h.Layer.Remove()
				}
				return nil, fmt.Errorf("writing the layer of %s: %w", cmp.Or(g.Pkg, "the other packages"), err)
			}
			written += cw.n
			out = append(out, manifests.HistoryLayer{Layer: layer, CreatedBy: "slipway build", Comment: comment(g, entries, chosen)})
		}
		return out, nil
	}
	if belowTar == "" && cfg.Layers.Strategy == config.LayersOrigin {
		return originLayers(ctx, cfg, arch, t, opts, lopts, keepTar)
	}
	if belowTar == "" {
		if splitting {
			var err error
			if tarPath, report, err = t.writeTar(ctx, opts.WorkDir, arch); err != nil {
				return nil, tarPath, nil, err
			}
			hist, err := splitLayers(tarPath, report, func(g split.Group, _, chosen int) string {
				if g.Pkg != "" {
					return "package " + g.Pkg
				}
				return fmt.Sprintf("%d packages", len(t.pkgs)-chosen)
			})
			if err != nil {
				return nil, tarPath, nil, err
			}
			return hist, tarPath, report, nil
		}
		var tf *os.File
		if keepTar {
			if tf, err = os.CreateTemp(opts.WorkDir, "tree-"+arch+"-*.tar"); err != nil {
				return nil, "", nil, err
			}
			defer tf.Close()
			tarPath = tf.Name()
		}
		layer, err := manifests.WriteLayer(ctx, opts.WorkDir, lopts, func(out io.Writer) error {
			if tf != nil {
				out = io.MultiWriter(out, tf)
			}
			var err error
			report, err = t.w.WriteTar(ctx, &countingWriter{w: out, report: progress})
			return err
		})
		if err != nil {
			return nil, tarPath, nil, fmt.Errorf("writing layer: %w", err)
		}
		return []manifests.HistoryLayer{{Layer: layer, CreatedBy: "slipway build", Comment: fmt.Sprintf("%d packages", len(t.pkgs))}}, tarPath, report, nil
	}

	// shared-base: the layers of what this tree changes over the one below.
	baseFile := cfg.Files[1]
	tf, err := os.CreateTemp(opts.WorkDir, "tree-"+arch+"-*.tar")
	if err != nil {
		return nil, "", nil, err
	}
	tarPath = tf.Name()
	report, err = t.w.WriteTar(ctx, tf)
	if cerr := tf.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, tarPath, nil, fmt.Errorf("writing the tree: %w", err)
	}
	var copied, whiteouts int
	if splitting {
		df, err := os.CreateTemp(opts.WorkDir, "upper-"+arch+"-*.tar")
		if err != nil {
			return nil, tarPath, nil, err
		}
		defer os.Remove(df.Name())
		copied, whiteouts, err = split.Upper(ctx, belowTar, tarPath, t.buildTime, df)
		if cerr := df.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, tarPath, nil, fmt.Errorf("writing the layer over %s: %w", baseFile, err)
		}
		uppers, err := splitLayers(df.Name(), report, func(g split.Group, entries, chosen int) string {
			if g.Pkg != "" {
				return "package " + g.Pkg + " over the base"
			}
			return layerComment(len(t.pkgs)-chosen, entries, whiteouts)
		})
		if err != nil {
			return nil, tarPath, nil, fmt.Errorf("over %s: %w", baseFile, err)
		}
		opts.log().Debug("shared-base layers", "arch", arch, "base", baseFile, "copied", copied, "whiteouts", whiteouts, "layers", len(uppers))
		return append(hist, uppers...), tarPath, report, nil
	}
	upper, err := manifests.WriteLayer(ctx, opts.WorkDir, lopts, func(out io.Writer) error {
		var err error
		copied, whiteouts, err = split.Upper(ctx, belowTar, tarPath, t.buildTime, &countingWriter{w: out, report: progress})
		return err
	})
	if err != nil {
		return nil, tarPath, nil, fmt.Errorf("writing the layer over %s: %w", baseFile, err)
	}
	opts.log().Debug("shared-base layer", "arch", arch, "base", baseFile, "copied", copied, "whiteouts", whiteouts)
	hist = append(hist, manifests.HistoryLayer{Layer: upper, CreatedBy: "slipway build", Comment: layerComment(len(t.pkgs), copied, whiteouts)})
	return hist, tarPath, report, nil
}

// layerComment is the history comment of the shared-base upper layer.
func layerComment(pkgs, copied, whiteouts int) string {
	return strconv.Itoa(pkgs) + " packages; " + strconv.Itoa(copied) + " paths over the base, " + strconv.Itoa(whiteouts) + " removed"
}

// countingWriter reports the bytes written so far, at most every 1 MiB.
type countingWriter struct {
	w      io.Writer
	n      int64
	last   int64
	report func(int64)
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	if c.n-c.last >= 1<<20 {
		c.last = c.n
		c.report(c.n)
	}
	return n, err
}

// packageSet is the locked set of arch, or a fresh resolution.
func packageSet(ctx context.Context, cfg *config.Config, arch string, l *lock.Lock, opts BuildOptions) ([]lock.Package, *solve.Result, error) {
	if l != nil {
		a := l.Arch(arch)
		if a == nil {
			return nil, nil, fmt.Errorf("the lockfile has no packages for %s; run slipway lock", arch)
		}
		return a.Packages, nil, nil
	}
	res, err := Resolve(ctx, cfg, arch, opts.Options)
	if err != nil {
		return nil, nil, err
	}
	return NewLock(cfg, []*Resolution{res}).Arches[0].Packages, res.Result, nil
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
		for j, skip := range rootfs.SkippedFiles(files, cfg.Packages.Docs, cfg.Packages.Licenses) {
			if skip {
				installed[i].NotInstalled = append(installed[i].NotInstalled, j)
			}
		}
	}
	return writePackageDB(ctx, cfg, arch, w, installed, buildTime, workDir)
}

// writePackageDB writes the package inventory of installed into w as
// [image] rpmdb says: nothing, the rpmmanifest files, or rpmdb.sqlite
// (written in a folder under workDir, then added).
func writePackageDB(ctx context.Context, cfg *config.Config, arch string, w *rootfs.Writer, installed []rpmdb.Installed, buildTime int64, workDir string) error {
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
