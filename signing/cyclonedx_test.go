package signing

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/xeipuuv/gojsonschema"

	"github.com/slipway-build/slipway/rpmmeta"
)

func cdxInput(d v1.Hash, arch string) SBOMInput {
	return SBOMInput{
		Image: "test/base", Arch: arch, Digest: d, Distro: "azurelinux-3.0",
		Created: time.Unix(1700000000, 0), Tool: "slipway-1.2.3",
		Packages: []PackageInfo{
			{NEVRA: rpmmeta.NEVRA{Name: "bash", EVR: rpmmeta.EVR{Version: "5.2.15", Release: "3.azl3"}, Arch: arch}, Checksum: "sha256:" + strings.Repeat("ab", 32),
				License: "GPL-3.0-or-later", Vendor: "Microsoft Corporation", SourceRPM: "bash-5.2.15-3.azl3.src.rpm", URL: "https://www.gnu.org/software/bash", Repo: "base"},
			{NEVRA: rpmmeta.NEVRA{Name: "glibc", EVR: rpmmeta.EVR{Epoch: 1, Version: "2.38", Release: "8.azl3"}, Arch: arch}, Checksum: "sha512:" + strings.Repeat("cd", 64),
				License: "LGPLv2+ and GPLv2+ with exceptions", Vendor: "Microsoft Corporation", Packager: "Azure Linux team"},
			{NEVRA: rpmmeta.NEVRA{Name: "filesystem", EVR: rpmmeta.EVR{Version: "1.1", Release: "1.azl3"}, Arch: arch}},
		},
		DependsOn: []Dependency{
			{From: "bash-5.2.15-3.azl3." + arch, To: "glibc-1:2.38-8.azl3." + arch},
			{From: "bash-5.2.15-3.azl3." + arch, To: "glibc-1:2.38-8.azl3." + arch},
			{From: "glibc-1:2.38-8.azl3." + arch, To: "filesystem-1.1-1.azl3." + arch},
		},
	}
}

