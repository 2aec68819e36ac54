package signing

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// TestSBOMNamesBase: the SBOM of an image built on a base names the base
// as its ancestor, by digest and oci purl — SPDX with a DESCENDANT_OF
// relationship to a CONTAINER package, CycloneDX in the image
// component's pedigree.ancestors — and still lists every package.
func TestSBOMNamesBase(t *testing.T) {
	t.Parallel()
	img := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("12", 32)}
	base := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("9f", 32)}
	wantPurl := "pkg:oci/core@sha256:" + base.Hex + "?arch=amd64&repository_url=registry.example%2Fplatform%2Fcore"
	in := cdxInput(img, "x86_64")
	in.Base = &BaseImage{Ref: "registry.example/platform/core:3.0", Digest: base}

	t.Run("spdx", func(t *testing.T) {
		t.Parallel()
		doc, err := SPDX(in)
		if err != nil {
			t.Fatal(err)
		}
		var d struct {
			Packages []struct {
				ID       string `json:"SPDXID"`
				Name     string `json:"name"`
				Purpose  string `json:"primaryPackagePurpose"`
				Checksum []struct {
					Value string `json:"checksumValue"`
				} `json:"checksums"`
				Refs []struct {
					Locator string `json:"referenceLocator"`
				} `json:"externalRefs"`
			} `json:"packages"`
			Relationships []struct {
				A   string `json:"spdxElementId"`
				B   string `json:"relatedSpdxElement"`
				Rel string `json:"relationshipType"`
			} `json:"relationships"`
		}
		if err := json.Unmarshal(doc, &d); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, p := range d.Packages {
			if p.ID != BaseElementID {
				continue
			}
			found = true
			if p.Name != in.Base.Ref || p.Purpose != "CONTAINER" || len(p.Checksum) != 1 || p.Checksum[0].Value != base.Hex ||
				len(p.Refs) != 1 || p.Refs[0].Locator != wantPurl {
				t.Errorf("base package = %+v, want %s with digest %s and purl %s", p, in.Base.Ref, base, wantPurl)
			}
		}
		if !found {
			t.Fatalf("no %s package in\n%s", BaseElementID, doc)
		}
		desc := false
		for _, r := range d.Relationships {
			if r.Rel == "DESCENDANT_OF" && r.A == ImageElementID && r.B == BaseElementID {
				desc = true
			}
		}
		if !desc {
			t.Errorf("no %s DESCENDANT_OF %s relationship", ImageElementID, BaseElementID)
		}
		if len(d.Packages) != 2+len(in.Packages) {
			t.Errorf("%d packages, want the image, the base and %d", len(d.Packages), len(in.Packages))
		}
		if s, err := SBOMSubject(doc); err != nil || s != img {
			t.Errorf("subject = %v, %v; want the image %s, not the base", s, err, img)
		}
	})
	t.Run("cyclonedx", func(t *testing.T) {
		t.Parallel()
		doc, err := CycloneDX(in)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range validateCDXSchema(t, doc) {
			t.Error("schema:", e)
		}
		var bom cdx.BOM
		if err := cdx.NewBOMDecoder(bytes.NewReader(doc), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
			t.Fatal(err)
		}
		c := bom.Metadata.Component
		if c.Pedigree == nil || c.Pedigree.Ancestors == nil || len(*c.Pedigree.Ancestors) != 1 {
			t.Fatalf("image component has no single ancestor: %+v", c.Pedigree)
		}
		a := (*c.Pedigree.Ancestors)[0]
		if a.Name != in.Base.Ref || a.Version != base.String() || a.PackageURL != wantPurl || a.Hashes == nil || (*a.Hashes)[0].Value != base.Hex {
			t.Errorf("ancestor = %+v, want %s %s %s", a, in.Base.Ref, base, wantPurl)
		}
		if len(*bom.Components) != len(in.Packages) {
			t.Errorf("%d components, want %d", len(*bom.Components), len(in.Packages))
		}
	})
	t.Run("bad digest", func(t *testing.T) {
		t.Parallel()
		bad := in
		bad.Base = &BaseImage{Ref: "r/x", Digest: v1.Hash{Algorithm: "sha256", Hex: "ab"}}
		for _, f := range []SBOMFormat{SBOMSPDXJSON, SBOMCycloneDXJSON} {
			if _, err := f.Generate(bad); err == nil || !strings.Contains(err.Error(), `base image "r/x" digest "sha256:ab" is not sha256`) {
				t.Errorf("%s: err = %v", f, err)
			}
		}
	})
}
