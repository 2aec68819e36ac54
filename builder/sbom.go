package builder

import (
	"fmt"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/signing"
)

// SBOM returns the SPDX document of ab's image, made from what the build
// kept (as apko's GenerateImageSBOM does): the packages' lockfile
// entries, the header fields read while building (Meta) and, when the
// build resolved, the resolution's dependency edges (a locked build has
// none, and its SBOM no DEPENDS_ON relationships). Nothing is resolved or
// read again. tool names the creator, for example "slipway-1.2.0".
func (ab *ArchBuild) SBOM(cfg *config.Config, tool string) ([]byte, error) {
	return ab.SBOMAs(cfg, tool, signing.SBOMSPDXJSON)
}

// SBOMAs is SBOM in format f (SPDX 2.3 or CycloneDX 1.6 JSON): the same
// facts either way.
func (ab *ArchBuild) SBOMAs(cfg *config.Config, tool string, f signing.SBOMFormat) ([]byte, error) {
	digest, err := ab.Image.Image.Digest()
	if err != nil {
		return nil, err
	}
	in := signing.SBOMInput{
		Image: cfg.Image.Name, Arch: ab.Arch, Digest: digest, Distro: cfg.Image.OSVersion,
		Created: time.Unix(ab.BuildTime, 0), Tool: tool,
	}
	if len(ab.Meta) != len(ab.Packages) {
		return nil, fmt.Errorf("sbom of %s: the build kept the headers of %d of %d packages", ab.Arch, len(ab.Meta), len(ab.Packages))
	}
	for i, p := range ab.Packages {
		m := ab.Meta[i]
		in.Packages = append(in.Packages, signing.PackageInfo{
			NEVRA: p.NEVRA, Repo: p.Repo, Checksum: p.Checksum.String(),
			License: m.License, Vendor: m.Vendor, Packager: m.Packager, SourceRPM: m.SourceRPM, URL: m.URL, Summary: m.Summary,
		})
	}
	// A build on a base lists the base's packages too.
	in.Packages = append(in.Packages, ab.Base.sbomPackages()...)
	if ab.Base != nil {
		d, err := v1.NewHash(ab.Base.Digest)
		if err != nil {
			return nil, fmt.Errorf("sbom of %s: base %s digest: %w", ab.Arch, ab.Base.Ref, err)
		}
		in.Base = &signing.BaseImage{Ref: ab.Base.Ref, Digest: d}
	}
	if ab.Resolution != nil {
		for _, r := range ab.Resolution.Reasons {
			if r.By != "" {
				in.DependsOn = append(in.DependsOn, signing.Dependency{From: r.By, To: r.Package})
			}
		}
	}
	return f.Generate(in)
}
