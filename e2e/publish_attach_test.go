//go:build e2e

package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/signing"
	"github.com/slipway-build/slipway/signing/notarytest"
)

// TestPublishNotaryCycloneDX publishes to the real docker-registry with a
// cosign key, a Notary key and both SBOM formats, through the publish
// step: the cosign CLI verifies the signatures and both attestation
// types, notation-go's verifier the Notary signatures of the index and
// both platforms, slipway verify both; inspect --attachments lists every
// one; publishing again adds no signature; the CycloneDX components are
// what rpm -qa reads from the image's rpmdb.
func TestPublishNotaryCycloneDX(t *testing.T) {
	cosign := cosignBin(t)
	testutil.RequireTool(t, "skopeo", "skopeo")
	testutil.RequireTool(t, "rpm", "rpm")
	repos := testrepo.Get(t)
	cfg := config(t, repos, "", smallSet...)
	cache := t.TempDir()
	reg := startRegistry(t, true)
	dir := t.TempDir()
	const keyPass = "e2e-notary-pass-4242"
	env := append(reg.env(), "COSIGN_PASSWORD="+keyPass)
	key := filepath.Join(dir, "slipway")
	mustSucceed(t, slipway(t, env, "keygen", "--output-key-prefix", key), "keygen")

	ca := notarytest.NewCA(t, "publish CA")
	nkey, nchain := ca.Leaf(t, "publish signer", time.Now().Add(time.Hour))
	nkeyFile, nchainFile := filepath.Join(dir, "notary.pem"), filepath.Join(dir, "chain.pem")
	if err := os.WriteFile(nkeyFile, nkey, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(nchainFile, nchain, 0o644); err != nil {
		t.Fatal(err)
	}

	repo := reg.Host + "/test/notarised"
	sbomDir := filepath.Join(dir, "sbom")
	publish := func() publishOut {
		r := slipway(t, env, "--cache-dir", cache, "publish", "--json", cfg, "--tag", repo+":1",
			"--sign-key", key+".key", "--notation-key", nkeyFile, "--notation-cert", nchainFile,
			"--sbom-format", "spdx-json", "--sbom-format", "cyclonedx-json", "--sbom-dir", sbomDir)
		mustSucceed(t, r, "publish --sign-key --notation-key --sbom-format x2")
		var pub publishOut
		if err := json.Unmarshal([]byte(r.stdout), &pub); err != nil {
			t.Fatalf("publish --json: %v\n%s", err, r.stdout)
		}
		return pub
	}
	pub := publish()
	refs := []string{repo + ":1"}
	for _, a := range pub.Arches {
		refs = append(refs, repo+"@"+a.Digest)
	}
	if len(refs) != 3 {
		t.Fatalf("publish gave %d arches", len(pub.Arches))
	}

	cosignRun := func(args ...string) (string, error) {
		cmd := exec.Command(cosign, args...)
		cmd.Env = append(os.Environ(), "HOME="+dir, "TUF_ROOT="+filepath.Join(dir, "tuf"))
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	vargs := []string{"--key", key + ".pub", "--insecure-ignore-tlog", "--allow-insecure-registry",
		"--registry-username", reg.User, "--registry-password", reg.Pass}
	for _, ref := range refs {
		if out, err := cosignRun(append(append([]string{"verify"}, vargs...), ref)...); err != nil {
			t.Errorf("cosign verify %s: %v\n%s", ref, err, out)
		}
		for _, typ := range []string{"spdxjson", "cyclonedx"} {
			if out, err := cosignRun(append(append([]string{"verify-attestation", "--type", typ}, vargs...), ref)...); err != nil {
				t.Errorf("cosign verify-attestation --type %s %s: %v\n%s", typ, ref, err, out)
			}
		}
	}

	policy, store := notarytest.TrustDir(t, repo, "", nil, map[string]*notarytest.CA{"publish": ca})
	for _, ref := range refs {
		d := digestOf(t, reg, ref)
		if err := notationVerify(t, d, reg, policy, store); err != nil {
			t.Errorf("notation-go does not verify %s: %v", d, err)
		}
	}
	r := slipway(t, env, "verify", "--json", repo+":1", "--key", key+".pub", "--type", "cyclonedx", "--type", "spdxjson",
		"--notation-trust-policy", policy, "--notation-trust-store", store)
	mustSucceed(t, r, "slipway verify --type cyclonedx --notation-trust-policy")
	var vj struct {
		Cosign []json.RawMessage `json:"cosign"`
		Notary []json.RawMessage `json:"notary"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &vj); err != nil || len(vj.Cosign) != 3 || len(vj.Notary) != 3 {
		t.Errorf("verify --json: %v\n%s", err, r.stdout)
	}

	before := attachmentCounts(t, env, repo+":1")
	for _, m := range before {
		for _, want := range []string{
			signing.KindCosignSignature,
			signing.KindCosignAttestation + " " + signing.PredicateSPDX,
			signing.KindCosignAttestation + " " + signing.PredicateCycloneDX,
			signing.KindNotarySignature,
		} {
			if m[want] < 1 {
				t.Errorf("inspect --attachments lacks %s: %v", want, m)
			}
		}
	}
	pub2 := publish()
	if pub2.Index != pub.Index {
		t.Fatalf("second publish gave index %s, first %s", pub2.Index, pub.Index)
	}
	after := attachmentCounts(t, env, repo+":1")
	if b, a := jsonString(before), jsonString(after); a != b {
		t.Errorf("publishing again changed the attachments:\nbefore %s\nafter  %s", b, a)
	}

	// The CycloneDX component set is the image's rpm -qa.
	for _, a := range pub.Arches {
		if a.Arch != "x86_64" {
			continue
		}
		layout := filepath.Join(t.TempDir(), "oci")
		args := append([]string{"copy", "--src-tls-verify=false"}, reg.skopeoCreds("--src-creds")...)
		if out, err := exec.Command("skopeo", append(args, "docker://"+repo+"@"+a.Digest, "oci:"+layout+":x")...).CombinedOutput(); err != nil {
			t.Fatalf("skopeo copy: %v\n%s", err, out)
		}
		root := unpack(t, layout, "x")
		out, err := exec.Command("rpm", "--root", root, "--dbpath", "/var/lib/rpm", "-qa",
			"--qf", `%{NAME} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\n`).Output()
		if err != nil {
			t.Fatalf("rpm -qa: %v", err)
		}
		rpmSet := strings.Fields(strings.ReplaceAll(strings.TrimSpace(string(out)), " ", "@"))
		sort.Strings(rpmSet)
		doc, err := os.ReadFile(filepath.Join(sbomDir, "test_e2e-x86_64.cdx.json"))
		if err != nil {
			t.Fatal(err)
		}
		var bom struct {
			Metadata struct {
				Component struct {
					Version string `json:"version"`
				} `json:"component"`
			} `json:"metadata"`
			Components []struct {
				Name, Version string
			} `json:"components"`
		}
		if err := json.Unmarshal(doc, &bom); err != nil {
			t.Fatal(err)
		}
		var cdxSet []string
		for _, c := range bom.Components {
			cdxSet = append(cdxSet, c.Name+"@"+c.Version)
		}
		sort.Strings(cdxSet)
		if strings.Join(cdxSet, " ") != strings.Join(rpmSet, " ") || len(rpmSet) < len(smallSet) {
			t.Errorf("CycloneDX components %v, rpm -qa %v", cdxSet, rpmSet)
		}
	}
}

// digestOf is ref as a digest reference (a tag resolved by skopeo).
func digestOf(t *testing.T, reg *realRegistry, ref string) name.Digest {
	t.Helper()
	if i := strings.Index(ref, "@"); i >= 0 {
		d, err := name.NewDigest(ref, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	args := append([]string{"inspect", "--tls-verify=false", "--format", "{{.Digest}}"}, reg.skopeoCreds("--creds")...)
	out, err := exec.Command("skopeo", append(args, "docker://"+ref)...).Output()
	if err != nil {
		t.Fatalf("skopeo inspect %s: %v", ref, err)
	}
	tag, _ := name.NewTag(ref, name.Insecure)
	d, err := name.NewDigest(tag.Context().Name()+"@"+strings.TrimSpace(string(out)), name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// attachmentCounts runs inspect --attachments --json and counts, per
// manifest, the signatures (a cosign .sig image counts its layers) and
// the attestations by predicate type.
func attachmentCounts(t *testing.T, env []string, ref string) map[string]map[string]int {
	t.Helper()
	r := slipway(t, env, "inspect", "--attachments", "--json", ref)
	mustSucceed(t, r, "inspect --attachments")
	var tree signing.AttachmentTree
	if err := json.Unmarshal([]byte(r.stdout), &tree); err != nil {
		t.Fatalf("inspect --attachments --json: %v\n%s", err, r.stdout)
	}
	if len(tree.Manifests) != 3 {
		t.Fatalf("inspect --attachments lists %d manifests, want 3:\n%s", len(tree.Manifests), r.stdout)
	}
	text := slipway(t, env, "inspect", "--attachments", ref)
	mustSucceed(t, text, "inspect --attachments (text)")
	out := map[string]map[string]int{}
	for _, m := range tree.Manifests {
		if !strings.Contains(text.stdout, m.Digest) {
			t.Errorf("inspect --attachments text lacks %s:\n%s", m.Digest, text.stdout)
		}
		c := map[string]int{}
		for _, a := range m.Attachments {
			n := max(a.Count, 1)
			if len(a.PredicateTypes) == 0 {
				c[a.Kind] += n
			}
			for _, p := range a.PredicateTypes {
				c[a.Kind+" "+p]++
			}
		}
		out[m.Digest] = c
	}
	return out
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
