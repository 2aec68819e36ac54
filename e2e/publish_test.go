//go:build e2e

package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/internal/testutil"
)

var smallSet = []string{"busybox", "tzdata"}

type publishOut struct {
	buildOut
	Tags []string `json:"tags"`
}

func layoutDigest(t *testing.T, dir, ref string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx struct {
		Manifests []struct {
			Digest      string            `json:"digest"`
			Annotations map[string]string `json:"annotations"`
		} `json:"manifests"`
	}
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatal(err)
	}
	for _, m := range idx.Manifests {
		if ref == "" || m.Annotations["org.opencontainers.image.ref.name"] == ref {
			return m.Digest
		}
	}
	t.Fatalf("%s has no %q: %s", dir, ref, b)
	return ""
}

// TestPublish publishes both architectures to a real docker-registry,
// with and without htpasswd auth, and reads the result back with skopeo,
// umoci and go-containerregistry's validate.
func TestPublish(t *testing.T) {
	testutil.RequireTool(t, "skopeo", "skopeo")
	repos := testrepo.Get(t)
	cfg := withOSVersion(t, config(t, repos, "", smallSet...))
	cache := t.TempDir()
	oneGo := filepath.Join(t.TempDir(), "oci")
	want := buildJSON(t, nil, "--cache-dir", cache, cfg, "--output", "oci:"+oneGo+":t", "--version", "3.0", "--revision", "abc123")
	for _, auth := range []bool{false, true} {
		t.Run(fmt.Sprintf("auth=%v", auth), func(t *testing.T) {
			reg := startRegistry(t, auth)
			repo := reg.Host + "/test/e2e"
			r := slipway(t, reg.env(), "--cache-dir", cache, "publish", "--json", cfg, "--tag", repo+":3.0", "--tag", repo+":latest",
				"--arch-tags", "--version", "3.0", "--revision", "abc123")
			mustSucceed(t, r, "publish")
			if auth && strings.Contains(r.stdout+r.stderr, reg.Pass) {
				t.Error("the password was printed")
			}
			var got publishOut
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
				t.Fatal(err)
			}
			if got.Index != want.Index {
				t.Errorf("published index %s, oci build %s", got.Index, want.Index)
			}
			if len(got.Tags) != 6 {
				t.Errorf("tags %v", got.Tags)
			}

			args := append([]string{"inspect", "--raw", "--tls-verify=false"}, reg.skopeoCreds("--creds")...)
			raw, err := exec.Command("skopeo", append(args, "docker://"+repo+":3.0")...).Output()
			if err != nil {
				t.Fatalf("skopeo inspect: %v", err)
			}
			sum := sha256.Sum256(raw)
			if "sha256:"+hex.EncodeToString(sum[:]) != want.Index {
				t.Errorf("skopeo sees %x, want %s", sum, want.Index)
			}
			var idx struct {
				MediaType string `json:"mediaType"`
				Manifests []struct {
					Platform struct {
						Architecture, OS, Variant string
						OSVersion                 string `json:"os.version"`
					} `json:"platform"`
				} `json:"manifests"`
				Annotations map[string]string `json:"annotations"`
			}
			if err := json.Unmarshal(raw, &idx); err != nil {
				t.Fatal(err)
			}
			var plats []string
			for _, m := range idx.Manifests {
				plats = append(plats, strings.TrimSuffix(m.Platform.OS+"/"+m.Platform.Architecture+"/"+m.Platform.Variant, "/"))
				if m.Platform.OSVersion != "azurelinux-3.0" {
					t.Errorf("%s: os.version %q", plats[len(plats)-1], m.Platform.OSVersion)
				}
			}
			if idx.MediaType != "application/vnd.oci.image.index.v1+json" || strings.Join(plats, ",") != "linux/amd64,linux/arm64/v8" {
				t.Errorf("index %s with %v", idx.MediaType, plats)
			}
			for k, v := range map[string]string{"org.opencontainers.image.version": "3.0", "org.opencontainers.image.revision": "abc123", "org.opencontainers.image.title": "test/e2e"} {
				if idx.Annotations[k] != v {
					t.Errorf("index annotation %s = %q, want %q", k, idx.Annotations[k], v)
				}
			}
			if idx.Annotations["dev.slipway.config.digest"] == "" || idx.Annotations["org.opencontainers.image.created"] == "" {
				t.Errorf("index annotations %v", idx.Annotations)
			}

			// ggcr's validate over what the registry serves.
			ref, _ := name.ParseReference(repo+":3.0", name.Insecure)
			var kc authn.Keychain = authn.NewMultiKeychain()
			ropts := []remote.Option{}
			if auth {
				ropts = append(ropts, remote.WithAuth(&authn.Basic{Username: reg.User, Password: reg.Pass}))
			} else {
				ropts = append(ropts, remote.WithAuthFromKeychain(kc))
			}
			ri, err := remote.Index(ref, ropts...)
			if err != nil {
				t.Fatal(err)
			}
			if err := validate.Index(ri); err != nil {
				t.Errorf("validate.Index: %v", err)
			}

			// skopeo copy --all round trip keeps the digest.
			rt := filepath.Join(t.TempDir(), "rt")
			cargs := append([]string{"copy", "--all", "--preserve-digests", "--src-tls-verify=false"}, reg.skopeoCreds("--src-creds")...)
			if out, err := exec.Command("skopeo", append(cargs, "docker://"+repo+":3.0", "oci:"+rt+":rt")...).CombinedOutput(); err != nil {
				t.Fatalf("skopeo copy --all: %v %s", err, out)
			}
			if d := layoutDigest(t, rt, "rt"); d != want.Index {
				got, _ := os.ReadFile(filepath.Join(rt, "blobs", "sha256", strings.TrimPrefix(d, "sha256:")))
				t.Errorf("round trip gives %s, want %s\nregistry: %s\nround trip: %s", d, want.Index, raw, got)
			}
			// Each platform, by its arch tag, unpacks with umoci.
			for i, suffix := range []string{"amd64", "arm64"} {
				one := filepath.Join(t.TempDir(), suffix)
				cargs := append([]string{"copy", "--src-tls-verify=false"}, reg.skopeoCreds("--src-creds")...)
				if out, err := exec.Command("skopeo", append(cargs, "docker://"+repo+":3.0-"+suffix, "oci:"+one+":"+suffix)...).CombinedOutput(); err != nil {
					t.Fatalf("skopeo copy %s: %v %s", suffix, err, out)
				}
				if d := layoutDigest(t, one, suffix); d != want.Arches[i].Digest {
					t.Errorf("%s tag is %s, want %s", suffix, d, want.Arches[i].Digest)
				}
				root := unpack(t, one, suffix)
				if _, err := os.Stat(filepath.Join(root, "usr/share/zoneinfo")); err != nil {
					t.Errorf("%s rootfs: %v", suffix, err)
				}
			}
		})
	}
}

