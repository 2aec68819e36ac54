//go:build e2e

package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/signing"
)

// TestSigningReferrers publishes with --registry-referrers-mode oci-1-1 to
// Debian's docker-registry, which has no referrers API: the signatures
// are OCI 1.1 referrers listed in the sha256-<hex> referrers tag. The
// real cosign verifies them with --experimental-oci11; slipway verifies
// what cosign sign --registry-referrers-mode oci-1-1 wrote; a referrer
// moved to another image, an altered payload and another key are refused
// by both.
func TestSigningReferrers(t *testing.T) {
	cosign := cosignBin(t)
	repos := testrepo.Get(t)
	cfg := config(t, repos, "", smallSet...)
	cache := t.TempDir()
	reg := startRegistry(t, true)
	dir := t.TempDir()
	const keyPass = "e2e-referrers-key-password"
	env := append(reg.env(), "COSIGN_PASSWORD="+keyPass)
	cosignRun := func(args ...string) (string, error) {
		cmd := exec.Command(cosign, args...)
		cmd.Env = append(os.Environ(), "COSIGN_PASSWORD="+keyPass, "COSIGN_EXPERIMENTAL=1", "HOME="+dir, "TUF_ROOT="+filepath.Join(dir, "tuf"))
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	creds := []string{"--registry-username", reg.User, "--registry-password", reg.Pass}
	verifyOCI11 := func(pub, ref string) (string, error) {
		return cosignRun(append(append([]string{"verify", "--experimental-oci11", "--key", pub, "--insecure-ignore-tlog", "--allow-insecure-registry"}, creds...), ref)...)
	}
	auth := remote.WithAuth(&authn.Basic{Username: reg.User, Password: reg.Pass})

	key := filepath.Join(dir, "slipway")
	mustSucceed(t, slipway(t, env, "keygen", "--output-key-prefix", key), "keygen")
	repo := reg.Host + "/test/referrers"
	r := slipway(t, env, "--cache-dir", cache, "publish", "--json", cfg, "--tag", repo+":3.0",
		"--sign-key", key+".key", "--sbom-dir", filepath.Join(dir, "sbom"), "--registry-referrers-mode", "oci-1-1")
	mustSucceed(t, r, "publish --registry-referrers-mode oci-1-1")
	var pub publishOut
	if err := json.Unmarshal([]byte(r.stdout), &pub); err != nil {
		t.Fatalf("publish --json: %v\n%s", err, r.stdout)
	}
	idx, err := remote.Head(mustTag(t, repo+":3.0"), auth)
	if err != nil {
		t.Fatal(err)
	}
	digests := []string{idx.Digest.String()}
	for _, a := range pub.Arches {
		digests = append(digests, a.Digest)
	}

	t.Run("referrers tag", func(t *testing.T) {
		for _, d := range digests {
			if _, err := remote.Head(mustTag(t, repo+":"+strings.Replace(d, ":", "-", 1)+".sig"), auth); err == nil {
				t.Errorf("%s: a .sig tag exists in oci-1-1 mode", d)
			}
			fi, err := remote.Index(mustTag(t, repo+":"+strings.Replace(d, ":", "-", 1)), auth)
			if err != nil {
				t.Fatalf("%s: referrers tag: %v", d, err)
			}
			im, err := fi.IndexManifest()
			if err != nil {
				t.Fatal(err)
			}
			var sigs []v1.Descriptor
			for _, m := range im.Manifests {
				if m.ArtifactType == signing.SignatureArtifactType {
					sigs = append(sigs, m)
				}
			}
			if im.MediaType != types.OCIImageIndex || len(sigs) != 1 {
				t.Fatalf("%s: referrers tag %s lists %d signatures: %+v", d, im.MediaType, len(sigs), im.Manifests)
			}
			ref, _ := name.NewDigest(repo+"@"+sigs[0].Digest.String(), name.Insecure)
			img, err := remote.Image(ref, auth)
			if err != nil {
				t.Fatal(err)
			}
			m, err := img.Manifest()
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject == nil || m.Subject.Digest.String() != d || m.ArtifactType != signing.SignatureArtifactType || m.Config.MediaType != signing.SignatureArtifactType {
				t.Errorf("%s: referrer manifest subject %+v artifactType %q config %q", d, m.Subject, m.ArtifactType, m.Config.MediaType)
			}
		}
	})

	t.Run("cosign verifies slipway", func(t *testing.T) {
		for _, d := range digests {
			if out, err := verifyOCI11(key+".pub", repo+"@"+d); err != nil {
				t.Errorf("cosign verify --experimental-oci11 %s: %v\n%s", d, err, out)
			}
		}
		if out, err := verifyOCI11(key+".pub", repo+":3.0"); err != nil {
			t.Errorf("cosign verify --experimental-oci11 (tag): %v\n%s", err, out)
		}
		// The attestations stay on the .att tag (cosign attest has no
		// referrers mode outside its new bundle format).
		out, err := cosignRun(append(append([]string{"verify-attestation", "--type", "spdxjson", "--key", key + ".pub", "--insecure-ignore-tlog", "--allow-insecure-registry"}, creds...), repo+":3.0")...)
		if err != nil {
			t.Errorf("cosign verify-attestation: %v\n%s", err, out)
		}
		mustSucceed(t, slipway(t, env, "verify", repo+":3.0", "--key", key+".pub", "--attestations"), "slipway verify of its referrers")
	})

	t.Run("slipway verifies cosign", func(t *testing.T) {
		other := reg.Host + "/test/bycosign-referrers"
		mustSucceed(t, slipway(t, env, "--cache-dir", cache, "publish", cfg, "--tag", other+":1"), "publish unsigned")
		if out, err := cosignRun("generate-key-pair"); err != nil {
			t.Fatalf("cosign generate-key-pair: %v\n%s", err, out)
		}
		args := append([]string{"sign", "--registry-referrers-mode", "oci-1-1", "--key", filepath.Join(dir, "cosign.key"), "--tlog-upload=false", "--allow-insecure-registry", "--recursive", "--yes"}, creds...)
		if out, err := cosignRun(append(args, other+":1")...); err != nil {
			t.Fatalf("cosign sign --registry-referrers-mode oci-1-1: %v\n%s", err, out)
		}
		od, err := remote.Head(mustTag(t, other+":1"), auth)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := remote.Head(mustTag(t, other+":"+od.Digest.Algorithm+"-"+od.Digest.Hex+".sig"), auth); err == nil {
			t.Fatal("cosign wrote a .sig tag: the test would not exercise referrers")
		}
		r := slipway(t, env, "verify", other+":1", "--key", filepath.Join(dir, "cosign.pub"))
		mustSucceed(t, r, "slipway verify of cosign's referrer signatures")
		if n := strings.Count(r.stdout, "verified "); n != 3 {
			t.Errorf("verified %d manifests, want 3:\n%s", n, r.stdout)
		}
	})

	t.Run("tampering", func(t *testing.T) {
		// Another key.
		if out, err := verifyOCI11(filepath.Join(dir, "cosign.pub"), repo+":3.0"); err == nil {
			t.Errorf("cosign verified with another key:\n%s", out)
		}
		r := slipway(t, env, "verify", repo+":3.0", "--key", filepath.Join(dir, "cosign.pub"))
		if r.code != 1 || !strings.Contains(r.stderr, "verification failed") {
			t.Errorf("slipway verify with another key: exit %d\n%s", r.code, r.stderr)
		}
		// The amd64 image's signature referrer, its subject changed to an
		// unsigned image in the same repository.
		fi, err := remote.Index(mustTag(t, repo+":"+strings.Replace(digests[1], ":", "-", 1)), auth)
		if err != nil {
			t.Fatal(err)
		}
		im, _ := fi.IndexManifest()
		sigRef, _ := name.NewDigest(repo+"@"+im.Manifests[0].Digest.String(), name.Insecure)
		sig, err := remote.Image(sigRef, auth)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name   string
			tag    string
			alter  func(payload []byte, victim string) []byte
			reason string
		}{
			{"referrer moved", "moved", func(p []byte, _ string) []byte { return p }, "not this image"},
			{"payload altered", "altered", func(p []byte, victim string) []byte {
				return []byte(strings.Replace(string(p), digests[1], victim, 1))
			}, "signature does not match"},
		} {
			victim, err := random.Image(64, 1)
			if err != nil {
				t.Fatal(err)
			}
			vt := mustTag(t, repo+":"+c.tag)
			if err := remote.Write(vt, victim, auth); err != nil {
				t.Fatal(err)
			}
			vd, _ := victim.Digest()
			pushReferrer(t, sig, repo, vt, c.alter, vd.String(), auth)
			if out, err := verifyOCI11(key+".pub", vt.String()); err == nil {
				t.Errorf("%s: cosign verified it:\n%s", c.name, out)
			}
			r := slipway(t, env, "verify", vt.String(), "--key", key+".pub")
			if r.code != 1 || !strings.Contains(r.stderr, c.reason) {
				t.Errorf("%s: slipway verify: exit %d, want 1 with %q\n%s", c.name, r.code, c.reason, r.stderr)
			}
		}
	})
}

