package manifests

import (
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/slipway-build/slipway/internal/registrytest"
)

// tlsRegistry is ggcr's registry over TLS on loopback with a certificate
// of ca; with clientCA, it requires a client certificate issued by it.
func tlsRegistry(t *testing.T, ca, clientCA *registrytest.CA) (port string) {
	t.Helper()
	srv := httptest.NewUnstartedServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.Server(t).TLS(t)}}
	if clientCA != nil {
		srv.TLS.ClientAuth = tls.RequireAndVerifyClientCert
		srv.TLS.ClientCAs = clientCA.Pool()
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // failed handshakes are the point
	return srv.URL[strings.LastIndex(srv.URL, ":")+1:]
}

// TestRegistryTLS pushes to registries with their own CA, trusted (or
// not) through certs.d folders of either layout, CA files or nothing.
func TestRegistryTLS(t *testing.T) {
	t.Parallel()
	ca := registrytest.NewCA(t, "slipway test CA")
	other := registrytest.NewCA(t, "another CA")
	port := tlsRegistry(t, ca, nil)
	clientCA := registrytest.NewCA(t, "client CA")
	mport := tlsRegistry(t, ca, clientCA)
	client := clientCA.Client(t, "ci-bot")
	img, err := random.Image(512, 1)
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name string
		host string // 127.0.0.1 or localhost
		mtls bool   // the registry that wants a client certificate
		// files under the test's root folder: a certs.d root is "d1" or "d2"
		files   map[string][]byte
		caFiles []string // relative to the root
		skip    bool
		wantErr string // "" for success
	}{
		{name: "certs.d HOST:PORT", files: map[string][]byte{"d1/127.0.0.1:PORT/ca.crt": ca.PEM}},
		{name: "certs.d HOST", files: map[string][]byte{"d1/127.0.0.1/ca.crt": ca.PEM}},
		{name: "second root, any .crt name", files: map[string][]byte{"d2/127.0.0.1:PORT/registry.crt": ca.PEM}},
		{name: "localhost", host: "localhost", files: map[string][]byte{"d1/localhost/ca.crt": ca.PEM}},
		{name: "CA file", files: map[string][]byte{"ca.pem": ca.PEM}, caFiles: []string{"ca.pem"}},
		{name: "skip verify", skip: true},
		{name: "untrusted", wantErr: "registry 127.0.0.1:PORT: TLS certificate signed by an unknown authority (x509: certificate signed by unknown authority); trust the registry's CA with --registry-ca-file FILE or as ca.crt in ROOT/d1/127.0.0.1:PORT/"},
		{name: "another CA", files: map[string][]byte{"d1/127.0.0.1:PORT/ca.crt": other.PEM}, wantErr: "TLS certificate signed by an unknown authority"},
		{name: "folder of another port", files: map[string][]byte{"d1/127.0.0.1:1/ca.crt": ca.PEM}, wantErr: "TLS certificate signed by an unknown authority"},
		{name: "client certificate", mtls: true, files: map[string][]byte{
			"d1/127.0.0.1:PORT/ca.crt": ca.PEM, "d1/127.0.0.1:PORT/client.cert": client.CertPEM, "d1/127.0.0.1:PORT/client.key": client.KeyPEM}},
		{name: "client certificate wanted", mtls: true, files: map[string][]byte{"d1/127.0.0.1:PORT/ca.crt": ca.PEM},
			wantErr: "registry 127.0.0.1:PORT: refused the TLS client certificate (tls: certificate required); put the client certificate and its key as NAME.cert and NAME.key in ROOT/d1/127.0.0.1:PORT/"},
		{name: "client certificate without key", mtls: true, files: map[string][]byte{
			"d1/127.0.0.1:PORT/ca.crt": ca.PEM, "d1/127.0.0.1:PORT/client.cert": client.CertPEM},
			wantErr: "registry 127.0.0.1:PORT: reading its certs.d folder: client certificate ROOT/d1/127.0.0.1:PORT/client.cert has no key client.key (CA certificates end in .crt)"},
		{name: "key without certificate", files: map[string][]byte{
			"d1/127.0.0.1:PORT/ca.crt": ca.PEM, "d1/127.0.0.1:PORT/client.key": client.KeyPEM},
			wantErr: "reading its certs.d folder: key ROOT/d1/127.0.0.1:PORT/client.key has no client certificate client.cert"},
		{name: "CA file that is not PEM", files: map[string][]byte{"d1/127.0.0.1:PORT/ca.crt": []byte("not a certificate")},
			wantErr: "reading its certs.d folder: ROOT/d1/127.0.0.1:PORT/ca.crt holds no PEM certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			p := port
			if tc.mtls {
				p = mport
			}
			host := tc.host
			if host == "" {
				host = "127.0.0.1"
			}
			for name, data := range tc.files {
				path := filepath.Join(root, strings.ReplaceAll(name, "PORT", p))
				registrytest.WriteFile(t, filepath.Dir(path), filepath.Base(path), data)
			}
			var caFiles []string
			for _, f := range tc.caFiles {
				caFiles = append(caFiles, filepath.Join(root, f))
			}
			rt, err := NewRegistryTLS(TLSOptions{
				CertsDirs: []string{filepath.Join(root, "d1"), filepath.Join(root, "d2")}, CAFiles: caFiles, SkipVerify: tc.skip,
			})
			if err != nil {
				t.Fatal(err)
			}
			tags := refs(t, host+":"+p+"/repo:1")
			opts := PushOptions{TLS: rt, Backoff: fast}
			err = CheckPush(t.Context(), tags, opts)
			if err == nil {
				_, err = Push(t.Context(), img, tags, opts)
			}
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			want := strings.NewReplacer("PORT", p, "ROOT", root).Replace(tc.wantErr)
			var te *TLSError
			switch {
			case err == nil:
				t.Fatalf("pushed; want %q", want)
			case !errors.As(err, &te):
				t.Errorf("error is no TLSError: %v", err)
			case !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "http://"):
				t.Errorf("error:\n%v\nwant one line with\n%s", err, want)
			}
		})
	}
}

