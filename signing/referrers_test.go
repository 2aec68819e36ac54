package signing

import (
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

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// referrersRegistry starts an in-memory registry with or without the
// OCI 1.1 referrers API (without it, writers keep the referrers tag).
func referrersRegistry(t *testing.T, api bool) string {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0)), registry.WithReferrersSupport(api)))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func TestParseReferrersMode(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		want ReferrersMode
		err  bool
	}{
		{"", ReferrersLegacy, false}, {"legacy", ReferrersLegacy, false}, {"oci-1-1", ReferrersOCI11, false},
		{"oci11", "", true}, {"OCI-1-1", "", true},
	} {
		got, err := ParseReferrersMode(c.in)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("ParseReferrersMode(%q) = %q, %v; want %q (error %v)", c.in, got, err, c.want, c.err)
		}
	}
}

func TestSignReferrers(t *testing.T) {
	t.Parallel()
	for _, api := range []bool{true, false} {
		t.Run(map[bool]string{true: "referrers-api", false: "referrers-tag"}[api], func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			host := referrersRegistry(t, api)
			tag, idxDigest, digests := pushIndex(t, host, "img")
			sv := mustSigner(t, t.TempDir(), testPassword)
			s := &Signer{Key: sv, Mode: ReferrersOCI11}
			sboms := [][]byte{sbomFor(t, digests[0], "x86_64"), sbomFor(t, digests[1], "aarch64")}
			if _, err := SignAndAttest(ctx, tag, s, SignOptions{Recursive: true, SBOMs: sboms}); err != nil {
				t.Fatal(err)
			}
			all := append([]v1.Hash{idxDigest}, digests...)
			for _, d := range all {
				subject := tag.Context().Digest(d.String())
				// No .sig tag: the signature is a referrer.
				if _, found, err := attached(ctx, subject, "sig", Options{}); err != nil || found {
					t.Errorf("%s: .sig tag found=%v err=%v, want none in oci-1-1 mode", d, found, err)
				}
				refs := sigReferrers(t, subject)
				if len(refs) != 1 {
					t.Fatalf("%s: %d signature referrers, want 1", d, len(refs))
				}
				checkReferrerManifest(t, subject, refs[0])
				if !api {
					checkReferrersTag(t, subject, refs)
				}
			}
			got, err := Verify(ctx, tag, sv, VerifyOptions{Recursive: true, Attestations: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 3 || got[0].Signatures != 1 {
				t.Fatalf("verify: %+v, want 3 targets with 1 signature", got)
			}
			// Signing again adds no referrer; a second key adds one, and
			// the referrers tag lists both.
			if _, err := SignAndAttest(ctx, tag, s, SignOptions{Recursive: true}); err != nil {
				t.Fatal(err)
			}
			second := mustSigner(t, t.TempDir(), "second")
			if _, err := SignAndAttest(ctx, tag, &Signer{Key: second, Mode: ReferrersOCI11}, SignOptions{}); err != nil {
				t.Fatal(err)
			}
			index := tag.Context().Digest(idxDigest.String())
			refs := sigReferrers(t, index)
			if len(refs) != 2 {
				t.Fatalf("index: %d signature referrers after a second key, want 2", len(refs))
			}
			if !api {
				checkReferrersTag(t, index, refs)
			}
			for _, k := range []v1.Hash{digests[0], digests[1]} {
				if n := len(sigReferrers(t, tag.Context().Digest(k.String()))); n != 1 {
					t.Errorf("image %s: %d signature referrers after signing again, want 1", k, n)
				}
			}
			if _, err := Verify(ctx, index, second, VerifyOptions{}); err != nil {
				t.Errorf("second key: %v", err)
			}
		})
	}
}

// sigReferrers lists the signature referrers of d.
func sigReferrers(t *testing.T, d name.Digest) []v1.Descriptor {
	t.Helper()
	idx, err := remote.Referrers(d, remote.WithFilter("artifactType", SignatureArtifactType))
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	return im.Manifests
}

// checkReferrerManifest checks the referrer against what cosign v2.6.5's
// WriteSignaturesExperimentalOCI writes.
func checkReferrerManifest(t *testing.T, subject name.Digest, desc v1.Descriptor) {
	t.Helper()
	img, err := remote.Image(subject.Context().Digest(desc.Digest.String()))
	if err != nil {
		t.Fatal(err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	sd, err := remote.Head(subject)
	if err != nil {
		t.Fatal(err)
	}
	if m.MediaType != types.OCIManifestSchema1 || m.ArtifactType != SignatureArtifactType || m.Config.MediaType != SignatureArtifactType {
		t.Errorf("referrer %s: mediaType %q artifactType %q config %q", desc.Digest, m.MediaType, m.ArtifactType, m.Config.MediaType)
	}
	if m.Subject == nil || m.Subject.Digest != sd.Digest || m.Subject.MediaType != sd.MediaType || m.Subject.Size != sd.Size {
		t.Errorf("referrer %s: subject %+v, want %s %s %d", desc.Digest, m.Subject, sd.MediaType, sd.Digest, sd.Size)
	}
	if len(m.Layers) != 1 || m.Layers[0].MediaType != SimpleSigningMediaType || m.Layers[0].Annotations[SignatureAnnotation] == "" {
		t.Errorf("referrer %s: layers %+v, want one simple-signing layer with a signature", desc.Digest, m.Layers)
	}
	if err := checkConfigBlob(img, m); err != nil {
		t.Errorf("referrer %s: %v", desc.Digest, err)
	}
}

func checkConfigBlob(img v1.Image, m *v1.Manifest) error {
	raw, err := img.RawConfigFile()
	if err != nil {
		return err
	}
	h, n, err := v1.SHA256(strings.NewReader(string(raw)))
	if err != nil {
		return err
	}
	if h != m.Config.Digest || n != m.Config.Size {
		return errors.New("config blob does not match its descriptor")
	}
	return nil
}

// checkReferrersTag checks the sha256-<hex> index a registry without the
// referrers API gets: an OCI index listing exactly the referrers.
func checkReferrersTag(t *testing.T, subject name.Digest, refs []v1.Descriptor) {
	t.Helper()
	h, _ := v1.NewHash(subject.DigestStr())
	ft := subject.Context().Tag(h.Algorithm + "-" + h.Hex)
	idx, err := remote.Index(ft)
	if err != nil {
		t.Fatalf("referrers tag %s: %v", ft, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if im.MediaType != types.OCIImageIndex {
		t.Errorf("referrers tag %s: media type %s", ft, im.MediaType)
	}
	var sigs int
	for _, d := range im.Manifests {
		if d.ArtifactType == SignatureArtifactType {
			sigs++
		}
	}
	if sigs != len(refs) {
		t.Errorf("referrers tag %s lists %d signatures, the referrers call %d", ft, sigs, len(refs))
	}
}

func TestVerifyReferrersRejects(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	host := referrersRegistry(t, false)
	tag, idxDigest, _ := pushIndex(t, host, "img")
	other, _, _ := pushIndex(t, host, "other")
	sv := mustSigner(t, t.TempDir(), testPassword)
	if _, err := SignAndAttest(ctx, tag, &Signer{Key: sv, Mode: ReferrersOCI11}, SignOptions{Recursive: true}); err != nil {
		t.Fatal(err)
	}
	wrong := mustSigner(t, t.TempDir(), "other")
	index := tag.Context().Digest(idxDigest.String())
	// The signature referrer, its subject changed to the other index and
	// pushed there: its payload still names the first index.
	refs := sigReferrers(t, index)
	if len(refs) != 1 {
		t.Fatalf("%d referrers", len(refs))
	}
	img, err := remote.Image(index.Context().Digest(refs[0].Digest.String()))
	if err != nil {
		t.Fatal(err)
	}
	od, err := remote.Head(other)
	if err != nil {
		t.Fatal(err)
	}
	moved, err := referrerImage(img, v1.Descriptor{MediaType: od.MediaType, Digest: od.Digest, Size: od.Size})
	if err != nil {
		t.Fatal(err)
	}
	md, _ := moved.Digest()
	if err := remote.Write(other.Context().Digest(md.String()), moved); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		ref  name.Reference
		key  bool // true: the right key
		want string
	}{
		{"wrong key", tag, false, "none of 1 signatures is valid"},
		{"referrer moved to another image", other, true, "not this image"},
	}
	for _, c := range cases {
		key := wrong
		if c.key {
			key = sv
		}
		_, err := Verify(ctx, c.ref, key, VerifyOptions{})
		var ve *VerificationError
		if !errors.As(err, &ve) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want a VerificationError containing %q", c.name, err, c.want)
		}
	}
}

// TestCosignCLIReferrers has the real cosign check slipway's OCI 1.1
// signature referrers (verify --experimental-oci11), and slipway verify
// what cosign sign --registry-referrers-mode oci-1-1 wrote, on a registry
// without the referrers API (the referrers tag) and one with it.
func TestCosignCLIReferrers(t *testing.T) {
	cosign := cosignCLI(t)
	for _, api := range []bool{false, true} {
		t.Run(map[bool]string{true: "referrers-api", false: "referrers-tag"}[api], func(t *testing.T) {
			ctx := t.Context()
			host := referrersRegistry(t, api)
			tag, _, digests := pushIndex(t, host, "img")
			dir := t.TempDir()
			privPath, pubPath := keyPair(t, dir, testPassword)
			sv := loadSigner(t, privPath, testPassword)
			if _, err := SignAndAttest(ctx, tag, &Signer{Key: sv, Mode: ReferrersOCI11}, SignOptions{Recursive: true}); err != nil {
				t.Fatal(err)
			}
			run := func(args ...string) (string, error) {
				cmd := exec.CommandContext(ctx, cosign, args...)
				cmd.Env = append(os.Environ(), "COSIGN_PASSWORD="+testPassword, "COSIGN_EXPERIMENTAL=1", "TUF_ROOT="+filepath.Join(dir, "tuf"), "HOME="+dir)
				out, err := cmd.CombinedOutput()
				return string(out), err
			}
			refs := []string{tag.String(), tag.Context().Digest(digests[1].String()).String()}
			for _, ref := range refs {
				if out, err := run("verify", "--experimental-oci11", "--key", pubPath, "--insecure-ignore-tlog", "--allow-insecure-registry", ref); err != nil {
					t.Errorf("cosign verify --experimental-oci11 %s: %v\n%s", ref, err, out)
				}
				// Without --experimental-oci11 cosign looks only at the .sig tag.
				if out, err := run("verify", "--key", pubPath, "--insecure-ignore-tlog", "--allow-insecure-registry", ref); err == nil {
					t.Errorf("cosign verify (legacy) found a signature slipway wrote as a referrer:\n%s", out)
				}
			}
			// Another key: cosign rejects.
			_, otherPub := keyPair(t, t.TempDir(), "x")
			if out, err := run("verify", "--experimental-oci11", "--key", otherPub, "--insecure-ignore-tlog", "--allow-insecure-registry", tag.String()); err == nil {
				t.Errorf("cosign verified slipway's referrer with another key:\n%s", out)
			}
			// cosign signs as a referrer, slipway verifies.
			other, _, _ := pushIndex(t, host, "bycosign")
			if out, err := run("sign", "--registry-referrers-mode", "oci-1-1", "--key", privPath, "--tlog-upload=false", "--allow-insecure-registry", "--recursive", "--yes", other.String()); err != nil {
				t.Fatalf("cosign sign --registry-referrers-mode oci-1-1: %v\n%s", err, out)
			}
			od, err := remote.Head(other)
			if err != nil {
				t.Fatal(err)
			}
			if _, found, err := attached(ctx, other.Context().Digest(od.Digest.String()), "sig", Options{}); err != nil || found {
				t.Fatalf("cosign wrote a .sig tag (found=%v, %v): the test would not exercise referrers", found, err)
			}
			if _, err := Verify(ctx, other, sv, VerifyOptions{Recursive: true}); err != nil {
				t.Errorf("slipway does not verify cosign's referrer signature: %v", err)
			}
			wrong := mustSigner(t, t.TempDir(), "wrong")
			if _, err := Verify(ctx, other, wrong, VerifyOptions{Recursive: true}); err == nil {
				t.Error("slipway verified cosign's referrer signature with another key")
			}
		})
	}
}

// TestReferrersTagHostile: the referrers tag is an index anyone with push
// access can write. Entries for another subject are skipped, and an
// index listing too many signature referrers is refused.
func TestReferrersTagHostile(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	host := referrersRegistry(t, false)
	tag, _, _ := pushIndex(t, host, "img")
	victim, victimDigest, _ := pushIndex(t, host, "img2")
	sv := mustSigner(t, t.TempDir(), testPassword)
	if _, err := SignAndAttest(ctx, tag, &Signer{Key: sv, Mode: ReferrersOCI11}, SignOptions{}); err != nil {
		t.Fatal(err)
	}
	td, err := remote.Head(tag)
	if err != nil {
		t.Fatal(err)
	}
	refs := sigReferrers(t, tag.Context().Digest(td.Digest.String()))
	if len(refs) != 1 {
		t.Fatalf("%d referrers", len(refs))
	}
	// The first index's signature referrer, listed (unchanged, subject the
	// first index) in the referrers tag of the second.
	writeReferrersTag := func(descs []v1.Descriptor) {
		t.Helper()
		idx := v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: descs}
		raw, _ := json.Marshal(idx)
		ft := victim.Context().Tag("sha256-" + victimDigest.Hex)
		if err := remote.Put(ft, rawIndex{raw}); err != nil {
			t.Fatal(err)
		}
	}
	// The referrer's manifest must be in the victim's repository to be read.
	img, err := remote.Image(tag.Context().Digest(refs[0].Digest.String()))
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(victim.Context().Digest(refs[0].Digest.String()), img); err != nil {
		t.Fatal(err)
	}
	writeReferrersTag([]v1.Descriptor{refs[0]})
	_, err = Verify(ctx, victim, sv, VerifyOptions{})
	if err == nil || !strings.Contains(err.Error(), "no signatures found") {
		t.Errorf("a referrer of another manifest listed in the referrers tag: %v, want no signatures found", err)
	}
	many := make([]v1.Descriptor, maxReferrers+1)
	for i := range many {
		many[i] = refs[0]
	}
	writeReferrersTag(many)
	_, err = Verify(ctx, victim, sv, VerifyOptions{})
	if err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("%d referrers listed: %v, want a refusal", len(many), err)
	}
}

type rawIndex struct{ raw []byte }

func (r rawIndex) RawManifest() ([]byte, error)        { return r.raw, nil }
func (r rawIndex) MediaType() (types.MediaType, error) { return types.OCIImageIndex, nil }
