package signing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/notaryproject/notation-core-go/signature"

	"github.com/slipway-build/slipway/manifests"
)

// The kinds of attachment Attachments reports.
const (
	KindCosignSignature   = "cosign-signature"   // cosign .sig image or signature referrer
	KindCosignAttestation = "cosign-attestation" // cosign .att image
	KindSigstoreBundle    = "sigstore-bundle"    // cosign --new-bundle-format referrer
	KindNotarySignature   = "notary-signature"   // Notary Project signature referrer
	KindSBOM              = "sbom"               // an SBOM artifact (referrer or cosign .sbom tag)
	KindLifecycle         = "lifecycle"          // the lifecycle referrer (end of life)
	KindOther             = "other"              // any other referrer
)

// Where an attachment was found.
const (
	SourceReferrersAPI = "referrers-api" // the registry's referrers API
	SourceReferrersTag = "referrers-tag" // the sha256-<hex> referrers tag
	SourceCosignTag    = "cosign-tag"    // cosign's sha256-<hex>.sig/.att/.sbom tags
)

// Media and artifact types Attachments recognises.
const (
	SigstoreBundleArtifactType = "application/vnd.dev.sigstore.bundle.v0.3+json"
	// bundlePredicateAnnotation is where cosign puts the predicate type of
	// an attestation bundle referrer.
	bundlePredicateAnnotation = "dev.sigstore.bundle.predicateType"
	spdxArtifactType          = "application/spdx+json"
	cyclonedxArtifactType     = "application/vnd.cyclonedx+json"
	emptyConfigMediaType      = "application/vnd.oci.empty.v1+json"
)

// maxAttachedLayers bounds the layers of one .sig/.att image listed.
const maxAttachedLayers = 1000

// Attachment is one thing attached to a manifest.
type Attachment struct {
	Kind   string `json:"kind"`
	Source string `json:"source"`
	// Digest is the attachment's manifest digest; Tag its cosign tag.
	Digest       string `json:"digest"`
	Tag          string `json:"tag,omitempty"`
	ArtifactType string `json:"artifactType,omitempty"`
	// Count is how many signatures or attestations a cosign .sig/.att
	// image holds (its layers).
	Count int `json:"count,omitempty"`
	// PredicateTypes are the in-toto predicate types of attestations.
	PredicateTypes []string `json:"predicateTypes,omitempty"`
	// Signer is the subject of a Notary signature's signing certificate;
	// Envelope its envelope media type. They are read, not verified.
	Signer   string `json:"signer,omitempty"`
	Envelope string `json:"envelope,omitempty"`
	// EndOfLife is the lifecycle referrer's date.
	EndOfLife string `json:"endOfLife,omitempty"`
	// Error says what could not be read about this attachment.
	Error string `json:"error,omitempty"`
}

// AttachedManifest is a manifest and what hangs off it.
type AttachedManifest struct {
	Digest      string       `json:"digest"`
	Platform    string       `json:"platform,omitempty"`
	Attachments []Attachment `json:"attachments"`
}

// AttachmentTree is what hangs off an image or index and each image the
// index lists.
type AttachmentTree struct {
	Reference string             `json:"reference"`
	Manifests []AttachedManifest `json:"manifests"`
}

// Attachments lists what is attached to ref's manifest and, for an
// index, to each image it lists: OCI 1.1 referrers, found through the
// referrers API and through the sha256-<hex> referrers tag (both are
// read, each attachment once), and cosign's tag scheme (sha256-<hex>.sig,
// .att, .sbom). Cosign signatures are counted, attestations give their
// predicate types, Notary signatures their signer (the leaf certificate's
// subject, read without verifying) and envelope type, the lifecycle
// referrer its end-of-life date. A manifest with more than
// MaxReferrerEntries referrers, or a cosign image with more than 1000
// layers, is refused. Nothing is verified: use Verify and NotaryVerify
// for that.
func Attachments(ctx context.Context, ref name.Reference, opts Options) (*AttachmentTree, error) {
	targets, err := Targets(ctx, ref, true, opts)
	if err != nil {
		return nil, err
	}
	tree := &AttachmentTree{Reference: ref.String(), Manifests: make([]AttachedManifest, len(targets))}
	for i, t := range targets {
		am := AttachedManifest{Digest: t.Digest.DigestStr(), Attachments: []Attachment{}}
		if t.Platform != nil {
			am.Platform = t.Platform.String()
		}
		refs, err := referrersOf(ctx, t.Digest, opts)
		if err != nil {
			return nil, err
		}
		am.Attachments = append(am.Attachments, refs...)
		tagged, err := cosignTagged(ctx, t.Digest, opts)
		if err != nil {
			return nil, err
		}
		am.Attachments = append(am.Attachments, tagged...)
		tree.Manifests[i] = am
	}
	return tree, nil
}

