package signing

import (
	"crypto"
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slipway-build/slipway/signing/sigstoretest"
)

// TestVerifyKeyless: an index signed keylessly (stand-in Fulcio and
// Rekor) verifies offline for the certificate's identity and issuer,
// exactly or by regular expression, with the Fulcio root and the Rekor
// key; another identity, issuer, root or log key is refused, and so is a
// key-signed image. The real cosign CLI, given the same trust, agrees on
// every case.
func TestVerifyKeyless(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	host := testRegistry(t)
	tag, _, digests := pushIndex(t, host, "keyless-verify")
	fulcio := sigstoretest.NewFulcio(t, sigstoretest.GoodToken)
	rekor := sigstoretest.NewRekor(t)
	s, err := KeylessSigner(ctx, KeylessOptions{FulcioURL: fulcio.URL, IdentityToken: sigstoretest.GoodToken})
	if err != nil {
		t.Fatal(err)
	}
	s.Rekor = &Rekor{URL: rekor.URL}
	sboms := [][]byte{sbomFor(t, digests[0], "x86_64"), sbomFor(t, digests[1], "aarch64")}
	if _, err := SignAndAttest(ctx, tag, s, SignOptions{Recursive: true, SBOMs: sboms}); err != nil {
		t.Fatal(err)
	}
	// A key-signed index: no certificate to trust.
	keyed, _, _ := pushIndex(t, host, "keyed")
	priv, _ := keyPair(t, t.TempDir(), "pw")
	ks, err := LoadPrivateKey(priv, mustRead(t, priv), []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := SignAndAttest(ctx, keyed, &Signer{Key: ks}, SignOptions{Recursive: true}); err != nil {
		t.Fatal(err)
	}

	otherFulcio := sigstoretest.NewFulcio(t, sigstoretest.GoodToken)
	otherRekor := sigstoretest.NewRekor(t)
	rekorKey, err := LoadRekorKey("rekor", rekor.PubPEM)
	if err != nil {
		t.Fatal(err)
	}
	otherRekorKey, _ := LoadRekorKey("other", otherRekor.PubPEM)
	good := Identity{Subject: sigstoretest.Email, Issuer: sigstoretest.Issuer}
	for _, tc := range []struct {
		name   string
		keyed  bool
		roots  *sigstoretest.Fulcio
		id     Identity
		rekor  *sigstoretest.Rekor // nil: the log is not consulted
		later  time.Duration       // without a log: verify this long after signing
		atts   bool
		want   string // "" verifies
		cosign bool   // compare with cosign verify
	}{
		{name: "identity and log", roots: fulcio, id: good, rekor: rekor, cosign: true},
		{name: "identity and log, with attestations", roots: fulcio, id: good, rekor: rekor, atts: true},
		{name: "regexps", roots: fulcio, id: Identity{SubjectRegexp: `^builder@example\.com$`, IssuerRegexp: `^https://issuer\.`}, rekor: rekor, cosign: true},
		{name: "without the log, in time", roots: fulcio, id: good, cosign: true},
		{name: "without the log, a Fulcio certificate an hour later", roots: fulcio, id: good, later: time.Hour, want: "the certificate was not valid now"},
		{name: "a log entry proves the time an hour later", roots: fulcio, id: good, rekor: rekor, later: time.Hour},
		{name: "another identity", roots: fulcio, id: Identity{Subject: "someone@example.com", Issuer: sigstoretest.Issuer}, rekor: rekor, cosign: true,
			want: `the certificate is for ["builder@example.com"], not the identity someone@example.com (issuer https://issuer.example)`},
		{name: "an identity regexp that does not match", roots: fulcio, id: Identity{SubjectRegexp: `^someone@`, Issuer: sigstoretest.Issuer}, rekor: rekor, cosign: true,
			want: "not the identity matching ^someone@"},
		{name: "another issuer", roots: fulcio, id: Identity{Subject: sigstoretest.Email, Issuer: "https://other.example"}, rekor: rekor, cosign: true,
			want: `the certificate's OIDC issuer is "https://issuer.example", not the identity builder@example.com (issuer https://other.example)`},
		{name: "another root", roots: otherFulcio, id: good, rekor: rekor, cosign: true,
			want: "the certificate does not chain to the trusted roots"},
		{name: "another log", roots: fulcio, id: good, rekor: otherRekor, cosign: true,
			want: "the Rekor bundle is from log " + rekor.LogID + ", not a trusted one"},
		{name: "key-signed", keyed: true, roots: fulcio, id: good, rekor: rekor, want: "no certificate: not a keyless signature"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var keys []crypto.PublicKey
			if tc.rekor == rekor {
				keys = []crypto.PublicKey{rekorKey}
			} else if tc.rekor != nil {
				keys = []crypto.PublicKey{otherRekorKey}
			}
			k, err := NewKeylessTrust([]*x509.Certificate{tc.roots.Root}, tc.id, keys)
			if err != nil {
				t.Fatal(err)
			}
			if tc.later != 0 {
				k.Now = func() time.Time { return time.Now().Add(tc.later) }
			}
			ref := tag
			if tc.keyed {
				ref = keyed
			}
			res, err := VerifyKeyless(ctx, ref, k, VerifyOptions{Recursive: true, Attestations: tc.atts})
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want == "" && (len(res) != 3 || res[0].Signatures != 1):
				t.Fatalf("results %+v, want 3 targets with a signature each", res)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if tc.cosign {
				out, cerr := cosignVerifyKeyless(t, ref.String(), tc.roots, tc.id, tc.rekor)
				if (cerr == nil) != (tc.want == "") {
					t.Errorf("cosign verify disagrees: %v\n%s", cerr, out)
				}
			}
		})
	}

	t.Run("needs", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			roots bool
			id    Identity
			want  string
		}{
			{false, good, "needs the CA roots"},
			{true, Identity{Issuer: sigstoretest.Issuer}, "one of a certificate identity and an identity regexp"},
			{true, Identity{Subject: "a", SubjectRegexp: "b", Issuer: sigstoretest.Issuer}, "one of a certificate identity and an identity regexp"},
			{true, Identity{Subject: "a"}, "one of an OIDC issuer and an issuer regexp"},
			{true, Identity{SubjectRegexp: "(", Issuer: "i"}, "identity regexp: error parsing regexp"},
		} {
			var roots []*x509.Certificate
			if tc.roots {
				roots = []*x509.Certificate{fulcio.Root}
			}
			if _, err := NewKeylessTrust(roots, tc.id, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%+v: %v, want %q", tc.id, err, tc.want)
			}
		}
	})
}

