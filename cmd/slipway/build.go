package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/pflag"

	"github.com/slipway-build/slipway/builder"
	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/builder/lock"
	"github.com/slipway-build/slipway/internal/localfile"
	"github.com/slipway-build/slipway/manifests"
)

// buildCommands are the commands defined in build.go.
func buildCommands() []*command {
	return []*command{
		{
			Name:    "build",
			Summary: "build the image of a configuration, for every architecture",
			Usage:   "build [flags] CONFIG --output oci:DIR[:TAG]|docker-archive:FILE[:REF]|docker://REGISTRY/REPO:TAG",
			Long: `Resolves CONFIG (or takes the lockfile with --locked), fetches and verifies
the packages, installs them into a rootfs layer without running rpm or any
scriptlet, writes the rpm database (or the rpmmanifest files), and assembles
an OCI image per architecture; several architectures give an image index.

Every scriptlet gets a verdict: emulated (its effect is reproduced:
/etc/shells lines, accounts, pwconv, alternatives, lua folders and
links...), not needed in an image, or unhandled; the output ends with a
summary and each unhandled one (docs/scriptlets.md).

The configuration's [policy] is enforced: the repositories (with
--repofile's) before anything is fetched, each package set once resolved
(or locked) before any package is downloaded, and the sizes again on the
written layers before anything is output, pushed or signed. A violation
prints the rule, the file and line that set it and, for a package, the
chain that pulled it in, and exits 1 with nothing written or pushed.

The build time is SOURCE_DATE_EPOCH when set, otherwise the newest build
time of the installed packages: the same inputs give the same digests. It
dates what slipway generates (rpm database, accounts, ld.so.cache,
scriptlet outputs, implied folders, the image config); package files keep
the mtimes their headers record unless [image] mtime = "clamp"
(docs/config.md).

With [layers] strategy = "origin", --previous REF (oci:DIR[:TAG] or a
registry reference) keeps the layer plan of the previous image (its
layers' dev.slipway.layer.sources and dev.slipway.layer.packages
annotations): a group of packages that did not change gets a layer with
the same digest, a changed source a layer of its own, a new one a layer
on top without moving the rest. When keeping the plan would exceed
layers.max, or more than half of the previous sources are gone, the build
plans afresh and warns. publish uses the image at its first --tag when
--previous is not given (none when the tag does not exist yet).
Outputs are written beside their destination and renamed into place, so a
failed build leaves no partial output. An oci:DIR that is already an OCI
layout is added to, never replaced: the image's blobs are added to blobs/
and index.json is rewritten (atomically) with the entries named TAG (and
TAG-ARCH; with no TAG, the unnamed entries) replaced; other tags, their
blobs and any other file in DIR are kept, and nothing is deleted. An
existing DIR that is not empty and not an OCI layout is refused before
anything is built. A docker:// output is pushed (see 'slipway help
publish' for credentials and the push order); the reference and the
registry's credentials are checked before anything is built.

Progress goes to stderr: bars on a terminal; otherwise (CI, a pipe) a few
plain lines with no control characters: per architecture "ARCH: loading
repository metadata", "ARCH: fetched N packages (SIZE)" and "ARCH: N
layers written (SIZE)", and "pushed REPO (SIZE)" per repository once the
push succeeded (SIZE: its blobs, uploaded or already there). --quiet prints
none. An error is the last line: "slipway: ...".

Every manifest carries org.opencontainers.image.created and .title, the
--version, --source, --revision and --annotation values, and the digests of
the configuration (dev.slipway.config.digest) and, with --locked, of the
lockfile (dev.slipway.lock.digest); the index carries the annotations its
images share, so 'slipway merge' of single-architecture builds gives the
same index digest as one build of all architectures.`,
			Setup: func(fs *pflag.FlagSet) func(context.Context, *globals, []string) error {
				bf := addBuildFlags(fs)
				rf := addRegistryFlags(fs, false)
				arch := fs.String("arch", "", "build only this architecture")
				output := fs.StringP("output", "o", "", "where to write the image: oci:DIR[:TAG], docker-archive:FILE[:REF] or docker://REGISTRY/REPO:TAG (required)")
				sf := addSBOMFlags(fs, false)
				return func(ctx context.Context, g *globals, args []string) error {
					if len(args) != 1 {
						return usagef("build takes one CONFIG file, got %d arguments", len(args))
					}
					if *output == "" {
						return usagef("build needs --output oci:DIR[:TAG], docker-archive:FILE[:REF] or docker://REGISTRY/REPO:TAG")
					}
					out, err := manifests.ParseOutput(*output)
					if err != nil {
						if strings.HasPrefix(*output, "docker:") {
							return err // an invalid reference fails like a refused push
						}
						return usagef("%s", err)
					}
					var tags []name.Reference
					if out.Kind == manifests.Registry {
						if tags, err = rf.parseTags("--output", []string{out.Ref}); err != nil {
							return err
						}
					}
					if out.Kind == manifests.OCILayout {
						if err := manifests.CheckOCILayout(out.Path); err != nil {
							return err // refused before anything is built
						}
					}
					b, err := bf.prepare(ctx, g, args[0], *arch)
					if err != nil {
						return err
					}
					defer b.cleanup()
					if err := rf.setBase(g, &b.opts.Options); err != nil {
						return err
					}
					if err := bf.previousPlan(ctx, g, rf, b, nil); err != nil {
						return redact(g, err)
					}
					if out.Kind == manifests.DockerArchive && len(b.opts.Arches) != 1 {
						return usagef("a docker-archive holds one image: pass --arch (configured: %s)", strings.Join(b.opts.Arches, ", "))
					}
					var po manifests.PushOptions
					if tags != nil {
						if po, err = rf.pushOptions(g, bf.jobs); err != nil {
							return err
						}
						if err := manifests.CheckPush(ctx, tags, po); err != nil {
							return redact(g, err)
						}
					}
					prog, builds, start, built, err := buildWithProgress(ctx, g, b, &po)
					if err != nil {
						return err // the display is closed
					}
					defer prog.Close()
					res, _, err := publish(ctx, b, out.String(), builds, builder.PublishOptions{
						Outputs: []manifests.Output{out}, Tags: tags, Registry: po, SBOMDir: sf.dir, Log: g.Log,
					})
					prog.Close()
					if err != nil {
						return redact(g, err)
					}
					prog.pushedRepos(res.Uploads)
					res.timed(start, built)
					if bf.asJSON {
						return writeJSON(g.Stdout, res)
					}
					printBuild(g, res, builds)
					return nil
				}
			},
		},
	}
}

