package repo

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"
)

// retryNotes remembers the hosts whose retries were announced, so that a
// repository that is down gives one warning per host, not one per
// request and attempt. The zero value is ready.
type retryNotes struct {
	mu     sync.Mutex
	warned map[string]bool
}

// noteRetry logs a retry of u: every one at debug level (URL, attempt,
// delay, error), and the first for u's host as a warning of one line,
// "HOST:PORT: retrying failed requests (CAUSE)".
func (f *fetcher) noteRetry(u *url.URL, attempt int, delay time.Duration, err error) {
	f.log.Debug("retrying", "url", u.Redacted(), "attempt", attempt, "delay", delay, "err", err.Error())
	host := hostPort(u)
	n := &f.notes
	n.mu.Lock()
	first := !n.warned[host]
	if n.warned == nil {
		n.warned = map[string]bool{}
	}
	n.warned[host] = true
	n.mu.Unlock()
	if first {
		f.log.Warn(fmt.Sprintf("%s: retrying failed requests (%s)", host, retryCause(err)))
	}
}

// hostPort is u's host with its port, the scheme's default when u has
// none.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	if port == "" {
		return u.Hostname()
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// retryCause says in a few words why a request failed: the HTTP status,
// the system error ("connection refused"), a timeout, or else the
// innermost error's text.
func retryCause(err error) string {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status
	}
	if errors.Is(err, errIdle) {
		return errIdle.Error()
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.Err
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	for {
		inner := errors.Unwrap(err)
		if inner == nil {
			return err.Error()
		}
		err = inner
	}
}

// failures is several failures of one step (a repository each, a package
// each), written on one line: the first in full, then how many others
// failed and which (up to three named). errors.Is and errors.As see them
// all.
type failures struct {
	errs  []error
	names []string // of the failed items, in the order of errs
	noun  string   // "repository", "package"
}

// joinFailures returns nil when every errs[i] is nil, the only error when
// one failed, and a *failures otherwise. names[i] names item i.
func joinFailures(noun string, names []string, errs []error) error {
	f := &failures{noun: noun}
	for i, err := range errs {
		if err != nil {
			f.errs = append(f.errs, err)
			f.names = append(f.names, names[i])
		}
	}
	switch len(f.errs) {
	case 0:
		return nil
	case 1:
		return f.errs[0]
	}
	return f
}

func (f *failures) Error() string {
	others := f.names[1:]
	noun := f.noun
	if len(others) > 1 {
		noun = map[string]string{"repository": "repositories", "package": "packages"}[noun]
	}
	shown := others
	if len(shown) > 3 {
		shown = shown[:3]
	}
	list := strings.Join(shown, ", ")
	if len(shown) < len(others) {
		list += ", ..."
	}
	return fmt.Sprintf("%s (%d more %s failed too: %s)", f.errs[0], len(others), noun, list)
}

func (f *failures) Unwrap() []error { return f.errs }
