//go:build e2e

package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/internal/testutil"
)

// checkCache fails t when a file of CACHE/packages/*/ other than a .part
// does not hash to its name (.part files and .lock files are never used
// as packages; only *.rpm entries are).
func checkCache(t *testing.T, cache string) (verified int) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(cache, "packages", "*", "*.rpm"))
	for _, f := range files {
		if strings.HasSuffix(f, ".part") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if want := strings.TrimSuffix(filepath.Base(f), ".rpm"); hex.EncodeToString(sum[:]) != want {
			t.Errorf("cache holds %s whose sha256 is %x", f, sum)
		}
		verified++
	}
	return verified
}

// TestKillDuringDownload SIGKILLs a build while a slow HTTP repository is
// sending a package, then checks that the cache holds nothing unverified,
// that no output was left half-written, and that a rerun succeeds.
func TestKillDuringDownload(t *testing.T) {
	t.Parallel()
	repos := testrepo.Get(t)
	var rpmBytes atomic.Int64
	fs := http.FileServer(http.Dir(filepath.Dir(repos.Dir["x86_64"])))
	slow := atomic.Bool{}
	slow.Store(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, ".rpm") || !slow.Load() {
			fs.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		fs.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		body := rec.Body.Bytes()
		for len(body) > 0 {
			n := min(len(body), 4096)
			if _, err := w.Write(body[:n]); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			rpmBytes.Add(int64(n))
			body = body[n:]
			time.Sleep(20 * time.Millisecond)
		}
	}))
	defer srv.Close()
	cfg := httpConfig(t, repos, srv, smallSet...)
	cache := t.TempDir()
	outDir := filepath.Join(t.TempDir(), "oci")

	cmd := exec.Command(slipwayBin, "--cache-dir", cache, "build", cfg, "--output", "oci:"+outDir+":t")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for rpmBytes.Load() < 64<<10 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if rpmBytes.Load() < 64<<10 {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("no package download started: %s", errb.String())
	}
	cmd.Process.Signal(syscall.SIGKILL)
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("build was not killed mid-download (%v): %s", err, errb.String())
	}
	t.Logf("killed after %d package bytes", rpmBytes.Load())
	checkCache(t, cache)
	if _, err := os.Stat(filepath.Join(outDir, "index.json")); err == nil {
		t.Error("a killed build left an index.json")
	}

	slow.Store(false)
	out2 := filepath.Join(t.TempDir(), "oci")
	r := slipway(t, nil, "--cache-dir", cache, "build", cfg, "--output", "oci:"+out2+":t")
	mustSucceed(t, r, "rerun after the kill")
	if n := checkCache(t, cache); n == 0 {
		t.Error("the rerun cached nothing")
	}
	// the rerun's image equals one built on a fresh cache.
	fresh := filepath.Join(t.TempDir(), "oci")
	mustSucceed(t, slipway(t, nil, "--cache-dir", t.TempDir(), "build", cfg, "--output", "oci:"+fresh+":t"), "fresh build")
	if a, b := layoutDigest(t, out2, "t"), layoutDigest(t, fresh, "t"); a != b {
		t.Errorf("rerun after kill %s, fresh build %s", a, b)
	}
}

// TestKillDuringLayerWrite SIGKILLs a build once a layer tar is being
// written in its work folder: no output, only verified packages in the
// cache, and the rerun equals a build on a fresh cache.
func TestKillDuringLayerWrite(t *testing.T) {
	t.Parallel()
	cfg := bigRepoConfig(t)
	cache := t.TempDir()
	outDir := filepath.Join(t.TempDir(), "oci")
	tmp := t.TempDir()
	cmd := exec.Command(slipwayBin, "--cache-dir", cache, "build", cfg, "--output", "oci:"+outDir+":t")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TMPDIR=" + tmp}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var seen string
	for seen == "" {
		select {
		case err := <-done:
			t.Fatalf("the build ended (%v) before a layer file was seen: %s", err, errb.String())
		default:
		}
		// any file over 1 MiB in the work folder or the spool (TMPDIR)
		for _, root := range []string{cache, tmp} {
			filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() || strings.HasPrefix(p, filepath.Join(cache, "packages")) || strings.HasPrefix(p, filepath.Join(cache, "repos")) ||
					filepath.Dir(p) == filepath.Join(cache, "layers", "blobs") && len(d.Name()) == 64 {
					return nil
				}
				if fi, err := d.Info(); err == nil && fi.Size() > 1<<20 {
					seen = p
				}
				return nil
			})
		}
		time.Sleep(time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	err := <-done
	if ee, ok := err.(*exec.ExitError); !ok || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("build was not killed while writing %s (%v): %s", seen, err, errb.String())
	}
	t.Logf("killed while writing %s", seen)
	checkCache(t, cache)
	checkLayerCache(t, cache)
	if _, err := os.Stat(filepath.Join(outDir, "index.json")); err == nil {
		t.Error("a killed build left an index.json")
	}
	out2 := filepath.Join(t.TempDir(), "oci")
	mustSucceed(t, slipway(t, nil, "--cache-dir", cache, "build", cfg, "--output", "oci:"+out2+":t"), "rerun after the kill")
	fresh := filepath.Join(t.TempDir(), "oci")
	mustSucceed(t, slipway(t, nil, "--cache-dir", t.TempDir(), "build", cfg, "--output", "oci:"+fresh+":t"), "fresh build")
	if a, b := layoutDigest(t, out2, "t"), layoutDigest(t, fresh, "t"); a != b {
		t.Errorf("rerun after kill %s, fresh build %s", a, b)
	}
	// The killed build's work folder stays behind (nothing reads it).
	left, _ := filepath.Glob(filepath.Join(cache, "build-*"))
	spool, _ := os.ReadDir(tmp)
	t.Logf("left behind by the kill: %d work folders in the cache, %d entries in TMPDIR", len(left), len(spool))
}