// preparedBuild is a loaded configuration and the options of its build.
type preparedBuild struct {
	cfg     *config.Config
	opts    builder.BuildOptions
	cleanup func()
}

// prepare checks the flags, loads the configuration (and lockfile) and
// makes the work folder; call cleanup when done.
func (bf *buildFlags) prepare(ctx context.Context, g *globals, cfgPath, arch string) (*preparedBuild, error) {
	comp, err := manifests.ParseCompression(bf.compression)
	if err != nil {
		return nil, usagef("--compression: %s", err)
	}
	if bf.jobs < 1 {
		return nil, usagef("--jobs must be at least 1")
	}
	if bf.vendorDir != "" && !bf.locked {
		return nil, usagef("--vendor-dir needs --locked")
	}
	ann, err := parseAnnotations(bf.annotations)
	if err != nil {
		return nil, err
	}
	for k, v := range map[string]string{
		"org.opencontainers.image.version":  bf.version,
		"org.opencontainers.image.source":   bf.source,
		"org.opencontainers.image.revision": bf.revision,
	} {
		if v != "" {
			ann[k] = v
		}
	}
	// Hash the executable for the layer cache's key on the other core
	// while the configuration is loaded and the packages are resolved.
	go binarySalt()
	cfg, err := loadConfig(ctx, g, cfgPath, bf.repofiles)
	if err != nil {
		return nil, err
	}
	arches, err := pickArches(cfg, arch)
	if err != nil {
		return nil, err
	}
	opts := builder.BuildOptions{
		Options: builderOptions(g, cfg), Arches: arches, Compression: comp,
		Offline: bf.offline, Jobs: bf.jobs, FailOnScriptlets: bf.failScriptlets,
		Annotations: ann, VendorDir: bf.vendorDir,
		CacheDir: g.CacheDir, CacheSalt: binarySalt,
	}
	if sde := g.Getenv("SOURCE_DATE_EPOCH"); sde != "" {
		n, err := strconv.ParseInt(sde, 10, 64)
		if err != nil || n < 0 {
			return nil, usagef("SOURCE_DATE_EPOCH=%q is not a number of seconds", sde)
		}
		opts.SourceDateEpoch = &n
	}
	if cfg.Layers.Strategy == config.LayersSharedBase {
		// The shared bases are loaded once, here, for the build and for
		// their lockfiles. A base that does not load is loaded again by
		// the build, whose error names the architecture and the chain.
		opts.Bases, _ = builder.LoadBases(ctx, cfg, config.WithLogger(g.Log))
	}
	if bf.locked {
		l, err := readLock(cfg, cfgPath, bf.lockPath)
		if err != nil {
			return nil, err
		}
		opts.Lock = l
		if cfg.Layers.Strategy == config.LayersSharedBase {
			if opts.BaseLocks, err = baseLocks(cfg, opts.Bases); err != nil {
				return nil, err
			}
		}
	}
	if err := os.MkdirAll(g.CacheDir, 0o755); err != nil {
		return nil, err
	}
	removeStaleWorkDirs(g, time.Now().Add(-staleWorkDir))
	work, err := os.MkdirTemp(g.CacheDir, "build-")
	if err != nil {
		return nil, err
	}
	opts.WorkDir = work
	return &preparedBuild{cfg: cfg, opts: opts, cleanup: func() { os.RemoveAll(work) }}, nil
}

