package manifests

import (
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

// TestStallTimeout: a registry that stops answering (before the answer,
// or in the middle of a body) fails the push after the timeout, naming
// the stall, and leaves no tag; a slow registry that keeps moving is
// never cut.
func TestStallTimeout(t *testing.T) {
	t.Parallel()
	idx, _ := testIndex(t)
	for _, tc := range []struct {
		name  string
		stall func(w http.ResponseWriter, r *http.Request, block <-chan struct{}) bool // true: handled
		ok    bool
	}{
		{"no answer to the index PUT", func(w http.ResponseWriter, r *http.Request, block <-chan struct{}) bool {
			if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/") {
				select {
				case <-r.Context().Done():
				case <-block:
				}
				return true
			}
			return false
		}, false},
		{"slow but moving", func(w http.ResponseWriter, r *http.Request, block <-chan struct{}) bool {
			time.Sleep(100 * time.Millisecond) // each answer under the timeout
			return false
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
			block := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.stall(w, r, block) {
					return
				}
				reg.ServeHTTP(w, r)
			}))
			defer srv.Close()
			defer close(block) // before Close, which waits for the handlers
			host := strings.TrimPrefix(srv.URL, "http://")
			one := *fast
			one.Steps = 1
			start := time.Now()
			_, err := Push(t.Context(), idx, refs(t, host+"/s/x:1"), PushOptions{Backoff: &one, Timeout: 300 * time.Millisecond})
			took := time.Since(start)
			if tc.ok {
				if err != nil {
					t.Fatalf("a slow registry that keeps answering failed the push: %v", err)
				}
				return
			}
			if err == nil || !errors.Is(err, ErrStalled) || !strings.Contains(err.Error(), "registry made no progress for 300ms") {
				t.Fatalf("push to a stalled registry: %v (after %v), want %v", err, took, ErrStalled)
			}
			if !strings.Contains(err.Error(), "/manifests/") {
				t.Errorf("the error does not name the stalled request: %v", err)
			}
			resp, herr := http.Get(srv.URL + "/v2/s/x/manifests/1")
			if herr == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					t.Error("a stalled push left the tag")
				}
			}
		})
	}
}

// TestStallTimeoutBody: an answer whose body stops halfway fails the
// read after the timeout with ErrStalled.
func TestStallTimeoutBody(t *testing.T) {
	t.Parallel()
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.Write([]byte("{"))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-block:
		}
	}))
	defer srv.Close()
	defer close(block)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/v2/x/blobs/sha256:0", nil)
	resp, err := baseTransport(PushOptions{Timeout: 200 * time.Millisecond}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if !errors.Is(err, ErrStalled) || string(b) != "{" {
		t.Fatalf("read %q, %v; want the first byte and %v", b, err, ErrStalled)
	}
}
