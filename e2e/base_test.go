//go:build e2e

package e2e

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/match"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/layers/rootfs/rootfstest"
	"github.com/slipway-build/slipway/signing/sigstoretest"
)

// blobReads is a reverse proxy to a registry that counts the bytes of
// blobs it serves (GET .../blobs/sha256:...).
type blobReads struct {
	Host  string
	bytes atomic.Int64
}

func startBlobCounter(t *testing.T, target string) *blobReads {
	t.Helper()
	u, _ := url.Parse("http://" + target)
	rp := httputil.NewSingleHostReverseProxy(u)
	c := &blobReads{}
	rp.ModifyResponse = func(r *http.Response) error {
		if r.Request.Method == http.MethodGet && strings.Contains(r.Request.URL.Path, "/blobs/sha256:") && r.StatusCode == http.StatusOK {
			r.Body = &countingBody{r.Body, &c.bytes}
		}
		return nil
	}
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	c.Host = strings.TrimPrefix(srv.URL, "http://")
	return c
}

type countingBody struct {
	rc interface {
		Read([]byte) (int, error)
		Close() error
	}
	n *atomic.Int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	c.n.Add(int64(n))
	return n, err
}
func (c *countingBody) Close() error { return c.rc.Close() }

// derivedConfig writes a configuration building on base.
func derivedConfig(t *testing.T, repos *testrepo.Repos, base, extra string, arches []string, install ...string) string {
	t.Helper()
	q := make([]string, len(install))
	for i, s := range install {
		q[i] = fmt.Sprintf("%q", s)
	}
	qa := make([]string, len(arches))
	for i, s := range arches {
		qa[i] = fmt.Sprintf("%q", s)
	}
	text := fmt.Sprintf(`[image]
name = "test/derived"
architectures = [%s]
releasever = "3.0"
base = %q
%s

[[repository]]
id = "test"
baseurl = "file://%s"
gpgkey = [%q]
gpgcheck = true

[packages]
install = [%s]
`, strings.Join(qa, ", "), base, extra, filepath.Join(filepath.Dir(repos.Dir["x86_64"]), "$basearch"), repos.KeyFile, strings.Join(q, ", "))
	path := filepath.Join(t.TempDir(), "derived.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// ociManifest reads the manifest of a layout's image named ref.
func ociLayers(t *testing.T, layoutDir, ref string) []string {
	t.Helper()
	out, err := exec.Command("skopeo", "inspect", "--raw", "oci:"+layoutDir+":"+ref).Output()
	if err != nil {
		t.Fatalf("skopeo inspect oci:%s:%s: %v", layoutDir, ref, err)
	}
	var m struct {
		Layers []struct{ Digest string }
	}
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	var ds []string
	for _, l := range m.Layers {
		ds = append(ds, l.Digest)
	}
	return ds
}

func registryLayers(t *testing.T, ref string) []string {
	t.Helper()
	out, err := exec.Command("skopeo", "inspect", "--tls-verify=false", "--raw", "docker://"+ref).Output()
	if err != nil {
		t.Fatalf("skopeo inspect %s: %v", ref, err)
	}
	var m struct {
		Layers []struct{ Digest string }
	}
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	var ds []string
	for _, l := range m.Layers {
		ds = append(ds, l.Digest)
	}
	return ds
}

// TestBuildOnBase: a base published by slipway (glibc, filesystem, setup,
// libfoo, an old tzdata), signed; a derived image adding appd (which
// needs libfoo) keeps the base's layers, lists base and added packages in
// its rpm database, runs appd, and verifies with cosign. A base signed by
// another key, a base without arm64, and an upgrade of a base package
// without upgrade_base fail, naming what is wrong; a second build reads
// no base layer from the registry.
func TestBuildOnBase(t *testing.T) {
	testutil := func(tool string) {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is needed", tool)
			}
			t.Skipf("%s is needed (apt-get install %s)", tool, tool)
		}
	}
	testutil("skopeo")
	repos := testrepo.Get(t)
	reg := startRegistry(t, false)
	counter := startBlobCounter(t, reg.Host)
	dir := t.TempDir()
	const keyPass = "e2e-base-key"
	env := []string{"COSIGN_PASSWORD=" + keyPass}
	key := filepath.Join(dir, "platform")
	other := filepath.Join(dir, "other")
	mustSucceed(t, slipway(t, env, "keygen", "--output-key-prefix", key), "keygen")
	mustSucceed(t, slipway(t, env, "keygen", "--output-key-prefix", other), "keygen other")

	baseCfg := config(t, repos, "", "filesystem", "setup", "glibc", "libfoo", "tzdata-2023c")
	baseRef := reg.Host + "/platform/base:3.0"
	mustSucceed(t, slipway(t, env, "--cache-dir", t.TempDir(), "publish", baseCfg, "--tag", baseRef, "--sign-key", key+".key"), "publish the base")
	amdOnly := reg.Host + "/platform/base-amd64:3.0"
	mustSucceed(t, slipway(t, env, "--cache-dir", t.TempDir(), "publish", baseCfg, "--arch", "x86_64", "--tag", amdOnly), "publish an x86_64-only base")

	both := []string{"x86_64", "aarch64"}
	cache := t.TempDir()
	// Through the counting proxy: its port is another registry name.
	viaProxy := counter.Host + "/platform/base:3.0"
	cfg := derivedConfig(t, repos, viaProxy, fmt.Sprintf("base_verify_key = %q", key+".pub"), both, "appd")
	out := filepath.Join(t.TempDir(), "oci")
	sbomDir := t.TempDir()
	start := time.Now()
	mustSucceed(t, slipway(t, env, "--cache-dir", cache, "build", cfg, "--output", "oci:"+out+":app", "--sbom-dir", sbomDir), "build on the base")
	firstTook := time.Since(start)
	first := counter.bytes.Swap(0)
	if first == 0 {
		t.Errorf("the first build read no blob of the base")
	}

	t.Run("layers", func(t *testing.T) {
		for _, a := range []string{"amd64", "arm64"} {
			baseLayers := registryLayers(t, reg.Host+"/platform/base@"+archDigest(t, reg.Host+"/platform/base:3.0", a))
			got := ociLayers(t, out, "app-"+a)
			if len(got) != len(baseLayers)+1 || !slices.Equal(got[:len(baseLayers)], baseLayers) {
				t.Errorf("%s: layers %v, want the base's %v and one more", a, got, baseLayers)
			}
		}
	})

	t.Run("sbom names the base", func(t *testing.T) {
		docs, _ := filepath.Glob(filepath.Join(sbomDir, "*x86_64.spdx.json"))
		if len(docs) != 1 {
			t.Fatalf("SBOMs in %s: %v, want one x86_64", sbomDir, docs)
		}
		doc, err := os.ReadFile(docs[0])
		if err != nil {
			t.Fatal(err)
		}
		d := archDigest(t, reg.Host+"/platform/base:3.0", "amd64")
		for _, want := range []string{`"SPDXID": "SPDXRef-BaseImage"`, `"relationshipType": "DESCENDANT_OF"`,
			`"referenceLocator": "pkg:oci/base@` + d, `"name": "libfoo"`, `"name": "appd"`} {
			if !strings.Contains(string(doc), want) {
				t.Errorf("the SBOM lacks %s", want)
			}
		}
	})

	t.Run("rpm -qa and run", func(t *testing.T) {
		testutil("umoci")
		testutil("rpm")
		root := unpack(t, out, "app-amd64")
		qa, err := exec.Command("rpm", "--root", root, "--dbpath", "/var/lib/rpm", "-qa", "--qf", "%{NAME}-%{VERSION}\n").CombinedOutput()
		if err != nil {
			t.Fatalf("rpm -qa: %v\n%s", err, qa)
		}
		for _, want := range []string{"glibc-2.36", "libfoo-1.2", "filesystem-1.1", "setup-2.14", "tzdata-2023c", "appd-2.1"} {
			if !strings.Contains(string(qa), want+"\n") {
				t.Errorf("rpm -qa lacks %s:\n%s", want, qa)
			}
		}
		if v, err := exec.Command("rpm", "--root", root, "--dbpath", "/var/lib/rpm", "-V", "appd", "libfoo").CombinedOutput(); err != nil {
			t.Errorf("rpm -V appd libfoo: %v\n%s", err, v)
		}
		for _, f := range []string{"usr/bin/appd", "usr/lib64/libfoo.so.1", "etc/passwd"} {
			if _, err := os.Lstat(filepath.Join(root, f)); err != nil {
				t.Errorf("%s: %v", f, err)
			}
		}
		if os.Geteuid() == 0 {
			if got, err := exec.Command("chroot", root, "/usr/bin/appd").CombinedOutput(); err != nil || !strings.Contains(string(got), "hello from libfoo") {
				t.Errorf("appd in a chroot of the derived image: %v %s", err, got)
			}
		}
	})

	t.Run("resolve and why show the base's packages", func(t *testing.T) {
		r := slipway(t, env, "--cache-dir", cache, "resolve", "--arch", "x86_64", cfg)
		mustSucceed(t, r, "resolve")
		if !strings.Contains(r.stdout, "appd-2.1-1.azl3.x86_64\n") || !strings.Contains(r.stdout, "libfoo-1.2-1.azl3.x86_64 @base\n") {
			t.Errorf("resolve:\n%s", r.stdout)
		}
		r = slipway(t, env, "--cache-dir", cache, "why", "--arch", "x86_64", cfg, "libfoo")
		mustSucceed(t, r, "why libfoo")
		if !strings.Contains(r.stdout, "installed in the base "+viaProxy) || !strings.Contains(r.stdout, "appd-2.1-1.azl3.x86_64 requires libfoo.so.1()(64bit)") {
			t.Errorf("why libfoo:\n%s", r.stdout)
		}
	})

	t.Run("second build reads no base layer", func(t *testing.T) {
		out2 := filepath.Join(t.TempDir(), "oci")
		start := time.Now()
		mustSucceed(t, slipway(t, env, "--cache-dir", cache, "build", cfg, "--output", "oci:"+out2+":app"), "second build")
		second := time.Since(start)
		// The same packages from scratch, for docs/performance.md.
		scratch := config(t, repos, "", "filesystem", "setup", "glibc", "libfoo", "tzdata-2023c", "appd")
		scratchCache := t.TempDir()
		start = time.Now()
		mustSucceed(t, slipway(t, env, "--cache-dir", scratchCache, "build", scratch, "--output", "oci:"+filepath.Join(t.TempDir(), "s")+":s"), "scratch build (cold)")
		cold := time.Since(start)
		start = time.Now()
		mustSucceed(t, slipway(t, env, "--cache-dir", scratchCache, "build", scratch, "--output", "oci:"+filepath.Join(t.TempDir(), "s2")+":s"), "scratch build (warm)")
		t.Logf("derived build: first %v (%d base blob bytes read), second %v; from scratch: cold cache %v, warm (layer cache hit) %v", firstTook, first, second, cold, time.Since(start))
		if n := counter.bytes.Swap(0); n > 64<<10 { // manifests and configs only
			t.Errorf("the second build read %d bytes of blobs (the first %d); the base's layers should come from the cache", n, first)
		}
	})

	t.Run("publish signed, cosign verifies", func(t *testing.T) {
		cosign := cosignBin(t)
		derived := reg.Host + "/team/app:1"
		mustSucceed(t, slipway(t, env, "--cache-dir", cache, "publish", cfg, "--tag", derived, "--sign-key", key+".key"), "publish the derived image")
		cmd := exec.Command(cosign, "verify", "--key", key+".pub", "--insecure-ignore-tlog", "--allow-insecure-registry", derived)
		cmd.Env = append(os.Environ(), "HOME="+dir, "TUF_ROOT="+filepath.Join(dir, "tuf"))
		if o, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("cosign verify %s: %v\n%s", derived, err, o)
		}
	})

	for _, tc := range []struct {
		name    string
		cfg     string
		want    []string
		success bool
	}{
		{"signed by another key", derivedConfig(t, repos, baseRef, fmt.Sprintf("base_verify_key = %q", other+".pub"), both, "appd"),
			[]string{"is not signed by " + other + ".pub"}, false},
		{"no arm64", derivedConfig(t, repos, amdOnly, "", both, "appd"),
			[]string{"has no image for linux/arm64 (aarch64)"}, false},
		{"upgrade without upgrade_base", derivedConfig(t, repos, baseRef, "", both, "tzdata-2024a"),
			[]string{"tzdata-2023c-1.azl3.noarch -> tzdata-2024a-1.azl3.noarch", "upgrade_base = true"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tag := reg.Host + "/team/never:1"
			r := slipway(t, env, "--cache-dir", cache, "publish", tc.cfg, "--tag", tag)
			if r.code == 0 {
				t.Fatalf("published:\n%s", r.stdout)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if reg.tagExists(t, reg.Host, "team/never:1") {
				t.Errorf("something was pushed")
			}
		})
	}

	t.Run("upgrade_base", func(t *testing.T) {
		testutil("umoci")
		up := derivedConfig(t, repos, baseRef, "", []string{"x86_64"}, "tzdata-2024a")
		data, _ := os.ReadFile(up)
		data = []byte(strings.Replace(string(data), "[packages]\n", "[packages]\nupgrade_base = true\n", 1))
		if err := os.WriteFile(up, data, 0o644); err != nil {
			t.Fatal(err)
		}
		o := filepath.Join(t.TempDir(), "oci")
		mustSucceed(t, slipway(t, env, "--cache-dir", cache, "build", up, "--output", "oci:"+o+":up"), "build with upgrade_base")
		root := unpack(t, o, "up")
		qa, err := exec.Command("rpm", "--root", root, "--dbpath", "/var/lib/rpm", "-q", "tzdata").CombinedOutput()
		if err != nil || !strings.Contains(string(qa), "tzdata-2024a") || strings.Contains(string(qa), "2023c") {
			t.Errorf("rpm -q tzdata: %v\n%s", err, qa)
		}
	})

	// Last: it moves the base's tag.
	t.Run("lock records the base; --check sees the tag move; --locked keeps the digest", func(t *testing.T) {
		lcfg := derivedConfig(t, repos, baseRef, "", both, "appd")
		mustSucceed(t, slipway(t, env, "--cache-dir", cache, "lock", lcfg), "lock")
		lf, err := os.ReadFile(strings.TrimSuffix(lcfg, ".toml") + ".lock")
		if err != nil {
			t.Fatal(err)
		}
		oldAmd := archDigest(t, baseRef, "amd64")
		if !strings.Contains(string(lf), "base = '"+oldAmd+"'") {
			t.Errorf("the lockfile does not record the base's amd64 digest %s:\n%s", oldAmd, lf)
		}
		if strings.Contains(string(lf), "glibc") {
			t.Errorf("the lockfile lists the base's packages:\n%s", lf)
		}
		mustSucceed(t, slipway(t, env, "--cache-dir", cache, "lock", "--check", lcfg), "lock --check before the tag moves")
		moved := config(t, repos, "", "filesystem", "setup", "glibc", "libfoo", "tzdata-2023c", "busybox")
		mustSucceed(t, slipway(t, env, "--cache-dir", t.TempDir(), "publish", moved, "--tag", baseRef), "publish over the base's tag")
		if now := archDigest(t, baseRef, "amd64"); now == oldAmd {
			t.Fatalf("publishing over the tag left amd64 at %s", now)
		}
		r := slipway(t, env, "--cache-dir", cache, "lock", "--check", lcfg)
		if r.code != 1 || !strings.Contains(r.stdout+r.stderr, "the base "+baseRef+" now points to") {
			t.Errorf("lock --check after the tag moved: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		o := filepath.Join(t.TempDir(), "oci")
		mustSucceed(t, slipway(t, env, "--cache-dir", cache, "build", "--locked", lcfg, "--output", "oci:"+o+":locked"), "build --locked")
		baseLayers := registryLayers(t, reg.Host+"/platform/base@"+oldAmd)
		if got := ociLayers(t, o, "locked-amd64"); !slices.Equal(got[:len(baseLayers)], baseLayers) {
			t.Errorf("--locked built on %v, want the locked base's layers %v", got, baseLayers)
		}
	})
}

// archDigest is the digest of one platform's image in a registry index.
func archDigest(t *testing.T, ref, arch string) string {
	t.Helper()
	out, err := exec.Command("skopeo", "inspect", "--tls-verify=false", "--raw", "docker://"+ref).Output()
	if err != nil {
		t.Fatalf("skopeo inspect %s: %v", ref, err)
	}
	var idx struct {
		Manifests []struct {
			Digest   string
			Platform struct{ Architecture string }
		}
	}
	if err := json.Unmarshal(out, &idx); err != nil {
		t.Fatal(err)
	}
	for _, m := range idx.Manifests {
		if m.Platform.Architecture == arch {
			return m.Digest
		}
	}
	t.Fatalf("%s has no %s image", ref, arch)
	return ""
}

// TestBuildOnForeignBase: a base slipway never wrote — a dnf --installroot
// tree (no scriptlets: no ld.so.cache) packed by umoci, with rpm's own
// database and dnf's gpg-pubkey entry. The derived image adds appd: the
// base's layer is kept, rpm -qa lists dnf's packages and appd, and appd
// finds libfoo through the ld.so.cache slipway writes.
func TestBuildOnForeignBase(t *testing.T) {
	requireRoot(t, "dnf --installroot")
	for _, tool := range []string{"umoci", "rpm", "skopeo"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is needed", tool)
			}
			t.Skipf("%s is needed (apt-get install %s)", tool, tool)
		}
	}
	repos := testrepo.Get(t)
	root := rootfstest.DNFInstall(t, repos.Dir["x86_64"], repos.KeyFile, "x86_64", "filesystem", "setup", "glibc", "libfoo")
	lay := filepath.Join(t.TempDir(), "foreign")
	for _, args := range [][]string{
		{"init", "--layout", lay},
		{"new", "--image", lay + ":base"},
		{"insert", "--image", lay + ":base", root, "/"},
	} {
		if out, err := exec.Command("umoci", args...).CombinedOutput(); err != nil {
			t.Fatalf("umoci %v: %v\n%s", args, err, out)
		}
	}
	cfg := derivedConfig(t, repos, "oci:"+lay+":base", "", []string{"x86_64"}, "appd")
	// [paths] remove on a path only the base has: a whiteout.
	if f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0); err != nil {
		t.Fatal(err)
	} else {
		f.WriteString("\n[paths]\nremove = [\"/etc/shells\"]\n")
		f.Close()
	}
	if _, err := os.Stat(filepath.Join(root, "etc/shells")); err != nil {
		t.Fatalf("the base has no /etc/shells to remove: %v", err)
	}
	out := filepath.Join(t.TempDir(), "oci")
	mustSucceed(t, slipway(t, nil, "--cache-dir", t.TempDir(), "build", cfg, "--output", "oci:"+out+":app"), "build on the foreign base")
	baseLayers := ociLayers(t, lay, "base")
	got := ociLayers(t, out, "app")
	if len(got) != len(baseLayers)+1 || !slices.Equal(got[:len(baseLayers)], baseLayers) {
		t.Errorf("layers %v, want the base's %v and one more", got, baseLayers)
	}
	r := unpack(t, out, "app")
	qa, err := exec.Command("rpm", "--root", r, "--dbpath", "/var/lib/rpm", "-qa", "--qf", "%{NAME}\n").CombinedOutput()
	if err != nil {
		t.Fatalf("rpm -qa: %v\n%s", err, qa)
	}
	for _, want := range []string{"glibc", "libfoo", "filesystem", "setup", "appd"} {
		if !strings.Contains("\n"+string(qa), "\n"+want+"\n") {
			t.Errorf("rpm -qa lacks %s:\n%s", want, qa)
		}
	}
	if o, err := exec.Command("chroot", r, "/usr/bin/appd").CombinedOutput(); err != nil || !strings.Contains(string(o), "hello from libfoo") {
		t.Errorf("appd in a chroot of the image on the foreign base: %v %s", err, o)
	}
	if _, err := os.Lstat(filepath.Join(r, "etc/shells")); err == nil {
		t.Errorf("/etc/shells of the base is still there after [paths] remove")
	}
	if _, err := os.Lstat(filepath.Join(r, "etc/passwd")); err != nil {
		t.Errorf("/etc/passwd: %v", err)
	}
}

