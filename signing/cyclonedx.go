package signing

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/package-url/packageurl-go"
)

// PredicateCycloneDX is the in-toto predicate type of a CycloneDX SBOM, as
// cosign attest --type cyclonedx writes it.
const PredicateCycloneDX = "https://cyclonedx.org/bom"

// SBOMFormat is the format of an SBOM document.
type SBOMFormat string

// The SBOM formats slipway writes.
const (
	SBOMSPDXJSON      SBOMFormat = "spdx-json"
	SBOMCycloneDXJSON SBOMFormat = "cyclonedx-json"
)

// ParseSBOMFormat reads "spdx-json" (or "", the default) or
// "cyclonedx-json".
func ParseSBOMFormat(s string) (SBOMFormat, error) {
	switch SBOMFormat(s) {
	case "", SBOMSPDXJSON:
		return SBOMSPDXJSON, nil
	case SBOMCycloneDXJSON:
		return SBOMCycloneDXJSON, nil
	}
	return "", fmt.Errorf("SBOM format %q: want spdx-json or cyclonedx-json", s)
}

// PredicateType is the in-toto predicate type an SBOM of format f is
// attested with.
func (f SBOMFormat) PredicateType() string {
	if f == SBOMCycloneDXJSON {
		return PredicateCycloneDX
	}
	return PredicateSPDX
}

// Generate writes the SBOM of in in format f (SPDX or CycloneDX).
func (f SBOMFormat) Generate(in SBOMInput) ([]byte, error) {
	if f == SBOMCycloneDXJSON {
		return CycloneDX(in)
	}
	return SPDX(in)
}

// cdxImageRef is the bom-ref of the image, the root component.
const cdxImageRef = "image"

// cdxBaseRef is the bom-ref of the base image, the image's ancestor.
const cdxBaseRef = "base-image"

