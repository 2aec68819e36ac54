package repo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// A small streaming XML tokenizer, specialised for repository metadata:
// it reads a buffer window of the input, hands out byte slices into it
// (valid until the next call), and never builds a tree. It understands
// elements, attributes, the five predefined entities and character
// references, CDATA, comments, processing instructions and a DOCTYPE
// without an internal subset; anything else is an error.

type tokKind int

const (
	tokEOF tokKind = iota
	tokStart
	tokEnd
	tokText
)

type xmlAttr struct {
	name, value []byte // local name; raw value (entities not decoded)
}

type scanner struct {
	r      io.Reader
	buf    []byte
	pos    int
	end    int
	eof    bool
	rerr   error
	offset int64 // input offset of buf[0]
	max    int   // largest token

	kind      tokKind
	name      []byte // local name of a start or end tag
	selfClose bool
	text      []byte
	cdata     bool // text came from a CDATA section: no entities
	attrs     []xmlAttr
	scratch   []byte
}

const maxXMLToken = 64 << 20

func newScanner(r io.Reader) *scanner {
	return &scanner{r: r, buf: make([]byte, 256<<10), max: maxXMLToken}
}

func (s *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("XML at byte %d: %s", s.offset+int64(s.pos), fmt.Sprintf(format, args...))
}

// fill reads more input, keeping buf[pos:end]. It returns false at EOF.
func (s *scanner) fill() (bool, error) {
	if s.eof {
		return false, s.rerr
	}
	if s.pos > 0 {
		copy(s.buf, s.buf[s.pos:s.end])
		s.offset += int64(s.pos)
		s.end -= s.pos
		s.pos = 0
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= s.max {
			return false, s.errorf("token longer than %d bytes", s.max)
		}
		nb := make([]byte, min(2*len(s.buf), s.max))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	n, err := s.r.Read(s.buf[s.end:])
	s.end += n
	if err != nil {
		s.eof = true
		if err != io.EOF {
			s.rerr = err
			return n > 0, err
		}
	}
	return n > 0 || !s.eof, nil
}

// indexFrom finds b in buf[pos+from:end], filling as needed; it returns
// the index relative to pos.
func (s *scanner) indexFrom(from int, c byte) (int, error) {
	for {
		if i := bytes.IndexByte(s.buf[s.pos+from:s.end], c); i >= 0 {
			return from + i, nil
		}
		from = s.end - s.pos
		ok, err := s.fill()
		if err != nil {
			return -1, err
		}
		if !ok {
			return -1, nil
		}
	}
}

func (s *scanner) indexSeq(from int, seq string) (int, error) {
	for {
		if i := bytes.Index(s.buf[s.pos+from:s.end], []byte(seq)); i >= 0 {
			return from + i, nil
		}
		if n := s.end - s.pos - len(seq) + 1; n > from {
			from = n
		}
		ok, err := s.fill()
		if err != nil {
			return -1, err
		}
		if !ok {
			return -1, nil
		}
	}
}

// ensure makes at least n bytes available at pos, if the input has them.
func (s *scanner) ensure(n int) error {
	for s.end-s.pos < n {
		ok, err := s.fill()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
	}
	return nil
}

// child moves to the next child element of the element being read,
// passing over text: end is true at the element's end tag (the caller
// checks its name where that matters). The end of the document inside the
// element is an error naming where.
func (s *scanner) child(where string) (end bool, err error) {
	for {
		if err := s.next(); err != nil {
			return false, err
		}
		switch s.kind {
		case tokEOF:
			return false, s.errorf("unexpected end of document in %s", where)
		case tokText:
			continue
		case tokEnd:
			return true, nil
		}
		return false, nil
	}
}

// packages reads a repodata document whose root element is root (such as
// <metadata> or <filelists>) and calls each with the scanner at every
// <package> child; other children are skipped. sizeHint gets the root's
// packages="N" attribute when it holds a positive number.
func (s *scanner) packages(root string, sizeHint func(n int), each func() error) error {
	inRoot := false
	for {
		if err := s.next(); err != nil {
			return err
		}
		switch s.kind {
		case tokEOF:
			if !inRoot {
				return s.errorf("no <%s> element", root)
			}
			return nil
		case tokText, tokEnd:
			continue
		}
		if !inRoot {
			if string(s.name) != root {
				return s.errorf("root element is <%s>, want <%s>", s.name, root)
			}
			inRoot = true
			if err := s.parseAttrs(); err != nil {
				return err
			}
			if v, ok := s.attr("packages"); ok {
				if n, err := strconv.Atoi(string(v)); err == nil && n > 0 {
					sizeHint(n)
				}
			}
			if s.selfClose {
				return nil
			}
			continue
		}
		if string(s.name) != "package" {
			if err := s.skip(); err != nil {
				return err
			}
			continue
		}
		if err := each(); err != nil {
			return err
		}
	}
}

// next reads the next token.
func (s *scanner) next() error {
	for {
		if s.pos >= s.end {
			ok, err := s.fill()
			if err != nil {
				return err
			}
			if !ok {
				s.kind = tokEOF
				return nil
			}
		}
		if s.buf[s.pos] != '<' {
			i, err := s.indexFrom(0, '<')
			if err != nil {
				return err
			}
			if i < 0 {
				i = s.end - s.pos
			}
			s.kind, s.text, s.cdata = tokText, s.buf[s.pos:s.pos+i], false
			s.pos += i
			return nil
		}
		if s.pos+1 < s.end {
			if c := s.buf[s.pos+1]; c != '!' && c != '?' {
				return s.tag()
			}
		}
		if err := s.ensure(9); err != nil {
			return err
		}
		rest := s.buf[s.pos:s.end]
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			i, err := s.indexSeq(4, "-->")
			if err != nil {
				return err
			}
			if i < 0 {
				return s.errorf("unterminated comment")
			}
			s.pos += i + 3
			continue
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			i, err := s.indexSeq(9, "]]>")
			if err != nil {
				return err
			}
			if i < 0 {
				return s.errorf("unterminated CDATA section")
			}
			s.kind, s.text, s.cdata = tokText, s.buf[s.pos+9:s.pos+i], true
			s.pos += i + 3
			return nil
		case bytes.HasPrefix(rest, []byte("<?")):
			i, err := s.indexSeq(2, "?>")
			if err != nil {
				return err
			}
			if i < 0 {
				return s.errorf("unterminated processing instruction")
			}
			s.pos += i + 2
			continue
		case bytes.HasPrefix(rest, []byte("<!")):
			i, err := s.indexFrom(2, '>')
			if err != nil {
				return err
			}
			if i < 0 {
				return s.errorf("unterminated declaration")
			}
			if bytes.IndexByte(s.buf[s.pos:s.pos+i], '[') >= 0 {
				return s.errorf("DOCTYPE with an internal subset is not supported")
			}
			s.pos += i + 1
			continue
		}
		return s.tag()
	}
}

