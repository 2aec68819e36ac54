package manifests

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/slipway-build/slipway/internal/registrytest"
)

// faultRegistry is ggcr's in-memory registry behind a handler that
// records requests, counts upload bytes and injects faults.
type faultRegistry struct {
	mu       sync.Mutex
	log      []string // "METHOD PATH-KIND"
	sent     int64    // bytes of blob PATCH/PUT bodies
	faults   map[string]int
	user     string
	password string
	next     http.Handler
	// cancel, when set, is called on the first blob PATCH (an interrupt
	// in the middle of an upload).
	cancel func()
}

func newFaultRegistry(t *testing.T) (*faultRegistry, string) {
	t.Helper()
	f := &faultRegistry{faults: map[string]int{}, next: registry.New(registry.Logger(log.New(io.Discard, "", 0)))}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, strings.TrimPrefix(srv.URL, "http://")
}

func (f *faultRegistry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	kind := registrytest.RequestKind(r)
	key := r.Method + " " + kind
	f.mu.Lock()
	f.log = append(f.log, key)
	fault := f.faults[key]
	if fault > 0 {
		f.faults[key]--
	}
	// A negative count fails forever.
	if fault < 0 {
		fault = 1
	}
	f.mu.Unlock()
	if f.user != "" {
		u, p, ok := r.BasicAuth()
		if !ok || u != f.user || p != f.password {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
	}
	if kind == "upload" && r.Method == http.MethodPatch && f.cancel != nil {
		f.mu.Lock()
		cancel := f.cancel
		f.cancel = nil
		f.mu.Unlock()
		if cancel != nil {
			io.CopyN(io.Discard, r.Body, 512)
			cancel()
			time.Sleep(50 * time.Millisecond)
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
	}
	if fault > 0 {
		switch {
		case kind == "upload" && r.Method == http.MethodPatch:
			// Read part of the blob, then break the connection.
			if registrytest.ResetUpload(w, r, 512) {
				return
			}
			w.WriteHeader(http.StatusInternalServerError)
			return
		case r.Method == http.MethodPost:
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		default:
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
	}
	if kind == "upload" && (r.Method == http.MethodPatch || r.Method == http.MethodPut) {
		r.Body = &countingBody{r.Body, f}
	}
	f.next.ServeHTTP(w, r)
}

type countingBody struct {
	io.ReadCloser
	f *faultRegistry
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.f.mu.Lock()
	c.f.sent += int64(n)
	c.f.mu.Unlock()
	return n, err
}

func (f *faultRegistry) reset() (log []string, sent int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	log, sent = f.log, f.sent
	f.log, f.sent = nil, 0
	return log, sent
}

var fast = &remote.Backoff{Duration: 10 * time.Millisecond, Factor: 2, Steps: 4}

func testIndex(t *testing.T) (v1.ImageIndex, []ArchImage) {
	t.Helper()
	images := testImages(t, t.TempDir())
	idx, err := PublishIndex(images)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Index(idx); err != nil {
		t.Fatalf("validate.Index: %v", err)
	}
	return idx, images
}

func refs(t *testing.T, ss ...string) []name.Reference {
	t.Helper()
	out := make([]name.Reference, len(ss))
	for i, s := range ss {
		r, err := ParseReference(s, nil)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = r
	}
	return out
}

func TestParseReference(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in       string
		insecure []string
		scheme   string // "" = invalid
	}{
		{"127.0.0.1:5000/repo:tag", nil, "http"},
		{"localhost:5000/a/b:1.0", nil, "http"},
		{"[::1]:5000/repo:tag", nil, "http"},
		{"registry.example.com/repo:tag", nil, "https"},
		{"registry.example.com/repo@sha256:" + strings.Repeat("a", 64), nil, "https"},
		{"registry.example.com:5000/repo:tag", []string{"registry.example.com:5000"}, "http"},
		{"registry.example.com/repo:bad:tag", nil, ""},
		{"registry.example.com/Repo:tag", nil, ""},
		{"registry.example.com/repo:" + strings.Repeat("t", 200), nil, ""},
		{"repo", nil, ""}, // no registry, no tag: refused, never defaulted
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			r, err := ParseReference(tc.in, tc.insecure)
			if tc.scheme == "" {
				if err == nil {
					t.Fatalf("accepted: %v", r)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Context().Registry.Scheme(); got != tc.scheme {
				t.Errorf("scheme = %s, want %s", got, tc.scheme)
			}
		})
	}
}

func TestHTTPGuard(t *testing.T) {
	t.Parallel()
	var called int
	base := roundTripFunc(func(*http.Request) (*http.Response, error) {
		called++
		return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
	})
	for _, tc := range []struct {
		url      string
		insecure []string
		ok       bool
	}{
		{"http://127.0.0.1:5000/v2/", nil, true},
		{"http://127.9.9.9:5000/v2/", nil, true},
		{"http://localhost/v2/", nil, true},
		{"http://[::1]:80/v2/", nil, true},
		{"https://10.0.0.1/v2/", nil, true},
		{"http://10.0.0.1/v2/", nil, false},
		{"http://192.168.1.1:5000/v2/", nil, false},
		{"http://reg.example.invalid:5000/v2/", []string{"reg.example.invalid:5000"}, true},
		{"http://reg.example.invalid:5000/v2/", []string{"reg.example.invalid"}, false},
	} {
		before := called
		req, _ := http.NewRequest(http.MethodGet, tc.url, nil)
		_, err := baseTransport(PushOptions{Transport: base, Insecure: tc.insecure}).RoundTrip(req)
		if tc.ok != (err == nil) || tc.ok != (called > before) {
			t.Errorf("%s (insecure %v): err = %v, reached = %v", tc.url, tc.insecure, err, called > before)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestPushOrderAndRepeat pushes an index to two repositories with two
// tags each plus arch tags, and checks what arrived and in which order;
// a second push of the same index sends no blob bytes.
func TestPushOrderAndRepeat(t *testing.T) {
	t.Parallel()
	reg, host := newFaultRegistry(t)
	idx, _ := testIndex(t)
	want, _ := idx.Digest()
	tags := refs(t, host+"/a/img:1", host+"/a/img:latest", host+"/b:1")
	res, err := Push(t.Context(), idx, tags, PushOptions{ArchTags: true, Backoff: fast})
	if err != nil {
		t.Fatal(err)
	}
	if res.Digest != want || len(res.Tags) != 9 {
		t.Errorf("result %+v", res)
	}
	log, sent := reg.reset()
	if sent == 0 {
		t.Error("no blob bytes counted on the first push")
	}
	// No tag before the last manifest by digest; no blob after a tag.
	lastDigest, firstTag := -1, len(log)
	for i, l := range log {
		switch {
		case l == "PUT manifest-digest":
			lastDigest = i
		case l == "PUT manifest-tag" && i < firstTag:
			firstTag = i
		}
	}
	if lastDigest < 0 || firstTag <= lastDigest {
		t.Errorf("a tag was written before the last manifest by digest:\n%s", strings.Join(log, "\n"))
	}
	for _, l := range log[firstTag:] {
		if strings.Contains(l, "upload") || l == "PUT manifest-digest" {
			t.Errorf("%s after the first tag", l)
		}
	}
	for _, tg := range []string{"a/img:1", "a/img:latest", "a/img:1-amd64", "a/img:1-arm64", "b:1"} {
		ref := refs(t, host+"/"+tg)[0]
		desc, err := remote.Get(ref)
		if err != nil {
			t.Errorf("%s: %v", tg, err)
			continue
		}
		if strings.HasSuffix(tg, "64") {
			img, err := desc.Image()
			if err != nil {
				t.Fatal(err)
			}
			if err := validate.Image(img); err != nil {
				t.Errorf("validate.Image(%s): %v", tg, err)
			}
			continue
		}
		if desc.Digest != want {
			t.Errorf("%s = %s, want %s", tg, desc.Digest, want)
		}
		ri, err := desc.ImageIndex()
		if err != nil {
			t.Fatal(err)
		}
		if err := validate.Index(ri); err != nil {
			t.Errorf("validate.Index(%s): %v", tg, err)
		}
	}

	if _, err := Push(t.Context(), idx, tags, PushOptions{ArchTags: true}); err != nil {
		t.Fatal(err)
	}
	log, sent = reg.reset()
	if sent != 0 {
		t.Errorf("second push sent %d blob bytes, want 0", sent)
	}
	for _, l := range log {
		if l == "POST upload" || l == "PATCH upload" {
			t.Errorf("second push: %s", l)
		}
	}
}

func TestPushFaults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		faults map[string]int
		ok     bool
	}{
		{"500 on a manifest", map[string]int{"PUT manifest-digest": 2}, true},
		{"429 on upload start", map[string]int{"POST upload": 2}, true},
		{"reset during a blob", map[string]int{"PATCH upload": 1}, true},
		{"500 on every tag", map[string]int{"PUT manifest-tag": -1}, false},
		{"500 on every index", map[string]int{"PUT manifest-digest": -1}, false},
		{"reset on every blob", map[string]int{"PATCH upload": -1}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			reg, host := newFaultRegistry(t)
			for k, v := range tc.faults {
				reg.faults[k] = v
			}
			idx, _ := testIndex(t)
			tag := refs(t, host+"/repo:1")
			opts := PushOptions{Backoff: fast, Jobs: 2}
			err := CheckPush(t.Context(), tag, opts)
			if err == nil {
				_, err = Push(t.Context(), idx, tag, opts)
			}
			if tc.ok != (err == nil) {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			reg.mu.Lock()
			for k, v := range reg.faults {
				if v > 0 {
					t.Errorf("fault %q was never injected (%d left)", k, v)
				}
			}
			reg.faults = map[string]int{}
			reg.mu.Unlock()
			_, gerr := remote.Head(tag[0])
			if tc.ok && gerr != nil {
				t.Errorf("tag missing after a successful push: %v", gerr)
			}
			if !tc.ok && gerr == nil && !strings.Contains(tc.name, "every tag") {
				t.Errorf("a failed push left the tag")
			}
			if !tc.ok && tc.name == "500 on every tag" && gerr == nil {
				t.Errorf("the tag exists though every tag PUT failed")
			}
		})
	}
}

func TestPushAuth(t *testing.T) {
	t.Parallel()
	reg, host := newFaultRegistry(t)
	reg.user, reg.password = "alice", "s3cret-pass"
	idx, _ := testIndex(t)
	tag := refs(t, host+"/repo:1")
	bad := authn.NewMultiKeychain(staticKeychain{authn.FromConfig(authn.AuthConfig{Username: "alice", Password: "wrong-pass"})})
	if err := CheckPush(t.Context(), tag, PushOptions{Keychain: bad}); err == nil || !strings.Contains(err.Error(), "authentication failed") {
		t.Errorf("CheckPush with a wrong password: %v", err)
	} else if strings.Contains(err.Error(), "wrong-pass") {
		t.Errorf("the password is in the error: %v", err)
	}
	_, err := Push(t.Context(), idx, tag, PushOptions{Keychain: bad, Backoff: fast})
	if err == nil || !strings.Contains(err.Error(), "authentication failed") {
		t.Errorf("Push with a wrong password: %v", err)
	}
	if _, sent := reg.reset(); sent != 0 {
		t.Errorf("a refused push sent %d bytes", sent)
	}
	good := staticKeychain{authn.FromConfig(authn.AuthConfig{Username: "alice", Password: "s3cret-pass"})}
	if err := CheckPush(t.Context(), tag, PushOptions{Keychain: good}); err != nil {
		t.Fatal(err)
	}
	if _, err := Push(t.Context(), idx, tag, PushOptions{Keychain: good}); err != nil {
		t.Fatal(err)
	}
	if _, err := remote.Head(tag[0], remote.WithAuthFromKeychain(good)); err != nil {
		t.Error(err)
	}
}

func TestPushUnknownHost(t *testing.T) {
	t.Parallel()
	idx, _ := testIndex(t)
	tag := refs(t, "registry.slipway-test.invalid/repo:1")
	err := CheckPush(t.Context(), tag, PushOptions{})
	if err == nil || !strings.Contains(err.Error(), "registry.slipway-test.invalid") {
		t.Fatalf("CheckPush: %v", err)
	}
	if _, err := Push(t.Context(), idx, tag, PushOptions{Backoff: fast}); err == nil {
		t.Fatal("push to an unknown host succeeded")
	}
}

type staticKeychain struct{ a authn.Authenticator }

func (k staticKeychain) Resolve(authn.Resource) (authn.Authenticator, error) { return k.a, nil }

func TestMerge(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mk := func(arch string, ann map[string]string, created int64) ArchImage {
		l, err := WriteLayer(t.Context(), dir, LayerOptions{}, sampleTar(t, goSrc("net/url")))
		if err != nil {
			t.Fatal(err)
		}
		img, err := Image(ImageSpec{Arch: arch, Created: time.Unix(created, 0), OSVersion: "azurelinux-3.0", Annotations: ann,
			Layers: []HistoryLayer{{Layer: l, CreatedBy: "test"}}})
		if err != nil {
			t.Fatal(err)
		}
		return ArchImage{Arch: arch, Image: img}
	}
	ann := func(cfg, lock, created string) map[string]string {
		m := map[string]string{ConfigDigestAnnotation: cfg, CreatedAnnotation: created, "org.opencontainers.image.title": "t"}
		if lock != "" {
			m[LockDigestAnnotation] = lock
		}
		return m
	}
	amd := mk("x86_64", ann("sha256:c1", "sha256:l1", "2024-01-01T00:00:00Z"), 1704067200)
	arm := mk("aarch64", ann("sha256:c1", "sha256:l1", "2024-02-01T00:00:00Z"), 1706745600)

	oneGo, err := PublishIndex([]ArchImage{arm, amd}) // order given does not matter
	if err != nil {
		t.Fatal(err)
	}
	merged, all, err := Merge([]string{"a", "b"}, [][]ArchImage{{amd}, {arm}})
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Index(merged); err != nil {
		t.Fatal(err)
	}
	if d1, d2 := must(oneGo.Digest()), must(merged.Digest()); d1 != d2 {
		t.Errorf("merged index %s != one-go index %s", d2, d1)
	}
	if len(all) != 2 || all[0].Arch != "x86_64" {
		t.Errorf("merged images %v", all)
	}
	im := must(merged.IndexManifest())
	if im.Annotations[CreatedAnnotation] != "2024-02-01T00:00:00Z" || im.Annotations[ConfigDigestAnnotation] != "sha256:c1" {
		t.Errorf("index annotations %v", im.Annotations)
	}
	if raw := must(merged.RawManifest()); bytes.Contains(raw, []byte("artifactType")) {
		t.Errorf("index entries carry artifactType: %s", raw)
	}
	if im.Manifests[0].Platform.Architecture != "amd64" || im.Manifests[1].Platform.OSVersion != "azurelinux-3.0" {
		t.Errorf("index platforms %+v %+v", im.Manifests[0].Platform, im.Manifests[1].Platform)
	}

	for _, tc := range []struct {
		name    string
		sources [][]ArchImage
		want    string
	}{
		{"config", [][]ArchImage{{amd}, {mk("aarch64", ann("sha256:c2", "sha256:l1", "x"), 1)}}, "configuration"},
		{"lock", [][]ArchImage{{amd}, {mk("aarch64", ann("sha256:c1", "sha256:l2", "x"), 1)}}, "lockfile"},
		{"unlocked", [][]ArchImage{{amd}, {mk("aarch64", ann("sha256:c1", "", "x"), 1)}}, "lockfile"},
		{"platform", [][]ArchImage{{amd}, {mk("x86_64", ann("sha256:c1", "sha256:l1", "x"), 1)}}, "two images for platform linux/amd64"},
		{"none", [][]ArchImage{{}, {}}, "no images"},
	} {
		_, _, err := Merge([]string{"a", "b"}, tc.sources)
		var me *MergeError
		if !errors.As(err, &me) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want a MergeError about %q", tc.name, err, tc.want)
		}
	}
}

// TestSourcesRoundTrip writes a layout, loads it back as a source, and
// pushes it; then loads the pushed index as a registry source.
func TestSourcesRoundTrip(t *testing.T) {
	t.Parallel()
	idx, images := testIndex(t)
	dir := t.TempDir() + "/oci"
	if err := WriteOCILayout(dir, "v1", idx, images); err != nil {
		t.Fatal(err)
	}
	_, host := newFaultRegistry(t)
	for _, tc := range []struct {
		src   string
		want  v1.Hash
		arch  int
		isErr bool
	}{
		{"oci:" + dir + ":v1", must(idx.Digest()), 2, false},
		{"oci:" + dir + ":v1-arm64", must(images[1].Image.Digest()), 1, false},
		{"oci:" + dir, must(idx.Digest()), 2, false}, // one build: its index and TAG-ARCH entries
		{"oci:" + dir + ":nope", v1.Hash{}, 0, true},
		{"oci:" + t.TempDir(), v1.Hash{}, 0, true},
	} {
		s, err := ParseSource(tc.src, nil)
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.Load(t.Context(), PushOptions{})
		if tc.isErr {
			if err == nil {
				t.Errorf("%s: loaded", tc.src)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		ais, err := ArchImages(a)
		if err != nil || len(ais) != tc.arch {
			t.Errorf("%s: %d images, %v", tc.src, len(ais), err)
		}
		tag := strings.ReplaceAll(s.Tag, "-", "_") + "_"
		if _, err := Push(t.Context(), a, refs(t, host+"/r:"+tag), PushOptions{}); err != nil {
			t.Fatal(err)
		}
		rs, err := ParseSource("docker://"+host+"/r:"+tag, nil)
		if err != nil {
			t.Fatal(err)
		}
		ra, err := rs.Load(t.Context(), PushOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if d := must(ra.(interface{ Digest() (v1.Hash, error) }).Digest()); d != tc.want {
			t.Errorf("%s: pushed %s, want %s", tc.src, d, tc.want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"3", 3 * time.Second, true},
		{"0", 0, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{"", 0, false},
		{now.Add(5 * time.Second).Format(http.TimeFormat), 5 * time.Second, true},
		{now.Add(-5 * time.Second).Format(http.TimeFormat), 0, true},
	} {
		d, ok := parseRetryAfter(tc.v, now)
		if d != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tc.v, d, ok, tc.want, tc.ok)
		}
	}

	for _, tc := range []struct {
		name    string
		answers []string // "429:2" = 429 with Retry-After 2
		body    bool     // a request body that cannot be read again
		calls   int
		code    int
		waited  []time.Duration
	}{
		{"waits then succeeds", []string{"429:2", "200"}, false, 2, 200, []time.Duration{2 * time.Second}},
		{"503 too", []string{"503:1", "503:1", "200"}, false, 3, 200, []time.Duration{time.Second, time.Second}},
		{"gives up after 3", []string{"429:1", "429:1", "429:1", "429:1", "200"}, false, 4, 429, []time.Duration{time.Second, time.Second, time.Second}},
		{"too long a wait", []string{"429:3600", "200"}, false, 1, 429, nil},
		{"no header", []string{"429", "200"}, false, 1, 429, nil},
		{"body not replayable", []string{"429:1", "200"}, true, 1, 429, nil},
		{"500 is not its business", []string{"500:1", "200"}, false, 1, 500, nil},
	} {
		calls := 0
		base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			a := tc.answers[calls]
			calls++
			if r.Body != nil {
				io.Copy(io.Discard, r.Body)
			}
			code, after, _ := strings.Cut(a, ":")
			resp := &http.Response{Header: http.Header{}, Body: http.NoBody}
			fmt.Sscan(code, &resp.StatusCode)
			if after != "" {
				resp.Header.Set("Retry-After", after)
			}
			return resp, nil
		})
		var waited []time.Duration
		rt := &retryAfter{base: base, sleep: func(_ context.Context, d time.Duration) error { waited = append(waited, d); return nil }}
		req, _ := http.NewRequest(http.MethodPut, "http://127.0.0.1/v2/x/manifests/1", strings.NewReader("data"))
		if tc.body {
			req.GetBody = nil
		}
		resp, err := rt.RoundTrip(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if calls != tc.calls || resp.StatusCode != tc.code || fmt.Sprint(waited) != fmt.Sprint(tc.waited) {
			t.Errorf("%s: %d calls, status %d, waited %v; want %d, %d, %v", tc.name, calls, resp.StatusCode, waited, tc.calls, tc.code, tc.waited)
		}
	}
}

// FuzzParseSource: references and outputs from the command line (and CI
// variables) never panic, and what parses prints back to something that
// parses the same.
func FuzzParseSource(f *testing.F) {
	for _, s := range []string{"oci:dir", "oci:dir:tag", "docker://127.0.0.1:5000/a/b:1", "registry.example.com/r@sha256:" + strings.Repeat("a", 64),
		"docker-archive:f.tar:r:1", "docker://", "oci:", "[::1]:5000/x:y", "localhost/x:y", "a/b:c:d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if o, err := ParseOutput(s); err == nil {
			o2, err := ParseOutput(o.String())
			if err != nil || o2 != o {
				t.Errorf("ParseOutput(%q) = %+v, again %+v, %v", s, o, o2, err)
			}
		}
		src, err := ParseSource(s, []string{"reg.invalid:5000"})
		if err != nil {
			return
		}
		if src.Layout == "" && src.Archive == "" && src.Ref == nil {
			t.Errorf("ParseSource(%q): empty source", s)
		}
	})
}

// TestPushInterrupted: a push cancelled in the middle of a blob upload
// stops and leaves no tag.
func TestPushInterrupted(t *testing.T) {
	t.Parallel()
	reg, host := newFaultRegistry(t)
	idx, _ := testIndex(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	reg.cancel = cancel
	tag := refs(t, host+"/repo:1")
	_, err := Push(ctx, idx, tag, PushOptions{Backoff: fast})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if _, err := remote.Head(tag[0]); err == nil {
		t.Error("an interrupted push left the tag")
	}
	log, _ := reg.reset()
	for _, l := range log {
		if strings.HasPrefix(l, "PUT manifest") {
			t.Errorf("an interrupted push wrote a manifest: %s", l)
		}
	}
}
