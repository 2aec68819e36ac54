package repo

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/slipway-build/slipway/internal/testrepo"
)

// recorder is an HTTP server serving dir on a given host, recording the
// Authorization header of every request.
type recorder struct {
	*httptest.Server
	URL  string // with the host name asked for (localhost, 127.0.0.1, [::1])
	mu   sync.Mutex
	auth []string // Authorization of every request, in order
}

// listen opens a loopback listener on host ("127.0.0.1", "localhost",
// "[::1]"); ok is false when host has no such address here.
func listen(t *testing.T, host string) (net.Listener, bool) {
	t.Helper()
	addr := strings.Trim(host, "[]")
	if host == "localhost" {
		addr = "127.0.0.1"
	}
	l, err := net.Listen("tcp", net.JoinHostPort(addr, "0"))
	if err != nil {
		return nil, false
	}
	return l, true
}

func newRecorder(t *testing.T, host string, h http.Handler) *recorder {
	t.Helper()
	l, ok := listen(t, host)
	if !ok {
		t.Skipf("no loopback address for %s here", host)
	}
	rec := &recorder{}
	rec.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.auth = append(rec.auth, r.Header.Get("Authorization"))
		rec.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	rec.Server.Listener.Close()
	rec.Server.Listener = l
	rec.Start()
	t.Cleanup(rec.Close)
	_, port, _ := net.SplitHostPort(l.Addr().String())
	rec.URL = "http://" + net.JoinHostPort(strings.Trim(host, "[]"), port)
	return rec
}

// sawAuth reports whether any request reached the server with an
// Authorization header.
func (r *recorder) sawAuth() (n int, with int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, a := range r.auth {
		if a != "" {
			with++
		}
	}
	return len(r.auth), with
}

// TestRedirectCredentials redirects repomd.xml of a repository with basic
// auth to another origin (another port of the same IP, of localhost, of
// [::1]): the redirect is followed without the credentials. A redirect on
// the same origin keeps them; one to file:// or ftp:// is a final error,
// not retried.
func TestRedirectCredentials(t *testing.T) {
	t.Parallel()
	tr := testrepo.Get(t)
	dir := tr.Dir["x86_64"]
	const user, pass = "u", "a" // a one-letter password must not mangle errors
	cases := []struct {
		name    string
		host    string // of the repository
		other   string // host of the redirect target ("" = same server)
		target  string // a fixed redirect target instead
		wantErr string
	}{
		{name: "another port of 127.0.0.1", host: "127.0.0.1", other: "127.0.0.1"},
		{name: "another port of localhost", host: "localhost", other: "localhost"},
		{name: "localhost from 127.0.0.1", host: "127.0.0.1", other: "localhost"},
		{name: "another port of [::1]", host: "[::1]", other: "[::1]"},
		{name: "same origin", host: "127.0.0.1"}, // /moved/ needs the credentials
		{name: "to file://", host: "127.0.0.1", target: "file:///etc/passwd",
			wantErr: "repo r: fetching repomd.xml: GET http://HOST/repodata/repomd.xml: redirect refused: file:///etc/passwd is not http or https"},
		{name: "to ftp://", host: "localhost", target: "ftp://u:secret@localhost/x",
			wantErr: "repo r: fetching repomd.xml: GET http://HOST/repodata/repomd.xml: redirect refused: ftp://u:xxxxx@localhost/x is not http or https"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			files := http.FileServer(http.Dir(dir))
			var other *recorder
			if tc.other != "" {
				other = newRecorder(t, tc.other, files)
			}
			srv := newRecorder(t, tc.host, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/repodata/repomd.xml" {
					switch {
					case tc.target != "":
						http.Redirect(w, r, tc.target, http.StatusFound)
					case other != nil:
						http.Redirect(w, r, other.URL+"/repodata/repomd.xml", http.StatusFound)
					default:
						http.Redirect(w, r, "/moved/repodata/repomd.xml", http.StatusFound)
					}
					return
				}
				if u, p, ok := r.BasicAuth(); !ok || u != user || p != pass {
					http.Error(w, "who are you", http.StatusUnauthorized)
					return
				}
				if strings.HasPrefix(r.URL.Path, "/moved/") {
					http.StripPrefix("/moved", files).ServeHTTP(w, r)
					return
				}
				files.ServeHTTP(w, r)
			}))
			var sl sleeps
			_, err := Open(t.Context(), Config{ID: "r", BaseURL: srv.URL}, WithBasicAuth("r", user, pass), withSleep(sl.sleep))
			if tc.wantErr != "" {
				want := strings.ReplaceAll(tc.wantErr, "HOST", strings.TrimPrefix(srv.URL, "http://"))
				if err == nil || err.Error() != want {
					t.Fatalf("error %v\nwant       %s", err, want)
				}
				if len(sl.d) != 0 {
					t.Errorf("a refused redirect was retried %d times", len(sl.d))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if other != nil {
				n, with := other.sawAuth()
				if n == 0 || with != 0 {
					t.Errorf("the other origin got %d requests, %d with credentials", n, with)
				}
			}
		})
	}
}

