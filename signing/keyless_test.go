package signing

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// This file tests keyless signing and transparency-log upload against
// STAND-INS for Fulcio and Rekor: small httptest servers that speak the
// parts of their HTTP APIs cosign uses (Fulcio POST /api/v1/signingCert,
// Rekor POST /api/v1/log/entries) with a local CA and a local log key.
// No real Fulcio or Rekor runs here (no network). They check what the
// real services check of a request (the proof of possession, the
// hashedrekord signature), but they do not verify the OIDC token's
// signature and keep no Merkle tree (no inclusion proofs).

const (
	testIssuer = "https://issuer.example"
	testEmail  = "builder@example.com"
)

// testToken is an unsigned JWT with the claims Fulcio reads.
func testToken(claims map[string]any) string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`))
	c, _ := json.Marshal(claims)
	return h + "." + base64.RawURLEncoding.EncodeToString(c) + ".c2ln"
}

var goodToken = testToken(map[string]any{"iss": testIssuer, "sub": "1234", "email": testEmail, "email_verified": true})

// fulcioStandIn is a stand-in for Fulcio's legacy v1 API.
type fulcioStandIn struct {
	rootKey  *ecdsa.PrivateKey
	root     *x509.Certificate
	rootPEM  []byte
	token    string
	requests int
	mu       sync.Mutex
}

func newFulcioStandIn(t *testing.T, token string) (*fulcioStandIn, string) {
	t.Helper()
	f := &fulcioStandIn{token: token}
	var err error
	if f.rootKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fulcio stand-in root"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &f.rootKey.PublicKey, f.rootKey)
	if err != nil {
		t.Fatal(err)
	}
	f.root, _ = x509.ParseCertificate(der)
	f.rootPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func (f *fulcioStandIn) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests++
	f.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/api/v1/signingCert" {
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		// Echo the token, as a careless server might: it must not reach
		// slipway's errors.
		http.Error(w, "bad token "+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), http.StatusUnauthorized)
		return
	}
	var req struct {
		PublicKey struct {
			Content []byte `json:"content"`
		} `json:"publicKey"`
		SignedEmailAddress []byte `json:"signedEmailAddress"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	pub, err := cryptoutils.UnmarshalPEMToPublicKey(req.PublicKey.Content)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ec, ok := pub.(*ecdsa.PublicKey)
	sum := sha256.Sum256([]byte(testEmail))
	if !ok || !ecdsa.VerifyASN1(ec, sum[:], req.SignedEmailAddress) {
		http.Error(w, "proof of possession does not verify", http.StatusBadRequest)
		return
	}
	issuerExt, _ := asn1.Marshal(testIssuer) // 1.3.6.1.4.1.57264.1.8: DER UTF8String
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		NotBefore:    time.Now().Add(-time.Minute), NotAfter: time.Now().Add(10 * time.Minute),
		EmailAddresses: []string{testEmail},
		KeyUsage:       x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		ExtraExtensions: []pkix.Extension{
			{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 1}, Value: []byte(testIssuer)},
			{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 8}, Value: issuerExt},
		},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, f.root, pub, f.rootKey)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusCreated)
	w.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	w.Write(f.rootPEM)
}

// rekorStandIn is a stand-in for Rekor's entry API: it checks the
// hashedrekord signature or the dsse envelope's signatures, keeps the
// entry as Rekor v1.4.3 canonicalizes it, and signs entry timestamps
// with a local key.
type rekorStandIn struct {
	key     *ecdsa.PrivateKey
	pubPEM  []byte
	logID   string
	mu      sync.Mutex
	entries map[string][]byte // uuid -> the entry's JSON answer
	uploads int               // entries made
	// dsseUploads counts dsse entries proposed (made or refused).
	dsseUploads int
}

func newRekorStandIn(t *testing.T) (*rekorStandIn, string) {
	t.Helper()
	r := &rekorStandIn{entries: map[string][]byte{}}
	var err error
	if r.key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&r.key.PublicKey)
	sum := sha256.Sum256(der)
	r.logID = hex.EncodeToString(sum[:])
	r.pubPEM = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(srv.Close)
	return r, srv.URL
}