// cosignVerifyKeyless runs cosign verify with the same trust: the root as
// SIGSTORE_ROOT_FILE, the log key as SIGSTORE_REKOR_PUBLIC_KEY (or
// --insecure-ignore-tlog without one), the identity flags.
func cosignVerifyKeyless(t *testing.T, ref string, roots *sigstoretest.Fulcio, id Identity, rekor *sigstoretest.Rekor) (string, error) {
	t.Helper()
	cosign := cosignCLI(t)
	dir := t.TempDir()
	root := filepath.Join(dir, "root.pem")
	os.WriteFile(root, roots.RootPEM, 0o644)
	args := []string{"verify", ref, "--insecure-ignore-sct", "--allow-insecure-registry"}
	for flag, v := range map[string]string{
		"--certificate-identity": id.Subject, "--certificate-identity-regexp": id.SubjectRegexp,
		"--certificate-oidc-issuer": id.Issuer, "--certificate-oidc-issuer-regexp": id.IssuerRegexp,
	} {
		if v != "" {
			args = append(args, flag, v)
		}
	}
	env := append(os.Environ(), "SIGSTORE_ROOT_FILE="+root, "TUF_ROOT="+filepath.Join(dir, "tuf"), "HOME="+dir)
	if rekor != nil {
		pub := filepath.Join(dir, "rekor.pub")
		os.WriteFile(pub, rekor.PubPEM, 0o644)
		env = append(env, "SIGSTORE_REKOR_PUBLIC_KEY="+pub)
	} else {
		args = append(args, "--insecure-ignore-tlog")
	}
	cmd := exec.CommandContext(t.Context(), cosign, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return string(out), err
}
