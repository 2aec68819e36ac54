package origin

import (
	"errors"
	"net/url"
	"testing"
)

func mustParse(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return u
}

func TestSame(t *testing.T) {
	t.Parallel()
	cases := []struct {
		a, b string
		same bool
	}{
		// names
		{"https://repo.example/a/", "https://repo.example/b/c?x#y", true},
		{"https://Repo.Example/", "https://repo.example:443/", true},
		{"https://user:pw@repo.example/", "https://repo.example/", true},
		{"http://repo.example/", "http://repo.example:80/", true},
		{"HTTP://repo.example/", "http://repo.example/", true},
		{"https://repo.example/", "http://repo.example/", false},
		{"https://repo.example/", "https://repo.example:8443/", false},
		{"http://repo.example/", "http://repo.example:443/", false},
		{"https://repo.example/", "https://mirror.example/", false},
		{"https://repo.example/", "https://sub.repo.example/", false},
		{"https://repo.example/", "https://repo.example.evil/", false},
		// localhost is a name: another port is another origin, and it is
		// not 127.0.0.1
		{"http://localhost:5000/", "http://localhost:5001/", false},
		{"http://localhost:5000/", "http://LOCALHOST:5000/v2/", true},
		{"http://127.0.0.1:5000/", "http://localhost:5000/", false},
		// IPv4
		{"http://127.0.0.1:5000/", "http://127.0.0.1:5000/token", true},
		{"http://127.0.0.1:5000/", "http://127.0.0.1:5001/", false},
		{"http://127.0.0.1:5000/", "http://127.0.0.2:5000/", false},
		{"http://127.0.0.1/", "http://127.0.0.1:80/", true},
		{"http://127.0.0.1:080/", "http://127.0.0.1:80/", true},
		// IPv6
		{"http://[::1]:5000/", "http://[::1]:5000/x", true},
		{"http://[::1]:5000/", "http://[0:0:0:0:0:0:0:1]:5000/", true},
		{"http://[::1]:5000/", "http://[::1]:5001/", false},
		{"https://[2001:DB8::1]/", "https://[2001:db8::1]:443/", true},
		{"http://[::1]:5000/", "http://127.0.0.1:5000/", false},
		{"http://[::ffff:127.0.0.1]:5000/", "http://127.0.0.1:5000/", false},
		// file
		{"file:///srv/repo/", "file:///etc/", true},
		{"file:///srv/repo/", "file://localhost/etc/", true},
		{"file:///srv/repo/", "http://localhost/etc/", false},
		{"http://localhost/", "file:///etc/", false},
		// no origin
		{"http://repo.example:99999/", "http://repo.example:99999/", false},
		{"http://repo.example:x/", "http://repo.example:x/", false},
		{"/relative/", "/relative/", false},
		{"ftp://repo.example/", "ftp://repo.example/", false},
		{"mailto:a@b", "mailto:a@b", false},
	}
	for _, tc := range cases {
		a, errA := url.Parse(tc.a)
		b, errB := url.Parse(tc.b)
		if errA != nil || errB != nil {
			a, b = nil, nil // unparsable: no origin
		}
		if got := Same(a, b); got != tc.same {
			t.Errorf("Same(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.same)
		}
		if got := Same(b, a); got != tc.same {
			t.Errorf("Same(%s, %s) = %v, want %v", tc.b, tc.a, got, tc.same)
		}
		if err := Check(a, b); (err == nil) != tc.same || (err != nil && !errors.Is(err, ErrOtherOrigin)) {
			t.Errorf("Check(%s, %s) = %v", tc.a, tc.b, err)
		}
	}
}

func TestCheckMessage(t *testing.T) {
	t.Parallel()
	err := Check(mustParse(t, "https://user:secret@Repo.Example/x/"), mustParse(t, "http://u:other@[::1]:8080/p?q=secret"))
	want := "http://[::1]:8080 is another origin than https://repo.example:443"
	if err == nil || err.Error() != want {
		t.Fatalf("Check = %v, want %q", err, want)
	}
	var oe *Error
	if !errors.As(err, &oe) || oe.Want != "https://repo.example:443" || oe.Got != "http://[::1]:8080" {
		t.Errorf("fields %+v", oe)
	}
}

func TestLoopback(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST:5000": true, "localhost.": true, "reg.localhost": true,
		"127.0.0.1": true, "127.1.2.3:80": true, "[::1]": true, "[::1]:5000": true, "::1": true,
		"[::ffff:127.0.0.1]:1": true,
		"localhost.example":    false, "notlocalhost": false, "10.0.0.1": false, "[::2]": false,
		"example.com": false, "": false, "0.0.0.0": false,
	} {
		if got := Loopback(host); got != want {
			t.Errorf("Loopback(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestRedactURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://u:p@host/x": "https://u:xxxxx@host/x",
		"https://u:p@host":   "https://u:xxxxx@host",
		"http://user@host/":  "http://user@host/",
		"http://host/a@b":    "http://host/a@b",
		"GET http://u:a@h/$basearch: 401; also ftp://x:yy@z?q": "GET http://u:xxxxx@h/$basearch: 401; also ftp://x:xxxxx@z?q",
		"baseurl \"http://u:p%zz@exa mple/\"":                  "baseurl \"http://u:xxxxx@exa mple/\"",
		"no url here: a":                                       "no url here: a",
		"http://u:p:q@h/":                                      "http://u:xxxxx@h/",
		"http://u:p@q@h/":                                      "http://u:xxxxx@h/",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRedactUserinfo(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://u:p@host/$basearch": "https://u:xxxxx@host/$basearch",
		"https://u:p@ss:w@host/x@y":  "https://u:xxxxx@host/x@y",
		"https://u:p w%zz@host/":     "https://u:xxxxx@host/",
		"https://token@host/":        "https://token@host/",
		"file:///srv/repo@2/":        "file:///srv/repo@2/",
		"/not/a/url":                 "/not/a/url",
		"http://u:pa/ss@host/":       "http://u:xxxxx@host/",
		"http://host/a:b@c":          "http://host/a:xxxxx@c", // too much rather than too little
	} {
		if got := RedactUserinfo(in); got != want {
			t.Errorf("RedactUserinfo(%q) = %q, want %q", in, got, want)
		}
	}
}
