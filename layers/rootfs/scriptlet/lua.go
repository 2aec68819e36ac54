package scriptlet

import (
	"errors"
	"strconv"
	"strings"
)

// The lua subset: calls of posix.mkdir(PATH), posix.symlink(TARGET,
// PATH), posix.chmod(PATH, MODE), os.remove(PATH) and
// os.execute("ldconfig"); "[local] NAME = posix.stat(PATH)"; "if COND
// then ... [else ...] end" where COND is NAME, "not NAME", "NAME and
// NAME.type == STRING" or "STRING == STRING" (or ~=); "return [N]";
// "--" comments. Arguments are string literals (a mode may be a number,
// read as octal digits as rpm's posix.chmod does). Nothing else is
// executed: any other statement makes the script unhandled.

type luaTok struct {
	kind byte // 'n' name, 's' string, 'd' number, 'p' punctuation, 0 end
	text string
}

func lexLua(src string) ([]luaTok, error) {
	var out []luaTok
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';':
			i++
		case strings.HasPrefix(src[i:], "--"):
			if strings.HasPrefix(src[i:], "--[") {
				return nil, notUnderstood("lua long comment")
			}
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '"' || c == '\'':
			end := strings.IndexByte(src[i+1:], c)
			if end < 0 {
				return nil, notUnderstood("unterminated lua string")
			}
			s := src[i+1 : i+1+end]
			if strings.ContainsAny(s, "\\\n") {
				return nil, notUnderstood("lua string with escapes")
			}
			out = append(out, luaTok{'s', s})
			i += end + 2
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && src[j] >= '0' && src[j] <= '9' {
				j++
			}
			out = append(out, luaTok{'d', src[i:j]})
			i = j
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(src) && (src[j] == '_' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			out = append(out, luaTok{'n', src[i:j]})
			i = j
		case strings.HasPrefix(src[i:], "=="), strings.HasPrefix(src[i:], "~="):
			out = append(out, luaTok{'p', src[i : i+2]})
			i += 2
		case strings.IndexByte("().,=", c) >= 0:
			out = append(out, luaTok{'p', string(c)})
			i++
		default:
			return nil, notUnderstood("lua %q", string(c))
		}
	}
	return append(out, luaTok{}), nil
}

type luaStmt struct {
	call string   // "posix.mkdir"... or "" for other statements
	args []string // string (or number) arguments
	// assignment: v = posix.stat(args[0])
	assign string
	// if
	cond      *luaCond
	then, els []*luaStmt
	ret       bool
}

type luaCond struct {
	kind     string // "var", "not", "type", "streq", "strne"
	v        string
	a, b     string
	typeName string
}

type luaChunk struct {
	stmts []*luaStmt
}

type luaParser struct {
	t []luaTok
	i int
}

func (p *luaParser) peek() luaTok { return p.t[p.i] }

// take returns the next token and moves past it (never past the end).
func (p *luaParser) take() luaTok {
	t := p.t[p.i]
	if p.i < len(p.t)-1 {
		p.i++
	}
	return t
}
func (p *luaParser) expect(kind byte, text string) error {
	t := p.take()
	if t.kind != kind || (text != "" && t.text != text) {
		return notUnderstood("lua: expected %q, found %q", text, t.text)
	}
	return nil
}

func parseLua(src string) (*luaChunk, error) {
	toks, err := lexLua(src)
	if err != nil {
		return nil, err
	}
	p := &luaParser{t: toks}
	stmts, err := p.block()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != 0 {
		return nil, notUnderstood("lua: unexpected %q", p.peek().text)
	}
	return &luaChunk{stmts: stmts}, nil
}

