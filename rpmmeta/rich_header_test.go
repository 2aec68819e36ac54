package rpmmeta

import (
	"errors"
	"strings"
	"testing"
)

// TestParseRichHeader: rpm 4.18's rpmrichParse (rpmds.c) on each string, read
// from its source: what it accepts, the tree, and what it leaves after the
// outer group.
func TestParseRichHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want, rest string // want is String(); "" means rpm refuses it
	}{
		{"(foo or bar)", "(foo or bar)", ""},
		{"(foo >= 1.0 or bar)", "(foo >= 1.0 or bar)", ""},
		// A name runs to white space, ',' or an unbalanced ')'.
		{"(foo>=1 or bar<2)", "(foo>=1 or bar<2)", ""},
		{"(libc.so.6(GLIBC_2.34)(64bit) or musl)", "(libc.so.6(GLIBC_2.34)(64bit) or musl)", ""},
		{"(a,b)", "", ""},
		// rpm wants a whole comparison word (libsolv takes these).
		{"(foo >=1 or bar)", "", ""},
		{"(foo =1)", "", ""},
		{"(foo >>= 1)", "", ""},
		{"(a if b if c)", "", ""},
		// isspace: \r, \f and \v are white space too.
		{"(a\rand\fb\vand\tc\n)", "(a and b and c)", ""},
		{"(a => 1 and b =< 2 and c == 3)", "(a >= 1 and b <= 2 and c = 3)", ""},
		{"(a if b else c)", "(a if b else c)", ""},
		{"(a unless b else c)", "(a unless b else c)", ""},
		{"(a without b)", "(a without b)", ""},
		{"(a with b with c)", "(a with b with c)", ""},
		{"(foo)", "foo", ""},
		{"((a or b) with c)", "((a or b) with c)", ""},
		{"((a if b) and c)", "((a if b) and c)", ""},
		// rpm's parser takes an else without if; rpm indexes it.
		{"(a else b)", "(a else b)", ""},
		// rpm looks only at the first group.
		{"(a or b) trailing", "(a or b)", " trailing"},
		// Operators are names where a name is expected.
		{"(and and or)", "(and and or)", ""},
		// Refused: the check bits forbid and/if/unless under with/without.
		{"((a and b) with c)", "", ""},
		{"(c without (a if b))", "", ""},
		{"((a unless b) with c)", "", ""},
		{"(a and b or c)", "", ""},
		{"(a if b if c)", "", ""},
		{"(a if b else c else d)", "", ""},
		{"(a without b without c)", "", ""},
		{"(a bogus b)", "", ""},
		{"(a = )", "", ""},
		{"(a or)", "", ""},
		{"()", "", ""},
		{"(a", "", ""},
		{" (a or b)", "", ""},
		{"a or b", "", ""},
		{"", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			r, rest, err := ParseRich(tc.in, RichHeader)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("ParseRich(%q, RichHeader) = %s, want an error", tc.in, r)
				}
				if !errors.Is(err, ErrRichSyntax) {
					t.Errorf("error %v does not wrap ErrRichSyntax", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseRich(%q, RichHeader): %v", tc.in, err)
			}
			if got := r.String(); got != tc.want || rest != tc.rest {
				t.Errorf("ParseRich(%q, RichHeader) = %s, %q; want %s, %q", tc.in, got, rest, tc.want, tc.rest)
			}
		})
	}
}

func FuzzParseRichHeader(f *testing.F) {
	for _, s := range []string{"(foo or bar)", "(a if b else c)", "((a or b) and (c with d))", "(a\rand\vb)", "(foo>=1 or bar)", "((a and b) with c)", "(a else b)", "(a) b", "(("} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, rest, err := ParseRich(s, RichHeader)
		if err != nil {
			return
		}
		if !strings.HasSuffix(s, rest) {
			t.Fatalf("ParseRich(%q, RichHeader) left %q, not a suffix", s, rest)
		}
		if !printable(r) {
			return
		}
		out := r.String()
		if r.Op == RichLeaf {
			out = "(" + out + ")"
		}
		r2, rest2, err := ParseRich(out, RichHeader)
		if err != nil || rest2 != "" {
			t.Fatalf("ParseRich(%q, RichHeader) ok, but its rendering %q gives %v, rest %q", s, out, err, rest2)
		}
		if r2.String() != r.String() {
			t.Fatalf("round trip: %q -> %q -> %q", s, r.String(), r2.String())
		}
	})
}

// printable reports whether every leaf of r keeps its parentheses
// balanced: rpm and libsolv let a name or version end inside '(' at white
// space ("(0( )"), and such a leaf cannot be printed back.
func printable(r *RichDep) bool {
	balanced := true
	r.Leaves(func(d Dep) {
		balanced = balanced && strings.Count(d.Name, "(") == strings.Count(d.Name, ")") &&
			strings.Count(d.Version, "(") == strings.Count(d.Version, ")")
	})
	return balanced
}
