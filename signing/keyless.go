package signing

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/options"
)

// The annotations cosign puts on a keyless or logged signature layer
// (cosign v2.6.5 pkg/oci/static: CertificateAnnotationKey,
// ChainAnnotationKey, BundleAnnotationKey).
const (
	CertificateAnnotation = "dev.sigstore.cosign/certificate"
	ChainAnnotation       = "dev.sigstore.cosign/chain"
	BundleAnnotation      = "dev.sigstore.cosign/bundle"
)

// The public Sigstore instances, cosign's defaults.
const (
	PublicFulcioURL = "https://fulcio.sigstore.dev"
	PublicRekorURL  = "https://rekor.sigstore.dev"
)

// maxResponse bounds what is read from Fulcio and Rekor.
const maxResponse = 4 << 20

// KeylessOptions are how to get a signing certificate from Fulcio.
type KeylessOptions struct {
	FulcioURL string // PublicFulcioURL if empty
	// IdentityToken is the OIDC identity token (a JWT) Fulcio binds the
	// certificate to. It is sent to Fulcio only and never appears in an
	// error.
	IdentityToken string
	Client        *http.Client // nil: a client without a timeout of its own; ctx bounds it
}

// KeylessSigner makes an ephemeral ECDSA P-256 key and has Fulcio certify
// it for the identity in the token, as cosign sign does without --key
// (cosign v2.6.5 cmd/cosign/cli/fulcio.GetCert): POST /api/v1/signingCert
// with the PEM public key and, as proof of possession, the key's
// signature over the token's subject (its email when it has one, else
// "sub"). The returned Signer puts the certificate and chain on every
// signature layer. The private key lives only in memory.
func KeylessSigner(ctx context.Context, ko KeylessOptions) (*Signer, error) {
	if ko.IdentityToken == "" {
		return nil, errors.New("keyless signing needs an OIDC identity token")
	}
	subject, err := tokenSubject(ko.IdentityToken)
	if err != nil {
		return nil, fmt.Errorf("identity token: %w", err)
	}
	sv, _, err := signature.NewDefaultECDSASignerVerifier()
	if err != nil {
		return nil, fmt.Errorf("making an ephemeral key: %w", err)
	}
	pub, err := sv.PublicKey()
	if err != nil {
		return nil, err
	}
	pubPEM, err := cryptoutils.MarshalPublicKeyToPEM(pub)
	if err != nil {
		return nil, err
	}
	proof, err := sv.SignMessage(strings.NewReader(subject), options.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("signing the proof of possession: %w", err)
	}
	// The JSON of fulcio/pkg/api.CertificateRequest: []byte fields are base64.
	req, err := json.Marshal(map[string]any{
		"publicKey":          map[string]any{"content": pubPEM},
		"signedEmailAddress": proof,
	})
	if err != nil {
		return nil, err
	}
	base := ko.FulcioURL
	if base == "" {
		base = PublicFulcioURL
	}
	endpoint, err := joinURL(base, "/api/v1/signingCert")
	if err != nil {
		return nil, fmt.Errorf("the Fulcio URL: %w", err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(req))
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("Authorization", "Bearer "+ko.IdentityToken)
	hreq.Header.Set("Content-Type", "application/json")
	body, status, _, err := do(client(ko.Client), hreq)
	if err != nil {
		return nil, fmt.Errorf("asking Fulcio %s for a certificate: %w", endpoint, err)
	}
	if status != http.StatusCreated {
		return nil, fmt.Errorf("the Fulcio server %s: %s: %s", endpoint, http.StatusText(status), snippet(body, ko.IdentityToken))
	}
	certBlock, rest := pem.Decode(body)
	if certBlock == nil || certBlock.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("the Fulcio server %s returned no PEM certificate", endpoint)
	}
	certs, err := cryptoutils.UnmarshalCertificatesFromPEM(body)
	if err != nil {
		return nil, fmt.Errorf("the Fulcio server %s: reading the certificates: %w", endpoint, err)
	}
	if err := cryptoutils.EqualKeys(certs[0].PublicKey, pub); err != nil {
		return nil, fmt.Errorf("the Fulcio server %s certified another key: %w", endpoint, err)
	}
	return &Signer{
		Key:   sv,
		Cert:  pem.EncodeToMemory(certBlock),
		Chain: bytes.TrimLeft(rest, "\n"),
	}, nil
}

