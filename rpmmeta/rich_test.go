package rpmmeta

import (
	"errors"
	"testing"
)

func TestParseRich(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string // want is the canonical String(); "" means error
	}{
		{"(foo or bar)", "(foo or bar)"},
		{"(foo >= 1.0 or bar)", "(foo >= 1.0 or bar)"},
		{"(a and b and c)", "(a and b and c)"},
		{"(a if b)", "(a if b)"},
		{"(a if b else c)", "(a if b else c)"},
		{"(a unless b else c)", "(a unless b else c)"},
		{"(a with b)", "(a with b)"},
		{"(a without b)", "(a without b)"},
		{"((a or b) and (c if d))", "((a or b) and (c if d))"},
		{"(libc.so.6(GLIBC_2.34)(64bit) or musl)", "(libc.so.6(GLIBC_2.34)(64bit) or musl)"},
		{"(foo = 1:2.0-3 with foo(x86-64))", "(foo = 1:2.0-3 with foo(x86-64))"},
		{"(  foo>=1  or   bar<2 )", "(foo >= 1 or bar < 2)"},
		{"(foo)", "foo"},
		{"(foo => 1 or bar =< 2 or baz == 3)", "(foo >= 1 or bar <= 2 or baz = 3)"},
		{"(a or (b and (c or (d with e))))", "(a or (b and (c or (d with e))))"},
		// Malformed.
		{"foo or bar", ""},
		{"(foo or bar", ""},
		{"(foo or bar))", ""},
		{"(foo and bar or baz)", ""},
		{"(a if b if c)", ""},
		{"(a without b without c)", ""},
		{"(a else b)", ""},
		{"(a if b else c else d)", ""},
		{"(a or)", ""},
		{"(or a)", ""},
		{"()", ""},
		{"(foo >= )", ""},
		{"(foo >>= 1)", ""},
		{"(foo bar)", ""},
		{"(foo(x or bar)", ""},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			r, err := ParseRich(tc.in)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("ParseRich(%q) = %s, want an error", tc.in, r)
				}
				if !errors.Is(err, ErrRichSyntax) {
					t.Errorf("error %v does not wrap ErrRichSyntax", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseRich(%q): %v", tc.in, err)
			}
			if got := r.String(); got != tc.want {
				t.Errorf("ParseRich(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseRichTree(t *testing.T) {
	t.Parallel()
	r, err := ParseRich("(foo >= 1.0 if (bar or baz) else qux)")
	if err != nil {
		t.Fatal(err)
	}
	if r.Op != RichIf || len(r.Args) != 3 {
		t.Fatalf("root = %v with %d args, want if with 3", r.Op, len(r.Args))
	}
	if d := r.Args[0].Dep; d.Name != "foo" || d.Op() != ">=" || d.Version != "1.0" {
		t.Errorf("then = %+v", d)
	}
	if r.Args[1].Op != RichOr || r.Args[2].Dep.Name != "qux" {
		t.Errorf("cond = %s, else = %s", r.Args[1], r.Args[2])
	}
	var names []string
	r.Leaves(func(d Dep) { names = append(names, d.Name) })
	if len(names) != 4 || names[0] != "foo" || names[3] != "qux" {
		t.Errorf("Leaves = %v", names)
	}
}

func FuzzParseRich(f *testing.F) {
	for _, s := range []string{"(foo or bar)", "(a if b else c)", "((a or b) and (c with d))", "(libc.so.6()(64bit) or x >= 1:2-3)", "(a unless b)", "(("} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRich(s)
		if err != nil {
			return
		}
		// What parses must print to something that parses to the same.
		out := r.String()
		if r.Op == RichLeaf {
			out = "(" + out + ")"
		}
		r2, err := ParseRich(out)
		if err != nil {
			t.Fatalf("ParseRich(%q) ok, but its rendering %q fails: %v", s, out, err)
		}
		if r2.String() != r.String() {
			t.Fatalf("round trip: %q -> %q -> %q", s, r.String(), r2.String())
		}
	})
}
