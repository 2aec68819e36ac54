package signing

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/slipway-build/slipway/internal/localfile"
)

// Identity is who a keyless signature's certificate must name, as cosign
// verify's --certificate-identity[-regexp] and
// --certificate-oidc-issuer[-regexp] say it: one of Subject or
// SubjectRegexp, and one of Issuer or IssuerRegexp. The subject is matched
// against the certificate's e-mail and URI SANs; the issuer against its
// OIDC issuer extension (1.3.6.1.4.1.57264.1.8, else the older .1.1). A
// regular expression is matched as cosign matches it: anywhere in the
// value (anchor it with ^...$).
type Identity struct {
	Subject, SubjectRegexp string
	Issuer, IssuerRegexp   string
}

// KeylessTrust is what a keyless signature (cosign sign without --key:
// an ephemeral key certified by Fulcio) is checked against, offline:
//
//   - Roots, the CA certificates the signing certificate must chain to
//     (cosign --ca-roots, SIGSTORE_ROOT_FILE); the chain annotation gives
//     the intermediates;
//   - the Identity the certificate must name;
//   - RekorKeys, the transparency logs' public keys (cosign
//     SIGSTORE_REKOR_PUBLIC_KEY): when set, each signature must carry a
//     Rekor bundle (cosign's bundle annotation) whose signed entry
//     timestamp one of them verifies, whose entry is this signature by
//     this certificate over this payload, and whose time lies within the
//     certificate's validity. Without them the log is not consulted
//     (cosign verify --insecure-ignore-tlog) and the certificate must be
//     valid now: a Fulcio certificate is valid for ten minutes, so only a
//     certificate of a longer-lived CA passes later.
//
// Nothing is fetched: no inclusion proof is read from Rekor (cosign
// verify without --offline would; the signed entry timestamp is what it
// checks offline).
type KeylessTrust struct {
	Roots     *x509.CertPool
	Identity  Identity
	RekorKeys []crypto.PublicKey
	// Now is the time a certificate is checked at without RekorKeys
	// (time.Now when nil).
	Now func() time.Time

	subject, issuer *regexp.Regexp
}

// The OIDC issuer extensions of a Fulcio certificate.
var (
	oidIssuerV1 = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 1}
	oidIssuerV2 = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 8}
)

// NewKeylessTrust checks the identity (as cosign does: a subject and an
// issuer, exact or by regular expression) and roots (at least one).
func NewKeylessTrust(roots []*x509.Certificate, id Identity, rekorKeys []crypto.PublicKey) (*KeylessTrust, error) {
	if len(roots) == 0 {
		return nil, errors.New("keyless verification needs the CA roots the certificates chain to")
	}
	if (id.Subject == "") == (id.SubjectRegexp == "") {
		return nil, errors.New("keyless verification needs one of a certificate identity and an identity regexp")
	}
	if (id.Issuer == "") == (id.IssuerRegexp == "") {
		return nil, errors.New("keyless verification needs one of an OIDC issuer and an issuer regexp")
	}
	k := &KeylessTrust{Roots: x509.NewCertPool(), Identity: id, RekorKeys: rekorKeys}
	for _, r := range roots {
		k.Roots.AddCert(r)
	}
	var err error
	if id.SubjectRegexp != "" {
		if k.subject, err = regexp.Compile(id.SubjectRegexp); err != nil {
			return nil, fmt.Errorf("identity regexp: %w", err)
		}
	}
	if id.IssuerRegexp != "" {
		if k.issuer, err = regexp.Compile(id.IssuerRegexp); err != nil {
			return nil, fmt.Errorf("issuer regexp: %w", err)
		}
	}
	return k, nil
}

// LoadKeylessTrust reads the CA roots (a PEM file) and, unless rekorKey
// is "", the Rekor log's PEM public key of a keyless verification for id:
// what `slipway verify --ca-roots --rekor-key` and [image]
// base_verify_ca_roots and base_verify_rekor_key name.
func LoadKeylessTrust(caRoots, rekorKey string, id Identity) (*KeylessTrust, error) {
	data, err := localfile.ReadFile(caRoots, "CA roots", localfile.KeyLimit)
	if err != nil {
		return nil, err
	}
	roots, err := LoadCertificates(caRoots, data)
	if err != nil {
		return nil, err
	}
	var logs []crypto.PublicKey
	if rekorKey != "" {
		data, err := localfile.ReadFile(rekorKey, "Rekor public key", localfile.KeyLimit)
		if err != nil {
			return nil, err
		}
		pub, err := LoadRekorKey(rekorKey, data)
		if err != nil {
			return nil, err
		}
		logs = append(logs, pub)
	}
	return NewKeylessTrust(roots, id, logs)
}

