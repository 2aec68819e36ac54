//go:build !kms

package signing

import (
	"errors"
	"strings"
	"testing"
)

func TestKMSKeyNotBuilt(t *testing.T) {
	t.Parallel()
	for _, ref := range []string{"awskms:///arn:aws:kms:eu-west-1:1:key/x", "azurekms://v.vault.azure.net/k", "gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k", "hashivault://k"} {
		if !IsKMSRef(ref) {
			t.Errorf("IsKMSRef(%q) = false", ref)
		}
		_, err := LoadKMSKey(t.Context(), ref)
		if !errors.Is(err, ErrKMSNotBuilt) || !strings.Contains(err.Error(), "go build -tags kms ./cmd/slipway") {
			t.Errorf("LoadKMSKey(%q) = %v, want ErrKMSNotBuilt saying how to build", ref, err)
		}
	}
	for _, path := range []string{"cosign.key", "./dir/cosign.key", "/abs/k.key", "dir.d://x"} {
		if IsKMSRef(path) {
			t.Errorf("IsKMSRef(%q) = true for a file", path)
		}
	}
}
