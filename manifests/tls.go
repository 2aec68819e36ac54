package manifests

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
)

// TLSOptions say which certificates registries may show and which the
// client shows them, the way docker and podman read them.
type TLSOptions struct {
	// CertsDirs are folders laid out like /etc/docker/certs.d and
	// /etc/containers/certs.d: in each, a folder named after the
	// registry, HOST:PORT (or HOST, for any port), holds CA certificates
	// (*.crt, PEM) trusted for that registry besides the system's, and
	// client certificates (NAME.cert with its key NAME.key, PEM) shown to
	// it. The folders of every root are read; a missing one is skipped.
	CertsDirs []string
	// CAFiles are PEM files of CA certificates trusted for every registry,
	// besides the system's.
	CAFiles []string
	// SkipVerify accepts any certificate from any registry: anyone on the
	// way can then read and change what is pushed and pulled.
	SkipVerify bool
}

// RegistryTLS is TLSOptions checked and loaded once (the CA files read);
// the certs.d folder of a registry is read when it is first contacted.
// Its zero value (or nil) trusts the system's CAs only.
type RegistryTLS struct {
	opts TLSOptions
	pool *x509.CertPool // the system's CAs and CAFiles; nil: the system's
}

// NewRegistryTLS reads the CA files of o: an unreadable file, or one
// without a PEM certificate, is an error.
func NewRegistryTLS(o TLSOptions) (*RegistryTLS, error) {
	r := &RegistryTLS{opts: o}
	r.opts.CertsDirs = append([]string(nil), o.CertsDirs...)
	r.opts.CAFiles = append([]string(nil), o.CAFiles...)
	if len(o.CAFiles) == 0 {
		return r, nil
	}
	r.pool = systemPool()
	for _, f := range o.CAFiles {
		if err := appendPEMFile(r.pool, f); err != nil {
			return nil, fmt.Errorf("registry CA file: %w", err)
		}
	}
	return r, nil
}

func systemPool() *x509.CertPool {
	p, err := x509.SystemCertPool()
	if err != nil || p == nil {
		return x509.NewCertPool()
	}
	return p
}

func appendPEMFile(pool *x509.CertPool, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !pool.AppendCertsFromPEM(data) {
		return fmt.Errorf("%s holds no PEM certificate", path)
	}
	return nil
}

// hostTLS reads the certs.d folders of host (HOST:PORT as in a URL) and
// returns the TLS configuration for it; nil means the default one.
func (r *RegistryTLS) hostTLS(host string) (*tls.Config, error) {
	if r == nil {
		return nil, nil
	}
	var (
		cas   [][]byte
		certs []tls.Certificate
	)
	for _, dir := range r.hostDirs(host) {
		c, k, err := readCertsDir(dir)
		if err != nil {
			return nil, err
		}
		cas = append(cas, c...)
		certs = append(certs, k...)
	}
	if len(cas) == 0 && len(certs) == 0 && r.pool == nil && !r.opts.SkipVerify {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: certs, InsecureSkipVerify: r.opts.SkipVerify}
	if len(cas) > 0 || r.pool != nil {
		if r.pool != nil {
			cfg.RootCAs = r.pool.Clone()
		} else {
			cfg.RootCAs = systemPool()
		}
		for _, c := range cas {
			cfg.RootCAs.AppendCertsFromPEM(c) // checked by readCertsDir
		}
	}
	return cfg, nil
}

