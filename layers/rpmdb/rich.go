package rpmdb

import (
	"errors"
	"slices"
	"strings"
)

// Rich dependency operators, as rpm numbers them (rpmds.h rpmrichOp).
type richOp int

const (
	opNone richOp = iota
	opSingle
	opAnd
	opOr
	opIf
	opElse
	opWith
	opWithout
	opUnless
)

var richOps = map[string]richOp{
	"and": opAnd, "or": opOr, "if": opIf, "unless": opUnless,
	"else": opElse, "with": opWith, "without": opWithout,
}

const (
	checkNoWith = 1 << 1
	checkNoAnd  = 1 << 2
	checkNoOr   = 1 << 3
)

var errRich = errors.New("malformed rich dependency")

// richIndexNames returns the extra keys rpm 4.18's updateRichDep indexes for
// a rich dependency: every simple name in it except rpmlib(...) ones, those
// in the condition of an if/unless prefixed with '!' (and, after an else,
// also unprefixed), sorted bytewise with the prefix and without duplicates.
// A string rpm cannot parse gives no names.
func richIndexNames(s string) []string {
	c := richCollector{levels: []int{0}}
	if _, _, err := c.parse(s, 0, 0); err != nil {
		return nil
	}
	slices.Sort(c.names)
	var out []string
	for i, n := range c.names {
		if i > 0 && c.names[i-1] == n {
			continue
		}
		out = append(out, strings.TrimPrefix(n, " "))
	}
	return out
}

// richCollector mirrors rpmrichParseInternal driving updateRichDepCB.
type richCollector struct {
	names  []string
	neg    bool
	levels []int // nargv_level
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func skipWhite(s string, p int) int {
	for p < len(s) && isSpace(s[p]) {
		p++
	}
	return p
}

// skipNonWhiteX is rpm's SKIPNONWHITEX: up to white space, ',' or an
// unbalanced ')'.
func skipNonWhiteX(s string, p int) int {
	bl := 0
	for p < len(s) {
		c := s[p]
		if isSpace(c) || c == ',' {
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

func isSenseToken(t string) bool {
	switch t {
	case "<=", "=<", "<", "==", "=", ">=", "=>", ">":
		return true
	}
	return false
}

func (c *richCollector) simple(s string, p int) (int, error) {
	n := p
	p = skipNonWhiteX(s, p)
	if p == n {
		return 0, errRich
	}
	name := s[n:p]
	p = skipWhite(s, p)
	if p < len(s) {
		pe := skipNonWhiteX(s, p)
		if isSenseToken(s[p:pe]) {
			p = skipWhite(s, pe)
			e := p
			p = skipNonWhiteX(s, p)
			if p == e {
				return 0, errRich
			}
		}
	}
	if !(len(name) > 7 && strings.HasPrefix(name, "rpmlib(")) {
		prefix := " "
		if c.neg {
			prefix = "!"
		}
		c.names = append(c.names, prefix+name)
	}
	return p, nil
}

func (c *richCollector) parseCheck(op richOp, check int) error {
	if (op == opWith || op == opWithout) && check&checkNoWith != 0 {
		return errRich
	}
	return nil // RICHPARSE_CHECK is not set by rpmrichParse
}

// parse parses the group at s[p:] and returns the position after it and the
// check bits it sets.
func (c *richCollector) parse(s string, p, check int) (int, int, error) {
	// ENTER
	c.levels = append(c.levels, len(c.names))
	level := len(c.levels) - 1
	if p >= len(s) || s[p] != '(' {
		return 0, 0, errRich
	}
	p++
	op, firstop, chainop := opSingle, opSingle, opNone
	for {
		p = skipWhite(s, p)
		if p >= len(s) || s[p] == ')' {
			return 0, 0, errRich
		}
		if s[p] == '(' {
			var sub int
			var err error
			if p, sub, err = c.parse(s, p, 0); err != nil {
				return 0, 0, err
			}
			if op == opIf || op == opUnless {
				sub &^= checkNoAnd | checkNoOr
			}
			check |= sub
		} else {
			var err error
			if p, err = c.simple(s, p); err != nil {
				return 0, 0, err
			}
		}
		p = skipWhite(s, p)
		if p >= len(s) {
			return 0, 0, errRich
		}
		if s[p] == ')' {
			break
		}
		pe := p
		for pe < len(s) && !isSpace(s[pe]) && s[pe] != ')' {
			pe++
		}
		o, ok := richOps[s[p:pe]]
		if !ok {
			return 0, 0, errRich
		}
		op = o
		if firstop == opSingle {
			firstop = op
		}
		if op == opElse && (chainop == opIf || chainop == opUnless) {
			chainop = opNone
		}
		if chainop != opNone && op != chainop {
			return 0, 0, errRich
		}
		if chainop != opNone && op != opAnd && op != opOr && op != opWith {
			return 0, 0, errRich
		}
		// OP callback
		switch op {
		case opIf, opUnless:
			c.levels[level] = len(c.names)
			c.neg = !c.neg
		case opElse:
			n := len(c.names)
			for i := c.levels[level]; i < n; i++ {
				c.names = append(c.names, invert(c.names[i]))
			}
			c.neg = !c.neg
		}
		chainop = op
		p = pe
	}
	if err := c.parseCheck(firstop, check); err != nil {
		return 0, 0, err
	}
	if firstop == opIf {
		check |= checkNoOr
	}
	if firstop == opUnless {
		check |= checkNoAnd
	}
	if op == opAnd || op == opOr {
		check &^= checkNoAnd | checkNoOr
	}
	if op != opSingle && op != opWith && op != opWithout && op != opOr {
		check |= checkNoWith
	}
	p++
	// LEAVE
	c.levels = c.levels[:level]
	if op == opIf || op == opUnless {
		c.neg = !c.neg
	}
	return p, check, nil
}

func invert(n string) string {
	if n[0] == ' ' {
		return "!" + n[1:]
	}
	return " " + n[1:]
}
