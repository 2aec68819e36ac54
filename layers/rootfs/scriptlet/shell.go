package scriptlet

import (
	"errors"
	"fmt"
	"strings"
)

// The shell subset: simple commands joined by ";", newlines, "&&", "||"
// and "|", "if ... then ... [elif ... then ...] [else ...] fi", "!"
// before a pipeline, words quoted with '' or "", "$1" (the install
// count, always 1 here) and redirections of fd 0-2 to a file, to
// /dev/null or to another fd. Anything else (variables, command
// substitution, globs, loops, case, functions, background jobs,
// assignments, here-documents) is not understood: the parse fails and
// the script is unhandled.

// errNotUnderstood is wrapped by every parse failure.
var errNotUnderstood = errors.New("not understood")

func notUnderstood(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errNotUnderstood, fmt.Sprintf(format, args...))
}

// installArg is $1 for a scriptlet run at install: the number of
// instances of the package installed after the transaction.
const installArg = "1"

type tokKind int

const (
	tWord tokKind = iota
	tOp           // ; && || | ! newline (as "\n")
	tRedir
	tEOF
)

type token struct {
	kind  tokKind
	text  string // word text after quote removal, operator, or redirection operator
	fd    int    // redirection: the fd redirected
	quote bool   // word: some part was quoted (so it is never a reserved word)
}

type lexer struct {
	s   string
	i   int
	out []token
}

func lex(s string) ([]token, error) {
	l := &lexer{s: s}
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		l.out = append(l.out, t)
		if t.kind == tEOF {
			return l.out, nil
		}
	}
}

func (l *lexer) next() (token, error) {
	// blanks, comments, line continuations
	for l.i < len(l.s) {
		c := l.s[l.i]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			l.i++
		case c == '\\' && l.i+1 < len(l.s) && l.s[l.i+1] == '\n':
			l.i += 2
		case c == '#':
			for l.i < len(l.s) && l.s[l.i] != '\n' {
				l.i++
			}
		default:
			goto tok
		}
	}
	return token{kind: tEOF}, nil
tok:
	c := l.s[l.i]
	rest := l.s[l.i:]
	switch {
	case c == '\n' || c == ';':
		if strings.HasPrefix(rest, ";;") {
			return token{}, notUnderstood("';;'")
		}
		l.i++
		return token{kind: tOp, text: string(c)}, nil
	case strings.HasPrefix(rest, "&&"), strings.HasPrefix(rest, "||"):
		l.i += 2
		return token{kind: tOp, text: rest[:2]}, nil
	case c == '|':
		l.i++
		return token{kind: tOp, text: "|"}, nil
	case c == '&':
		if strings.HasPrefix(rest, "&>") && !strings.HasPrefix(rest, "&>>") {
			// bash's &>FILE: stdout and stderr (fd -1 stands for both).
			l.i += 2
			return token{kind: tRedir, text: ">", fd: -1}, nil
		}
		return token{}, notUnderstood("background job '&'")
	case c == '`' || strings.HasPrefix(rest, "$("):
		return token{}, notUnderstood("command substitution")
	case c == '(' || c == ')' || c == '{' && (len(rest) == 1 || rest[1] == ' ' || rest[1] == '\n'):
		return token{}, notUnderstood("%q", string(c))
	}
	// redirection: [fd]op
	j := l.i
	fd := -1
	if c >= '0' && c <= '2' && len(rest) > 1 && (rest[1] == '>' || rest[1] == '<') {
		fd = int(c - '0')
		j++
	}
	if j < len(l.s) && (l.s[j] == '>' || l.s[j] == '<') {
		op := string(l.s[j])
		j++
		if op == ">" && j < len(l.s) && l.s[j] == '>' {
			op, j = ">>", j+1
		} else if j < len(l.s) && l.s[j] == '&' {
			op, j = op+"&", j+1
		} else if op == "<" && j < len(l.s) && l.s[j] == '<' {
			return token{}, notUnderstood("here-document")
		} else if op == ">" && j < len(l.s) && l.s[j] == '|' {
			j++
		}
		if fd < 0 {
			fd = 1
			if op[0] == '<' {
				fd = 0
			}
		}
		l.i = j
		return token{kind: tRedir, text: op, fd: fd}, nil
	}
	return l.word()
}

