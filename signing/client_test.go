package signing

import (
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/slipway-build/slipway/manifests"
)

// faultyRegistry is an in-memory registry that answers 503 to the next
// failPuts manifest writes and the next failGets reads of a signature
// manifest, and, while stall is set, never answers those requests.
type faultyRegistry struct {
	host               string
	failPuts, failGets atomic.Int64
	stall              atomic.Bool
}

func newFaultyRegistry(t *testing.T) *faultyRegistry {
	t.Helper()
	f := &faultyRegistry{}
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		put := r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/")
		get := (r.Method == http.MethodGet || r.Method == http.MethodHead) && strings.Contains(r.URL.Path, "/manifests/") && strings.HasSuffix(r.URL.Path, ".sig")
		if (put || get) && f.stall.Load() {
			select {
			case <-r.Context().Done():
			case <-block:
			}
			return
		}
		if put && f.failPuts.Add(-1) >= 0 || get && f.failGets.Add(-1) >= 0 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(block) }) // runs before Close, which waits for the handlers
	f.host = strings.TrimPrefix(srv.URL, "http://")
	return f
}

// TestSignVerifyUseThePushClient: sign and verify reach registries with
// the one registry client push uses (manifests.RemoteOptions): a 503 is
// retried as often as PushOptions.Backoff says — the same for push, sign
// and verify — and a registry that stops answering fails all three with
// manifests.ErrStalled after PushOptions.Timeout.
func TestSignVerifyUseThePushClient(t *testing.T) {
	t.Parallel()
	sv := mustSigner(t, t.TempDir(), testPassword)
	for _, tc := range []struct {
		name  string
		steps int  // tries per request
		fails int  // 503 answers before the registry serves
		stall bool // the registry never answers
		ok    bool
	}{
		{"two 503s, three tries", 3, 2, false, true},
		{"two 503s, one try", 1, 2, false, false},
		{"stalled", 1, 0, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			reg := newFaultyRegistry(t)
			tag, _, _ := pushIndex(t, reg.host, "img")
			idx, err := remote.Index(tag)
			if err != nil {
				t.Fatal(err)
			}
			po := manifests.PushOptions{
				Backoff: &remote.Backoff{Duration: 10 * time.Millisecond, Factor: 1, Steps: tc.steps},
				Timeout: 300 * time.Millisecond,
			}
			check := func(what string, err error) {
				t.Helper()
				switch {
				case tc.ok && err != nil:
					t.Errorf("%s: %v, want success after retries", what, err)
				case !tc.ok && err == nil:
					t.Errorf("%s succeeded, want it to fail as push does", what)
				case tc.stall && !errors.Is(err, manifests.ErrStalled):
					t.Errorf("%s on a stalled registry: %v, want %v", what, err, manifests.ErrStalled)
				case !tc.ok && !tc.stall && !strings.Contains(err.Error(), "503"):
					t.Errorf("%s: %v, want the registry's 503", what, err)
				}
			}
			reg.stall.Store(tc.stall)

			copyTag, err := name.NewTag(reg.host+"/copy:1", name.Insecure)
			if err != nil {
				t.Fatal(err)
			}
			reg.failPuts.Store(int64(tc.fails))
			_, err = manifests.Push(t.Context(), idx, []name.Reference{copyTag}, po)
			check("push", err)

			reg.failPuts.Store(int64(tc.fails))
			_, err = SignAndAttest(t.Context(), tag, &Signer{Key: sv}, SignOptions{Options: Options{Registry: po}})
			check("sign", err)

			if !tc.ok {
				// Verify needs a signature: sign through a healthy registry.
				reg.stall.Store(false)
				reg.failPuts.Store(0)
				if _, err := SignAndAttest(t.Context(), tag, &Signer{Key: sv}, SignOptions{}); err != nil {
					t.Fatal(err)
				}
				reg.stall.Store(tc.stall)
			}
			reg.failGets.Store(int64(tc.fails))
			_, err = Verify(t.Context(), tag, sv, VerifyOptions{Options: Options{Registry: po}})
			check("verify", err)
		})
	}
}
