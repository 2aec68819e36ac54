package manifests

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
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func TestParseEndOfLife(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want string
	}{
		{"2026-06-30", "2026-06-30T00:00:00Z"},
		{"2026-06-30T12:30:00Z", "2026-06-30T12:30:00Z"},
		{"2026-06-30T12:30:00+02:00", "2026-06-30T10:30:00Z"},
		{"30/06/2026", ""},
		{"2026-13-01", ""},
		{"", ""},
	} {
		got, err := ParseEndOfLife(tc.in)
		if tc.want == "" {
			if err == nil {
				t.Errorf("ParseEndOfLife(%q) = %v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got.Format(time.RFC3339) != tc.want {
			t.Errorf("ParseEndOfLife(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
		}
	}
}

// TestAttachLifecycle pushes an index, attaches its lifecycle artifact,
// and reads it back with go-containerregistry's remote.Referrers, on a
// registry with the referrers API and on one without (where the
// sha256-<hex> fallback tag must list it). Attaching twice adds nothing.
func TestAttachLifecycle(t *testing.T) {
	t.Parallel()
	for _, referrers := range []bool{true, false} {
		t.Run(map[bool]string{true: "referrers-api", false: "fallback-tag"}[referrers], func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0)), registry.WithReferrersSupport(referrers)))
			defer srv.Close()
			host := strings.TrimPrefix(srv.URL, "http://")
			idx, _ := testIndex(t)
			tags := refs(t, host+"/a/img:3.0", host+"/a/img:3.0.20260101", host+"/b/img:3.0")
			opts := PushOptions{Backoff: fast}
			res, err := Push(t.Context(), idx, tags, opts)
			if err != nil {
				t.Fatal(err)
			}
			desc, err := partial.Descriptor(idx)
			if err != nil {
				t.Fatal(err)
			}
			eol := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
			for range 2 {
				got, err := AttachLifecycle(t.Context(), *desc, eol, tags, opts)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != 2 || got[0].Repository != host+"/a/img" || got[1].Repository != host+"/b/img" {
					t.Fatalf("attached %+v, want one artifact per repository", got)
				}
			}
			for _, repo := range []string{host + "/a/img", host + "/b/img"} {
				d, err := name.NewDigest(repo+"@"+res.Digest.String(), name.Insecure)
				if err != nil {
					t.Fatal(err)
				}
				ri, err := remote.Referrers(d, remote.WithContext(t.Context()))
				if err != nil {
					t.Fatal(err)
				}
				im, err := ri.IndexManifest()
				if err != nil {
					t.Fatal(err)
				}
				if len(im.Manifests) != 1 {
					t.Fatalf("%s: %d referrers, want 1: %+v", repo, len(im.Manifests), im.Manifests)
				}
				r := im.Manifests[0]
				// ggcr's in-memory registry reports the config's media type
				// as artifactType (pkg/registry/manifest.go) rather than the
				// manifest's artifactType; the fallback tag and real
				// registries carry the manifest's.
				wantType := LifecycleArtifactType
				if referrers {
					wantType = string(emptyJSONMediaType)
				}
				if r.ArtifactType != wantType || r.Annotations[EndOfLifeAnnotation] != "2026-06-30T00:00:00Z" {
					t.Errorf("%s: referrer %+v", repo, r)
				}
				// The artifact itself, as a client reads it.
				raw, err := remote.Get(d.Context().Digest(r.Digest.String()))
				if err != nil {
					t.Fatal(err)
				}
				var m v1.Manifest
				if err := json.Unmarshal(raw.Manifest, &m); err != nil {
					t.Fatal(err)
				}
				if m.ArtifactType != LifecycleArtifactType {
					t.Errorf("%s: artifactType %q", repo, m.ArtifactType)
				}
				if m.Subject == nil || m.Subject.Digest != res.Digest || m.Subject.MediaType != types.OCIImageIndex {
					t.Errorf("%s: subject %+v, want the index %s", repo, m.Subject, res.Digest)
				}
				if m.Config.MediaType != emptyJSONMediaType || len(m.Layers) != 1 || m.Layers[0].Digest != m.Config.Digest {
					t.Errorf("%s: config %+v layers %+v, want the empty descriptor", repo, m.Config, m.Layers)
				}
				fallback := d.Context().Tag("sha256-" + res.Digest.Hex)
				_, err = remote.Head(fallback)
				if referrers && err == nil {
					t.Errorf("%s: a fallback tag was written though the registry has the referrers API", repo)
				}
				if !referrers && err != nil {
					t.Errorf("%s: no fallback tag %s: %v", repo, fallback, err)
				}
			}
		})
	}
}

func TestLifecycleDeterministic(t *testing.T) {
	t.Parallel()
	h, _ := v1.NewHash("sha256:" + strings.Repeat("ab", 32))
	subj := v1.Descriptor{MediaType: types.OCIImageIndex, Digest: h, Size: 123}
	eol := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	a, err := Lifecycle(subj, eol)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Lifecycle(subj, eol.In(time.FixedZone("x", 3600)))
	if err != nil {
		t.Fatal(err)
	}
	da, _ := a.Digest()
	db, _ := b.Digest()
	if da != db {
		t.Errorf("same subject and instant gave %s and %s", da, db)
	}
	if _, err := Lifecycle(v1.Descriptor{}, eol); err == nil {
		t.Error("an empty subject was accepted")
	}
}

// TestPushProgress: a push with Progress reports growing byte counts
// that end complete, for every repository.
func TestPushProgress(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	idx, _ := testIndex(t)
	type last struct{ calls, complete, total int64 }
	seen := map[string]*last{}
	opts := PushOptions{Backoff: fast, Progress: func(repo string, complete, total int64) {
		l := seen[repo]
		if l == nil {
			l = &last{}
			seen[repo] = l
		}
		if complete < l.complete {
			t.Errorf("%s: progress went back from %d to %d", repo, l.complete, complete)
		}
		l.calls++
		l.complete, l.total = complete, total
	}}
	if _, err := Push(t.Context(), idx, refs(t, host+"/p/one:1", host+"/p/two:1"), opts); err != nil {
		t.Fatal(err)
	}
	for _, repo := range []string{host + "/p/one", host + "/p/two"} {
		l := seen[repo]
		if l == nil || l.calls == 0 || l.total == 0 || l.complete != l.total {
			t.Errorf("%s: progress %+v, want calls ending with complete == total > 0", repo, l)
		}
	}
}