func (l *lexer) word() (token, error) {
	var b strings.Builder
	quoted := false
	for l.i < len(l.s) {
		c := l.s[l.i]
		switch c {
		case ' ', '\t', '\r', '\n', ';', '&', '|', '<', '>', '(', ')', '`':
			if c == '`' {
				return token{}, notUnderstood("command substitution")
			}
			if c == '(' || c == ')' {
				return token{}, notUnderstood("%q in a word", string(c))
			}
			return token{kind: tWord, text: b.String(), quote: quoted}, nil
		case '\'':
			end := strings.IndexByte(l.s[l.i+1:], '\'')
			if end < 0 {
				return token{}, notUnderstood("unterminated quote")
			}
			b.WriteString(l.s[l.i+1 : l.i+1+end])
			l.i += end + 2
			quoted = true
		case '"':
			l.i++
			quoted = true
			for {
				if l.i >= len(l.s) {
					return token{}, notUnderstood("unterminated quote")
				}
				d := l.s[l.i]
				if d == '"' {
					l.i++
					break
				}
				switch d {
				case '\\':
					if l.i+1 < len(l.s) && strings.IndexByte("$`\"\\\n", l.s[l.i+1]) >= 0 {
						if l.s[l.i+1] != '\n' {
							b.WriteByte(l.s[l.i+1])
						}
						l.i += 2
						continue
					}
					b.WriteByte('\\')
					l.i++
				case '$':
					if err := l.dollar(&b); err != nil {
						return token{}, err
					}
				case '`':
					return token{}, notUnderstood("command substitution")
				default:
					b.WriteByte(d)
					l.i++
				}
			}
		case '\\':
			if l.i+1 >= len(l.s) {
				return token{}, notUnderstood("trailing backslash")
			}
			b.WriteByte(l.s[l.i+1])
			l.i += 2
			quoted = true
		case '$':
			if err := l.dollar(&b); err != nil {
				return token{}, err
			}
		case '*', '?', '[', '~', '{', '}':
			// "[" alone is the test command; "]" closes it.
			if c == '[' && b.Len() == 0 && (l.i+1 == len(l.s) || strings.IndexByte(" \t\n", l.s[l.i+1]) >= 0) {
				b.WriteByte(c)
				l.i++
				continue
			}
			if strings.HasPrefix(l.s[l.i:], "[[") && b.Len() == 0 && (l.i+2 == len(l.s) || strings.IndexByte(" \t\n", l.s[l.i+2]) >= 0) {
				b.WriteString("[[")
				l.i += 2
				continue
			}
			return token{}, notUnderstood("pattern or expansion character %q", string(c))
		case '=':
			if b.Len() > 0 && !quoted && isName(b.String()) {
				return token{}, notUnderstood("variable assignment")
			}
			b.WriteByte(c)
			l.i++
		default:
			b.WriteByte(c)
			l.i++
		}
	}
	return token{kind: tWord, text: b.String(), quote: quoted}, nil
}