// xmlBaseRepo copies the x86_64 test repository's repodata to a new
// folder and gives repomd.xml's primary record the xml:base base.
func xmlBaseRepo(t *testing.T, base string) string {
	t.Helper()
	tr := testrepo.Get(t)
	dir := copyRepo(t, tr.Dir["x86_64"])
	p := filepath.Join(dir, "repodata", "repomd.xml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	href, _, _ := rawRecord(t, dir, "primary")
	old := fmt.Sprintf(`<location href="%s"/>`, href)
	if !strings.Contains(string(b), old) {
		t.Fatalf("repomd.xml has no %s", old)
	}
	b = []byte(strings.Replace(string(b), old, fmt.Sprintf(`<location xml:base=%q href="%s"/>`, base, href), 1))
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(p + ".asc")
	return dir
}

// TestXMLBaseOrigin: a repomd.xml record's xml:base may move the file on
// the repository's own origin (with its credentials), never to a local
// file from a remote repository, nor to another host or port; a file://
// repository may use other file:// folders only.
func TestXMLBaseOrigin(t *testing.T) {
	t.Parallel()
	tr := testrepo.Get(t)
	const user, pass = "u", "pw"
	// A local copy of the repository's metadata that a hostile xml:base
	// aims at, and another server holding it.
	local := copyRepo(t, tr.Dir["x86_64"])
	elsewhere := newRecorder(t, "localhost", http.FileServer(http.Dir(local)))
	cases := []struct {
		name    string
		file    bool   // a file:// repository
		base    string // xml:base; HOST is the repository's host:port
		wantErr string // "" = loads; with HOST and ELSEWHERE replaced
	}{
		{name: "file:// in an http repository", base: "file://" + local + "/",
			wantErr: "repo x: repomd.xml primary record: xml:base file://" + local + "/ refused: file:// is another origin than http://HOST (metadata and packages must stay on the repository's origin)"},
		{name: "file://localhost in an http repository", base: "file://localhost" + local + "/",
			wantErr: "repo x: repomd.xml primary record: xml:base file://localhost" + local + "/ refused: file:// is another origin than http://HOST"},
		{name: "another port of localhost", base: "ELSEWHERE/",
			wantErr: "repo x: repomd.xml primary record: xml:base ELSEWHERE/ refused: ELSEWHERE is another origin than http://HOST"},
		{name: "https twin", base: "https://HOST/",
			wantErr: "repo x: repomd.xml primary record: xml:base https://HOST/ refused: https://HOST is another origin than http://HOST"},
		{name: "user info is not printed", base: "http://evil:secret@HOST2/",
			wantErr: "xml:base http://evil:xxxxx@HOST2/ refused"},
		{name: "same origin, absolute", base: "http://HOST/mirror/"},
		{name: "same origin, relative", base: "mirror/"},
		{name: "file:// repository, another file:// folder", file: true, base: "file://" + local + "/"},
		{name: "file:// repository, http xml:base", file: true, base: "ELSEWHERE/",
			wantErr: "repo x: repomd.xml primary record: xml:base ELSEWHERE/ refused: ELSEWHERE is another origin than file://"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// The repository's repomd.xml is made once the server's
			// address is known; the record's file is under /mirror/ only.
			var repomdDir atomic.Value
			srv := newRecorder(t, "127.0.0.1", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if u, p, ok := r.BasicAuth(); !ok || u != user || p != pass {
					http.Error(w, "who are you", http.StatusUnauthorized)
					return
				}
				if r.URL.Path == "/repodata/repomd.xml" {
					http.FileServer(http.Dir(repomdDir.Load().(string))).ServeHTTP(w, r)
					return
				}
				http.StripPrefix("/mirror", http.FileServer(http.Dir(local))).ServeHTTP(w, r)
			}))
			host := strings.TrimPrefix(srv.URL, "http://")
			_, port, _ := net.SplitHostPort(host)
			expand := func(s string) string {
				return strings.NewReplacer("ELSEWHERE", elsewhere.URL, "HOST2", "127.0.0.2:"+port, "HOST", host).Replace(s)
			}
			dir := xmlBaseRepo(t, expand(tc.base))
			repomdDir.Store(dir)
			baseURL := "file://" + dir
			if !tc.file {
				baseURL = srv.URL
			}
			r, err := Open(t.Context(), Config{ID: "x", BaseURL: baseURL}, WithBasicAuth("x", user, pass))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), expand(tc.wantErr)) {
					t.Fatalf("error %v\nwant       %s", err, expand(tc.wantErr))
				}
				if n, _ := elsewhere.sawAuth(); n != 0 {
					t.Errorf("the other origin got %d requests", n)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error shows a password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Packages) != len(tr.RPMs["x86_64"]) {
				t.Errorf("%d packages", len(r.Packages))
			}
		})
	}
}

