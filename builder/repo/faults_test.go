package repo

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/internal/testutil"
)

// copyRepo copies a test repository's repodata (and nothing else) into a
// fresh folder.
func copyRepo(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dst, "repodata"), 0o755); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(filepath.Join(src, "repodata"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, "repodata", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, "repodata", e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// rawRecord reads the named record's compressed and decompressed bytes.
func rawRecord(t *testing.T, dir, typ string) (href string, compressed, open []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "repodata", "repomd.xml"))
	if err != nil {
		t.Fatal(err)
	}
	md, err := parseRepomd(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range md.Records {
		if rec.Type != typ {
			continue
		}
		compressed, err = os.ReadFile(filepath.Join(dir, rec.Location))
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(filepath.Join(dir, rec.Location))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		ra, err := openStream(f, rec, 1<<30)
		if err != nil {
			t.Fatal(err)
		}
		defer ra.Close()
		open, err = io.ReadAll(ra)
		if err != nil {
			t.Fatal(err)
		}
		return rec.Location, compressed, open
	}
	t.Fatalf("no %s record in %s", typ, dir)
	return
}

// testRecord is one <data> entry to write into a hand-made repomd.xml.
type testRecord struct {
	typ, href  string
	data       []byte // compressed file content, written at href
	open       []byte // decompressed content, for open-checksum/open-size
	openSize   int64  // overrides len(open) when non-zero
	openSumHex string // overrides the open-checksum when set
}

func hexSHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// writeRepomd replaces dir's repomd.xml (and drops its signature) with one
// describing recs, and writes their files.
func writeRepomd(t *testing.T, dir string, recs ...testRecord) {
	t.Helper()
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm"><revision>1</revision>`)
	for _, r := range recs {
		if err := os.WriteFile(filepath.Join(dir, r.href), r.data, 0o644); err != nil {
			t.Fatal(err)
		}
		osz := int64(len(r.open))
		if r.openSize != 0 {
			osz = r.openSize
		}
		osum := hexSHA256(r.open)
		if r.openSumHex != "" {
			osum = r.openSumHex
		}
		fmt.Fprintf(&b, `<data type="%s"><checksum type="sha256">%s</checksum><open-checksum type="sha256">%s</open-checksum><location href="%s"/><timestamp>1</timestamp><size>%d</size><open-size>%d</open-size></data>`,
			r.typ, hexSHA256(r.data), osum, r.href, len(r.data), osz)
	}
	b.WriteString("</repomd>\n")
	if err := os.WriteFile(filepath.Join(dir, "repodata", "repomd.xml"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "repodata", "repomd.xml.asc"))
}

func gzipBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func bzip2Bytes(t *testing.T, b []byte) []byte {
	t.Helper()
	bz := testutil.RequireTool(t, "bzip2", "bzip2")
	cmd := exec.Command(bz, "-c")
	cmd.Stdin = bytes.NewReader(b)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bzip2: %v", err)
	}
	return out
}

func zstdBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	return enc.EncodeAll(b, nil)
}

// cacheLeftovers lists what a failed load left in the cache: any file but
// the parsed entries of earlier successful loads.
func cacheLeftovers(t *testing.T, cache string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(cache, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, strings.TrimPrefix(p, cache))
		}
		return nil
	})
	return out
}

