package manifests

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/slipway-build/slipway/internal/registrytest"
)

// TestOpenBaseRegistryTLS: a base on a registry with its own CA is read
// with the registry TLS options (the CA file) and refused without them,
// with the TLS error that says how to trust the CA.
func TestOpenBaseRegistryTLS(t *testing.T) {
	t.Parallel()
	ca := registrytest.NewCA(t, "base registry CA")
	port := tlsRegistry(t, ca, nil)
	root := t.TempDir()
	registrytest.WriteFile(t, root, "ca.pem", ca.PEM)
	trusted, err := NewRegistryTLS(TLSOptions{CAFiles: []string{root + "/ca.pem"}})
	if err != nil {
		t.Fatal(err)
	}
	l, err := random.Layer(1024, "application/vnd.oci.image.layer.v1.tar+gzip")
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, l)
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := img.ConfigFile()
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	ref := "127.0.0.1:" + port + "/platform/base:1"
	if _, err := Push(t.Context(), img, refs(t, ref), PushOptions{TLS: trusted, Backoff: fast}); err != nil {
		t.Fatal(err)
	}
	src, err := ParseSource(ref, nil)
	if err != nil {
		t.Fatal(err)
	}
	untrusted, err := NewRegistryTLS(TLSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		opts    PushOptions
		wantErr string
	}{
		{name: "CA file", opts: PushOptions{TLS: trusted, Backoff: fast}},
		{name: "no CA", opts: PushOptions{TLS: untrusted, Backoff: fast}, wantErr: "TLS certificate signed by an unknown authority"},
		{name: "no TLS options", opts: PushOptions{Backoff: fast}, wantErr: "certificate signed by unknown authority"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, err := OpenBase(t.Context(), src, "x86_64", t.TempDir(), tc.opts)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if want, _ := img.Digest(); b.Digest != want {
					t.Errorf("digest %s, want %s", b.Digest, want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			var te *TLSError
			if tc.opts.TLS != nil && !errors.As(err, &te) {
				t.Errorf("error is no TLSError: %v", err)
			}
		})
	}
}
