//go:build !kms

package signing

import (
	"context"
	"fmt"

	"github.com/sigstore/sigstore/pkg/signature"
)

// KMSSupported says whether this binary was built with the kms tag.
const KMSSupported = false

// ErrKMSNotBuilt is returned for a KMS key by a binary built without the
// kms tag.
var ErrKMSNotBuilt = fmt.Errorf("KMS keys need a slipway built with the kms tag (it adds the AWS, Azure, GCP and Vault SDKs): CGO_ENABLED=0 go build -tags kms ./cmd/slipway")

// LoadKMSKey refuses: this binary was built without the kms tag.
func LoadKMSKey(_ context.Context, ref string) (signature.SignerVerifier, error) {
	return nil, fmt.Errorf("key %s: %w", ref, ErrKMSNotBuilt)
}