// CycloneDX returns the CycloneDX 1.6 JSON document of one image, from
// the same input as SPDX and with the same facts: the image (by digest,
// with its oci purl) as the metadata component; each package a library
// component with its purl, RPM file digest, licence (an SPDX expression,
// or the RPM License tag as a name), supplier (vendor), publisher
// (packager), source RPM, repository and homepage; the dependency graph
// (the image depends on every package; each package on those the
// resolution says it needs). The serial number is derived from the image
// digest and the timestamp is in.Created, so the same input gives the
// same bytes.
func CycloneDX(in SBOMInput) ([]byte, error) {
	if in.Image == "" || in.Arch == "" {
		return nil, errors.New("sbom: image name and arch are required")
	}
	if in.Digest.Algorithm != "sha256" || len(in.Digest.Hex) != 64 {
		return nil, fmt.Errorf("sbom of %s/%s: image digest %q is not sha256", in.Image, in.Arch, in.Digest)
	}
	pkgs := append([]PackageInfo(nil), in.Packages...)
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].NEVRA.String() < pkgs[j].NEVRA.String() })

	imgPurl := packageurl.NewPackageURL("oci", "", path.Base(in.Image), in.Digest.String(),
		packageurl.QualifiersFromMap(map[string]string{"arch": goArch(in.Arch), "repository_url": in.Image}), "").ToString()
	tool, toolVersion, _ := strings.Cut(toolName(in.Tool), "-")
	image := cdx.Component{
		BOMRef:     cdxImageRef,
		Type:       cdx.ComponentTypeContainer,
		Name:       in.Image,
		Version:    in.Digest.String(),
		PackageURL: imgPurl,
		Hashes:     &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: in.Digest.Hex}},
		Properties: &[]cdx.Property{{Name: "slipway:image:arch", Value: in.Arch}},
	}
	if b := in.Base; b != nil {
		// The base as the image's ancestor (CycloneDX pedigree).
		if err := b.check(in); err != nil {
			return nil, err
		}
		image.Pedigree = &cdx.Pedigree{Ancestors: &[]cdx.Component{{
			BOMRef:     cdxBaseRef,
			Type:       cdx.ComponentTypeContainer,
			Name:       b.Ref,
			Version:    b.Digest.String(),
			PackageURL: b.purl(in.Arch),
			Hashes:     &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: b.Digest.Hex}},
		}}}
	}
	bom := cdx.NewBOM()
	bom.SpecVersion = cdx.SpecVersion1_6
	bom.JSONSchema = "http://cyclonedx.org/schema/bom-1.6.schema.json"
	bom.SerialNumber = cdxSerial(in)
	bom.Metadata = &cdx.Metadata{
		Timestamp: in.Created.UTC().Format(time.RFC3339),
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{
			Type: cdx.ComponentTypeApplication, Name: tool, Version: toolVersion,
		}}},
		Component: &image,
	}

	refs := make(map[string]string, len(pkgs))
	used := map[string]bool{cdxImageRef: true, cdxBaseRef: true}
	comps := make([]cdx.Component, 0, len(pkgs))
	for _, p := range pkgs {
		nevra := p.NEVRA.String()
		if _, dup := refs[nevra]; dup {
			return nil, fmt.Errorf("sbom of %s/%s: package %s listed twice", in.Image, in.Arch, nevra)
		}
		purl := PackageURL(p, in.Distro)
		ref := purl
		for n := 2; used[ref]; n++ {
			ref = fmt.Sprintf("%s#%d", purl, n)
		}
		used[ref] = true
		refs[nevra] = ref
		c, err := cdxComponent(p, ref, purl)
		if err != nil {
			return nil, fmt.Errorf("sbom of %s/%s: %w", in.Image, in.Arch, err)
		}
		comps = append(comps, c)
	}
	bom.Components = &comps

	all := make([]string, 0, len(pkgs))
	for _, p := range pkgs {
		all = append(all, refs[p.NEVRA.String()])
	}
	sort.Strings(all)
	deps := []cdx.Dependency{{Ref: cdxImageRef, Dependencies: &all}}
	if in.DependsOn != nil {
		edges := map[string][]string{}
		for _, d := range in.DependsOn {
			a, okA := refs[d.From]
			b, okB := refs[d.To]
			if !okA || !okB {
				return nil, fmt.Errorf("sbom of %s/%s: dependency %s -> %s names a package not in the image", in.Image, in.Arch, d.From, d.To)
			}
			if a != b {
				edges[a] = append(edges[a], b)
			}
		}
		// Every component gets an entry (an empty one: it needs nothing).
		for _, r := range all {
			to := dedupSorted(edges[r])
			deps = append(deps, cdx.Dependency{Ref: r, Dependencies: &to})
		}
	}
	bom.Dependencies = &deps

	var buf bytes.Buffer
	enc := cdx.NewBOMEncoder(&buf, cdx.BOMFileFormatJSON)
	enc.SetPretty(true)
	enc.SetEscapeHTML(false)
	if err := enc.EncodeVersion(bom, cdx.SpecVersion1_6); err != nil {
		return nil, fmt.Errorf("encoding sbom of %s/%s: %w", in.Image, in.Arch, err)
	}
	return buf.Bytes(), nil
}

