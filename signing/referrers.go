package signing

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// ReferrersMode is where signatures are stored: cosign's flag
// --registry-referrers-mode.
type ReferrersMode string

const (
	// ReferrersLegacy is cosign's tag scheme: sha256-<hex>.sig.
	ReferrersLegacy ReferrersMode = "legacy"
	// ReferrersOCI11 is an OCI 1.1 artifact whose subject is the signed
	// manifest, found with the referrers API or, on registries without
	// it, the sha256-<hex> referrers tag (an index the writer keeps).
	ReferrersOCI11 ReferrersMode = "oci-1-1"
)

// SignatureArtifactType is the artifactType (and config media type) of
// cosign's OCI 1.1 signature referrer: in cosign v2.6.5,
// internal/pkg/oci/remote.ArtifactType("sig").
const SignatureArtifactType = "application/vnd.dev.cosign.artifact.sig.v1+json"

// maxReferrers bounds how many signature referrers of one manifest are read.
const maxReferrers = 64

// ParseReferrersMode reads "legacy" (or "", the default) or "oci-1-1".
func ParseReferrersMode(s string) (ReferrersMode, error) {
	switch ReferrersMode(s) {
	case "", ReferrersLegacy:
		return ReferrersLegacy, nil
	case ReferrersOCI11:
		return ReferrersOCI11, nil
	}
	return "", fmt.Errorf("referrers mode %q: want legacy or oci-1-1", s)
}

// signReferrer signs payload pl for t and pushes it as an OCI 1.1
// referrer, unless a signature referrer of t already holds pl signed by
// the key. The manifest is what cosign v2.6.5's
// pkg/oci/remote.WriteSignaturesExperimentalOCI writes: the .sig image's
// manifest with the config media type and artifactType set to
// SignatureArtifactType and the signed manifest's descriptor (media type,
// digest, size) as subject.
func signReferrer(ctx context.Context, t Target, s *Signer, pl []byte, opts Options) error {
	existing, _, err := referrerSignatures(ctx, t.Digest, opts)
	if err != nil {
		return fmt.Errorf("signing %s: %w", t, err)
	}
	if alreadySigned(existing, pl, s) {
		opts.log().Debug("already signed (referrer)", "target", t.String())
		return nil
	}
	subject, err := remote.Head(t.Digest, opts.remote(ctx)...)
	if err != nil {
		return fmt.Errorf("signing %s: reading its descriptor: %w", t, err)
	}
	add, err := signatureLayer(ctx, s, pl)
	if err != nil {
		return fmt.Errorf("signing %s: %w", t, err)
	}
	sigImg, err := mutate.Append(emptySigImage(), add)
	if err != nil {
		return err
	}
	art, err := referrerImage(sigImg, v1.Descriptor{MediaType: subject.MediaType, Digest: subject.Digest, Size: subject.Size})
	if err != nil {
		return fmt.Errorf("signing %s: %w", t, err)
	}
	d, err := art.Digest()
	if err != nil {
		return err
	}
	ro := append(opts.remote(ctx), remote.WithReferrersTagFallback(true))
	if err := remote.Write(t.Digest.Context().Digest(d.String()), art, ro...); err != nil {
		return fmt.Errorf("signing %s: writing the signature referrer: %w", t, err)
	}
	opts.log().Debug("signed (referrer)", "target", t.String(), "referrer", d.String())
	return nil
}

// referrerImage turns a .sig image into cosign's signature referrer.
func referrerImage(sigImg v1.Image, subject v1.Descriptor) (v1.Image, error) {
	raw, err := sigImg.RawManifest()
	if err != nil {
		return nil, err
	}
	var m v1.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	m.Config.MediaType = SignatureArtifactType
	m.ArtifactType = SignatureArtifactType
	m.Subject = &subject
	out, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	cfg, err := sigImg.RawConfigFile()
	if err != nil {
		return nil, err
	}
	layers, err := sigImg.Layers()
	if err != nil {
		return nil, err
	}
	byDigest := map[v1.Hash]v1.Layer{}
	for _, l := range layers {
		h, err := l.Digest()
		if err != nil {
			return nil, err
		}
		byDigest[h] = l
	}
	return partial.CompressedToImage(&referrerCore{manifest: out, config: cfg, layers: byDigest})
}

// referrerCore is a manifest with its config and layers in memory.
type referrerCore struct {
	manifest, config []byte
	layers           map[v1.Hash]v1.Layer
}

func (r *referrerCore) RawManifest() ([]byte, error)        { return r.manifest, nil }
func (r *referrerCore) RawConfigFile() ([]byte, error)      { return r.config, nil }
func (r *referrerCore) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }
func (r *referrerCore) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	if l, ok := r.layers[h]; ok {
		return l, nil
	}
	return nil, fmt.Errorf("signature referrer has no blob %s", h)
}

// referrerSignatures reads the signature layers of every cosign
// signature referrer of d (the registry's referrers API, or the
// sha256-<hex> referrers tag). It returns how many referrers about d it
// read; entries whose manifest has another subject are skipped, and at
// most maxReferrers are fetched.
func referrerSignatures(ctx context.Context, d name.Digest, opts Options) ([]layerEntry, int, error) {
	ro := append(opts.remote(ctx), remote.WithReferrersTagFallback(true), remote.WithFilter("artifactType", SignatureArtifactType))
	idx, err := remote.Referrers(d, ro...)
	if err != nil {
		return nil, 0, fmt.Errorf("listing the referrers of %s: %w", d, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, 0, fmt.Errorf("listing the referrers of %s: %w", d, err)
	}
	var out []layerEntry
	n, fetched := 0, 0
	for _, desc := range im.Manifests {
		// The referrers tag is an index anyone may push: check each entry.
		if desc.ArtifactType != SignatureArtifactType || !desc.MediaType.IsImage() {
			continue
		}
		if fetched++; fetched > maxReferrers {
			return nil, 0, fmt.Errorf("%s has more than %d signature referrers", d, maxReferrers)
		}
		rd := d.Context().Digest(desc.Digest.String())
		img, err := remote.Image(rd, opts.remote(ctx)...)
		if err != nil {
			return nil, 0, fmt.Errorf("reading signature referrer %s: %w", rd, err)
		}
		m, err := img.Manifest()
		if err != nil {
			return nil, 0, fmt.Errorf("reading signature referrer %s: %w", rd, err)
		}
		if m.Subject == nil || m.Subject.Digest.String() != d.DigestStr() {
			continue // listed for another manifest: not about d
		}
		n++
		list, err := entries(img)
		if err != nil {
			return nil, 0, fmt.Errorf("reading signature referrer %s: %w", rd, err)
		}
		out = append(out, list...)
	}
	return out, n, nil
}
