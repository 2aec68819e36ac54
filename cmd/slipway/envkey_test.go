package main

import (
	"os"
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
)

// TestSignEnvKey signs with --key env://VAR as docs/ci.md shows (the PEM
// in the variable, the password in COSIGN_PASSWORD), and refuses an
// unset variable and an unknown scheme without talking of KMS.
func TestSignEnvKey(t *testing.T) {
	t.Parallel()
	host, _ := testRegistry(t, "", "")
	ref := host + "/sig/envkey:1"
	tag, _ := name.NewTag(ref, name.Insecure)
	img, _ := random.Image(100, 1)
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}})
	if err := remote.WriteIndex(tag, idx); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	prefix := filepath.Join(dir, "cosign")
	env := map[string]string{"COSIGN_PASSWORD": "pw", "HOME": dir}
	if code, out := runEnv(t, env, "keygen", "--output-key-prefix", prefix); code != 0 {
		t.Fatalf("keygen: %d %s", code, out)
	}
	pem, err := os.ReadFile(prefix + ".key")
	if err != nil {
		t.Fatal(err)
	}
	env["COSIGN_PRIVATE_KEY"] = string(pem)
	pub, err := os.ReadFile(prefix + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	env["COSIGN_PUBLIC_KEY"] = string(pub)
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"env key", []string{"sign", ref, "--key", "env://COSIGN_PRIVATE_KEY"}, 0, "signed " + host},
		{"unset variable", []string{"sign", ref, "--key", "env://NOT_SET_HERE"}, 1, "the environment variable NOT_SET_HERE is not set or empty"},
		{"unknown scheme", []string{"sign", ref, "--key", "k8s://ns/secret"}, 2, "unknown key scheme"},
		{"verify", []string{"verify", ref, "--key", prefix + ".pub"}, 0, "verified sha256:"},
		{"verify env key", []string{"verify", ref, "--key", "env://COSIGN_PUBLIC_KEY"}, 0, "verified sha256:"},
		{"sign --json", []string{"sign", ref, "--key", "env://COSIGN_PRIVATE_KEY", "--json"}, 0, `"targets": [`},
		{"verify --json", []string{"verify", ref, "--key", "env://COSIGN_PUBLIC_KEY", "--json"}, 0, `"signatures": 1`},
	}
	for _, c := range cases {
		code, out := runEnv(t, env, c.args...)
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("%s: exit %d, want %d with %q:\n%s", c.name, code, c.code, c.want, out)
		}
		if strings.Contains(out, "KMS") && c.name != "unknown scheme" {
			t.Errorf("%s: talks of KMS:\n%s", c.name, out)
		}
		if strings.Contains(out, "BEGIN") {
			t.Errorf("%s: the key was printed:\n%s", c.name, out)
		}
	}
}
