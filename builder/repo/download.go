package repo

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/slipway-build/slipway/internal/localfile"
)

// PackageFile says where a package file comes from and how to check it.
type PackageFile struct {
	Name     string // the package's NEVRA, for messages
	RepoID   string
	BaseURL  string // the repository's base URL, variables expanded
	Location string // href relative to BaseURL
	Checksum Checksum
	Size     int64 // expected size in bytes; 0 or less when unknown
}

// ErrNotCached is returned by an offline fetch of a package that is not in
// the cache.
var ErrNotCached = errors.New("not in the cache")

// Downloader fetches package files into a content-addressed cache:
// CACHE/packages/TYPE/HEX.rpm. A file enters the cache only after its
// checksum passed (written as HEX.rpm.part, checked, renamed); an entry is
// checked again each time it is used and fetched anew when damaged.
// Interrupted downloads resume where the server allows byte ranges. Several
// processes may share one cache: a download holds a lock on its entry.
type Downloader struct {
	o *options
}

// NewDownloader makes a Downloader; WithCacheDir is required.
func NewDownloader(opts ...Option) (*Downloader, error) {
	o, err := buildOptions(opts)
	if err != nil {
		return nil, err
	}
	if o.cacheDir == "" {
		return nil, errors.New("repo: a package download needs a cache directory")
	}
	return &Downloader{o: o}, nil
}

// FetchOptions tune Fetch.
type FetchOptions struct {
	// Jobs bounds the downloads under way at once (default 4).
	Jobs int
	// Offline uses only the cache: a missing package is an error naming it.
	Offline bool
	// Progress, when set, is called after each package with the count done.
	Progress func(done, total int, f PackageFile)
}

// Fetch makes every file available in the cache and returns their paths, in
// the order of files.
func (d *Downloader) Fetch(ctx context.Context, files []PackageFile, fo FetchOptions) ([]string, error) {
	jobs := fo.Jobs
	if jobs <= 0 {
		jobs = 4
	}
	paths := make([]string, len(files))
	errs := make([]error, len(files))
	sem := make(chan struct{}, jobs)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for i := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := ctx.Err(); err != nil {
				errs[i] = err
				return
			}
			paths[i], errs[i] = d.fetchOne(ctx, files[i], fo.Offline)
			if errs[i] == nil && fo.Progress != nil {
				mu.Lock()
				done++
				fo.Progress(done, len(files), files[i])
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f.Name
	}
	if err := joinFailures("package", names, errs); err != nil {
		return nil, err
	}
	return paths, nil
}

// CachePath is where a file with this checksum lives in the cache.
func (d *Downloader) CachePath(sum Checksum) (string, error) {
	typ := strings.ToLower(sum.Type)
	if _, err := newHash(typ); err != nil {
		return "", err
	}
	if sum.Value == "" || strings.Trim(strings.ToLower(sum.Value), "0123456789abcdef") != "" {
		return "", fmt.Errorf("checksum %q is not hex", sum.Value)
	}
	return filepath.Join(d.o.cacheDir, "packages", typ, strings.ToLower(sum.Value)+".rpm"), nil
}

