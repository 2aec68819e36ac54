package signing

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/notaryproject/notation-core-go/signature"
	"github.com/notaryproject/notation-core-go/signature/cose"
	"github.com/notaryproject/notation-core-go/signature/jws"
	corex509 "github.com/notaryproject/notation-core-go/x509"
	"github.com/notaryproject/notation-go"
	"github.com/notaryproject/notation-go/registry"
	"github.com/notaryproject/notation-go/signer"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"
	orasremote "oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"

	"github.com/slipway-build/slipway/manifests"
)

// NotaryArtifactType is the artifactType (and config media type) of a
// Notary Project signature manifest: an OCI 1.1 referrer whose one layer
// is the signature envelope.
const NotaryArtifactType = registry.ArtifactTypeNotation

// Bounds on what is read from a registry about Notary signatures.
const (
	// MaxNotaryEnvelope is the largest signature envelope read (a JWS or
	// COSE envelope with a certificate chain is a few kilobytes).
	MaxNotaryEnvelope = 4 << 20
	// MaxReferrerEntries is the most referrers of one manifest listed
	// (through the referrers API or the referrers tag) before giving up.
	MaxReferrerEntries = 1000
	// maxNotarySignatures is the most Notary signatures of one manifest
	// examined.
	maxNotarySignatures = 50
)

// NotaryEnvelope is the envelope format of a Notary signature: JWS (the
// default of notation sign) or COSE.
type NotaryEnvelope string

// The envelope formats notation knows.
const (
	NotaryJWS  NotaryEnvelope = "jws"
	NotaryCOSE NotaryEnvelope = "cose"
)

// ParseNotaryEnvelope reads "jws" (or "", the default) or "cose", as
// notation sign --signature-format takes them.
func ParseNotaryEnvelope(s string) (NotaryEnvelope, error) {
	switch NotaryEnvelope(s) {
	case "", NotaryJWS:
		return NotaryJWS, nil
	case NotaryCOSE:
		return NotaryCOSE, nil
	}
	return "", fmt.Errorf("notation envelope %q: want jws or cose", s)
}

// MediaType is the envelope's media type: application/jose+json or
// application/cose.
func (e NotaryEnvelope) MediaType() string {
	if e == NotaryCOSE {
		return cose.MediaTypeEnvelope
	}
	return jws.MediaTypeEnvelope
}

// NotaryKey is a Notary Project signing key. Signer makes the envelopes:
// for a local key and certificate chain LoadNotaryKey wraps notation-go's
// generic signer; a notation plugin (notation-go's signer.NewFromPlugin)
// or a key held in a KMS (signer.NewGenericSigner over a crypto.Signer
// whose Sign calls the service) fits the same field.
type NotaryKey struct {
	Signer notation.Signer
	// Chain is the certificate chain Signer signs with, leaf first. Its
	// leaf is how the signatures Signer already made are recognised
	// (NotarySign does not add a second one).
	Chain []*x509.Certificate
}

// LoadNotaryKey reads a local Notary signing key: keyPEM a PKCS#8, EC or
// RSA private key (unencrypted, as notation cert generate-test and
// openssl write them), chainPEM its certificate chain, leaf first. The
// chain must follow the Notary Project rules for code signing: the leaf
// with keyUsage digitalSignature and, if present, extendedKeyUsage
// codeSigning; each certificate signed by the next; CAs with
// basicConstraints CA:TRUE and keyUsage keyCertSign; every certificate
// valid now. keyName and chainName are used in errors only.
func LoadNotaryKey(keyName string, keyPEM []byte, chainName string, chainPEM []byte) (*NotaryKey, error) {
	key, err := parsePrivateKeyPEM(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("notation key %s: %w", keyName, err)
	}
	chain, err := parseCertificatesPEM(chainPEM)
	if err != nil {
		return nil, fmt.Errorf("notation certificate chain %s: %w", chainName, err)
	}
	pub, ok := key.(interface{ Public() crypto.PublicKey })
	if !ok {
		return nil, fmt.Errorf("notation key %s: unsupported key type %T", keyName, key)
	}
	if eq, ok := pub.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !eq.Equal(chain[0].PublicKey) {
		return nil, fmt.Errorf("notation key %s does not belong to the first certificate of %s (%s)", keyName, chainName, chain[0].Subject)
	}
	now := time.Now()
	if err := corex509.ValidateCodeSigningCertChain(chain, &now); err != nil {
		return nil, fmt.Errorf("notation certificate chain %s: %w", chainName, err)
	}
	s, err := signer.NewGenericSigner(key, chain)
	if err != nil {
		return nil, fmt.Errorf("notation key %s: %w", keyName, err)
	}
	return &NotaryKey{Signer: s, Chain: chain}, nil
}

