package signing

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/sigstore/sigstore/pkg/cryptoutils"

	"github.com/slipway-build/slipway/signing/sigstoretest"
)

// The keyless tests run against the stand-ins for Fulcio and Rekor of
// package sigstoretest (httptest servers, not the real services); the
// real cosign CLI checks the result.

func TestKeylessSignRekor(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	host := testRegistry(t)
	tag, _, digests := pushIndex(t, host, "keyless")
	fulcio := sigstoretest.NewFulcio(t, sigstoretest.GoodToken)
	rekor := sigstoretest.NewRekor(t)
	s, err := KeylessSigner(ctx, KeylessOptions{FulcioURL: fulcio.URL, IdentityToken: sigstoretest.GoodToken})
	if err != nil {
		t.Fatal(err)
	}
	s.Rekor = &Rekor{URL: rekor.URL}
	sboms := [][]byte{sbomFor(t, digests[0], "x86_64"), sbomFor(t, digests[1], "aarch64")}
	res, err := SignAndAttest(ctx, tag, s, SignOptions{Recursive: true, SBOMs: sboms, Provenance: &ProvenanceInput{Version: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	// 3 signatures (hashedrekord); 7 attestations (dsse): the index has
	// both SBOMs and a provenance, each image its SBOM and a provenance.
	if len(res.Targets) != 3 || res.Attestations != 7 || rekor.Uploads() != 10 || rekor.DSSEUploads() != 7 {
		t.Fatalf("%d targets, %d attestations, %d Rekor entries (%d dsse); want 3, 7, 10 (7)",
			len(res.Targets), res.Attestations, rekor.Uploads(), rekor.DSSEUploads())
	}
	checkLoggedAttestations(t, res.Targets, rekor, fulcio.RootPEM)
	// Each signature layer has the certificate (issued by the stand-in's
	// root, for the token's email), the chain and the bundle.
	for _, tg := range res.Targets {
		img, found, err := attached(ctx, tg.Digest, "sig", Options{})
		if err != nil || !found {
			t.Fatalf("%s: %v %v", tg, found, err)
		}
		list, err := entries(img)
		if err != nil || len(list) != 1 {
			t.Fatalf("%s: %d signatures, %v", tg, len(list), err)
		}
		a := list[0].Annotations
		certs, err := cryptoutils.UnmarshalCertificatesFromPEM([]byte(a[CertificateAnnotation]))
		if err != nil || len(certs) != 1 || len(certs[0].EmailAddresses) != 1 || certs[0].EmailAddresses[0] != sigstoretest.Email {
			t.Errorf("%s: certificate annotation %q (%v)", tg, a[CertificateAnnotation], err)
		} else if err := certs[0].CheckSignatureFrom(fulcio.Root); err != nil {
			t.Errorf("%s: certificate not issued by the stand-in root: %v", tg, err)
		}
		if a[ChainAnnotation] != string(fulcio.RootPEM) {
			t.Errorf("%s: chain annotation %q, want the root", tg, a[ChainAnnotation])
		}
		var b rekorBundle
		if err := json.Unmarshal([]byte(a[BundleAnnotation]), &b); err != nil || b.Payload.LogID != rekor.LogID || len(b.SignedEntryTimestamp) == 0 {
			t.Errorf("%s: bundle annotation %q (%v)", tg, a[BundleAnnotation], err)
		}
	}

	t.Run("cosign verify", func(t *testing.T) {
		cosign := cosignCLI(t)
		dir := t.TempDir()
		root := filepath.Join(dir, "fulcio-root.pem")
		rekorPub := filepath.Join(dir, "rekor.pub")
		os.WriteFile(root, fulcio.RootPEM, 0o644)
		os.WriteFile(rekorPub, rekor.PubPEM, 0o644)
		otherRekor := sigstoretest.NewRekor(t)
		otherPub := filepath.Join(dir, "other-rekor.pub")
		os.WriteFile(otherPub, otherRekor.PubPEM, 0o644)
		verifyWith := func(rekorKey, identity, issuer string, args ...string) (string, error) {
			if len(args) == 0 {
				args = []string{"verify", tag.String()}
			}
			args = append(args, "--certificate-identity", identity, "--certificate-oidc-issuer", issuer,
				"--insecure-ignore-sct", "--allow-insecure-registry")
			cmd := exec.CommandContext(ctx, cosign, args...)
			cmd.Env = append(os.Environ(), "SIGSTORE_ROOT_FILE="+root, "SIGSTORE_REKOR_PUBLIC_KEY="+rekorKey,
				"TUF_ROOT="+filepath.Join(dir, "tuf"), "HOME="+dir)
			out, err := cmd.CombinedOutput()
			return string(out), err
		}
		verify := func(identity, issuer string) (string, error) { return verifyWith(rekorPub, identity, issuer) }
		if out, err := verify(sigstoretest.Email, sigstoretest.Issuer); err != nil {
			t.Errorf("cosign verify of the keyless signature (stand-in Fulcio root, stand-in Rekor key): %v\n%s", err, out)
		} else if !strings.Contains(out, sigstoretest.Email) {
			t.Errorf("cosign verify printed no certificate identity:\n%s", out)
		}
		if out, err := verifyWith(otherPub, sigstoretest.Email, sigstoretest.Issuer); err == nil {
			t.Errorf("cosign verify accepted the bundle with another Rekor key:\n%s", out)
		}
		if out, err := verify("someone@example.com", sigstoretest.Issuer); err == nil {
			t.Errorf("cosign verify accepted another identity:\n%s", out)
		}
		if out, err := verify(sigstoretest.Email, "https://other.example"); err == nil {
			t.Errorf("cosign verify accepted another issuer:\n%s", out)
		}
		// The attestations: cosign verify-attestation checks each
		// layer's certificate, its dsse entry's bundle and the envelope.
		for _, a := range []struct{ ref, typ string }{
			{tag.String(), "spdxjson"},
			{tag.Context().Digest(digests[1].String()).String(), "spdxjson"},
			{tag.String(), "slsaprovenance1"},
		} {
			att := []string{"verify-attestation", "--type", a.typ, a.ref}
			if out, err := verifyWith(rekorPub, sigstoretest.Email, sigstoretest.Issuer, att...); err != nil {
				t.Errorf("cosign verify-attestation --type %s %s (keyless, logged): %v\n%s", a.typ, a.ref, err, out)
			} else if !strings.Contains(out, `"payload"`) {
				t.Errorf("cosign verify-attestation %s printed no payload:\n%s", a.ref, out)
			}
		}
		att := []string{"verify-attestation", "--type", "spdxjson", tag.String()}
		if out, err := verifyWith(otherPub, sigstoretest.Email, sigstoretest.Issuer, att...); err == nil {
			t.Errorf("cosign verify-attestation accepted the bundles with another Rekor key:\n%s", out)
		}
		if out, err := verifyWith(rekorPub, "someone@example.com", sigstoretest.Issuer, att...); err == nil {
			t.Errorf("cosign verify-attestation accepted another identity:\n%s", out)
		}
		if out, err := verifyWith(rekorPub, sigstoretest.Email, "https://other.example", att...); err == nil {
			t.Errorf("cosign verify-attestation accepted another issuer:\n%s", out)
		}
		// A bundle moved onto another attestation (the image's SBOM
		// layer, alone, carrying the bundle of its provenance) is
		// refused: the dsse entry's envelope hash must be the layer's.
		moveBundle(t, tag.Context().Digest(digests[0].String()))
		img := tag.Context().Digest(digests[0].String()).String()
		if out, err := verifyWith(rekorPub, sigstoretest.Email, sigstoretest.Issuer, "verify-attestation", "--type", "spdxjson", img); err == nil ||
			!strings.Contains(out, "matching bundle to payload") {
			t.Errorf("cosign verify-attestation of an SBOM with another envelope's bundle: %v\n%s", err, out)
		}
	})
}

// checkLoggedAttestations checks every attestation layer of targets:
// the certificate and chain (with a root), and a bundle of the stand-in
// log whose dsse body names the layer's envelope by its SHA-256 and the
// certificate (or, without a root, the key) as verifier.
func checkLoggedAttestations(t *testing.T, targets []Target, rekor *sigstoretest.Rekor, rootPEM []byte) {
	t.Helper()
	for _, tg := range targets {
		img, found, err := attached(t.Context(), tg.Digest, "att", Options{})
		if err != nil || !found {
			t.Fatalf("%s: attestations %v %v", tg, found, err)
		}
		list, err := entries(img)
		if err != nil || len(list) == 0 {
			t.Fatalf("%s: %d attestations, %v", tg, len(list), err)
		}
		for i, e := range list {
			a := e.Annotations
			if rootPEM != nil && (a[CertificateAnnotation] == "" || a[ChainAnnotation] != string(rootPEM)) {
				t.Errorf("%s attestation %d: certificate %q, chain %q", tg, i, a[CertificateAnnotation], a[ChainAnnotation])
			}
			if rootPEM == nil && a[CertificateAnnotation] != "" {
				t.Errorf("%s attestation %d: a certificate on a key-based attestation", tg, i)
			}
			var b struct {
				Payload struct {
					Body  string `json:"body"`
					LogID string `json:"logID"`
				}
			}
			if err := json.Unmarshal([]byte(a[BundleAnnotation]), &b); err != nil || b.Payload.LogID != rekor.LogID {
				t.Errorf("%s attestation %d: bundle %q (%v)", tg, i, a[BundleAnnotation], err)
				continue
			}
			raw, _ := base64.StdEncoding.DecodeString(b.Payload.Body)
			var body struct {
				Kind, APIVersion string
				Spec             struct {
					EnvelopeHash struct{ Algorithm, Value string }
					Signatures   []struct {
						Verifier []byte
					}
				}
			}
			sum := sha256.Sum256(e.Payload)
			if err := json.Unmarshal(raw, &body); err != nil || body.Kind != "dsse" || body.APIVersion != "0.0.1" ||
				body.Spec.EnvelopeHash.Value != hex.EncodeToString(sum[:]) || len(body.Spec.Signatures) != 1 {
				t.Errorf("%s attestation %d: entry body %s (%v), want a dsse v0.0.1 entry of envelope %x", tg, i, raw, err, sum)
				continue
			}
			if rootPEM != nil && string(body.Spec.Signatures[0].Verifier) != a[CertificateAnnotation] {
				t.Errorf("%s attestation %d: verifier %q, want the certificate", tg, i, body.Spec.Signatures[0].Verifier)
			}
		}
	}
}

// moveBundle leaves d's first attestation layer alone in its .att image,
// with the bundle of its last.
func moveBundle(t *testing.T, d name.Digest) {
	t.Helper()
	img, _, err := attached(t.Context(), d, "att", Options{})
	if err != nil {
		t.Fatal(err)
	}
	list, err := entries(img)
	if err != nil || len(list) < 2 {
		t.Fatalf("%s: %d attestations (%v), want 2", d, len(list), err)
	}
	ann := maps.Clone(list[0].Annotations)
	ann[BundleAnnotation] = list[len(list)-1].Annotations[BundleAnnotation]
	out, err := mutate.Append(emptySigImage(), mutate.Addendum{Layer: static.NewLayer(list[0].Payload, list[0].MediaType), Annotations: ann})
	if err != nil {
		t.Fatal(err)
	}
	if err := write(t.Context(), d, "att", out, Options{}); err != nil {
		t.Fatal(err)
	}
}

// TestTlogUploadWithKey: a key-based signature uploaded to the (stand-in)
// Rekor carries the bundle; cosign verifies it without
// --insecure-ignore-tlog, and signing again uploads nothing.
func TestTlogUploadWithKey(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	host := testRegistry(t)
	tag, _, digests := pushIndex(t, host, "tlog")
	rekor := sigstoretest.NewRekor(t)
	dir := t.TempDir()
	privPath, pubPath := keyPair(t, dir, testPassword)
	sv := loadSigner(t, privPath, testPassword)
	// First without the log, then with it: the second signs again, since
	// the first signature has no bundle.
	if _, err := SignAndAttest(ctx, tag, &Signer{Key: sv}, SignOptions{}); err != nil {
		t.Fatal(err)
	}
	s := &Signer{Key: sv, Rekor: &Rekor{URL: rekor.URL}}
	for range 2 {
		if _, err := SignAndAttest(ctx, tag, s, SignOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if rekor.Uploads() != 1 {
		t.Errorf("%d Rekor uploads, want 1", rekor.Uploads())
	}
	got, err := Verify(ctx, tag, sv, VerifyOptions{})
	if err != nil || got[0].Signatures != 2 {
		t.Fatalf("verify: %v %+v, want 2 signatures (without and with bundle)", err, got)
	}
	// With SBOMs: the signatures are there already; each attestation is
	// logged as a dsse entry with the public key as verifier.
	sboms := [][]byte{sbomFor(t, digests[0], "x86_64"), sbomFor(t, digests[1], "aarch64")}
	res, err := SignAndAttest(ctx, tag, s, SignOptions{Recursive: true, SBOMs: sboms})
	if err != nil {
		t.Fatal(err)
	}
	if res.Attestations != 4 || rekor.DSSEUploads() != 4 || rekor.Uploads() != 3+4 {
		t.Errorf("%d attestations, %d Rekor entries (%d dsse), want 4, 7 (4)", res.Attestations, rekor.Uploads(), rekor.DSSEUploads())
	}
	checkLoggedAttestations(t, res.Targets, rekor, nil)
	if _, err := Verify(ctx, tag, sv, VerifyOptions{Recursive: true, Attestations: true}); err != nil {
		t.Errorf("slipway verify --attestations of logged attestations: %v", err)
	}
	t.Run("cosign verify", func(t *testing.T) {
		cosign := cosignCLI(t)
		rekorPub := filepath.Join(dir, "rekor.pub")
		os.WriteFile(rekorPub, rekor.PubPEM, 0o644)
		otherRekor := sigstoretest.NewRekor(t)
		otherPub := filepath.Join(dir, "other-rekor.pub")
		os.WriteFile(otherPub, otherRekor.PubPEM, 0o644)
		verify := func(rekorKey string, args ...string) (string, error) {
			if len(args) == 0 {
				args = []string{"verify", tag.String()}
			}
			cmd := exec.CommandContext(ctx, cosign, append(args, "--key", pubPath, "--allow-insecure-registry")...)
			cmd.Env = append(os.Environ(), "SIGSTORE_REKOR_PUBLIC_KEY="+rekorKey, "TUF_ROOT="+filepath.Join(dir, "tuf"), "HOME="+dir)
			out, err := cmd.CombinedOutput()
			return string(out), err
		}
		if out, err := verify(rekorPub); err != nil {
			t.Errorf("cosign verify (checking the Rekor bundle): %v\n%s", err, out)
		} else if !strings.Contains(out, "transparency log") {
			t.Errorf("cosign verify did not say it checked the log:\n%s", out)
		}
		if out, err := verify(otherPub); err == nil {
			t.Errorf("cosign verify accepted the bundle with another Rekor key:\n%s", out)
		}
		for _, ref := range []string{tag.String(), tag.Context().Digest(digests[0].String()).String()} {
			if out, err := verify(rekorPub, "verify-attestation", "--type", "spdxjson", ref); err != nil {
				t.Errorf("cosign verify-attestation %s (checking the dsse entries' bundles): %v\n%s", ref, err, out)
			} else if !strings.Contains(out, "transparency log") {
				t.Errorf("cosign verify-attestation did not say it checked the log:\n%s", out)
			}
			if out, err := verify(otherPub, "verify-attestation", "--type", "spdxjson", ref); err == nil {
				t.Errorf("cosign verify-attestation %s accepted the bundles with another Rekor key:\n%s", ref, out)
			}
		}
		// Another key is refused too (the dsse verifier is the key).
		_, otherKey := keyPair(t, t.TempDir(), testPassword)
		cmd := exec.CommandContext(ctx, cosign, "verify-attestation", "--type", "spdxjson", "--key", otherKey, "--allow-insecure-registry", tag.String())
		cmd.Env = append(os.Environ(), "SIGSTORE_REKOR_PUBLIC_KEY="+rekorPub, "TUF_ROOT="+filepath.Join(dir, "tuf"), "HOME="+dir)
		if out, err := cmd.CombinedOutput(); err == nil {
			t.Errorf("cosign verify-attestation accepted another key:\n%s", out)
		}
	})
}

func TestKeylessErrors(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	fulcioURL := sigstoretest.NewFulcio(t, sigstoretest.GoodToken).URL
	other := sigstoretest.Token(map[string]any{"iss": sigstoretest.Issuer, "email": sigstoretest.Email, "email_verified": true, "nonce": "other"})
	cases := []struct {
		name  string
		ko    KeylessOptions
		want  string
		token string // must not be in the error
	}{
		{"no token", KeylessOptions{FulcioURL: fulcioURL}, "needs an OIDC identity token", ""},
		{"not a JWT", KeylessOptions{FulcioURL: fulcioURL, IdentityToken: "abc"}, "not a JWT", "abc"},
		{"unverified email", KeylessOptions{FulcioURL: fulcioURL, IdentityToken: sigstoretest.Token(map[string]any{"email": sigstoretest.Email})}, "not verified", ""},
		{"Fulcio refuses the token", KeylessOptions{FulcioURL: fulcioURL, IdentityToken: other}, "Unauthorized", other},
		{"bad URL", KeylessOptions{FulcioURL: "ftp://x", IdentityToken: sigstoretest.GoodToken}, "want http(s)://HOST", sigstoretest.GoodToken},
	}
	for _, c := range cases {
		_, err := KeylessSigner(ctx, c.ko)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.want)
		}
		if err != nil && c.token != "" && strings.Contains(err.Error(), c.token) {
			t.Errorf("%s: the token is in the error: %v", c.name, err)
		}
	}
	// A Rekor that refuses: signing fails and writes no signature.
	host := testRegistry(t)
	tag, _, _ := pushIndex(t, host, "refused")
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusInternalServerError)
	}))
	t.Cleanup(bad.Close)
	sv := mustSigner(t, t.TempDir(), testPassword)
	if _, err := SignAndAttest(ctx, tag, &Signer{Key: sv, Rekor: &Rekor{URL: bad.URL}}, SignOptions{}); err == nil || !strings.Contains(err.Error(), "Rekor") {
		t.Errorf("sign with a failing Rekor: %v", err)
	}
	d, _ := remote.Head(tag)
	if _, found, _ := attached(ctx, tag.Context().Digest(d.Digest.String()), "sig", Options{}); found {
		t.Error("a signature was written although the Rekor upload failed")
	}
}