// tag reads a start or end tag at pos, attributes included, in one pass.
// When the tag runs past the buffered input it reads more and starts
// over.
func (s *scanner) tag() error {
	for {
		done, err := s.tryTag()
		if err != nil || done {
			return err
		}
		more, err := s.fill()
		if err != nil {
			return err
		}
		if !more {
			return s.errorf("unterminated tag")
		}
	}
}

// tryTag parses the tag at pos if it lies wholly within the buffer; it
// reports false (and changes nothing visible) when more input is needed.
func (s *scanner) tryTag() (bool, error) {
	b := s.buf[s.pos:s.end]
	n := len(b)
	i := 1
	if i < n && b[i] == '/' {
		i++
		start := i
		for i < n && b[i] != '>' {
			i++
		}
		if i >= n {
			return false, nil
		}
		s.kind = tokEnd
		s.name = localName(trimSpaceRight(b[start:i]))
		if len(s.name) == 0 {
			return false, s.errorf("empty end tag")
		}
		s.pos += i + 1
		return true, nil
	}
	start := i
	for i < n && !isSpace(b[i]) && b[i] != '>' && b[i] != '/' {
		i++
	}
	if i >= n {
		return false, nil
	}
	if i == start {
		return false, s.errorf("empty tag name")
	}
	name := b[start:i]
	s.attrs = s.attrs[:0]
	for {
		for i < n && isSpace(b[i]) {
			i++
		}
		if i >= n {
			return false, nil
		}
		switch b[i] {
		case '>':
			s.kind, s.name, s.selfClose = tokStart, localName(name), false
			s.pos += i + 1
			return true, nil
		case '/':
			if i+1 >= n {
				return false, nil
			}
			if b[i+1] != '>' {
				return false, s.errorf("malformed tag <%s>", trunc(name))
			}
			s.kind, s.name, s.selfClose = tokStart, localName(name), true
			s.pos += i + 2
			return true, nil
		}
		an := i
		for i < n && b[i] != '=' && !isSpace(b[i]) && b[i] != '>' && b[i] != '/' {
			i++
		}
		aname := b[an:i]
		for i < n && isSpace(b[i]) {
			i++
		}
		if i >= n {
			return false, nil
		}
		if b[i] != '=' || len(aname) == 0 {
			return false, s.errorf("malformed attribute in <%s>", trunc(name))
		}
		i++
		for i < n && isSpace(b[i]) {
			i++
		}
		if i >= n {
			return false, nil
		}
		q := b[i]
		if q != '"' && q != '\'' {
			return false, s.errorf("attribute %s: value not quoted", trunc(aname))
		}
		i++
		e := bytes.IndexByte(b[i:], q)
		if e < 0 {
			return false, nil
		}
		s.attrs = append(s.attrs, xmlAttr{name: aname, value: b[i : i+e]})
		i += e + 1
	}
}