func parsePrivateKeyPEM(data []byte) (crypto.PrivateKey, error) {
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil, errors.New("no PEM private key found")
		}
		switch b.Type {
		case "PRIVATE KEY":
			return x509.ParsePKCS8PrivateKey(b.Bytes)
		case "EC PRIVATE KEY":
			return x509.ParseECPrivateKey(b.Bytes)
		case "RSA PRIVATE KEY":
			return x509.ParsePKCS1PrivateKey(b.Bytes)
		case "ENCRYPTED PRIVATE KEY", "ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY":
			return nil, fmt.Errorf("an encrypted %s: notation keys are unencrypted PEM (PRIVATE KEY, EC PRIVATE KEY, RSA PRIVATE KEY)", b.Type)
		}
	}
}

// maxChain bounds the certificates of a chain file.
const maxChain = 16

func parseCertificatesPEM(data []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		if len(out) == maxChain {
			return nil, fmt.Errorf("more than %d certificates", maxChain)
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d: %w", len(out)+1, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("no PEM certificate found")
	}
	return out, nil
}

// NotaryOptions are the choices of NotarySign.
type NotaryOptions struct {
	Options
	// Envelope is the envelope format (default JWS).
	Envelope NotaryEnvelope
	// Expiry, when not zero, is how long the signature is valid.
	Expiry time.Duration
	// UserMetadata goes into the signed payload (notation sign
	// --user-metadata); keys may not start with io.cncf.notary.
	UserMetadata map[string]string
}

// NotarySignResult is what NotarySign did for one manifest.
type NotarySignResult struct {
	Target Target `json:"target"`
	// Digest is the signed manifest's digest.
	Digest string `json:"-"`
	// Existing is true when a signature by the same certificate in the
	// same envelope format was already there, and nothing was written.
	Existing bool   `json:"existing"`
	Envelope string `json:"envelope"` // the envelope's media type
}

// NotarySign signs one manifest with a Notary Project signature and
// pushes it as an OCI 1.1 referrer of the manifest (artifactType
// application/vnd.cncf.notary.signature), as notation sign does:
// notation-go's notation.Sign over an oras-go repository, which uses the
// referrers API where the registry has it and otherwise keeps the
// sha256-<hex> referrers tag (an index of the referrers). The registry is
// reached through opts' keychain and transport (with the credentials
// guard). A valid signature of the manifest by key's leaf certificate in
// the same envelope format already there is kept and nothing is added.
func NotarySign(ctx context.Context, t Target, key *NotaryKey, opts NotaryOptions) (NotarySignResult, error) {
	res := NotarySignResult{Target: t, Digest: t.Digest.DigestStr()}
	if key == nil || key.Signer == nil || len(key.Chain) == 0 {
		return res, fmt.Errorf("notation signing %s: no signing key with a certificate chain", t)
	}
	env, err := ParseNotaryEnvelope(string(opts.Envelope))
	if err != nil {
		return res, err
	}
	res.Envelope = env.MediaType()
	repo, err := newNotaryRepo(t.Digest.Context(), opts.Options)
	if err != nil {
		return res, fmt.Errorf("notation signing %s: %w", t, err)
	}
	desc, err := repo.Resolve(ctx, t.Digest.DigestStr())
	if err != nil {
		return res, fmt.Errorf("notation signing %s: reading its descriptor: %w", t, err)
	}
	found, err := repo.signedBy(ctx, desc, key.Chain[0], env.MediaType())
	if err != nil {
		return res, fmt.Errorf("notation signing %s: %w", t, err)
	}
	if found {
		res.Existing = true
		opts.log().Debug("already signed (notation)", "target", t.String())
		return res, nil
	}
	so := notation.SignOptions{
		SignerSignOptions: notation.SignerSignOptions{
			SignatureMediaType: env.MediaType(),
			ExpiryDuration:     opts.Expiry,
			SigningAgent:       "slipway",
		},
		ArtifactReference: t.Digest.DigestStr(),
		UserMetadata:      opts.UserMetadata,
	}
	if _, err := notation.Sign(ctx, key.Signer, repo, so); err != nil {
		return res, fmt.Errorf("notation signing %s: %w", t, err)
	}
	opts.log().Debug("signed (notation)", "target", t.String(), "envelope", env.MediaType())
	return res, nil
}

