package countproxy

import (
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// TestCounts: an image pushed to a registry and pulled through the proxy
// counts exactly its layers' and config's compressed bytes as blobs, by
// digest; a HEAD counts nothing; Reset starts again from zero.
func TestCounts(t *testing.T) {
	t.Parallel()
	reg := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer reg.Close()
	p, err := New(reg.URL)
	if err != nil {
		t.Fatal(err)
	}
	front := httptest.NewServer(p)
	defer front.Close()

	img, err := random.Image(50_000, 3)
	if err != nil {
		t.Fatal(err)
	}
	direct, _ := name.ParseReference(strings.TrimPrefix(reg.URL, "http://")+"/x/img:1", name.Insecure)
	if err := remote.Write(direct, img); err != nil {
		t.Fatal(err)
	}
	if c := p.Counts(); c.BlobBytes != 0 || c.OtherBytes != 0 {
		t.Fatalf("counted %+v without a request through the proxy", c)
	}
	via, _ := name.ParseReference(strings.TrimPrefix(front.URL, "http://")+"/x/img:1", name.Insecure)
	if _, err := remote.Head(via); err != nil {
		t.Fatal(err)
	}
	if c := p.Counts(); c.BlobBytes != 0 || c.BlobGets != 0 {
		t.Errorf("a HEAD of the manifest counted %+v", c)
	}
	pulled, err := remote.Image(via)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := pulled.Layers()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{}
	for _, l := range layers {
		rc, err := l.Compressed()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
		d, _ := l.Digest()
		n, _ := l.Size()
		want[d.String()] = n
	}
	if _, err := pulled.RawConfigFile(); err != nil {
		t.Fatal(err)
	}
	m, _ := pulled.Manifest()
	want[m.Config.Digest.String()] = m.Config.Size
	c := p.Counts()
	var total int64
	for d, n := range want {
		total += n
		if c.Blobs[d] != n {
			t.Errorf("blob %s: counted %d bytes, its size is %d", d, c.Blobs[d], n)
		}
	}
	if c.BlobBytes != total || c.BlobGets != len(want) || c.OtherBytes == 0 {
		t.Errorf("counted %d blob bytes in %d GETs and %d other bytes; want %d bytes in %d GETs and the manifest", c.BlobBytes, c.BlobGets, c.OtherBytes, total, len(want))
	}
	p.Reset()
	if c := p.Counts(); c.BlobBytes != 0 || c.BlobGets != 0 || c.OtherBytes != 0 || len(c.Blobs) != 0 {
		t.Errorf("after Reset: %+v", c)
	}
}

// TestLoopbackOnly: the proxy relays to loopback http:// addresses only.
func TestLoopbackOnly(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		target string
		ok     bool
	}{
		{"http://127.0.0.1:5000", true},
		{"http://[::1]:5000", true},
		{"http://localhost:5000", true},
		{"http://10.0.0.1:5000", false},
		{"http://registry.example:5000", false},
		{"https://127.0.0.1:5000", false},
		{"http://%zz", false},
	} {
		_, err := New(tc.target)
		if (err == nil) != tc.ok {
			t.Errorf("New(%q): %v", tc.target, err)
		}
	}
}
