package repo

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/slipway-build/slipway/internal/testrepo"
)

// TestProxyAndTLS loads a repository through an HTTP proxy given with
// WithProxy, and over https with a caller's client.
func TestProxyAndTLS(t *testing.T) {
	t.Parallel()
	tr := testrepo.Get(t)
	files := http.FileServer(http.Dir(tr.Dir["x86_64"]))
	var mu sync.Mutex
	proxied := map[string]bool{}
	// A forward proxy receives absolute request URIs; serving them from the
	// repository folder is enough to prove the request went through it.
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		proxied[r.URL.Host] = true
		mu.Unlock()
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	pu, _ := url.Parse(proxy.URL)
	cfg := Config{ID: "p", BaseURL: "http://repo.example.invalid/azl/", GPGKeys: []string{tr.KeyFile}, RepoGPGCheck: true}
	// The proxy serves /azl/... from the folder root: strip the prefix.
	files = http.StripPrefix("/azl", files)
	r, err := Open(t.Context(), cfg, WithProxy(http.ProxyURL(pu)))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Packages) != len(tr.RPMs["x86_64"]) || !proxied["repo.example.invalid"] {
		t.Errorf("%d packages, proxied hosts %v", len(r.Packages), proxied)
	}

	tlsSrv := httptest.NewTLSServer(http.FileServer(http.Dir(tr.Dir["x86_64"])))
	t.Cleanup(tlsSrv.Close)
	cfg = Config{ID: "tls", BaseURL: tlsSrv.URL, GPGKeys: []string{tr.KeyFile}, RepoGPGCheck: true}
	var sl sleeps
	if _, err := Open(t.Context(), cfg, withSleep(sl.sleep)); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("https with an unknown CA: %v", err)
	}
	if len(sl.d) != 0 {
		t.Errorf("a certificate error was retried %d times", len(sl.d))
	}
	r, err = Open(t.Context(), cfg, WithHTTPClient(tlsSrv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Packages) != len(tr.RPMs["x86_64"]) {
		t.Errorf("over https: %d packages", len(r.Packages))
	}
}

// TestSharedCache loads one repository from several goroutines sharing a
// cache folder, as separate processes would: every load succeeds and the
// cache ends with one entry and no temporary files.
func TestSharedCache(t *testing.T) {
	t.Parallel()
	tr := testrepo.Get(t)
	cache := t.TempDir()
	srv := newServer(t, tr.Dir["x86_64"], nil)
	cfg := Config{ID: "s", BaseURL: srv.URL}
	errs := make([]error, 6)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() {
			r, err := Open(t.Context(), cfg, WithCacheDir(cache))
			if err == nil {
				err = r.LoadFilelists(t.Context())
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("load %d: %v", i, err)
		}
	}
	left := cacheLeftovers(t, cache)
	p, _ := filepath.Glob(filepath.Join(cache, "metadata", "*.primary.slpw"))
	f, _ := filepath.Glob(filepath.Join(cache, "metadata", "*.filelists.slpw"))
	if len(p) != 1 || len(f) != 1 || len(left) != 2 {
		t.Errorf("cache holds %q", left)
	}
}