// TestPackageURLOrigin: a package's xml:base or location in primary.xml
// cannot leave the repository's origin.
func TestPackageURLOrigin(t *testing.T) {
	t.Parallel()
	base, _ := url.Parse("http://127.0.0.1:8080/repo/")
	r := &Repository{Config: Config{ID: "x"}, base: base}
	cases := []struct {
		base, loc string
		want      string // "" = this URL
		wantURL   string
	}{
		{"", "Packages/a.rpm", "", "http://127.0.0.1:8080/repo/Packages/a.rpm"},
		{"http://127.0.0.1:8080/mirror/", "a.rpm", "", "http://127.0.0.1:8080/mirror/a.rpm"},
		{"../other", "a.rpm", "", "http://127.0.0.1:8080/other/a.rpm"},
		{"file:///etc/", "passwd", "repo x: package a-1-1.noarch: xml:base file:///etc/ refused: file:// is another origin than http://127.0.0.1:8080 (metadata and packages must stay on the repository's origin)", ""},
		{"http://localhost:8080/", "a.rpm", "repo x: package a-1-1.noarch: xml:base http://localhost:8080/ refused: http://localhost:8080 is another origin than http://127.0.0.1:8080 (metadata and packages must stay on the repository's origin)", ""},
		{"", "file:///etc/passwd", "repo x: package a-1-1.noarch: location file:///etc/passwd: file:// is another origin than http://127.0.0.1:8080", ""},
		{"", "http://127.0.0.1:8081/a.rpm", "repo x: package a-1-1.noarch: location http://127.0.0.1:8081/a.rpm: http://127.0.0.1:8081 is another origin than http://127.0.0.1:8080", ""},
		{"", "//[::1]:8080/a.rpm", "repo x: package a-1-1.noarch: location http://[::1]:8080/a.rpm: http://[::1]:8080 is another origin than http://127.0.0.1:8080", ""},
	}
	for _, tc := range cases {
		p := &Package{LocationBase: tc.base, Location: tc.loc}
		p.Name, p.Version, p.Release, p.Arch = "a", "1", "1", "noarch"
		u, err := r.PackageURL(p)
		if tc.want != "" {
			if err == nil || err.Error() != tc.want {
				t.Errorf("%s + %s: %v, want %s", tc.base, tc.loc, err, tc.want)
			}
			continue
		}
		if err != nil || u.String() != tc.wantURL {
			t.Errorf("%s + %s: %v, %v, want %s", tc.base, tc.loc, u, err, tc.wantURL)
		}
	}
}

// TestRedirectDowngrade: an https repository redirecting to plain http is
// refused at once; the caller's client is not changed.
func TestRedirectDowngrade(t *testing.T) {
	t.Parallel()
	tr := testrepo.Get(t)
	plain := httptest.NewServer(http.FileServer(http.Dir(tr.Dir["x86_64"])))
	t.Cleanup(plain.Close)
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusFound)
	}))
	t.Cleanup(tlsSrv.Close)
	client := tlsSrv.Client()
	var sl sleeps
	_, err := Open(t.Context(), Config{ID: "r", BaseURL: tlsSrv.URL}, WithHTTPClient(client), withSleep(sl.sleep))
	want := "repo r: fetching repomd.xml: GET " + tlsSrv.URL + "/repodata/repomd.xml: redirect refused: " + plain.URL + "/repodata/repomd.xml would leave https for plain http"
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant       %s", err, want)
	}
	if !errors.Is(err, ErrRedirectRefused) || len(sl.d) != 0 {
		t.Errorf("not ErrRedirectRefused, or retried %d times", len(sl.d))
	}
	if client.CheckRedirect != nil {
		t.Error("the caller's client was changed")
	}
}
