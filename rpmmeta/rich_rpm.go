package rpmmeta

import (
	"errors"
	"fmt"
)

// RichElse is the operator ParseRichRPM gives a group that starts with
// "else" without an if/unless before it ("(a else b)"): rpm's parser
// accepts it, and rpm's index treats it as an if whose condition is a.
// ParseRich never produces it.
const RichElse RichOp = RichUnless + 1

// ParseRichRPM parses the rich dependency at the start of s exactly as
// rpm's rpmrichParse (rpmds.c, rpm 4.18) does, and returns the tree and
// what follows the outer group (rpm does not look at it). The grammar is
// rpm's, byte for byte:
//   - white space is ' ', '\t', '\n', '\r', '\f', '\v';
//   - a name runs to white space, ',' or an unbalanced ')', so "foo>=1"
//     is one name and "foo(x)" keeps its parentheses;
//   - a version follows a name only after white space and one of
//     <= =< < == = >= => >;
//   - one operator chains only for and, or and with; if/unless take one
//     else;
//   - with and without refuse an argument that is a group of anything but
//     with, without or or (rpm's check bits), so "((a and b) with c)" is
//     refused.
//
// s must start with '(' (no leading white space). Unlike ParseRich, it
// keeps no nesting limit: rpm has none. The solver uses ParseRich, which
// also reads repodata's "foo>=1" as foo >= 1; ParseRichRPM is what rpm
// itself indexes and builds with.
func ParseRichRPM(s string) (r *RichDep, rest string, err error) {
	var p rpmRichParser
	r, end, _, err := p.group(s, 0)
	if err != nil {
		return nil, "", fmt.Errorf("%w %q: %w", ErrRichSyntax, s, err)
	}
	return r, s[end:], nil
}

type rpmRichParser struct{}

// rpm's check bits (rpmds.c RICHPARSE_NO_*).
const (
	rpmCheckNoWith = 1 << 1
	rpmCheckNoAnd  = 1 << 2
	rpmCheckNoOr   = 1 << 3
)

// rpmIsSpace is C's isspace in the "C" locale.
func rpmIsSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func rpmSkipWhite(s string, p int) int {
	for p < len(s) && rpmIsSpace(s[p]) {
		p++
	}
	return p
}

// rpmSkipNonWhiteX is rpm's SKIPNONWHITEX: up to white space, ',' or an
// unbalanced ')'.
func rpmSkipNonWhiteX(s string, p int) int {
	bl := 0
	for p < len(s) {
		c := s[p]
		if rpmIsSpace(c) || c == ',' {
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

var rpmSenses = map[string]Sense{
	"<": SenseLess, "<=": SenseLess | SenseEqual, "=<": SenseLess | SenseEqual,
	"=": SenseEqual, "==": SenseEqual,
	">": SenseGreater, ">=": SenseGreater | SenseEqual, "=>": SenseGreater | SenseEqual,
}

var rpmRichOps = map[string]RichOp{
	"and": RichAnd, "or": RichOr, "if": RichIf, "unless": RichUnless,
	"else": RichElse, "with": RichWith, "without": RichWithout,
}

// simple is rpm's parseSimpleDep.
func (rpmRichParser) simple(s string, p int) (*RichDep, int, error) {
	n := p
	p = rpmSkipNonWhiteX(s, p)
	if p == n {
		return nil, 0, fmt.Errorf("at offset %d: missing argument", n)
	}
	d := Dep{Name: s[n:p]}
	p = rpmSkipWhite(s, p)
	if p < len(s) {
		pe := rpmSkipNonWhiteX(s, p)
		if f, ok := rpmSenses[s[p:pe]]; ok {
			p = rpmSkipWhite(s, pe)
			e := p
			p = rpmSkipNonWhiteX(s, p)
			if p == e {
				return nil, 0, fmt.Errorf("at offset %d: missing version", e)
			}
			d.Flags, d.Version = f, s[e:p]
		}
	}
	return &RichDep{Op: RichLeaf, Dep: d}, p, nil
}

// group is rpmrichParseInternal: it parses the group at s[p:] and returns
// it, the position after it and the check bits it sets.
func (x rpmRichParser) group(s string, p int) (*RichDep, int, int, error) {
	if p >= len(s) || s[p] != '(' {
		return nil, 0, 0, fmt.Errorf("at offset %d: expected '('", p)
	}
	p++
	check := 0
	op, firstop, chainop := RichLeaf, RichLeaf, RichOp(-1)
	var args []*RichDep
	for {
		p = rpmSkipWhite(s, p)
		if p >= len(s) || s[p] == ')' {
			return nil, 0, 0, fmt.Errorf("at offset %d: missing argument", p)
		}
		var arg *RichDep
		var err error
		if s[p] == '(' {
			var sub int
			if arg, p, sub, err = x.group(s, p); err != nil {
				return nil, 0, 0, err
			}
			if op == RichIf || op == RichUnless {
				sub &^= rpmCheckNoAnd | rpmCheckNoOr
			}
			check |= sub
		} else if arg, p, err = x.simple(s, p); err != nil {
			return nil, 0, 0, err
		}
		args = append(args, arg)
		p = rpmSkipWhite(s, p)
		if p >= len(s) {
			return nil, 0, 0, errors.New("missing ')'")
		}
		if s[p] == ')' {
			break
		}
		pe := p
		for pe < len(s) && !rpmIsSpace(s[pe]) && s[pe] != ')' {
			pe++
		}
		o, ok := rpmRichOps[s[p:pe]]
		if !ok {
			return nil, 0, 0, fmt.Errorf("at offset %d: unknown operator %q", p, s[p:pe])
		}
		op = o
		if firstop == RichLeaf {
			firstop = op
		}
		if op == RichElse && (chainop == RichIf || chainop == RichUnless) {
			chainop = -1
		}
		if chainop != -1 && op != chainop {
			return nil, 0, 0, fmt.Errorf("at offset %d: cannot chain different operators", p)
		}
		if chainop != -1 && op != RichAnd && op != RichOr && op != RichWith {
			return nil, 0, 0, fmt.Errorf("at offset %d: only and, or and with chain", p)
		}
		chainop = op
		p = pe
	}
	if (firstop == RichWith || firstop == RichWithout) && check&rpmCheckNoWith != 0 {
		return nil, 0, 0, fmt.Errorf("at offset %d: illegal argument to %s", p, firstop)
	}
	if firstop == RichIf {
		check |= rpmCheckNoOr
	}
	if firstop == RichUnless {
		check |= rpmCheckNoAnd
	}
	if op == RichAnd || op == RichOr {
		check &^= rpmCheckNoAnd | rpmCheckNoOr
	}
	if op != RichLeaf && op != RichWith && op != RichWithout && op != RichOr {
		check |= rpmCheckNoWith
	}
	p++
	if firstop == RichLeaf {
		return args[0], p, check, nil
	}
	return &RichDep{Op: firstop, Args: args}, p, check, nil
}
