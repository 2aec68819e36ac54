// Package origin decides where credentials may be sent. An origin is a
// URL's scheme, host and port; credentials configured for one origin go to
// that origin only. Repositories (builder/repo) and registries (manifests)
// check every redirect, token realm and xml:base with [Check] (or [Same]),
// so both follow one rule:
//
//   - the scheme must be equal (an https origin is not its http twin);
//   - the host is compared case-insensitively; an IP address is compared
//     in its canonical form ([::1] and [0:0:0:0:0:0:0:1] are one host), a
//     name and an address never match (localhost is not 127.0.0.1);
//   - the port must be equal once the default is written out (http 80,
//     https 443);
//   - user info, path, query and fragment do not matter;
//   - file URLs are one origin on the local host (file:///a and
//     file://localhost/b), never equal to an http(s) one.
//
// It imports only the standard library.
package origin

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// defaultPort is the port a scheme implies.
var defaultPort = map[string]string{"http": "80", "https": "443"}

// Key returns u's origin as "scheme://host:port" with everything
// normalised (file URLs: "file://" and the host, "" for localhost). ok is
// false when u has no origin: no scheme, an http(s) URL without a host,
// a port that is not a number from 0 to 65535, or an opaque URL.
func Key(u *url.URL) (key string, ok bool) {
	if u == nil || u.Scheme == "" || u.Opaque != "" {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if scheme == "file" {
		if host == "localhost" {
			host = ""
		}
		return "file://" + host, u.Port() == ""
	}
	if host == "" {
		return "", false
	}
	if a, err := netip.ParseAddr(host); err == nil {
		host = a.String()
	}
	port := u.Port()
	if port == "" {
		port = defaultPort[scheme]
		if port == "" {
			return "", false // no port known for this scheme: never matched
		}
	} else {
		n, err := strconv.ParseUint(port, 10, 16)
		if err != nil {
			return "", false
		}
		port = strconv.FormatUint(n, 10)
	}
	return scheme + "://" + net.JoinHostPort(host, port), true
}

// Same reports whether a and b have one origin. URLs without an origin
// (see [Key]) are never the same as anything.
func Same(a, b *url.URL) bool {
	ka, ok := Key(a)
	if !ok {
		return false
	}
	kb, ok := Key(b)
	return ok && ka == kb
}

// ErrOtherOrigin is wrapped by the errors of [Check].
var ErrOtherOrigin = errors.New("another origin")

// Error is [Check]'s answer for a URL on another origin. Its fields are
// origins (no user info, path or query): it never holds a secret.
type Error struct {
	Want string // the origin credentials were configured for
	Got  string // the origin of the URL checked ("" when it has none)
}

func (e *Error) Error() string {
	got := e.Got
	if got == "" {
		got = "a URL without an origin"
	}
	return fmt.Sprintf("%s is %s than %s", got, ErrOtherOrigin, e.Want)
}

func (e *Error) Unwrap() error { return ErrOtherOrigin }

// Check returns nil when target has base's origin, and otherwise an
// *Error naming both origins. This is the one check of every redirect,
// realm and xml:base before credentials (or, for xml:base, any request)
// may follow it.
func Check(base, target *url.URL) error {
	want, ok := Key(base)
	if !ok {
		return &Error{Want: "(none)", Got: keyOrEmpty(target)}
	}
	got, ok := Key(target)
	if !ok || got != want {
		return &Error{Want: want, Got: got}
	}
	return nil
}

func keyOrEmpty(u *url.URL) string {
	k, _ := Key(u)
	return k
}

// Loopback reports whether host (a name or an address, with or without a
// port and IPv6 brackets) is localhost, a name under .localhost, or a
// loopback address (127.0.0.0/8, ::1, ::ffff:127.0.0.0/104), in any case
// and with or without a final dot.
func Loopback(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// RedactURL returns s with the password of a URL's user info replaced
// by "xxxxx" (as net/url's Redacted does), found by the URL's structure
// rather than by parsing, so that a string url.Parse refuses, or one
// holding $variables, is redacted too. Every "scheme://user:password@"
// in s is redacted; nothing else is changed.
func RedactURL(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "://")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i+3])
		s = s[i+3:]
		// The authority ends at the first '/', '?', '#' or space; its
		// user info at the last '@' before that.
		end := strings.IndexAny(s, "/?# \t\n\"'")
		if end < 0 {
			end = len(s)
		}
		auth := s[:end]
		at := strings.LastIndex(auth, "@")
		if at < 0 {
			continue
		}
		if user, _, ok := strings.Cut(auth[:at], ":"); ok {
			b.WriteString(user)
			b.WriteString(":xxxxx")
			s = s[at:]
		}
	}
}

// RedactUserinfo returns the one URL s (a configuration field, not a
// message) with the password of its user info replaced by "xxxxx"; s need
// not parse. The user info ends at the last "@" before the path, so a
// password holding "@" or ":" is redacted whole. When no "@" comes before
// the path but one comes later, the URL is read as a password holding
// "/" (which no URL parser accepts) and redacted up to the last "@":
// a path holding ":" and "@" is then redacted too, better too much than
// too little.
func RedactUserinfo(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		at = strings.LastIndex(rest, "@")
	}
	if at < 0 {
		return s
	}
	user, _, hasPassword := strings.Cut(rest[:at], ":")
	if !hasPassword {
		return s
	}
	return scheme + "://" + user + ":xxxxx" + rest[at:]
}