// hostDirs are the existing certs.d folders of host: in each root,
// HOST:PORT then HOST.
func (r *RegistryTLS) hostDirs(host string) []string {
	names := []string{host}
	if h, _, err := net.SplitHostPort(host); err == nil {
		names = append(names, h)
	}
	var out []string
	for _, root := range r.opts.CertsDirs {
		for _, n := range names {
			if n == "" || n == "." || n == ".." || strings.ContainsAny(n, `/\`) {
				continue
			}
			d := filepath.Join(root, n)
			if fi, err := os.Stat(d); err == nil && fi.IsDir() {
				out = append(out, d)
			}
		}
	}
	return out
}

// readCertsDir reads one certs.d folder as docker does: *.crt are CA
// certificates, NAME.cert and NAME.key a client certificate and its key
// (one without the other is an error); other files are ignored.
func readCertsDir(dir string) (cas [][]byte, certs []tls.Certificate, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", dir, err)
	}
	has := map[string]bool{}
	var names []string
	for _, e := range entries {
		if e.Type()&fs.ModeDir != 0 {
			continue
		}
		has[e.Name()] = true
		names = append(names, e.Name())
	}
	sort.Strings(names)
	for _, n := range names {
		p := filepath.Join(dir, n)
		switch {
		case strings.HasSuffix(n, ".crt"):
			data, err := os.ReadFile(p)
			if err != nil {
				return nil, nil, err
			}
			if !x509.NewCertPool().AppendCertsFromPEM(data) {
				return nil, nil, fmt.Errorf("%s holds no PEM certificate", p)
			}
			cas = append(cas, data)
		case strings.HasSuffix(n, ".cert"):
			key := strings.TrimSuffix(n, ".cert") + ".key"
			if !has[key] {
				return nil, nil, fmt.Errorf("client certificate %s has no key %s (CA certificates end in .crt)", p, key)
			}
			c, err := tls.LoadX509KeyPair(p, filepath.Join(dir, key))
			if err != nil {
				return nil, nil, fmt.Errorf("client certificate %s: %w", p, err)
			}
			certs = append(certs, c)
		case strings.HasSuffix(n, ".key"):
			if cert := strings.TrimSuffix(n, ".key") + ".cert"; !has[cert] {
				return nil, nil, fmt.Errorf("key %s has no client certificate %s", p, cert)
			}
		}
	}
	return cas, certs, nil
}

// TLSError is a registry whose TLS certificate could not be verified,
// that refused the client's, or whose certs.d folder could not be read:
// one line that names the registry and what to do.
type TLSError struct {
	Registry string // HOST[:PORT]
	Reason   string
	Err      error
}

func (e *TLSError) Error() string { return "registry " + e.Registry + ": " + e.Reason }
func (e *TLSError) Unwrap() error { return e.Err }

// certsWhere is where a message tells the user to put host's
// certificates.
func (r *RegistryTLS) certsWhere(host string) string {
	if r != nil && len(r.opts.CertsDirs) > 0 {
		return filepath.Join(r.opts.CertsDirs[0], host) + "/"
	}
	return "a certs.d folder named " + host
}

// tlsError turns a TLS failure of a request to host into a TLSError;
// other errors are returned as they are.
func (r *RegistryTLS) tlsError(host string, err error) error {
	var te *TLSError
	if err == nil || errors.As(err, &te) {
		return err
	}
	where := r.certsWhere(host)
	var (
		cv *tls.CertificateVerificationError
		ua x509.UnknownAuthorityError
		hn x509.HostnameError
		ci x509.CertificateInvalidError
		op *net.OpError
	)
	switch {
	case errors.As(err, &ua):
		return &TLSError{Registry: host, Err: err, Reason: "TLS certificate signed by an unknown authority (" + ua.Error() +
			"); trust the registry's CA with --registry-ca-file FILE or as ca.crt in " + where}
	case errors.As(err, &hn):
		return &TLSError{Registry: host, Err: err, Reason: "TLS certificate is for another name (" + hn.Error() + ")"}
	case errors.As(err, &ci):
		return &TLSError{Registry: host, Err: err, Reason: "TLS certificate not valid (" + ci.Error() + ")"}
	case errors.As(err, &cv):
		return &TLSError{Registry: host, Err: err, Reason: "TLS certificate not valid (" + cv.Err.Error() + ")"}
	case errors.As(err, &op) && op.Op == "remote error" && isClientCertAlert(op.Err):
		return &TLSError{Registry: host, Err: err, Reason: "refused the TLS client certificate (" + op.Err.Error() +
			"); put the client certificate and its key as NAME.cert and NAME.key in " + where}
	}
	return err
}

// isClientCertAlert is a TLS alert that refuses the client's certificate
// (or its absence).
func isClientCertAlert(err error) bool {
	s := err.Error()
	for _, a := range []string{"certificate required", "bad certificate", "unknown certificate authority", "certificate unknown"} {
		if strings.Contains(s, a) {
			return true
		}
	}
	return false
}

// tlsTransport sends each request with the TLS configuration of its
// host, read from certs.d the first time the host is contacted, and
// turns TLS failures into TLSErrors.
type tlsTransport struct {
	tls *RegistryTLS
	// base is the transport of hosts without a configuration of their own.
	base *http.Transport

	mu    sync.Mutex
	hosts map[string]hostTransport
}

type hostTransport struct {
	rt  http.RoundTripper
	err error
	// asked is set once the host's TLS server has asked for a client
	// certificate (a CertificateRequest in a handshake).
	asked *atomic.Bool
}

// newTLSTransport clones http.DefaultTransport (never changed) for r.
func newTLSTransport(r *RegistryTLS) *tlsTransport {
	return &tlsTransport{tls: r, base: http.DefaultTransport.(*http.Transport).Clone(), hosts: map[string]hostTransport{}}
}

func (t *tlsTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "https" {
		return t.base.RoundTrip(req)
	}
	host := req.URL.Host
	rt, err := t.forHost(host)
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		terr := t.tls.tlsError(host, err)
		var te *TLSError
		if !errors.As(terr, &te) && t.askedAndClosed(host, err) {
			return nil, &TLSError{Registry: host, Err: err, Reason: "refused the TLS client certificate (it asked for one and closed the connection: " +
				err.Error() + "); put the client certificate and its key as NAME.cert and NAME.key in " + t.tls.certsWhere(host)}
		}
		return nil, terr
	}
	return resp, nil
}

func (t *tlsTransport) forHost(host string) (http.RoundTripper, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if h, ok := t.hosts[host]; ok {
		return h.rt, h.err
	}
	var h hostTransport
	cfg, err := t.tls.hostTLS(host)
	switch {
	case err != nil:
		h.err = &TLSError{Registry: host, Reason: "reading its certs.d folder: " + err.Error(), Err: err}
	case cfg == nil:
		h.rt = t.base
	default:
		h.asked = new(atomic.Bool)
		cfg.GetClientCertificate = clientCertificate(cfg.Certificates, h.asked)
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = cfg
		h.rt = tr
	}
	t.hosts[host] = h
	return h.rt, h.err
}

// clientCertificate chooses the client certificate as crypto/tls does
// without a callback (the first of certs the server's request supports,
// else none) and records in asked that the server asked for one.
func clientCertificate(certs []tls.Certificate, asked *atomic.Bool) func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
	return func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
		asked.Store(true)
		for i := range certs {
			if cri.SupportsCertificate(&certs[i]) == nil {
				return &certs[i], nil
			}
		}
		return new(tls.Certificate), nil
	}
}

// askedAndClosed is a request to a host whose server asked for a client
// certificate that failed with the connection closed under it. With TLS
// 1.3 the client's handshake ends before the server checks the client's
// certificate, so the server's alert refusing it may be lost: the
// request being written meets a closed connection instead.
func (t *tlsTransport) askedAndClosed(host string, err error) bool {
	t.mu.Lock()
	h := t.hosts[host]
	t.mu.Unlock()
	if h.asked == nil || !h.asked.Load() {
		return false
	}
	return errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}
