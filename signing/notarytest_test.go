package signing

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net/http/httptest"
	"os"
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
)

// notaryCA is a test certificate authority that follows the Notary
// Project rules: basicConstraints critical CA:TRUE, keyUsage critical
// keyCertSign.
type notaryCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newNotaryCA(t testing.TB, cn string) *notaryCA {
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
	return &notaryCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// leaf issues a code signing certificate (keyUsage critical
// digitalSignature, extendedKeyUsage codeSigning) valid until notAfter
// and returns its key PEM and chain PEM (leaf, CA).
func (ca *notaryCA) leaf(t testing.TB, cn string, notAfter time.Time) (keyPEM, chainPEM []byte) {
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
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	k, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: k})
	chainPEM = append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), ca.pem...)
	return keyPEM, chainPEM
}

func (ca *notaryCA) notaryKey(t testing.TB, cn string, notAfter time.Time) *NotaryKey {
	t.Helper()
	k, c := ca.leaf(t, cn, notAfter)
	nk, err := LoadNotaryKey("key.pem", k, "chain.pem", c)
	if err != nil {
		t.Fatal(err)
	}
	return nk
}

// notaryTrustDir lays out a notation configuration directory:
// truststore/x509/ca/NAME/ca.pem for each CA and a trustpolicy.oci.json
// with one policy for scope (strict, or level), trusting the "ca:NAME"
// stores and identities ("*" when none).
func notaryTrustDir(t testing.TB, scope, level string, identities []string, cas map[string]*notaryCA) (policy, store string) {
	t.Helper()
	root := t.TempDir()
	var stores []string
	for n, ca := range cas {
		d := filepath.Join(root, "truststore", "x509", "ca", n)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "ca.pem"), ca.pem, 0o644); err != nil {
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

// testIndex pushes a two-platform index to repo and returns its ref.
func testIndex(t testing.TB, host, repo string) name.Reference {
	t.Helper()
	tag, err := name.NewTag(host+"/"+repo+":1", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	img1, _ := random.Image(100, 1)
	img2, _ := random.Image(100, 1)
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: img1, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: img2, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}})
	if err := remote.WriteIndex(tag, idx); err != nil {
		t.Fatal(err)
	}
	return tag
}

// testRegistryHost starts go-containerregistry's in-process registry,
// with or without the referrers API.
func testRegistryHost(t testing.TB, referrers bool) string {
	t.Helper()
	s := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0)), registry.WithReferrersSupport(referrers)))
	t.Cleanup(s.Close)
	return strings.TrimPrefix(s.URL, "http://")
}

// referrersTags lists the sha256-<hex> referrers tags of repo (no
// cosign .sig/.att suffix).
func referrersTags(t testing.TB, ref name.Reference) []string {
	t.Helper()
	tags, err := remote.List(ref.Context())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, tg := range tags {
		if strings.HasPrefix(tg, "sha256-") && !strings.Contains(tg, ".") {
			out = append(out, tg)
		}
	}
	return out
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
