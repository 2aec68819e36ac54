package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/slipway-build/slipway/builder"
	"github.com/slipway-build/slipway/internal/localfile"
	"github.com/slipway-build/slipway/signing"
)

// maxSBOM bounds one SPDX document read from --sbom-dir.
const maxSBOM = 256 << 20

// readSBOMDir reads every *.spdx.json and *.cdx.json in dir.
func readSBOMDir(dir string) ([][]byte, error) {
	spdx, err := filepath.Glob(filepath.Join(dir, "*.spdx.json"))
	if err != nil {
		return nil, err
	}
	cdx, err := filepath.Glob(filepath.Join(dir, "*.cdx.json"))
	if err != nil {
		return nil, err
	}
	files := append(spdx, cdx...)
	if len(files) == 0 {
		return nil, fmt.Errorf("--sbom-dir %s holds no *.spdx.json or *.cdx.json file", dir)
	}
	out := make([][]byte, len(files))
	for i, f := range files {
		if out[i], err = localfile.ReadFile(f, "SBOM", maxSBOM); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sbomCommands are the commands defined in sbom.go.
func sbomCommands() []*command {
	return []*command{
		{
			Name:    "sbom",
			Summary: "write the SPDX or CycloneDX SBOM of each architecture's image of a configuration",
			Usage:   "sbom [flags] CONFIG --sbom-dir DIR [--format spdx-json|cyclonedx-json]",
			Long: `Builds CONFIG as 'slipway build' does, without writing the image, and writes
an SPDX 2.3 JSON document per architecture into DIR (IMAGE-ARCH.spdx.json):
the image (by manifest digest) as the described element, every installed
RPM with its version, purl (pkg:rpm/DISTRO/NAME@VERSION-RELEASE?arch=..),
license, supplier (vendor), file checksum and source RPM, and the packages'
DEPENDS_ON relationships from the resolution (left out with --locked,
which does not resolve). Builds are reproducible, so with the same inputs
and SOURCE_DATE_EPOCH the digests are those of the image build or publish
made; 'slipway sign --sbom-dir DIR' attaches them as attestations.

--format cyclonedx-json writes CycloneDX 1.6 JSON instead
(IMAGE-ARCH.cdx.json): the same facts, the image as the root component,
each RPM a component with its purl, hashes, licence and source RPM, and
the dependency graph; repeat --format for both.

An [image] base (and a policy.baseline image) in a registry is read with
the registry flags, as build and publish read it.

` + registryReadHelp,
			Setup: func(fs *pflag.FlagSet) func(context.Context, *globals, []string) error {
				bf := addBuildFlags(fs)
				rf := addRegistryFlags(fs, false)
				arch := fs.String("arch", "", "only this architecture")
				sf := addSBOMFlags(fs, false)
				fs.StringArrayVar(&sf.formats, "format", nil, "SBOM `FORMAT`: spdx-json (default) or cyclonedx-json (repeatable)")
				return func(ctx context.Context, g *globals, args []string) error {
					if len(args) != 1 {
						return usagef("sbom takes one CONFIG file, got %d arguments", len(args))
					}
					formats, err := sf.sbomFormats()
					if err != nil {
						return usagef("--format: %s", strings.TrimPrefix(err.Error(), "--sbom-format: "))
					}
					if len(formats) == 0 {
						formats = []signing.SBOMFormat{signing.SBOMSPDXJSON}
					}
					if sf.dir == "" {
						return usagef("sbom needs --sbom-dir DIR")
					}
					b, err := bf.prepare(ctx, g, args[0], *arch)
					if err != nil {
						return err
					}
					defer b.cleanup()
					// An [image] base and a policy.baseline image are read
					// with the registry flags, as build and publish read them.
					if err := rf.setBase(g, &b.opts.Options); err != nil {
						return err
					}
					if b.opts.Registry, err = rf.pushOptions(g, bf.jobs); err != nil {
						return err
					}
					builds, err := builder.Build(ctx, b.cfg, b.opts)
					if err != nil {
						return resolveError(g, err)
					}
					for _, ab := range builds {
						defer ab.Layer.Remove()
					}
					docs, names, err := builder.SBOMs(b.cfg, builds, "slipway-"+version, formats)
					if err != nil {
						return err
					}
					paths, err := builder.WriteSBOMs(sf.dir, names, docs)
					if err != nil {
						return err
					}
					if !g.Quiet {
						for i, p := range paths {
							d, _ := builds[i%len(builds)].Image.Image.Digest()
							fmt.Fprintf(g.Stdout, "%-8s %s  %s\n", builds[i%len(builds)].Arch, d, p)
						}
					}
					return nil
				}
			},
		},
	}
}