func cdxFor(t *testing.T, d v1.Hash, arch string) []byte {
	t.Helper()
	doc, err := CycloneDX(cdxInput(d, arch))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestCycloneDXDocument: the BOM decodes with cyclonedx-go, validates
// against the CycloneDX 1.6 JSON schema, carries the same packages,
// purls, hashes, licences, source RPMs and dependency edges as the SPDX
// document of the same input, and is the same bytes for the same input.
func TestCycloneDXDocument(t *testing.T) {
	t.Parallel()
	d, _ := v1.NewHash("sha256:" + strings.Repeat("01", 32))
	in := cdxInput(d, "x86_64")
	doc := cdxFor(t, d, "x86_64")
	if again := cdxFor(t, d, "x86_64"); !bytes.Equal(doc, again) {
		t.Error("the same input gave different documents")
	}
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(doc), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		t.Fatalf("cyclonedx-go cannot decode the BOM: %v", err)
	}
	if bom.SpecVersion != cdx.SpecVersion1_6 || bom.BOMFormat != "CycloneDX" || !strings.HasPrefix(bom.SerialNumber, "urn:uuid:") {
		t.Errorf("header: %s %s %s", bom.BOMFormat, bom.SpecVersion, bom.SerialNumber)
	}
	root := bom.Metadata.Component
	if root == nil || root.Type != cdx.ComponentTypeContainer || root.Version != d.String() || !strings.HasPrefix(root.PackageURL, "pkg:oci/base@sha256:") {
		t.Errorf("root component %+v", root)
	}
	if got, pt, err := SBOMInfo(doc); err != nil || got != d || pt != PredicateCycloneDX {
		t.Errorf("SBOMInfo = %v %s %v; want %s", got, pt, err, d)
	}
	// The same component set as the SPDX document: purls.
	var purls []string
	byName := map[string]cdx.Component{}
	for _, c := range *bom.Components {
		purls = append(purls, c.PackageURL)
		byName[c.Name] = c
	}
	var want []string
	for _, p := range in.Packages {
		want = append(want, PackageURL(p, in.Distro))
	}
	sort.Strings(purls)
	sort.Strings(want)
	if strings.Join(purls, " ") != strings.Join(want, " ") {
		t.Errorf("purls %v, want %v", purls, want)
	}
	bash, glibc := byName["bash"], byName["glibc"]
	if bash.Licenses == nil || (*bash.Licenses)[0].Expression != "GPL-3.0-or-later" {
		t.Errorf("bash licence %+v", bash.Licenses)
	}
	if glibc.Licenses == nil || (*glibc.Licenses)[0].License == nil || (*glibc.Licenses)[0].License.Name != "LGPLv2+ and GPLv2+ with exceptions" {
		t.Errorf("glibc licence %+v", glibc.Licenses)
	}
	if glibc.Hashes == nil || (*glibc.Hashes)[0].Algorithm != cdx.HashAlgoSHA512 || glibc.Version != "1:2.38-8.azl3" || glibc.Publisher != "Azure Linux team" {
		t.Errorf("glibc %+v", glibc)
	}
	props := map[string]string{}
	for _, p := range *bash.Properties {
		props[p.Name] = p.Value
	}
	if props["slipway:rpm:sourcerpm"] != "bash-5.2.15-3.azl3.src.rpm" || props["slipway:rpm:repository"] != "base" || bash.Supplier == nil || bash.Supplier.Name != "Microsoft Corporation" {
		t.Errorf("bash %+v %v", bash, props)
	}
	deps := map[string][]string{}
	for _, dep := range *bom.Dependencies {
		if dep.Dependencies != nil {
			deps[dep.Ref] = *dep.Dependencies
		} else {
			deps[dep.Ref] = nil
		}
	}
	if _, listed := deps[byName["filesystem"].BOMRef]; !listed {
		t.Error("filesystem, which needs nothing, has no dependency entry")
	}
	if len(deps["image"]) != 3 || len(deps[bash.BOMRef]) != 1 || deps[bash.BOMRef][0] != glibc.BOMRef ||
		len(deps[glibc.BOMRef]) != 1 || len(deps[byName["filesystem"].BOMRef]) != 0 {
		t.Errorf("dependencies %v", deps)
	}
	for _, e := range validateCDXSchema(t, doc) {
		t.Errorf("CycloneDX 1.6 schema: %s", e)
	}
	// The schema check is not empty: a wrong component type fails it.
	broken := bytes.Replace(doc, []byte(`"type": "library"`), []byte(`"type": "rpm"`), 1)
	if errs := validateCDXSchema(t, broken); len(errs) == 0 {
		t.Error("the 1.6 schema accepted a component of type rpm")
	}

	bad := cdxInput(d, "x86_64")
	bad.DependsOn = []Dependency{{From: "a", To: "b"}}
	if _, err := CycloneDX(bad); err == nil || !strings.Contains(err.Error(), "names a package not in the image") {
		t.Errorf("a dependency on an unknown package: %v", err)
	}
	bad = cdxInput(d, "x86_64")
	bad.Packages = append(bad.Packages, bad.Packages[0])
	if _, err := CycloneDX(bad); err == nil || !strings.Contains(err.Error(), "listed twice") {
		t.Errorf("a package twice: %v", err)
	}
}

// validateCDXSchema validates doc against the CycloneDX 1.6 JSON schema
// that the cyclonedx-go module ships (schema/bom-1.6.schema.json, with
// the spdx and jsf schemas it refers to).
func validateCDXSchema(t *testing.T, doc []byte) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/CycloneDX/cyclonedx-go").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("finding the cyclonedx-go module for its schema: %v", err)
		}
		t.Skipf("no cyclonedx-go module directory (go list -m: %v): run go mod download", err)
	}
	// The 1.6 schema refers to spdx.schema.json and jsf-0.82.schema.json
	// relative to its $id on cyclonedx.org: load them from the module
	// (cyclonedx-go ships jsf as jsf-0.82.schemax.json) so that nothing
	// is fetched.
	sl := gojsonschema.NewSchemaLoader()
	for url, file := range map[string]string{
		"http://cyclonedx.org/schema/spdx.schema.json":     "spdx.schema.json",
		"http://cyclonedx.org/schema/jsf-0.82.schema.json": "jsf-0.82.schemax.json",
	} {
		if err := sl.AddSchema(url, gojsonschema.NewBytesLoader(mustRead(t, filepath.Join(dir, "schema", file)))); err != nil {
			t.Fatalf("loading %s: %v", file, err)
		}
	}
	schema, err := sl.Compile(gojsonschema.NewBytesLoader(mustRead(t, filepath.Join(dir, "schema", "bom-1.6.schema.json"))))
	if err != nil {
		t.Fatalf("compiling the CycloneDX 1.6 schema: %v", err)
	}
	res, err := schema.Validate(gojsonschema.NewBytesLoader(doc))
	if err != nil {
		t.Fatalf("validating against the CycloneDX 1.6 schema: %v", err)
	}
	var errs []string
	for _, e := range res.Errors() {
		errs = append(errs, e.String())
	}
	return errs
}

