package rpmmeta

import (
	"errors"
	"fmt"
	"strings"
)

// RichOp is the operator of a node of a rich (boolean) dependency.
type RichOp int

// The rich dependency operators (rpm 4.14+).
const (
	RichLeaf    RichOp = iota // a simple dependency: Dep
	RichAnd                   // all Args
	RichOr                    // any of Args
	RichWith                  // one package satisfying all Args
	RichWithout               // a package satisfying Args[0] but not Args[1]
	RichIf                    // Args[0] if Args[1] [else Args[2]]
	RichUnless                // Args[0] unless Args[1] [else Args[2]]
	// RichElse is a group that starts with "else" without an if/unless
	// before it ("(a else b)"): rpm's parser accepts it (RichHeader), and
	// rpm's index treats it as an if whose condition is a. RichRepodata
	// refuses it.
	RichElse
)

var richOpNames = map[string]RichOp{
	"and": RichAnd, "or": RichOr, "with": RichWith, "without": RichWithout,
	"if": RichIf, "unless": RichUnless, "else": RichElse,
}

func (o RichOp) String() string {
	switch o {
	case RichAnd:
		return "and"
	case RichOr:
		return "or"
	case RichWith:
		return "with"
	case RichWithout:
		return "without"
	case RichIf:
		return "if"
	case RichUnless:
		return "unless"
	case RichElse:
		return "else"
	}
	return "leaf"
}

// RichDep is a parsed rich dependency: a leaf holding a simple Dep, or an
// operator node. and/or/with hold two or more Args; without and else hold
// two; if/unless hold two (then, condition) or three (then, condition,
// else). A chain libsolv nests to the right ("(a if b if c)", read as
// "(a if (b if c))") is nested that way in the tree.
type RichDep struct {
	Op   RichOp
	Dep  Dep // for RichLeaf
	Args []*RichDep
}

// String renders the expression in rpm's syntax, fully parenthesised.
func (r *RichDep) String() string {
	if r.Op == RichLeaf {
		return r.Dep.String()
	}
	var b strings.Builder
	b.WriteByte('(')
	for i, a := range r.Args {
		if i > 0 {
			b.WriteByte(' ')
			if i == 2 && (r.Op == RichIf || r.Op == RichUnless) {
				b.WriteString("else")
			} else {
				b.WriteString(r.Op.String())
			}
			b.WriteByte(' ')
		}
		b.WriteString(a.String())
	}
	b.WriteByte(')')
	return b.String()
}

// Leaves calls fn for every simple dependency in the tree, left to right.
func (r *RichDep) Leaves(fn func(Dep)) {
	if r.Op == RichLeaf {
		fn(r.Dep)
		return
	}
	for _, a := range r.Args {
		a.Leaves(fn)
	}
}

// ErrRichSyntax is wrapped by every ParseRich error.
var ErrRichSyntax = errors.New("malformed rich dependency")

// RichGrammar chooses which reader's grammar ParseRich follows where the
// two that matter differ.
type RichGrammar int

const (
	// RichRepodata is libsolv's pool_parserpmrichdep, what dnf reads
	// repository metadata (primary.xml) and install requests with; the
	// solver sees these strings.
	RichRepodata RichGrammar = iota
	// RichHeader is rpm's rpmrichParse (rpmds.c, rpm 4.18), what rpm
	// builds and indexes a package header's dependencies with; the rpmdb
	// index follows it.
	RichHeader
)

// maxRichDepth bounds the nesting ParseRich follows in RichRepodata:
// metadata is untrusted and large. Groups inside groups count, and so do
// the levels a chain such as "(a if b if c)" nests to the right.
const maxRichDepth = 64

// maxRichHeaderDepth bounds the groups inside groups ParseRich follows in
// RichHeader. rpm's code keeps no limit (its recursion ends where its C
// stack does); a header is untrusted too, and a limit far above anything
// rpmbuild users write keeps a hostile one from exhausting the stack.
const maxRichHeaderDepth = 1024

