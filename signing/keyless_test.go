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

	"github.com/google/go-containerregistry/pkg/v1/remote"
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
// hashedrekord signature and signs entry timestamps with a local key.
type rekorStandIn struct {
	key     *ecdsa.PrivateKey
	pubPEM  []byte
	logID   string
	mu      sync.Mutex
	entries map[string][]byte // uuid -> the entry's JSON answer
	uploads int
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
	var pe struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Spec       struct {
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
	if err := json.Unmarshal(raw, &pe); err != nil || pe.Kind != "hashedrekord" || pe.APIVersion != "0.0.1" || pe.Spec.Data.Hash.Algorithm != "sha256" {
		http.Error(w, fmt.Sprintf("not a hashedrekord v0.0.1 entry: %v", err), http.StatusBadRequest)
		return
	}
	digest, _ := hex.DecodeString(pe.Spec.Data.Hash.Value)
	var pub crypto.PublicKey
	if certs, err := cryptoutils.UnmarshalCertificatesFromPEM(pe.Spec.Signature.PublicKey.Content); err == nil && len(certs) == 1 {
		pub = certs[0].PublicKey
	} else if pub, err = cryptoutils.UnmarshalPEMToPublicKey(pe.Spec.Signature.PublicKey.Content); err != nil {
		http.Error(w, "no key or certificate", http.StatusBadRequest)
		return
	}
	if ec, ok := pub.(*ecdsa.PublicKey); !ok || !ecdsa.VerifyASN1(ec, digest, pe.Spec.Signature.Content) {
		http.Error(w, "signature does not verify", http.StatusBadRequest)
		return
	}
	// Rekor keeps the canonical JSON; Go's map marshalling sorts keys.
	var generic map[string]any
	json.Unmarshal(raw, &generic)
	canon, _ := json.Marshal(generic)
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
	res, err := SignAndAttest(ctx, tag, s, SignOptions{Recursive: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Targets) != 3 || rekor.uploads != 3 {
		t.Fatalf("%d targets, %d Rekor uploads; want 3 and 3", len(res.Targets), rekor.uploads)
	}
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
	// Attestations are refused before anything is written.
	_, err = SignAndAttest(ctx, tag, s, SignOptions{Recursive: true, SBOMs: [][]byte{sbomFor(t, digests[0], "x86_64")}})
	if !errors.Is(err, ErrLoggedAttestations) {
		t.Errorf("keyless with SBOMs: %v, want ErrLoggedAttestations", err)
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
		verifyWith := func(rekorKey, identity, issuer string) (string, error) {
			cmd := exec.CommandContext(ctx, cosign, "verify", "--certificate-identity", identity, "--certificate-oidc-issuer", issuer,
				"--insecure-ignore-sct", "--allow-insecure-registry", tag.String())
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
	})
}

// TestTlogUploadWithKey: a key-based signature uploaded to the (stand-in)
// Rekor carries the bundle; cosign verifies it without
// --insecure-ignore-tlog, and signing again uploads nothing.
func TestTlogUploadWithKey(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	host := testRegistry(t)
	tag, _, _ := pushIndex(t, host, "tlog")
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
	t.Run("cosign verify", func(t *testing.T) {
		cosign := cosignCLI(t)
		rekorPub := filepath.Join(dir, "rekor.pub")
		os.WriteFile(rekorPub, rekor.pubPEM, 0o644)
		otherRekor, _ := newRekorStandIn(t)
		otherPub := filepath.Join(dir, "other-rekor.pub")
		os.WriteFile(otherPub, otherRekor.pubPEM, 0o644)
		verify := func(rekorKey string) (string, error) {
			cmd := exec.CommandContext(ctx, cosign, "verify", "--key", pubPath, "--allow-insecure-registry", tag.String())
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
