package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/signing/sigstoretest"
)

// TestVerifyKeylessCLI: slipway verify checks a keyless signature by
// identity, issuer, CA roots and Rekor key (flags, or SIGSTORE_ROOT_FILE
// and SIGSTORE_REKOR_PUBLIC_KEY), with the verifier [image]
// base_verify_identity uses; another identity, issuer or log fails with
// exit 1, and flags that cannot go together are usage errors.
func TestVerifyKeylessCLI(t *testing.T) {
	t.Parallel()
	repos := testrepo.Get(t)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, repos, repoTemplate(repos), "appd")
	host, _ := testRegistry(t, "", "")
	fulcio := sigstoretest.NewFulcio(t, sigstoretest.GoodToken)
	rekor := sigstoretest.NewRekor(t)
	env := map[string]string{"HOME": dir, idTokenEnv: sigstoretest.GoodToken}
	ref := host + "/pub/keyless:1"
	if code, out, errOut := runCLI(t, env, "--cache-dir", filepath.Join(dir, "cache"), "publish", cfg, "--tag", ref,
		"--keyless", "--tlog-upload", "--fulcio-url", fulcio.URL, "--rekor-url", rekor.URL, "--sbom-dir", filepath.Join(dir, "sbom")); code != 0 {
		t.Fatalf("publish --keyless: exit %d\n%s%s", code, out, errOut)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	root, rekorPub := write("root.pem", fulcio.RootPEM), write("rekor.pub", rekor.PubPEM)
	otherRekor := write("other-rekor.pub", sigstoretest.NewRekor(t).PubPEM)
	id := []string{"--certificate-identity", sigstoretest.Email, "--certificate-oidc-issuer", sigstoretest.Issuer}
	trust := []string{"--ca-roots", root, "--rekor-key", rekorPub}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"identity and log", nil, append(append([]string{"verify", ref}, id...), trust...), 0, "(linux/arm64/v8): 1 signature(s)"},
		{"with attestations", nil, append(append([]string{"verify", "--attestations", ref}, id...), trust...), 0, "attestations https://spdx.dev/Document x1"},
		{"roots and log from the environment", map[string]string{"SIGSTORE_ROOT_FILE": root, "SIGSTORE_REKOR_PUBLIC_KEY": rekorPub},
			append([]string{"verify", ref}, id...), 0, "(linux/amd64): 1 signature(s)"},
		{"regexps", nil, append([]string{"verify", ref, "--certificate-identity-regexp", `@example\.com$`, "--certificate-oidc-issuer-regexp", "issuer"}, trust...), 0, "verified"},
		{"another identity", nil, append([]string{"verify", ref, "--certificate-identity", "someone@example.com", "--certificate-oidc-issuer", sigstoretest.Issuer}, trust...), 1,
			`none of 1 signatures is valid for this identity someone@example.com (issuer https://issuer.example) and image: the certificate is for ["builder@example.com"]`},
		{"another issuer", nil, append([]string{"verify", ref, "--certificate-identity", sigstoretest.Email, "--certificate-oidc-issuer", "https://other.example"}, trust...), 1,
			`the certificate's OIDC issuer is "https://issuer.example"`},
		{"another log", nil, append(append([]string{"verify", ref}, id...), "--ca-roots", root, "--rekor-key", otherRekor), 1, "not a trusted one"},
		{"no roots", nil, append([]string{"verify", ref}, id...), 2, "keyless verification needs --ca-roots FILE (or SIGSTORE_ROOT_FILE)"},
		{"key and identity", nil, append(append([]string{"verify", ref, "--key", rekorPub}, id...), trust...), 2, "--key and --certificate-identity... exclude each other"},
		{"roots without identity", nil, []string{"verify", ref, "--ca-roots", root}, 2, "--ca-roots and --rekor-key need --certificate-identity"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := map[string]string{"HOME": dir}
			for k, v := range tc.env {
				e[k] = v
			}
			code, out, errOut := runCLI(t, e, tc.args...)
			if code != tc.code || !strings.Contains(out+errOut, tc.want) {
				t.Errorf("exit %d, want %d and %q:\n%s%s", code, tc.code, tc.want, out, errOut)
			}
		})
	}
}
