//go:build e2e

package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-build/slipway/internal/testrepo"
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