// TestSBOMFormats: the format names, their predicate types, and
// SBOMInfo telling SPDX from CycloneDX.
func TestSBOMFormats(t *testing.T) {
	t.Parallel()
	d, _ := v1.NewHash("sha256:" + strings.Repeat("02", 32))
	for _, c := range []struct {
		in   string
		want SBOMFormat
		pt   string
	}{{"", SBOMSPDXJSON, PredicateSPDX}, {"spdx-json", SBOMSPDXJSON, PredicateSPDX}, {"cyclonedx-json", SBOMCycloneDXJSON, PredicateCycloneDX}} {
		f, err := ParseSBOMFormat(c.in)
		if err != nil || f != c.want || f.PredicateType() != c.pt {
			t.Errorf("%q: %v %v", c.in, f, err)
		}
		doc, err := f.Generate(cdxInput(d, "aarch64"))
		if err != nil {
			t.Fatal(err)
		}
		if got, pt, err := SBOMInfo(doc); err != nil || got != d || pt != c.pt {
			t.Errorf("%s: SBOMInfo %v %s %v", f, got, pt, err)
		}
	}
	if _, err := ParseSBOMFormat("cyclonedx-xml"); err == nil || !strings.Contains(err.Error(), "want spdx-json or cyclonedx-json") {
		t.Errorf("unknown format: %v", err)
	}
	for _, doc := range []string{`{}`, `{"bomFormat":"CycloneDX","specVersion":"1.6"}`, `[`} {
		if _, _, err := SBOMInfo([]byte(doc)); err == nil {
			t.Errorf("SBOMInfo(%s) accepted", doc)
		}
	}
}

// TestCycloneDXAttestationCosign: SignAndAttest attaches both SBOM
// formats; the real cosign CLI verifies the CycloneDX attestation with
// --type cyclonedx and the SPDX one with --type spdxjson, on the index
// and on each image; an SBOM of a manifest that is not in the index is
// refused.
func TestCycloneDXAttestationCosign(t *testing.T) {
	cosign := cosignCLI(t)
	ctx := t.Context()
	host := testRegistry(t)
	tag, _, digests := pushIndex(t, host, "cdx")
	dir := t.TempDir()
	privPath, pubPath := keyPair(t, dir, testPassword)
	sv := loadSigner(t, privPath, testPassword)
	sboms := [][]byte{
		sbomFor(t, digests[0], "x86_64"), sbomFor(t, digests[1], "aarch64"),
		cdxFor(t, digests[0], "x86_64"), cdxFor(t, digests[1], "aarch64"),
	}
	stranger, _ := v1.NewHash("sha256:" + strings.Repeat("ee", 32))
	if _, err := SignAndAttest(ctx, tag, &Signer{Key: sv}, SignOptions{Recursive: true, SBOMs: append(sboms, cdxFor(t, stranger, "x86_64"))}); err == nil ||
		!strings.Contains(err.Error(), "1 of 3 SBOM subjects are no manifest of") {
		t.Errorf("an SBOM of another image: %v", err)
	}
	if _, err := SignAndAttest(ctx, tag, &Signer{Key: sv}, SignOptions{Recursive: true, SBOMs: append(sboms, cdxFor(t, digests[0], "x86_64"))}); err == nil ||
		!strings.Contains(err.Error(), "two "+PredicateCycloneDX+" SBOMs describe") {
		t.Errorf("two CycloneDX SBOMs of one image: %v", err)
	}
	res, err := SignAndAttest(ctx, tag, &Signer{Key: sv}, SignOptions{Recursive: true, SBOMs: sboms})
	if err != nil {
		t.Fatal(err)
	}
	if res.Attestations != 8 {
		t.Errorf("%d attestations, want 8 (index 4, each image 2)", res.Attestations)
	}
	v, err := LoadPublicKey("cosign.pub", mustRead(t, pubPath))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(ctx, tag, v, VerifyOptions{Recursive: true, Attestations: true, PredicateTypes: []string{PredicateSPDX, PredicateCycloneDX}}); err != nil {
		t.Errorf("slipway verify of both predicate types: %v", err)
	}
	run := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, cosign, args...)
		cmd.Env = append(os.Environ(), "TUF_ROOT="+filepath.Join(dir, "tuf"), "HOME="+dir)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	refs := []string{tag.String(), tag.Context().Digest(digests[0].String()).String(), tag.Context().Digest(digests[1].String()).String()}
	for _, ref := range refs {
		for _, typ := range []string{"cyclonedx", "spdxjson"} {
			out, err := run("verify-attestation", "--key", pubPath, "--insecure-ignore-tlog", "--allow-insecure-registry", "--type", typ, ref)
			if err != nil {
				t.Errorf("cosign verify-attestation --type %s %s: %v\n%s", typ, ref, err, out)
			} else if !strings.Contains(out, "\"payload\"") {
				t.Errorf("cosign verify-attestation --type %s %s printed no payload:\n%s", typ, ref, out)
			}
		}
	}
}