// TestMergeEqualsOneGo: two single-arch builds merged give the index a
// build of both writes, in a layout and in a registry; mismatched
// builds are refused.
func TestMergeEqualsOneGo(t *testing.T) {
	repos := testrepo.Get(t)
	cfg := withOSVersion(t, config(t, repos, "", smallSet...))
	cache := t.TempDir()
	tmp := t.TempDir()
	all := buildJSON(t, nil, "--cache-dir", cache, cfg, "--output", "oci:"+filepath.Join(tmp, "all")+":t")
	buildJSON(t, nil, "--cache-dir", cache, cfg, "--arch", "x86_64", "--output", "oci:"+filepath.Join(tmp, "amd64")+":t")
	buildJSON(t, nil, "--cache-dir", cache, cfg, "--arch", "aarch64", "--output", "oci:"+filepath.Join(tmp, "arm64"))

	r := slipway(t, nil, "merge", "--json", "--output", "oci:"+filepath.Join(tmp, "merged")+":m",
		"oci:"+filepath.Join(tmp, "arm64"), "oci:"+filepath.Join(tmp, "amd64")+":t")
	mustSucceed(t, r, "merge")
	var res struct{ Digest string }
	json.Unmarshal([]byte(r.stdout), &res)
	if res.Digest != all.Index || layoutDigest(t, filepath.Join(tmp, "merged"), "m") != all.Index {
		t.Errorf("merge gives %s, one build %s", res.Digest, all.Index)
	}
	// umoci reads the merged layout's per-arch names.
	unpack(t, filepath.Join(tmp, "merged"), "m-arm64")

	reg := startRegistry(t, false)
	r = slipway(t, nil, "push", "oci:"+filepath.Join(tmp, "amd64")+":t", reg.Host+"/m:amd64")
	mustSucceed(t, r, "push amd64")
	r = slipway(t, nil, "merge", "--json", "-o", "docker://"+reg.Host+"/m:all", reg.Host+"/m:amd64", "oci:"+filepath.Join(tmp, "arm64"))
	mustSucceed(t, r, "merge to registry")
	json.Unmarshal([]byte(r.stdout), &res)
	if res.Digest != all.Index {
		t.Errorf("merge to the registry gives %s, want %s", res.Digest, all.Index)
	}

	other := config(t, repos, "", "busybox")
	buildJSON(t, nil, "--cache-dir", cache, other, "--arch", "aarch64", "--output", "oci:"+filepath.Join(tmp, "other"))
	for _, tc := range []struct {
		srcs []string
		want string
	}{
		{[]string{"oci:" + filepath.Join(tmp, "amd64") + ":t", "oci:" + filepath.Join(tmp, "other")}, "built from configuration"},
		{[]string{"oci:" + filepath.Join(tmp, "amd64") + ":t", "oci:" + filepath.Join(tmp, "all") + ":t"}, "two images for platform linux/amd64"},
	} {
		out := filepath.Join(t.TempDir(), "x")
		r := slipway(t, nil, append([]string{"merge", "-o", "oci:" + out}, tc.srcs...)...)
		if r.code != 1 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("merge %v: exit %d %q, want 1 and %q", tc.srcs, r.code, r.stderr, tc.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("a refused merge wrote %s", out)
		}
	}
}