func dedupSorted(s []string) []string {
	s = append([]string{}, s...)
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// cdxSerial is a UUID (version 5 layout) made from the image name, arch
// and digest: the same image gives the same serial number.
func cdxSerial(in SBOMInput) string {
	h := sha256.Sum256([]byte("slipway-cyclonedx\x00" + in.Image + "\x00" + in.Arch + "\x00" + in.Digest.String()))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

var cdxHashAlgos = map[string]cdx.HashAlgorithm{
	"sha256": cdx.HashAlgoSHA256, "sha512": cdx.HashAlgoSHA512, "sha1": cdx.HashAlgoSHA1,
	"md5": cdx.HashAlgoMD5, "sha384": cdx.HashAlgoSHA384,
}

func cdxComponent(p PackageInfo, ref, purl string) (cdx.Component, error) {
	c := cdx.Component{
		BOMRef:      ref,
		Type:        cdx.ComponentTypeLibrary,
		Name:        p.NEVRA.Name,
		Version:     evr(p.NEVRA),
		PackageURL:  purl,
		Description: p.Summary,
		Publisher:   p.Packager,
	}
	if p.Vendor != "" {
		c.Supplier = &cdx.OrganizationalEntity{Name: p.Vendor}
	}
	if p.License != "" {
		if looksLikeSPDXExpression(p.License) {
			c.Licenses = &cdx.Licenses{{Expression: p.License}}
		} else {
			c.Licenses = &cdx.Licenses{{License: &cdx.License{Name: p.License}}}
		}
	}
	if p.Checksum != "" {
		algo, val, ok := strings.Cut(p.Checksum, ":")
		a, known := cdxHashAlgos[strings.ToLower(algo)]
		if !ok || !known || val == "" {
			return cdx.Component{}, fmt.Errorf("package %s: checksum %q is not ALGO:HEX", p.NEVRA, p.Checksum)
		}
		c.Hashes = &[]cdx.Hash{{Algorithm: a, Value: strings.ToLower(val)}}
	}
	if p.URL != "" {
		c.ExternalReferences = &[]cdx.ExternalReference{{URL: p.URL, Type: cdx.ERTypeWebsite}}
	}
	props := []cdx.Property{{Name: "slipway:rpm:nevra", Value: p.NEVRA.String()}}
	if p.SourceRPM != "" {
		props = append(props, cdx.Property{Name: "slipway:rpm:sourcerpm", Value: p.SourceRPM})
	}
	if p.Repo != "" {
		props = append(props, cdx.Property{Name: "slipway:rpm:repository", Value: p.Repo})
	}
	c.Properties = &props
	return c, nil
}

// SBOMInfo returns the image digest an SBOM made by SPDX or CycloneDX
// describes, and the in-toto predicate type it is attested with.
func SBOMInfo(doc []byte) (subject v1.Hash, predicateType string, err error) {
	var probe struct {
		BOMFormat   string `json:"bomFormat"`
		SPDXVersion string `json:"spdxVersion"`
	}
	if err := json.Unmarshal(doc, &probe); err != nil {
		return v1.Hash{}, "", fmt.Errorf("reading SBOM: %w", err)
	}
	switch {
	case probe.BOMFormat == "CycloneDX":
		h, err := CycloneDXSubject(doc)
		return h, PredicateCycloneDX, err
	case probe.SPDXVersion != "":
		h, err := SBOMSubject(doc)
		return h, PredicateSPDX, err
	}
	return v1.Hash{}, "", errors.New("neither an SPDX nor a CycloneDX JSON document")
}

// CycloneDXSubject returns the image digest a CycloneDX document made by
// CycloneDX describes: the SHA-256 hash of its metadata component, a
// container. The document must decode with cyclonedx-go.
func CycloneDXSubject(doc []byte) (v1.Hash, error) {
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(doc), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		return v1.Hash{}, fmt.Errorf("reading CycloneDX document: %w", err)
	}
	if bom.BOMFormat != "CycloneDX" {
		return v1.Hash{}, fmt.Errorf("not a CycloneDX document (bomFormat %q)", bom.BOMFormat)
	}
	if bom.Metadata == nil || bom.Metadata.Component == nil || bom.Metadata.Component.Type != cdx.ComponentTypeContainer {
		return v1.Hash{}, errors.New("the CycloneDX document describes no image (no container metadata component)")
	}
	if hs := bom.Metadata.Component.Hashes; hs != nil {
		for _, h := range *hs {
			if h.Algorithm == cdx.HashAlgoSHA256 {
				return v1.NewHash("sha256:" + h.Value)
			}
		}
	}
	return v1.Hash{}, errors.New("the CycloneDX document describes no image (its container component has no SHA-256 hash)")
}
