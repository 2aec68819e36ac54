package signing

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/slipway-build/slipway/manifests"
)

// TestAttachments lists what slipway attaches to an index and its
// images: cosign signatures (tag and referrer), attestations with their
// predicate types, Notary signatures in both envelopes with their signer,
// and the lifecycle referrer, on registries with and without the
// referrers API; the JSON form round-trips.
func TestAttachments(t *testing.T) {
	t.Parallel()
	for _, api := range []bool{true, false} {
		t.Run(map[bool]string{true: "referrers-api", false: "referrers-tag"}[api], func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			host := testRegistryHost(t, api)
			tag, idxDigest, digests := pushIndex(t, host, "att/img")
			sv := mustSigner(t, t.TempDir(), testPassword)
			sboms := [][]byte{sbomFor(t, digests[0], "x86_64"), cdxFor(t, digests[1], "aarch64")}
			if _, err := SignAndAttest(ctx, tag, &Signer{Key: sv}, SignOptions{Recursive: true, SBOMs: sboms}); err != nil {
				t.Fatal(err)
			}
			if _, err := SignAndAttest(ctx, tag, &Signer{Key: sv, Mode: ReferrersOCI11}, SignOptions{Recursive: true}); err != nil {
				t.Fatal(err)
			}
			ca := newNotaryCA(t, "slipway test CA")
			key := ca.notaryKey(t, "slipway signer", time.Now().Add(time.Hour))
			for _, env := range []NotaryEnvelope{NotaryJWS, NotaryCOSE} {
				if _, err := NotarySignAll(ctx, tag, true, key, NotaryOptions{Envelope: env}); err != nil {
					t.Fatal(err)
				}
			}
			idxDesc, err := remote.Head(tag)
			if err != nil {
				t.Fatal(err)
			}
			eol := time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC)
			lc, err := manifests.Lifecycle(*idxDesc, eol)
			if err != nil {
				t.Fatal(err)
			}
			ld, _ := lc.Digest()
			if err := remote.Write(tag.Context().Digest(ld.String()), lc, remote.WithReferrersTagFallback(true)); err != nil {
				t.Fatal(err)
			}

			tree, err := Attachments(ctx, tag, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(tree.Manifests) != 3 || tree.Manifests[0].Digest != idxDigest.String() || tree.Manifests[1].Platform != "linux/amd64" {
				t.Fatalf("tree: %+v", tree)
			}
			wantSource := SourceReferrersAPI
			if !api {
				wantSource = SourceReferrersTag
			}
			for i, m := range tree.Manifests {
				kinds := map[string]int{}
				for _, a := range m.Attachments {
					kinds[a.Kind]++
					if a.Error != "" {
						t.Errorf("%s: %s: %s", m.Digest, a.Kind, a.Error)
					}
					switch a.Kind {
					case KindNotarySignature:
						if a.Source != wantSource || !strings.Contains(a.Signer, "CN=slipway signer") || (a.Envelope != NotaryJWS.MediaType() && a.Envelope != NotaryCOSE.MediaType()) {
							t.Errorf("%s: notary %+v", m.Digest, a)
						}
					case KindCosignAttestation:
						want := PredicateSPDX
						if i == 2 {
							want = PredicateCycloneDX
						} else if i == 0 {
							want = PredicateCycloneDX + "," + PredicateSPDX
						}
						if a.Source != SourceCosignTag || strings.Join(a.PredicateTypes, ",") != want {
							t.Errorf("%s: attestation %+v, want %s", m.Digest, a, want)
						}
					case KindLifecycle:
						if a.EndOfLife != "2027-06-30T00:00:00Z" {
							t.Errorf("lifecycle %+v", a)
						}
					}
				}
				want := map[string]int{KindNotarySignature: 2, KindCosignSignature: 2, KindCosignAttestation: 1}
				if i == 0 {
					want[KindLifecycle] = 1
				}
				for k, n := range want {
					if kinds[k] != n {
						t.Errorf("%s: %d %s, want %d (all: %v)", m.Digest, kinds[k], k, n, kinds)
					}
				}
			}
			b, err := json.Marshal(tree)
			if err != nil {
				t.Fatal(err)
			}
			var back AttachmentTree
			if err := json.Unmarshal(b, &back); err != nil || len(back.Manifests) != 3 {
				t.Errorf("JSON round trip: %v", err)
			}
			var text bytes.Buffer
			if err := tree.WriteText(&text); err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{"notary-signature application/jose+json signer", "cosign-attestation " + PredicateSPDX, "lifecycle end of life 2027-06-30", "(linux/arm64)"} {
				if !strings.Contains(text.String(), s) {
					t.Errorf("text lacks %q:\n%s", s, text.String())
				}
			}
		})
	}
}

// TestAttachmentsHostile: a referrers tag listing 10,000 entries is
// refused; a Notary envelope over 4 MiB is reported, not read.
func TestAttachmentsHostile(t *testing.T) {
	t.Parallel()
	host := testRegistryHost(t, false)
	ref := testIndex(t, host, "hostile/att")
	d := headDigest(t, ref)
	h, _ := v1.NewHash(d.DigestStr())
	child, _ := remote.Head(ref)
	im := v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex}
	for range 10000 {
		im.Manifests = append(im.Manifests, v1.Descriptor{MediaType: child.MediaType, Digest: child.Digest, Size: child.Size, ArtifactType: "application/x-anything"})
	}
	raw, _ := json.Marshal(im)
	if err := remote.Put(ref.Context().Tag(h.Algorithm+"-"+h.Hex), rawIndex{raw}); err != nil {
		t.Fatal(err)
	}
	if _, err := Attachments(t.Context(), ref, Options{}); err == nil || !strings.Contains(err.Error(), "has more than 1000 referrers: refusing to read them") {
		t.Errorf("10,000 referrers: %v", err)
	}
}
