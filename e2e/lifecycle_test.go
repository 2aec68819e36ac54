//go:build e2e

package e2e

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/internal/testutil"
)

// TestPublishLifecycle publishes an image with
// --end-of-life to the real docker-registry (2.8: no referrers API), and
// checks the lifecycle referrer through go-containerregistry's
// remote.Referrers and through skopeo's view of the sha256-<hex>
// fallback tag; --json reports digests per arch and per layer, the
// index, tags, the lifecycle artifact and timings.
func TestPublishLifecycle(t *testing.T) {
	testutil.RequireTool(t, "skopeo", "skopeo")
	repos := testrepo.Get(t)
	cfg := config(t, repos, "", "filesystem", "setup", "glibc", "libfoo", "appd", "tzdata")
	reg := startRegistry(t, true)
	repo := reg.Host + "/test/lifecycle"
	r := slipway(t, reg.env(), "--cache-dir", t.TempDir(), "publish", "--json", cfg,
		"--tag", repo+":3.0", "--tag", repo+":3.0.20260101", "--end-of-life", "2026-06-30")
	mustSucceed(t, r, "publish")
	var got struct {
		Index  string   `json:"index_digest"`
		Tags   []string `json:"tags"`
		Arches []struct {
			Digest string `json:"digest"`
			Layers []struct {
				Digest string `json:"digest"`
			} `json:"layers"`
			Scriptlets []any `json:"skipped_scriptlets"`
		} `json:"arches"`
		Lifecycle []struct {
			Repository, Subject, Digest string
			EndOfLife                   string `json:"end_of_life"`
		} `json:"lifecycle"`
		Timings struct {
			Build  float64 `json:"build_seconds"`
			Output float64 `json:"output_seconds"`
		} `json:"timings"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("publish --json: %v\n%s", err, r.stdout)
	}
	if got.Index == "" || len(got.Arches) != 2 || len(got.Tags) != 2 || got.Timings.Build <= 0 || got.Timings.Output <= 0 {
		t.Errorf("publish --json lacks index, arches, tags or timings: %s", r.stdout)
	}
	for _, a := range got.Arches {
		if a.Digest == "" || len(a.Layers) != 1 {
			t.Errorf("arch entry %+v", a)
		}
	}
	if len(got.Lifecycle) != 1 || got.Lifecycle[0].Subject != got.Index || got.Lifecycle[0].EndOfLife != "2026-06-30T00:00:00Z" {
		t.Fatalf("lifecycle %+v, want one artifact for %s", got.Lifecycle, got.Index)
	}

	// go-containerregistry, as a client of the registry.
	d, err := name.NewDigest(repo+"@"+got.Index, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	kc := remote.WithAuth(authn.FromConfig(authn.AuthConfig{Username: reg.User, Password: reg.Pass}))
	idx, err := remote.Referrers(d, kc)
	if err != nil {
		t.Fatalf("remote.Referrers: %v", err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 1 || im.Manifests[0].ArtifactType != "application/vnd.microsoft.artifact.lifecycle" ||
		im.Manifests[0].Annotations["vnd.microsoft.artifact.lifecycle.end-of-life.date"] != "2026-06-30T00:00:00Z" ||
		im.Manifests[0].Digest.String() != got.Lifecycle[0].Digest {
		t.Errorf("referrers of %s: %+v", got.Index, im.Manifests)
	}

	// skopeo reads the fallback tag and the artifact itself.
	inspect := func(ref string) map[string]any {
		t.Helper()
		args := append([]string{"inspect", "--raw", "--tls-verify=false"}, reg.skopeoCreds("--creds")...)
		raw, err := exec.Command("skopeo", append(args, "docker://"+ref)...).Output()
		if err != nil {
			t.Fatalf("skopeo inspect %s: %v", ref, err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	fallback := inspect(repo + ":sha256-" + strings.TrimPrefix(got.Index, "sha256:"))
	ms, _ := fallback["manifests"].([]any)
	if len(ms) != 1 || !strings.Contains(mustJSON(t, ms[0]), got.Lifecycle[0].Digest) {
		t.Errorf("fallback tag lists %v, want %s", ms, got.Lifecycle[0].Digest)
	}
	art := inspect(repo + "@" + got.Lifecycle[0].Digest)
	subj, _ := art["subject"].(map[string]any)
	if art["artifactType"] != "application/vnd.microsoft.artifact.lifecycle" || subj["digest"] != got.Index {
		t.Errorf("artifact %v", art)
	}

	// Publishing again leaves one referrer.
	r = slipway(t, reg.env(), "--cache-dir", t.TempDir(), "publish", cfg, "--tag", repo+":3.0", "--end-of-life", "2026-06-30")
	mustSucceed(t, r, "publish again")
	if ms, _ := inspect(repo + ":sha256-" + strings.TrimPrefix(got.Index, "sha256:"))["manifests"].([]any); len(ms) != 1 {
		t.Errorf("after a second publish the fallback tag lists %d referrers", len(ms))
	}

	// A bad date is a usage error, before anything is built.
	r = slipway(t, reg.env(), "--cache-dir", filepath.Join(t.TempDir(), "none"), "publish", cfg, "--tag", repo+":x", "--end-of-life", "June")
	if r.code != 2 || !strings.Contains(r.stderr, "--end-of-life") {
		t.Errorf("bad date: exit %d, stderr %q", r.code, r.stderr)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