// TestPushFaults pushes through a loopback proxy that fails requests:
// retried faults succeed; lasting ones fail with no new tag. A second
// push of an unchanged image sends no blob bytes; the push is timed
// against skopeo copy --all of the same layout.
func TestPushFaults(t *testing.T) {
	testutil.RequireTool(t, "skopeo", "skopeo")
	repos := testrepo.Get(t)
	cfg := config(t, repos, "", smallSet...)
	lay := filepath.Join(t.TempDir(), "oci")
	b := buildJSON(t, nil, "--cache-dir", t.TempDir(), cfg, "--output", "oci:"+lay+":t")
	reg := startRegistry(t, false)
	proxy := startProxy(t, reg.Host)

	for _, tc := range []struct {
		repo   string
		faults map[string]int
		ok     bool
	}{
		{"retried", map[string]int{"PUT manifest-digest": 2, "POST upload": 1, "PATCH upload": 1, "PUT manifest-tag": 1}, true},
		{"index-always-500", map[string]int{"PUT manifest-digest": -1}, false},
		{"blob-always-reset", map[string]int{"PATCH upload": -1, "PUT upload": -1}, false},
		{"tag-always-500", map[string]int{"PUT manifest-tag": -1}, false},
	} {
		t.Run(tc.repo, func(t *testing.T) {
			proxy.set(tc.faults)
			start := time.Now()
			r := slipway(t, nil, "push", "oci:"+lay+":t", proxy.Host+"/f/"+tc.repo+":1")
			took := time.Since(start)
			proxy.mu.Lock()
			hits := fmt.Sprint(proxy.hits)
			proxy.faults = map[string]int{}
			proxy.mu.Unlock()
			t.Logf("%s: exit %d in %v, faults hit %s, stderr %s", tc.repo, r.code, took.Round(time.Millisecond), hits, strings.TrimSpace(r.stderr))
			if hits == "map[]" {
				t.Error("no fault was injected")
			}
			exists := reg.tagExists(t, reg.Host, "f/"+tc.repo+":1")
			if tc.ok {
				mustSucceed(t, r, "push with faults")
				if !exists {
					t.Error("tag missing after a successful push")
				}
				return
			}
			if r.code != 1 {
				t.Errorf("exit %d, stderr %q: want 1", r.code, r.stderr)
			}
			assertErrorLine(t, r.stderr, "pushing to")
			if exists {
				t.Error("a failed push left the tag")
			}
		})
	}

	// Unchanged image, again: zero layer bytes.
	proxy.takeSent()
	start := time.Now()
	mustSucceed(t, slipway(t, nil, "push", "oci:"+lay+":t", proxy.Host+"/f/retried:2"), "second push")
	again := time.Since(start)
	if n := proxy.takeSent(); n != 0 {
		t.Errorf("second push of an unchanged image sent %d blob bytes", n)
	} else {
		t.Logf("second push of an unchanged image: 0 blob bytes, %v", again.Round(time.Millisecond))
	}

	// Timing against skopeo, each to a fresh repository, through the proxy.
	start = time.Now()
	mustSucceed(t, slipway(t, nil, "push", "oci:"+lay+":t", proxy.Host+"/bench/slipway:1"), "bench push")
	ours := time.Since(start)
	oursBytes := proxy.takeSent()
	start = time.Now()
	if out, err := exec.Command("skopeo", "copy", "--all", "--dest-tls-verify=false", "oci:"+lay+":t", "docker://"+proxy.Host+"/bench/skopeo:1").CombinedOutput(); err != nil {
		t.Fatalf("skopeo copy: %v %s", err, out)
	}
	theirs := time.Since(start)
	t.Logf("push of index %s: slipway %v (%d blob bytes), skopeo copy --all %v (%d blob bytes), ratio %.2f",
		b.Index, ours.Round(time.Millisecond), oursBytes, theirs.Round(time.Millisecond), proxy.takeSent(), ours.Seconds()/theirs.Seconds())
}

