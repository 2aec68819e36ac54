package signing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/notaryproject/notation-core-go/revocation"
	"github.com/notaryproject/notation-core-go/revocation/purpose"
	"github.com/notaryproject/notation-go"
	"github.com/notaryproject/notation-go/dir"
	"github.com/notaryproject/notation-go/verifier"
	"github.com/notaryproject/notation-go/verifier/trustpolicy"
	"github.com/notaryproject/notation-go/verifier/truststore"
)

// maxTrustPolicy bounds a trust policy file.
const maxTrustPolicy = 1 << 20

// NotaryTrust is what Notary signatures are verified against: a trust
// policy and a trust store, as the notation CLI keeps them.
type NotaryTrust struct {
	verifier notation.Verifier
}

// NotaryTrustOptions are the choices of LoadNotaryTrust.
type NotaryTrustOptions struct {
	// RevocationClient makes the OCSP and CRL requests of the revocation
	// check the trust policy asks for. nil is offline: every request
	// fails, so a certificate naming an OCSP responder or a CRL has an
	// unknown revocation status, which the policy's "revocation" action
	// decides on (enforce fails, log passes); certificates naming neither
	// are not revocable and pass.
	RevocationClient *http.Client
}

// LoadNotaryTrust reads a notation trust policy (policyFile: the
// trustpolicy.json or trustpolicy.oci.json of notation's configuration
// directory, format version 1.0: registry scopes, signature verification
// level and overrides, trust stores, trusted identities) and makes
// notation-go's verifier over the trust store at storeDir. storeDir is
// laid out as notation lays it out: either notation's configuration
// directory (holding truststore/x509/ca/NAME/*.pem) or its truststore
// directory itself (holding x509/ca/NAME/*.pem); the policy's
// "ca:NAME" trust stores are those NAME directories.
func LoadNotaryTrust(policyFile, storeDir string, to NotaryTrustOptions) (*NotaryTrust, error) {
	data, err := readLimited(policyFile, maxTrustPolicy)
	if err != nil {
		return nil, fmt.Errorf("reading notation trust policy: %w", err)
	}
	var doc trustpolicy.Document
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("notation trust policy %s: %w", policyFile, err)
	}
	if err := doc.Validate(); err != nil {
		return nil, fmt.Errorf("notation trust policy %s: %w", policyFile, err)
	}
	root, err := trustStoreRoot(storeDir)
	if err != nil {
		return nil, err
	}
	client := to.RevocationClient
	if client == nil {
		client = &http.Client{Transport: offlineTransport{}}
	}
	rv, err := revocation.NewWithOptions(revocation.Options{OCSPHTTPClient: client, CertChainPurpose: purpose.CodeSigning})
	if err != nil {
		return nil, fmt.Errorf("notation revocation check: %w", err)
	}
	rvTS, err := revocation.NewWithOptions(revocation.Options{OCSPHTTPClient: client, CertChainPurpose: purpose.Timestamping})
	if err != nil {
		return nil, fmt.Errorf("notation revocation check: %w", err)
	}
	v, err := verifier.NewWithOptions(&doc, truststore.NewX509TrustStore(root), nil, verifier.VerifierOptions{
		RevocationCodeSigningValidator:  rv,
		RevocationTimestampingValidator: rvTS,
	})
	if err != nil {
		return nil, fmt.Errorf("notation trust policy %s: %w", policyFile, err)
	}
	return &NotaryTrust{verifier: v}, nil
}

func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("%s is %d bytes, more than %d", path, st.Size(), limit)
	}
	buf := make([]byte, st.Size())
	if _, err := f.ReadAt(buf, 0); err != nil && st.Size() > 0 {
		return nil, err
	}
	return buf, nil
}

// trustStoreRoot finds notation's configuration directory for a trust
// store directory given either as that directory or as its truststore
// subdirectory.
func trustStoreRoot(storeDir string) (dir.SysFS, error) {
	if st, err := os.Stat(filepath.Join(storeDir, dir.TrustStoreDir, "x509")); err == nil && st.IsDir() {
		return dir.NewSysFS(storeDir), nil
	}
	if st, err := os.Stat(filepath.Join(storeDir, "x509")); err == nil && st.IsDir() {
		return truststoreFS{storeDir}, nil
	}
	return nil, fmt.Errorf("notation trust store %s: no x509 directory in it nor in %s (want x509/ca/NAME/*.pem, as notation cert add lays it out)",
		storeDir, filepath.Join(storeDir, dir.TrustStoreDir))
}

// truststoreFS is notation's configuration directory seen from its
// truststore directory: truststore/x509/... maps to DIR/x509/....
type truststoreFS struct{ dir string }

