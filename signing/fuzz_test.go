package signing

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"strings"
	"testing"

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