// TestPublishErrors: wrong credentials, an unknown host and an invalid
// tag fail with one clear line, exit 1, and push nothing.
func TestPublishErrors(t *testing.T) {
	repos := testrepo.Get(t)
	cfg := config(t, repos, "", smallSet...)
	reg := startRegistry(t, true)
	wrong := []string{"SLIPWAY_REGISTRY_USERNAME=" + reg.User, "SLIPWAY_REGISTRY_PASSWORD=wrong-" + reg.Pass}
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"wrong credentials", wrong, []string{"--tag", reg.Host + "/e/x:1"}, "authentication failed"},
		{"no credentials", nil, []string{"--tag", reg.Host + "/e/x:1"}, "authentication failed"},
		{"unknown host", reg.env(), []string{"--tag", "registry.slipway-e2e.invalid/e/x:1"}, "unknown registry host"},
		{"invalid tag", reg.env(), []string{"--tag", reg.Host + "/e/x:1", "--tag", reg.Host + "/e/x:not:valid"}, "invalid image reference"},
		{"uppercase repo", reg.env(), []string{"--tag", reg.Host + "/e/X:1"}, "invalid image reference"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := slipway(t, tc.env, append([]string{"--cache-dir", t.TempDir(), "publish", cfg}, tc.args...)...)
			if r.code != 1 || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 1 and %q", r.code, r.stderr, tc.want)
			}
			assertErrorLine(t, r.stderr, tc.want)
			if strings.Contains(r.stderr, reg.Pass) {
				t.Error("the password was printed")
			}
			if r.stdout != "" {
				t.Errorf("something was built: %q", r.stdout)
			}
		})
	}
	if c := reg.catalog(t); c != `{"repositories":[]}` {
		t.Errorf("the registry holds %s after failed publishes", c)
	}
	// The same through build --output docker://.
	r := slipway(t, wrong, "--cache-dir", t.TempDir(), "build", cfg, "--output", "docker://"+reg.Host+"/e/x:1")
	if r.code != 1 || !strings.Contains(r.stderr, "authentication failed") {
		t.Errorf("build --output docker:// with wrong credentials: exit %d %q", r.code, r.stderr)
	}
	r = slipway(t, reg.env(), "--cache-dir", t.TempDir(), "build", cfg, "--output", "docker://"+reg.Host+"/e/x:1")
	mustSucceed(t, r, "build --output docker://")
	if !reg.tagExists(t, reg.Host, "e/x:1") {
		t.Error("build --output docker:// pushed no tag")
	}
}

