package signing

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/dsse"
	"github.com/sigstore/sigstore/pkg/signature/payload"
)

// VerifyOptions are the choices of Verify.
type VerifyOptions struct {
	Options
	// Recursive verifies every image of an index as well as the index.
	Recursive bool
	// Attestations also requires, for every target, at least one valid
	// attestation of each of PredicateTypes (default: SPDX).
	Attestations   bool
	PredicateTypes []string
}

// TargetResult is what was verified for one manifest.
type TargetResult struct {
	Target       Target
	Signatures   int                 // valid signatures by the key
	Attestations map[string][][]byte // predicate type -> the verified statements
}

// MarshalJSON writes the target, the count of valid signatures and, per
// predicate type, the count of verified attestations (not the
// statements), for --json.
func (r TargetResult) MarshalJSON() ([]byte, error) {
	out := struct {
		Target       Target         `json:"target"`
		Signatures   int            `json:"signatures"`
		Attestations map[string]int `json:"attestations,omitempty"`
	}{Target: r.Target, Signatures: r.Signatures}
	if len(r.Attestations) > 0 {
		out.Attestations = map[string]int{}
		for pt, l := range r.Attestations {
			out.Attestations[pt] = len(l)
		}
	}
	return json.Marshal(out)
}

// VerificationError is a failed verification: which manifest, and why.
type VerificationError struct {
	Target Target
	Reason string
	Err    error // the underlying cause, if any
}

func (e *VerificationError) Error() string {
	s := e.Target.String() + ": " + e.Reason
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *VerificationError) Unwrap() error { return e.Err }

// Verify checks that ref's manifest (and with Recursive every image of
// its index) carries a cosign signature by verifier's key over its own
// digest, and with Attestations that its attestations are signed by the
// key and are about it. The first failure is returned as a
// *VerificationError.
func Verify(ctx context.Context, ref name.Reference, verifier signature.Verifier, vo VerifyOptions) ([]TargetResult, error) {
	return verify(ctx, ref, keyTrust{verifier}, vo)
}

// VerifyKeyless is Verify for keyless signatures and attestations: each
// must carry a certificate k trusts for k's identity (see KeylessTrust),
// whose key made it.
func VerifyKeyless(ctx context.Context, ref name.Reference, k *KeylessTrust, vo VerifyOptions) ([]TargetResult, error) {
	return verify(ctx, ref, k, vo)
}

// trust gives the verifier of one signature or attestation layer: the
// key's (keyTrust), or that of the certificate the layer carries once the
// certificate is trusted (*KeylessTrust).
type trust interface {
	verifier(e layerEntry) (signature.Verifier, error)
	String() string // "key", or the identity
}

type keyTrust struct{ signature.Verifier }

func (k keyTrust) verifier(layerEntry) (signature.Verifier, error) { return k.Verifier, nil }
func (keyTrust) String() string                                    { return "key" }

func verify(ctx context.Context, ref name.Reference, verifier trust, vo VerifyOptions) ([]TargetResult, error) {
	targets, err := Targets(ctx, ref, vo.Recursive, vo.Options)
	if err != nil {
		return nil, err
	}
	types := vo.PredicateTypes
	if len(types) == 0 {
		types = []string{PredicateSPDX}
	}
	out := make([]TargetResult, len(targets))
	for i, t := range targets {
		n, err := verifySignatures(ctx, t, verifier, vo.Options)
		if err != nil {
			return nil, err
		}
		out[i] = TargetResult{Target: t, Signatures: n}
		if !vo.Attestations {
			continue
		}
		atts, err := verifyAttestations(ctx, t, verifier, vo.Options)
		if err != nil {
			return nil, err
		}
		// An SBOM naming the image it describes must name this manifest
		// or, on an index, one of its images.
		described := map[string]bool{t.Digest.DigestStr(): true}
		if i == 0 && t.Platform == nil {
			all := targets
			if !vo.Recursive {
				if all, err = Targets(ctx, t.Digest, true, vo.Options); err != nil {
					return nil, err
				}
			}
			for _, c := range all {
				described[c.Digest.DigestStr()] = true
			}
		}
		if atts, err = checkSBOMSubjects(t, atts, described); err != nil {
			return nil, err
		}
		for _, pt := range types {
			if len(atts[pt]) == 0 {
				return nil, &VerificationError{Target: t, Reason: "no valid " + pt + " attestation"}
			}
		}
		out[i].Attestations = atts
	}
	return out, nil
}

// verifySignatures counts t's signatures valid for verifier: those in
// the .sig tag, and when that has none that verifies, those in OCI 1.1
// signature referrers (cosign --registry-referrers-mode oci-1-1). Looking
// in both needs no flag: every signature must still verify with the key
// over a payload naming t's digest, wherever it was found.
func verifySignatures(ctx context.Context, t Target, verifier trust, opts Options) (int, error) {
	img, found, err := attached(ctx, t.Digest, "sig", opts)
	if err != nil {
		return 0, &VerificationError{Target: t, Reason: "reading signatures", Err: err}
	}
	var list []layerEntry
	if found {
		if list, err = entries(img); err != nil {
			return 0, &VerificationError{Target: t, Reason: "reading signatures", Err: err}
		}
	}
	valid, last := countValid(t, list, verifier)
	if valid > 0 {
		return valid, nil
	}
	refs, nref, err := referrerSignatures(ctx, t.Digest, opts)
	if err != nil {
		return 0, &VerificationError{Target: t, Reason: "reading signature referrers", Err: err}
	}
	if !found && nref == 0 {
		return 0, &VerificationError{Target: t, Reason: "no signatures found"}
	}
	valid, lastRef := countValid(t, refs, verifier)
	if valid > 0 {
		return valid, nil
	}
	if lastRef != nil {
		last = lastRef
	}
	if last == nil {
		last = errors.New("the signature image has no layers")
	}
	return 0, &VerificationError{Target: t, Reason: fmt.Sprintf("none of %d signatures is valid for this %s and image", len(list)+len(refs), verifier), Err: last}
}

