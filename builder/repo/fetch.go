package repo

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/slipway-build/slipway/internal/localfile"
	"github.com/slipway-build/slipway/internal/origin"
)

// StatusError is an HTTP response that is not 200 and not worth retrying
// (or still failing after the retries).
type StatusError struct {
	URL        string // redacted
	StatusCode int
	Status     string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("GET %s: %s", e.URL, e.Status)
}

// NotFound reports whether the error is a 404 or a missing local file.
func isNotFound(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.StatusCode == http.StatusNotFound || se.StatusCode == http.StatusGone
	}
	return errors.Is(err, os.ErrNotExist)
}

// ErrTooLarge is returned when a file is larger than its stated size or a
// limit.
var ErrTooLarge = errors.New("larger than allowed")

type fetcher struct {
	client        *http.Client
	log           *slog.Logger
	retries       int
	backoff       time.Duration
	maxRetryAfter time.Duration
	sleep         func(context.Context, time.Duration) error
	// idle bounds how long a request may go without receiving data
	// (headers or body); zero means no bound.
	idle  time.Duration
	notes retryNotes
}

// errIdle cancels a request that received nothing for too long.
var errIdle = errors.New("no data received within the timeout")

// bodyError marks an error reading a response body: a network failure, so
// the request is retried.
type bodyError struct{ err error }

func (e *bodyError) Error() string { return e.err.Error() }
func (e *bodyError) Unwrap() error { return e.err }

type bodyReader struct {
	r    io.Reader
	idle *time.Timer
	d    time.Duration
}

func (b bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if n > 0 && b.idle != nil {
		b.idle.Reset(b.d)
	}
	if err != nil && err != io.EOF {
		err = &bodyError{err}
	}
	return n, err
}

// fetchBytes reads u whole; more than limit bytes is an error.
func (f *fetcher) fetchBytes(ctx context.Context, u *url.URL, auth *basicAuth, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	err := f.get(ctx, u, auth, func(r io.Reader) error {
		buf.Reset()
		n, err := io.Copy(&buf, io.LimitReader(r, limit+1))
		if err != nil {
			return err
		}
		if n > limit {
			return fmt.Errorf("%s: %w (%d bytes)", u.Redacted(), ErrTooLarge, limit)
		}
		return nil
	})
	return buf.Bytes(), err
}

// fetchToFile writes u to w (truncated before each attempt); more than
// limit bytes is an error.
func (f *fetcher) fetchToFile(ctx context.Context, u *url.URL, auth *basicAuth, w *os.File, limit int64) error {
	return f.get(ctx, u, auth, func(r io.Reader) error {
		if _, err := w.Seek(0, io.SeekStart); err != nil {
			return err
		}
		if err := w.Truncate(0); err != nil {
			return err
		}
		n, err := io.Copy(w, io.LimitReader(r, limit+1))
		if err != nil {
			return err
		}
		if n > limit {
			return fmt.Errorf("%s: %w (%d bytes)", u.Redacted(), ErrTooLarge, limit)
		}
		return nil
	})
}

