package signing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/package-url/packageurl-go"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx/v2/common"
	spdx "github.com/spdx/tools-golang/spdx/v2/v2_3"

	"github.com/slipway-build/slipway/rpmmeta"
)

// PredicateSPDX is the in-toto predicate type of an SPDX JSON SBOM, as
// cosign attest --type spdxjson writes it.
const PredicateSPDX = "https://spdx.dev/Document"

// ImageElementID is the SPDX identifier of the image an SBOM describes.
const ImageElementID = "SPDXRef-Image"

// PackageInfo is one installed package as an SBOM lists it: what the
// lockfile knows and what the RPM header adds.
type PackageInfo struct {
	NEVRA    rpmmeta.NEVRA
	Repo     string // repository id
	Checksum string // digest of the RPM file, "sha256:HEX" (sha512, sha1, md5 too)
	// From the RPM header; empty when the package does not set them.
	License, Vendor, Packager, SourceRPM, URL, Summary string
}

// Dependency says that one installed package needs another (NEVRA
// strings, as rpmmeta.NEVRA.String gives them).
type Dependency struct{ From, To string }

// SBOMInput is what an image's SBOM is made from.
type SBOMInput struct {
	Image  string  // the image's name (configuration image.name)
	Arch   string  // RPM architecture: x86_64, aarch64
	Digest v1.Hash // the image manifest's digest: the described element
	// Distro is the purl distro qualifier (for example azurelinux-3.0);
	// its part before the last '-' is the purl namespace. When empty the
	// package's vendor is the namespace.
	Distro   string
	Created  time.Time // the build time (SOURCE_DATE_EPOCH), for reproducible documents
	Tool     string    // creator tool, for example "slipway-1.2.0"
	Packages []PackageInfo
	// DependsOn are the edges of the resolution; nil leaves out the
	// DEPENDS_ON relationships (a --locked build has no resolution).
	DependsOn []Dependency
	// Base is the image this one was built on ([image] base); nil for an
	// image built from scratch.
	Base *BaseImage
}

// BaseImage is the published image an image was built on: its reference
// as configured and its platform manifest's digest.
type BaseImage struct {
	Ref    string  // REGISTRY/REPO[:TAG][@DIGEST] or oci:DIR[:TAG]
	Digest v1.Hash // the platform image's manifest digest
}

// BaseElementID is the SPDX identifier of the base image an SBOM's image
// descends from.
const BaseElementID = "SPDXRef-BaseImage"

// baseRepo is the repository part of a base reference: without the
// oci: prefix, tag and digest.
func baseRepo(ref string) string {
	r := strings.TrimPrefix(ref, "oci:")
	if i := strings.IndexByte(r, '@'); i >= 0 {
		r = r[:i]
	}
	if i := strings.LastIndexByte(r, ':'); i > strings.LastIndexByte(r, '/') {
		r = r[:i]
	}
	return r
}

// purl is the oci purl of the base: pkg:oci/NAME@DIGEST?arch=…&repository_url=REPO.
func (b *BaseImage) purl(arch string) string {
	repo := baseRepo(b.Ref)
	return packageurl.NewPackageURL("oci", "", path.Base(repo), b.Digest.String(),
		packageurl.QualifiersFromMap(map[string]string{"arch": goArch(arch), "repository_url": repo}), "").ToString()
}

func (b *BaseImage) check(in SBOMInput) error {
	if b.Ref == "" || b.Digest.Algorithm != "sha256" || len(b.Digest.Hex) != 64 {
		return fmt.Errorf("sbom of %s/%s: base image %q digest %q is not sha256", in.Image, in.Arch, b.Ref, b.Digest)
	}
	return nil
}

