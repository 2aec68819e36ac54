package solve

import (
	"fmt"
	"strings"
)

// ProblemKind classifies why a request cannot be solved.
type ProblemKind int

// The problems the solver reports.
const (
	NothingProvides ProblemKind = iota + 1 // a dependency has no installable provider
	NoMatch                                // a request matches no package
	Excluded                               // a request matches only excluded packages
	Conflict                               // two needed packages conflict
	Obsoleted                              // a needed package obsoletes another needed one
	SameName                               // two versions of one package would be needed
	BadDependency                          // a malformed rich dependency
	TooComplex                             // the search gave up
)

// Problem is one reason a request cannot be solved, in dnf's words.
type Problem struct {
	Kind ProblemKind
	// Dep is the dependency (or request argument) that failed.
	Dep string
	// Package is the NEVRA of the package whose dependency failed, or the
	// package that conflicts or obsoletes; "" for a request.
	Package string
	// Other is the NEVRA of the other package of a conflict.
	Other string
	// Chain says how Package came to be needed, from the request:
	// "required by appd-2.1-1.x86_64, required by the request for appd".
	Chain string
	// Detail carries extra text (the parse error of a bad dependency).
	Detail string
}

func (p Problem) String() string {
	var s string
	switch p.Kind {
	case NothingProvides:
		s = fmt.Sprintf("nothing provides %s needed by %s", p.Dep, p.Package)
	case NoMatch:
		s = fmt.Sprintf("no package matches %s", p.Dep)
	case Excluded:
		s = fmt.Sprintf("package %s is excluded", p.Dep)
	case Conflict:
		s = fmt.Sprintf("package %s conflicts with %s provided by %s", p.Package, p.Dep, p.Other)
	case Obsoleted:
		s = fmt.Sprintf("package %s obsoletes %s provided by %s", p.Package, p.Dep, p.Other)
	case SameName:
		s = fmt.Sprintf("cannot install both %s and %s", p.Package, p.Other)
	case BadDependency:
		s = fmt.Sprintf("package %s has a malformed dependency %s: %s", p.Package, p.Dep, p.Detail)
	case TooComplex:
		s = "the request is too complex: " + p.Detail
	default:
		s = "unknown problem with " + p.Dep
	}
	if p.Chain != "" {
		s += " (" + p.Chain + ")"
	}
	return s
}

// UnsolvableError is returned when a request cannot be satisfied.
type UnsolvableError struct {
	Arch     string
	Problems []Problem
}

// Error gives the first problem on one line, then any others, one a line.
func (e *UnsolvableError) Error() string {
	if len(e.Problems) == 0 {
		return "resolving for " + e.Arch + ": unsolvable"
	}
	var b strings.Builder
	b.WriteString("resolving for " + e.Arch + ": " + e.Problems[0].String())
	for _, p := range e.Problems[1:] {
		b.WriteString("\n  " + p.String())
	}
	return b.String()
}