func (p *luaParser) block() ([]*luaStmt, error) {
	var out []*luaStmt
	for {
		t := p.peek()
		if t.kind == 0 || t.kind == 'n' && (t.text == "end" || t.text == "else") {
			return out, nil
		}
		s, err := p.stmt()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
}

var luaCalls = map[string]int{"posix.mkdir": 1, "posix.symlink": 2, "posix.chmod": 2, "os.remove": 1, "os.execute": 1}

func (p *luaParser) qualified() (string, error) {
	t := p.take()
	if t.kind != 'n' {
		return "", notUnderstood("lua: unexpected %q", t.text)
	}
	name := t.text
	for p.peek().kind == 'p' && p.peek().text == "." {
		p.i++
		n := p.take()
		if n.kind != 'n' {
			return "", notUnderstood("lua: bad name after %s", name)
		}
		name += "." + n.text
	}
	return name, nil
}

func (p *luaParser) args() ([]string, error) {
	if err := p.expect('p', "("); err != nil {
		return nil, err
	}
	var out []string
	for {
		t := p.take()
		if t.kind != 's' && t.kind != 'd' {
			return nil, notUnderstood("lua: argument %q is not a literal", t.text)
		}
		out = append(out, t.text)
		n := p.take()
		if n.kind == 'p' && n.text == ")" {
			return out, nil
		}
		if n.kind != 'p' || n.text != "," {
			return nil, notUnderstood("lua: unexpected %q in arguments", n.text)
		}
	}
}

func (p *luaParser) stmt() (*luaStmt, error) {
	t := p.peek()
	if t.kind != 'n' {
		return nil, notUnderstood("lua: unexpected %q", t.text)
	}
	switch t.text {
	case "return":
		p.i++
		if n := p.peek(); n.kind == 'd' {
			p.i++
		}
		return &luaStmt{ret: true}, nil
	case "if":
		p.i++
		c, err := p.cond()
		if err != nil {
			return nil, err
		}
		if err := p.expect('n', "then"); err != nil {
			return nil, err
		}
		s := &luaStmt{cond: c}
		if s.then, err = p.block(); err != nil {
			return nil, err
		}
		if p.peek().text == "else" {
			p.i++
			if s.els, err = p.block(); err != nil {
				return nil, err
			}
		}
		if err := p.expect('n', "end"); err != nil {
			return nil, err
		}
		return s, nil
	case "local":
		p.i++
	}
	name, err := p.qualified()
	if err != nil {
		return nil, err
	}
	if n, ok := luaCalls[name]; ok && t.text != "local" {
		args, err := p.args()
		if err != nil {
			return nil, err
		}
		if len(args) != n {
			return nil, notUnderstood("lua: %s with %d arguments", name, len(args))
		}
		return &luaStmt{call: name, args: args}, nil
	}
	if strings.Contains(name, ".") || !isName(name) {
		return nil, notUnderstood("lua: %s", name)
	}
	if err := p.expect('p', "="); err != nil {
		return nil, err
	}
	fn, err := p.qualified()
	if err != nil {
		return nil, err
	}
	if fn != "posix.stat" {
		return nil, notUnderstood("lua: %s", fn)
	}
	args, err := p.args()
	if err != nil || len(args) != 1 {
		return nil, notUnderstood("lua: posix.stat arguments")
	}
	return &luaStmt{assign: name, args: args}, nil
}

func (p *luaParser) cond() (*luaCond, error) {
	t := p.take()
	switch {
	case t.kind == 's':
		op := p.take()
		b := p.take()
		if op.kind != 'p' || (op.text != "==" && op.text != "~=") || b.kind != 's' {
			return nil, notUnderstood("lua condition")
		}
		if op.text == "==" {
			return &luaCond{kind: "streq", a: t.text, b: b.text}, nil
		}
		return &luaCond{kind: "strne", a: t.text, b: b.text}, nil
	case t.kind == 'n' && t.text == "not":
		v := p.take()
		if v.kind != 'n' {
			return nil, notUnderstood("lua condition")
		}
		return &luaCond{kind: "not", v: v.text}, nil
	case t.kind == 'n':
		if p.peek().text != "and" {
			return &luaCond{kind: "var", v: t.text}, nil
		}
		p.i++
		name, err := p.qualified()
		if err != nil {
			return nil, err
		}
		if name != t.text+".type" {
			return nil, notUnderstood("lua condition on %s", name)
		}
		if err := p.expect('p', "=="); err != nil {
			return nil, err
		}
		s := p.take()
		if s.kind != 's' {
			return nil, notUnderstood("lua condition")
		}
		return &luaCond{kind: "type", v: t.text, typeName: s.text}, nil
	}
	return nil, notUnderstood("lua condition %q", t.text)
}

// classify checks every statement (and its paths) and says what it is.
func (c *luaChunk) classify() ([]class, error) {
	var out []class
	vars := map[string]bool{}
	var walk func([]*luaStmt) error
	walk = func(stmts []*luaStmt) error {
		for _, s := range stmts {
			switch {
			case s.ret:
			case s.assign != "":
				if _, err := imagePath(s.args[0]); err != nil {
					return err
				}
				vars[s.assign] = true
			case s.cond != nil:
				if s.cond.v != "" && !vars[s.cond.v] {
					return notUnderstood("lua: unknown variable %s", s.cond.v)
				}
				if err := walk(s.then); err != nil {
					return err
				}
				if err := walk(s.els); err != nil {
					return err
				}
			case s.call == "os.execute":
				if s.args[0] != "ldconfig" && s.args[0] != "/sbin/ldconfig" && s.args[0] != "/usr/sbin/ldconfig" {
					return notUnderstood("lua: os.execute(%q)", s.args[0])
				}
				out = append(out, class{reason: rsLdcache})
			default:
				p, err := imagePath(s.args[len(s.args)-1])
				if s.call == "posix.chmod" {
					p, err = imagePath(s.args[0])
					if err == nil {
						_, err = luaMode(s.args[1])
					}
				}
				if err != nil {
					return err
				}
				if s.call == "posix.symlink" {
					if err := linkTarget(p, s.args[0]); err != nil {
						return err
					}
				}
				out = append(out, class{emulation: emLua})
			}
		}
		return nil
	}
	return out, walk(c.stmts)
}

func luaMode(s string) (uint32, error) {
	m, err := strconv.ParseUint(s, 8, 32)
	if err != nil || m > 0o7777 {
		return 0, notUnderstood("lua: mode %q", s)
	}
	return uint32(m), nil
}

var errLuaReturn = errors.New("return")

func (c *luaChunk) run(r *runner) error {
	vars := map[string]*FileInfo{}
	img := r.env.Image
	var exec func([]*luaStmt) error
	exec = func(stmts []*luaStmt) error {
		for _, s := range stmts {
			switch {
			case s.ret:
				return errLuaReturn
			case s.assign != "":
				p, _ := imagePath(s.args[0])
				if fi, ok := img.Lstat(p); ok {
					vars[s.assign] = &fi
				} else {
					vars[s.assign] = nil
				}
			case s.cond != nil:
				if s.cond.eval(vars) {
					if err := exec(s.then); err != nil {
						return err
					}
				} else if err := exec(s.els); err != nil {
					return err
				}
			case s.call == "os.execute":
			case s.call == "posix.mkdir":
				p, _ := imagePath(s.args[0])
				if _, ok := img.Lstat(p); !ok {
					img.Mkdir(p, 0o777&^umask) // fails quietly, as posix.mkdir returns nil
				}
			case s.call == "posix.symlink":
				p, _ := imagePath(s.args[1])
				if _, ok := img.Lstat(p); !ok {
					img.Symlink(s.args[0], p)
				}
			case s.call == "posix.chmod":
				p, _ := imagePath(s.args[0])
				m, _ := luaMode(s.args[1])
				img.Chmod(p, m)
			case s.call == "os.remove":
				p, _ := imagePath(s.args[0])
				img.Remove(p)
			}
		}
		return nil
	}
	if err := exec(c.stmts); err != nil && !errors.Is(err, errLuaReturn) {
		return err
	}
	return nil
}

func (c *luaCond) eval(vars map[string]*FileInfo) bool {
	switch c.kind {
	case "streq":
		return c.a == c.b
	case "strne":
		return c.a != c.b
	case "var":
		return vars[c.v] != nil
	case "not":
		return vars[c.v] == nil
	case "type":
		fi := vars[c.v]
		if fi == nil {
			return false
		}
		names := map[byte]string{'f': "regular", 'd': "directory", 'l': "link"}
		return names[fi.Type] == c.typeName
	}
	return false
}