// SPDX returns the SPDX 2.3 JSON document of one image: the image (by
// digest) as the described element, CONTAINS each package, and the
// packages' DEPENDS_ON relationships. The same input gives the same bytes.
func SPDX(in SBOMInput) ([]byte, error) {
	if in.Image == "" || in.Arch == "" {
		return nil, errors.New("sbom: image name and arch are required")
	}
	if in.Digest.Algorithm != "sha256" || len(in.Digest.Hex) != 64 {
		return nil, fmt.Errorf("sbom of %s/%s: image digest %q is not sha256", in.Image, in.Arch, in.Digest)
	}
	pkgs := append([]PackageInfo(nil), in.Packages...)
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].NEVRA.String() < pkgs[j].NEVRA.String() })

	platform := goArch(in.Arch)
	// purl-spec's oci type: the name is the last path segment, the
	// repository goes in repository_url.
	imgPurl := packageurl.NewPackageURL("oci", "", path.Base(in.Image), in.Digest.String(),
		packageurl.QualifiersFromMap(map[string]string{"arch": platform, "repository_url": in.Image}), "").ToString()
	doc := &spdx.Document{
		SPDXVersion:    spdx.Version,
		DataLicense:    spdx.DataLicense,
		SPDXIdentifier: "DOCUMENT",
		DocumentName:   fmt.Sprintf("%s-%s", in.Image, in.Arch),
		DocumentNamespace: fmt.Sprintf("https://slipway.dev/spdx/%s/%s/%s",
			escapePath(in.Image), in.Arch, in.Digest.Hex),
		CreationInfo: &spdx.CreationInfo{
			Creators: []common.Creator{{CreatorType: "Tool", Creator: toolName(in.Tool)}},
			Created:  in.Created.UTC().Format(time.RFC3339),
		},
	}
	img := &spdx.Package{
		PackageName:               in.Image,
		PackageSPDXIdentifier:     common.ElementID(strings.TrimPrefix(ImageElementID, "SPDXRef-")),
		PackageVersion:            in.Digest.String(),
		PackageDownloadLocation:   "NOASSERTION",
		PackageChecksums:          []common.Checksum{{Algorithm: common.SHA256, Value: in.Digest.Hex}},
		PackageLicenseConcluded:   "NOASSERTION",
		PackageLicenseDeclared:    "NOASSERTION",
		PackageCopyrightText:      "NOASSERTION",
		PrimaryPackagePurpose:     "CONTAINER",
		PackageExternalReferences: []*spdx.PackageExternalReference{{Category: "PACKAGE-MANAGER", RefType: "purl", Locator: imgPurl}},
	}
	doc.Packages = append(doc.Packages, img)
	doc.Relationships = append(doc.Relationships, &spdx.Relationship{
		RefA: common.MakeDocElementID("", "DOCUMENT"), RefB: common.MakeDocElementID("", string(img.PackageSPDXIdentifier)),
		Relationship: "DESCRIBES",
	})
	used := map[common.ElementID]bool{img.PackageSPDXIdentifier: true}
	if b := in.Base; b != nil {
		// The base as the image's ancestor (SPDX 2.3 DESCENDANT_OF), as
		// syft and docker buildx name a Dockerfile's FROM image.
		if err := b.check(in); err != nil {
			return nil, err
		}
		base := &spdx.Package{
			PackageName:               b.Ref,
			PackageSPDXIdentifier:     common.ElementID(strings.TrimPrefix(BaseElementID, "SPDXRef-")),
			PackageVersion:            b.Digest.String(),
			PackageDownloadLocation:   "NOASSERTION",
			PackageChecksums:          []common.Checksum{{Algorithm: common.SHA256, Value: b.Digest.Hex}},
			PackageLicenseConcluded:   "NOASSERTION",
			PackageLicenseDeclared:    "NOASSERTION",
			PackageCopyrightText:      "NOASSERTION",
			PrimaryPackagePurpose:     "CONTAINER",
			PackageComment:            "base image ([image] base) this image is built on",
			PackageExternalReferences: []*spdx.PackageExternalReference{{Category: "PACKAGE-MANAGER", RefType: "purl", Locator: b.purl(in.Arch)}},
		}
		used[base.PackageSPDXIdentifier] = true
		doc.Packages = append(doc.Packages, base)
		doc.Relationships = append(doc.Relationships, &spdx.Relationship{
			RefA: common.MakeDocElementID("", string(img.PackageSPDXIdentifier)), RefB: common.MakeDocElementID("", string(base.PackageSPDXIdentifier)),
			Relationship: "DESCENDANT_OF",
		})
	}

	ids := make(map[string]common.ElementID, len(pkgs))
	for _, p := range pkgs {
		nevra := p.NEVRA.String()
		if _, dup := ids[nevra]; dup {
			return nil, fmt.Errorf("sbom of %s/%s: package %s listed twice", in.Image, in.Arch, nevra)
		}
		id := common.ElementID("RPM-" + sanitizeID(nevra))
		for n := 2; used[id]; n++ {
			id = common.ElementID(fmt.Sprintf("RPM-%s-%d", sanitizeID(nevra), n))
		}
		used[id] = true
		ids[nevra] = id
		sp, err := spdxPackage(p, id, in.Distro)
		if err != nil {
			return nil, fmt.Errorf("sbom of %s/%s: %w", in.Image, in.Arch, err)
		}
		doc.Packages = append(doc.Packages, sp)
		doc.Relationships = append(doc.Relationships, &spdx.Relationship{
			RefA: common.MakeDocElementID("", string(img.PackageSPDXIdentifier)), RefB: common.MakeDocElementID("", string(id)),
			Relationship: "CONTAINS",
		})
	}
	deps := append([]Dependency(nil), in.DependsOn...)
	sort.Slice(deps, func(i, j int) bool {
		if deps[i].From != deps[j].From {
			return deps[i].From < deps[j].From
		}
		return deps[i].To < deps[j].To
	})
	for i, d := range deps {
		if i > 0 && d == deps[i-1] {
			continue
		}
		a, okA := ids[d.From]
		b, okB := ids[d.To]
		if !okA || !okB {
			return nil, fmt.Errorf("sbom of %s/%s: dependency %s -> %s names a package not in the image", in.Image, in.Arch, d.From, d.To)
		}
		if a == b {
			continue
		}
		doc.Relationships = append(doc.Relationships, &spdx.Relationship{
			RefA: common.MakeDocElementID("", string(a)), RefB: common.MakeDocElementID("", string(b)),
			Relationship: "DEPENDS_ON",
		})
	}
	var buf bytes.Buffer
	if err := spdxjson.Write(doc, &buf, spdxjson.Indent("  "), spdxjson.EscapeHTML(false)); err != nil {
		return nil, fmt.Errorf("encoding sbom of %s/%s: %w", in.Image, in.Arch, err)
	}
	return buf.Bytes(), nil
}

