package signing

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/sigstore/sigstore/pkg/signature"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdxlib"

	"github.com/slipway-build/slipway/rpmmeta"
	"github.com/slipway-build/slipway/signing/sigstoretest"
)

const testPassword = "correct horse battery staple"

// testRegistry starts an in-memory registry and returns its host.
func testRegistry(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// pushIndex pushes a two-image index and returns its tag and the images'
// digests.
func pushIndex(t *testing.T, host, repo string) (name.Tag, v1.Hash, []v1.Hash) {
	t.Helper()
	tag, err := name.NewTag(host+"/"+repo+":1.0", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	var adds []mutate.IndexAddendum
	var digests []v1.Hash
	for _, arch := range []string{"amd64", "arm64"} {
		img, err := random.Image(256, 1)
		if err != nil {
			t.Fatal(err)
		}
		d, _ := img.Digest()
		digests = append(digests, d)
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
	}
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex), adds...)
	if err := remote.WriteIndex(tag, idx); err != nil {
		t.Fatal(err)
	}
	id, _ := idx.Digest()
	return tag, id, digests
}

func keyPair(t *testing.T, dir, password string) (privPath, pubPath string) {
	t.Helper()
	priv, pub, err := GenerateKeyPair([]byte(password))
	if err != nil {
		t.Fatal(err)
	}
	privPath, pubPath = filepath.Join(dir, "cosign.key"), filepath.Join(dir, "cosign.pub")
	if err := os.WriteFile(privPath, priv, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pubPath, pub, 0o644); err != nil {
		t.Fatal(err)
	}
	return privPath, pubPath
}