// TestFaults makes one thing wrong at a time in a real signed repository
// and checks the exact error and that nothing lands in the cache.
func TestFaults(t *testing.T) {
	t.Parallel()
	tr := testrepo.Get(t)
	src := tr.Dir["x86_64"]

	cases := []struct {
		name    string
		mutate  func(t *testing.T, dir string)
		keys    []string
		gpg     bool
		wantIs  error
		wantMsg string
	}{
		{
			name: "bad checksum",
			mutate: func(t *testing.T, dir string) {
				href, _, _ := rawRecord(t, dir, "primary")
				p := filepath.Join(dir, href)
				b, _ := os.ReadFile(p)
				b[len(b)/2] ^= 0xff
				os.WriteFile(p, b, 0o644)
			},
			gpg: true, wantIs: ErrChecksum, wantMsg: "primary",
		},
		{
			name: "missing signature",
			mutate: func(t *testing.T, dir string) {
				os.Remove(filepath.Join(dir, "repodata", "repomd.xml.asc"))
			},
			gpg: true, wantIs: ErrSignatureMissing, wantMsg: "repo test: repomd.xml.asc is missing",
		},
		{
			name: "garbage signature",
			mutate: func(t *testing.T, dir string) {
				os.WriteFile(filepath.Join(dir, "repodata", "repomd.xml.asc"), []byte("not a signature\n"), 0o644)
			},
			gpg: true, wantIs: ErrSignatureBad, wantMsg: "repo test: bad signature",
		},
		{
			name: "repomd changed after signing",
			mutate: func(t *testing.T, dir string) {
				p := filepath.Join(dir, "repodata", "repomd.xml")
				b, _ := os.ReadFile(p)
				os.WriteFile(p, bytes.Replace(b, []byte("<revision>"), []byte("<revision>9"), 1), 0o644)
			},
			gpg: true, wantIs: ErrSignatureBad, wantMsg: "repo test: bad signature",
		},
		{
			name: "signed by another key",
			keys: []string{tr.OtherKeyFile},
			gpg:  true, wantIs: ErrUnknownKey, wantMsg: "repo test: repomd.xml is signed by a key that is not among",
		},
		{
			name:    "repo_gpgcheck without keys",
			keys:    []string{},
			gpg:     true,
			wantMsg: "repo test: repo_gpgcheck is on but no gpgkey is set",
		},
		{
			name: "truncated primary",
			mutate: func(t *testing.T, dir string) {
				href, comp, open := rawRecord(t, dir, "primary")
				writeRepomd(t, dir, testRecord{typ: "primary", href: href, data: comp[:len(comp)/2], open: open})
			},
			wantMsg: "unexpected EOF",
		},
		{
			name: "wrongly compressed primary",
			mutate: func(t *testing.T, dir string) {
				href, _, open := rawRecord(t, dir, "primary")
				writeRepomd(t, dir, testRecord{typ: "primary", href: href, data: zstdBytes(t, open), open: open})
			},
			wantMsg: "not gzip data (starts with 28b52ffd",
		},
		{
			name: "decompresses beyond open-size",
			mutate: func(t *testing.T, dir string) {
				href, comp, open := rawRecord(t, dir, "primary")
				writeRepomd(t, dir, testRecord{typ: "primary", href: href, data: comp, open: open, openSize: 100})
			},
			wantIs: ErrTooLarge, wantMsg: "more than 100 bytes",
		},
		{
			name: "open-checksum mismatch",
			mutate: func(t *testing.T, dir string) {
				href, comp, open := rawRecord(t, dir, "primary")
				writeRepomd(t, dir, testRecord{typ: "primary", href: href, data: comp, open: open, openSumHex: strings.Repeat("ab", 32)})
			},
			wantIs: ErrChecksum, wantMsg: "repomd.xml says open-checksum abab",
		},
		{
			name: "zstd primary under its own name",
			mutate: func(t *testing.T, dir string) {
				_, _, open := rawRecord(t, dir, "primary")
				writeRepomd(t, dir, testRecord{typ: "primary", href: "repodata/primary.xml.zst", data: zstdBytes(t, bytes.ReplaceAll(open, []byte("<name>webd</name>"), []byte("<name>webd2</name>"))), open: bytes.ReplaceAll(open, []byte("<name>webd</name>"), []byte("<name>webd2</name>"))})
			},
			// Not a fault: the control case that the hand-made repomd works.
		},
		{
			name: "bzip2 primary",
			mutate: func(t *testing.T, dir string) {
				_, _, open := rawRecord(t, dir, "primary")
				renamed := bytes.ReplaceAll(open, []byte("<name>webd</name>"), []byte("<name>webd2</name>"))
				writeRepomd(t, dir, testRecord{typ: "primary", href: "repodata/primary.xml.bz2", data: bzip2Bytes(t, renamed), open: renamed})
			},
		},
		{
			name: "uncompressed primary",
			mutate: func(t *testing.T, dir string) {
				_, _, open := rawRecord(t, dir, "primary")
				renamed := bytes.ReplaceAll(open, []byte("<name>webd</name>"), []byte("<name>webd2</name>"))
				writeRepomd(t, dir, testRecord{typ: "primary", href: "repodata/primary.xml", data: renamed, open: renamed})
			},
		},
		{
			name: "gzip data named .bz2",
			mutate: func(t *testing.T, dir string) {
				_, _, open := rawRecord(t, dir, "primary")
				writeRepomd(t, dir, testRecord{typ: "primary", href: "repodata/primary.xml.bz2", data: gzipBytes(t, open), open: open})
			},
			wantMsg: "not bzip2 data (starts with 1f8b",
		},
		{
			name: "unknown compression",
			mutate: func(t *testing.T, dir string) {
				_, _, open := rawRecord(t, dir, "primary")
				writeRepomd(t, dir, testRecord{typ: "primary", href: "repodata/primary.xml.lz4", data: open, open: open})
			},
			wantMsg: `unknown compression`,
		},
		{
			name: "location leaves the repository",
			mutate: func(t *testing.T, dir string) {
				_, comp, open := rawRecord(t, dir, "primary")
				os.MkdirAll(filepath.Join(dir, "x"), 0o755)
				writeRepomd(t, dir, testRecord{typ: "primary", href: "x/../../primary.xml.gz", data: comp, open: open})
			},
			wantMsg: `leaves the repository`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := copyRepo(t, src)
			if tc.mutate != nil {
				tc.mutate(t, dir)
			}
			keys := []string{tr.KeyFile}
			if tc.keys != nil {
				keys = tc.keys
			}
			cache := t.TempDir()
			cfg := Config{ID: "test", BaseURL: "file://" + dir, GPGKeys: keys, RepoGPGCheck: tc.gpg}
			r, err := Open(t.Context(), cfg, WithCacheDir(cache))
			if tc.wantMsg == "" && tc.wantIs == nil {
				if err != nil {
					t.Fatalf("control case failed: %v", err)
				}
				if len(r.Packages) == 0 || !hasPackage(r.Packages, "webd2") {
					t.Fatalf("control case: hand-made primary not read")
				}
				return
			}
			if err == nil {
				t.Fatalf("Open succeeded, want an error containing %q", tc.wantMsg)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("error %q is not %v", err, tc.wantIs)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error %q does not contain %q", err, tc.wantMsg)
			}
			if left := cacheLeftovers(t, cache); len(left) != 0 {
				t.Errorf("cache holds %q after a failed load", left)
			}
		})
	}
}