// LoadCertificates reads the PEM certificates of a roots file.
func LoadCertificates(name string, pemBytes []byte) ([]*x509.Certificate, error) {
	certs, err := cryptoutils.UnmarshalCertificatesFromPEM(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("reading certificates %s: %w", name, err)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("reading certificates %s: no PEM certificate", name)
	}
	return certs, nil
}

// LoadRekorKey reads a transparency log's PEM public key.
func LoadRekorKey(name string, pemBytes []byte) (crypto.PublicKey, error) {
	pub, err := cryptoutils.UnmarshalPEMToPublicKey(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("reading the Rekor public key %s: %w", name, err)
	}
	return pub, nil
}

// String says what signatures must be by, for errors.
func (k *KeylessTrust) String() string {
	s := "identity " + k.Identity.Subject
	if k.subject != nil {
		s = "identity matching " + k.Identity.SubjectRegexp
	}
	if k.issuer != nil {
		return s + " (issuer matching " + k.Identity.IssuerRegexp + ")"
	}
	return s + " (issuer " + k.Identity.Issuer + ")"
}

// verifier checks e's certificate (chain, identity, time and, with
// RekorKeys, its bundle) and returns the verifier of its key; checking
// the signature with it is left to the caller.
func (k *KeylessTrust) verifier(e layerEntry) (signature.Verifier, error) {
	certPEM, ok := e.Annotations[CertificateAnnotation]
	if !ok || certPEM == "" {
		return nil, errors.New("no certificate: not a keyless signature")
	}
	certs, err := cryptoutils.UnmarshalCertificatesFromPEM([]byte(certPEM))
	if err != nil || len(certs) != 1 {
		return nil, fmt.Errorf("the certificate annotation holds no single certificate (%v)", err)
	}
	cert := certs[0]
	inter := x509.NewCertPool()
	if chain := e.Annotations[ChainAnnotation]; chain != "" {
		cs, err := cryptoutils.UnmarshalCertificatesFromPEM([]byte(chain))
		if err != nil {
			return nil, fmt.Errorf("the chain annotation: %w", err)
		}
		for _, c := range cs {
			inter.AddCert(c)
		}
	}
	// As cosign: the chain is checked at the certificate's start (a
	// Fulcio certificate outlives nothing); its time is checked below.
	if _, err := cert.Verify(x509.VerifyOptions{
		Roots: k.Roots, Intermediates: inter, CurrentTime: cert.NotBefore,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
	}); err != nil {
		return nil, fmt.Errorf("the certificate does not chain to the trusted roots: %w", err)
	}
	if err := k.checkIdentity(cert); err != nil {
		return nil, err
	}
	at := time.Now()
	if k.Now != nil {
		at = k.Now()
	}
	if len(k.RekorKeys) > 0 {
		if at, err = k.checkBundle(e, cert); err != nil {
			return nil, err
		}
	}
	if at.Before(cert.NotBefore) || at.After(cert.NotAfter) {
		how := "now"
		if len(k.RekorKeys) > 0 {
			how = "when the log recorded the signature"
		}
		return nil, fmt.Errorf("the certificate was not valid %s (%s; valid %s to %s)", how,
			at.UTC().Format(time.RFC3339), cert.NotBefore.UTC().Format(time.RFC3339), cert.NotAfter.UTC().Format(time.RFC3339))
	}
	return signature.LoadDefaultVerifier(cert.PublicKey)
}

// checkIdentity matches the certificate's SANs and issuer with k's.
func (k *KeylessTrust) checkIdentity(cert *x509.Certificate) error {
	var sans []string
	sans = append(sans, cert.EmailAddresses...)
	for _, u := range cert.URIs {
		sans = append(sans, u.String())
	}
	match := func(s string) bool {
		if k.subject != nil {
			return k.subject.MatchString(s)
		}
		return s == k.Identity.Subject
	}
	if !slices.ContainsFunc(sans, match) {
		return fmt.Errorf("the certificate is for %q, not the %s", sans, k)
	}
	issuer := ""
	for _, x := range cert.Extensions {
		switch {
		case x.Id.Equal(oidIssuerV2):
			var s string
			if _, err := asn1.Unmarshal(x.Value, &s); err != nil {
				return fmt.Errorf("the certificate's OIDC issuer extension: %w", err)
			}
			issuer = s
		case x.Id.Equal(oidIssuerV1) && issuer == "":
			issuer = string(x.Value)
		}
	}
	if ok := (k.issuer != nil && k.issuer.MatchString(issuer)) || (k.issuer == nil && issuer == k.Identity.Issuer); !ok || issuer == "" {
		return fmt.Errorf("the certificate's OIDC issuer is %q, not the %s", issuer, k)
	}
	return nil
}

