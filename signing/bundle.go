package signing

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/sigstore/sigstore/pkg/signature/dsse"
	"github.com/sigstore/sigstore/pkg/signature/options"
)

// What cosign v2.6 --new-bundle-format writes for an attestation: an OCI
// 1.1 referrer of the attested manifest, artifactType the bundle media
// type, the empty config, one layer holding the bundle, and these
// annotations.
const (
	BundleMediaType           = SigstoreBundleArtifactType
	bundleContentAnnotation   = "dev.sigstore.bundle.content"
	bundleCreatedAnnotation   = "org.opencontainers.image.created"
	maxBundle                 = 16 << 20
	maxBundleReferrersFetched = 64
)

// sigstoreBundle is the JSON form of a sigstore bundle v0.3 holding a
// DSSE envelope, as cosign writes it without a transparency log.
type sigstoreBundle struct {
	MediaType            string               `json:"mediaType"`
	VerificationMaterial verificationMaterial `json:"verificationMaterial"`
	DSSEEnvelope         json.RawMessage      `json:"dsseEnvelope"`
}

// verificationMaterial names the key: the hint of a public key, or a
// certificate (DER).
type verificationMaterial struct {
	hint    string
	certDER []byte
}

// MarshalJSON writes protobuf's JSON field names.
func (v verificationMaterial) MarshalJSON() ([]byte, error) {
	if v.certDER != nil {
		return json.Marshal(map[string]any{"certificate": map[string]string{"rawBytes": base64.StdEncoding.EncodeToString(v.certDER)}})
	}
	return json.Marshal(map[string]any{"publicKey": map[string]string{"hint": v.hint}})
}

// AttestBundleTarget attaches the attestations to one manifest in the
// sigstore bundle format, as cosign attest --new-bundle-format
// (v2.6.5) writes them: for each, a DSSE envelope of an in-toto
// statement about the manifest inside a bundle v0.3 whose verification
// material is the key's hint (the base64 SHA-256 of its PKIX public key)
// or, for a keyless signer, its certificate, pushed as an OCI 1.1
// referrer (artifactType application/vnd.dev.sigstore.bundle.v0.3+json,
// annotations dev.sigstore.bundle.content and
// dev.sigstore.bundle.predicateType), through the referrers API or the
// sha256-<hex> referrers tag. A bundle referrer already holding the same
// statement signed by the key is kept and nothing is added. created,
// when not zero, goes into the org.opencontainers.image.created
// annotation. Transparency log entries are not made: a Signer with
// Rekor is refused.
func AttestBundleTarget(ctx context.Context, t Target, s *Signer, atts []Attestation, created time.Time, opts Options) error {
	if len(atts) == 0 {
		return nil
	}
	if err := s.check(); err != nil {
		return fmt.Errorf("attesting %s: %w", t, err)
	}
	if s.Rekor != nil {
		return fmt.Errorf("attesting %s: bundle-format attestations with a transparency log are not supported", t)
	}
	vm, err := s.verificationMaterial()
	if err != nil {
		return fmt.Errorf("attesting %s: %w", t, err)
	}
	existing, err := bundleReferrers(ctx, t.Digest, opts)
	if err != nil {
		return fmt.Errorf("attesting %s: %w", t, err)
	}
	subject, err := remote.Head(t.Digest, opts.remote(ctx)...)
	if err != nil {
		return fmt.Errorf("attesting %s: reading its descriptor: %w", t, err)
	}
	h, err := v1.NewHash(t.Digest.DigestStr())
	if err != nil {
		return err
	}
	wrapped := dsse.WrapSigner(s.Key, InTotoPayloadType)
	for _, a := range atts {
		if !json.Valid(a.Predicate) {
			return fmt.Errorf("attesting %s: the %s predicate is not JSON", t, a.PredicateType)
		}
		st, err := json.Marshal(Statement{
			Type: inTotoStatementV01, PredicateType: a.PredicateType, Predicate: json.RawMessage(a.Predicate),
			Subject: []Subject{{Name: t.Digest.Context().Name(), Digest: map[string]string{h.Algorithm: h.Hex}}},
		})
		if err != nil {
			return fmt.Errorf("attesting %s: %w", t, err)
		}
		if bundleHolds(existing, st, s) {
			opts.log().Debug("already attested (bundle)", "target", t.String(), "predicateType", a.PredicateType)
			continue
		}
		env, err := wrapped.SignMessage(bytes.NewReader(st), options.WithContext(ctx))
		if err != nil {
			return fmt.Errorf("attesting %s: %w", t, err)
		}
		b, err := json.Marshal(sigstoreBundle{MediaType: BundleMediaType, VerificationMaterial: vm, DSSEEnvelope: env})
		if err != nil {
			return fmt.Errorf("attesting %s: %w", t, err)
		}
		ann := map[string]string{bundleContentAnnotation: "dsse-envelope", bundlePredicateAnnotation: a.PredicateType}
		if !created.IsZero() {
			ann[bundleCreatedAnnotation] = created.UTC().Format(time.RFC3339)
		}
		art, err := bundleArtifact(b, ann, v1.Descriptor{MediaType: subject.MediaType, Digest: subject.Digest, Size: subject.Size})
		if err != nil {
			return fmt.Errorf("attesting %s: %w", t, err)
		}
		d, err := art.Digest()
		if err != nil {
			return err
		}
		ro := append(opts.remote(ctx), remote.WithReferrersTagFallback(true))
		if err := remote.Write(t.Digest.Context().Digest(d.String()), art, ro...); err != nil {
			return fmt.Errorf("attesting %s: writing the bundle referrer: %w", t, err)
		}
		opts.log().Debug("attested (bundle)", "target", t.String(), "predicateType", a.PredicateType, "referrer", d.String())
	}
	return nil
}

