//go:build kms

// Package kmstest registers a KMS provider for tests of the KMS
// pass-through: it stands in for a cloud KMS, holding a local cosign key
// file in sigstore's in-memory KMS signer (kms/fake). What the tests check
// is slipway's hand-over to sigstore's kms package, not a cloud service.
package kmstest

import (
	"context"
	"crypto"
	"os"
	"strings"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/kms"
	"github.com/sigstore/sigstore/pkg/signature/kms/fake"
)

// Register makes scheme (such as "slipwaytestkms://") a KMS provider whose
// key reference is the path of an encrypted cosign key file after the
// scheme, decrypted with password. Call it once per scheme, from init.
func Register(scheme, password string) {
	kms.AddProvider(scheme, func(ctx context.Context, ref string, hf crypto.Hash, _ ...signature.RPCOption) (kms.SignerVerifier, error) {
		data, err := os.ReadFile(strings.TrimPrefix(ref, scheme))
		if err != nil {
			return nil, err
		}
		priv, err := cryptoutils.UnmarshalPEMToPrivateKey(data, func(bool) ([]byte, error) { return []byte(password), nil })
		if err != nil {
			return nil, err
		}
		return fake.LoadSignerVerifier(context.WithValue(ctx, fake.KmsCtxKey{}, priv), hf)
	})
}
