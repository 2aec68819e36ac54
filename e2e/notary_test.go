//go:build e2e

package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/notaryproject/notation-go"
	"github.com/notaryproject/notation-go/dir"
	notaryreg "github.com/notaryproject/notation-go/registry"
	"github.com/notaryproject/notation-go/verifier"
	"github.com/notaryproject/notation-go/verifier/trustpolicy"
	"github.com/notaryproject/notation-go/verifier/truststore"
	orasremote "oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"

	"github.com/slipway-build/slipway/manifests"
	"github.com/slipway-build/slipway/signing"
	"github.com/slipway-build/slipway/signing/notarytest"
)

// basicKeychain gives one user's password to every registry.
type basicKeychain struct{ user, pass string }

func (k basicKeychain) Resolve(authn.Resource) (authn.Authenticator, error) {
	return &authn.Basic{Username: k.user, Password: k.pass}, nil
}

// TestNotaryDockerRegistry signs an index and its images with Notary
// signatures (JWS and COSE) on Debian's docker-registry, which has no
// referrers API and asks for a password: the signatures go into the
// sha256-<hex> referrers tag, as notation writes them there;
// notation-go's verifier, over its own oras-go client, verifies them
// with a notation trust store and policy; signing again adds nothing;
// Attachments lists them; another CA's signer is refused.
func TestNotaryDockerRegistry(t *testing.T) {
	reg := startRegistry(t, true)
	ctx := t.Context()
	basic := remote.WithAuth(&authn.Basic{Username: reg.User, Password: reg.Pass})
	tag, err := name.NewTag(reg.Host+"/test/notary:1", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	img1, _ := random.Image(512, 1)
	img2, _ := random.Image(512, 1)
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: img1, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: img2, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}})
	if err := remote.WriteIndex(tag, idx, basic); err != nil {
		t.Fatal(err)
	}
	opts := signing.Options{Registry: manifests.PushOptions{Keychain: basicKeychain{reg.User, reg.Pass}}}

	ca := notarytest.NewCA(t, "e2e CA")
	keyPEM, chainPEM := ca.Leaf(t, "e2e signer", time.Now().Add(time.Hour))
	key, err := signing.LoadNotaryKey("key.pem", keyPEM, "chain.pem", chainPEM)
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range []signing.NotaryEnvelope{signing.NotaryJWS, signing.NotaryCOSE} {
		res, err := signing.NotarySignAll(ctx, tag, true, key, signing.NotaryOptions{Options: opts, Envelope: env})
		if err != nil {
			t.Fatalf("sign %s: %v", env, err)
		}
		if len(res) != 3 {
			t.Fatalf("%s: %d signed, want 3", env, len(res))
		}
	}
	again, err := signing.NotarySignAll(ctx, tag, true, key, signing.NotaryOptions{Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range again {
		if !r.Existing {
			t.Errorf("signing again added a signature to %s", r.Digest)
		}
	}

	targets, err := signing.Targets(ctx, tag, true, opts)
	if err != nil {
		t.Fatal(err)
	}
	policy, store := notarytest.TrustDir(t, tag.Context().Name(), "", nil, map[string]*notarytest.CA{"e2e": ca})
	for _, tg := range targets {
		h, _ := v1.NewHash(tg.Digest.DigestStr())
		ri, err := remote.Index(tag.Context().Tag(h.Algorithm+"-"+h.Hex), basic)
		if err != nil {
			t.Fatalf("%s: no referrers tag: %v", tg, err)
		}
		im, _ := ri.IndexManifest()
		if len(im.Manifests) != 2 {
			t.Errorf("%s: referrers tag lists %d, want 2 (JWS, COSE)", tg, len(im.Manifests))
		}
		for _, m := range im.Manifests {
			if m.ArtifactType != signing.NotaryArtifactType {
				t.Errorf("%s: referrer artifactType %q", tg, m.ArtifactType)
			}
		}
		if err := notationVerify(t, tg.Digest, reg, policy, store); err != nil {
			t.Errorf("notation-go does not verify %s: %v", tg, err)
		}
	}
	trust, err := signing.LoadNotaryTrust(policy, store, signing.NotaryTrustOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if vr, err := signing.NotaryVerifyAll(ctx, tag, true, trust, opts); err != nil || len(vr) != 3 {
		t.Errorf("NotaryVerifyAll: %v %+v", err, vr)
	}
	tree, err := signing.Attachments(ctx, tag, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range tree.Manifests {
		n := 0
		for _, a := range m.Attachments {
			if a.Kind == signing.KindNotarySignature && a.Source == signing.SourceReferrersTag && strings.Contains(a.Signer, "CN=e2e signer") {
				n++
			}
		}
		if n != 2 {
			b, _ := json.Marshal(m)
			t.Errorf("%s: %d Notary signatures listed from the referrers tag, want 2: %s", m.Digest, n, b)
		}
	}

	// Another CA's signer is refused by the policy that trusts e2e CA.
	other := notarytest.NewCA(t, "other CA")
	k2, c2 := other.Leaf(t, "stranger", time.Now().Add(time.Hour))
	stranger, err := signing.LoadNotaryKey("k2.pem", k2, "c2.pem", c2)
	if err != nil {
		t.Fatal(err)
	}
	tag2, _ := name.NewTag(reg.Host+"/test/notary-stranger:1", name.Insecure)
	if err := remote.WriteIndex(tag2, idx, basic); err != nil {
		t.Fatal(err)
	}
	if _, err := signing.NotarySignAll(ctx, tag2, false, stranger, signing.NotaryOptions{Options: opts}); err != nil {
		t.Fatal(err)
	}
	policy2, store2 := notarytest.TrustDir(t, tag2.Context().Name(), "", nil, map[string]*notarytest.CA{"e2e": ca})
	trust2, err := signing.LoadNotaryTrust(policy2, store2, signing.NotaryTrustOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := signing.NotaryVerifyAll(ctx, tag2, false, trust2, opts); err == nil || !strings.Contains(err.Error(), "signature verification failed") {
		t.Errorf("another CA's signer: %v", err)
	}
}

// notationVerify verifies d as the notation CLI would: notation-go's
// verifier over an oras-go repository with the registry's password.
func notationVerify(t *testing.T, d name.Digest, reg *realRegistry, policyFile, storeRoot string) error {
	t.Helper()
	var doc trustpolicy.Document
	if err := json.Unmarshal(readFileT(t, policyFile), &doc); err != nil {
		t.Fatal(err)
	}
	v, err := verifier.New(&doc, truststore.NewX509TrustStore(dir.NewSysFS(storeRoot)), nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := orasremote.NewRepository(d.Context().Name())
	if err != nil {
		t.Fatal(err)
	}
	r.PlainHTTP = true
	r.Client = &auth.Client{Client: http.DefaultClient, Credential: auth.StaticCredential(reg.Host, auth.Credential{Username: reg.User, Password: reg.Pass})}
	_, _, err = notation.Verify(t.Context(), v, notaryreg.NewRepository(r), notation.VerifyOptions{
		ArtifactReference: d.String(), MaxSignatureAttempts: 50,
	})
	return err
}

func readFileT(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
