package signing

import (
	"encoding/json"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/slipway-build/slipway/signing/notarytest"
)

// notaryCA is notarytest's CA, with a helper that loads its keys.
type notaryCA struct{ *notarytest.CA }

func newNotaryCA(t testing.TB, cn string) *notaryCA { return &notaryCA{notarytest.NewCA(t, cn)} }

func (ca *notaryCA) leaf(t testing.TB, cn string, notAfter time.Time) (keyPEM, chainPEM []byte) {
	return ca.Leaf(t, cn, notAfter)
}

func (ca *notaryCA) notaryKey(t testing.TB, cn string, notAfter time.Time) *NotaryKey {
	t.Helper()
	k, c := ca.Leaf(t, cn, notAfter)
	nk, err := LoadNotaryKey("key.pem", k, "chain.pem", c)
	if err != nil {
		t.Fatal(err)
	}
	return nk
}

func notaryTrustDir(t testing.TB, scope, level string, identities []string, cas map[string]*notaryCA) (policy, store string) {
	t.Helper()
	m := map[string]*notarytest.CA{}
	for n, ca := range cas {
		m[n] = ca.CA
	}
	return notarytest.TrustDir(t, scope, level, identities, m)
}

// testIndex pushes a two-platform index to repo and returns its ref.
func testIndex(t testing.TB, host, repo string) name.Reference {
	t.Helper()
	tag, err := name.NewTag(host+"/"+repo+":1", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	img1, _ := random.Image(100, 1)
	img2, _ := random.Image(100, 1)
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: img1, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: img2, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}})
	if err := remote.WriteIndex(tag, idx); err != nil {
		t.Fatal(err)
	}
	return tag
}

// testRegistryHost starts go-containerregistry's in-process registry,
// with or without the referrers API.
func testRegistryHost(t testing.TB, referrers bool) string {
	t.Helper()
	s := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0)), registry.WithReferrersSupport(referrers)))
	t.Cleanup(s.Close)
	return strings.TrimPrefix(s.URL, "http://")
}

// referrersTags lists the sha256-<hex> referrers tags of repo (no
// cosign .sig/.att suffix).
func referrersTags(t testing.TB, ref name.Reference) []string {
	t.Helper()
	tags, err := remote.List(ref.Context())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, tg := range tags {
		if strings.HasPrefix(tg, "sha256-") && !strings.Contains(tg, ".") {
			out = append(out, tg)
		}
	}
	return out
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