// checkBundle checks e's Rekor bundle as cosign does offline: the signed
// entry timestamp verifies with one of k's log keys (the one whose
// SHA-256 is the bundle's log id), and the logged entry is e's: a
// hashedrekord of its signature over its payload's SHA-256 by cert, or a
// dsse entry of its envelope by cert. It returns the time the entry was
// logged.
func (k *KeylessTrust) checkBundle(e layerEntry, cert *x509.Certificate) (time.Time, error) {
	raw, ok := e.Annotations[BundleAnnotation]
	if !ok {
		return time.Time{}, errors.New("no Rekor bundle, and the trust names a transparency log")
	}
	var b rekorBundle
	if err := json.Unmarshal([]byte(raw), &b); err != nil {
		return time.Time{}, fmt.Errorf("the Rekor bundle: %w", err)
	}
	var key crypto.PublicKey
	for _, pk := range k.RekorKeys {
		der, err := x509.MarshalPKIXPublicKey(pk)
		if err != nil {
			continue
		}
		if sum := sha256.Sum256(der); hex.EncodeToString(sum[:]) == b.Payload.LogID {
			key = pk
		}
	}
	if key == nil {
		return time.Time{}, fmt.Errorf("the Rekor bundle is from log %s, not a trusted one", b.Payload.LogID)
	}
	// The signed entry timestamp is over the canonical JSON of the
	// payload (sorted keys, no spaces).
	set, err := json.Marshal(map[string]any{"body": b.Payload.Body, "integratedTime": b.Payload.IntegratedTime,
		"logID": b.Payload.LogID, "logIndex": b.Payload.LogIndex})
	if err != nil {
		return time.Time{}, err
	}
	ec, ok := key.(*ecdsa.PublicKey)
	sum := sha256.Sum256(set)
	if !ok || !ecdsa.VerifyASN1(ec, sum[:], b.SignedEntryTimestamp) {
		return time.Time{}, errors.New("the Rekor bundle's signed entry timestamp does not verify with the log's key")
	}
	body, ok := b.Payload.Body.(string)
	if !ok {
		return time.Time{}, errors.New("the Rekor bundle's entry is not base64 text")
	}
	entry, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		return time.Time{}, fmt.Errorf("the Rekor bundle's entry: %w", err)
	}
	if err := matchEntry(entry, e, cert); err != nil {
		return time.Time{}, fmt.Errorf("the Rekor bundle's entry is not this signature: %w", err)
	}
	return time.Unix(b.Payload.IntegratedTime, 0), nil
}

// matchEntry checks that a logged hashedrekord or dsse entry is e's.
func matchEntry(entry []byte, e layerEntry, cert *x509.Certificate) error {
	var ent struct {
		Kind string `json:"kind"`
		Spec struct {
			Data struct {
				Hash struct{ Algorithm, Value string } `json:"hash"`
			} `json:"data"`
			Signature struct {
				Content   []byte `json:"content"`
				PublicKey struct {
					Content []byte `json:"content"`
				} `json:"publicKey"`
			} `json:"signature"`
			EnvelopeHash struct{ Algorithm, Value string } `json:"envelopeHash"`
			Signatures   []struct {
				Verifier []byte `json:"verifier"`
			} `json:"signatures"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(entry, &ent); err != nil {
		return err
	}
	sameCert := func(pemBytes []byte) bool {
		cs, err := cryptoutils.UnmarshalCertificatesFromPEM(pemBytes)
		return err == nil && len(cs) == 1 && bytes.Equal(cs[0].Raw, cert.Raw)
	}
	payload := sha256.Sum256(e.Payload)
	switch ent.Kind {
	case "hashedrekord":
		sig, err := base64.StdEncoding.DecodeString(e.Annotations[SignatureAnnotation])
		if err != nil {
			return err
		}
		if ent.Spec.Data.Hash.Algorithm != "sha256" || ent.Spec.Data.Hash.Value != hex.EncodeToString(payload[:]) {
			return errors.New("it logs another payload")
		}
		if !bytes.Equal(ent.Spec.Signature.Content, sig) {
			return errors.New("it logs another signature")
		}
		if !sameCert(ent.Spec.Signature.PublicKey.Content) {
			return errors.New("it logs another certificate")
		}
	case "dsse":
		if ent.Spec.EnvelopeHash.Algorithm != "sha256" || ent.Spec.EnvelopeHash.Value != hex.EncodeToString(payload[:]) {
			return errors.New("it logs another envelope")
		}
		if len(ent.Spec.Signatures) != 1 || !sameCert(ent.Spec.Signatures[0].Verifier) {
			return errors.New("it logs another certificate")
		}
	default:
		return fmt.Errorf("entry kind %q", ent.Kind)
	}
	return nil
}
