// Package signing signs images in a registry the way cosign does (a
// simple-signing payload in a sha256-<digest>.sig image beside the signed
// manifest), attaches SPDX SBOMs and SLSA provenance as cosign
// attestations (DSSE envelopes of in-toto statements in a .att image),
// verifies both, and writes the SPDX documents.
//
// It uses sigstore's key, payload and DSSE code and go-containerregistry
// for the registry; it does not import cosign itself (whose signature
// package drags in KMS and Kubernetes clients). The real cosign CLI is the
// oracle in the tests: what one signs the other verifies.
//
// Keys are cosign key pairs, or with the build tag kms keys in a KMS
// (sigstore's kms package and its AWS, Azure, GCP and Vault providers),
// or ephemeral keys certified by Fulcio (KeylessSigner). Signatures may
// be uploaded to Rekor (Signer.Rekor); attestations are not logged.
package signing

import (
	"crypto/elliptic"
	"errors"
	"fmt"
	"strings"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
)

// GenerateKeyPair makes an ECDSA P-256 key pair in cosign's format: the
// private key PKCS#8, encrypted with password (scrypt + secretbox), in an
// "ENCRYPTED SIGSTORE PRIVATE KEY" PEM block; the public key a PKIX
// "PUBLIC KEY" PEM block. An empty password is allowed, as cosign allows
// it, but still encrypts.
func GenerateKeyPair(password []byte) (privPEM, pubPEM []byte, err error) {
	pf := func(bool) ([]byte, error) { return append([]byte{}, password...), nil }
	privPEM, pubPEM, err = cryptoutils.GeneratePEMEncodedECDSAKeyPair(elliptic.P256(), pf)
	if err != nil {
		return nil, nil, fmt.Errorf("generating key pair: %w", err)
	}
	return privPEM, pubPEM, nil
}

// ErrBadPassword is returned when an encrypted private key does not
// decrypt with the password given.
var ErrBadPassword = errors.New("decrypting the private key failed: wrong password or damaged key")

// LoadPrivateKey decrypts a cosign private key (ENCRYPTED SIGSTORE or
// ENCRYPTED COSIGN PRIVATE KEY) and returns its signer. name is used in
// errors only. The password never appears in an error.
func LoadPrivateKey(name string, pemBytes, password []byte) (signature.SignerVerifier, error) {
	pf := func(bool) ([]byte, error) { return append([]byte{}, password...), nil }
	key, err := cryptoutils.UnmarshalPEMToPrivateKey(pemBytes, pf)
	if err != nil {
		if isDecryptError(err) {
			return nil, fmt.Errorf("%s: %w", name, ErrBadPassword)
		}
		return nil, fmt.Errorf("reading private key %s: %w", name, err)
	}
	sv, err := signature.LoadDefaultSignerVerifier(key)
	if err != nil {
		return nil, fmt.Errorf("private key %s: %w", name, err)
	}
	return sv, nil
}

func isDecryptError(err error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if s := e.Error(); s == "encrypted: decryption failed" {
			return true
		}
	}
	return false
}

// LoadPublicKey reads a PEM public key (as cosign.pub) and returns its
// verifier.
func LoadPublicKey(name string, pemBytes []byte) (signature.Verifier, error) {
	pub, err := cryptoutils.UnmarshalPEMToPublicKey(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("reading public key %s: %w", name, err)
	}
	v, err := signature.LoadDefaultVerifier(pub)
	if err != nil {
		return nil, fmt.Errorf("public key %s: %w", name, err)
	}
	return v, nil
}

// PublicKeyPEM returns the PEM form of a signer's public key.
func PublicKeyPEM(s signature.Signer) ([]byte, error) {
	pub, err := s.PublicKey()
	if err != nil {
		return nil, err
	}
	return cryptoutils.MarshalPublicKeyToPEM(pub)
}

// IsKMSRef says whether a --key names a key in a key management service
// (SCHEME://...) rather than a file or an environment variable
// (env://VAR, see EnvKeyVar).
func IsKMSRef(ref string) bool {
	if _, ok := EnvKeyVar(ref); ok {
		return false
	}
	i := strings.Index(ref, "://")
	return i > 0 && !strings.ContainsAny(ref[:i], "/\\.")
}

// kmsSchemes are the key management services sigstore's kms package
// knows (with the kms build tag).
var kmsSchemes = [...]string{"awskms://", "azurekms://", "gcpkms://", "hashivault://"}

// IsKnownKMSRef says whether ref names a key in one of the key management
// services sigstore knows: awskms://, azurekms://, gcpkms://,
// hashivault://. Other SCHEME:// references (IsKMSRef) go to sigstore's
// KMS plugin programs (sigstore-kms-SCHEME) in a kms build.
func IsKnownKMSRef(ref string) bool {
	for _, s := range kmsSchemes {
		if strings.HasPrefix(ref, s) {
			return true
		}
	}
	return false
}

// EnvKeyPrefix is cosign's reference to a key whose PEM is held in an
// environment variable: env://VAR.
const EnvKeyPrefix = "env://"

// EnvKeyVar returns VAR of an env://VAR key reference.
func EnvKeyVar(ref string) (string, bool) {
	v, ok := strings.CutPrefix(ref, EnvKeyPrefix)
	return v, ok
}

// maxKeyPEM bounds a key read from a file or a variable.
const maxKeyPEM = 1 << 20

// KeySource is how ReadKeyRef reaches the environment and the files; the
// library never reads either itself (cmd passes its own).
type KeySource struct {
	// LookupEnv returns a variable's value and whether it is set.
	LookupEnv func(string) (string, bool)
	// ReadFile reads a file.
	ReadFile func(string) ([]byte, error)
}

// ReadKeyRef returns the PEM bytes a cosign key reference names, as
// cosign reads them: env://VAR is the PEM held in the variable VAR,
// anything else a file. A KMS reference (IsKMSRef) is refused: its key
// is not bytes (LoadKMSKey). The value of a variable never appears in an
// error.
func ReadKeyRef(ref string, src KeySource) ([]byte, error) {
	if v, ok := EnvKeyVar(ref); ok {
		if v == "" || strings.ContainsAny(v, "=\x00") {
			return nil, fmt.Errorf("key %s: want env://VARIABLE", ref)
		}
		if src.LookupEnv == nil {
			return nil, fmt.Errorf("key %s: environment variables are not available here", ref)
		}
		val, set := src.LookupEnv(v)
		if !set || strings.TrimSpace(val) == "" {
			return nil, fmt.Errorf("key %s: the environment variable %s is not set or empty (it should hold the PEM key)", ref, v)
		}
		if len(val) > maxKeyPEM {
			return nil, fmt.Errorf("key %s: the environment variable %s holds %d bytes, more than a PEM key (%d)", ref, v, len(val), maxKeyPEM)
		}
		return []byte(val), nil
	}
	if IsKMSRef(ref) {
		return nil, fmt.Errorf("key %s is a KMS key, not a file", ref)
	}
	if src.ReadFile == nil {
		return nil, fmt.Errorf("key %s: files are not available here", ref)
	}
	data, err := src.ReadFile(ref)
	if err != nil {
		if !strings.Contains(err.Error(), ref) {
			return nil, fmt.Errorf("reading key %s: %w", ref, err)
		}
		return nil, err // ReadFile named the file already
	}
	if len(data) > maxKeyPEM {
		return nil, fmt.Errorf("key %s is %d bytes, more than a PEM key (%d)", ref, len(data), maxKeyPEM)
	}
	return data, nil
}
