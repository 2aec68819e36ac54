package repo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
)

// records keeps the level and message of every log record.
type records struct {
	mu   sync.Mutex
	msgs []string // "WARN msg"
}

func (r *records) Enabled(context.Context, slog.Level) bool { return true }
func (r *records) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *records) WithGroup(string) slog.Handler            { return r }
func (r *records) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, rec.Level.String()+" "+rec.Message)
	return nil
}

func (r *records) level(l slog.Level) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, m := range r.msgs {
		if rest, ok := strings.CutPrefix(m, l.String()+" "); ok {
			out = append(out, rest)
		}
	}
	return out
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestRetryLogOnePerHost: repositories that are down give one warning per
// host with the cause in a few words (every attempt at debug level), and
// one error line naming the first failure in full and the others.
func TestRetryLogOnePerHost(t *testing.T) {
	t.Parallel()
	down := closedPort(t)
	busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "busy", http.StatusServiceUnavailable)
	}))
	t.Cleanup(busy.Close)
	busyAddr := strings.TrimPrefix(busy.URL, "http://")
	cfgs := []Config{
		{ID: "a", BaseURL: "http://" + down + "/a"},
		{ID: "b", BaseURL: "http://" + down + "/b"},
		{ID: "c", BaseURL: busy.URL + "/c"},
	}
	var rec records
	var sl sleeps
	_, err := Load(t.Context(), cfgs, "x86_64", WithLogger(slog.New(&rec)), withSleep(sl.sleep))
	if err == nil {
		t.Fatal("loaded repositories that are down")
	}
	warns := rec.level(slog.LevelWarn)
	slices.Sort(warns)
	want := []string{
		busyAddr + ": retrying failed requests (503 Service Unavailable)",
		down + ": retrying failed requests (connection refused)",
	}
	slices.Sort(want)
	if !slices.Equal(warns, want) {
		t.Errorf("warnings:\n%s\nwant\n%s", strings.Join(warns, "\n"), strings.Join(want, "\n"))
	}
	if n := len(rec.level(slog.LevelDebug)); n != 3*4 {
		t.Errorf("%d retries logged at debug level, want 12 (3 repositories, 4 retries each)", n)
	}
	wantErr := fmt.Sprintf(`repo a: fetching repomd.xml: giving up after 5 attempts: Get "http://%s/a/repodata/repomd.xml": dial tcp %s: connect: connection refused (2 more repositories failed too: b, c)`, down, down)
	if err.Error() != wantErr {
		t.Errorf("error\n%s\nwant\n%s", err, wantErr)
	}
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("errors.As does not reach repository c's status: %v", se)
	}
}

func TestJoinFailures(t *testing.T) {
	t.Parallel()
	e := func(s string) error { return errors.New(s) }
	names := []string{"p1", "p2", "p3", "p4", "p5", "p6"}
	for _, tc := range []struct {
		errs []error
		want string
	}{
		{make([]error, 6), ""},
		{[]error{nil, e("p2: broken"), nil, nil, nil, nil}, "p2: broken"},
		{[]error{nil, e("p2: broken"), e("x"), nil, nil, nil}, "p2: broken (1 more package failed too: p3)"},
		{[]error{e("p1: broken"), e("x"), e("x"), e("x"), e("x"), nil}, "p1: broken (4 more packages failed too: p2, p3, p4, ...)"},
	} {
		err := joinFailures("package", names, tc.errs)
		if got := fmt.Sprint(err); tc.want == "" && err != nil || tc.want != "" && got != tc.want {
			t.Errorf("joinFailures = %v, want %q", err, tc.want)
		}
	}
}

func TestHostPort(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://repo.example/x":    "repo.example:443",
		"http://repo.example/x":     "repo.example:80",
		"http://user:pw@[::1]:81/x": "[::1]:81",
	} {
		u, err := url.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := hostPort(u); got != want {
			t.Errorf("hostPort(%s) = %s, want %s", in, got, want)
		}
	}
}
