// Package registrytest holds helpers for tests that stand between slipway
// and a registry: naming requests and breaking uploads. (Apart from
// testutil so that packages kept free of net/http can use that one.)
package registrytest

import (
	"io"
	"net"
	"net/http"
	"strings"
)

// RequestKind names what a registry API request is about, for
// tests that count requests or inject faults by kind: upload, blob,
// manifest-digest, manifest-tag or other.
func RequestKind(r *http.Request) string {
	switch {
	case strings.Contains(r.URL.Path, "/blobs/uploads"):
		return "upload"
	case strings.Contains(r.URL.Path, "/blobs/"):
		return "blob"
	case strings.Contains(r.URL.Path, "/manifests/sha256:"):
		return "manifest-digest"
	case strings.Contains(r.URL.Path, "/manifests/"):
		return "manifest-tag"
	}
	return "other"
}

// ResetUpload reads n bytes of the request body, then breaks the
// connection with a TCP reset (not a clean close), the way a network
// failure in the middle of an upload looks. It returns false when the
// connection cannot be taken over; the caller then answers itself.
func ResetUpload(w http.ResponseWriter, r *http.Request, n int64) bool {
	io.CopyN(io.Discard, r.Body, n)
	hj, ok := w.(http.Hijacker)
	if !ok {
		return false
	}
	c, _, err := hj.Hijack()
	if err != nil {
		return false
	}
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
	return true
}
