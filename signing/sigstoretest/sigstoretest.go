// Package sigstoretest has STAND-INS for Fulcio and Rekor, for tests of
// keyless signing and transparency-log upload: small httptest servers
// that speak the parts of their HTTP APIs cosign uses (Fulcio POST
// /api/v1/signingCert, Rekor POST /api/v1/log/entries and GET of an
// entry) with a local CA and a local log key. They are not the real
// services, and none runs here (no network). They check what the real
// services check of a request (the proof of possession; the hashedrekord
// signature; the dsse envelope's signatures against the verifiers) and
// keep entries as Rekor v1.4.3 canonicalizes them, but they do not
// verify the OIDC token's signature and keep no Merkle tree (no
// inclusion proofs).
//
// The tests of package signing and of cmd/slipway use them; the real
// cosign CLI then checks what slipway signed with SIGSTORE_ROOT_FILE set
// to a Fulcio's RootPEM and SIGSTORE_REKOR_PUBLIC_KEY to a Rekor's
// PubPEM.
package sigstoretest

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

	"github.com/sigstore/sigstore/pkg/cryptoutils"

	"github.com/slipway-build/slipway/internal/testutil"
)

// The identity the stand-in Fulcio certifies: the e-mail (a SAN) and the
// OIDC issuer (extensions 1.3.6.1.4.1.57264.1.1 and .8).
const (
	Issuer = "https://issuer.example"
	Email  = "builder@example.com"
)

// Token is an unsigned JWT with claims (Fulcio reads email,
// email_verified and sub).
func Token(claims map[string]any) string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`))
	c, _ := json.Marshal(claims)
	return h + "." + base64.RawURLEncoding.EncodeToString(c) + ".c2ln"
}

// GoodToken is a token for Email, issued by Issuer.
var GoodToken = Token(map[string]any{"iss": Issuer, "sub": "1234", "email": Email, "email_verified": true})

// Fulcio is a stand-in for Fulcio's legacy v1 API: it accepts one
// token, checks the proof of possession (the key's signature over Email)
// and certifies the key for Email and Issuer with a local root.
type Fulcio struct {
	URL     string            // where it listens
	Root    *x509.Certificate // the root that issues the certificates
	RootPEM []byte

	rootKey *ecdsa.PrivateKey
	token   string
}

// NewFulcio starts a stand-in Fulcio that accepts token as bearer; it
// stops when t ends.
func NewFulcio(t testing.TB, token string) *Fulcio {
	t.Helper()
	f := &Fulcio{token: token}
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
	f.Root, _ = x509.ParseCertificate(der)
	f.RootPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

func (f *Fulcio) serve(w http.ResponseWriter, r *http.Request) {
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
	sum := sha256.Sum256([]byte(Email))
	if !ok || !ecdsa.VerifyASN1(ec, sum[:], req.SignedEmailAddress) {
		http.Error(w, "proof of possession does not verify", http.StatusBadRequest)
		return
	}
	issuerExt, _ := asn1.Marshal(Issuer) // 1.3.6.1.4.1.57264.1.8: DER UTF8String
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		NotBefore:    time.Now().Add(-time.Minute), NotAfter: time.Now().Add(10 * time.Minute),
		EmailAddresses: []string{Email},
		KeyUsage:       x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		ExtraExtensions: []pkix.Extension{
			{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 1}, Value: []byte(Issuer)},
			{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 8}, Value: issuerExt},
		},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, f.Root, pub, f.rootKey)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusCreated)
	w.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	w.Write(f.RootPEM)
}

// Rekor is a stand-in for Rekor's entry API: it checks the
// hashedrekord signature or the dsse envelope's signatures, keeps the
// entry as Rekor v1.4.3 canonicalizes it, and signs entry timestamps
// with a local key.
type Rekor struct {
	URL    string // where it listens
	PubPEM []byte // the log's public key (PKIX PEM)
	LogID  string // the SHA-256 of the key's DER, hex

	key         *ecdsa.PrivateKey
	mu          sync.Mutex
	entries     map[string][]byte // uuid -> the entry's JSON answer
	uploads     int               // entries made
	dsseUploads int               // dsse entries proposed (made or refused)
}

// NewRekor starts a stand-in Rekor with a new log key; it stops when t
// ends.
func NewRekor(t testing.TB) *Rekor {
	t.Helper()
	r := &Rekor{entries: map[string][]byte{}}
	var err error
	if r.key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&r.key.PublicKey)
	sum := sha256.Sum256(der)
	r.LogID = hex.EncodeToString(sum[:])
	r.PubPEM = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

// Uploads is the number of entries made.
func (r *Rekor) Uploads() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.uploads
}

// DSSEUploads is the number of dsse entries proposed.
func (r *Rekor) DSSEUploads() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dsseUploads
}

func (r *Rekor) serve(w http.ResponseWriter, req *http.Request) {
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
	set, _ := json.Marshal(map[string]any{"body": body, "integratedTime": now, "logID": r.LogID, "logIndex": index})
	sum := sha256.Sum256(set)
	sig, _ := ecdsa.SignASN1(rand.Reader, r.key, sum[:])
	answer, _ := json.Marshal(map[string]any{uuid: map[string]any{
		"body": body, "integratedTime": now, "logID": r.LogID, "logIndex": index,
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

// CosignCLI is the real cosign CLI: on PATH, else where
// scripts/install-cosign.sh puts v2.6.5; the test is skipped (failed
// under CI) without it.
func CosignCLI(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("cosign"); err != nil {
		cache := os.Getenv("XDG_CACHE_HOME")
		if cache == "" {
			home, _ := os.UserHomeDir()
			cache = filepath.Join(home, ".cache")
		}
		p := filepath.Join(cache, "slipway-tools", "cosign-v2.6.5", "cosign")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return testutil.RequireTool(t, "cosign", "cosign (run scripts/install-cosign.sh)")
}

// CosignEnv is the environment for the real cosign to trust the
// stand-ins: the Fulcio root (when f is not nil) and the Rekor key,
// written into dir, which is also cosign's HOME and TUF root.
func CosignEnv(t testing.TB, dir string, f *Fulcio, r *Rekor) []string {
	t.Helper()
	rekorPub := filepath.Join(dir, "rekor-"+r.LogID[:12]+".pub")
	if err := os.WriteFile(rekorPub, r.PubPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "SIGSTORE_REKOR_PUBLIC_KEY="+rekorPub, "TUF_ROOT="+filepath.Join(dir, "tuf"), "HOME="+dir)
	if f != nil {
		root := filepath.Join(dir, "fulcio-root.pem")
		if err := os.WriteFile(root, f.RootPEM, 0o644); err != nil {
			t.Fatal(err)
		}
		env = append(env, "SIGSTORE_ROOT_FILE="+root)
	}
	return env
}
