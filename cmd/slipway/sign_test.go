package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/slipway-build/slipway/signing"
)

// TestKeygenSignVerify runs keygen, sign and verify as a user would, on a
// registry with basic auth, and checks that neither password is ever
// printed.
func TestKeygenSignVerify(t *testing.T) {
	t.Parallel()
	const keyPass, regPass = "key-secret-4711", "reg-secret-0815"
	host, _ := testRegistry(t, "u", regPass)
	ref := host + "/sig/test:1"
	tag, _ := name.NewTag(ref, name.Insecure)
	img1, _ := random.Image(100, 1)
	img2, _ := random.Image(100, 1)
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: img1, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: img2, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}})
	if err := remote.WriteIndex(tag, idx, remote.WithAuth(&authn.Basic{Username: "u", Password: regPass})); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	env := map[string]string{"COSIGN_PASSWORD": keyPass, registryUserEnv: "u", registryPasswordEnv: regPass, "HOME": dir}
	var all bytes.Buffer
	slip := func(env map[string]string, args ...string) (int, string) {
		code, out := runEnv(t, env, args...)
		all.WriteString(out)
		return code, out
	}
	prefix := filepath.Join(dir, "cosign")
	if code, out := slip(env, "keygen", "--output-key-prefix", prefix); code != 0 {
		t.Fatalf("keygen: %d %s", code, out)
	}
	if code, out := slip(env, "keygen", "--output-key-prefix", prefix); code != 1 || !strings.Contains(out, "not overwriting") {
		t.Errorf("keygen over existing keys: %d %s", code, out)
	}
	otherPrefix := filepath.Join(dir, "other")
	if code, out := slip(env, "keygen", "--output-key-prefix", otherPrefix); code != 0 {
		t.Fatalf("keygen: %d %s", code, out)
	}
	noPass := map[string]string{registryUserEnv: "u", registryPasswordEnv: regPass}
	if code, out := slip(noPass, "keygen", "--output-key-prefix", filepath.Join(dir, "x")); code != 1 || !strings.Contains(out, "COSIGN_PASSWORD") {
		t.Errorf("keygen without a password: %d %s", code, out)
	}

	if code, out := slip(env, "verify", ref, "--key", prefix+".pub"); code != 1 || !strings.Contains(out, "no signatures found") {
		t.Errorf("verify before signing: %d %s", code, out)
	}
	wrongPass := map[string]string{"COSIGN_PASSWORD": "not-it", registryUserEnv: "u", registryPasswordEnv: regPass}
	if code, out := slip(wrongPass, "sign", ref, "--key", prefix+".key"); code != 1 || !strings.Contains(out, "wrong password") {
		t.Errorf("sign with a wrong password: %d %s", code, out)
	}
	code, out := slip(env, "sign", ref, "--key", prefix+".key")
	if code != 0 || strings.Count(out, "signed "+host) != 3 {
		t.Fatalf("sign: %d %s", code, out)
	}
	if code, out := slip(env, "verify", ref, "--key", prefix+".pub"); code != 0 || strings.Count(out, "verified sha256:") != 3 {
		t.Errorf("verify: %d %s", code, out)
	}
	if code, out := slip(env, "verify", ref, "--key", otherPrefix+".pub"); code != 1 || !strings.Contains(out, "verification failed") {
		t.Errorf("verify with another key: %d %s", code, out)
	}
	if code, out := slip(env, "verify", ref, "--key", prefix+".pub", "--attestations"); code != 1 || !strings.Contains(out, "no attestations found") {
		t.Errorf("verify --attestations without any: %d %s", code, out)
	}
	if code, out := slip(env, "sign", ref, "--keyless"); code != 2 || !strings.Contains(out, "needs --tlog-upload") {
		t.Errorf("sign --keyless without --tlog-upload: %d %s", code, out)
	}
	for _, secret := range []string{keyPass, regPass} {
		if strings.Contains(all.String(), secret) {
			t.Errorf("a password was printed:\n%s", all.String())
		}
	}
}

