//go:build kms

package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/slipway-build/slipway/internal/kmstest"
)

// cmdTestKMSScheme is a KMS provider registered by this test, standing in
// for a cloud KMS: the key is a local cosign key file (its path after the
// scheme, password "kms-test"), held by sigstore's in-memory KMS signer.
const cmdTestKMSScheme = "slipwaycmdkms://"

func init() { kmstest.Register(cmdTestKMSScheme, "kms-test") }

// TestSignKMSKey signs with --key SCHEME:// through sigstore's kms
// package (no password asked) and verifies with the key file's public key
// and with the KMS key.
func TestSignKMSKey(t *testing.T) {
	t.Parallel()
	host, _ := testRegistry(t, "", "")
	ref := host + "/sig/kms:1"
	tag, _ := name.NewTag(ref, name.Insecure)
	img, _ := random.Image(100, 1)
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}})
	if err := remote.WriteIndex(tag, idx); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keyEnv := map[string]string{"COSIGN_PASSWORD": "kms-test", "HOME": dir}
	noEnv := map[string]string{"HOME": dir} // a KMS key needs no password
	slip := func(env map[string]string, args ...string) (int, string) { return runEnv(t, env, args...) }
	prefix := filepath.Join(dir, "cosign")
	if code, out := slip(keyEnv, "keygen", "--output-key-prefix", prefix); code != 0 {
		t.Fatalf("keygen: %d %s", code, out)
	}
	other := filepath.Join(dir, "other")
	if code, out := slip(keyEnv, "keygen", "--output-key-prefix", other); code != 0 {
		t.Fatalf("keygen: %d %s", code, out)
	}
	kmsKey := cmdTestKMSScheme + prefix + ".key"
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"sign", []string{"sign", ref, "--key", kmsKey}, 0, "2 signatures"},
		{"verify with the public key", []string{"verify", ref, "--key", prefix + ".pub"}, 0, "verified sha256:"},
		{"verify with the KMS key", []string{"verify", ref, "--key", kmsKey}, 0, "verified sha256:"},
		{"verify with another key", []string{"verify", ref, "--key", other + ".pub"}, 1, "verification failed"},
		{"unknown KMS", []string{"sign", ref, "--key", "nosuchkms://k"}, 1, "no kms provider found"},
	}
	for _, c := range cases {
		code, out := slip(noEnv, c.args...)
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("%s: exit %d, want %d with %q:\n%s", c.name, code, c.code, c.want, out)
		}
	}
}