func (d *Downloader) fetchOne(ctx context.Context, f PackageFile, offline bool) (string, error) {
	dst, err := d.CachePath(f.Checksum)
	if err != nil {
		return "", fmt.Errorf("%s: %w", f.Name, err)
	}
	if err := verifyPackageFile(dst, f.Checksum, f.Size); err == nil {
		return dst, nil
	} else if !os.IsNotExist(err) {
		d.o.log.Warn("cached package is damaged; fetching it again", "package", f.Name, "err", err.Error())
		if offline {
			return "", fmt.Errorf("%s: cached file %s is damaged (%v) and --offline forbids fetching it", f.Name, dst, err)
		}
	}
	if offline {
		return "", fmt.Errorf("%s (%s): %w; run once without --offline to fetch it", f.Name, f.Location, ErrNotCached)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", fmt.Errorf("%s: %w", f.Name, err)
	}
	unlock, err := lockFile(ctx, dst+".lock")
	if err != nil {
		return "", fmt.Errorf("%s: locking cache entry: %w", f.Name, err)
	}
	defer unlock()
	// Another process may have finished it while we waited.
	if err := verifyPackageFile(dst, f.Checksum, f.Size); err == nil {
		return dst, nil
	}
	u, auth, err := d.packageURL(f)
	if err != nil {
		return "", fmt.Errorf("%s: %w", f.Name, err)
	}
	part := dst + ".part"
	if err := d.download(ctx, u, auth, part, f.Size); err != nil {
		return "", fmt.Errorf("downloading %s from %s: %w", f.Name, u.Redacted(), err)
	}
	if err := verifyPackageFile(part, f.Checksum, f.Size); err != nil {
		os.Remove(part) // a resumed file that does not check out starts over next time
		return "", fmt.Errorf("%s from %s: %w", f.Name, u.Redacted(), err)
	}
	if err := os.Rename(part, dst); err != nil {
		return "", fmt.Errorf("%s: %w", f.Name, err)
	}
	d.o.log.Debug("fetched", "package", f.Name, "path", dst)
	return dst, nil
}

func (d *Downloader) packageURL(f PackageFile) (*url.URL, *basicAuth, error) {
	base, auth, err := parseBaseURL(f.BaseURL)
	if err != nil {
		return nil, nil, err
	}
	if a, ok := d.o.auth[f.RepoID]; ok {
		auth = &a
	}
	auth = auth.bind(base)
	loc, err := url.Parse(f.Location)
	if err != nil || loc.IsAbs() || strings.HasPrefix(f.Location, "/") || strings.Contains("/"+path.Clean(f.Location)+"/", "/../") ||
		strings.HasPrefix(loc.Path, "/") || strings.Contains("/"+path.Clean(loc.Path)+"/", "/../") { // %2e%2e decodes to ..
		return nil, nil, fmt.Errorf("location %q is not a path inside the repository", f.Location)
	}
	u := *base
	u.Path = strings.TrimSuffix(u.Path, "/") + "/" + loc.Path
	u.RawPath = ""
	return &u, auth, nil
}

// verifyPackageFile checks a file's size (when known) and checksum.
func verifyPackageFile(p string, sum Checksum, size int64) error {
	fh, st, err := localfile.Open(p, "")
	if err != nil {
		return err
	}
	defer fh.Close()
	if size > 0 {
		if st.Size() != size {
			return fmt.Errorf("%w: %d bytes, want %d", ErrChecksum, st.Size(), size)
		}
	}
	h, err := newHash(strings.ToLower(sum.Type))
	if err != nil {
		return err
	}
	if _, err := io.Copy(h, fh); err != nil {
		return err
	}
	if got := fmt.Sprintf("%x", h.Sum(nil)); got != strings.ToLower(sum.Value) {
		return fmt.Errorf("%w: %s %s, want %s", ErrChecksum, sum.Type, got, sum.Value)
	}
	return nil
}

// download fetches u into part, resuming from what part already holds
// when the server answers a byte range, and retrying like metadata fetches.
func (d *Downloader) download(ctx context.Context, u *url.URL, auth *basicAuth, part string, size int64) error {
	if u.Scheme == "file" {
		return copyLocal(u.Path, part, size)
	}
	f := d.o.fetcher
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		delay, err := d.tryRange(ctx, u, auth, part, size)
		if err == nil {
			return nil
		}
		if delay < 0 || attempt >= f.retries {
			if attempt > 0 && delay >= 0 {
				return fmt.Errorf("giving up after %d attempts: %w", attempt+1, err)
			}
			return err
		}
		if delay == 0 {
			delay = f.backoff << attempt
		}
		f.noteRetry(u, attempt+1, delay, err)
		if err := f.sleep(ctx, delay); err != nil {
			return err
		}
	}
}