func (r *rekorStandIn) serve(w http.ResponseWriter, req *http.Request) {
	const prefix = "/api/v1/log/entries"
	r.mu.Lock()
	defer r.mu.Unlock()
	if req.Method == http.MethodGet && strings.HasPrefix(req.URL.Path, prefix+"/") {
		if e, ok := r.entries[strings.TrimPrefix(req.URL.Path, prefix+"/")]; ok {
			w.Write(e)
			return
		}
		http.NotFound(w, req)
		return
	}
	if req.Method != http.MethodPost || req.URL.Path != prefix {
		http.NotFound(w, req)
		return
	}
	raw, _ := io.ReadAll(req.Body)
	var kind struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	json.Unmarshal(raw, &kind)
	var canon []byte
	var err error
	switch {
	case kind.Kind == "hashedrekord" && kind.APIVersion == "0.0.1":
		canon, err = canonHashedRekord(raw)
	case kind.Kind == "dsse" && kind.APIVersion == "0.0.1":
		canon, err = canonDSSE(raw)
		r.dsseUploads++
	default:
		err = fmt.Errorf("unsupported entry kind %q version %q", kind.Kind, kind.APIVersion)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	leaf := sha256.Sum256(append([]byte{0}, canon...))
	uuid := hex.EncodeToString(leaf[:])
	if _, ok := r.entries[uuid]; ok {
		w.Header().Set("Location", prefix+"/"+uuid)
		w.WriteHeader(http.StatusConflict)
		return
	}
	body := base64.StdEncoding.EncodeToString(canon)
	index, now := int64(len(r.entries)), time.Now().Unix()
	set, _ := json.Marshal(map[string]any{"body": body, "integratedTime": now, "logID": r.logID, "logIndex": index})
	sum := sha256.Sum256(set)
	sig, _ := ecdsa.SignASN1(rand.Reader, r.key, sum[:])
	answer, _ := json.Marshal(map[string]any{uuid: map[string]any{
		"body": body, "integratedTime": now, "logID": r.logID, "logIndex": index,
		"verification": map[string]any{"signedEntryTimestamp": sig},
	}})
	r.entries[uuid] = answer
	r.uploads++
	w.WriteHeader(http.StatusCreated)
	w.Write(answer)
}

// canonHashedRekord checks a proposed hashedrekord v0.0.1 entry's
// signature over the hash and returns the entry Rekor keeps: the
// proposal itself, in canonical JSON (Go's map marshalling sorts keys).
func canonHashedRekord(raw []byte) ([]byte, error) {
	var pe struct {
		Spec struct {
			Data struct {
				Hash struct{ Algorithm, Value string } `json:"hash"`
			} `json:"data"`
			Signature struct {
				Content   []byte `json:"content"`
				PublicKey struct {
					Content []byte `json:"content"`
				} `json:"publicKey"`
			} `json:"signature"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(raw, &pe); err != nil || pe.Spec.Data.Hash.Algorithm != "sha256" {
		return nil, fmt.Errorf("not a hashedrekord v0.0.1 entry: %v", err)
	}
	digest, _ := hex.DecodeString(pe.Spec.Data.Hash.Value)
	pub, _, err := standInKey(pe.Spec.Signature.PublicKey.Content)
	if err != nil {
		return nil, err
	}
	if !ecdsa.VerifyASN1(pub, digest, pe.Spec.Signature.Content) {
		return nil, errors.New("signature does not verify")
	}
	var generic map[string]any
	json.Unmarshal(raw, &generic)
	return json.Marshal(generic)
}

// canonDSSE checks a proposed dsse v0.0.1 entry as Rekor v1.4.3 does
// (pkg/types/dsse/v0.0.1 Unmarshal): the envelope has signatures, each
// verifies with a verifier over the DSSE pre-authentication encoding;
// it returns the entry Rekor keeps (Canonicalize): the envelope's and
// the payload's SHA-256, and each signature with its verifier in
// canonical PEM, without the envelope.
func canonDSSE(raw []byte) ([]byte, error) {
	var pe struct {
		Spec struct {
			ProposedContent *struct {
				Envelope  string   `json:"envelope"`
				Verifiers [][]byte `json:"verifiers"`
			} `json:"proposedContent"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(raw, &pe); err != nil || pe.Spec.ProposedContent == nil {
		return nil, fmt.Errorf("not a proposed dsse v0.0.1 entry: %v", err)
	}
	var env struct {
		PayloadType string `json:"payloadType"`
		Payload     []byte `json:"payload"`
		Signatures  []struct {
			Sig string `json:"sig"`
		} `json:"signatures"`
	}
	if err := json.Unmarshal([]byte(pe.Spec.ProposedContent.Envelope), &env); err != nil || len(env.Signatures) == 0 {
		return nil, fmt.Errorf("payload must be a valid DSSE envelope with signatures: %v", err)
	}
	pae := fmt.Sprintf("DSSEv1 %d %s %d %s", len(env.PayloadType), env.PayloadType, len(env.Payload), env.Payload)
	paeSum := sha256.Sum256([]byte(pae))
	var sigs []map[string]any
	for _, sg := range env.Signatures {
		raw, err := base64.StdEncoding.DecodeString(sg.Sig)
		if err != nil {
			return nil, fmt.Errorf("signature is not base64: %w", err)
		}
		var verifier []byte
		for _, v := range pe.Spec.ProposedContent.Verifiers {
			if pub, canon, err := standInKey(v); err == nil && ecdsa.VerifyASN1(pub, paeSum[:], raw) {
				verifier = canon
				break
			}
		}
		if verifier == nil {
			return nil, errors.New("could not verify envelope signature with any verifier")
		}
		sigs = append(sigs, map[string]any{"signature": sg.Sig, "verifier": base64.StdEncoding.EncodeToString(verifier)})
	}
	if len(sigs) > 1 {
		return nil, errors.New("the stand-in logs one signature per envelope")
	}
	envSum := sha256.Sum256([]byte(pe.Spec.ProposedContent.Envelope))
	plSum := sha256.Sum256(env.Payload)
	return json.Marshal(map[string]any{
		"apiVersion": "0.0.1", "kind": "dsse",
		"spec": map[string]any{
			"envelopeHash": map[string]any{"algorithm": "sha256", "value": hex.EncodeToString(envSum[:])},
			"payloadHash":  map[string]any{"algorithm": "sha256", "value": hex.EncodeToString(plSum[:])},
			"signatures":   sigs,
		},
	})
}

// standInKey reads a PEM certificate or public key as Rekor's x509
// type does and returns its ECDSA key and canonical PEM.
func standInKey(pemBytes []byte) (*ecdsa.PublicKey, []byte, error) {
	var pub crypto.PublicKey
	var canon []byte
	if certs, err := cryptoutils.UnmarshalCertificatesFromPEM(pemBytes); err == nil && len(certs) == 1 {
		pub = certs[0].PublicKey
		canon, err = cryptoutils.MarshalCertificateToPEM(certs[0])
		if err != nil {
			return nil, nil, err
		}
	} else if pub, err = cryptoutils.UnmarshalPEMToPublicKey(pemBytes); err == nil {
		if canon, err = cryptoutils.MarshalPublicKeyToPEM(pub); err != nil {
			return nil, nil, err
		}
	} else {
		return nil, nil, errors.New("no key or certificate")
	}
	ec, ok := pub.(*ecdsa.PublicKey)
	if !ok {
		return nil, nil, fmt.Errorf("%T is not an ECDSA key", pub)
	}
	return ec, canon, nil
}

func TestKeylessSignRekor(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	host := testRegistry(t)
	tag, _, digests := pushIndex(t, host, "keyless")
	fulcio, fulcioURL := newFulcioStandIn(t, goodToken)
	rekor, rekorURL := newRekorStandIn(t)
	s, err := KeylessSigner(ctx, KeylessOptions{FulcioURL: fulcioURL, IdentityToken: goodToken})
	if err != nil {
		t.Fatal(err)
	}
	s.Rekor = &Rekor{URL: rekorURL}
	sboms := [][]byte{sbomFor(t, digests[0], "x86_64"), sbomFor(t, digests[1], "aarch64")}
	res, err := SignAndAttest(ctx, tag, s, SignOptions{Recursive: true, SBOMs: sboms, Provenance: &ProvenanceInput{Version: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	// 3 signatures (hashedrekord); 7 attestations (dsse): the index has
	// both SBOMs and a provenance, each image its SBOM and a provenance.
	if len(res.Targets) != 3 || res.Attestations != 7 || rekor.uploads != 10 || rekor.dsseUploads != 7 {
		t.Fatalf("%d targets, %d attestations, %d Rekor entries (%d dsse); want 3, 7, 10 (7)",
			len(res.Targets), res.Attestations, rekor.uploads, rekor.dsseUploads)
	}
	checkLoggedAttestations(t, res.Targets, rekor, fulcio.rootPEM)
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
		if err != nil || len(certs) != 1 || len(certs[0].EmailAddresses) != 1 || certs[0].EmailAddresses[0] != testEmail {
			t.Errorf("%s: certificate annotation %q (%v)", tg, a[CertificateAnnotation], err)
		} else if err := certs[0].CheckSignatureFrom(fulcio.root); err != nil {
			t.Errorf("%s: certificate not issued by the stand-in root: %v", tg, err)
		}
		if a[ChainAnnotation] != string(fulcio.rootPEM) {
			t.Errorf("%s: chain annotation %q, want the root", tg, a[ChainAnnotation])
		}
		var b rekorBundle
		if err := json.Unmarshal([]byte(a[BundleAnnotation]), &b); err != nil || b.Payload.LogID != rekor.logID || len(b.SignedEntryTimestamp) == 0 {
			t.Errorf("%s: bundle annotation %q (%v)", tg, a[BundleAnnotation], err)
		}
	}

	t.Run("cosign verify", func(t *testing.T) {
		cosign := cosignCLI(t)
		dir := t.TempDir()
		root := filepath.Join(dir, "fulcio-root.pem")
		rekorPub := filepath.Join(dir, "rekor.pub")
		os.WriteFile(root, fulcio.rootPEM, 0o644)
		os.WriteFile(rekorPub, rekor.pubPEM, 0o644)
		otherRekor, _ := newRekorStandIn(t)
		otherPub := filepath.Join(dir, "other-rekor.pub")
		os.WriteFile(otherPub, otherRekor.pubPEM, 0o644)
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
		if out, err := verify(testEmail, testIssuer); err != nil {
			t.Errorf("cosign verify of the keyless signature (stand-in Fulcio root, stand-in Rekor key): %v\n%s", err, out)
		} else if !strings.Contains(out, testEmail) {
			t.Errorf("cosign verify printed no certificate identity:\n%s", out)
		}
		if out, err := verifyWith(otherPub, testEmail, testIssuer); err == nil {
			t.Errorf("cosign verify accepted the bundle with another Rekor key:\n%s", out)
		}
		if out, err := verify("someone@example.com", testIssuer); err == nil {
			t.Errorf("cosign verify accepted another identity:\n%s", out)
		}
		if out, err := verify(testEmail, "https://other.example"); err == nil {
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
			if out, err := verifyWith(rekorPub, testEmail, testIssuer, att...); err != nil {
				t.Errorf("cosign verify-attestation --type %s %s (keyless, logged): %v\n%s", a.typ, a.ref, err, out)
			} else if !strings.Contains(out, `"payload"`) {
				t.Errorf("cosign verify-attestation %s printed no payload:\n%s", a.ref, out)
			}
		}
		att := []string{"verify-attestation", "--type", "spdxjson", tag.String()}
		if out, err := verifyWith(otherPub, testEmail, testIssuer, att...); err == nil {
			t.Errorf("cosign verify-attestation accepted the bundles with another Rekor key:\n%s", out)
		}
		if out, err := verifyWith(rekorPub, "someone@example.com", testIssuer, att...); err == nil {
			t.Errorf("cosign verify-attestation accepted another identity:\n%s", out)
		}
		if out, err := verifyWith(rekorPub, testEmail, "https://other.example", att...); err == nil {
			t.Errorf("cosign verify-attestation accepted another issuer:\n%s", out)
		}
		// A bundle moved onto another attestation (the image's SBOM
		// layer, alone, carrying the bundle of its provenance) is
		// refused: the dsse entry's envelope hash must be the layer's.
		moveBundle(t, tag.Context().Digest(digests[0].String()))
		img := tag.Context().Digest(digests[0].String()).String()
		if out, err := verifyWith(rekorPub, testEmail, testIssuer, "verify-attestation", "--type", "spdxjson", img); err == nil ||
			!strings.Contains(out, "matching bundle to payload") {
			t.Errorf("cosign verify-attestation of an SBOM with another envelope's bundle: %v\n%s", err, out)
		}
	})
}

// checkLoggedAttestations checks every attestation layer of targets:
// the certificate and chain (with a root), and a bundle of the stand-in
// log whose dsse body names the layer's envelope by its SHA-256 and the
// certificate (or, without a root, the key) as verifier.
func checkLoggedAttestations(t *testing.T, targets []Target, rekor *rekorStandIn, rootPEM []byte) {
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
			if err := json.Unmarshal([]byte(a[BundleAnnotation]), &b); err != nil || b.Payload.LogID != rekor.logID {
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
	rekor, rekorURL := newRekorStandIn(t)
	dir := t.TempDir()
	privPath, pubPath := keyPair(t, dir, testPassword)
	sv := loadSigner(t, privPath, testPassword)
	// First without the log, then with it: the second signs again, since
	// the first signature has no bundle.
	if _, err := SignAndAttest(ctx, tag, &Signer{Key: sv}, SignOptions{}); err != nil {
		t.Fatal(err)
	}
	s := &Signer{Key: sv, Rekor: &Rekor{URL: rekorURL}}
	for range 2 {
		if _, err := SignAndAttest(ctx, tag, s, SignOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if rekor.uploads != 1 {
		t.Errorf("%d Rekor uploads, want 1", rekor.uploads)
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
	if res.Attestations != 4 || rekor.dsseUploads != 4 || rekor.uploads != 3+4 {
		t.Errorf("%d attestations, %d Rekor entries (%d dsse), want 4, 7 (4)", res.Attestations, rekor.uploads, rekor.dsseUploads)
	}
	checkLoggedAttestations(t, res.Targets, rekor, nil)
	if _, err := Verify(ctx, tag, sv, VerifyOptions{Recursive: true, Attestations: true}); err != nil {
		t.Errorf("slipway verify --attestations of logged attestations: %v", err)
	}
	t.Run("cosign verify", func(t *testing.T) {
		cosign := cosignCLI(t)
		rekorPub := filepath.Join(dir, "rekor.pub")
		os.WriteFile(rekorPub, rekor.pubPEM, 0o644)
		otherRekor, _ := newRekorStandIn(t)
		otherPub := filepath.Join(dir, "other-rekor.pub")
		os.WriteFile(otherPub, otherRekor.pubPEM, 0o644)
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
	_, fulcioURL := newFulcioStandIn(t, goodToken)
	other := testToken(map[string]any{"iss": testIssuer, "email": testEmail, "email_verified": true, "nonce": "other"})
	cases := []struct {
		name  string
		ko    KeylessOptions
		want  string
		token string // must not be in the error
	}{
		{"no token", KeylessOptions{FulcioURL: fulcioURL}, "needs an OIDC identity token", ""},
		{"not a JWT", KeylessOptions{FulcioURL: fulcioURL, IdentityToken: "abc"}, "not a JWT", "abc"},
		{"unverified email", KeylessOptions{FulcioURL: fulcioURL, IdentityToken: testToken(map[string]any{"email": testEmail})}, "not verified", ""},
		{"Fulcio refuses the token", KeylessOptions{FulcioURL: fulcioURL, IdentityToken: other}, "Unauthorized", other},
		{"bad URL", KeylessOptions{FulcioURL: "ftp://x", IdentityToken: goodToken}, "want http(s)://HOST", goodToken},
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