func sbomFor(t *testing.T, d v1.Hash, arch string) []byte {
	t.Helper()
	doc, err := SPDX(SBOMInput{
		Image: "test/base", Arch: arch, Digest: d, Distro: "azurelinux-3.0",
		Created: time.Unix(1700000000, 0), Tool: "slipway-test",
		Packages: []PackageInfo{
			{NEVRA: rpmmeta.NEVRA{Name: "bash", EVR: rpmmeta.EVR{Version: "5.2.15", Release: "3.azl3"}, Arch: arch}, Checksum: "sha256:" + strings.Repeat("ab", 32),
				License: "GPL-3.0-or-later", Vendor: "Microsoft Corporation", SourceRPM: "bash-5.2.15-3.azl3.src.rpm"},
			{NEVRA: rpmmeta.NEVRA{Name: "glibc", EVR: rpmmeta.EVR{Epoch: 1, Version: "2.38", Release: "8.azl3"}, Arch: arch}, Checksum: "sha512:" + strings.Repeat("cd", 64),
				License: "LGPLv2+ and GPLv2+ with exceptions", Vendor: "Microsoft Corporation"},
		},
		DependsOn: []Dependency{{From: "bash-5.2.15-3.azl3." + arch, To: "glibc-1:2.38-8.azl3." + arch}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestSignVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	host := testRegistry(t)
	tag, idxDigest, digests := pushIndex(t, host, "img")
	dir := t.TempDir()
	privPath, pubPath := keyPair(t, dir, testPassword)
	privPEM, _ := os.ReadFile(privPath)
	pubPEM, _ := os.ReadFile(pubPath)
	sv, err := LoadPrivateKey("cosign.key", privPEM, []byte(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	sboms := [][]byte{sbomFor(t, digests[0], "x86_64"), sbomFor(t, digests[1], "aarch64")}
	res, err := SignAndAttest(ctx, tag, &Signer{Key: sv}, SignOptions{Recursive: true, SBOMs: sboms, Provenance: &ProvenanceInput{Version: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Targets) != 3 || res.Targets[0].Digest.DigestStr() != idxDigest.String() {
		t.Fatalf("targets = %v, want the index %s and 2 images", res.Targets, idxDigest)
	}
	// index: 2 SBOMs + provenance; each image: 1 SBOM + provenance
	if res.Attestations != 3+2+2 {
		t.Errorf("attestations = %d, want 7", res.Attestations)
	}
	v, err := LoadPublicKey("cosign.pub", pubPEM)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Verify(ctx, tag, v, VerifyOptions{Recursive: true, Attestations: true,
		PredicateTypes: []string{PredicateSPDX, PredicateSLSAProvenance}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got[0].Attestations[PredicateSPDX]) != 2 || len(got[1].Attestations[PredicateSPDX]) != 1 {
		t.Errorf("SPDX attestations: index %d (want 2), image %d (want 1)", len(got[0].Attestations[PredicateSPDX]), len(got[1].Attestations[PredicateSPDX]))
	}
	if d, err := SBOMSubject(got[1].Attestations[PredicateSPDX][0]); err != nil || d != digests[0] {
		t.Errorf("amd64 image's SBOM describes %v (%v), want %s", d, err, digests[0])
	}
	// Signing again adds no signature and replaces the attestations.
	if _, err := SignAndAttest(ctx, tag, &Signer{Key: sv}, SignOptions{Recursive: true, SBOMs: sboms}); err != nil {
		t.Fatal(err)
	}
	got, err = Verify(ctx, tag, v, VerifyOptions{Recursive: true, Attestations: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range got {
		if r.Signatures != 1 {
			t.Errorf("%s: %d signatures after signing twice, want 1", r.Target, r.Signatures)
		}
	}
	if n := len(got[0].Attestations[PredicateSPDX]); n != 2 {
		t.Errorf("index has %d SPDX attestations after signing twice, want 2", n)
	}
}

func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	host := testRegistry(t)
	tag, _, digests := pushIndex(t, host, "img")
	other, _, _ := pushIndex(t, host, "other")
	dir := t.TempDir()
	sv := mustSigner(t, dir, testPassword)
	if _, err := SignAndAttest(ctx, tag, &Signer{Key: sv}, SignOptions{Recursive: true, SBOMs: [][]byte{sbomFor(t, digests[0], "x86_64")}}); err != nil {
		t.Fatal(err)
	}
	wrong := mustSigner(t, t.TempDir(), "other")

	cases := []struct {
		name   string
		verify func() error
		want   string
	}{
		{"wrong key", func() error {
			_, err := Verify(ctx, tag, wrong, VerifyOptions{Recursive: true})
			return err
		}, "none of 1 signatures is valid"},
		{"unsigned image", func() error {
			_, err := Verify(ctx, other, sv, VerifyOptions{Recursive: true})
			return err
		}, "no signatures found"},
		{"signature copied to another image", func() error {
			copySig(t, tag, other, "sig")
			_, err := Verify(ctx, other, sv, VerifyOptions{})
			return err
		}, "not this image"},
		{"missing attestation on an image", func() error {
			_, err := Verify(ctx, tag, sv, VerifyOptions{Recursive: true, Attestations: true})
			return err
		}, "no attestations found"},
	}
	for _, c := range cases {
		err := c.verify()
		var ve *VerificationError
		if !errors.As(err, &ve) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want a VerificationError containing %q", c.name, err, c.want)
		}
	}
}

// copySig puts src's .sig/.att image at dst's tag: a signature re-tagged
// onto another image.
func copySig(t *testing.T, src, dst name.Tag, suffix string) {
	t.Helper()
	sd, err := remote.Head(src)
	if err != nil {
		t.Fatal(err)
	}
	dd, err := remote.Head(dst)
	if err != nil {
		t.Fatal(err)
	}
	img, found, err := attached(t.Context(), src.Context().Digest(sd.Digest.String()), suffix, Options{})
	if err != nil || !found {
		t.Fatalf("reading %s of %s: %v (found %v)", suffix, src, err, found)
	}
	if err := write(t.Context(), dst.Context().Digest(dd.Digest.String()), suffix, img, Options{}); err != nil {
		t.Fatal(err)
	}
}

func mustSigner(t *testing.T, dir, password string) signature.SignerVerifier {
	t.Helper()
	privPath, _ := keyPair(t, dir, password)
	pem, _ := os.ReadFile(privPath)
	sv, err := LoadPrivateKey(privPath, pem, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	return sv
}

func TestLoadPrivateKeyWrongPassword(t *testing.T) {
	t.Parallel()
	privPath, _ := keyPair(t, t.TempDir(), testPassword)
	pem, _ := os.ReadFile(privPath)
	for _, pw := range []string{"", "wrong", testPassword + "x"} {
		_, err := LoadPrivateKey("cosign.key", pem, []byte(pw))
		if !errors.Is(err, ErrBadPassword) {
			t.Errorf("password %q: err = %v, want ErrBadPassword", pw, err)
		}
		if err != nil && strings.Contains(err.Error(), testPassword) {
			t.Errorf("error shows the password: %v", err)
		}
	}
	if _, err := LoadPrivateKey("garbage", []byte("not a key"), nil); err == nil {
		t.Error("garbage key loaded")
	}
}

func TestSPDXDocument(t *testing.T) {
	t.Parallel()
	d, _ := v1.NewHash("sha256:" + strings.Repeat("01", 32))
	doc := sbomFor(t, d, "x86_64")
	if again := sbomFor(t, d, "x86_64"); !bytes.Equal(doc, again) {
		t.Error("the same input gave different documents")
	}
	parsed, err := spdxjson.Read(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("tools-golang cannot read the document: %v", err)
	}
	if err := spdxlib.ValidateDocument(parsed); err != nil {
		t.Errorf("tools-golang rejects the document: %v", err)
	}
	described, err := spdxlib.GetDescribedPackageIDs(parsed)
	if err != nil || len(described) != 1 || string(described[0]) != "Image" {
		t.Errorf("described = %v (%v), want the image", described, err)
	}
	if got, err := SBOMSubject(doc); err != nil || got != d {
		t.Errorf("SBOMSubject = %v, %v; want %s", got, err, d)
	}
	var raw map[string]any
	if err := json.Unmarshal(doc, &raw); err != nil {
		t.Fatal(err)
	}
	checkSPDX23(t, raw)
	s := string(doc)
	for _, want := range []string{
		`"pkg:rpm/azurelinux/glibc@2.38-8.azl3?arch=x86_64&distro=azurelinux-3.0&epoch=1"`,
		`"licenseDeclared": "GPL-3.0-or-later"`,
		`"RPM License tag: LGPLv2+ and GPLv2+ with exceptions"`,
		`"relationshipType": "DEPENDS_ON"`,
		`"supplier": "Organization: Microsoft Corporation"`,
		`"algorithm": "SHA512"`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("document lacks %s", want)
		}
	}
	if _, err := SPDX(SBOMInput{Image: "x", Arch: "x86_64", Digest: d, DependsOn: []Dependency{{From: "a", To: "b"}}}); err == nil {
		t.Error("a dependency on an unknown package was accepted")
	}
}

// checkSPDX23 checks what the SPDX 2.3 JSON schema requires of the
// document, its packages and relationships.
func checkSPDX23(t *testing.T, doc map[string]any) {
	t.Helper()
	for _, k := range []string{"spdxVersion", "dataLicense", "SPDXID", "name", "documentNamespace", "creationInfo"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("document lacks required %q", k)
		}
	}
	if doc["spdxVersion"] != "SPDX-2.3" || doc["dataLicense"] != "CC0-1.0" || doc["SPDXID"] != "SPDXRef-DOCUMENT" {
		t.Errorf("header = %v %v %v", doc["spdxVersion"], doc["dataLicense"], doc["SPDXID"])
	}
	ci, _ := doc["creationInfo"].(map[string]any)
	if _, err := time.Parse(time.RFC3339, ci["created"].(string)); err != nil || len(ci["creators"].([]any)) == 0 {
		t.Errorf("creationInfo = %v", ci)
	}
	idOK := func(s string) bool {
		if !strings.HasPrefix(s, "SPDXRef-") || len(s) == len("SPDXRef-") {
			return false
		}
		return sanitizeID(s) == s
	}
	ids := map[string]bool{"SPDXRef-DOCUMENT": true}
	for _, p := range doc["packages"].([]any) {
		pm := p.(map[string]any)
		for _, k := range []string{"SPDXID", "name", "downloadLocation"} {
			if _, ok := pm[k]; !ok {
				t.Errorf("package %v lacks required %q", pm["name"], k)
			}
		}
		id, _ := pm["SPDXID"].(string)
		if !idOK(id) || ids[id] {
			t.Errorf("package id %q is invalid or repeated", id)
		}
		ids[id] = true
		for _, c := range asList(pm["checksums"]) {
			cm := c.(map[string]any)
			if v, _ := cm["checksumValue"].(string); strings.ToLower(v) != v || v == "" {
				t.Errorf("checksum %v", cm)
			}
		}
		for _, r := range asList(pm["externalRefs"]) {
			rm := r.(map[string]any)
			if rm["referenceCategory"] != "PACKAGE-MANAGER" || rm["referenceType"] != "purl" || !strings.HasPrefix(rm["referenceLocator"].(string), "pkg:") {
				t.Errorf("externalRef %v", rm)
			}
		}
	}
	for _, r := range asList(doc["relationships"]) {
		rm := r.(map[string]any)
		if !ids[rm["spdxElementId"].(string)] || !ids[rm["relatedSpdxElement"].(string)] {
			t.Errorf("relationship %v names an unknown element", rm)
		}
	}
}

func asList(v any) []any { l, _ := v.([]any); return l }

// cosignCLI finds the cosign CLI: PATH, then scripts/install-cosign.sh's folder.
func cosignCLI(t *testing.T) string { return sigstoretest.CosignCLI(t) }

// TestCosignCLI checks that the real cosign verifies what slipway signs,
// and slipway verifies what cosign signs.
func TestCosignCLI(t *testing.T) {
	cosign := cosignCLI(t)
	ctx := t.Context()
	host := testRegistry(t)
	tag, _, digests := pushIndex(t, host, "img")
	dir := t.TempDir()
	privPath, pubPath := keyPair(t, dir, testPassword)
	sv := loadSigner(t, privPath, testPassword)
	sboms := [][]byte{sbomFor(t, digests[0], "x86_64"), sbomFor(t, digests[1], "aarch64")}
	if _, err := SignAndAttest(ctx, tag, &Signer{Key: sv}, SignOptions{Recursive: true, SBOMs: sboms}); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, cosign, args...)
		cmd.Env = append(os.Environ(), "COSIGN_PASSWORD="+testPassword, "TUF_ROOT="+filepath.Join(dir, "tuf"), "HOME="+dir)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	refs := []string{tag.String(), tag.Context().Digest(digests[0].String()).String(), tag.Context().Digest(digests[1].String()).String()}
	for _, ref := range refs {
		if out, err := run("verify", "--key", pubPath, "--insecure-ignore-tlog", "--allow-insecure-registry", ref); err != nil {
			t.Errorf("cosign verify %s: %v\n%s", ref, err, out)
		}
		out, err := run("verify-attestation", "--key", pubPath, "--insecure-ignore-tlog", "--allow-insecure-registry", "--type", "spdxjson", ref)
		if err != nil {
			t.Errorf("cosign verify-attestation %s: %v\n%s", ref, err, out)
		} else if !strings.Contains(out, "\"payload\"") {
			t.Errorf("cosign verify-attestation %s printed no payload:\n%s", ref, out)
		}
	}
	// The other way round: cosign signs with its own key, slipway verifies.
	other, _, _ := pushIndex(t, host, "bycosign")
	cdir := t.TempDir()
	cmd := exec.CommandContext(ctx, cosign, "generate-key-pair")
	cmd.Dir = cdir
	cmd.Env = append(os.Environ(), "COSIGN_PASSWORD="+testPassword, "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cosign generate-key-pair: %v\n%s", err, out)
	}
	if out, err := run("sign", "--key", filepath.Join(cdir, "cosign.key"), "--tlog-upload=false", "--allow-insecure-registry", "--recursive", "--yes", other.String()); err != nil {
		t.Fatalf("cosign sign: %v\n%s", err, out)
	}
	pub, _ := os.ReadFile(filepath.Join(cdir, "cosign.pub"))
	v, err := LoadPublicKey("cosign.pub", pub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(ctx, other, v, VerifyOptions{Recursive: true}); err != nil {
		t.Errorf("slipway does not verify cosign's signature: %v", err)
	}
	// cosign's key loads in slipway, and slipway's key signs for cosign.
	if _, err := LoadPrivateKey("cosign.key", mustRead(t, filepath.Join(cdir, "cosign.key")), []byte(testPassword)); err != nil {
		t.Errorf("cosign's private key: %v", err)
	}
	// A wrong key fails cosign too.
	if out, err := run("verify", "--key", filepath.Join(cdir, "cosign.pub"), "--insecure-ignore-tlog", "--allow-insecure-registry", tag.String()); err == nil {
		t.Errorf("cosign verified slipway's signature with another key:\n%s", out)
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func loadSigner(t *testing.T, path, password string) signature.SignerVerifier {
	t.Helper()
	sv, err := LoadPrivateKey(path, mustRead(t, path), []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	return sv
}