// TestConcurrentConfigs: four builds of different configurations at once
// on one empty cache give the index digests of serial builds, each on its
// own fresh cache.
func TestConcurrentConfigs(t *testing.T) {
	t.Parallel()
	repos := testrepo.Get(t)
	sets := [][]string{{"busybox"}, {"tzdata"}, smallSet, fullSet}
	cfgs := make([]string, len(sets))
	for i, s := range sets {
		cfgs[i] = config(t, repos, "", s...)
	}
	serial := make([]string, len(cfgs))
	for i, c := range cfgs {
		serial[i] = buildJSON(t, nil, "--cache-dir", t.TempDir(), c, "--output", "oci:"+filepath.Join(t.TempDir(), "s")+":t").Index
	}
	shared := t.TempDir()
	got := make([]result, len(cfgs))
	var wg sync.WaitGroup
	for i, c := range cfgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = slipway(t, nil, "--cache-dir", shared, "build", "--json", c, "--output", "oci:"+filepath.Join(t.TempDir(), "c")+":t")
		}()
	}
	wg.Wait()
	for i, r := range got {
		if r.code != 0 {
			t.Errorf("concurrent build %v: exit %d: %s", sets[i], r.code, r.stderr)
			continue
		}
		var b buildOut
		if err := json.Unmarshal([]byte(r.stdout), &b); err != nil {
			t.Fatal(err)
		}
		if b.Index != serial[i] || b.Index == "" {
			t.Errorf("%v: concurrent build %s, serial %s", sets[i], b.Index, serial[i])
		}
	}
	if n := checkCache(t, shared); n == 0 {
		t.Error("the shared cache holds no package")
	}
}

// bigRepoConfig builds (rpmbuild, createrepo_c) a repository holding one
// noarch package with 48 MiB of random bytes, so that writing its layer
// takes long enough to be interrupted, and a configuration installing it.
func bigRepoConfig(t *testing.T) string {
	t.Helper()
	testutil.RequireTool(t, "rpmbuild", "rpm")
	testutil.RequireTool(t, "createrepo_c", "createrepo-c")
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	os.MkdirAll(home, 0o755)
	os.WriteFile(filepath.Join(home, ".rpmmacros"), []byte("%_dbpath /var/lib/rpm\n"), 0o644)
	spec := filepath.Join(dir, "bigfile.spec")
	os.WriteFile(spec, []byte(`Name: bigfile
Version: 1
Release: 1
Summary: one large incompressible file
License: MIT
BuildArch: noarch

%description
Test package.

%install
mkdir -p %{buildroot}/opt
head -c 50331648 /dev/urandom > %{buildroot}/opt/big.bin

%files
/opt/big.bin
`), 0o644)
	cmd := exec.Command("rpmbuild", "-bb", "--define", "_topdir "+filepath.Join(dir, "top"),
		"--define", "_binary_payload w1.gzdio", "--define", "debug_package %{nil}", spec)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("rpmbuild: %v\n%s", err, out)
	}
	repo := filepath.Join(dir, "top", "RPMS", "noarch")
	if out, err := exec.Command("createrepo_c", repo).CombinedOutput(); err != nil {
		t.Fatalf("createrepo_c: %v\n%s", err, out)
	}
	cfg := filepath.Join(dir, "image.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`[image]
name = "test/big"
architectures = ["x86_64"]
releasever = "3.0"

[[repository]]
id = "big"
baseurl = "file://%s"
gpgcheck = false
repo_gpgcheck = false

[packages]
install = ["bigfile"]
`, repo)), 0o644)
	return cfg
}

// checkLayerCache fails t when a CACHE/layers/blobs/<hex> file does not
// hash to its name.
func checkLayerCache(t *testing.T, cache string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(cache, "layers", "blobs", "*"))
	for _, f := range files {
		if len(filepath.Base(f)) != 64 {
			continue // a temporary file, never read
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != filepath.Base(f) {
			t.Errorf("layer cache holds %s whose sha256 is %x", f, sum)
		}
	}
}