func hasPackage(pkgs []*Package, name string) bool {
	for _, p := range pkgs {
		if p.Name == name {
			return true
		}
	}
	return false
}

// server serves dir over HTTP, letting a test intercept requests.
type server struct {
	*httptest.Server
	mu    sync.Mutex
	hits  map[string]int
	hook  func(w http.ResponseWriter, r *http.Request, n int) bool // true: handled
	files http.Handler
}

func newServer(t *testing.T, dir string, hook func(w http.ResponseWriter, r *http.Request, n int) bool) *server {
	s := &server{hits: map[string]int{}, hook: hook, files: http.FileServer(http.Dir(dir))}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		n := s.hits[r.URL.Path]
		s.mu.Unlock()
		if s.hook != nil && s.hook(w, r, n) {
			return
		}
		s.files.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// sleeps records the retry delays instead of waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return nil
}

func TestHTTP(t *testing.T) {
	t.Parallel()
	tr := testrepo.Get(t)
	primaryHref, _, _ := rawRecord(t, tr.Dir["x86_64"], "primary")
	primaryPath := "/" + primaryHref
	const repomdPath = "/repodata/repomd.xml"

	cases := []struct {
		name       string
		hook       func(w http.ResponseWriter, r *http.Request, n int) bool
		opts       []Option
		baseUser   string // user info put in the base URL
		wantErr    string
		wantSleeps []time.Duration
		anySleeps  bool // Go's transport may retry by itself
		wantHits   map[string]int
	}{
		{
			name: "500 then 200",
			hook: func(w http.ResponseWriter, r *http.Request, n int) bool {
				if r.URL.Path == repomdPath && n == 1 {
					http.Error(w, "boom", http.StatusInternalServerError)
					return true
				}
				return false
			},
			wantSleeps: []time.Duration{100 * time.Millisecond},
			wantHits:   map[string]int{repomdPath: 2, primaryPath: 1},
		},
		{
			name: "429 with Retry-After",
			hook: func(w http.ResponseWriter, r *http.Request, n int) bool {
				if r.URL.Path == primaryPath && n <= 2 {
					w.Header().Set("Retry-After", "7")
					http.Error(w, "slow down", http.StatusTooManyRequests)
					return true
				}
				return false
			},
			wantSleeps: []time.Duration{7 * time.Second, 7 * time.Second},
			wantHits:   map[string]int{repomdPath: 1, primaryPath: 3},
		},
		{
			name: "Retry-After is capped",
			hook: func(w http.ResponseWriter, r *http.Request, n int) bool {
				if r.URL.Path == repomdPath && n == 1 {
					w.Header().Set("Retry-After", "86400")
					http.Error(w, "later", http.StatusServiceUnavailable)
					return true
				}
				return false
			},
			opts:       []Option{WithMaxRetryAfter(3 * time.Second)},
			wantSleeps: []time.Duration{3 * time.Second},
		},
		{
			name: "404 names the URL",
			hook: func(w http.ResponseWriter, r *http.Request, n int) bool {
				if r.URL.Path == primaryPath {
					http.NotFound(w, r)
					return true
				}
				return false
			},
			wantErr:  "repo test: fetching primary: GET URL" + primaryPath + ": 404 Not Found",
			wantHits: map[string]int{primaryPath: 1},
		},
		{
			name: "connection reset",
			hook: func(w http.ResponseWriter, r *http.Request, n int) bool {
				if r.URL.Path == primaryPath && n == 1 {
					conn, _, err := w.(http.Hijacker).Hijack()
					if err == nil {
						conn.Close()
					}
					return true
				}
				return false
			},
			anySleeps: true,
		},
		{
			name: "connection reset after the headers",
			hook: func(w http.ResponseWriter, r *http.Request, n int) bool {
				if r.URL.Path == primaryPath && n == 1 {
					conn, buf, err := w.(http.Hijacker).Hijack()
					if err == nil {
						buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n\x1f\x8b")
						buf.Flush()
						conn.Close()
					}
					return true
				}
				return false
			},
			wantSleeps: []time.Duration{100 * time.Millisecond},
			wantHits:   map[string]int{primaryPath: 2},
		},
		{
			name: "body cut short",
			hook: func(w http.ResponseWriter, r *http.Request, n int) bool {
				if r.URL.Path == primaryPath && n == 1 {
					w.Header().Set("Content-Length", "100000")
					w.Write([]byte("\x1f\x8b partial"))
					return true
				}
				return false
			},
			wantSleeps: []time.Duration{100 * time.Millisecond},
			wantHits:   map[string]int{primaryPath: 2},
		},
		{
			name: "stalled body is cut and retried",
			hook: func(w http.ResponseWriter, r *http.Request, n int) bool {
				if r.URL.Path == primaryPath && n == 1 {
					w.Header().Set("Content-Length", "100000")
					w.Write([]byte("\x1f\x8b"))
					w.(http.Flusher).Flush()
					select {
					case <-r.Context().Done():
					case <-time.After(10 * time.Second):
					}
					return true
				}
				return false
			},
			opts:       []Option{WithTimeout(300 * time.Millisecond)},
			wantSleeps: []time.Duration{100 * time.Millisecond},
			wantHits:   map[string]int{primaryPath: 2},
		},
		{
			name: "always 503",
			hook: func(w http.ResponseWriter, r *http.Request, n int) bool {
				http.Error(w, "down", http.StatusServiceUnavailable)
				return true
			},
			wantErr:    "repo test: fetching repomd.xml: giving up after 5 attempts: GET URL" + repomdPath + ": 503 Service Unavailable",
			wantSleeps: []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond},
		},
		{
			name:     "basic auth from options",
			hook:     requireAuth("alice", "s3cret"),
			opts:     []Option{WithBasicAuth("test", "alice", "s3cret")},
			wantHits: map[string]int{repomdPath: 1, primaryPath: 1},
		},
		{
			name:     "basic auth from the base URL",
			hook:     requireAuth("alice", "s3cret"),
			baseUser: "alice:s3cret",
			wantHits: map[string]int{repomdPath: 1, primaryPath: 1},
		},
		{
			name:     "wrong password is a 401 that does not show it",
			hook:     requireAuth("alice", "s3cret"),
			baseUser: "alice:hunter2",
			wantErr:  "repo test: fetching repomd.xml: GET URL" + repomdPath + ": 401 Unauthorized",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, tr.Dir["x86_64"], tc.hook)
			var sl sleeps
			base := srv.URL
			if tc.baseUser != "" {
				base = strings.Replace(base, "http://", "http://"+tc.baseUser+"@", 1)
			}
			cache := t.TempDir()
			opts := append([]Option{WithCacheDir(cache), WithRetries(4, 100*time.Millisecond), withSleep(sl.sleep)}, tc.opts...)
			cfg := Config{ID: "test", BaseURL: base, GPGKeys: []string{tr.KeyFile}, RepoGPGCheck: true}
			r, err := Open(t.Context(), cfg, opts...)
			if tc.wantErr != "" {
				want := strings.ReplaceAll(tc.wantErr, "URL", srv.URL)
				if err == nil || err.Error() != want {
					t.Fatalf("error %v, want %q", err, want)
				}
				if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "s3cret") {
					t.Errorf("error shows a password: %v", err)
				}
				if left := cacheLeftovers(t, cache); len(left) != 0 {
					t.Errorf("cache holds %q after a failed load", left)
				}
			} else if err != nil {
				t.Fatal(err)
			} else if len(r.Packages) != len(tr.RPMs["x86_64"]) {
				t.Errorf("%d packages, want %d", len(r.Packages), len(tr.RPMs["x86_64"]))
			}
			if !tc.anySleeps && fmt.Sprint(sl.d) != fmt.Sprint(tc.wantSleeps) {
				t.Errorf("retry delays %v, want %v", sl.d, tc.wantSleeps)
			}
			for p, n := range tc.wantHits {
				if got := srv.count(p); got != n {
					t.Errorf("%s requested %d times, want %d", p, got, n)
				}
			}
		})
	}
}