func trimSpaceRight(b []byte) []byte {
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func localName(b []byte) []byte {
	// As encoding/xml: a colon splits a prefix off only when both sides
	// are non-empty.
	if i := bytes.IndexByte(b, ':'); i >= 1 && i < len(b)-1 {
		return b[i+1:]
	}
	return b
}

// parseAttrs is kept for readability at call sites: tag already split
// the attributes.
func (s *scanner) parseAttrs() error { return nil }

func (s *scanner) attr(name string) ([]byte, bool) {
	for _, a := range s.attrs {
		if string(a.name) == name {
			return a.value, true
		}
	}
	return nil, false
}

func trunc(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}

// unescape decodes entities and character references in b, appending to
// dst.
func unescape(dst, b []byte) ([]byte, error) {
	for {
		i := bytes.IndexByte(b, '&')
		if i < 0 {
			return append(dst, b...), nil
		}
		dst = append(dst, b[:i]...)
		b = b[i:]
		semi := bytes.IndexByte(b, ';')
		if semi < 0 || semi > 12 {
			return nil, fmt.Errorf("malformed entity reference %q", trunc(b))
		}
		ent := b[1:semi]
		b = b[semi+1:]
		switch string(ent) {
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "amp":
			dst = append(dst, '&')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			if len(ent) < 2 || ent[0] != '#' {
				return nil, fmt.Errorf("unknown entity &%s;", ent)
			}
			var n uint64
			var err error
			if ent[1] == 'x' {
				n, err = strconv.ParseUint(string(ent[2:]), 16, 32)
			} else {
				n, err = strconv.ParseUint(string(ent[1:]), 10, 32)
			}
			if err != nil || n > utf8.MaxRune {
				return nil, fmt.Errorf("bad character reference &%s;", ent)
			}
			dst = utf8.AppendRune(dst, rune(n))
		}
	}
}

var errNested = errors.New("unexpected element inside a text element")

// readText reads the character data of the current (non-self-closing)
// start tag up to its end tag, decoded, into s.scratch.
func (s *scanner) readText() ([]byte, error) {
	s.scratch = s.scratch[:0]
	for {
		if err := s.next(); err != nil {
			return nil, err
		}
		switch s.kind {
		case tokText:
			if s.cdata {
				s.scratch = append(s.scratch, s.text...)
				continue
			}
			t := s.text
			if bytes.IndexByte(t, '&') < 0 && bytes.IndexByte(t, '\r') < 0 {
				s.scratch = append(s.scratch, t...)
				continue
			}
			var err error
			if s.scratch, err = unescape(s.scratch, normalizeCR(t)); err != nil {
				return nil, s.errorf("%v", err)
			}
		case tokEnd:
			return s.scratch, nil
		case tokStart:
			return nil, s.errorf("%v <%s>", errNested, s.name)
		case tokEOF:
			return nil, s.errorf("unexpected end of document")
		}
	}
}

// normalizeCR turns "\r\n" and lone "\r" into "\n", as XML requires.
func normalizeCR(b []byte) []byte {
	if bytes.IndexByte(b, '\r') < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '\r' {
			out = append(out, '\n')
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
			continue
		}
		out = append(out, b[i])
	}
	return out
}

// skip skips the subtree of the current start tag.
func (s *scanner) skip() error {
	if s.selfClose {
		return nil
	}
	depth := 1
	for depth > 0 {
		if err := s.next(); err != nil {
			return err
		}
		switch s.kind {
		case tokStart:
			if !s.selfClose {
				depth++
			}
		case tokEnd:
			depth--
		case tokEOF:
			return s.errorf("unexpected end of document")
		}
	}
	return nil
}

// attrValue returns an attribute's decoded value.
func (s *scanner) attrValue(v []byte) ([]byte, error) {
	if bytes.IndexByte(v, '&') < 0 {
		return v, nil
	}
	out, err := unescape(nil, v)
	if err != nil {
		return nil, s.errorf("%v", err)
	}
	return out, nil
}