// readLock reads the lockfile of cfgPath (or path) and checks that it
// was written for cfg.
func readLock(cfg *config.Config, cfgPath, path string) (*lock.Lock, error) {
	if path == "" {
		path = defaultLockPath(cfgPath)
	}
	data, err := localfile.ReadFile(path, "lockfile", localfile.ConfigLimit)
	if err != nil {
		return nil, err
	}
	l, err := lock.Parse(data, path)
	if err != nil {
		return nil, err
	}
	if l.ConfigDigest != cfg.Digest() {
		return nil, fmt.Errorf("lockfile %s was written for another configuration; run 'slipway lock %s'", path, cfgPath)
	}
	return l, nil
}

// baseLocks reads the lockfiles beside the shared base configurations
// (those that have one: a base without is resolved), each checked
// against its own configuration, as builder.LoadBases loaded it.
func baseLocks(cfg *config.Config, bases map[string]*config.Config) (map[string]*lock.Lock, error) {
	out := map[string]*lock.Lock{}
	for _, f := range cfg.Files[1:] { // in the order of the chain
		bc, ok := bases[f]
		if !ok {
			continue
		}
		if _, err := os.Stat(defaultLockPath(f)); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		l, err := readLock(bc, f, "")
		if err != nil {
			return nil, fmt.Errorf("base configuration: %w", err)
		}
		out[f] = l
	}
	return out, nil
}

func parseAnnotations(list []string) (map[string]string, error) {
	out := map[string]string{}
	for _, a := range list {
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			return nil, usagef("--annotation %q: want KEY=VALUE", a)
		}
		out[k] = v
	}
	return out, nil
}

type buildJSONArch struct {
	Arch      string `json:"arch"`
	Platform  string `json:"platform"`
	Digest    string `json:"digest"`
	Layer     string `json:"layer_digest"`
	DiffID    string `json:"diff_id"`
	LayerSize int64  `json:"layer_size"`
	Packages  int    `json:"packages"`
	BuildTime int64  `json:"build_time"`
	// Scriptlets lists every package with scriptlets or triggers (none
	// is run), each with the audit's verdict; Audit counts the verdicts.
	Scriptlets []builder.ScriptletReport `json:"skipped_scriptlets"`
	Audit      scriptletAudit            `json:"scriptlet_audit"`
	Layers     []layerJSON               `json:"layers"`
	Warnings   []string                  `json:"warnings,omitempty"`
	Unmatched  []string                  `json:"unmatched_remove,omitempty"`
	// Advisories are those of the repositories' updateinfo.xml the
	// image's packages fix, as 'slipway advisories --json' writes them.
	Advisories []advisoryJSON `json:"advisories,omitempty"`
}