// referrersOf lists d's referrers from the API (when the registry has
// it) and the referrers tag, each digest once, the API's first.
func referrersOf(ctx context.Context, d name.Digest, opts Options) ([]Attachment, error) {
	var descs []v1.Descriptor
	var sources []string
	seen := map[v1.Hash]bool{}
	add := func(list []v1.Descriptor, source string) error {
		if len(list) > MaxReferrerEntries {
			return fmt.Errorf("%s has more than %d referrers: refusing to read them", d.DigestStr(), MaxReferrerEntries)
		}
		for _, r := range list {
			if seen[r.Digest] {
				continue
			}
			seen[r.Digest] = true
			descs = append(descs, r)
			sources = append(sources, source)
		}
		if len(descs) > MaxReferrerEntries {
			return fmt.Errorf("%s has more than %d referrers: refusing to read them", d.DigestStr(), MaxReferrerEntries)
		}
		return nil
	}
	idx, err := remote.Referrers(d, append(opts.remote(ctx), remote.WithReferrersTagFallback(false))...)
	switch {
	case err == nil:
		im, err := idx.IndexManifest()
		if err != nil {
			return nil, fmt.Errorf("listing the referrers of %s: %w", d.DigestStr(), err)
		}
		if err := add(im.Manifests, SourceReferrersAPI); err != nil {
			return nil, err
		}
	case strings.Contains(err.Error(), "does not support the Referrers API"):
		// go-containerregistry's word for a registry without the API.
	default:
		return nil, fmt.Errorf("listing the referrers of %s: %w", d.DigestStr(), err)
	}
	h, err := v1.NewHash(d.DigestStr())
	if err != nil {
		return nil, err
	}
	tag := d.Context().Tag(h.Algorithm + "-" + h.Hex)
	if tidx, err := remote.Index(tag, opts.remote(ctx)...); err == nil {
		im, err := tidx.IndexManifest()
		if err != nil {
			return nil, fmt.Errorf("reading the referrers tag %s: %w", tag, err)
		}
		if err := add(im.Manifests, SourceReferrersTag); err != nil {
			return nil, err
		}
	} else if !isNotFound(err) {
		return nil, fmt.Errorf("reading the referrers tag %s: %w", tag, err)
	}
	out := make([]Attachment, len(descs))
	for i, r := range descs {
		out[i] = describeReferrer(ctx, d, r, sources[i], opts)
	}
	return out, nil
}

func isNotFound(err error) bool {
	var te *transport.Error
	return errors.As(err, &te) && (te.StatusCode == http.StatusNotFound || hasCode(te, transport.ManifestUnknownErrorCode))
}

// describeReferrer says what one referrer is; what cannot be read goes
// into its Error.
func describeReferrer(ctx context.Context, subject name.Digest, r v1.Descriptor, source string, opts Options) Attachment {
	if (r.ArtifactType == "" || r.ArtifactType == emptyConfigMediaType) && r.MediaType.IsImage() && r.Size <= 4<<20 {
		// Some registries name an artifact by its (empty) config media
		// type rather than its artifactType: read the manifest.
		if img, err := remote.Image(subject.Context().Digest(r.Digest.String()), opts.remote(ctx)...); err == nil {
			if m, err := img.Manifest(); err == nil && m.ArtifactType != "" {
				r.ArtifactType, r.Annotations = m.ArtifactType, m.Annotations
			}
		}
	}
	a := Attachment{Source: source, Digest: r.Digest.String(), ArtifactType: r.ArtifactType}
	switch r.ArtifactType {
	case NotaryArtifactType:
		a.Kind = KindNotarySignature
		if err := describeNotary(ctx, subject, r, &a, opts); err != nil {
			a.Error = err.Error()
		}
	case SignatureArtifactType:
		a.Kind = KindCosignSignature
		a.Count = 1
	case SigstoreBundleArtifactType:
		a.Kind = KindSigstoreBundle
		if pt := r.Annotations[bundlePredicateAnnotation]; pt != "" {
			a.PredicateTypes = []string{pt}
		}
	case manifests.LifecycleArtifactType:
		a.Kind = KindLifecycle
		a.EndOfLife = r.Annotations[manifests.EndOfLifeAnnotation]
	case spdxArtifactType, cyclonedxArtifactType:
		a.Kind = KindSBOM
	default:
		a.Kind = KindOther
	}
	return a
}

