package rpm

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/ProtonMail/go-crypto/openpgp"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// Signer describes the key that made a valid signature.
type Signer struct {
	KeyID       uint64 // the signing (sub)key's ID
	Fingerprint []byte // the primary key's fingerprint
	Identity    string // the primary key's first user ID, "" if none
	Tag         Tag    // the signature tag that verified (SigTagRSA, SigTagDSA...)
	Algorithm   string // e.g. "RSA/SHA512", "EdDSA/SHA256"
}

// ReadKeyRing reads armored (or binary) OpenPGP public keys.
func ReadKeyRing(r io.Reader) (openpgp.EntityList, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if bytes.Contains(b, []byte("-----BEGIN PGP")) {
		var all openpgp.EntityList
		// A file may hold several armored blocks.
		for len(bytes.TrimSpace(b)) > 0 {
			i := bytes.Index(b, []byte("-----BEGIN PGP"))
			if i < 0 {
				break
			}
			b = b[i:]
			end := bytes.Index(b, []byte("-----END PGP"))
			if end < 0 {
				return nil, errors.New("armored key without END line")
			}
			nl := bytes.IndexByte(b[end:], '\n')
			if nl < 0 {
				nl = len(b) - end
			}
			block := b[:end+nl]
			b = b[end+nl:]
			el, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(block))
			if err != nil {
				return nil, err
			}
			all = append(all, el...)
		}
		if len(all) == 0 {
			return nil, errors.New("no public key found")
		}
		return all, nil
	}
	return openpgp.ReadKeyRing(bytes.NewReader(b))
}

// headerSigTags are the signatures over the main header alone, strongest
// first as rpm prefers them.
var headerSigTags = []Tag{SigTagRSA, SigTagDSA}

// VerifySignature checks the package's OpenPGP header signature (RSAHEADER
// or DSAHEADER, which cover the main header and through its payload digest
// the payload) against keyring, and returns who signed. A package with only
// a legacy header+payload signature (PGP/GPG tags) gets ErrUnsigned here;
// see VerifyLegacySignature. Errors: ErrUnsigned, *UnknownKeyError,
// *SignatureError.
func (p *Package) VerifySignature(keyring openpgp.KeyRing) (*Signer, error) {
	for _, tag := range headerSigTags {
		sig := p.Signature.Bytes(tag)
		if sig == nil {
			continue
		}
		return verifyOpenPGP(keyring, tag, sig, bytes.NewReader(p.hdrBytes))
	}
	return nil, ErrUnsigned
}

// HasLegacySignature reports whether the package has a signature over
// header and payload (tags PGP 1002 or GPG 1005).
func (p *Package) HasLegacySignature() bool {
	return p.Signature.Has(SigTagPGP) || p.Signature.Has(SigTagGPG)
}

// VerifyLegacySignature checks a header+payload signature (tag 1002 or
// 1005) by reading the rest of the package from the reader it was opened
// with. Call it instead of Payload, not with it.
func (p *Package) VerifyLegacySignature(keyring openpgp.KeyRing) (*Signer, error) {
	for _, tag := range []Tag{SigTagPGP, SigTagGPG} {
		sig := p.Signature.Bytes(tag)
		if sig == nil {
			continue
		}
		if p.payloadOn {
			return nil, errors.New("payload already read")
		}
		p.payloadOn = true
		return verifyOpenPGP(keyring, tag, sig, io.MultiReader(bytes.NewReader(p.hdrBytes), p.r))
	}
	return nil, ErrUnsigned
}

func verifyOpenPGP(keyring openpgp.KeyRing, tag Tag, sigBytes []byte, signed io.Reader) (*Signer, error) {
	pk, err := packet.Read(bytes.NewReader(sigBytes))
	if err != nil {
		return nil, &SignatureError{Err: fmt.Errorf("signature tag %d: parsing OpenPGP packet: %w", tag, err)}
	}
	sig, ok := pk.(*packet.Signature)
	if !ok {
		return nil, &SignatureError{Err: fmt.Errorf("signature tag %d: %T, not a signature packet", tag, pk)}
	}
	var keyID uint64
	if sig.IssuerKeyId != nil {
		keyID = *sig.IssuerKeyId
	}
	if keyring == nil || len(keyring.KeysById(keyID)) == 0 {
		return nil, &UnknownKeyError{KeyID: keyID}
	}
	got, signer, err := openpgp.VerifyDetachedSignature(keyring, signed, bytes.NewReader(sigBytes), &packet.Config{})
	if err != nil {
		if errors.Is(err, pgperrors.ErrUnknownIssuer) {
			return nil, &UnknownKeyError{KeyID: keyID}
		}
		return nil, &SignatureError{KeyID: keyID, Err: err}
	}
	s := &Signer{KeyID: keyID, Tag: tag, Algorithm: pubAlgo(got.PubKeyAlgo) + "/" + hashName(got)}
	if signer != nil && signer.PrimaryKey != nil {
		s.Fingerprint = signer.PrimaryKey.Fingerprint
		if id := signer.PrimaryIdentity(); id != nil {
			s.Identity = id.Name
		}
	}
	return s, nil
}

func pubAlgo(a packet.PublicKeyAlgorithm) string {
	switch a {
	case packet.PubKeyAlgoRSA, packet.PubKeyAlgoRSASignOnly:
		return "RSA"
	case packet.PubKeyAlgoDSA:
		return "DSA"
	case packet.PubKeyAlgoEdDSA, packet.PubKeyAlgoEd25519:
		return "EdDSA"
	case packet.PubKeyAlgoECDSA:
		return "ECDSA"
	}
	return fmt.Sprintf("algo%d", a)
}

func hashName(s *packet.Signature) string {
	switch s.Hash.String() {
	case "SHA-256":
		return "SHA256"
	case "SHA-512":
		return "SHA512"
	case "SHA-384":
		return "SHA384"
	case "SHA-1":
		return "SHA1"
	case "SHA-224":
		return "SHA224"
	}
	return s.Hash.String()
}
