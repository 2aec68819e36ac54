package signing

import (
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/slipway-build/slipway/manifests"
)

type oneKeychain struct{ a authn.Authenticator }

func (k oneKeychain) Resolve(authn.Resource) (authn.Authenticator, error) { return k.a, nil }

// TestSignRealmCredentials: signing talks to the registry with the
// push's credentials rule: a token realm on localhost (another port than
// the registry on 127.0.0.1) never gets the registry password.
func TestSignRealmCredentials(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []string // Authorization of the token requests
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
		json.NewEncoder(w).Encode(map[string]string{"token": "tok"})
	}))
	t.Cleanup(tokens.Close)
	realm := strings.Replace(tokens.URL, "127.0.0.1", "localhost", 1) + "/token"
	var challenge atomic.Bool
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if challenge.Load() && r.Header.Get("Authorization") != "Bearer tok" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="`+realm+`",service="test"`)
			http.Error(w, "token please", http.StatusUnauthorized)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	tag, _, _ := pushIndex(t, strings.TrimPrefix(srv.URL, "http://"), "img")
	challenge.Store(true)
	sv := mustSigner(t, t.TempDir(), testPassword)
	kc := oneKeychain{authn.FromConfig(authn.AuthConfig{Username: "alice", Password: "registry-pass"})}
	_, err := SignAndAttest(t.Context(), tag, &Signer{Key: sv}, SignOptions{Options: Options{Registry: manifests.PushOptions{Keychain: kc}}})
	want := "refusing to send registry credentials to " + realm
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("sign: %v\nwant it to contain %s", err, want)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, a := range seen {
		if a != "" {
			t.Errorf("the realm got credentials: %q", a)
		}
	}
}