func requireAuth(user, pass string) func(w http.ResponseWriter, r *http.Request, n int) bool {
	return func(w http.ResponseWriter, r *http.Request, n int) bool {
		u, p, ok := r.BasicAuth()
		if ok && u == user && p == pass {
			return false
		}
		http.Error(w, "who are you", http.StatusUnauthorized)
		return true
	}
}

// TestCache checks that a second load reads the parsed primary from the
// cache, and that a damaged cache entry is noticed and rebuilt.
func TestCache(t *testing.T) {
	t.Parallel()
	tr := testrepo.Get(t)
	primaryHref, _, _ := rawRecord(t, tr.Dir["x86_64"], "primary")
	var primaryHits atomic.Int32
	srv := newServer(t, tr.Dir["x86_64"], func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.URL.Path == "/"+primaryHref {
			primaryHits.Add(1)
		}
		return false
	})
	cache := t.TempDir()
	cfg := Config{ID: "test", BaseURL: srv.URL, GPGKeys: []string{tr.KeyFile}, RepoGPGCheck: true}
	load := func() *Repository {
		t.Helper()
		r, err := Open(t.Context(), cfg, WithCacheDir(cache))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	first := load()
	entries, _ := filepath.Glob(filepath.Join(cache, "metadata", "*.primary.slpw"))
	if len(entries) != 1 || primaryHits.Load() != 1 {
		t.Fatalf("after the first load: cache %q, primary fetched %d times", entries, primaryHits.Load())
	}
	if left := cacheLeftovers(t, cache); len(left) != 1 {
		t.Errorf("cache holds %q, want only the parsed primary", left)
	}
	second := load()
	if primaryHits.Load() != 1 {
		t.Errorf("second load fetched primary again")
	}
	comparePackages(t, first.Packages, second.Packages)

	b, _ := os.ReadFile(entries[0])
	b[len(b)/2] ^= 1
	replaceFile(t, entries[0], b)
	third := load()
	if primaryHits.Load() != 2 {
		t.Errorf("a corrupt cache entry was used (primary fetched %d times)", primaryHits.Load())
	}
	comparePackages(t, first.Packages, third.Packages)
	if _, err := readPrimaryCache(entries[0]); err != nil {
		t.Errorf("cache entry not rebuilt: %v", err)
	}
}

func comparePackages(t *testing.T, a, b []*Package) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%d packages vs %d", len(a), len(b))
	}
	for i := range a {
		if fmt.Sprintf("%+v", *a[i]) != fmt.Sprintf("%+v", *b[i]) {
			t.Errorf("package %d differs:\n%+v\n%+v", i, *a[i], *b[i])
		}
	}
}
