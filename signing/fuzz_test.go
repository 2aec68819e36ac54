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
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/sigstore/sigstore/pkg/signature"
)

// FuzzSBOMSubject reads SPDX documents from untrusted files.
func FuzzSBOMSubject(f *testing.F) {
	d, _ := v1.NewHash("sha256:" + strings.Repeat("0a", 32))
	doc, err := SPDX(SBOMInput{Image: "x", Arch: "x86_64", Digest: d})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(doc)
	f.Add([]byte(`{"spdxVersion":"SPDX-2.3","packages":[{"SPDXID":"SPDXRef-Image","checksums":[{"algorithm":"SHA256","checksumValue":"zz"}]}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := SBOMSubject(data)
		if err == nil && (h.Algorithm != "sha256" || len(h.Hex) != 64) {
			t.Errorf("accepted digest %v", h)
		}
	})
}

// FuzzCheckEntries checks signature and attestation layers as a registry
// may serve them: never a panic, never accepted without a valid signature.
func FuzzCheckEntries(f *testing.F) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	v, err := signature.LoadECDSAVerifier(&key.PublicKey, crypto.SHA256)
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"sha256:00"},"type":"cosign container image signature"},"optional":null}`), "MEUCIQ==")
	f.Add([]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"sig":"MEUCIQ=="}]}`), "")
	f.Add([]byte(`not json`), "!!")
	dg, err := name.NewDigest("example.com/r@sha256:" + strings.Repeat("00", 32))
	if err != nil {
		f.Fatal(err)
	}
	tgt := Target{Digest: dg}
	h, _ := v1.NewHash(tgt.Digest.DigestStr())
	f.Fuzz(func(t *testing.T, payload []byte, sig string) {
		e := layerEntry{Payload: payload, Annotations: map[string]string{SignatureAnnotation: sig}}
		if checkSignature(tgt, e, v) == nil {
			t.Error("a random signature verified")
		}
		if _, err := checkAttestation(e, h, v); err == nil {
			t.Error("a random attestation verified")
		}
	})
}

// FuzzKeylessEntry checks the chain and Rekor bundle annotations of a
// keyless signature layer, whose certificate is valid for the identity,
// as a registry may serve them: never a panic, never trusted without a
// signed entry timestamp of the log.
func FuzzKeylessEntry(f *testing.F) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "root"}, IsCA: true, BasicConstraintsValid: true,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		f.Fatal(err)
	}
	root, _ := x509.ParseCertificate(der)
	issuer, _ := asn1.Marshal("https://i")
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), EmailAddresses: []string{"a@example.com"},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		ExtraExtensions: []pkix.Extension{{Id: oidIssuerV2, Value: issuer}}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, root, &key.PublicKey, key)
	if err != nil {
		f.Fatal(err)
	}
	leafPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER}))
	logID := sha256.Sum256(must(x509.MarshalPKIXPublicKey(&key.PublicKey)))
	k, err := NewKeylessTrust([]*x509.Certificate{root}, Identity{Subject: "a@example.com", Issuer: "https://i"}, []crypto.PublicKey{&key.PublicKey})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := k.verifier(layerEntry{Annotations: map[string]string{CertificateAnnotation: leafPEM}}); err == nil || !strings.Contains(err.Error(), "no Rekor bundle") {
		f.Fatalf("the fuzzed certificate does not reach the bundle check: %v", err)
	}
	f.Add("", `{"SignedEntryTimestamp":"MEUCIQ==","Payload":{"body":"e30=","integratedTime":1,"logIndex":0,"logID":"`+hex.EncodeToString(logID[:])+`"}}`)
	f.Add(leafPEM, `{"Payload":{"body":7}}`)
	f.Add("not pem", "{}")
	f.Fuzz(func(t *testing.T, chain, bundle string) {
		e := layerEntry{Payload: []byte("{}"), Annotations: map[string]string{
			CertificateAnnotation: leafPEM, ChainAnnotation: chain, BundleAnnotation: bundle, SignatureAnnotation: "MEUCIQ==",
		}}
		if _, err := k.verifier(e); err == nil {
			t.Errorf("trusted without a signed entry timestamp of the log: bundle %q", bundle)
		}
	})
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
