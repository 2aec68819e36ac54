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
)

var richOpNames = map[string]RichOp{
	"and": RichAnd, "or": RichOr, "with": RichWith, "without": RichWithout,
	"if": RichIf, "unless": RichUnless,
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
// operator node. and/or/with hold two or more Args; without holds two;
// if/unless hold two (then, condition) or three (then, condition, else).
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

const maxRichDepth = 64

// ParseRich parses a rich dependency such as
// "(foo >= 1.0 or (bar if baz else qux))". Like rpm, it requires the
// outer parentheses, allows chaining one operator ("a and b and c") only
// for and, or and with, and needs parentheses to mix operators. Names may
// contain balanced parentheses ("libc.so.6(GLIBC_2.34)(64bit)").
func ParseRich(s string) (*RichDep, error) {
	p := richParser{s: s}
	p.skipSpace()
	if p.pos >= len(s) || s[p.pos] != '(' {
		return nil, fmt.Errorf("%w %q: does not start with '('", ErrRichSyntax, s)
	}
	r, err := p.group(0)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %w", ErrRichSyntax, s, err)
	}
	p.skipSpace()
	if p.pos != len(s) {
		return nil, fmt.Errorf("%w %q: unexpected %q after the expression", ErrRichSyntax, s, s[p.pos:])
	}
	return r, nil
}

type richParser struct {
	s   string
	pos int
}

func (p *richParser) skipSpace() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t' || p.s[p.pos] == '\n') {
		p.pos++
	}
}

// group parses "( term op term ... )" with p.pos at '('.
func (p *richParser) group(depth int) (*RichDep, error) {
	if depth > maxRichDepth {
		return nil, fmt.Errorf("nested deeper than %d", maxRichDepth)
	}
	p.pos++ // '('
	first, err := p.term(depth)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] == ')' {
		p.pos++
		// "(foo)" is just foo.
		return first, nil
	}
	word := p.word()
	op, ok := richOpNames[word]
	if !ok {
		return nil, fmt.Errorf("at offset %d: expected an operator or ')', found %q", p.pos, word)
	}
	node := &RichDep{Op: op, Args: []*RichDep{first}}
	for {
		arg, err := p.term(depth)
		if err != nil {
			return nil, err
		}
		node.Args = append(node.Args, arg)
		p.skipSpace()
		if p.pos >= len(p.s) {
			return nil, errors.New("missing ')'")
		}
		if p.s[p.pos] == ')' {
			p.pos++
			return node, nil
		}
		at := p.pos
		w := p.word()
		switch {
		case w == "else" && (op == RichIf || op == RichUnless) && len(node.Args) == 2:
			continue
		case richOpNames[w] == op && w != "" && (op == RichAnd || op == RichOr || op == RichWith):
			continue
		case w == "":
			return nil, fmt.Errorf("at offset %d: expected an operator or ')'", at)
		default:
			return nil, fmt.Errorf("at offset %d: %q cannot follow %q here (add parentheses)", at, w, op)
		}
	}
}

// word reads a run of letters (an operator keyword).
func (p *richParser) word() string {
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.s) && isAlpha(p.s[p.pos]) {
		p.pos++
	}
	return p.s[start:p.pos]
}

// term parses a nested group or a simple dependency "name [op version]".
func (p *richParser) term(depth int) (*RichDep, error) {
	p.skipSpace()
	if p.pos >= len(p.s) {
		return nil, errors.New("unexpected end")
	}
	if p.s[p.pos] == '(' {
		return p.group(depth + 1)
	}
	name, err := p.name()
	if err != nil {
		return nil, err
	}
	if _, isOp := richOpNames[name]; isOp || name == "else" {
		return nil, fmt.Errorf("at offset %d: operator %q where a dependency was expected", p.pos-len(name), name)
	}
	d := Dep{Name: name}
	save := p.pos
	p.skipSpace()
	opStart := p.pos
	for p.pos < len(p.s) && strings.IndexByte("<=>", p.s[p.pos]) >= 0 {
		p.pos++
	}
	if opStr := p.s[opStart:p.pos]; opStr != "" {
		var f Sense
		switch opStr {
		case "<":
			f = SenseLess
		case "<=", "=<":
			f = SenseLess | SenseEqual
		case "=", "==":
			f = SenseEqual
		case ">=", "=>":
			f = SenseGreater | SenseEqual
		case ">":
			f = SenseGreater
		default:
			return nil, fmt.Errorf("at offset %d: bad comparison %q", opStart, opStr)
		}
		p.skipSpace()
		vStart := p.pos
		for p.pos < len(p.s) && p.s[p.pos] != ' ' && p.s[p.pos] != '\t' && p.s[p.pos] != '\n' && p.s[p.pos] != '(' && p.s[p.pos] != ')' {
			p.pos++
		}
		if p.pos == vStart {
			return nil, fmt.Errorf("at offset %d: missing version after %q", vStart, opStr)
		}
		d.Flags, d.Version = f, p.s[vStart:p.pos]
	} else {
		p.pos = save
	}
	return &RichDep{Op: RichLeaf, Dep: d}, nil
}

// name reads a dependency name: up to whitespace or an unbalanced ')',
// keeping balanced parentheses inside it.
func (p *richParser) name() (string, error) {
	start, depth := p.pos, 0
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if c == ' ' || c == '\t' || c == '\n' || (depth == 0 && strings.IndexByte("<=>", c) >= 0) {
			break
		}
		if c == '(' {
			depth++
		} else if c == ')' {
			if depth == 0 {
				break
			}
			depth--
		}
		p.pos++
	}
	if depth != 0 {
		return "", fmt.Errorf("at offset %d: unbalanced '(' in name %q", start, p.s[start:p.pos])
	}
	if p.pos == start {
		return "", fmt.Errorf("at offset %d: empty dependency name", start)
	}
	return p.s[start:p.pos], nil
}
