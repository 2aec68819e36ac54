// Package notarytest makes what Notary Project tests need: a certificate
// authority and code signing certificates that follow the Notary rules
// (CA: basicConstraints critical CA:TRUE, keyUsage critical keyCertSign;
// leaf: keyUsage critical digitalSignature, extendedKeyUsage
// codeSigning), and a notation configuration directory with a trust
// store and trust policy, laid out as the notation CLI lays them out.
package notarytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// CA is a test certificate authority that follows the Notary
// Project rules: basicConstraints critical CA:TRUE, keyUsage critical
// keyCertSign.
type CA struct {
	Cert *x509.Certificate
	key  *ecdsa.PrivateKey
	// PEM is the CA certificate, as a trust store holds it.
	PEM []byte
}

// NewCA makes a CA valid from an hour ago for a day.
func NewCA(t testing.TB, cn string) *CA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"slipway tests"}, Country: []string{"DE"}, Province: []string{"Berlin"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &CA{Cert: cert, key: key, PEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// Leaf issues a code signing certificate (keyUsage critical
// digitalSignature, extendedKeyUsage codeSigning) valid until notAfter
// and returns its key PEM and chain PEM (leaf, CA). edit may change the
// template first (an OCSP responder, a CRL).
func (ca *CA) Leaf(t testing.TB, cn string, notAfter time.Time, edit ...func(*x509.Certificate)) (keyPEM, chainPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"slipway tests"}, Country: []string{"DE"}, Province: []string{"Berlin"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
	}
	for _, e := range edit {
		e(tmpl)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	k, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: k})
	chainPEM = append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), ca.PEM...)
	return keyPEM, chainPEM
}

// TrustDir lays out a notation configuration directory:
// truststore/x509/ca/NAME/ca.pem for each CA and a trustpolicy.oci.json
// with one policy for scope (strict, or level), trusting the "ca:NAME"
// stores and identities ("*" when none).
func TrustDir(t testing.TB, scope, level string, identities []string, cas map[string]*CA) (policy, store string) {
	t.Helper()
	root := t.TempDir()
	var stores []string
	for n, ca := range cas {
		d := filepath.Join(root, "truststore", "x509", "ca", n)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "ca.PEM"), ca.PEM, 0o644); err != nil {
			t.Fatal(err)
		}
		stores = append(stores, "ca:"+n)
	}
	if len(identities) == 0 {
		identities = []string{"*"}
	}
	if level == "" {
		level = "strict"
	}
	doc := map[string]any{
		"version": "1.0",
		"trustPolicies": []any{map[string]any{
			"name":                  "slipway-test",
			"registryScopes":        []string{scope},
			"signatureVerification": map[string]any{"level": level},
			"trustStores":           stores,
			"trustedIdentities":     identities,
		}},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	policy = filepath.Join(root, "trustpolicy.oci.json")
	if err := os.WriteFile(policy, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return policy, root
}
