//go:build kms

package signing

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/kms"

	"github.com/slipway-build/slipway/internal/kmstest"
)

// testKMSScheme is a KMS provider registered by this test: the key is a
// local cosign key file (its path after the scheme, its password
// testPassword), and the signing is done by sigstore's in-memory KMS
// signer (kms/fake) holding that key. It stands in for a cloud service;
// what is tested is slipway's pass-through to sigstore's kms package.
const testKMSScheme = "slipwaytestkms://"

func init() { kmstest.Register(testKMSScheme, testPassword) }

func TestKMSKeySignVerify(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	host := testRegistry(t)
	tag, _, digests := pushIndex(t, host, "kms")
	dir := t.TempDir()
	privPath, pubPath := keyPair(t, dir, testPassword)
	sv, err := LoadKMSKey(ctx, testKMSScheme+privPath)
	if err != nil {
		t.Fatal(err)
	}
	sboms := [][]byte{sbomFor(t, digests[0], "x86_64"), sbomFor(t, digests[1], "aarch64")}
	for _, mode := range []ReferrersMode{ReferrersLegacy, ReferrersOCI11} {
		if _, err := SignAndAttest(ctx, tag, &Signer{Key: sv, Mode: mode}, SignOptions{Recursive: true, SBOMs: sboms}); err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
	}
	pub, err := LoadPublicKey(pubPath, mustRead(t, pubPath))
	if err != nil {
		t.Fatal(err)
	}
	// The key file's public key verifies what the KMS signed, and so does
	// the KMS key itself (verify --key SCHEME://).
	for name, v := range map[string]signature.Verifier{"public key file": pub, "KMS key": sv} {
		res, err := Verify(ctx, tag, v, VerifyOptions{Recursive: true, Attestations: true})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(res) != 3 || res[0].Signatures != 1 {
			t.Errorf("%s: %d targets, %d index signatures; want 3 and 1", name, len(res), res[0].Signatures)
		}
	}
	wrong := mustSigner(t, t.TempDir(), "other")
	if _, err := Verify(ctx, tag, wrong, VerifyOptions{Recursive: true}); err == nil {
		t.Error("another key verified the KMS signature")
	}
	t.Run("cosign verify", func(t *testing.T) {
		cosign := cosignCLI(t)
		for _, args := range [][]string{{"verify"}, {"verify", "--experimental-oci11"}, {"verify-attestation", "--type", "spdxjson"}} {
			args = append(args, "--key", pubPath, "--insecure-ignore-tlog", "--allow-insecure-registry", tag.String())
			cmd := exec.CommandContext(ctx, cosign, args...)
			cmd.Env = append(os.Environ(), "TUF_ROOT="+filepath.Join(dir, "tuf"), "HOME="+dir)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("cosign %s of the KMS signature: %v\n%s", strings.Join(args, " "), err, out)
			}
		}
	})
}

func TestKMSKeyErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		ref  string
		want string
	}{
		// No provider and no sigstore-kms-nosuchkms plugin on PATH.
		{"nosuchkms://key", "no kms provider found"},
		{"not-a-uri", "want SCHEME://KEY"},
		{testKMSScheme + "/does/not/exist", "no such file"},
	}
	for _, c := range cases {
		_, err := LoadKMSKey(t.Context(), c.ref)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("LoadKMSKey(%q) = %v, want an error containing %q", c.ref, err, c.want)
		}
		var pnf *kms.ProviderNotFoundError
		if c.ref == "nosuchkms://key" && !errors.As(err, &pnf) {
			t.Errorf("LoadKMSKey(%q): %v is not a ProviderNotFoundError", c.ref, err)
		}
	}
}