func TestNewRegistryTLS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notPEM := registrytest.WriteFile(t, dir, "x.pem", []byte("hello"))
	missing := filepath.Join(dir, "missing.pem")
	for _, tc := range []struct {
		file, want string
	}{
		{notPEM, "registry CA file: " + notPEM + " holds no PEM certificate"},
		{missing, "registry CA file: open " + missing + ": no such file or directory"},
	} {
		_, err := NewRegistryTLS(TLSOptions{CAFiles: []string{tc.file}})
		if err == nil || err.Error() != tc.want {
			t.Errorf("CA file %s: %v, want %s", tc.file, err, tc.want)
		}
	}
	if _, err := os.Stat(missing); err == nil {
		t.Fatal("the missing file exists")
	}
}

// TestClientCertAskedAndClosed: a registry that asks for a client
// certificate and closes the connection once the handshake is done, as a
// TLS 1.3 server refusing the certificate looks when its alert is lost
// (the client's request meets a closed connection), gets the same
// TLSError as one whose alert arrives, not "EOF" or "broken pipe".
func TestClientCertAskedAndClosed(t *testing.T) {
	t.Parallel()
	ca := registrytest.NewCA(t, "slipway test CA")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	cfg := &tls.Config{Certificates: []tls.Certificate{ca.Server(t).TLS(t)}, ClientAuth: tls.RequestClientCert}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if err := tls.Server(c, cfg).Handshake(); err != nil {
					return
				}
				if tc, ok := c.(*net.TCPConn); ok {
					tc.SetLinger(0) // a reset, as a server dropping the connection
				}
			}()
		}
	}()
	host := ln.Addr().String()
	root := t.TempDir()
	registrytest.WriteFile(t, filepath.Join(root, host), "ca.crt", ca.PEM)
	rt, err := NewRegistryTLS(TLSOptions{CertsDirs: []string{root}})
	if err != nil {
		t.Fatal(err)
	}
	err = CheckPush(t.Context(), refs(t, host+"/repo:1"), PushOptions{TLS: rt, Backoff: fast})
	want := "registry " + host + ": refused the TLS client certificate (it asked for one and closed the connection: "
	wantEnd := "); put the client certificate and its key as NAME.cert and NAME.key in " + filepath.Join(root, host) + "/"
	var te *TLSError
	switch {
	case err == nil:
		t.Fatal("no error")
	case !errors.As(err, &te):
		t.Errorf("error is no TLSError: %v", err)
	case !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), wantEnd) || strings.Contains(err.Error(), "http://"):
		t.Errorf("error:\n%v\nwant one line with\n%s…%s", err, want, wantEnd)
	}
}