// layerJSON is one layer of an image, bottom first.
type layerJSON struct {
	Digest string `json:"digest"`
	DiffID string `json:"diff_id"`
	Size   int64  `json:"size"`
}

type buildJSON struct {
	Image     string                      `json:"image"`
	Output    string                      `json:"output"`
	Index     string                      `json:"index_digest,omitempty"`
	Tags      []string                    `json:"tags,omitempty"`
	Uploads   []manifests.RepoPush        `json:"repositories,omitempty"` // per repository pushed to
	Arches    []buildJSONArch             `json:"arches"`
	Lifecycle []manifests.LifecycleResult `json:"lifecycle,omitempty"`
	Signed    []builder.RepoSigned        `json:"signed,omitempty"` // per repository
	Seconds   float64                     `json:"seconds"`
	Timings   timingsJSON                 `json:"timings"`
}

// timingsJSON splits Seconds: building the images, then writing or
// pushing them (and attaching referrers).
type timingsJSON struct {
	Build  float64 `json:"build_seconds"`
	Output float64 `json:"output_seconds"`
}

// buildWithProgress builds b with a progress display that the push then
// continues (po.Progress; po also reads a registry policy.baseline). The
// caller closes the display; on failure it is closed already and the
// error is resolveError's.
func buildWithProgress(ctx context.Context, g *globals, b *preparedBuild, po *manifests.PushOptions) (prog *progress, builds []*builder.ArchBuild, start, built time.Time, err error) {
	prog = newProgress(ctx, g)
	b.opts.Progress = prog.builderProgress()
	b.opts.Registry = *po // reads policy.baseline
	po.Progress = prog.pushProgress()
	start = time.Now()
	if builds, err = builder.Build(ctx, b.cfg, b.opts); err != nil {
		prog.Close()
		return prog, nil, start, start, resolveError(g, err)
	}
	return prog, builds, start, time.Now(), nil
}

// timed fills the timings of a run that started at start and finished
// building at built.
func (r *buildJSON) timed(start, built time.Time) {
	now := time.Now()
	r.Seconds = now.Sub(start).Seconds()
	r.Timings = timingsJSON{Build: built.Sub(start).Seconds(), Output: now.Sub(built).Seconds()}
}

// describeBuilds describes the images of builds for the result (the
// index digest is filled in by publish).
func describeBuilds(imageName, output string, builds []*builder.ArchBuild) (*buildJSON, error) {
	res := &buildJSON{Image: imageName, Output: output}
	for _, b := range builds {
		plat, _ := manifests.Platform(b.Arch)
		d, err := b.Image.Image.Digest()
		if err != nil {
			return nil, err
		}
		ld, _ := b.Layer.Digest()
		diff, _ := b.Layer.DiffID()
		size, _ := b.Layer.Size()
		var scripts []builder.ScriptletReport
		var audit scriptletAudit
		for _, p := range b.Report.Packages {
			if len(p.Scriptlets) > 0 {
				scripts = append(scripts, p)
			}
			for _, s := range p.Scriptlets {
				audit.count(s.Verdict)
			}
		}
		var layers []layerJSON
		for _, l := range b.Layers {
			d, _ := l.Digest()
			diff, _ := l.DiffID()
			size, _ := l.Size()
			layers = append(layers, layerJSON{Digest: d.String(), DiffID: diff.String(), Size: size})
		}
		res.Arches = append(res.Arches, buildJSONArch{
			Layers: layers,
			Arch:   b.Arch, Platform: plat.String(), Digest: d.String(), Layer: ld.String(), DiffID: diff.String(),
			LayerSize: size, Packages: len(b.Packages), BuildTime: b.BuildTime, Scriptlets: scripts, Audit: audit,
			Warnings: b.Report.Warnings, Unmatched: b.Report.UnmatchedRemove,
			Advisories: builtAdvisories(b),
		})
	}
	return res, nil
}