// get fetches u and hands the body to consume, retrying on 5xx, 429 and
// network errors (including errors while reading the body). file:// URLs
// are read from disk.
func (f *fetcher) get(ctx context.Context, u *url.URL, auth *basicAuth, consume func(io.Reader) error) error {
	if u.Scheme == "file" {
		fh, _, err := localfile.Open(u.Path, "")
		if err != nil {
			return err
		}
		defer fh.Close()
		return consume(fh)
	}
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		delay, err := f.try(ctx, u, auth, consume)
		if err == nil {
			return nil
		}
		if delay < 0 {
			return err
		}
		if attempt >= f.retries {
			return fmt.Errorf("giving up after %d attempts: %w", attempt+1, err)
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

// try makes one request. A negative delay means the error is final; zero
// means retry after the usual backoff; positive, retry after that long.
func (f *fetcher) try(parent context.Context, u *url.URL, auth *basicAuth, consume func(io.Reader) error) (time.Duration, error) {
	where := u.Redacted()
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	var idle *time.Timer
	if f.idle > 0 {
		idle = time.AfterFunc(f.idle, func() { cancel(errIdle) })
		defer idle.Stop()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return -1, fmt.Errorf("GET %s: %w", where, err)
	}
	if auth != nil {
		auth.apply(req)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		if parent.Err() != nil {
			return -1, parent.Err()
		}
		if context.Cause(ctx) == errIdle {
			return 0, fmt.Errorf("GET %s: %w (%v)", where, errIdle, f.idle)
		}
		var certErr *tls.CertificateVerificationError
		if errors.As(err, &certErr) {
			return -1, err // retrying will not change the certificate
		}
		if re := redirectRefused(err); re != nil {
			return -1, fmt.Errorf("GET %s: %w", where, re) // nor the redirect
		}
		// *url.Error carries the URL we built, which has no user info.
		return 0, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusOK:
		err := consume(bodyReader{r: resp.Body, idle: idle, d: f.idle})
		var be *bodyError
		if errors.As(err, &be) {
			if parent.Err() != nil {
				return -1, parent.Err()
			}
			if context.Cause(ctx) == errIdle {
				return 0, fmt.Errorf("GET %s: reading body: %w (%v)", where, errIdle, f.idle)
			}
			return 0, fmt.Errorf("GET %s: reading body: %w", where, be.err)
		}
		if err != nil {
			return -1, err
		}
		return 0, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		d := retryAfter(resp.Header.Get("Retry-After"), time.Now())
		if d > f.maxRetryAfter {
			d = f.maxRetryAfter
		}
		return d, &StatusError{URL: where, StatusCode: resp.StatusCode, Status: resp.Status}
	default:
		return -1, &StatusError{URL: where, StatusCode: resp.StatusCode, Status: resp.Status}
	}
}

// retryAfter parses a Retry-After value: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > 1<<20 {
			n = 1 << 20
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// ErrRedirectRefused is wrapped by the error of a request whose redirect
// was refused: to a scheme other than http or https, from https to plain
// http, or past maxRedirects. It is final: the request is not retried.
var ErrRedirectRefused = errors.New("redirect refused")

const maxRedirects = 10

// redirectError is what checkRedirect returns; the client wraps it in a
// *url.Error.
type redirectError struct{ msg string }

func (e *redirectError) Error() string { return e.msg }
func (e *redirectError) Unwrap() error { return ErrRedirectRefused }

// redirectRefused returns the *redirectError inside a client error, or nil.
func redirectRefused(err error) *redirectError {
	var re *redirectError
	if errors.As(err, &re) {
		return re
	}
	return nil
}

// withRedirectCheck returns a copy of c (c itself is not changed) whose
// redirects follow the credentials rule: only http and https, never from
// https down to http, and the Authorization header only to the origin of
// the first request ([origin.Check]); a redirect elsewhere is followed
// without it. c's own CheckRedirect, if any, is asked after these checks.
func withRedirectCheck(c *http.Client) *http.Client {
	cc := *c
	next := c.CheckRedirect
	cc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		to := req.URL.Redacted()
		if len(via) >= maxRedirects {
			return &redirectError{fmt.Sprintf("%s after %d redirects (%s)", ErrRedirectRefused, len(via), to)}
		}
		switch req.URL.Scheme {
		case "http", "https":
		default:
			return &redirectError{fmt.Sprintf("%s: %s is not http or https", ErrRedirectRefused, to)}
		}
		if via[len(via)-1].URL.Scheme == "https" && req.URL.Scheme == "http" {
			return &redirectError{fmt.Sprintf("%s: %s would leave https for plain http", ErrRedirectRefused, to)}
		}
		if origin.Check(via[0].URL, req.URL) != nil {
			req.Header.Del("Authorization")
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
	return &cc
}
