package signing

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/dsse"
	"github.com/sigstore/sigstore/pkg/signature/options"
	"github.com/sigstore/sigstore/pkg/signature/payload"

	"github.com/slipway-build/slipway/manifests"
)

// What cosign writes and reads (v2, tag-based storage).
const (
	SimpleSigningMediaType = "application/vnd.dev.cosign.simplesigning.v1+json"
	DSSEMediaType          = "application/vnd.dsse.envelope.v1+json"
	SignatureAnnotation    = "dev.cosignproject.cosign/signature"
	PredicateAnnotation    = "predicateType"
	InTotoPayloadType      = "application/vnd.in-toto+json"
	inTotoStatementV01     = "https://in-toto.io/Statement/v0.1"
)

// Options are how the registry is reached.
type Options struct {
	// Registry is the registry client push uses too (keychain behind the
	// credential guard, TLS, plain-HTTP guard, retries, stall timeout,
	// user agent): see manifests.RemoteOptions. The zero value is
	// anonymous, with the defaults.
	Registry manifests.PushOptions
	Log      *slog.Logger // nil: discard
}

func (o Options) remote(ctx context.Context) []remote.Option {
	return manifests.RemoteOptions(ctx, o.Registry)
}

func (o Options) log() *slog.Logger {
	if o.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Log
}

// Target is one manifest to sign or verify: the index (Platform nil) or
// one of its images.
type Target struct {
	Digest   name.Digest
	Platform *v1.Platform
}

// MarshalJSON writes {"reference": "REPO@DIGEST", "digest": "sha256:...",
// "platform": "linux/amd64"} (no platform for an index), for --json.
func (t Target) MarshalJSON() ([]byte, error) {
	out := struct {
		Reference string `json:"reference"`
		Digest    string `json:"digest"`
		Platform  string `json:"platform,omitempty"`
	}{Reference: t.Digest.String(), Digest: t.Digest.DigestStr()}
	if t.Platform != nil {
		out.Platform = t.Platform.String()
	}
	return json.Marshal(out)
}

func (t Target) String() string {
	if t.Platform == nil {
		return t.Digest.DigestStr()
	}
	return t.Digest.DigestStr() + " (" + t.Platform.String() + ")"
}

// Targets resolves ref (a tag or digest) to its manifest and, with
// recursive and an index, every manifest the index lists.
func Targets(ctx context.Context, ref name.Reference, recursive bool, opts Options) ([]Target, error) {
	desc, err := remote.Get(ref, opts.remote(ctx)...)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", ref, err)
	}
	top := Target{Digest: ref.Context().Digest(desc.Digest.String())}
	out := []Target{top}
	if !recursive || !desc.MediaType.IsIndex() {
		return out, nil
	}
	idx, err := desc.ImageIndex()
	if err != nil {
		return nil, fmt.Errorf("reading index %s: %w", top.Digest, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("reading index %s: %w", top.Digest, err)
	}
	for _, m := range im.Manifests {
		if !m.MediaType.IsImage() {
			continue
		}
		out = append(out, Target{Digest: ref.Context().Digest(m.Digest.String()), Platform: m.Platform})
	}
	return out, nil
}

// suffixTag is cosign's tag for things attached to digest d:
// sha256-HEX.sig, .att.
func suffixTag(d name.Digest, suffix string) (name.Tag, error) {
	h, err := v1.NewHash(d.DigestStr())
	if err != nil {
		return name.Tag{}, err
	}
	return d.Context().Tag(h.Algorithm + "-" + h.Hex + "." + suffix), nil
}

// attached reads the .sig or .att image of d; a missing one is empty.
func attached(ctx context.Context, d name.Digest, suffix string, opts Options) (v1.Image, bool, error) {
	tag, err := suffixTag(d, suffix)
	if err != nil {
		return nil, false, err
	}
	img, err := remote.Image(tag, opts.remote(ctx)...)
	if err != nil {
		var te *transport.Error
		if errors.As(err, &te) && (te.StatusCode == http.StatusNotFound || hasCode(te, transport.ManifestUnknownErrorCode)) {
			return emptySigImage(), false, nil
		}
		return nil, false, fmt.Errorf("reading %s: %w", tag, err)
	}
	return img, true, nil
}

func hasCode(te *transport.Error, code transport.ErrorCode) bool {
	for _, e := range te.Errors {
		if e.Code == code {
			return true
		}
	}
	return false
}

// emptySigImage is what cosign starts a .sig/.att image from.
func emptySigImage() v1.Image {
	return mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
}