// ParseRich parses the rich dependency at the start of s, such as
// "(foo >= 1.0 or (bar if baz else qux))", and returns the tree and what
// follows its outer group (always "" for RichRepodata, which refuses
// trailing text).
//
// Where rpm and libsolv agree, both grammars are the same:
//   - s starts with '(' (no leading white space);
//   - a name runs to white space, ',' or an unbalanced ')', so "foo>=1"
//     is one name and "libc.so.6(GLIBC_2.34)(64bit)" keeps its
//     parentheses; operator words are names where a name is expected
//     ("(and and or)");
//   - a comparison follows a name only after white space, and a version
//     runs like a name; "=<" and "=>" are "<=" and ">=";
//   - and, or and with chain ("(a and b and c)"); different operators
//     need parentheses; if and unless take one else; "(foo)" is foo.
//
// Where they differ, RichRepodata follows libsolv and RichHeader rpm:
//   - white space: libsolv's is ' ' alone, rpm's C's isspace (also '\t',
//     '\n', '\r', '\f', '\v'), so "(a\tand b)" is one name to libsolv.
//     (createrepo_c writes a tab in primary.xml as "&#9;", which libsolv
//     reads as a tab; a literal tab an XML reader should turn into a
//     space, which encoding/xml does not.)
//   - comparison: libsolv takes any run of '<', '=', '>' and the version
//     may follow without a space ("(foo >=1)", "(foo >>= 1)" are foo >= 1);
//     rpm wants exactly one of < <= =< = == >= => > followed by white
//     space. A run meaning "not equal" ("<>") is refused: rpm has no such
//     comparison and Dep cannot print it.
//   - chains: libsolv chains every operator, nesting to the right
//     ("(a if b if c)" is "(a if (b if c))", "(a without b without c)"
//     is "(a without (b without c))"); rpm chains only and, or and with.
//   - else: rpm takes "(a else b)" (RichElse); libsolv parses it to a
//     relation that nothing provides, so RichRepodata refuses it, and an
//     else after an else.
//   - with and without: rpm refuses an argument that is a group of
//     anything but with, without or or (its check bits), so
//     "((a and b) with c)" is refused; libsolv takes it.
//   - after the outer group: rpm ignores the rest; libsolv refuses it.
//   - libsolv drops a "0:" epoch from a version; the tree keeps it, as
//     comparing "0:1" and "1" gives the same answer.
func ParseRich(s string, g RichGrammar) (r *RichDep, rest string, err error) {
	p := richParser{s: s, g: g}
	r, end, _, err := p.group(0, 0)
	if err == nil && g == RichRepodata && end != len(s) {
		err = fmt.Errorf("unexpected %q after the expression", s[end:])
	}
	if err != nil {
		return nil, "", fmt.Errorf("%w %q: %w", ErrRichSyntax, s, err)
	}
	return r, s[end:], nil
}

type richParser struct {
	s string
	g RichGrammar
}

// rpm's check bits (rpmds.c RICHPARSE_NO_*), kept in RichHeader only.
const (
	richCheckNoWith = 1 << 1
	richCheckNoAnd  = 1 << 2
	richCheckNoOr   = 1 << 3
)

