package manifests

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// DefaultTimeout is how long a registry may go without progress on one
// request when PushOptions.Timeout is zero.
const DefaultTimeout = 2 * time.Minute

// ErrStalled is the cause of a request cancelled because the registry
// made no progress for the timeout. It is a timeout (net.Error style),
// so the push retries it like a broken connection.
var ErrStalled = errors.New("registry made no progress")

// stallError says which request stalled and for how long.
type stallError struct {
	method, host string
	d            time.Duration
}

func (e *stallError) Error() string {
	return fmt.Sprintf("%s %s: %s for %v", e.method, e.host, ErrStalled, e.d)
}
func (e *stallError) Unwrap() error   { return ErrStalled }
func (e *stallError) Timeout() bool   { return true }
func (e *stallError) Temporary() bool { return true }

// stallTimeout cancels a request when nothing moves for d: no request
// body byte read by the transport, no answer, no response body byte.
// A large upload or download that keeps moving is never cut; a registry
// that stops answering is, after d. (A whole-request deadline would
// have to guess the size of the largest layer.)
type stallTimeout struct {
	base http.RoundTripper
	d    time.Duration
}

type watchdog struct {
	mu    sync.Mutex
	timer *time.Timer
	d     time.Duration
	ctx   context.Context
}

func (w *watchdog) kick() {
	w.mu.Lock()
	w.timer.Reset(w.d)
	w.mu.Unlock()
}

func (w *watchdog) stop() {
	w.mu.Lock()
	w.timer.Stop()
	w.mu.Unlock()
}

// explain returns the stall error in place of err when the watchdog
// fired.
func (w *watchdog) explain(err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	var se *stallError
	if errors.As(context.Cause(w.ctx), &se) && !errors.Is(err, ErrStalled) {
		return fmt.Errorf("%w: %w", se, err)
	}
	return err
}

func (s *stallTimeout) RoundTrip(req *http.Request) (*http.Response, error) {
	if s.d <= 0 {
		return s.base.RoundTrip(req)
	}
	ctx, cancel := context.WithCancelCause(req.Context())
	w := &watchdog{d: s.d, ctx: ctx}
	se := &stallError{method: req.Method, host: req.URL.Host, d: s.d}
	w.timer = time.AfterFunc(s.d, func() { cancel(se) })
	r := req.Clone(ctx)
	if req.Body != nil && req.Body != http.NoBody {
		r.Body = &kickReader{rc: req.Body, w: w}
	}
	if req.GetBody != nil {
		r.GetBody = func() (io.ReadCloser, error) {
			b, err := req.GetBody()
			if err != nil || b == nil || b == http.NoBody {
				return b, err
			}
			return &kickReader{rc: b, w: w}, nil
		}
	}
	resp, err := s.base.RoundTrip(r)
	if err != nil {
		w.stop()
		err = w.explain(err)
		cancel(nil)
		return nil, err
	}
	w.kick()
	resp.Body = &kickReader{rc: resp.Body, w: w, done: func() { w.stop(); cancel(nil) }}
	return resp, nil
}

// kickReader resets the watchdog on every read that moves.
type kickReader struct {
	rc   io.ReadCloser
	w    *watchdog
	done func()
	once sync.Once
}

func (k *kickReader) Read(p []byte) (int, error) {
	n, err := k.rc.Read(p)
	if n > 0 {
		k.w.kick()
	}
	return n, k.w.explain(err)
}

func (k *kickReader) Close() error {
	err := k.rc.Close()
	if k.done != nil {
		k.once.Do(k.done)
	}
	return err
}
