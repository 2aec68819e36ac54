package repo

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func blob(n int) ([]byte, Checksum) {
	b := make([]byte, n)
	rand.New(rand.NewSource(int64(n))).Read(b)
	return b, Checksum{Type: "sha256", Value: fmt.Sprintf("%x", sha256.Sum256(b))}
}

// rangeServer serves data at /Packages/a.rpm with byte ranges. The first
// `cut` responses stop after half the body and drop the connection.
type rangeServer struct {
	data      []byte
	cut       int32
	requests  atomic.Int32
	ranged    atomic.Int32
	bytesSent atomic.Int64
}

func (s *rangeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := s.requests.Add(1)
	if r.URL.Path != "/Packages/a.rpm" {
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("Range") != "" {
		s.ranged.Add(1)
	}
	if n <= s.cut {
		w.Header().Set("Content-Length", fmt.Sprint(len(s.data)))
		w.WriteHeader(http.StatusOK)
		half := s.data[:len(s.data)/2]
		w.Write(half)
		s.bytesSent.Add(int64(len(half)))
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	cw := &countingResponse{ResponseWriter: w, n: &s.bytesSent}
	http.ServeContent(cw, r, "a.rpm", time.Unix(1700000000, 0), bytes.NewReader(s.data))
}

type countingResponse struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c *countingResponse) Write(p []byte) (int, error) {
	c.n.Add(int64(len(p)))
	return c.ResponseWriter.Write(p)
}

func newTestDownloader(t *testing.T, cache string) *Downloader {
	t.Helper()
	d, err := NewDownloader(WithCacheDir(cache), WithRetries(3, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDownloadResumesAfterReset(t *testing.T) {
	t.Parallel()
	data, sum := blob(1 << 20)
	srv := &rangeServer{data: data, cut: 1}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	cache := t.TempDir()
	d := newTestDownloader(t, cache)
	pf := PackageFile{Name: "a-1-1.x86_64", RepoID: "r", BaseURL: ts.URL, Location: "Packages/a.rpm", Checksum: sum, Size: int64(len(data))}
	paths, err := d.Fetch(t.Context(), []PackageFile{pf}, FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(paths[0])
	if !bytes.Equal(got, data) {
		t.Fatal("cached file differs from the served one")
	}
	if srv.ranged.Load() != 1 {
		t.Errorf("the second request should resume with a Range header (%d ranged)", srv.ranged.Load())
	}
	if sent := srv.bytesSent.Load(); sent != int64(len(data)) {
		t.Errorf("server sent %d bytes for a %d-byte file: the resumed request re-sent data", sent, len(data))
	}
	// A second fetch is served from the cache.
	before := srv.requests.Load()
	if _, err := d.Fetch(t.Context(), []PackageFile{pf}, FetchOptions{}); err != nil {
		t.Fatal(err)
	}
	if srv.requests.Load() != before {
		t.Error("a cached package was fetched again")
	}
	// A damaged cache entry is detected and fetched again.
	if err := os.WriteFile(paths[0], []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Fetch(t.Context(), []PackageFile{pf}, FetchOptions{Offline: true}); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("offline fetch of a damaged entry: %v", err)
	}
	if _, err := d.Fetch(t.Context(), []PackageFile{pf}, FetchOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(paths[0]); !bytes.Equal(got, data) {
		t.Error("damaged entry was not replaced")
	}
}

func TestDownloadChecksumMismatchLeavesNothing(t *testing.T) {
	t.Parallel()
	data, _ := blob(4096)
	_, wrong := blob(4097)
	ts := httptest.NewServer(&rangeServer{data: data})
	defer ts.Close()
	cache := t.TempDir()
	d := newTestDownloader(t, cache)
	pf := PackageFile{Name: "a-1-1.x86_64", RepoID: "r", BaseURL: ts.URL, Location: "Packages/a.rpm", Checksum: wrong}
	_, err := d.Fetch(t.Context(), []PackageFile{pf}, FetchOptions{})
	if !errors.Is(err, ErrChecksum) || !strings.Contains(err.Error(), "a-1-1.x86_64") {
		t.Fatalf("err = %v, want a checksum error naming the package", err)
	}
	dst, _ := d.CachePath(wrong)
	for _, p := range []string{dst, dst + ".part"} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s left in the cache", filepath.Base(p))
		}
	}
}

func TestDownloadOfflineAndErrors(t *testing.T) {
	t.Parallel()
	data, sum := blob(2048)
	ts := httptest.NewServer(&rangeServer{data: data})
	defer ts.Close()
	d := newTestDownloader(t, t.TempDir())
	_, err := d.Fetch(t.Context(), []PackageFile{{Name: "a-1-1.x86_64", BaseURL: ts.URL, Location: "Packages/a.rpm", Checksum: sum}}, FetchOptions{Offline: true})
	if !errors.Is(err, ErrNotCached) || !strings.Contains(err.Error(), "a-1-1.x86_64") {
		t.Errorf("offline: %v", err)
	}
	_, err = d.Fetch(t.Context(), []PackageFile{{Name: "b-1-1.x86_64", BaseURL: ts.URL, Location: "Packages/missing.rpm", Checksum: sum}}, FetchOptions{})
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != 404 || !strings.Contains(err.Error(), "/Packages/missing.rpm") {
		t.Errorf("404: %v", err)
	}
	_, err = d.Fetch(t.Context(), []PackageFile{{Name: "c", BaseURL: ts.URL, Location: "../../etc/passwd", Checksum: sum}}, FetchOptions{})
	if err == nil || !strings.Contains(err.Error(), "inside the repository") {
		t.Errorf("escaping location: %v", err)
	}
}

// Two downloaders sharing a cache fetch the same package at once.
func TestDownloadSharedCache(t *testing.T) {
	t.Parallel()
	data, sum := blob(256 << 10)
	ts := httptest.NewServer(&rangeServer{data: data})
	defer ts.Close()
	cache := t.TempDir()
	pf := PackageFile{Name: "a", BaseURL: ts.URL, Location: "Packages/a.rpm", Checksum: sum, Size: int64(len(data))}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = newTestDownloader(t, cache).Fetch(t.Context(), []PackageFile{pf}, FetchOptions{})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	dst, _ := (&Downloader{o: &options{cacheDir: cache}}).CachePath(sum)
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, data) {
		t.Error("shared cache entry is damaged")
	}
}
