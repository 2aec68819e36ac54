package main

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

// cliHandler writes log records as the CLI's own lines, one style for all:
//
//	slipway: warning: remove glob "/nothing/**" matches nothing
//	slipway: note: requested package is obsoleted, installing the obsoleting one instead package=a by=b
//
// (debug, note, warning and error by level), the record's attributes after
// the message as key=value, quoted when needed. Attributes added with
// Logger.With (the architecture, the base file of a build) are context for
// --verbose and are shown only at debug level. A line already written is
// not written again: the same fact seen for each architecture, or at each
// level of an extends chain, is one line. A record never spans lines.
type cliHandler struct {
	st     *cliState
	level  slog.Leveler
	attrs  []slog.Attr // from WithAttrs, group-qualified
	groups string      // "a.b." from WithGroup
}

type cliState struct {
	mu   sync.Mutex
	w    io.Writer
	seen map[string]bool
}

func newCLIHandler(w io.Writer, level slog.Leveler) *cliHandler {
	return &cliHandler{st: &cliState{w: w, seen: map[string]bool{}}, level: level}
}

func (h *cliHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

func (h *cliHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(h.attrs[:len(h.attrs):len(h.attrs)], qualify(h.groups, as)...)
	return &c
}

func (h *cliHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.groups = h.groups + name + "."
	return &c
}

func qualify(prefix string, as []slog.Attr) []slog.Attr {
	if prefix == "" {
		return as
	}
	out := make([]slog.Attr, len(as))
	for i, a := range as {
		out[i] = slog.Attr{Key: prefix + a.Key, Value: a.Value}
	}
	return out
}

func (h *cliHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString("slipway: ")
	b.WriteString(levelWord(r.Level))
	b.WriteString(": ")
	b.WriteString(oneLine(r.Message))
	if r.Level < slog.LevelInfo {
		for _, a := range h.attrs {
			writeAttr(&b, "", a)
		}
	}
	r.Attrs(func(a slog.Attr) bool {
		writeAttr(&b, h.groups, a)
		return true
	})
	line := b.String()
	h.st.mu.Lock()
	defer h.st.mu.Unlock()
	if h.st.seen[line] {
		return nil
	}
	h.st.seen[line] = true
	_, err := io.WriteString(h.st.w, line+"\n")
	return err
}

func levelWord(l slog.Level) string {
	switch {
	case l < slog.LevelInfo:
		return "debug"
	case l < slog.LevelWarn:
		return "note"
	case l < slog.LevelError:
		return "warning"
	default:
		return "error"
	}
}

func writeAttr(b *strings.Builder, prefix string, a slog.Attr) {
	v := a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return
	}
	if v.Kind() == slog.KindGroup {
		p := prefix
		if a.Key != "" {
			p += a.Key + "."
		}
		for _, g := range v.Group() {
			writeAttr(b, p, g)
		}
		return
	}
	b.WriteByte(' ')
	b.WriteString(oneLine(prefix + a.Key))
	b.WriteByte('=')
	s := v.String()
	if s == "" || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '"' || r == '=' || !unicode.IsPrint(r) }) {
		s = strconv.Quote(s)
	}
	b.WriteString(s)
}

// oneLine escapes what would break a message's line (newlines and other
// control characters, the Unicode line and paragraph separators) as Go
// escapes them in quoted strings; the rest stays as it is.
func oneLine(s string) string {
	if !strings.ContainsFunc(s, breaksLine) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if breaksLine(r) {
			e := strconv.QuoteRune(r)
			b.WriteString(e[1 : len(e)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func breaksLine(r rune) bool { return unicode.IsControl(r) || r == 0x2028 || r == 0x2029 }
