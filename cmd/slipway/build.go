package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/slipway-build/slipway/builder"
	"github.com/slipway-build/slipway/builder/lock"
	"github.com/slipway-build/slipway/layers/rootfs"
	"github.com/slipway-build/slipway/manifests"
)

func init() {
	register(&command{
		Name:    "build",
		Summary: "build the image of a configuration, for every architecture",
		Usage:   "build [flags] CONFIG --output oci:DIR[:TAG]|docker-archive:FILE[:REF]",
		Long: `Resolves CONFIG (or takes the lockfile with --locked), fetches and verifies
the packages, installs them into a rootfs layer without running rpm or any
scriptlet, writes the rpm database (or the rpmmanifest files), and assembles
an OCI image per architecture; several architectures give an image index.

The build time is SOURCE_DATE_EPOCH when set, otherwise the newest build
time of the installed packages: the same inputs give the same digests.
Outputs are written beside their destination and renamed into place, so a
failed build leaves no partial output.`,
		Setup: func(fs *pflag.FlagSet) func(context.Context, *globals, []string) error {
			arch := fs.String("arch", "", "build only this architecture")
			output := fs.StringP("output", "o", "", "where to write the image: oci:DIR[:TAG] or docker-archive:FILE[:REF] (required)")
			compression := fs.String("compression", "gzip", "layer compression: gzip or zstd")
			offline := fs.Bool("offline", false, "use only packages already in the cache")
			locked := fs.Bool("locked", false, "build exactly the lockfile's packages")
			lockPath := fs.String("lockfile", "", "lockfile `PATH` for --locked (default: CONFIG with the extension .lock)")
			jobs := fs.Int("jobs", 4, "parallel package downloads")
			failScriptlets := fs.Bool("fail-on-scriptlets", false, "fail when a package has scriptlets or triggers (none is ever run)")
			asJSON := fs.Bool("json", false, "print the result as one JSON document")
			return func(ctx context.Context, g *globals, args []string) error {
				if len(args) != 1 {
					return usagef("build takes one CONFIG file, got %d arguments", len(args))
				}
				if *output == "" {
					return usagef("build needs --output oci:DIR[:TAG] or docker-archive:FILE[:REF]")
				}
				out, err := manifests.ParseOutput(*output)
				if err != nil {
					return usagef("%s", err)
				}
				comp, err := manifests.ParseCompression(*compression)
				if err != nil {
					return usagef("--compression: %s", err)
				}
				if *jobs < 1 {
					return usagef("--jobs must be at least 1")
				}
				cfg, err := loadConfig(ctx, g, args[0], nil)
				if err != nil {
					return err
				}
				arches, err := pickArches(cfg, *arch)
				if err != nil {
					return err
				}
				if out.Kind == manifests.DockerArchive && len(arches) != 1 {
					return usagef("a docker-archive holds one image: pass --arch (configured: %s)", strings.Join(arches, ", "))
				}
				opts := builder.BuildOptions{
					Options: builderOptions(g, cfg), Arches: arches, Compression: comp,
					Offline: *offline, Jobs: *jobs, FailOnScriptlets: *failScriptlets,
				}
				if sde := g.Getenv("SOURCE_DATE_EPOCH"); sde != "" {
					n, err := strconv.ParseInt(sde, 10, 64)
					if err != nil || n < 0 {
						return usagef("SOURCE_DATE_EPOCH=%q is not a number of seconds", sde)
					}
					opts.SourceDateEpoch = &n
				}
				if *locked {
					path := *lockPath
					if path == "" {
						path = defaultLockPath(args[0])
					}
					data, err := os.ReadFile(path)
					if err != nil {
						return fmt.Errorf("--locked: %w", err)
					}
					l, err := lock.Parse(data, path)
					if err != nil {
						return err
					}
					if l.ConfigDigest != cfg.Digest() {
						return fmt.Errorf("--locked: %s was written for another configuration; run 'slipway lock %s'", path, args[0])
					}
					opts.Lock = l
				}
				if err := os.MkdirAll(g.CacheDir, 0o755); err != nil {
					return err
				}
				work, err := os.MkdirTemp(g.CacheDir, "build-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(work)
				opts.WorkDir = work

				start := time.Now()
				builds, err := builder.Build(ctx, cfg, opts)
				if err != nil {
					return resolveError(g, err)
				}
				res, err := writeOutput(out, cfg.Image.Name, builds)
				if err != nil {
					return err
				}
				res.Seconds = time.Since(start).Seconds()
				if *asJSON {
					return writeJSON(g.Stdout, res)
				}
				printBuild(g, res, builds)
				return nil
			}
		},
	})
}

type buildJSONArch struct {
	Arch       string                 `json:"arch"`
	Platform   string                 `json:"platform"`
	Digest     string                 `json:"digest"`
	Layer      string                 `json:"layer_digest"`
	DiffID     string                 `json:"diff_id"`
	LayerSize  int64                  `json:"layer_size"`
	Packages   int                    `json:"packages"`
	BuildTime  int64                  `json:"build_time"`
	Scriptlets []rootfs.PackageReport `json:"skipped_scriptlets"`
	Warnings   []string               `json:"warnings,omitempty"`
	Unmatched  []string               `json:"unmatched_remove,omitempty"`
}

type buildJSON struct {
	Image   string          `json:"image"`
	Output  string          `json:"output"`
	Index   string          `json:"index_digest,omitempty"`
	Arches  []buildJSONArch `json:"arches"`
	Seconds float64         `json:"seconds"`
}

// writeOutput writes the images where --output says and describes them.
func writeOutput(out manifests.Output, imageName string, builds []*builder.ArchBuild) (*buildJSON, error) {
	res := &buildJSON{Image: imageName, Output: out.String()}
	images := make([]manifests.ArchImage, len(builds))
	for i, b := range builds {
		images[i] = b.Image
		plat, _ := manifests.Platform(b.Arch)
		d, err := b.Image.Image.Digest()
		if err != nil {
			return nil, err
		}
		ld, _ := b.Layer.Digest()
		diff, _ := b.Layer.DiffID()
		size, _ := b.Layer.Size()
		var scripts []rootfs.PackageReport
		for _, p := range b.Report.Packages {
			if len(p.Scriptlets) > 0 {
				scripts = append(scripts, p)
			}
		}
		res.Arches = append(res.Arches, buildJSONArch{
			Arch: b.Arch, Platform: plat.String(), Digest: d.String(), Layer: ld.String(), DiffID: diff.String(),
			LayerSize: size, Packages: len(b.Packages), BuildTime: b.BuildTime, Scriptlets: scripts,
			Warnings: b.Report.Warnings, Unmatched: b.Report.UnmatchedRemove,
		})
	}
	switch out.Kind {
	case manifests.OCILayout:
		if len(images) == 1 {
			return res, manifests.WriteOCILayout(out.Path, out.Ref, nil, images)
		}
		idx, err := manifests.Index(images, nil)
		if err != nil {
			return nil, err
		}
		d, err := idx.Digest()
		if err != nil {
			return nil, err
		}
		res.Index = d.String()
		return res, manifests.WriteOCILayout(out.Path, out.Ref, idx, images)
	case manifests.DockerArchive:
		ref := out.Ref
		if ref == "" {
			ref = imageName + ":latest"
		}
		return res, manifests.WriteDockerArchive(out.Path, ref, images[0].Image)
	}
	return nil, errors.New("unknown output")
}

func printBuild(g *globals, res *buildJSON, builds []*builder.ArchBuild) {
	if g.Quiet {
		return
	}
	for i, a := range res.Arches {
		fmt.Fprintf(g.Stdout, "%-8s %s  %d packages, layer %s\n", a.Arch, a.Digest, a.Packages, humanBytes(a.LayerSize))
		if g.Verbose {
			for _, p := range builds[i].Report.Packages {
				for _, s := range p.Scriptlets {
					fmt.Fprintf(g.Stderr, "  not run: %s %s\n", p.NEVRA, s.Kind)
				}
			}
		}
	}
	if res.Index != "" {
		fmt.Fprintf(g.Stdout, "%-8s %s\n", "index", res.Index)
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