// verificationMaterial is what a bundle says about the key: a keyless
// signer's certificate, or the hint of the public key.
func (s *Signer) verificationMaterial() (verificationMaterial, error) {
	if len(s.Cert) > 0 {
		b, _ := pem.Decode(s.Cert)
		if b == nil {
			return verificationMaterial{}, errors.New("the signer's certificate is not PEM")
		}
		return verificationMaterial{certDER: b.Bytes}, nil
	}
	pub, err := s.Key.PublicKey()
	if err != nil {
		return verificationMaterial{}, err
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return verificationMaterial{}, err
	}
	sum := sha256.Sum256(der)
	return verificationMaterial{hint: base64.StdEncoding.EncodeToString(sum[:])}, nil
}

// bundleArtifact is the referrer manifest cosign writes for a bundle.
func bundleArtifact(bundle []byte, ann map[string]string, subject v1.Descriptor) (v1.Image, error) {
	empty, err := partial.Descriptor(static.NewLayer([]byte("{}"), emptyConfigMediaType))
	if err != nil {
		return nil, err
	}
	layer := static.NewLayer(bundle, BundleMediaType)
	ld, err := partial.Descriptor(layer)
	if err != nil {
		return nil, err
	}
	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		ArtifactType:  BundleMediaType,
		Config:        v1.Descriptor{MediaType: emptyConfigMediaType, Digest: empty.Digest, Size: empty.Size},
		Layers:        []v1.Descriptor{{MediaType: BundleMediaType, Digest: ld.Digest, Size: ld.Size}},
		Annotations:   ann,
		Subject:       &subject,
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return partial.CompressedToImage(&referrerCore{manifest: raw, config: []byte("{}"), layers: map[v1.Hash]v1.Layer{ld.Digest: layer}})
}

// bundleEntry is one bundle referrer read back: its predicate type
// annotation and its DSSE envelope.
type bundleEntry struct {
	PredicateType string
	Envelope      []byte
}

// bundleReferrers reads the sigstore bundle referrers of d (referrers API
// or tag), at most maxBundleReferrersFetched, skipping those whose
// manifest has another subject.
func bundleReferrers(ctx context.Context, d name.Digest, opts Options) ([]bundleEntry, error) {
	idx, err := remote.Referrers(d, append(opts.remote(ctx), remote.WithReferrersTagFallback(true))...)
	if err != nil {
		return nil, fmt.Errorf("listing the referrers of %s: %w", d.DigestStr(), err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("listing the referrers of %s: %w", d.DigestStr(), err)
	}
	if len(im.Manifests) > MaxReferrerEntries {
		return nil, fmt.Errorf("%s has more than %d referrers: refusing to read them", d.DigestStr(), MaxReferrerEntries)
	}
	var out []bundleEntry
	fetched := 0
	for _, desc := range im.Manifests {
		// go-containerregistry's referrers tag names an artifact by its
		// config media type: look at every image manifest not known to
		// be something else.
		if !desc.MediaType.IsImage() || (desc.ArtifactType != BundleMediaType && desc.ArtifactType != emptyConfigMediaType && desc.ArtifactType != "") {
			continue
		}
		if fetched++; fetched > maxBundleReferrersFetched {
			return nil, fmt.Errorf("%s has more than %d bundle referrers", d.DigestStr(), maxBundleReferrersFetched)
		}
		rd := d.Context().Digest(desc.Digest.String())
		img, err := remote.Image(rd, opts.remote(ctx)...)
		if err != nil {
			return nil, fmt.Errorf("reading referrer %s: %w", rd.DigestStr(), err)
		}
		m, err := img.Manifest()
		if err != nil {
			return nil, fmt.Errorf("reading referrer %s: %w", rd.DigestStr(), err)
		}
		if m.ArtifactType != BundleMediaType || m.Subject == nil || m.Subject.Digest.String() != d.DigestStr() || len(m.Layers) != 1 {
			continue
		}
		if m.Layers[0].Size > maxBundle {
			return nil, fmt.Errorf("bundle %s is %d bytes: too big", m.Layers[0].Digest, m.Layers[0].Size)
		}
		l, err := img.LayerByDigest(m.Layers[0].Digest)
		if err != nil {
			return nil, fmt.Errorf("reading bundle %s: %w", m.Layers[0].Digest, err)
		}
		rc, err := l.Compressed()
		if err != nil {
			return nil, fmt.Errorf("reading bundle %s: %w", m.Layers[0].Digest, err)
		}
		data, err := io.ReadAll(io.LimitReader(rc, maxBundle+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("reading bundle %s: %w", m.Layers[0].Digest, err)
		}
		var b sigstoreBundle
		if err := json.Unmarshal(data, &b); err != nil || len(b.DSSEEnvelope) == 0 {
			continue // not a DSSE bundle: not an attestation of ours
		}
		out = append(out, bundleEntry{PredicateType: m.Annotations[bundlePredicateAnnotation], Envelope: b.DSSEEnvelope})
	}
	return out, nil
}

// bundleHolds says whether one of existing is statement st signed by
// s's key.
func bundleHolds(existing []bundleEntry, st []byte, s *Signer) bool {
	for _, e := range existing {
		var body []byte
		w := dsse.WrapVerifier(s.Key, dsse.WithExpectedPayloadType(InTotoPayloadType), dsse.WithDecodedPayload(&body))
		if w.VerifySignature(bytes.NewReader(e.Envelope), nil) == nil && bytes.Equal(body, st) {
			return true
		}
	}
	return false
}