// TestSignReferrersMode signs with --registry-referrers-mode oci-1-1 on a
// registry without the referrers API: verify finds the signatures in the
// referrers tag without a flag, and bad uses of the flag are usage errors.
func TestSignReferrersMode(t *testing.T) {
	t.Parallel()
	host, _ := testRegistry(t, "", "")
	ref := host + "/sig/referrers:1"
	tag, _ := name.NewTag(ref, name.Insecure)
	img1, _ := random.Image(100, 1)
	img2, _ := random.Image(100, 1)
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: img1, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: img2, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}})
	if err := remote.WriteIndex(tag, idx); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	env := map[string]string{"COSIGN_PASSWORD": "pw", "HOME": dir}
	slip := func(args ...string) (int, string) { return runEnv(t, env, args...) }
	prefix := filepath.Join(dir, "cosign")
	if code, out := slip("keygen", "--output-key-prefix", prefix); code != 0 {
		t.Fatalf("keygen: %d %s", code, out)
	}
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown mode", []string{"sign", ref, "--key", prefix + ".key", "--registry-referrers-mode", "oci11"}, 2, "want legacy or oci-1-1"},
		{"publish mode without key", []string{"publish", "x.toml", "--tag", ref, "--registry-referrers-mode", "oci-1-1"}, 2, "needs --sign-key"},
		{"sign as referrers", []string{"sign", ref, "--key", prefix + ".key", "--registry-referrers-mode", "oci-1-1"}, 0, "3 signatures"},
		{"verify finds referrers", []string{"verify", ref, "--key", prefix + ".pub"}, 0, "verified sha256:"},
	}
	for _, c := range cases {
		code, out := slip(c.args...)
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("%s: exit %d, want %d with %q:\n%s", c.name, code, c.code, c.want, out)
		}
	}
	d, err := remote.Head(tag)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := remote.Head(tag.Context().Tag(d.Digest.Algorithm + "-" + d.Digest.Hex + ".sig")); err == nil {
		t.Error("a .sig tag was written in oci-1-1 mode")
	}
	if _, err := remote.Index(tag.Context().Tag(d.Digest.Algorithm + "-" + d.Digest.Hex)); err != nil {
		t.Errorf("no referrers tag for the index: %v", err)
	}
}

// TestKMSKeyRefused: a binary built without -tags kms refuses KMS keys
// with a usage error that says how to build one that takes them.
func TestKMSKeyRefused(t *testing.T) {
	t.Parallel()
	if signing.KMSSupported {
		t.Skip("built with -tags kms: kms_test.go signs with a KMS key")
	}
	for _, args := range [][]string{
		{"sign", "reg.example/r:1", "--key", "awskms:///arn:aws:kms:eu-west-1:1:key/x"},
		{"sign", "reg.example/r:1", "--key", "hashivault://transit-key"},
		{"verify", "reg.example/r:1", "--key", "gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k"},
		{"publish", "x.toml", "--tag", "reg.example/r:1", "--sign-key", "azurekms://v.vault.azure.net/k"},
	} {
		var out, errb bytes.Buffer
		code := run(t.Context(), args, strings.NewReader(""), &out, &errb, func(string) string { return "" })
		if code != 2 || !strings.Contains(errb.String(), "go build -tags kms ./cmd/slipway") {
			t.Errorf("%v: exit %d, want 2 saying how to build with KMS support:\n%s", args, code, errb.String())
		}
	}
}