// TestVendor: lock, vendor, delete the repository, and build again from
// the vendor folder with an empty cache: the same digests.
func TestVendor(t *testing.T) {
	repos := testrepo.Get(t)
	base := filepath.Dir(repos.Dir["x86_64"])
	copyRoot := filepath.Join(t.TempDir(), "repos")
	if out, err := exec.Command("cp", "-a", base, copyRoot).CombinedOutput(); err != nil {
		t.Fatalf("copying the repositories: %v %s", err, out)
	}
	text := fmt.Sprintf(`[image]
name = "test/vendor"
architectures = ["x86_64", "aarch64"]
releasever = "3.0"

[[repository]]
id = "test"
baseurl = "file://%s/$basearch"
gpgkey = [%q]
gpgcheck = true
repo_gpgcheck = true

[packages]
install = ["busybox", "tzdata"]
`, copyRoot, repos.KeyFile)
	cfg := filepath.Join(t.TempDir(), "image.toml")
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	mustSucceed(t, slipway(t, nil, "--cache-dir", t.TempDir(), "lock", cfg), "lock")
	before := buildJSON(t, nil, "--cache-dir", t.TempDir(), cfg, "--locked", "--output", "oci:"+filepath.Join(t.TempDir(), "a"))
	vendor := filepath.Join(t.TempDir(), "vendor")
	r := slipway(t, nil, "--cache-dir", t.TempDir(), "vendor", cfg, "--dir", vendor)
	mustSucceed(t, r, "vendor")
	t.Log(strings.TrimSpace(r.stdout))
	rpms, _ := filepath.Glob(filepath.Join(vendor, "*.rpm"))
	if len(rpms) == 0 {
		t.Fatal("no RPM vendored")
	}
	if err := os.RemoveAll(copyRoot); err != nil {
		t.Fatal(err)
	}
	// Without the vendor folder the build now fails: the repository is gone.
	r = slipway(t, nil, "--cache-dir", t.TempDir(), "build", cfg, "--locked", "--output", "oci:"+filepath.Join(t.TempDir(), "b"))
	if r.code == 0 {
		t.Fatal("a build without the repository succeeded")
	}
	after := buildJSON(t, nil, "--cache-dir", t.TempDir(), cfg, "--locked", "--vendor-dir", vendor, "--output", "oci:"+filepath.Join(t.TempDir(), "c"))
	if after.Index != before.Index || after.Index == "" {
		t.Errorf("vendored build %s, before %s", after.Index, before.Index)
	}
	// A damaged vendored package is refused.
	if err := os.WriteFile(rpms[0], []byte("not an rpm"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = slipway(t, nil, "--cache-dir", t.TempDir(), "build", cfg, "--locked", "--vendor-dir", vendor, "--output", "oci:"+filepath.Join(t.TempDir(), "d"))
	if r.code != 1 {
		t.Errorf("a damaged vendor folder built: exit %d %s", r.code, r.stderr)
	}
}

// withOSVersion sets image.os_version in a configuration written by config.
func withOSVersion(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), "releasever = \"3.0\"\n", "releasever = \"3.0\"\nos_version = \"azurelinux-3.0\"\n", 1)
	if s == string(b) {
		t.Fatal("config has no releasever line")
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