func spdxPackage(p PackageInfo, id common.ElementID, distro string) (*spdx.Package, error) {
	sp := &spdx.Package{
		PackageName:             p.NEVRA.Name,
		PackageSPDXIdentifier:   id,
		PackageVersion:          evr(p.NEVRA),
		PackageFileName:         p.NEVRA.String() + ".rpm",
		PackageDownloadLocation: "NOASSERTION",
		PackageLicenseConcluded: "NOASSERTION",
		PackageLicenseDeclared:  "NOASSERTION",
		PackageCopyrightText:    "NOASSERTION",
		PackageSummary:          p.Summary,
		PackageHomePage:         p.URL,
		PrimaryPackagePurpose:   "LIBRARY",
		PackageSupplier:         &common.Supplier{Supplier: "NOASSERTION"},
	}
	if p.License != "" {
		if looksLikeSPDXExpression(p.License) {
			sp.PackageLicenseDeclared = p.License
		} else {
			sp.PackageLicenseComments = "RPM License tag: " + p.License
		}
	}
	if p.Vendor != "" {
		sp.PackageSupplier = &common.Supplier{SupplierType: "Organization", Supplier: p.Vendor}
	}
	if p.Packager != "" {
		sp.PackageOriginator = &common.Originator{OriginatorType: "Organization", Originator: p.Packager}
	}
	if p.SourceRPM != "" {
		sp.PackageSourceInfo = "built from source RPM " + p.SourceRPM
	}
	if p.Repo != "" {
		sp.PackageComment = "repository " + p.Repo
	}
	if p.Checksum != "" {
		algo, val, ok := strings.Cut(p.Checksum, ":")
		a, known := map[string]common.ChecksumAlgorithm{
			"sha256": common.SHA256, "sha512": common.SHA512, "sha1": common.SHA1, "md5": common.MD5, "sha384": common.SHA384,
		}[strings.ToLower(algo)]
		if !ok || !known || val == "" {
			return nil, fmt.Errorf("package %s: checksum %q is not ALGO:HEX", p.NEVRA, p.Checksum)
		}
		sp.PackageChecksums = []common.Checksum{{Algorithm: a, Value: strings.ToLower(val)}}
	}
	sp.PackageExternalReferences = []*spdx.PackageExternalReference{{
		Category: "PACKAGE-MANAGER", RefType: "purl", Locator: PackageURL(p, distro),
	}}
	return sp, nil
}

