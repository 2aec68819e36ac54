package manifests

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/slipway-build/slipway/internal/origin"
)

// PushOptions tune Push.
type PushOptions struct {
	// Keychain finds the credentials of a registry; nil is anonymous.
	Keychain authn.Keychain
	// Insecure names registries (host or host:port) that may be reached
	// over plain HTTP. Loopback registries (127.0.0.0/8, ::1, localhost)
	// always may; no other registry ever is.
	Insecure []string
	// Jobs bounds the uploads under way at once (default 4).
	Jobs int
	// ArchTags also tags each architecture's image of an index as
	// TAG-ARCH (TAG-amd64, TAG-arm64).
	ArchTags bool
	// Transport is the base HTTP transport; nil clones
	// http.DefaultTransport (which is never changed) and applies TLS.
	Transport http.RoundTripper
	// TLS is how registries' certificates are checked (CAs, certs.d
	// folders, client certificates); nil trusts the system's CAs. Not
	// used when Transport is set.
	TLS *RegistryTLS
	// Backoff between retries of 408, 429, 5xx and broken connections
	// (default: 4 tries, after 1s, 2s, 4s).
	Backoff *remote.Backoff
	// Timeout is the longest one request may go without progress (no
	// byte sent or received, no answer) before it is cancelled and
	// retried like a broken connection; zero means DefaultTimeout,
	// negative none.
	Timeout time.Duration
	// Log receives progress messages; nil discards them.
	Log *slog.Logger
	// Progress, when set, is called as bytes of blobs and manifests are
	// uploaded to a repository: complete of total so far (total grows as
	// the uploads are planned). Calls come from one goroutine per push.
	Progress func(repo string, complete, total int64)
}

// ParseReference reads an image reference as given on the command line
// (registry.example.com/repo:tag or ...@sha256:...), strictly: a
// reference without a tag or digest is refused rather than read as
// :latest. Registries named in insecure may be reached over plain HTTP.
func ParseReference(s string, insecure []string) (name.Reference, error) {
	opts := []name.Option{name.StrictValidation}
	if host := registryOf(s); isLoopback(host) || contains(insecure, host) {
		opts = append(opts, name.Insecure)
	}
	ref, err := name.ParseReference(s, opts...)
	if err != nil {
		return nil, fmt.Errorf("invalid image reference %q: %w", s, err)
	}
	return ref, nil
}

// registryOf is the registry part of a reference as written, or "" when
// the reference names none (Docker Hub).
func registryOf(s string) string {
	first, _, ok := strings.Cut(s, "/")
	if !ok || !strings.ContainsAny(first, ".:") && first != "localhost" {
		return ""
	}
	return first
}

