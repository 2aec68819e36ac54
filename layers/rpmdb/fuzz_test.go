package rpmdb

import (
	"strings"
	"testing"

	"github.com/slipway-build/slipway/layers/rpm"
)

// FuzzInstalledHeader feeds arbitrary signature and main header blobs (as an
// rpm database or a hostile package could hold them) to the installed-header
// builder: no panic, and whatever it accepts must come out as a header that
// parses, with every index row computable.
func FuzzInstalledHeader(f *testing.F) {
	main := buildHeader(minimalMain(
		strEntry(rpm.TagBasenames, "a", "b"),
		strEntry(rpm.TagRequireName, "(a if b else c)", "rpmlib(X)"),
		strEntry(rpm.TagPrefixes, "/opt"),
	))
	sig := buildHeader([]rpm.HeaderEntry{int32Entry(rpm.SigTagSize, 9)})
	f.Add(sig, main)
	f.Add([]byte(nil), main)
	f.Add(sig, sig)
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 0}, []byte{0, 0, 0, 1, 0, 0, 0, 16, 0, 0, 0, 63, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 16})
	f.Fuzz(func(t *testing.T, sig, main []byte) {
		blob, err := installedHeader(sig, main, 1700000000, 3)
		if err != nil {
			return
		}
		h, err := rpm.ParseHeader(blob)
		if err != nil {
			t.Fatalf("rpm.ParseHeader rejects our header: %v", err)
		}
		for _, ix := range indexes {
			indexRows(ix, h, 1) // errors are fine, panics are not
		}
	})
}

// FuzzRichIndexNames: no panic, and every name returned is a non-empty part of
// the input, possibly prefixed with '!'.
func FuzzRichIndexNames(f *testing.F) {
	for _, s := range []string{"(a or b)", "(a if b else c)", "((a if (b and c)) and d)", "(a unless b else c)", "(x >= 1 with y)", "((", "(a) b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, n := range richIndexNames(s) {
			if n == "" || !strings.Contains(s, n) && !(n[0] == '!' && strings.Contains(s, n[1:])) {
				t.Fatalf("richIndexNames(%q) returned %q", s, n)
			}
		}
	})
}
