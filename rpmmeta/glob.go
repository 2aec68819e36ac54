package rpmmeta

import (
	"errors"
	"fmt"
	"path"
	"strings"
)

// ValidateGlob checks a path glob of paths.remove: absolute, clean (no
// empty, "." or ".." components, no trailing '/'), each component a valid
// path.Match pattern, and "**" only as a whole component.
func ValidateGlob(glob string) error {
	if !strings.HasPrefix(glob, "/") {
		return fmt.Errorf("%q is not absolute", glob)
	}
	if glob == "/" {
		return errors.New(`"/" would remove everything`)
	}
	for _, seg := range strings.Split(glob[1:], "/") {
		switch {
		case seg == "":
			return fmt.Errorf("%q has an empty component or a trailing '/'", glob)
		case seg == "." || seg == "..":
			return fmt.Errorf("%q has a %q component", glob, seg)
		case seg == "**":
			continue
		case strings.Contains(seg, "**"):
			return fmt.Errorf("%q: '**' must be a whole component", glob)
		}
		if _, err := path.Match(goClass(seg), ""); err != nil {
			return fmt.Errorf("%q: component %q: %w", glob, seg, err)
		}
	}
	return nil
}

// MatchPath reports whether the absolute, clean path p matches glob.
// Within a component, '*' matches any run of characters but '/', '?' one
// character but '/', '[...]' a class ('[!...]' or '[^...]' negated, as
// in the shell) and '\' quotes, as path.Match; a
// "**" component matches zero or more whole components, so
// "/usr/share/doc/**" matches /usr/share/doc itself and everything below
// it. An invalid glob matches nothing.
func MatchPath(glob, p string) bool {
	if !strings.HasPrefix(glob, "/") || !strings.HasPrefix(p, "/") {
		return false
	}
	gs := strings.Split(glob[1:], "/")
	for i := range gs {
		gs[i] = goClass(gs[i])
	}
	var ps []string
	if p != "/" {
		ps = strings.Split(p[1:], "/")
	}
	// ok[j] reports whether gs[i:] matches ps[j:], computed from the last
	// glob component back to the first.
	ok := make([]bool, len(ps)+1)
	ok[len(ps)] = true
	next := make([]bool, len(ps)+1)
	for i := len(gs) - 1; i >= 0; i-- {
		g := gs[i]
		if g == "**" {
			// Matches zero components (ok[j]) or one then more (next[j+1]).
			next[len(ps)] = ok[len(ps)]
			for j := len(ps) - 1; j >= 0; j-- {
				next[j] = ok[j] || next[j+1]
			}
		} else {
			next[len(ps)] = false
			for j := len(ps) - 1; j >= 0; j-- {
				m, err := path.Match(g, ps[j])
				if err != nil {
					return false
				}
				next[j] = m && ok[j+1]
			}
		}
		ok, next = next, ok
	}
	return ok[0]
}

// goClass rewrites the shell's negated class "[!...]" to path.Match's
// "[^...]".
func goClass(seg string) string {
	if !strings.Contains(seg, "[!") {
		return seg
	}
	b := []byte(seg)
	inClass := false
	for i := 0; i < len(b); i++ {
		switch {
		case b[i] == '\\':
			i++
		case !inClass && b[i] == '[':
			inClass = true
			if i+1 < len(b) && b[i+1] == '!' {
				b[i+1] = '^'
				i++
			}
		case inClass && b[i] == ']':
			inClass = false
		}
	}
	return string(b)
}