// TestSBOMWrongSubject: an SBOM attestation (tag or bundle referrer),
// properly signed and about the image, whose CycloneDX or SPDX document
// describes another image is refused by Verify; an index may carry its
// images' SBOMs.
func TestSBOMWrongSubject(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	host := testRegistryHost(t, true)
	sv := mustSigner(t, t.TempDir(), testPassword)
	s := &Signer{Key: sv}
	cases := []struct {
		name   string
		doc    func(other v1.Hash) []byte
		pt     string
		bundle bool
		want   string
	}{
		{"cyclonedx .att", func(o v1.Hash) []byte { return cdxFor(t, o, "x86_64") }, PredicateCycloneDX, false, "the CycloneDX SBOM describes sha256:"},
		{"cyclonedx bundle", func(o v1.Hash) []byte { return cdxFor(t, o, "x86_64") }, PredicateCycloneDX, true, "the CycloneDX SBOM describes sha256:"},
		{"spdx .att", func(o v1.Hash) []byte { return sbomFor(t, o, "x86_64") }, PredicateSPDX, false, "the SPDX SBOM describes sha256:"},
	}
	for i, c := range cases {
		tag, _, digests := pushIndex(t, host, fmt.Sprintf("wrong/img%d", i))
		img := Target{Digest: tag.Context().Digest(digests[0].String())}
		if err := SignTarget(ctx, img, s, nil, Options{}); err != nil {
			t.Fatal(err)
		}
		atts := []Attestation{{PredicateType: c.pt, Predicate: c.doc(digests[1])}}
		var err error
		if c.bundle {
			err = AttestBundleTarget(ctx, img, s, atts, time.Time{}, Options{})
		} else {
			err = AttestTarget(ctx, img, s, atts, Options{})
		}
		if err != nil {
			t.Fatal(err)
		}
		_, err = Verify(ctx, img.Digest, sv, VerifyOptions{Attestations: true, PredicateTypes: []string{c.pt}})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), digests[1].String()) {
			t.Errorf("%s: %v, want %q naming %s", c.name, err, c.want, digests[1])
		}
	}
	// The index carries its images' SBOMs: accepted without --recursive.
	tag, _, digests := pushIndex(t, host, "wrong/index")
	if _, err := SignAndAttest(ctx, tag, s, SignOptions{Recursive: true, SBOMs: [][]byte{cdxFor(t, digests[0], "x86_64"), cdxFor(t, digests[1], "aarch64")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(ctx, tag, sv, VerifyOptions{Attestations: true, PredicateTypes: []string{PredicateCycloneDX}}); err != nil {
		t.Errorf("index with its images' SBOMs: %v", err)
	}
}