// TestBuildOnDistrolessBase: a base whose inventory is an rpmmanifest
// (rpmdb = "manifest", no rpm database), published by slipway; the
// derived image adds appd, whose libfoo and glibc requirements the base
// satisfies (their dependencies read from the repositories' entries of
// the same builds), and its container-manifest-2 lists both.
func TestBuildOnDistrolessBase(t *testing.T) {
	for _, tool := range []string{"umoci", "skopeo"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is needed", tool)
			}
			t.Skipf("%s is needed (apt-get install %s)", tool, tool)
		}
	}
	repos := testrepo.Get(t)
	baseCfg := config(t, repos, "", "filesystem", "setup", "glibc", "libfoo")
	data, _ := os.ReadFile(baseCfg)
	if err := os.WriteFile(baseCfg, []byte(strings.Replace(string(data), "releasever = \"3.0\"\n", "releasever = \"3.0\"\nrpmdb = \"manifest\"\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	lay := filepath.Join(t.TempDir(), "distroless")
	mustSucceed(t, slipway(t, nil, "--cache-dir", t.TempDir(), "build", baseCfg, "--arch", "x86_64", "--output", "oci:"+lay+":base"), "build the distroless base")
	cfg := derivedConfig(t, repos, "oci:"+lay+":base", "", []string{"x86_64"}, "appd")
	data, _ = os.ReadFile(cfg)
	if err := os.WriteFile(cfg, []byte(strings.Replace(string(data), "releasever = \"3.0\"\n", "releasever = \"3.0\"\nrpmdb = \"manifest\"\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	r := slipway(t, nil, "--cache-dir", t.TempDir(), "resolve", "--arch", "x86_64", cfg)
	mustSucceed(t, r, "resolve on the distroless base")
	if strings.TrimSpace(strings.Split(r.stdout, "\n")[0]) != "appd-2.1-1.azl3.x86_64" || strings.Contains(r.stdout, "libfoo-1.2-1.azl3.x86_64\n") {
		t.Errorf("resolve should add appd only:\n%s", r.stdout)
	}
	out := filepath.Join(t.TempDir(), "oci")
	mustSucceed(t, slipway(t, nil, "--cache-dir", t.TempDir(), "build", cfg, "--output", "oci:"+out+":app"), "build on the distroless base")
	root := unpack(t, out, "app")
	m2, err := os.ReadFile(filepath.Join(root, "var/lib/rpmmanifest/container-manifest-2"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"glibc\t", "libfoo\t", "filesystem\t", "setup\t", "appd\t2.1-1.azl3\t"} {
		if !strings.Contains("\n"+string(m2), "\n"+want) {
			t.Errorf("container-manifest-2 lacks %q:\n%s", want, m2)
		}
	}
	if os.Geteuid() == 0 {
		if o, err := exec.Command("chroot", root, "/usr/bin/appd").CombinedOutput(); err != nil || !strings.Contains(string(o), "hello from libfoo") {
			t.Errorf("appd in a chroot of the image on the distroless base: %v %s", err, o)
		}
	}
}

// TestBuildOnBaseShadow: a package added on a base whose %pre runs
// useradd -r gets its /etc/shadow entry in the base's /etc/shadow — the
// derived image's file has the base's entries and the new one — and
// /etc/gshadow likewise.
func TestBuildOnBaseShadow(t *testing.T) {
	repos := testrepo.Get(t)
	dir := t.TempDir()
	baseCfg := config(t, repos, "", "filesystem", "setup", "glibc")
	baseOut := filepath.Join(dir, "base")
	mustSucceed(t, slipway(t, nil, "--cache-dir", t.TempDir(), "build", baseCfg, "--arch", "x86_64", "--output", "oci:"+baseOut+":base"), "build the base")
	// setup's /etc/shadow is a %ghost: give the base the shadow files
	// an image of the distribution has, in a layer of their own.
	addShadowLayer(t, baseOut, "base", map[string]string{
		"etc/shadow":  "root:*:19000:0:99999:7:::\nbin:*:19000:0:99999:7:::\n",
		"etc/gshadow": "root:::\nbin:::\n",
	})
	baseRoot := unpack(t, baseOut, "base")
	// A configured user whose home the base lacks gets it (item: homes
	// of [[accounts.user]] on a base); root's /root the base has.
	cfg := derivedConfig(t, repos, "oci:"+baseOut+":base", "", []string{"x86_64"}, "webd")
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(f, "\n[[accounts.group]]\nname = \"app\"\ngid = 7100\n\n[[accounts.user]]\nname = \"app\"\nuid = 7100\ngid = 7100\nhome = \"/home/app\"\n")
	f.Close()
	out := filepath.Join(dir, "derived")
	mustSucceed(t, slipway(t, nil, "--cache-dir", t.TempDir(), "build", cfg, "--output", "oci:"+out+":app"), "build on the base")
	root := unpack(t, out, "app")
	if fi, err := os.Stat(filepath.Join(root, "home/app")); err != nil || !fi.IsDir() {
		t.Errorf("the configured user's home /home/app: %v", err)
	}
	for _, f := range []string{"etc/shadow", "etc/gshadow"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		baseB, _ := os.ReadFile(filepath.Join(baseRoot, f))
		for _, l := range strings.Split(strings.TrimSpace(string(baseB)), "\n") {
			if l != "" && !strings.Contains(string(b), l+"\n") {
				t.Errorf("%s lost the base's line %q:\n%s", f, l, b)
			}
		}
		if !strings.Contains(string(b), "\nwebd:") {
			t.Errorf("%s has no webd entry:\n%s", f, b)
		}
	}
}

// addShadowLayer replaces the image tagged ref in the layout dir with one
// that has a layer more, of files (mode 0400).
func addShadowLayer(t *testing.T, dir, ref string, files map[string]string) {
	t.Helper()
	p, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var img v1.Image
	for _, m := range im.Manifests {
		if m.Annotations["org.opencontainers.image.ref.name"] == ref {
			if img, err = idx.Image(m.Digest); err != nil {
				t.Fatal(err)
			}
		}
	}
	if img == nil {
		t.Fatalf("no image %s in %s", ref, dir)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o400, Size: int64(len(files[n])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(files[n]))
	}
	tw.Close()
	data := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
		tarball.WithMediaType(types.OCILayer))
	if err != nil {
		t.Fatal(err)
	}
	if img, err = mutate.AppendLayers(img, l); err != nil {
		t.Fatal(err)
	}
	if err := p.ReplaceImage(img, match.Annotation("org.opencontainers.image.ref.name", ref),
		layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": ref})); err != nil {
		t.Fatal(err)
	}
}

// TestBuildOnKeylessBase: a base published with a keyless signature
// (--keyless --tlog-upload against the Fulcio and Rekor stand-ins, as a
// CI job with an OIDC token would) is accepted offline by the
// base_verify_identity options (identity, issuer, Fulcio root, Rekor
// key); a base signed by another identity, by a CA the trust does not
// name, or logged in another log fails before anything is pushed.
func TestBuildOnKeylessBase(t *testing.T) {
	repos := testrepo.Get(t)
	reg := startRegistry(t, false)
	fulcio := sigstoretest.NewFulcio(t, sigstoretest.GoodToken)
	rekor := sigstoretest.NewRekor(t)
	dir := t.TempDir()
	env := []string{"SIGSTORE_ID_TOKEN=" + sigstoretest.GoodToken}
	baseCfg := config(t, repos, "", "filesystem", "setup", "glibc", "libfoo")
	baseRef := reg.Host + "/platform/keyless-base:3.0"
	mustSucceed(t, slipway(t, env, "--cache-dir", t.TempDir(), "publish", baseCfg, "--arch", "x86_64", "--tag", baseRef,
		"--keyless", "--tlog-upload", "--fulcio-url", fulcio.URL, "--rekor-url", rekor.URL), "publish the base, keyless")

	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	root := write("fulcio-root.pem", fulcio.RootPEM)
	rekorKey := write("rekor.pub", rekor.PubPEM)
	otherRoot := write("other-root.pem", sigstoretest.NewFulcio(t, "x").RootPEM)
	otherRekor := write("other-rekor.pub", sigstoretest.NewRekor(t).PubPEM)
	trust := func(identity, roots, log string) string {
		return fmt.Sprintf("base_verify_identity = %q\nbase_verify_oidc_issuer = %q\nbase_verify_ca_roots = %q\nbase_verify_rekor_key = %q",
			identity, sigstoretest.Issuer, roots, log)
	}
	cache := t.TempDir()
	x86 := []string{"x86_64"}

	t.Run("the signing identity", func(t *testing.T) {
		cfg := derivedConfig(t, repos, baseRef, trust(sigstoretest.Email, root, rekorKey), x86, "appd")
		mustSucceed(t, slipway(t, nil, "--cache-dir", cache, "publish", cfg, "--tag", reg.Host+"/team/keyless-app:1"), "publish on the keyless base")
		regexps := derivedConfig(t, repos, baseRef, fmt.Sprintf(
			"base_verify_identity_regexp = %q\nbase_verify_oidc_issuer_regexp = %q\nbase_verify_ca_roots = %q",
			`^builder@example\.com$`, `^https://issuer\.example$`, root), x86, "appd")
		mustSucceed(t, slipway(t, nil, "--cache-dir", cache, "build", regexps, "--output", "oci:"+filepath.Join(t.TempDir(), "o")+":app"),
			"build with identity and issuer regexps, the log not consulted, within the certificate's ten minutes")
	})
	for _, tc := range []struct {
		name, cfg, want string
	}{
		{"another identity", derivedConfig(t, repos, baseRef, trust("someone@example.com", root, rekorKey), x86, "appd"),
			`is not signed by the identity someone@example.com (issuer https://issuer.example)`},
		{"another CA", derivedConfig(t, repos, baseRef, trust(sigstoretest.Email, otherRoot, rekorKey), x86, "appd"),
			"the certificate does not chain to the trusted roots"},
		{"another log", derivedConfig(t, repos, baseRef, trust(sigstoretest.Email, root, otherRekor), x86, "appd"),
			"the Rekor bundle is from log " + rekor.LogID + ", not a trusted one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tag := reg.Host + "/team/keyless-never:1"
			r := slipway(t, nil, "--cache-dir", cache, "publish", tc.cfg, "--tag", tag)
			if r.code != 1 || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("publish: exit %d, stderr lacks %q:\n%s", r.code, tc.want, r.stderr)
			}
			if reg.tagExists(t, reg.Host, "team/keyless-never:1") {
				t.Errorf("something was pushed")
			}
		})
	}
}
