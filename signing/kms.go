//go:build kms

package signing

import (
	"context"
	"crypto"
	"fmt"

	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/kms"

	// The providers register their schemes with kms.AddProvider.
	_ "github.com/sigstore/sigstore/pkg/signature/kms/aws"
	_ "github.com/sigstore/sigstore/pkg/signature/kms/azure"
	_ "github.com/sigstore/sigstore/pkg/signature/kms/gcp"
	_ "github.com/sigstore/sigstore/pkg/signature/kms/hashivault"
)

// KMSSupported says whether this binary was built with the kms tag.
const KMSSupported = true

// LoadKMSKey returns the signer of a key held in a key management
// service, named by a URI sigstore's kms package knows (awskms://,
// azurekms://, gcpkms://, hashivault://; any other scheme://
// is handed to sigstore's plugin mechanism, which runs the program
// sigstore-kms-SCHEME from PATH, as cosign does). Signing happens in the
// service; the SHA-256 digest is sent, never the key. Credentials are
// found by each provider's SDK (its environment variables and files),
// not by slipway.
func LoadKMSKey(ctx context.Context, ref string) (signature.SignerVerifier, error) {
	if !IsKMSRef(ref) {
		return nil, fmt.Errorf("KMS key %q: want SCHEME://KEY", ref)
	}
	sv, err := kms.Get(ctx, ref, crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("KMS key %s: %w", ref, err)
	}
	return sv, nil
}