// isSpace is libsolv's ' ' or rpm's isspace in the "C" locale.
func (x richParser) isSpace(c byte) bool {
	if x.g == RichRepodata {
		return c == ' '
	}
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func (x richParser) skipWhite(p int) int {
	for p < len(x.s) && x.isSpace(x.s[p]) {
		p++
	}
	return p
}

// skipNonWhiteX is rpm's SKIPNONWHITEX (libsolv's name loop): up to white
// space, ',' or an unbalanced ')'.
func (x richParser) skipNonWhiteX(p int) int {
	bl := 0
	for p < len(x.s) {
		c := x.s[p]
		if x.isSpace(c) || c == ',' {
			break
		}
		if c == ')' {
			if bl <= 0 {
				break
			}
			bl--
		}
		p++
		if c == '(' {
			bl++
		}
	}
	return p
}

var richSenses = map[string]Sense{
	"<": SenseLess, "<=": SenseLess | SenseEqual, "=<": SenseLess | SenseEqual,
	"=": SenseEqual, "==": SenseEqual,
	">": SenseGreater, ">=": SenseGreater | SenseEqual, "=>": SenseGreater | SenseEqual,
}

// comparison reads the comparison at p, if there is one, and returns its
// sense and the position after it (p and 0 if there is none).
func (x richParser) comparison(p int) (Sense, int, error) {
	if x.g == RichHeader {
		// rpm: the next word must be a comparison, whole.
		pe := x.skipNonWhiteX(p)
		return richSenses[x.s[p:pe]], pe, nil
	}
	// libsolv: a run of '<', '=', '>', the bits or-ed.
	var f Sense
	pe := p
	for ; pe < len(x.s); pe++ {
		switch x.s[pe] {
		case '<':
			f |= SenseLess
		case '=':
			f |= SenseEqual
		case '>':
			f |= SenseGreater
		default:
			if f&SenseLess != 0 && f&SenseGreater != 0 {
				return 0, 0, fmt.Errorf("at offset %d: comparison %q (not equal) is not supported", p, x.s[p:pe])
			}
			return f, pe, nil
		}
	}
	// The run reached the end; the caller reports the missing version.
	return f, pe, nil
}

// simple is rpm's parseSimpleDep (libsolv's name and version loops).
func (x richParser) simple(p int) (*RichDep, int, error) {
	n := p
	p = x.skipNonWhiteX(p)
	if p == n {
		return nil, 0, fmt.Errorf("at offset %d: missing argument", n)
	}
	d := Dep{Name: x.s[n:p]}
	p = x.skipWhite(p)
	if p < len(x.s) {
		f, pe, err := x.comparison(p)
		if err != nil {
			return nil, 0, err
		}
		if f != 0 {
			p = x.skipWhite(pe)
			e := p
			p = x.skipNonWhiteX(p)
			if p == e {
				return nil, 0, fmt.Errorf("at offset %d: missing version", e)
			}
			d.Flags, d.Version = f, x.s[e:p]
		}
	}
	return &RichDep{Op: RichLeaf, Dep: d}, p, nil
}

// group is rpm's rpmrichParseInternal, with libsolv's differences when
// x.g is RichRepodata: it parses the group at s[p:] and returns it, the
// position after it and rpm's check bits.
func (x richParser) group(p, depth int) (*RichDep, int, int, error) {
	s := x.s
	if x.g == RichRepodata && depth > maxRichDepth {
		return nil, 0, 0, fmt.Errorf("nested deeper than %d", maxRichDepth)
	}
	if x.g == RichHeader && depth > maxRichHeaderDepth {
		return nil, 0, 0, fmt.Errorf("nested deeper than %d", maxRichHeaderDepth)
	}
	if p >= len(s) || s[p] != '(' {
		return nil, 0, 0, fmt.Errorf("at offset %d: expected '('", p)
	}
	p++
	check := 0
	// op is the last operator read, firstop the root's. cur is the node
	// taking arguments: the root, or the innermost group of a chain
	// libsolv nests to the right.
	op, firstop := RichLeaf, RichLeaf
	var root, cur *RichDep
	for {
		p = x.skipWhite(p)
		if p >= len(s) || s[p] == ')' {
			return nil, 0, 0, fmt.Errorf("at offset %d: missing argument", p)
		}
		var arg *RichDep
		var err error
		if s[p] == '(' {
			var sub int
			if arg, p, sub, err = x.group(p, depth+1); err != nil {
				return nil, 0, 0, err
			}
			if op == RichIf || op == RichUnless {
				sub &^= richCheckNoAnd | richCheckNoOr
			}
			check |= sub
		} else if arg, p, err = x.simple(p); err != nil {
			return nil, 0, 0, err
		}
		if cur == nil {
			root = arg
		} else {
			cur.Args = append(cur.Args, arg)
		}
		p = x.skipWhite(p)
		if p >= len(s) {
			return nil, 0, 0, errors.New("missing ')'")
		}
		if s[p] == ')' {
			break
		}
		pe := p
		for pe < len(s) && !x.isSpace(s[pe]) && s[pe] != ')' {
			pe++
		}
		o, ok := richOpNames[s[p:pe]]
		if !ok {
			return nil, 0, 0, fmt.Errorf("at offset %d: unknown operator %q", p, s[p:pe])
		}
		prev := cur
		if cur, err = x.chain(root, cur, o, p); err != nil {
			return nil, 0, 0, err
		}
		if prev != nil && cur != prev {
			// a chain nesting to the right is one level deeper
			if depth++; x.g == RichRepodata && depth > maxRichDepth {
				return nil, 0, 0, fmt.Errorf("at offset %d: nested deeper than %d", p, maxRichDepth)
			}
		}
		if firstop == RichLeaf {
			root, firstop = cur, o
		}
		op = o
		p = pe
	}
	if x.g == RichHeader {
		if (firstop == RichWith || firstop == RichWithout) && check&richCheckNoWith != 0 {
			return nil, 0, 0, fmt.Errorf("at offset %d: illegal argument to %s", p, firstop)
		}
		if firstop == RichIf {
			check |= richCheckNoOr
		}
		if firstop == RichUnless {
			check |= richCheckNoAnd
		}
		if op == RichAnd || op == RichOr {
			check &^= richCheckNoAnd | richCheckNoOr
		}
		if op != RichLeaf && op != RichWith && op != RichWithout && op != RichOr {
			check |= richCheckNoWith
		}
	}
	return root, p + 1, check, nil
}

// chain takes operator o, read at offset at, after cur's last argument
// (or after the first argument root when cur is nil) and returns the node
// that takes the next argument.
func (x richParser) chain(root, cur *RichDep, o RichOp, at int) (*RichDep, error) {
	if cur == nil {
		if o == RichElse && x.g == RichRepodata {
			return nil, fmt.Errorf("at offset %d: else without if or unless", at)
		}
		return &RichDep{Op: o, Args: []*RichDep{root}}, nil
	}
	switch {
	case o == RichElse && (cur.Op == RichIf || cur.Op == RichUnless) && len(cur.Args) == 2:
		return cur, nil // the else branch
	case o != cur.Op || (len(cur.Args) == 3 && (cur.Op == RichIf || cur.Op == RichUnless)):
		return nil, fmt.Errorf("at offset %d: %q cannot follow %q here (add parentheses)", at, o, cur.Op)
	case o == RichAnd || o == RichOr || o == RichWith:
		return cur, nil
	case x.g == RichHeader:
		return nil, fmt.Errorf("at offset %d: only and, or and with chain", at)
	case o == RichElse:
		return nil, fmt.Errorf("at offset %d: else without if or unless", at)
	}
	// libsolv: "a if b if c" is "a if (b if c)".
	last := len(cur.Args) - 1
	n := &RichDep{Op: o, Args: []*RichDep{cur.Args[last]}}
	cur.Args[last] = n
	return n, nil
}