// dollar expands $1 and ${1}; a "$" that starts no expansion (at the
// end, before a quote, a blank or "/") is itself; any other expansion is
// not understood.
func (l *lexer) dollar(b *strings.Builder) error {
	rest := l.s[l.i:]
	switch {
	case len(rest) == 1 || strings.IndexByte("\"' \t\n/;|&)", rest[1]) >= 0:
		b.WriteByte('$')
		l.i++
		return nil
	case strings.HasPrefix(rest, "${1}"):
		l.i += 4
	case strings.HasPrefix(rest, "$1") && (len(rest) == 2 || !isDigit(rest[2])):
		l.i += 2
	default:
		end := min(len(rest), 12)
		return notUnderstood("expansion %q", rest[:end])
	}
	b.WriteString(installArg)
	return nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isName(s string) bool {
	for i, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

// AST

type redir struct {
	fd     int
	op     string // ">", ">>", "<", ">&", "<&"
	target string
}

type simple struct {
	args   []string
	redirs []redir
}

type ifClause struct {
	conds  []*list // if, elif...
	bodies []*list
	els    *list // nil without else
	redirs []redir
}

type command struct {
	simple *simple
	ifc    *ifClause
}

type pipeline struct {
	not  bool
	cmds []*command
}

type andOr struct {
	first *pipeline
	ops   []string // "&&" or "||"
	rest  []*pipeline
}

type list struct {
	items []*andOr
}

type parser struct {
	toks []token
	i    int
}

// parseShell parses a script of the subset.
func parseShell(src string) (*list, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	l, err := p.list()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, notUnderstood("unexpected %q", t.text)
	}
	return l, nil
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) isReserved(words ...string) bool {
	t := p.peek()
	if t.kind != tWord || t.quote {
		return false
	}
	for _, w := range words {
		if t.text == w {
			return true
		}
	}
	return false
}

func (p *parser) skipNewlines() {
	for t := p.peek(); t.kind == tOp && (t.text == "\n" || t.text == ";"); t = p.peek() {
		p.i++
	}
}

// list parses and-or lists until a closing reserved word or EOF.
func (p *parser) list() (*list, error) {
	l := &list{}
	for {
		p.skipNewlines()
		if p.peek().kind == tEOF || p.isReserved("then", "elif", "else", "fi", "do", "done", "esac", "}") {
			return l, nil
		}
		ao, err := p.andOr()
		if err != nil {
			return nil, err
		}
		l.items = append(l.items, ao)
		t := p.peek()
		if t.kind == tOp && (t.text == ";" || t.text == "\n") {
			p.i++
			continue
		}
		if t.kind == tEOF || p.isReserved("then", "elif", "else", "fi") {
			continue
		}
		return nil, notUnderstood("unexpected %q", t.text)
	}
}

func (p *parser) andOr() (*andOr, error) {
	first, err := p.pipeline()
	if err != nil {
		return nil, err
	}
	ao := &andOr{first: first}
	for {
		t := p.peek()
		if t.kind != tOp || (t.text != "&&" && t.text != "||") {
			return ao, nil
		}
		p.i++
		for p.peek().kind == tOp && p.peek().text == "\n" {
			p.i++
		}
		next, err := p.pipeline()
		if err != nil {
			return nil, err
		}
		ao.ops = append(ao.ops, t.text)
		ao.rest = append(ao.rest, next)
	}
}

func (p *parser) pipeline() (*pipeline, error) {
	pl := &pipeline{}
	if p.isReserved("!") {
		pl.not = true
		p.i++
	}
	for {
		c, err := p.command()
		if err != nil {
			return nil, err
		}
		pl.cmds = append(pl.cmds, c)
		if t := p.peek(); t.kind == tOp && t.text == "|" {
			p.i++
			for p.peek().kind == tOp && p.peek().text == "\n" {
				p.i++
			}
			continue
		}
		return pl, nil
	}
}

func (p *parser) command() (*command, error) {
	if p.isReserved("if") {
		ic, err := p.ifClause()
		if err != nil {
			return nil, err
		}
		return &command{ifc: ic}, nil
	}
	if p.isReserved("for", "while", "until", "case", "function", "{", "}", "then", "elif", "else", "fi", "do", "done", "!") {
		return nil, notUnderstood("%q", p.peek().text)
	}
	s := &simple{}
	for {
		t := p.peek()
		switch t.kind {
		case tWord:
			s.args = append(s.args, t.text)
			p.i++
		case tRedir:
			p.i++
			w := p.peek()
			if w.kind != tWord {
				return nil, notUnderstood("redirection without a target")
			}
			p.i++
			s.redirs = append(s.redirs, redir{fd: t.fd, op: t.text, target: w.text})
		default:
			if len(s.args) == 0 {
				return nil, notUnderstood("empty command before %q", t.text)
			}
			return &command{simple: s}, nil
		}
	}
}

func (p *parser) ifClause() (*ifClause, error) {
	ic := &ifClause{}
	p.i++ // if
	for {
		cond, err := p.list()
		if err != nil {
			return nil, err
		}
		if !p.isReserved("then") {
			return nil, notUnderstood("if without then")
		}
		p.i++
		body, err := p.list()
		if err != nil {
			return nil, err
		}
		if len(cond.items) == 0 {
			return nil, notUnderstood("empty condition")
		}
		ic.conds = append(ic.conds, cond)
		ic.bodies = append(ic.bodies, body)
		switch {
		case p.isReserved("elif"):
			p.i++
			continue
		case p.isReserved("else"):
			p.i++
			els, err := p.list()
			if err != nil {
				return nil, err
			}
			ic.els = els
			if !p.isReserved("fi") {
				return nil, notUnderstood("if without fi")
			}
			p.i++
		case p.isReserved("fi"):
			p.i++
		default:
			return nil, notUnderstood("if without fi")
		}
		break
	}
	for p.peek().kind == tRedir {
		t := p.peek()
		p.i++
		w := p.peek()
		if w.kind != tWord {
			return nil, notUnderstood("redirection without a target")
		}
		p.i++
		ic.redirs = append(ic.redirs, redir{fd: t.fd, op: t.text, target: w.text})
	}
	return ic, nil
}
