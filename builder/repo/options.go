package repo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Option configures Open and Load.
type Option func(*options) error

type options struct {
	log      *slog.Logger
	cacheDir string
	client   *http.Client
	proxy    func(*http.Request) (*url.URL, error)
	timeout  time.Duration
	auth     map[string]basicAuth

	retries       int
	backoff       time.Duration
	maxRetryAfter time.Duration
	maxOpenSize   int64
	sleep         func(context.Context, time.Duration) error

	fetcher *fetcher
}

// WithLogger sets the logger; the default discards.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return errors.New("repo: WithLogger: nil logger")
		}
		o.log = l
		return nil
	}
}

// WithCacheDir keeps parsed metadata under dir/metadata. Without it every
// load downloads and parses again.
func WithCacheDir(dir string) Option {
	return func(o *options) error {
		if dir == "" {
			return errors.New("repo: WithCacheDir: empty directory")
		}
		o.cacheDir = dir
		return nil
	}
}

// WithHTTPClient sets the HTTP client. It replaces WithProxy and
// WithTimeout, which configure the client built by default.
func WithHTTPClient(c *http.Client) Option {
	return func(o *options) error {
		if c == nil {
			return errors.New("repo: WithHTTPClient: nil client")
		}
		o.client = c
		return nil
	}
}

// WithProxy sets the proxy function of the default client; the command
// line passes http.ProxyFromEnvironment.
func WithProxy(p func(*http.Request) (*url.URL, error)) Option {
	return func(o *options) error {
		o.proxy = p
		return nil
	}
}

// WithTimeout bounds connecting, waiting for response headers, and any
// stretch of a download without data (not the whole download): a stalled
// request is cancelled and retried. Default 30s.
func WithTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("repo: WithTimeout: %v is not positive", d)
		}
		o.timeout = d
		return nil
	}
}

// WithBasicAuth sets HTTP basic auth credentials for repository id. See
// [AuthEnvNames] for where the command line reads them from.
func WithBasicAuth(id, user, password string) Option {
	return func(o *options) error {
		if id == "" {
			return errors.New("repo: WithBasicAuth: empty repository id")
		}
		if o.auth == nil {
			o.auth = map[string]basicAuth{}
		}
		o.auth[id] = basicAuth{user: user, password: password}
		return nil
	}
}

// WithRetries sets how many times a request is retried after a 5xx, a 429
// or a network error, and the first backoff delay (doubled each time).
// Default 4 retries, 500ms.
func WithRetries(n int, backoff time.Duration) Option {
	return func(o *options) error {
		if n < 0 || backoff < 0 {
			return fmt.Errorf("repo: WithRetries(%d, %v): negative", n, backoff)
		}
		o.retries, o.backoff = n, backoff
		return nil
	}
}

// WithMaxRetryAfter caps how long a Retry-After header can make a retry
// wait. Default 60s.
func WithMaxRetryAfter(d time.Duration) Option {
	return func(o *options) error {
		if d < 0 {
			return fmt.Errorf("repo: WithMaxRetryAfter: %v is negative", d)
		}
		o.maxRetryAfter = d
		return nil
	}
}

// WithMaxOpenSize bounds the decompressed size of a metadata file whose
// repomd.xml record gives no open-size. Default 4 GiB.
func WithMaxOpenSize(n int64) Option {
	return func(o *options) error {
		if n <= 0 {
			return fmt.Errorf("repo: WithMaxOpenSize: %d is not positive", n)
		}
		o.maxOpenSize = n
		return nil
	}
}

// withSleep replaces the retry delay (tests).
func withSleep(f func(context.Context, time.Duration) error) Option {
	return func(o *options) error {
		o.sleep = f
		return nil
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func buildOptions(opts []Option) (*options, error) {
	o := &options{
		log:           slog.New(slog.DiscardHandler),
		timeout:       30 * time.Second,
		retries:       4,
		backoff:       500 * time.Millisecond,
		maxRetryAfter: 60 * time.Second,
		maxOpenSize:   4 << 30,
		sleep:         sleepCtx,
	}
	for _, opt := range opts {
		if err := opt(o); err != nil {
			return nil, err
		}
	}
	if o.client == nil {
		dialer := &net.Dialer{Timeout: o.timeout, KeepAlive: 30 * time.Second}
		tr := &http.Transport{
			Proxy:                 o.proxy,
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          32,
			MaxIdleConnsPerHost:   8,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   o.timeout,
			ResponseHeaderTimeout: o.timeout,
			ExpectContinueTimeout: time.Second,
		}
		o.client = &http.Client{Transport: tr}
	}
	o.fetcher = &fetcher{
		client:        withRedirectCheck(o.client),
		log:           o.log,
		retries:       o.retries,
		backoff:       o.backoff,
		maxRetryAfter: o.maxRetryAfter,
		sleep:         o.sleep,
		idle:          o.timeout,
	}
	return o, nil
}