// TestSignKeylessFlags: the keyless and transparency-log flags' usage
// errors, a Rekor that fails (exit 1, nothing written) and a Fulcio that
// refuses the token (the token never printed). The whole keyless path is
// tested in package signing against Fulcio and Rekor stand-ins and the
// real cosign.
func TestSignKeylessFlags(t *testing.T) {
	t.Parallel()
	host, _ := testRegistry(t, "", "")
	ref := host + "/sig/keyless:1"
	tag, _ := name.NewTag(ref, name.Insecure)
	img, _ := random.Image(100, 1)
	if err := remote.Write(tag, img); err != nil {
		t.Fatal(err)
	}
	const token = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0b2tlbi1zZWNyZXQtOTk5In0.c2ln" // sub: token-secret-999
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A careless server echoing the bearer token.
		http.Error(w, "refused "+r.Header.Get("Authorization"), http.StatusUnauthorized)
	}))
	t.Cleanup(failing.Close)
	dir := t.TempDir()
	env := map[string]string{"COSIGN_PASSWORD": "pw", "HOME": dir, "SIGSTORE_ID_TOKEN": token}
	slip := func(args ...string) (int, string) { return runEnv(t, env, args...) }
	prefix := filepath.Join(dir, "cosign")
	if code, out := slip("keygen", "--output-key-prefix", prefix); code != 0 {
		t.Fatalf("keygen: %d %s", code, out)
	}
	key := prefix + ".key"
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"keyless and key", []string{"sign", ref, "--keyless", "--tlog-upload", "--key", key}, 2, "exclude each other"},
		{"keyless without log", []string{"sign", ref, "--keyless"}, 2, "needs --tlog-upload"},
		{"logged attestations, Rekor fails", []string{"sign", ref, "--key", key, "--tlog-upload", "--provenance", "--rekor-url", failing.URL}, 1, "Rekor"},
		{"rekor-url alone", []string{"sign", ref, "--key", key, "--rekor-url", failing.URL}, 2, "needs --tlog-upload"},
		{"fulcio-url alone", []string{"sign", ref, "--key", key, "--fulcio-url", failing.URL}, 2, "need --keyless"},
		{"Rekor fails", []string{"sign", ref, "--key", key, "--tlog-upload", "--rekor-url", failing.URL}, 1, "Rekor"},
		{"Fulcio refuses", []string{"sign", ref, "--keyless", "--tlog-upload", "--fulcio-url", failing.URL, "--rekor-url", failing.URL}, 1, "Fulcio"},
		{"token flag", []string{"sign", ref, "--keyless", "--tlog-upload", "--fulcio-url", failing.URL, "--identity-token", token}, 1, "Unauthorized"},
		// publish: the same flags, checked before anything is built.
		{"publish keyless and key", []string{"publish", "x.toml", "--tag", ref, "--keyless", "--tlog-upload", "--sign-key", key}, 2, "--keyless and --sign-key exclude each other"},
		{"publish keyless without log", []string{"publish", "x.toml", "--tag", ref, "--keyless"}, 2, "needs --tlog-upload"},
		{"publish log without key", []string{"publish", "x.toml", "--tag", ref, "--tlog-upload"}, 2, "--tlog-upload needs --sign-key or --keyless"},
		{"publish provenance without key", []string{"publish", "x.toml", "--tag", ref, "--provenance"}, 2, "--provenance needs --sign-key or --keyless"},
		{"publish fulcio-url alone", []string{"publish", "x.toml", "--tag", ref, "--sign-key", key, "--fulcio-url", failing.URL}, 2, "need --keyless"},
		{"publish rekor-url alone", []string{"publish", "x.toml", "--tag", ref, "--sign-key", key, "--rekor-url", failing.URL}, 2, "needs --tlog-upload"},
		{"publish bad token", []string{"publish", "x.toml", "--tag", ref, "--keyless", "--tlog-upload", "--identity-token", "token-secret-777"}, 1, "identity token: not a JWT"},
		{"publish unverified email", []string{"publish", "x.toml", "--tag", ref, "--keyless", "--tlog-upload", "--identity-token",
			"eyJhbGciOiJub25lIn0.eyJlbWFpbCI6ImFAYi5jIiwic3ViIjoidG9rZW4tc2VjcmV0LTg4OCJ9.c2ln"}, 1, "not verified"}, // sub: token-secret-888
	}
	for _, c := range cases {
		code, out := slip(c.args...)
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("%s: exit %d, want %d with %q:\n%s", c.name, code, c.code, c.want, out)
		}
		if strings.Contains(out, "token-secret") || strings.Contains(out, token) {
			t.Errorf("%s: the identity token was printed:\n%s", c.name, out)
		}
	}
	d, _ := img.Digest()
	if _, err := remote.Head(tag.Context().Tag(d.Algorithm + "-" + d.Hex + ".sig")); err == nil {
		t.Error("a signature was written although Rekor or Fulcio failed")
	}
}