// describeNotary reads a Notary signature's envelope (at most
// MaxNotaryEnvelope bytes, checked against its digest) for its signer and
// envelope type, without verifying it.
func describeNotary(ctx context.Context, subject name.Digest, r v1.Descriptor, a *Attachment, opts Options) error {
	if r.Size > 4<<20 {
		return fmt.Errorf("signature manifest is %d bytes: more than 4 MiB", r.Size)
	}
	img, err := remote.Image(subject.Context().Digest(r.Digest.String()), opts.remote(ctx)...)
	if err != nil {
		return fmt.Errorf("reading the signature manifest: %w", err)
	}
	m, err := img.Manifest()
	if err != nil {
		return fmt.Errorf("reading the signature manifest: %w", err)
	}
	if len(m.Layers) != 1 {
		return fmt.Errorf("signature manifest has %d layers, want one envelope", len(m.Layers))
	}
	ld := m.Layers[0]
	a.Envelope = string(ld.MediaType)
	if ld.Size > MaxNotaryEnvelope || ld.Size < 0 {
		return fmt.Errorf("the Notary signature envelope %s is %d bytes: more than %d (4 MiB), refusing to read it", ld.Digest, ld.Size, MaxNotaryEnvelope)
	}
	l, err := img.LayerByDigest(ld.Digest)
	if err != nil {
		return fmt.Errorf("reading the envelope: %w", err)
	}
	rc, err := l.Compressed()
	if err != nil {
		return fmt.Errorf("reading the envelope: %w", err)
	}
	defer rc.Close()
	blob, err := io.ReadAll(io.LimitReader(rc, MaxNotaryEnvelope+1))
	if err != nil {
		return fmt.Errorf("reading the envelope: %w", err)
	}
	if int64(len(blob)) > MaxNotaryEnvelope {
		return fmt.Errorf("the Notary signature envelope %s is more than %d bytes (4 MiB)", ld.Digest, MaxNotaryEnvelope)
	}
	env, err := signature.ParseEnvelope(string(ld.MediaType), blob)
	if err != nil {
		return fmt.Errorf("parsing the envelope: %w", err)
	}
	c, err := env.Content()
	if err != nil {
		return fmt.Errorf("parsing the envelope: %w", err)
	}
	if ch := c.SignerInfo.CertificateChain; len(ch) > 0 {
		a.Signer = ch[0].Subject.String()
	}
	return nil
}

// cosignTagged reads cosign's .sig, .att and .sbom tags of d.
func cosignTagged(ctx context.Context, d name.Digest, opts Options) ([]Attachment, error) {
	var out []Attachment
	for _, s := range []struct{ suffix, kind string }{{"sig", KindCosignSignature}, {"att", KindCosignAttestation}, {"sbom", KindSBOM}} {
		tag, err := suffixTag(d, s.suffix)
		if err != nil {
			return nil, err
		}
		img, err := remote.Image(tag, opts.remote(ctx)...)
		if err != nil {
			if isNotFound(err) {
				continue
			}
			return nil, fmt.Errorf("reading %s: %w", tag, err)
		}
		m, err := img.Manifest()
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", tag, err)
		}
		if len(m.Layers) > maxAttachedLayers {
			return nil, fmt.Errorf("%s has %d layers, more than the %d listed", tag, len(m.Layers), maxAttachedLayers)
		}
		dg, err := img.Digest()
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", tag, err)
		}
		a := Attachment{Kind: s.kind, Source: SourceCosignTag, Digest: dg.String(), Tag: tag.TagStr(), Count: len(m.Layers)}
		if s.kind == KindCosignAttestation {
			set := map[string]bool{}
			for _, l := range m.Layers {
				if pt := l.Annotations[PredicateAnnotation]; pt != "" && !set[pt] {
					set[pt] = true
					a.PredicateTypes = append(a.PredicateTypes, pt)
				}
			}
			sort.Strings(a.PredicateTypes)
		}
		out = append(out, a)
	}
	return out, nil
}

// WriteText writes the tree as a human reads it: each manifest, then one
// line per attachment.
func (t *AttachmentTree) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", t.Reference)
	for _, m := range t.Manifests {
		label := m.Digest
		if m.Platform != "" {
			label += " (" + m.Platform + ")"
		}
		fmt.Fprintf(&b, "└── %s\n", label)
		if len(m.Attachments) == 0 {
			fmt.Fprintf(&b, "    (nothing attached)\n")
		}
		for _, a := range m.Attachments {
			line := a.Kind
			switch {
			case a.Kind == KindNotarySignature:
				line += fmt.Sprintf(" %s signer %q", a.Envelope, a.Signer)
			case a.Kind == KindLifecycle:
				line += " end of life " + a.EndOfLife
			case len(a.PredicateTypes) > 0:
				line += " " + strings.Join(a.PredicateTypes, ", ")
			case a.Kind == KindOther:
				line += " " + a.ArtifactType
			}
			if a.Count > 1 {
				line += fmt.Sprintf(" (%d)", a.Count)
			}
			where := a.Source
			if a.Tag != "" {
				where += " " + a.Tag
			}
			fmt.Fprintf(&b, "    ├── %s  [%s %s]\n", line, where, a.Digest)
			if a.Error != "" {
				fmt.Fprintf(&b, "    │   error: %s\n", a.Error)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
