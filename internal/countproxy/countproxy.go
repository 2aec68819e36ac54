// Package countproxy is a reverse proxy, for tests and benchmarks, that
// relays a registry's responses and counts their bytes: the bodies of
// blob downloads (GET /v2/NAME/blobs/DIGEST), by digest, apart from the
// rest (manifests, tags, the /v2/ ping). It measures what a client
// pulls, whatever the client: skopeo, crane, a runtime. It relays to
// loopback addresses only.
package countproxy

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"sync"
)

// Proxy relays requests to one registry and counts the response bytes.
type Proxy struct {
	rp *httputil.ReverseProxy

	mu       sync.Mutex
	blobs    map[string]int64 // digest -> bytes relayed
	blobGets int
	other    int64
}

// Counts is what a Proxy relayed since it started or was last reset.
type Counts struct {
	BlobBytes  int64            `json:"blob_bytes"` // bodies of blob GETs
	BlobGets   int              `json:"blob_gets"`
	Blobs      map[string]int64 `json:"blobs"`       // bytes by digest
	OtherBytes int64            `json:"other_bytes"` // every other response body
}

// New is a proxy to target, an http:// URL of a loopback address
// ("http://127.0.0.1:5000").
func New(target string) (*Proxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("countproxy: target %q: %w", target, err)
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("countproxy: target %q: only http:// is relayed", target)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("countproxy: target %q is not a loopback address", target)
	}
	p := &Proxy{blobs: map[string]int64{}}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(u)
			r.Out.Host = u.Host
		},
		// A registry names absolute URLs of its own (Location): the
		// client follows them to the registry, not through the proxy, so
		// the pull must not be redirected; docker-registry's filesystem
		// storage serves blobs itself.
	}
	return p, nil
}

// blobPath is the path of a blob download.
var blobPath = regexp.MustCompile(`^/v2/(.+)/blobs/([a-z0-9]+:[a-f0-9]+)$`)

// ServeHTTP relays r and counts the response body's bytes.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cw := &countingWriter{ResponseWriter: w}
	p.rp.ServeHTTP(cw, r)
	p.mu.Lock()
	defer p.mu.Unlock()
	if m := blobPath.FindStringSubmatch(r.URL.Path); m != nil && r.Method == http.MethodGet {
		p.blobGets++
		p.blobs[m[2]] += cw.n
		return
	}
	p.other += cw.n
}

// Counts is what was relayed so far.
func (p *Proxy) Counts() Counts {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := Counts{BlobGets: p.blobGets, Blobs: make(map[string]int64, len(p.blobs)), OtherBytes: p.other}
	for d, n := range p.blobs {
		c.Blobs[d] = n
		c.BlobBytes += n
	}
	return c
}

// Reset sets the counts back to zero.
func (p *Proxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.blobs, p.blobGets, p.other = map[string]int64{}, 0, 0
}

// countingWriter counts the body bytes written to the client.
type countingWriter struct {
	http.ResponseWriter
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.ResponseWriter.Write(b)
	c.n += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController (the proxy's flushes) reach the
// connection.
func (c *countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