// publish runs the builder's publish step over builds and describes
// the result; the SBOM creator is this slipway.
func publish(ctx context.Context, b *preparedBuild, output string, builds []*builder.ArchBuild, po builder.PublishOptions) (*buildJSON, *builder.PublishResult, error) {
	res, err := describeBuilds(b.cfg.Image.Name, output, builds)
	if err != nil {
		return nil, nil, err
	}
	po.Tool = "slipway-" + version
	pr, err := builder.Publish(ctx, b.cfg, builds, po)
	if err != nil {
		return nil, nil, err
	}
	if pr.Artifact.Index != nil {
		d, err := pr.Artifact.Index.Digest()
		if err != nil {
			return nil, nil, err
		}
		res.Index = d.String()
	}
	res.Tags, res.Uploads, res.Lifecycle, res.Signed = pr.Tags, pr.Uploads, pr.Lifecycle, pr.Signed
	return res, pr, nil
}

func printBuild(g *globals, res *buildJSON, builds []*builder.ArchBuild) {
	if g.Quiet {
		return
	}
	for i, a := range res.Arches {
		if len(a.Layers) > 1 {
			var size int64
			for _, l := range a.Layers {
				size += l.Size
			}
			fmt.Fprintf(g.Stdout, "%-8s %s  %d packages, %d layers %s\n", a.Arch, a.Digest, a.Packages, len(a.Layers), humanBytes(size))
		} else {
			fmt.Fprintf(g.Stdout, "%-8s %s  %d packages, layer %s\n", a.Arch, a.Digest, a.Packages, humanBytes(a.LayerSize))
		}
		if n := a.Audit.Emulated + a.Audit.NotNeeded + a.Audit.Unhandled; n > 0 {
			fmt.Fprintf(g.Stdout, "%-8s scriptlets: %d emulated, %d not needed, %d unhandled\n", a.Arch, a.Audit.Emulated, a.Audit.NotNeeded, a.Audit.Unhandled)
		}
		for _, p := range builds[i].Report.Packages {
			for _, s := range p.Scriptlets {
				switch {
				case s.Verdict == builder.VerdictUnhandled:
					fmt.Fprintf(g.Stdout, "  unhandled: %s %s: %s\n", p.NEVRA, s.Kind, s.FirstLine)
				case g.Verbose:
					fmt.Fprintf(g.Stderr, "  %s: %s %s (%s)\n", s.Verdict, p.NEVRA, s.Kind, strings.Join(s.How, "; "))
				}
			}
		}
	}
	if res.Index != "" {
		fmt.Fprintf(g.Stdout, "%-8s %s\n", "index", res.Index)
	}
	printUploads(g.Stdout, res.Uploads)
	for _, t := range res.Tags {
		fmt.Fprintf(g.Stdout, "pushed %s\n", t)
	}
	for _, l := range res.Lifecycle {
		fmt.Fprintf(g.Stdout, "lifecycle %s@%s (end of life %s)\n", l.Repository, l.Digest, l.EndOfLife)
	}
	fmt.Fprintf(g.Stdout, "wrote %s in %.1fs\n", res.Output, res.Seconds)
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// binarySalt identifies this slipway binary for the layer cache: the
// sha256 of the executable, so a different slipway never reuses layers it
// did not write. "" (no layer cache) when the executable cannot be read.
var binarySalt = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := os.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
})

// staleWorkDir is how old a build's work folder must be before another
// build takes it for the leftover of a killed one.
const staleWorkDir = 24 * time.Hour

// removeStaleWorkDirs removes CACHE/build-* folders not touched since
// before: what builds killed mid-way (SIGKILL skips the cleanup) left.
func removeStaleWorkDirs(g *globals, before time.Time) {
	dirs, _ := filepath.Glob(filepath.Join(g.CacheDir, "build-*"))
	for _, d := range dirs {
		fi, err := os.Stat(d)
		if err != nil || !fi.IsDir() || fi.ModTime().After(before) {
			continue
		}
		if err := os.RemoveAll(d); err == nil {
			g.Log.Debug("removed the work folder of an earlier build", "dir", d)
		}
	}
}

// scriptletAudit counts the verdicts of the scriptlet audit.
type scriptletAudit struct {
	Emulated  int `json:"emulated"`
	NotNeeded int `json:"not_needed"`
	Unhandled int `json:"unhandled"`
}

func (a *scriptletAudit) count(verdict string) {
	switch verdict {
	case builder.VerdictEmulated:
		a.Emulated++
	case builder.VerdictNotNeeded:
		a.NotNeeded++
	default:
		a.Unhandled++
	}
}
