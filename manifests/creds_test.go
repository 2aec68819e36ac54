package manifests

import (
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/registry"
)

// tokenServer answers token requests with the token "tok" and records
// the Authorization header of each.
type tokenServer struct {
	mu   sync.Mutex
	auth []string
}

func (s *tokenServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.auth = append(s.auth, r.Header.Get("Authorization"))
	s.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]string{"token": "tok"})
}

func (s *tokenServer) requests() (n, basic int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.auth {
		if strings.HasPrefix(a, "Basic ") {
			basic++
		}
	}
	return len(s.auth), basic
}

// loopbackServer serves h on host ("127.0.0.1", "localhost" (on
// 127.0.0.1), "[::1]") and returns its host:port as written with host.
func loopbackServer(t *testing.T, host string, h http.Handler) string {
	t.Helper()
	addr := strings.Trim(host, "[]")
	if host == "localhost" {
		addr = "127.0.0.1"
	}
	l, err := net.Listen("tcp", net.JoinHostPort(addr, "0"))
	if err != nil {
		t.Skipf("no loopback address for %s here: %v", host, err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return net.JoinHostPort(strings.Trim(host, "[]"), port)
}

// TestRealmCredentials: a registry on 127.0.0.1 asks for a bearer token
// from a realm. The registry password goes to a realm on the registry's
// own origin only: not to localhost on another port, nor to localhost on
// the same port (another host name), nor to [::1]; a refused realm is
// never contacted and the refusal is not retried.
func TestRealmCredentials(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		realm string // host of a separate token server; "" = the registry's own /token
		same  bool   // the realm is the registry's port under the name realm
		want  string // "" = the push succeeds
	}{
		{name: "registry's own origin"},
		{name: "localhost, another port", realm: "localhost",
			want: "refusing to send registry credentials to http://REALM/token: neither the registry's origin (the registry is https://REG or http://REG) nor a token realm over https on a host that is not loopback"},
		{name: "localhost, the registry's port", realm: "localhost", same: true,
			want: "refusing to send registry credentials to http://REALM/token: neither the registry's origin (the registry is https://REG or http://REG) nor a token realm over https on a host that is not loopback"},
		{name: "[::1], another port", realm: "[::1]",
			want: `invalid realm in www-authenticate: realm host "::1" is a private or link-local address`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tokens := &tokenServer{}
			var realm string
			if tc.realm != "" && !tc.same {
				realm = "http://" + loopbackServer(t, tc.realm, tokens) + "/token"
			}
			reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
			var regHost string
			var mu sync.Mutex
			regHost = loopbackServer(t, "127.0.0.1", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/token" {
					tokens.ServeHTTP(w, r)
					return
				}
				if r.Header.Get("Authorization") != "Bearer tok" {
					mu.Lock()
					rl := realm
					mu.Unlock()
					w.Header().Set("WWW-Authenticate", `Bearer realm="`+rl+`",service="test"`)
					http.Error(w, "token please", http.StatusUnauthorized)
					return
				}
				reg.ServeHTTP(w, r)
			}))
			_, port, _ := net.SplitHostPort(regHost)
			mu.Lock()
			switch {
			case tc.realm == "":
				realm = "http://" + regHost + "/token"
			case tc.same:
				realm = "http://" + net.JoinHostPort(tc.realm, port) + "/token"
			}
			mu.Unlock()
			realmHost := strings.TrimSuffix(strings.TrimPrefix(realm, "http://"), "/token")
			want := strings.NewReplacer("REALM", realmHost, "REG", regHost).Replace(tc.want)
			kc := staticKeychain{authn.FromConfig(authn.AuthConfig{Username: "alice", Password: "a"})}
			idx, _ := testIndex(t)
			tag := refs(t, regHost+"/repo:1")
			errCheck := CheckPush(t.Context(), tag, PushOptions{Keychain: kc, Backoff: fast})
			_, errPush := Push(t.Context(), idx, tag, PushOptions{Keychain: kc, Backoff: fast})
			t.Logf("CheckPush: %v\nPush: %v", errCheck, errPush)
			n, basic := tokens.requests()
			if want == "" {
				if errCheck != nil || errPush != nil {
					t.Fatalf("CheckPush: %v; Push: %v", errCheck, errPush)
				}
				if basic == 0 {
					t.Errorf("the registry's own realm got no credentials (%d requests)", n)
				}
				return
			}
			for what, err := range map[string]error{"CheckPush": errCheck, "Push": errPush} {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("%s: %v\nwant it to contain %s", what, err, want)
				}
			}
			if n != 0 {
				t.Errorf("the realm got %d requests, %d with credentials", n, basic)
			}
		})
	}
}

// TestCredGuard checks the rule on single requests: names, IPv4, IPv6,
// ports, https realms on other hosts, OAuth forms.
func TestCredGuard(t *testing.T) {
	t.Parallel()
	g := &credGuard{}
	for _, r := range refs(t, "127.0.0.1:5000/a:1", "localhost:6000/b:1", "[::1]:7000/c:1", "reg.example/d:1") {
		g.add(r.Context())
	}
	cases := []struct {
		method, url, auth, form string
		ok                      bool
	}{
		{"GET", "http://127.0.0.1:5000/v2/", "Basic x", "", true},
		{"GET", "https://127.0.0.1:5000/v2/", "Basic x", "", true},
		{"GET", "http://localhost:6000/token", "Basic x", "", true},
		{"GET", "http://LOCALHOST:6000/token", "basic x", "", true},
		{"GET", "http://[::1]:7000/token", "Basic x", "", true},
		{"GET", "http://[0:0:0:0:0:0:0:1]:7000/token", "Basic x", "", true},
		{"GET", "https://reg.example:443/token", "Basic x", "", true},
		{"GET", "https://auth.example/token", "Basic x", "", true}, // a token service over TLS
		{"GET", "http://reg.example/token", "Basic x", "", false},  // the registry is https only
		{"GET", "http://auth.example/token", "Basic x", "", false},
		{"GET", "http://127.0.0.1:5001/token", "Basic x", "", false},
		{"GET", "http://localhost:5000/token", "Basic x", "", false},
		{"GET", "https://localhost:6001/token", "Basic x", "", false},
		{"GET", "http://[::1]:7001/token", "Basic x", "", false},
		{"GET", "https://[::1]:7001/token", "Basic x", "", false},
		{"GET", "http://127.0.0.1:5001/token", "Bearer tok", "", true}, // no password
		{"GET", "http://127.0.0.1:5001/token", "", "", true},
		{"POST", "http://localhost:6001/token", "", "grant_type=password&username=u&password=p", false},
		{"POST", "http://localhost:6001/token", "", "grant_type=refresh_token&refresh_token=r", false},
		{"POST", "http://localhost:6000/token", "", "grant_type=refresh_token&refresh_token=r", true},
		{"POST", "http://localhost:6001/token", "", "scope=x", true},
	}
	for _, tc := range cases {
		req, err := http.NewRequest(tc.method, tc.url, strings.NewReader(tc.form))
		if err != nil {
			t.Fatal(err)
		}
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		if tc.form != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if err := g.check(req); (err == nil) != tc.ok {
			t.Errorf("%s %s (%q, %q): %v, want ok=%v", tc.method, tc.url, tc.auth, tc.form, err, tc.ok)
		}
	}
}