// PackageURL is the purl of an installed RPM:
// pkg:rpm/NAMESPACE/NAME@VERSION-RELEASE?arch=ARCH&epoch=E&distro=DISTRO,
// the namespace being the distro's id (azurelinux for azurelinux-3.0)
// or, without a distro, the vendor.
func PackageURL(p PackageInfo, distro string) string {
	ns := ""
	if distro != "" {
		ns = distro
		if i := strings.LastIndexByte(distro, '-'); i > 0 {
			ns = distro[:i]
		}
	} else if p.Vendor != "" {
		ns = strings.ToLower(strings.Join(strings.Fields(p.Vendor), "-"))
	}
	q := map[string]string{"arch": p.NEVRA.Arch}
	if p.NEVRA.Epoch != 0 {
		q["epoch"] = strconv.FormatUint(uint64(p.NEVRA.Epoch), 10)
	}
	if distro != "" {
		q["distro"] = distro
	}
	if p.SourceRPM != "" {
		q["upstream"] = p.SourceRPM
	}
	return packageurl.NewPackageURL("rpm", ns, p.NEVRA.Name, p.NEVRA.Version+"-"+p.NEVRA.Release,
		packageurl.QualifiersFromMap(q), "").ToString()
}

func evr(n rpmmeta.NEVRA) string {
	s := n.Version + "-" + n.Release
	if n.Epoch != 0 {
		s = strconv.FormatUint(uint64(n.Epoch), 10) + ":" + s
	}
	return s
}

// sanitizeID keeps the characters an SPDX identifier allows
// ([A-Za-z0-9.-]) and turns the others into '-'.
func sanitizeID(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			b[i] = '-'
		}
	}
	return string(b)
}

func escapePath(s string) string {
	return strings.NewReplacer(" ", "-", "#", "-", "?", "-").Replace(s)
}

func toolName(t string) string {
	if t == "" {
		return "slipway"
	}
	return t
}

// looksLikeSPDXExpression accepts license strings made only of SPDX
// expression characters (ids, AND/OR/WITH, parentheses). It does not
// check the ids against the SPDX license list.
func looksLikeSPDXExpression(s string) bool {
	for _, f := range strings.Fields(strings.NewReplacer("(", " ", ")", " ").Replace(s)) {
		switch f {
		case "AND", "OR", "WITH":
			continue
		case "and", "or", "with": // Fedora-style prose, not an expression
			return false
		}
		for _, c := range f {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == ':') {
				return false
			}
		}
	}
	return strings.TrimSpace(s) != ""
}

// goArch is the OCI architecture of an RPM one.
func goArch(rpmArch string) string {
	switch rpmArch {
	case "x86_64":
		return "amd64"
	case "aarch64":
		return "arm64"
	}
	return rpmArch
}

// SBOMSubject returns the image digest an SPDX document made by SPDX
// describes (the checksum of its SPDXRef-Image package).
func SBOMSubject(doc []byte) (v1.Hash, error) {
	var d struct {
		SPDXVersion string `json:"spdxVersion"`
		Packages    []struct {
			ID        string `json:"SPDXID"`
			Checksums []struct {
				Algorithm string `json:"algorithm"`
				Value     string `json:"checksumValue"`
			} `json:"checksums"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return v1.Hash{}, fmt.Errorf("reading SPDX document: %w", err)
	}
	if !strings.HasPrefix(d.SPDXVersion, "SPDX-2.") {
		return v1.Hash{}, fmt.Errorf("not an SPDX 2 JSON document (spdxVersion %q)", d.SPDXVersion)
	}
	for _, p := range d.Packages {
		if p.ID != ImageElementID {
			continue
		}
		for _, c := range p.Checksums {
			if c.Algorithm == "SHA256" {
				return v1.NewHash("sha256:" + c.Value)
			}
		}
	}
	return v1.Hash{}, fmt.Errorf("the SPDX document describes no image (no %s package with a SHA256 checksum)", ImageElementID)
}
