//go:build e2e

package e2e

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/signing/sigstoretest"
)

// cosignBin is the real cosign CLI (sigstoretest.CosignCLI: on PATH or
// where scripts/install-cosign.sh puts it).
func cosignBin(t *testing.T) string { return sigstoretest.CosignCLI(t) }

// TestSigning publishes a signed image with SBOM attestations to a real
// registry (with auth) and checks it with the cosign CLI, and the other
// way round; tampering is refused by both.
func TestSigning(t *testing.T) {
	cosign := cosignBin(t)
	repos := testrepo.Get(t)
	cfg := config(t, repos, "", smallSet...)
	cache := t.TempDir()
	reg := startRegistry(t, true)
	dir := t.TempDir()
	const keyPass = "e2e-key-password-31337"
	env := append(reg.env(), "COSIGN_PASSWORD="+keyPass)
	var outputs []string
	run := func(env []string, args ...string) result {
		r := slipway(t, env, args...)
		outputs = append(outputs, r.stdout, r.stderr)
		return r
	}
	cosignRun := func(args ...string) (string, error) {
		cmd := exec.Command(cosign, args...)
		cmd.Env = append(os.Environ(), "COSIGN_PASSWORD="+keyPass, "HOME="+dir, "TUF_ROOT="+filepath.Join(dir, "tuf"))
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	creds := []string{"--registry-username", reg.User, "--registry-password", reg.Pass}
	verifyArgs := func(pub string) []string {
		return append([]string{"--key", pub, "--insecure-ignore-tlog", "--allow-insecure-registry"}, creds...)
	}

	key := filepath.Join(dir, "slipway")
	mustSucceed(t, run(env, "keygen", "--output-key-prefix", key), "keygen")
	repo := reg.Host + "/test/signed"
	sbomDir := filepath.Join(dir, "sbom")
	r := run(env, "--cache-dir", cache, "publish", "--json", cfg, "--tag", repo+":3.0",
		"--sign-key", key+".key", "--sbom-dir", sbomDir, "--provenance")
	mustSucceed(t, r, "publish --sign-key")
	var pub publishOut
	if err := json.Unmarshal([]byte(r.stdout), &pub); err != nil {
		t.Fatalf("publish --json: %v\n%s", err, r.stdout)
	}
	refs := []string{repo + ":3.0"}
	for _, a := range pub.Arches {
		refs = append(refs, repo+"@"+a.Digest)
	}
	if len(refs) != 3 {
		t.Fatalf("publish gave %d arches", len(pub.Arches))
	}

	t.Run("cosign verifies slipway", func(t *testing.T) {
		for _, ref := range refs {
			if out, err := cosignRun(append(append([]string{"verify"}, verifyArgs(key+".pub")...), ref)...); err != nil {
				t.Errorf("cosign verify %s: %v\n%s", ref, err, out)
			}
			out, err := cosignRun(append(append([]string{"verify-attestation", "--type", "spdxjson"}, verifyArgs(key+".pub")...), ref)...)
			if err != nil {
				t.Errorf("cosign verify-attestation %s: %v\n%s", ref, err, out)
				continue
			}
			names := attestedPackages(t, out)
			for _, want := range smallSet {
				if !names[want] {
					t.Errorf("%s: the SBOM cosign verified lacks %s (has %v)", ref, want, names)
				}
			}
			if out, err := cosignRun(append(append([]string{"verify-attestation", "--type", "slsaprovenance1"}, verifyArgs(key+".pub")...), ref)...); err != nil {
				t.Errorf("cosign verify-attestation --type slsaprovenance1 %s: %v\n%s", ref, err, out)
			}
		}
		files, _ := filepath.Glob(filepath.Join(sbomDir, "*.spdx.json"))
		if len(files) != 2 {
			t.Errorf("--sbom-dir holds %v, want 2 SBOMs", files)
		}
	})

	t.Run("slipway verifies cosign", func(t *testing.T) {
		other := reg.Host + "/test/bycosign"
		mustSucceed(t, run(env, "--cache-dir", cache, "publish", cfg, "--tag", other+":1"), "publish unsigned")
		if out, err := cosignRun("generate-key-pair"); err != nil {
			t.Fatalf("cosign generate-key-pair: %v\n%s", err, out)
		}
		args := append([]string{"sign", "--key", filepath.Join(dir, "cosign.key"), "--tlog-upload=false", "--allow-insecure-registry", "--recursive", "--yes"}, creds...)
		if out, err := cosignRun(append(args, other+":1")...); err != nil {
			t.Fatalf("cosign sign: %v\n%s", err, out)
		}
		r := run(env, "verify", other+":1", "--key", filepath.Join(dir, "cosign.pub"))
		mustSucceed(t, r, "slipway verify of cosign's signature")
		if n := strings.Count(r.stdout, "verified "); n != 3 {
			t.Errorf("verified %d manifests, want 3:\n%s", n, r.stdout)
		}
		// cosign's key signs with slipway too.
		mustSucceed(t, run(env, "sign", other+":1", "--key", filepath.Join(dir, "cosign.key")), "slipway sign with cosign's key")
		// and slipway's own verify of its publish, with attestations
		mustSucceed(t, run(env, "verify", repo+":3.0", "--key", key+".pub", "--attestations", "--type", "spdxjson", "--type", "slsaprovenance1"), "slipway verify --attestations")
	})

	t.Run("tampering", func(t *testing.T) {
		// Wrong public key.
		if out, err := cosignRun(append(append([]string{"verify"}, verifyArgs(filepath.Join(dir, "cosign.pub"))...), repo+":3.0")...); err == nil {
			t.Errorf("cosign verified with the wrong key:\n%s", out)
		}
		r := run(env, "verify", repo+":3.0", "--key", filepath.Join(dir, "cosign.pub"))
		if r.code != 1 || !strings.Contains(r.stderr, "verification failed") {
			t.Errorf("slipway verify with the wrong key: exit %d\n%s", r.code, r.stderr)
		}
		// Wrong password.
		r = run(append(reg.env(), "COSIGN_PASSWORD=not-the-password"), "sign", repo+":3.0", "--key", key+".key")
		if r.code != 1 || !strings.Contains(r.stderr, "wrong password") {
			t.Errorf("sign with a wrong password: exit %d\n%s", r.code, r.stderr)
		}

		auth := remote.WithAuth(&authn.Basic{Username: reg.User, Password: reg.Pass})
		amd, arm := pub.Arches[0].Digest, pub.Arches[1].Digest
		sigTag := func(d string) name.Tag {
			tg, err := name.NewTag(repo+":"+strings.Replace(d, ":", "-", 1)+".sig", name.Insecure)
			if err != nil {
				t.Fatal(err)
			}
			return tg
		}
		// Re-tag: the amd64 image's signature put on the arm64 image.
		sig, err := remote.Image(sigTag(amd), auth)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(sigTag(arm), sig, auth); err != nil {
			t.Fatal(err)
		}
		armRef := repo + "@" + arm
		if out, err := cosignRun(append(append([]string{"verify"}, verifyArgs(key+".pub")...), armRef)...); err == nil {
			t.Errorf("cosign verified a signature re-tagged from another image:\n%s", out)
		}
		r = run(env, "verify", armRef, "--key", key+".pub")
		if r.code != 1 || !strings.Contains(r.stderr, "not this image") {
			t.Errorf("slipway verify of a re-tagged signature: exit %d\n%s", r.code, r.stderr)
		}
		// Altered payload: the amd64 signature's payload with a byte changed.
		m, _ := sig.Manifest()
		layers, _ := sig.Layers()
		rc, _ := layers[0].Compressed()
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
		altered := []byte(strings.Replace(string(payload), `"optional":null`, `"optional":{"x":"y"}`, 1))
		if string(altered) == string(payload) {
			altered = append(payload[:len(payload)-1:len(payload)-1], ' ', '}')
		}
		bad, err := mutate.Append(mutate.MediaType(emptyImage(), m.MediaType), mutate.Addendum{
			Layer: static.NewLayer(altered, m.Layers[0].MediaType), Annotations: m.Layers[0].Annotations,
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(sigTag(amd), bad, auth); err != nil {
			t.Fatal(err)
		}
		amdRef := repo + "@" + amd
		if out, err := cosignRun(append(append([]string{"verify"}, verifyArgs(key+".pub")...), amdRef)...); err == nil {
			t.Errorf("cosign verified an altered payload:\n%s", out)
		}
		r = run(env, "verify", amdRef, "--key", key+".pub")
		if r.code != 1 || !strings.Contains(r.stderr, "signature does not match") {
			t.Errorf("slipway verify of an altered payload: exit %d\n%s", r.code, r.stderr)
		}
	})

	for _, o := range outputs {
		for _, secret := range []string{keyPass, reg.Pass} {
			if strings.Contains(o, secret) {
				t.Errorf("a password was printed:\n%s", o)
			}
		}
	}
}

// attestedPackages reads cosign verify-attestation's output (one DSSE
// envelope a line) and returns the package names of the SPDX predicates.
func attestedPackages(t *testing.T, out string) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "{") {
			continue
		}
		var env struct {
			Payload string `json:"payload"`
		}
		if json.Unmarshal([]byte(line), &env) != nil || env.Payload == "" {
			continue
		}
		body, err := base64.StdEncoding.DecodeString(env.Payload)
		if err != nil {
			t.Fatalf("payload is not base64: %v", err)
		}
		var st struct {
			PredicateType string `json:"predicateType"`
			Predicate     struct {
				Packages []struct {
					Name string `json:"name"`
				} `json:"packages"`
			} `json:"predicate"`
		}
		if err := json.Unmarshal(body, &st); err != nil {
			t.Fatalf("statement: %v", err)
		}
		for _, p := range st.Predicate.Packages {
			names[p.Name] = true
		}
	}
	return names
}

func emptyImage() v1.Image { return empty.Image }
