package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/manifests"
	"github.com/slipway-build/slipway/signing/sigstoretest"
)

// testRegistry is ggcr's registry with basic auth (when user is set),
// counting the requests that write.
func testRegistry(t *testing.T, user, pass string) (host string, writes *atomic.Int64) {
	t.Helper()
	writes = &atomic.Int64{}
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if user != "" {
			if u, p, ok := r.BasicAuth(); !ok || u != user || p != pass {
				w.Header().Set("WWW-Authenticate", `Basic realm="t"`)
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
		}
		if r.Method == http.MethodPut || r.Method == http.MethodPatch {
			writes.Add(1)
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://"), writes
}

// testLayouts writes single-arch layouts (tag "t") for each arch, and one
// layout of all (tag "t"), and returns their folders: the last is "all".
func testLayouts(t *testing.T, annotations map[string]string, arches ...string) []string {
	t.Helper()
	dir := t.TempDir()
	var images []manifests.ArchImage
	var dirs []string
	for i, arch := range arches {
		l, err := manifests.WriteLayer(t.Context(), dir, manifests.LayerOptions{}, func(w io.Writer) error {
			tw := tar.NewWriter(w)
			data := []byte("hello " + arch)
			tw.WriteHeader(&tar.Header{Name: "etc/hello", Mode: 0o644, Size: int64(len(data)), ModTime: time.Unix(1700000000, 0)})
			tw.Write(data)
			return tw.Close()
		})
		if err != nil {
			t.Fatal(err)
		}
		ann := map[string]string{manifests.CreatedAnnotation: time.Unix(1700000000+int64(i), 0).UTC().Format(time.RFC3339)}
		for k, v := range annotations {
			ann[k] = v
		}
		img, err := manifests.Image(manifests.ImageSpec{Arch: arch, Created: time.Unix(1700000000+int64(i), 0), Annotations: ann,
			OSVersion: "azurelinux-3.0", Layers: []manifests.HistoryLayer{{Layer: l, CreatedBy: "test"}}})
		if err != nil {
			t.Fatal(err)
		}
		ai := manifests.ArchImage{Arch: arch, Image: img}
		images = append(images, ai)
		d := filepath.Join(dir, arch)
		if err := manifests.WriteOCILayout(d, "t", nil, []manifests.ArchImage{ai}); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	idx, err := manifests.PublishIndex(images)
	if err != nil {
		t.Fatal(err)
	}
	all := filepath.Join(dir, "all")
	if err := manifests.WriteOCILayout(all, "t", idx, images); err != nil {
		t.Fatal(err)
	}
	return append(dirs, all)
}

func TestPushCommand(t *testing.T) {
	t.Parallel()
	dirs := testLayouts(t, map[string]string{manifests.ConfigDigestAnnotation: "sha256:c"}, "x86_64", "aarch64")
	all := dirs[2]
	host, writes := testRegistry(t, "bob", "hunter2-secret")
	good := map[string]string{registryUserEnv: "bob", registryPasswordEnv: "hunter2-secret"}
	bad := map[string]string{registryUserEnv: "bob", registryPasswordEnv: "not-the-password"}

	for _, tc := range []struct {
		name     string
		env      map[string]string
		args     []string
		code     int
		inStderr string
	}{
		{"wrong password", bad, []string{"push", "oci:" + all + ":t", host + "/img:1"}, 1, "authentication failed"},
		{"no credentials", nil, []string{"push", "oci:" + all + ":t", host + "/img:1"}, 1, "authentication failed"},
		{"invalid tag", good, []string{"push", "oci:" + all + ":t", host + "/img:bad:tag"}, 1, "invalid image reference"},
		{"one invalid among good", good, []string{"push", "oci:" + all + ":t", host + "/img:1", host + "/IMG:2"}, 1, "invalid image reference"},
		{"unknown host", good, []string{"push", "oci:" + all + ":t", "registry.slipway-test.invalid/img:1"}, 1, "registry.slipway-test.invalid"},
		{"missing layout tag", good, []string{"push", "oci:" + all + ":nope", host + "/img:1"}, 1, `no image named "nope"`},
		{"not a layout source", good, []string{"push", host + "/img:1", host + "/img:2"}, 2, "oci:DIR"},
	} {
		code, _, stderr := runCLI(t, tc.env, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.inStderr) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", tc.name, code, stderr, tc.code, tc.inStderr)
		}
		if strings.Contains(stderr, "not-the-password") || strings.Contains(stderr, "hunter2") {
			t.Errorf("%s: a password was printed: %q", tc.name, stderr)
		}
		if n := writes.Load(); n != 0 {
			t.Fatalf("%s: %d writes reached the registry", tc.name, n)
		}
	}

	code, stdout, stderr := runCLI(t, good, "push", "--json", "--arch-tags", "oci:"+all+":t", host+"/img:1", host+"/img:latest")
	if code != 0 {
		t.Fatalf("push: exit %d: %s", code, stderr)
	}
	var res pushJSON
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	src, _ := manifests.ParseSource("oci:"+all+":t", nil)
	local, err := src.Load(t.Context(), manifests.PushOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := local.(interface{ Digest() (v1.Hash, error) }).Digest()
	if res.Digest != want.String() || len(res.Tags) != 6 {
		t.Errorf("pushed %+v, want digest %s and 6 tags", res, want)
	}
	ref, _ := name.ParseReference(host + "/img:latest")
	kc := keychain(&globals{Getenv: func(k string) string { return good[k] }})
	idx, err := remote.Index(ref, remote.WithAuthFromKeychain(kc))
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Index(idx); err != nil {
		t.Errorf("validate.Index: %v", err)
	}
}

func TestMergeCommand(t *testing.T) {
	t.Parallel()
	dirs := testLayouts(t, map[string]string{manifests.ConfigDigestAnnotation: "sha256:c", "org.opencontainers.image.version": "3.0"}, "x86_64", "aarch64")
	other := testLayouts(t, map[string]string{manifests.ConfigDigestAnnotation: "sha256:other"}, "aarch64")
	out := filepath.Join(t.TempDir(), "merged")
	code, stdout, stderr := runCLI(t, nil, "merge", "--json", "--output", "oci:"+out+":m", "oci:"+dirs[1]+":t", "oci:"+dirs[0])
	if code != 0 {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	var res pushJSON
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	oneGo, _ := manifests.ParseSource("oci:"+dirs[2]+":t", nil)
	a, err := oneGo.Load(t.Context(), manifests.PushOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := a.(interface{ Digest() (v1.Hash, error) }).Digest()
	if res.Digest != want.String() {
		t.Errorf("merged %s, one-go build %s", res.Digest, want)
	}
	merged, _ := manifests.ParseSource("oci:"+out+":m", nil)
	if m, err := merged.Load(t.Context(), manifests.PushOptions{}); err != nil {
		t.Error(err)
	} else if d, _ := m.(interface{ Digest() (v1.Hash, error) }).Digest(); d != want {
		t.Errorf("merged layout holds %s, want %s", d, want)
	}

	// Merging to a registry, from a registry source.
	host, _ := testRegistry(t, "", "")
	if code, _, stderr := runCLI(t, nil, "push", "oci:"+dirs[0]+":t", host+"/img:amd64"); code != 0 {
		t.Fatalf("push: %s", stderr)
	}
	code, stdout, stderr = runCLI(t, nil, "merge", "--json", "-o", "docker://"+host+"/img:all", host+"/img:amd64", "oci:"+dirs[1]+":t")
	if code != 0 {
		t.Fatalf("merge to registry: exit %d: %s", code, stderr)
	}
	res = pushJSON{}
	json.Unmarshal([]byte(stdout), &res)
	if res.Digest != want.String() {
		t.Errorf("merged to registry %s, want %s", res.Digest, want)
	}

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"same platform twice", []string{"oci:" + dirs[0] + ":t", "oci:" + dirs[0] + ":t"}, "two images for platform linux/amd64"},
		{"other config", []string{"oci:" + dirs[0] + ":t", "oci:" + other[0] + ":t"}, "built from configuration"},
		{"index and its image", []string{"oci:" + dirs[2] + ":t", "oci:" + dirs[1] + ":t"}, "two images for platform linux/arm64/v8"},
	} {
		o := filepath.Join(t.TempDir(), "x")
		code, _, stderr := runCLI(t, nil, append([]string{"merge", "-o", "oci:" + o}, tc.args...)...)
		if code != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want 1 and %q", tc.name, code, stderr, tc.want)
		}
	}
}

func TestParseAnnotations(t *testing.T) {
	t.Parallel()
	got, err := parseAnnotations([]string{"a=b", "c=d=e", "empty="})
	if err != nil || got["a"] != "b" || got["c"] != "d=e" || got["empty"] != "" || len(got) != 3 {
		t.Errorf("got %v, %v", got, err)
	}
	for _, bad := range []string{"novalue", "=x"} {
		if _, err := parseAnnotations([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if e := redact(&globals{Getenv: func(k string) string { return map[string]string{registryPasswordEnv: "pw123"}[k] }},
		bytes.ErrTooLarge); e != bytes.ErrTooLarge {
		t.Errorf("redact changed an error without the password")
	}
}

// TestPublishKeyless publishes a real build (the test repositories) with
// --keyless --tlog-upload --sbom-dir --provenance against the Fulcio and
// Rekor stand-ins of signing/sigstoretest, as a CI job would with its
// OIDC token, then has the real cosign verify the signatures and the
// SPDX and provenance attestations by identity, issuer and log key. A
// Fulcio that refuses the token fails the publish (exit 1) after the
// push, with nothing signed; the token is never printed, not even with
// -v. --sign-key --tlog-upload logs key-based attestations that cosign
// verify-attestation --key checks with the log.
func TestPublishKeyless(t *testing.T) {
	t.Parallel()
	repos := testrepo.Get(t)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, repos, repoTemplate(repos), "webd")
	host, _ := testRegistry(t, "", "")
	fulcio := sigstoretest.NewFulcio(t, sigstoretest.GoodToken)
	rekor := sigstoretest.NewRekor(t)
	refusing := sigstoretest.NewFulcio(t, "another-token")
	env := map[string]string{"HOME": dir, idTokenEnv: sigstoretest.GoodToken}
	cache := filepath.Join(dir, "cache")
	var all strings.Builder
	publish := func(fulcioURL, ref string) (int, string) {
		code, out, errOut := runCLI(t, env, "-v", "--cache-dir", cache, "publish", cfg, "--tag", ref,
			"--keyless", "--tlog-upload", "--fulcio-url", fulcioURL, "--rekor-url", rekor.URL,
			"--sbom-dir", filepath.Join(dir, "sbom"), "--provenance")
		all.WriteString(out + errOut)
		return code, out + errOut
	}

	refused := host + "/pub/refused:1"
	if code, out := publish(refusing.URL, refused); code != 1 || !strings.Contains(out, "Fulcio") {
		t.Errorf("publish with a Fulcio that refuses the token: exit %d, want 1 naming Fulcio:\n%s", code, out)
	}
	if n := rekor.Uploads(); n != 0 {
		t.Errorf("%d Rekor entries after Fulcio refused, want 0", n)
	}
	ref := host + "/pub/keyless:1"
	if code, out := publish(fulcio.URL, ref); code != 0 {
		t.Fatalf("publish --keyless --tlog-upload: exit %d\n%s", code, out)
	}
	// Two architectures: 3 signatures; the index has 2 SBOMs and a
	// provenance, each image its SBOM and a provenance.
	if sigs, atts := rekor.Uploads()-rekor.DSSEUploads(), rekor.DSSEUploads(); sigs != 3 || atts != 7 {
		t.Errorf("Rekor has %d signature and %d attestation entries, want 3 and 7", sigs, atts)
	}
	// With a key: --sign-key --tlog-upload logs the same entries, with the
	// public key in them.
	env["COSIGN_PASSWORD"] = "pw"
	prefix := filepath.Join(dir, "cosign")
	if code, out, errOut := runCLI(t, env, "keygen", "--output-key-prefix", prefix); code != 0 {
		t.Fatalf("keygen: %d %s%s", code, out, errOut)
	}
	keyRef := host + "/pub/key:1"
	code, out, errOut := runCLI(t, env, "--cache-dir", cache, "publish", cfg, "--tag", keyRef, "--sign-key", prefix+".key",
		"--tlog-upload", "--rekor-url", rekor.URL)
	if code != 0 {
		t.Fatalf("publish --sign-key --tlog-upload: exit %d\n%s%s", code, out, errOut)
	}
	if n := rekor.DSSEUploads(); n != 7+4 {
		t.Errorf("Rekor has %d attestation entries after the key-based publish, want 11", n)
	}
	if strings.Contains(all.String(), sigstoretest.GoodToken) || strings.Contains(all.String(), "another-token") {
		t.Errorf("the identity token was printed:\n%s", all.String())
	}

	t.Run("cosign", func(t *testing.T) {
		cosign := sigstoretest.CosignCLI(t)
		cdir := t.TempDir()
		cenv := sigstoretest.CosignEnv(t, cdir, fulcio, rekor)
		otherEnv := sigstoretest.CosignEnv(t, cdir, fulcio, sigstoretest.NewRekor(t))
		run := func(env []string, args ...string) (string, error) {
			cmd := exec.CommandContext(t.Context(), cosign, append(args, "--insecure-ignore-sct", "--allow-insecure-registry")...)
			cmd.Env = env
			out, err := cmd.CombinedOutput()
			return string(out), err
		}
		id := []string{"--certificate-identity", sigstoretest.Email, "--certificate-oidc-issuer", sigstoretest.Issuer}
		if out, err := run(cenv, append([]string{"verify", ref}, id...)...); err != nil {
			t.Errorf("cosign verify: %v\n%s", err, out)
		}
		for _, typ := range []string{"spdxjson", "slsaprovenance1"} {
			out, err := run(cenv, append([]string{"verify-attestation", "--type", typ, ref}, id...)...)
			if err != nil {
				t.Errorf("cosign verify-attestation --type %s: %v\n%s", typ, err, out)
			} else if !strings.Contains(out, `"payload"`) {
				t.Errorf("cosign verify-attestation --type %s printed no payload:\n%s", typ, out)
			}
		}
		att := []string{"verify-attestation", "--type", "spdxjson", ref}
		for name, args := range map[string][]string{
			"another identity": {"--certificate-identity", "someone@example.com", "--certificate-oidc-issuer", sigstoretest.Issuer},
			"another issuer":   {"--certificate-identity", sigstoretest.Email, "--certificate-oidc-issuer", "https://other.example"},
		} {
			if out, err := run(cenv, append(att, args...)...); err == nil {
				t.Errorf("cosign verify-attestation accepted %s:\n%s", name, out)
			}
		}
		if out, err := run(otherEnv, append(att, id...)...); err == nil {
			t.Errorf("cosign verify-attestation accepted another Rekor key:\n%s", out)
		}
		// The key-based logged attestations, checked with the log.
		keyArgs := []string{"verify-attestation", "--type", "spdxjson", "--key", prefix + ".pub", keyRef}
		cmd := exec.CommandContext(t.Context(), cosign, append(keyArgs, "--allow-insecure-registry")...)
		cmd.Env = cenv
		if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "transparency log") {
			t.Errorf("cosign verify-attestation --key (with the log): %v\n%s", err, out)
		}
		cmd = exec.CommandContext(t.Context(), cosign, append(keyArgs, "--allow-insecure-registry")...)
		cmd.Env = otherEnv
		if out, err := cmd.CombinedOutput(); err == nil {
			t.Errorf("cosign verify-attestation --key accepted another Rekor key:\n%s", out)
		}
		// The refused publish pushed the image but signed nothing.
		if out, err := run(cenv, append([]string{"verify", refused}, id...)...); err == nil {
			t.Errorf("cosign verify accepted the image whose signing failed:\n%s", out)
		}
	})
}

// TestPublishOutputAndTags: publish --output oci:DIR with --tag writes
// the same index to the layout and the registry; an --output that cannot
// be written stops the publish before any tag is set.
func TestPublishOutputAndTags(t *testing.T) {
	t.Parallel()
	repos := testrepo.Get(t)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, repos, repoTemplate(repos), "webd")
	host, _ := testRegistry(t, "", "")
	cache := filepath.Join(dir, "cache")
	layoutDir := filepath.Join(dir, "oci")
	ref := host + "/pub/both:1"
	code, out, errOut := runCLI(t, map[string]string{"HOME": dir}, "--cache-dir", cache, "publish", "--json", cfg,
		"--tag", ref, "--output", "oci:"+layoutDir+":t")
	if code != 0 {
		t.Fatalf("publish --output --tag: exit %d\n%s%s", code, out, errOut)
	}
	var res struct {
		Index string   `json:"index_digest"`
		Tags  []string `json:"tags"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Index == "" || len(res.Tags) != 1 {
		t.Fatalf("publish --json: %v\n%s", err, out)
	}
	tag, _ := name.NewTag(ref, name.Insecure)
	d, err := remote.Head(tag)
	if err != nil || d.Digest.String() != res.Index {
		t.Errorf("registry: %v %v, want %s", err, d, res.Index)
	}
	idx, err := os.ReadFile(filepath.Join(layoutDir, "index.json"))
	if err != nil || !strings.Contains(string(idx), res.Index) {
		t.Errorf("layout index.json lacks %s: %v\n%s", res.Index, err, idx)
	}

	// A docker archive whose folder is a file: no tag.
	notADir := filepath.Join(dir, "file")
	if err := os.WriteFile(notADir, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	ref2 := host + "/pub/none:1"
	code, out, errOut = runCLI(t, map[string]string{"HOME": dir}, "--cache-dir", cache, "publish", cfg, "--arch", "x86_64",
		"--tag", ref2, "--output", "docker-archive:"+filepath.Join(notADir, "img.tar"))
	if code != 1 || !strings.Contains(errOut, "img.tar") {
		t.Fatalf("publish to an unwritable --output: exit %d, want 1 naming img.tar:\n%s%s", code, out, errOut)
	}
	tag2, _ := name.NewTag(ref2, name.Insecure)
	if _, err := remote.Head(tag2); err == nil {
		t.Errorf("the tag %s was set although --output failed", ref2)
	}
}
