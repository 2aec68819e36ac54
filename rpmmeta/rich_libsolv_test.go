package rpmmeta

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testutil"
)

// TestParseRichAgainstLibsolv writes each string as a requires entry of a
// package in a primary.xml (escaped the way createrepo_c escapes it),
// reads it with libsolv's rpmmd2solv and prints it back with dumpsolv:
// ParseRich (RichRepodata) must accept what libsolv keeps (it drops an
// entry it cannot parse) and give the tree libsolv prints; what libsolv
// drops must be refused, except the else forms ParseRich refuses on
// purpose (libsolv keeps them as a relation nothing provides).
func TestParseRichAgainstLibsolv(t *testing.T) {
	t.Parallel()
	rpmmd2solv := testutil.RequireTool(t, "rpmmd2solv", "libsolv-tools")
	dumpsolv := testutil.RequireTool(t, "dumpsolv", "libsolv-tools")
	corpus := []string{
		"(foo or bar)", "(foo >= 1.0 or bar)", "(foo>=1 or bar<2)", "(foo >=1 or bar)",
		"(foo =1)", "(foo>= 1)", "(foo >>= 1 or bar)", "(foo => 1 and bar =< 2 and baz == 3)",
		"(foo = 0:1.2-3 or bar)", "(libc.so.6(GLIBC_2.34)(64bit) or musl)",
		"(a and b and c)", "(a if b)", "(a if b else c)", "(a unless b else c)",
		"(a with b with c)", "(a without b)", "((a or b) and (c if d))",
		"(a if b if c)", "(a if b if c else d)", "(a unless b unless c)",
		"(a without b without c)", "((a and b) with c)", "(a with (b and c))",
		"(a if (b if c) else d)", "(and and or)", "(or or a)", "(foo(x or bar)",
		"(  a   or   b  )", "(a\tand b)", "(a and\tb)", "(foo)",
		"(a or (b and (c or (d with e))))",
		// Refused by both.
		"(a and b or c)", "(a if b else c if d)", "(a or b) trailing", "(a or b) ",
		"(a,b)", "(a or b, c)", "(foo >= )", "(a or)", "(or a)", "()", "(a",
		// libsolv keeps these, ParseRich refuses them.
		"(a else b)", "(a if b else c else d)", "(foo <> 1 or bar)",
	}
	refusedOnPurpose := map[string]bool{
		"(a else b)": true, "(a if b else c else d)": true, "(foo <> 1 or bar)": true,
	}
	dir := t.TempDir()
	var x bytes.Buffer
	x.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm">` + "\n")
	for i, s := range corpus {
		var esc bytes.Buffer
		if err := xml.EscapeText(&esc, []byte(s)); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&x, `<package type="rpm"><name>p%d</name><arch>noarch</arch><version epoch="0" ver="1" rel="1"/>`+
			`<format><rpm:requires><rpm:entry name="%s"/></rpm:requires></format></package>`+"\n", i, esc.String())
	}
	x.WriteString("</metadata>\n")
	primary := filepath.Join(dir, "primary.xml")
	if err := os.WriteFile(primary, x.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(primary)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	conv := exec.CommandContext(t.Context(), rpmmd2solv)
	conv.Stdin = in
	solv, err := conv.Output()
	if err != nil {
		t.Fatalf("rpmmd2solv: %v", err)
	}
	solvFile := filepath.Join(dir, "primary.solv")
	if err = os.WriteFile(solvFile, solv, 0o644); err != nil {
		t.Fatal(err)
	}
	dump, err := exec.CommandContext(t.Context(), dumpsolv, solvFile).Output()
	if err != nil {
		t.Fatalf("dumpsolv: %v", err)
	}
	// libsolv's requires of each package, by name.
	got := map[string]string{}
	var name string
	lines := strings.Split(string(dump), "\n")
	for i, l := range lines {
		if n, ok := strings.CutPrefix(l, "solvable:name: "); ok {
			name = n
		}
		if l == "solvable:requires:" && i+1 < len(lines) {
			got[name] = strings.TrimPrefix(lines[i+1], "  ")
		}
	}
	for i, s := range corpus {
		libsolv, kept := got[fmt.Sprintf("p%d", i)]
		r, _, err := ParseRich(s, RichRepodata)
		switch {
		case !kept && err == nil:
			t.Errorf("libsolv drops %q, ParseRich reads %s", s, r)
		case kept && err != nil && !refusedOnPurpose[s]:
			t.Errorf("libsolv reads %q as %q, ParseRich refuses it: %v", s, libsolv, err)
		case kept && err == nil && libsolvDep2str(r, 0) != libsolv:
			t.Errorf("libsolv reads %q as %q, ParseRich as %q", s, libsolv, libsolvDep2str(r, 0))
		case !kept && refusedOnPurpose[s]:
			t.Errorf("libsolv drops %q; the comment on refusedOnPurpose is out of date", s)
		}
	}
}

// libsolvDep2str prints r the way libsolv 0.7's pool_dep2str does (the
// dumpsolv output) for the relation tree pool_parserpmrichdep makes of
// it: binary relations nested to the right, an else as the condition's
// right side, a "0:" epoch dropped, a rich child in parentheses unless it
// repeats its parent's and, or, with or without, or is an if's else.
func libsolvDep2str(r *RichDep, parent RichOp) string {
	if r.Op == RichLeaf {
		d := r.Dep
		if v, ok := strings.CutPrefix(d.Version, "0:"); ok && v != "" {
			d.Version = v
		}
		return d.String()
	}
	words := map[RichOp]string{RichAnd: " & ", RichOr: " | ", RichWith: " + ", RichWithout: " - ",
		RichIf: " IF ", RichUnless: " UNLESS ", RichElse: " ELSE "}
	var out string
	switch {
	case (r.Op == RichIf || r.Op == RichUnless) && len(r.Args) == 3:
		els := &RichDep{Op: RichElse, Args: r.Args[1:]}
		out = libsolvDep2str(r.Args[0], r.Op) + words[r.Op] + libsolvDep2str(els, r.Op)
	case len(r.Args) > 2:
		rest := &RichDep{Op: r.Op, Args: r.Args[1:]}
		out = libsolvDep2str(r.Args[0], r.Op) + words[r.Op] + libsolvDep2str(rest, r.Op)
	default:
		out = libsolvDep2str(r.Args[0], r.Op) + words[r.Op] + libsolvDep2str(r.Args[1], r.Op)
	}
	cond := r.Op == RichIf || r.Op == RichUnless || r.Op == RichElse
	if parent != 0 && (parent != r.Op || cond) && !((parent == RichIf || parent == RichUnless) && r.Op == RichElse) {
		return "(" + out + ")"
	}
	return out
}