// isLoopback says whether host (host or host:port) is a loopback address
// or localhost.
func isLoopback(host string) bool { return origin.Loopback(host) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// PushResult says what Push sent.
type PushResult struct {
	Digest v1.Hash
	// Tags are the references tagged, in order.
	Tags []string
	// Repositories say, per repository in order, what was uploaded.
	Repositories []RepoPush
}

// RepoPush counts the blobs (layers and configs) of a push to one
// repository: those uploaded, and those skipped because the repository
// already had them or mounted them from another repository.
type RepoPush struct {
	Repository    string `json:"repository"`
	UploadedBlobs int    `json:"uploaded_blobs"`
	UploadedBytes int64  `json:"uploaded_bytes"`
	SkippedBlobs  int    `json:"skipped_blobs"`
	SkippedBytes  int64  `json:"skipped_bytes"`
}

// Push sends an image index or a single image to every repository of
// tags, then tags it. The order never exposes a partial image: in each
// repository all blobs, then every per-architecture manifest by digest,
// then the index by digest; only when every repository holds the whole
// image are the tags written (each a PUT of the manifest under the tag).
// A push that fails or is interrupted before that point leaves no new
// tag. Blobs a registry already has are not uploaded again; layers read
// from a registry are mounted across repositories where it allows.
func Push(ctx context.Context, artifact remote.Taggable, tags []name.Reference, opts PushOptions) (*PushResult, error) {
	if len(tags) == 0 {
		return nil, errors.New("push: no destination")
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var (
		idx    v1.ImageIndex
		img    v1.Image
		digest v1.Hash
		err    error
	)
	switch a := artifact.(type) {
	case v1.ImageIndex:
		idx = a
		digest, err = a.Digest()
	case v1.Image:
		img = a
		digest, err = a.Digest()
	default:
		return nil, fmt.Errorf("push: cannot push a %T", artifact)
	}
	if err != nil {
		return nil, fmt.Errorf("push: %w", err)
	}
	ropts := remoteOptions(ctx, opts)
	sizes, err := blobSizes(artifact)
	if err != nil {
		return nil, fmt.Errorf("push: %w", err)
	}
	res := &PushResult{Digest: digest, Tags: []string{}}

	// Every repository gets the whole image by digest first.
	seen := map[string]bool{}
	for _, t := range tags {
		repo := t.Context()
		if seen[repo.String()] {
			continue
		}
		seen[repo.String()] = true
		byDigest := repo.Digest(digest.String())
		start := time.Now()
		// The counter sits under the credential guard, like every
		// transport of a registry client.
		count := &uploadCounter{base: baseTransport(opts), committed: map[string]bool{}}
		wopts, wait := withProgress(remoteOptionsOn(ctx, opts, count), repo.String(), opts.Progress)
		if idx != nil {
			err = remote.WriteIndex(byDigest, idx, wopts...)
		} else {
			err = remote.Write(byDigest, img, wopts...)
		}
		if err == nil {
			wait() // the write closed the channel
		}
		if err != nil {
			return nil, pushError(repo.String(), err)
		}
		rp := count.result(repo.String(), sizes)
		res.Repositories = append(res.Repositories, rp)
		log.Info("pushed", "repository", repo.String(), "digest", digest.String(), "took", time.Since(start),
			"uploaded", rp.UploadedBytes, "skipped", rp.SkippedBytes)
	}

	// Then the tags: the index (or image) under each, and per-arch tags.
	for _, t := range tags {
		tag, ok := t.(name.Tag)
		if !ok {
			continue // a digest reference needs no tag
		}
		if idx != nil && opts.ArchTags {
			im, err := idx.IndexManifest()
			if err != nil {
				return nil, err
			}
			for _, d := range im.Manifests {
				if d.Platform == nil {
					continue
				}
				child, err := idx.Image(d.Digest)
				if err != nil {
					return nil, fmt.Errorf("push: image %s of the index: %w", d.Digest, err)
				}
				at := tag.Context().Tag(tag.TagStr() + "-" + d.Platform.Architecture)
				if err := remote.Tag(at, child, ropts...); err != nil {
					return nil, pushError(at.String(), err)
				}
				res.Tags = append(res.Tags, at.String())
			}
		}
		if err := remote.Tag(tag, artifact, ropts...); err != nil {
			return nil, pushError(tag.String(), err)
		}
		res.Tags = append(res.Tags, tag.String())
		log.Info("tagged", "tag", tag.String(), "digest", digest.String())
	}
	return res, nil
}

// uploadCounter notes the blobs whose upload a registry committed (the
// PUT ending an upload, answered 201); every other blob of the push was
// found in the repository or mounted.
type uploadCounter struct {
	base      http.RoundTripper
	mu        sync.Mutex
	committed map[string]bool // digests
}

func (c *uploadCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.base.RoundTrip(req)
	if err == nil && req.Method == http.MethodPut && resp.StatusCode == http.StatusCreated && strings.Contains(req.URL.Path, "/blobs/uploads/") {
		if d := req.URL.Query().Get("digest"); d != "" {
			c.mu.Lock()
			c.committed[d] = true
			c.mu.Unlock()
		}
	}
	return resp, err
}

func (c *uploadCounter) result(repo string, sizes map[v1.Hash]int64) RepoPush {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := RepoPush{Repository: repo}
	for h, n := range sizes {
		if c.committed[h.String()] {
			r.UploadedBlobs++
			r.UploadedBytes += n
		} else {
			r.SkippedBlobs++
			r.SkippedBytes += n
		}
	}
	return r
}

// blobSizes maps every blob (config and layers) of an image, or of every
// image of an index, to its size.
func blobSizes(t remote.Taggable) (map[v1.Hash]int64, error) {
	sizes := map[v1.Hash]int64{}
	var walk func(t remote.Taggable) error
	walk = func(t remote.Taggable) error {
		switch a := t.(type) {
		case v1.ImageIndex:
			im, err := a.IndexManifest()
			if err != nil {
				return err
			}
			for _, d := range im.Manifests {
				var child remote.Taggable
				switch {
				case d.MediaType.IsImage():
					child, err = a.Image(d.Digest)
				case d.MediaType.IsIndex():
					child, err = a.ImageIndex(d.Digest)
				default:
					continue
				}
				if err != nil {
					return err
				}
				if err := walk(child); err != nil {
					return err
				}
			}
		case v1.Image:
			m, err := a.Manifest()
			if err != nil {
				return err
			}
			sizes[m.Config.Digest] = m.Config.Size
			for _, l := range m.Layers {
				sizes[l.Digest] = l.Size
			}
		}
		return nil
	}
	return sizes, walk(t)
}

// withProgress adds a progress channel to ropts when fn is set; wait
// returns once the write closed it and every update was passed on.
func withProgress(ropts []remote.Option, repo string, fn func(string, int64, int64)) (_ []remote.Option, wait func()) {
	if fn == nil {
		return ropts, func() {}
	}
	ch := make(chan v1.Update, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for u := range ch {
			if u.Error == nil {
				fn(repo, u.Complete, u.Total)
			}
		}
	}()
	return append(append([]remote.Option(nil), ropts...), remote.WithProgress(ch)), func() { <-done }
}

// CheckPush checks, before anything is built, that each repository of
// refs answers and accepts pushes with the keychain's credentials. It
// opens an upload and cancels it: nothing is written.
func CheckPush(ctx context.Context, refs []name.Reference, opts PushOptions) error {
	seen := map[string]bool{}
	for _, r := range refs {
		if seen[r.Context().String()] {
			continue
		}
		seen[r.Context().String()] = true
		if err := ctx.Err(); err != nil {
			return err
		}
		kc := opts.Keychain
		if kc == nil {
			kc = authn.NewMultiKeychain()
		}
		guard := &credGuard{}
		tr := transport.NewRetry(&credTransport{base: baseTransport(opts), guard: guard}, transport.WithRetryBackoff(backoffOf(opts)),
			transport.WithRetryPredicate(retryable), transport.WithRetryStatusCodes(retryStatus...))
		if err := remote.CheckPushPermission(r, guardedKeychain{kc, guard}, tr); err != nil {
			return pushError(r.Context().String(), err)
		}
	}
	return nil
}

// retryStatus are the answers worth another try.
var retryStatus = []int{
	http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
	http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout,
}

// RemoteOptions are the go-containerregistry options of every request
// slipway makes to a registry: opts' keychain behind the credential
// guard, the transport (TLS, plain-HTTP guard, Retry-After, stall
// timeout), retries with backoff, the user agent and the upload jobs.
// Push, merge's sources, inspect, the lifecycle referrer and signing
// (sign, verify, attestations) all use them, so every registry command
// retries and times out alike.
func RemoteOptions(ctx context.Context, opts PushOptions) []remote.Option {
	return remoteOptions(ctx, opts)
}

func remoteOptions(ctx context.Context, opts PushOptions) []remote.Option {
	return remoteOptionsOn(ctx, opts, baseTransport(opts))
}

// remoteOptionsOn is remoteOptions over base, a transport that wraps
// baseTransport(opts): the credential guard always sits on top.
func remoteOptionsOn(ctx context.Context, opts PushOptions, base http.RoundTripper) []remote.Option {
	jobs := opts.Jobs
	if jobs < 1 {
		jobs = 4
	}
	backoff := backoffOf(opts)
	guard := &credGuard{}
	o := []remote.Option{
		remote.WithContext(ctx),
		remote.WithJobs(jobs),
		remote.WithTransport(&credTransport{base: base, guard: guard}),
		remote.WithUserAgent("slipway"),
		remote.WithRetryBackoff(backoff),
		remote.WithRetryStatusCodes(retryStatus...),
		remote.WithRetryPredicate(retryable),
	}
	if opts.Keychain != nil {
		o = append(o, remote.WithAuthFromKeychain(guardedKeychain{opts.Keychain, guard}))
	}
	return o
}

func backoffOf(opts PushOptions) remote.Backoff {
	if opts.Backoff != nil {
		return *opts.Backoff
	}
	return remote.Backoff{Duration: time.Second, Factor: 2, Jitter: 0.1, Steps: 4}
}

// retryable is a broken connection or a timeout; not a refused
// connection, an unknown host or a TLS failure, which do not heal.
func retryable(err error) bool {
	if err == nil || errors.Is(err, ErrCredentialsRefused) {
		return false
	}
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		return false
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed) {
		return true
	}
	var te *transport.Error
	if errors.As(err, &te) {
		for _, c := range retryStatus {
			if te.StatusCode == c {
				return true
			}
		}
		return te.Temporary()
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// baseTransport refuses plain HTTP to any registry that is neither
// loopback nor named insecure, whatever the reference library allows
// (it would try HTTP on private-network addresses).
func baseTransport(opts PushOptions) http.RoundTripper {
	base := opts.Transport
	if base == nil {
		base = newTLSTransport(opts.TLS)
	}
	d := opts.Timeout
	if d == 0 {
		d = DefaultTimeout
	}
	return &httpGuard{base: &retryAfter{base: &stallTimeout{base: base, d: d}, sleep: sleepCtx}, insecure: opts.Insecure}
}

// retryAfter waits as long as a 429 or 503 answer's Retry-After asks (up
// to maxRetryAfter, at most 3 times) before trying the request again,
// when its body can be read again. Other retries are go-containerregistry's,
// with backoff.
type retryAfter struct {
	base  http.RoundTripper
	sleep func(ctx context.Context, d time.Duration) error
}

const maxRetryAfter = 60 * time.Second

func (t *retryAfter) RoundTrip(req *http.Request) (*http.Response, error) {
	for try := 0; ; try++ {
		resp, err := t.base.RoundTrip(req)
		if err != nil || try == 3 || (resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable) {
			return resp, err
		}
		d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		if !ok || d > maxRetryAfter || (req.Body != nil && req.Body != http.NoBody && req.GetBody == nil) {
			return resp, nil
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if err := t.sleep(req.Context(), d); err != nil {
			return nil, err
		}
		if req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			req = req.Clone(req.Context())
			req.Body = body
		}
	}
}

// parseRetryAfter reads a Retry-After value: seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0, false
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	if d := t.Sub(now); d > 0 {
		return d, true
	}
	return 0, true
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}

type httpGuard struct {
	base     http.RoundTripper
	insecure []string
}

func (g *httpGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "http" && !isLoopback(req.URL.Host) && !contains(g.insecure, req.URL.Host) {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("refusing plain HTTP to %s (not loopback; name it with --insecure-registry to allow)", req.URL.Host)
	}
	return g.base.RoundTrip(req)
}

// pushError says which registry or repository failed, in words for the
// common causes.
func pushError(where string, err error) error { return registryError("pushing to", where, err) }

// readError is pushError for reading an image from a registry.
func readError(where string, err error) error { return registryError("reading", where, err) }

func registryError(doing, where string, err error) error {
	var tlsErr *TLSError // one line, without the plain-HTTP fallback's error
	if errors.As(err, &tlsErr) {
		return fmt.Errorf("%s %s: %w", doing, where, tlsErr)
	}
	var te *transport.Error
	if errors.As(err, &te) {
		switch te.StatusCode {
		case http.StatusUnauthorized:
			return fmt.Errorf("%s %s: authentication failed (check the credentials): %w", doing, where, err)
		case http.StatusForbidden:
			return fmt.Errorf("%s %s: access denied: %w", doing, where, err)
		}
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return fmt.Errorf("%s %s: unknown registry host %s: %w", doing, where, dns.Name, err)
	}
	return fmt.Errorf("%s %s: %w", doing, where, err)
}