// countValid counts the entries that are valid signatures of t by
// verifier; last is the reason the last invalid one failed.
func countValid(t Target, list []layerEntry, tr trust) (valid int, last error) {
	for _, e := range list {
		verifier, err := tr.verifier(e)
		if err == nil {
			err = checkSignature(t, e, verifier)
		}
		if err != nil {
			last = err
			continue
		}
		valid++
	}
	return valid, last
}

func checkSignature(t Target, e layerEntry, verifier signature.Verifier) error {
	b64, ok := e.Annotations[SignatureAnnotation]
	if !ok {
		return errors.New("layer has no signature annotation")
	}
	sig, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return fmt.Errorf("signature is not base64: %w", err)
	}
	if err := verifier.VerifySignature(bytes.NewReader(sig), bytes.NewReader(e.Payload)); err != nil {
		return fmt.Errorf("signature does not match the payload and key: %w", err)
	}
	var sci payload.SimpleContainerImage
	if err := json.Unmarshal(e.Payload, &sci); err != nil {
		return fmt.Errorf("signed payload is not a simple-signing document: %w", err)
	}
	if sci.Critical.Type != payload.CosignSignatureType {
		return fmt.Errorf("signed payload has type %q, want %q", sci.Critical.Type, payload.CosignSignatureType)
	}
	if got := sci.Critical.Image.DockerManifestDigest; got != t.Digest.DigestStr() {
		return fmt.Errorf("signed payload is for %s, not this image", got)
	}
	return nil
}

func verifyAttestations(ctx context.Context, t Target, tr trust, opts Options) (map[string][][]byte, error) {
	img, found, err := attached(ctx, t.Digest, "att", opts)
	if err != nil {
		return nil, &VerificationError{Target: t, Reason: "reading attestations", Err: err}
	}
	var list []layerEntry
	if found {
		if list, err = entries(img); err != nil {
			return nil, &VerificationError{Target: t, Reason: "reading attestations", Err: err}
		}
	}
	// Attestations in the sigstore bundle format (cosign
	// --new-bundle-format) are referrers: their DSSE envelopes are
	// checked the same way.
	bundles, err := bundleReferrers(ctx, t.Digest, opts)
	if err != nil {
		return nil, &VerificationError{Target: t, Reason: "reading bundle attestations", Err: err}
	}
	for _, b := range bundles {
		list = append(list, layerEntry{Payload: b.Envelope})
	}
	if len(list) == 0 {
		return nil, &VerificationError{Target: t, Reason: "no attestations found"}
	}
	h, err := v1.NewHash(t.Digest.DigestStr())
	if err != nil {
		return nil, err
	}
	out := map[string][][]byte{}
	var last error
	for _, e := range list {
		verifier, err := tr.verifier(e)
		if err != nil {
			last = err
			continue
		}
		st, err := checkAttestation(e, h, verifier)
		if err != nil {
			last = err
			continue
		}
		out[st.PredicateType] = append(out[st.PredicateType], st.Predicate)
	}
	if len(out) == 0 {
		return nil, &VerificationError{Target: t, Reason: fmt.Sprintf("none of %d attestations is valid for this %s and image", len(list), tr), Err: last}
	}
	return out, nil
}

func checkAttestation(e layerEntry, h v1.Hash, verifier signature.Verifier) (*Statement, error) {
	var body []byte
	w := dsse.WrapVerifier(verifier, dsse.WithExpectedPayloadType(InTotoPayloadType), dsse.WithDecodedPayload(&body))
	if err := w.VerifySignature(bytes.NewReader(e.Payload), nil); err != nil {
		return nil, fmt.Errorf("attestation envelope does not verify with this key: %w", err)
	}
	var st Statement
	if err := json.Unmarshal(body, &st); err != nil {
		return nil, fmt.Errorf("attestation is not an in-toto statement: %w", err)
	}
	for _, s := range st.Subject {
		if s.Digest[h.Algorithm] == h.Hex {
			return &st, nil
		}
	}
	return nil, fmt.Errorf("attestation (%s) is about another image", st.PredicateType)
}

// checkSBOMSubjects drops the SPDX and CycloneDX predicates that name an
// image outside described (SBOMInfo; documents that name none, as other
// tools write them, are kept), and fails when every SBOM of a format
// names another image.
func checkSBOMSubjects(t Target, atts map[string][][]byte, described map[string]bool) (map[string][][]byte, error) {
	for _, f := range []struct{ pt, name string }{{PredicateSPDX, "SPDX"}, {PredicateCycloneDX, "CycloneDX"}} {
		var keep [][]byte
		wrong := ""
		for _, p := range atts[f.pt] {
			if d, _, err := SBOMInfo(p); err == nil && !described[d.String()] {
				wrong = d.String()
				continue
			}
			keep = append(keep, p)
		}
		if wrong != "" && len(keep) == 0 {
			return nil, &VerificationError{Target: t, Reason: fmt.Sprintf("the %s SBOM describes %s, not this image", f.name, wrong)}
		}
		if len(atts[f.pt]) > 0 {
			atts[f.pt] = keep
		}
	}
	return atts, nil
}