// tryRange makes one request; the delay means as in fetcher.try.
func (d *Downloader) tryRange(ctx context.Context, u *url.URL, auth *basicAuth, part string, size int64) (time.Duration, error) {
	fh, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return -1, err
	}
	defer fh.Close()
	have, err := fh.Seek(0, io.SeekEnd)
	if err != nil {
		return -1, err
	}
	if size > 0 && have >= size {
		// Complete (or too long): let the checksum decide, starting over
		// if it fails.
		if have == size {
			return 0, nil
		}
		have = 0
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return -1, fmt.Errorf("GET %s: %w", u.Redacted(), err)
	}
	if auth != nil {
		auth.apply(req)
	}
	if have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
	}
	resp, err := d.o.fetcher.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return -1, ctx.Err()
		}
		if re := redirectRefused(err); re != nil {
			return -1, fmt.Errorf("GET %s: %w", u.Redacted(), re)
		}
		return 0, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusOK:
		have = 0
	case resp.StatusCode == http.StatusPartialContent && have > 0:
		d.o.log.Debug("resuming download", "url", u.Redacted(), "from", have)
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable:
		// What we hold is not a prefix the server knows: start over.
		if err := fh.Truncate(0); err != nil {
			return -1, err
		}
		return 0, &StatusError{URL: u.Redacted(), StatusCode: resp.StatusCode, Status: resp.Status}
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		delay := retryAfter(resp.Header.Get("Retry-After"), time.Now())
		if delay > d.o.fetcher.maxRetryAfter {
			delay = d.o.fetcher.maxRetryAfter
		}
		return delay, &StatusError{URL: u.Redacted(), StatusCode: resp.StatusCode, Status: resp.Status}
	default:
		return -1, &StatusError{URL: u.Redacted(), StatusCode: resp.StatusCode, Status: resp.Status}
	}
	if err := fh.Truncate(have); err != nil {
		return -1, err
	}
	if _, err := fh.Seek(have, io.SeekStart); err != nil {
		return -1, err
	}
	limit := int64(1) << 40
	if size > 0 {
		limit = size - have
	}
	n, err := io.Copy(fh, io.LimitReader(resp.Body, limit+1))
	if err != nil {
		if ctx.Err() != nil {
			return -1, ctx.Err()
		}
		// Keep what arrived: the next attempt resumes from it.
		return 0, fmt.Errorf("GET %s: reading body: %w", u.Redacted(), err)
	}
	if n > limit {
		return -1, fmt.Errorf("%s: %w (%d bytes)", u.Redacted(), ErrTooLarge, size)
	}
	return 0, fh.Sync()
}

func copyLocal(src, dst string, size int64) error {
	in, _, err := localfile.Open(src, "")
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	limit := int64(1) << 40
	if size > 0 {
		limit = size
	}
	n, err := io.Copy(out, io.LimitReader(in, limit+1))
	if err == nil && n > limit {
		err = fmt.Errorf("%s: %w (%d bytes)", src, ErrTooLarge, size)
	}
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// lockFile takes an exclusive lock on path (created if needed), waiting
// until ctx ends.
func lockFile(ctx context.Context, p string) (func(), error) {
	fh, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		ok, err := tryLock(fh)
		if err != nil {
			fh.Close()
			return nil, err
		}
		if ok {
			return func() {
				unlock(fh)
				fh.Close()
			}, nil
		}
		select {
		case <-ctx.Done():
			fh.Close()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// KeyRing reads armored public keys (paths or file, http, https URLs), as
// a repository's gpgkey lists them, for checking package signatures.
func (d *Downloader) KeyRing(ctx context.Context, keys []string) (openpgp.EntityList, error) {
	return loadKeyRing(ctx, d.o.fetcher, keys)
}

// NewHash returns the hash a repository names by type ("sha256", "sha",
// "sha1", "sha512", "sha384", "sha224", "md5").
func NewHash(typ string) (hash.Hash, error) { return newHash(strings.ToLower(typ)) }

// VerifyFile checks a file's size (when size > 0) and checksum; a
// mismatch wraps ErrChecksum.
func VerifyFile(path string, sum Checksum, size int64) error {
	return verifyPackageFile(path, sum, size)
}
