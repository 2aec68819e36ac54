package signing

import (
	"encoding/json"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// TestResultsJSON: the results of sign and verify, cosign and Notary,
// have the JSON form --json prints.
func TestResultsJSON(t *testing.T) {
	t.Parallel()
	d, _ := name.NewDigest("reg.example/img@sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
	tg := Target{Digest: d, Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}
	cases := []struct {
		v    any
		want string
	}{
		{SignResult{Targets: []Target{{Digest: d}}, Attestations: 2},
			`{"targets":[{"reference":"` + d.String() + `","digest":"` + d.DigestStr() + `"}],"attestations":2}`},
		{TargetResult{Target: tg, Signatures: 1, Attestations: map[string][][]byte{PredicateSPDX: {[]byte("{}")}}},
			`{"target":{"reference":"` + d.String() + `","digest":"` + d.DigestStr() + `","platform":"linux/arm64"},"signatures":1,"attestations":{"https://spdx.dev/Document":1}}`},
		{NotarySignResult{Target: tg, Digest: d.DigestStr(), Envelope: NotaryJWS.MediaType()},
			`{"target":{"reference":"` + d.String() + `","digest":"` + d.DigestStr() + `","platform":"linux/arm64"},"existing":false,"envelope":"application/jose+json"}`},
		{NotaryVerifyResult{Target: tg, Digest: d.DigestStr(), Signer: "CN=x", Envelope: NotaryCOSE.MediaType(), Level: "strict"},
			`{"target":{"reference":"` + d.String() + `","digest":"` + d.DigestStr() + `","platform":"linux/arm64"},"signer":"CN=x","envelope":"application/cose","level":"strict"}`},
	}
	for _, c := range cases {
		b, err := json.Marshal(c.v)
		if err != nil || string(b) != c.want {
			t.Errorf("%T:\n got %s (%v)\nwant %s", c.v, b, err, c.want)
		}
	}
}
