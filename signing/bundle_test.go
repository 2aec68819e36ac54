package signing

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// emptyTrustedRoot is a sigstore trusted root with no authorities and no
// logs: what cosign's new bundle format needs to verify a key-signed
// bundle offline.
const emptyTrustedRoot = `{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}`

// TestBundleAttestationsCosign attaches SPDX and CycloneDX attestations
// in the sigstore bundle format (cosign attest --new-bundle-format) as
// referrers, on registries with and without the referrers API: the real
// cosign verify-attestation --new-bundle-format accepts each on the index
// and both images, slipway's Verify finds them, no .att tag is written,
// and attesting again adds no referrer.
func TestBundleAttestationsCosign(t *testing.T) {
	cosign := cosignCLI(t)
	for _, api := range []bool{true, false} {
		t.Run(map[bool]string{true: "referrers-api", false: "referrers-tag"}[api], func(t *testing.T) {
			ctx := t.Context()
			host := testRegistryHost(t, api)
			tag, idxDigest, digests := pushIndex(t, host, "bundle/img")
			dir := t.TempDir()
			privPath, pubPath := keyPair(t, dir, testPassword)
			sv := loadSigner(t, privPath, testPassword)
			sboms := [][]byte{sbomFor(t, digests[0], "x86_64"), cdxFor(t, digests[1], "aarch64"), cdxFor(t, digests[0], "x86_64")}
			so := SignOptions{Recursive: true, SBOMs: sboms, BundleFormat: true, Created: time.Unix(1700000000, 0)}
			if _, err := SignAndAttest(ctx, tag, &Signer{Key: sv}, so); err != nil {
				t.Fatal(err)
			}
			all := append([]v1.Hash{idxDigest}, digests...)
			count := func() []int {
				var n []int
				for _, d := range all {
					b, err := bundleReferrers(ctx, tag.Context().Digest(d.String()), Options{})
					if err != nil {
						t.Fatal(err)
					}
					n = append(n, len(b))
				}
				return n
			}
			before := count()
			if before[0] != 3 || before[1] != 2 || before[2] != 1 {
				t.Errorf("bundle referrers %v, want [3 2 1]", before)
			}
			if _, err := SignAndAttest(ctx, tag, &Signer{Key: sv}, so); err != nil {
				t.Fatal(err)
			}
			if after := count(); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Errorf("attesting again: %v bundle referrers, was %v", after, before)
			}
			for _, d := range all {
				if _, err := remote.Head(tag.Context().Tag(d.Algorithm + "-" + d.Hex + ".att")); err == nil {
					t.Errorf("%s: an .att tag was written in bundle format", d)
				}
			}
			if _, err := Verify(ctx, tag, sv, VerifyOptions{Recursive: true, Attestations: true, PredicateTypes: []string{PredicateCycloneDX}}); err != nil {
				t.Errorf("slipway verify: %v", err)
			}
			tr := filepath.Join(dir, "trusted_root.json")
			if err := os.WriteFile(tr, []byte(emptyTrustedRoot), 0o644); err != nil {
				t.Fatal(err)
			}
			types := [][]string{{"spdxjson", "cyclonedx"}, {"spdxjson", "cyclonedx"}, {"cyclonedx"}}
			for i, d := range all {
				ref := tag.Context().Digest(d.String()).String()
				for _, typ := range types[i] {
					cmd := exec.CommandContext(ctx, cosign, "verify-attestation", "--new-bundle-format", "--key", pubPath, "--insecure-ignore-tlog",
						"--trusted-root", tr, "--allow-insecure-registry", "--type", typ, ref)
					cmd.Env = append(os.Environ(), "TUF_ROOT="+filepath.Join(dir, "tuf"), "HOME="+dir)
					out, err := cmd.CombinedOutput()
					if err != nil {
						t.Errorf("cosign verify-attestation --new-bundle-format --type %s %s: %v\n%s", typ, ref, err, out)
					} else if !strings.Contains(string(out), `"payload"`) {
						t.Errorf("cosign verify-attestation --type %s %s printed no payload:\n%s", typ, ref, out)
					}
				}
			}
			// Another key's bundles do not pass cosign.
			_, otherPub := keyPair(t, t.TempDir(), "other")
			cmd := exec.CommandContext(ctx, cosign, "verify-attestation", "--new-bundle-format", "--key", otherPub, "--insecure-ignore-tlog",
				"--trusted-root", tr, "--allow-insecure-registry", "--type", "cyclonedx", tag.String())
			cmd.Env = append(os.Environ(), "TUF_ROOT="+filepath.Join(dir, "tuf"), "HOME="+dir)
			if out, err := cmd.CombinedOutput(); err == nil {
				t.Errorf("cosign verified the bundles with another key:\n%s", out)
			}
		})
	}
}