// layerEntry is one attached signature or attestation, read back.
type layerEntry struct {
	Payload     []byte
	Annotations map[string]string
	MediaType   types.MediaType
}

func entries(img v1.Image) ([]layerEntry, error) {
	m, err := img.Manifest()
	if err != nil {
		return nil, err
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	if len(layers) != len(m.Layers) {
		return nil, fmt.Errorf("manifest lists %d layers, image has %d", len(m.Layers), len(layers))
	}
	out := make([]layerEntry, len(layers))
	for i, l := range layers {
		if m.Layers[i].Size > 16<<20 {
			return nil, fmt.Errorf("attached layer %s is %d bytes: too big", m.Layers[i].Digest, m.Layers[i].Size)
		}
		rc, err := l.Compressed()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(io.LimitReader(rc, 16<<20+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("reading attached layer %s: %w", m.Layers[i].Digest, err)
		}
		out[i] = layerEntry{Payload: data, Annotations: m.Layers[i].Annotations, MediaType: m.Layers[i].MediaType}
	}
	return out, nil
}

// write puts img at d's .sig/.att tag.
func write(ctx context.Context, d name.Digest, suffix string, img v1.Image, opts Options) error {
	tag, err := suffixTag(d, suffix)
	if err != nil {
		return err
	}
	if err := remote.Write(tag, img, opts.remote(ctx)...); err != nil {
		return fmt.Errorf("writing %s: %w", tag, err)
	}
	return nil
}

// Signer is a signing key and the way its signatures are published.
type Signer struct {
	// Key signs the payloads and attestations.
	Key signature.SignerVerifier
	// Mode is where signatures go: cosign's sha256-<hex>.sig tag (legacy,
	// the default) or an OCI 1.1 referrer of the signed manifest.
	// Attestations always use the .att tag: cosign v2.6.5 writes
	// attestations as referrers only in its new bundle format.
	Mode ReferrersMode
	// Cert and Chain (PEM) are the Fulcio certificate of Key and its
	// chain (KeylessSigner); they go on every signature and attestation
	// layer.
	Cert, Chain []byte
	// Rekor, when set, is the transparency log every signature (a
	// hashedrekord entry) and attestation (a dsse entry) is uploaded to;
	// the entry goes on the layer as cosign's bundle.
	Rekor *Rekor
}

func (s *Signer) check() error {
	if s == nil || s.Key == nil {
		return errors.New("no signing key")
	}
	if _, err := ParseReferrersMode(string(s.Mode)); err != nil {
		return err
	}
	if len(s.Chain) > 0 && len(s.Cert) == 0 {
		return errors.New("a certificate chain without a certificate")
	}
	return nil
}

// loggedKey is what a Rekor entry names as the signer: the certificate
// (keyless), or the public key.
func (s *Signer) loggedKey() ([]byte, error) {
	if len(s.Cert) > 0 {
		return s.Cert, nil
	}
	return PublicKeyPEM(s.Key)
}

// certAnnotations puts a keyless signer's certificate and chain on a
// signature or attestation layer, as cosign does (static.WithCertChain).
func (s *Signer) certAnnotations(ann map[string]string) {
	if len(s.Cert) > 0 {
		ann[CertificateAnnotation] = string(s.Cert)
		ann[ChainAnnotation] = string(s.Chain)
	}
}

// SignTarget signs one manifest with a simple-signing payload and adds it
// to its .sig image, or with Mode oci-1-1 pushes it as a referrer (an
// identical payload already signed by the same key is left as it is).
// annotations go into the payload's "optional".
func SignTarget(ctx context.Context, t Target, s *Signer, annotations map[string]interface{}, opts Options) error {
	if err := s.check(); err != nil {
		return fmt.Errorf("signing %s: %w", t, err)
	}
	pl, err := (&payload.Cosign{Image: t.Digest, Annotations: annotations}).MarshalJSON()
	if err != nil {
		return fmt.Errorf("signing %s: %w", t, err)
	}
	if s.Mode == ReferrersOCI11 {
		return signReferrer(ctx, t, s, pl, opts)
	}
	base, _, err := attached(ctx, t.Digest, "sig", opts)
	if err != nil {
		return err
	}
	existing, err := entries(base)
	if err != nil {
		return fmt.Errorf("reading signatures of %s: %w", t, err)
	}
	if alreadySigned(existing, pl, s) {
		opts.log().Debug("already signed", "target", t.String())
		return nil
	}
	add, err := signatureLayer(ctx, s, pl)
	if err != nil {
		return fmt.Errorf("signing %s: %w", t, err)
	}
	img, err := mutate.Append(base, add)
	if err != nil {
		return err
	}
	if err := write(ctx, t.Digest, "sig", img, opts); err != nil {
		return fmt.Errorf("signing %s: %w", t, err)
	}
	opts.log().Debug("signed", "target", t.String())
	return nil
}

// alreadySigned says whether one of existing is payload pl with a valid
// signature by s's key (and, when s logs, with a Rekor bundle).
func alreadySigned(existing []layerEntry, pl []byte, s *Signer) bool {
	signer := s.Key
	for _, e := range existing {
		if !bytes.Equal(e.Payload, pl) || (s.Rekor != nil && e.Annotations[BundleAnnotation] == "") {
			continue
		}
		if sig, err := base64.StdEncoding.DecodeString(e.Annotations[SignatureAnnotation]); err == nil &&
			signer.VerifySignature(bytes.NewReader(sig), bytes.NewReader(pl)) == nil {
			return true
		}
	}
	return false
}

// signatureLayer signs pl and returns cosign's signature layer: the
// payload, media type simple-signing, the base64 signature annotation,
// and for a keyless signer the certificate and chain, for a logged one
// the Rekor bundle (uploading the certificate, or the public key).
func signatureLayer(ctx context.Context, s *Signer, pl []byte) (mutate.Addendum, error) {
	sig, err := s.Key.SignMessage(bytes.NewReader(pl), options.WithContext(ctx))
	if err != nil {
		return mutate.Addendum{}, err
	}
	ann := map[string]string{SignatureAnnotation: base64.StdEncoding.EncodeToString(sig)}
	s.certAnnotations(ann)
	if s.Rekor != nil {
		logged, err := s.loggedKey()
		if err != nil {
			return mutate.Addendum{}, err
		}
		b, err := s.Rekor.upload(ctx, sig, pl, logged)
		if err != nil {
			return mutate.Addendum{}, err
		}
		ann[BundleAnnotation] = string(b)
	}
	return mutate.Addendum{Layer: static.NewLayer(pl, SimpleSigningMediaType), Annotations: ann}, nil
}

// Statement is an in-toto statement.
type Statement struct {
	Type          string          `json:"_type"`
	PredicateType string          `json:"predicateType"`
	Subject       []Subject       `json:"subject"`
	Predicate     json.RawMessage `json:"predicate"`
}

// Subject is what a statement is about.
type Subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// Attestation is one predicate to attach.
type Attestation struct {
	PredicateType string
	Predicate     []byte // JSON
}

// AttestTarget attaches the attestations to one manifest's .att image, as
// DSSE envelopes of in-toto statements whose subject is the manifest.
// A keyless signer's certificate and chain go on each layer; with Rekor,
// each envelope is logged as a dsse entry and its bundle goes on the
// layer, as cosign attest does.
// Attestations of the same predicate types already there are replaced
// (cosign attest --replace), so signing again does not pile them up.
func AttestTarget(ctx context.Context, t Target, s *Signer, atts []Attestation, opts Options) error {
	if len(atts) == 0 {
		return nil
	}
	if err := s.check(); err != nil {
		return fmt.Errorf("attesting %s: %w", t, err)
	}
	signer := s.Key
	h, err := v1.NewHash(t.Digest.DigestStr())
	if err != nil {
		return err
	}
	base, _, err := attached(ctx, t.Digest, "att", opts)
	if err != nil {
		return err
	}
	replaced := map[string]bool{}
	for _, a := range atts {
		replaced[a.PredicateType] = true
	}
	existing, err := entries(base)
	if err != nil {
		return fmt.Errorf("reading attestations of %s: %w", t, err)
	}
	m, err := base.Manifest()
	if err != nil {
		return err
	}
	img := emptySigImage()
	for i, e := range existing {
		if replaced[e.Annotations[PredicateAnnotation]] {
			continue
		}
		if img, err = mutate.Append(img, mutate.Addendum{
			Layer: static.NewLayer(e.Payload, m.Layers[i].MediaType), Annotations: e.Annotations,
		}); err != nil {
			return err
		}
	}
	wrapped := dsse.WrapSigner(signer, InTotoPayloadType)
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
		env, err := wrapped.SignMessage(bytes.NewReader(st), options.WithContext(ctx))
		if err != nil {
			return fmt.Errorf("attesting %s: %w", t, err)
		}
		// cosign rejects a .att layer without the (empty) signature annotation.
		ann := map[string]string{SignatureAnnotation: "", PredicateAnnotation: a.PredicateType}
		s.certAnnotations(ann)
		if s.Rekor != nil {
			// As cosign attest: the envelope logged as a dsse entry, the
			// entry's bundle on the layer. Nothing is written for this
			// manifest if an upload fails.
			key, err := s.loggedKey()
			if err != nil {
				return fmt.Errorf("attesting %s: %w", t, err)
			}
			b, err := s.Rekor.uploadDSSE(ctx, env, key)
			if err != nil {
				return fmt.Errorf("attesting %s: %w", t, err)
			}
			ann[BundleAnnotation] = string(b)
		}
		if img, err = mutate.Append(img, mutate.Addendum{
			Layer: static.NewLayer(env, DSSEMediaType), Annotations: ann,
		}); err != nil {
			return err
		}
	}
	if err := write(ctx, t.Digest, "att", img, opts); err != nil {
		return fmt.Errorf("attesting %s: %w", t, err)
	}
	opts.log().Debug("attested", "target", t.String(), "count", len(atts))
	return nil
}

// SignOptions are the choices of SignAndAttest.
type SignOptions struct {
	Options
	// Recursive signs every manifest of an index as well as the index.
	Recursive bool
	// SBOMs are SPDX JSON or CycloneDX JSON documents made by SPDX or
	// CycloneDX (at most one of each format per image); each is attached
	// to the image it describes (predicate type PredicateSPDX or
	// PredicateCycloneDX) and, when that image is in the signed index, to
	// the index too.
	SBOMs [][]byte
	// Provenance attaches a SLSA provenance predicate to every target.
	Provenance *ProvenanceInput
	// Annotations go into the signed payloads ("optional").
	Annotations map[string]interface{}
	// BundleFormat attaches the attestations in the sigstore bundle
	// format as OCI 1.1 referrers (AttestBundleTarget: cosign attest
	// --new-bundle-format) instead of in the .att tag; Created is their
	// creation time annotation (zero: none).
	BundleFormat bool
	Created      time.Time
}

// SignResult says what was signed.
type SignResult struct {
	Targets      []Target `json:"targets"`
	Attestations int      `json:"attestations"`
}

// SignAndAttest signs ref (and, with Recursive, every image of its index)
// and attaches the SBOMs and provenance as attestations.
func SignAndAttest(ctx context.Context, ref name.Reference, signer *Signer, so SignOptions) (*SignResult, error) {
	if err := signer.check(); err != nil {
		return nil, fmt.Errorf("signing %s: %w", ref, err)
	}
	targets, err := Targets(ctx, ref, so.Recursive, so.Options)
	if err != nil {
		return nil, err
	}
	// The SBOMs by the digest they describe: one per format.
	byDigest := map[string][]Attestation{}
	for i, doc := range so.SBOMs {
		d, pt, err := SBOMInfo(doc)
		if err != nil {
			return nil, fmt.Errorf("SBOM %d: %w", i+1, err)
		}
		for _, a := range byDigest[d.String()] {
			if a.PredicateType == pt {
				return nil, fmt.Errorf("two %s SBOMs describe %s", pt, d)
			}
		}
		byDigest[d.String()] = append(byDigest[d.String()], Attestation{PredicateType: pt, Predicate: doc})
	}
	matched := 0
	plan := make([][]Attestation, len(targets))
	for i, t := range targets {
		if atts, ok := byDigest[t.Digest.DigestStr()]; ok {
			matched++
			plan[i] = append(plan[i], atts...)
			if i > 0 && targets[0].Platform == nil {
				plan[0] = append(plan[0], atts...)
			}
		}
	}
	if matched != len(byDigest) {
		return nil, fmt.Errorf("%d of %d SBOM subjects are no manifest of %s", len(byDigest)-matched, len(byDigest), ref)
	}
	if so.Provenance != nil {
		for i, t := range targets {
			p, err := Provenance(ctx, t, *so.Provenance, so.Options)
			if err != nil {
				return nil, err
			}
			plan[i] = append(plan[i], Attestation{PredicateType: PredicateSLSAProvenance, Predicate: p})
		}
	}
	res := &SignResult{Targets: targets}
	for i, t := range targets {
		if err := SignTarget(ctx, t, signer, so.Annotations, so.Options); err != nil {
			return nil, err
		}
		attest := AttestTarget
		if so.BundleFormat {
			attest = func(ctx context.Context, t Target, s *Signer, atts []Attestation, opts Options) error {
				return AttestBundleTarget(ctx, t, s, atts, so.Created, opts)
			}
		}
		if err := attest(ctx, t, signer, plan[i], so.Options); err != nil {
			return nil, err
		}
		res.Attestations += len(plan[i])
	}
	return res, nil
}