func (t truststoreFS) Open(name string) (fs.File, error) {
	rel, err := t.rel(name)
	if err != nil {
		return nil, err
	}
	return os.DirFS(t.dir).Open(rel)
}

func (t truststoreFS) SysPath(items ...string) (string, error) {
	rel, err := t.rel(filepath.ToSlash(filepath.Join(items...)))
	if err != nil {
		return "", err
	}
	return filepath.Join(t.dir, filepath.FromSlash(rel)), nil
}

func (t truststoreFS) rel(name string) (string, error) {
	rest, ok := strings.CutPrefix(name, dir.TrustStoreDir+"/")
	if !ok || !fs.ValidPath(rest) {
		return "", fmt.Errorf("%s: not in the trust store", name)
	}
	return rest, nil
}

// offlineTransport fails every request: revocation checks without a
// network.
type offlineTransport struct{}

func (offlineTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	return nil, fmt.Errorf("offline: not fetching %s for the revocation check", req.URL.Redacted())
}

// NotaryVerifyResult is a verified Notary signature of one manifest.
type NotaryVerifyResult struct {
	Target Target `json:"target"`
	Digest string `json:"-"`
	// Signer is the subject of the signing certificate; Envelope the
	// envelope's media type; Level the trust policy's verification level
	// (strict, permissive, audit, skip).
	Signer   string `json:"signer,omitempty"`
	Envelope string `json:"envelope,omitempty"`
	Level    string `json:"level"`
	// Skipped is true when the trust policy's level is skip: nothing was
	// checked.
	Skipped bool `json:"skipped,omitempty"`
	// Warnings are the checks that failed but that the policy only logs
	// (permissive and audit levels, revocation "log").
	Warnings []string `json:"warnings,omitempty"`
}

// NotaryVerify verifies the Notary signatures of one manifest with
// notation-go's verifier (notation.Verify) against trust: the policy
// whose registry scope matches the manifest's repository, its trust
// stores and trusted identities, signature expiry, and revocation as far
// as trust's revocation client reaches. The signatures are found as
// NotarySign stores them (the referrers API or the referrers tag). A
// failure is a *VerificationError.
func NotaryVerify(ctx context.Context, t Target, trust *NotaryTrust, opts Options) (*NotaryVerifyResult, error) {
	if trust == nil || trust.verifier == nil {
		return nil, &VerificationError{Target: t, Reason: "no notation trust policy"}
	}
	repo, err := newNotaryRepo(t.Digest.Context(), opts)
	if err != nil {
		return nil, fmt.Errorf("notation verifying %s: %w", t, err)
	}
	ref := t.Digest.Context().Name() + "@" + t.Digest.DigestStr()
	_, outcomes, err := notation.Verify(ctx, trust.verifier, repo, notation.VerifyOptions{
		ArtifactReference:    ref,
		MaxSignatureAttempts: maxNotarySignatures,
	})
	if err != nil {
		reason := "Notary signature verification failed"
		var nf notation.SignatureRetrievalFailedError
		if errors.As(err, &nf) {
			reason = "no valid Notary signature found"
		}
		return nil, &VerificationError{Target: t, Reason: reason, Err: err}
	}
	if len(outcomes) == 0 {
		return nil, &VerificationError{Target: t, Reason: "no valid Notary signature found"}
	}
	o := outcomes[0]
	res := &NotaryVerifyResult{Target: t, Digest: t.Digest.DigestStr()}
	if o.VerificationLevel != nil {
		res.Level = o.VerificationLevel.Name
	}
	if o.EnvelopeContent == nil {
		res.Skipped = true
		return res, nil
	}
	if ch := o.EnvelopeContent.SignerInfo.CertificateChain; len(ch) > 0 {
		res.Signer = ch[0].Subject.String()
	}
	for _, r := range o.VerificationResults {
		if r != nil && r.Error != nil {
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s: %v", r.Type, r.Error))
		}
	}
	res.Envelope = envelopeMediaType(o.RawSignature)
	return res, nil
}

// envelopeMediaType tells a JWS envelope (JSON) from a COSE one (CBOR).
func envelopeMediaType(raw []byte) string {
	if json.Valid(raw) {
		return NotaryJWS.MediaType()
	}
	return NotaryCOSE.MediaType()
}

// NotaryVerifyAll verifies ref's manifest and, with recursive and an
// index, every image it lists; the first failure is returned.
func NotaryVerifyAll(ctx context.Context, ref name.Reference, recursive bool, trust *NotaryTrust, opts Options) ([]NotaryVerifyResult, error) {
	targets, err := Targets(ctx, ref, recursive, opts)
	if err != nil {
		return nil, err
	}
	out := make([]NotaryVerifyResult, 0, len(targets))
	for _, t := range targets {
		r, err := NotaryVerify(ctx, t, trust, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, nil
}