// CheckIdentityToken says whether token can be used for KeylessSigner:
// a JWT with a subject Fulcio can certify (a verified email, or "sub").
// The signature and expiry are not checked (Fulcio does). The error
// does not contain the token.
func CheckIdentityToken(token string) error {
	if token == "" {
		return errors.New("keyless signing needs an OIDC identity token")
	}
	_, err := tokenSubject(token)
	return err
}

// tokenSubject is the identity Fulcio certifies, from the token's claims
// (not verified here: Fulcio verifies the token): the email, which must
// be verified, or else the subject (sigstore's oauthflow subjectFromClaims).
func tokenSubject(token string) (string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", errors.New("not a JWT (want three dot-separated parts)")
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return "", fmt.Errorf("claims are not base64url: %w", err)
	}
	var c struct {
		Email    string `json:"email"`
		Verified any    `json:"email_verified"`
		Subject  string `json:"sub"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return "", fmt.Errorf("claims are not JSON: %w", err)
	}
	if c.Email != "" {
		if v, ok := c.Verified.(bool); !ok || !v {
			if s, ok := c.Verified.(string); !ok || s != "true" {
				return "", errors.New("the email is not verified by the identity provider")
			}
		}
		return c.Email, nil
	}
	if c.Subject == "" {
		return "", errors.New("no subject in the claims")
	}
	return c.Subject, nil
}

// Rekor is a transparency log signatures are uploaded to.
type Rekor struct {
	URL    string       // PublicRekorURL if empty
	Client *http.Client // nil: a client without a timeout of its own; ctx bounds it
}

// rekorBundle is cosign's bundle annotation (cosign v2.6.5
// pkg/cosign/bundle.RekorBundle): the log's signed entry timestamp and
// what it signs.
type rekorBundle struct {
	SignedEntryTimestamp []byte
	Payload              rekorPayload
}

type rekorPayload struct {
	Body           any    `json:"body"`
	IntegratedTime int64  `json:"integratedTime"`
	LogIndex       int64  `json:"logIndex"`
	LogID          string `json:"logID"`
}

// logEntry is a Rekor LogEntryAnon, the part cosign keeps.
type logEntry struct {
	Body           any    `json:"body"`
	IntegratedTime *int64 `json:"integratedTime"`
	LogID          string `json:"logID"`
	LogIndex       *int64 `json:"logIndex"`
	Verification   *struct {
		SignedEntryTimestamp []byte `json:"signedEntryTimestamp"`
	} `json:"verification"`
}

// upload logs a signature of payload by the key in pemBytes (the
// certificate, or the public key) as a hashedrekord v0.0.1 entry, as
// cosign v2.6.5 does (pkg/cosign.TLogUpload, rekorEntry), and returns
// the bundle annotation's JSON.
func (r *Rekor) upload(ctx context.Context, sig, payload, pemBytes []byte) ([]byte, error) {
	sum := sha256.Sum256(payload)
	entry, err := json.Marshal(map[string]any{
		"apiVersion": "0.0.1",
		"kind":       "hashedrekord",
		"spec": map[string]any{
			"data": map[string]any{"hash": map[string]any{"algorithm": "sha256", "value": hex.EncodeToString(sum[:])}},
			"signature": map[string]any{
				"content":   base64.StdEncoding.EncodeToString(sig),
				"publicKey": map[string]any{"content": base64.StdEncoding.EncodeToString(pemBytes)},
			},
		},
	})
	if err != nil {
		return nil, err
	}
	return r.post(ctx, entry)
}

// uploadDSSE logs a signed DSSE envelope (an attestation) as a dsse
// v0.0.1 entry, what cosign v2.6.5 attest uploads by default
// (--rekor-entry-type dsse; pkg/cosign.TLogUploadDSSEEnvelope, dsseEntry,
// and rekor v1.4.3 pkg/types/dsse/v0.0.1 CreateFromArtifactProperties):
// the proposed content is the envelope exactly as the layer holds it
// and the verifier, the certificate or public key in PEM. Rekor checks
// the envelope's signatures with the verifier and logs the envelope's
// and the payload's SHA-256 with the signatures and the verifier;
// cosign verify-attestation then matches the envelope hash with the
// layer and the verifier with the certificate or key. It returns the
// bundle annotation's JSON.
func (r *Rekor) uploadDSSE(ctx context.Context, envelope, pemBytes []byte) ([]byte, error) {
	if !json.Valid(envelope) {
		return nil, errors.New("the DSSE envelope is not JSON")
	}
	entry, err := json.Marshal(map[string]any{
		"apiVersion": "0.0.1",
		"kind":       "dsse",
		"spec": map[string]any{
			"proposedContent": map[string]any{
				"envelope":  string(envelope),
				"verifiers": []string{base64.StdEncoding.EncodeToString(pemBytes)},
			},
		},
	})
	if err != nil {
		return nil, err
	}
	return r.post(ctx, entry)
}

// post proposes entry to the log and returns the bundle annotation's
// JSON of the entry Rekor made. An entry the log already has (409) is
// fetched from the Location Rekor gives.
func (r *Rekor) post(ctx context.Context, entry []byte) ([]byte, error) {
	base := r.URL
	if base == "" {
		base = PublicRekorURL
	}
	endpoint, err := joinURL(base, "/api/v1/log/entries")
	if err != nil {
		return nil, fmt.Errorf("Rekor URL: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(entry))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	c := client(r.Client)
	resp, status, hdr, err := do(c, req)
	if err != nil {
		return nil, fmt.Errorf("uploading to Rekor %s: %w", endpoint, err)
	}
	switch status {
	case http.StatusCreated:
	case http.StatusConflict:
		loc := hdr.Get("Location")
		u, err := url.Parse(loc)
		if err != nil || loc == "" {
			return nil, fmt.Errorf("Rekor %s: the entry exists, but no Location says where", endpoint)
		}
		get, err := http.NewRequestWithContext(ctx, http.MethodGet, req.URL.ResolveReference(u).String(), nil)
		if err != nil {
			return nil, err
		}
		get.Header.Set("Accept", "application/json")
		if resp, status, _, err = do(c, get); err != nil {
			return nil, fmt.Errorf("reading the existing Rekor entry: %w", err)
		}
		if status != http.StatusOK {
			return nil, fmt.Errorf("reading the existing Rekor entry %s: %s: %s", get.URL, http.StatusText(status), snippet(resp, ""))
		}
	default:
		return nil, fmt.Errorf("Rekor %s: %s: %s", endpoint, http.StatusText(status), snippet(resp, ""))
	}
	var entries map[string]logEntry
	if err := json.Unmarshal(resp, &entries); err != nil {
		return nil, fmt.Errorf("Rekor %s: reading the entry: %w", endpoint, err)
	}
	if len(entries) != 1 {
		return nil, fmt.Errorf("Rekor %s returned %d entries, want 1", endpoint, len(entries))
	}
	for _, e := range entries {
		if e.Verification == nil || len(e.Verification.SignedEntryTimestamp) == 0 || e.IntegratedTime == nil || e.LogIndex == nil || e.LogID == "" {
			return nil, fmt.Errorf("Rekor %s returned an entry without its signed entry timestamp, time, index or log id", endpoint)
		}
		return json.Marshal(rekorBundle{
			SignedEntryTimestamp: e.Verification.SignedEntryTimestamp,
			Payload:              rekorPayload{Body: e.Body, IntegratedTime: *e.IntegratedTime, LogIndex: *e.LogIndex, LogID: e.LogID},
		})
	}
	return nil, fmt.Errorf("Rekor %s returned no entry", endpoint)
}

func client(c *http.Client) *http.Client {
	if c == nil {
		return &http.Client{}
	}
	return c
}

// do sends req and reads at most maxResponse bytes of the answer.
func do(c *http.Client, req *http.Request) ([]byte, int, http.Header, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return nil, 0, nil, err
	}
	if len(body) > maxResponse {
		return nil, 0, nil, fmt.Errorf("answer over %d bytes", maxResponse)
	}
	return body, resp.StatusCode, resp.Header, nil
}

func joinURL(base, path string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	if u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
		return "", fmt.Errorf("%q: want http(s)://HOST", base)
	}
	u.Path = strings.TrimRight(u.Path, "/") + path
	return u.String(), nil
}

// snippet is the start of an error answer, with secret cut out.
func snippet(b []byte, secret string) string {
	s := string(b)
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	if secret != "" {
		s = strings.ReplaceAll(s, secret, "****")
	}
	return strings.TrimSpace(s)
}
