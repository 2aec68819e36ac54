package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Error is a problem with one key of one configuration file. Its message
// reads "FILE:LINE: KEY: MSG" (the line is left out when unknown).
type Error struct {
	File string
	Line int    // 0 when unknown
	Key  string // "image.name", "repository[base].priority"; may be empty
	Msg  string
	Err  error // the cause, if any
}

func (e *Error) Error() string {
	s := e.File
	if e.Line > 0 {
		s += ":" + strconv.Itoa(e.Line)
	}
	if s != "" {
		s += ": "
	}
	if e.Key != "" {
		s += e.Key + ": "
	}
	s += e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	// One problem, one line: a value that reached the message unquoted
	// (a key naming a package, a path from extends, a cause's text)
	// cannot break it in two or forge a line of its own.
	return escapeControl(s)
}

// escapeControl writes the control characters of s as Go escapes (\n,
// \x00, \u0085...), leaving everything else as it is.
func escapeControl(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isControl reports C0 and C1 control characters and DEL, and the line
// and paragraph separators some terminals and log viewers break lines on.
func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || 0x80 <= r && r < 0xa0 || r == 0x2028 || r == 0x2029
}

func (e *Error) Unwrap() error { return e.Err }

func errAt(p Pos, key, format string, a ...any) *Error {
	return &Error{File: p.File, Line: p.Line, Key: key, Msg: fmt.Sprintf(format, a...)}
}
