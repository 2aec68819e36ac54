package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/pflag"

	"github.com/slipway-build/slipway/builder"
	"github.com/slipway-build/slipway/internal/localfile"
	"github.com/slipway-build/slipway/manifests"
	"github.com/slipway-build/slipway/signing"
)

// sbomName is the file an architecture's SBOM is written to.
func sbomName(image, arch string) string {
	return strings.ReplaceAll(image, "/", "_") + "-" + arch + ".spdx.json"
}

// makeSBOMs returns the SPDX document of every build, made by the
// builder from what the build kept (see builder.ArchBuild.SBOM).
func makeSBOMs(builds []*builder.ArchBuild, b *preparedBuild) ([][]byte, error) {
	out := make([][]byte, len(builds))
	for i, ab := range builds {
		doc, err := ab.SBOM(b.cfg, "slipway-"+version)
		if err != nil {
			return nil, err
		}
		out[i] = doc
	}
	return out, nil
}

// writeSBOMs writes each build's SBOM into dir.
func writeSBOMs(dir, image string, builds []*builder.ArchBuild, docs [][]byte) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("--sbom-dir: %w", err)
	}
	var paths []string
	for i, ab := range builds {
		p := filepath.Join(dir, sbomName(image, ab.Arch))
		tmp := p + ".tmp"
		if err := os.WriteFile(tmp, docs[i], 0o644); err != nil {
			return nil, err
		}
		if err := os.Rename(tmp, p); err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// maxSBOM bounds one SPDX document read from --sbom-dir.
const maxSBOM = 256 << 20

// readSBOMDir reads every *.spdx.json in dir.
func readSBOMDir(dir string) ([][]byte, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.spdx.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("--sbom-dir %s holds no *.spdx.json file", dir)
	}
	out := make([][]byte, len(files))
	for i, f := range files {
		if out[i], err = localfile.ReadFile(f, "SBOM", maxSBOM); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sbomAndSign writes the SBOMs (--sbom-dir) and, with a key, signs the
// pushed index and images in every repository of tags, attaching the
// SBOMs (and provenance) as attestations; po are the push's registry
// options (the same TLS and transport).
func sbomAndSign(ctx context.Context, g *globals, sf *sbomFlags, sv signingKey, b *preparedBuild, builds []*builder.ArchBuild, tags []name.Reference, po manifests.PushOptions) error {
	if sf.dir == "" && sv == nil {
		return nil
	}
	docs, err := makeSBOMs(builds, b)
	if err != nil {
		return err
	}
	if sf.dir != "" {
		if _, err := writeSBOMs(sf.dir, b.cfg.Image.Name, builds, docs); err != nil {
			return err
		}
	}
	if sv == nil {
		return nil
	}
	so := signing.SignOptions{Options: signingOptions(g, po), Recursive: true, SBOMs: docs}
	if sf.provenance {
		so.Provenance = &signing.ProvenanceInput{Version: version}
	}
	done := map[string]bool{}
	for _, t := range tags {
		repo := t.Context().String()
		if done[repo] {
			continue
		}
		done[repo] = true
		res, err := signing.SignAndAttest(ctx, t, sv, so)
		if err != nil {
			return err
		}
		if !g.Quiet {
			fmt.Fprintf(g.Stderr, "signed %d manifests in %s, %d attestations\n", len(res.Targets), repo, res.Attestations)
		}
	}
	return nil
}

// sbomCommands are the commands defined in sbom.go.
func sbomCommands() []*command {
	return []*command{
		{
			Name:    "sbom",
			Summary: "write the SPDX SBOM of each architecture's image of a configuration",
			Usage:   "sbom [flags] CONFIG --sbom-dir DIR",
			Long: `Builds CONFIG as 'slipway build' does, without writing the image, and writes
an SPDX 2.3 JSON document per architecture into DIR (IMAGE-ARCH.spdx.json):
the image (by manifest digest) as the described element, every installed
RPM with its version, purl (pkg:rpm/DISTRO/NAME@VERSION-RELEASE?arch=..),
license, supplier (vendor), file checksum and source RPM, and the packages'
DEPENDS_ON relationships from the resolution (left out with --locked,
which does not resolve). Builds are reproducible, so with the same inputs
and SOURCE_DATE_EPOCH the digests are those of the image build or publish
made; 'slipway sign --sbom-dir DIR' attaches them as attestations.`,
			Setup: func(fs *pflag.FlagSet) func(context.Context, *globals, []string) error {
				bf := addBuildFlags(fs)
				arch := fs.String("arch", "", "only this architecture")
				sf := addSBOMFlags(fs, false)
				return func(ctx context.Context, g *globals, args []string) error {
					if len(args) != 1 {
						return usagef("sbom takes one CONFIG file, got %d arguments", len(args))
					}
					if sf.dir == "" {
						return usagef("sbom needs --sbom-dir DIR")
					}
					b, err := bf.prepare(ctx, g, args[0], *arch)
					if err != nil {
						return err
					}
					defer b.cleanup()
					builds, err := builder.Build(ctx, b.cfg, b.opts)
					if err != nil {
						return resolveError(g, err)
					}
					for _, ab := range builds {
						defer ab.Layer.Remove()
					}
					docs, err := makeSBOMs(builds, b)
					if err != nil {
						return err
					}
					paths, err := writeSBOMs(sf.dir, b.cfg.Image.Name, builds, docs)
					if err != nil {
						return err
					}
					if !g.Quiet {
						for i, p := range paths {
							d, _ := builds[i].Image.Image.Digest()
							fmt.Fprintf(g.Stdout, "%-8s %s  %s\n", builds[i].Arch, d, p)
						}
					}
					return nil
				}
			},
		},
	}
}
