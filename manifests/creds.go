package manifests

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/slipway-build/slipway/internal/origin"
)

// ErrCredentialsRefused is wrapped by the error of a request that would
// have carried registry credentials where they must not go. It is final:
// the request is not retried.
var ErrCredentialsRefused = errors.New("refusing to send registry credentials")

// credGuard keeps registry credentials on their registry. The password
// (HTTP basic auth, or the password or refresh token of an OAuth token
// request) goes only to
//
//   - the origin (scheme, host, port: [origin.Check], the rule repositories
//     follow too) of a registry the keychain was asked about, or
//   - a token realm over https on a host that is not loopback (localhost,
//     *.localhost, 127.0.0.0/8, ::1): a registry may name its token
//     service on another host, as Docker Hub does with auth.docker.io, and
//     TLS tells that host apart.
//
// A realm over plain HTTP, or on another port of a loopback host, gets
// nothing unless it is the registry's own origin. go-containerregistry
// refuses realms on loopback and private IP addresses itself, but not a
// name such as localhost, nor another port of the registry's host.
// Registry tokens (Bearer) are not checked here: go-containerregistry
// sends them to the registry's host only.
type credGuard struct {
	mu         sync.Mutex
	registries []*url.URL
}

// add records the origins credentials are resolved for: res's registry
// over https, and over http when go-containerregistry may use plain HTTP
// for it (insecure or loopback).
func (g *credGuard) add(res authn.Resource) {
	host := res.RegistryStr()
	schemes := []string{"https"}
	if s, ok := res.(interface{ Scheme() string }); ok && s.Scheme() == "http" {
		schemes = append(schemes, "http")
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, s := range schemes {
		u := &url.URL{Scheme: s, Host: host}
		known := false
		for _, r := range g.registries {
			known = known || r.String() == u.String()
		}
		if !known {
			g.registries = append(g.registries, u)
		}
	}
}

// check returns an error when req carries credentials to a place they
// must not go.
func (g *credGuard) check(req *http.Request) error {
	if !carriesCredentials(req) {
		return nil
	}
	g.mu.Lock()
	regs := append([]*url.URL(nil), g.registries...)
	g.mu.Unlock()
	var names []string
	for _, r := range regs {
		if origin.Same(r, req.URL) {
			return nil
		}
		k, _ := origin.Key(r)
		names = append(names, k)
	}
	if req.URL.Scheme == "https" && !origin.Loopback(req.URL.Host) {
		return nil // a token service on another host, over TLS
	}
	to := url.URL{Scheme: req.URL.Scheme, Host: req.URL.Host, Path: req.URL.Path}
	reg := "no registry asked for them"
	if len(names) > 0 {
		reg = "the registry is " + strings.Join(names, " or ")
	}
	return fmt.Errorf("%w to %s: neither the registry's origin (%s) nor a token realm over https on a host that is not loopback",
		ErrCredentialsRefused, to.String(), reg)
}

// carriesCredentials reports whether req holds a password: basic auth, or
// an OAuth2 token request form with a password or a refresh token.
func carriesCredentials(req *http.Request) bool {
	if scheme, _, _ := strings.Cut(req.Header.Get("Authorization"), " "); strings.EqualFold(scheme, "basic") {
		return true
	}
	if req.Method != http.MethodPost || req.GetBody == nil {
		return false
	}
	if mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return false
	}
	body, err := req.GetBody()
	if err != nil {
		return true // cannot look: assume the worst
	}
	defer body.Close()
	b, err := io.ReadAll(io.LimitReader(body, 1<<20))
	if err != nil {
		return true
	}
	v, err := url.ParseQuery(string(b))
	return err != nil || v.Get("password") != "" || v.Get("refresh_token") != ""
}

// guardedKeychain tells the guard which registries it gives credentials
// for.
type guardedKeychain struct {
	kc    authn.Keychain
	guard *credGuard
}

func (k guardedKeychain) Resolve(res authn.Resource) (authn.Authenticator, error) {
	k.guard.add(res)
	return k.kc.Resolve(res)
}

// credTransport refuses requests the guard refuses.
type credTransport struct {
	base  http.RoundTripper
	guard *credGuard
}

func (t *credTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.guard.check(req); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	return t.base.RoundTrip(req)
}

// RegistryClient returns the keychain and transport of opts' registry
// client, for clients other than go-containerregistry's (oras-go, for
// Notary signatures): the transport push uses (TLS, the plain-HTTP guard,
// the stall timeout, Retry-After) under the credential guard, and the
// keychain whose credentials that guard keeps on their registry.
func RegistryClient(opts PushOptions) (authn.Keychain, http.RoundTripper) {
	kc := opts.Keychain
	if kc == nil {
		kc = authn.NewMultiKeychain()
	}
	g := &credGuard{}
	return guardedKeychain{kc, g}, &credTransport{base: baseTransport(opts), guard: g}
}
