package signing

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/notaryproject/notation-go"
	"github.com/notaryproject/notation-go/dir"
	notaryreg "github.com/notaryproject/notation-go/registry"
	"github.com/notaryproject/notation-go/verifier"
	"github.com/notaryproject/notation-go/verifier/trustpolicy"
	"github.com/notaryproject/notation-go/verifier/truststore"
	orasremote "oras.land/oras-go/v2/registry/remote"
)

// notationVerify is the oracle: notation-go's verifier over a plain
// oras-go repository, configured as ORACLES.md says the notation CLI
// does (verifier.New with the policy document and an X509 trust store on
// the configuration directory), without any slipway code.
func notationVerify(t *testing.T, d name.Digest, policyFile, storeRoot string) error {
	t.Helper()
	data, err := readLimited(policyFile, maxTrustPolicy)
	if err != nil {
		t.Fatal(err)
	}
	var doc trustpolicy.Document
	if err := jsonUnmarshal(data, &doc); err != nil {
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
	_, _, err = notation.Verify(t.Context(), v, notaryreg.NewRepository(r), notation.VerifyOptions{
		ArtifactReference: d.String(), MaxSignatureAttempts: 50,
	})
	return err
}

// TestNotarySignVerify signs an index and both its images with a Notary
// signature, in JWS and COSE, on registries with and without the
// referrers API; notation-go's verifier accepts what was written, signing
// again adds nothing, and the referrers tag is written only where the API
// is missing.
func TestNotarySignVerify(t *testing.T) {
	t.Parallel()
	for _, api := range []bool{true, false} {
		t.Run(map[bool]string{true: "referrers-api", false: "referrers-tag"}[api], func(t *testing.T) {
			t.Parallel()
			host := testRegistryHost(t, api)
			ref := testIndex(t, host, "notary/img")
			ca := newNotaryCA(t, "slipway test CA")
			key := ca.notaryKey(t, "slipway signer", time.Now().Add(12*time.Hour))
			policy, store := notaryTrustDir(t, ref.Context().Name(), "", []string{"x509.subject: C=DE, ST=Berlin, O=slipway tests, CN=slipway signer"}, map[string]*notaryCA{"slipway": ca})

			for _, env := range []NotaryEnvelope{NotaryJWS, NotaryCOSE} {
				res, err := NotarySignAll(t.Context(), ref, true, key, NotaryOptions{Envelope: env})
				if err != nil {
					t.Fatalf("sign %s: %v", env, err)
				}
				if len(res) != 3 {
					t.Fatalf("%s: %d results, want index + 2 images", env, len(res))
				}
				for _, r := range res {
					if r.Existing || r.Envelope != env.MediaType() {
						t.Errorf("%s: %+v", env, r)
					}
				}
			}
			again, err := NotarySignAll(t.Context(), ref, true, key, NotaryOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range again {
				if !r.Existing {
					t.Errorf("signing again added a signature to %s", r.Digest)
				}
			}
			targets, err := Targets(t.Context(), ref, true, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, tg := range targets {
				idx, err := remote.Referrers(tg.Digest, remote.WithReferrersTagFallback(!api))
				if err != nil {
					t.Fatal(err)
				}
				im, _ := idx.IndexManifest()
				if n := len(im.Manifests); n != 2 {
					t.Errorf("%s has %d referrers, want 2 (one JWS, one COSE)", tg, n)
				}
				for _, m := range im.Manifests {
					if m.ArtifactType != NotaryArtifactType {
						t.Errorf("%s: referrer artifactType %q", tg, m.ArtifactType)
					}
				}
				if err := notationVerify(t, tg.Digest, policy, store); err != nil {
					t.Errorf("notation-go does not verify %s: %v", tg, err)
				}
			}
			if tags := referrersTags(t, ref); api && len(tags) != 0 {
				t.Errorf("referrers tags written although the registry has the API: %v", tags)
			} else if !api && len(tags) != 3 {
				t.Errorf("referrers tags %v, want one per signed manifest", tags)
			}

			trust, err := LoadNotaryTrust(policy, store, NotaryTrustOptions{})
			if err != nil {
				t.Fatal(err)
			}
			vr, err := NotaryVerifyAll(t.Context(), ref, true, trust, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(vr) != 3 || vr[0].Level != "strict" || !strings.Contains(vr[0].Signer, "CN=slipway signer") {
				t.Errorf("verify results: %+v", vr)
			}
			// The trust store may also be given as the truststore directory.
			if _, err := LoadNotaryTrust(policy, store+"/truststore", NotaryTrustOptions{}); err != nil {
				t.Errorf("truststore directory: %v", err)
			}
		})
	}
}

// TestNotaryRejects: another signer, an identity the policy does not
// pin, a scope the policy does not cover, a signature moved to another
// manifest, an envelope with a flipped byte, and an expired certificate
// are all refused with an error saying so.
func TestNotaryRejects(t *testing.T) {
	t.Parallel()
	host := testRegistryHost(t, true)
	ca := newNotaryCA(t, "slipway test CA")
	other := newNotaryCA(t, "other CA")
	good := ca.notaryKey(t, "slipway signer", time.Now().Add(12*time.Hour))
	stranger := other.notaryKey(t, "stranger", time.Now().Add(12*time.Hour))
	ctx := t.Context()

	sign := func(repo string, k *NotaryKey) name.Reference {
		ref := testIndex(t, host, repo)
		if _, err := NotarySignAll(ctx, ref, false, k, NotaryOptions{}); err != nil {
			t.Fatal(err)
		}
		return ref
	}
	verify := func(ref name.Reference, identities []string, scope string) error {
		if scope == "" {
			scope = ref.Context().Name()
		}
		policy, store := notaryTrustDir(t, scope, "", identities, map[string]*notaryCA{"slipway": ca})
		trust, err := LoadNotaryTrust(policy, store, NotaryTrustOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = NotaryVerifyAll(ctx, ref, false, trust, Options{})
		return err
	}

	strangerRef := sign("notary/stranger", stranger)
	goodRef := sign("notary/good", good)
	unsigned := testIndex(t, host, "notary/unsigned")

	// A Notary signature of goodRef's index re-attached to another index:
	// its payload names the original digest.
	moved := testIndex(t, host, "notary/moved")
	movedDigest := moveNotarySignature(t, goodRef, moved)
	tamperedRef := sign("notary/tampered", good)
	tamperNotarySignature(t, tamperedRef)

	// An expired certificate: valid when it signed, expired now.
	shortLived := ca.notaryKey(t, "short-lived", time.Now().Add(2*time.Second))
	expiredRef := sign("notary/expired", shortLived)
	time.Sleep(3 * time.Second)

	cases := []struct {
		name       string
		ref        name.Reference
		identities []string
		scope      string
		want       string
	}{
		{"another signer", strangerRef, nil, "", "does not contain any trusted certificate"},
		{"unsigned", unsigned, nil, "", "no valid Notary signature found"},
		{"identity not pinned", goodRef, []string{"x509.subject: C=DE, ST=Berlin, O=slipway tests, CN=somebody else"}, "", "signing certificate from the digital signature does not match the X.509 trusted identities"},
		{"scope not covered", goodRef, nil, host + "/notary/elsewhere", "artifact \"" + goodRef.Context().Name() + "@"},
		{"signature moved to another manifest", movedDigest, nil, "", "content descriptor mismatch"},
		{"envelope with an altered signature", tamperedRef, nil, "", "signature is invalid"},
		{"expired certificate", expiredRef, nil, "", "expired"},
	}
	for _, c := range cases {
		err := verify(c.ref, c.identities, c.scope)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	if err := verify(goodRef, nil, ""); err != nil {
		t.Errorf("the good signature: %v", err)
	}
	if err := verify(goodRef, []string{"*"}, "*"); err != nil {
		t.Errorf("the wildcard scope: %v", err)
	}
}

// moveNotarySignature copies the Notary signature manifest of from's
// index onto a new image pushed into to's repository, as an attacker
// holding push rights might, and returns that image's digest.
func moveNotarySignature(t *testing.T, from, to name.Reference) name.Digest {
	t.Helper()
	fd, err := remote.Head(from)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := remote.Referrers(from.Context().Digest(fd.Digest.String()))
	if err != nil {
		t.Fatal(err)
	}
	im, _ := idx.IndexManifest()
	if len(im.Manifests) != 1 {
		t.Fatalf("%d referrers", len(im.Manifests))
	}
	sig, err := remote.Image(from.Context().Digest(im.Manifests[0].Digest.String()))
	if err != nil {
		t.Fatal(err)
	}
	layers, _ := sig.Layers()
	blob, _ := layers[0].Compressed()
	env := readAllClose(t, blob)
	m, _ := sig.Manifest()

	target := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	target, _ = mutate.Append(target, mutate.Addendum{Layer: static.NewLayer([]byte("other"), types.OCILayer)})
	td := to.Context().Digest(mustDigest(t, target))
	if err := remote.Write(td, target); err != nil {
		t.Fatal(err)
	}
	tdesc, err := remote.Head(td)
	if err != nil {
		t.Fatal(err)
	}
	forged, _ := mutate.Append(mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.MediaType(NotaryArtifactType)),
		mutate.Addendum{Layer: static.NewLayer(env, m.Layers[0].MediaType)})
	forged = mutate.Annotations(forged, m.Annotations).(v1.Image)
	forged = mutate.Subject(forged, v1.Descriptor{MediaType: tdesc.MediaType, Digest: tdesc.Digest, Size: tdesc.Size}).(v1.Image)
	if err := remote.Write(to.Context().Digest(mustDigest(t, forged)), forged); err != nil {
		t.Fatal(err)
	}
	return td
}

// tamperNotarySignature replaces the Notary signature of ref's manifest
// by a copy whose JWS signature has one character changed.
func tamperNotarySignature(t *testing.T, ref name.Reference) {
	t.Helper()
	d := headDigest(t, ref)
	idx, err := remote.Referrers(d)
	if err != nil {
		t.Fatal(err)
	}
	im, _ := idx.IndexManifest()
	if len(im.Manifests) != 1 {
		t.Fatalf("%d referrers", len(im.Manifests))
	}
	orig := ref.Context().Digest(im.Manifests[0].Digest.String())
	sig, err := remote.Image(orig)
	if err != nil {
		t.Fatal(err)
	}
	layers, _ := sig.Layers()
	blob, _ := layers[0].Compressed()
	var env map[string]any
	if err := json.Unmarshal(readAllClose(t, blob), &env); err != nil {
		t.Fatal(err)
	}
	s := env["signature"].(string)
	c := byte('A')
	if s[5] == 'A' {
		c = 'B'
	}
	env["signature"] = s[:5] + string(c) + s[6:]
	altered, _ := json.Marshal(env)
	m, _ := sig.Manifest()
	desc, _ := remote.Head(d)
	forged, _ := mutate.Append(mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.MediaType(NotaryArtifactType)),
		mutate.Addendum{Layer: static.NewLayer(altered, m.Layers[0].MediaType)})
	forged = mutate.Annotations(forged, m.Annotations).(v1.Image)
	forged = mutate.Subject(forged, v1.Descriptor{MediaType: desc.MediaType, Digest: desc.Digest, Size: desc.Size}).(v1.Image)
	if err := remote.Write(ref.Context().Digest(mustDigest(t, forged)), forged); err != nil {
		t.Fatal(err)
	}
	if err := remote.Delete(orig); err != nil {
		t.Fatal(err)
	}
}

func mustDigest(t *testing.T, img v1.Image) string {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

func readAllClose(t *testing.T, rc interface {
	Read([]byte) (int, error)
	Close() error
}) []byte {
	t.Helper()
	defer rc.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(rc); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestLoadNotaryKey: keys and chains that notation would refuse are
// refused when loaded, saying why.
func TestLoadNotaryKey(t *testing.T) {
	t.Parallel()
	ca := newNotaryCA(t, "slipway test CA")
	other := newNotaryCA(t, "other CA")
	key, chain := ca.leaf(t, "signer", time.Now().Add(time.Hour))
	otherKey, otherChain := other.leaf(t, "other", time.Now().Add(time.Hour))
	leafOnly := chain[:bytes.Index(chain, []byte("-----END CERTIFICATE-----"))+len("-----END CERTIFICATE-----\n")]
	// A chain that does not chain: our leaf followed by another CA.
	broken := append(append([]byte{}, leafOnly...), other.PEM...)
	_ = otherChain
	cases := []struct {
		name       string
		key, chain []byte
		want       string
	}{
		{"good", key, chain, ""},
		{"chain that does not chain", key, broken, "notation certificate chain chain.pem: invalid certificates or certificate with subject"},
		{"key of another certificate", otherKey, chain, "does not belong to the first certificate"},
		{"no certificates", key, []byte("nothing"), "no PEM certificate found"},
		{"no key", []byte("nothing"), chain, "no PEM private key found"},
		{"encrypted key", []byte("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n"), chain, "notation keys are unencrypted PEM"},
	}
	for _, c := range cases {
		_, err := LoadNotaryKey("key.pem", c.key, "chain.pem", c.chain)
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	expKey, expChain := ca.leaf(t, "expired", time.Now().Add(-time.Minute))
	if _, err := LoadNotaryKey("key.pem", expKey, "chain.pem", expChain); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("an expired certificate: %v", err)
	}
}

// TestNotaryHostile: a Notary envelope larger than 4 MiB and a referrers
// index of 10,000 entries are refused before they are read.
func TestNotaryHostile(t *testing.T) {
	t.Parallel()
	ca := newNotaryCA(t, "slipway test CA")
	ctx := t.Context()

	t.Run("envelope over 4 MiB", func(t *testing.T) {
		t.Parallel()
		host := testRegistryHost(t, true)
		ref := testIndex(t, host, "hostile/big")
		d := headDigest(t, ref)
		desc, _ := remote.Head(d)
		big := bytes.Repeat([]byte("A"), MaxNotaryEnvelope+1)
		sig, _ := mutate.Append(mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.MediaType(NotaryArtifactType)),
			mutate.Addendum{Layer: static.NewLayer(big, "application/jose+json")})
		sig = mutate.Subject(sig, v1.Descriptor{MediaType: desc.MediaType, Digest: desc.Digest, Size: desc.Size}).(v1.Image)
		if err := remote.Write(ref.Context().Digest(mustDigest(t, sig)), sig); err != nil {
			t.Fatal(err)
		}
		checkNotaryRefusal(ctx, t, ca, ref, "more than 4194304 (4 MiB), refusing to read it")
	})
	t.Run("referrers index of 10000 entries", func(t *testing.T) {
		t.Parallel()
		host := testRegistryHost(t, false) // the referrers tag
		ref := testIndex(t, host, "hostile/many")
		d := headDigest(t, ref)
		h, _ := v1.NewHash(d.DigestStr())
		// Every entry names one manifest that exists (the registry
		// checks an index's children), 10,000 times.
		child, _ := remote.Head(ref.Context().Tag("1"))
		im := v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex}
		for range 10000 {
			im.Manifests = append(im.Manifests, v1.Descriptor{
				MediaType: child.MediaType, Digest: child.Digest, Size: child.Size, ArtifactType: NotaryArtifactType,
			})
		}
		raw, err := json.Marshal(im)
		if err != nil {
			t.Fatal(err)
		}
		tag := ref.Context().Tag(h.Algorithm + "-" + h.Hex)
		if err := remote.Put(tag, rawIndex{raw}); err != nil {
			t.Fatal(err)
		}
		checkNotaryRefusal(ctx, t, ca, ref, "has more than 1000 referrers: refusing to read them")
	})
}

func headDigest(t *testing.T, ref name.Reference) name.Digest {
	t.Helper()
	desc, err := remote.Head(ref)
	if err != nil {
		t.Fatal(err)
	}
	return ref.Context().Digest(desc.Digest.String())
}

// checkNotaryRefusal: verifying and signing ref both fail with want.
func checkNotaryRefusal(ctx context.Context, t *testing.T, ca *notaryCA, ref name.Reference, want string) {
	t.Helper()
	policy, store := notaryTrustDir(t, ref.Context().Name(), "", nil, map[string]*notaryCA{"slipway": ca})
	trust, err := LoadNotaryTrust(policy, store, NotaryTrustOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NotaryVerifyAll(ctx, ref, false, trust, Options{}); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("verify: %v, want %q", err, want)
	}
	key := ca.notaryKey(t, "signer", time.Now().Add(time.Hour))
	if _, err := NotarySignAll(ctx, ref, false, key, NotaryOptions{}); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("sign: %v, want %q", err, want)
	}
}

// TestNotaryRevocationOffline: a signing certificate that names an OCSP
// responder has an unknown revocation status offline; the trust policy
// decides: strict (revocation enforced) refuses it, a policy that only
// logs revocation accepts it with a warning. A certificate naming no
// responder is not revocable and passes strict.
func TestNotaryRevocationOffline(t *testing.T) {
	t.Parallel()
	host := testRegistryHost(t, true)
	ctx := t.Context()
	ca := newNotaryCA(t, "slipway test CA")
	k, c := ca.Leaf(t, "revocable", time.Now().Add(time.Hour), func(c *x509.Certificate) {
		c.OCSPServer = []string{"http://127.0.0.1:9/ocsp"}
	})
	key, err := LoadNotaryKey("key.pem", k, "chain.pem", c)
	if err != nil {
		t.Fatal(err)
	}
	ref := testIndex(t, host, "notary/revocable")
	if _, err := NotarySignAll(ctx, ref, false, key, NotaryOptions{}); err != nil {
		t.Fatal(err)
	}
	policy, store := notaryTrustDir(t, ref.Context().Name(), "strict", nil, map[string]*notaryCA{"slipway": ca})
	trust, err := LoadNotaryTrust(policy, store, NotaryTrustOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NotaryVerifyAll(ctx, ref, false, trust, Options{}); err == nil || !strings.Contains(err.Error(), "revocation") {
		t.Errorf("strict, revocation unknown: %v, want a revocation failure", err)
	}
	doc := `{"version":"1.0","trustPolicies":[{"name":"log-revocation","registryScopes":["` + ref.Context().Name() + `"],` +
		`"signatureVerification":{"level":"strict","override":{"revocation":"log"}},"trustStores":["ca:slipway"],"trustedIdentities":["*"]}]}`
	if err := os.WriteFile(policy, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	trust, err = LoadNotaryTrust(policy, store, NotaryTrustOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := NotaryVerifyAll(ctx, ref, false, trust, Options{})
	if err != nil {
		t.Fatalf("revocation logged only: %v", err)
	}
	if len(res[0].Warnings) == 0 || !strings.Contains(strings.Join(res[0].Warnings, " "), "revocation") {
		t.Errorf("no revocation warning: %+v", res[0])
	}
}