// NotarySignAll signs ref's manifest and, with recursive and an index,
// every image it lists (Targets), with NotarySign.
func NotarySignAll(ctx context.Context, ref name.Reference, recursive bool, key *NotaryKey, opts NotaryOptions) ([]NotarySignResult, error) {
	targets, err := Targets(ctx, ref, recursive, opts.Options)
	if err != nil {
		return nil, err
	}
	out := make([]NotarySignResult, 0, len(targets))
	for _, t := range targets {
		r, err := NotarySign(ctx, t, key, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// notaryRepo is notation-go's repository over oras-go's, with slipway's
// bounds on listing referrers and reading envelopes.
type notaryRepo struct {
	registry.Repository
	oras *orasremote.Repository
}

// newNotaryRepo makes an oras-go repository for repo that talks through
// opts' registry client (manifests.RegistryClient: the transport and
// guarded credentials push uses). Dangling referrers indexes are not deleted
// (as notation does: many registries refuse DELETE).
func newNotaryRepo(repo name.Repository, opts Options) (*notaryRepo, error) {
	kc, tr := manifests.RegistryClient(opts.Registry)
	r, err := orasremote.NewRepository(repo.Name())
	if err != nil {
		return nil, fmt.Errorf("repository %s: %w", repo, err)
	}
	r.PlainHTTP = repo.Registry.Scheme() == "http"
	r.SkipReferrersGC = true
	reg := repo.Registry
	r.Client = &auth.Client{
		Client: &http.Client{Transport: tr},
		Cache:  auth.NewCache(),
		Credential: func(ctx context.Context, hostport string) (auth.Credential, error) {
			if hostport != reg.RegistryStr() {
				return auth.EmptyCredential, nil
			}
			a, err := kc.Resolve(reg)
			if err != nil {
				return auth.EmptyCredential, fmt.Errorf("credentials for %s: %w", hostport, err)
			}
			cfg, err := authn.Authorization(ctx, a)
			if err != nil {
				return auth.EmptyCredential, fmt.Errorf("credentials for %s: %w", hostport, err)
			}
			return auth.Credential{Username: cfg.Username, Password: cfg.Password, RefreshToken: cfg.IdentityToken, AccessToken: cfg.RegistryToken}, nil
		},
	}
	return &notaryRepo{Repository: registry.NewRepository(r), oras: r}, nil
}

// ListSignatures lists the Notary signature manifests of desc, refusing
// a manifest with more than MaxReferrerEntries referrers of any kind or
// more than maxNotarySignatures signatures.
func (r *notaryRepo) ListSignatures(ctx context.Context, desc ocispec.Descriptor, fn func([]ocispec.Descriptor) error) error {
	sigs, err := r.signatureManifests(ctx, desc)
	if err != nil {
		return err
	}
	return fn(sigs)
}

func (r *notaryRepo) signatureManifests(ctx context.Context, desc ocispec.Descriptor) ([]ocispec.Descriptor, error) {
	refs, err := listReferrers(ctx, r.oras, desc)
	if err != nil {
		return nil, err
	}
	var sigs []ocispec.Descriptor
	for _, d := range refs {
		if d.ArtifactType == NotaryArtifactType {
			sigs = append(sigs, d)
		}
	}
	if len(sigs) > maxNotarySignatures {
		return nil, fmt.Errorf("%s has %d Notary signatures, more than the %d read", desc.Digest, len(sigs), maxNotarySignatures)
	}
	return sigs, nil
}

// listReferrers lists every referrer of desc (the referrers API, or the
// referrers tag on registries without it), at most MaxReferrerEntries.
func listReferrers(ctx context.Context, repo *orasremote.Repository, desc ocispec.Descriptor) ([]ocispec.Descriptor, error) {
	var out []ocispec.Descriptor
	err := repo.Referrers(ctx, desc, "", func(page []ocispec.Descriptor) error {
		if len(out)+len(page) > MaxReferrerEntries {
			return fmt.Errorf("%s has more than %d referrers: refusing to read them", desc.Digest, MaxReferrerEntries)
		}
		out = append(out, page...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing the referrers of %s: %w", desc.Digest, err)
	}
	return out, nil
}

// FetchSignatureBlob reads the envelope of a Notary signature manifest:
// its one layer, at most MaxNotaryEnvelope bytes, checked against its
// digest.
func (r *notaryRepo) FetchSignatureBlob(ctx context.Context, desc ocispec.Descriptor) ([]byte, ocispec.Descriptor, error) {
	if desc.MediaType != ocispec.MediaTypeImageManifest {
		return nil, ocispec.Descriptor{}, fmt.Errorf("the Notary signature manifest %s has media type %q, want %s", desc.Digest, desc.MediaType, ocispec.MediaTypeImageManifest)
	}
	if desc.Size > 4<<20 {
		return nil, ocispec.Descriptor{}, fmt.Errorf("the Notary signature manifest %s is %d bytes: more than 4 MiB", desc.Digest, desc.Size)
	}
	raw, err := content.FetchAll(ctx, r.oras.Manifests(), desc)
	if err != nil {
		return nil, ocispec.Descriptor{}, fmt.Errorf("reading Notary signature manifest %s: %w", desc.Digest, err)
	}
	var m ocispec.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, ocispec.Descriptor{}, fmt.Errorf("reading Notary signature manifest %s: %w", desc.Digest, err)
	}
	if len(m.Layers) != 1 {
		return nil, ocispec.Descriptor{}, fmt.Errorf("the Notary signature manifest %s has %d layers, want one envelope", desc.Digest, len(m.Layers))
	}
	blob := m.Layers[0]
	if blob.Size > MaxNotaryEnvelope || blob.Size < 0 {
		return nil, ocispec.Descriptor{}, fmt.Errorf("the Notary signature envelope %s is %d bytes: more than %d (4 MiB), refusing to read it", blob.Digest, blob.Size, MaxNotaryEnvelope)
	}
	data, err := content.FetchAll(ctx, r.oras.Blobs(), blob)
	if err != nil {
		return nil, ocispec.Descriptor{}, fmt.Errorf("reading Notary signature envelope %s: %w", blob.Digest, err)
	}
	return data, blob, nil
}

// signedBy says whether desc already has a Notary signature in envelope
// format mediaType, whose envelope verifies, is about desc, has not
// expired and was made with leaf.
func (r *notaryRepo) signedBy(ctx context.Context, desc ocispec.Descriptor, leaf *x509.Certificate, mediaType string) (bool, error) {
	sigs, err := r.signatureManifests(ctx, desc)
	if err != nil {
		return false, err
	}
	for _, sd := range sigs {
		blob, bd, err := r.FetchSignatureBlob(ctx, sd)
		if err != nil {
			return false, err
		}
		if bd.MediaType != mediaType {
			continue
		}
		info, target, err := openEnvelope(bd.MediaType, blob)
		if err != nil {
			continue // someone else's broken signature: not ours
		}
		if target.Digest != desc.Digest || len(info.CertificateChain) == 0 || !bytes.Equal(info.CertificateChain[0].Raw, leaf.Raw) {
			continue
		}
		if exp := info.SignedAttributes.Expiry; !exp.IsZero() && time.Now().After(exp) {
			continue
		}
		return true, nil
	}
	return false, nil
}

// openEnvelope checks an envelope's integrity and returns its signer
// information and the descriptor it signs.
func openEnvelope(mediaType string, blob []byte) (*signature.SignerInfo, ocispec.Descriptor, error) {
	env, err := signature.ParseEnvelope(mediaType, blob)
	if err != nil {
		return nil, ocispec.Descriptor{}, err
	}
	c, err := env.Verify()
	if err != nil {
		return nil, ocispec.Descriptor{}, err
	}
	var pl struct {
		TargetArtifact ocispec.Descriptor `json:"targetArtifact"`
	}
	if err := json.Unmarshal(c.Payload.Content, &pl); err != nil {
		return nil, ocispec.Descriptor{}, fmt.Errorf("reading the signed payload: %w", err)
	}
	if _, err := digest.Parse(pl.TargetArtifact.Digest.String()); err != nil {
		return nil, ocispec.Descriptor{}, fmt.Errorf("the signed payload names no digest: %w", err)
	}
	return &c.SignerInfo, pl.TargetArtifact, nil
}