func mustTag(t *testing.T, s string) name.Tag {
	t.Helper()
	tg, err := name.NewTag(s, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// pushReferrer pushes a copy of the signature referrer sig whose subject
// is the image at victim, its payload changed by alter, with the
// original signature annotation (ggcr keeps the referrers tag).
func pushReferrer(t *testing.T, sig v1.Image, repo string, victim name.Tag, alter func([]byte, string) []byte, victimDigest string, auth remote.Option) {
	t.Helper()
	vd, err := remote.Head(victim, auth)
	if err != nil {
		t.Fatal(err)
	}
	m, err := sig.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	layers, _ := sig.Layers()
	rc, err := layers[0].Compressed()
	if err != nil {
		t.Fatal(err)
	}
	var payload []byte
	buf := make([]byte, 1<<16)
	for {
		n, err := rc.Read(buf)
		payload = append(payload, buf[:n]...)
		if err != nil {
			break
		}
	}
	rc.Close()
	payload = alter(payload, victimDigest)
	h, n, err := v1.SHA256(strings.NewReader(string(payload)))
	if err != nil {
		t.Fatal(err)
	}
	repoName, _ := name.NewRepository(repo, name.Insecure)
	if err := remote.WriteLayer(repoName, static.NewLayer(payload, m.Layers[0].MediaType), auth); err != nil {
		t.Fatal(err)
	}
	m.Layers[0].Digest, m.Layers[0].Size = h, n
	m.Subject = &v1.Descriptor{MediaType: vd.MediaType, Digest: vd.Digest, Size: vd.Size}
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	md, _, _ := v1.SHA256(strings.NewReader(string(raw)))
	if err := remote.Put(repoName.Digest(md.String()), rawManifest{raw}, auth); err != nil {
		t.Fatal(err)
	}
}

type rawManifest struct{ raw []byte }

func (r rawManifest) RawManifest() ([]byte, error)        { return r.raw, nil }
func (r rawManifest) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }
