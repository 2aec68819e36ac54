//go:build e2e

package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	rpmdb "github.com/knqyf263/go-rpmdb/pkg"
	_ "modernc.org/sqlite"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/layers/rootfs/rootfstest"
)

var fullSet = []string{"webd", "appd", "busybox", "core-packages-container", "tzdata"}

type buildOut struct {
	Index  string `json:"index_digest"`
	Arches []struct {
		Arch   string `json:"arch"`
		Digest string `json:"digest"`
	} `json:"arches"`
}

func buildJSON(t *testing.T, env []string, args ...string) buildOut {
	t.Helper()
	r := slipway(t, env, append([]string{"build", "--json"}, args...)...)
	mustSucceed(t, r, "slipway build")
	var b buildOut
	if err := json.Unmarshal([]byte(r.stdout), &b); err != nil {
		t.Fatalf("build --json: %v\n%s", err, r.stdout)
	}
	return b
}

// TestBuildMatchesDNF builds both architectures, unpacks each with umoci
// and compares the tree with what dnf --installroot (no scriptlets)
// installs from the same repository; then checks the rpm database with
// the real rpm and with the reader scanners use.
func TestBuildMatchesDNF(t *testing.T) {
	requireRoot(t, "comparing owners with a dnf installroot")
	repos := testrepo.Get(t)
	cfg := config(t, repos, "docs = true", fullSet...)
	cache := t.TempDir()
	out := filepath.Join(t.TempDir(), "oci")
	b := buildJSON(t, nil, "--cache-dir", cache, cfg, "--output", "oci:"+out+":test")
	if b.Index == "" || len(b.Arches) != 2 {
		t.Fatalf("want an index of two images, got %+v", b)
	}
	for _, arch := range []string{"x86_64", "aarch64"} {
		t.Run(arch, func(t *testing.T) {
			suffix := map[string]string{"x86_64": "amd64", "aarch64": "arm64"}[arch]
			root := unpack(t, out, "test-"+suffix)
			got, err := rootfstest.FromDir(root)
			if err != nil {
				t.Fatal(err)
			}
			dnfRoot := rootfstest.DNFInstall(t, repos.Dir[arch], repos.KeyFile, arch, fullSet...)
			want, err := rootfstest.FromDir(dnfRoot)
			if err != nil {
				t.Fatal(err)
			}
			// dnf's own files; and what slipway makes on purpose in place of
			// scriptlets and rpm: accounts, the loader cache, the rpmdb.
			ours := []string{"/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow", "/etc/ld.so.cache", "/var/lib/rpm"}
			want = want.Without(rootfstest.DNFFiles...).Without(ours...)
			for _, p := range ours[:5] {
				if p == "/etc/shadow" || p == "/etc/gshadow" {
					continue
				}
				if _, ok := got[p]; !ok {
					t.Errorf("%s is missing from the image", p)
				}
			}
			got = got.Without(ours...)
			// webd's state dir belongs to the user its sysusers.d file
			// creates; dnf without scriptlets leaves it to root.
			if f, ok := want["/var/lib/webd"]; ok {
				f.UID, f.GID = got["/var/lib/webd"].UID, got["/var/lib/webd"].GID
				if f.UID == 0 {
					t.Errorf("/var/lib/webd should belong to the webd user")
				}
				want["/var/lib/webd"] = f
			}
			// A folder's mtime on disk changes as files are made in it:
			// compare the mtimes of files and symlinks only.
			rootfstest.AssertSame(t, withoutDirMTimes(got), withoutDirMTimes(want))

			checkRPMDB(t, root, repos, cfg, arch, cache)
		})
	}
}

// checkRPMDB reads the image's database with rpm and go-rpmdb.
func checkRPMDB(t *testing.T, root string, repos *testrepo.Repos, cfg, arch, cache string) {
	t.Helper()
	testutil.RequireTool(t, "rpm", "rpm")
	rpmq := func(args ...string) (string, error) {
		cmd := exec.Command("rpm", append([]string{"--root", root, "--dbpath", "/var/lib/rpm"}, args...)...)
		cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	qa, err := rpmq("-qa", "--qf", "%{NAME}-%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}.%{ARCH}\n")
	if err != nil {
		t.Fatalf("rpm -qa: %v\n%s", err, qa)
	}
	installed := strings.Fields(qa)
	sort.Strings(installed)
	r := slipway(t, nil, "--cache-dir", cache, "resolve", "--arch", arch, cfg)
	mustSucceed(t, r, "resolve")
	if strings.Join(installed, "\n") != strings.TrimSpace(r.stdout) {
		t.Errorf("rpm -qa:\n%s\nslipway resolve:\n%s", strings.Join(installed, "\n"), r.stdout)
	}
	if out, err := rpmq("-q", "webd"); err != nil || !strings.HasPrefix(out, "webd-") {
		t.Errorf("rpm -q webd: %v %s", err, out)
	}
	if out, err := rpmq("-q", "--whatprovides", "httpd-server"); err != nil || !strings.HasPrefix(out, "webd-") {
		t.Errorf("rpm -q --whatprovides httpd-server: %v %s", err, out)
	}
	if out, err := rpmq("-qf", "/usr/bin/sh"); err != nil || !strings.HasPrefix(out, "busybox-") {
		t.Errorf("rpm -qf /usr/bin/sh: %v %s", err, out)
	}
	// rpm -Va: every file as the packages describe it. The account files
	// are %config files that the declarative user creation changed, as
	// useradd would have.
	out, _ := rpmq("-Va")
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) == 3 && f[1] == "c" && (f[2] == "/etc/passwd" || f[2] == "/etc/group" || f[2] == "/etc/shadow" || f[2] == "/etc/gshadow") {
			continue
		}
		t.Errorf("rpm -Va: %s", line)
	}

	// go-rpmdb, the reader Trivy and Syft use.
	db, err := rpmdb.Open(filepath.Join(root, "var/lib/rpm/rpmdb.sqlite"))
	if err != nil {
		t.Fatalf("go-rpmdb: %v", err)
	}
	defer db.Close()
	pkgs, err := db.ListPackages()
	if err != nil {
		t.Fatalf("go-rpmdb: %v", err)
	}
	var names []string
	for _, p := range pkgs {
		names = append(names, p.Name)
	}
	sort.Strings(names)
	var want []string
	for _, n := range installed {
		want = append(want, nameOf(n))
	}
	sort.Strings(want)
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("go-rpmdb sees %v, want %v", names, want)
	}
}

func nameOf(nevra string) string {
	s := nevra
	for range 2 {
		s = s[:strings.LastIndexByte(s, '-')]
	}
	return s
}

// TestImagesRun: the program that links the test library runs in a chroot
// of the x86_64 image, and of the aarch64 image under qemu-aarch64.
func TestImagesRun(t *testing.T) {
	requireRoot(t, "chroot")
	repos := testrepo.Get(t)
	cfg := config(t, repos, "", "filesystem", "setup", "busybox", "appd")
	out := filepath.Join(t.TempDir(), "oci")
	buildJSON(t, nil, "--cache-dir", t.TempDir(), cfg, "--output", "oci:"+out+":run")
	x86 := unpack(t, out, "run-amd64")
	if got, err := exec.Command("chroot", x86, "/usr/bin/appd").CombinedOutput(); err != nil || !strings.Contains(string(got), "hello from libfoo") {
		t.Errorf("x86_64 appd in chroot: %v %s", err, got)
	}
	if got, err := exec.Command("chroot", x86, "/usr/bin/sh", "-c", "echo ok").CombinedOutput(); err != nil || strings.TrimSpace(string(got)) != "ok" {
		t.Errorf("x86_64 /usr/bin/sh: %v %s", err, got)
	}
	testutil.RequireTool(t, "qemu-aarch64-static", "qemu-user-static")
	arm := unpack(t, out, "run-arm64")
	enableBinfmt(t)
	if got, err := exec.Command("chroot", arm, "/usr/bin/appd").CombinedOutput(); err != nil || !strings.Contains(string(got), "hello from libfoo") {
		t.Errorf("aarch64 appd in chroot (qemu): %v %s", err, got)
	}
}

// enableBinfmt registers qemu-aarch64 with the kernel so aarch64 chroots run.
func enableBinfmt(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("/proc/sys/fs/binfmt_misc/register"); err != nil {
		if out, err := exec.Command("mount", "-t", "binfmt_misc", "binfmt_misc", "/proc/sys/fs/binfmt_misc").CombinedOutput(); err != nil {
			t.Fatalf("mounting binfmt_misc: %v %s", err, out)
		}
	}
	if _, err := os.Stat("/proc/sys/fs/binfmt_misc/qemu-aarch64"); err != nil {
		if out, err := exec.Command("update-binfmts", "--enable", "qemu-aarch64").CombinedOutput(); err != nil {
			t.Fatalf("update-binfmts: %v %s", err, out)
		}
	}
}

// TestReproducible: two builds from different caches at different times
// give the same digests.
func TestReproducible(t *testing.T) {
	repos := testrepo.Get(t)
	cfg := config(t, repos, "", fullSet...)
	a := buildJSON(t, nil, "--cache-dir", t.TempDir(), cfg, "--output", "oci:"+filepath.Join(t.TempDir(), "a"))
	time.Sleep(1100 * time.Millisecond)
	b := buildJSON(t, nil, "--cache-dir", t.TempDir(), cfg, "--output", "oci:"+filepath.Join(t.TempDir(), "b"))
	if a.Index == "" || a.Index != b.Index {
		t.Errorf("index digests differ: %s vs %s", a.Index, b.Index)
	}
	// SOURCE_DATE_EPOCH changes the build time, and so the digest.
	c := buildJSON(t, []string{"SOURCE_DATE_EPOCH=1800000000"}, "--cache-dir", t.TempDir(), cfg, "--output", "oci:"+filepath.Join(t.TempDir(), "c"))
	if c.Index == a.Index {
		t.Error("SOURCE_DATE_EPOCH did not change the digest")
	}
}

// TestBuildBadInput: missing packages offline, a damaged cache, an output
// that is not ours, a remove glob that matches nothing.
func TestBuildBadInput(t *testing.T) {
	repos := testrepo.Get(t)
	cfg := config(t, repos, "[paths]\nremove = [\"/no/such/**\"]\n", "appd")
	cache := t.TempDir()
	out := filepath.Join(t.TempDir(), "oci")

	r := slipway(t, nil, "--cache-dir", cache, "build", "--offline", cfg, "--output", "oci:"+out)
	if r.code != 1 || !strings.Contains(r.stderr, "not in the cache") || !strings.Contains(r.stderr, "appd-") {
		t.Errorf("--offline with an empty cache: exit %d, %s", r.code, r.stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed build left %s", out)
	}

	r = slipway(t, nil, "--cache-dir", cache, "build", cfg, "--output", "oci:"+out)
	mustSucceed(t, r, "build")
	if !strings.Contains(r.stderr, "/no/such/**") {
		t.Errorf("a remove glob that matches nothing should warn; stderr: %s", r.stderr)
	}

	// Replace a cached package with the tampered RPM: detected offline,
	// fetched again online.
	cached, _ := filepath.Glob(filepath.Join(cache, "packages", "sha256", "*.rpm"))
	if len(cached) == 0 {
		t.Fatal("nothing in the package cache")
	}
	tampered, err := os.ReadFile(repos.Tampered)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cached {
		if err := os.WriteFile(c, tampered, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Without cached layers the packages are read again (with them, a
	// rebuild needs no package at all: TestLayerCache).
	if err := os.RemoveAll(filepath.Join(cache, "layers")); err != nil {
		t.Fatal(err)
	}
	r = slipway(t, nil, "--cache-dir", cache, "build", "--offline", cfg, "--output", "oci:"+out)
	if r.code != 1 || !strings.Contains(r.stderr, "damaged") {
		t.Errorf("--offline with a damaged cache: exit %d, %s", r.code, r.stderr)
	}
	r = slipway(t, nil, "--cache-dir", cache, "build", cfg, "--output", "oci:"+out)
	mustSucceed(t, r, "build after damage")

	junk := filepath.Join(t.TempDir(), "junk")
	os.MkdirAll(junk, 0o755)
	os.WriteFile(filepath.Join(junk, "precious"), []byte("x"), 0o644)
	r = slipway(t, nil, "--cache-dir", cache, "build", cfg, "--output", "oci:"+junk)
	if r.code != 1 || !strings.Contains(r.stderr, "not an OCI layout") {
		t.Errorf("output over a foreign dir: exit %d, %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(junk, "precious")); err != nil {
		t.Error("a foreign directory was damaged")
	}

	r = slipway(t, nil, "--cache-dir", cache, "build", cfg, "--output", "docker-archive:"+filepath.Join(t.TempDir(), "x.tar"))
	if r.code != 2 || !strings.Contains(r.stderr, "--arch") {
		t.Errorf("docker-archive of two arches: exit %d, %s", r.code, r.stderr)
	}
}

// TestDockerArchiveAndZstd: the other output and the other compression,
// read back by skopeo.
func TestDockerArchiveAndZstd(t *testing.T) {
	testutil.RequireTool(t, "skopeo", "skopeo")
	repos := testrepo.Get(t)
	cfg := config(t, repos, "", "appd")
	cache := t.TempDir()
	tarPath := filepath.Join(t.TempDir(), "img.tar")
	mustSucceed(t, slipway(t, nil, "--cache-dir", cache, "build", "--arch", "x86_64", cfg, "--output", "docker-archive:"+tarPath+":example.com/e2e:1"), "docker-archive")
	out, err := exec.Command("skopeo", "inspect", "docker-archive:"+tarPath).CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"Architecture": "amd64"`) {
		t.Errorf("skopeo inspect docker-archive: %v %s", err, out)
	}
	oci := filepath.Join(t.TempDir(), "z")
	mustSucceed(t, slipway(t, nil, "--cache-dir", cache, "build", "--compression", "zstd", cfg, "--output", "oci:"+oci+":z"), "zstd")
	raw, err := exec.Command("skopeo", "inspect", "--raw", "oci:"+oci+":z-arm64").CombinedOutput()
	if err != nil || !strings.Contains(string(raw), "application/vnd.oci.image.layer.v1.tar+zstd") {
		t.Errorf("zstd layer media type: %v %s", err, raw)
	}
}

// TestNoDocsRPMVerify: without docs, the %doc and %license files are not in
// the image and the rpm database says so, so rpm -Va stays clean.
func TestNoDocsRPMVerify(t *testing.T) {
	requireRoot(t, "rpm -Va of an unpacked image")
	testutil.RequireTool(t, "rpm", "rpm")
	repos := testrepo.Get(t)
	cfg := config(t, repos, "docs = false", "tzdata", "webd-doc", "filesystem")
	out := filepath.Join(t.TempDir(), "oci")
	buildJSON(t, nil, "--cache-dir", t.TempDir(), "--arch", "x86_64", cfg, "--output", "oci:"+out+":nodocs")
	root := unpack(t, out, "nodocs")
	cmd := exec.Command("rpm", "--root", root, "--dbpath", "/var/lib/rpm", "-Va")
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	got, _ := cmd.CombinedOutput()
	if strings.TrimSpace(string(got)) != "" {
		t.Errorf("rpm -Va on an image without docs:\n%s", got)
	}
	docs, _ := exec.Command("rpm", "--root", root, "--dbpath", "/var/lib/rpm", "-qd", "tzdata").CombinedOutput()
	for _, f := range strings.Fields(string(docs)) {
		if _, err := os.Lstat(filepath.Join(root, f)); err == nil {
			t.Errorf("%s (a %%doc file) is in an image without docs", f)
		}
	}
	if len(strings.Fields(string(docs))) == 0 {
		t.Error("tzdata lists no doc files: the test checks nothing")
	}
}

func withoutDirMTimes(t rootfstest.Tree) rootfstest.Tree {
	out := make(rootfstest.Tree, len(t))
	for p, f := range t {
		if f.Type == "dir" {
			f.MTime = 0
		}
		out[p] = f
	}
	return out
}

// TestScriptletReport: no scriptlet runs; the JSON result gives every
// scriptlet its verdict, the human output a summary line and each
// unhandled one, -v the others, and --fail-on-scriptlets stops the
// build on an unhandled one and writes nothing.
func TestScriptletReport(t *testing.T) {
	repos := testrepo.Get(t)
	cfg := config(t, repos, "", "webd")
	cache := t.TempDir()
	out := filepath.Join(t.TempDir(), "oci")
	r := slipway(t, nil, "--cache-dir", cache, "build", "--json", "--arch", "x86_64", cfg, "--output", "oci:"+out)
	mustSucceed(t, r, "build")
	var res struct {
		Arches []struct {
			Scriptlets []struct {
				NEVRA      string `json:"nevra"`
				Scriptlets []struct {
					Kind    string   `json:"kind"`
					Verdict string   `json:"verdict"`
					How     []string `json:"how"`
				} `json:"scriptlets"`
			} `json:"skipped_scriptlets"`
			Audit struct {
				Emulated, Unhandled int
			} `json:"scriptlet_audit"`
		} `json:"arches"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatal(err)
	}
	verdicts := map[string]string{}
	for _, p := range res.Arches[0].Scriptlets {
		if strings.HasPrefix(p.NEVRA, "webd-2") {
			for _, s := range p.Scriptlets {
				verdicts[s.Kind] = s.Verdict + " " + strings.Join(s.How, ",")
			}
		}
	}
	if verdicts["%pre"] != "emulated accounts" || verdicts["%post"] != "unhandled " {
		t.Errorf("webd's verdicts %q in the JSON report: %s", verdicts, r.stdout)
	}
	if a := res.Arches[0].Audit; a.Emulated == 0 || a.Unhandled != 1 {
		t.Errorf("audit counts %+v", a)
	}
	r = slipway(t, nil, "--cache-dir", cache, "-v", "build", "--arch", "x86_64", cfg, "--output", "oci:"+out)
	mustSucceed(t, r, "build -v")
	if !regexp.MustCompile(`x86_64 +scriptlets: \d+ emulated, \d+ not needed, 1 unhandled`).MatchString(r.stdout) ||
		!regexp.MustCompile(`unhandled: webd-\S+ %post: echo "webd installed" >/dev/null`).MatchString(r.stdout) {
		t.Errorf("no summary line or unhandled scriptlet in the output: %s", r.stdout)
	}
	if !regexp.MustCompile(`emulated: webd-\S+ %pre \(accounts\)`).MatchString(r.stderr) {
		t.Errorf("-v does not list the emulated %%pre: %s", r.stderr)
	}
	fresh := filepath.Join(t.TempDir(), "never")
	r = slipway(t, nil, "--cache-dir", cache, "build", "--fail-on-scriptlets", "--arch", "x86_64", cfg, "--output", "oci:"+fresh)
	if r.code != 1 || !strings.Contains(r.stderr, "webd-") || !strings.Contains(r.stderr, "%post (echo") || strings.Contains(r.stderr, "%pre") {
		t.Errorf("--fail-on-scriptlets: exit %d, %s", r.code, r.stderr)
	}
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Error("a build stopped by --fail-on-scriptlets left its output")
	}
}

// TestSharedCacheConcurrentBuilds: two builds at once on one cache
// directory both succeed and agree.
func TestSharedCacheConcurrentBuilds(t *testing.T) {
	repos := testrepo.Get(t)
	cfg := config(t, repos, "", fullSet...)
	cache := t.TempDir()
	results := make([]buildOut, 2)
	done := make(chan int, 2)
	for i := range results {
		go func() {
			defer func() { done <- i }()
			r := slipway(t, nil, "--cache-dir", cache, "build", "--json", cfg, "--output", "oci:"+filepath.Join(t.TempDir(), "o"))
			if r.code != 0 {
				t.Errorf("concurrent build %d: exit %d: %s", i, r.code, r.stderr)
				return
			}
			if err := json.Unmarshal([]byte(r.stdout), &results[i]); err != nil {
				t.Error(err)
			}
		}()
	}
	<-done
	<-done
	if results[0].Index == "" || results[0].Index != results[1].Index {
		t.Errorf("concurrent builds disagree: %q vs %q", results[0].Index, results[1].Index)
	}
	leftovers, _ := filepath.Glob(filepath.Join(cache, "packages", "*", "*.part"))
	if len(leftovers) > 0 {
		t.Errorf("partial downloads left in the cache: %v", leftovers)
	}
}

// TestLayerCache: a rebuild with nothing changed takes its layers from the
// cache (same digest); a damaged cached layer is noticed and rebuilt; a
// configuration change misses the cache.
func TestLayerCache(t *testing.T) {
	repos := testrepo.Get(t)
	cfg := config(t, repos, "", "appd", "busybox")
	cache := t.TempDir()
	out := filepath.Join(t.TempDir(), "oci")
	first := buildJSON(t, nil, "--cache-dir", cache, cfg, "--output", "oci:"+out)
	r := slipway(t, nil, "--cache-dir", cache, "-v", "build", "--json", cfg, "--output", "oci:"+out)
	mustSucceed(t, r, "rebuild")
	if !strings.Contains(r.stderr, "layers from the layer cache") {
		t.Errorf("the rebuild did not use the layer cache:\n%s", r.stderr)
	}
	var second buildOut
	if err := json.Unmarshal([]byte(r.stdout), &second); err != nil {
		t.Fatal(err)
	}
	if second.Index != first.Index {
		t.Errorf("rebuild from the cache changed the digest: %s vs %s", second.Index, first.Index)
	}
	blobs, _ := filepath.Glob(filepath.Join(cache, "layers", "blobs", "*"))
	if len(blobs) == 0 {
		t.Fatal("no cached layer blobs")
	}
	for _, b := range blobs {
		if err := os.WriteFile(b, []byte("damaged"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r = slipway(t, nil, "--cache-dir", cache, "build", "--json", cfg, "--output", "oci:"+out)
	mustSucceed(t, r, "build over a damaged layer cache")
	if !strings.Contains(r.stderr, "damaged") {
		t.Errorf("a damaged cached layer should be reported: %s", r.stderr)
	}
	var third buildOut
	if err := json.Unmarshal([]byte(r.stdout), &third); err != nil {
		t.Fatal(err)
	}
	if third.Index != first.Index {
		t.Errorf("rebuilt layers differ: %s vs %s", third.Index, first.Index)
	}
	other := config(t, repos, "", "appd")
	r = slipway(t, nil, "--cache-dir", cache, "-v", "build", other, "--output", "oci:"+filepath.Join(t.TempDir(), "o2"))
	mustSucceed(t, r, "other config")
	if strings.Contains(r.stderr, "layers from the layer cache") {
		t.Error("another configuration took cached layers")
	}
}
